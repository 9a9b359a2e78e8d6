"""Texts, scopes and cards of the power area (no registration here)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CadreEnterprise, Enterprise, OrgUnit, Role, UnitKind, User
from storage.models.power import KIND_NAMES, PowerAnomaly, PowerReason
from storage.power.charts import thirty_day_chart
from storage.power.queries import Flag, load_series

from ..types import Button, OutFile, Reply

WEEKDAYS = "一二三四五六日"
LIST_LIMIT = 40  # lines in one list message; the rest are counted


@dataclass(frozen=True)
class Scope:
    """What one user may see of the power list: everything, a county, a cluster or some enterprises."""

    label: str
    county_id: int | None = None
    cluster: str | None = None
    enterprise_ids: frozenset[int] | None = None
    everything: bool = False

    def covers(self, f: Flag) -> bool:
        """True when the flag is within the scope."""
        if self.everything:
            return True
        if self.enterprise_ids is not None:
            return f.enterprise_id in self.enterprise_ids
        if self.county_id is not None:
            return f.county_id == self.county_id
        return self.cluster is not None and f.cluster == self.cluster


async def scope_of(session: AsyncSession, user: User) -> Scope | None:
    """The user's scope, or None when their role sees no power list (e.g. a factor group's handler)."""
    if user.role == Role.ADMIN:
        return Scope("全市", everything=True)
    if user.role == Role.REVIEWER and user.county_id:
        county = await session.get(OrgUnit, user.county_id)
        return Scope(county.name if county else "本县区", county_id=user.county_id)
    if user.role == Role.CADRE:
        ids = (await session.scalars(select(CadreEnterprise.enterprise_id).where(CadreEnterprise.user_id == user.id))).all()
        return Scope("您联系的企业", enterprise_ids=frozenset(ids))
    if user.role == Role.HANDLER and user.unit is not None:
        if user.unit.kind == UnitKind.TASK_FORCE and user.unit.cluster:
            return Scope(user.unit.name, cluster=user.unit.cluster)
        if user.unit.kind == UnitKind.COUNTY:
            return Scope(user.unit.name, county_id=user.unit.id)
    return None


def day_label(day: date) -> str:
    """'03-17（周二）'."""
    return f"{day:%m-%d}（周{WEEKDAYS[day.weekday()]}）"


def kwh(value: float) -> str:
    """'9,800 千瓦时'."""
    return f"{value:,.0f} 千瓦时"


def figures(kind: str, use: float, baseline: float, change: float) -> str:
    """'疑似停产：用电 300 千瓦时，基线 9,800 千瓦时，变化 -97%'."""
    return f"{KIND_NAMES[kind]}：用电 {kwh(use)}，基线 {kwh(baseline)}，变化 {change:+.0%}"


def suggested_category(kind: str, reason_code: str | None = None) -> str:
    """能源 for a stop or a power limit, 市场 for falling orders or a slow decline."""
    if reason_code == "limit":
        return "能源"
    if reason_code == "orders" or kind == "decline":
        return "市场"
    return "能源"


def appeal_prefill(ent_name: str, a: PowerAnomaly) -> str:
    """The figures that go into the description of an appeal opened from a card."""
    return (f"【日监测】{ent_name} {a.day.isoformat()} {figures(a.kind, a.use_kwh, a.baseline_kwh, a.change)}。")


def card_buttons(a: PowerAnomaly) -> list[list[Button]]:
    """说明原因 and 提报诉求; the ids are checked again on every press."""
    return [[Button("说明原因", data=f"pw:r:{a.id}"), Button("提报诉求", data=f"pw:a:{a.id}")]]


def card_text(ent_name: str, a: PowerAnomaly, reason: PowerReason | None = None) -> str:
    """The card's caption (short: it goes under a photo)."""
    lines = [f"【日监测】{ent_name}", f"{day_label(a.day)} {figures(a.kind, a.use_kwh, a.baseline_kwh, a.change)}"]
    if reason is not None:
        lines.append(f"已说明原因：{reason.label}，预计 {reason.until:%m-%d} 前恢复。")
    else:
        lines.append("请了解情况：点“说明原因”登记原因和预计恢复日期（期间不再提醒），或“提报诉求”请求协调。")
    return "\n".join(lines)


async def card(session: AsyncSession, a: PowerAnomaly, ent: Enterprise, *, with_chart: bool = True) -> Reply:
    """A card as a chat reply: the 30-day chart with the text as caption, and the two buttons."""
    reason = await session.get(PowerReason, a.reason_id) if a.reason_id else None
    photo = None
    if with_chart:
        photo = OutFile(f"power-{a.id}.png", await chart_png(session, a))
    return Reply(card_text(ent.name, a, reason), buttons=[] if reason else card_buttons(a), photo=photo)


async def chart_png(session: AsyncSession, a: PowerAnomaly) -> bytes:
    """The 30-day chart of the anomaly's enterprise up to its day."""
    series = await load_series(session, a.day - timedelta(days=30), a.day, [a.enterprise_id])
    return thirty_day_chart(series.get(a.enterprise_id, {}), a.day, a.baseline_kwh)


def list_line(i: int, f: Flag, reason: PowerReason | None = None) -> str:
    """One line of a staff list."""
    v = f.verdict
    tail = f"；已说明：{reason.label}" if reason else ""
    return f"{i}. {f.enterprise} · {KIND_NAMES[v.kind]} · {v.use:,.0f}/{v.baseline:,.0f} 千瓦时（{v.change:+.0%}）{tail}"


def list_text(scope: Scope, day: date, flags: list[Flag], silenced: int) -> str:
    """A staff list of one day's flags."""
    head = f"【日监测】{scope.label} {day_label(day)} 用电异常 {len(flags)} 家"
    if silenced:
        head += f"（另有 {silenced} 家已说明原因，暂不提醒）"
    if not flags:
        return head + "。"
    lines = [list_line(i, f) for i, f in enumerate(flags[:LIST_LIMIT], 1)]
    if len(flags) > LIST_LIMIT:
        lines.append(f"……另有 {len(flags) - LIST_LIMIT} 家，详见 pandeng report monthly 或 /power。")
    return head + "：\n" + "\n".join(lines)

"""/power and the card buttons: 说明原因 (reason, expected end), 提报诉求 (the appeal dialog, prefilled)."""
from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select

from storage.models import CadreEnterprise, Enterprise
from storage.models.appeals import CATEGORIES
from storage.models.power import REASONS, PowerAnomaly, PowerReason
from storage.power.detect import Thresholds
from storage.power.queries import judge_days, latest_day, record_flags

from ..appeals.intake import INTAKE, _category_buttons
from ..context import Context
from ..ids import parse_id
from ..registry import callback, command, flow
from ..types import Button, Reply
from .views import card, list_text, scope_of, suggested_category, appeal_prefill

REASON_FLOW = "power_reason"
CARDS_SHOWN = 5  # cards in one /power reply for a cadre; the rest are listed
UNTIL_CHOICES = ((3, "3天内"), (7, "1周内"), (14, "2周内"), (30, "1个月内"))
MAX_UNTIL_DAYS = 180
STALE = "这张卡片已处理过或已过期，请发送 /power 查看最新情况。"
NOT_YOURS = "您不是该企业的驻企干部，不能操作。"


def _day_arg(text: str, today: date) -> date | None | str:
    """/power [YYYY-MM-DD]: None for no argument, a date, or 'bad'."""
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return "bad"


@command("power", "日监测：用电异常企业（可加日期 2026-03-17）", where="private")
async def power_command(ctx: Context):
    """Today's list for whoever may see it: cards for a cadre, a list for county, task force and city."""
    scope = await scope_of(ctx.session, ctx.user)
    if scope is None:
        return Reply("日监测清单面向驻企干部、产业专班、县级指挥部和市指挥部办公室，您的账号暂无查看范围。")
    asked = _day_arg(ctx.args, ctx.today)
    if asked == "bad":
        return Reply("日期格式应为 2026-03-17，例如：/power 2026-03-17")
    day = asked or await latest_day(ctx.session, ctx.today - timedelta(days=1))
    if day is None:
        return Reply("还没有导入用电数据（pandeng power import 文件）。")
    ent_ids = sorted(scope.enterprise_ids) if scope.enterprise_ids is not None else None
    if ent_ids == []:
        return Reply("您尚未关联任何企业。")
    [res] = await judge_days(ctx.session, day, day, Thresholds.from_settings(ctx.settings), enterprise_ids=ent_ids)
    flags = [f for f in res.flags if scope.covers(f)]
    quiet = [f for f in res.quiet if scope.covers(f)]
    anomalies = await record_flags(ctx.session, res, ctx.now)
    if scope.enterprise_ids is None:
        return Reply(list_text(scope, day, flags, len(quiet)))
    if not flags:
        return Reply(list_text(scope, day, flags, len(quiet)) + ("" if day == asked else " 用电正常。"))
    ents = {e.id: e for e in (await ctx.session.scalars(
        select(Enterprise).where(Enterprise.id.in_([f.enterprise_id for f in flags])))).unique()}
    replies = [await card(ctx.session, anomalies[f.enterprise_id], ents[f.enterprise_id]) for f in flags[:CARDS_SHOWN]]
    if len(flags) > CARDS_SHOWN:
        replies.append(Reply(list_text(scope, day, flags, len(quiet))))
    return replies


async def _own_anomaly(ctx: Context, raw: str) -> tuple[PowerAnomaly | None, Reply | None]:
    """The anomaly of a button, if the presser is a cadre of its enterprise; else a refusal."""
    anomaly_id = parse_id(raw, strip_hash=False)
    if anomaly_id is None:
        return None, Reply(STALE, toast=True)
    a = await ctx.session.get(PowerAnomaly, anomaly_id)
    if a is None:
        return None, Reply(STALE, toast=True)
    mine = await ctx.session.scalar(select(CadreEnterprise.user_id).where(
        CadreEnterprise.user_id == ctx.user.id, CadreEnterprise.enterprise_id == a.enterprise_id))
    if mine is None:
        return None, Reply(NOT_YOURS, toast=True)
    return a, None


def _reason_buttons(a: PowerAnomaly) -> list[list[Button]]:
    codes = list(REASONS)
    return [[Button(REASONS[c], data=f"pw:rc:{a.id}:{c}") for c in codes[:3]],
            [Button(REASONS[c], data=f"pw:rc:{a.id}:{c}") for c in codes[3:]]]


def _until_buttons(a: PowerAnomaly, code: str) -> list[list[Button]]:
    return [[Button(label, data=f"pw:ru:{a.id}:{code}:{n}") for n, label in UNTIL_CHOICES]]


async def _already(ctx: Context, a: PowerAnomaly) -> Reply | None:
    if a.reason_id is None:
        return None
    r = await ctx.session.get(PowerReason, a.reason_id)
    return Reply(f"已说明原因：{r.label}，预计 {r.until:%m-%d} 前恢复。" if r else STALE, toast=True)


@callback("pw", confidential=True)
async def on_power_button(ctx: Context):
    """pw:r:ID (choose a reason), pw:rc:ID:CODE, pw:ru:ID:CODE:DAYS (expected end), pw:a:ID (appeal)."""
    parts = ctx.parts
    action = parts[1] if len(parts) > 1 else ""
    a, refusal = await _own_anomaly(ctx, parts[2] if len(parts) > 2 else "")
    if refusal:
        return refusal
    ent = await ctx.session.get(Enterprise, a.enterprise_id)
    if action == "a":
        return await _open_appeal(ctx, a, ent)
    done = await _already(ctx, a)
    if done:
        return done
    if action == "r":
        return Reply(f"{ent.name} {a.day:%m-%d} 用电异常的原因：", buttons=_reason_buttons(a))
    code = parts[3] if len(parts) > 3 else ""
    if code not in REASONS:
        return Reply(STALE, toast=True)
    if action == "rc":
        if code == "other":
            await ctx.set_dialog(REASON_FLOW, "text", {"anomaly_id": a.id, "code": code})
            return Reply("请用一句话说明原因（2～200字）：\n（发送 /cancel 取消）", edit=True)
        await ctx.set_dialog(REASON_FLOW, "until", {"anomaly_id": a.id, "code": code})
        return Reply(f"原因：{REASONS[code]}。预计什么时候恢复？（也可直接输入日期，如 2026-03-25）",
                     buttons=_until_buttons(a, code), edit=True)
    if action == "ru":
        days = parts[4] if len(parts) > 4 else ""
        if parse_id(days, strip_hash=False) not in {n for n, _ in UNTIL_CHOICES}:
            return Reply(STALE, toast=True)
        data = ctx.dialog.data if ctx.dialog is not None and ctx.dialog.flow == REASON_FLOW else {}
        if data.get("anomaly_id") != a.id or data.get("code") != code:
            return Reply(STALE, toast=True)  # an older message's buttons: the dialog moved on
        return await _record(ctx, a, ent, code, data.get("text"), ctx.today + timedelta(days=int(days)), edit=True)
    return Reply(STALE, toast=True)


async def _record(ctx: Context, a: PowerAnomaly, ent: Enterprise, code: str, text: str | None, until: date,
                  *, edit: bool = False) -> Reply:
    """Store the reason, link it to the anomaly, end the dialog."""
    reason = PowerReason(enterprise_id=a.enterprise_id, code=code, text=text, since=a.day, until=until,
                         user_id=ctx.user.id, created_at=ctx.now)
    ctx.session.add(reason)
    await ctx.session.flush()
    a.reason_id = reason.id
    await ctx.clear_dialog()
    return Reply(f"已登记：{ent.name} 用电异常原因“{reason.label}”，预计 {until:%Y-%m-%d} 前恢复；"
                 "在此之前不再提醒。情况有变可随时“提报诉求”。", edit=edit)


_DATE = re.compile(r"^(?:(\d{4})[-/.年])?(\d{1,2})[-/.月](\d{1,2})日?$")


def parse_until(text: str, today: date) -> date | None:
    """'2026-03-25', '3-25', '3月25日' (this year, or next year if already past)."""
    m = _DATE.match(text.strip())
    if not m:
        return None
    try:
        d = date(int(m[1] or today.year), int(m[2]), int(m[3]))
    except ValueError:
        return None
    if m[1] is None and d < today:
        d = d.replace(year=d.year + 1)
    return d


@flow(REASON_FLOW)
async def on_reason_message(ctx: Context):
    """The reason's free text (其他), then a typed expected end date."""
    data = dict(ctx.dialog.data or {})
    a = await ctx.session.get(PowerAnomaly, data.get("anomaly_id") or 0)
    if a is None or a.reason_id is not None:
        await ctx.clear_dialog()
        return Reply(STALE)
    ent = await ctx.session.get(Enterprise, a.enterprise_id)
    text = ctx.text
    if ctx.dialog.step == "text":
        if not (2 <= len(text) <= 200) or not re.search(r"[\w\u4e00-\u9fff]", text):
            return Reply("请用 2～200 字说明原因（发送 /cancel 取消）。")
        data["text"] = text
        await ctx.set_dialog(REASON_FLOW, "until", data)
        return Reply("预计什么时候恢复？（也可直接输入日期，如 2026-03-25）", buttons=_until_buttons(a, data["code"]))
    until = parse_until(text, ctx.today)
    if until is None or until < ctx.today or until > ctx.today + timedelta(days=MAX_UNTIL_DAYS):
        return Reply(f"请点下方按钮，或输入今天到 {MAX_UNTIL_DAYS} 天内的日期，如 2026-03-25（发送 /cancel 取消）。",
                     buttons=_until_buttons(a, data["code"]))
    return await _record(ctx, a, ent, data["code"], data.get("text"), until)


async def _open_appeal(ctx: Context, a: PowerAnomaly, ent: Enterprise) -> Reply:
    """Open the appeal dialog for the enterprise, the suggested category first, the figures kept for the description."""
    reason = await ctx.session.get(PowerReason, a.reason_id) if a.reason_id else None
    category = suggested_category(a.kind, reason.code if reason else None)
    await ctx.set_dialog(INTAKE, "cat", {"enterprise_id": ent.id, "prefill": appeal_prefill(ent.name, a)})
    owner = ctx.user.id
    buttons = [[Button(f"{category}（建议）", data=f"ai:c:{CATEGORIES.index(category)}:{owner}")]] + _category_buttons(owner)
    return Reply(f"为“{ent.name}”提交诉求（用电数据将附在描述后）。\n建议类别：{category}。请选择诉求类别：",
                 buttons=buttons)

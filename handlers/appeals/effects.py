"""What each action of the workflow table does to an appeal, once the table has allowed it.

Each effect validates its own input first and raises Refused before changing anything.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy import select

from handlers.context import Context
from storage.models import Appeal, AppealStatus, OrgUnit, Role, UnitKind
from storage.models.appeals import CATEGORIES
from storage.workdays import add_workdays

from .rules import SATISFACTION_CHOICES, compute_deadline, find_unit, parse_date, parse_extension, route_unit
from .workflow import ADMIN, COUNTY, Refused

S = AppealStatus


@dataclass
class Effect:
    """The event note, a different recorded action name if any, and extra people to notify."""

    note: str | None = None
    action: str | None = None
    notify: set[int] = field(default_factory=set)


EffectFn = Callable[[Context, Appeal, set, "str | None", "str | None"], Awaitable[Effect]]
EFFECTS: dict[str, EffectFn] = {}


def effect(action: str):
    """Register the effect of an action."""

    def deco(fn: EffectFn) -> EffectFn:
        EFFECTS[action] = fn
        return fn

    return deco


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


def _day(d) -> str:
    return d.isoformat() if d else "—"


async def assignable_unit(ctx: Context, appeal: Appeal, rels: set[str], unit_id: int) -> OrgUnit:
    """The unit an appeal may be assigned or transferred to, or Refused."""
    unit = await ctx.session.get(OrgUnit, unit_id) if unit_id else None
    if unit is None or unit.kind == UnitKind.CITY_OFFICE:
        raise Refused("找不到该责任单位，请重新选择。")
    if unit.kind == UnitKind.COUNTY and unit.id != appeal.county_id:
        raise Refused("只能交由企业所在县（市、区）或市级专班、要素保障组办理。")
    if ADMIN not in rels and COUNTY in rels and unit.kind != UnitKind.COUNTY and unit.id != appeal.routed_unit_id:
        raise Refused("县级审核可交本县（市、区）办理或交诉求类别对应的责任单位；其他单位请上报市级。")
    return unit


@effect("asg")
async def _assign(ctx, appeal, rels, x, text) -> Effect:
    unit = await assignable_unit(ctx, appeal, rels, _int(x))
    if S(appeal.status) == S.CONSULTATION:
        appeal.consulted = True
    if S(appeal.status) == S.SUBMITTED:
        appeal.level = "county"
    appeal.unit_id, appeal.unit = unit.id, unit
    appeal.assigned_at = ctx.now
    # The appeal enters the ledger today; its clock counts working days from here.
    appeal.deadline = compute_deadline(ctx.settings, ctx.today, appeal.urgency, appeal.consulted)
    return Effect(f"交{unit.name}办理，时限 {_day(appeal.deadline)}")


@effect("esc")
async def _escalate(ctx, appeal, rels, x, text) -> Effect:
    appeal.level = "city"
    return Effect()


@effect("ret")
async def _return(ctx, appeal, rels, x, text) -> Effect:
    return Effect()


@effect("res")
async def _resubmit(ctx, appeal, rels, x, text) -> Effect:
    appeal.description = f"{appeal.description}\n【补充】{text}"
    # Back to whoever returned it: the city when it had been escalated, else the county.
    appeal.status = S.CITY_REVIEW if appeal.level == "city" else S.SUBMITTED
    return Effect()


@effect("con")
async def _consult(ctx, appeal, rels, x, text) -> Effect:
    return Effect("市县联合会商，会商后交办（时限按会商类计算）")


@effect("sign")
async def _sign(ctx, appeal, rels, x, text) -> Effect:
    return Effect()


@effect("stg")
async def _stage(ctx, appeal, rels, x, text) -> Effect:
    return Effect()


@effect("fin")
async def _resolve(ctx, appeal, rels, x, text) -> Effect:
    appeal.outcome, appeal.result, appeal.finished_at = "resolved", text, ctx.now
    return Effect()


@effect("exp")
async def _explain(ctx, appeal, rels, x, text) -> Effect:
    appeal.outcome, appeal.explanation, appeal.finished_at = "explained", text, ctx.now
    return Effect()


@effect("tr")
async def _transfer(ctx, appeal, rels, x, text) -> Effect:
    units = list(await ctx.session.scalars(select(OrgUnit).where(OrgUnit.kind != UnitKind.CITY_OFFICE)))
    unit = find_unit(text or "", units)
    if unit is None:
        raise Refused("没有识别出承办单位名称，请写明单位名称，例如：土地要素保障组、高端装备专班、任城区。")
    if unit.id == appeal.unit_id:
        raise Refused("转办单位不能是当前承办单位。")
    unit = await assignable_unit(ctx, appeal, {ADMIN}, unit.id)
    old_handlers = {u.id for u in await ctx.users_with_role(Role.HANDLER, unit_id=appeal.unit_id)}
    old = appeal.unit.name if appeal.unit else "—"
    # The clock does not restart: deadline and assigned_at stay as they are.
    appeal.unit_id, appeal.unit = unit.id, unit
    return Effect(f"由{old}转{unit.name}：{text}（时限不变）", notify=old_handlers)


@effect("ext")
async def _ask_extension(ctx, appeal, rels, x, text) -> Effect:
    parsed = parse_extension(text or "")
    if isinstance(parsed, str):
        raise Refused(parsed)
    appeal.extension_state, appeal.extension_days, appeal.extension_reason = "pending", parsed[0], parsed[1]
    return Effect(f"申请延期 {parsed[0]} 个工作日：{parsed[1]}")


@effect("exy")
async def _grant_extension(ctx, appeal, rels, x, text) -> Effect:
    appeal.deadline = add_workdays(appeal.deadline or ctx.today, appeal.extension_days or 0)
    appeal.extension_state = "granted"
    return Effect(f"同意延期 {appeal.extension_days} 个工作日，新时限 {_day(appeal.deadline)}")


@effect("exn")
async def _refuse_extension(ctx, appeal, rels, x, text) -> Effect:
    appeal.extension_state = "refused"
    return Effect(f"不同意延期，时限仍为 {_day(appeal.deadline)}")


@effect("sat")
async def _satisfaction(ctx, appeal, rels, x, text) -> Effect:
    choice = SATISFACTION_CHOICES.get(x or "")
    if choice is None:
        raise Refused("请选择：满意、基本满意或不满意。")
    appeal.satisfaction = choice
    if choice == "不满意" and appeal.redo_count == 0:
        appeal.redo_count = 1
        appeal.status = S.IN_PROGRESS
        appeal.outcome = appeal.finished_at = appeal.extension_state = None
        # A redo is new work for the unit: it gets a fresh deadline of its urgency class.
        appeal.deadline = compute_deadline(ctx.settings, ctx.today, appeal.urgency, False)
        return Effect(f"企业评价：不满意，重办，新时限 {_day(appeal.deadline)}", action="redo")
    appeal.status = S.CLOSED
    appeal.closed_at = ctx.now
    return Effect(f"企业评价：{choice}，销号", action="sat_close")


@effect("cat")
async def _category(ctx, appeal, rels, x, text) -> Effect:
    if not (x or "").isdigit() or int(x) >= len(CATEGORIES):
        raise Refused("类别无效，请重新选择。")
    old, appeal.category = appeal.category, CATEGORIES[int(x)]
    appeal.category_confidence = None
    unit = await route_unit(ctx.session, appeal.category, appeal.enterprise)
    appeal.routed_unit_id = unit.id if unit else None
    return Effect(f"类别由“{old}”更正为“{appeal.category}”，对口单位：{unit.name if unit else '—'}")


@effect("dl")
async def _deadline(ctx, appeal, rels, x, text) -> Effect:
    day = parse_date(text or "", ctx.today)
    if isinstance(day, str):
        raise Refused(day)
    old, appeal.deadline = appeal.deadline, day
    return Effect(f"时限由 {_day(old)} 调整为 {_day(day)}")


@effect("dup")
async def _duplicate(ctx, appeal, rels, x, text) -> Effect:
    other_id = _int((text or "").strip().lstrip("#＃"))
    other = await ctx.session.get(Appeal, other_id) if other_id else None
    if other is None or other.id == appeal.id:
        raise Refused("找不到该原诉求编号，请重新输入。")
    appeal.duplicate_of_id = other.id
    return Effect(f"关联为 #{other.id} 的重复诉求")

"""What each action of the workflow table does to an appeal, once the table has allowed it.

Each effect validates its own input first and raises BadInput (a Refused) before changing anything.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy import select

from handlers.context import Context
from handlers.ids import parse_id, parse_index
from storage.models import Appeal, AppealStatus, OrgUnit, Role, UnitKind
from storage.models.appeals import CATEGORIES
from storage.workdays import add_workdays

from .rules import (
    SATISFACTION_CHOICES, URGENCY_NAMES, compute_deadline, parse_date, parse_extension, route_unit, short_unit,
)
from .workflow import ADMIN, COUNTY, BadInput

S = AppealStatus


@dataclass
class Effect:
    """The event note, a different recorded action name if any, extra people to notify, and wording.

    `label` replaces the action's name in notifications ("交县级办理（任城区）"); `done` replaces the
    whole confirmation phrase shown to the actor ("已交由任城区县级办理").
    """

    note: str | None = None
    action: str | None = None
    notify: set[int] = field(default_factory=set)
    label: str | None = None
    done: str | None = None


EffectFn = Callable[[Context, Appeal, set, "str | None", "str | None"], Awaitable[Effect]]
EFFECTS: dict[str, EffectFn] = {}


def effect(action: str):
    """Register the effect of an action."""

    def deco(fn: EffectFn) -> EffectFn:
        EFFECTS[action] = fn
        return fn

    return deco


def _int(value: str | None) -> int:
    return parse_id(value, strip_hash=False) or 0


def _day(d) -> str:
    return d.isoformat() if d else "—"


async def assignable_unit(ctx: Context, appeal: Appeal, rels: set[str], unit_id: int) -> OrgUnit:
    """The unit an appeal may be assigned or transferred to, or BadInput."""
    unit = await ctx.session.get(OrgUnit, unit_id) if unit_id else None
    if unit is None or unit.kind == UnitKind.CITY_OFFICE:
        raise BadInput("找不到该责任单位，请重新选择。")
    if unit.kind == UnitKind.COUNTY and unit.id != appeal.county_id:
        raise BadInput("只能交由企业所在县（市、区）或市级专班、要素保障组办理。")
    if ADMIN not in rels and COUNTY in rels and unit.kind != UnitKind.COUNTY and unit.id != appeal.routed_unit_id:
        raise BadInput("县级审核可交本县（市、区）办理或交诉求类别对应的责任单位；其他单位请上报市级。")
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
    note = f"交{short_unit(unit.name)}办理，时限 {_day(appeal.deadline)}"
    warn = await _nobody_warning(ctx, appeal, unit)
    if unit.kind == UnitKind.COUNTY:
        # Handing it to the county itself is not a hand-over to a city unit: say so.
        return Effect(note + warn, label=f"交县级办理（{unit.name}）", done=f"已交由{unit.name}县级办理{warn}")
    return Effect(note + warn, done=f"已交{short_unit(unit.name)}办理{warn}")


async def _nobody_warning(ctx, appeal: Appeal, unit: OrgUnit) -> str:
    """'（该单位暂无办理人员，由…代为跟进）' when the unit has nobody enrolled to sign it."""
    from .staffing import has_handler, has_reviewer

    if await has_handler(ctx.session, unit.id):
        return ""
    county_level = appeal.level == "county" and await has_reviewer(ctx.session, appeal.county_id)
    who = f"{appeal.county.name}县级指挥部" if county_level else "市指挥部办公室"
    return f"（注意：{short_unit(unit.name)}暂无办理人员，诉求由{who}代为跟进）"


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
    return Effect(done="已补充并重新提交")


@effect("con")
async def _consult(ctx, appeal, rels, x, text) -> Effect:
    return Effect(f"市县联合会商：{text}（会商后交办，时限按会商类计算）")


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
    from .pickers import resolve_unit

    unit = await ctx.session.get(OrgUnit, _int(x)) if x else await resolve_unit(ctx.session, text or "", appeal)
    if unit is None:
        raise BadInput("没有识别出承办单位名称，请点下方按钮选择单位，或写出单位名称（如 土地组、生态环境局、任城区）。")
    if unit.id == appeal.unit_id:
        raise BadInput(f"{short_unit(unit.name)}就是当前承办单位，不能转给自己，请写明应转去的单位。")
    unit = await assignable_unit(ctx, appeal, {ADMIN}, unit.id)
    old_handlers = {u.id for u in await ctx.users_with_role(Role.HANDLER, unit_id=appeal.unit_id)}
    old = short_unit(appeal.unit.name) if appeal.unit else "—"
    # The clock does not restart: deadline and assigned_at stay as they are.
    appeal.unit_id, appeal.unit = unit.id, unit
    return Effect(f"由{old}转{short_unit(unit.name)}：{text}（时限不变）", notify=old_handlers,
                  done=f"已转{short_unit(unit.name)}办理")


@effect("ext")
async def _ask_extension(ctx, appeal, rels, x, text) -> Effect:
    parsed = parse_extension(text or "")
    if isinstance(parsed, str):
        raise BadInput(parsed)
    appeal.extension_state, appeal.extension_days, appeal.extension_reason = "pending", parsed[0], parsed[1]
    return Effect(f"申请延期 {parsed[0]} 个工作日：{parsed[1]}", done=f"已申请延期 {parsed[0]} 个工作日，等待审批")


@effect("exy")
async def _grant_extension(ctx, appeal, rels, x, text) -> Effect:
    appeal.deadline = add_workdays(appeal.deadline or ctx.today, appeal.extension_days or 0)
    appeal.extension_state = "granted"
    return Effect(f"同意延期 {appeal.extension_days} 个工作日，新时限 {_day(appeal.deadline)}")


@effect("exn")
async def _refuse_extension(ctx, appeal, rels, x, text) -> Effect:
    appeal.extension_state = "refused"
    return Effect(f"不同意延期：{text}（时限仍为 {_day(appeal.deadline)}）")


@effect("sat")
async def _satisfaction(ctx, appeal, rels, x, text) -> Effect:
    choice = SATISFACTION_CHOICES.get(x or "")
    if choice is None:
        raise BadInput("请选择：满意、基本满意或不满意。")
    if choice == "不满意" and not (text or "").strip():
        raise BadInput("请说明企业不满意的原因（点选常见原因或直接输入）。")
    appeal.satisfaction = choice
    if choice == "不满意":
        appeal.dissatisfied_count = (appeal.dissatisfied_count or 0) + 1
        if appeal.redo_count == 0:
            appeal.outcome = appeal.finished_at = appeal.extension_state = None
            appeal.redo_count = 1
            appeal.status = S.IN_PROGRESS
            # A redo is new work for the unit: it gets a fresh deadline of its urgency class.
            appeal.deadline = compute_deadline(ctx.settings, ctx.today, appeal.urgency, False)
            return Effect(f"企业评价：不满意（{text}），重办，新时限 {_day(appeal.deadline)}", action="redo",
                          done="已记录“不满意”及原因，诉求退回原单位重办")
        # Second 不满意: neither a silent close nor an endless loop; the reviewer (or the city) decides.
        appeal.status = S.DISPUTED
        who = "市指挥部办公室" if appeal.level == "city" else f"{appeal.county.name}县级指挥部"
        return Effect(f"企业再次评价不满意（{text}），提交{who}裁定：另派单位重办或说明后销号", action="dispute",
                      done=f"已记录“不满意”及原因，提交{who}裁定")
    appeal.status = S.CLOSED
    appeal.closed_at = ctx.now
    return Effect(f"企业评价：{choice}，销号", action="sat_close", done=f"已记录企业评价“{choice}”")


@effect("rdo")
async def _redo_elsewhere(ctx, appeal, rels, x, text) -> Effect:
    unit = await ctx.session.get(OrgUnit, _int(x)) if x else None
    if unit is None or unit.kind == UnitKind.CITY_OFFICE:
        raise BadInput("找不到该责任单位，请重新选择。")
    if unit.kind == UnitKind.COUNTY and unit.id != appeal.county_id:
        raise BadInput("只能交由企业所在县（市、区）或市级专班、要素保障组重办。")
    old = short_unit(appeal.unit.name) if appeal.unit else "—"
    appeal.unit_id, appeal.unit = unit.id, unit
    appeal.redo_count = (appeal.redo_count or 0) + 1
    appeal.assigned_at = ctx.now
    appeal.outcome = appeal.finished_at = appeal.extension_state = None
    appeal.satisfaction = None  # the enterprise rates the new unit's work afresh; dissatisfied_count keeps the past
    appeal.deadline = compute_deadline(ctx.settings, ctx.today, appeal.urgency, False)
    warn = await _nobody_warning(ctx, appeal, unit)
    return Effect(f"裁定：由{old}改派{short_unit(unit.name)}重办，新时限 {_day(appeal.deadline)}{warn}",
                  done=f"已改派{short_unit(unit.name)}重办{warn}")


@effect("cls")
async def _close_with_note(ctx, appeal, rels, x, text) -> Effect:
    appeal.closed_at = ctx.now
    # The enterprise's 不满意 stays on the row: the satisfaction figures keep it.
    return Effect(f"裁定销号：{text}（企业评价仍为不满意）")


@effect("cat")
async def _category(ctx, appeal, rels, x, text) -> Effect:
    index = parse_index(x, len(CATEGORIES))
    if index is None:
        raise BadInput("类别无效，请重新选择。")
    old, appeal.category = appeal.category, CATEGORIES[index]
    appeal.category_confidence = None
    unit = await route_unit(ctx.session, appeal.category, appeal.enterprise)
    appeal.routed_unit_id = unit.id if unit else None
    return Effect(f"类别由“{old}”更正为“{appeal.category}”，对口单位：{short_unit(unit.name) if unit else '—'}")


@effect("urg")
async def _urgency(ctx, appeal, rels, x, text) -> Effect:
    if x not in URGENCY_NAMES:
        raise BadInput("紧急程度无效，请重新选择。")
    if x == appeal.urgency:
        raise BadInput(f"该诉求已是{URGENCY_NAMES[x]}。")
    old, appeal.urgency = appeal.urgency, x
    # Still awaiting review, so no deadline exists yet; the class sets it at hand-over.
    return Effect(f"紧急程度由{URGENCY_NAMES[old]}更正为{URGENCY_NAMES[x]}", done=f"已将紧急程度改为{URGENCY_NAMES[x]}")


@effect("dl")
async def _deadline(ctx, appeal, rels, x, text) -> Effect:
    day = parse_date(text or "", ctx.today)
    if isinstance(day, str):
        raise BadInput(day)
    old, appeal.deadline = appeal.deadline, day
    return Effect(f"时限由 {_day(old)} 调整为 {_day(day)}")


@effect("dup")
async def _duplicate(ctx, appeal, rels, x, text) -> Effect:
    other = await duplicate_target(ctx, appeal, text or x)
    appeal.duplicate_of_id = other.id
    # /dup showed the differences before its confirm button (x); a typed number (text) gets them now.
    warnings = duplicate_warnings(appeal, other) if text else []
    done = f"已关联重复（原诉求 #{other.id}" + "".join(f"；注意：{w}" for w in warnings) + "）"
    return Effect(f"关联为 #{other.id} 的重复诉求", done=done)


def duplicate_warnings(appeal: Appeal, other: Appeal) -> list[str]:
    """Differences that make a duplicate link doubtful (shown before confirming)."""
    out = []
    if appeal.category != other.category:
        out.append(f"两条诉求类别不同（{appeal.category}、{other.category}）")
    if appeal.enterprise_id != other.enterprise_id:
        names = f"{appeal.enterprise.name}、{other.enterprise.name}" if appeal.enterprise and other.enterprise else ""
        out.append(f"两条诉求来自不同企业（{names}）" if names else "两条诉求来自不同企业")
    return out


async def duplicate_target(ctx: Context, appeal: Appeal, raw: str | None) -> Appeal:
    """The earlier appeal `appeal` may be linked to as a duplicate, or BadInput saying why not."""
    raw = (raw or "").strip().lstrip("#＃")
    other_id = parse_id(raw)
    if other_id is None:
        raise BadInput("请输入原诉求的编号（阿拉伯数字 0–9），例如：12")
    if other_id == appeal.id:
        raise BadInput(f"不能把诉求 #{appeal.id} 关联为它自己的重复诉求，请输入另一条原诉求的编号。")
    other = await ctx.session.get(Appeal, other_id)
    if other is None:
        raise BadInput(f"找不到原诉求 #{raw}，请核对编号。")
    if other.duplicate_of_id == appeal.id:
        raise BadInput(f"#{other.id} 已被关联为 #{appeal.id} 的重复诉求，不能反向关联。")
    if appeal.duplicate_of_id == other.id:
        raise BadInput(f"#{appeal.id} 已关联为 #{other.id} 的重复诉求，无需重复操作。")
    return other

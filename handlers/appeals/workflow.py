"""The closed loop as one table: action -> (who may act from which states) -> new state, and its effects.

The same table decides which buttons a viewer sees (`allowed_actions`) and whether a pressed,
possibly stale or forged, button may act (`check`). `apply` re-checks, changes the appeal, appends
an AppealEvent and queues notifications to everyone concerned.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from handlers.context import Context
from handlers.types import Button
from storage.models import Appeal, AppealAttachment, AppealEvent, AppealStatus, CadreEnterprise, Role, STATUS_NAMES, User

from .rules import short_unit

S = AppealStatus
ALL = frozenset(S)
RUNNING = frozenset({S.ASSIGNED, S.IN_PROGRESS})

# Relations of a viewer to an appeal (object-level rules):
OWN = "own"  # the cadre of the appeal's enterprise (CadreEnterprise)
COUNTY = "county"  # a reviewer of the appeal's county
COUNTY_LEVEL = "county_level"  # a reviewer of the county, for an appeal handled at county level
UNIT = "unit"  # a handler of the appeal's current responsible unit
ADMIN = "admin"  # the city office: everything
STANDIN = "standin"  # a county reviewer taking a county-level appeal whose unit has no handler


@dataclass(frozen=True)
class Transition:
    """One action of the loop: who may take it from which states, and where it leads."""

    action: str
    label: str
    rules: dict[str, frozenset[AppealStatus]]  # relation -> states it may act from
    target: AppealStatus | None  # None: the state is unchanged or decided by the effect
    prompt: str | None = None  # asks for a free text after the button press
    needs_x: bool = False  # the callback carries an extra value (unit id, choice)

    @property
    def sources(self) -> frozenset[AppealStatus]:
        """Every state the action may start from, for anyone."""
        return frozenset().union(*self.rules.values())


def _t(action, label, rules, target, prompt=None, needs_x=False) -> Transition:
    return Transition(action, label, {k: frozenset(v) for k, v in rules.items()}, target, prompt, needs_x)


TABLE: dict[str, Transition] = {t.action: t for t in [
    _t("asg", "交办", {COUNTY: {S.SUBMITTED}, ADMIN: {S.SUBMITTED, S.CITY_REVIEW, S.CONSULTATION}}, S.ASSIGNED, needs_x=True),
    _t("esc", "上报市级", {COUNTY: {S.SUBMITTED}, ADMIN: {S.SUBMITTED}}, S.CITY_REVIEW),
    _t("ret", "退回补充", {COUNTY: {S.SUBMITTED}, ADMIN: {S.SUBMITTED, S.CITY_REVIEW}}, S.RETURNED,
       prompt="请输入退回原因，说明需要驻企干部补充哪些情况或材料："),
    _t("res", "补充后重新提交", {OWN: {S.RETURNED}, ADMIN: {S.RETURNED}}, None,
       prompt="请输入补充说明（将附在原诉求内容之后）："),
    _t("con", "发起会商", {ADMIN: {S.CITY_REVIEW}}, S.CONSULTATION,
       prompt="请输入会商事项（需要协调的问题、建议参加的单位），例如：用地指标涉及土地组和汶上县，需市县联合会商。"),
    _t("sign", "签收", {UNIT: {S.ASSIGNED}, ADMIN: {S.ASSIGNED}}, S.IN_PROGRESS),
    _t("stg", "阶段性答复", {UNIT: {S.IN_PROGRESS}, ADMIN: {S.IN_PROGRESS}}, S.IN_PROGRESS,
       prompt="请输入阶段性答复（目前进展、下一步安排）："),
    _t("fin", "办结", {UNIT: {S.IN_PROGRESS}, ADMIN: {S.IN_PROGRESS}}, S.RESOLVED,
       prompt="请输入办理结果（已解决的内容、措施和结论）："),
    _t("exp", "解释说明", {UNIT: {S.IN_PROGRESS}, ADMIN: {S.IN_PROGRESS}}, S.EXPLAINED,
       prompt="请输入给企业的解释说明（无法满足的政策或法律依据，以及可行的替代办法）："),
    _t("tr", "转办", {UNIT: RUNNING, ADMIN: RUNNING, STANDIN: RUNNING}, S.ASSIGNED,
       prompt="请输入应承办的单位名称和转办理由，例如：土地组 该问题属于用地指标。\n（办理时限不重新计算）"),
    _t("ext", "申请延期", {UNIT: RUNNING, ADMIN: RUNNING}, None,
       prompt="请输入延期的工作日数（1～60）和理由，例如：设备到货延迟，需等待安装调试，申请延期10个工作日。"),
    _t("exy", "同意延期", {COUNTY_LEVEL: RUNNING, ADMIN: RUNNING}, None),
    _t("exn", "不同意延期", {COUNTY_LEVEL: RUNNING, ADMIN: RUNNING}, None,
       prompt="请输入不同意延期的理由（将告知责任单位）："),
    _t("sat", "评价", {OWN: {S.RESOLVED, S.EXPLAINED}, ADMIN: {S.RESOLVED, S.EXPLAINED}}, None, needs_x=True),
    _t("rdo", "另派单位重办", {COUNTY_LEVEL: {S.DISPUTED}, ADMIN: {S.DISPUTED}}, S.ASSIGNED, needs_x=True),
    _t("cls", "说明后销号", {COUNTY_LEVEL: {S.DISPUTED}, ADMIN: {S.DISPUTED}}, S.CLOSED,
       prompt="请输入销号说明（已做的工作、企业仍不满意的原因、后续安排），将告知驻企干部："),
    _t("cat", "更正类别", {OWN: {S.SUBMITTED}, COUNTY: {S.SUBMITTED}, ADMIN: {S.SUBMITTED}}, None, needs_x=True),
    _t("urg", "更正紧急程度", {OWN: {S.SUBMITTED}, COUNTY: {S.SUBMITTED}, ADMIN: {S.SUBMITTED}}, None, needs_x=True),
    _t("dl", "设定时限", {ADMIN: RUNNING}, None, prompt="请输入新的办理时限（如 2026-03-20 或 10个工作日）："),
    _t("dup", "关联重复", {ADMIN: ALL}, None, prompt="请输入与本诉求重复的原诉求编号（如 12）："),
]}

ACTION_NAMES = {a: t.label for a, t in TABLE.items()} | {
    "file": "提交", "sat_close": "评价并销号", "redo": "不满意重办", "dispute": "再次不满意，提交裁定",
    "calendar": "节假日安排更新时限"}


async def relations(ctx: Context, appeal: Appeal) -> set[str]:
    """How the current user stands to this appeal (empty: no business with it)."""
    user = ctx.user
    if user is None:
        return set()
    if user.role == Role.ADMIN:
        return {ADMIN}
    if user.role == Role.REVIEWER and user.county_id == appeal.county_id:
        if appeal.level != "county":
            return {COUNTY}
        from .staffing import stand_in

        standing = await stand_in(ctx.session, appeal)
        return {COUNTY, COUNTY_LEVEL} | ({STANDIN} if standing and standing.who == "reviewer" else set())
    if user.role == Role.HANDLER and user.unit_id is not None and user.unit_id == appeal.unit_id:
        return {UNIT}
    if user.role == Role.CADRE:
        link = await ctx.session.get(CadreEnterprise, (user.id, appeal.enterprise_id))
        if link is not None:
            return {OWN}
    return set()


def may(rels: set[str], appeal: Appeal, action: str) -> bool:
    """The table's verdict, before the action's own preconditions."""
    t = TABLE.get(action)
    if t is None:
        return False
    status = S(appeal.status)
    return any(status in t.rules.get(rel, frozenset()) for rel in rels)


def guard(appeal: Appeal, action: str, today: date) -> str | None:
    """Preconditions beyond state and role; a Chinese refusal or None."""
    if action == "ext":
        if appeal.extension_state == "pending":
            return "已有一项延期申请待审批，请等待审批结果。"
        if appeal.deadline is not None and today > appeal.deadline:
            return "已超过办理时限，不能再申请延期。请尽快办理或联系审核人员。"
    if action in ("exy", "exn") and appeal.extension_state != "pending":
        return "该诉求没有待审批的延期申请。"
    return None


def check(rels: set[str], appeal: Appeal, action: str, today: date) -> str | None:
    """Why the action is refused (Chinese), or None when it may go ahead."""
    t = TABLE.get(action)
    if t is None:
        return "这个按钮已失效，请重新打开诉求。"
    if not rels:
        return "您无权处理该诉求（不是您负责的企业、单位或县区）。"
    if not may(rels, appeal, action):
        if any(rel in t.rules for rel in rels):
            return f"该诉求当前状态为“{STATUS_NAMES[S(appeal.status)]}”，不能执行“{t.label}”。"
        if COUNTY in rels and COUNTY_LEVEL in t.rules and appeal.level == "city":
            return f"该诉求已由市级交办，“{t.label}”由市指挥部办公室决定。"
        return f"您的角色不能对该诉求执行“{t.label}”。"
    return guard(appeal, action, today)


async def allowed_actions(ctx: Context, appeal: Appeal) -> list[str]:
    """Actions the current user may take now, in table order (this drives the card's buttons)."""
    rels = await relations(ctx, appeal)
    return [a for a in TABLE if may(rels, appeal, a) and guard(appeal, a, ctx.today) is None]


_STATES = list(S)
STATE_MARK = "."  # card buttons carry the state they were offered in: ap:esc:12.a


def state_token(appeal: Appeal) -> str:
    """One letter for the appeal's state, carried in its card's buttons."""
    return "abcdefghijklmnopqrstuvwxyz"[_STATES.index(S(appeal.status))]


def with_state(appeal: Appeal) -> str:
    """The id part of a card button: '12.c' (the appeal and the state the card showed)."""
    return f"{appeal.id}{STATE_MARK}{state_token(appeal)}"


def split_state(raw: str | None) -> tuple[str | None, str | None]:
    """'12.c' -> ('12', 'c'); '12' -> ('12', None) (buttons from notifications and older cards)."""
    if raw is None or STATE_MARK not in raw:
        return raw, None
    head, _, token = raw.partition(STATE_MARK)
    return head, token


def stale_refusal(appeal: Appeal, token: str | None) -> str | None:
    """A press offered in another state than the appeal's current one is refused, whoever may act now."""
    if token is None or token == state_token(appeal):
        return None
    return (f"该诉求已变为“{STATUS_NAMES[S(appeal.status)]}”，这个按钮是之前状态下的，未执行。"
            "请重新打开诉求查看最新状态。")


class Refused(Exception):
    """An action that may not happen; the message is shown to the user and nothing changes."""


class BadInput(Refused):
    """The typed or chosen value does not fit the action; a dialog asking for it stays open."""


async def apply(ctx: Context, appeal: Appeal, action: str, *, x: str | None = None, text: str | None = None,
                files: list[dict] | None = None) -> str:
    """Re-check and perform an action; returns a short Chinese confirmation or raises Refused."""
    from .effects import EFFECTS

    rels = await relations(ctx, appeal)
    refusal = check(rels, appeal, action, ctx.today)
    if refusal:
        raise Refused(refusal)
    before = S(appeal.status)
    # The effect validates its own input (raising Refused before touching anything), then changes the row.
    effect = await EFFECTS[action](ctx, appeal, rels, x, text)
    target = TABLE[action].target
    if target is not None:
        appeal.status = target
    appeal.last_activity_at = ctx.now
    after = S(appeal.status)
    recorded = effect.action or action
    note = effect.note if effect.note is not None else text
    if files:
        note = f"{note or ''}（附件 {len(files)} 个）".lstrip()
    event = AppealEvent(appeal_id=appeal.id, actor_id=ctx.user.id, at=ctx.now, action=recorded,
                        from_status=str(before), to_status=str(after), note=note)
    ctx.session.add(event)
    await ctx.session.flush()
    for f in files or ():
        # The file belongs to this step (补充, 阶段性答复, 办结, 解释说明): the card and history say which.
        ctx.session.add(AppealAttachment(appeal_id=appeal.id, event_id=event.id, kind=f.get("kind", "document"),
                                         file_id=f["file_id"], file_name=f.get("file_name"), created_at=ctx.now))
    if files:
        await ctx.session.flush()
    what = effect.label or ACTION_NAMES.get(recorded, recorded)
    await notify_concerned(ctx, appeal, what, note, extra=effect.notify)
    return confirmation(effect.done or DONE.get(recorded) or "已" + what, appeal.id, before, after)


# What the actor reads after an action: one short natural sentence, not a status dump.
DONE = {
    "asg": "已交办", "esc": "已上报市级审核", "ret": "已退回驻企干部补充", "con": "已发起市县联合会商", "sign": "已签收",
    "stg": "已提交阶段性答复", "fin": "已提交办理结果", "exp": "已向企业作出解释说明", "exy": "已同意延期",
    "exn": "已告知责任单位不同意延期", "cls": "已说明并销号", "rdo": "已另派单位重办", "dl": "已调整办理时限",
}
STATE_PHRASES = {
    S.SUBMITTED: "等待县级审核", S.RETURNED: "等待驻企干部补充", S.CITY_REVIEW: "等待市级审核",
    S.CONSULTATION: "进入会商", S.ASSIGNED: "等待责任单位签收", S.IN_PROGRESS: "在办理中",
    S.RESOLVED: "等待企业评价", S.EXPLAINED: "等待企业评价", S.DISPUTED: "等待审核人员裁定",
}


def confirmation(done: str, appeal_id: int, before: AppealStatus, after: AppealStatus) -> str:
    """'已提交阶段性答复，诉求 #1 仍在办理中。'"""
    if after == S.CLOSED:
        return f"{done}，诉求 #{appeal_id} 已销号。"
    return f"{done}，诉求 #{appeal_id} {'仍' if before == after else '现'}{STATE_PHRASES[after]}。"


async def concerned_users(ctx: Context, appeal: Appeal) -> set[int]:
    """The cadre, the unit's handlers, the county's reviewers, and admins for city-level appeals."""
    ids = {appeal.cadre_id}
    if appeal.unit_id is not None:
        ids.update(u.id for u in await ctx.users_with_role(Role.HANDLER, unit_id=appeal.unit_id))
    reviewers = await ctx.users_with_role(Role.REVIEWER, county_id=appeal.county_id)
    ids.update(u.id for u in reviewers)
    # A county without an enrolled reviewer must not swallow its appeals: the city office hears instead.
    if appeal.level == "city" or not reviewers:
        ids.update(u.id for u in await ctx.users_with_role(Role.ADMIN))
    return ids


async def notify_concerned(ctx: Context, appeal: Appeal, what: str, note: str | None, *, extra: set[int] | None = None) -> None:
    """Queue one outbox message to each person concerned, except the one who acted."""
    ids = await concerned_users(ctx, appeal) | (extra or set())
    ids.discard(ctx.user.id if ctx.user else -1)
    ent = appeal.enterprise.name if appeal.enterprise else ""
    unit = short_unit(appeal.unit.name) if appeal.unit else "—"
    who = ctx.user.name if ctx.user else "系统"
    text = (f"诉求 #{appeal.id}（{ent}，{appeal.category}）：{who}「{what}」。\n"
            f"当前状态：{STATUS_NAMES[S(appeal.status)]}；责任单位：{unit}")
    if note:
        text += f"\n说明：{note[:300]}"
    buttons = [[Button("查看诉求", data=f"ap:v:{appeal.id}")]]
    for uid in sorted(ids):
        user = await ctx.session.get(User, uid)
        if user is not None and user.active:
            await ctx.notify(uid, text, buttons, kind="appeal")

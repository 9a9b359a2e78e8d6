"""Lists: /my (a cadre's appeals), /todo (open work by deadline), /ledger (filtered, paged; buttons `al`)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from handlers.context import Context
from nlp.clip import clip
from handlers.ids import BAD_ID, looks_like_id, parse_id
from handlers.registry import callback, command
from handlers.types import Button, Reply
from storage.figures import overdue_clause
from storage.models import Appeal, AppealStatus, CadreEnterprise, OrgUnit, Role, STATUS_NAMES, UnitKind
from storage.models.appeals import CATEGORIES, CLOCK_RUNNING

from . import workflow
from .actions import load_appeal
from .effects import duplicate_target, duplicate_warnings
from .rules import days_left_label, short_enterprise, short_unit, unit_aliases
from .staffing import waits_on_missing_for_admin, waits_on_missing_for_reviewer

S = AppealStatus
PAGE = 10
STATUS_LIST = list(S)
STATUS_WORDS = {
    "待县级审核": [S.SUBMITTED], "待审核": [S.SUBMITTED, S.CITY_REVIEW], "退回": [S.RETURNED], "待市级审核": [S.CITY_REVIEW],
    "会商": [S.CONSULTATION], "会商中": [S.CONSULTATION], "待签收": [S.ASSIGNED], "办理中": [S.IN_PROGRESS],
    "已办结": [S.RESOLVED], "已解释": [S.EXPLAINED], "解释说明": [S.EXPLAINED], "待评价": [S.RESOLVED, S.EXPLAINED],
    "已销号": [S.CLOSED], "销号": [S.CLOSED], "在办": list(CLOCK_RUNNING),
}
LEDGER_HELP = ("筛选条件可组合，用空格分隔：县区（如 任城区）、责任单位（如 金融组、高端装备专班）、类别（如 金融）、"
               "状态（待县级审核、待市级审核、会商中、待签收、办理中、待评价、已销号、在办）、超期、A 或 B。\n例：/ledger 任城区 超期")


@dataclass
class Filters:
    """Ledger filters; encoded compactly into `al` callback data."""

    county: int | None = None
    unit: int | None = None
    statuses: tuple[int, ...] = ()  # indexes into STATUS_LIST
    category: int | None = None
    overdue: bool = False
    urgency: str | None = None

    def encode(self) -> str:
        """ASCII code such as 'c16.u3.s5-6.k0.o.rA'."""
        parts = []
        if self.county:
            parts.append(f"c{self.county}")
        if self.unit:
            parts.append(f"u{self.unit}")
        if self.statuses:
            parts.append("s" + "-".join(str(i) for i in self.statuses))
        if self.category is not None:
            parts.append(f"k{self.category}")
        if self.overdue:
            parts.append("o")
        if self.urgency:
            parts.append(f"r{self.urgency}")
        return ".".join(parts) or "-"

    @classmethod
    def decode(cls, code: str) -> Filters | None:
        """Inverse of encode; None for a malformed (forged) code."""
        f = cls()
        try:
            for part in code.split("."):
                if part in ("", "-"):
                    continue
                tag, val = part[0], part[1:]
                if tag == "c":
                    f.county = _strict(val)
                elif tag == "u":
                    f.unit = _strict(val)
                elif tag == "s":
                    f.statuses = tuple(_strict(v) for v in val.split("-"))
                    if any(i >= len(STATUS_LIST) or i < 0 for i in f.statuses):
                        return None
                elif tag == "k":
                    f.category = _strict(val)
                    if not 0 <= f.category < len(CATEGORIES):
                        return None
                elif tag == "o":
                    f.overdue = True
                elif tag == "r" and val in ("A", "B"):
                    f.urgency = val
                else:
                    return None
        except ValueError:
            return None
        return f


def _strict(raw: str) -> int:
    """An ASCII id inside filter codes; ValueError for anything else (a forged code)."""
    value = parse_id(raw, strip_hash=False)
    if value is None:
        raise ValueError(raw)
    return value


async def parse_filters(ctx: Context, args: str, help_text: str = LEDGER_HELP) -> Filters | str:
    """Filters from '/ledger 任城区 金融 超期'; an unknown word gives a Chinese error message."""
    f = Filters()
    units = list(await ctx.session.scalars(select(OrgUnit).where(OrgUnit.kind != UnitKind.CITY_OFFICE)))
    for word in args.replace("，", " ").replace(",", " ").split():
        if word in CATEGORIES:
            f.category = CATEGORIES.index(word)
        elif word in STATUS_WORDS:
            f.statuses = tuple(sorted(set(f.statuses) | {STATUS_LIST.index(s) for s in STATUS_WORDS[word]}))
        elif word in ("超期", "逾期"):
            f.overdue = True
        elif word.upper() in ("A", "B"):
            f.urgency = word.upper()
        else:
            unit = next((u for u in units if word in unit_aliases(u) or (len(word) >= 2 and u.name.startswith(word))), None)
            if unit is None:
                return f"无法识别筛选条件“{word}”。\n{help_text}"
            if unit.kind == UnitKind.COUNTY:
                f.county = unit.id
            else:
                f.unit = unit.id
    return f


def _line(ctx: Context, a: Appeal) -> str:
    status = S(a.status)
    tail = ""
    if status in CLOCK_RUNNING and a.deadline:
        tail = f"｜{a.deadline.strftime('%m-%d')} {days_left_label(a.deadline, ctx.today)}"
    unit = short_unit(a.unit.name) if a.unit else "未交办"
    desc = clip(a.description, 24)
    return f"#{a.id} [{STATUS_NAMES[status]}] {a.category}{a.urgency}｜{clip(a.enterprise.name, 12, '')}｜{unit}{tail}\n   {desc}"


async def _page(ctx: Context, stmt, title: str, page: int, code: str, empty: str, *, edit: bool = False) -> Reply:
    """One page of a list with open buttons and prev/next buttons (`al:<kind>:<page>:<code>`)."""
    total = await ctx.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    if not total:
        return Reply(empty, edit=edit)
    pages = (total + PAGE - 1) // PAGE
    page = min(max(page, 0), pages - 1)
    rows = list((await ctx.session.scalars(stmt.offset(page * PAGE).limit(PAGE))).unique())
    lines = [f"{title}（共 {total} 条，第 {page + 1}/{pages} 页）"] + [_line(ctx, a) for a in rows]
    opens = [Button(f"#{a.id} {short_enterprise(a.enterprise.name)}·{a.category}", data=f"ap:v:{a.id}") for a in rows]
    buttons = [opens[i:i + 2] for i in range(0, len(opens), 2)]
    nav = []
    if page > 0:
        nav.append(Button("上一页", data=f"al:{code}:{page - 1}"))
    if page < pages - 1:
        nav.append(Button("下一页", data=f"al:{code}:{page + 1}"))
    if nav:
        buttons.append(nav)
    return Reply("\n".join(lines), buttons=buttons, edit=edit)


def _order_by_deadline(stmt):
    return stmt.order_by(Appeal.deadline.is_(None), Appeal.deadline, Appeal.id)


async def my_list(ctx: Context, page: int = 0, edit: bool = False) -> Reply:
    """A cadre's appeals (all their enterprises), newest first."""
    stmt = (select(Appeal).join(CadreEnterprise, CadreEnterprise.enterprise_id == Appeal.enterprise_id)
            .where(CadreEnterprise.user_id == ctx.user.id).order_by(Appeal.id.desc()))
    return await _page(ctx, stmt, "我的诉求", page, "m", "您还没有提交过诉求。发送 /appeal 问题描述 即可提交。", edit=edit)


async def todo_list(ctx: Context, page: int = 0, edit: bool = False) -> Reply:
    """Open work of the user's role, most urgent deadline first."""
    role = ctx.user.role
    pending_ext = Appeal.extension_state == "pending"
    if role == Role.HANDLER:
        stmt = _order_by_deadline(select(Appeal).where(Appeal.unit_id == ctx.user.unit_id, Appeal.status.in_(list(CLOCK_RUNNING))))
        title = f"{short_unit(ctx.user.unit.name) if ctx.user.unit else ''}待办（按时限排序）"
    elif role == Role.REVIEWER:
        county_level = Appeal.level == "county"
        stmt = select(Appeal).where(Appeal.county_id == ctx.user.county_id, or_(
            Appeal.status == S.SUBMITTED, county_level & pending_ext & Appeal.status.in_(list(CLOCK_RUNNING)),
            county_level & (Appeal.status == S.DISPUTED), waits_on_missing_for_reviewer(ctx.user.county_id)))
        stmt = stmt.order_by(Appeal.urgency, Appeal.id)
        title = "待审核及待审批延期"
    elif role == Role.ADMIN:
        # Besides the city queue, everything that waits on a person who does not exist (nobody's queue).
        stmt = select(Appeal).where(or_(
            Appeal.status.in_([S.CITY_REVIEW, S.CONSULTATION]),
            (Appeal.level == "city") & pending_ext & Appeal.status.in_(list(CLOCK_RUNNING)),
            (Appeal.level == "city") & (Appeal.status == S.DISPUTED),
            waits_on_missing_for_admin())).order_by(Appeal.urgency, Appeal.id)
        title = "市级审核队列（含无人承接的诉求）"
    else:
        stmt = (select(Appeal).join(CadreEnterprise, CadreEnterprise.enterprise_id == Appeal.enterprise_id)
                .where(CadreEnterprise.user_id == ctx.user.id, Appeal.status.in_([S.RETURNED, S.RESOLVED, S.EXPLAINED]))
                .order_by(Appeal.id))
        title = "待您补充或评价"
    return await _page(ctx, stmt, title, page, "t", "暂无待办事项。👍", edit=edit)


async def ledger_list(ctx: Context, f: Filters, page: int = 0, edit: bool = False) -> Reply:
    """The filtered ledger; reviewers are held to their county."""
    stmt = select(Appeal)
    if f.county:
        stmt = stmt.where(Appeal.county_id == f.county)
    if f.unit:
        stmt = stmt.where(Appeal.unit_id == f.unit)
    if f.statuses:
        stmt = stmt.where(Appeal.status.in_([str(STATUS_LIST[i]) for i in f.statuses]))
    if f.category is not None:
        stmt = stmt.where(Appeal.category == CATEGORIES[f.category])
    if f.overdue:
        stmt = stmt.where(overdue_clause(ctx.today))
    if f.urgency:
        stmt = stmt.where(Appeal.urgency == f.urgency)
    late = stmt.where(overdue_clause(ctx.today))
    n_late = await ctx.session.scalar(select(func.count()).select_from(late.subquery()))
    stmt = _order_by_deadline(stmt) if f.overdue else stmt.order_by(Appeal.id.desc())
    title = f"诉求台账｜在办超期 {n_late} 条" if n_late else "诉求台账"
    return await _page(ctx, stmt, title, page, "l" + f.encode(), "没有符合条件的诉求。", edit=edit)


def keeps(f: Filters, today):
    """The same filters as a test on a loaded appeal (for the export)."""
    from storage.figures import is_overdue

    def keep(a: Appeal) -> bool:
        return ((not f.county or a.county_id == f.county) and (not f.unit or a.unit_id == f.unit)
                and (not f.statuses or a.status in {str(STATUS_LIST[i]) for i in f.statuses})
                and (f.category is None or a.category == CATEGORIES[f.category])
                and (not f.overdue or is_overdue(a, today)) and (not f.urgency or a.urgency == f.urgency))
    return keep


def restrict(ctx: Context, f: Filters) -> str | None:
    """Reviewers see only their own county (shared with /export)."""
    return _restrict(ctx, f)


def _restrict(ctx: Context, f: Filters) -> str | None:
    """Reviewers see only their own county."""
    if ctx.user.role == Role.REVIEWER:
        if f.county and f.county != ctx.user.county_id:
            return "县级审核人员只能查看本县（市、区）的台账。"
        f.county = ctx.user.county_id
    return None


@command("my", "我的诉求", roles={Role.CADRE}, where="private")
async def my_command(ctx: Context) -> Reply:
    """List the cadre's appeals."""
    return await my_list(ctx)


@command("todo", "待办事项（按时限）", roles={Role.HANDLER, Role.REVIEWER, Role.ADMIN, Role.CADRE}, where="private")
async def todo_command(ctx: Context) -> Reply:
    """List the user's open work."""
    return await todo_list(ctx)


@command("ledger", "诉求台账（可加筛选：县区 单位 状态 类别 超期）", roles={Role.REVIEWER, Role.ADMIN}, where="private",
         confidential=True, audit=True)
async def ledger_command(ctx: Context) -> Reply:
    """Show the filtered ledger, page 1."""
    f = await parse_filters(ctx, ctx.args)
    if isinstance(f, str):
        return Reply(f)
    refusal = _restrict(ctx, f)
    return Reply(refusal) if refusal else await ledger_list(ctx, f)


@callback("al", confidential=True)
async def on_page(ctx: Context):
    """Paging buttons: al:m:<page>, al:t:<page>, al:l<filters>:<page>."""
    parts = ctx.parts
    page = parse_id(parts[2], strip_hash=False) if len(parts) == 3 else None
    if page is None or not parts[1]:
        return Reply("这个按钮已失效，请重新发送命令。", toast=True)
    kind = parts[1]
    if kind == "m" and ctx.user.role == Role.CADRE:
        return await my_list(ctx, page, edit=True)
    if kind == "t":
        return await todo_list(ctx, page, edit=True)
    if kind.startswith("l") and ctx.user.role in (Role.REVIEWER, Role.ADMIN):
        f = Filters.decode(kind[1:])
        if f is None:
            return Reply("这个按钮已失效，请重新发送命令。", toast=True)
        refusal = _restrict(ctx, f)
        return Reply(refusal, toast=True) if refusal else await ledger_list(ctx, f, page, edit=True)
    return Reply("您的角色无权查看该列表。", toast=True)


DUP_USAGE = "用法：/dup 诉求编号 原诉求编号，例如 /dup 15 12（把 #15 关联为 #12 的重复诉求）"


def _brief(a: Appeal) -> str:
    desc = clip(a.description, 60)
    return f"#{a.id}｜{a.category}｜{a.enterprise.name}｜{STATUS_NAMES[S(a.status)]}\n   {desc}"


@command("dup", "关联重复诉求（/dup 编号 原诉求编号）", roles={Role.ADMIN}, where="private", menu=False)
async def dup_command(ctx: Context):
    """Show both appeals and ask to confirm linking the first as a duplicate of the second."""
    words = [w.lstrip("#＃") for w in ctx.args.split()]
    if len(words) != 2:
        return Reply(DUP_USAGE)
    if not all(parse_id(w) is not None for w in words):
        return Reply(BAD_ID + "\n" + DUP_USAGE if all(looks_like_id(w) for w in words) else DUP_USAGE)
    appeal = await load_appeal(ctx, words[0])
    if appeal is None:
        return Reply(f"没有找到诉求 #{words[0]}。")
    refusal = workflow.check(await workflow.relations(ctx, appeal), appeal, "dup", ctx.today)
    if refusal:
        return Reply(refusal)
    try:
        other = await duplicate_target(ctx, appeal, words[1])
    except workflow.Refused as error:
        return Reply(str(error))
    lines = [f"请确认：把 #{appeal.id} 关联为 #{other.id} 的重复诉求？", "重复诉求：" + _brief(appeal), "原诉求：" + _brief(other)]
    lines += [f"⚠️ {w}" for w in duplicate_warnings(appeal, other)]
    buttons = [[Button("确认关联", data=f"ap:dup:{appeal.id}:{other.id}"), Button("取消", data=f"ap:dupn:{appeal.id}")]]
    return Reply("\n".join(lines), buttons=buttons)

"""Enrolment by the city office: one-time invite links (/invite) and group enrolment (/bindgroup)."""
from __future__ import annotations

import re
import secrets

from sqlalchemy import delete, select

from storage.models import ROLE_NAMES, CadreEnterprise, ChatGroup, Enterprise, Invite, OrgUnit, Role, User
from storage.org_data import COUNTY_ALIASES

from .accounts import unbound_users
from .context import Context
from .registry import command
from .types import Reply

ROLE_WORDS = {
    Role.CADRE: ("cadre", "驻企干部", "助企干部", "干部"),
    Role.HANDLER: ("handler", "责任单位", "经办人", "经办", "处理人"),
    Role.REVIEWER: ("reviewer", "县级审核", "审核人", "审核", "县级指挥部"),
    Role.ADMIN: ("admin", "管理员", "市指挥部办公室", "指挥部办公室"),
}
INVITE_USAGE = (
    "用法：/invite 姓名 角色 单位或企业\n"
    "角色：驻企干部、责任单位、县级审核、管理员。\n"
    "例：\n"
    "/invite 张三 驻企干部 济宁某某科技有限公司（多家企业用“、”分隔）\n"
    "/invite 李四 责任单位 金融要素保障组\n"
    "/invite 王五 县级审核 任城区\n"
    "/invite 赵六 管理员\n"
    "已登记但未绑定的人员，只写姓名即可重新生成链接：/invite 张三"
)
NAME_RE = re.compile(r"^[\u4e00-\u9fa5A-Za-z·.\- ]{2,20}$")


def parse_role(word: str) -> Role | None:
    """A role from its English key or a Chinese name."""
    w = word.strip().lower()
    for role, words in ROLE_WORDS.items():
        if w in words:
            return role
    return None


async def _find_unit(ctx: Context, text: str, kinds: tuple[str, ...]) -> list[OrgUnit]:
    name = COUNTY_ALIASES.get(text, text)
    units = (await ctx.session.scalars(select(OrgUnit).where(OrgUnit.kind.in_(kinds)))).all()
    exact = [u for u in units if u.name == name]
    return exact or [u for u in units if name in u.name]


async def _find_enterprises(ctx: Context, text: str) -> tuple[list[Enterprise], str | None]:
    found: list[Enterprise] = []
    for part in filter(None, (p.strip() for p in re.split(r"[、,，;；]", text))):
        rows = (await ctx.session.scalars(select(Enterprise).where(Enterprise.name.contains(part)).limit(6))).all()
        exact = [e for e in rows if e.name == part]
        rows = exact or list(rows)
        if not rows:
            return [], f"找不到企业“{part}”，请写企业全称。"
        if len(rows) > 1:
            names = "、".join(e.name for e in rows[:5])
            return [], f"“{part}”对应多家企业：{names}。请写全称。"
        found.append(rows[0])
    return found, None


async def _new_invite(ctx: Context, user: User) -> str:
    # One live invite per person: older unused links stop working.
    await ctx.session.execute(delete(Invite).where(Invite.user_id == user.id, Invite.used_at.is_(None)))
    code = secrets.token_urlsafe(12)  # 16 chars of [A-Za-z0-9_-], allowed in every platform's deep links
    ctx.session.add(Invite(code=code, user_id=user.id, created_by=ctx.user.id if ctx.user else None,
                           created_at=ctx.now, note=f"{user.name}/{user.role}"))
    await ctx.session.flush()
    return code


def _done(ctx: Context, user: User, code: str, scope: str) -> Reply:
    role = ROLE_NAMES.get(Role(user.role), user.role)
    return Reply(
        f"已为 {user.name}（{role}{scope}）生成一次性邀请码 {code}：\n" + "\n".join(ctx.invite_lines(code)) + "\n"
        "请单独发给本人；邀请码只能使用一次，绑定后即失效。"
    )


@command("invite", "生成人员邀请链接（管理员）", roles={Role.ADMIN}, where="private")
async def invite(ctx: Context) -> Reply:
    """Create a person (or reuse an unbound one) and a one-time invite deep link."""
    parts = ctx.args.split(maxsplit=2)
    if not parts:
        return Reply(INVITE_USAGE)
    name = parts[0]
    if not NAME_RE.match(name):
        return Reply("姓名格式不正确（2–20 个汉字或字母）。\n" + INVITE_USAGE)
    if len(parts) == 1:
        users = (await ctx.session.scalars(
            select(User).where(User.name == name, User.active.is_(True), unbound_users()))).unique().all()
        if len(users) != 1:
            why = "没有未绑定的同名人员" if not users else "有多名未绑定的同名人员"
            return Reply(f"{why}，请写明角色和单位。\n" + INVITE_USAGE)
        return _done(ctx, users[0], await _new_invite(ctx, users[0]), "")
    role = parse_role(parts[1])
    if role is None:
        return Reply(f"无法识别的角色“{parts[1]}”。\n" + INVITE_USAGE)
    target = parts[2].strip() if len(parts) > 2 else ""
    user = User(name=name, role=str(role), active=True, blocked_bot=False, mute_weekly=False)
    enterprises: list[Enterprise] = []
    scope = ""
    if role == Role.CADRE:
        if not target:
            return Reply("请写明驻企干部所驻的企业。\n" + INVITE_USAGE)
        enterprises, err = await _find_enterprises(ctx, target)
        if err:
            return Reply(err)
        scope = "，" + "、".join(e.name for e in enterprises)
    elif role in (Role.HANDLER, Role.REVIEWER, Role.ADMIN):
        kinds = {Role.HANDLER: ("task_force", "factor_group", "county"), Role.REVIEWER: ("county",),
                 Role.ADMIN: ("city_office",)}[role]
        if role == Role.ADMIN and not target:
            target = "市制造强市建设指挥部办公室"
        if not target:
            return Reply("请写明所属单位（专班、要素保障组或县市区）。\n" + INVITE_USAGE)
        units = await _find_unit(ctx, target, kinds)
        if len(units) != 1:
            hint = "、".join(u.name for u in units[:5]) if units else "无"
            return Reply(f"单位“{target}”不明确（匹配：{hint}），请写全称。")
        if role == Role.REVIEWER:
            user.county_id = units[0].id
        else:
            user.unit_id = units[0].id
        scope = "，" + units[0].name
    ctx.session.add(user)
    await ctx.session.flush()
    for ent in enterprises:
        ctx.session.add(CadreEnterprise(user_id=user.id, enterprise_id=ent.id))
    return _done(ctx, user, await _new_invite(ctx, user), scope)


@command("bindgroup", "登记本群，启用机器人（管理员，群内）", roles={Role.ADMIN}, where="group")
async def bindgroup(ctx: Context) -> Reply:
    """Enrol the group this command was sent in."""
    group = await ctx.session.scalar(select(ChatGroup).where(ChatGroup.chat_id == ctx.inc.chat_id))
    if group is not None and group.active:
        return Reply("本群已登记，攀登助手正在本群工作。")
    if group is None:
        group = ChatGroup(chat_id=ctx.inc.chat_id, title=ctx.inc.chat_title, enrolled_by=ctx.user.id,
                          active=True, created_at=ctx.now)
        ctx.session.add(group)
    else:
        group.active, group.title, group.enrolled_by = True, ctx.inc.chat_title or group.title, ctx.user.id
    await ctx.session.flush()
    return Reply(
        f"本群“{ctx.inc.chat_title or ctx.inc.chat_id}”已登记。\n"
        "群内发布的供需信息将自动匹配；发送 /help 查看可用命令。"
    )


@command("unbindgroup", "注销本群登记（管理员，群内）", roles={Role.ADMIN}, where="group", menu=False)
async def unbindgroup(ctx: Context) -> Reply:
    """Stop working in this group."""
    group = ctx.group or await ctx.session.scalar(select(ChatGroup).where(ChatGroup.chat_id == ctx.inc.chat_id))
    if group is None or not group.active:
        return Reply("本群尚未登记。")
    group.active = False
    await ctx.session.flush()
    return Reply("已注销本群登记，攀登助手将不再处理本群消息。")

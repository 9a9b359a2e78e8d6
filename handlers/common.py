"""Greeting, help, enrolment by invite code and cancelling a dialog."""
from __future__ import annotations

from storage.models import ROLE_NAMES, Invite, PlatformAccount, Role, User

from .accounts import CONSOLE, account_of

from .context import Context
from .registry import COMMANDS, command
from .types import Reply

WELCOME = (
    "您好，{name}！我是“攀登助手”，为济宁市“干部助企攀登”驻企干部服务。\n"
    "我可以帮您：\n"
    "• 反映企业问题诉求，跟踪县、市两级审核和责任单位办理，直至销号；\n"
    "• 发布供需信息，自动为您匹配其他企业；\n"
    "• 查询惠企政策条款；\n"
    "• 提醒办理时限，推送一周一调度。\n"
    "您的身份：{role}。发送 /help 查看可用命令。"
)


@command("start", "开始使用 / 绑定邀请", anonymous=True, menu=True)
async def start(ctx: Context) -> Reply:
    """Greet; with an invite code, bind the sender's chat account to the invited user."""
    code = ctx.args.strip()
    if code and ctx.inc.platform != CONSOLE:
        return await _redeem(ctx, code)
    if ctx.user is None:
        from .dispatcher import NOT_ENROLLED_USER

        return Reply(NOT_ENROLLED_USER)
    return Reply(WELCOME.format(name=ctx.user.name, role=ROLE_NAMES.get(Role(ctx.user.role), ctx.user.role)))


async def _redeem(ctx: Context, code: str) -> Reply:
    """Bind the sender's account with a one-time invite code."""
    if not ctx.inc.is_private:
        return Reply("请在与攀登助手的私聊中打开邀请链接。")
    invite = await ctx.session.get(Invite, code[:40])
    if invite is None or invite.used_at is not None:
        return Reply("邀请链接无效或已被使用。请联系市指挥部办公室重新生成。")
    if ctx.user is not None:
        return Reply(f"您的账号已绑定为 {ctx.user.name}，无需重复绑定。")
    user = await ctx.session.get(User, invite.user_id)
    if user is None or not user.active:
        return Reply("该邀请对应的人员已停用，请联系市指挥部办公室。")
    if await account_of(ctx.session, user.id, ctx.inc.platform) is not None:
        return Reply("该人员已绑定其他账号。如需更换，请联系市指挥部办公室。")
    ctx.session.add(PlatformAccount(platform=ctx.inc.platform, external_id=str(ctx.inc.user_id), user_id=user.id,
                                    username=ctx.inc.username, bound_at=ctx.now))
    invite.used_at = ctx.now
    await ctx.session.flush()
    ctx.user = user
    return Reply("绑定成功！\n" + WELCOME.format(name=user.name, role=ROLE_NAMES.get(Role(user.role), user.role)))


@command("help", "查看可用命令")
async def help_(ctx: Context) -> Reply:
    """List the commands this user's role may use."""
    assert ctx.user is not None
    lines = [f"{ctx.user.name}（{ROLE_NAMES.get(Role(ctx.user.role), ctx.user.role)}）可用的命令："]
    private = ctx.inc.is_private
    group_only: list[str] = []
    for spec in COMMANDS.values():
        if spec.roles is not None and ctx.user.role not in spec.roles:
            continue
        line = f"/{spec.name} — {spec.description}"
        if spec.where == "group" and private:
            group_only.append(line)
        elif not (spec.where == "private" and not private):  # only what works in this chat
            lines.append(line)
    if group_only:
        lines += ["在已登记的群聊中使用：", *group_only]
    if not private:
        lines.append("更多命令请在与攀登助手的私聊中发送 /help 查看。")
    lines.append("随时发送 /cancel 可取消正在进行的操作。")
    return Reply("\n".join(lines))


@command("cancel", "取消当前操作")
async def cancel(ctx: Context) -> Reply:
    """Drop the active dialog, if any."""
    if ctx.dialog is None:
        return Reply("当前没有进行中的操作。")
    await ctx.clear_dialog()
    return Reply("已取消当前操作，未保存任何内容。")


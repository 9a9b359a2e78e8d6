"""/settings: mute or unmute the weekly dispatch; deadline reminders cannot be muted."""
from __future__ import annotations

from ..context import Context
from ..registry import callback, command
from ..types import Button, Reply

MUTE_WORDS = {"mute", "off", "关闭", "关", "静音"}
UNMUTE_WORDS = {"unmute", "on", "开启", "开", "打开"}
LOCKED_NOTE = "办理时限提醒（过半、临期、到期、超期、阶段性答复、补充材料提醒）是工作要求，不能关闭。"


def settings_reply(muted: bool, hour: int = 9, *, edit: bool = False, prefix: str = "") -> Reply:
    """The settings card with the one button that makes sense in the current state."""
    state = "已关闭" if muted else "已开启"
    text = f"{prefix}【提醒设置】\n一周一调度（每周第一个工作日 {hour}:00 推送本周待办）：{state}\n{LOCKED_NOTE}"
    button = Button("开启一周一调度", data="st:unmute") if muted else Button("关闭一周一调度", data="st:mute")
    return Reply(text.lstrip("\n"), buttons=[[button]], edit=edit)


@command("settings", "提醒设置（一周一调度开关）", where="private")
async def settings_command(ctx: Context) -> Reply:
    """Show the user's reminder settings, or change them with '/settings 关闭' / '/settings 开启'."""
    assert ctx.user is not None
    word = ctx.args.strip().lower()
    if not word:
        return settings_reply(ctx.user.mute_weekly, ctx.settings.reminder_hour)
    if word in MUTE_WORDS | UNMUTE_WORDS:
        return await _set(ctx, word in MUTE_WORDS, edit=False)
    return Reply("用法：/settings 查看设置；/settings 关闭 或 /settings 开启 一周一调度。\n" + LOCKED_NOTE)


@callback("st")
async def settings_button(ctx: Context) -> Reply:
    """Buttons st:mute / st:unmute; they only ever change the presser's own setting."""
    assert ctx.user is not None
    action = ctx.parts[1] if len(ctx.parts) > 1 else ""
    if action not in ("mute", "unmute") or len(ctx.parts) > 2:
        return Reply("这个按钮已失效，请重新发送 /settings。", toast=True)
    want = action == "mute"
    if ctx.user.mute_weekly == want:
        return Reply("一周一调度已是" + ("关闭" if want else "开启") + "状态，无需重复操作。", toast=True)
    return await _set(ctx, want, edit=True)


async def _set(ctx: Context, mute: bool, *, edit: bool) -> Reply:
    assert ctx.user is not None
    changed = ctx.user.mute_weekly != mute
    ctx.user.mute_weekly = mute
    await ctx.session.flush()
    if not changed:
        prefix = "一周一调度本来就是" + ("关闭" if mute else "开启") + "状态。\n"
    else:
        prefix = "已关闭一周一调度，您将不再收到每周推送。\n" if mute else "已开启一周一调度。\n"
    return settings_reply(mute, ctx.settings.reminder_hour, edit=edit, prefix=prefix)

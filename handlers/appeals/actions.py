"""Buttons on an appeal card (prefix `ap`) and the short dialog that collects an action's free text."""
from __future__ import annotations

from handlers.context import Context
from handlers.ids import parse_id
from handlers.registry import callback, flow
from handlers.types import Button, Reply
from storage.models import Appeal
from storage.models.appeals import CATEGORIES

from . import workflow
from .rules import short_unit, validate_text
from .service import appeal_card, can_view, history_text, units_for_picker

ACTION_FLOW = "appeal_action"
GONE = "这个按钮已失效，请重新打开诉求。"


async def load_appeal(ctx: Context, raw: str | None) -> Appeal | None:
    """The appeal with a numeric id from a button or command, or None."""
    appeal_id = parse_id(raw)
    return await ctx.session.get(Appeal, appeal_id) if appeal_id is not None else None


def _toast(text: str) -> Reply:
    return Reply(text, toast=True)


@callback("ap")
async def on_button(ctx: Context):
    """Every appeal button: view, history, pickers and the loop's actions (all re-checked here)."""
    parts = ctx.parts
    if len(parts) < 3 or len(parts) > 4:
        return _toast(GONE)
    action, x = parts[1], (parts[3] if len(parts) == 4 else None)
    appeal = await load_appeal(ctx, parts[2])
    if appeal is None:
        return _toast("该诉求不存在，按钮已失效。")
    if action in ("v", "h"):
        if not await can_view(ctx, appeal):
            return _toast("您无权查看该诉求。")
        if action == "h":
            return Reply(await history_text(ctx, appeal))
        return await appeal_card(ctx, appeal)
    if action == "au":
        return await _unit_picker(ctx, appeal)
    if action == "cp":
        return await _category_picker(ctx, appeal)
    if action == "dupn":
        # Only /dup's asker (an admin) has this question on screen; anyone else gets told it is not theirs.
        if workflow.ADMIN not in await workflow.relations(ctx, appeal):
            return _toast("这不是您的操作，按钮无效。")
        return Reply(f"已取消，诉求 #{appeal.id} 未关联重复诉求。", edit=True)
    t = workflow.TABLE.get(action)
    if t is None:
        return _toast(GONE)
    if t.needs_x and not x:
        return _toast(GONE)
    rels = await workflow.relations(ctx, appeal)
    refusal = workflow.check(rels, appeal, action, ctx.today)
    if refusal:
        return _toast(refusal)
    if action == "dup" and x:
        return await _do(ctx, appeal, action, x=x, edit=True)  # confirmed from /dup's question
    if t.prompt:
        await ctx.set_dialog(ACTION_FLOW, action, {"appeal_id": appeal.id, "x": x, "version": appeal.version})
        return Reply(f"诉求 #{appeal.id}「{t.label}」\n{t.prompt}\n（发送 /cancel 取消）")
    return await _do(ctx, appeal, action, x=x, edit=True)


async def _do(ctx: Context, appeal: Appeal, action: str, *, x: str | None = None, text: str | None = None,
              edit: bool = False) -> list[Reply]:
    try:
        done = await workflow.apply(ctx, appeal, action, x=x, text=text)
    except workflow.Refused as refusal:
        return [Reply(str(refusal), toast=edit)]
    card = await appeal_card(ctx, appeal)
    card.edit = edit
    return [Reply(done, toast=True), card] if edit else [Reply(done), card]


async def _unit_picker(ctx: Context, appeal: Appeal):
    rels = await workflow.relations(ctx, appeal)
    refusal = workflow.check(rels, appeal, "asg", ctx.today)
    if refusal or workflow.ADMIN not in rels:
        return _toast(refusal or "只有市指挥部办公室可以选择其他单位。")
    units = await units_for_picker(ctx, appeal)
    buttons = [Button(short_unit(u.name), data=f"ap:asg:{appeal.id}:{u.id}") for u in units]
    rows = [buttons[i:i + 3] for i in range(0, len(buttons), 3)]
    return Reply(f"诉求 #{appeal.id}：请选择责任单位", buttons=rows)


async def _category_picker(ctx: Context, appeal: Appeal):
    rels = await workflow.relations(ctx, appeal)
    refusal = workflow.check(rels, appeal, "cat", ctx.today)
    if refusal:
        return _toast(refusal)
    buttons = [Button(c + ("✓" if c == appeal.category else ""), data=f"ap:cat:{appeal.id}:{i}") for i, c in enumerate(CATEGORIES)]
    rows = [buttons[i:i + 5] for i in range(0, len(buttons), 5)]
    return Reply(f"诉求 #{appeal.id} 当前类别：{appeal.category}。请选择正确的类别：", buttons=rows)


FREE_TEXT = {"ret": "退回原因", "res": "补充说明", "stg": "阶段性答复", "fin": "办理结果", "exp": "解释说明", "tr": "转办说明"}


def _prompt_again(action: str, error: str) -> Reply:
    """An input error inside an action dialog: say what is wrong, repeat the hint, keep the dialog open."""
    t = workflow.TABLE.get(action)
    # The prompt carries the example; an error that already shows the format is not followed by a second one.
    shows_format = "例如" in error or "（如" in error
    hint = f"\n{t.prompt}" if t and t.prompt and not shows_format else ""
    return Reply(f"{error}{hint}\n（发送 /cancel 取消）")


@flow(ACTION_FLOW)
async def on_action_text(ctx: Context):
    """The free text an action asked for; the action is checked again before it applies.

    Input errors (BadInput) keep the dialog open; a refusal of the action itself (state moved on,
    no longer the user's business) ends it.
    """
    data = ctx.dialog.data or {}
    action = ctx.dialog.step
    if not ctx.text:
        return _prompt_again(action, "请用文字输入，图片和文件不能作为答复内容。")
    if action in FREE_TEXT:
        error = validate_text(ctx.text, what=FREE_TEXT[action], min_len=4)
        if error:
            return _prompt_again(action, error)
    appeal_id = parse_id(str(data.get("appeal_id") or ""))
    appeal = await ctx.session.get(Appeal, appeal_id) if appeal_id is not None else None
    if appeal is None or action not in workflow.TABLE:
        await ctx.clear_dialog()
        return Reply("该诉求已不存在，操作未执行。")
    try:
        done = await workflow.apply(ctx, appeal, action, x=data.get("x"), text=ctx.text)
    except workflow.BadInput as error:
        return _prompt_again(action, str(error))
    except workflow.Refused as refusal:
        await ctx.clear_dialog()
        return Reply(f"{refusal}\n本次“{workflow.TABLE[action].label}”操作已结束，未做任何更改。")
    await ctx.clear_dialog()
    return [Reply(done), await appeal_card(ctx, appeal)]

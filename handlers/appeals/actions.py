"""Buttons on an appeal card (prefix `ap`) and the short dialog that collects an action's free text."""
from __future__ import annotations

from sqlalchemy import select

from handlers.context import Context
from handlers.registry import callback, flow
from handlers.types import Button, Reply
from storage.models import Appeal, OrgUnit, UnitKind
from storage.models.appeals import CATEGORIES

from . import workflow
from .rules import find_unit, parse_date, parse_extension, short_unit, validate_text
from .service import appeal_card, can_view, history_text, units_for_picker

ACTION_FLOW = "appeal_action"
GONE = "这个按钮已失效，请重新打开诉求。"


async def load_appeal(ctx: Context, raw: str | None) -> Appeal | None:
    """The appeal with a numeric id from a button or command, or None."""
    raw = (raw or "").strip().lstrip("#＃")
    if not raw.isdigit() or len(raw) > 12:
        return None
    return await ctx.session.get(Appeal, int(raw))


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
    t = workflow.TABLE.get(action)
    if t is None:
        return _toast(GONE)
    if t.needs_x and not x:
        return _toast(GONE)
    rels = await workflow.relations(ctx, appeal)
    refusal = workflow.check(rels, appeal, action, ctx.today)
    if refusal:
        return _toast(refusal)
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


def _format_error(action: str, text: str, today) -> str | None:
    """A Chinese message when the typed text does not fit the action (the dialog then stays open)."""
    if action == "ext":
        parsed = parse_extension(text)
        return parsed if isinstance(parsed, str) else None
    if action == "dl":
        parsed = parse_date(text, today)
        return parsed if isinstance(parsed, str) else None
    if action == "dup":
        return None if text.strip().lstrip("#＃").isdigit() else "请输入原诉求的编号数字，例如：12"
    what = {"ret": "退回原因", "res": "补充说明", "stg": "阶段性答复", "fin": "办理结果", "exp": "解释说明", "tr": "转办说明"}
    return validate_text(text, what=what.get(action, "内容"), min_len=4)


@flow(ACTION_FLOW)
async def on_action_text(ctx: Context):
    """The free text an action asked for; the action is checked again before it applies."""
    data = ctx.dialog.data or {}
    action = ctx.dialog.step
    if ctx.inc.attachments and not ctx.text:
        return Reply("请用文字输入。发送 /cancel 取消。")
    error = _format_error(action, ctx.text, ctx.today)
    if not error and action == "tr":
        units = list(await ctx.session.scalars(select(OrgUnit).where(OrgUnit.kind != UnitKind.CITY_OFFICE)))
        if find_unit(ctx.text, units) is None:
            error = "没有识别出承办单位名称，请写明单位名称，例如：土地要素保障组、高端装备专班、任城区。"
    if error:
        return Reply(error + "\n（发送 /cancel 取消）")
    appeal = await ctx.session.get(Appeal, int(data.get("appeal_id") or 0))
    await ctx.clear_dialog()
    if appeal is None or action not in workflow.TABLE:
        return Reply("该诉求已不存在，操作未执行。")
    return await _do(ctx, appeal, action, x=data.get("x"), text=ctx.text)

"""Buttons on an appeal card (prefix `ap`) and the short dialog that collects an action's free text."""
from __future__ import annotations

from handlers.context import Context
from handlers.ids import parse_id, parse_index
from handlers.registry import callback, flow
from handlers.types import Button, OutFile, Reply
from storage.models import Appeal
from storage.models.appeals import CATEGORIES

from . import workflow
from .rules import short_unit, validate_text
from .service import appeal_card, can_view, history_text, units_for_picker

ACTION_FLOW = "appeal_action"
GONE = "这个按钮已失效，请重新打开诉求。"
# Common reasons an enterprise is not satisfied; the cadre may also type their own.
UNSAT_REASONS = ("问题没有实际解决", "办理时间太长", "答复不清楚、不具体", "解决办法不可行", "沟通不到位")
# Steps at which photos and files are welcome, kept with the step's history entry.
FILE_ACTIONS = {"res", "stg", "fin", "exp"}
MAX_STEP_FILES = 10


async def load_appeal(ctx: Context, raw: str | None) -> Appeal | None:
    """The appeal with a numeric id from a button or command, or None."""
    appeal_id = parse_id(raw)
    return await ctx.session.get(Appeal, appeal_id) if appeal_id is not None else None


def _toast(text: str) -> Reply:
    return Reply(text, toast=True)


@callback("ap", confidential=True)
async def on_button(ctx: Context):
    """Every appeal button: view, history, pickers and the loop's actions (all re-checked here)."""
    parts = ctx.parts
    if len(parts) < 3 or len(parts) > 4:
        return _toast(GONE)
    action, x = parts[1], (parts[3] if len(parts) == 4 else None)
    raw_id, offered_in = workflow.split_state(parts[2])
    appeal = await load_appeal(ctx, raw_id)
    if appeal is None:
        return _toast("该诉求不存在，按钮已失效。")
    if action in workflow.TABLE:
        stale = workflow.stale_refusal(appeal, offered_in)
        if stale:
            return _toast(stale)
    if action in ("v", "h"):
        if not await can_view(ctx, appeal):
            return _toast("您无权查看该诉求。")
        if action == "h":
            return Reply(await history_text(ctx, appeal))
        return await appeal_card(ctx, appeal)
    if action == "au":
        return await _unit_picker(ctx, appeal)
    if action == "f":
        return await _send_file(ctx, appeal, x)
    if action == "pk":
        return await _picker(ctx, appeal, x or "")
    if action == "satr":
        return await _unsat_reason(ctx, appeal, x)
    if action == "trp":
        return await _transfer_to(ctx, appeal, x)
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
    if action == "sat" and x == "3":
        # 不满意 always asks why: common reasons as buttons, or the cadre's own words.
        await ctx.set_dialog(ACTION_FLOW, "sat", {"appeal_id": appeal.id, "x": "3", "version": appeal.version})
        buttons = [[Button(r, data=f"ap:satr:{appeal.id}:{i}")] for i, r in enumerate(UNSAT_REASONS)]
        return Reply(f"诉求 #{appeal.id}：请选择企业不满意的主要原因，或直接输入具体原因：\n（发送 /cancel 取消）",
                     buttons=buttons)
    if action == "tr":
        await ctx.set_dialog(ACTION_FLOW, "tr", {"appeal_id": appeal.id, "version": appeal.version})
        from .pickers import unit_picker

        return Reply(f"诉求 #{appeal.id}「转办」请点选应承办的单位，或直接输入单位名称和转办理由，"
                     "例如：生态环境局 该问题属于环评审批。\n（办理时限不重新计算；发送 /cancel 取消）",
                     buttons=await unit_picker(ctx.session, appeal, "t"))
    if action == "rdo" and not x:
        return await _picker(ctx, appeal, "r")
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


async def _picker(ctx: Context, appeal: Appeal, code: str):
    """The unit picker of 转办 (t) or 另派重办 (r): likely units, or the full list of one kind."""
    from .pickers import ACTS, unit_picker

    act, kind = code[:1], code[1:]
    if act not in ACTS or kind not in ("", "f", "t"):
        return _toast(GONE)
    refusal = workflow.check(await workflow.relations(ctx, appeal), appeal, "tr" if act == "t" else "rdo", ctx.today)
    if refusal:
        return _toast(refusal)
    label = "转办" if act == "t" else "另派单位重办"
    return Reply(f"诉求 #{appeal.id}「{label}」请选择单位：", buttons=await unit_picker(ctx.session, appeal, act, kind))


async def _transfer_to(ctx: Context, appeal: Appeal, unit_id: str | None):
    """A unit chosen for 转办: remember it in the dialog and ask for the reason."""
    from storage.models import OrgUnit

    refusal = workflow.check(await workflow.relations(ctx, appeal), appeal, "tr", ctx.today)
    if refusal:
        return _toast(refusal)
    uid = parse_id(unit_id)
    unit = await ctx.session.get(OrgUnit, uid) if uid is not None else None
    if unit is None:
        return _toast(GONE)
    await ctx.set_dialog(ACTION_FLOW, "tr", {"appeal_id": appeal.id, "x": str(unit.id), "version": appeal.version})
    return Reply(f"诉求 #{appeal.id} 转{short_unit(unit.name)}办理。请输入转办理由：\n（发送 /cancel 取消）")


async def _unsat_reason(ctx: Context, appeal: Appeal, index: str | None):
    """One of the common 不满意 reasons was pressed."""
    i = parse_index(index, len(UNSAT_REASONS))
    if i is None:
        return _toast(GONE)
    replies = await _do(ctx, appeal, "sat", x="3", text=UNSAT_REASONS[i])
    if ctx.dialog is not None and ctx.dialog.flow == ACTION_FLOW and ctx.dialog.step == "sat":
        await ctx.clear_dialog()
    return replies


async def _send_file(ctx: Context, appeal: Appeal, att_id: str | None):
    """Send one attachment of an appeal to someone who may see the appeal."""
    from storage.models import AppealAttachment

    if not await can_view(ctx, appeal):
        return _toast("您无权查看该诉求。")
    aid = parse_id(att_id)
    att = await ctx.session.get(AppealAttachment, aid) if aid is not None else None
    if att is None or att.appeal_id != appeal.id:
        return _toast("该附件不存在，按钮已失效。")
    out = OutFile(att.file_name or ("现场照片.jpg" if att.kind == "photo" else "附件"), file_id=att.file_id)
    caption = f"诉求 #{appeal.id} 附件：{out.filename}"
    return Reply(caption, photo=out) if att.kind == "photo" else Reply(caption, document=out)


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


FREE_TEXT = {"ret": "退回原因", "res": "补充说明", "stg": "阶段性答复", "fin": "办理结果", "exp": "解释说明", "tr": "转办说明",
             "exn": "不同意延期的理由", "con": "会商事项", "cls": "销号说明"}
SHORT_TEXT = {"sat": "不满意原因"}


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
    data = dict(ctx.dialog.data or {})
    action = ctx.dialog.step
    if ctx.inc.attachments and action in FILE_ACTIONS:
        files = list(data.get("files") or [])
        for att in ctx.inc.attachments[: max(0, MAX_STEP_FILES - len(files))]:
            files.append({"kind": att.kind, "file_id": att.file_id, "file_name": att.file_name})
        data["files"] = files
        await ctx.set_dialog(ACTION_FLOW, action, data)
        if not ctx.text:
            what = FREE_TEXT.get(action, "说明")
            return Reply(f"已收到附件（共 {len(files)} 个），将随本次{what}一并保存。可继续发送附件，"
                         f"或输入{what}的文字内容后提交。\n（发送 /cancel 取消）")
    if not ctx.text:
        if ctx.inc.attachments:
            return _prompt_again(action, "这一步需要文字说明，附件请在补充、阶段性答复、办结或解释说明时发送。")
        return _prompt_again(action, "请用文字输入。")
    if action in FREE_TEXT:
        error = validate_text(ctx.text, what=FREE_TEXT[action], min_len=4)
        if error:
            return _prompt_again(action, error)
    if action in SHORT_TEXT:
        error = validate_text(ctx.text, what=SHORT_TEXT[action], min_len=2, max_len=500)
        if error:
            return _prompt_again(action, error)
    appeal_id = parse_id(str(data.get("appeal_id") or ""))
    appeal = await ctx.session.get(Appeal, appeal_id) if appeal_id is not None else None
    if appeal is None or action not in workflow.TABLE:
        await ctx.clear_dialog()
        return Reply("该诉求已不存在，操作未执行。")
    try:
        done = await workflow.apply(ctx, appeal, action, x=data.get("x"), text=ctx.text, files=data.get("files"))
    except workflow.BadInput as error:
        return _prompt_again(action, str(error))
    except workflow.Refused as refusal:
        await ctx.clear_dialog()
        return Reply(f"{refusal}\n本次“{workflow.TABLE[action].label}”操作已结束，未做任何更改。")
    await ctx.clear_dialog()
    return [Reply(done), await appeal_card(ctx, appeal)]

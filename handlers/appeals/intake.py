"""Filing an appeal: `/appeal <text>` in one message, or the guided `/appeal` dialog (buttons `ai`)."""
from __future__ import annotations

from sqlalchemy import select

from handlers.context import Context
from handlers.ids import BAD_ID, looks_like_id, parse_id, parse_index
from handlers.registry import callback, command, flow
from handlers.types import Button, Reply
from storage.models import STATUS_NAMES, AppealStatus as S, CadreEnterprise, Enterprise, OrgUnit, Role
from storage.models.appeals import CATEGORIES

from .actions import load_appeal
from .rules import URGENCY_NAMES, infer_urgency, short_unit, validate_text
from .service import appeal_card, can_view, classify_text, file_appeal, history_text, similar_appeals, similar_line

INTAKE = "appeal_intake"
MAX_FILES = 10
EXPIRED = "该填报已结束或已过期，请重新发送 /appeal。"
NOT_YOURS = "这不是您的操作，按钮无效。"
OUTDATED = "这个按钮已过时，请按最新的提示继续填报（发送 /cancel 取消）。"
CANCEL_HINT = "\n（发送 /cancel 取消）"


def _data(kind: str, value: str | None, owner: int) -> str:
    """Intake button data carries its owner's user id last, so a press by anyone else is told so."""
    return f"ai:{kind}:{value}:{owner}" if value is not None else f"ai:{kind}:{owner}"


async def cadre_enterprises(ctx: Context) -> list[Enterprise]:
    """The enterprises the current cadre is stationed in."""
    stmt = (select(Enterprise).join(CadreEnterprise, CadreEnterprise.enterprise_id == Enterprise.id)
            .where(CadreEnterprise.user_id == ctx.user.id).order_by(Enterprise.id))
    return list((await ctx.session.scalars(stmt)).unique())


def _enterprise_buttons(ents: list[Enterprise], owner: int) -> list[list[Button]]:
    return [[Button(e.name, data=_data("e", str(e.id), owner))] for e in ents[:20]]


def _category_buttons(owner: int) -> list[list[Button]]:
    buttons = [Button(c, data=_data("c", str(i), owner)) for i, c in enumerate(CATEGORIES)]
    return [[Button("自动识别", data=_data("c", "a", owner))]] + [buttons[i:i + 5] for i in range(0, len(buttons), 5)]


def _urgency_buttons(owner: int) -> list[list[Button]]:
    return [[Button("A类（紧急，5个工作日）", data=_data("u", "A", owner))],
            [Button("B类（一般，15个工作日）", data=_data("u", "B", owner))]]


def _done_button(owner: int) -> list[list[Button]]:
    return [[Button("完成", data=_data("done", None, owner))]]


PROMPTS = {
    "ent": "请选择提出诉求的企业：",
    "cat": "请选择诉求类别（不确定可选“自动识别”）：",
    "urg": "请选择紧急程度：",
}
# When a typed message arrives where a button is expected: one natural sentence, not prompt + prompt.
RETRY = {
    "ent": "请点击下方按钮，选择提出诉求的企业。",
    "cat": "请点击下方按钮选择诉求类别，也可以直接输入类别名称（如“金融”）；不确定请选“自动识别”。",
    "urg": "请点击下方按钮选择紧急程度，也可以直接回复 A（紧急）或 B（一般）。",
}
DESC_PROMPT = "请用一段文字描述问题：现状、困难、希望得到的支持（5～2000字）。"


async def _step_buttons(ctx: Context, step: str) -> list[list[Button]]:
    if step == "ent":
        return _enterprise_buttons(await cadre_enterprises(ctx), ctx.user.id)
    return _category_buttons(ctx.user.id) if step == "cat" else _urgency_buttons(ctx.user.id)


@command("appeal", "提交诉求（/appeal 问题描述）；查看诉求（/appeal 编号）", where="private")
async def appeal_command(ctx: Context):
    """`/appeal N` shows a card with its history; `/appeal <text>` files at once; `/appeal` guides."""
    args = ctx.args.strip()
    if looks_like_id(args):
        if parse_id(args) is None:
            return Reply(BAD_ID)
        appeal = await load_appeal(ctx, args)
        if appeal is None or not await can_view(ctx, appeal):
            return Reply(f"没有找到您可查看的诉求 #{args.lstrip('#＃')}。")
        return [await appeal_card(ctx, appeal), Reply(await history_text(ctx, appeal))]
    if ctx.user.role != Role.CADRE:
        return Reply("只有驻企干部可以提交诉求。查看某条诉求请发送 /appeal 编号，例如 /appeal 12。")
    if _in_step(ctx, "confirm"):
        # A filled-in appeal waits at 确认提交: never discard it silently.
        waiting = await _summary(ctx, dict(ctx.dialog.data))
        owner = ctx.user.id
        return Reply("您还有一条诉求填写完毕、尚未提交：\n" + waiting.text.split("\n", 1)[1] + "\n请选择：",
                     buttons=[[Button("确认提交", data=_data("ok", None, owner)), Button("继续修改", data=_data("ed", None, owner)),
                               Button("放弃", data=_data("no", None, owner))]])
    ents = await cadre_enterprises(ctx)
    if not ents:
        return Reply("您尚未关联任何企业，暂不能提交诉求。请联系市指挥部办公室登记。")
    if args:
        error = validate_text(args)
        if error:
            return Reply(error + "\n未提交任何内容。")
        # One line gives no chance to ask: infer the class from the wording and let it be corrected.
        urgency, _word = infer_urgency(args)
        quick = {"quick": True, "description": args, "category": None, "urgency": urgency}
        if len(ents) == 1:
            return await _file(ctx, dict(quick, enterprise_id=ents[0].id))
        await ctx.set_dialog(INTAKE, "ent", quick)
        return Reply("您负责多家企业，这条诉求属于哪家企业？", buttons=_enterprise_buttons(ents, ctx.user.id))
    if len(ents) == 1:
        await ctx.set_dialog(INTAKE, "cat", {"enterprise_id": ents[0].id})
        return Reply(f"为“{ents[0].name}”提交诉求。\n" + PROMPTS["cat"], buttons=_category_buttons(ctx.user.id))
    await ctx.set_dialog(INTAKE, "ent", {})
    return Reply(PROMPTS["ent"], buttons=_enterprise_buttons(ents, ctx.user.id))


def _in_step(ctx: Context, *steps: str) -> bool:
    return ctx.dialog is not None and ctx.dialog.flow == INTAKE and ctx.dialog.step in steps


@callback("ai")
async def on_intake_button(ctx: Context):
    """Buttons of the intake dialog; a press that does not fit the stored step is refused."""
    parts = ctx.parts
    kind = parts[1] if len(parts) > 1 else ""
    size = 3 if kind in ("e", "c", "u") else 2  # parts before the owner id
    value = parts[2] if size == 3 and len(parts) > 2 else ""
    owner = parts[size] if len(parts) > size else None  # buttons made before owners were added have none
    if owner is not None and owner != str(ctx.user.id):
        return Reply(NOT_YOURS, toast=True)
    if ctx.user.role != Role.CADRE:
        return Reply(NOT_YOURS if owner is None else "只有驻企干部可以提交诉求。", toast=True)
    if ctx.dialog is None or ctx.dialog.flow != INTAKE:
        return Reply(EXPIRED, toast=True)
    data = dict(ctx.dialog.data)
    if kind == "e" and _in_step(ctx, "ent"):
        ents = {e.id: e for e in await cadre_enterprises(ctx)}
        enterprise_id = parse_id(value, strip_hash=False)
        if enterprise_id not in ents:
            return Reply("您不是该企业的驻企干部。", toast=True)
        data["enterprise_id"] = enterprise_id
        if data.get("quick"):
            return await _file(ctx, data, edit=True)
        await ctx.set_dialog(INTAKE, "cat", data)
        return Reply(f"企业：{ents[enterprise_id].name}\n" + PROMPTS["cat"], buttons=_category_buttons(ctx.user.id), edit=True)
    if kind == "c" and _in_step(ctx, "cat"):
        index = parse_index(value, len(CATEGORIES))
        if value != "a" and index is None:
            return Reply(OUTDATED, toast=True)
        data["category"] = None if value == "a" else CATEGORIES[index]
        await ctx.set_dialog(INTAKE, "urg", data)
        return Reply(f"类别：{data['category'] or '自动识别'}\n" + PROMPTS["urg"], buttons=_urgency_buttons(ctx.user.id),
                     edit=True)
    if kind == "u" and _in_step(ctx, "urg") and value in ("A", "B"):
        data["urgency"] = value
        await ctx.set_dialog(INTAKE, "desc", data)
        return Reply(f"紧急程度：{URGENCY_NAMES[value]}\n{DESC_PROMPT}", edit=True)
    if kind == "done" and _in_step(ctx, "att"):
        await ctx.set_dialog(INTAKE, "confirm", data)
        return await _summary(ctx, data)
    if kind == "ok" and _in_step(ctx, "confirm"):
        return await _file(ctx, data, edit=True)
    if kind == "ed" and _in_step(ctx, "confirm"):
        await ctx.set_dialog(INTAKE, "desc", data)
        return Reply(f"请重新发送问题描述（原内容：{data.get('description', '')}）。\n{DESC_PROMPT}", edit=True)
    if kind == "of" and _in_step(ctx, "offer"):
        ents = await cadre_enterprises(ctx)
        if len(ents) == 1:
            return await _file(ctx, dict(data, enterprise_id=ents[0].id), edit=True)
        await ctx.set_dialog(INTAKE, "ent", data)
        return Reply("这条诉求属于哪家企业？", buttons=_enterprise_buttons(ents, ctx.user.id), edit=True)
    if kind == "no":
        await ctx.clear_dialog()
        return Reply("已取消，未提交任何内容。", edit=True)
    # The user's own intake is open but at another step: an older message's button.
    return Reply(OUTDATED, toast=True)


async def _summary(ctx: Context, data: dict) -> Reply:
    ent = await ctx.session.get(Enterprise, data.get("enterprise_id") or 0)
    files = data.get("files") or []
    category = data.get("category")
    if category is None:
        category = f"自动识别（预计：{classify_text(data.get('description', ''))[0]}）"
    text = (
        "请确认诉求内容：\n"
        f"企业：{ent.name if ent else '—'}\n类别：{category}\n"
        f"紧急程度：{URGENCY_NAMES.get(data.get('urgency', 'B'))}\n内容：{data.get('description', '')}\n"
        f"附件：{len(files)} 个"
    )
    owner = ctx.user.id
    return Reply(text, buttons=[[Button("确认提交", data=_data("ok", None, owner)), Button("取消", data=_data("no", None, owner))]])


@flow(INTAKE)
async def on_intake_message(ctx: Context):
    """Messages while the intake dialog is open: the description, attachments, or typed choices."""
    data = dict(ctx.dialog.data or {})
    step = ctx.dialog.step
    text = ctx.text
    if step == "cat" and (text in CATEGORIES or text == "自动识别"):
        data["category"] = None if text == "自动识别" else text
        await ctx.set_dialog(INTAKE, "urg", data)
        return Reply(f"类别：{text}\n" + PROMPTS["urg"], buttons=_urgency_buttons(ctx.user.id))
    if step == "urg" and text.upper() in ("A", "B"):
        data["urgency"] = text.upper()
        await ctx.set_dialog(INTAKE, "desc", data)
        return Reply(f"紧急程度：{URGENCY_NAMES[text.upper()]}\n{DESC_PROMPT}")
    if step in PROMPTS:
        return Reply(RETRY[step] + CANCEL_HINT, buttons=await _step_buttons(ctx, step))
    if step == "desc":
        if not text and ctx.inc.attachments:
            return Reply("请先用文字描述问题，再发送照片或文件。" + CANCEL_HINT)
        error = validate_text(text)
        if error:
            return Reply(error + CANCEL_HINT)
        # A dialog opened from another area's card may carry figures for the description (e.g. 日监测).
        prefill = data.pop("prefill", None)
        data["description"] = f"{text}\n{prefill}" if prefill else text
        data["files"] = _files(ctx, [])
        await ctx.set_dialog(INTAKE, "att", data)
        return Reply("可以发送现场照片或文件作为附件（可选）。发送完毕或不需要附件时，请点击“完成”。",
                     buttons=_done_button(ctx.user.id))
    if step == "att":
        if not ctx.inc.attachments:
            return Reply("请发送照片或文件，或点击“完成”继续。" + CANCEL_HINT, buttons=_done_button(ctx.user.id))
        files = data.get("files") or []
        if len(files) >= MAX_FILES:
            return Reply(f"附件最多 {MAX_FILES} 个，请点击“完成”继续。", buttons=_done_button(ctx.user.id))
        data["files"] = _files(ctx, files)
        await ctx.set_dialog(INTAKE, "att", data)
        return Reply(f"已收到附件（共 {len(data['files'])} 个）。可继续发送，或点击“完成”。",
                     buttons=_done_button(ctx.user.id))
    if step == "offer":
        # Not an answer to the offer: drop it and treat the message as a new one.
        from handlers.dispatcher import route

        await ctx.clear_dialog()
        return await route(ctx)
    if step == "confirm":
        summary = await _summary(ctx, data)
        summary.text = "请点击下方“确认提交”或“取消”（发送 /cancel 也可取消）。\n" + summary.text
        return summary
    await ctx.clear_dialog()
    return Reply(EXPIRED)


async def _same_open_appeal(ctx: Context, enterprise_id: int, description: str):
    """An unfinished appeal of the enterprise with the same text (spaces and punctuation aside), or None."""
    from storage.models import Appeal, AppealStatus

    def norm(text: str) -> str:
        return "".join(ch for ch in text if ch.isalnum())

    rows = await ctx.session.scalars(select(Appeal).where(
        Appeal.enterprise_id == enterprise_id, Appeal.status != AppealStatus.CLOSED).order_by(Appeal.id.desc()).limit(50))
    return next((a for a in rows.unique() if norm(a.description) == norm(description)), None)


def _files(ctx: Context, files: list) -> list:
    out = list(files)
    for att in ctx.inc.attachments[: MAX_FILES - len(out)]:
        out.append({"kind": att.kind, "file_id": att.file_id, "file_name": att.file_name})
    return out


async def _file(ctx: Context, data: dict, *, edit: bool = False) -> list[Reply]:
    """File the appeal from dialog data; reply with the card and up to 3 similar earlier appeals."""
    ent_ids = {e.id for e in await cadre_enterprises(ctx)}
    if data.get("enterprise_id") not in ent_ids:
        await ctx.clear_dialog()
        return [Reply("您不是该企业的驻企干部，未提交。", toast=edit)]
    error = validate_text(data.get("description", ""))
    if error:
        await ctx.clear_dialog()
        return [Reply(error + "\n未提交任何内容。")]
    same = None if data.get("dup_ok") else await _same_open_appeal(ctx, data["enterprise_id"], data["description"])
    if same is not None:
        await ctx.set_dialog(INTAKE, "confirm", dict(data, dup_ok=True))
        owner = ctx.user.id
        return [Reply(f"⚠️ 这家企业已有一条内容相同的诉求 #{same.id}（{STATUS_NAMES[S(same.status)]}），"
                      "一般无需重复提交，可打开原诉求跟进。确需再次提交请点“仍然提交”。",
                      buttons=[[Button(f"查看 #{same.id}", data=f"ap:v:{same.id}")],
                               [Button("仍然提交", data=_data("ok", None, owner)), Button("取消", data=_data("no", None, owner))]],
                      edit=edit)]
    appeal = await file_appeal(ctx, enterprise_id=data["enterprise_id"], description=data["description"],
                               category=data.get("category"), urgency=data.get("urgency") or "B",
                               attachments=data.get("files") or ())
    await ctx.clear_dialog()
    routed = await ctx.session.get(OrgUnit, appeal.routed_unit_id) if appeal.routed_unit_id else None
    how = "自动识别" if appeal.category_confidence is not None else "您选择"
    urgency = URGENCY_NAMES[appeal.urgency]
    if data.get("quick"):
        urgency += f"（根据描述判断为{appeal.urgency}类，可更正）"
    from .staffing import has_reviewer

    waiting = (f"等待{appeal.county.name}县级审核" if await has_reviewer(ctx.session, appeal.county_id)
               else f"{appeal.county.name}暂无县级审核人员，由市指挥部办公室代为审核")
    head = (f"✅ 已提交诉求 #{appeal.id}。\n类别：{appeal.category}（{how}）；对口单位：{short_unit(routed.name) if routed else '—'}；"
            f"{waiting}。\n紧急程度：{urgency}\n"
            "类别或紧急程度不对，可点下方“更正类别”或“改为A类/B类”（审核前有效）。")
    replies = [Reply(head, edit=edit), await appeal_card(ctx, appeal)]
    similar = await similar_appeals(ctx, appeal)
    if similar:
        lines = ["🔎 其他企业的类似诉求及办理情况："] + [similar_line(a) for a, _ in similar]
        buttons = [[Button(f"查看 #{a.id}", data=f"ap:v:{a.id}") for a, _ in similar]]
        replies.append(Reply("\n".join(lines), buttons=buttons if ctx.user.role == Role.ADMIN else []))
    return replies

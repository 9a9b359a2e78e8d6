"""Filing an appeal: `/appeal <text>` in one message, or the guided `/appeal` dialog (buttons `ai`)."""
from __future__ import annotations

from sqlalchemy import select

from handlers.context import Context
from handlers.registry import callback, command, flow
from handlers.types import Button, Reply
from storage.models import CadreEnterprise, Enterprise, OrgUnit, Role
from storage.models.appeals import CATEGORIES

from .actions import load_appeal
from .rules import URGENCY_NAMES, short_unit, validate_text
from .service import appeal_card, can_view, classify_text, file_appeal, history_text, similar_appeals, similar_line

INTAKE = "appeal_intake"
MAX_FILES = 10
EXPIRED = "该填报已结束或已过期，请重新发送 /appeal。"


async def cadre_enterprises(ctx: Context) -> list[Enterprise]:
    """The enterprises the current cadre is stationed in."""
    stmt = (select(Enterprise).join(CadreEnterprise, CadreEnterprise.enterprise_id == Enterprise.id)
            .where(CadreEnterprise.user_id == ctx.user.id).order_by(Enterprise.id))
    return list((await ctx.session.scalars(stmt)).unique())


def _enterprise_buttons(ents: list[Enterprise]) -> list[list[Button]]:
    return [[Button(e.name, data=f"ai:e:{e.id}")] for e in ents[:20]]


def _category_buttons() -> list[list[Button]]:
    buttons = [Button(c, data=f"ai:c:{i}") for i, c in enumerate(CATEGORIES)]
    return [[Button("自动识别", data="ai:c:a")]] + [buttons[i:i + 5] for i in range(0, len(buttons), 5)]


def _urgency_buttons() -> list[list[Button]]:
    return [[Button("A类（紧急，5个工作日）", data="ai:u:A")], [Button("B类（一般，15个工作日）", data="ai:u:B")]]


PROMPTS = {
    "ent": ("请选择提出诉求的企业：", _enterprise_buttons),
    "cat": ("请选择诉求类别（不确定可选“自动识别”）：", lambda _e: _category_buttons()),
    "urg": ("请选择紧急程度：", lambda _e: _urgency_buttons()),
}


@command("appeal", "提交诉求（/appeal 问题描述）；查看诉求（/appeal 编号）", where="private")
async def appeal_command(ctx: Context):
    """`/appeal N` shows a card with its history; `/appeal <text>` files at once; `/appeal` guides."""
    args = ctx.args.strip()
    if args.lstrip("#＃").isdigit():
        appeal = await load_appeal(ctx, args)
        if appeal is None or not await can_view(ctx, appeal):
            return Reply(f"没有找到您可查看的诉求 #{args.lstrip('#＃')}。")
        return [await appeal_card(ctx, appeal), Reply(await history_text(ctx, appeal))]
    if ctx.user.role != Role.CADRE:
        return Reply("只有驻企干部可以提交诉求。查看某条诉求请发送 /appeal 编号，例如 /appeal 12。")
    ents = await cadre_enterprises(ctx)
    if not ents:
        return Reply("您尚未关联任何企业，暂不能提交诉求。请联系市指挥部办公室登记。")
    if args:
        error = validate_text(args)
        if error:
            return Reply(error + "\n未提交任何内容。")
        if len(ents) == 1:
            return await _file(ctx, {"enterprise_id": ents[0].id, "description": args, "category": None, "urgency": "B"})
        await ctx.set_dialog(INTAKE, "ent", {"quick": True, "description": args})
        return Reply("您负责多家企业，这条诉求属于哪家企业？", buttons=_enterprise_buttons(ents))
    if len(ents) == 1:
        await ctx.set_dialog(INTAKE, "cat", {"enterprise_id": ents[0].id})
        return Reply(f"为“{ents[0].name}”提交诉求。\n" + PROMPTS["cat"][0], buttons=_category_buttons())
    await ctx.set_dialog(INTAKE, "ent", {})
    return Reply(PROMPTS["ent"][0], buttons=_enterprise_buttons(ents))


def _in_step(ctx: Context, *steps: str) -> bool:
    return ctx.dialog is not None and ctx.dialog.flow == INTAKE and ctx.dialog.step in steps


@callback("ai")
async def on_intake_button(ctx: Context):
    """Buttons of the intake dialog; a press that does not fit the stored step is refused."""
    parts = ctx.parts
    kind, value = (parts[1] if len(parts) > 1 else ""), (parts[2] if len(parts) > 2 else "")
    if ctx.user.role != Role.CADRE:
        return Reply("只有驻企干部可以提交诉求。", toast=True)
    data = dict(ctx.dialog.data) if ctx.dialog is not None and ctx.dialog.flow == INTAKE else {}
    if kind == "e" and _in_step(ctx, "ent"):
        ents = {e.id: e for e in await cadre_enterprises(ctx)}
        if not value.isdigit() or int(value) not in ents:
            return Reply("您不是该企业的驻企干部。", toast=True)
        data["enterprise_id"] = int(value)
        if data.get("quick"):
            return await _file(ctx, data, edit=True)
        await ctx.set_dialog(INTAKE, "cat", data)
        return Reply(f"企业：{ents[int(value)].name}\n" + PROMPTS["cat"][0], buttons=_category_buttons(), edit=True)
    if kind == "c" and _in_step(ctx, "cat"):
        if value != "a" and not (value.isdigit() and int(value) < len(CATEGORIES)):
            return Reply(EXPIRED, toast=True)
        data["category"] = None if value == "a" else CATEGORIES[int(value)]
        await ctx.set_dialog(INTAKE, "urg", data)
        return Reply(f"类别：{data['category'] or '自动识别'}\n" + PROMPTS["urg"][0], buttons=_urgency_buttons(), edit=True)
    if kind == "u" and _in_step(ctx, "urg") and value in ("A", "B"):
        data["urgency"] = value
        await ctx.set_dialog(INTAKE, "desc", data)
        return Reply(f"紧急程度：{URGENCY_NAMES[value]}\n请用一段文字描述问题：现状、困难、希望得到的支持（5～2000字）。", edit=True)
    if kind == "done" and _in_step(ctx, "att"):
        await ctx.set_dialog(INTAKE, "confirm", data)
        return await _summary(ctx, data)
    if kind == "ok" and _in_step(ctx, "confirm"):
        return await _file(ctx, data, edit=True)
    if kind == "no" and ctx.dialog is not None and ctx.dialog.flow == INTAKE:
        await ctx.clear_dialog()
        return Reply("已取消，未提交任何内容。", edit=True)
    return Reply(EXPIRED, toast=True)


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
    return Reply(text, buttons=[[Button("确认提交", data="ai:ok"), Button("取消", data="ai:no")]])


@flow(INTAKE)
async def on_intake_message(ctx: Context):
    """Messages while the intake dialog is open: the description, attachments, or typed choices."""
    data = dict(ctx.dialog.data or {})
    step = ctx.dialog.step
    text = ctx.text
    if step == "cat" and (text in CATEGORIES or text == "自动识别"):
        data["category"] = None if text == "自动识别" else text
        await ctx.set_dialog(INTAKE, "urg", data)
        return Reply(PROMPTS["urg"][0], buttons=_urgency_buttons())
    if step == "urg" and text.upper() in ("A", "B"):
        data["urgency"] = text.upper()
        await ctx.set_dialog(INTAKE, "desc", data)
        return Reply("请用一段文字描述问题：现状、困难、希望得到的支持（5～2000字）。")
    if step in PROMPTS:
        ents = await cadre_enterprises(ctx) if step == "ent" else []
        prompt, make = PROMPTS[step]
        return Reply("请点击下方按钮选择。" + prompt + "\n（发送 /cancel 取消）", buttons=make(ents))
    if step == "desc":
        if not text and ctx.inc.attachments:
            return Reply("请先用文字描述问题，再发送照片或文件。")
        error = validate_text(text)
        if error:
            return Reply(error)
        data["description"] = text
        data["files"] = _files(ctx, [])
        await ctx.set_dialog(INTAKE, "att", data)
        return Reply("可以发送现场照片或文件作为附件（可选）。发送完毕或不需要附件时，请点击“完成”。",
                     buttons=[[Button("完成", data="ai:done")]])
    if step == "att":
        if not ctx.inc.attachments:
            return Reply("请发送照片或文件，或点击“完成”继续。", buttons=[[Button("完成", data="ai:done")]])
        files = data.get("files") or []
        if len(files) >= MAX_FILES:
            return Reply(f"附件最多 {MAX_FILES} 个，请点击“完成”继续。", buttons=[[Button("完成", data="ai:done")]])
        data["files"] = _files(ctx, files)
        await ctx.set_dialog(INTAKE, "att", data)
        return Reply(f"已收到附件（共 {len(data['files'])} 个）。可继续发送，或点击“完成”。",
                     buttons=[[Button("完成", data="ai:done")]])
    if step == "confirm":
        return await _summary(ctx, data)
    await ctx.clear_dialog()
    return Reply(EXPIRED)


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
    appeal = await file_appeal(ctx, enterprise_id=data["enterprise_id"], description=data["description"],
                               category=data.get("category"), urgency=data.get("urgency") or "B",
                               attachments=data.get("files") or ())
    await ctx.clear_dialog()
    routed = await ctx.session.get(OrgUnit, appeal.routed_unit_id) if appeal.routed_unit_id else None
    how = "自动识别" if appeal.category_confidence is not None else "您选择"
    head = (f"✅ 已提交诉求 #{appeal.id}。\n类别：{appeal.category}（{how}）；对口单位：{short_unit(routed.name) if routed else '—'}；"
            f"等待{appeal.county.name}县级审核。\n类别不对可点“更正类别”（审核前有效）。")
    replies = [Reply(head, edit=edit), await appeal_card(ctx, appeal)]
    similar = await similar_appeals(ctx, appeal)
    if similar:
        lines = ["🔎 其他企业的类似诉求及办理情况："] + [similar_line(a) for a, _ in similar]
        buttons = [[Button(f"查看 #{a.id}", data=f"ap:v:{a.id}") for a, _ in similar]]
        replies.append(Reply("\n".join(lines), buttons=buttons if ctx.user.role == Role.ADMIN else []))
    return replies

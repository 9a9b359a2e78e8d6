"""Plain private messages about appeals: '帮我查一下诉求1的进展' opens it; a problem offers to become one."""
from __future__ import annotations

import re

from handlers.context import Context
from handlers.ids import parse_id
from handlers.registry import text_handler
from handlers.types import Button, Reply
from storage.models import Role

from .actions import load_appeal
from .rules import infer_urgency, validate_text
from .service import appeal_card, can_view

LOOKUP_RE = re.compile(r"诉求\s*[#＃]?\s*([0-9]{1,12})")
LOOKUP_WORDS = re.compile(r"进展|进度|情况|状态|查|看|怎么样|到哪|办得|结果")
# Wording of an enterprise's problem; a question (policy) or a post (supply) has already been tried.
PROBLEM_RE = re.compile(r"希望协调|请求协调|请协调|需要协调|帮忙协调|急需|困难|难题|紧张|被拒|拒贷|拖欠|卡住|迟迟|"
                        r"落实不了|解决不了|办不下来|批不下来|不到位|影响生产|影响投产|停产|断供|短缺|缺口")
REPORT_RE = re.compile(r"^(我|我们)?(要|想)?(反映|提交|提|报)(一个|个|一下)?(问题|诉求|困难)")


@text_handler("appeal_lookup", priority=40, where="private")
async def lookup(ctx: Context):
    """'帮我查一下诉求1的进展' -> the card of appeal 1, for anyone who may see it."""
    m = LOOKUP_RE.search(ctx.text)
    if m is None or not LOOKUP_WORDS.search(ctx.text):
        return None
    appeal = await load_appeal(ctx, m.group(1)) if parse_id(m.group(1)) is not None else None
    if appeal is None or not await can_view(ctx, appeal):
        return Reply(f"没有找到您可查看的诉求 #{m.group(1)}。发送 /my 或 /todo 查看您的诉求。")
    return await appeal_card(ctx, appeal)


@text_handler("appeal_offer", priority=90, where="private")
async def offer(ctx: Context):
    """A cadre's message that reads as a problem: offer to file it (the text is kept in the dialog)."""
    if ctx.user.role != Role.CADRE:
        return None
    text = ctx.text
    if REPORT_RE.search(text) and validate_text(REPORT_RE.sub("", text).strip(" ，,。：:")) is not None:
        from .intake import appeal_command  # '我要反映问题' with nothing more: the guided /appeal

        ctx.args = ""
        return await appeal_command(ctx)
    if not PROBLEM_RE.search(text) or validate_text(text) is not None:
        return None
    from .intake import INTAKE, cadre_enterprises

    if not await cadre_enterprises(ctx):
        return None
    urgency, _word = infer_urgency(text)
    await ctx.set_dialog(INTAKE, "offer", {"quick": True, "description": text, "category": None, "urgency": urgency})
    owner = ctx.user.id
    return Reply(f"这条消息像是企业遇到的问题：\n“{text}”\n要作为问题诉求提交，由县、市两级协调办理吗？",
                 buttons=[[Button("📝 提交为诉求", data=f"ai:of:{owner}"), Button("不用了", data=f"ai:no:{owner}")]])

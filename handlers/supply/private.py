"""A plain private message that reads as a supply/demand post: offer to post it in one tap.

Runs before the policy area's private-question handler (priority 60); anything that reads as a
question (ends with ？ or 吗) is left to policy.
"""
from __future__ import annotations

import re

from nlp.matching.posts import classify_group_message
from storage.models import Role
from storage.models.supply import KIND_NAMES, PostKind

from ..context import Context
from ..registry import text_handler
from ..types import Button, Reply
from .posting import draft_card, new_draft

_QUESTION = re.compile(r"([?？]|[吗呢么嘛])[\s!！。.~～]*$")
# Funding, land, power, staff, approvals and policy are appeals or policy questions, not goods.
_FACTOR = re.compile(
    r"贷款|资金|融资|授信|担保|环评|能评|安评|手续|审批|办理|许可|证书|用电|增容|电力指标|用能|土地|用地|"
    r"[0-9一二三四五六七八九十百千万]+亩|厂房指标|招聘|招工|用工|人才|工人|员工|技工|政策|补贴|奖补|申报|认定|税")


@text_handler("supply_private_post", priority=55, where="private")
async def private_post(ctx: Context) -> Reply | None:
    """急需PP颗粒20吨 in private: a draft with 发布为需求 / 发布为供应 buttons; else pass."""
    if ctx.user is None or ctx.user.role != Role.CADRE or not ctx.text:
        return None
    text = ctx.text.strip()
    if _QUESTION.search(text) or _FACTOR.search(text):
        return None  # a question or a factor need: the policy assistant / appeals handle it
    kind = classify_group_message(text)
    if kind is None:
        return None
    draft = await new_draft(ctx, kind, text, "private")
    if isinstance(draft, str):
        return None
    card = await draft_card(ctx, draft)
    first = [Button(f"📢 发布为{KIND_NAMES[k]}", data=f"sd:{a}:{draft.id}")
             for k, a in ((kind, "p" + kind[0]), (_other(kind), "p" + _other(kind)[0]))]
    rest = [row for row in card.buttons if not any((b.data or "").startswith(("sd:ok:", "sd:kd:")) for b in row)]
    hint = (f"这条消息像一条{KIND_NAMES[kind]}信息。点下方按钮即可发布并自动匹配；"
            "如果不是，忽略即可（也可以发 /supply 或 /demand 加内容）。\n\n")
    return Reply(hint + card.text, buttons=[first] + rest)


def _other(kind: str) -> str:
    return PostKind.DEMAND if kind == PostKind.SUPPLY else PostKind.SUPPLY

"""Ledgers, figures and enterprise files are shown only in private: asked in a group, they go privately."""
from __future__ import annotations

from storage.outbox import queue_notification

from .context import Context
from .types import Reply

SENT_PRIVATELY = "🔒 台账、统计和企业档案只在私聊中发送，已私信发给您。"


ASK_IN_PRIVATE = "🔒 台账、统计和企业档案只在私聊中发送，请在与攀登助手的私聊中发送该命令获取文件。"


def private_chat_id(ctx: Context) -> int | None:
    """The sender's one-to-one chat: where user ids are numbers (and on the console) it is the sender's own id."""
    raw = ctx.inc.user_id
    if isinstance(raw, int):
        return raw
    return int(raw) if isinstance(raw, str) and raw.isascii() and raw.isdigit() else None


async def send_privately(ctx: Context, replies: list[Reply]) -> list[Reply]:
    """Text and charts through the outbox to the user, files straight to their private chat; the group hears a note."""
    out: list[Reply] = []
    sent = False
    for r in replies:
        if r.toast and ctx.inc.is_button:
            out.append(r)  # a pop-up only the presser sees (refusals): harmless in a group
        elif r.photo is not None and r.document is None:  # charts: the outbox carries photos
            await queue_notification(ctx.session, ctx.user.id, r.text, r.buttons, kind="private", now=ctx.now,
                                     photo=r.photo.content)
            sent = True
        elif r.document is not None:  # files (the ledger workbook) go straight to the private chat
            chat_id = private_chat_id(ctx)
            if chat_id is None:  # a platform whose private chat we cannot name: never post the file in the group
                return [Reply(ASK_IN_PRIVATE, toast=ctx.inc.is_button)]
            out.append(Reply(r.text, buttons=r.buttons, chat_id=chat_id, document=r.document, photo=r.photo))
            sent = True
        elif r.text.strip():
            await ctx.notify(ctx.user, r.text, r.buttons, kind="private")
            sent = True
    if sent:
        out.append(Reply(SENT_PRIVATELY, toast=ctx.inc.is_button))
    return out

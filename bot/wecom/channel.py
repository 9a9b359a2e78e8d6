"""Sending on WeCom: the outbox Deliverer, replies to one callback, and the numbered-choice menus."""
from __future__ import annotations

import asyncio
import logging

from sqlalchemy import select, update

from handlers.types import Button, Incoming, OutFile, Reply
from storage.db import Database
from storage.models import PlatformAccount
from storage.outbox import queue_notification

from ..delivery import PermanentError, RetryLater, SendError, TransientError
from .api import WeComApi
from .inbound import PLATFORM
from .render import Message, outbox_messages, reply_messages

log = logging.getLogger(__name__)


async def send_message(api: WeComApi, db: Database, userid: str, msg: Message,
                       response_code: str | None = None) -> None:
    """One message: upload its file first, update the pressed card or send anew, remember its menu."""
    content = dict(msg.content)
    if msg.file is not None:
        content = {"media_id": await api.upload(msg.msgtype, msg.file.filename, msg.file.content)}
    if msg.update and response_code:
        if content:
            await api.update_card(userid, response_code, card=content)
        else:
            await api.update_card(userid, response_code, replace_name=msg.done_label)
    elif msg.update and not content:
        return  # nothing to grey out without a response_code
    else:
        await api.send(userid, msg.msgtype, content)
    if msg.menu is not None:
        await set_menu(db, userid, msg.menu)


async def set_menu(db: Database, userid: str, menu: list[list[str]] | None) -> None:
    """Remember (or forget) the numbered choices last offered to a member."""
    async with db.session() as s:
        stmt = update(PlatformAccount).where(PlatformAccount.platform == PLATFORM, PlatformAccount.external_id == userid)
        if menu is None:
            stmt = stmt.where(PlatformAccount.menu.is_not(None))
        await s.execute(stmt.values(menu=menu))


async def numbered_press(db: Database, inc: Incoming) -> Incoming:
    """A typed number that picks one of the offered choices becomes that button press."""
    text = (inc.text or "").strip()
    if inc.is_button or inc.attachments:
        return inc
    async with db.session() as s:  # a read: cheap, and most messages stop here
        menu = await s.scalar(select(PlatformAccount.menu).where(
            PlatformAccount.platform == PLATFORM, PlatformAccount.external_id == str(inc.user_id)))
    if not (text.isascii() and text.isdigit() and len(text) <= 2):
        if menu:
            await set_menu(db, str(inc.user_id), None)  # they moved on: an old menu must not catch a later number
        return inc
    index = int(text) - 1
    if not menu or not 0 <= index < len(menu):
        return inc
    await set_menu(db, str(inc.user_id), None)
    return Incoming(platform=inc.platform, user_id=inc.user_id, chat_id=inc.chat_id, chat_type=inc.chat_type,
                    callback_data=menu[index][1], update_id=inc.update_id, user_name=inc.user_name)


class WeComDeliverer:
    """The outbox's Deliverer for WeCom: message/send to the member's userid (no group chats)."""

    platform = PLATFORM
    groups = False

    def __init__(self, api: WeComApi, db: Database) -> None:
        self.api = api
        self.db = db

    def pieces(self, text: str, buttons: list[list[dict]] | None) -> list[Message]:
        """Text pieces of at most 2,048 bytes, a card or numbered choices for the buttons."""
        return outbox_messages(text, buttons)

    def photo_pieces(self, text: str, buttons: list[list[dict]] | None, png: bytes) -> list[Message]:
        """The image (media/upload, then an image message) first, then the text and its buttons."""
        return [Message("image", {}, file=OutFile("chart.png", png)), *outbox_messages(text, buttons)]

    async def send_piece(self, target: str, piece: Message) -> None:
        """One message/send."""
        await send_message(self.api, self.db, target, piece)


class ReplySender:
    """Sends the replies to one callback; what cannot be sent now goes to the outbox, never lost."""

    def __init__(self, api: WeComApi, db: Database, *, attempts: int = 3, sleep=asyncio.sleep, clock=None) -> None:
        self.api = api
        self.db = db
        self.clock = clock  # the runner's clock: a queued reply is due by the sender's clock
        self.attempts = attempts
        self.sleep = sleep
        self.stats = {"sent": 0, "queued": 0, "failed": 0}

    async def send(self, inc: Incoming, replies: list[Reply]) -> None:
        """Every reply in order; the first edit of a pressed card uses its response_code."""
        userid = str(inc.user_id)
        response_code = inc.callback_id if inc.is_button else None
        for reply in replies:
            for msg in reply_messages(reply, can_update=response_code is not None):
                code = response_code if msg.update else None
                if msg.update:
                    response_code = None  # a response_code works once
                await self._send_one(inc, userid, msg, code)

    async def _send_one(self, inc: Incoming, userid: str, msg: Message, code: str | None) -> None:
        delay = 0.5
        for attempt in range(1, self.attempts + 1):
            try:
                await send_message(self.api, self.db, userid, msg, code)
                self.stats["sent"] += 1
                return
            except RetryLater as exc:
                if attempt < self.attempts:
                    await self.sleep(exc.seconds)
                    continue
                error: SendError = exc
            except TransientError as exc:
                if attempt < self.attempts:
                    await self.sleep(delay)
                    delay *= 2
                    continue
                error = exc
            except PermanentError as exc:
                if msg.update and not msg.content:  # greying an old card out failed: nothing is lost
                    return
                if msg.update and code:  # an old or used response_code: send the card as a new message
                    msg.update, code = False, None
                    continue
                error = exc
            break
        await self._queue(inc, msg, error)

    async def _queue(self, inc: Incoming, msg: Message, error: SendError) -> None:
        """Hand an unsent text or card to the outbox (the sender retries with backoff)."""
        if msg.update and not msg.content:
            return  # a card that stays clickable: its buttons are checked on the server anyway
        text = msg.content.get("content") or _card_text(msg.content)
        buttons = [[Button(b["text"], data=b["key"])] for b in msg.content.get("button_list", [])]
        if isinstance(error, PermanentError) or not text:
            self.stats["failed"] += 1
            log.warning("wecom reply to %s not sent: %s", inc.user_id, error)
            return
        async with self.db.session() as s:
            user_id = await s.scalar(select(PlatformAccount.user_id).where(
                PlatformAccount.platform == PLATFORM, PlatformAccount.external_id == str(inc.user_id)))
            if user_id is None:
                self.stats["failed"] += 1
                log.warning("wecom reply to an unknown member not sent: %s", error)
                return
            await queue_notification(s, user_id, text, buttons or None, kind="reply",
                                     now=self.clock() if self.clock else None)
        self.stats["queued"] += 1


def _card_text(card: dict) -> str:
    parts = [card.get("main_title", {}).get("title", ""), card.get("sub_title_text", "")]
    return "\n".join(p for p in parts if p)

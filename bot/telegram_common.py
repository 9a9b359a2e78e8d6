"""What both Telegram adapters share: update → Incoming, replies → a plan of API calls, errors."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from handlers.types import (CALLBACK_DATA_LIMIT, MESSAGE_LIMIT, Attachment, Button, Incoming,
                            OutFile, Reply, split_text)

# Errors every transport maps its framework's exceptions into (shared by every channel).
from .delivery import BlockedByUser, PermanentError, RetryLater, SendError, SendTimeout, TransientError  # noqa: F401

log = logging.getLogger(__name__)

CAPTION_LIMIT = 1024
TOAST_LIMIT = 200  # answerCallbackQuery text limit
PLATFORM = "telegram"
ALLOWED_UPDATES = ["message", "callback_query"]


def not_modified(exc: BaseException) -> bool:
    """True for Telegram's harmless 'message is not modified' answer to an edit."""
    return "message is not modified" in str(exc).lower()


# ---- incoming ------------------------------------------------------------------------------
def _chat_type(chat: Any) -> str:
    kind = str(getattr(chat.type, "value", chat.type))
    return kind if kind in ("private", "group", "supergroup") else "channel"


def _attachments(message: Any) -> tuple[Attachment, ...]:
    out: list[Attachment] = []
    if getattr(message, "photo", None):
        best = message.photo[-1]  # Telegram lists sizes smallest first
        out.append(Attachment("photo", best.file_id, None, "image/jpeg", best.file_size))
    doc = getattr(message, "document", None)
    if doc is not None:
        out.append(Attachment("document", doc.file_id, doc.file_name, doc.mime_type, doc.file_size))
    return tuple(out)


def message_to_incoming(update_id: int | None, message: Any, bot_id: int) -> Incoming | None:
    """A Message (aiogram or PTB object: same field names) → Incoming; None when irrelevant."""
    user = getattr(message, "from_user", None)
    if user is None or getattr(user, "is_bot", False):
        return None
    chat = message.chat
    event = None
    members = getattr(message, "new_chat_members", None) or []
    if any(m.id == bot_id for m in members):
        event = "bot_added"
    text = message.text or message.caption or ""
    attachments = _attachments(message)
    if not text and not attachments and event is None:
        return None  # stickers, service messages and the like
    return Incoming(platform=PLATFORM, user_id=user.id, chat_id=chat.id,
                    chat_type=_chat_type(chat), text=text, message_id=message.message_id,
                    update_id=update_id, user_name=user.full_name or "",
                    username=user.username, chat_title=getattr(chat, "title", None),
                    attachments=attachments, event=event)


def callback_to_incoming(update_id: int | None, query: Any) -> Incoming | None:
    """A CallbackQuery (aiogram or PTB) → Incoming with callback_data set."""
    message = getattr(query, "message", None)
    if message is None or query.data is None:
        return None  # inline-mode or game buttons: not ours
    data = query.data
    if len(data.encode()) > CALLBACK_DATA_LIMIT:
        log.warning("callback data over %d bytes refused", CALLBACK_DATA_LIMIT)
        data = "invalid"
    chat = message.chat
    return Incoming(platform=PLATFORM, user_id=query.from_user.id, chat_id=chat.id,
                    chat_type=_chat_type(chat), callback_data=data, callback_id=str(query.id),
                    message_id=message.message_id, update_id=update_id,
                    user_name=query.from_user.full_name or "", username=query.from_user.username,
                    chat_title=getattr(chat, "title", None))


# ---- outgoing ------------------------------------------------------------------------------
@dataclass
class Action:
    """One Bot API call to make: answer, edit, text, photo or document."""

    kind: str  # answer | edit | text | photo | document
    chat_id: int
    text: str = ""
    keyboard: list[list[dict]] | None = None  # [[{"text":..., "data"|"url":...}]]
    message_id: int | None = None
    callback_id: str | None = None
    show_alert: bool = False
    file: OutFile | None = None
    fallback: list["Action"] = field(default_factory=list)  # if an edit fails


def keyboard_rows(buttons: list[list[Button]] | list[list[dict]] | None) -> list[list[dict]] | None:
    """Buttons (objects or outbox JSON) → plain rows, guarding the 64-byte callback limit."""
    if not buttons:
        return None
    rows: list[list[dict]] = []
    for row in buttons:
        out = []
        for b in row:
            d = b if isinstance(b, dict) else {"text": b.text, "data": b.data, "url": b.url}
            if d.get("data") is not None:
                assert len(d["data"].encode()) <= CALLBACK_DATA_LIMIT, d["data"]
            out.append({k: v for k, v in d.items() if v is not None})
        rows.append(out)
    return rows


def text_actions(chat_id: int, text: str, keyboard: list[list[dict]] | None) -> list[Action]:
    """Send text in pieces under 4,096 characters; the keyboard goes on the last piece."""
    pieces = [p for p in split_text(text, MESSAGE_LIMIT) if p.strip()]
    acts = [Action("text", chat_id, p) for p in pieces]
    if acts:
        acts[-1].keyboard = keyboard
    return acts


def plan(inc: Incoming, replies: list[Reply]) -> list[Action]:
    """Turn the handlers' replies to one update into Bot API calls, in order."""
    acts: list[Action] = []
    toast = next((r for r in replies if r.toast and inc.is_button), None)
    if inc.is_button and inc.callback_id:
        # Answer every press first so the user's spinner stops, with the toast if there is one.
        text = (toast.text if toast else "")[:TOAST_LIMIT]
        acts.append(Action("answer", inc.chat_id, text, callback_id=inc.callback_id,
                           show_alert=bool(toast and len(toast.text) > 60)))
    for r in replies:
        if r is toast:
            continue
        chat_id = r.chat_id if r.chat_id is not None else inc.chat_id
        keyboard = keyboard_rows(r.buttons)
        media = r.document or r.photo
        if media is not None:
            kind = "document" if r.document is not None else "photo"
            caption = r.text if len(r.text) <= CAPTION_LIMIT else ""
            acts.append(Action(kind, chat_id, caption, keyboard if caption else None, file=media))
            if r.text and not caption:
                acts.extend(text_actions(chat_id, r.text, keyboard))
            continue
        if not r.text.strip():
            continue
        if r.edit and inc.is_button and inc.message_id and chat_id == inc.chat_id:
            pieces = split_text(r.text, MESSAGE_LIMIT)
            fallback = text_actions(chat_id, r.text, keyboard)
            edit = Action("edit", chat_id, pieces[0], keyboard if len(pieces) == 1 else None,
                          message_id=inc.message_id, fallback=fallback)
            acts.append(edit)
            if len(pieces) > 1:
                acts.extend(text_actions(chat_id, "\n".join(pieces[1:]), keyboard))
            continue
        acts.extend(text_actions(chat_id, r.text, keyboard))
    return acts


def menu_commands(scope: str = "private") -> list[tuple[str, str]]:
    """(command, Chinese description) pairs for setMyCommands in private chats or in groups."""
    import handlers.modules  # noqa: F401  (registers every capability)
    from handlers.registry import COMMANDS

    places = ("any", "private") if scope == "private" else ("any", "group")
    return [(s.name, s.description[:256]) for s in COMMANDS.values()
            if s.menu and s.where in places and s.name.isascii() and s.name.islower()]


# ---- executing a plan through a framework transport ------------------------------------------
class Transport:
    """The few Bot API calls the bot makes; each adapter implements them with its framework."""

    bot_id: int = 0

    async def answer_callback(self, callback_id: str, text: str, show_alert: bool) -> None:
        """answerCallbackQuery."""
        raise NotImplementedError

    async def send_text(self, chat_id: int, text: str, keyboard: list[list[dict]] | None) -> int:
        """sendMessage; returns the message id."""
        raise NotImplementedError

    async def edit_text(self, chat_id: int, message_id: int, text: str,
                        keyboard: list[list[dict]] | None) -> None:
        """editMessageText."""
        raise NotImplementedError

    async def send_file(self, kind: str, chat_id: int, file: OutFile, caption: str,
                        keyboard: list[list[dict]] | None) -> int:
        """sendPhoto (kind='photo') or sendDocument; returns the message id."""
        raise NotImplementedError

    async def download(self, file_id: str) -> bytes:
        """getFile plus the download of its bytes."""
        raise NotImplementedError


async def call_with_retry(fn, *args, attempts: int = 4, sleep=None) -> Any:
    """Run one Bot API call; wait out 429s and retry 5xx/network errors a few times."""
    import asyncio

    sleep = sleep or asyncio.sleep
    delay = 0.5
    for attempt in range(1, attempts + 1):
        try:
            return await fn(*args)
        except RetryLater as exc:
            if attempt == attempts:
                raise
            await sleep(exc.seconds)
        except TransientError:
            if attempt == attempts:
                raise
            await sleep(delay)
            delay *= 2


async def execute(transport: Transport, actions: list[Action], failed: list[Action] | None = None) -> int:
    """Perform the planned calls in order; returns how many succeeded. Never raises SendError.

    Text that could not be sent (after the short retries) is appended to `failed`, with every
    later text for the same chat, so the caller can queue them in the outbox in their order.
    """
    done = 0
    stuck: set[int] = set()  # chats whose earlier text failed: later ones must not overtake it
    for act in actions:
        if failed is not None and act.chat_id in stuck and act.kind != "answer":
            failed.extend(as_texts(act))
            continue
        try:
            if act.kind == "answer":
                await call_with_retry(transport.answer_callback, act.callback_id, act.text,
                                      act.show_alert)
            elif act.kind == "edit":
                try:
                    await call_with_retry(transport.edit_text, act.chat_id, act.message_id,
                                          act.text, act.keyboard)
                except PermanentError as exc:
                    if not_modified(exc):
                        pass
                    else:  # too old or deleted: send it as a new message instead
                        done += await execute(transport, act.fallback, failed)
                        continue
            elif act.kind == "text":
                await call_with_retry(transport.send_text, act.chat_id, act.text, act.keyboard)
            else:
                assert act.file is not None
                await call_with_retry(transport.send_file, act.kind, act.chat_id, act.file,
                                      act.text, act.keyboard)
            done += 1
        except SendError as exc:
            log.warning("%s to chat %s failed: %s", act.kind, act.chat_id, exc)
            if failed is not None and act.kind != "answer" and not isinstance(exc, (BlockedByUser, PermanentError)):
                failed.extend(as_texts(act))
                stuck.add(act.chat_id)
    return done


class TelegramDeliverer:
    """The outbox's Deliverer for Telegram: text pieces under 4,096 characters through a Transport."""

    platform = PLATFORM

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    def pieces(self, text: str, buttons: list[list[dict]] | None) -> list[Action]:
        """sendMessage calls (the chat id is filled in by send_piece)."""
        return text_actions(0, text, keyboard_rows(buttons))

    def photo_pieces(self, text: str, buttons: list[list[dict]] | None, png: bytes) -> list[Action]:
        """One sendPhoto with the text as caption and the buttons (text beyond the caption limit follows)."""
        keyboard = keyboard_rows(buttons)
        if len(text) <= CAPTION_LIMIT:
            return [Action("photo", 0, text, keyboard, file=OutFile("chart.png", png))]
        return [Action("photo", 0, "", None, file=OutFile("chart.png", png)), *text_actions(0, text, keyboard)]

    async def send_piece(self, target: str, piece: Action) -> None:
        """One sendMessage (or sendPhoto) to a user's Telegram id or a group's chat id."""
        if piece.kind == "photo":
            await self.transport.send_file("photo", int(target), piece.file, piece.text, piece.keyboard)
            return
        await self.transport.send_text(int(target), piece.text, piece.keyboard)


def invite_link(username: str | None):
    """The InviteLink port for Telegram: a t.me deep link that opens the bot with /start <code>."""

    def link(code: str) -> str | None:
        name = username() if callable(username) else username
        if not name:
            return None
        return f"Telegram：https://t.me/{name.lstrip('@')}?start={code}"

    return link


def as_texts(act: Action) -> list[Action]:
    """What of an action can still be delivered later as plain messages (an edit becomes its text)."""
    if act.kind == "text":
        return [act]
    if act.kind == "edit":
        return list(act.fallback)
    if act.text:  # a file's caption; the file itself is not kept
        return [Action("text", act.chat_id, act.text, act.keyboard)]
    return []

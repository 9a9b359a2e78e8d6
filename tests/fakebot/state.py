"""In-memory state of the fake Bot API server: users, chats, messages, files, updates, faults."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

# Fields that are always plain strings even if they look like JSON or numbers.
TEXT_FIELDS = {
    "text", "caption", "callback_query_id", "url", "secret_token", "file_id", "parse_mode",
    "description", "short_description", "name", "language_code", "inline_message_id",
    "ip_address", "certificate", "photo", "document", "thumbnail", "business_connection_id",
    "message_effect_id", "emoji",
}

BUTTON_DATA_LIMIT = 64
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024


def coerce_params(raw: dict[str, Any]) -> dict[str, Any]:
    """Decode form-encoded Bot API parameters (JSON-serialised values) into Python values."""
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str) and key not in TEXT_FIELDS:
            try:
                value = json.loads(value)
            except ValueError:
                pass
        out[key] = value
    return out


def utf16_len(text: str) -> int:
    """Length of text in UTF-16 code units, the unit Telegram entity offsets use."""
    return len(text.encode("utf-16-le")) // 2


class ApiError(Exception):
    """A Bot API error answer: HTTP status, description and optional parameters."""

    def __init__(self, code: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> dict:
        """The JSON body Telegram would answer with."""
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


@dataclass
class Call:
    """One recorded Bot API call."""

    ts: float
    method: str
    params: dict[str, Any]
    status: int = 200
    result: Any = None


@dataclass
class Fault:
    """A scheduled failure for the next `times` calls of a method (optionally one chat only)."""

    method: str
    kind: str  # "429" | "500" | "403" | "400"
    times: int
    retry_after: int = 1
    chat_id: int | None = None
    description: str | None = None

    def error(self) -> ApiError:
        """The ApiError this fault produces."""
        if self.kind == "429":
            return ApiError(429, self.description or f"Too Many Requests: retry after {self.retry_after}",
                            {"retry_after": self.retry_after})
        if self.kind == "403":
            return ApiError(403, self.description or "Forbidden: bot was blocked by the user")
        if self.kind == "400":
            return ApiError(400, self.description or "Bad Request: fault injected")
        return ApiError(int(self.kind) if self.kind.isdigit() else 500,
                        self.description or "Internal Server Error")


@dataclass
class StoredFile:
    """A file known to the fake: uploaded by the bot or injected as a user upload."""

    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None


@dataclass
class SentMessage:
    """A message the bot sent (current state after edits) plus its edit history."""

    chat_id: int
    message_id: int
    date: int
    text: str | None = None
    caption: str | None = None
    reply_markup: dict | None = None
    parse_mode: str | None = None
    photo: StoredFile | None = None
    document: StoredFile | None = None
    edits: list[dict] = field(default_factory=list)
    params: dict = field(default_factory=dict)

    @property
    def buttons(self) -> list[tuple[str, str | None]]:
        """Flat list of (label, callback_data) of the inline keyboard."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [(b.get("text"), b.get("callback_data")) for row in rows for b in row]

    @property
    def body(self) -> str:
        """Text or caption, whichever the message carries."""
        return self.text if self.text is not None else (self.caption or "")


@dataclass
class QueuedUpdate:
    """An update waiting in the getUpdates queue (delivered = returned at least once)."""

    seq: int
    update: dict
    kind: str
    delivered: bool = False


class BotState:
    """Everything the fake server remembers; test controls and method handlers share it."""

    def __init__(self, token: str, username: str = "pandeng_test_bot", first_update_id: int = 100001):
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_user = {"id": self.bot_id, "is_bot": True, "first_name": "攀登助手",
                         "username": username, "can_join_groups": True,
                         "can_read_all_group_messages": False, "supports_inline_queries": False}
        self.users: dict[int, dict] = {}
        self.chats: dict[int, dict] = {}
        self.messages: dict[int, list[SentMessage]] = {}  # bot-sent messages per chat
        self.user_messages: dict[int, list[dict]] = {}  # user-sent (injected) messages per chat
        self.files: dict[str, StoredFile] = {}
        self.callbacks: dict[str, dict] = {}  # callback_query_id -> {"answered": ..., ...}
        self.commands: dict[str, list[dict]] = {}
        self.webhook: dict[str, Any] = {"url": ""}
        self.queue: list[QueuedUpdate] = []
        self.calls: list[Call] = []
        self.faults: list[Fault] = []
        self.blocked: set[int] = set()
        self.poll_generation = 0
        self._ids = itertools.count(1)
        self._update_ids = itertools.count(first_update_id)
        self._msg_ids: dict[int, itertools.count] = {}
        self._changed = asyncio.Event()

    # ---- identities -------------------------------------------------------------------
    def next_id(self) -> int:
        """A fresh small integer for ids of callbacks, files and so on."""
        return next(self._ids)

    def next_update_id(self) -> int:
        """The next update_id (monotonic, like Telegram)."""
        return next(self._update_ids)

    def next_message_id(self, chat_id: int) -> int:
        """Message ids are per chat and shared by user and bot messages, as in Telegram."""
        return next(self._msg_ids.setdefault(chat_id, itertools.count(1)))

    def user(self, user_id: int, first_name: str | None = None, username: str | None = None,
             language_code: str = "zh-hans") -> dict:
        """Register (or fetch) a user and their private chat."""
        if user_id not in self.users:
            u = {"id": user_id, "is_bot": False, "first_name": first_name or f"用户{user_id}",
                 "language_code": language_code}
            if username:
                u["username"] = username
            self.users[user_id] = u
            self.chats[user_id] = {"id": user_id, "type": "private", "first_name": u["first_name"],
                                   **({"username": username} if username else {})}
        return self.users[user_id]

    def group(self, chat_id: int, title: str | None = None) -> dict:
        """Register (or fetch) a group chat; negative ids below -10**12 become supergroups."""
        if chat_id not in self.chats:
            kind = "supergroup" if chat_id < -1_000_000_000_000 else "group"
            self.chats[chat_id] = {"id": chat_id, "type": kind, "title": title or f"群{chat_id}"}
        return self.chats[chat_id]

    def chat(self, chat_id: Any) -> dict:
        """Resolve a chat_id parameter or raise Telegram's 'chat not found'."""
        try:
            cid = int(chat_id)
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None
        if cid not in self.chats:
            raise ApiError(400, "Bad Request: chat not found")
        return self.chats[cid]

    # ---- faults -----------------------------------------------------------------------
    def take_fault(self, method: str, params: dict) -> ApiError | None:
        """Consume a scheduled fault matching this call, if any."""
        for fault in self.faults:
            if fault.method.lower() != method.lower() or fault.times <= 0:
                continue
            if fault.chat_id is not None and str(params.get("chat_id")) != str(fault.chat_id):
                continue
            fault.times -= 1
            err = fault.error()
            self.faults = [f for f in self.faults if f.times > 0]
            return err
        return None

    # ---- updates ----------------------------------------------------------------------
    async def enqueue(self, update: dict) -> dict:
        """Put an update in the getUpdates queue and wake long pollers."""
        kind = next(k for k in update if k != "update_id")
        self.queue.append(QueuedUpdate(self.next_id(), update, kind))
        await self.notify()
        return update

    async def notify(self) -> None:
        """Wake everyone waiting on state changes (pollers, wait_messages)."""
        # Swap in a fresh event and set the old one: waiters need no lock (a Condition with
        # thousands of short timed waits degrades badly under load).
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    async def wait_change(self, timeout: float) -> None:
        """Return after the next state change or after timeout seconds, whichever comes first."""
        if timeout <= 0:
            return
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except asyncio.TimeoutError:
            pass

    def confirm(self, offset: int | None) -> None:
        """Forget delivered updates below offset (Telegram's confirmation rule)."""
        if offset is None or offset == 0:
            return
        if offset < 0:
            keep = -offset
            self.queue = self.queue[-keep:]
            return
        self.queue = [q for q in self.queue if not (q.delivered and q.update["update_id"] < offset)]

    def pending(self, allowed: list[str] | None, limit: int) -> list[QueuedUpdate]:
        """Updates deliverable now; types outside allowed_updates are dropped like Telegram does."""
        if allowed:
            default_excluded = set()
        else:
            default_excluded = {"chat_member", "message_reaction", "message_reaction_count"}
        keep, out = [], []
        for q in self.queue:
            if (allowed and q.kind not in allowed) or q.kind in default_excluded:
                continue  # dropped
            keep.append(q)
            if len(out) < limit:
                out.append(q)
        self.queue = keep
        return out

    def now(self) -> int:
        """Unix time as Telegram reports it."""
        return int(time.time())

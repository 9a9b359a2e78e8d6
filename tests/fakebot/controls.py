"""Test controls of the fake server: inject user actions, read back what the bot sent, faults."""

from __future__ import annotations

import asyncio
import copy
from typing import Any, Callable

from .methods import document_json, photo_size, store_file
from .state import BotState, Call, Fault, SentMessage, utf16_len


class Controls:
    """Mixin with the test-facing API; expects `self.state: BotState`."""

    state: BotState

    # ---- identities -------------------------------------------------------------------
    def add_user(self, user_id: int, first_name: str | None = None,
                 username: str | None = None) -> dict:
        """Register a Telegram user (and their private chat)."""
        return self.state.user(user_id, first_name, username)

    def add_group(self, chat_id: int, title: str | None = None) -> dict:
        """Register a group chat."""
        return self.state.group(chat_id, title)

    def block_user(self, user_id: int, blocked: bool = True) -> None:
        """Every send to this user answers 403 'bot was blocked by the user' until unblocked."""
        (self.state.blocked.add if blocked else self.state.blocked.discard)(user_id)

    # ---- injecting updates ------------------------------------------------------------
    def _base_message(self, user_id: int, chat_id: int | None) -> dict:
        user = self.state.user(user_id)
        cid = user_id if chat_id is None else chat_id
        chat = self.state.chats.get(cid) or self.state.group(cid)
        msg = {"message_id": self.state.next_message_id(cid), "from": user, "chat": chat,
               "date": self.state.now()}
        self.state.user_messages.setdefault(cid, []).append(msg)
        return msg

    async def _push(self, kind: str, payload: dict) -> dict:
        update = {"update_id": self.state.next_update_id(), kind: payload}
        return await self.state.enqueue(update)

    def text_update(self, user_id: int, text: str, chat_id: int | None = None) -> dict:
        """Build (without queueing) a text-message update; commands get a bot_command entity."""
        msg = self._base_message(user_id, chat_id)
        msg["text"] = text
        if text.startswith("/"):
            cmd = text.split()[0]
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(cmd)}]
        return {"update_id": self.state.next_update_id(), "message": msg}

    async def send_text(self, user_id: int, text: str, chat_id: int | None = None) -> dict:
        """A user writes text (or a /command) in a private chat or in group chat_id."""
        return await self.state.enqueue(self.text_update(user_id, text, chat_id))

    async def send_photo(self, user_id: int, data: bytes, caption: str | None = None,
                         chat_id: int | None = None) -> dict:
        """A user sends a photo; its bytes are downloadable via getFile."""
        f = store_file(self.state, data, "photos", None, "image/jpeg")
        msg = self._base_message(user_id, chat_id)
        small = dict(photo_size(f), width=90, height=67)
        msg["photo"] = [small, photo_size(f)]
        if caption:
            msg["caption"] = caption
        return await self._push("message", msg)

    async def send_document(self, user_id: int, data: bytes, file_name: str,
                            mime_type: str = "application/octet-stream",
                            caption: str | None = None, chat_id: int | None = None) -> dict:
        """A user sends a document; its bytes are downloadable via getFile."""
        f = store_file(self.state, data, "documents", file_name, mime_type)
        msg = self._base_message(user_id, chat_id)
        msg["document"] = document_json(f)
        if caption:
            msg["caption"] = caption
        return await self._push("message", msg)

    def callback_update(self, user_id: int, message: SentMessage | int, data: str,
                        chat_id: int | None = None) -> dict:
        """Build (without queueing) a callback press on a bot message; data may be forged."""
        from .methods import message_json

        if isinstance(message, int):
            cid = user_id if chat_id is None else chat_id
            message = next(m for m in self.state.messages.get(cid, []) if m.message_id == message)
        cq_id = str(9_000_000_000 + self.state.next_id())
        self.state.callbacks[cq_id] = {"answered": False, "data": data, "user_id": user_id,
                                       "chat_id": message.chat_id,
                                       "message_id": message.message_id}
        payload = {"id": cq_id, "from": self.state.user(user_id),
                   "message": message_json(self.state, message),
                   "chat_instance": str(abs(message.chat_id)), "data": data}
        return {"update_id": self.state.next_update_id(), "callback_query": payload}

    async def press(self, user_id: int, message: SentMessage | int, data: str,
                    chat_id: int | None = None) -> str:
        """A user presses a button with this callback data; returns the callback_query id."""
        update = self.callback_update(user_id, message, data, chat_id)
        await self.state.enqueue(update)
        return update["callback_query"]["id"]

    async def press_button(self, user_id: int, label: str, chat_id: int | None = None) -> str:
        """Press the button whose label contains `label` on the newest bot message showing it."""
        cid = user_id if chat_id is None else chat_id
        for msg in reversed(self.state.messages.get(cid, [])):
            for text, data in msg.buttons:
                if text and label in text and data:
                    return await self.press(user_id, msg, data, chat_id)
        shown = [b for m in self.state.messages.get(cid, []) for b in m.buttons]
        raise AssertionError(f"no button labelled {label!r} in chat {cid}; buttons: {shown}")

    async def add_bot_to_group(self, user_id: int, chat_id: int, title: str | None = None
                               ) -> list[dict]:
        """A user adds the bot to a group: a new_chat_members message and a my_chat_member update."""
        chat = self.state.group(chat_id, title)
        msg = self._base_message(user_id, chat_id)
        msg["new_chat_members"] = [self.state.bot_user]
        first = await self._push("message", msg)
        member = {"chat": chat, "from": self.state.user(user_id), "date": self.state.now(),
                  "old_chat_member": {"status": "left", "user": self.state.bot_user},
                  "new_chat_member": {"status": "member", "user": self.state.bot_user}}
        second = await self._push("my_chat_member", member)
        return [first, second]

    async def redeliver(self, update: dict) -> dict:
        """Queue the very same update (same update_id) again, as after a lost confirmation."""
        return await self.state.enqueue(copy.deepcopy(update))

    async def inject(self, update: dict) -> dict:
        """Queue an arbitrary update dict (update_id assigned if missing)."""
        update = dict(update)
        update.setdefault("update_id", self.state.next_update_id())
        return await self.state.enqueue(update)

    # ---- reading back -----------------------------------------------------------------
    def sent(self, chat_id: int) -> list[SentMessage]:
        """Everything the bot sent to a chat, in order (current state after edits)."""
        return list(self.state.messages.get(chat_id, []))

    def texts(self, chat_id: int) -> list[str]:
        """Texts/captions of the bot's messages in a chat."""
        return [m.body for m in self.sent(chat_id)]

    def last(self, chat_id: int) -> SentMessage:
        """The newest bot message in a chat."""
        msgs = self.sent(chat_id)
        assert msgs, f"the bot sent nothing to chat {chat_id}"
        return msgs[-1]

    def callback_answer(self, cq_id: str) -> dict:
        """How the bot answered a callback press (answered, text, show_alert)."""
        return self.state.callbacks[cq_id]

    def calls(self, method: str | None = None) -> list[Call]:
        """The call log (optionally one method, case-insensitive)."""
        return [c for c in self.state.calls if method is None or c.method.lower() == method.lower()]

    def file_bytes(self, file_id: str) -> bytes:
        """Bytes of a stored file (uploaded by the bot or injected)."""
        return self.state.files[file_id].data

    @property
    def commands(self) -> dict[str, list[dict]]:
        """Commands set with setMyCommands, keyed 'scope:chat:lang'."""
        return self.state.commands

    @property
    def webhook(self) -> dict[str, Any]:
        """The registered webhook (url, secret_token, allowed_updates)."""
        return self.state.webhook

    def pending_updates(self) -> int:
        """Updates not yet confirmed by the bot."""
        return len(self.state.queue)

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0,
                       what: str = "condition") -> Any:
        """Wait until predicate() is truthy (re-checked on every state change)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
            await self.state.wait_change(min(remaining, 0.1))

    async def wait_messages(self, chat_id: int, n: int, timeout: float = 5.0) -> list[SentMessage]:
        """Wait until the bot has sent at least n messages to chat_id; returns them all."""
        try:
            await self.wait_for(lambda: len(self.state.messages.get(chat_id, [])) >= n, timeout,
                                f"{n} messages in chat {chat_id}")
        except TimeoutError as exc:
            raise TimeoutError(f"{exc}; got {self.texts(chat_id)!r}") from None
        return self.sent(chat_id)

    async def wait_answered(self, cq_id: str, timeout: float = 5.0) -> dict:
        """Wait until the bot answered a callback press."""
        await self.wait_for(lambda: self.state.callbacks[cq_id].get("answered"), timeout,
                            f"answer to callback {cq_id}")
        return self.state.callbacks[cq_id]

    async def wait_confirmed(self, timeout: float = 5.0) -> None:
        """Wait until the bot confirmed (consumed) every queued update."""
        await self.wait_for(lambda: not self.state.queue, timeout, "all updates confirmed")

    # ---- faults -----------------------------------------------------------------------
    def fail(self, method: str, kind: str = "500", times: int = 1, retry_after: int = 1,
             chat_id: int | None = None, description: str | None = None) -> None:
        """Make the next `times` calls of method fail with '429', '500' (or any 5xx), '403', '400'."""
        self.state.faults.append(Fault(method, str(kind), times, retry_after, chat_id, description))

"""Direct replies that the Bot API did not take go to the outbox, in their order, per chat."""
from __future__ import annotations

import logging

from sqlalchemy import select

from storage.db import Database
from storage.models import Outbox, OutboxStatus, utcnow

from .telegram_common import Action, Transport, as_texts, execute

log = logging.getLogger(__name__)
REPLY_KIND = "reply"


class ReplyQueue:
    """Sends an update's planned replies; what fails (or would overtake a queued reply) is queued."""

    def __init__(self, db: Database, transport: Transport, *, clock=utcnow) -> None:
        self.db = db
        self.transport = transport
        self.clock = clock  # the runner's clock, which the outbox sender compares next_attempt_at with
        # Chats this process queued replies for; only for them is the outbox asked before sending.
        self._behind: set[int] = set()

    async def deliver(self, actions: list[Action]) -> int:
        """Send the actions; returns how many texts were queued in the outbox instead."""
        held = [a for a in actions if a.kind != "answer" and a.chat_id in self._behind]
        if held:
            chats = {a.chat_id for a in held}
            still = await self._still_queued(chats)
            self._behind -= chats - still  # their queue has drained: send directly again
            held = [a for a in held if a.chat_id in still]
        direct = [a for a in actions if a not in held]
        failed: list[Action] = []
        await execute(self.transport, direct, failed)
        queue = [t for a in held for t in as_texts(a)] + failed
        if queue:
            await self._queue(queue)
        return len(queue)

    async def _still_queued(self, chats: set[int]) -> set[int]:
        async with self.db.session(read_only=True) as s:
            rows = await s.scalars(select(Outbox.chat_id).where(
                Outbox.kind == REPLY_KIND, Outbox.status == OutboxStatus.PENDING, Outbox.chat_id.in_(chats)))
            return set(rows)

    async def _queue(self, texts: list[Action]) -> None:
        now = self.clock()
        try:
            async with self.db.session() as s:
                for act in texts:
                    s.add(Outbox(user_id=None, chat_id=act.chat_id, kind=REPLY_KIND, text=act.text,
                                 buttons=act.keyboard, next_attempt_at=now, created_at=now, attempts=0))
            self._behind.update(a.chat_id for a in texts)
            log.warning("%d replies could not be sent now; queued in the outbox", len(texts))
        except Exception:  # the update's work is committed; losing its reply is logged, not raised
            log.exception("queuing %d unsent replies failed", len(texts))


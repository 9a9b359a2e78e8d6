"""Delivers queued notifications (the outbox table) through one platform's Deliverer, exactly once.

Each running channel runs its own sender; a sender claims only the rows it can deliver: users whose
latest bound or used account is on its platform, group chats (for the platform that has groups), and rows
nobody can deliver (no account at all), which it marks undeliverable."""
from __future__ import annotations

import asyncio
import logging
import os
import socket
from dataclasses import dataclass
from typing import Any
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, false, or_, select, true, update
from sqlalchemy.orm import aliased, undefer

from storage.db import Database
from storage.models import Outbox, OutboxStatus, PlatformAccount, User, utcnow

from .outbox_order import BEHIND, in_chat_order
from .delivery import BlockedByUser, Deliverer, PermanentError, RetryLater, SendTimeout, TransientError

GIVE_UP_AFTER_S = 72 * 3600  # a transient failure is retried for three days, then the row is `failed`

log = logging.getLogger(__name__)


@dataclass
class Job:
    """A claimed outbox row plus where it goes."""

    id: int
    user_id: int | None
    target: str | None  # the account's external id, or the explicit chat; None: undeliverable
    text: str
    buttons: list | None
    attempts: int
    blocked: bool
    photo: bytes | None = None  # a PNG: sent as a photo with the text as caption where the platform can
    created_at: datetime | None = None
    held_others: bool = True  # another row may wait for this one (cleared when none can)


class OutboxSender:
    """Claims pending rows, sends them, marks them; safe with several workers on PostgreSQL."""

    def __init__(self, db: Database, transport: Deliverer | Any, *, batch: int = 20, lease_s: float = 120.0,
                 give_up_after_s: float = GIVE_UP_AFTER_S, backoff_base_s: float = 2.0, backoff_max_s: float = 300.0,
                 max_429_waits: int = 5, idle_s: float = 1.0, clock=utcnow, sleep=asyncio.sleep,
                 name: str | None = None) -> None:
        self.db = db
        if not hasattr(transport, "pieces"):  # a bare Telegram transport (older callers and tests)
            from .telegram_common import TelegramDeliverer

            transport = TelegramDeliverer(transport)
        self.deliverer: Deliverer = transport
        self.platform = transport.platform
        # Group chats are Telegram's; a channel without groups leaves those rows to it.
        self.groups = bool(getattr(transport, "groups", self.platform == "telegram"))
        self.batch = batch
        self.lease = timedelta(seconds=lease_s)
        # Outages are retried however long they last (backoff capped at backoff_max_s, and every
        # waiting row is tried again at the first success); only rows older than this give up.
        self.give_up_after = timedelta(seconds=give_up_after_s)
        self._outage = False  # a transient failure was seen since the last successful send
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self.max_429_waits = max_429_waits
        self.idle_s = idle_s
        self.clock = clock
        self.sleep = sleep
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.stats = {"sent": 0, "retried": 0, "blocked": 0, "failed": 0, "timeouts": 0, "waited_429_s": 0.0}
        self.wake = asyncio.Event()  # set to deliver at once instead of after idle_s

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until stop is set; the row in flight is always finished (no half-sent state)."""
        while not stop.is_set():
            try:
                done = await self.run_once(stop)
            except Exception:  # a database hiccup must not kill the sender
                log.exception("outbox round failed")
                done = 0
            if done == 0:
                self.wake.clear()
                waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self.wake.wait())]
                _, pending = await asyncio.wait(waiters, timeout=self.idle_s,
                                                return_when=asyncio.FIRST_COMPLETED)
                for w in waiters:
                    w.cancel()

    async def run_once(self, stop: asyncio.Event | None = None) -> int:
        """Claim one batch and deliver it; returns how many rows were handled."""
        jobs = await in_chat_order(self.db, await self.claim(), self.clock())
        stalled: set = set()  # chats whose earlier row must wait: their later rows wait with it
        blocked: set = set()
        held: list[int] = []
        for i, job in enumerate(jobs):
            if stop is not None and stop.is_set():
                await self._release(held + [j.id for j in jobs[i:]])
                return i
            target = (job.user_id, job.target)
            if target in stalled:
                held.append(job.id)
                continue
            if target in blocked:
                job.blocked = True  # the same batch's earlier row just learned it: do not send again
            status = await self.deliver(job)
            if status == OutboxStatus.PENDING:
                stalled.add(target)
            elif status == OutboxStatus.BLOCKED:
                blocked.add(target)
        await self._release(held)
        return len(jobs)

    async def claim(self) -> list[Job]:
        """Lease due rows to this worker (FOR UPDATE SKIP LOCKED on PostgreSQL)."""
        now = self.clock()
        async with self.db.session() as s:
            account = aliased(PlatformAccount)
            newer = aliased(PlatformAccount)
            # A user bound on several platforms is reached on the account bound or used last.
            latest = ~exists().where(newer.user_id == account.user_id, or_(
                newer.bound_at > account.bound_at, and_(newer.bound_at == account.bound_at, newer.id > account.id)))
            mine = or_(
                and_(Outbox.chat_id.is_not(None), true_if(self.groups)),
                and_(Outbox.chat_id.is_(None), account.platform == self.platform),
                and_(Outbox.chat_id.is_(None), account.id.is_(None)),  # nobody can deliver it: settle it
            )
            stmt = (
                select(Outbox, account.platform, account.external_id, User.blocked_bot, User.active)
                .outerjoin(User, User.id == Outbox.user_id)
                .outerjoin(account, and_(account.user_id == Outbox.user_id, latest))
                .options(undefer(Outbox.photo))
                .where(Outbox.status == OutboxStatus.PENDING, Outbox.next_attempt_at <= now,
                       or_(Outbox.claimed_until.is_(None), Outbox.claimed_until < now), mine)
                .order_by(Outbox.next_attempt_at, Outbox.id)
                .limit(self.batch)
            )
            if not self.db.is_sqlite:
                # Rows another worker is claiming right now are skipped, not waited for.
                stmt = stmt.with_for_update(of=Outbox, skip_locked=True)
            rows = (await s.execute(stmt)).all()
            jobs = []
            for row, _platform, external_id, blocked, active in rows:
                row.claimed_until = now + self.lease
                if row.chat_id is not None:
                    target = str(row.chat_id)
                else:
                    target = external_id if active is not False else None
                jobs.append(Job(row.id, row.user_id, target, row.text, row.buttons, row.attempts,
                                bool(blocked) and row.chat_id is None, row.photo, row.created_at))
        return jobs

    async def _release(self, ids: list[int]) -> None:
        if ids:
            async with self.db.session() as s:
                await s.execute(update(Outbox).where(Outbox.id.in_(ids)).values(claimed_until=None))

    async def _finish(self, job: Job, **values) -> None:
        async with self.db.session() as s:
            await s.execute(update(Outbox).where(Outbox.id == job.id).values(claimed_until=None, **values))
            if values.get("status") == OutboxStatus.BLOCKED and job.user_id is not None and not job.blocked:
                await s.execute(update(User).where(User.id == job.user_id).values(blocked_bot=True))
            if values.get("status") != OutboxStatus.PENDING and job.held_others:
                # Rows of the same chat that waited for this one (see outbox_order) are due now.
                await s.execute(update(Outbox).where(Outbox.status == OutboxStatus.PENDING,
                                                     Outbox.last_error == f"{BEHIND}{job.id}")
                                .values(next_attempt_at=self.clock()))

    async def _extend(self, job: Job) -> None:
        # A long 429 wait must not let another worker take the row over.
        async with self.db.session() as s:
            await s.execute(update(Outbox).where(Outbox.id == job.id)
                            .values(claimed_until=self.clock() + self.lease))

    def backoff(self, attempts: int) -> float:
        """Seconds before retry number `attempts` (exponential, capped)."""
        return min(self.backoff_max_s, self.backoff_base_s * (2 ** max(0, attempts - 1)))

    async def deliver(self, job: Job) -> str:
        """Send one job and record the outcome; returns the new status."""
        if job.target is None:
            await self._finish(job, status=OutboxStatus.UNDELIVERABLE, last_error="no platform account bound")
            return OutboxStatus.UNDELIVERABLE
        if job.blocked:
            await self._finish(job, status=OutboxStatus.BLOCKED, last_error="user had blocked the bot")
            self.stats["blocked"] += 1
            return OutboxStatus.BLOCKED
        attempts = job.attempts + 1
        try:
            await self._send(job)
        except BlockedByUser as exc:
            await self._finish(job, status=OutboxStatus.BLOCKED, attempts=attempts, last_error=str(exc)[:500])
            self.stats["blocked"] += 1
            return OutboxStatus.BLOCKED
        except PermanentError as exc:
            await self._finish(job, status=OutboxStatus.FAILED, attempts=attempts, last_error=str(exc)[:500])
            self.stats["failed"] += 1
            return OutboxStatus.FAILED
        except (TransientError, RetryLater) as exc:
            error = transient_error_text(exc)
            if isinstance(exc, SendTimeout):
                self.stats["timeouts"] += 1
            if job.created_at is not None and self.clock() - job.created_at > self.give_up_after:
                await self._finish(job, status=OutboxStatus.FAILED, attempts=attempts, last_error=error)
                self.stats["failed"] += 1
                return OutboxStatus.FAILED
            self._outage = True
            delay = exc.seconds if isinstance(exc, RetryLater) else self.backoff(attempts)
            await self._postpone(job, attempts, error, self.clock() + timedelta(seconds=delay))
            self.stats["retried"] += 1
            return OutboxStatus.PENDING
        # Marked in its own short transaction right after the API's answer: a crash in this window
        # (or a timeout whose message did arrive) is the one way a notification is sent twice.
        await self._finish(job, status=OutboxStatus.SENT, attempts=attempts, sent_at=self.clock(), last_error=None)
        self.stats["sent"] += 1
        if self._outage or job.attempts > 0:
            await self._recovered()
        return OutboxStatus.SENT

    async def _postpone(self, job: Job, attempts: int, error: str, when: datetime) -> None:
        """Back off one row, and every later row to the same chat with it, so none overtakes it."""
        async with self.db.session() as s:
            await s.execute(update(Outbox).where(Outbox.id == job.id)
                            .values(claimed_until=None, attempts=attempts, last_error=error, next_attempt_at=when))
            same_chat = (Outbox.user_id == job.user_id) if job.user_id is not None else and_(
                Outbox.user_id.is_(None), Outbox.chat_id == int(job.target or 0))
            await s.execute(update(Outbox).where(
                Outbox.status == OutboxStatus.PENDING, Outbox.id > job.id, same_chat,
                Outbox.next_attempt_at < when).values(next_attempt_at=when))

    async def _recovered(self) -> None:
        """The API answers again: every row waiting out a backoff is due now (in id order)."""
        self._outage = False
        now = self.clock()
        async with self.db.session() as s:
            result = await s.execute(update(Outbox).where(
                Outbox.status == OutboxStatus.PENDING, Outbox.next_attempt_at > now,
                or_(Outbox.attempts > 0, Outbox.last_error.like(BEHIND + "%")))
                .values(next_attempt_at=now))
        if result.rowcount:
            log.info("Bot API answers again: %d waiting notifications retried now", result.rowcount)

    async def _send(self, job: Job) -> None:
        assert job.target is not None
        photo_pieces = getattr(self.deliverer, "photo_pieces", None)
        if job.photo and photo_pieces is not None:
            pieces = photo_pieces(job.text, job.buttons, job.photo)
        else:  # no photo, or a platform without photos: the text alone still says everything
            pieces = self.deliverer.pieces(job.text, job.buttons)
        for piece in pieces:
            waits = 0
            while True:
                try:
                    await self.deliverer.send_piece(job.target, piece)
                    break
                except RetryLater as exc:
                    # Flood control: wait what the platform asks, then try the same piece again.
                    waits += 1
                    if waits > self.max_429_waits:
                        raise
                    self.stats["waited_429_s"] += exc.seconds
                    if exc.seconds > self.lease.total_seconds() / 2:
                        await self._extend(job)
                    await self.sleep(exc.seconds)


def true_if(flag: bool):
    """A SQL condition that is constant true or false."""
    return true() if flag else false()


def transient_error_text(exc: Exception) -> str:
    """last_error for a retryable failure; timeouts are marked (the message may have arrived)."""
    if isinstance(exc, SendTimeout):
        return f"timeout: {exc}"[:500]
    return str(exc)[:500]

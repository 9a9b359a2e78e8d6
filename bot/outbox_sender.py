"""Delivers queued notifications (the outbox table) through a Telegram transport, exactly once."""
from __future__ import annotations

import asyncio
import logging
import os
import socket
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select, update

from storage.db import Database
from storage.models import Outbox, OutboxStatus, User, utcnow

from .telegram_common import (BlockedByUser, PermanentError, RetryLater, TransientError, Transport,
                              keyboard_rows, text_actions)

log = logging.getLogger(__name__)


@dataclass
class Job:
    """A claimed outbox row plus where it goes."""

    id: int
    user_id: int | None
    chat_id: int | None  # resolved target chat
    text: str
    buttons: list | None
    attempts: int
    blocked: bool


class OutboxSender:
    """Claims pending rows, sends them, marks them; safe with several workers on PostgreSQL."""

    def __init__(self, db: Database, transport: Transport, *, batch: int = 20, lease_s: float = 120.0,
                 max_attempts: int = 8, backoff_base_s: float = 2.0, backoff_max_s: float = 600.0,
                 max_429_waits: int = 5, idle_s: float = 1.0, clock=utcnow, sleep=asyncio.sleep,
                 name: str | None = None) -> None:
        self.db = db
        self.transport = transport
        self.batch = batch
        self.lease = timedelta(seconds=lease_s)
        self.max_attempts = max_attempts
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self.max_429_waits = max_429_waits
        self.idle_s = idle_s
        self.clock = clock
        self.sleep = sleep
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.stats = {"sent": 0, "retried": 0, "blocked": 0, "failed": 0, "waited_429_s": 0.0}
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
        jobs = await self.claim()
        for i, job in enumerate(jobs):
            if stop is not None and stop.is_set():
                await self._release([j.id for j in jobs[i:]])
                return i
            await self.deliver(job)
        return len(jobs)

    async def claim(self) -> list[Job]:
        """Lease due rows to this worker (FOR UPDATE SKIP LOCKED on PostgreSQL)."""
        now = self.clock()
        async with self.db.session() as s:
            stmt = (
                select(Outbox, User.telegram_id, User.blocked_bot, User.active)
                .outerjoin(User, User.id == Outbox.user_id)
                .where(Outbox.status == OutboxStatus.PENDING, Outbox.next_attempt_at <= now,
                       or_(Outbox.claimed_until.is_(None), Outbox.claimed_until < now))
                .order_by(Outbox.next_attempt_at, Outbox.id)
                .limit(self.batch)
            )
            if not self.db.is_sqlite:
                # Rows another worker is claiming right now are skipped, not waited for.
                stmt = stmt.with_for_update(of=Outbox, skip_locked=True)
            rows = (await s.execute(stmt)).all()
            jobs = []
            for row, tg_id, blocked, active in rows:
                row.claimed_until = now + self.lease
                target = row.chat_id if row.chat_id is not None else (tg_id if active is not False else None)
                jobs.append(Job(row.id, row.user_id, target, row.text, row.buttons, row.attempts,
                                bool(blocked) and row.chat_id is None))
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
        if job.chat_id is None:
            await self._finish(job, status=OutboxStatus.UNDELIVERABLE, last_error="no Telegram account bound")
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
            if attempts >= self.max_attempts:
                await self._finish(job, status=OutboxStatus.FAILED, attempts=attempts, last_error=str(exc)[:500])
                self.stats["failed"] += 1
                return OutboxStatus.FAILED
            delay = exc.seconds if isinstance(exc, RetryLater) else self.backoff(attempts)
            await self._finish(job, attempts=attempts, last_error=str(exc)[:500],
                               next_attempt_at=self.clock() + timedelta(seconds=delay))
            self.stats["retried"] += 1
            return OutboxStatus.PENDING
        await self._finish(job, status=OutboxStatus.SENT, attempts=attempts, sent_at=self.clock(), last_error=None)
        self.stats["sent"] += 1
        return OutboxStatus.SENT

    async def _send(self, job: Job) -> None:
        assert job.chat_id is not None
        for act in text_actions(job.chat_id, job.text, keyboard_rows(job.buttons)):
            waits = 0
            while True:
                try:
                    await self.transport.send_text(act.chat_id, act.text, act.keyboard)
                    break
                except RetryLater as exc:
                    # Flood control: wait exactly what Telegram asks, then try the same piece again.
                    waits += 1
                    if waits > self.max_429_waits:
                        raise
                    self.stats["waited_429_s"] += exc.seconds
                    if exc.seconds > self.lease.total_seconds() / 2:
                        await self._extend(job)
                    await self.sleep(exc.seconds)


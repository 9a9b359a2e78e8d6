"""Queuing many keyed notifications at once: one bulk insert, one-by-one only when another worker races us."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Outbox, OutboxStatus
from storage.models.reminders import ReminderLog
from storage.outbox import queue_notification

from ..types import Button

CHUNK = 500


@dataclass
class Note:
    """One keyed notification to queue (and, for reminders, to log)."""

    user_id: int
    text: str
    key: str
    kind: str  # reminder | digest
    buttons: list[list[Button]] = field(default_factory=list)
    appeal_id: int | None = None  # set: also written to reminder_log
    step: str = ""  # the reminder kind for the log (half, due, overdue, ...)
    deadline: date | None = None


async def existing_keys(session: AsyncSession, column, keys: list[str]) -> set[str]:
    """Which of `keys` are already in `column`, in chunks (IN lists stay short)."""
    found: set[str] = set()
    for i in range(0, len(keys), CHUNK):
        found.update(await session.scalars(select(column).where(column.in_(keys[i:i + CHUNK]))))
    return found


def _outbox_row(n: Note, now: datetime) -> dict:
    buttons = [[{k: v for k, v in (("text", b.text), ("data", b.data), ("url", b.url)) if v is not None} for b in row]
               for row in n.buttons] or None
    return dict(user_id=n.user_id, chat_id=None, kind=n.kind, text=n.text, buttons=buttons, dedupe_key=n.key,
                status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now, created_at=now)


def _log_row(n: Note, now: datetime) -> dict:
    return dict(appeal_id=n.appeal_id, user_id=n.user_id, kind=n.step, deadline=n.deadline, dedupe_key=n.key,
                queued_at=now)


async def queue_many(session: AsyncSession, notes: list[Note], now: datetime) -> int:
    """Queue every note whose key is new; returns how many were queued. Safe against concurrent workers."""
    unique: dict[str, Note] = {}
    for n in notes:
        unique.setdefault(n.key, n)
    if not unique:
        return 0
    taken = await existing_keys(session, Outbox.dedupe_key, list(unique))
    fresh = [n for k, n in unique.items() if k not in taken]
    if not fresh:
        return 0
    try:
        async with session.begin_nested():
            for i in range(0, len(fresh), CHUNK):
                part = fresh[i:i + CHUNK]
                await session.execute(insert(Outbox), [_outbox_row(n, now) for n in part])
                logged = [_log_row(n, now) for n in part if n.appeal_id is not None]
                if logged:
                    await session.execute(insert(ReminderLog), logged)
        return len(fresh)
    except IntegrityError:
        pass  # another worker queued some of these meanwhile: go one by one, the unique keys decide
    queued = 0
    for n in fresh:
        if await queue_notification(session, n.user_id, n.text, n.buttons, key=n.key, kind=n.kind, now=now):
            if n.appeal_id is not None:
                session.add(ReminderLog(**_log_row(n, now)))
            queued += 1
    await session.flush()
    return queued

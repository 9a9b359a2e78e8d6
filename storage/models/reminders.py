"""Tables of the reminders area: a log of every reminder queued, and the scheduler's run markers."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class ReminderLog(Base):
    """One reminder queued for one person about one appeal (its outbox row has the same dedupe key)."""

    __tablename__ = "reminder_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # half | four_fifths | due | overdue | escalate | admin | stage | returned
    kind: Mapped[str] = mapped_column(String(20))
    deadline: Mapped[date | None] = mapped_column(Date)  # the deadline the ladder step belonged to
    # Same key as the outbox row: a reminder is logged (and queued) once, whatever the workers do.
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class SchedulerRun(Base):
    """A finished periodic job (e.g. 'digest:2026-02-09'), so it never runs twice for one period."""

    __tablename__ = "scheduler_runs"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    queued: Mapped[int] = mapped_column(Integer, default=0)  # notifications the run queued

"""One definition of each appeal figure, used by /stats, /overdue, /ledger, the export, the digest and charts.

Overdue (逾期): the deadline clock runs (待签收/办理中), the deadline is before today, and the appeal
is not marked as a duplicate of another (a duplicate would count the same problem twice).
This week (本周): the seven local days ending today; new = submitted in it, finished = 办结
(resolved or explained) in it, whatever the appeal's state is now.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Appeal
from .models.appeals import CLOCK_RUNNING
from .reports_period import TZ, Period, local_date

RUNNING = [str(s) for s in CLOCK_RUNNING]


def overdue_clause(today: date):
    """SQL condition on Appeal for 'overdue today'."""
    return and_(Appeal.status.in_(RUNNING), Appeal.deadline.is_not(None), Appeal.deadline < today,
                Appeal.duplicate_of_id.is_(None))


def is_overdue(a, today: date) -> bool:
    """The same rule on a loaded row."""
    return (a.status in RUNNING and a.deadline is not None and a.deadline < today and a.duplicate_of_id is None)


def was_overdue_on(a, day: date, tz: str = TZ) -> bool:
    """Whether the appeal was overdue at the end of `day` (for the change since last week)."""
    if a.duplicate_of_id is not None or a.deadline is None or a.deadline >= day or a.assigned_at is None:
        return False
    if local_date(a.assigned_at, tz) > day:
        return False
    done = a.finished_at or a.closed_at
    return done is None or local_date(done, tz) > day


def week_of(today: date) -> Period:
    """The seven local days ending today."""
    return Period(today - timedelta(days=6), today, f"{today - timedelta(days=6):%m-%d}至{today:%m-%d}")


@dataclass
class WeekFigures:
    """The week beside the week before."""

    period: Period
    new: int
    finished: int
    overdue_now: int
    new_before: int
    finished_before: int
    overdue_a_week_ago: int

    def lines(self) -> list[str]:
        """'本周新增 N 件（上周 M 件）' style lines."""
        def change(now: int, before: int) -> str:
            diff = now - before
            return "持平" if diff == 0 else (f"增加 {diff}" if diff > 0 else f"减少 {-diff}")

        return [f"本周（{self.period.label}）新增诉求 {self.new} 件，上周 {self.new_before} 件（{change(self.new, self.new_before)}）",
                f"本周办结 {self.finished} 件，上周 {self.finished_before} 件（{change(self.finished, self.finished_before)}）",
                f"当前逾期 {self.overdue_now} 件，一周前 {self.overdue_a_week_ago} 件（{change(self.overdue_now, self.overdue_a_week_ago)}）"]


def week_figures_of(appeals: list, today: date, tz: str = TZ) -> WeekFigures:
    """Week figures from loaded rows (duplicates left out, as everywhere)."""
    week, before = week_of(today), week_of(today - timedelta(days=7))
    rows = [a for a in appeals if a.duplicate_of_id is None]

    def finished_in(a, p: Period) -> bool:
        return a.finished_at is not None and a.outcome in ("resolved", "explained") and p.contains(local_date(a.finished_at, tz))

    return WeekFigures(
        week, sum(week.contains(local_date(a.created_at, tz)) for a in rows), sum(finished_in(a, week) for a in rows),
        sum(is_overdue(a, today) for a in rows), sum(before.contains(local_date(a.created_at, tz)) for a in rows),
        sum(finished_in(a, before) for a in rows), sum(was_overdue_on(a, today - timedelta(days=7), tz) for a in rows))


async def week_figures(session: AsyncSession, today: date, where=(), tz: str = TZ) -> WeekFigures:
    """Week figures for the appeals matching `where` (a Scope's conditions)."""
    rows = list((await session.scalars(select(Appeal).where(*where).order_by(Appeal.id))).unique())
    return week_figures_of(rows, today, tz)

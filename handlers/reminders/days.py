"""Cached working-day arithmetic (storage.workdays semantics; chinese_calendar checks are slow per call)."""
from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from storage import workdays


@lru_cache(maxsize=16384)
def is_workday(day: date) -> bool:
    """storage.workdays.is_workday, cached: the official calendar does not change while we run."""
    return workdays.is_workday(day)


@lru_cache(maxsize=16384)
def add_workdays(start: date, days: int) -> date:
    """The `days`-th working day after `start` (start itself not counted); days >= 0."""
    if days < 0:
        raise ValueError("days must be >= 0")
    current, remaining = start, days
    while remaining > 0:
        current += timedelta(days=1)
        if is_workday(current):
            remaining -= 1
    return current


@lru_cache(maxsize=65536)
def workdays_between(start: date, end: date) -> int:
    """Working days in (start, end]; negative when end is before start."""
    if end < start:
        return -workdays_between(end, start)
    count, current = 0, start
    while current < end:
        current += timedelta(days=1)
        count += is_workday(current)
    return count


def first_workday_of_week(day: date) -> date | None:
    """The first working day of the Monday-Sunday week containing `day`, or None for an all-holiday week."""
    monday = day - timedelta(days=day.weekday())
    return next((monday + timedelta(days=i) for i in range(7) if is_workday(monday + timedelta(days=i))), None)

"""Working days on the official Chinese calendar (holidays and make-up working days, 调休)."""
from __future__ import annotations

import logging
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

log = logging.getLogger(__name__)
_warned_years: set[int] = set()


@lru_cache(maxsize=16384)
def is_workday(day: date) -> bool:
    """True on an official working day, make-up Saturdays and Sundays included (cached: ~100 µs a call)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        # Beyond the calendar package's published years: fall back to Monday-Friday, loudly once.
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            log.warning("no official holiday data for %s; using Monday-Friday", day.year)
        return day.weekday() < 5


@lru_cache(maxsize=16384)
def add_workdays(start: date, days: int) -> date:
    """The `days`-th working day after `start` (start itself not counted); days >= 0."""
    if days < 0:
        raise ValueError("days must be >= 0")
    current = start
    remaining = days
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
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_workday(current):
            count += 1
    return count


def next_workday(day: date) -> date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def first_workday_of_week(day: date) -> date | None:
    """The first working day in the Monday-Sunday week containing `day`, or None for an all-holiday week."""
    monday = day - timedelta(days=day.weekday())
    for offset in range(7):
        candidate = monday + timedelta(days=offset)
        if is_workday(candidate):
            return candidate
    return None

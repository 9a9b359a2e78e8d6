"""Working days on the official Chinese calendar (holidays and make-up working days, 调休).

Each day is decided by the first source that knows it: the operator's table (`calendar_days`, loaded
into this process by `storage.calendar.sync_calendar`), then the chinesecalendar package for the years
it publishes, then Monday-Friday. The functions stay synchronous and cached because every deadline,
reminder and figure calls them; `load_table` clears the caches whenever the table's version changes.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
from chinese_calendar import constants as _package_data

log = logging.getLogger(__name__)

TABLE, PACKAGE, FALLBACK = "table", "package", "fallback"
SOURCE_NAMES = {TABLE: "数据库日历表", PACKAGE: "chinesecalendar 软件包", FALLBACK: "暂按周一至周五计算"}
FALLBACK_MARK = "暂按周一至周五计算"

# The years the installed package publishes (1.11.0: 2004-2026); outside them it raises.
PACKAGE_YEARS = range(min(_package_data.holidays).year, max(_package_data.holidays).year + 1)


@dataclass(frozen=True)
class TableDay:
    """One row of the operator's calendar table as this process holds it."""

    day: date
    workday: bool
    name: str = ""
    source: str = ""


class _Table:
    """This process's copy of the calendar table and the version it was read at."""

    def __init__(self) -> None:
        self.days: dict[date, TableDay] = {}
        self.years: frozenset[int] = frozenset()
        self.version: int | None = None
        self.warned_years: set[int] = set()


_table = _Table()


def load_table(rows: Iterable[TableDay], version: int | None) -> None:
    """Replace this process's copy of the table and clear every cached answer computed from the old one."""
    days = {r.day: r for r in rows}
    _table.days = days
    _table.years = frozenset(d.year for d in days)
    _table.version = version
    for cached in (is_workday, add_workdays, workdays_between):
        cached.cache_clear()


def table_version() -> int | None:
    """The version of the table this process holds (None before the first sync)."""
    return _table.version


def table_days(year: int | None = None) -> list[TableDay]:
    """The loaded table rows, of one year or all, by date."""
    return sorted((r for r in _table.days.values() if year is None or r.day.year == year), key=lambda r: r.day)


def year_source(year: int) -> str:
    """Where the year's official schedule comes from: the table, the package, or none (fallback)."""
    if year in _table.years:
        return TABLE
    if year in PACKAGE_YEARS:
        return PACKAGE
    return FALLBACK


def has_official_year(year: int) -> bool:
    """True when the table or the package has the year's official schedule."""
    return year_source(year) != FALLBACK


def fallback_years(start: date, end: date) -> list[int]:
    """Years between two dates (inclusive) that have no official schedule yet."""
    lo, hi = sorted((start, end))
    return [y for y in range(lo.year, hi.year + 1) if not has_official_year(y)]


def fallback_note(deadline: date | None, today: date) -> str:
    """'（暂按周一至周五计算）' while a year between today and the deadline has no official schedule."""
    if deadline is None or not fallback_years(today, deadline):
        return ""
    return f"（{FALLBACK_MARK}）"


def day_source(day: date) -> str:
    """Which source decides `day`."""
    if day in _table.days:
        return TABLE
    return PACKAGE if day.year in PACKAGE_YEARS else FALLBACK


@lru_cache(maxsize=16384)
def is_workday(day: date) -> bool:
    """True on an official working day, make-up Saturdays and Sundays included (cached)."""
    row = _table.days.get(day)
    if row is not None:
        return row.workday
    if day.year in PACKAGE_YEARS:
        return chinese_calendar.is_workday(day)
    if day.year not in _table.warned_years:
        _table.warned_years.add(day.year)
        log.info("no official holiday data for %s; using Monday-Friday until it is loaded "
                    "(pandeng calendar import)", day.year)
    return day.weekday() < 5


def package_days(year: int) -> list[tuple[date, bool, str]]:
    """The package's named days of `year` (a holiday's weekend days included) and any day off Monday-Friday."""
    if year not in PACKAGE_YEARS:
        return []
    out = []
    day = date(year, 1, 1)
    while day.year == year:
        on, name = chinese_calendar.get_holiday_detail(day)
        work = not on
        if name or work != (day.weekday() < 5):
            out.append((day, work, name or ""))
        day += timedelta(days=1)
    return out


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

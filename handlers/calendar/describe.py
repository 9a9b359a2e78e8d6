"""A year's holidays and make-up working days as readable lines, with where each came from."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from storage import workdays
from storage.calendar_files import english_name

WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class DayRange:
    """Consecutive days of one kind, name and source."""

    start: date
    end: date
    workday: bool
    name: str
    source: str

    def text(self) -> str:
        span = f"{self.start:%m-%d}" if self.start == self.end else f"{self.start:%m-%d} 至 {self.end:%m-%d}"
        days = (self.end - self.start).days + 1
        what = "上班（调休）" if self.workday else f"放假 {days} 天"
        week = f"周{WEEKDAYS[self.start.weekday()]}" if self.start == self.end else ""
        return f"{span}{'（' + week + '）' if week else ''} {self.name or '—'} {what}"


def _days_of(year: int) -> list[tuple[date, bool, str, str]]:
    """(day, workday, name, source) for every day of `year` that the table or the package sets."""
    table = {r.day: r for r in workdays.table_days(year)}
    out = {d: (d, r.workday, r.name, workdays.TABLE) for d, r in table.items()}
    for day, work, name in workdays.package_days(year):
        out.setdefault(day, (day, work, english_name(name), workdays.PACKAGE))
    # Weekend days inside a holiday are holidays by Monday-Friday already; show them inside the range.
    return sorted(out.values())


def group_ranges(days: Iterable[tuple[date, bool, str, str]],
                 bridges: Callable[[date], bool] = lambda day: False) -> list[DayRange]:
    """(day, workday, name, source) sorted by day, as ranges: consecutive holidays of one name and source
    join, across days in between that `bridges` accepts; every make-up working day stands alone."""
    ranges: list[DayRange] = []
    for day, work, name, source in days:
        last = ranges[-1] if ranges else None
        if (last is not None and not work and not last.workday and last.name == name and last.source == source
                and all(bridges(last.end + timedelta(days=k)) for k in range(1, (day - last.end).days))):
            ranges[-1] = DayRange(last.start, day, False, name, source)
        else:
            ranges.append(DayRange(day, day, work, name, source))
    return ranges


def year_ranges(year: int) -> list[DayRange]:
    """The year's official days grouped into ranges (a holiday's weekend days included)."""
    return group_ranges(_days_of(year), bridges=lambda day: not workdays.is_workday(day))


def describe_year(year: int) -> list[str]:
    """Lines for `pandeng calendar show YEAR` and /calendar."""
    source = workdays.year_source(year)
    if source == workdays.FALLBACK:
        return [f"{year}年：尚无官方节假日安排，{workdays.FALLBACK_MARK}。",
                "国务院办公厅发布通知后，请管理员用 pandeng calendar import 通知.txt 导入。"]
    head = {workdays.TABLE: "数据库日历表（运维导入）", workdays.PACKAGE: "chinesecalendar 软件包"}[source]
    ranges = year_ranges(year)
    mixed = len({r.source for r in ranges}) > 1  # name each day's source only when the year mixes them
    if mixed:
        head = "数据库日历表与 chinesecalendar 软件包（表中的日期优先）"
    lines = [f"{year}年：官方节假日安排，来源 {head}。"]
    for r in ranges:
        lines.append(f"· {r.text()}" + (f"　〔{workdays.SOURCE_NAMES[r.source]}〕" if mixed else ""))
    return lines

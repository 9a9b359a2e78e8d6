"""Report periods: 本周, 本月, 上月, 本季度, 本年, 2026-03, 2026Q1, 2026, or a date range."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

TZ = "Asia/Shanghai"
_RANGE = re.compile(r"^(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?\s*(?:~|～|至|到|—|--|\.\.|_)\s*(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?$")
_MONTH = re.compile(r"^(\d{4})(?:-|/|\.|年)(\d{1,2})月?$")
_QUARTER = re.compile(r"^(\d{4})\s*(?:Q|q|年第?)([1-4一二三四])(?:季度)?$")
_YEAR = re.compile(r"^(\d{4})年?$")
_CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4}


@dataclass(frozen=True)
class Period:
    """An inclusive range of local dates with its Chinese label."""

    start: date
    end: date
    label: str

    def utc_bounds(self, tz: str = TZ) -> tuple[datetime, datetime]:
        """[start 00:00 local, day after end 00:00 local) in UTC, for filtering datetimes."""
        zone = ZoneInfo(tz)
        lo = datetime.combine(self.start, time.min, zone).astimezone(timezone.utc)
        hi = datetime.combine(self.end + timedelta(days=1), time.min, zone).astimezone(timezone.utc)
        return lo, hi

    def contains(self, day: date) -> bool:
        """True when the local date falls inside the period."""
        return self.start <= day <= self.end


def _month_end(year: int, month: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def _quarter(year: int, q: int) -> Period:
    first = 3 * (q - 1) + 1
    return Period(date(year, first, 1), _month_end(year, first + 2), f"{year}年第{q}季度")


def parse_period(text: str, today: date) -> Period | None:
    """A period from the words people type; None when `text` is not a period."""
    t = text.strip().replace(" ", "")
    if not t:
        return None
    if t in ("今天", "今日"):
        return Period(today, today, f"{today:%Y-%m-%d}")
    if t in ("本周", "这周", "本星期"):
        monday = today - timedelta(days=today.weekday())
        return Period(monday, monday + timedelta(days=6), f"本周（{monday:%m-%d}至{monday + timedelta(days=6):%m-%d}）")
    if t in ("上周",):
        monday = today - timedelta(days=today.weekday() + 7)
        return Period(monday, monday + timedelta(days=6), f"上周（{monday:%m-%d}至{monday + timedelta(days=6):%m-%d}）")
    if t in ("本月", "这个月", "当月"):
        return Period(today.replace(day=1), _month_end(today.year, today.month), f"{today.year}年{today.month}月")
    if t in ("上月", "上个月"):
        last = today.replace(day=1) - timedelta(days=1)
        return Period(last.replace(day=1), last, f"{last.year}年{last.month}月")
    if t in ("本季度", "本季", "这季度"):
        return _quarter(today.year, (today.month - 1) // 3 + 1)
    if t in ("上季度", "上季"):
        q = (today.month - 1) // 3
        return _quarter(today.year - 1, 4) if q == 0 else _quarter(today.year, q)
    if t in ("本年", "今年", "本年度"):
        return Period(date(today.year, 1, 1), date(today.year, 12, 31), f"{today.year}年")
    if t in ("去年", "上年"):
        return Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31), f"{today.year - 1}年")
    if t in ("全部", "累计", "所有"):
        return Period(date(2000, 1, 1), date(2100, 12, 31), "累计")
    if m := _RANGE.match(t):
        try:
            a = date(int(m[1]), int(m[2]), int(m[3]))
            b = date(int(m[4]), int(m[5]), int(m[6]))
        except ValueError:
            return None
        if b < a:
            return None
        return Period(a, b, f"{a:%Y-%m-%d}至{b:%Y-%m-%d}")
    if m := _MONTH.match(t):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            return None
        return Period(date(year, month, 1), _month_end(year, month), f"{year}年{month}月")
    if m := _QUARTER.match(t):
        q = _CN_NUM.get(m[2]) or int(m[2])
        return _quarter(int(m[1]), q)
    if m := _YEAR.match(t):
        year = int(m[1])
        if 2000 <= year <= 2100:
            return Period(date(year, 1, 1), date(year, 12, 31), f"{year}年")
    return None


def all_time() -> Period:
    """Every appeal ever received."""
    return Period(date(2000, 1, 1), date(2100, 12, 31), "累计")


def local_date(moment: datetime, tz: str = TZ) -> date:
    """The local (Asia/Shanghai) date of an aware datetime."""
    return moment.astimezone(ZoneInfo(tz)).date()

"""Working-day deadlines on the official calendar: 2025 and 2026 holidays and make-up days (调休)."""
from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.appeals.rules import compute_deadline, days_left_label
from storage.workdays import add_workdays, is_workday, workdays_between

SETTINGS = SimpleNamespace(deadline_days_a=5, deadline_days_b=15, deadline_days_consult=30)


@pytest.mark.parametrize("day, working", [
    ("2025-01-26", True),   # Sunday, make-up day for Spring Festival 2025
    ("2025-01-28", False), ("2025-02-04", False), ("2025-02-05", True),
    ("2025-02-08", True),   # Saturday, make-up day
    ("2025-09-28", True),   # Sunday before National Day 2025
    ("2025-10-01", False), ("2025-10-08", False), ("2025-10-09", True),
    ("2025-10-11", True),   # Saturday, make-up day
    ("2026-02-14", True),   # Saturday, make-up day before Spring Festival 2026
    ("2026-02-15", False), ("2026-02-16", False), ("2026-02-23", False), ("2026-02-24", True),
    ("2026-02-28", True),   # Saturday, make-up day
    ("2026-09-20", True),   # Sunday, make-up day for National Day 2026
    ("2026-09-25", False),  # Mid-Autumn 2026
    ("2026-10-01", False), ("2026-10-07", False), ("2026-10-08", True),
    ("2026-10-10", True),   # Saturday, make-up day
    ("2026-03-07", False),  # an ordinary Saturday
])
def test_official_calendar(day, working):
    assert is_workday(date.fromisoformat(day)) is working


@pytest.mark.parametrize("start, n, expected", [
    ("2025-01-24", 1, "2025-01-26"),   # Friday -> make-up Sunday
    ("2025-01-27", 1, "2025-02-05"),   # across the whole Spring Festival break
    ("2025-01-27", 4, "2025-02-08"),   # 02-05, 06, 07, then make-up Saturday 02-08
    ("2025-09-26", 1, "2025-09-28"),   # make-up Sunday before National Day
    ("2025-09-30", 1, "2025-10-09"),
    ("2025-09-30", 3, "2025-10-11"),   # 10-09, 10-10, make-up Saturday 10-11
    ("2025-09-30", 5, "2025-10-14"),   # an A deadline over National Day 2025
    ("2026-02-13", 1, "2026-02-14"),   # Friday -> make-up Saturday
    ("2026-02-13", 2, "2026-02-24"),
    ("2026-02-12", 15, "2026-03-11"),  # a B deadline over Spring Festival 2026 (02-28 counts)
    ("2026-09-29", 5, "2026-10-12"),   # an A deadline over National Day 2026 (10-10 counts)
    ("2026-03-02", 0, "2026-03-02"),
])
def test_add_workdays_across_holidays(start, n, expected):
    assert add_workdays(date.fromisoformat(start), n) == date.fromisoformat(expected)


def test_deadline_classes_and_consultation():
    start = date(2026, 2, 12)
    assert compute_deadline(SETTINGS, start, "A", False) == date(2026, 2, 26)  # 13, 14 (Sat), 24, 25, 26
    assert workdays_between(start, compute_deadline(SETTINGS, start, "A", False)) == 5
    assert compute_deadline(SETTINGS, start, "B", False) == date(2026, 3, 11)
    consult = compute_deadline(SETTINGS, start, "B", True)
    assert workdays_between(start, consult) == 30 and is_workday(consult)


def test_days_left_label_counts_working_days_only():
    deadline = date(2026, 2, 24)
    assert days_left_label(deadline, date(2026, 2, 13)) == "剩余 2 个工作日"  # 02-14 (Sat, make-up) and 02-24
    assert days_left_label(deadline, date(2026, 2, 24)) == "今天到期"
    assert days_left_label(date(2025, 9, 30), date(2025, 10, 9)) == "超期 1 个工作日"
    assert days_left_label(date(2025, 9, 30), date(2025, 10, 11)) == "超期 3 个工作日"
    assert days_left_label(None, date(2026, 1, 5)) == "未设定"


DAYS = st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 11, 30))


@settings(max_examples=150, deadline=None)
@given(DAYS, st.integers(min_value=0, max_value=40))
def test_add_then_count_round_trip(start, n):
    end = add_workdays(start, n)
    assert workdays_between(start, end) == n
    if n > 0:
        assert is_workday(end)
        # No working day is skipped: the day before `end` counts one fewer.
        assert workdays_between(start, end - timedelta(days=1)) == n - 1


@settings(max_examples=150, deadline=None)
@given(DAYS, st.integers(min_value=0, max_value=20), st.integers(min_value=0, max_value=20))
def test_add_workdays_is_additive(start, a, b):
    assert add_workdays(add_workdays(start, a), b) == add_workdays(start, a + b)


@settings(max_examples=150, deadline=None)
@given(DAYS, DAYS)
def test_workdays_between_antisymmetric_and_bounded(a, b):
    assert workdays_between(a, b) == -workdays_between(b, a)
    assert abs(workdays_between(a, b)) <= abs((b - a).days)

"""Each figure on a dataset counted by hand (see tests/reports_data.py)."""
from __future__ import annotations

from datetime import date

import pytest

from storage.reports_period import parse_period
from storage.reports_stats import Scope, breakdown
from tests.reports_data import TODAY, seed_appeals

MARCH = parse_period("2026-03", TODAY)


def test_periods():
    assert parse_period("2026-03", TODAY) == MARCH and MARCH.start == date(2026, 3, 1) and MARCH.end == date(2026, 3, 31)
    q1 = parse_period("2026Q1", TODAY)
    assert (q1.start, q1.end) == (date(2026, 1, 1), date(2026, 3, 31))
    assert parse_period("本季度", TODAY) == q1
    week = parse_period("本周", TODAY)
    assert (week.start, week.end) == (date(2026, 3, 16), date(2026, 3, 22))
    assert parse_period("本月", TODAY) == MARCH
    assert parse_period("本年", TODAY).start == date(2026, 1, 1)
    r = parse_period("2026-03-02至2026-03-04", TODAY)
    assert (r.start, r.end) == (date(2026, 3, 2), date(2026, 3, 4))
    assert parse_period("2026-13", TODAY) is None and parse_period("任城区", TODAY) is None
    assert parse_period("2026-03-05至2026-03-01", TODAY) is None


async def test_city_figures_by_hand(demo):
    db, refs = demo
    await seed_appeals(db, refs)
    async with db.session() as s:
        b = await breakdown(s, Scope(), MARCH, TODAY)
    f = b.total
    # Received in March: a1..a6 (a7 February, a8 January, a9 a duplicate).
    assert f.received == 6
    assert (f.finished, f.resolved, f.explained) == (3, 2, 1)
    assert f.finish_rate == pytest.approx(3 / 6)
    # a1 on time, a2 late, a3 finished 23:30 local on its deadline day.
    assert (f.on_time, f.finished_with_deadline) == (2, 3)
    assert f.satisfaction_rate == pytest.approx(2 / 3)  # 满意 + 基本满意 of 3 rated
    assert f.explained_share == pytest.approx(1 / 3)
    assert f.redo_share == pytest.approx(1 / 6)
    # Working days: a1 03-02→03-06 = 4, a2 03-02→03-09 = 5, a3 03-03→03-13 = 8.
    assert sorted(f.days) == [4, 5, 8] and f.median_days == 5
    # Now: open a4, a5, a6, a8; overdue a4 (deadline 03-18) and a8 (deadline 02-27), whatever the period.
    assert (f.open, f.overdue_now) == (4, 2)


async def test_breakdowns_by_hand(demo):
    db, refs = demo
    await seed_appeals(db, refs)
    async with db.session() as s:
        by_county = await breakdown(s, Scope(), MARCH, TODAY, "county")
        by_cat = await breakdown(s, Scope(), MARCH, TODAY, "category")
        by_unit = await breakdown(s, Scope(), MARCH, TODAY, "unit")
        q1 = await breakdown(s, Scope(), parse_period("2026Q1", TODAY), TODAY)
    counties = dict(by_county.groups)
    assert list(counties) == ["任城区", "邹城市"]
    assert (counties["任城区"].received, counties["任城区"].finished, counties["任城区"].overdue_now) == (4, 3, 1)
    assert counties["任城区"].finish_rate == pytest.approx(0.75)
    assert (counties["邹城市"].received, counties["邹城市"].open, counties["邹城市"].overdue_now) == (2, 3, 1)
    cats = dict(by_cat.groups)
    assert (cats["金融"].received, cats["金融"].finished) == (3, 2)
    assert cats["金融"].on_time_rate == pytest.approx(0.5)
    units = dict(by_unit.groups)
    assert units["金融要素保障组"].received == 3 and units["未分派"].received == 1
    assert q1.total.received == 8 and q1.total.finished == 4


async def test_reviewer_scope(demo):
    db, refs = demo
    await seed_appeals(db, refs)
    async with db.session() as s:
        from sqlalchemy import select

        from storage.models import OrgUnit

        z = await s.scalar(select(OrgUnit.id).where(OrgUnit.name == "邹城市"))
        b = await breakdown(s, Scope(county_id=z), MARCH, TODAY)
    assert (b.total.received, b.total.finished, b.total.finish_rate, b.total.overdue_now) == (2, 0, 0.0, 1)

"""Detection on hand-made series: drops, declines, stops, gaps, holidays, 调休, reasons, the CLI."""
from __future__ import annotations

import argparse
import json
import shutil
from datetime import date

from sqlalchemy import select

from bot.cli_power import register
from bot.settings import Settings
from storage.demo import ENTERPRISES
from storage.models import Enterprise
from storage.models.power import PowerReason
from storage.power.detect import Thresholds, judge
from storage.power.importer import import_readings
from storage.power.queries import judge_days
from tests.power_data import plant, write_long_csv

A, B, C = ENTERPRISES[0][0], ENTERPRISES[1][0], ENTERPRISES[2][0]
D = date


def test_holidays_rest_days_and_make_up_days_flag_nothing():
    # Spring Festival 2026: Feb 15-23 off, Feb 14 and Feb 28 (Saturdays) are make-up working days.
    s = plant(D(2025, 12, 1), D(2026, 3, 6), {D(2026, 2, 14): 2000.0, D(2026, 2, 28): 100.0})
    for day in (D(2026, 2, 16), D(2026, 2, 20), D(2026, 2, 23), D(2026, 3, 1)):
        assert judge(s, day).skipped == "rest_day"
    # A make-up working day is neither alarm nor baseline, whatever its use.
    assert judge(s, D(2026, 2, 14)).skipped == judge(s, D(2026, 2, 28)).skipped == "makeup"
    # The last two working days before a week-long holiday are not judged either.
    assert judge(s, D(2026, 2, 13)).skipped == "restart" and judge(s, D(2026, 2, 12)).skipped is None


def test_first_days_after_a_long_holiday_are_not_judged():
    s = plant(D(2025, 12, 1), D(2026, 3, 13), {D(2026, 2, 24): 3000.0, D(2026, 2, 25): 5000.0, D(2026, 2, 26): 6000.0,
                                               D(2026, 2, 27): 6000.0, D(2026, 3, 2): 6000.0})
    for day in (D(2026, 2, 24), D(2026, 2, 25), D(2026, 2, 26), D(2026, 2, 27)):
        assert judge(s, day).skipped == "restart"
    # Feb 28 (make-up) is the fifth working day; Mar 2 is judged, and the low days before it were no baseline.
    v = judge(s, D(2026, 3, 2))
    assert v.kind == "drop" and abs(v.baseline - 10000) < 300


def test_make_up_sunday_and_a_three_day_holiday():
    # 2025-09-28 (Sunday) is a make-up working day before National Day; Oct 9 the first working day after it.
    s = plant(D(2025, 6, 1), D(2025, 10, 31), {D(2025, 9, 28): 2000.0, D(2025, 10, 9): 1000.0, D(2025, 10, 16): 5000.0})
    assert judge(s, D(2025, 9, 28)).skipped == "makeup" and judge(s, D(2025, 10, 11)).skipped == "makeup"
    assert judge(s, D(2025, 10, 9)).skipped == "restart" and judge(s, D(2025, 10, 16)).kind == "drop"
    # After 端午 2026 (Jun 19-21 off, three days) the first working day is judged as usual.
    s = plant(D(2026, 3, 1), D(2026, 6, 30), {D(2026, 6, 22): 500.0})
    assert judge(s, D(2026, 6, 22)).kind == "stop"


def test_drop_stop_decline_and_gap():
    s = plant(D(2025, 12, 1), D(2026, 3, 31), {
        D(2026, 3, 10): 5000.0,  # Tue: -50%
        D(2026, 3, 12): None,  # meter gap
        D(2026, 3, 17): 300.0,  # near zero on a working day
        D(2026, 3, 23): 8000.0, D(2026, 3, 24): 8100.0, D(2026, 3, 25): 8000.0,  # three days ~-20%
    })
    v = judge(s, D(2026, 3, 10))
    assert v.kind == "drop" and abs(v.baseline - 10000) < 300 and -0.52 < v.change < -0.48
    assert judge(s, D(2026, 3, 12)).skipped == "gap"
    assert judge(s, D(2026, 3, 17)).kind == "stop"
    assert judge(s, D(2026, 3, 23)).kind is None and judge(s, D(2026, 3, 24)).kind is None
    v = judge(s, D(2026, 3, 25))
    assert v.kind == "decline" and -0.22 < v.change < -0.18
    assert judge(s, D(2026, 3, 11)).kind is None  # the day after a drop is normal again


def test_a_gap_breaks_a_decline_and_thresholds_are_settings():
    s = plant(D(2025, 12, 1), D(2026, 3, 31), {D(2026, 3, 23): 8000.0, D(2026, 3, 24): None, D(2026, 3, 25): 8000.0})
    assert judge(s, D(2026, 3, 25)).kind is None
    strict = Thresholds(drop=0.15)
    assert judge(s, D(2026, 3, 25), strict).kind == "drop"
    th = Thresholds.from_settings(Settings(_env_file=None, power_drop=0.5, power_min_history=30))
    assert th.drop == 0.5 and th.min_history == 30 and th.decline == 0.15


def test_too_little_history_is_skipped():
    s = plant(D(2026, 3, 2), D(2026, 3, 10), {D(2026, 3, 10): 100.0})
    assert judge(s, D(2026, 3, 10)).skipped == "history"


async def _seed(db, tmp_path):
    series = {
        A: plant(D(2025, 12, 1), D(2026, 3, 31), {D(2026, 3, 17): 300.0, D(2026, 3, 18): 9000.0}),
        B: plant(D(2025, 12, 1), D(2026, 3, 31), {D(2026, 3, 17): 5000.0}),
        C: plant(D(2026, 3, 9), D(2026, 3, 31), {D(2026, 3, 17): 0.0}),  # too new to judge
    }
    path = write_long_csv(tmp_path / "p.csv", series, encoding="gbk")
    async with db.session() as s:
        await import_readings(s, path)


async def test_whole_day_on_the_database_with_a_reason(demo, tmp_path):
    db, refs = demo
    await _seed(db, tmp_path)
    async with db.session() as s:
        [res] = await judge_days(s, D(2026, 3, 17), D(2026, 3, 17))
    assert sorted((f.enterprise, f.verdict.kind) for f in res.flags) == sorted([(A, "stop"), (B, "drop")])
    assert res.skipped["history"] == 1
    async with db.session() as s:
        ent = await s.scalar(select(Enterprise).where(Enterprise.name == A))
        s.add(PowerReason(enterprise_id=ent.id, code="maint", since=D(2026, 3, 17), until=D(2026, 3, 20)))
    async with db.session() as s:
        [res] = await judge_days(s, D(2026, 3, 17), D(2026, 3, 17))
        [after] = await judge_days(s, D(2026, 3, 23), D(2026, 3, 23))
    assert [f.enterprise for f in res.flags] == [B] and res.skipped["silenced"] == 1
    assert after.flags == [] and after.skipped["silenced"] == 0


def _cli(*argv: str):
    p = argparse.ArgumentParser()
    register(p.add_subparsers(dest="cmd"))
    return p.parse_args(list(argv))


def test_cli_check_text_and_json(tmp_path, sqlite_template, capsys):
    import asyncio

    from storage.db import Database
    from storage.demo import seed_demo

    path = tmp_path / "cli.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"
    csv_path = tmp_path / "p.csv"

    async def seed():
        db = Database(url)
        async with db.session() as s:
            await seed_demo(s)
        await db.dispose()

    asyncio.run(seed())
    write_long_csv(csv_path, {A: plant(D(2025, 12, 1), D(2026, 3, 31), {D(2026, 3, 17): 300.0, D(2026, 3, 19): None})})
    settings = Settings(_env_file=None, database_url=url)
    args = _cli("power", "import", str(csv_path))
    assert args.func(args, settings) == 0
    capsys.readouterr()
    args = _cli("power", "check", "--from", "2026-03-14", "--to", "2026-03-20", "--format", "json")
    assert args.func(args, settings) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    row = json.loads(out[0])
    assert row["enterprise"] == A and row["date"] == "2026-03-17" and row["kind"] == "stop"
    assert row["use"] == 300.0 and row["change"] < -0.9 and abs(row["baseline"] - 10000) < 300
    args = _cli("power", "check", "--on", "2026-03-17")
    assert args.func(args, settings) == 0
    text = capsys.readouterr()
    assert text.out.count("\n") == 1 and "疑似停产" in text.out and A in text.out
    args = _cli("power", "check", "--on", "2026-03-21")  # a Saturday
    assert args.func(args, settings) == 0
    assert capsys.readouterr().out == ""
    args = _cli("power", "check", "--on", "17/03/2026")
    assert args.func(args, settings) == 2

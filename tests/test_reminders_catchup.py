"""Downtime and restarts: catch up on the day's items, never replay stale days or send at night."""
from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

import bot.scheduler as scheduler
from bot.scheduler import run_scheduler, tick
from handlers.reminders import queue_due_reminders
from storage.db import Database
from storage.models import Appeal, AppealEvent, Outbox, User
from storage.models.reminders import ReminderLog, SchedulerRun
from tests.test_reminders_windows import SETTINGS, at, create, drive, seeded

S1 = [create("S1", at(2026, 2, 2, 10), ent=0, cadre="张伟", county="任城区", unit="fg_finance",
             deadline=date(2026, 2, 9), days=5)]


async def test_downtime_catches_up_the_latest_step_and_drops_stale_days(sqlite_db):
    db = await seeded(sqlite_db)
    half_hour = timedelta(minutes=30)
    # Up until Wed 02-04 19:30, down until Fri 02-06 12:30.
    world, got1, _ = await drive(db, S1, at(2026, 2, 2, 0), at(2026, 2, 4, 19, 30), step=half_hour)
    _, got2, _ = await drive(db, [], at(2026, 2, 6, 12, 30), at(2026, 2, 10, 7, 30), step=half_hour, world=world)
    # Down again from Tue 02-10 08:00 until Thu 02-12 22:00 (night: nothing), then on to Fri evening.
    _, got3, _ = await drive(db, [], at(2026, 2, 12, 22), at(2026, 2, 13, 23, 30), step=half_hour, world=world)
    # 02-05's "half" was missed: the "four fifths" step reached on 02-06 stands for it, sent on restart.
    # Overdue days 02-10..02-12 were missed and are not replayed; the escalation is caught up on 02-13.
    labels = {(t, k, n) for t, k, a, n in got3 if k != "digest"}
    assert labels == {
        ("2026-02-06 12:30", "ff", "赵敏"),
        ("2026-02-09 09:00", "due", "赵敏"), ("2026-02-09 09:00", "due", "李卫东"),
        ("2026-02-13 09:00", "esc", "李卫东"), ("2026-02-13 09:00", "over", "赵敏"),
    }
    assert got1 <= got2 <= got3
    assert all(t.endswith(("09:00", "12:30")) for t, *_ in got3)


async def test_missed_monday_dispatch_goes_out_once_on_the_next_working_day(sqlite_db):
    db = await seeded(sqlite_db)
    world, _, _ = await drive(db, S1, at(2026, 2, 2, 10), at(2026, 2, 2, 10))
    async with db.session() as s:
        (await s.scalars(select(User).where(User.name == "刘红梅"))).unique().one().mute_weekly = True
    # The bot was down all of Monday 02-09; it comes back Tuesday 11:00.
    await drive(db, [], at(2026, 2, 10, 11), at(2026, 2, 10, 12), world=world)
    async with db.session() as s:
        # Someone enrolled on Wednesday, and 刘红梅 unmuted on Wednesday: neither gets this week's dispatch.
        new = User(name="新干部", role="cadre", phone="13900009999", active=True, blocked_bot=False, mute_weekly=False)
        s.add(new)
        await s.flush()
        s.add(Appeal(enterprise_id=world.ents[1], cadre_id=new.id, county_id=world.units["任城区"], category="人才",
                     urgency="B", description="招工难", status="submitted", level="county", consulted=False,
                     redo_count=0, last_activity_at=at(2026, 2, 11, 8), created_at=at(2026, 2, 11, 8)))
        (await s.scalars(select(User).where(User.name == "刘红梅"))).unique().one().mute_weekly = False
    await drive(db, [], at(2026, 2, 11, 9), at(2026, 2, 13, 18), world=world)
    async with db.session() as s:
        rows = list(await s.scalars(select(Outbox).where(Outbox.kind == "digest", Outbox.dedupe_key.like("wk:2026-02-09:%"))))
        names = {(await s.get(User, r.user_id)).name for r in rows}
        times = {r.created_at for r in rows}
        run = await s.get(SchedulerRun, "digest:2026-02-09")
    assert names == {"王建国", "赵敏", "李卫东", "张伟"}
    assert times == {at(2026, 2, 10, 11).astimezone(timezone.utc)}
    assert run is not None and run.queued == 4


async def test_long_lists_are_cut_under_the_telegram_limit(sqlite_db):
    db = await seeded(sqlite_db)
    events = [create(f"A{i}", at(2026, 2, 2, 10), ent=i % 50, cadre="张伟", county="任城区", unit="fg_finance",
                     deadline=date(2026, 2, 9), days=5) for i in range(120)]
    _, got, rows = await drive(db, events, at(2026, 2, 9, 9), at(2026, 2, 9, 9))
    digests = {r.user_id: r.text for r in rows if r.kind == "digest"}
    assert digests and all(len(t) < 4096 for t in digests.values())
    async with db.session() as s:
        zhao = (await s.scalars(select(User).where(User.name == "赵敏"))).unique().one()
    assert "赵敏" in digests[zhao.id] and "……另有" in digests[zhao.id] and "120 件" in digests[zhao.id]
    assert len([g for g in got if g[1] == "due" and g[3] == "赵敏"]) == 120


async def test_run_scheduler_ticks_on_its_clock_and_survives_a_failing_tick(sqlite_db, monkeypatch):
    db = await seeded(sqlite_db)
    await drive(db, S1, at(2026, 2, 2, 10), at(2026, 2, 2, 10))
    times = iter([at(2026, 2, 9, 8, 0) + timedelta(minutes=30 * i) for i in range(8)])
    stop = asyncio.Event()
    calls = []
    real_tick = scheduler.tick

    def clock():
        now = next(times, None)
        if now is None:
            stop.set()
            return at(2026, 2, 9, 23)
        return now.astimezone(timezone.utc)

    async def flaky(db_, settings, now):
        calls.append(now)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return await real_tick(db_, settings, now)

    monkeypatch.setattr(scheduler, "tick", flaky)
    await asyncio.wait_for(run_scheduler(db, SETTINGS, clock=clock, stop_event=stop, interval=0), 20)
    assert len(calls) >= 8
    async with db.session() as s:
        rows = list(await s.scalars(select(Outbox).where(Outbox.kind == "reminder")))
    assert {r.created_at for r in rows} == {at(2026, 2, 9, 9).astimezone(timezone.utc)}
    assert len(rows) == 2  # due: 赵敏 and 李卫东


@pytest.mark.pg
async def test_unique_keys_hold_without_the_advisory_lock_on_postgresql(pg_db):
    db = await seeded(pg_db)
    await drive(db, S1, at(2026, 2, 2, 10), at(2026, 2, 2, 10))
    others = [Database(db.url) for _ in range(3)]
    now = at(2026, 2, 24, 9).astimezone(timezone.utc)  # overdue, escalated, on the admins' list

    async def worker(d: Database) -> int:
        async with d.session() as s:
            return await queue_due_reminders(s, now, SETTINGS)

    try:
        counts = await asyncio.gather(*(worker(d) for d in [db, *others]))
    finally:
        for d in others:
            await d.dispose()
    async with db.session() as s:
        keys = list(await s.scalars(select(Outbox.dedupe_key).where(Outbox.kind == "reminder")))
        logged = list(await s.scalars(select(ReminderLog.dedupe_key)))
    # over -> 赵敏, esc -> 李卫东, adm -> two admins: four rows, whichever worker won each.
    assert sum(counts) == 4 and len(keys) == len(set(keys)) == 4 and sorted(logged) == sorted(keys)


async def test_a_redo_starts_a_new_ladder_from_the_redo_day(sqlite_db):
    db = await seeded(sqlite_db)
    world, _, _ = await drive(db, S1, at(2026, 2, 2, 10), at(2026, 2, 2, 10))
    async with db.session() as s:
        # Resolved, judged 不满意 on 03-02: back in progress with a fresh 5-day deadline (03-09).
        a = await s.get(Appeal, world.appeals["S1"])
        a.deadline, a.last_activity_at = date(2026, 3, 9), at(2026, 3, 2, 10)
        s.add(AppealEvent(appeal_id=a.id, action="redo", at=at(2026, 3, 2, 10), from_status="resolved",
                          to_status="in_progress"))
    _, got, rows = await drive(db, [], at(2026, 3, 2, 11), at(2026, 3, 9, 12), world=world)
    reminders = sorted((t, k, n) for t, k, _, n in got if k != "digest")
    assert reminders == [("2026-03-05 09:00", "half", "赵敏"), ("2026-03-06 09:00", "ff", "赵敏"),
                         ("2026-03-09 09:00", "due", "李卫东"), ("2026-03-09 09:00", "due", "赵敏")]
    assert all(r.buttons == [[{"text": f"查看诉求 #{world.appeals['S1']}", "data": f"ap:v:{world.appeals['S1']}"}]]
               for r in rows if r.kind == "reminder")


def test_cli_tick_at_a_given_local_time(sqlite_template, tmp_path, capsys):
    import argparse
    import shutil

    from bot.scheduler import register
    from bot.settings import Settings

    path = tmp_path / "cli.db"
    shutil.copy(sqlite_template, path)
    settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{path}")
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    for when in ("2026-03-02T09:00", "2026-03-02T09:30", "2026-03-02T23:00"):
        args = parser.parse_args(["scheduler", "tick", "--at", when])
        assert args.func(args, settings) == 0
    out = capsys.readouterr().out.splitlines()
    # The migrated schema has no users: nobody to send to, but the week is marked done at 09:00.
    assert out[0] == "2026-03-02 09:00（Asia/Shanghai）：已排入发送队列 0 条提醒/调度。" and len(out) == 3
    args = parser.parse_args(["scheduler", "tick", "--at", "next monday"])
    assert args.func(args, settings) == 2

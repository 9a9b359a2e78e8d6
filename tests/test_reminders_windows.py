"""A simulated clock drives the scheduler through the 2026 Spring Festival and National Day windows.

The expected reminders are written out by hand below (local send time, kind, appeal, recipient), from
the official calendar: Spring Festival off 02-15..02-23 with make-up Saturdays 02-14 and 02-28;
Mid-Autumn off 09-25; National Day off 10-01..10-07 with make-up days Sun 09-20 and Sat 10-10.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from sqlalchemy import select

from bot.scheduler import tick
from bot.settings import Settings
from handlers.reminders import admin_overdue_list, overdue_list
from storage.db import Database
from storage.models import Appeal, OrgUnit, Outbox, User
from storage.workdays import add_workdays

SH = ZoneInfo("Asia/Shanghai")
SETTINGS = Settings(_env_file=None, timezone="Asia/Shanghai", reminder_hour=9, stage_reply_after_days=5)
KIND = {"half": "half", "ff": "ff", "due": "due", "over": "over", "esc": "esc", "adm": "adm", "stage": "stage", "ret": "ret"}


def at(y, m, d, h=9, mi=0) -> datetime:
    """A local Shanghai time."""
    return datetime(y, m, d, h, mi, tzinfo=SH)


@dataclass
class Event:
    """Something the appeal workflow does at a local time (applied before that time's tick)."""

    when: datetime
    apply: Callable  # async (session, world) -> None


@dataclass
class World:
    """Ids the scenario refers to by name."""

    users: dict[str, int]
    ents: list[int]
    units: dict[str, int]
    appeals: dict[str, int]


def create(label, when, *, ent, cadre, county, unit=None, level="county", urgency="A", status="in_progress",
           deadline=None, days=None):
    """An event creating an appeal directly in the database (the appeals area's job in production)."""
    async def apply(session, w: World):
        if deadline is not None:  # the hand-written deadline agrees with the official calendar
            assert add_workdays(when.date(), days) == deadline
        a = Appeal(enterprise_id=w.ents[ent], cadre_id=w.users[cadre], county_id=w.units[county],
                   category="金融", urgency=urgency, description=f"测试诉求{label}：流动资金贷款续贷困难", status=status,
                   level=level, unit_id=w.units[unit] if unit else None, consulted=False, redo_count=0,
                   assigned_at=when if deadline else None, deadline=deadline, last_activity_at=when, created_at=when)
        session.add(a)
        await session.flush()
        w.appeals[label] = a.id
    return Event(when, apply)


def update(label, when, **fields):
    """An event changing an appeal (any change counts as activity)."""
    async def apply(session, w: World):
        a = await session.get(Appeal, w.appeals[label])
        for k, v in fields.items():
            setattr(a, k, v)
        a.last_activity_at = when
        if fields.get("status") == "resolved":
            a.finished_at = when
    return Event(when, apply)


def mute(name, when):
    """An event muting a user's weekly digest."""
    async def apply(session, w: World):
        (await session.get(User, w.users[name])).mute_weekly = True
    return Event(when, apply)


def parse(lines: str, year: int) -> set[tuple]:
    """'02-05 09:00 half S1 赵敏 刘红梅' -> {(local time, kind, appeal, person), ...}."""
    out = set()
    for line in lines.strip().splitlines():
        day, hm, kind, label, *names = line.split()
        for name in names:
            out.add((f"{year}-{day} {hm}", kind, None if label == "-" else label, name))
    return out


async def world_of(db: Database) -> World:
    async with db.session() as s:
        users = {u.name: u.id for u in (await s.scalars(select(User))).unique()}
        units = {u.code: u.id for u in await s.scalars(select(OrgUnit))}
        units.update({u.name: u.id for u in await s.scalars(select(OrgUnit))})
    from storage.demo import ENTERPRISES
    from storage.models import Enterprise

    async with db.session() as s:
        by_name = {e.name: e.id for e in await s.scalars(select(Enterprise))}
    return World(users, [by_name[e[0]] for e in ENTERPRISES], units, {})


async def drive(db: Database, events: list[Event], start: datetime, end: datetime, *, workers: int = 1,
                restart_at: datetime | None = None, step: timedelta = timedelta(hours=1),
                world: World | None = None) -> tuple[World, set, list]:
    """Tick from start to end; returns the world, the queued set and the raw outbox rows."""
    world = world or await world_of(db)
    dbs = [db] + [Database(db.url) for _ in range(workers - 1)]
    owned: list[Database] = dbs[1:]
    pending = sorted(events, key=lambda e: e.when)
    t = start
    while t <= end:
        if restart_at is not None and t == restart_at:
            # A new process: new engines on the same database; nothing is carried over.
            fresh = [Database(db.url) for _ in range(workers)]
            for old in owned:
                await old.dispose()
            dbs, owned = fresh, list(fresh)
        while pending and pending[0].when <= t:
            async with dbs[0].session() as s:
                await pending.pop(0).apply(s, world)
        now = t.astimezone(timezone.utc)
        await asyncio.gather(*(tick(d, SETTINGS, now) for d in dbs))
        t += step
    async with dbs[0].session() as s:
        rows = list(await s.scalars(select(Outbox).order_by(Outbox.id)))
    # The daily note on counties/units without people (issue 15) is not a reminder: tested on its own.
    rows = [r for r in rows if not r.dedupe_key.startswith("staff:")]
    for d in owned:
        await d.dispose()
    names = {v: k for k, v in world.users.items()}
    labels = {v: k for k, v in world.appeals.items()}
    got = set()
    for r in rows:
        local = r.created_at.astimezone(SH).strftime("%Y-%m-%d %H:%M")
        parts = r.dedupe_key.split(":")
        if parts[0] == "wk":
            got.add((local, "digest", None, names[r.user_id]))
        else:
            got.add((local, KIND[parts[1]], labels[int(parts[2])], names[r.user_id]))
    assert len(got) == len(rows), "two rows for one (time, kind, appeal, person)"
    return world, got, rows


# ---------- Spring Festival 2026 ----------
SF_EVENTS = [
    create("S1", at(2026, 2, 2, 10), ent=0, cadre="张伟", county="任城区", unit="fg_finance", deadline=date(2026, 2, 9), days=5),
    create("S2", at(2026, 2, 4, 15), ent=4, cadre="秦海", county="邹城市", unit="fg_energy", level="city", urgency="B",
           deadline=date(2026, 3, 3), days=15),
    create("S4", at(2026, 2, 5, 14), ent=0, cadre="张伟", county="任城区", status="returned"),
    create("S3", at(2026, 2, 9, 9, 30), ent=0, cadre="张伟", county="任城区", unit="cty_rencheng", status="assigned",
           deadline=date(2026, 2, 14), days=5),
    update("S2", at(2026, 2, 12, 10)),  # a progress note
    update("S3", at(2026, 2, 12, 11), status="in_progress", extension_state="pending", extension_days=5),
    update("S3", at(2026, 2, 13, 16), extension_state="granted", deadline=date(2026, 2, 28)),
    mute("张伟", at(2026, 2, 20, 10)),
    update("S3", at(2026, 3, 2, 10), status="resolved"),
    update("S1", at(2026, 3, 3, 15), status="resolved"),
]
SF_EXPECTED = parse("""
02-02 09:00 digest - 王建国 刘红梅
02-05 09:00 half S1 赵敏
02-06 09:00 ff S1 赵敏
02-09 09:00 digest - 王建国 刘红梅 赵敏 吴静 李卫东 孙丽 张伟 秦海
02-09 09:00 due S1 赵敏 李卫东
02-09 09:00 ret S4 张伟
02-10 09:00 over S1 赵敏
02-10 09:00 esc S1 李卫东
02-11 09:00 over S1 赵敏
02-11 09:00 stage S2 吴静
02-11 09:00 ret S4 张伟
02-12 09:00 over S1 赵敏
02-12 09:00 half S3 沈冰
02-13 09:00 over S1 赵敏
02-13 09:00 ff S3 沈冰
02-13 09:00 ret S4 张伟
02-14 09:00 over S1 赵敏
02-14 09:00 half S2 吴静
02-14 09:00 half S3 沈冰
02-24 09:00 digest - 王建国 刘红梅 赵敏 吴静 沈冰 李卫东 孙丽 秦海
02-24 09:00 over S1 赵敏
02-24 09:00 adm S1 王建国 刘红梅
02-25 09:00 over S1 赵敏
02-26 09:00 over S1 赵敏
02-26 09:00 stage S2 吴静
02-26 09:00 ff S3 沈冰
02-27 09:00 over S1 赵敏
02-27 09:00 ff S2 吴静
02-27 09:00 stage S3 沈冰
02-28 09:00 over S1 赵敏
02-28 09:00 due S3 沈冰 李卫东
03-02 09:00 digest - 王建国 刘红梅 赵敏 吴静 沈冰 李卫东 孙丽 秦海
03-02 09:00 over S1 赵敏
03-02 09:00 over S3 沈冰
03-02 09:00 esc S3 李卫东
03-03 09:00 over S1 赵敏
03-03 09:00 due S2 吴静 王建国 刘红梅
03-04 09:00 over S2 吴静
03-04 09:00 esc S2 王建国 刘红梅
03-05 09:00 over S2 吴静
03-06 09:00 over S2 吴静
""", 2026)
SF_WINDOW = (at(2026, 2, 2, 0), at(2026, 3, 6, 23), at(2026, 2, 18, 0))

# ---------- National Day 2026 ----------
ND_EVENTS = [
    create("N1", at(2026, 9, 18, 11), ent=4, cadre="秦海", county="邹城市", unit="fg_finance", urgency="B",
           deadline=date(2026, 10, 15), days=15),
    create("N3", at(2026, 9, 21, 10), ent=10, cadre="秦海", county="邹城市", unit="tf_chemical",  # no handlers
           deadline=date(2026, 9, 29), days=5),
    create("N2", at(2026, 9, 29, 10), ent=20, cadre="朱琳", county="济宁高新区", unit="tf_it", level="city",
           deadline=date(2026, 10, 12), days=5),
    update("N2", at(2026, 10, 12, 15), status="resolved"),
    update("N3", at(2026, 10, 14, 10), status="resolved"),
]
ND_EXPECTED = parse("""
09-14 09:00 digest - 王建国 刘红梅
09-21 09:00 digest - 王建国 刘红梅 赵敏 孙丽 秦海
09-24 09:00 stage N1 赵敏
09-24 09:00 half N3 孙丽
09-28 09:00 digest - 王建国 刘红梅 赵敏 孙丽 秦海
09-28 09:00 ff N3 孙丽
09-29 09:00 due N3 孙丽
09-30 09:00 half N1 赵敏
09-30 09:00 over N3 孙丽
09-30 09:00 esc N3 孙丽
10-08 09:00 digest - 王建国 刘红梅 赵敏 蒋芳 孙丽 周强 秦海 朱琳
10-08 09:00 over N3 孙丽
10-09 09:00 over N3 孙丽
10-09 09:00 stage N1 赵敏
10-09 09:00 half N2 蒋芳
10-10 09:00 over N3 孙丽
10-10 09:00 ff N2 蒋芳
10-12 09:00 digest - 王建国 刘红梅 赵敏 蒋芳 孙丽 周强 秦海 朱琳
10-12 09:00 over N3 孙丽
10-12 09:00 ff N1 赵敏
10-12 09:00 due N2 蒋芳 王建国 刘红梅
10-13 09:00 over N3 孙丽
10-13 09:00 adm N3 王建国 刘红梅
10-14 09:00 over N3 孙丽
10-15 09:00 due N1 赵敏 孙丽
10-16 09:00 over N1 赵敏
10-16 09:00 esc N1 孙丽
10-19 09:00 digest - 王建国 刘红梅 赵敏 孙丽 秦海 朱琳
10-19 09:00 over N1 赵敏
10-20 09:00 over N1 赵敏
10-21 09:00 over N1 赵敏
10-22 09:00 over N1 赵敏
10-23 09:00 over N1 赵敏
10-23 09:00 adm N1 王建国 刘红梅
""", 2026)
ND_WINDOW = (at(2026, 9, 14, 0), at(2026, 10, 23, 23), at(2026, 10, 3, 0))

WINDOWS = {"spring": (SF_EVENTS, SF_EXPECTED, SF_WINDOW), "national": (ND_EVENTS, ND_EXPECTED, ND_WINDOW)}


def test_the_calendar_is_the_one_the_expectations_assume():
    for d in ("2026-02-14", "2026-02-28", "2026-09-20", "2026-10-10"):
        assert chinese_calendar.is_workday(date.fromisoformat(d))
    for d in ("2026-02-16", "2026-02-23", "2026-09-25", "2026-10-01", "2026-10-07"):
        assert not chinese_calendar.is_workday(date.fromisoformat(d))


async def _check_overdue(db: Database, world: World, name: str) -> None:
    async with db.session() as s:
        if name == "spring":
            items = await overdue_list(s, date(2026, 3, 6))
            assert [(i.appeal_id, i.days_overdue, i.reminders_sent, i.on_admin_list) for i in items] == [
                (world.appeals["S2"], 3, 12, False)]
            assert await admin_overdue_list(s, date(2026, 3, 6)) == []
            # S1 (resolved on 03-03) has left the list; the list is the current state, not history.
            assert world.appeals["S1"] not in [i.appeal_id for i in await overdue_list(s, date(2026, 3, 3))]
        else:
            items = await admin_overdue_list(s, date(2026, 10, 23))
            assert [(i.appeal_id, i.days_overdue, i.reminders_sent, i.unit_name) for i in items] == [
                (world.appeals["N1"], 6, 15, "金融要素保障组")]


async def seeded(db: Database) -> Database:
    """The database with the demo organisation and users."""
    from storage.demo import seed_demo

    async with db.session() as s:
        await seed_demo(s)
    return db


@pytest.mark.parametrize("window", ["spring", "national"])
async def test_window_on_sqlite_with_a_restart(sqlite_db, window):
    db = await seeded(sqlite_db)
    events, expected, (start, end, restart) = WINDOWS[window]
    world, got, rows = await drive(db, events, start, end, restart_at=restart)
    assert (sorted(got - expected), sorted(expected - got)) == ([], [])  # (unexpected, missing)
    assert all(len(r.text) < 4096 and r.kind in ("reminder", "digest") for r in rows)
    await _check_overdue(db, world, window)


@pytest.mark.pg
@pytest.mark.parametrize("window", ["spring", "national"])
async def test_window_on_postgresql_with_two_workers(pg_db, window):
    db = await seeded(pg_db)
    events, expected, (start, end, restart) = WINDOWS[window]
    world, got, rows = await drive(db, events, start, end, workers=2, restart_at=restart)
    assert (sorted(got - expected), sorted(expected - got)) == ([], [])  # (unexpected, missing)
    assert len({r.dedupe_key for r in rows}) == len(rows)
    await _check_overdue(db, world, window)

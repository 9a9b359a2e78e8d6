"""The daily push: cards to cadres, lists to task forces, reviewers and the city office; once, whatever restarts."""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select

from bot.outbox_sender import OutboxSender
from bot.scheduler import tick
from bot.settings import Settings
from bot.telegram_common import Transport
from storage.db import Database
from storage.models import Outbox, OutboxStatus, PlatformAccount, User
from storage.models.reminders import SchedulerRun
from tests.test_power_chat import E0, E1, E20, seed_readings

SH = ZoneInfo("Asia/Shanghai")
SETTINGS = Settings(_env_file=None)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH).astimezone(timezone.utc)


async def power_rows(db) -> list[Outbox]:
    async with db.session() as s:
        return list(await s.scalars(select(Outbox).where(Outbox.kind == "power").order_by(Outbox.id)))


async def names(db) -> dict[int, str]:
    async with db.session() as s:
        return {u.id: u.name for u in (await s.scalars(select(User))).unique()}


async def test_push_reaches_each_audience_once_across_restarts(demo, tmp_path):
    db, _ = demo
    await seed_readings(db, tmp_path)
    assert await tick(db, SETTINGS, at(2026, 3, 18, 8, 30)) == 0  # before the reminder hour
    first = await tick(db, SETTINGS, at(2026, 3, 18, 9, 5))
    rows = await power_rows(db)
    who = await names(db)
    cards = {who[r.user_id]: r for r in rows if r.dedupe_key.startswith("pw:")}
    lists = {who[r.user_id]: r for r in rows if r.dedupe_key.startswith("pwl:")}
    assert set(cards) == {"张伟", "杨帆", "朱琳"}
    assert E0 in cards["张伟"].text and "疑似停产" in cards["张伟"].text
    assert [b["text"] for b in cards["张伟"].buttons[0]] == ["说明原因", "提报诉求"]
    assert set(lists) == {"王建国", "刘红梅", "李卫东", "周强", "卫东升", "蒋芳"}
    assert E20 in lists["蒋芳"].text and E0 not in lists["蒋芳"].text
    assert E0 in lists["李卫东"].text and E1 in lists["李卫东"].text and E20 not in lists["李卫东"].text
    assert first >= len(rows) == 9
    async with db.session() as s:
        photos = dict((await s.execute(select(Outbox.dedupe_key, Outbox.photo).where(Outbox.kind == "power"))).all())
    assert all(photos[r.dedupe_key][:4] == b"\x89PNG" for r in cards.values())
    assert all(photos[r.dedupe_key] is None for r in lists.values())
    # Later ticks, a restarted process (a new Database), and a worker that lost the day's marker add nothing.
    assert await tick(db, SETTINGS, at(2026, 3, 18, 10, 0)) == 0
    again = Database(db.url)
    try:
        assert await tick(again, SETTINGS, at(2026, 3, 18, 11, 0)) == 0
        async with again.session() as s:
            await s.execute(delete(SchedulerRun).where(SchedulerRun.key.like("power:%")))
        assert await tick(again, SETTINGS, at(2026, 3, 18, 12, 0)) == 0
    finally:
        await again.dispose()
    assert len(await power_rows(db)) == 9


async def test_no_push_on_a_rest_day_and_catch_up_on_the_next_working_day(demo, tmp_path):
    db, _ = demo
    await seed_readings(db, tmp_path)
    assert await tick(db, SETTINGS, at(2026, 3, 21, 10, 0)) == 0  # Saturday
    assert await tick(db, SETTINGS, at(2026, 3, 23, 9, 30)) > 0  # Monday: Tuesday's flags still go out
    assert len(await power_rows(db)) == 9


@pytest.mark.pg
async def test_two_workers_on_postgresql_push_once(pg_db, tmp_path):
    from storage.demo import seed_demo

    async with pg_db.session() as s:
        await seed_demo(s)
    await seed_readings(pg_db, tmp_path)
    others = [Database(pg_db.url) for _ in range(2)]
    try:
        counts = await asyncio.gather(*(tick(d, SETTINGS, at(2026, 3, 18, 9, 1)) for d in [pg_db, *others]))
    finally:
        for d in others:
            await d.dispose()
    keys = [r.dedupe_key for r in await power_rows(pg_db)]
    async with pg_db.session() as s:
        total = len(list(await s.scalars(select(Outbox.id))))
    assert len(keys) == len(set(keys)) == 9 and sum(counts) == total  # (the week's dispatch is in the total)


class Recorder(Transport):
    """A transport that records the calls the sender makes (the Bot API boundary)."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    async def send_text(self, chat_id, text, keyboard):
        self.calls.append(("text", chat_id, text, keyboard))
        return len(self.calls)

    async def send_file(self, kind, chat_id, file, caption, keyboard):
        self.calls.append((kind, chat_id, caption, keyboard, file.content[:4]))
        return len(self.calls)


async def test_sender_delivers_a_card_as_a_photo_with_caption_and_buttons(demo, tmp_path):
    db, refs = demo
    await seed_readings(db, tmp_path)
    async with db.session() as s:
        zhang = await s.get(User, refs.user_ids["张伟"])
        s.add(PlatformAccount(platform="telegram", external_id="70001", user_id=zhang.id))
    await tick(db, SETTINGS, at(2026, 3, 18, 9, 5))
    rec = Recorder()
    sender = OutboxSender(db, rec, batch=50)
    while await sender.run_once():
        pass
    [photo] = [c for c in rec.calls if c[0] == "photo"]
    assert photo[1] == 70001 and E0 in photo[2] and photo[4] == b"\x89PNG"
    assert [b["text"] for b in photo[3][0]] == ["说明原因", "提报诉求"]
    async with db.session() as s:
        row = await s.scalar(select(Outbox).where(Outbox.user_id == zhang.id, Outbox.kind == "power"))
        assert row.status == OutboxStatus.SENT

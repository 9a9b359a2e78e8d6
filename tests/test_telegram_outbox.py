"""The outbox sender against the fake Bot API: retries, 429, blocked users, restarts, two workers."""
from __future__ import annotations

import asyncio
import collections

import pytest
from sqlalchemy import select

from bot.outbox_sender import OutboxSender
from bot.runner import make_adapter
from storage.db import Database
from storage.models import Outbox, OutboxStatus, User
from storage.outbox import queue_notification
from tests.fakebot.harness import FRAMEWORKS, bind, bot_settings, fake, tg_db, tg_db_url, tg_demo  # noqa: F401


async def noop(_inc) -> None:
    """Updates are not consumed in these tests."""


async def transport_for(fake, framework: str):
    """A started adapter (getMe done) whose transport the sender uses."""
    adapter = make_adapter(framework, bot_settings(fake, framework), noop)
    await adapter.start()
    return adapter


async def queue(db, user_id: int | None, text: str, **kw) -> None:
    """Queue one notification in its own transaction."""
    async with db.session() as s:
        await queue_notification(s, user_id, text, **kw)


async def rows(db) -> dict[str, Outbox]:
    """Outbox rows by text."""
    async with db.session() as s:
        return {r.text: r for r in (await s.scalars(select(Outbox))).all()}


async def until_settled(db, timeout: float = 10.0) -> dict[str, Outbox]:
    """Wait until no row is pending any more."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        current = await rows(db)
        if all(r.status != OutboxStatus.PENDING for r in current.values()):
            return current
        assert loop.time() < deadline, {t: (r.status, r.attempts, r.last_error) for t, r in current.items()}
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_retries_429_blocked_and_restart(framework, fake, tg_demo):
    db, refs = tg_demo
    ids = {name: await bind(db, name, tg) for name, tg in (("张伟", 801), ("杨帆", 802), ("朱琳", 803))}
    for tg in (801, 802, 803):
        fake.add_user(tg)
    from handlers.types import Button

    await queue(db, ids["张伟"], "甲：诉求已受理", buttons=[[Button("查看", data="ap:view:1")]])
    await queue(db, ids["杨帆"], "乙：请办理")
    await queue(db, ids["朱琳"], "丙：提醒")
    await queue(db, refs.user_ids["秦海"], "丁：无账号")  # never bound to Telegram
    await queue(db, ids["张伟"], "戊：" + "长" * 5000)  # split in two messages
    fake.fail("sendMessage", "429", times=1, retry_after=1, chat_id=801)
    fake.fail("sendMessage", "500", times=2, chat_id=802)
    fake.fail("sendMessage", "403", times=1, chat_id=803)
    adapter = await transport_for(fake, framework)
    sender = OutboxSender(db, adapter.transport, idle_s=0.05, backoff_base_s=0.05)
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    try:
        done = await until_settled(db)
    finally:
        stop.set()
        await task
    assert done["甲：诉求已受理"].status == OutboxStatus.SENT
    assert done["乙：请办理"].status == OutboxStatus.SENT and done["乙：请办理"].attempts == 3
    assert done["丙：提醒"].status == OutboxStatus.BLOCKED
    assert done["丁：无账号"].status == OutboxStatus.UNDELIVERABLE
    assert done["戊：" + "长" * 5000].status == OutboxStatus.SENT
    assert [m.text for m in fake.sent(801)][0] == "甲：诉求已受理"
    assert fake.sent(801)[0].buttons == [("查看", "ap:view:1")]
    assert len(fake.sent(801)) == 3 and all(len(m.text) <= 4096 for m in fake.sent(801))
    calls_801 = [c for c in fake.calls("sendMessage") if c.params["chat_id"] == 801]
    assert calls_801[0].status == 429 and calls_801[1].ts - calls_801[0].ts >= 0.95
    assert [c.status for c in fake.calls("sendMessage") if c.params["chat_id"] == 802] == [500, 500, 200]
    async with db.session() as s:
        assert (await s.get(User, ids["朱琳"])).blocked_bot is True
    # a blocked user is not tried again
    before = len(fake.calls("sendMessage"))
    await queue(db, ids["朱琳"], "己：再次提醒")
    # restart: a new sender on the same database sends only what is new
    sender2 = OutboxSender(db, adapter.transport, idle_s=0.05, backoff_base_s=0.05)
    assert await sender2.run_once() == 1
    assert (await rows(db))["己：再次提醒"].status == OutboxStatus.BLOCKED
    assert len(fake.calls("sendMessage")) == before
    assert await sender2.run_once() == 0
    # a crash after claiming: the row waits for its lease to expire, then goes out exactly once
    await queue(db, ids["杨帆"], "庚：崩溃后补发")
    crashed = OutboxSender(db, adapter.transport, lease_s=0.5)
    assert len(await crashed.claim()) == 1  # ... and the process dies here
    assert await sender2.run_once() == 0
    await asyncio.sleep(0.6)
    assert await sender2.run_once() == 1
    assert fake.texts(802).count("庚：崩溃后补发") == 1
    await adapter.close()


@pytest.mark.pg
@pytest.mark.parametrize("tg_db_url", ["pg"], indirect=True)
async def test_two_workers_on_postgresql_never_send_twice(fake, tg_demo, tg_db_url):
    db, refs = tg_demo
    names = ["张伟", "杨帆", "朱琳", "许诺", "何平"]
    users = [await bind(db, name, 900 + i) for i, name in enumerate(names)]
    for i in range(len(names)):
        fake.add_user(900 + i)
    total = 200
    async with db.session() as s:
        for n in range(total):
            await queue_notification(s, users[n % len(users)], f"通知{n:03d}")
    fake.delay = 0.003  # a little latency so the workers interleave
    # two workers, two connection pools, one on each framework
    db2 = Database(tg_db_url)
    adapters = [await transport_for(fake, "aiogram"), await transport_for(fake, "ptb")]
    senders = [OutboxSender(d, a.transport, batch=5, idle_s=0.02) for d, a in zip((db, db2), adapters)]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(s.run(stop)) for s in senders]
    try:
        await until_settled(db, timeout=30)
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        for a in adapters:
            await a.close()
        await db2.dispose()
    texts = [c.params["text"] for c in fake.calls("sendMessage") if c.status == 200]
    counts = collections.Counter(texts)
    assert len(texts) == total and max(counts.values()) == 1
    assert all(s.stats["sent"] > 0 for s in senders), [s.stats for s in senders]
    assert sum(s.stats["sent"] for s in senders) == total

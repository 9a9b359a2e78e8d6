"""Bot API outages: queued notifications and unsent direct replies are delivered once it recovers."""
from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.outbox_report import outbox_report
from bot.outbox_sender import OutboxSender
from storage.models import Outbox, OutboxStatus, utcnow
from tests.fakebot.harness import (FRAMEWORKS, bind, bot_settings, fake, start_bot, tg_db, tg_db_url,  # noqa: F401
                                   tg_demo)
from tests.test_telegram_outbox import queue, rows, transport_for, until_settled


@pytest.mark.parametrize("tg_db_url", ["sqlite", "pg"], indirect=True)
async def test_long_outage_then_recovery_delivers_everything_once(fake, tg_demo):
    db, refs = tg_demo
    uid = await bind(db, "张伟", 811)
    fake.add_user(811)
    for i in range(10):
        await queue(db, uid, f"通知{i}")
    fake.fail("sendMessage", "502", times=10_000)  # the API is down for as long as it takes
    adapter = await transport_for(fake, "aiogram")
    sender = OutboxSender(db, adapter.transport, idle_s=0.02, backoff_base_s=0.01, backoff_max_s=0.05)
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 20
        # One row per chat probes the API (the later ones wait behind it); far past the old 8-attempt cap.
        while max(r.attempts for r in (await rows(db)).values()) < 12:
            assert loop.time() < deadline
            await asyncio.sleep(0.05)
        assert all(r.status == OutboxStatus.PENDING for r in (await rows(db)).values())
        fake.state.faults = []  # the API is back
        settled = await until_settled(db)
    finally:
        stop.set()
        await task
        await adapter.close()
    assert all(r.status == OutboxStatus.SENT for r in settled.values())
    assert fake.texts(811) == [f"通知{i}" for i in range(10)]  # once each, in order


async def test_rows_give_up_after_the_cap_and_can_be_requeued(fake, tg_demo, capsys):
    db, refs = tg_demo
    uid = await bind(db, "杨帆", 812)
    fake.add_user(812)
    await queue(db, uid, "旧通知", now=utcnow() - timedelta(hours=80))
    await queue(db, uid, "新通知")
    fake.fail("sendMessage", "502", times=10_000)
    adapter = await transport_for(fake, "aiogram")
    sender = OutboxSender(db, adapter.transport, backoff_base_s=0.01)
    try:
        await sender.run_once()
        current = await rows(db)
        assert current["旧通知"].status == OutboxStatus.FAILED  # older than the 72 h cap
        assert current["新通知"].status == OutboxStatus.PENDING and current["新通知"].attempts == 1
        settings = bot_settings(fake, "aiogram", database_url=db.url)
        await asyncio.to_thread(outbox_report, argparse.Namespace(list=5, retry_failed=False), settings)
        out = capsys.readouterr().out
        assert "发送失败：1" in out and "其中重试中：1" in out and "72 小时" in out
        fake.state.faults = []
        await asyncio.to_thread(outbox_report, argparse.Namespace(list=0, retry_failed=True), settings)
        assert "已将 1 条发送失败的通知重新排队" in capsys.readouterr().out
        await asyncio.sleep(0.05)
        await sender.run_once()
        await sender.run_once()
    finally:
        await adapter.close()
    assert sorted(fake.texts(812)) == ["新通知", "旧通知"]


async def test_blocked_user_is_marked_and_not_retried(fake, tg_demo):
    db, refs = tg_demo
    uid = await bind(db, "朱琳", 813)
    fake.add_user(813)
    fake.block_user(813)
    await queue(db, uid, "甲")
    await queue(db, uid, "乙")
    adapter = await transport_for(fake, "aiogram")
    sender = OutboxSender(db, adapter.transport)
    try:
        await sender.run_once()
        await sender.run_once()
    finally:
        await adapter.close()
    assert {r.status for r in (await rows(db)).values()} == {OutboxStatus.BLOCKED}
    assert len(fake.calls("sendMessage")) == 1  # the second row was not even tried


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_unsent_direct_replies_go_to_the_outbox_in_order(framework, fake, tg_demo):
    db, refs = tg_demo
    await bind(db, "张伟", 814)
    fake.add_user(814)
    runner = await start_bot(fake, db, framework)
    try:
        fake.fail("sendMessage", "502", times=10_000, chat_id=814)
        await fake.send_text(814, "/help")
        await fake.send_text(814, "/start")
        await fake.wait_confirmed(timeout=20)
        async with db.session() as s:
            queued = list(await s.scalars(select(Outbox).where(Outbox.kind == "reply").order_by(Outbox.id)))
        assert len(queued) >= 2 and all(r.chat_id == 814 for r in queued)
        assert fake.sent(814) == []
        await fake.send_text(814, "/help")  # while the queue is not empty: goes behind it
        await fake.wait_confirmed(timeout=20)
        fake.state.faults = []
        await fake.wait_for(lambda: len(fake.sent(814)) >= len(queued) + 1, 20, "queued replies")
        await asyncio.sleep(0.3)
    finally:
        await runner.stop()
    texts = fake.texts(814)
    expected = [r.text for r in queued]

    assert texts[:len(expected)] == expected  # the outage's replies first, in their order
    assert texts[-1] == texts[0]  # the third update (/help again) came last
    async with db.session() as s:
        statuses = set(await s.scalars(select(Outbox.status).where(Outbox.kind == "reply")))
    assert statuses == {OutboxStatus.SENT}

"""Kill-safety of updates: dedupe commits with the work, polling confirms only finished updates."""
from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

import handlers.dispatcher as dispatcher_module
from handlers.dispatcher import Dispatcher
from handlers.types import Incoming
from storage.models import DialogState, ProcessedUpdate
from tests.fakebot.harness import FRAMEWORKS, bind, fake, start_bot, tg_db, tg_db_url, tg_demo  # noqa: F401


async def processed(db) -> int:
    async with db.session() as s:
        return await s.scalar(select(func.count()).select_from(ProcessedUpdate))


async def test_failed_update_is_not_marked_processed(demo, monkeypatch):
    """A handler that fails after the dedupe row leaves no row: the redelivery is handled for real."""
    db, refs = demo
    uid = refs.user_ids["张伟"]
    inc = Incoming(platform="console", user_id=uid, chat_id=uid, text="/appeal", update_id=4242)
    real_route = dispatcher_module.route

    async def failing_route(ctx):
        await ctx.set_dialog("appeal_intake", "x", {})  # some work that must roll back too
        raise RuntimeError("handler bug")

    monkeypatch.setattr(dispatcher_module, "route", failing_route)
    dispatcher = Dispatcher(db, _settings())
    replies = await dispatcher.handle(inc)
    assert "出了问题" in replies[0].text
    assert await processed(db) == 0
    async with db.session() as s:
        assert await s.get(DialogState, uid) is None
    monkeypatch.setattr(dispatcher_module, "route", real_route)
    again = await dispatcher.handle(inc)
    assert again and "出了问题" not in again[0].text
    assert await processed(db) == 1
    assert await dispatcher.handle(inc) == []  # a third delivery is a no-op
    assert dispatcher._locks == {}  # the per-user order locks are released


async def test_database_failure_is_not_committed(demo, tmp_path):
    """When the database itself fails the dispatcher raises UpdateNotCommitted (nothing confirmed)."""
    db, refs = demo
    uid = refs.user_ids["张伟"]
    dispatcher = Dispatcher(db, _settings())
    from storage.db import Database

    # The same engine kind, but a database that cannot be reached (a directory / nothing listening).
    broken = f"sqlite+aiosqlite:///{tmp_path}" if db.is_sqlite else "postgresql+asyncpg://postgres@127.0.0.1:1/x"
    dispatcher.db = Database(broken)
    with pytest.raises(dispatcher_module.UpdateNotCommitted):
        await dispatcher.handle(Incoming(platform="console", user_id=uid, chat_id=uid, text="/help", update_id=7))
    await dispatcher.db.dispose()


def _settings():
    from bot.settings import Settings

    return Settings(_env_file=None)


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_polling_confirms_only_finished_updates(framework, fake, tg_demo):
    """A crash while a handler runs: that update is not confirmed and is handled after the restart."""
    db, refs = tg_demo
    await bind(db, "张伟", 901)
    await bind(db, "杨帆", 902)
    fake.add_user(901)
    fake.add_user(902)
    runner = await start_bot(fake, db, framework)
    gate = asyncio.Event()
    real = runner.dispatcher.handle

    async def slow_handle(inc):
        if inc.text == "/help" and inc.user_id == 901:
            await gate.wait()  # the handler is still running when the process dies
        return await real(inc)

    runner.dispatcher.handle = slow_handle
    try:
        slow = await fake.send_text(901, "/help")
        await fake.send_text(902, "/help")
        await fake.wait_messages(902, 1, timeout=10)
        await asyncio.sleep(1.5)  # several getUpdates rounds while the slow handler runs
        queued = [q.update["update_id"] for q in fake.state.queue]
        assert slow["update_id"] in queued  # not confirmed: Telegram would deliver it again
    finally:
        await runner.kill()
    assert fake.sent(901) == []
    restarted = await start_bot(fake, db, framework)
    try:
        await fake.wait_messages(901, 1, timeout=10)
        await fake.wait_confirmed(timeout=10)
    finally:
        await restarted.stop()
    assert len(fake.sent(902)) == 1  # the finished update was not handled twice
    assert await processed(db) == 2


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_webhook_answers_500_until_the_database_takes_it(framework, fake, tg_demo):
    """An update the database could not store is answered 500, so Telegram delivers it again."""
    from tests.fakebot.harness import free_port

    db, refs = tg_demo
    await bind(db, "张伟", 903)
    fake.add_user(903)
    port = free_port()
    runner = await start_bot(fake, db, framework, webhook_url=f"http://127.0.0.1:{port}/tg", webhook_port=port,
                             outbox=False)
    real = runner.dispatcher.handle
    failures = [2]

    async def flaky(inc):
        if failures[0]:
            failures[0] -= 1
            raise dispatcher_module.UpdateNotCommitted("database restarting")
        return await real(inc)

    runner.dispatcher.handle = flaky
    try:
        update = fake.text_update(903, "/help")
        statuses = [(await fake.post_webhook(update, use_registered_secret=True))[0] for _ in range(3)]
        assert statuses == [500, 500, 200]
        assert len(fake.sent(903)) == 1
    finally:
        await runner.stop()
    assert await processed(db) == 1

"""Platform accounts: the migration moves today's bindings, the dispatcher resolves them, and each
channel's outbox sender delivers to the account bound last, on its own platform only."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import select, text

from bot.outbox_sender import OutboxSender
from handlers.types import Incoming
from storage.db import Database, _alembic_config
from storage.models import Outbox, OutboxStatus, PlatformAccount, User
from storage.outbox import queue_notification
from tests.chat import ChatDriver
from tests.conftest import PG_URL, _pg_db_url, _pg_exec

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
async def empty_db(request, tmp_path):
    """A real, empty database (no migration yet)."""
    if request.param == "sqlite":
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
        yield db
        await db.dispose()
        return
    if PG_URL is None:
        pytest.skip("PANDENG_TEST_PG_URL not set")
    name = f"pandeng_m_{uuid.uuid4().hex[:12]}"
    await _pg_exec(f'CREATE DATABASE "{name}"')
    db = Database(_pg_db_url(name))
    yield db
    await db.dispose()
    await _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_migration_moves_telegram_ids_and_back(empty_db):
    db = empty_db
    await db.upgrade("0006_reminders")
    async with db.engine.begin() as conn:
        for uid, tg, handle in ((1, 9001, "wang"), (2, None, None), (3, 5_000_000_123, None)):
            await conn.execute(text(
                "INSERT INTO users (id, name, role, telegram_id, telegram_username, active, blocked_bot, mute_weekly,"
                " created_at) VALUES (:id, :n, 'cadre', :tg, :h, true, false, false, :t)"),
                {"id": uid, "n": f"人员{uid}", "tg": tg, "h": handle, "t": T0.replace(tzinfo=None)})
    await db.upgrade("0008_accounts")
    async with db.session() as s:
        accounts = [(a.platform, a.external_id, a.user_id, a.username)
                    for a in await s.scalars(select(PlatformAccount).order_by(PlatformAccount.user_id))]
    assert accounts == [("telegram", "9001", 1, "wang"), ("telegram", "5000000123", 3, None)]
    # the dispatcher finds them by (platform, external id)
    [reply] = await ChatDriver(db).dispatcher.handle(
        Incoming(platform="telegram", user_id=5_000_000_123, chat_id=5_000_000_123, text="/help"))
    assert "人员3" in reply.text
    async with db.engine.begin() as conn:
        await conn.run_sync(lambda c: __import__("alembic.command").command.downgrade(_alembic_config(c), "-1"))
        rows = (await conn.execute(text("SELECT id, telegram_id, telegram_username FROM users ORDER BY id"))).all()
    assert [tuple(r) for r in rows] == [(1, 9001, "wang"), (2, None, None), (3, 5_000_000_123, None)]


class Recorder:
    """A Deliverer that records what it was asked to send."""

    def __init__(self, platform: str, groups: bool = False) -> None:
        self.platform = platform
        self.groups = groups
        self.sent: list[tuple[str, str]] = []

    def pieces(self, text_: str, buttons) -> list[str]:
        return [text_]

    async def send_piece(self, target: str, piece: str) -> None:
        self.sent.append((target, piece))


async def test_each_channel_delivers_its_own_accounts(demo):
    db, refs = demo
    zhang, yang, zhu = (refs.user_ids[n] for n in ("张伟", "杨帆", "朱琳"))
    async with db.session() as s:
        s.add(PlatformAccount(platform="telegram", external_id="801", user_id=zhang, bound_at=T0))
        s.add(PlatformAccount(platform="telegram", external_id="802", user_id=yang, bound_at=T0))
        s.add(PlatformAccount(platform="wecom", external_id="YangFan", user_id=yang, bound_at=T0))  # bound last
        for uid, msg in ((zhang, "给张伟"), (yang, "给杨帆"), (zhu, "给朱琳")):
            await queue_notification(s, uid, msg)
        await queue_notification(s, None, "给群", chat_id=-100123)
    tg, wecom = Recorder("telegram", groups=True), Recorder("wecom")
    await OutboxSender(db, wecom).run_once()
    await OutboxSender(db, tg).run_once()
    await OutboxSender(db, wecom).run_once()  # nothing left for it: no double delivery
    assert sorted(tg.sent) == [("-100123", "给群"), ("801", "给张伟")]
    assert wecom.sent == [("YangFan", "给杨帆")]
    async with db.session() as s:
        status = {r.text: r.status for r in await s.scalars(select(Outbox))}
    assert status == {"给张伟": OutboxStatus.SENT, "给杨帆": OutboxStatus.SENT, "给群": OutboxStatus.SENT,
                      "给朱琳": OutboxStatus.UNDELIVERABLE}  # 朱琳 has no account anywhere
    # 杨帆 writes from Telegram again: that is where his notifications go from now on
    await ChatDriver(db).dispatcher.handle(Incoming(platform="telegram", user_id=802, chat_id=802, text="/help"))
    async with db.session() as s:
        await queue_notification(s, yang, "再给杨帆")
    await OutboxSender(db, wecom).run_once()
    await OutboxSender(db, tg).run_once()
    assert ("802", "再给杨帆") in tg.sent and len(wecom.sent) == 1


async def test_invite_binds_an_account_on_the_inviting_platform(demo):
    db, refs = demo
    chat = ChatDriver(db)
    [r] = await chat.send(refs.user_ids["王建国"], "/invite 新人甲 驻企干部 " + (await _ent_name(db, refs)))
    code = r.text.split("邀请码 ", 1)[1].split("：", 1)[0]
    assert f"/start {code}" in r.text  # no channel configured: the platform-neutral instruction
    d = chat.dispatcher
    [r] = await d.handle(Incoming(platform="wecom", user_id="XinRenJia", chat_id=77, text=f"/start {code}"))
    assert "绑定成功" in r.text
    async with db.session() as s:
        user = await s.scalar(select(User).join(PlatformAccount).where(
            PlatformAccount.platform == "wecom", PlatformAccount.external_id == "XinRenJia"))
        assert user.name == "新人甲"
    # the same userid on another platform is another, unknown account
    [r] = await d.handle(Incoming(platform="telegram", user_id=77, chat_id=77, text="/help"))
    assert "尚未登记" in r.text


async def _ent_name(db, refs) -> str:
    from storage.models import Enterprise

    async with db.session() as s:
        return (await s.get(Enterprise, refs.enterprise_ids[0])).name

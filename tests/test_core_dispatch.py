"""The dispatcher: routing, refusals, groups nobody enrolled, duplicates and bad input."""
from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from handlers.dispatcher import NOT_ENROLLED_GROUP, NOT_ENROLLED_USER, Dispatcher, split_command
from handlers.registry import COMMANDS
from handlers.types import Button, Incoming, split_text
from storage.demo import DEMO_GROUP_CHAT_ID
from storage.models import ProcessedUpdate
from tests.chat import ChatDriver, text_of

import pytest


def test_split_command():
    assert split_command("/appeal@pandeng_bot 贷款难") == ("appeal", "贷款难")
    assert split_command("/HELP") == ("help", "")
    assert split_command("/appeal\n第二行") == ("appeal", "第二行")
    assert split_command("你好") == (None, "你好")
    assert split_command("/") == (None, "/")


def test_button_data_limit_and_split_text():
    Button("签收", data="ap:sign:123456")
    with pytest.raises(ValueError):
        Button("太长", data="ap:" + "诉" * 21)  # 3 + 63 bytes
    parts = split_text("行\n" * 5000)
    assert all(len(p) <= 4096 for p in parts) and "".join(parts).count("行") == 5000


async def test_help_lists_role_commands(demo):
    db, refs = demo
    chat = ChatDriver(db)
    replies = await chat.send(refs.user_ids["张伟"], "/help")
    assert "张伟（驻企干部）" in text_of(replies) and "/cancel" in text_of(replies)
    admin_only = [s.name for s in COMMANDS.values() if s.roles and "cadre" not in s.roles]
    for name in admin_only:
        assert f"/{name} " not in text_of(replies)


async def test_unknown_command_and_empty_and_huge(demo):
    db, refs = demo
    chat = ChatDriver(db)
    uid = refs.user_ids["张伟"]
    assert "未知命令" in text_of(await chat.send(uid, "/frobnicate"))
    assert "消息为空" in text_of(await chat.send(uid, "   "))
    assert "消息过长" in text_of(await chat.send(uid, "诉" * 6000))
    assert "失效" in text_of(await chat.press(uid, "zz:unknown:1"))


async def test_unknown_telegram_account_gets_explanation_and_no_data(demo):
    db, _ = demo
    dispatcher = Dispatcher(db, ChatDriver(db).dispatcher.settings)
    inc = Incoming(platform="telegram", user_id=555000111, chat_id=555000111, text="/help", update_id=1)
    assert [r.text for r in await dispatcher.handle(inc)] == [NOT_ENROLLED_USER]
    press = Incoming(platform="telegram", user_id=555000111, chat_id=555000111, callback_data="ap:sign:1", update_id=2)
    replies = await dispatcher.handle(press)
    assert replies[0].toast and replies[0].text == NOT_ENROLLED_USER


async def test_group_nobody_enrolled_answers_once_and_stores_nothing(demo):
    db, refs = demo
    dispatcher = ChatDriver(db).dispatcher
    base = dict(platform="telegram", user_id=777, chat_id=-100999, chat_type="supergroup")
    first = await dispatcher.handle(Incoming(**base, event="bot_added", update_id=10))
    assert [r.text for r in first] == [NOT_ENROLLED_GROUP]
    assert await dispatcher.handle(Incoming(**base, text="/help", update_id=11)) == []
    assert await dispatcher.handle(Incoming(**base, text="求购钢材500吨", update_id=12)) == []
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(ProcessedUpdate)) == 0


async def test_enrolled_group_is_served(demo):
    db, refs = demo
    chat = ChatDriver(db)
    replies = await chat.send(refs.user_ids["张伟"], "/help", chat_id=DEMO_GROUP_CHAT_ID, chat_type="supergroup")
    assert "可用的命令" in text_of(replies)


async def test_duplicate_update_is_handled_once(demo):
    db, refs = demo
    dispatcher = ChatDriver(db).dispatcher
    inc = Incoming(platform="console", user_id=refs.user_ids["张伟"], chat_id=1, text="/help", update_id=42)
    assert await dispatcher.handle(inc)
    assert await dispatcher.handle(inc) == []


async def test_concurrent_messages_from_one_user_are_serialised(demo):
    db, refs = demo
    dispatcher = ChatDriver(db).dispatcher
    uid = refs.user_ids["张伟"]
    incs = [Incoming(platform="console", user_id=uid, chat_id=uid, text="/help", update_id=100 + i) for i in range(8)]
    results = await asyncio.gather(*(dispatcher.handle(i) for i in incs))
    assert all(r and "可用的命令" in r[0].text for r in results)
    assert dispatcher._locks == {}


async def test_handler_exception_becomes_apology_and_rolls_back(demo, monkeypatch):
    db, refs = demo
    from handlers import registry

    spec = registry.COMMANDS["help"]

    async def boom(ctx):
        ctx.session.add(ProcessedUpdate(platform="x", update_id=1))
        raise RuntimeError("boom")

    monkeypatch.setitem(registry.COMMANDS, "help", spec.__class__(**{**spec.__dict__, "func": boom}))
    replies = await ChatDriver(db).send(refs.user_ids["张伟"], "/help")
    assert "未做任何更改" in text_of(replies)
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(ProcessedUpdate)) == 0


async def test_writing_again_clears_blocked_flag(demo):
    db, refs = demo
    from storage.models import PlatformAccount, User

    async with db.session() as s:
        user = await s.get(User, refs.user_ids["张伟"])
        user.blocked_bot = True
        s.add(PlatformAccount(platform="telegram", external_id="4242", user_id=user.id))
    dispatcher = ChatDriver(db).dispatcher
    await dispatcher.handle(Incoming(platform="telegram", user_id=4242, chat_id=4242, text="/help", update_id=7))
    async with db.session() as s:
        assert (await s.get(User, refs.user_ids["张伟"])).blocked_bot is False

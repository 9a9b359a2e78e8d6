"""End to end: the real aiogram and PTB stacks, the real dispatcher and DB, against the fake Bot API."""
from __future__ import annotations

import asyncio
import re

import aiohttp
import pytest
from sqlalchemy import func, select

from storage.models import PlatformAccount, ProcessedUpdate, User
from tests.fakebot.harness import (FRAMEWORKS, bind, fake, free_port, start_bot, tg_db,  # noqa: F401
                                   tg_db_url, tg_demo)

ADMIN, NEWBIE, STRANGER = 9001, 7777, 5555
pytestmark = pytest.mark.parametrize("framework", FRAMEWORKS)


async def test_enrolment_by_invite(framework, fake, tg_demo):
    db, refs = tg_demo
    await bind(db, "王建国", ADMIN)
    runner = await start_bot(fake, db, framework)
    try:
        # the menu is set at start, in Chinese
        menu = dict((c["command"], c["description"]) for c in fake.commands["all_private_chats::"])
        assert {"start", "help", "invite", "appeal"} <= set(menu) and "邀请" in menu["invite"]
        assert "bindgroup" not in menu and fake.commands["default::"] == fake.commands["all_private_chats::"]
        group_menu = {c["command"] for c in fake.commands["all_group_chats::"]}
        assert "bindgroup" in group_menu and "appeal" not in group_menu
        assert runner.settings.bot_username == "pandeng_test_bot"
        # an unknown account gets a polite explanation and no data
        await fake.send_text(STRANGER, "/help")
        [msg] = await fake.wait_messages(STRANGER, 1)
        assert "尚未登记" in msg.text
        async with db.session() as s:
            ent_name = (await s.get(__import__("storage.models", fromlist=["Enterprise"]).Enterprise,
                                    refs.enterprise_ids[3])).name
        await fake.send_text(ADMIN, f"/invite 张三 驻企干部 {ent_name}")
        [msg] = await fake.wait_messages(ADMIN, 1)
        code = re.search(r"https://t\.me/pandeng_test_bot\?start=([\w-]+)", msg.text).group(1)
        await fake.send_text(NEWBIE, f"/start {code}")
        [msg] = await fake.wait_messages(NEWBIE, 1)
        assert "绑定成功" in msg.text and "张三" in msg.text
        await fake.send_text(STRANGER, f"/start {code}")
        msgs = await fake.wait_messages(STRANGER, 2)
        assert "无效或已被使用" in msgs[-1].text
        async with db.session() as s:
            user = await s.scalar(select(User).join(PlatformAccount).where(PlatformAccount.external_id == str(NEWBIE)))
            assert user.name == "张三" and user.role == "cadre"
            assert await s.scalar(select(PlatformAccount).where(PlatformAccount.external_id == str(STRANGER))) is None
    finally:
        await runner.stop()


async def test_group_enrolment(framework, fake, tg_demo):
    db, _ = tg_demo
    await bind(db, "王建国", ADMIN)
    await bind(db, "张伟", NEWBIE)
    group = -1009876
    runner = await start_bot(fake, db, framework)
    try:
        await fake.add_bot_to_group(NEWBIE, group, "某县助企小组")
        [msg] = await fake.wait_messages(group, 1)
        assert "本群尚未登记" in msg.text
        await fake.send_text(NEWBIE, "我们企业需要芯片扩散用纸源", chat_id=group)
        await fake.send_text(NEWBIE, "/help", chat_id=group)
        await fake.wait_confirmed()
        await asyncio.sleep(0.2)
        assert len(fake.sent(group)) == 1  # said once, then silence
        async with db.session() as s:  # and nothing stored for that group
            assert await s.scalar(select(func.count()).select_from(ProcessedUpdate)) == 0
        await fake.send_text(ADMIN, "/bindgroup", chat_id=group)
        msgs = await fake.wait_messages(group, 2)
        assert "已登记" in msgs[-1].text and "某县助企小组" in msgs[-1].text
    finally:
        await runner.stop()


async def test_429_then_success_and_long_reply_split(framework, fake, tg_demo):
    db, _ = tg_demo
    await bind(db, "王建国", ADMIN)
    runner = await start_bot(fake, db, framework)
    try:
        fake.fail("sendMessage", "429", times=1, retry_after=1)
        await fake.send_text(ADMIN, "/help")
        [msg] = await fake.wait_messages(ADMIN, 1, timeout=6)
        assert "可用的命令" in msg.text
        calls = fake.calls("sendMessage")
        assert [c.status for c in calls] == [429, 200]
        assert calls[1].ts - calls[0].ts >= 0.95  # waited what Telegram asked
        # handlers may return long text: the adapter splits under 4096 characters
        from handlers.types import Incoming, Reply
        from bot.telegram_common import execute, plan

        inc = Incoming(platform="telegram", user_id=ADMIN, chat_id=ADMIN, text="x")
        long_text = "\n".join(f"第{i}条 " + "政策内容" * 30 for i in range(80))
        await execute(runner.adapter.transport, plan(inc, [Reply(long_text)]))
        msgs = await fake.wait_messages(ADMIN, 2)
        pieces = [m.text for m in msgs[1:]]
        assert len(pieces) >= 3 and all(len(p) <= 4096 for p in pieces)
        assert "".join(pieces).replace("\n", "") == long_text.replace("\n", "")
    finally:
        await runner.stop()


async def test_forged_callback_refused_and_duplicate_once(framework, fake, tg_demo):
    db, _ = tg_demo
    await bind(db, "张伟", NEWBIE)
    runner = await start_bot(fake, db, framework)
    try:
        first = await fake.send_text(NEWBIE, "/help")
        await fake.wait_messages(NEWBIE, 1)
        msg = fake.last(NEWBIE)
        # buttons never shown: unknown prefix, another area's id, oversized data
        for data in ("zz:hack:1", "adm:grant:1", "ap:" + "9" * 80):
            cq = await fake.press(NEWBIE, msg, data)
            answer = await fake.wait_answered(cq)
            assert answer["text"], data  # a refusal pop-up
        assert len(fake.sent(NEWBIE)) == 1 and fake.last(NEWBIE).edits == []
        # an update delivered twice is handled once
        await fake.redeliver(first)
        await fake.wait_confirmed()
        await fake.send_text(NEWBIE, "/cancel")
        msgs = await fake.wait_messages(NEWBIE, 2)
        await asyncio.sleep(0.2)
        assert [m.text for m in fake.sent(NEWBIE)][1:] == [msgs[1].text]
        async with db.session() as s:
            assert await s.scalar(select(func.count()).select_from(ProcessedUpdate)
                                  .where(ProcessedUpdate.update_id == first["update_id"])) == 1
    finally:
        await runner.stop()


async def test_webhook_mode_checks_secret(framework, fake, tg_demo):
    db, _ = tg_demo
    await bind(db, "张伟", NEWBIE)
    port = free_port()
    url = f"http://127.0.0.1:{port}/tg/hook"
    runner = await start_bot(fake, db, framework, webhook_url=url, webhook_port=port,
                             webhook_secret="s3cret-Token_1")
    try:
        assert fake.webhook["url"] == url and fake.webhook["secret_token"] == "s3cret-Token_1"
        # Telegram pushes with the registered secret: handled
        await fake.send_text(NEWBIE, "/help")
        [msg] = await fake.wait_messages(NEWBIE, 1)
        assert "可用的命令" in msg.text
        # without the secret, or with a wrong one: refused and not handled
        status, _ = await fake.post_webhook(fake.text_update(NEWBIE, "/cancel"), secret=None)
        assert status == 403
        status, _ = await fake.post_webhook(fake.text_update(NEWBIE, "/cancel"), secret="wrong")
        assert status == 403
        # the same update twice through the webhook: handled once
        update = fake.text_update(NEWBIE, "/cancel")
        for _ in range(2):
            status, _ = await fake.post_webhook(update, use_registered_secret=True)
            assert status == 200
        await asyncio.sleep(0.1)
        assert len(fake.sent(NEWBIE)) == 2
        async with aiohttp.ClientSession() as s:
            async with s.get(f"http://127.0.0.1:{port}/healthz") as resp:
                health = await resp.json()
        assert resp.status == 200 and health["status"] == "ok" and health["rejected"] == 2
    finally:
        await runner.stop(delete_webhook=True)
    assert fake.webhook["url"] == ""


async def test_quick_messages_from_one_user_keep_their_order(framework, fake, tg_demo):
    db, _ = tg_demo
    await bind(db, "张伟", NEWBIE)
    runner = await start_bot(fake, db, framework)
    try:
        for _ in range(3):
            # both arrive in one getUpdates batch and are handled concurrently by the framework
            await fake.send_text(NEWBIE, "/appeal")
            await fake.send_text(NEWBIE, "/cancel")
        msgs = await fake.wait_messages(NEWBIE, 6)
        texts = [m.text for m in msgs]
        assert all("请选择诉求类别" in t for t in texts[0::2]), texts
        assert all("已取消" in t for t in texts[1::2]), texts
        async with db.session() as s:
            from storage.models import DialogState

            assert await s.scalar(select(func.count()).select_from(DialogState)) == 0
    finally:
        await runner.stop()

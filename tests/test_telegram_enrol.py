"""Enrolment handlers (/invite, /start <code>, /bindgroup) through the real dispatcher."""
from __future__ import annotations

import re

import pytest

from sqlalchemy import select

from handlers.types import Incoming
from storage.models import CadreEnterprise, ChatGroup, Enterprise, Invite, PlatformAccount, User
from tests.chat import ChatDriver
from tests.fakebot.harness import tg_db, tg_db_url, tg_demo  # noqa: F401


def tg(user_id: int, text: str, chat_id: int | None = None, chat_type: str = "private", update_id=None,
       **kw) -> Incoming:
    """A Telegram-platform Incoming."""
    return Incoming(platform="telegram", user_id=user_id, chat_id=chat_id or user_id, chat_type=chat_type,
                    text=text, update_id=update_id, **kw)


@pytest.mark.parametrize("tg_db_url", ["sqlite", pytest.param("pg", marks=pytest.mark.pg)], indirect=True)
async def test_invite_bind_and_groups(tg_demo):
    db, refs = tg_demo
    chat = ChatDriver(db)
    chat.dispatcher.settings.bot_username = "pandeng_bot"
    admin_id = refs.user_ids["王建国"]
    async with db.session() as s:
        s.add(PlatformAccount(platform="telegram", external_id="9001", user_id=admin_id))
        ent = await s.get(Enterprise, refs.enterprise_ids[0])
    d = chat.dispatcher
    # unknown account: polite explanation, no data
    [r] = await d.handle(tg(5555, "/help"))
    assert "尚未登记" in r.text and "邀请" in r.text
    [r] = await d.handle(tg(9001, "/invite"))
    assert "用法" in r.text
    [r] = await d.handle(tg(9001, "/invite 张三 火箭兵 某企业"))
    assert "无法识别的角色" in r.text
    [r] = await d.handle(tg(9001, "/invite 张三 驻企干部 不存在的公司"))
    assert "找不到企业" in r.text
    [r] = await d.handle(tg(9001, f"/invite 张三 驻企干部 {ent.name}"))
    code = re.search(r"https://t\.me/pandeng_bot\?start=([A-Za-z0-9_-]+)", r.text).group(1)
    assert len(code.encode()) <= 64
    [r] = await d.handle(tg(9001, "/invite 李四 县级审核 高新区"))
    assert "济宁高新区" in r.text
    # redeem once
    [r] = await d.handle(tg(7777, f"/start {code}", username="zhangsan"))
    assert "绑定成功" in r.text
    [r] = await d.handle(tg(8888, f"/start {code}"))
    assert "无效或已被使用" in r.text
    [r] = await d.handle(tg(7777, "/invite 王五 管理员"))
    assert "无权" in r.text
    async with db.session() as s:
        user = await s.scalar(select(User).join(PlatformAccount).where(
            PlatformAccount.platform == "telegram", PlatformAccount.external_id == "7777"))
        assert (await s.scalar(select(PlatformAccount).where(PlatformAccount.user_id == user.id))).username == "zhangsan"
        assert user.name == "张三" and user.role == "cadre"
        links = (await s.scalars(select(CadreEnterprise).where(CadreEnterprise.user_id == user.id))).all()
        assert [link.enterprise_id for link in links] == [ent.id]
        assert (await s.get(Invite, code)).used_at is not None
    # re-invite an unbound person by name only: the older link stops working
    [r] = await d.handle(tg(9001, "/invite 李四"))
    assert "?start=" in r.text
    # groups: not enrolled → said once, nothing stored; admin /bindgroup enrols
    g = -100777
    [r] = await d.handle(tg(7777, "/help", chat_id=g, chat_type="supergroup", update_id=1))
    assert "尚未登记" in r.text
    assert await d.handle(tg(7777, "/help", chat_id=g, chat_type="supergroup", update_id=2)) == []
    assert await d.handle(tg(7777, "需要采购芯片扩散纸源", chat_id=g, chat_type="supergroup", update_id=3)) == []
    [r] = await d.handle(tg(7777, "/bindgroup", chat_id=g, chat_type="supergroup", update_id=4))
    assert "无权" in r.text
    [r] = await d.handle(tg(9001, "/bindgroup", chat_id=g, chat_type="supergroup", chat_title="测试群", update_id=5))
    assert "已登记" in r.text
    [r] = await d.handle(tg(9001, "/bindgroup", chat_id=g, chat_type="supergroup", update_id=6))
    assert "本群已登记" in r.text
    async with db.session() as s:
        group = await s.scalar(select(ChatGroup).where(ChatGroup.chat_id == g))
        assert group.active and group.title == "测试群"
    [r] = await d.handle(tg(9001, "/unbindgroup", chat_id=g, chat_type="supergroup", update_id=7))
    assert "已注销" in r.text

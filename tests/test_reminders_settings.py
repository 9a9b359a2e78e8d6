"""/settings through the real Dispatcher: mute and unmute the weekly dispatch; reminders stay on."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.scheduler import tick
from storage.models import Appeal, User
from tests.chat import ChatDriver, buttons_of, text_of
from tests.test_reminders_windows import SETTINGS

SH = ZoneInfo("Asia/Shanghai")


async def _muted(db, user_id: int) -> bool:
    async with db.session() as s:
        return (await s.get(User, user_id)).mute_weekly


async def test_settings_mute_and_unmute_through_the_dispatcher(demo):
    db, refs = demo
    chat = ChatDriver(db, SETTINGS)
    zhang = refs.user_ids["张伟"]
    replies = await chat.send(zhang, "/settings")
    assert "一周一调度" in text_of(replies) and "已开启" in text_of(replies) and "不能关闭" in text_of(replies)
    assert buttons_of(replies) == {"关闭一周一调度": "st:mute"}

    replies = await chat.press(zhang, "st:mute")
    assert replies[0].edit and "已关闭" in replies[0].text
    assert buttons_of(replies) == {"开启一周一调度": "st:unmute"}
    assert await _muted(db, zhang)
    again = await chat.press(zhang, "st:mute")  # a stale button: nothing changes, a toast says so
    assert again[0].toast and "已是关闭" in again[0].text and await _muted(db, zhang)
    forged = await chat.press(zhang, "st:mute:%d" % refs.user_ids["赵敏"])
    assert forged[0].toast and not await _muted(db, refs.user_ids["赵敏"])

    # Monday 09:00 with an overdue appeal of 张伟: reminders go out, his digest does not.
    async with db.session() as s:
        s.add(Appeal(enterprise_id=refs.enterprise_ids[0], cadre_id=zhang, county_id=(await s.get(User, refs.user_ids["李卫东"])).county_id,
                     category="金融", urgency="A", description="贷款续贷", status="returned", level="county",
                     consulted=False, redo_count=0, last_activity_at=datetime(2026, 2, 26, 2, tzinfo=timezone.utc),
                     created_at=datetime(2026, 2, 26, 2, tzinfo=timezone.utc)))
    monday = datetime(2026, 3, 2, 9, tzinfo=SH).astimezone(timezone.utc)
    assert await tick(db, SETTINGS, monday) > 0
    mine = await chat.outbox(zhang)
    assert [r.kind for r in mine] == ["reminder"] and "补充材料" in mine[0].text
    assert [r.kind for r in await chat.outbox(refs.user_ids["李卫东"])] == ["digest"]

    replies = await chat.send(zhang, "/settings 开启")
    assert "已开启" in text_of(replies) and not await _muted(db, zhang)
    replies = await chat.press(zhang, "st:unmute")
    assert replies[0].toast and "已是开启" in replies[0].text
    replies = await chat.send(zhang, "/settings 随便")
    assert "用法" in text_of(replies) and not await _muted(db, zhang)


async def test_settings_is_private_only(demo):
    db, refs = demo
    from storage.demo import DEMO_GROUP_CHAT_ID

    chat = ChatDriver(db, SETTINGS)
    replies = await chat.send(refs.user_ids["王建国"], "/settings", chat_id=DEMO_GROUP_CHAT_ID, chat_type="group")
    assert "私聊" in text_of(replies)
    async with db.session() as s:
        assert not (await s.scalar(select(User).where(User.name == "王建国"))).mute_weekly

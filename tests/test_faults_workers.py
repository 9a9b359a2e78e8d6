"""Two workers on one database: a dialog step is taken once, a stale appeal button is refused."""
from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from handlers.dispatcher import Dispatcher
from handlers.types import Incoming
from storage.db import Database
from storage.models import Appeal, AppealEvent, AppealStatus
from tests.chat import ChatDriver, buttons_of

from .test_appeals_kit import events, file_quick, load


async def appeals(db) -> int:
    async with db.session() as s:
        return await s.scalar(select(func.count()).select_from(Appeal))


def _settings():
    from bot.settings import Settings

    return Settings(_env_file=None)


async def test_twenty_presses_on_two_workers_file_one_appeal(demo):
    """The enterprise button of a quick /appeal, pressed 20 times across two workers' pools: one appeal."""
    db, refs = demo
    uid = refs.user_ids["朱琳"]  # three enterprises: the quick filing asks which one
    chat = ChatDriver(db)
    r = await chat.send(uid, "/appeal 企业研发中心急需引进两名芯片封装方向的高级工程师，希望协调人才公寓")
    data = list(buttons_of(r).values())[0]
    second = Database(db.url)  # another worker: its own engine and connection pool
    workers = [Dispatcher(db, _settings()), Dispatcher(second, _settings())]
    try:
        presses = [Incoming(platform="console", user_id=uid, chat_id=uid, callback_data=data, callback_id=str(i),
                            message_id=1, update_id=5000 + i) for i in range(20)]
        results = await asyncio.gather(*(workers[i % 2].handle(p) for i, p in enumerate(presses)))
    finally:
        await second.dispose()
    assert await appeals(db) == 1
    texts = [r.text for replies in results for r in replies]
    assert sum("已提交诉求" in t for t in texts) == 1


async def test_guided_confirm_pressed_on_two_workers_files_once(demo):
    db, refs = demo
    uid = refs.user_ids["张伟"]
    chat = ChatDriver(db)
    r = await chat.send(uid, "/appeal")  # 张伟 has one enterprise: straight to the category
    r = await chat.press(uid, buttons_of(r)["自动识别"])
    r = await chat.press(uid, buttons_of(r)["A类（紧急，5个工作日）"])
    r = await chat.send(uid, "企业流动资金紧张，申请贷款被银行拒绝，希望协调银行续贷500万元")
    if "完成" in buttons_of(r):  # the attachments step: none
        r = await chat.press(uid, buttons_of(r)["完成"])
    data = buttons_of(r)["确认提交"]
    second = Database(db.url)
    workers = [Dispatcher(db, _settings()), Dispatcher(second, _settings())]
    try:
        presses = [Incoming(platform="console", user_id=uid, chat_id=uid, callback_data=data, callback_id=str(i),
                            message_id=1, update_id=6000 + i) for i in range(20)]
        await asyncio.gather(*(workers[i % 2].handle(p) for i, p in enumerate(presses)))
    finally:
        await second.dispose()
    assert await appeals(db) == 1


async def test_stale_county_press_on_an_appeal_already_at_city_review(demo):
    """The admin's card showed 县级办理 while 待县级审核; the reviewer escalated meanwhile: refused."""
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    aid = await file_quick(chat, u["张伟"])
    admin_card = await chat.press(u["王建国"], f"ap:v:{aid}")
    county = next(d for label, d in buttons_of(admin_card).items() if label.startswith("县级办理"))
    reviewer_card = await chat.press(u["李卫东"], f"ap:v:{aid}")
    await chat.press(u["李卫东"], buttons_of(reviewer_card)["上报市级"])
    assert (await load(db, aid)).status == AppealStatus.CITY_REVIEW
    before = len(await events(db, aid))
    r = await chat.press(u["王建国"], county)
    assert r[0].toast and "之前状态" in r[0].text
    a = await load(db, aid)
    assert a.status == AppealStatus.CITY_REVIEW
    assert len(await events(db, aid)) == before
    # A fresh card offers what is possible now, and it works.
    fresh = await chat.press(u["王建国"], f"ap:v:{aid}")
    assert not any(label.startswith("县级办理") for label in buttons_of(fresh))
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(AppealEvent).where(AppealEvent.appeal_id == aid)) == before

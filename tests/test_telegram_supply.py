"""End to end on both frameworks: a demand posted in an enrolled group reaches the matching supplier's
cadre; both press 有意向 and contacts are exchanged (issue 4 over Telegram)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from handlers.supply.index import forget_all
from storage.demo import DEMO_GROUP_CHAT_ID
from storage.models import PlatformAccount, User
from storage.models.supply import MatchStatus, SupplyMatch
from tests.fakebot.harness import FRAMEWORKS, bind, fake, start_bot, tg_db, tg_db_url, tg_demo  # noqa: F401

DEMANDER, SUPPLIER = 8101, 8102
pytestmark = pytest.mark.parametrize("framework", FRAMEWORKS)


async def wait_text(fake, chat: int, needle: str, timeout: float = 8.0):
    """The newest bot message in chat containing needle (edits count), waiting for it."""
    def found():
        return next((m for m in reversed(fake.sent(chat)) if needle in m.body), None)
    return await fake.wait_for(found, timeout, f"{needle!r} in chat {chat}: {fake.texts(chat)!r}")


async def test_group_demand_matches_supplier_and_contacts_exchanged(framework, fake, tg_demo):
    db, _ = tg_demo
    forget_all()  # the matcher index is per process; this database is new
    await bind(db, "张伟", DEMANDER)
    await bind(db, "杨帆", SUPPLIER)
    fake.add_user(DEMANDER, "张伟")
    fake.add_user(SUPPLIER, "杨帆")
    fake.add_group(DEMO_GROUP_CHAT_ID, "攀登干部交流群（演示）")
    runner = await start_bot(fake, db, framework)
    try:
        # the supplier's cadre has published an offer earlier
        await fake.send_text(SUPPLIER, "/supply 可以供应扩散纸源 硼源磷源")
        await wait_text(fake, SUPPLIER, "属于哪家企业")  # 杨帆 has two enterprises: asked which one
        await fake.press_button(SUPPLIER, "济宁碳素科技有限公司")
        await wait_text(fake, SUPPLIER, "确认")
        await fake.press_button(SUPPLIER, "确认发布")
        await wait_text(fake, SUPPLIER, "已发布")
        # a cadre writes a plain message in the enrolled group
        await fake.send_text(DEMANDER, "我们企业需要芯片扩散用的纸源，有能供应的联系我", chat_id=DEMO_GROUP_CHAT_ID)
        await wait_text(fake, DEMANDER, "需要发布并自动匹配吗")  # asked privately, via the outbox
        await fake.press_button(DEMANDER, "确认发布")
        await wait_text(fake, DEMANDER, "找到 1 条匹配")
        # both cadres get the match card; no phone numbers yet
        async with db.session() as s:
            phones = {int(a.external_id): u.phone for u, a in (await s.execute(
                select(User, PlatformAccount).join(PlatformAccount, PlatformAccount.user_id == User.id)
                .where(PlatformAccount.external_id.in_([str(DEMANDER), str(SUPPLIER)])))).unique()}
        card_s = await wait_text(fake, SUPPLIER, "供需匹配")
        card_d = await wait_text(fake, DEMANDER, "供需匹配")
        assert "扩散" in card_s.body and phones[DEMANDER] not in card_s.body
        assert phones[SUPPLIER] not in card_d.body
        await fake.press_button(SUPPLIER, "有意向")
        await wait_text(fake, SUPPLIER, "等待对方确认")
        await fake.press_button(DEMANDER, "有意向")
        mine = await wait_text(fake, DEMANDER, "双方都有意向")
        assert phones[SUPPLIER] in mine.body  # the demander sees the supplier's contacts (edited card)
        theirs = await wait_text(fake, SUPPLIER, "双方都有意向")
        assert phones[DEMANDER] in theirs.body  # and the supplier gets the demander's, via the outbox
        assert fake.sent(DEMO_GROUP_CHAT_ID) == []  # the group itself was left alone
        async with db.session() as s:
            match = (await s.scalars(select(SupplyMatch))).one()
            assert match.status == MatchStatus.NEGOTIATING
    finally:
        await runner.stop()

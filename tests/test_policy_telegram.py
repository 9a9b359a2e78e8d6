"""End to end on aiogram and PTB against the fake Bot API: an admin sends a handbook file, a cadre asks,
gets the cited clause, asks something uncovered and turns it into a 政策支持 appeal with one tap."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from storage.models import Appeal
from storage.models.policy import PolicyDoc
from tests.fakebot.harness import FRAMEWORKS, bind, fake, start_bot, tg_db, tg_db_url, tg_demo  # noqa: F401

ADMIN, CADRE = 9101, 9102
HANDBOOK = Path(__file__).resolve().parent.parent / "nlp" / "data" / "handbook"
pytestmark = pytest.mark.parametrize("framework", FRAMEWORKS)


async def test_import_ask_and_appeal(framework, fake, tg_demo):
    db, _ = tg_demo
    await bind(db, "王建国", ADMIN)
    await bind(db, "张伟", CADRE)
    fake.add_user(CADRE, "张伟")  # has talked to the bot before, so it may write to him
    runner = await start_bot(fake, db, framework)
    try:
        people = HANDBOOK / "济宁市支持企业引进培育高层次人才实施办法.txt"
        await fake.send_document(ADMIN, people.read_bytes(), people.name, "text/plain")
        [msg] = await fake.wait_messages(ADMIN, 1, timeout=15)
        assert "已导入《济宁市支持企业引进培育高层次人才实施办法》：10 条" in msg.text, msg.text
        # the cadre of a qualifying enterprise is told through the outbox
        notice = await fake.wait_messages(CADRE, 1, timeout=10)
        assert "惠企政策汇编新增" in notice[0].text
        word = HANDBOOK / "济宁市强化金融支持制造业企业发展若干措施.docx"
        await fake.send_document(ADMIN, word.read_bytes(), word.name,
                                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        msgs = await fake.wait_messages(ADMIN, 2, timeout=15)
        assert "已导入《济宁市强化金融支持制造业企业发展的若干措施》" in msgs[-1].text
        await fake.wait_messages(CADRE, 2, timeout=10)  # its notice too

        n = len(fake.sent(CADRE))
        await fake.send_text(CADRE, "/policy 招一个全日制博士，每月补贴多少？")
        msgs = await fake.wait_messages(CADRE, n + 1, timeout=10)
        assert "第四条" in msgs[-1].text and "3000元" in msgs[-1].text

        await fake.send_text(CADRE, "企业职工社保费能减免或者缓缴吗？")
        msgs = await fake.wait_messages(CADRE, n + 2, timeout=10)
        assert "汇编" in msgs[-1].text
        cq = await fake.press_button(CADRE, "转为政策支持诉求")
        await fake.wait_answered(cq, timeout=10)
        await fake.wait_for(lambda: any("已转为政策支持诉求" in t for t in fake.texts(CADRE)), 10, "appeal filed")
        async with db.session() as s:
            appeals = list(await s.scalars(select(Appeal)))
            assert len(appeals) == 1 and appeals[0].category == "政策"
            assert len(list(await s.scalars(select(PolicyDoc)))) == 2
    finally:
        await runner.stop()

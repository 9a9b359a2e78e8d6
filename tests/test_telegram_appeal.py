"""End to end on both frameworks: an appeal filed with buttons and a photo; a crash mid-dialog."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.models import Appeal, AppealAttachment
from tests.fakebot.harness import FRAMEWORKS, bind, fake, start_bot, tg_db, tg_db_url, tg_demo  # noqa: F401

CADRE, REVIEWER = 801, 811
PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 20
DESCRIPTION = "企业新建厂房急需办理施工许可，环评批复已完成但审批进度缓慢，希望协调加快办理。"
pytestmark = pytest.mark.parametrize("framework", FRAMEWORKS)


async def wait_text(fake, chat: int, needle: str, timeout: float = 6.0):
    """Wait until a bot message in chat contains needle (edits count); returns it."""
    def found():
        return next((m for m in reversed(fake.sent(chat)) if needle in m.body), None)
    return await fake.wait_for(found, timeout, f"{needle!r} in chat {chat}: {fake.texts(chat)!r}")


async def test_appeal_filed_with_buttons_and_photo(framework, fake, tg_demo):
    db, _ = tg_demo
    await bind(db, "张伟", CADRE)
    await bind(db, "李卫东", REVIEWER)
    fake.add_user(REVIEWER)  # the reviewer has talked to the bot before (bound by invite)
    runner = await start_bot(fake, db, framework)
    try:
        await fake.send_text(CADRE, "/appeal")
        await wait_text(fake, CADRE, "请选择诉求类别")
        await fake.press_button(CADRE, "自动识别")
        await wait_text(fake, CADRE, "请选择紧急程度")
        # the pressed message is edited in place, not re-sent
        assert len(fake.sent(CADRE)) == 1 and fake.last(CADRE).edits
        await fake.press_button(CADRE, "A类")
        await wait_text(fake, CADRE, "请用一段文字描述问题")
        await fake.send_text(CADRE, DESCRIPTION)
        await wait_text(fake, CADRE, "可以发送现场照片")
        await fake.send_photo(CADRE, PHOTO, caption="现场照片")
        await wait_text(fake, CADRE, "已收到附件（共 1 个）")
        await fake.press_button(CADRE, "完成")
        await wait_text(fake, CADRE, "请确认诉求内容")
        cq = await fake.press_button(CADRE, "确认提交")
        filed = await wait_text(fake, CADRE, "已提交诉求")
        assert (await fake.wait_answered(cq))["answered"]
        async with db.session() as s:
            appeal = (await s.scalars(select(Appeal))).unique().one()
            atts = (await s.scalars(select(AppealAttachment).where(AppealAttachment.appeal_id == appeal.id))).all()
        assert f"#{appeal.id}" in filed.body and appeal.urgency == "A" and appeal.description == DESCRIPTION
        # the photo is kept as a Telegram file id; both frameworks can fetch its bytes back
        assert len(atts) == 1 and await runner.adapter.transport.download(atts[0].file_id) == PHOTO
        # the county reviewer hears about it through the outbox
        await wait_text(fake, REVIEWER, f"#{appeal.id}")
        # every press was answered (no endless spinner)
        assert all(c["answered"] for c in fake.state.callbacks.values())
    finally:
        await runner.stop()


async def test_kill_and_restart_mid_dialog_loses_nothing(framework, fake, tg_demo):
    db, _ = tg_demo
    await bind(db, "张伟", CADRE)
    first = await start_bot(fake, db, framework)
    await fake.send_text(CADRE, "/appeal")
    await wait_text(fake, CADRE, "请选择诉求类别")
    await fake.press_button(CADRE, "自动识别")
    await wait_text(fake, CADRE, "请选择紧急程度")
    await first.kill()  # the process dies mid-dialog
    # the user keeps going while the bot is down: these wait at Telegram
    await fake.press_button(CADRE, "A类")
    await fake.send_text(CADRE, DESCRIPTION)
    second = await start_bot(fake, db, framework)  # new process: no memory but the database
    try:
        await wait_text(fake, CADRE, "可以发送现场照片")
        await fake.press_button(CADRE, "完成")
        await wait_text(fake, CADRE, "请确认诉求内容")
        await fake.press_button(CADRE, "确认提交")
        await wait_text(fake, CADRE, "已提交诉求")
        async with db.session() as s:
            appeals = (await s.scalars(select(Appeal))).unique().all()
        assert len(appeals) == 1
        assert appeals[0].urgency == "A" and appeals[0].description == DESCRIPTION
        assert fake.pending_updates() == 0 or await fake.wait_confirmed() is None
    finally:
        await second.stop()

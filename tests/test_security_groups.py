"""Ledgers, figures and enterprise files never show in a group; they go privately, and views are audited."""
from __future__ import annotations

from sqlalchemy import select

from handlers.confidential import SENT_PRIVATELY
from storage.demo import DEMO_GROUP_CHAT_ID
from storage.models import AuditEntry, Outbox
from tests.chat import ChatDriver, Clock, text_of
from tests.reports_data import NOW, seed_appeals

GROUP = dict(chat_id=DEMO_GROUP_CHAT_ID, chat_type="supergroup")


async def _chat(demo):
    db, refs = demo
    ids = await seed_appeals(db, refs)
    return ChatDriver(db, clock=Clock(NOW)), refs.user_ids, ids


def _in_group(replies) -> list:
    return [r for r in replies if r.chat_id is None and not r.toast]


async def test_confidential_commands_answer_privately(demo):
    chat, u, ids = await _chat(demo)
    cases = [(u["王建国"], "/stats 2026-03", "受理诉求"), (u["李卫东"], "/stats", "任城区"), (u["王建国"], "/overdue", "逾期诉求"),
             (u["张伟"], "/enterprise 恒泰重工", "一企一档"), (u["王建国"], "/enterprise 恒泰重工", f"#{ids['a4']}"),
             (u["王建国"], "/deals", "")]
    for uid, text, secret in cases:
        before = len(await chat.outbox(uid))
        replies = await chat.send(uid, text, **GROUP)
        shown = text_of(_in_group(replies))
        assert shown == SENT_PRIVATELY, (text, shown)
        private = (await chat.outbox(uid))[before:]
        assert len(private) >= 1 and all(row.kind == "private" and row.chat_id is None for row in private)
        assert secret in private[0].text
    # the same command in private answers in place, nothing queued
    before = len(await chat.outbox(u["王建国"]))
    assert "受理诉求" in text_of(await chat.send(u["王建国"], "/stats 2026-03"))
    assert len(await chat.outbox(u["王建国"])) == before


async def test_files_and_charts_go_to_the_private_chat(demo):
    chat, u, _ = await _chat(demo)
    for cmd in ("/export 2026-03", "/export csv"):
        replies = await chat.send(u["王建国"], cmd, **GROUP)
        files = [r for r in replies if r.document is not None]
        assert files and all(r.chat_id == u["王建国"] for r in files), cmd  # console: the private chat is users.id
        assert [r.text for r in _in_group(replies)] == [SENT_PRIVATELY]
    replies = await chat.send(u["王建国"], "/chart 2026Q1", **GROUP)
    assert [r.text for r in _in_group(replies)] == [SENT_PRIVATELY] and not any(r.photo for r in replies)
    async with chat.db.session() as s:
        charts = (await s.execute(select(Outbox.photo, Outbox.chat_id).where(
            Outbox.user_id == u["王建国"], Outbox.kind == "private"))).all()
    assert len(charts) == 3 and all(photo.startswith(b"\x89PNG") and chat_id is None for photo, chat_id in charts)


async def test_refusals_stay_short_and_nothing_leaks(demo):
    chat, u, ids = await _chat(demo)
    assert "无权" in text_of(await chat.send(u["张伟"], "/export", **GROUP))
    assert "无权" in text_of(await chat.send(u["赵敏"], "/stats", **GROUP))
    assert "私聊" in text_of(await chat.send(u["王建国"], "/ledger", **GROUP))
    replies = await chat.press(u["李卫东"], f"ap:v:{ids['a1']}", **GROUP)  # a card button forwarded into a group
    assert not _in_group(replies) and any(r.toast and r.text == SENT_PRIVATELY for r in replies)
    assert f"#{ids['a1']}" in (await chat.outbox(u["李卫东"]))[-1].text
    replies = await chat.press(u["张伟"], "ap:v:999999", **GROUP)
    assert all(r.toast for r in replies) and not await chat.outbox(u["张伟"])


async def test_audit_trail(demo):
    chat, u, _ = await _chat(demo)
    await chat.send(u["王建国"], "/export 2026-03")
    await chat.send(u["李卫东"], "/ledger 超期")
    await chat.send(u["张伟"], "/enterprise 恒泰重工", **GROUP)
    await chat.send(u["张伟"], "/stats")  # refused by role: not audited, nothing shown
    async with chat.db.session() as s:
        rows = list(await s.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [(r.user_id, r.action, r.chat_kind) for r in rows] == [
        (u["王建国"], "export", "private"), (u["李卫东"], "ledger", "private"), (u["张伟"], "enterprise", "group")]
    assert rows[0].detail == "2026-03" and "已导出台账" in rows[0].outcome and "恒泰重工" in rows[2].outcome
    text = text_of(await chat.send(u["王建国"], "/audit"))
    assert "张伟 /enterprise 恒泰重工（群聊）" in text and "王建国 /export 2026-03（私聊）" in text
    assert "李卫东 /ledger" in text_of(await chat.send(u["王建国"], "/audit 李卫东"))
    assert "无权" in text_of(await chat.send(u["李卫东"], "/audit"))

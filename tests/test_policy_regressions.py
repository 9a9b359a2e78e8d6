"""Regressions of the policy chat found by a newcomer: re-imports that changed nothing, repeated notices,
greetings logged as questions, /policies without clause, amount or unmet conditions, 上云 questions."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from handlers.policy.store import import_bytes
from handlers.types import Attachment
from storage.models import utcnow
from storage.models.policy import PolicyDoc, PolicyQuestion
from tests.chat import ChatDriver, buttons_of, text_of
from tests.test_policy_chat import GAZELLE, _import_handbook

CLOUD = """济宁市推进数字化转型若干措施
一、总体要求
（一）工作目标
1.到2025年，全市数字化转型取得明显成效。
二、支持措施
（一）推动企业数字化
1.对企业开展数字化诊断的，给予诊断费用50%补贴。
2.对企业上云用云的，按照年度服务费的30%给予补贴，最高10万元。
三、申报时间
每年8月1日至9月30日
济宁市工业和信息化局
2026年3月1日
"""


@pytest.fixture
async def chat(demo):
    db, _refs = demo
    await _import_handbook(db)
    return ChatDriver(db)


async def _send_file(chat, user_id, path):
    att = Attachment("document", f"console:{path}", str(path))
    return text_of(await chat.send(user_id, "", attachments=(att,)))


async def _docs(db, title):
    async with db.session() as s:
        return list(await s.scalars(select(PolicyDoc).where(PolicyDoc.title == title).order_by(PolicyDoc.id)))


async def test_unchanged_reimport_adds_no_version_and_no_notice(chat, tmp_path):
    admin, zw = await chat.user("王建国"), await chat.user("张伟")
    path = tmp_path / "瞪羚办法.txt"
    path.write_text(GAZELLE, encoding="utf-8")
    assert "已导入" in await _send_file(chat, admin.id, path)
    first = len(await chat.outbox(zw.id))
    # the same text re-saved (blank lines, trailing spaces) is still the same content
    path.write_text(GAZELLE.replace("\n", "  \n\n"), encoding="utf-8")
    text = await _send_file(chat, admin.id, path)
    assert "内容未变化，未导入" in text and "已导入" not in text
    assert [(d.version, d.current) for d in await _docs(chat.db, "测试市瞪羚企业奖励办法")] == [(1, True)]
    assert len(await chat.outbox(zw.id)) == first


async def test_changed_reimport_tells_only_cadres_not_yet_told(chat, tmp_path):
    admin, zw = await chat.user("王建国"), await chat.user("张伟")
    path = tmp_path / "瞪羚办法.txt"
    path.write_text(GAZELLE, encoding="utf-8")
    await _send_file(chat, admin.id, path)
    told = [o for o in await chat.outbox(zw.id) if "瞪羚企业奖励办法" in o.text]
    assert len(told) == 1
    # a changed amount: new version, but the same audience and window are no news for 张伟
    path.write_text(GAZELLE.replace("30万元", "40万元"), encoding="utf-8")
    text = await _send_file(chat, admin.id, path)
    assert "第1版已保留" in text and "已通知 0 名" in text and "未重复通知" in text
    assert len([o for o in await chat.outbox(zw.id) if "瞪羚企业奖励办法" in o.text]) == 1
    # a changed window is news again
    path.write_text(GAZELLE.replace("30万元", "40万元").replace("3月31日", "4月30日"), encoding="utf-8")
    await _send_file(chat, admin.id, path)
    assert len([o for o in await chat.outbox(zw.id) if "瞪羚企业奖励办法" in o.text]) == 2
    assert [d.version for d in await _docs(chat.db, "测试市瞪羚企业奖励办法")] == [1, 2, 3]


async def test_cloud_question_and_window_heading(chat, tmp_path):
    admin, zw = await chat.user("王建国"), await chat.user("张伟")
    path = tmp_path / "数字化.txt"
    path.write_text(CLOUD, encoding="utf-8")
    text = await _send_file(chat, admin.id, path)
    assert "发文：济宁市工业和信息化局" in text and "申报时间：每年8月1日至9月30日" in text
    for q in ("/policy 上云补贴", "/policy 企业上云有补贴吗"):
        ans = text_of(await chat.send(zw.id, q))
        assert "二、（一）2." in ans and "最高10万元" in ans and "汇编未" not in ans


@pytest.mark.parametrize("q", ["你好", "a", "谢谢！"])
async def test_chatter_asks_for_a_real_question_and_is_not_logged(chat, q):
    zw = await chat.user("张伟")
    replies = await chat.send(zw.id, f"/policy {q}")
    text = text_of(replies)
    assert "具体" in text and "汇编未" not in text and "政策支持" not in text
    assert not any(d.startswith("po:ap") for d in buttons_of(replies).values())
    async with chat.db.session() as s:
        assert list(await s.scalars(select(PolicyQuestion))) == []


async def test_policies_show_key_clause_amount_and_conditions(chat, tmp_path):
    zw = await chat.user("张伟")  # one 任城区 enterprise
    async with chat.db.session() as s:
        await import_bytes(s, GAZELLE.encode(), "g.txt", user_id=None, now=utcnow(), notify=False)
    text = text_of(await chat.send(zw.id, "/policies"))
    block = text.split("《测试市瞪羚企业奖励办法》", 1)[1].split("\n", 6)
    assert "重点条款：第二条（给予30万元）" in block[1]
    assert "尚未满足：企业类型：瞪羚" in text
    assert "已满足：" in text and "重点条款：" in text
    assert "仅适用于其他县（市、区）" in text  # the 邹城市 document is counted, not listed
    assert "邹城市支持企业开拓" not in text

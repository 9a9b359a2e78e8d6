"""The closed loop through the real dispatcher, pressing the buttons each viewer is shown."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import update

from handlers.appeals import workflow
from handlers.dispatcher import STALE_REPLY
from storage.models import Appeal, AppealStatus, Outbox
from storage.workdays import add_workdays
from tests.chat import ChatDriver, buttons_of, text_of

from .test_appeals_kit import events, file_quick, load

S = AppealStatus


async def press(chat, uid: int, replies, label: str):
    """Press the button with this label among the replies (it must be shown to this viewer)."""
    buttons = buttons_of(replies)
    assert label in buttons, (label, list(buttons))
    return await chat.press(uid, buttons[label])


async def card(chat, uid: int, aid: int):
    """Open the appeal card as a user."""
    return await chat.press(uid, f"ap:v:{aid}")


async def outbox_texts(chat, uid: int) -> str:
    return "\n".join(o.text for o in await chat.outbox(uid))


async def test_full_loop_to_closed_with_history_and_notifications(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    aid = await file_quick(chat, u["张伟"])
    assert "提交新诉求" in await outbox_texts(chat, u["李卫东"])
    r = await press(chat, u["李卫东"], await card(chat, u["李卫东"], aid), "交金融组")
    assert r[0].text == "已交金融组办理，诉求 #1 现等待责任单位签收。" and "剩余 15 个工作日" in r[1].text
    assert "交办" in await outbox_texts(chat, u["赵敏"])
    r = await press(chat, u["赵敏"], await card(chat, u["赵敏"], aid), "签收")
    assert (await load(db, aid)).status == S.IN_PROGRESS
    r = await press(chat, u["赵敏"], r, "阶段性答复")
    assert "阶段性答复" in r[0].text
    r = await chat.send(u["赵敏"], "已与工商银行对接，正在走审批流程")
    assert "最新阶段性答复：已与工商银行对接" in r[1].text
    assert "已与工商银行对接" in await outbox_texts(chat, u["张伟"])
    r = await press(chat, u["赵敏"], r, "办结")
    r = await chat.send(u["赵敏"], "工商银行已续贷500万元，企业资金周转恢复")
    assert (await load(db, aid)).status == S.RESOLVED
    r = await card(chat, u["张伟"], aid)
    assert "办理结果：工商银行已续贷500万元" in r[0].text
    r = await press(chat, u["张伟"], r, "满意")
    a = await load(db, aid)
    assert (a.status, a.satisfaction, a.outcome) == (S.CLOSED, "满意", "resolved") and a.closed_at
    r = await chat.send(u["张伟"], f"/appeal {aid}")
    history = r[1].text
    steps = ["张伟 提交", "李卫东 交办", "赵敏 签收", "赵敏 阶段性答复", "赵敏 办结", "张伟 评价并销号"]
    positions = [history.index(s) for s in steps]
    assert positions == sorted(positions), history
    assert "已销号" in r[0].text and "满意" in history and "（按期办结）" in r[0].text
    assert [e.action for e in await events(db, aid)] == ["file", "asg", "sign", "stg", "fin", "sat_close"]


async def test_escalation_consultation_gives_30_working_days(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    aid = await file_quick(chat, u["张伟"], "企业新上项目需要新增能耗指标和110千伏专线，县里无法解决，请求市级协调")
    r = await press(chat, u["李卫东"], await card(chat, u["李卫东"], aid), "上报市级")
    assert (await load(db, aid)).level == "city"
    assert "上报市级" in await outbox_texts(chat, u["王建国"])  # admins hear of city-level steps
    r = await press(chat, u["王建国"], await card(chat, u["王建国"], aid), "发起会商")
    assert "会商事项" in r[0].text  # 会商 asks what is to be consulted
    r = await chat.send(u["王建国"], "能耗指标和专线涉及能源组与任城区，需市县联合会商")
    assert r[0].text == "已发起市县联合会商，诉求 #1 现进入会商。"
    assert "能耗指标和专线涉及能源组" in (await events(db, aid))[-1].note
    assert (await load(db, aid)).status == S.CONSULTATION
    r = await chat.press(u["王建国"], f"ap:au:{aid}")
    r = await press(chat, u["王建国"], r, "能源组")
    a = await load(db, aid)
    assert a.consulted and a.status == S.ASSIGNED
    assert a.deadline == add_workdays(date(2026, 3, 2), 30) == date(2026, 4, 14)
    assert "剩余 30 个工作日" in r[1].text


async def test_return_and_resubmit(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    aid = await file_quick(chat, u["张伟"])
    r = await press(chat, u["李卫东"], await card(chat, u["李卫东"], aid), "退回补充")
    r = await chat.send(u["李卫东"], "请补充近三年财务报表和银行拒贷说明")
    assert (await load(db, aid)).status == S.RETURNED
    assert "请补充近三年财务报表" in await outbox_texts(chat, u["张伟"])
    r = await press(chat, u["张伟"], await card(chat, u["张伟"], aid), "补充后重新提交")
    r = await chat.send(u["张伟"], "😀")  # emoji only: asked again, dialog kept
    assert "表情" in r[0].text
    r = await chat.send(u["张伟"], "已补充2023-2025年财务报表，银行拒贷原因是抵押物不足")
    a = await load(db, aid)
    assert a.status == S.SUBMITTED and "【补充】已补充2023-2025年财务报表" in a.description


async def _to_resolved(chat, u, aid):
    await press(chat, u["李卫东"], await card(chat, u["李卫东"], aid), "交金融组")
    await chat.press(u["赵敏"], f"ap:sign:{aid}")
    await chat.press(u["赵敏"], f"ap:fin:{aid}")
    await chat.send(u["赵敏"], "已协调银行放款，问题解决")


async def test_dissatisfied_reopens_once_then_goes_to_the_reviewer(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    aid = await file_quick(chat, u["张伟"])
    await _to_resolved(chat, u, aid)
    r = await press(chat, u["张伟"], await card(chat, u["张伟"], aid), "不满意")
    assert "不满意的主要原因" in r[0].text and (await load(db, aid)).status == S.RESOLVED
    r = await press(chat, u["张伟"], r, "办理时间太长")
    a = await load(db, aid)
    assert (a.status, a.redo_count, a.satisfaction) == (S.IN_PROGRESS, 1, "不满意")
    assert "（重办）" in r[1].text
    assert "不满意重办" in await outbox_texts(chat, u["赵敏"])
    await chat.press(u["赵敏"], f"ap:fin:{aid}")
    await chat.send(u["赵敏"], "再次协调，银行同意降低抵押要求")
    await press(chat, u["张伟"], await card(chat, u["张伟"], aid), "不满意")
    r = await chat.send(u["张伟"], "银行仍要求追加担保，企业无力承担")  # the cadre's own words
    a = await load(db, aid)
    assert (a.status, a.redo_count, a.satisfaction, a.dissatisfied_count) == (S.DISPUTED, 1, "不满意", 2)
    assert r[0].text == "已记录“不满意”及原因，提交任城区县级指挥部裁定，诉求 #1 现等待审核人员裁定。"
    evs = await events(db, aid)
    assert [e.action for e in evs][-3:] == ["redo", "fin", "dispute"]
    assert "办理时间太长" in evs[-3].note and "追加担保" in evs[-1].note


async def test_extension_granted_then_refused_and_not_after_deadline(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    aid = await file_quick(chat, u["张伟"])
    await press(chat, u["李卫东"], await card(chat, u["李卫东"], aid), "交金融组")
    deadline = (await load(db, aid)).deadline
    assert deadline == add_workdays(date(2026, 3, 2), 15)
    r = await press(chat, u["赵敏"], await card(chat, u["赵敏"], aid), "申请延期")
    r = await chat.send(u["赵敏"], "延期几天吧")  # wrong format: asked again
    assert "格式" in r[0].text
    r = await chat.send(u["赵敏"], "5 银行总行审批流程较长")
    assert (await load(db, aid)).extension_state == "pending"
    assert "申请延期" in await outbox_texts(chat, u["李卫东"])
    r = await card(chat, u["赵敏"], aid)
    assert "申请延期" not in buttons_of(r)  # one pending request at a time
    r = await press(chat, u["李卫东"], await card(chat, u["李卫东"], aid), "同意延期")
    a = await load(db, aid)
    assert a.extension_state == "granted" and a.deadline == add_workdays(deadline, 5)
    await chat.press(u["赵敏"], f"ap:ext:{aid}")
    await chat.send(u["赵敏"], "3 企业材料未到")
    r = await press(chat, u["李卫东"], await card(chat, u["李卫东"], aid), "不同意延期")
    assert "不同意延期的理由" in r[0].text and (await load(db, aid)).extension_state == "pending"
    r = await chat.send(u["李卫东"], "企业材料已齐，请按时限办结")
    assert r[0].text == "已告知责任单位不同意延期，诉求 #1 仍等待责任单位签收。"
    assert "企业材料已齐" in await outbox_texts(chat, u["赵敏"])
    a = await load(db, aid)
    assert a.extension_state == "refused" and a.deadline == add_workdays(deadline, 5)
    # After the deadline no extension may be asked.
    chat.clock.now = datetime(2026, 4, 30, 2, 0, tzinfo=timezone.utc)
    r = await chat.press(u["赵敏"], f"ap:ext:{aid}")
    assert r[0].toast and "已超过办理时限" in r[0].text
    assert "超期 22 个工作日" in (await card(chat, u["赵敏"], aid))[0].text  # deadline 2026-03-30
    await chat.press(u["赵敏"], f"ap:sign:{aid}")
    await chat.press(u["赵敏"], f"ap:fin:{aid}")
    await chat.send(u["赵敏"], "已协调银行续贷，问题解决")
    assert "2026-03-30（超期 22 个工作日办结）" in (await card(chat, u["张伟"], aid))[0].text


async def test_city_level_extension_is_decided_by_admin_not_reviewer(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    aid = await file_quick(chat, u["张伟"])
    await chat.press(u["李卫东"], f"ap:esc:{aid}")
    await press(chat, u["王建国"], await card(chat, u["王建国"], aid), "交金融组")
    await chat.press(u["赵敏"], f"ap:ext:{aid}")
    await chat.send(u["赵敏"], "5 需等待省级金融部门批复")
    r = await chat.press(u["李卫东"], f"ap:exy:{aid}")
    assert r[0].toast and (await load(db, aid)).extension_state == "pending"
    await press(chat, u["王建国"], await card(chat, u["王建国"], aid), "同意延期")
    assert (await load(db, aid)).extension_state == "granted"


async def test_transfer_names_the_unit_and_keeps_the_deadline(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    aid = await file_quick(chat, u["张伟"])
    await press(chat, u["李卫东"], await card(chat, u["李卫东"], aid), "交金融组")
    await chat.press(u["赵敏"], f"ap:sign:{aid}")
    before = await load(db, aid)
    chat.clock.now = datetime(2026, 3, 5, 2, 0, tzinfo=timezone.utc)
    await press(chat, u["赵敏"], await card(chat, u["赵敏"], aid), "转办")
    r = await chat.send(u["赵敏"], "请别的部门处理一下")  # no unit named: asked again
    assert "没有识别出承办单位" in r[0].text
    r = await chat.send(u["赵敏"], "土地要素保障组 实为厂房用地问题")
    a = await load(db, aid)
    assert a.status == S.ASSIGNED and a.unit.name == "土地要素保障组"
    assert (a.deadline, a.assigned_at) == (before.deadline, before.assigned_at)
    assert "转办" in await outbox_texts(chat, u["郑涛"])
    # The old unit has no business with it any more; the new one signs.
    assert (await chat.press(u["赵敏"], f"ap:stg:{aid}"))[0].toast
    await chat.press(u["郑涛"], f"ap:sign:{aid}")
    assert (await load(db, aid)).status == S.IN_PROGRESS


async def test_deadline_over_spring_festival_2026(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    chat.clock.now = datetime(2026, 2, 12, 2, 0, tzinfo=timezone.utc)  # Thursday before the break
    aid = await file_quick(chat, u["张伟"])
    r = await press(chat, u["李卫东"], await card(chat, u["李卫东"], aid), "交金融组")
    assert (await load(db, aid)).deadline == date(2026, 3, 11)
    assert "2026-03-11（剩余 15 个工作日）" in r[1].text
    chat.clock.now = datetime(2026, 2, 20, 2, 0, tzinfo=timezone.utc)  # still the holiday
    assert "剩余 13 个工作日" in (await card(chat, u["赵敏"], aid))[0].text


async def test_concurrent_update_gets_the_stale_reply(demo, monkeypatch):
    db, refs = demo
    if db.is_sqlite:
        pytest.skip("on SQLite an update's transaction holds the write lock (BEGIN IMMEDIATE): no writer can interleave")
    chat = ChatDriver(db)
    u = refs.user_ids
    aid = await file_quick(chat, u["张伟"])
    real = workflow.relations

    async def racing(ctx, appeal):
        # Someone else's transaction commits between our read and our write.
        async with db.session() as s:
            await s.execute(update(Appeal).where(Appeal.id == aid).values(version=Appeal.version + 1))
        monkeypatch.setattr(workflow, "relations", real)
        return await real(ctx, appeal)

    before = len(await events(db, aid))
    outbox_before = len(await chat.outbox())
    monkeypatch.setattr(workflow, "relations", racing)
    r = await chat.press(u["李卫东"], f"ap:esc:{aid}")
    assert r[0].text == STALE_REPLY and r[0].toast
    a = await load(db, aid)
    assert a.status == S.SUBMITTED and len(await events(db, aid)) == before
    assert len(await chat.outbox()) == outbox_before
    # Pressing again (fresh read) works.
    r = await chat.press(u["李卫东"], f"ap:esc:{aid}")
    assert (await load(db, aid)).status == S.CITY_REVIEW


async def test_admin_links_duplicates(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    first = await file_quick(chat, u["张伟"])
    second = await file_quick(chat, u["张伟"], "流动资金紧张，银行拒绝续贷，请协调续贷")
    r = await chat.send(u["王建国"], f"/dup {second} {first}")
    assert (await load(db, second)).duplicate_of_id is None  # /dup asks first (see test_appeals_fixes)
    r = await chat.press(u["王建国"], buttons_of(r)["确认关联"])
    assert "已关联重复" in r[0].text
    assert (await load(db, second)).duplicate_of_id == first
    assert f"与 #{first} 重复" in (await card(chat, u["王建国"], second))[0].text
    assert "无权" in text_of(await chat.send(u["李卫东"], f"/dup {second} {first}"))
    assert "找不到" in text_of(await chat.send(u["王建国"], f"/dup {second} 99999"))
    assert len(await chat.outbox(u["张伟"])) >= 1
    assert all(isinstance(o, Outbox) for o in await chat.outbox(u["张伟"]))


async def test_notifications_reach_the_people_concerned_only(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    aid = await file_quick(chat, u["张伟"])
    recipients = {o.user_id for o in await chat.outbox()}
    assert recipients == {u["李卫东"]}  # the county's reviewer; not the actor, not other counties, not admins
    await press(chat, u["李卫东"], await card(chat, u["李卫东"], aid), "交金融组")
    after_assign = {o.user_id for o in (await chat.outbox())[1:]}
    assert after_assign == {u["张伟"], u["赵敏"]}
    # 嘉祥县 has no enrolled reviewer: the city office hears of the new appeal instead.
    before = len(await chat.outbox())
    await file_quick(chat, u["何平"], "新厂区用电负荷不足，需要变压器增容1250千伏安")
    assert {o.user_id for o in (await chat.outbox())[before:]} == {u["王建国"], u["刘红梅"]}

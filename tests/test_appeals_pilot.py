"""Issue 15, first part: nobody's queue, reasons at every refusal, files at every step, unit pickers."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from handlers.reminders.staffing_notice import queue_staffing_notice
from storage.models import AppealAttachment, AppealStatus, Outbox
from tests.chat import ChatDriver, buttons_of, text_of

from .test_appeals_kit import events, file_quick, load, unit_id

S = AppealStatus


async def press(chat, uid, replies, label):
    buttons = buttons_of(replies)
    assert label in buttons, (label, list(buttons))
    return await chat.press(uid, buttons[label])


async def test_county_without_reviewer_goes_to_the_city_office(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    assert "暂无待办事项" in text_of(await chat.send(u["王建国"], "/todo"))
    # 吕青's first enterprise is in 济宁经济技术开发区, which has no reviewer in the demo.
    r = await chat.send(u["吕青"], "/appeal 氢能项目用地指标一直落实不了，急需协调新增用地")
    r = await chat.press(u["吕青"], r[0].buttons[1][0].data)  # 汶上氢源 (汶上县: no reviewer either)
    assert "汶上县暂无县级审核人员，由市指挥部办公室代为审核" in r[0].text
    aid = int(r[0].text.split("#", 1)[1].split("。", 1)[0])
    todo = await chat.send(u["王建国"], "/todo")
    assert f"#{aid}" in todo[0].text and "汶上" in todo[0].text
    assert f"ap:v:{aid}" in buttons_of(todo).values()
    card = await chat.press(u["王建国"], f"ap:v:{aid}")
    assert "⚠️ 汶上县暂无县级审核人员，由市指挥部办公室代为审核" in card[0].text
    assert "提交新诉求" in "\n".join(o.text for o in await chat.outbox(u["刘红梅"]))  # admins are told at once
    # Once a reviewer exists the card is plain again (computed from who is enrolled now).
    r = await press(chat, u["王建国"], card, "交土地组")
    assert (await load(db, aid)).status == S.ASSIGNED


async def test_unit_without_handlers_stays_with_the_reviewer_who_may_transfer(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    aid = await file_quick(chat, u["张伟"])
    medicine = await unit_id(db, "医药产业集群发展专班")  # no handler in the demo
    r = await chat.press(u["王建国"], f"ap:asg:{aid}:{medicine}")
    assert "医药专班暂无办理人员，诉求由任城区县级指挥部代为跟进" in r[0].text
    todo = await chat.send(u["李卫东"], "/todo")
    assert f"#{aid} 恒泰重工·金融" in buttons_of(todo)
    card = await chat.press(u["李卫东"], f"ap:v:{aid}")
    assert "⚠️ 医药专班暂无办理人员，由任城区县级指挥部代为跟进" in card[0].text
    r = await press(chat, u["李卫东"], card, "转办")
    assert "请点选应承办的单位" in r[0].text and "金融组" in buttons_of(r)
    r = await press(chat, u["李卫东"], r, "金融组")
    assert "请输入转办理由" in r[0].text
    r = await chat.send(u["李卫东"], "医药专班暂无人员，属于融资问题")
    assert r[0].text == "已转金融组办理，诉求 #1 仍等待责任单位签收。"
    a = await load(db, aid)
    assert a.unit_id == await unit_id(db, "金融要素保障组")
    assert "⚠️" not in (await chat.press(u["李卫东"], f"ap:v:{aid}"))[0].text


async def test_admins_hear_once_a_day_of_counties_and_units_without_people(demo):
    db, refs = demo
    from bot.settings import Settings

    settings = Settings(_env_file=None)
    now = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)
    async with db.session() as s:
        assert await queue_staffing_notice(s, now, settings) == 2  # two admins
    async with db.session() as s:
        assert await queue_staffing_notice(s, now.replace(hour=5), settings) == 0  # same day: nothing new
    async with db.session() as s:
        rows = list(await s.scalars(select(Outbox).where(Outbox.user_id == refs.user_ids["王建国"])))
    assert len(rows) == 1
    text = rows[0].text
    assert "无县级审核人员（11 个）" in text and "汶上县" in text and "任城区、" not in text
    assert "医药专班" in text and "金融组" not in text
    async with db.session() as s:
        assert await queue_staffing_notice(s, datetime(2026, 3, 3, 2, 0, tzinfo=timezone.utc), settings) == 2


async def _resolved(chat, u, aid):
    await chat.press(u["李卫东"], f"ap:asg:{aid}:{await unit_id(chat.db, '金融要素保障组')}")
    await chat.press(u["赵敏"], f"ap:sign:{aid}")
    await chat.press(u["赵敏"], f"ap:fin:{aid}")
    await chat.send(u["赵敏"], "已协调银行放款，问题解决")


async def test_second_dissatisfaction_goes_to_the_reviewer_who_reassigns_or_closes(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    aid = await file_quick(chat, u["张伟"])
    await _resolved(chat, u, aid)
    r = await chat.press(u["张伟"], f"ap:sat:{aid}:3")
    assert len(buttons_of(r)) == 5
    r = await chat.send(u["张伟"], "好")  # too short a reason: asked again, nothing changes
    assert "太短" in r[0].text and (await load(db, aid)).status == S.RESOLVED
    await chat.send(u["张伟"], "银行只放了一半，缺口仍有250万元")
    assert (await load(db, aid)).status == S.IN_PROGRESS
    await chat.press(u["赵敏"], f"ap:fin:{aid}")
    await chat.send(u["赵敏"], "再次协调，银行同意追加额度")
    r = await chat.press(u["张伟"], f"ap:sat:{aid}:3")
    r = await press(chat, u["张伟"], r, "问题没有实际解决")
    assert "提交任城区县级指挥部裁定" in r[0].text
    assert "再次不满意" in "\n".join(o.text for o in await chat.outbox(u["李卫东"]))
    todo = await chat.send(u["李卫东"], "/todo")
    assert f"#{aid}" in todo[0].text and "不满意待裁定" in todo[0].text
    card = await chat.press(u["李卫东"], f"ap:v:{aid}")
    assert "企业不满意 2 次：企业再次评价不满意（问题没有实际解决）" in card[0].text
    assert {"另派单位重办", "说明后销号"} <= set(buttons_of(card))
    # The cadre cannot decide it, and the handler cannot finish it again.
    assert (await chat.press(u["张伟"], f"ap:cls:{aid}"))[0].toast
    r = await press(chat, u["李卫东"], card, "另派单位重办")
    r = await press(chat, u["李卫东"], r, "全部要素保障组")
    r = await press(chat, u["李卫东"], r, "基金组")
    assert r[0].text.startswith("已改派基金组重办，诉求 #1 现等待责任单位签收")
    a = await load(db, aid)
    assert (a.status, a.redo_count, a.dissatisfied_count) == (S.ASSIGNED, 2, 2)
    # The new unit finishes, the enterprise is still not satisfied: the reviewer closes it with a note.
    await chat.press(u["褚燕"], f"ap:sign:{aid}")
    await chat.press(u["褚燕"], f"ap:fin:{aid}")
    await chat.send(u["褚燕"], "已对接产业基金，企业不符合投资条件")
    await chat.press(u["张伟"], f"ap:sat:{aid}:3")
    await chat.send(u["张伟"], "企业认为条件过严")
    await chat.press(u["李卫东"], f"ap:cls:{aid}")
    r = await chat.send(u["李卫东"], "已三次协调，企业不符合条件，已当面解释并登记后续跟踪")
    assert r[0].text == "已说明并销号，诉求 #1 已销号。"
    a = await load(db, aid)
    assert (a.status, a.satisfaction, a.dissatisfied_count) == (S.CLOSED, "不满意", 3)
    assert [e.action for e in await events(db, aid)][-2:] == ["dispute", "cls"]
    # The figures keep the enterprise's dissatisfaction after the close.
    stats = text_of(await chat.send(u["李卫东"], "/stats"))
    assert "企业曾不满意：1" in stats and "满意率：0.0%" in stats


async def test_files_at_resubmission_and_at_closing_are_kept_listed_and_viewable(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    aid = await file_quick(chat, u["张伟"])
    await chat.press(u["李卫东"], f"ap:ret:{aid}")
    await chat.send(u["李卫东"], "请补充参加培训的学生名单")
    await chat.press(u["张伟"], f"ap:res:{aid}")
    from handlers.types import Attachment

    sheet = Attachment("document", "tg-file-1", "学生名单.xlsx")
    r = await chat.send(u["张伟"], "", attachments=(sheet,))
    assert "已收到附件（共 1 个）" in r[0].text and (await load(db, aid)).status == S.RETURNED
    r = await chat.send(u["张伟"], "已补充学生名单，共32人")
    assert r[0].text.startswith("已补充并重新提交")
    await _resolved_with_file(chat, u, aid)
    card = await chat.press(u["李卫东"], f"ap:v:{aid}")
    assert "附件（2 个）：学生名单.xlsx（补充材料）、批复文件.pdf（办结）" in card[0].text
    r = await press(chat, u["李卫东"], card, "📎批复文件.pdf")
    assert r[0].document is not None and r[0].document.file_id == "tg-file-2" and r[0].document.filename == "批复文件.pdf"
    history = text_of(await chat.press(u["张伟"], f"ap:h:{aid}"))
    assert "（附件 1 个）" in history
    async with db.session() as s:
        atts = list(await s.scalars(select(AppealAttachment).order_by(AppealAttachment.id)))
    evs = {e.id: e.action for e in await events(db, aid)}
    assert [evs[a.event_id] for a in atts] == ["res", "fin"]
    # Someone who may not see the appeal cannot fetch its files.
    forged = f"ap:f:{aid}:{atts[1].id}"
    r = await chat.press(u["孙丽"], forged)
    assert r[0].toast and "无权" in r[0].text and r[0].document is None


async def _resolved_with_file(chat, u, aid):
    from handlers.types import Attachment

    await chat.press(u["李卫东"], f"ap:asg:{aid}:{await unit_id(chat.db, '金融要素保障组')}")
    await chat.press(u["赵敏"], f"ap:sign:{aid}")
    await chat.press(u["赵敏"], f"ap:fin:{aid}")
    # A file with a caption: kept and applied in one message.
    r = await chat.send(u["赵敏"], "银行已批复续贷500万元，批复见附件", attachments=(Attachment("document", "tg-file-2", "批复文件.pdf"),))
    assert r[0].text == "已提交办理结果，诉求 #1 现等待企业评价。", r[0].text


async def test_transfer_accepts_common_department_names(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    aid = await file_quick(chat, u["张伟"])
    await chat.press(u["李卫东"], f"ap:asg:{aid}:{await unit_id(db, '金融要素保障组')}")
    await chat.press(u["赵敏"], f"ap:tr:{aid}")
    r = await chat.send(u["赵敏"], "转市生态环境局，涉及环评手续")
    assert r[0].text.startswith("已转生态环境组办理")
    await chat.press(u["陈刚"], f"ap:tr:{aid}")
    r = await chat.send(u["陈刚"], "转给审批局，属于项目审批")
    assert r[0].text.startswith("已转高端装备专班办理")  # 审批 goes to the enterprise's cluster task force
    await chat.press(u["卫东升"], f"ap:tr:{aid}")
    r = await chat.send(u["卫东升"], "转给不存在的单位处理")
    assert "没有识别出承办单位名称" in r[0].text and "生态环境局" in r[0].text
    assert (await load(db, aid)).unit_id == await unit_id(db, "高端装备产业集群发展专班")

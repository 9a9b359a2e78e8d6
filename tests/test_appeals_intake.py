"""Filing: one-message `/appeal <text>`, the guided dialog with attachments, validation, similar appeals."""
from __future__ import annotations

from sqlalchemy import select

from handlers.appeals.service import file_appeal
from handlers.context import Context
from handlers.types import Attachment, Incoming
from storage.models import Appeal, AppealAttachment, AppealStatus, DialogState, User
from tests.chat import ChatDriver, buttons_of, text_of

from .test_appeals_kit import count, events, file_quick, force, load

S = AppealStatus


async def test_one_message_filing_classifies_routes_and_offers_correction(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    r = await chat.send(u["张伟"], "/appeal 企业流动资金紧张，申请贷款被银行拒绝，希望协调银行续贷500万元")
    assert "类别：金融（自动识别）" in r[0].text and "对口单位：金融组" in r[0].text and "任城区" in r[0].text
    aid = int(r[0].text.split("#")[1].split("。")[0])
    a = await load(db, aid)
    assert (a.status, a.category, a.level, a.urgency) == (S.SUBMITTED, "金融", "county", "B")
    assert a.category_confidence is not None and a.routed_unit_id is not None
    assert "更正类别" in buttons_of(r)
    r = await chat.press(u["张伟"], buttons_of(r)["更正类别"])
    r = await chat.press(u["张伟"], buttons_of(r)["土地"])
    a = await load(db, aid)
    assert a.category == "土地" and "土地组" in r[1].text
    assert "更正为“土地”" in (await events(db, aid))[-1].note
    # Once reviewed, the category can no longer be corrected by the cadre.
    await chat.press(u["李卫东"], f"ap:esc:{aid}")
    assert "更正类别" not in buttons_of(await chat.press(u["张伟"], f"ap:v:{aid}"))
    r = await chat.press(u["张伟"], f"ap:cat:{aid}:0")
    assert r[0].toast and (await load(db, aid)).category == "土地"


async def test_task_force_routing_by_cluster(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    r = await chat.send(u["张伟"], "/appeal 新建厂房的施工许可证和消防验收办理进度慢，希望加快审批")
    assert "类别：审批" in r[0].text and "高端装备专班" in r[0].text  # 恒泰重工's cluster


async def test_bad_descriptions_file_nothing(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    for text, expected in [("贷款", "太短"), ("😀😀👍🙏🎉", "表情"), ("！！！？？？", "表情"),
                           ("资金" * 1001, "过长")]:
        r = await chat.send(u["张伟"], f"/appeal {text}")
        assert expected in r[0].text and "未提交" in r[0].text, text
    r = await chat.send(u["王建国"], "/appeal 企业需要贷款支持")
    assert "只有驻企干部" in r[0].text
    assert await count(db, Appeal) == 0 and await count(db, DialogState) == 0


async def test_guided_dialog_with_attachments(demo):
    db, refs = demo
    chat = ChatDriver(db)
    uid = refs.user_ids["杨帆"]  # two enterprises: asked which one
    r = await chat.send(uid, "/appeal")
    ents = buttons_of(r)
    assert len(ents) == 2
    name, data = list(ents.items())[1]
    r = await chat.press(uid, data)
    assert r[0].edit and "自动识别" in buttons_of(r)
    r = await chat.send(uid, "随便说点什么")  # typing instead of pressing: asked again, buttons repeated
    assert "请点击" in r[0].text and "自动识别" in buttons_of(r)
    r = await chat.press(uid, buttons_of(r)["自动识别"])
    r = await chat.press(uid, buttons_of(r)["A类（紧急，5个工作日）"])
    r = await chat.send(uid, "   ")
    assert "不能为空" in r[0].text
    r = await chat.send(uid, "石墨电极生产线环评批复迟迟未下，排污许可证无法办理，影响新线投产")
    assert "完成" in buttons_of(r)
    photo = Attachment(kind="photo", file_id="tg-photo-1", file_name="现场.jpg")
    doc = Attachment(kind="document", file_id="tg-doc-1", file_name="环评报告.pdf", mime_type="application/pdf")
    r = await chat.send(uid, "", attachments=(photo,))
    assert "共 1 个" in r[0].text
    r = await chat.send(uid, "", attachments=(doc,))
    assert "共 2 个" in r[0].text
    r = await chat.press(uid, "ai:done")
    assert "附件：2 个" in r[0].text and "A类" in r[0].text and name in r[0].text
    assert "自动识别（预计：生态环境）" in r[0].text
    r = await chat.press(uid, buttons_of(r)["确认提交"])
    assert "类别：生态环境（自动识别）" in r[0].text
    a = (await db_appeals(db))[-1]
    assert (a.urgency, a.category, a.enterprise.name) == ("A", "生态环境", name)
    async with db.session() as s:
        files = list(await s.scalars(select(AppealAttachment).where(AppealAttachment.appeal_id == a.id)))
    assert sorted(f.file_name for f in files) == ["环评报告.pdf", "现场.jpg"]
    assert await count(db, DialogState) == 0
    assert "现场.jpg" in text_of(await chat.send(uid, f"/appeal {a.id}"))
    # The confirmation button is spent: pressing it again files nothing.
    r = await chat.press(uid, "ai:ok")
    assert r[0].toast and await count(db, Appeal) == 1


async def db_appeals(db) -> list[Appeal]:
    async with db.session() as s:
        return list((await s.scalars(select(Appeal).order_by(Appeal.id))).unique())


async def test_several_enterprises_quick_filing_keeps_the_text(demo):
    db, refs = demo
    chat = ChatDriver(db)
    uid = refs.user_ids["朱琳"]  # three enterprises
    text = "企业研发中心急需引进两名芯片封装方向的高级工程师，希望协调人才公寓"
    r = await chat.send(uid, f"/appeal {text}")
    assert "哪家企业" in r[0].text and len(buttons_of(r)) == 3
    assert await count(db, Appeal) == 0
    name, data = list(buttons_of(r).items())[2]
    r = await chat.press(uid, data)
    assert "已提交诉求" in r[0].text
    a = (await db_appeals(db))[0]
    assert a.description == text and a.enterprise.name == name and a.category == "人才"


async def test_stale_and_forged_intake_buttons(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    assert (await chat.press(u["张伟"], "ai:c:0"))[0].toast  # no dialog open
    r = await chat.send(u["杨帆"], "/appeal")
    other_ent = refs.enterprise_ids[0]  # 张伟's enterprise, not 杨帆's
    r = await chat.press(u["杨帆"], f"ai:e:{other_ent}")
    assert r[0].toast and "不是该企业" in r[0].text
    assert (await chat.press(u["杨帆"], "ai:u:A"))[0].toast  # wrong step
    assert (await chat.press(u["李卫东"], "ai:ok"))[0].toast  # not a cadre
    r = await chat.send(u["杨帆"], "/cancel")
    assert "已取消" in r[0].text and await count(db, DialogState) == 0 and await count(db, Appeal) == 0


async def test_dialog_survives_a_restart(demo):
    db, refs = demo
    uid = refs.user_ids["张伟"]
    first = ChatDriver(db)
    r = await first.send(uid, "/appeal")
    r = await first.press(uid, buttons_of(r)["能源"])
    r = await first.press(uid, buttons_of(r)["B类（一般，15个工作日）"])
    del first  # the process "restarts": nothing is kept in memory
    second = ChatDriver(db)
    r = await second.send(uid, "新上生产线需要变压器增容2000千伏安，供电公司排期太长")
    r = await second.press(uid, buttons_of(r)["完成"])
    r = await second.press(uid, buttons_of(r)["确认提交"])
    assert "已提交诉求" in r[0].text
    a = (await db_appeals(db))[0]
    assert (a.category, a.urgency) == ("能源", "B") and a.category_confidence is None


async def test_similar_earlier_appeals_are_shown(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    earlier = await file_quick(chat, u["杨帆"], "企业贷款到期，银行不给续贷，流动资金周转困难")
    await force(db, earlier, status=S.CLOSED, result="协调银行办理无还本续贷", outcome="resolved", satisfaction="满意")
    await file_quick(chat, u["杨帆"], "需要新增建设用地指标建设二期厂房")
    r = await chat.send(u["张伟"], "/appeal 企业流动资金紧张，银行到期不续贷，希望协调续贷")
    text = text_of(r)
    assert "类似诉求" in text and f"#{earlier}" in text and "协调银行办理无还本续贷" in text and "（满意）" in text
    assert "二期厂房" not in text


async def test_file_appeal_service_for_other_areas(demo):
    db, refs = demo
    async with db.session() as s:
        user = await s.get(User, refs.user_ids["张伟"])
        inc = Incoming(platform="console", user_id=user.id, chat_id=user.id, text="")
        from bot.settings import Settings
        from tests.chat import Clock

        ctx = Context(s, inc, user, Settings(_env_file=None), Clock()())
        a = await file_appeal(ctx, enterprise_id=refs.enterprise_ids[0], description="高新技术企业认定奖励资金申请后迟迟未兑现",
                              category="政策")
        assert (a.category, a.status, a.unit_id) == ("政策", S.SUBMITTED, None)
        assert a.routed_unit_id is not None
        try:
            await file_appeal(ctx, enterprise_id=refs.enterprise_ids[0], description="🙂")
        except ValueError as e:
            assert "表情" in str(e)
        else:
            raise AssertionError("emoji-only description was accepted")

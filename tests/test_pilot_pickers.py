"""Issue 15, pickers: enterprises by partial name, the enterprise of a post, short list labels, clean cuts."""
from __future__ import annotations

from sqlalchemy import select

from nlp.clip import clip
from storage.demo import DEMO_GROUP_CHAT_ID
from storage.models import Enterprise
from storage.models.supply import SupplyPost
from tests.chat import ChatDriver, buttons_of, text_of

from .test_appeals_kit import file_quick


async def test_ambiguous_enterprise_names_offer_buttons_within_the_viewers_scope(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    r = await chat.send(u["王建国"], "/enterprise 济宁")
    assert "对应" in r[0].text and "请点选" in r[0].text and len(buttons_of(r)) == 8
    r = await chat.press(u["王建国"], buttons_of(r)["济宁碳素科技有限公司"])
    assert r[0].text.startswith("【一企一档】济宁碳素科技有限公司")
    assert text_of(await chat.send(u["王建国"], "/enterprise 鲁岳液压")).startswith("【一企一档】山东鲁岳液压科技有限公司")
    # A reviewer gets only the county's candidates, and a forged button outside it is refused.
    r = await chat.send(u["李卫东"], "/enterprise 济宁")
    assert all(name.startswith("济宁") for name in buttons_of(r))
    other = refs.enterprise_ids[2]  # 济宁华工智能装备 is in 济宁高新区
    r = await chat.press(u["李卫东"], f"ef:{other}")
    assert r[0].toast and "无权" in r[0].text


async def test_a_cadre_of_several_enterprises_is_asked_once_then_remembered(demo):
    db, refs = demo
    chat = ChatDriver(db)
    yang = refs.user_ids["杨帆"]  # 山东鲁岳液压科技 and 济宁碳素科技
    r = await chat.send(yang, "/supply 常年供应石墨电极 φ450 UHP级 100吨")
    assert "属于哪家企业" in r[0].text and "济宁碳素科技有限公司" in buttons_of(r)
    r = await chat.press(yang, buttons_of(r)["济宁碳素科技有限公司"])
    assert "企业：济宁碳素科技有限公司" in r[0].text
    await chat.press(yang, buttons_of(r)["✅ 确认发布"])
    r = await chat.send(yang, "/supply 供应特种石墨块 20吨")
    assert "企业：济宁碳素科技有限公司" in r[0].text  # remembered for the session
    r = await chat.send(yang, "/demand 鲁岳液压需要液压油缸密封件 500套")
    assert "企业：山东鲁岳液压科技有限公司" in r[0].text  # the text names the other firm


async def test_a_group_post_that_names_its_firm_is_filed_under_it(demo):
    db, refs = demo
    chat = ChatDriver(db)
    xu = refs.user_ids["许诺"]  # 济宁恒芯半导体材料 and 邹城宏图纸业包装
    r = await chat.send(xu, "宏图纸业有PP颗粒现货50吨", chat_id=DEMO_GROUP_CHAT_ID, chat_type="group")
    assert r == []
    async with db.session() as s:
        post = (await s.scalars(select(SupplyPost).order_by(SupplyPost.id.desc()))).first()
        ent = await s.get(Enterprise, post.enterprise_id)
    assert ent.name == "邹城宏图纸业包装有限公司"
    note = (await chat.outbox(xu))[-1]
    assert "企业：邹城宏图纸业包装有限公司" in note.text


async def test_my_and_todo_buttons_carry_short_labels(demo):
    db, refs = demo
    chat = ChatDriver(db)
    u = refs.user_ids
    aid = await file_quick(chat, u["张伟"])
    assert f"#{aid} 恒泰重工·金融" in buttons_of(await chat.send(u["张伟"], "/my"))
    assert f"#{aid} 恒泰重工·金融" in buttons_of(await chat.send(u["李卫东"], "/todo"))


def test_clip_cuts_at_a_sentence_or_word_never_inside_an_amount():
    assert clip("企业流动资金紧张，申请贷款被银行拒绝，希望协调银行续贷500万元", 30) == "企业流动资金紧张，申请贷款被银行拒绝…"
    assert clip("希望协调银行续贷500万元", 11) == "希望协调银行续贷…"  # not '续贷500'
    assert clip("济宁恒芯半导体材料有限公司", 12).startswith("济宁恒芯半导体材料")
    assert clip("短文本", 10) == "短文本"

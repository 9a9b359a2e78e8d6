"""Regressions from the first console walk-through: card wording, drafts, closed posts' matches."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from handlers.supply.index import forget_all
from storage.demo import DEMO_GROUP_CHAT_ID
from storage.models.supply import MatchStatus, PostStatus, SupplyMatch, SupplyPost
from tests.chat import ChatDriver, send_post, buttons_of, text_of


def card_buttons(row) -> dict[str, str]:
    return {b["text"]: b["data"] for line in (row.buttons or []) for b in line if "data" in b}


@pytest.fixture
async def chat(demo):
    db, _ = demo
    forget_all()
    return ChatDriver(db)


async def test_card_shows_year_caps_and_bounds(chat):
    zhang = await chat.user("张伟")
    card = text_of(await chat.send(zhang.id, "/supply 供应钢板 500吨 有效期1000年"))
    year = (chat.clock.now + timedelta(days=365)).year
    assert "有效期：365天" in card and f"{year}年" in card and "最长365天" in card
    zero = text_of(await chat.send(zhang.id, "/supply 供应钢管 有效期0天"))
    assert "有效期：30天" in zero and "至少1天" in zero
    assert "负数" in text_of(await chat.send(zhang.id, "/supply 供应钢板-5吨"))
    assert "超过1亿" in text_of(await chat.send(zhang.id, "/supply 供应钢板100000000000吨"))
    rich = await chat.send(zhang.id, "/supply 本公司长期供应Q235B热轧钢板，厚度6-20mm，月产能2000吨，可送货到邹城")
    text = text_of(rich)
    assert "产品：热轧钢板\n" in text and "产能：月产能2000吨" in text and "数量：—" in text
    assert "地区：任城区" in text  # the enterprise's county, not the delivery destination
    assert "⏳ 修改有效期（现180天）" in buttons_of(rich)
    done = await chat.press(zhang.id, buttons_of(rich)["✅ 确认发布"])
    assert f"有效期至 {(chat.clock.now + timedelta(days=180)).year}年" in text_of(done)


async def test_demand_needs_a_product(chat):
    zhang = await chat.user("张伟")
    reply = text_of(await chat.send(zhang.id, "/demand 我想问一下"))
    assert "产品" in reply and "请确认" not in reply
    async with chat.db.session() as s:
        assert (await s.scalars(select(SupplyPost))).all() == []


async def test_group_offer_with_question_is_supply_and_drafts_are_not_duplicated(chat):
    zhang = await chat.user("张伟")
    msg = "有没有企业需要液压油缸的？我们有库存"
    for _ in range(2):
        assert await chat.send(zhang.id, msg, chat_id=DEMO_GROUP_CHAT_ID, chat_type="group") == []
    async with chat.db.session() as s:
        drafts = (await s.scalars(select(SupplyPost))).all()
        assert len(drafts) == 1 and drafts[0].kind == "supply" and drafts[0].status == PostStatus.DRAFT
    listing = await chat.send(zhang.id, "/myposts")
    assert "待确认" in text_of(listing)
    b = buttons_of(listing)
    delete = next(d for t, d in b.items() if t.startswith("🗑 删除"))
    assert next(t for t in b if t.startswith("✅ 确认发布"))
    await chat.press(zhang.id, delete)
    assert "待确认" not in text_of(await chat.send(zhang.id, "/myposts"))
    await chat.send(zhang.id, "/supply 供应叉车 2台")
    chat.clock.now += timedelta(days=2)  # a stale draft is no longer listed
    assert "您还没有" in text_of(await chat.send(zhang.id, "/myposts"))


async def test_closed_post_voids_its_pending_matches(chat):
    zhang, yang = await chat.user("张伟"), await chat.user("杨帆")
    card = await send_post(chat, yang.id, "/supply 供应螺纹钢 现货 100吨")
    await chat.press(yang.id, buttons_of(card)["✅ 确认发布"])
    card = await chat.send(zhang.id, "/demand 需要螺纹钢 30吨")
    await chat.press(zhang.id, buttons_of(card)["✅ 确认发布"])
    cards = [r for r in await chat.outbox(yang.id) if "供需匹配" in r.text]
    assert len(cards) == 1
    listing = await chat.send(yang.id, "/myposts")
    close = next(d for t, d in buttons_of(listing).items() if t.startswith("关闭"))
    await chat.press(yang.id, close)
    for uid in (zhang.id, yang.id):
        refused = await chat.press(uid, card_buttons(cards[0])["👍 有意向"])
        assert refused[0].toast and "已关闭，匹配已失效" in refused[0].text
    async with chat.db.session() as s:
        assert (await s.scalars(select(SupplyMatch))).one().status == MatchStatus.VOID


async def test_private_message_that_reads_as_a_post_gets_one_tap_buttons(chat):
    zhang, yang = await chat.user("张伟"), await chat.user("杨帆")
    reply = await chat.send(zhang.id, "急需PP颗粒20吨，注塑级")
    b = buttons_of(reply)
    assert "像一条需求" in text_of(reply) and "我没能理解" not in text_of(reply)
    assert {"📢 发布为需求", "📢 发布为供应"} <= set(b) and "✅ 确认发布" not in b
    assert (await chat.press(yang.id, b["📢 发布为需求"]))[0].toast  # not the poster
    done = await chat.press(zhang.id, b["📢 发布为需求"])
    assert "需求信息" in text_of(done) and "已发布" in text_of(done)
    # a question still goes to the policy assistant, never becomes a draft
    await chat.send(zhang.id, "哪里有PP颗粒卖吗？")
    async with chat.db.session() as s:
        posts = (await s.scalars(select(SupplyPost))).all()
        assert len(posts) == 1 and posts[0].status == PostStatus.OPEN and posts[0].kind == "demand"


async def _signed_deal(chat):
    zhang, yang = await chat.user("张伟"), await chat.user("杨帆")
    for uid, cmd in ((zhang.id, "/demand 需要瓦楞纸箱 2万个"), (yang.id, "/supply 供应包装箱 五层 可定制")):
        await chat.press(uid, buttons_of(await send_post(chat, uid, cmd))["✅ 确认发布"])
    cz = [r for r in await chat.outbox(zhang.id) if "供需匹配" in r.text][0]
    cy = [r for r in await chat.outbox(yang.id) if "供需匹配" in r.text][0]
    await chat.press(zhang.id, card_buttons(cz)["👍 有意向"])
    contacts = await chat.press(yang.id, card_buttons(cy)["👍 有意向"])
    return zhang, yang, contacts


async def test_amount_bound_and_correction_and_contact_fallback(chat):
    zhang, yang, contacts = await _signed_deal(chat)
    text = text_of(contacts)
    assert "企业联系人：企业联系人" not in text and f"企业联系人：{zhang.name}（驻企干部），电话 {zhang.phone}" in text
    await chat.press(zhang.id, buttons_of(contacts)["✍️ 已签约"])
    too_big = text_of(await chat.send(zhang.id, "99999999999"))
    assert "最多" in too_big and "正数" not in too_big
    signed = await chat.send(zhang.id, "500")
    assert "500 万元" in text_of(signed)
    fix = buttons_of(signed)["✏️ 更正签约金额"]
    assert (await chat.press((await chat.user("朱琳")).id, fix))[0].toast  # not one of the two cadres
    await chat.press(yang.id, fix)  # either cadre may correct
    done = await chat.send(yang.id, "650")
    assert "650 万元" in text_of(done) and "原 500 万元" in text_of(done)
    assert any("更正为 650 万元" in r.text for r in await chat.outbox(zhang.id))
    async with chat.db.session() as s:
        from storage.models.supply import SupplyDeal
        deal = (await s.scalars(select(SupplyDeal))).one()
        assert deal.amount_wan == 650 and deal.updated_by == yang.id


async def test_expired_post_voids_its_pending_match(chat):
    zhang, yang = await chat.user("张伟"), await chat.user("杨帆")
    await chat.press(zhang.id, buttons_of(await chat.send(zhang.id, "/demand 需要螺纹钢 30吨 一周内"))["✅ 确认发布"])
    await chat.press(yang.id, buttons_of(await send_post(chat, yang.id, "/supply 供应螺纹钢 现货 100吨"))["✅ 确认发布"])
    card = [r for r in await chat.outbox(yang.id) if "供需匹配" in r.text][0]
    chat.clock.now += timedelta(days=8)
    refused = await chat.press(yang.id, card_buttons(card)["👍 有意向"])
    assert refused[0].toast and "匹配已失效" in refused[0].text
    async with chat.db.session() as s:
        assert (await s.scalars(select(SupplyMatch))).one().status == MatchStatus.VOID


async def test_private_factor_needs_are_left_to_policy(chat):
    zhang = await chat.user("张伟")
    for text in ("我们企业急需流动资金贷款500万", "企业用电需要增容到2000kva", "公司需要技术工人20人"):
        assert "像一条" not in text_of(await chat.send(zhang.id, text))
    async with chat.db.session() as s:
        assert (await s.scalars(select(SupplyPost))).all() == []

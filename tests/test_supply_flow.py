"""Supply and demand through the handler layer, on a real SQLite file and on PostgreSQL."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from handlers.supply.index import forget_all
from storage.demo import DEMO_GROUP_CHAT_ID
from storage.models.supply import MatchStatus, PostStatus, SupplyDeal, SupplyFeedback, SupplyMatch, SupplyPost
from tests.chat import ChatDriver, send_post, buttons_of, text_of


def card_buttons(row) -> dict[str, str]:
    """text -> data of an outbox row's buttons."""
    return {b["text"]: b["data"] for line in (row.buttons or []) for b in line if "data" in b}


async def post(chat: ChatDriver, uid: int, command: str) -> tuple[list, int]:
    """Send /supply or /demand, press 确认发布; returns (confirm replies, post id)."""
    replies = await send_post(chat, uid, command)
    data = buttons_of(replies)["✅ 确认发布"]
    done = await chat.press(uid, data)
    return done, int(data.rsplit(":", 1)[1])


async def users(chat: ChatDriver, *names: str) -> list:
    return [await chat.user(n) for n in names]


async def match_cards(chat: ChatDriver, uid: int) -> list:
    return [r for r in await chat.outbox(uid) if r.kind == "match" and "供需匹配" in r.text]


@pytest.fixture
async def chat(demo):
    db, refs = demo
    forget_all()
    driver = ChatDriver(db)
    driver.refs = refs
    return driver


async def test_demand_meets_supply_and_contacts_need_both_yes(chat):
    zhang, yang, zhu = await users(chat, "张伟", "杨帆", "朱琳")
    card = await chat.send(zhang.id, "/demand 求购锂电池 48V 200组 邹城 一周内")
    assert "产品：锂电池" in text_of(card) and "有效期：7天" in text_of(card) and "48V" in text_of(card)
    done, demand_id = await post(chat, zhang.id, "/demand 求购锂电池 48V 200组 邹城 一周内")
    assert "暂未找到" in text_of(done)
    done, supply_id = await post(chat, yang.id, "/supply 长期供应锂离子电池组 48V 现货")
    assert "找到 1 条匹配" in text_of(done)
    # both cadres get a card; no phone numbers before both say yes
    cards_z, cards_y = await match_cards(chat, zhang.id), await match_cards(chat, yang.id)
    assert len(cards_z) == 1 and len(cards_y) == 1
    assert "锂电池" in cards_z[0].text and zhang.phone not in cards_y[0].text and yang.phone not in cards_z[0].text
    yes = card_buttons(cards_z[0])["👍 有意向"]
    # a third cadre cannot answer for them
    refused = await chat.press(zhu.id, yes)
    assert refused[0].toast and "双方" in refused[0].text
    first = await chat.press(zhang.id, yes)
    assert "等待对方确认" in text_of(first) and yang.phone not in text_of(first)
    again = await chat.press(zhang.id, yes)
    assert again[0].toast
    second = await chat.press(yang.id, card_buttons(cards_y[0])["👍 有意向"])
    assert zhang.phone in text_of(second)  # Yang sees Zhang's contacts
    contacts_for_zhang = [r for r in await chat.outbox(zhang.id) if "双方都有意向" in r.text]
    assert len(contacts_for_zhang) == 1 and yang.phone in contacts_for_zhang[0].text
    async with chat.db.session() as s:
        match = (await s.scalars(select(SupplyMatch))).one()
        assert (match.supply_post_id, match.demand_post_id, match.status) == (supply_id, demand_id, MatchStatus.NEGOTIATING)
        assert (await s.scalars(select(SupplyDeal))).one().stage == MatchStatus.NEGOTIATING


async def test_deal_stages_amount_and_deals_listing(chat):
    zhang, yang, admin = await users(chat, "张伟", "杨帆", "王建国")
    await post(chat, zhang.id, "/demand 需要瓦楞纸箱 2万个")
    await post(chat, yang.id, "/supply 供应包装箱 五层 可定制")
    cz, cy = (await match_cards(chat, zhang.id))[0], (await match_cards(chat, yang.id))[0]
    await chat.press(zhang.id, card_buttons(cz)["👍 有意向"])
    replies = await chat.press(yang.id, card_buttons(cy)["👍 有意向"])
    intent = buttons_of(replies)["🤝 达成意向"]
    assert "达成意向" in text_of(await chat.press(yang.id, intent))
    assert (await chat.press(yang.id, intent))[0].toast  # not twice
    sign = intent.replace(":in:", ":sg:")
    assert "万元" in text_of(await chat.press(zhang.id, sign))
    assert "正数" in text_of(await chat.send(zhang.id, "很多"))
    assert "2000 万元" in text_of(await chat.send(zhang.id, "2000万"))
    listing = text_of(await chat.send(yang.id, "/deals"))
    assert "已签约 1" in listing and "2000" in listing
    assert "全市" in text_of(await chat.send(admin.id, "/deals"))
    assert "暂无" in text_of(await chat.send((await chat.user("朱琳")).id, "/deals"))


async def test_irrelevant_is_stored_and_never_repeated(chat):
    zhang, yang = await chat.user("张伟"), await chat.user("杨帆")
    _, demand_id = await post(chat, zhang.id, "/demand 求购液压油 46号 10桶")
    await post(chat, yang.id, "/supply 供应抗磨液压油 200L")
    card = (await match_cards(chat, zhang.id))[0]
    assert "不相关" in text_of(await chat.press(zhang.id, card_buttons(card)["🙅 不相关"]))
    late = await chat.press(yang.id, card_buttons((await match_cards(chat, yang.id))[0])["👍 有意向"])
    assert late[0].toast
    # the matcher is rebuilt from the database; the pair still is not proposed again
    forget_all()
    async with chat.db.session() as s:
        demand = await s.get(SupplyPost, demand_id)
        assert demand.status == PostStatus.OPEN
        assert (await s.scalars(select(SupplyFeedback))).one().verdict == "irrelevant"
    await post(chat, (await chat.user("朱琳")).id, "/supply 液压油现货 46号")
    async with chat.db.session() as s:
        statuses = sorted(m.status for m in (await s.scalars(select(SupplyMatch))).all())
    assert statuses == [MatchStatus.PROPOSED, MatchStatus.REJECTED]


async def test_look_alike_and_same_enterprise_are_not_proposed(chat):
    zhang, yang = await chat.user("张伟"), await chat.user("杨帆")
    await post(chat, zhang.id, "/demand 求购液压油缸 缸径100 4根")
    done, _ = await post(chat, yang.id, "/supply 供应液压油 46号")
    assert "暂未找到" in text_of(done)
    done, _ = await post(chat, zhang.id, "/supply 出售液压油缸 缸径100")  # own demand: never matched
    assert "暂未找到" in text_of(done)


async def test_group_message_drafts_privately_and_chat_is_left_alone(chat):
    zhang = await chat.user("张伟")
    assert await chat.send(zhang.id, "各位领导早上好", chat_id=DEMO_GROUP_CHAT_ID, chat_type="group") == []
    assert await chat.send(zhang.id, "有人知道哪里能买到石墨烯吗？", chat_id=DEMO_GROUP_CHAT_ID, chat_type="group") == []
    silent = await chat.send(zhang.id, "我们企业需要芯片扩散用的纸源，有能供应的联系我", chat_id=DEMO_GROUP_CHAT_ID,
                             chat_type="group")
    assert silent == []
    drafts = [r for r in await chat.outbox(zhang.id) if "请确认" in r.text]
    assert len(drafts) == 1 and "需求" in drafts[0].text
    done = await chat.press(zhang.id, card_buttons(drafts[0])["✅ 确认发布"])
    assert "已发布" in text_of(done)
    yang = await chat.user("杨帆")
    done, _ = await post(chat, yang.id, "/supply 可以供应扩散纸源 硼源磷源")
    assert "找到 1 条匹配" in text_of(done)


async def test_draft_buttons_edit_and_permissions(chat):
    zhang, yang = await chat.user("张伟"), await chat.user("杨帆")
    card = await chat.send(zhang.id, "/supply 出售电动叉车2台")
    b = buttons_of(card)
    assert (await chat.press(yang.id, b["✅ 确认发布"]))[0].toast  # not the poster
    toggled = await chat.press(zhang.id, b["🔁 改为需求"])
    assert "类型：需求" in text_of(toggled) and toggled[0].edit
    longer = await chat.press(zhang.id, b["⏳ 修改有效期（现30天）"])
    assert "有效期：60天" in text_of(longer)
    assert "修改后" in text_of(await chat.press(zhang.id, b["✏️ 修改内容"]))
    edited = await chat.send(zhang.id, "求购二手叉车 3吨 兖州")
    assert "产品：叉车" in text_of(edited) and "兖州区" in text_of(edited)
    await chat.press(zhang.id, b["✖️ 取消"])
    assert (await chat.press(zhang.id, b["✅ 确认发布"]))[0].toast  # cancelled drafts stay cancelled
    assert "太短" in text_of(await chat.send(zhang.id, "/supply 有"))
    assert "无权" in text_of(await chat.send((await chat.user("王建国")).id, "/supply 供应钢管"))


async def test_myposts_close_and_expiry_stop_matching(chat):
    zhang, yang = await chat.user("张伟"), await chat.user("杨帆")
    await post(chat, zhang.id, "/demand 需要螺纹钢 30吨")
    await post(chat, zhang.id, "/demand 需要工业蒸汽 每小时5吨 一周内")
    listing = await chat.send(zhang.id, "/myposts")
    assert "匹配中" in text_of(listing)
    close = next(d for t, d in buttons_of(listing).items() if "螺纹钢" in t)
    assert (await chat.press(yang.id, close))[0].toast  # only the poster closes
    assert "已关闭" in text_of(await chat.press(zhang.id, close))
    done, _ = await post(chat, yang.id, "/supply 钢筋现货 三级")
    assert "暂未找到" in text_of(done)
    chat.clock.now += timedelta(days=8)  # the steam demand (一周内) has expired
    done, _ = await post(chat, yang.id, "/supply 对外供应工业蒸汽")
    assert "暂未找到" in text_of(done)
    assert "已过期" in text_of(await chat.send(zhang.id, "/myposts"))


async def test_cadre_with_several_enterprises_picks_one(chat):
    zhu = await chat.user("朱琳")  # stationed in three enterprises
    card = await send_post(chat, zhu.id, "/supply 供应工业盐酸 31% 槽车配送")
    first = text_of(card).split("企业：")[1].split("\n")[0]
    switched = await chat.press(zhu.id, buttons_of(card)["🏭 换一家企业"])
    second = text_of(switched).split("企业：")[1].split("\n")[0]
    assert first != second and switched[0].edit
    done = await chat.press(zhu.id, buttons_of(card)["✅ 确认发布"])
    assert "已发布" in text_of(done)
    async with chat.db.session() as s:
        post = (await s.scalars(select(SupplyPost))).one()
        assert post.status == PostStatus.OPEN and post.region

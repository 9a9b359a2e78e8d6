"""Strong matches go to both cadres, weak 可能相关 candidates only to the poster (SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from handlers.supply.index import forget_all
from storage.demo import DEMO_GROUP_CHAT_ID
from storage.models.supply import SupplyMatch
from tests.chat import ChatDriver, buttons_of, send_post, text_of


def card_buttons(row) -> dict[str, str]:
    return {b["text"]: b["data"] for line in (row.buttons or []) for b in line if "data" in b}


async def post(chat: ChatDriver, uid: int, command: str) -> list:
    replies = await send_post(chat, uid, command)
    return await chat.press(uid, buttons_of(replies)["✅ 确认发布"])


async def match_cards(chat: ChatDriver, uid: int) -> list:
    return [r for r in await chat.outbox(uid) if r.kind == "match" and "供需匹配" in r.text]


async def match_count(chat: ChatDriver) -> int:
    async with chat.db.session() as s:
        return await s.scalar(select(func.count()).select_from(SupplyMatch))


@pytest.fixture
async def chat(demo):
    db, _ = demo
    forget_all()
    return ChatDriver(db)


async def test_group_posts_about_an_unknown_product_match_each_other(chat):
    zhang, yang = await chat.user("张伟"), await chat.user("杨帆")
    # a product nowhere in the lexicon, posted in the demo group: drafted privately, then published
    said = await chat.send(zhang.id, "我厂常年供应食品级羧甲基纤维素钠，粘度可定制，有需要的联系",
                           chat_id=DEMO_GROUP_CHAT_ID, chat_type="group")
    assert said == []
    draft = [r for r in await chat.outbox(zhang.id) if "请确认" in r.text]
    assert len(draft) == 1 and "供应" in draft[0].text
    assert "已发布" in text_of(await chat.press(zhang.id, card_buttons(draft[0])["✅ 确认发布"]))
    done = await post(chat, yang.id, "/demand 求购羧甲基纤维素钠 洗涤剂用 3吨")
    assert "找到 1 条匹配" in text_of(done)
    z, y = await match_cards(chat, zhang.id), await match_cards(chat, yang.id)
    assert len(z) == 1 and len(y) == 1 and "羧甲基纤维素钠" in z[0].text and "匹配原因：共同产品" in z[0].text


async def test_weak_candidates_are_shown_to_the_poster_only(chat):
    zhang, yang = await chat.user("张伟"), await chat.user("杨帆")
    await post(chat, zhang.id, "/supply 我厂常年供应食品级羧甲基纤维素钠，粘度可定制")
    before = len(await chat.outbox(zhang.id))
    done = await post(chat, yang.id, "/demand 需要玄武岩纤维短切纱 做复合材料")
    text = text_of(done)
    assert "暂未找到" in text and "可能相关（仅您可见" in text and "羧甲基纤维素钠" in text
    assert "匹配度" in text and "共同产品：纤维" in text
    # nothing is pushed to the other side and no match is recorded
    assert len(await chat.outbox(zhang.id)) == before and await match_cards(chat, yang.id) == []
    assert await match_count(chat) == 0


async def test_look_alike_is_offered_as_weak_never_pushed(chat):
    zhang, yang = await chat.user("张伟"), await chat.user("杨帆")
    await post(chat, zhang.id, "/demand 求购液压油缸 缸径100 4根")
    done = await post(chat, yang.id, "/supply 供应液压油 46号")
    assert "暂未找到" in text_of(done) and await match_count(chat) == 0
    assert await match_cards(chat, zhang.id) == []

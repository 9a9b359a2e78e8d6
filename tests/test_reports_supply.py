"""The supply-and-demand funnel and policy-question figures, on rows counted by hand."""
from __future__ import annotations

from storage.models.policy import PolicyQuestion
from storage.models.supply import SupplyDeal, SupplyMatch, SupplyPost
from storage.reports_extra import funnel, policy_figures
from storage.reports_period import parse_period
from tests.chat import ChatDriver, Clock, text_of
from tests.reports_data import NOW, TODAY, utc

MARCH = parse_period("2026-03", TODAY)


async def _seed(db, refs):
    e = refs.enterprise_ids  # 0, 1: 任城区; 4, 10: 邹城市
    cadre = refs.user_ids["张伟"]
    async with db.session() as s:
        def post(kind, ent, created, status="open"):
            p = SupplyPost(kind=kind, user_id=cadre, enterprise_id=ent, text=f"{kind}测试", status=status, created_at=created,
                           updated_at=created)
            s.add(p)
            return p
        posts = [post("supply", e[0], utc(2026, 3, 2)), post("demand", e[4], utc(2026, 3, 3)),
                 post("demand", e[10], utc(2026, 3, 4)), post("supply", e[1], utc(2026, 3, 5)),
                 post("demand", e[4], utc(2026, 3, 6), status="draft"), post("supply", e[4], utc(2026, 2, 6))]
        await s.flush()
        def match(sp, dp, status, created):
            m = SupplyMatch(supply_post_id=sp.id, demand_post_id=dp.id, score=0.8, reason="测试", status=status,
                            created_at=created, updated_at=created)
            s.add(m)
            return m
        m1 = match(posts[0], posts[1], "signed", utc(2026, 3, 3))
        m2 = match(posts[0], posts[2], "intent", utc(2026, 3, 4))
        m3 = match(posts[3], posts[1], "negotiating", utc(2026, 3, 6))
        match(posts[3], posts[2], "proposed", utc(2026, 3, 6))
        match(posts[5], posts[2], "rejected", utc(2026, 3, 7))  # a February post, matched in March
        match(posts[5], posts[1], "signed", utc(2026, 2, 7))  # February: outside the period
        await s.flush()
        s.add(SupplyDeal(match_id=m1.id, stage="signed", amount_wan=2000.0, started_at=utc(2026, 3, 4), signed_at=utc(2026, 3, 9)))
        s.add(SupplyDeal(match_id=m2.id, stage="intent", amount_wan=500.0, started_at=utc(2026, 3, 5), intent_at=utc(2026, 3, 9)))
        s.add(SupplyDeal(match_id=m3.id, stage="negotiating", started_at=utc(2026, 3, 7)))
        for q, outcome, answered, at in (("贷款贴息", "answer", True, utc(2026, 3, 2)), ("研发补助", "related", False, utc(2026, 3, 3)),
                                         ("出口奖励", "none", False, utc(2026, 3, 4)), ("旧问题", "answer", True, utc(2026, 2, 1))):
            s.add(PolicyQuestion(question=q, outcome=outcome, answered=answered, asked_at=at))


async def test_funnel_and_policy_by_hand(demo):
    db, refs = demo
    await _seed(db, refs)
    async with db.session() as s:
        from sqlalchemy import select

        from storage.models import OrgUnit

        f = await funnel(s, MARCH)
        rencheng = await s.scalar(select(OrgUnit.id).where(OrgUnit.name == "任城区"))
        fr = await funnel(s, MARCH, rencheng)
        fe = await funnel(s, None, enterprise_id=refs.enterprise_ids[10])
        p = await policy_figures(s, MARCH)
    # March: 4 posts (the draft and the February post not counted); 5 matches; 有意向 both sides: signed,
    # intent, negotiating = 3; intents: signed + intent = 2; one signed deal of 2,000 万元.
    assert (f.posts, f.matches, f.both_interested, f.intents, f.deals, f.amount_wan) == (4, 5, 3, 2, 1, 2000.0)
    assert (fr.posts, fr.matches) == (2, 4)  # the rejected match has no 任城区 side
    assert (fe.posts, fe.matches, fe.intents, fe.deals) == (1, 3, 1, 0)
    assert (p.asked, p.answered, p.not_covered) == (3, 1, 1)


async def test_stats_and_enterprise_show_supply(demo):
    db, refs = demo
    await _seed(db, refs)
    chat = ChatDriver(db, clock=Clock(NOW))
    text = text_of(await chat.send(refs.user_ids["王建国"], "/stats 2026-03"))
    assert "供需信息：4" in text and "双方有意向：3" in text and "签约成交：1" in text and "签约金额（万元）：2,000" in text
    assert "政策咨询：3，已解答：1，未覆盖（转诉求）：1" in text
    text = text_of(await chat.send(refs.user_ids["王建国"], "/enterprise 恒泰重工"))
    assert "供需信息：1 条" in text and "签约 1，金额 2,000 万元" in text

"""Six months of fictional history for the demo: appeals in every state, supply posts, matches and deals.

Part of `pandeng demo` / `pandeng console --demo` (bot.demo.seed_everything), not of the tests'
`seed_demo`, whose hand-counted expectations stay as they are. Deterministic for a given `today`;
added once (a marker in the texts tells it is there).
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Appeal, AppealEvent, AppealStatus, CadreEnterprise, Enterprise, OrgUnit, UnitKind
from .models.appeals import SATISFACTION
from .models.supply import MatchStatus, PostKind, PostStatus, SupplyDeal, SupplyMatch, SupplyPost
from .workdays import add_workdays, is_workday

MARK = "（演示历史）"
SH = ZoneInfo("Asia/Shanghai")
DAYS = 182
PROBLEMS = {
    "金融": ("流动资金贷款到期续贷困难，希望协调银行无还本续贷", "新建产线需要中长期项目贷款，申请贴息支持"),
    "基金": ("计划引入产业基金投资扩产，需要对接市级引导基金",),
    "土地": ("扩建厂房需新增工业用地约30亩，希望协调用地指标", "原有土地证办理遗留问题需协调"),
    "能源": ("新上设备需增容变压器，申请加快供电报装", "夏季用电高峰限电影响生产，希望协调有序用电"),
    "人才": ("急需高级技工和研发人员，希望协助招聘并落实人才政策",),
    "生态环境": ("技改项目环评审批进度慢，希望加快", "VOCs治理设施改造需技术指导"),
    "政策": ("申报高新技术企业奖补资金未到位，希望协调兑现", "专精特新奖励申报流程咨询"),
    "审批": ("新建项目施工许可办理时间长，希望并联审批",),
    "市场": ("订单下滑，希望对接链主企业拓展本地配套", "产品进入政府采购目录需协调"),
    "其他": ("厂区周边道路破损影响物流，希望协调维修",),
}
CATEGORY_WEIGHTS = {"金融": 6, "土地": 3, "能源": 4, "人才": 3, "政策": 4, "市场": 3, "审批": 2, "生态环境": 2,
                    "基金": 1, "其他": 1}
# Where an appeal of each age usually is (the older, the more finished).
OLD = ([AppealStatus.CLOSED] * 14 + [AppealStatus.RESOLVED, AppealStatus.EXPLAINED, AppealStatus.DISPUTED,
       AppealStatus.IN_PROGRESS])
RECENT = [AppealStatus.SUBMITTED, AppealStatus.RETURNED, AppealStatus.CITY_REVIEW, AppealStatus.CONSULTATION,
          AppealStatus.ASSIGNED, AppealStatus.IN_PROGRESS, AppealStatus.IN_PROGRESS, AppealStatus.RESOLVED,
          AppealStatus.EXPLAINED, AppealStatus.CLOSED]


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 30), SH).astimezone(timezone.utc)


def _workday(rng: random.Random, first: date, last: date) -> date:
    for _ in range(50):
        d = first + timedelta(days=rng.randint(0, max(0, (last - first).days)))
        if is_workday(d):
            return d
    return first


async def has_history(session: AsyncSession) -> bool:
    """True once the history was added."""
    return bool(await session.scalar(select(func.count()).select_from(Appeal).where(Appeal.description.like(f"%{MARK}"))))


async def seed_history(session: AsyncSession, today: date, *, appeals: int = 160, posts: int = 60) -> int:
    """Add the history once; returns the number of appeals added (0 when already there)."""
    if await has_history(session):
        return 0
    rng = random.Random(today.toordinal())
    units = list((await session.scalars(select(OrgUnit))).all())
    by_category = {u.category: u for u in units if u.kind == UnitKind.FACTOR_GROUP}
    by_cluster = {u.cluster: u for u in units if u.kind == UnitKind.TASK_FORCE}
    links = (await session.execute(select(CadreEnterprise.enterprise_id, CadreEnterprise.user_id))).all()
    ents = {e.id: e for e in (await session.scalars(select(Enterprise))).unique()}
    links = [(e, u) for e, u in links if e in ents]
    if not links:
        return 0
    first = today - timedelta(days=DAYS)
    statuses = list(AppealStatus)
    for i in range(appeals):
        ent_id, cadre = links[i % len(links)] if i < len(links) else rng.choice(links)
        ent = ents[ent_id]
        category = rng.choices(list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values()))[0]
        # The first ten (one per state) are old enough to have gone anywhere.
        created_day = _workday(rng, first, today - timedelta(days=30 if i < len(statuses) else 1))
        age = (today - created_day).days
        status = statuses[i] if i < len(statuses) else rng.choice(OLD if age > 45 else RECENT)
        unit = by_category.get(category) or by_cluster.get(ent.cluster) or ent.county
        session.add(_appeal(rng, ent, cadre, category, status, unit, created_day, today))
    await session.flush()
    for a in (await session.scalars(select(Appeal).where(Appeal.description.like(f"%{MARK}")))).unique():
        session.add(AppealEvent(appeal_id=a.id, actor_id=a.cadre_id, at=a.created_at, action="submit",
                                from_status=None, to_status=AppealStatus.SUBMITTED, note="演示历史"))
        if a.assigned_at:
            session.add(AppealEvent(appeal_id=a.id, actor_id=None, at=a.assigned_at, action="asg",
                                    from_status=AppealStatus.SUBMITTED, to_status=AppealStatus.ASSIGNED, note="演示历史"))
    await _supply(session, rng, links, ents, first, today, posts)
    await session.flush()
    return appeals


def _appeal(rng: random.Random, ent: Enterprise, cadre: int, category: str, status: str, unit: OrgUnit,
            created_day: date, today: date) -> Appeal:
    created = _at(created_day, rng.randint(8, 17))
    urgency = "A" if rng.random() < 0.25 else "B"
    a = Appeal(enterprise_id=ent.id, cadre_id=cadre, county_id=ent.county_id, category=category,
               description=f"{rng.choice(PROBLEMS[category])}。{MARK}", status=status, urgency=urgency,
               level="city" if status in (AppealStatus.CITY_REVIEW, AppealStatus.CONSULTATION) or rng.random() < 0.2
               else "county", routed_unit_id=unit.id, created_at=created, last_activity_at=created,
               consulted=status == AppealStatus.CONSULTATION, redo_count=0, dissatisfied_count=0)
    if status in (AppealStatus.SUBMITTED, AppealStatus.RETURNED, AppealStatus.CITY_REVIEW, AppealStatus.CONSULTATION):
        return a
    assigned_day = min(add_workdays(created_day, rng.randint(1, 3)), today)
    a.unit_id, a.assigned_at = unit.id, _at(assigned_day, 10)
    a.deadline = add_workdays(assigned_day, 5 if urgency == "A" else 15)
    a.last_activity_at = a.assigned_at
    if status in (AppealStatus.ASSIGNED, AppealStatus.IN_PROGRESS) or assigned_day >= today - timedelta(days=2):
        a.status = status if status == AppealStatus.ASSIGNED else AppealStatus.IN_PROGRESS
        return a
    # Most are finished on time, some late; never after today.
    span = max(1, (min(a.deadline, today) - assigned_day).days)
    late = rng.random() < 0.15
    done = assigned_day + timedelta(days=rng.randint(1, span) + (rng.randint(1, 10) if late else 0))
    done = max(min(done, today - timedelta(days=1)), assigned_day)
    a.finished_at = _at(done, 16)
    a.last_activity_at = a.finished_at
    a.outcome = "explained" if status == AppealStatus.EXPLAINED or rng.random() < 0.12 else "resolved"
    a.result = "已协调解决，企业确认。" if a.outcome == "resolved" else None
    a.explanation = "经核实，现行政策暂不支持，已向企业解释说明。" if a.outcome == "explained" else None
    if status == AppealStatus.CLOSED:
        a.satisfaction = rng.choices(SATISFACTION, weights=(14, 4, 1))[0]
        a.dissatisfied_count = int(a.satisfaction == "不满意")
        a.closed_at = a.finished_at + timedelta(days=rng.randint(1, 4))
    elif status == AppealStatus.DISPUTED:
        a.satisfaction, a.dissatisfied_count, a.redo_count = "不满意", 2, 1
    return a


SUPPLY_OFFERS = ("液压油缸批量供应", "精密铸件加工", "光伏组件", "锂电池储能系统", "工业软件MES实施", "瓦楞纸箱包装",
                 "石墨电极", "铝型材", "橡胶密封件", "电力电缆")
DEMANDS = ("采购液压油缸", "寻找铸件配套厂", "厂房屋顶光伏", "储能设备采购", "生产管理系统", "产品包装箱",
           "特种石墨材料", "铝合金型材", "密封件配套", "电缆采购")


async def _supply(session: AsyncSession, rng: random.Random, links, ents, first: date, today: date, n: int) -> None:
    """Posts on both sides, matches between them at every stage, and deals with amounts."""
    posts: list[tuple[SupplyPost, int]] = []
    for i in range(n):
        ent_id, cadre = rng.choice(links)
        kind = PostKind.SUPPLY if i % 2 == 0 else PostKind.DEMAND
        k = (i // 2) % len(DEMANDS)
        day = _workday(rng, first, today - timedelta(days=1))
        at = _at(day, 11)
        expired = (today - day).days > 30
        p = SupplyPost(kind=kind, user_id=cadre, enterprise_id=ent_id,
                       text=(SUPPLY_OFFERS[k] if kind == PostKind.SUPPLY else DEMANDS[k]) + MARK,
                       products=[(SUPPLY_OFFERS[k] if kind == PostKind.SUPPLY else DEMANDS[k])[:10]], specs=[],
                       status=PostStatus.EXPIRED if expired else PostStatus.OPEN, source="command", created_at=at,
                       opened_at=at, expires_at=at + timedelta(days=30), updated_at=at)
        session.add(p)
        posts.append((p, k))
    await session.flush()
    supplies = [(p, k) for p, k in posts if p.kind == PostKind.SUPPLY]
    demands = {k: p for p, k in posts if p.kind == PostKind.DEMAND}
    stages = [MatchStatus.PROPOSED, MatchStatus.REJECTED, MatchStatus.NEGOTIATING, MatchStatus.INTENT,
              MatchStatus.SIGNED, MatchStatus.SIGNED, MatchStatus.VOID]
    for i, (s, k) in enumerate(supplies):
        d = demands.get(k)
        if d is None or d.enterprise_id == s.enterprise_id:
            continue
        status = stages[i % len(stages)]
        at = max(s.created_at, d.created_at) + timedelta(hours=2)
        m = SupplyMatch(supply_post_id=s.id, demand_post_id=d.id, score=round(rng.uniform(70, 95), 1),
                        reason="产品与需求一致（演示）", status=status, created_at=at, updated_at=at)
        session.add(m)
        await session.flush()
        if status in (MatchStatus.NEGOTIATING, MatchStatus.INTENT, MatchStatus.SIGNED):
            deal = SupplyDeal(match_id=m.id, stage=status, started_at=at, updated_at=at,
                              amount_wan=round(rng.uniform(50, 2000), 0) if status != MatchStatus.NEGOTIATING else None)
            if status in (MatchStatus.INTENT, MatchStatus.SIGNED):
                deal.intent_at = at + timedelta(days=5)
            if status == MatchStatus.SIGNED:
                deal.signed_at = at + timedelta(days=12)
            session.add(deal)

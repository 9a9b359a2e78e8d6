"""Supply-and-demand funnel and policy-question figures for the headquarters summaries."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Enterprise
from .models.policy import PolicyQuestion
from .models.supply import MatchStatus, PostStatus, SupplyDeal, SupplyMatch, SupplyPost
from .reports_period import TZ, Period, all_time

TALKING = (MatchStatus.NEGOTIATING, MatchStatus.INTENT, MatchStatus.SIGNED)  # both sides said 有意向


@dataclass
class Funnel:
    """Posts → matches → both sides 有意向 → intents → signed deals, and the signed amount (万元)."""

    posts: int
    matches: int
    both_interested: int
    intents: int
    deals: int
    amount_wan: float

    def stages(self) -> list[tuple[str, int]]:
        """(label, count) for the funnel chart."""
        from .reports_labels import FUNNEL

        return [(FUNNEL[k], getattr(self, k)) for k in ("posts", "matches", "both_interested", "intents", "deals")]


async def funnel(session: AsyncSession, period: Period | None = None, county_id: int | None = None,
                 enterprise_id: int | None = None, tz: str = TZ) -> Funnel:
    """The funnel for posts/matches created in the period (a county: either side's enterprise there)."""
    lo, hi = (period or all_time()).utc_bounds(tz)
    posts = select(SupplyPost.id).where(SupplyPost.status != PostStatus.DRAFT)
    if county_id is not None:
        posts = posts.join(Enterprise, Enterprise.id == SupplyPost.enterprise_id).where(Enterprise.county_id == county_id)
    if enterprise_id is not None:
        posts = posts.where(SupplyPost.enterprise_id == enterprise_id)
    n_posts = await session.scalar(select(func.count()).select_from(
        posts.where(SupplyPost.created_at >= lo, SupplyPost.created_at < hi).subquery()))
    m = select(SupplyMatch).where(SupplyMatch.created_at >= lo, SupplyMatch.created_at < hi)
    if county_id is not None or enterprise_id is not None:
        m = m.where(or_(SupplyMatch.supply_post_id.in_(posts), SupplyMatch.demand_post_id.in_(posts)))
    matches = list(await session.scalars(m))
    ids = [x.id for x in matches]
    deals = list(await session.scalars(select(SupplyDeal).where(SupplyDeal.match_id.in_(ids)))) if ids else []
    signed = [d for d in deals if d.signed_at is not None or d.stage == MatchStatus.SIGNED]
    status = {x.id: x.status for x in matches}
    return Funnel(
        posts=int(n_posts or 0), matches=len(matches),
        both_interested=sum(s in TALKING for s in status.values()),
        intents=sum(s in (MatchStatus.INTENT, MatchStatus.SIGNED) for s in status.values()),
        deals=len({d.match_id for d in signed} | {i for i, s in status.items() if s == MatchStatus.SIGNED}),
        amount_wan=float(sum(d.amount_wan or 0 for d in signed)),
    )


@dataclass
class PolicyFigures:
    """Policy questions asked in the period, answered with a clause, and not covered by any policy."""

    asked: int
    answered: int
    not_covered: int


async def policy_figures(session: AsyncSession, period: Period | None = None, tz: str = TZ) -> PolicyFigures:
    """Counts of policy questions (city-wide: questions are not tied to a county)."""
    lo, hi = (period or all_time()).utc_bounds(tz)
    rows = list(await session.execute(select(PolicyQuestion.answered, PolicyQuestion.outcome)
                                      .where(PolicyQuestion.asked_at >= lo, PolicyQuestion.asked_at < hi)))
    return PolicyFigures(len(rows), sum(bool(a) for a, _ in rows), sum(o == "none" for _, o in rows))

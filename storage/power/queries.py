"""Loading readings and judging whole days: the flagged enterprises, the skipped ones counted."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Enterprise
from storage.models.power import PowerAnomaly, PowerReading, PowerReason

from storage.workdays import is_workday

from .detect import LOOKBACK_DAYS, Thresholds, Verdict, judge

# Detection looks back LOOKBACK_DAYS for a baseline, plus a few weeks for the decline's earlier days.
HISTORY_DAYS = LOOKBACK_DAYS + 21


@dataclass(frozen=True)
class Flag:
    """One flagged enterprise-day with the enterprise's scope fields."""

    enterprise_id: int
    enterprise: str
    county_id: int
    cluster: str
    day: date
    verdict: Verdict

    def as_json(self) -> dict:
        """The `power check --format json` object."""
        v = self.verdict
        return {"enterprise": self.enterprise, "date": self.day.isoformat(), "kind": v.kind,
                "use": round(v.use, 2), "baseline": round(v.baseline, 2), "change": round(v.change, 4)}


@dataclass
class DayResult:
    """A day's judgement: flags, plus how many enterprises were skipped and why."""

    day: date
    flags: list[Flag] = field(default_factory=list)
    quiet: list[Flag] = field(default_factory=list)  # would be flagged, but a recorded reason covers the day
    skipped: Counter = field(default_factory=Counter)  # rest_day | gap | history | restart | silenced
    judged: int = 0


async def load_series(session: AsyncSession, start: date, end: date,
                      enterprise_ids: list[int] | None = None) -> dict[int, dict[date, float]]:
    """{enterprise id: {day: kWh}} for start <= day <= end."""
    stmt = select(PowerReading.enterprise_id, PowerReading.day, PowerReading.kwh).where(
        PowerReading.day >= start, PowerReading.day <= end)
    if enterprise_ids is not None:
        stmt = stmt.where(PowerReading.enterprise_id.in_(enterprise_ids))
    out: dict[int, dict[date, float]] = defaultdict(dict)
    for ent, day, kwh in (await session.execute(stmt)).all():
        out[ent][day] = kwh
    return out


async def silenced(session: AsyncSession, day: date) -> dict[int, PowerReason]:
    """Enterprises with a recorded reason covering `day`, with the latest such reason."""
    rows = (await session.scalars(select(PowerReason).where(PowerReason.since <= day, PowerReason.until >= day)
                                  .order_by(PowerReason.id))).all()
    return {r.enterprise_id: r for r in rows}


async def judge_days(session: AsyncSession, first: date, last: date, th: Thresholds = Thresholds(),
                     *, honour_reasons: bool = True, enterprise_ids: list[int] | None = None) -> list[DayResult]:
    """Judge every enterprise with readings (or those of `enterprise_ids`) on each day of [first, last]."""
    series = await load_series(session, first - timedelta(days=HISTORY_DAYS), last, enterprise_ids)
    ents = {e.id: e for e in (await session.scalars(select(Enterprise))).unique()}
    results = []
    day = first
    while day <= last:
        quiet = await silenced(session, day) if honour_reasons else {}
        res = DayResult(day)
        for ent_id in sorted(series):
            ent = ents.get(ent_id)
            if ent is None:
                continue
            v = judge(series[ent_id], day, th)
            if v.skipped:
                res.skipped[v.skipped] += 1
                continue
            res.judged += 1
            if v.kind is None:
                continue
            flag = Flag(ent_id, ent.name, ent.county_id, ent.cluster, day, v)
            if ent_id in quiet:
                res.skipped["silenced"] += 1
                res.quiet.append(flag)
                continue
            res.flags.append(flag)
        results.append(res)
        day += timedelta(days=1)
    return results


async def latest_day(session: AsyncSession, on_or_before: date) -> date | None:
    """The latest ordinary working day with any reading, not after `on_or_before` (rest days flag nothing)."""
    days = (await session.scalars(select(PowerReading.day).where(PowerReading.day <= on_or_before)
                                  .group_by(PowerReading.day).order_by(PowerReading.day.desc()).limit(20))).all()
    return next((d for d in days if is_workday(d) and d.weekday() < 5), days[0] if days else None)


async def record_flags(session: AsyncSession, result: DayResult, now) -> dict[int, PowerAnomaly]:
    """Store the day's flags as anomalies (once per enterprise-day); returns them by enterprise id."""
    existing = {a.enterprise_id: a for a in (await session.scalars(
        select(PowerAnomaly).where(PowerAnomaly.day == result.day))).all()}
    for f in result.flags:
        if f.enterprise_id in existing:
            continue
        v = f.verdict
        row = PowerAnomaly(enterprise_id=f.enterprise_id, day=f.day, kind=v.kind, use_kwh=v.use,
                           baseline_kwh=v.baseline, change=v.change, detected_at=now)
        session.add(row)
        existing[f.enterprise_id] = row
    await session.flush()
    return existing

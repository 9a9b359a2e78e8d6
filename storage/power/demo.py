"""Demo power readings: 14 months of synthetic daily use (so 同比 has last year's month) for the 50 demo enterprises, a few anomalies at the end.

Weekly rhythm, the official holidays (Spring Festival lowest), noise, a seasonal swing, a few drops
in the past, and on the last working day before `today` a stop, two drops and a three-day decline,
so `/power` shows a list at once. Deterministic for a given `today`; inserted once (idempotent).
"""
from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.demo import ENTERPRISES
from storage.models import Enterprise, utcnow
from storage.models.power import PowerReading
from storage.workdays import is_workday

CONTINUOUS = {"高端化工", "新材料"}  # process plants run around the clock
# Demo enterprise indexes and what happens to them at the end of the year.
LAST_DAY_STOP, LAST_DAY_DROPS, DECLINE = 0, (1, 20), 26


def last_workday_before(today: date) -> date:
    """The latest ordinary working day (not a make-up weekend day) before `today`."""
    d = today - timedelta(days=1)
    while not is_workday(d) or d.weekday() >= 5:
        d -= timedelta(days=1)
    return d


def _workdays_back(day: date, n: int) -> list[date]:
    out, d = [day], day
    while len(out) < n:
        d -= timedelta(days=1)
        if is_workday(d) and d.weekday() < 5:
            out.append(d)
    return out


def demo_series(today: date, days: int = 425) -> dict[int, dict[date, float]]:
    """{demo enterprise index: {day: kWh}} for the `days` days before `today`."""
    end = last_workday_before(today)
    first = today - timedelta(days=days)
    out: dict[int, dict[date, float]] = {}
    for i, (_name, _county, cluster, _tags, revenue, staff, _products) in enumerate(ENTERPRISES):
        rng = random.Random(1000 + i)
        level = 25.0 * revenue ** 0.8 + 40.0 * staff  # kWh on a working day, roughly by size
        rest = rng.uniform(0.7, 0.9) if cluster in CONTINUOUS else rng.uniform(0.15, 0.4)
        phase = rng.uniform(0, 2 * math.pi)
        series: dict[date, float] = {}
        d = first
        while d < today:
            v = level * (1 + 0.1 * math.sin(2 * math.pi * d.timetuple().tm_yday / 365 + phase))
            if not is_workday(d):
                v *= rest * (0.5 if d.month in (1, 2) and (d - first).days > 0 and _long_rest(d) else 1)
            series[d] = round(v * rng.gauss(1, 0.04), 1)
            d += timedelta(days=1)
        for _ in range(2):  # a past drop or two, long explained
            past = first + timedelta(days=rng.randint(60, days - 40))
            if is_workday(past):
                series[past] = round(series[past] * rng.uniform(0.4, 0.6), 1)
        out[i] = series
    out[LAST_DAY_STOP][end] = round(out[LAST_DAY_STOP][end] * 0.03, 1)
    for i in LAST_DAY_DROPS:
        out[i][end] = round(out[i][end] * 0.55, 1)
    for d in _workdays_back(end, 3):
        out[DECLINE][d] = round(out[DECLINE][d] * 0.78, 1)
    return out


def _long_rest(d: date) -> bool:
    """A rest day inside a run of at least 5 rest days (the Spring Festival at this time of year)."""
    a = b = d
    while not is_workday(a - timedelta(days=1)):
        a -= timedelta(days=1)
    while not is_workday(b + timedelta(days=1)):
        b += timedelta(days=1)
    return (b - a).days >= 4


async def seed_power_demo(session: AsyncSession, today: date, *, now: datetime | None = None) -> int:
    """Insert the demo readings once (nothing when any demo enterprise already has readings); returns rows added."""
    ids = {e.name: e.id for e in (await session.scalars(
        select(Enterprise).where(Enterprise.name.in_([e[0] for e in ENTERPRISES])))).unique()}
    if len(ids) < len(ENTERPRISES):
        return 0
    have = await session.scalar(select(func.count()).select_from(PowerReading)
                                .where(PowerReading.enterprise_id.in_(list(ids.values()))))
    if have:
        return 0
    now = now or utcnow()
    rows = [{"enterprise_id": ids[ENTERPRISES[i][0]], "day": d, "kwh": v, "imported_at": now}
            for i, series in demo_series(today).items() for d, v in series.items()]
    for k in range(0, len(rows), 2000):
        await session.execute(insert(PowerReading), rows[k:k + 2000])
    return len(rows)

"""Power-use speed: importing 1,000 enterprises x 365 days, and one day's detection for 1,000 enterprises.

Usage: python benchmarks/bench_power.py [N_ENTERPRISES] [--pg postgresql+asyncpg://.../postgres]
Targets: import <= 10 s on SQLite; one day's detection <= 2 s on SQLite and PostgreSQL. Beside each,
the obvious alternative in the same run: a row-by-row ORM upsert (select, then add or update; timed
on a slice and scaled), and the naive "below 70% of yesterday" rule as one SQL self-join.
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import random
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storage.db import Database  # noqa: E402
from storage.models import Enterprise, OrgUnit  # noqa: E402
from storage.models.power import PowerReading  # noqa: E402
from storage.power.importer import import_readings  # noqa: E402
from storage.power.queries import judge_days  # noqa: E402
from storage.workdays import is_workday  # noqa: E402

LAST = date(2026, 11, 30)
CLUSTERS = ("高端装备", "高端化工", "新一代信息技术", "新能源", "新材料", "医药", "节能环保")


def write_csv(path: Path, n: int, days: int) -> int:
    """The long layout for n enterprises over `days` days up to LAST; returns rows written."""
    rng = random.Random(3)
    rows = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["企业名称", "日期", "用电量"])
        for i in range(n):
            level = rng.uniform(1e3, 1e5)
            for k in range(days):
                d = LAST - timedelta(days=days - 1 - k)
                v = level * (1 if is_workday(d) else 0.3) * rng.uniform(0.95, 1.05)
                if i % 50 == 0 and d == LAST:
                    v *= 0.4
                w.writerow([f"基准企业{i:04d}", d.isoformat(), f"{v:.1f}"])
                rows += 1
    return rows


async def seed(db: Database, n: int) -> None:
    async with db.session() as s:
        counties = [u.id for u in await s.scalars(select(OrgUnit).where(OrgUnit.kind == "county"))]
        s.add_all(Enterprise(name=f"基准企业{i:04d}", county_id=counties[i % len(counties)], cluster=CLUSTERS[i % 7],
                             tags=[]) for i in range(n))


async def orm_upsert(db: Database, path: Path, limit: int) -> float:
    """The obvious way: for each row, select the reading and add or update it (first `limit` rows)."""
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.reader(fh))[1:limit + 1]
    t0 = time.perf_counter()
    async with db.session() as s:
        ids = {e.name: e.id for e in (await s.scalars(select(Enterprise))).unique()}
        for name, day, kwh in rows:
            d = date.fromisoformat(day)
            r = await s.scalar(select(PowerReading).where(PowerReading.enterprise_id == ids[name], PowerReading.day == d))
            if r is None:
                s.add(PowerReading(enterprise_id=ids[name], day=d, kwh=float(kwh)))
                await s.flush()
            else:
                r.kwh = float(kwh)
    return time.perf_counter() - t0


async def naive_day(db: Database, day: date) -> tuple[int, float]:
    """Below 70% of yesterday, as one self-join."""
    y = aliased(PowerReading)
    t0 = time.perf_counter()
    async with db.session() as s:
        n = len((await s.execute(select(PowerReading.enterprise_id).join(
            y, and_(y.enterprise_id == PowerReading.enterprise_id, y.day == day - timedelta(days=1)))
            .where(PowerReading.day == day, PowerReading.kwh < 0.7 * y.kwh))).all())
    return n, time.perf_counter() - t0


async def run(url: str, label: str, path: Path, n: int, rows: int, *, orm_slice: int) -> None:
    db = Database(url)
    await db.upgrade()
    await seed(db, n)
    t0 = time.perf_counter()
    async with db.session() as s:
        r = await import_readings(s, path)
    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    async with db.session() as s:
        r2 = await import_readings(s, path)
    t_reimport = time.perf_counter() - t0
    day = LAST  # a Monday
    t0 = time.perf_counter()
    async with db.session() as s:
        [res] = await judge_days(s, day, day)
    t_detect = time.perf_counter() - t0
    flagged, t_naive = await naive_day(db, day)
    t_orm = await orm_upsert(db, path, orm_slice)
    await db.dispose()
    print(f"[{label}] import {rows:,} readings ({n} enterprises): {t_import:.1f} s (new {r.created:,}); "
          f"re-import (all updates): {t_reimport:.1f} s (updated {r2.updated:,})")
    print(f"[{label}]   row-by-row ORM upsert: {t_orm:.2f} s for {orm_slice:,} rows "
          f"-> ~{t_orm * rows / orm_slice:.0f} s for the file")
    print(f"[{label}] detection of {day} for {n} enterprises: {t_detect:.2f} s, {len(res.flags)} flagged, "
          f"{res.judged} judged; naive SQL rule: {t_naive:.2f} s, {flagged} flagged")


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=1000)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--pg", help="an admin PostgreSQL URL; a scratch database is created and dropped")
    opts = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    path = tmp / "readings.csv"
    t0 = time.perf_counter()
    rows = write_csv(path, opts.n, opts.days)
    print(f"wrote {rows:,} rows in {time.perf_counter() - t0:.1f} s ({path.stat().st_size / 1e6:.1f} MB)")
    await run(f"sqlite+aiosqlite:///{tmp}/bench.db", "SQLite", path, opts.n, rows, orm_slice=5000)
    if opts.pg:
        import asyncpg

        name = f"pandeng_bench_{uuid.uuid4().hex[:8]}"
        admin = opts.pg.replace("postgresql+asyncpg://", "postgresql://")
        conn = await asyncpg.connect(admin)
        await conn.execute(f'CREATE DATABASE "{name}"')
        try:
            await run(f"{opts.pg.rpartition('/')[0]}/{name}", "PostgreSQL", path, opts.n, rows, orm_slice=5000)
        finally:
            await conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            await conn.close()


if __name__ == "__main__":
    asyncio.run(main())

"""Scheduler cost with a city-sized ledger: one busy tick, then the idle ticks that follow it.

Usage: python benchmarks/bench_reminders.py [N_APPEALS] [DATABASE_URL]   (default 1500, a temp SQLite file)
"""
from __future__ import annotations

import asyncio
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))

from bot.scheduler import tick  # noqa: E402
from bot.settings import Settings  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.demo import seed_demo  # noqa: E402
from storage.models import Appeal, OrgUnit, Outbox  # noqa: E402
from storage.workdays import add_workdays  # noqa: E402

SH = ZoneInfo("Asia/Shanghai")


async def main(n: int, url: str | None) -> None:
    url = url or f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.db"
    db = Database(url)
    await db.upgrade()
    settings = Settings(_env_file=None)
    rnd = random.Random(7)
    async with db.session() as s:
        refs = await seed_demo(s)
        units = [u.id for u in await s.scalars(select(OrgUnit).where(OrgUnit.kind != "city_office"))]
        counties = [u.id for u in await s.scalars(select(OrgUnit).where(OrgUnit.kind == "county"))]
        cadres = [refs.user_ids[k] for k in ("张伟", "杨帆", "朱琳", "秦海", "许诺", "何平", "吕青", "施展")]
        for i in range(n):
            start = datetime(2026, 2, 2, 10, tzinfo=SH) - timedelta(days=rnd.randint(0, 40))
            days = rnd.choice((5, 15, 30))
            s.add(Appeal(enterprise_id=rnd.choice(refs.enterprise_ids), cadre_id=rnd.choice(cadres),
                         county_id=rnd.choice(counties), category="金融", urgency="A" if days == 5 else "B",
                         description=f"基准诉求{i}", status=rnd.choice(("assigned", "in_progress", "in_progress", "returned")),
                         level=rnd.choice(("county", "city")), unit_id=rnd.choice(units), consulted=False, redo_count=0,
                         assigned_at=start, deadline=add_workdays(start.date(), days), last_activity_at=start,
                         created_at=start))
    now = datetime(2026, 2, 9, 9, tzinfo=SH)
    t0 = time.perf_counter()
    queued = await tick(db, settings, now)
    busy = time.perf_counter() - t0
    idle = []
    for k in range(1, 6):
        t0 = time.perf_counter()
        again = await tick(db, settings, now + timedelta(minutes=k))
        idle.append(time.perf_counter() - t0)
        assert again == 0
    async with db.session() as s:
        rows = await s.scalar(select(func.count()).select_from(Outbox))
    print(f"appeals={n} backend={'sqlite' if db.is_sqlite else 'postgresql'}")
    print(f"busy tick (Monday 09:00): queued={queued} outbox_rows={rows} time={busy * 1000:.0f} ms")
    print(f"idle ticks (nothing new): mean={sum(idle) / len(idle) * 1000:.0f} ms max={max(idle) * 1000:.0f} ms")
    await db.dispose()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1500, sys.argv[2] if len(sys.argv) > 2 else None))

"""A hand-countable appeals dataset for the reports tests (today = 2026-03-20, a Friday)."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import select

from storage.models import Appeal, OrgUnit

TODAY = date(2026, 3, 20)
NOW = datetime(2026, 3, 20, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai


def utc(y, m, d, h=2, mi=0) -> datetime:
    """An aware UTC datetime (02:00 UTC is 10:00 in Shanghai)."""
    return datetime(y, m, d, h, mi, tzinfo=timezone.utc)


async def seed_appeals(db, refs) -> dict[str, int]:
    """Nine appeals in 任城区 (enterprise 0) and 邹城市 (enterprise 4); returns their ids by label."""
    async with db.session() as s:
        units = {u.code: u.id for u in (await s.scalars(select(OrgUnit))).all()}
        r, z = units["cty_rencheng"], units["cty_zoucheng"]
        e_r, e_z = refs.enterprise_ids[0], refs.enterprise_ids[4]
        cadre = refs.user_ids["张伟"]
        fin, land, energy = units["fg_finance"], units["fg_land"], units["fg_energy"]
        spec = {
            # label: (county, enterprise, category, created, status, unit, deadline, outcome, finished, satisfaction, redo)
            "a1": (r, e_r, "金融", utc(2026, 3, 2), "closed", fin, date(2026, 3, 10), "resolved", utc(2026, 3, 6), "满意", 0),
            "a2": (r, e_r, "金融", utc(2026, 3, 2), "closed", fin, date(2026, 3, 5), "resolved", utc(2026, 3, 9), "不满意", 1),
            # Finished 23:30 local on its deadline day: on time in Shanghai, although 15:30 UTC.
            "a3": (r, e_r, "土地", utc(2026, 3, 3), "closed", land, date(2026, 3, 13), "explained", utc(2026, 3, 13, 15, 30), "基本满意", 0),
            "a4": (r, e_r, "能源", utc(2026, 3, 4), "in_progress", energy, date(2026, 3, 18), None, None, None, 0),
            "a5": (z, e_z, "金融", utc(2026, 3, 5), "in_progress", fin, date(2026, 3, 25), None, None, None, 0),
            "a6": (z, e_z, "人才", utc(2026, 3, 5), "submitted", None, None, None, None, None, 0),
            "a7": (r, e_r, "金融", utc(2026, 2, 10), "resolved", fin, date(2026, 2, 20), "resolved", utc(2026, 2, 12), None, 0),
            "a8": (z, e_z, "土地", utc(2026, 1, 15), "in_progress", land, date(2026, 2, 27), None, None, None, 0),
        }
        ids = {}
        for label, (county, ent, cat, created, status, unit, deadline, outcome, finished, sat, redo) in spec.items():
            a = Appeal(enterprise_id=ent, cadre_id=cadre, county_id=county, category=cat, description=f"测试诉求{label}",
                       status=status, level="county", unit_id=unit, deadline=deadline, outcome=outcome, finished_at=finished,
                       satisfaction=sat, redo_count=redo, created_at=created, last_activity_at=created,
                       assigned_at=created if unit else None, urgency="B")
            s.add(a)
            await s.flush()
            ids[label] = a.id
        dup = Appeal(enterprise_id=e_r, cadre_id=cadre, county_id=r, category="金融", description="重复诉求", status="closed",
                     level="county", duplicate_of_id=ids["a1"], created_at=utc(2026, 3, 6), last_activity_at=utc(2026, 3, 6))
        s.add(dup)
        await s.flush()
        ids["a9"] = dup.id
    return ids

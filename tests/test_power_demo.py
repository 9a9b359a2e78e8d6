"""The demo readings: a list at once on the demo's first day, idempotent, the detector agrees with the plan."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import func, select

from storage.demo import ENTERPRISES
from storage.models.power import PowerReading
from storage.power.demo import DECLINE, LAST_DAY_DROPS, LAST_DAY_STOP, last_workday_before, seed_power_demo
from storage.power.queries import judge_days
from tests.chat import ChatDriver, Clock, text_of


async def test_demo_readings_show_a_list_at_once_and_seed_once(demo):
    db, _ = demo
    today = date(2026, 3, 23)  # a Monday: the last working day before it is Friday 03-20
    async with db.session() as s:
        added = await seed_power_demo(s, today)
    async with db.session() as s:
        assert await seed_power_demo(s, today) == 0
        assert await s.scalar(select(func.count()).select_from(PowerReading)) == added == 50 * 425
        [res] = await judge_days(s, last_workday_before(today), last_workday_before(today))
    assert last_workday_before(today) == date(2026, 3, 20)
    kinds = {f.enterprise: f.verdict.kind for f in res.flags}
    assert kinds[ENTERPRISES[LAST_DAY_STOP][0]] == "stop"
    assert all(kinds[ENTERPRISES[i][0]] == "drop" for i in LAST_DAY_DROPS)
    assert kinds[ENTERPRISES[DECLINE][0]] == "decline" and len(kinds) == 4
    chat = ChatDriver(db, clock=Clock(datetime(2026, 3, 23, 2, 0, tzinfo=timezone.utc)))
    admin = await chat.user("王建国")
    assert "用电异常 4 家" in text_of(await chat.send(admin.id, "/power"))

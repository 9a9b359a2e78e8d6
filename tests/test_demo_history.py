"""The demo's six months of history: every appeal state, posts, matches and deals; added once."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import func, select

from storage.demo_history import seed_history
from storage.models import Appeal, AppealStatus
from storage.models.supply import SupplyDeal, SupplyPost
from tests.chat import ChatDriver, Clock, text_of


async def test_history_has_every_state_and_real_figures(demo):
    db, _ = demo
    today = date(2026, 3, 20)
    async with db.session() as s:
        assert await seed_history(s, today) == 160
    async with db.session() as s:
        assert await seed_history(s, today) == 0
        states = set(await s.scalars(select(Appeal.status).distinct()))
        first = await s.scalar(select(func.min(Appeal.created_at)))
        last = await s.scalar(select(func.max(Appeal.created_at)))
        deals = list(await s.scalars(select(SupplyDeal)))
        posts = await s.scalar(select(func.count()).select_from(SupplyPost))
        finished = list(await s.scalars(select(Appeal).where(Appeal.finished_at.is_not(None))))
    assert states == {str(x) for x in AppealStatus}
    assert (today - first.date()).days > 150 and last.date() < today
    assert posts == 60 and any(d.signed_at for d in deals) and any(d.stage == "negotiating" for d in deals)
    assert all(a.finished_at.date() < today and a.finished_at >= a.assigned_at for a in finished)
    chat = ChatDriver(db, clock=Clock(datetime(2026, 3, 20, 2, 0, tzinfo=timezone.utc)))
    text = text_of(await chat.send((await chat.user("王建国")).id, "/stats 本年"))
    assert "受理诉求：0" not in text and "签约成交：0" not in text

"""Shared helpers for the appeals tests (no tests here): filing, forcing states, reading rows back."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import func, select

from storage.models import Appeal, AppealEvent, AppealStatus, DialogState, OrgUnit, Outbox

S = AppealStatus
MONDAY = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)  # Monday 10:00 in Shanghai
LOAN_TEXT = "企业流动资金紧张，申请贷款被银行拒绝，希望协调银行续贷500万元"


async def unit_id(db, name: str) -> int:
    """An org unit's id by its full name."""
    async with db.session() as s:
        return await s.scalar(select(OrgUnit.id).where(OrgUnit.name == name))


async def load(db, appeal_id: int) -> Appeal:
    """The appeal row as stored now."""
    async with db.session() as s:
        return await s.get(Appeal, appeal_id)


async def events(db, appeal_id: int) -> list[AppealEvent]:
    """The appeal's history, oldest first."""
    async with db.session() as s:
        return list(await s.scalars(select(AppealEvent).where(AppealEvent.appeal_id == appeal_id).order_by(AppealEvent.id)))


async def count(db, model) -> int:
    """Rows in a table."""
    async with db.session() as s:
        return await s.scalar(select(func.count()).select_from(model))


async def snapshot(db, appeal_id: int) -> tuple:
    """Everything a refused action must leave untouched (read in one transaction)."""
    async with db.session() as s:
        a = await s.get(Appeal, appeal_id)
        n_events = await s.scalar(select(func.count()).select_from(AppealEvent).where(AppealEvent.appeal_id == appeal_id))
        n_outbox = await s.scalar(select(func.count()).select_from(Outbox))
        n_dialogs = await s.scalar(select(func.count()).select_from(DialogState))
        return (a.version, a.status, a.unit_id, a.deadline, a.extension_state, a.category, n_events, n_outbox, n_dialogs)


async def force(db, appeal_id: int, **fields) -> None:
    """Put an appeal into a given state directly (test setup only)."""
    async with db.session() as s:
        a = await s.get(Appeal, appeal_id)
        for key, value in fields.items():
            setattr(a, key, value)


async def force_state(db, appeal_id: int, status: S, *, unit: int | None, county_unit: int,
                      extension: str | None = None) -> None:
    """A consistent row for each state: the unit and deadline where the loop would have set them."""
    assigned = status in (S.ASSIGNED, S.IN_PROGRESS, S.RESOLVED, S.EXPLAINED, S.CLOSED, S.DISPUTED)
    await force(
        db, appeal_id, status=status, level="city" if status in (S.CITY_REVIEW, S.CONSULTATION) else "county",
        unit_id=unit if assigned else None, deadline=date(2026, 3, 20) if assigned else None,
        assigned_at=MONDAY if assigned else None, extension_state=extension,
        extension_days=5 if extension else None, extension_reason="等待设备到货" if extension else None,
        result="已放款" if status in (S.RESOLVED, S.CLOSED) else None,
        explanation="政策不允许" if status == S.EXPLAINED else None,
        outcome={S.RESOLVED: "resolved", S.EXPLAINED: "explained"}.get(status), category="金融",
        duplicate_of_id=None, redo_count=0, satisfaction=None, consulted=False, urgency="B",
    )


async def file_quick(chat, user_id: int, text: str = LOAN_TEXT) -> int:
    """File with `/appeal <text>` and return the new appeal's id."""
    replies = await chat.send(user_id, f"/appeal {text}")
    if replies[0].buttons and replies[0].buttons[0][0].data.startswith("ai:e:"):
        replies = await chat.press(user_id, replies[0].buttons[0][0].data)  # several enterprises: take the first
    if "内容相同的诉求" in replies[0].text:  # the same text twice on purpose: the test wants a second appeal
        again = next(b.data for row in replies[0].buttons for b in row if b.text == "仍然提交")
        replies = await chat.press(user_id, again)
    head = replies[0].text
    assert "已提交诉求 #" in head, head
    return int(head.split("#", 1)[1].split("。", 1)[0])

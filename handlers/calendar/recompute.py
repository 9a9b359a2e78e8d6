"""Loading official days: save them, then move the deadlines of open appeals that the new days change.

A running deadline is its clock's start (the hand-over, or a redo) plus N working days, N including any
granted extension, because `add_workdays` composes. So the N is read under the calendar as it was and
counted again under the new one. A deadline an admin set by hand (/deadline) is a chosen date: kept.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.calendar import NewDay, save_days, sync_calendar
from storage.models import Appeal, AppealEvent, Role, User
from storage.models.appeals import CLOCK_RUNNING
from storage.outbox import queue_notification
from storage.workdays import add_workdays, workdays_between

from ..types import Button

CLOCK_STARTS = ("asg", "redo")  # events that (re)start a deadline of the urgency class
HAND_SET = "dl"  # an admin's explicit deadline


@dataclass(frozen=True)
class DeadlineChange:
    """One appeal whose deadline the new calendar moved."""

    appeal_id: int
    old: date
    new: date


async def _clock_start(session: AsyncSession, appeal: Appeal, tz: ZoneInfo) -> date | None:
    """The local day the appeal's running deadline was counted from, or None when it was set by hand."""
    events = list(await session.scalars(
        select(AppealEvent).where(AppealEvent.appeal_id == appeal.id,
                                  AppealEvent.action.in_((*CLOCK_STARTS, HAND_SET)))
        .order_by(AppealEvent.at.desc(), AppealEvent.id.desc()).limit(1)))
    if events:
        return None if events[0].action == HAND_SET else events[0].at.astimezone(tz).date()
    return appeal.assigned_at.astimezone(tz).date() if appeal.assigned_at else None


async def apply_calendar(session: AsyncSession, days: list[NewDay], source: str, now: datetime,
                         timezone: str) -> tuple[int, int, list[DeadlineChange]]:
    """Save `days`; recompute, record and announce the deadlines they move. Returns (added, changed, moves)."""
    tz = ZoneInfo(timezone)
    await sync_calendar(session, force=True)
    first = min((d.day for d in days), default=None)
    running = [] if first is None else list((await session.scalars(
        select(Appeal).where(Appeal.status.in_(list(CLOCK_RUNNING)), Appeal.deadline.is_not(None),
                             Appeal.deadline >= first).order_by(Appeal.id))).unique())
    spans = []
    for appeal in running:
        start = await _clock_start(session, appeal, tz)
        if start is not None and start < appeal.deadline:
            spans.append((appeal, start, workdays_between(start, appeal.deadline)))
    added, changed = await save_days(session, days, source, now)
    moves = []
    for appeal, start, n in spans:
        new = add_workdays(start, n)
        if new == appeal.deadline:
            continue
        moves.append(DeadlineChange(appeal.id, appeal.deadline, new))
        note = f"国家节假日安排已更新（{source}），按{n}个工作日重算：时限由 {appeal.deadline:%Y-%m-%d} 调整为 {new:%Y-%m-%d}"
        session.add(AppealEvent(appeal_id=appeal.id, actor_id=None, at=now, action="calendar",
                                from_status=appeal.status, to_status=appeal.status, note=note))
        appeal.deadline = new
        await _announce(session, appeal, note, now)
    await session.flush()
    return added, changed, moves


async def _announce(session: AsyncSession, appeal: Appeal, note: str, now: datetime) -> None:
    """The unit's handlers and the cadre hear of the moved deadline once (keyed by the new date)."""
    ids = {appeal.cadre_id}
    if appeal.unit_id is not None:
        handlers = await session.scalars(select(User.id).where(User.role == Role.HANDLER, User.unit_id == appeal.unit_id,
                                                                User.active.is_(True)))
        ids.update(handlers)
    ent = appeal.enterprise.name if appeal.enterprise else ""
    text = f"诉求 #{appeal.id}（{ent}）办理时限调整：{note}。"
    buttons = [[Button("查看诉求", data=f"ap:v:{appeal.id}")]]
    for uid in sorted(ids):
        await queue_notification(session, uid, text, buttons, key=f"calendar-deadline:{appeal.id}:{appeal.deadline}:{uid}",
                                 kind="appeal", now=now)

"""Queuing the reminders due now, and the overdue list, from the database (no state in memory)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..types import Button
from storage.figures import overdue_clause
from storage.models import Appeal, AppealEvent, AppealStatus, Role, User
from storage.models.appeals import CLOCK_RUNNING
from storage.models.reminders import ReminderLog
from storage.workdays import workdays_between

from . import ladder as L
from .queue import Note, existing_keys, queue_many
from .texts import reminder_text


@dataclass
class People:
    """Active users indexed the way reminders address them."""

    by_id: dict[int, User]
    handlers: dict[int, list[User]]  # by unit id
    reviewers: dict[int, list[User]]  # by county id
    admins: list[User]

    def reviewers_of(self, a: Appeal) -> list[User]:
        """Who reviews the appeal: the county's reviewers (county level, else the admins) or the admins."""
        if a.level != "city":
            found = self.reviewers.get(a.county_id, [])
            if found:
                return found
        return self.admins


async def load_people(session: AsyncSession) -> People:
    """Every active user, indexed by role, unit and county."""
    users = list((await session.scalars(select(User).where(User.active.is_(True)).order_by(User.id))).unique())
    handlers: dict[int, list[User]] = defaultdict(list)
    reviewers: dict[int, list[User]] = defaultdict(list)
    admins: list[User] = []
    for u in users:
        if u.role == Role.HANDLER and u.unit_id is not None:
            handlers[u.unit_id].append(u)
        elif u.role == Role.REVIEWER and u.county_id is not None:
            reviewers[u.county_id].append(u)
        elif u.role == Role.ADMIN:
            admins.append(u)
    return People({u.id: u for u in users}, dict(handlers), dict(reviewers), admins)


# Events after which the unit's time starts again (a fresh deadline of the class, not an extension).
RESTART_ACTIONS = ("asg", "redo")


async def ladder_starts(session: AsyncSession, appeal_ids: list[int]) -> dict[int, datetime]:
    """When each appeal's current working time began: its last assignment or redo event."""
    out: dict[int, datetime] = {}
    for i in range(0, len(appeal_ids), 500):
        rows = await session.execute(
            select(AppealEvent.appeal_id, func.max(AppealEvent.at))
            .where(AppealEvent.appeal_id.in_(appeal_ids[i:i + 500]), AppealEvent.action.in_(RESTART_ACTIONS))
            .group_by(AppealEvent.appeal_id))
        out.update({aid: at for aid, at in rows if at is not None})
    return out


def facts_of(a: Appeal, tz: ZoneInfo, restarted: datetime | None = None) -> L.AppealFacts:
    """The ladder's view of an appeal row, in local dates (`restarted`: its last assignment/redo event)."""
    last = max(t for t in (a.last_activity_at, a.assigned_at, a.created_at) if t is not None)
    began = max((t for t in (a.assigned_at, restarted) if t is not None), default=None)
    return L.AppealFacts(
        id=a.id, status=a.status, level=a.level or "county",
        start=began.astimezone(tz).date() if began else None,
        deadline=a.deadline, last_activity=last.astimezone(tz).date(),
        extension_pending=a.extension_state == "pending",
    )


def _recipients(item: L.DueReminder, a: Appeal, people: People) -> tuple[list[User], bool]:
    """Who gets the item, and whether it was redirected because the unit has no handlers."""
    if item.audience == L.UNIT:
        found = people.handlers.get(a.unit_id, []) if a.unit_id else []
        return (found, False) if found else (people.reviewers_of(a), True)
    if item.audience == L.REVIEWER:
        return people.reviewers_of(a), False
    if item.audience == L.ADMINS:
        return people.admins, False
    cadre = people.by_id.get(a.cadre_id)
    return ([cadre] if cadre else []), False


async def queue_due_reminders(session: AsyncSession, now: datetime, settings) -> int:
    """Queue every reminder due at `now` that is not queued yet; returns how many were queued."""
    tz = ZoneInfo(settings.timezone)
    local = now.astimezone(tz)
    if not L.in_send_window(local, settings.reminder_hour):
        return 0
    today = local.date()
    watched = [*CLOCK_RUNNING, AppealStatus.RETURNED]
    appeals = list((await session.scalars(select(Appeal).where(Appeal.status.in_(watched)).order_by(Appeal.id))).unique())
    if not appeals:
        return 0
    people = await load_people(session)
    starts = await ladder_starts(session, [a.id for a in appeals if a.status != AppealStatus.RETURNED])
    planned: list[tuple[str, L.DueReminder, Appeal, User, bool]] = []
    for a in appeals:
        for item in L.due_items(facts_of(a, tz, starts.get(a.id)), today, settings.stage_reply_after_days):
            users, fallback = _recipients(item, a, people)
            for u in users:
                planned.append((f"{item.key}:{u.id}", item, a, u, fallback))
    if not planned:
        return 0
    # One query tells which keys are already done, so a tick on a quiet day costs little.
    done = await existing_keys(session, ReminderLog.dedupe_key, [p[0] for p in planned])
    notes: list[Note] = []
    for key, item, a, u, fallback in planned:
        if key in done:
            continue
        done.add(key)  # the same person may be reached twice (e.g. a fallback reviewer): once is enough
        text = reminder_text(item, a, today, fallback=fallback, to_reviewer=item.audience == L.REVIEWER)
        buttons = [[Button(f"查看诉求 #{a.id}", data=f"ap:v:{a.id}")]]  # the appeals area's card
        notes.append(Note(u.id, text, key, "reminder", buttons, appeal_id=a.id, step=item.kind, deadline=item.deadline))
    return await queue_many(session, notes, now)


@dataclass(frozen=True)
class OverdueItem:
    """One overdue appeal, as the /overdue list shows it."""

    appeal_id: int
    enterprise: str
    category: str
    urgency: str
    level: str
    status: str
    unit_id: int | None
    unit_name: str
    county_id: int
    county_name: str
    deadline: date
    days_overdue: int  # working days past the deadline
    reminders_sent: int  # reminders queued about this appeal so far (all kinds, all recipients)
    last_reminder_at: datetime | None
    extension_state: str | None
    on_admin_list: bool  # more than ADMIN_LIST_AFTER_DAYS working days overdue


async def overdue_list(session: AsyncSession, today: date, *, min_days: int = 1, county_id: int | None = None,
                       unit_id: int | None = None) -> list[OverdueItem]:
    """Appeals whose clock runs and whose deadline has passed by at least `min_days` working days.

    `today` is the local date. Sorted by days overdue (most first), then appeal id. Use
    `min_days=ADMIN_LIST_AFTER_DAYS + 1` (or `admin_overdue_list`) for the admins' overdue list only;
    `county_id` / `unit_id` narrow the list for a reviewer or a unit.
    """
    stmt = select(Appeal).where(overdue_clause(today))  # the shared definition (storage.figures)
    if county_id is not None:
        stmt = stmt.where(Appeal.county_id == county_id)
    if unit_id is not None:
        stmt = stmt.where(Appeal.unit_id == unit_id)
    appeals = list((await session.scalars(stmt.order_by(Appeal.id))).unique())
    if not appeals:
        return []
    counts = {
        row[0]: (row[1], row[2])
        for row in await session.execute(
            select(ReminderLog.appeal_id, func.count(), func.max(ReminderLog.queued_at))
            .where(ReminderLog.appeal_id.in_([a.id for a in appeals])).group_by(ReminderLog.appeal_id))
    }
    out = []
    for a in appeals:
        days = workdays_between(a.deadline, today)
        if days < min_days:
            continue
        sent, last = counts.get(a.id, (0, None))
        out.append(OverdueItem(
            a.id, a.enterprise.name if a.enterprise else "", a.category, a.urgency, a.level, a.status,
            a.unit_id, a.unit.name if a.unit else "未指定", a.county_id, a.county.name if a.county else "",
            a.deadline, days, int(sent), last, a.extension_state, days > L.ADMIN_LIST_AFTER_DAYS,
        ))
    out.sort(key=lambda o: (-o.days_overdue, o.appeal_id))
    return out


async def admin_overdue_list(session: AsyncSession, today: date) -> list[OverdueItem]:
    """The admins' overdue list: appeals more than ADMIN_LIST_AFTER_DAYS working days overdue."""
    return await overdue_list(session, today, min_days=L.ADMIN_LIST_AFTER_DAYS + 1)

"""The weekly dispatch (一周一调度): open appeals by deadline to units, counties, cadres; a city summary to admins."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.figures import is_overdue, week_of
from storage.models import Appeal, AppealStatus, Role, User
from storage.models.appeals import CLOCK_RUNNING, OPEN_STATUSES
from storage.models.reminders import SchedulerRun
from storage.workdays import first_workday_of_week, workdays_between

from . import ladder as L
from .jobs import load_people
from .queue import Note, queue_many
from .texts import MUTE_HINT, fit, mmdd, short, status_name

_FAR = date(9999, 12, 31)


def dispatch_day(today: date) -> date | None:
    """The day of this week's dispatch: Monday, or the week's first working day (None: no working day)."""
    return first_workday_of_week(today)


def _when(a: Appeal, today: date) -> str:
    """'时限 02-09（剩2个工作日）' or '（超期3个工作日）' for appeals whose clock runs."""
    if a.deadline is None:
        return "时限未定"
    if a.status not in CLOCK_RUNNING:
        return f"时限 {mmdd(a.deadline)}"
    if a.deadline == today:
        return f"时限 {mmdd(a.deadline)}（今天到期）"
    if a.deadline > today:
        return f"时限 {mmdd(a.deadline)}（剩{workdays_between(today, a.deadline)}个工作日）"
    return f"时限 {mmdd(a.deadline)}（超期{workdays_between(a.deadline, today)}个工作日）"


def _line(i: int, a: Appeal, today: date, *, with_unit: bool = False) -> str:
    unit = f" · {a.unit.name}" if with_unit and a.unit else ""
    ent = a.enterprise.name if a.enterprise else ""
    return f"{i}. #{a.id} {short(ent, 14)} · {a.category}{unit} · {status_name(a.status)} · {_when(a, today)}"


def _by_deadline(appeals: list[Appeal]) -> list[Appeal]:
    return sorted(appeals, key=lambda a: (a.deadline or _FAR, a.id))


def unit_text(user: User, unit_name: str, appeals: list[Appeal], today: date) -> str:
    """A unit handler's digest: the unit's open appeals by deadline."""
    lines = [_line(i, a, today) for i, a in enumerate(_by_deadline(appeals), 1)]
    head = f"【一周一调度】{user.name}您好，{unit_name}本周在办诉求 {len(appeals)} 件（按完成时限排序）："
    return fit(head, lines, MUTE_HINT)


def county_text(user: User, county_name: str, appeals: list[Appeal], today: date) -> str:
    """A county reviewer's digest: the county's open appeals by deadline, pending reviews counted first."""
    pending = sum(1 for a in appeals if a.status == AppealStatus.SUBMITTED)
    lines = [_line(i, a, today, with_unit=True) for i, a in enumerate(_by_deadline(appeals), 1)]
    head = (f"【一周一调度】{user.name}您好，{county_name}未办结诉求 {len(appeals)} 件，"
            f"其中待县级审核 {pending} 件（按完成时限排序）：")
    return fit(head, lines, MUTE_HINT)


def cadre_text(user: User, appeals: list[Appeal], today: date) -> str:
    """A cadre's digest: the state of the appeals of their enterprises."""
    waiting = sum(1 for a in appeals if a.status in (AppealStatus.RESOLVED, AppealStatus.EXPLAINED))
    returned = sum(1 for a in appeals if a.status == AppealStatus.RETURNED)
    lines = [_line(i, a, today, with_unit=True) for i, a in enumerate(_by_deadline(appeals), 1)]
    head = f"【一周一调度】{user.name}您好，您联系企业的诉求 {len(appeals)} 件："
    notes = []
    if returned:
        notes.append(f"有 {returned} 件退回补充材料，请尽快补充。")
    if waiting:
        notes.append(f"有 {waiting} 件已办结待评价，请组织企业评价。")
    return fit(head, lines, "\n".join([*notes, MUTE_HINT]))


def city_text(user: User, appeals: list[Appeal], today: date, tz: ZoneInfo) -> str:
    """The admins' city summary: counts by state, overdue, the week's new and finished appeals."""
    open_ = [a for a in appeals if a.status in OPEN_STATUSES]
    by_status = Counter(a.status for a in open_)
    running = [a for a in open_ if a.status in CLOCK_RUNNING and a.deadline is not None]
    overdue = [a for a in running if is_overdue(a, today)]  # storage.figures: the definition /stats uses
    long_overdue = [a for a in overdue if workdays_between(a.deadline, today) > L.ADMIN_LIST_AFTER_DAYS]
    week_end = today + timedelta(days=6 - today.weekday())
    due_this_week = [a for a in running if today <= a.deadline <= week_end]
    week = week_of(today)
    rows = [a for a in appeals if a.duplicate_of_id is None]
    new = [a for a in rows if week.contains(a.created_at.astimezone(tz).date())]
    finished = [a for a in rows if a.finished_at and a.outcome in ("resolved", "explained")
                and week.contains(a.finished_at.astimezone(tz).date())]
    on_time = [a for a in finished if a.deadline and a.finished_at.astimezone(tz).date() <= a.deadline]
    waiting = sum(1 for a in appeals if a.status in (AppealStatus.RESOLVED, AppealStatus.EXPLAINED))
    states = "，".join(f"{status_name(s)} {by_status[s]}" for s in AppealStatus if by_status.get(s))
    head = [
        f"【一周一调度·全市汇总】{user.name}您好，{today.isoformat()}",
        f"未办结诉求 {len(open_)} 件" + (f"：{states}" if states else "") + "。",
        f"办理中已超期 {len(overdue)} 件（其中超期超过 {L.ADMIN_LIST_AFTER_DAYS} 个工作日 {len(long_overdue)} 件），本周到期 {len(due_this_week)} 件。",
        f"近 7 天（{week.label}）新增 {len(new)} 件，办结 {len(finished)} 件（按期 {len(on_time)} 件），待企业评价 {waiting} 件。",
    ]
    lines = []
    if long_overdue:
        lines.append("超期清单（超过 5 个工作日）：")
        for i, a in enumerate(sorted(long_overdue, key=lambda a: (a.deadline, a.id)), 1):
            lines.append(_line(i, a, today, with_unit=True))
    return fit("\n".join(head), lines, MUTE_HINT)


async def queue_weekly_dispatch(session: AsyncSession, now: datetime, settings) -> int:
    """Queue this week's dispatch once, on its day at the reminder hour (or the next working day after downtime)."""
    tz = ZoneInfo(settings.timezone)
    local = now.astimezone(tz)
    today = local.date()
    day = dispatch_day(today)
    if day is None or today < day or not L.in_send_window(local, settings.reminder_hour):
        return 0
    monday = today - timedelta(days=today.weekday())
    run_key = f"digest:{monday.isoformat()}"
    if await session.get(SchedulerRun, run_key) is not None:
        return 0
    # Every appeal: the city summary counts the week's new and finished ones even when already closed.
    every = list((await session.scalars(select(Appeal).order_by(Appeal.id))).unique())
    appeals = [a for a in every if a.status != AppealStatus.CLOSED]
    people = await load_people(session)
    by_unit: dict[int, list[Appeal]] = defaultdict(list)
    by_county: dict[int, list[Appeal]] = defaultdict(list)
    by_cadre: dict[int, list[Appeal]] = defaultdict(list)
    for a in appeals:
        by_cadre[a.cadre_id].append(a)  # resolved/explained ones still wait for the cadre's evaluation
        if a.status not in OPEN_STATUSES:
            continue
        by_county[a.county_id].append(a)
        if a.unit_id is not None and a.status in CLOCK_RUNNING:
            by_unit[a.unit_id].append(a)
    messages: list[tuple[User, str]] = []
    for u in people.by_id.values():
        if u.mute_weekly:
            continue
        if u.role == Role.ADMIN:
            messages.append((u, city_text(u, every, today, tz)))
        elif u.role == Role.HANDLER and by_unit.get(u.unit_id):
            messages.append((u, unit_text(u, u.unit.name if u.unit else "本单位", by_unit[u.unit_id], today)))
        elif u.role == Role.REVIEWER and by_county.get(u.county_id):
            messages.append((u, county_text(u, u.county.name if u.county else "本县", by_county[u.county_id], today)))
        elif u.role == Role.CADRE and by_cadre.get(u.id):
            messages.append((u, cadre_text(u, by_cadre[u.id], today)))
    notes = [Note(u.id, text, f"wk:{monday.isoformat()}:{u.id}", "digest") for u, text in messages]
    queued = await queue_many(session, notes, now)
    # The marker commits with the rows: a crash leaves neither, and a finished week never runs again
    # (so someone enrolled or unmuted on Wednesday does not get Monday's dispatch).
    try:
        async with session.begin_nested():
            session.add(SchedulerRun(key=run_key, started_at=now, finished_at=now, queued=queued))
    except IntegrityError:
        pass  # another worker finished the same week first
    return queued

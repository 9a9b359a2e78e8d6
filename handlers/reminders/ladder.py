"""Which reminders an appeal is due on a given local day: pure logic over its facts and the calendar.

Nothing here touches the database. The scheduler turns each `DueReminder` into one outbox row per
recipient, with the dedupe key `<DueReminder.key>:<user id>`, so re-running the computation on the
same day (another tick, a restart, a second worker) never queues a reminder twice.

The ladder of an appeal whose clock runs (assigned / in progress), with N = working days between
its assignment day and its deadline:
- "half": on working day ceil(N/2) after assignment, to the unit's handlers;
- "four_fifths": on working day ceil(4N/5), to the unit's handlers;
- "due": on the deadline (the last working day on or before it), to the handlers and the reviewer;
  a step that falls on or after the due day is dropped, and of two steps on one day the later wins.
  After downtime only the most advanced step reached is sent: it stands for the ones missed.
- "overdue": every working day after the deadline, to the handlers (keyed by the day, so a missed
  day is never sent later);
- "escalate": once, from the first overdue working day, to the county reviewer (county level) or the
  admins (city level);
- "admin": once, when more than ADMIN_LIST_AFTER_DAYS working days overdue, to the admins: the appeal
  is then on the admins' overdue list.
- "stage": after every `stage_after` working days without activity (before the due day), the unit
  is asked for a stage reply (阶段性答复).
An appeal returned to its cadre ("returned") gets a "returned" reminder to the cadre every
RETURN_REMIND_EVERY working days without activity, at most RETURN_REMIND_MAX times.
Keys carry the deadline, so a granted extension starts a fresh ladder on the new deadline.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from storage.models.appeals import CLOCK_RUNNING, AppealStatus
from storage.workdays import add_workdays, is_workday, workdays_between

HALF = "half"
FOUR_FIFTHS = "four_fifths"
DUE = "due"
OVERDUE = "overdue"
ESCALATE = "escalate"
ADMIN = "admin"
STAGE = "stage"
RETURNED = "returned"

UNIT = "unit"  # the handlers of the responsible unit
REVIEWER = "reviewer"  # county reviewers (county level) or admins (city level)
ADMINS = "admins"
CADRE = "cadre"

ADMIN_LIST_AFTER_DAYS = 5  # past this many working days overdue an appeal is on the admins' list
RETURN_REMIND_EVERY = 2  # working days a returned appeal may wait before its cadre is reminded
RETURN_REMIND_MAX = 3
SEND_UNTIL_HOUR = 20  # nothing goes out from 20:00 local until the next working morning

_KEY_PREFIX = {HALF: "half", FOUR_FIFTHS: "ff", DUE: "due", OVERDUE: "over", ESCALATE: "esc", ADMIN: "adm",
               STAGE: "stage", RETURNED: "ret"}


@dataclass(frozen=True)
class AppealFacts:
    """What the ladder needs to know about one appeal (local dates)."""

    id: int
    status: str
    level: str  # county | city
    start: date | None  # local date of assignment
    deadline: date | None
    last_activity: date  # local date of the last recorded activity
    extension_pending: bool = False


@dataclass(frozen=True)
class DueReminder:
    """One reminder due today, for one audience; `key` lacks only the recipient's id."""

    appeal_id: int
    kind: str
    audience: str
    key: str
    deadline: date | None
    days: int  # ladder steps: working days left; overdue kinds: days overdue; stage/returned: idle days


def in_send_window(local_now: datetime, reminder_hour: int) -> bool:
    """True on a working day between the reminder hour and SEND_UNTIL_HOUR (local time)."""
    until = max(SEND_UNTIL_HOUR, reminder_hour + 1)  # a late reminder hour still gets its hour
    return is_workday(local_now.date()) and reminder_hour <= local_now.hour < until


def due_day(deadline: date) -> date:
    """The day the 'due' reminder goes out: the deadline, or the last working day before it."""
    day = deadline
    for _ in range(40):
        if is_workday(day):
            return day
        day -= timedelta(days=1)
    return deadline


@lru_cache(maxsize=4096)
def ladder_steps(start: date, deadline: date) -> tuple[tuple[str, date], ...]:
    """The one-time steps (half, four_fifths, due) with their days, in order, without collisions."""
    n = workdays_between(start, deadline)
    last = due_day(deadline)
    steps: list[tuple[str, date]] = []
    if n >= 2:
        for kind, k in ((HALF, (n + 1) // 2), (FOUR_FIFTHS, (4 * n + 4) // 5)):
            day = add_workdays(start, k)
            if day >= last:
                continue
            if steps and steps[-1][1] == day:
                steps.pop()  # the later step stands for both
            steps.append((kind, day))
    steps.append((DUE, last))
    return tuple(steps)


def _key(kind: str, appeal_id: int, *parts) -> str:
    return ":".join(["rem", _KEY_PREFIX[kind], str(appeal_id), *(p.isoformat() if isinstance(p, date) else str(p) for p in parts)])


def due_items(facts: AppealFacts, today: date, stage_after: int) -> list[DueReminder]:
    """Every reminder the appeal is due on `today` (empty on a day off)."""
    if not is_workday(today):
        return []
    f = facts
    if f.status == AppealStatus.RETURNED:
        idle = workdays_between(f.last_activity, today)
        k = min(idle // RETURN_REMIND_EVERY, RETURN_REMIND_MAX)
        if k < 1:
            return []
        return [DueReminder(f.id, RETURNED, CADRE, _key(RETURNED, f.id, f.last_activity, k), None, idle)]
    if f.status not in CLOCK_RUNNING or f.deadline is None:
        return []
    start = f.start or f.last_activity
    out: list[DueReminder] = []
    if today <= f.deadline:
        left = workdays_between(today, f.deadline)
        reached = [(kind, day) for kind, day in ladder_steps(start, f.deadline) if day <= today]
        if reached:
            kind = reached[-1][0]
            key = _key(kind, f.id, f.deadline)
            out.append(DueReminder(f.id, kind, UNIT, key, f.deadline, left))
            if kind == DUE:
                out.append(DueReminder(f.id, kind, REVIEWER, key, f.deadline, left))
        if stage_after > 0 and today < due_day(f.deadline):
            since = max(f.last_activity, start)
            idle = workdays_between(since, today)
            k = idle // stage_after
            if k >= 1:
                out.append(DueReminder(f.id, STAGE, UNIT, _key(STAGE, f.id, since, k), f.deadline, idle))
        return out
    over = workdays_between(f.deadline, today)
    out.append(DueReminder(f.id, OVERDUE, UNIT, _key(OVERDUE, f.id, f.deadline, today), f.deadline, over))
    out.append(DueReminder(f.id, ESCALATE, REVIEWER, _key(ESCALATE, f.id, f.deadline), f.deadline, over))
    if over > ADMIN_LIST_AFTER_DAYS:
        out.append(DueReminder(f.id, ADMIN, ADMINS, _key(ADMIN, f.id, f.deadline), f.deadline, over))
    return out

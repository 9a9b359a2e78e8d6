"""The daily push (日监测): on working days at the reminder hour, judge the days not yet pushed and queue cards and lists.

Everything is derived from the database: a day is pushed once (scheduler_runs 'power:DAY'), every card
and list has an outbox key ('pw:ANOMALY:USER', 'pwl:DAY:USER'), so a restart or a second worker
never sends an item twice; a day whose readings arrive late is pushed at the next tick after the import.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CadreEnterprise, Role, UnitKind, User
from storage.models.power import PowerReading
from storage.models.reminders import SchedulerRun
from storage.outbox import queue_notification
from storage.power.detect import Thresholds
from storage.power.queries import DayResult, judge_days, record_flags

from ..reminders.ladder import in_send_window
from .views import Scope, card_buttons, card_text, chart_png, list_text

log = logging.getLogger(__name__)
CATCH_UP_DAYS = 7  # after downtime or a late import, days older than this are not pushed any more


async def queue_power_push(session: AsyncSession, now: datetime, settings) -> int:
    """Queue the cards and lists of every recent day with readings that was not pushed yet; returns rows queued."""
    local = now.astimezone(ZoneInfo(settings.timezone))
    if not in_send_window(local, settings.reminder_hour):
        return 0
    today = local.date()
    first = today - timedelta(days=CATCH_UP_DAYS)
    days = (await session.scalars(select(PowerReading.day).where(PowerReading.day >= first, PowerReading.day < today)
                                  .group_by(PowerReading.day).order_by(PowerReading.day))).all()
    queued = 0
    for day in days:
        key = f"power:{day.isoformat()}"
        if await session.get(SchedulerRun, key) is not None:
            continue
        [res] = await judge_days(session, day, day, Thresholds.from_settings(settings))
        n = await _queue_day(session, res, now)
        try:
            async with session.begin_nested():
                session.add(SchedulerRun(key=key, started_at=now, finished_at=now, queued=n))
        except IntegrityError:
            pass  # another worker finished the same day first; the outbox keys kept us from doubling
        queued += n
    if queued:
        log.info("power push queued %d notifications", queued)
    return queued


async def _queue_day(session: AsyncSession, res: DayResult, now: datetime) -> int:
    """Cards to the cadres of flagged enterprises; lists to task forces, county reviewers and the city office."""
    if not res.flags:
        return 0
    anomalies = await record_flags(session, res, now)
    ent_ids = [f.enterprise_id for f in res.flags]
    cadres: dict[int, list[int]] = defaultdict(list)
    for uid, eid in (await session.execute(select(CadreEnterprise.user_id, CadreEnterprise.enterprise_id)
                                           .where(CadreEnterprise.enterprise_id.in_(ent_ids)))).all():
        cadres[eid].append(uid)
    users = {u.id: u for u in (await session.scalars(select(User).where(User.active.is_(True)))).unique()}
    queued = 0
    for f in res.flags:
        a = anomalies[f.enterprise_id]
        photo = None
        for uid in cadres.get(f.enterprise_id, []):
            if uid not in users:
                continue
            photo = photo or await chart_png(session, a)
            if await queue_notification(session, uid, card_text(f.enterprise, a), card_buttons(a),
                                        key=f"pw:{a.id}:{uid}", kind="power", now=now, photo=photo):
                queued += 1
    for u in users.values():
        scope = _staff_scope(u)
        if scope is None:
            continue
        mine = [f for f in res.flags if scope.covers(f)]
        if not mine:
            continue
        quiet = sum(1 for f in res.quiet if scope.covers(f))
        if await queue_notification(session, u.id, list_text(scope, res.day, mine, quiet) + "\n发送 /power 查看。",
                                    key=f"pwl:{res.day.isoformat()}:{u.id}", kind="power", now=now):
            queued += 1
    return queued


def _staff_scope(u: User) -> Scope | None:
    """The list a staff member gets pushed: the city office all, a reviewer the county, a task force its cluster."""
    if u.role == Role.ADMIN:
        return Scope("全市", everything=True)
    if u.role == Role.REVIEWER and u.county_id:
        return Scope(u.county.name if u.county else "本县区", county_id=u.county_id)
    if u.role == Role.HANDLER and u.unit is not None and u.unit.kind == UnitKind.TASK_FORCE and u.unit.cluster:
        return Scope(u.unit.name, cluster=u.unit.cluster)
    return None

"""The durable scheduler: every tick recomputes from the database what is due and queues it in the outbox.

Nothing lives in memory: what is due is derived from the appeals, the calendar and the reminder log,
and every row has a deterministic dedupe key. A restart misses nothing (a tick after downtime catches
up on the day's items), repeats nothing, and several workers never queue one reminder twice
(PostgreSQL: a transaction-level advisory lock serialises ticks; the unique keys guard in any case).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import text

from handlers.calendar import queue_calendar_warning
from handlers.power import queue_power_push
from handlers.reminders import in_send_window, queue_due_reminders, queue_weekly_dispatch
from handlers.reminders.staffing_notice import queue_staffing_notice
from storage.calendar import sync_calendar
from storage.db import Database
from storage.health import record_tick
from storage.models import utcnow
from storage.workdays import is_workday

log = logging.getLogger(__name__)

ADVISORY_LOCK_ID = 0x70616E64  # 'pand': one scheduler tick at a time across workers
DEFAULT_INTERVAL = 60.0  # seconds between ticks


async def tick(db: Database, settings, now: datetime) -> int:
    """Queue everything due at `now` (aware); returns the number of notifications queued."""
    local = now.astimezone(ZoneInfo(settings.timezone))
    async with db.session() as session:
        await sync_calendar(session)  # the send window below depends on the official working days
        await record_tick(session, now)  # /healthz shows when the scheduler last ran
    # Outside working hours on working days nothing is ever due: skip the database entirely.
    if not in_send_window(local, settings.reminder_hour):
        return 0
    async with db.session() as session:
        if not db.is_sqlite:
            # Held until commit: a second worker waits here, then finds every key already queued.
            await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ADVISORY_LOCK_ID})
        queued = await queue_due_reminders(session, now, settings)
        queued += await queue_weekly_dispatch(session, now, settings)
        queued += await queue_staffing_notice(session, now, settings)
        queued += await queue_power_push(session, now, settings)
        queued += await queue_calendar_warning(session, now, settings)
    if queued:
        log.info("scheduler queued %d notifications at %s", queued, local.isoformat(timespec="minutes"))
    return queued


async def run_scheduler(
    db: Database,
    settings,
    *,
    clock: Callable[[], datetime] = utcnow,
    stop_event: asyncio.Event | None = None,
    interval: float = DEFAULT_INTERVAL,
) -> None:
    """Tick every `interval` seconds until `stop_event` is set; a failed tick is logged and retried."""
    stop = stop_event or asyncio.Event()
    while not stop.is_set():
        try:
            await tick(db, settings, clock())
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("scheduler tick failed; retrying at the next tick")
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval)
        except TimeoutError:
            pass


def register(subparsers) -> None:
    """`pandeng scheduler tick [--at ISO]` (one tick, e.g. to try a past or future moment) and `run`."""
    p = subparsers.add_parser("scheduler", help="提醒与一周一调度：执行一次（tick）或持续运行（run）")
    sub = p.add_subparsers(dest="scheduler_cmd", required=True)
    t = sub.add_parser("tick", help="按指定时刻执行一次，输出排入发送队列的条数")
    t.add_argument("--at", help="本地时间，如 2026-02-09T09:00（默认：现在）")
    t.set_defaults(func=_cli_tick)
    r = sub.add_parser("run", help="独立运行调度器（通常由 pandeng run 在机器人进程内启动）")
    r.add_argument("--interval", type=float, default=DEFAULT_INTERVAL)
    r.set_defaults(func=_cli_run)


def _cli_tick(args, settings) -> int:
    """One tick at --at (local time) or now."""
    now = utcnow()
    if args.at:
        try:
            local = datetime.fromisoformat(args.at)
        except ValueError:
            print("时间格式应为 2026-02-09T09:00。")
            return 2
        now = (local if local.tzinfo else local.replace(tzinfo=ZoneInfo(settings.timezone))).astimezone(timezone.utc)

    async def go() -> int:
        db = Database(settings.database_url)
        try:
            return await tick(db, settings, now)
        finally:
            await db.dispose()

    queued = asyncio.run(go())
    local = now.astimezone(ZoneInfo(settings.timezone))
    why = ""
    if not is_workday(local.date()):
        why = "（非工作日，不发送）"
    elif not in_send_window(local, settings.reminder_hour):
        why = f"（不在发送时段：工作日 {settings.reminder_hour}:00 起，夜间不发）"
    print(f"{local:%Y-%m-%d %H:%M}（{settings.timezone}）：已排入发送队列 {queued} 条提醒/调度{why}。")
    return 0


def _cli_run(args, settings) -> int:
    """Run the scheduler loop in the foreground until Ctrl-C."""
    async def go() -> None:
        db = Database(settings.database_url)
        try:
            await run_scheduler(db, settings, interval=args.interval)
        finally:
            await db.dispose()

    try:
        asyncio.run(go())
    except KeyboardInterrupt:
        pass
    return 0

"""What an operator checks: database reachable, outbox backlog and age, the scheduler's last tick."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from .db import Database
from .models import Outbox, OutboxStatus
from .models.reminders import ReminderLog, SchedulerRun

HEARTBEAT_KEY = "scheduler:heartbeat"
SCHEDULER_STALE_S = 15 * 60  # the scheduler ticks every minute; a quarter of an hour of silence is a fault


async def record_tick(session: AsyncSession, now: datetime) -> None:
    """Mark that the scheduler ticked at `now` (one row, updated; safe with several workers)."""
    done = await session.execute(update(SchedulerRun).where(SchedulerRun.key == HEARTBEAT_KEY)
                                 .values(started_at=now, finished_at=now))
    if done.rowcount:
        return
    try:
        async with session.begin_nested():
            session.add(SchedulerRun(key=HEARTBEAT_KEY, started_at=now, finished_at=now, queued=0))
    except IntegrityError:  # another worker inserted it first: its tick is as good as ours
        pass


async def db_figures(session: AsyncSession) -> dict[str, int]:
    """Counts for /metrics: outbox rows by status, rows that needed a retry, reminders queued."""
    rows = (await session.execute(select(Outbox.status, func.count()).group_by(Outbox.status))).all()
    out = {f"outbox_{status}": n for status, n in rows}
    out["outbox_retried"] = await session.scalar(select(func.count()).select_from(Outbox).where(Outbox.attempts > 1)) or 0
    out["reminders_queued"] = await session.scalar(select(func.count()).select_from(ReminderLog)) or 0
    return out


async def health_report(db: Database, now: datetime) -> dict:
    """The /healthz body; status is 'ok', or 'degraded' with the reasons listed."""
    report: dict = {"status": "ok", "problems": []}
    try:
        async with db.session() as s:
            await s.execute(text("SELECT 1"))
            pending = select(Outbox).where(Outbox.status == OutboxStatus.PENDING).subquery()
            report["outbox_pending"] = await s.scalar(select(func.count()).select_from(pending)) or 0
            oldest = await s.scalar(select(func.min(Outbox.created_at)).where(Outbox.status == OutboxStatus.PENDING))
            report["outbox_failed"] = await s.scalar(
                select(func.count()).select_from(Outbox).where(Outbox.status == OutboxStatus.FAILED)) or 0
            beat = await s.get(SchedulerRun, HEARTBEAT_KEY)
        report["database"] = "ok"
    except Exception as exc:  # the point of a health check: report, never raise
        report.update(status="down", database=f"error: {exc.__class__.__name__}")
        report["problems"].append("数据库无法访问")
        return report
    report["oldest_pending_age_s"] = round((now - oldest).total_seconds(), 1) if oldest else 0
    report["scheduler_last_tick"] = beat.started_at.isoformat() if beat else None
    report["scheduler_age_s"] = round((now - beat.started_at).total_seconds(), 1) if beat else None
    if report["oldest_pending_age_s"] > 600:
        report["problems"].append("通知积压超过10分钟")
    if report["outbox_failed"]:
        report["problems"].append(f"{report['outbox_failed']} 条通知发送失败")
    if beat is not None and report["scheduler_age_s"] > SCHEDULER_STALE_S:
        report["problems"].append("定时任务超过15分钟未运行")
    if report["problems"]:
        report["status"] = "degraded"
    return report

"""`pandeng outbox`: what the notification queue holds, what is being retried and when it gives up."""
from __future__ import annotations

import asyncio

from sqlalchemy import func, select, update

from storage.db import Database
from storage.models import Outbox, OutboxStatus, User, utcnow

NAMES = {"pending": "待发送", "sent": "已发送", "failed": "发送失败", "blocked": "用户已屏蔽",
         "undeliverable": "未绑定账号"}


async def _summary(db: Database) -> dict:
    async with db.session(read_only=True) as s:
        counts = dict((await s.execute(select(Outbox.status, func.count()).group_by(Outbox.status))).all())
        pending = Outbox.status == OutboxStatus.PENDING
        retrying = await s.scalar(select(func.count()).where(pending, Outbox.attempts > 0))
        timeouts = await s.scalar(select(func.count()).where(pending, Outbox.last_error.like("timeout%")))
        oldest = await s.scalar(select(func.min(Outbox.created_at)).where(pending))
        replies = await s.scalar(select(func.count()).where(pending, Outbox.kind == "reply"))
    return {"counts": counts, "retrying": retrying, "timeouts": timeouts, "oldest": oldest, "replies": replies}


async def _latest(db: Database, limit: int):
    async with db.session(read_only=True) as s:
        stmt = (select(Outbox, User.name).outerjoin(User, User.id == Outbox.user_id)
                .order_by(Outbox.id.desc()).limit(limit))
        return [(row, name or f"会话 {row.chat_id}") for row, name in (await s.execute(stmt)).all()][::-1]


async def _retry_failed(db: Database) -> int:
    now = utcnow()
    async with db.session() as s:
        # created_at restarts too: the give-up clock counts from the re-queuing.
        result = await s.execute(update(Outbox).where(Outbox.status == OutboxStatus.FAILED).values(
            status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now, created_at=now, claimed_until=None))
        return result.rowcount


def outbox_report(args, settings) -> int:
    """Print the outbox summary (and optionally the latest rows, or re-queue failed ones)."""
    async def run():
        db = Database(settings.database_url)
        try:
            requeued = await _retry_failed(db) if getattr(args, "retry_failed", False) else None
            summary = await _summary(db)
            rows = await _latest(db, args.list) if args.list else []
            return requeued, summary, rows
        finally:
            await db.dispose()

    requeued, summary, rows = asyncio.run(run())
    if requeued is not None:
        print(f"已将 {requeued} 条发送失败的通知重新排队。")
    counts = summary["counts"]
    for key, label in NAMES.items():
        print(f"{label}：{counts.get(key, 0)}")
    print(f"其中重试中：{summary['retrying']}（最近一次超时：{summary['timeouts']}；未送达的直接回复：{summary['replies']}）")
    if summary["oldest"] is not None:
        age = (utcnow() - summary["oldest"]).total_seconds()
        print(f"最早一条待发送已等待：{_age(age)}")
    print(f"重试上限：Bot API 故障（5xx、网络、超时）期间持续重试，恢复后立即补发；"
          f"超过 {settings.outbox_give_up_hours:g} 小时仍未送达记为“发送失败”（PANDENG_OUTBOX_GIVE_UP_HOURS），"
          f"可用 pandeng outbox --retry-failed 重新排队。用户屏蔽机器人的通知不再重试。")
    for row, name in rows:
        first_line = row.text.splitlines()[0] if row.text else ""
        error = f"（{row.last_error[:40]}）" if row.last_error and row.status != OutboxStatus.SENT else ""
        print(f"#{row.id} [{NAMES.get(row.status, row.status)}，第{row.attempts}次] → {name}：{first_line[:60]}{error}")
    return 0


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} 秒"
    if seconds < 7200:
        return f"{seconds / 60:.0f} 分钟"
    return f"{seconds / 3600:.1f} 小时"

"""The weekly chat warning to admins while a year the deadlines reach has no official schedule."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import workdays
from storage.models import Role, User
from storage.outbox import queue_notification

WARN_FROM_MONTH = 12  # the State Council publishes next year's schedule in the autumn


def missing_years(today: date) -> list[int]:
    """This year when it has no official data; from December also next year."""
    years = [today.year] if not workdays.has_official_year(today.year) else []
    if today.month >= WARN_FROM_MONTH and not workdays.has_official_year(today.year + 1):
        years.append(today.year + 1)
    return years


def warning_text(years: list[int]) -> str:
    """The admins' warning."""
    names = "、".join(f"{y}年" for y in years)
    return (f"⚠️ 日历提醒：{names}的国家法定节假日安排尚未导入，办理时限暂按周一至周五计算，"
            "元旦、春节等假期和调休上班日都未计入。\n"
            "国务院办公厅通知发布后，请在服务器上运行：pandeng calendar import 通知.txt（也可用 csv/xlsx：日期,类型,名称）。"
            "导入后，跨入该年的在办诉求时限会自动重算并通知相关人员。发送 /calendar 查看当前状态。")


async def queue_calendar_warning(session: AsyncSession, now: datetime, settings) -> int:
    """Once a week (keyed by ISO week), each active admin is told which years are missing."""
    today = now.astimezone(ZoneInfo(settings.timezone)).date()
    years = missing_years(today)
    if not years:
        return 0
    iso = today.isocalendar()
    text = warning_text(years)
    admins = (await session.scalars(select(User).where(User.role == Role.ADMIN, User.active.is_(True)))).unique()
    queued = 0
    for admin in admins:
        key = f"calendar-missing:{'-'.join(map(str, years))}:{iso.year}W{iso.week:02d}:{admin.id}"
        queued += await queue_notification(session, admin.id, text, key=key, kind="calendar", now=now)
    return queued

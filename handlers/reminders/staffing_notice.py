"""Once a day the city office hears which counties and units have nobody enrolled to act."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.appeals.rules import short_unit
from handlers.appeals.staffing import unstaffed, waits_on_missing_for_admin
from storage.models import Appeal, Role, User

from .queue import Note, queue_many


def staffing_text(counties: list, units: list, waiting: int) -> str:
    """The admins' daily note on missing people."""
    lines = ["【人员缺位提醒】以下县区或单位暂无登记人员，相关诉求已转由上一级处理："]
    if counties:
        lines.append(f"无县级审核人员（{len(counties)} 个）：" + "、".join(u.name for u in counties))
    if units:
        lines.append(f"无办理人员（{len(units)} 个）：" + "、".join(short_unit(u.name) for u in units))
    lines.append(f"目前由市指挥部办公室代为处理的诉求 {waiting} 件，发送 /todo 查看。请尽快在 /invite 中为上述县区、单位登记人员。")
    return "\n".join(lines)


async def queue_staffing_notice(session: AsyncSession, now: datetime, settings) -> int:
    """Queue today's note to every admin (keyed per day, so repeated ticks send it once)."""
    today = now.astimezone(ZoneInfo(settings.timezone)).date()
    counties, units = await unstaffed(session)
    if not counties and not units:
        return 0
    waiting = await session.scalar(select(func.count()).select_from(Appeal).where(waits_on_missing_for_admin()))
    admins = list(await session.scalars(select(User).where(User.role == Role.ADMIN, User.active.is_(True)).order_by(User.id)))
    text = staffing_text(counties, units, int(waiting or 0))
    notes = [Note(u.id, text, f"staff:{today.isoformat()}:{u.id}", "digest") for u in admins]
    return await queue_many(session, notes, now)

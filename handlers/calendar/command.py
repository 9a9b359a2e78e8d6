"""/calendar: which years have the official holiday schedule, and this year's and next year's days."""
from __future__ import annotations

from storage import workdays
from storage.models import Role

from ..context import Context
from ..registry import command
from ..types import Reply
from .describe import describe_year
from .warning import missing_years


@command("calendar", "节假日与调休日历（办理时限按此计算）")
async def calendar_command(ctx: Context) -> Reply:
    """Show this year's and next year's official days and, for admins, how to load a missing year."""
    year = ctx.today.year
    arg = ctx.args.strip()
    if arg:
        if not (arg.isascii() and arg.isdigit() and len(arg) == 4):
            return Reply("用法：/calendar 查看今明两年的节假日安排；/calendar 2027 查看某一年。")
        years = [int(arg)]
    else:
        years = [year, year + 1]
    lines = ["【节假日与调休日历】办理时限按工作日计算：先用数据库日历表，其次 chinesecalendar 软件包，都没有时暂按周一至周五。"]
    for y in years:
        lines.append("")
        lines.extend(describe_year(y))
    missing = missing_years(ctx.today)
    if missing and ctx.user is not None and ctx.user.role == Role.ADMIN:
        lines.append("")
        lines.append(f"⚠️ 待导入：{'、'.join(f'{y}年' for y in missing)}。服务器上运行 pandeng calendar import 通知.txt；"
                     "导入后在办诉求的时限自动重算。")
    elif any(not workdays.has_official_year(y) for y in years):
        lines.append("")
        lines.append(f"含“{workdays.FALLBACK_MARK}”的时限将在官方安排导入后自动重算。")
    return Reply("\n".join(lines))

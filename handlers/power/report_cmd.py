"""/report monthly [YYYY-MM] for the city office: the 月分析 workbook as a document."""
from __future__ import annotations

from datetime import date, timedelta

from storage.models import Role
from storage.power.detect import Thresholds
from storage.power.reports import monthly_workbook

from ..context import Context
from ..registry import command
from ..types import OutFile, Reply

USAGE = "用法：/report monthly（上月）或 /report monthly 2026-03"


def month_of(text: str, today: date) -> date | None:
    """'' → last month; '2026-03' → that month; None when unreadable or in the future."""
    text = text.strip()
    if not text:
        return (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    parts = text.replace("年", "-").rstrip("月").split("-")
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() for p in parts):
        return None
    y, m = int(parts[0]), int(parts[1])
    if not (2000 <= y <= 2100 and 1 <= m <= 12) or date(y, m, 1) > today:
        return None
    return date(y, m, 1)


@command("report", "月分析（/report monthly 2026-03）", roles={Role.ADMIN}, where="private")
async def report_command(ctx: Context) -> Reply:
    """The monthly power-use analysis workbook."""
    words = ctx.args.split(maxsplit=1)
    if not words or words[0].lower() != "monthly":
        return Reply(USAGE)
    month = month_of(words[1] if len(words) > 1 else "", ctx.today)
    if month is None:
        return Reply("月份格式应为 2026-03，且不能晚于本月。\n" + USAGE)
    data, count = await monthly_workbook(ctx.session, month, generated=ctx.now,
                                         th=Thresholds.from_settings(ctx.settings))
    return Reply(f"{month:%Y年%m月} 月分析：各县区、产业集群用电同比环比，持续下降企业，本月用电异常 {count} 条。",
                 document=OutFile(f"月分析-{month:%Y-%m}.xlsx", data))

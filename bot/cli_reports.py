"""Subcommands of the reports area: `pandeng report stats` and `pandeng report weekly --out FILE.xlsx`."""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path


def _parse(session_units, args, today):
    from storage.reports_filters import parse_args

    words = " ".join(x for x in (args.county, args.unit, args.category, args.period, args.by) if x)
    return parse_args(words, today, session_units)


def _run(settings, work):
    from sqlalchemy import select

    from storage.db import Database
    from storage.models import OrgUnit, utcnow
    from storage.reports_period import local_date

    async def run():
        db = Database(settings.database_url)
        try:
            async with db.session() as session:
                units = list((await session.scalars(select(OrgUnit).order_by(OrgUnit.id))).all())
                now = utcnow()
                return await work(session, units, now, local_date(now, settings.timezone))
        finally:
            await db.dispose()

    return asyncio.run(run())


def _stats(args, settings) -> int:
    """Print the same figures as /stats."""
    from handlers.stats import stats_text

    async def work(session, units, now, today):
        parsed = _parse(units, args, today)
        if parsed.errors:
            return None, f"无法识别：{'、'.join(parsed.errors)}"
        return await stats_text(session, parsed, today, settings.timezone), None

    text, err = _run(settings, work)
    if err:
        print(err, file=sys.stderr)
        return 2
    print(text)
    return 0


def _weekly(args, settings) -> int:
    """Write the ledger workbook (summary sheet + one sheet per county or unit), or CSV for a .csv name."""
    from storage.reports_ledger import export_ledger

    out = Path(args.out)
    fmt = "csv" if out.suffix.lower() == ".csv" else "xlsx"

    async def work(session, units, now, today):
        parsed = _parse(units, args, today)
        if parsed.errors:
            return None, f"无法识别：{'、'.join(parsed.errors)}"
        dimension = parsed.dimension if parsed.dimension in ("unit", "category") else "county"
        data, count = await export_ledger(session, parsed.scope(), parsed.period, today, dimension=dimension, fmt=fmt,
                                          title=f"问题诉求台账（周快报 {today:%Y-%m-%d}）", generated=now, tz=settings.timezone,
                                          weekly=True)
        if fmt == "xlsx":  # 周快报 also carries the week's power anomalies and the reasons given
            from bot.cli_power import add_week_power

            data = await add_week_power(session, data, today, settings)
        return (data, count), None

    result, err = _run(settings, work)
    if err:
        print(err, file=sys.stderr)
        return 2
    data, count = result
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"已写入 {out}：{count} 条诉求。")
    return 0


def _common(p) -> None:
    p.add_argument("--county", help="县区，如 任城区、高新区")
    p.add_argument("--unit", help="责任单位，如 金融要素保障组")
    p.add_argument("--category", help="诉求类别，如 金融")
    p.add_argument("--period", help="期间：本周 本月 本季度 本年 2026-03 2026Q1 2026-03-01至2026-03-31（默认累计）")
    p.add_argument("--by", choices=["county", "unit", "category"], help="分组：县区 / 责任单位 / 类别")


def register(sub) -> None:
    """Add `report stats` and `report weekly`."""
    rep = sub.add_parser("report", help="统计与台账（市指挥部办公室）").add_subparsers(dest="report_command", required=True)
    st = rep.add_parser("stats", help="打印统计数据（与 /stats 相同）")
    _common(st)
    st.set_defaults(func=_stats)
    wk = rep.add_parser("weekly", help="导出台账 Excel（汇总表 + 各县区/单位分表）")
    _common(wk)
    wk.add_argument("--out", required=True, help="输出文件 .xlsx（或 .csv）")
    wk.set_defaults(func=_weekly)
    from bot.cli_power import register_monthly

    register_monthly(rep)

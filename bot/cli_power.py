"""Subcommands of the power-use area: `pandeng power import FILE` and `pandeng power check`."""
from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from datetime import date

from storage.power.detect import Thresholds


def _import(args, settings) -> int:
    """Import a readings file, whole or not at all."""
    from storage.db import Database
    from storage.power.importer import PowerImportError, import_readings

    async def go():
        db = Database(settings.database_url)
        try:
            async with db.session() as session:
                return await import_readings(session, args.file)
        finally:
            await db.dispose()

    try:
        r = asyncio.run(go())
    except FileNotFoundError:
        print(f"找不到文件：{args.file}", file=sys.stderr)
        return 2
    except PowerImportError as exc:
        print(f"导入失败，未写入任何数据：\n{exc}", file=sys.stderr)
        return 1
    print(f"导入完成：{r.enterprises} 家企业，{r.first} 至 {r.last}，新增 {r.created} 条，更新 {r.updated} 条。")
    return 0


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def _check(args, settings) -> int:
    """Judge the readings dated one day or each day of a range and print the flags."""
    from storage.db import Database
    from storage.models.power import KIND_NAMES
    from storage.power.queries import judge_days

    if args.on and (args.from_ or args.to):
        print("请只用 --on，或同时用 --from 和 --to。", file=sys.stderr)
        return 2
    first, last = (_day(args.on),) * 2 if args.on else (_day(args.from_), _day(args.to))
    if first is None or last is None:
        print("日期格式应为 YYYY-MM-DD：--on 2026-03-02，或 --from 2026-03-02 --to 2026-03-06。", file=sys.stderr)
        return 2
    if last < first:
        print("--to 不能早于 --from。", file=sys.stderr)
        return 2
    if (last - first).days > 366:
        print("一次最多检查 366 天。", file=sys.stderr)
        return 2

    async def go():
        db = Database(settings.database_url)
        try:
            async with db.session() as session:
                return await judge_days(session, first, last, Thresholds.from_settings(settings))
        finally:
            await db.dispose()

    results = asyncio.run(go())
    for res in results:
        for f in res.flags:
            if args.format == "json":
                print(json.dumps(f.as_json(), ensure_ascii=False))
            else:
                v = f.verdict
                print(f"{f.day.isoformat()} {f.enterprise} {KIND_NAMES[v.kind]}：用电 {v.use:,.0f} 千瓦时，"
                      f"基线 {v.baseline:,.0f}，变化 {v.change:+.0%}")
    if args.format == "text":
        flagged = sum(len(r.flags) for r in results)
        skipped = sum((r.skipped for r in results), start=Counter())
        judged = sum(r.judged for r in results)
        print(f"共 {flagged} 条异常（判定 {judged} 个企业日）；跳过：" + _skip_text(skipped), file=sys.stderr)
    return 0


SKIP_NAMES = {"rest_day": "休息日/节假日", "gap": "缺数（表计缺失）", "history": "历史数据不足",
              "restart": "长假前后（停工、复工期）", "makeup": "调休上班日", "silenced": "已说明原因"}


def _skip_text(skipped) -> str:
    return "，".join(f"{SKIP_NAMES.get(k, k)} {n}" for k, n in sorted(skipped.items())) or "无"


def register(sub) -> None:
    """Add `power import` and `power check`."""
    p = sub.add_parser("power", help="日监测：导入用电数据、检查用电异常").add_subparsers(dest="power_command", required=True)
    imp = p.add_parser("import", help="导入电力公司日用电量（xlsx 或 csv；纵排或按日横排）")
    imp.add_argument("file")
    imp.set_defaults(func=_import)
    chk = p.add_parser("check", help="按日检查用电异常（骤降、持续下降、疑似停产）")
    chk.add_argument("--on", help="检查这一天的数据 YYYY-MM-DD")
    chk.add_argument("--from", dest="from_", help="起始日期 YYYY-MM-DD")
    chk.add_argument("--to", help="截止日期 YYYY-MM-DD")
    chk.add_argument("--format", choices=["text", "json"], default="text")
    chk.set_defaults(func=_check)


async def add_week_power(session, xlsx: bytes, today: date, settings) -> bytes:
    """The weekly workbook plus the power anomalies of the 7 days before `today` (unchanged without readings)."""
    from datetime import timedelta

    from sqlalchemy import select

    from storage.models.power import PowerReading
    from storage.power.reports import add_week_sheet, period_anomalies

    first, last = today - timedelta(days=7), today - timedelta(days=1)
    if await session.scalar(select(PowerReading.id).where(PowerReading.day >= first, PowerReading.day <= last)
                            .limit(1)) is None:
        return xlsx
    rows = await period_anomalies(session, first, last, Thresholds.from_settings(settings))
    return add_week_sheet(xlsx, rows, first, last)


def _month_arg(text: str | None, today: date) -> date | None:
    """'2026-03' or None for last month; None when unreadable."""
    from datetime import timedelta

    if not text:
        return (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    try:
        y, m = text.strip().split("-")
        return date(int(y), int(m), 1)
    except ValueError:
        return None


def _monthly(args, settings) -> int:
    """Write the monthly power workbook."""
    from pathlib import Path
    from zoneinfo import ZoneInfo

    from storage.db import Database
    from storage.models import utcnow
    from storage.power.reports import monthly_workbook

    now = utcnow()
    month = _month_arg(args.month, now.astimezone(ZoneInfo(settings.timezone)).date())
    if month is None:
        print("月份格式应为 YYYY-MM，例如 --month 2026-03。", file=sys.stderr)
        return 2
    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        print("输出文件应为 .xlsx。", file=sys.stderr)
        return 2

    async def go():
        db = Database(settings.database_url)
        try:
            async with db.session() as session:
                return await monthly_workbook(session, month, generated=now, th=Thresholds.from_settings(settings))
        finally:
            await db.dispose()

    data, count = asyncio.run(go())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"已写入 {out}：{month:%Y年%m月} 月分析，用电异常 {count} 条。")
    return 0


def register_monthly(rep) -> None:
    """`pandeng report monthly --out FILE.xlsx [--month YYYY-MM]` (added to the reports' subcommands)."""
    mo = rep.add_parser("monthly", help="月分析：各县区、产业集群用电同比环比，持续下降企业，图表（Excel）")
    mo.add_argument("--out", required=True, help="输出文件 .xlsx")
    mo.add_argument("--month", help="月份 YYYY-MM（默认上月）")
    mo.set_defaults(func=_monthly)

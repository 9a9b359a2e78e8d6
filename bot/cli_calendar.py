"""`pandeng calendar import|add|show|deadline`: the official holiday schedule the deadlines count on."""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path

TABLE_SUFFIXES = (".csv", ".xlsx", ".xlsm")


def register(subparsers) -> None:
    """Add the calendar subcommands."""
    p = subparsers.add_parser("calendar", help="国家法定节假日与调休日历（办理时限按此计算）")
    sub = p.add_subparsers(dest="calendar_cmd", required=True)
    imp = sub.add_parser("import", help="导入：csv/xlsx（表头 日期,类型,名称；类型为 放假 或 上班）或国务院通知原文 .txt")
    imp.add_argument("file")
    imp.add_argument("--year", type=int, help="通知原文的年份（默认从标题读取）")
    imp.add_argument("--dry-run", action="store_true", help="只显示读到的内容，不保存")
    imp.add_argument("--yes", "-y", action="store_true", help="不询问，直接保存")
    imp.set_defaults(func=_import)
    add = sub.add_parser("add", help="添加或修改一天：pandeng calendar add 2027-02-06 上班 春节")
    add.add_argument("day")
    add.add_argument("kind", help="放假 或 上班")
    add.add_argument("name", nargs="?", default="")
    add.set_defaults(func=_add)
    show = sub.add_parser("show", help="显示某年的放假与调休上班日及其来源")
    show.add_argument("year", type=int)
    show.set_defaults(func=_show)
    dl = sub.add_parser("deadline", help="某日之后第 N 个工作日（输出 YYYY-MM-DD）")
    dl.add_argument("day")
    dl.add_argument("n", type=int)
    dl.set_defaults(func=_deadline)


def _with_db(settings, work):
    """Run `work(session)` in one transaction on a migrated database, the calendar synced first."""
    from storage.calendar import sync_calendar
    from storage.db import Database

    async def run():
        db = Database(settings.database_url)
        try:
            await db.upgrade()
            async with db.session() as session:
                await sync_calendar(session, force=True)
                return await work(session)
        finally:
            await db.dispose()

    return asyncio.run(run())


def _read(args):
    """The parsed file (table or notice text)."""
    from storage.calendar_files import Parsed, parse_notice, parse_table
    from storage.importer import DirectoryImportError, decode_text

    path = Path(args.file)
    if not path.is_file():
        return None, f"找不到文件：{args.file}"
    try:
        if path.suffix.lower() in TABLE_SUFFIXES:
            return parse_table(path), None
        raw = path.read_bytes()
        text = decode_text(raw)
        if text is None:
            return None, "无法识别文件编码，请另存为 UTF-8 或 GBK 编码。"
        return parse_notice(text, args.year), None
    except DirectoryImportError as exc:
        return Parsed(errors=[str(exc)]), None
    except Exception as exc:  # a corrupt workbook: say so, never a traceback
        return None, f"无法读取文件（{exc.__class__.__name__}），请确认是 csv、xlsx 或通知原文 txt。"


def _summary(days) -> list[str]:
    """What was read, grouped into ranges, for the operator to check before saving."""
    from handlers.calendar import group_ranges

    ranges = group_ranges(sorted((d.day, d.workday, d.name, "") for d in days))
    return [_range_text(r) for r in ranges]


def _range_text(r) -> str:
    span = r.start.isoformat() if r.start == r.end else f"{r.start.isoformat()} 至 {r.end.isoformat()}"
    what = "上班（调休）" if r.workday else f"放假 {(r.end - r.start).days + 1} 天"
    return f"  {span}  {r.name or '—'}  {what}"


def _import(args, settings) -> int:
    """Read a file, show what it holds, and save it (everything or nothing)."""
    parsed, problem = _read(args)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    if parsed.errors:
        print("导入失败，未保存任何日期：", file=sys.stderr)
        for e in parsed.errors[:30]:
            print(f"  {e}", file=sys.stderr)
        if len(parsed.errors) > 30:
            print(f"  ……另有 {len(parsed.errors) - 30} 处", file=sys.stderr)
        return 1
    years = sorted({d.day.year for d in parsed.days})
    print(f"读到 {len(parsed.days)} 天（{'、'.join(f'{y}年' for y in years)}）：")
    print("\n".join(_summary(parsed.days)))
    for w in parsed.warnings:
        print(f"  注意：{w}")
    if args.dry_run:
        print("（--dry-run：未保存）")
        return 0
    if not args.yes and sys.stdin.isatty():
        if input("确认保存？[y/N] ").strip().lower() not in ("y", "yes", "是"):
            print("已取消，未保存。")
            return 1
    return _save(settings, parsed.days, Path(args.file).name)


def _save(settings, days, source: str) -> int:
    from handlers.calendar import apply_calendar
    from storage.models import utcnow

    async def work(session):
        return await apply_calendar(session, days, source, utcnow(), settings.timezone)

    added, changed, moves = _with_db(settings, work)
    print(f"已保存：新增 {added} 天，更新 {changed} 天（来源：{source}）。")
    if moves:
        print(f"已重算 {len(moves)} 件在办诉求的办理时限，并通知责任单位和驻企干部：")
        for m in moves:
            print(f"  诉求 #{m.appeal_id}：{m.old.isoformat()} → {m.new.isoformat()}")
    else:
        print("没有在办诉求的时限需要调整。")
    return 0


def _add(args, settings) -> int:
    """Add or change one day."""
    from storage.calendar import NewDay
    from storage.calendar_files import KIND_WORDS, parse_day

    day = parse_day(args.day)
    if day is None:
        print(f"日期“{args.day}”无法识别，应为 2027-01-01。", file=sys.stderr)
        return 2
    kind = KIND_WORDS.get(args.kind.strip().lower() if args.kind.isascii() else args.kind.strip())
    if kind is None:
        print("类型应为“放假”或“上班”。", file=sys.stderr)
        return 2
    return _save(settings, [NewDay(day, kind, args.name.strip()[:40])], "命令行")


def _show(args, settings) -> int:
    """The year's official days and where each came from."""
    from handlers.calendar import describe_year

    if not 1900 <= args.year <= 2200:
        print("年份应在 1900 至 2200 之间。", file=sys.stderr)
        return 2

    async def work(session):
        return describe_year(args.year)

    print("\n".join(_with_db(settings, work)))
    return 0


def _deadline(args, settings) -> int:
    """The N-th working day after a date, as YYYY-MM-DD on stdout (a fallback note goes to stderr)."""
    from storage import workdays
    from storage.calendar_files import parse_day

    start = parse_day(args.day)
    if start is None or not 0 <= args.n <= 2000:
        print("用法：pandeng calendar deadline 2026-12-28 10（日期为 YYYY-MM-DD，N 为 0 至 2000）", file=sys.stderr)
        return 2

    async def work(session):
        end = workdays.add_workdays(start, args.n)
        return end, workdays.fallback_years(start, end)

    end, missing = _with_db(settings, work)
    print(end.isoformat())
    if missing:
        print(f"注意：{'、'.join(map(str, missing))}年尚无官方节假日安排，{workdays.FALLBACK_MARK}。", file=sys.stderr)
    return 0



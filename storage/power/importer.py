"""Import of the grid company's daily readings: long or wide layout, xlsx or csv (UTF-8/GBK), all or nothing."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.importer import MAX_ERRORS_SHOWN, DirectoryImportError, _norm, read_rows
from storage.models import Enterprise, utcnow
from storage.models.power import PowerReading

NAME_HEADERS = ("企业名称", "企业", "用户名称", "户名", "单位名称")
ACCOUNT_HEADERS = ("户号", "用电户号", "电力户号")
DATE_HEADERS = ("日期", "用电日期", "抄表日期")
USE_HEADERS = ("用电量", "日用电量", "用电量（千瓦时）", "用电量（kWh）", "电量")
MAX_KWH = 1e9  # a day's reading above a million MWh is a typo, not a factory
CHUNK = 2000


class PowerImportError(DirectoryImportError):
    """Bad rows or a bad file; the message lists them by row number. Nothing was imported."""


@dataclass(frozen=True)
class PowerImportResult:
    """What an import did."""

    created: int
    updated: int
    enterprises: int
    first: date | None
    last: date | None


_DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]?00:00(?::00)?)?$")


def parse_day(text: str) -> date | None:
    """'2026-03-02', '2026/3/2', '2026年3月2日', '20260302', or an Excel serial day; None if not a date."""
    text = text.strip()
    m = _DATE_RE.match(text)
    try:
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
        if re.fullmatch(r"\d{8}", text):
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        if re.fullmatch(r"\d{5}(\.0)?", text):  # Excel serial days (a date cell read as a number)
            return date(1899, 12, 30) + timedelta(days=int(float(text)))
    except ValueError:
        return None
    return None


def _use(text: str) -> tuple[float | None, str | None]:
    """(kWh, None) or (None, problem)."""
    if not text:
        return None, "用电量为空"
    try:
        value = float(text.replace(",", "").replace("，", ""))
    except ValueError:
        return None, f"用电量“{text}”不是数字"
    if value != value or value < 0:
        return None, f"用电量“{text}”不能为负数"
    if value > MAX_KWH:
        return None, f"用电量“{text}”过大"
    return value, None


def _find(headers: list[str], names: tuple[str, ...]) -> int | None:
    for name in names:
        if _norm(name) in headers:
            return headers.index(_norm(name))
    return None


def _cell(row: list[str], i: int | None) -> str:
    return row[i].strip() if i is not None and i < len(row) and row[i] else ""


def _raise_if(errors: list[str]) -> None:
    if errors:
        shown = errors[:MAX_ERRORS_SHOWN]
        more = f"\n……另有 {len(errors) - len(shown)} 处错误" if len(errors) > len(shown) else ""
        raise PowerImportError("\n".join(shown) + more)


def parse_file(path: str | Path, names: dict[str, int], accounts: dict[str, int]) -> dict[tuple[int, date], float]:
    """{(enterprise id, day): kWh} from the file; raises PowerImportError listing every bad row."""
    try:
        headers, rows = read_rows(path)
    except FileNotFoundError:
        raise
    except DirectoryImportError as exc:
        raise PowerImportError(str(exc)) from exc
    except Exception as exc:  # a corrupt workbook: openpyxl/zipfile errors of every kind
        raise PowerImportError(f"无法读取文件：{type(exc).__name__}。请确认是 .xlsx 或 .csv 文件。") from exc
    name_col, acct_col = _find(headers, NAME_HEADERS), _find(headers, ACCOUNT_HEADERS)
    if name_col is None and acct_col is None:
        raise PowerImportError("缺少“企业名称”或“户号”列。第一行应为中文表头。")
    date_col, use_col = _find(headers, DATE_HEADERS), _find(headers, USE_HEADERS)
    wide = {i: parse_day(h) for i, h in enumerate(headers) if i not in (name_col, acct_col)}
    wide = {i: d for i, d in wide.items() if d is not None}
    if date_col is None or use_col is None:
        if not wide:
            raise PowerImportError("缺少“日期”和“用电量”列；按日横排的表格，第一行应为日期（如 2026-03-02）。")
    else:
        wide = {}
    errors: list[str] = []
    out: dict[tuple[int, date], float] = {}
    where: dict[tuple[int, date], int] = {}
    for n, row in rows:
        problems: list[str] = []
        ent_id = _match(row, name_col, acct_col, names, accounts, problems)
        cells = [(_cell(row, date_col), _cell(row, use_col))] if not wide else \
                [(d, _cell(row, i)) for i, d in wide.items() if _cell(row, i)]
        for raw_day, raw_use in cells:
            day = raw_day if isinstance(raw_day, date) else parse_day(raw_day)
            if day is None:
                problems.append(f"日期“{raw_day}”无法识别" if raw_day else "日期为空")
                continue
            value, problem = _use(raw_use)
            if problem:
                problems.append(f"{day.isoformat()} {problem}" if wide else problem)
                continue
            if ent_id is None:
                continue
            key = (ent_id, day)
            if key in where:
                problems.append(f"{day.isoformat()} 与第{where[key]}行重复")
                continue
            where[key] = n
            out[key] = value
        if problems:
            errors.append(f"第{n}行：{'；'.join(dict.fromkeys(problems))}")
    _raise_if(errors)
    if not out:
        raise PowerImportError("文件中没有用电数据。")
    return out


def _match(row, name_col, acct_col, names, accounts, problems) -> int | None:
    """The enterprise of a row: by 户号 first (unambiguous), else by name."""
    account, name = _cell(row, acct_col), _cell(row, name_col)
    if account:
        if account in accounts:
            return accounts[account]
        if not name:
            problems.append(f"户号“{account}”不在企业名录中")
            return None
    if name:
        if name in names:
            return names[name]
        problems.append(f"企业“{name}”不在企业名录中" + (f"（户号“{account}”也未登记）" if account else ""))
        return None
    problems.append("企业名称和户号都为空")
    return None


async def import_readings(session: AsyncSession, path: str | Path, *, now: datetime | None = None) -> PowerImportResult:
    """Insert or update the readings of a file in the caller's transaction; raises PowerImportError."""
    ents = (await session.execute(select(Enterprise.id, Enterprise.name, Enterprise.power_account))).all()
    names = {name: i for i, name, _ in ents}
    accounts = {acct: i for i, _, acct in ents if acct}
    values = parse_file(path, names, accounts)
    now = now or utcnow()
    days = [d for _, d in values]
    first, last = min(days), max(days)
    ent_ids = sorted({e for e, _ in values})
    existing = 0
    for i in range(0, len(ent_ids), 500):
        rows = await session.execute(
            select(PowerReading.enterprise_id, PowerReading.day)
            .where(PowerReading.enterprise_id.in_(ent_ids[i:i + 500]), PowerReading.day >= first,
                   PowerReading.day <= last))
        existing += sum(1 for e, d in rows if (e, d) in values)
    dialect = session.bind.dialect.name
    insert = sqlite_insert if dialect == "sqlite" else pg_insert
    stmt = insert(PowerReading)
    stmt = stmt.on_conflict_do_update(index_elements=["enterprise_id", "day"],
                                      set_={"kwh": stmt.excluded.kwh, "imported_at": stmt.excluded.imported_at})
    items = [{"enterprise_id": e, "day": d, "kwh": v, "imported_at": now} for (e, d), v in values.items()]
    for i in range(0, len(items), CHUNK):
        await session.execute(stmt, items[i:i + CHUNK])
    return PowerImportResult(len(values) - existing, existing, len(ent_ids), first, last)

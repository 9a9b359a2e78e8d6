"""The appeals ledger (台账) as an Excel workbook or a CSV file, one row per appeal."""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .cell_safety import csv_cell, set_xlsx_cell
from .models import STATUS_NAMES, Appeal, AppealEvent, AppealStatus, User
from .reports_labels import DIMENSIONS, FIGURES, UNASSIGNED
from .reports_period import TZ, Period, all_time
from .figures import WeekFigures, week_figures
from .reports_print import PRINT_SHEET, add_print_sheet, box_cells, office_layout
from .reports_stats import Breakdown, Scope, breakdown, group_key, is_overdue, on_time, overdue_workdays

OUTCOME_NAMES = {"resolved": "解决办结", "explained": "解释说明"}
LEVEL_NAMES = {"county": "县级", "city": "市级"}
EXTENSION_NAMES = {"pending": "申请中", "granted": "已批准", "refused": "未批准"}
URGENCY_NAMES = {"A": "A（紧急）", "B": "B（一般）"}

# (header, width hint); the order is the ledger's column order.
COLUMNS: tuple[tuple[str, int], ...] = (
    ("诉求编号", 10), ("企业名称", 30), ("统一社会信用代码", 20), ("所属县区", 14), ("产业集群", 14),
    ("驻企干部", 10), ("诉求类别", 10), ("紧急程度", 10), ("诉求内容", 50), ("当前状态", 18), ("办理层级", 9),
    ("责任单位", 28), ("是否会商", 9), ("提交时间", 17), ("分派时间", 17), ("完成时限", 12), ("延期申请", 10),
    ("延期天数", 9), ("延期理由", 24), ("办结方式", 10), ("办理结果", 36), ("解释说明", 36), ("办结时间", 17),
    ("是否按期办结", 12), ("满意度", 9), ("重办次数", 9), ("销号时间", 17), ("是否逾期", 9), ("逾期工作日", 10),
    ("最新进展", 36), ("最新进展时间", 17), ("重复诉求（原编号）", 14), ("企业不满意（次数及原因）", 30),
)
HEADERS = tuple(h for h, _ in COLUMNS)
SUMMARY_KEYS = ("received", "finished", "finish_rate", "on_time_rate", "satisfaction_rate", "dissatisfied", "explained_share",
                "redo_share", "median_days", "open", "overdue_now")


@dataclass
class LedgerRow:
    """One appeal with everything the ledger shows."""

    appeal: Appeal
    cadre: str
    latest_note: str
    latest_at: datetime | None
    values: list[Any]


def _local(moment: datetime | None, tz: str) -> datetime | None:
    # Excel has no time zones: write naive local (Asia/Shanghai) times, to the minute.
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(tz)).replace(tzinfo=None, second=0, microsecond=0)


def _yes(flag: bool | None) -> str:
    return "" if flag is None else ("是" if flag else "否")


async def ledger_rows(session: AsyncSession, scope: Scope, period: Period | None, today: date, tz: str = TZ) -> list[LedgerRow]:
    """The ledger rows for appeals in scope received in the period, oldest first."""
    period = period or all_time()
    lo, hi = period.utc_bounds(tz)
    stmt = select(Appeal).where(*scope.where(), Appeal.created_at >= lo, Appeal.created_at < hi).order_by(Appeal.id)
    appeals = list((await session.scalars(stmt)).unique())
    ids = [a.id for a in appeals]
    cadres = {u.id: u.name for u in (await session.scalars(select(User).where(User.id.in_({a.cadre_id for a in appeals})))).unique()} if ids else {}
    latest: dict[int, AppealEvent] = {}
    unhappy: dict[int, list[str]] = {}
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        events = await session.scalars(select(AppealEvent).where(AppealEvent.appeal_id.in_(chunk)).order_by(AppealEvent.at, AppealEvent.id))
        for ev in events:
            latest[ev.appeal_id] = ev
            if ev.action in ("redo", "dispute") and ev.note:
                unhappy.setdefault(ev.appeal_id, []).append(ev.note)
    rows = []
    for a in appeals:
        ev = latest.get(a.id)
        note = ""
        if ev is not None:
            status = STATUS_NAMES.get(AppealStatus(ev.to_status), ev.to_status) if ev.to_status in set(AppealStatus) else ""
            # Action codes are internal English words: show the state reached and the note instead.
            note = "；".join(x for x in (status, ev.note or "") if x) or ev.action
        overdue = is_overdue(a, today)
        values = [
            a.id, a.enterprise.name, a.enterprise.credit_code or "", a.county.name, a.enterprise.cluster,
            cadres.get(a.cadre_id, ""), a.category, URGENCY_NAMES.get(a.urgency, a.urgency), a.description,
            STATUS_NAMES.get(AppealStatus(a.status), a.status) if a.status in set(AppealStatus) else a.status,
            LEVEL_NAMES.get(a.level, a.level), a.unit.name if a.unit else UNASSIGNED, _yes(bool(a.consulted)),
            _local(a.created_at, tz), _local(a.assigned_at, tz), a.deadline, EXTENSION_NAMES.get(a.extension_state or "", ""),
            a.extension_days, a.extension_reason or "", OUTCOME_NAMES.get(a.outcome or "", ""), a.result or "",
            a.explanation or "", _local(a.finished_at, tz), _yes(on_time(a, tz)), a.satisfaction or "", a.redo_count or 0,
            _local(a.closed_at, tz), _yes(overdue), overdue_workdays(a, today) if overdue else None, note,
            _local(ev.at, tz) if ev else None, a.duplicate_of_id,
            (f"{a.dissatisfied_count} 次：" + "；".join(unhappy.get(a.id, []))) if a.dissatisfied_count else "",
        ]
        rows.append(LedgerRow(a, cadres.get(a.cadre_id, ""), note, ev.at if ev else None, values))
    return rows


def _sheet_title(name: str, used: set[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\ and unique (case-insensitive).
    clean = "".join("_" if c in '[]:*?/\\' else c for c in name)[:31] or "Sheet"
    title, n = clean, 2
    while title.lower() in used:
        suffix = f"({n})"
        title, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title


HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
BOLD = Font(bold=True)


def _display_width(value: Any) -> int:
    text = f"{value:%Y-%m-%d %H:%M}" if isinstance(value, datetime) else str(value if value is not None else "")
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)


def _write_table(ws, headers: Sequence[str], rows: Sequence[Sequence[Any]], *, start_row: int = 1,
                 max_widths: Sequence[int] | None = None) -> None:
    """Write a header row and rows; freeze below the header; size the columns to their content."""
    for col, h in enumerate(headers, 1):
        cell = ws.cell(row=start_row, column=col)
        set_xlsx_cell(cell, h)
        cell.font, cell.fill = BOLD, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r, values in enumerate(rows, start_row + 1):
        for col, v in enumerate(values, 1):
            cell = ws.cell(row=r, column=col)
            set_xlsx_cell(cell, v)
            if isinstance(v, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(v, date):
                cell.number_format = "yyyy-mm-dd"
            if isinstance(v, str) and len(v) > 20:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = ws.cell(row=start_row + 1, column=1).coordinate
    for col, h in enumerate(headers, 1):
        widest = max([_display_width(h)] + [_display_width(v[col - 1]) for v in rows])
        cap = max_widths[col - 1] if max_widths else 40
        ws.column_dimensions[get_column_letter(col)].width = max(6, min(widest, cap) + 2)
    box_cells(ws, start_row, start_row + len(rows), len(headers))
    office_layout(ws, header_row=start_row)


def summary_table(b: Breakdown) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows (groups, then 合计) of a summary sheet."""
    headers = [DIMENSIONS.get(b.dimension or "", "范围")] + [FIGURES[k] for k in SUMMARY_KEYS]

    def row(name: str, f) -> list[Any]:
        return [name] + [f.value(k) if not (k.endswith("_rate") or k.endswith("_share")) else
                         (None if f.value(k) is None else round(f.value(k), 4)) for k in SUMMARY_KEYS]

    rows = [row(name, f) for name, f in b.groups] + [row("合计", b.total)]
    return headers, rows


def build_workbook(rows: list[LedgerRow], b: Breakdown, *, title: str, generated: datetime, tz: str = TZ,
                   week: WeekFigures | None = None) -> bytes:
    """The ledger workbook: a 汇总 sheet, then one sheet per county or unit (b.dimension)."""
    wb = Workbook()
    ws = wb.active
    used: set[str] = set()
    ws.title = _sheet_title("汇总", used)
    set_xlsx_cell(ws["A1"], title)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"].value = f"统计期间：{b.period.label}；生成时间：{_local(generated, tz):%Y-%m-%d %H:%M}（北京时间）"
    headers, table = summary_table(b)
    _write_table(ws, headers, table, start_row=4, max_widths=[30] + [14] * len(SUMMARY_KEYS))
    for r in range(5, 5 + len(table)):
        for c, k in enumerate(SUMMARY_KEYS, 2):
            if k.endswith("_rate") or k.endswith("_share"):
                ws.cell(row=r, column=c).number_format = "0.0%"
    if week is not None:  # 周快报: the week beside the cumulative table above
        at = 5 + len(table) + 1
        ws.cell(row=at, column=1, value="本周情况").font = BOLD
        for i, line in enumerate(week.lines(), 1):
            ws.cell(row=at + i, column=1, value=line)
    dimension = b.dimension or "county"
    units = {u.id: u for a in (r.appeal for r in rows) for u in (a.county, a.unit) if u is not None}
    groups: dict[str, list[LedgerRow]] = {}
    for row in rows:
        groups.setdefault(group_key(row.appeal, dimension, units), []).append(row)
    order = [name for name, _ in b.groups]
    for key in sorted(groups, key=lambda k: (order.index(k) if k in order else len(order), k)):
        sheet = wb.create_sheet(_sheet_title(key, used))
        _write_table(sheet, HEADERS, [r.values for r in groups[key]], max_widths=[w for _, w in COLUMNS])
    if not groups:
        sheet = wb.create_sheet(_sheet_title("台账", used))
        _write_table(sheet, HEADERS, [], max_widths=[w for _, w in COLUMNS])
    add_print_sheet(wb, HEADERS, [r.values for r in rows], title=title,
                    subtitle=f"统计期间：{b.period.label}　　生成时间：{_local(generated, tz):%Y-%m-%d %H:%M}　　共 {len(rows)} 件")
    used.add(PRINT_SHEET.lower())
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def build_csv(rows: list[LedgerRow]) -> bytes:
    """The ledger as CSV, UTF-8 with a BOM so Excel opens the Chinese correctly."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([csv_cell(h) for h in HEADERS])
    for r in rows:
        writer.writerow([csv_cell("" if v is None else (f"{v:%Y-%m-%d %H:%M}" if isinstance(v, datetime) else v)) for v in r.values])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


async def export_ledger(session: AsyncSession, scope: Scope, period: Period | None, today: date, *,
                        dimension: str = "county", fmt: str = "xlsx", title: str = "问题诉求台账",
                        generated: datetime, tz: str = TZ, keep=None, weekly: bool = False) -> tuple[bytes, int]:
    """The ledger file bytes and its row count; `keep` narrows the rows (the /ledger filters)."""
    rows = await ledger_rows(session, scope, period, today, tz)
    if keep is not None:
        rows = [r for r in rows if keep(r.appeal)]
    if fmt == "csv":
        return build_csv(rows), len(rows)
    b = await breakdown(session, scope, period, today, dimension, tz)
    week = await week_figures(session, today, scope.where(), tz) if weekly else None
    return build_workbook(rows, b, title=title, generated=generated, tz=tz, week=week), len(rows)



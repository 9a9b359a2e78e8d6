"""周快报 and 月分析 of power use: the week's anomalies with reasons, and the monthly workbook."""
from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from openpyxl import Workbook, load_workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Font
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.cell_safety import set_xlsx_cell
from storage.models import Enterprise, OrgUnit
from storage.models.power import KIND_NAMES, PowerReading, PowerReason

from .charts import monthly_chart
from .detect import Thresholds
from .queries import judge_days

BOLD = Font(bold=True)


@dataclass(frozen=True)
class AnomalyRow:
    """One flagged enterprise-day with the reason recorded for it, if any."""

    day: date
    enterprise: str
    county: str
    cluster: str
    kind: str
    use: float
    baseline: float
    change: float
    reason: str  # '' when none was given
    until: date | None


async def period_anomalies(session: AsyncSession, first: date, last: date, th: Thresholds = Thresholds()) -> list[AnomalyRow]:
    """Every enterprise-day flagged in [first, last], explained or not, with the reason covering it."""
    results = await judge_days(session, first, last, th, honour_reasons=False)
    counties = {u.id: u.name for u in (await session.scalars(select(OrgUnit))).all()}
    reasons = (await session.scalars(select(PowerReason).where(PowerReason.until >= first, PowerReason.since <= last)
                                     .order_by(PowerReason.id))).all()
    out = []
    for res in results:
        for f in res.flags:
            r = next((x for x in reversed(reasons) if x.enterprise_id == f.enterprise_id and x.since <= f.day <= x.until),
                     None)
            v = f.verdict
            out.append(AnomalyRow(f.day, f.enterprise, counties.get(f.county_id, ""), f.cluster, v.kind, v.use,
                                  v.baseline, v.change, r.label if r else "", r.until if r else None))
    return out


HEADERS = ("日期", "企业名称", "县区", "产业集群", "异常类型", "用电量（千瓦时）", "基线（千瓦时）", "变化", "原因", "预计恢复")


def _anomaly_sheet(ws, rows: list[AnomalyRow]) -> None:
    ws.append(list(HEADERS))
    for c in ws[1]:
        c.font = BOLD
    for r in rows:
        ws.append([r.day, "", r.county, r.cluster, KIND_NAMES[r.kind], round(r.use), round(r.baseline),
                   round(r.change, 4), "", r.until])
        set_xlsx_cell(ws.cell(ws.max_row, 2), r.enterprise)
        set_xlsx_cell(ws.cell(ws.max_row, 9), r.reason or "未说明")
        ws.cell(ws.max_row, 8).number_format = "0%"
        ws.cell(ws.max_row, 1).number_format = ws.cell(ws.max_row, 10).number_format = "yyyy-mm-dd"
    for col, width in zip("ABCDEFGHIJ", (11, 32, 14, 14, 10, 14, 14, 8, 24, 11)):
        ws.column_dimensions[col].width = width


def add_week_sheet(xlsx: bytes, rows: list[AnomalyRow], first: date, last: date) -> bytes:
    """The weekly workbook plus a sheet of the week's power anomalies and the reasons given."""
    wb = load_workbook(io.BytesIO(xlsx))
    ws = wb.create_sheet("用电异常")
    _anomaly_sheet(ws, rows)
    ws.insert_rows(1)
    explained = sum(1 for r in rows if r.reason)
    ws["A1"] = f"日监测 {first:%Y-%m-%d} 至 {last:%Y-%m-%d}：用电异常 {len(rows)} 条，已说明原因 {explained} 条"
    ws["A1"].font = BOLD
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def month_bounds(month: date) -> tuple[date, date]:
    """First and last day of the month containing `month`."""
    first = month.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return first, nxt - timedelta(days=1)


def _shift(month_first: date, months: int) -> date:
    y, m = divmod(month_first.year * 12 + month_first.month - 1 + months, 12)
    return date(y, m + 1, 1)


async def _totals(session: AsyncSession, first: date, last: date) -> dict[int, float]:
    rows = await session.execute(select(PowerReading.enterprise_id, func.sum(PowerReading.kwh))
                                 .where(PowerReading.day >= first, PowerReading.day <= last)
                                 .group_by(PowerReading.enterprise_id))
    return {e: float(v or 0) for e, v in rows}


def _pct(a: float, b: float) -> float | None:
    return (a - b) / b if b else None


async def monthly_workbook(session: AsyncSession, month: date, *, generated: datetime,
                           th: Thresholds = Thresholds()) -> tuple[bytes, int]:
    """月分析: per county and cluster the month's use against last month and last year's month,
    the enterprises in continuous decline, the month's anomalies, and a chart; returns (bytes, anomalies)."""
    first, last = month_bounds(month)
    prev = month_bounds(_shift(first, -1))
    year_ago = month_bounds(_shift(first, -12))
    this = await _totals(session, first, last)
    before = await _totals(session, *prev)
    ago = await _totals(session, *year_ago)
    ents = {e.id: e for e in (await session.scalars(select(Enterprise))).unique()}
    counties = {u.id: u.name for u in (await session.scalars(select(OrgUnit))).all()}
    rows = await period_anomalies(session, first, last, th)
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws.append([f"月分析 {first:%Y年%m月} 用电情况（生成于 {generated:%Y-%m-%d %H:%M} UTC）"])
    ws["A1"].font = BOLD
    chart_labels: list[str] = []
    chart_vals: tuple[list, list, list] = ([], [], [])
    for title, key in (("按县区", lambda e: counties.get(e.county_id, "")), ("按产业集群", lambda e: e.cluster)):
        ws.append([])
        ws.append([title, "本月（千瓦时）", "上月（千瓦时）", "环比", "上年同月（千瓦时）", "同比", "企业数"])
        for c in ws[ws.max_row]:
            c.font = BOLD
        groups: dict[str, list[int]] = defaultdict(list)
        for eid in set(this) | set(before) | set(ago):
            if eid in ents:
                groups[key(ents[eid])].append(eid)
        for name in sorted(groups):
            ids = groups[name]
            t, b, y = (sum(src.get(i, 0.0) for i in ids) for src in (this, before, ago))
            ws.append([name, round(t), round(b), _pct(t, b), round(y), _pct(t, y), len(ids)])
            ws.cell(ws.max_row, 4).number_format = ws.cell(ws.max_row, 6).number_format = "0.0%"
            if title == "按县区":
                chart_labels.append(name)
                for vals, v in zip(chart_vals, (t, b, y)):
                    vals.append(v)
    ws.column_dimensions["A"].width = 22
    for col in "BCDEFG":
        ws.column_dimensions[col].width = 16
    _decline_sheet(wb.create_sheet("持续下降企业"), rows)
    _anomaly_sheet(wb.create_sheet("本月异常"), rows)
    png = monthly_chart(chart_labels, *chart_vals, title=f"{first:%Y年%m月} 各县区用电量")
    img = Image(io.BytesIO(png))
    wb.create_sheet("图表").add_image(img, "A1")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), len(rows)


def _decline_sheet(ws, rows: list[AnomalyRow]) -> None:
    """Enterprises with sustained-decline days in the month, most days first."""
    ws.append(["企业名称", "县区", "产业集群", "持续下降天数", "首日", "末日", "最大降幅", "原因"])
    for c in ws[1]:
        c.font = BOLD
    by_ent: dict[str, list[AnomalyRow]] = defaultdict(list)
    for r in rows:
        if r.kind == "decline":
            by_ent[r.enterprise].append(r)
    for name, items in sorted(by_ent.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        worst = min(r.change for r in items)
        ws.append(["", items[0].county, items[0].cluster, len(items), items[0].day, items[-1].day, round(worst, 4), ""])
        set_xlsx_cell(ws.cell(ws.max_row, 1), name)
        set_xlsx_cell(ws.cell(ws.max_row, 8), next((r.reason for r in reversed(items) if r.reason), "未说明"))
        ws.cell(ws.max_row, 7).number_format = "0%"
        ws.cell(ws.max_row, 5).number_format = ws.cell(ws.max_row, 6).number_format = "yyyy-mm-dd"
    for col, width in zip("ABCDEFGH", (32, 14, 14, 12, 11, 11, 10, 24)):
        ws.column_dimensions[col].width = width

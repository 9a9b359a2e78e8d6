"""周快报 and 月分析 of power use: figures against hand sums, declines, reasons, /report monthly for admins only."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone

from openpyxl import load_workbook
from sqlalchemy import select

from bot.cli_power import add_week_power
from bot.settings import Settings
from storage.demo import ENTERPRISES
from storage.models import Enterprise
from storage.models.power import PowerReason
from storage.power.importer import import_readings
from storage.power.reports import monthly_workbook
from tests.chat import ChatDriver, Clock, text_of
from tests.power_data import plant, write_long_csv

D = date
E0, E4 = ENTERPRISES[0][0], ENTERPRISES[4][0]  # 任城区 / 邹城市, both 高端装备
DECLINE_DAYS = [D(2026, 3, 23), D(2026, 3, 24), D(2026, 3, 25), D(2026, 3, 26)]


def _series():
    e0 = plant(D(2025, 2, 1), D(2026, 3, 31), {d: 8000.0 for d in DECLINE_DAYS})
    e4 = {d: v * 2 for d, v in plant(D(2025, 2, 1), D(2026, 3, 31)).items()}
    return {E0: e0, E4: e4}


async def _seed(db, tmp_path):
    series = _series()
    async with db.session() as s:
        await import_readings(s, write_long_csv(tmp_path / "p.csv", series))
    return series


def _month_sum(series, y, m) -> float:
    return sum(v for d, v in series.items() if (d.year, d.month) == (y, m))


async def test_monthly_workbook_figures_and_declines(demo, tmp_path):
    db, _ = demo
    series = await _seed(db, tmp_path)
    async with db.session() as s:
        data, count = await monthly_workbook(s, D(2026, 3, 1), generated=datetime(2026, 4, 1, tzinfo=timezone.utc))
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["汇总", "持续下降企业", "本月异常", "图表"]
    rows = {r[0]: r for r in wb["汇总"].iter_rows(values_only=True) if r and r[0]}
    t, b, y = (_month_sum(series[E0], *ym) for ym in ((2026, 3), (2026, 2), (2025, 3)))
    assert rows["任城区"][1:4] == (round(t), round(b), (t - b) / b)
    assert rows["任城区"][4] == round(y) and abs(rows["任城区"][5] - (t - y) / y) < 1e-9
    equip = rows["高端装备"]
    assert equip[1] == round(t + _month_sum(series[E4], 2026, 3)) and equip[6] == 2
    declines = list(wb["持续下降企业"].iter_rows(min_row=2, values_only=True))
    # Three days in a row below: flagged on the 3rd and 4th working day of the run.
    assert [(r[0], r[3]) for r in declines if r[0]] == [(E0, 2)]
    assert count == 2 and wb["图表"]._images


async def test_week_sheet_lists_anomalies_with_reasons(demo, tmp_path):
    db, _ = demo
    await _seed(db, tmp_path)
    async with db.session() as s:
        ent = await s.scalar(select(Enterprise).where(Enterprise.name == E0))
        s.add(PowerReason(enterprise_id=ent.id, code="orders", since=D(2026, 3, 26), until=D(2026, 4, 10)))
    from openpyxl import Workbook
    wb = Workbook()
    buf = io.BytesIO()
    wb.save(buf)
    async with db.session() as s:
        out = await add_week_power(s, buf.getvalue(), D(2026, 3, 28), Settings(_env_file=None))
    ws = load_workbook(io.BytesIO(out))["用电异常"]
    rows = list(ws.iter_rows(values_only=True))
    assert "用电异常 2 条，已说明原因 1 条" in rows[0][0]
    body = {r[0].date(): r for r in rows[2:]}
    assert body[D(2026, 3, 25)][8] == "未说明" and body[D(2026, 3, 26)][8] == "订单减少"
    assert body[D(2026, 3, 25)][4] == "持续下降"


async def test_report_monthly_in_chat_for_admins_only(demo, tmp_path):
    db, _ = demo
    await _seed(db, tmp_path)
    chat = ChatDriver(db, clock=Clock(datetime(2026, 4, 2, 2, 0, tzinfo=timezone.utc)))
    admin, cadre = await chat.user("王建国"), await chat.user("张伟")
    r = await chat.send(admin.id, "/report monthly")
    assert r[0].document is not None and r[0].document.filename == "月分析-2026-03.xlsx"
    assert "持续下降" in text_of(r)
    assert "格式" in text_of(await chat.send(admin.id, "/report monthly 2026-13"))
    assert "格式" in text_of(await chat.send(admin.id, "/report monthly 2027-01"))
    assert "用法" in text_of(await chat.send(admin.id, "/report"))
    refused = await chat.send(cadre.id, "/report monthly")
    assert all(x.document is None for x in refused)

"""The exported workbook and CSV against the database, and charts drawn with the bundled CJK font."""
from __future__ import annotations

import io
import warnings

from matplotlib import font_manager
from matplotlib.text import Text
from openpyxl import load_workbook
from sqlalchemy import select

from storage import reports_charts as charts
from storage.fonts import FONT_FILE
from storage.models import CATEGORIES, Appeal
from storage.org_data import ALL_UNITS
from storage.reports_labels import ALL_LABELS
from storage.reports_ledger import HEADERS, export_ledger
from storage.reports_period import parse_period
from storage.reports_stats import Scope
from tests.reports_data import NOW, TODAY, seed_appeals

MARCH = parse_period("2026-03", TODAY)


async def test_workbook_matches_database(demo):
    db, refs = demo
    ids = await seed_appeals(db, refs)
    async with db.session() as s:
        data, count = await export_ledger(s, Scope(), MARCH, TODAY, generated=NOW)
        march = list((await s.scalars(select(Appeal).where(Appeal.id.in_([ids[k] for k in ("a1", "a2", "a3", "a4", "a5", "a6", "a9")])))).unique())
    assert count == 7  # a1..a6 and the duplicate a9 (listed, marked, not counted in figures)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["汇总", "任城区", "邹城市", "台账（打印版）"]
    for name in ("任城区", "邹城市"):
        ws = wb[name]
        assert [c.value for c in ws[1]] == list(HEADERS)
        assert ws.freeze_panes == "A2"
        assert ws.column_dimensions["B"].width >= 20 and ws.column_dimensions["A"].width < 15
    rows = {ws.cell(r, 1).value: [c.value for c in ws[r]] for ws in (wb["任城区"], wb["邹城市"]) for r in range(2, ws.max_row + 1)}
    assert set(rows) == {a.id for a in march}
    col = {h: i for i, h in enumerate(HEADERS)}
    for a in march:
        row = rows[a.id]
        assert row[col["企业名称"]] == a.enterprise.name and row[col["所属县区"]] == a.county.name
        assert row[col["诉求类别"]] == a.category and row[col["诉求内容"]] == a.description
    a3, a4 = rows[ids["a3"]], rows[ids["a4"]]
    assert a3[col["办结方式"]] == "解释说明" and a3[col["是否按期办结"]] == "是" and a3[col["满意度"]] == "基本满意"
    assert a3[col["办结时间"]].strftime("%Y-%m-%d %H:%M") == "2026-03-13 23:30"  # local time
    assert a4[col["当前状态"]] == "办理中" and a4[col["是否逾期"]] == "是" and a4[col["逾期工作日"]] == 2
    assert rows[ids["a9"]][col["重复诉求（原编号）"]] == ids["a1"]
    ws = wb["汇总"]
    assert ws.freeze_panes == "A5"
    table = {ws.cell(r, 1).value: [c.value for c in ws[r]] for r in range(5, ws.max_row + 1)}
    head = [c.value for c in ws[4]]
    total = dict(zip(head, table["合计"]))
    assert total["受理诉求"] == 6 and total["已办结"] == 3 and total["办结率"] == 0.5
    assert total["按期办结率"] == round(2 / 3, 4) and total["当前逾期"] == 2
    assert dict(zip(head, table["任城区"]))["受理诉求"] == 4 and dict(zip(head, table["邹城市"]))["当前逾期"] == 1


async def test_workbook_by_unit_and_csv(demo):
    db, refs = demo
    await seed_appeals(db, refs)
    async with db.session() as s:
        data, _ = await export_ledger(s, Scope(), MARCH, TODAY, dimension="unit", generated=NOW)
        csv_bytes, n = await export_ledger(s, Scope(), MARCH, TODAY, fmt="csv", generated=NOW)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["汇总", "金融要素保障组", "土地要素保障组", "能源要素保障组", "未分派", "台账（打印版）"]
    assert wb["金融要素保障组"].max_row == 1 + 3
    assert csv_bytes.startswith(b"\xef\xbb\xbf")
    lines = csv_bytes.decode("utf-8-sig").splitlines()
    assert lines[0].split(",")[:3] == ["诉求编号", "企业名称", "统一社会信用代码"] and len(lines) == 1 + n == 8


def _check_fonts(fig) -> int:
    texts = [t for t in fig.findobj(Text) if t.get_text().strip()]
    for t in texts:
        assert font_manager.findfont(t.get_fontproperties(), fallback_to_default=False) == str(FONT_FILE), t.get_text()
    return len(texts)


def test_charts_use_bundled_font_without_missing_glyphs():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figs = [
            charts.category_month_chart(["2026-01", "2026-02"], {"金融": [1, 2], "生态环境": [3, 0]}),
            charts.rates_chart([("任城区", 0.5, 0.75, None), ("济宁经济技术开发区", 1.0, 0.9, 0.8)]),
            charts.funnel_chart([("供需信息", 40), ("推荐匹配", 25), ("双方有意向", 10), ("签约成交", 3)], 2500.0),
            charts.funnel_chart(None),
        ]
        pngs = [charts.to_png(f) for f in figs]
    assert not [w for w in caught if "missing from" in str(w.message) or "Glyph" in str(w.message)]
    assert all(p.startswith(b"\x89PNG\r\n\x1a\n") and len(p) > 5000 for p in pngs)
    labels = {t.get_text() for f in figs for t in f.findobj(Text)}
    assert {"各类别诉求按月分布", "任城区", "签约成交：3", "暂无数据"} <= labels
    assert sum(_check_fonts(f) for f in figs) > 10


def test_font_covers_every_label():
    text = "".join(u[1] for u in ALL_UNITS) + "".join(CATEGORIES) + "".join(ALL_LABELS)
    assert charts.missing_chars(text) == set()
    assert charts.missing_chars("𠀀") == {"𠀀"}  # the check can fail
    assert FONT_FILE.stat().st_size < 600_000 and FONT_FILE.with_name("OFL.txt").exists()

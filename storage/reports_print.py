"""The ledger as an office prints it: landscape A4, fit to width, repeated header, borders, page numbers,
and a shorter 台账（打印版） sheet with the columns offices actually print."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from .cell_safety import set_xlsx_cell

PRINT_SHEET = "台账（打印版）"
# (header, the full ledger's column it comes from, width in Excel units; a CJK character takes ~2)
PRINT_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("编号", "诉求编号", 6), ("企业名称", "企业名称", 22), ("县区", "所属县区", 10), ("类别", "诉求类别", 7),
    ("紧急程度", "紧急程度", 9), ("诉求内容", "诉求内容", 40), ("责任单位", "责任单位", 16), ("当前状态", "当前状态", 12),
    ("完成时限", "完成时限", 11), ("办理情况", "最新进展", 34), ("逾期", "是否逾期", 6), ("满意度", "满意度", 8),
)
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WRAP_TOP = Alignment(wrap_text=True, vertical="top")


def office_layout(ws, header_row: int) -> None:
    """Landscape A4, one page wide, the header row repeated on every page, page numbers in the footer."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6, header=0.2, footer=0.3)
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.size = 9


def box_cells(ws, first_row: int, last_row: int, columns: int) -> None:
    """Borders and wrapped, top-aligned text on every cell of a table (a name wraps, never gets cut)."""
    for row in ws.iter_rows(min_row=first_row, max_row=last_row, max_col=columns):
        for cell in row:
            cell.border = BORDER
            if cell.row > first_row:
                cell.alignment = WRAP_TOP


def _row_height(values: Sequence[Any], widths: Sequence[int]) -> float:
    # LibreOffice and Excel do not grow rows for wrapped text written by openpyxl: size them here.
    lines = 1
    for v, w in zip(values, widths):
        text = f"{v:%Y-%m-%d}" if isinstance(v, (date, datetime)) else str(v if v is not None else "")
        units = sum(2 if ord(c) > 0x2E80 else 1 for c in text)
        lines = max(lines, -(-units // max(1, w - 1)))
    return 15 * lines + 3


def add_print_sheet(wb, headers: Sequence[str], rows: Sequence[Sequence[Any]], *, title: str, subtitle: str) -> None:
    """The 台账（打印版） sheet, placed last: title, period and unit, then the short table."""
    ws = wb.create_sheet(PRINT_SHEET)
    index = {h: i for i, h in enumerate(headers)}
    ncols = len(PRINT_COLUMNS)
    set_xlsx_cell(ws.cell(row=1, column=1), title)
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    ws.cell(row=2, column=1, value=subtitle).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncols)
    widths = [w for _, _, w in PRINT_COLUMNS]
    for col, (head, _, width) in enumerate(PRINT_COLUMNS, 1):
        cell = ws.cell(row=3, column=col, value=head)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    for r, values in enumerate(rows, 4):
        picked = [values[index[src]] for _, src, _ in PRINT_COLUMNS]
        for col, v in enumerate(picked, 1):
            cell = ws.cell(row=r, column=col)
            set_xlsx_cell(cell, v)  # a formula-like text stays text
            if isinstance(v, date):
                cell.number_format = "yyyy-mm-dd"
        ws.row_dimensions[r].height = _row_height(picked, widths)
    box_cells(ws, 3, 3 + len(rows), ncols)
    ws.freeze_panes = "A4"
    office_layout(ws, header_row=3)

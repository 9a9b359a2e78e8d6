"""Spreadsheet-formula injection guard for every export (OWASP "CSV injection" rule).

A user-supplied text that starts with = + - @ TAB or CR would run as a formula when the file is opened
(=HYPERLINK(...) leaks data with one click). CSV cells get the OWASP prefix, a single quote; xlsx
cells are written as plain text with Excel's own quote-prefix flag, so they show exactly as typed.
"""
from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: Any) -> bool:
    """True for a text Excel or LibreOffice would read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: Any) -> Any:
    """The value to hand csv.writer: formula-like texts get a leading single quote."""
    return "'" + value if is_formula_like(value) else value


def set_xlsx_cell(cell, value: Any) -> None:
    """Assign a value to an openpyxl cell; a formula-like text stays text (no <f> element is written)."""
    cell.value = value
    if isinstance(value, str) and (is_formula_like(value) or cell.data_type == "f"):
        cell.data_type = "s"
        cell.quotePrefix = True

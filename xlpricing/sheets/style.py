"""Looks shared by every generated sheet: fonts, fills, tables, print setup."""

from __future__ import annotations

import re
from typing import Any

from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..pricebook import PriceBook

FONT_NAME = "Microsoft YaHei"  # CJK and Latin in one face on Windows; other systems substitute
TITLE = Font(name=FONT_NAME, size=16, bold=True, color="1F3864")
SUBTITLE = Font(name=FONT_NAME, size=10, color="595959")
SECTION = Font(name=FONT_NAME, size=12, bold=True, color="1F3864")
HEADER = Font(name=FONT_NAME, size=10, bold=True, color="FFFFFF")
BODY = Font(name=FONT_NAME, size=10)
LABEL = Font(name=FONT_NAME, size=10, bold=True)
NOTE = Font(name=FONT_NAME, size=9, italic=True, color="595959")
LINK = Font(name=FONT_NAME, size=10, color="0563C1", underline="single")
TOTAL = Font(name=FONT_NAME, size=12, bold=True)
ERROR = Font(name=FONT_NAME, size=10, bold=True, color="C00000")

HEADER_FILL = PatternFill("solid", fgColor="1F3864")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # the cells a user types into
TOTAL_FILL = PatternFill("solid", fgColor="DDEBF7")
BAND_FILL = PatternFill("solid", fgColor="F2F2F2")
THIN = Side(style="thin", color="A6A6A6")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
RULE = Border(bottom=THIN)
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
UNLOCKED = Protection(locked=False)

TAB_QUOTE, TAB_COMPARE, TAB_PRICES = "2F75B5", "70AD47", "7F7F7F"


def col(n: int) -> str:
    return get_column_letter(n)


MONEY_FEN = "#,##0.00"


def money_format(book: PriceBook) -> str:
    """Whole yuan when every price is whole, else to the fen."""
    prices = [e.monthly_price for e in book.editions] + [o.block_price for o in book.overage]
    prices += [p for a in book.addons for p in a.prices.values()]
    return "#,##0" if all(p == p.to_integral_value() for p in prices) else "#,##0.00"


def section(ws: Worksheet, row: int, title: str, note: str = "") -> int:
    """A section title (and a note beside it); returns the row for the table header."""
    ws.cell(row, 1, title).font = SECTION
    if note:
        ws.cell(row, 3, note).font = NOTE
    return row + 1


def header_row(ws: Worksheet, row: int, labels: list[str], first_col: int = 1) -> None:
    for i, label in enumerate(labels):
        cell = ws.cell(row, first_col + i, label)
        cell.font, cell.fill, cell.border = HEADER, HEADER_FILL, BOX
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.row_dimensions[row].height = 30


def body_row(ws: Worksheet, row: int, values: list[Any], formats: dict[int, str] | None = None,
             first_col: int = 1) -> None:
    for i, value in enumerate(values):
        cell = ws.cell(row, first_col + i, value)
        cell.font, cell.border = BODY, BOX
        if formats and (first_col + i) in formats:
            cell.number_format = formats[first_col + i]


def input_cell(cell: Any) -> None:
    """A cell the user types into: yellow, boxed, unlocked on a protected sheet."""
    cell.fill, cell.border, cell.protection, cell.font = INPUT_FILL, BOX, UNLOCKED, BODY


def fit_height(ws: Worksheet, row: int, text: str, width_chars: int, line_height: float = 14) -> None:
    """Row height for wrapped text in merged cells, which no spreadsheet sizes by itself."""
    from ..formatting import display_width

    lines = max(1, -(-int(display_width(text) * 1.1) // width_chars))
    ws.row_dimensions[row].height = line_height * lines + 4


def print_setup(ws: Worksheet, title_rows: str | None, landscape: bool = False, area: str | None = None,
                one_page: bool = False) -> None:
    """A4, one page wide; ``title_rows`` repeat on every page (None: nothing repeats)."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        ws.print_title_rows = title_rows
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    if area:
        ws.print_area = area


# Control characters an .xlsx cannot hold at all (XML 1.0): BEL, ESC, NUL, vertical tab, … Tab,
# newline and carriage return stay. CRM exports carry them invisibly; they are dropped, never fatal.
_NOT_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def literal(cell, text: str) -> None:
    """Free text stays text: never a formula (=, +, -, @) and never an error value (#N/A)."""
    # a cell's line break is LF: a CR (alone or before LF, as Windows and CRM exports write them)
    # would be read back as LF by every XML reader anyway, so it is stored as the LF it becomes
    text = _NOT_IN_XLSX.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    cell.value = text
    cell.data_type = "s"
    # set both ways: the writer reuses its cells, and one deal's prefix must not stay for the next
    cell.quotePrefix = text[:1] in ("=", "+", "-", "@", "#")  # Excel shows it as typed when edited

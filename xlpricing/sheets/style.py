"""Looks shared by every generated sheet: fonts, fills, tables, print setup."""

from __future__ import annotations

import functools
import re
import unicodedata
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


# The Normal font sets the unit of every column width. openpyxl's Calibri is missing where LibreOffice
# prints PDFs, and its stand-in there is wider: a proposal came out 1.3 times wider than in Excel and
# spilled onto a second page across. Arial has a metric twin wherever LibreOffice is (Liberation Sans)
# and, in Excel, the same 7-pixel digit as Calibri 11: column widths stay what they were.
NORMAL_FONT = Font(name="Arial", size=10, family=2)


def portable_widths(wb) -> None:
    """Give a new workbook (no cell styled yet) the Normal font its printed widths can rely on."""
    from openpyxl.utils.indexed_list import IndexedList
    wb._fonts = IndexedList([NORMAL_FONT, *list(wb._fonts)[1:]])


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


def header_row(ws: Worksheet, row: int, labels: list[str], first_col: int = 1, height: float = 30) -> None:
    for i, label in enumerate(labels):
        cell = ws.cell(row, first_col + i, label)
        cell.font, cell.fill, cell.border = HEADER, HEADER_FILL, BOX
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.row_dimensions[row].height = height


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


# east_asian_width of a character printed two digits wide: Chinese, full-width punctuation, and the
# "ambiguous" ones (· — “ ”) that a Chinese font draws full width
_WIDE = "WFA"


@functools.lru_cache(maxsize=8192)
def _char_width(ch: str) -> float:
    """In digit widths of the Normal font, at 10 points; counted high (caps and CJK as printed)."""
    if unicodedata.east_asian_width(ch) in _WIDE:
        return 2.0
    return 1.25 if "A" <= ch <= "Z" else 0.6 if ch == " " else 1.05


# what wrapping moves whole: a word with the spaces after it, one Chinese character, or spaces
_TOKENS = re.compile(r"[^\s\u2e80-\uffef]+\s*|[\u2e80-\uffef]|\s+")


def _paragraph_lines(paragraph: str, room: float) -> list[bool]:
    """Greedy wrapping as a spreadsheet does it: at spaces, or between Chinese characters; a word
    longer than a line is broken where it runs out. One entry a line: does it hold Chinese?"""
    lines, used = [False], 0.0
    for token in _TOKENS.findall(paragraph):
        width = sum(map(_char_width, token))
        ink = sum(map(_char_width, token.rstrip()))  # trailing spaces may hang past the edge
        if used and used + ink > room:
            lines.append(False)
            used = 0.0
        while ink > room:  # a word wider than the column: broken anywhere
            lines.append(False)
            ink, width = ink - room, width - room
        used += width
        lines[-1] = lines[-1] or width >= 2.0 and len(token) == 1
    return lines


def text_height(texts: list[tuple[str, float]]) -> float:
    """The height in points of a row of wrapped 10-point texts, each (text, width in characters).
    A line with Chinese in it is taller (its font's line spacing): 15 points, else 12.5."""
    return max(16, max(_height(text, width) for text, width in texts) + 4)


@functools.lru_cache(maxsize=4096)  # a batch writes the same terms and item names in every proposal
def _height(text: str, width: float) -> float:
    """Counted high: a row cut short is a line the customer cannot read, a row a little tall costs
    nothing (checked against what LibreOffice prints: tests/test_proposal_pages.py)."""
    from ..formatting import shown_text, text_lines
    room = max(2.0, width - 1.5)  # the cell's own margins
    return sum(15 if chinese else 12.5 for part in text_lines(shown_text(text))
               for chinese in _paragraph_lines(part, room))


def fit_height(ws: Worksheet, row: int, text: str, width_chars: int) -> None:
    """Row height for wrapped text in merged cells, which no spreadsheet sizes by itself."""
    ws.row_dimensions[row].height = text_height([(text, width_chars)])


MARGIN_TOP_BOTTOM = 0.5  # inches, every printed sheet


def print_setup(ws: Worksheet, title_rows: str | None, landscape: bool = False, area: str | None = None,
                one_page: bool = False, scale: int | None = None) -> None:
    """A4, one page wide; ``title_rows`` repeat on every page (None: nothing repeats). ``scale``: a
    fixed percentage instead of fitting to the page (Excel ignores manual page breaks on a sheet
    fitted to pages), with half an inch on every side."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    if scale is None:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 1 if one_page else 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_margins.left = ws.page_margins.right = 0.4
    else:
        ws.page_setup.scale = scale
        ws.page_margins.left = ws.page_margins.right = 0.5
    if title_rows:
        ws.print_title_rows = title_rows
    ws.page_margins.top = ws.page_margins.bottom = MARGIN_TOP_BOTTOM
    if area:
        ws.print_area = area


# Control characters an .xlsx cannot hold at all (XML 1.0): BEL, ESC, NUL, vertical tab, … Tab,
# newline and carriage return stay. CRM exports carry them invisibly; they are dropped, never fatal.
_NOT_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def literal(cell, text: str) -> None:
    """Free text stays text: never a formula (=, +, -, @) and never an error value (#N/A); a bidi
    control in it is shown by its code point, never obeyed (formatting.shown_text, as on the pages)."""
    from ..formatting import shown_text
    # a cell's line break is LF: a CR (alone or before LF, as Windows and CRM exports write them)
    # would be read back as LF by every XML reader anyway, so it is stored as the LF it becomes
    text = shown_text(_NOT_IN_XLSX.sub("", text)).replace("\r\n", "\n").replace("\r", "\n")
    cell.value = text
    cell.data_type = "s"
    # set both ways: the writer reuses its cells, and one deal's prefix must not stay for the next
    cell.quotePrefix = text[:1] in ("=", "+", "-", "@", "#")  # Excel shows it as typed when edited

"""The template workbook: quote sheet, compare sheet and price book, written from a PriceBook.

``build_template`` makes the .xlsx that calculates in any spreadsheet; ``build_macro_template``
puts the same sheets on top of xlwings' ``quickstart_standalone.xlsm`` (its VBA kept byte for
byte) with an active ``xlwings.conf`` sheet and worked =IMQUOTE examples.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import openpyxl
from openpyxl.workbook.workbook import Workbook

from ..files import atomic_write
from ..pricebook import PriceBook
from . import layout as L
from . import style
from .comparesheet import write_compare_sheet
from .pricesheet import write_price_sheet
from .quotesheet import write_quote_sheet


def add_template_sheets(wb: Workbook, book: PriceBook, compare: bool = True) -> None:
    """Quote, compare and price-book sheets, quote first (where a user lands)."""
    prices = wb.create_sheet(L.PRICE_SHEET)
    write_price_sheet(prices, book)  # defines the names the other sheets read
    quote = wb.create_sheet(L.QUOTE_SHEET, 0)
    write_quote_sheet(quote, book)
    if compare:
        write_compare_sheet(wb.create_sheet(L.COMPARE_SHEET, 1), book)
    wb.active = wb.sheetnames.index(L.QUOTE_SHEET)
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws.title == L.QUOTE_SHEET
    wb.calculation.fullCalcOnLoad = True  # openpyxl writes no cached values: recalculate on open


def build_template(book: PriceBook) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    add_template_sheets(wb, book)
    return wb


def _quickstart_path() -> Path:
    import xlwings  # only here: building the .xlsm needs the installed xlwings' VBA

    return Path(xlwings.__file__).with_name("quickstart_standalone.xlsm")


def build_macro_template(book: PriceBook) -> Workbook:
    """The .xlsm: xlwings' standalone VBA module kept, xlwings.conf active, functions sheet added."""
    wb = openpyxl.load_workbook(_quickstart_path(), keep_vba=True)
    for ws in list(wb.worksheets):
        if ws.title == "_xlwings.conf":
            ws.title = L.XLWINGS_CONF_SHEET  # the leading underscore keeps it inactive
            _configure_xlwings(ws)
        else:
            wb.remove(ws)  # the empty Sheet1
    add_template_sheets(wb, book)
    write_examples_sheet(wb.create_sheet(L.EXAMPLES_SHEET, 2), book)
    wb.move_sheet(L.XLWINGS_CONF_SHEET, offset=len(wb.sheetnames))
    return wb


def _configure_xlwings(ws) -> None:
    for row in ws.iter_rows(min_col=1, max_col=2):
        key, value = row
        if key.value == "UDF Modules":
            value.value = "xlpricing.udf"
            return
    raise ValueError("xlwings' quickstart workbook has no 'UDF Modules' key; check the xlwings version")


EXAMPLES = [
    # (what it shows, the formula)
    ("pro, 35,000 DAU, 202,000 groups, history_90, 12 months",
     '=IMQUOTE("pro",35000,202000,"history_90",12)'),
    ("flagship, 22,000 DAU (worked example: 2 blocks)", '=IMQUOTE("flagship",22000)'),
    ("trial above its cap: a readable message", '=IMQUOTE("trial",150)'),
    ("members_6000 on pro: refused", '=IMQUOTE("pro",0,0,"members_6000")'),
    ("list price of history_90 on flagship", '=IMPRICE("history_90","flagship")'),
    ("overage alone", '=IMOVERAGE("pro",22000,202000)'),
    ("the quote sheet's inputs, priced by Python", "=IMQUOTE(Edition,PeakDAU,PeakGroups,Addons,Months)"),
]


def write_examples_sheet(ws, book: PriceBook) -> None:
    ws["A1"] = "函数示例 Excel functions (xlwings)"
    ws["A1"].font = style.TITLE
    ws["A2"] = ("Needs Python with xlpricing and the xlwings add-in or this workbook's standalone module: "
                "see the README. Until the functions are imported, these cells show #NAME?.")
    ws["A2"].font = style.SUBTITLE
    style.header_row(ws, 4, ["示例 Example", "公式 Formula", "结果 Result (Python)", "原生公式 Native formulas"])
    for i, (what, formula) in enumerate(EXAMPLES):
        r = 5 + i
        style.body_row(ws, r, [what, formula])
        ws.cell(r, 2).data_type = "s"  # show the formula's text beside its result
        ws.cell(r, 2).quotePrefix = True
        ws.cell(r, 3, formula).number_format = style.money_format(book)
    r = 5 + len(EXAMPLES) - 1
    ws.cell(r, 4, "=QuoteTotal").number_format = style.money_format(book)
    ws.cell(r + 2, 1, "The last row prices the 报价单 Quote sheet twice: with =IMQUOTE in Python and with the "
                      "sheet's native formulas (QuoteTotal). They agree.").font = style.NOTE
    r += 4
    style.header_row(ws, r, ["IMQUOTE_LINES (spills in Excel 365)"])
    ws.cell(r + 1, 1, '=IMQUOTE_LINES("pro",35000,202000,"history_90, moderation",12)')
    for col, width in zip("ABCD", (52, 56, 22, 22)):
        ws.column_dimensions[col].width = width


def save_workbook(wb: Workbook, path: str | Path, force: bool = False,
                  finish: Callable[[Path], object] | None = None) -> Path:
    """Write atomically (see files.atomic_write), ``finish(temp)`` run on the saved temp file.

    A crash leaves no half-written workbook under the real name; an existing file is kept unless
    ``force``.
    """
    with atomic_write(path, force) as tmp:
        wb.save(tmp)
        if finish is not None:
            finish(tmp)
    return Path(path)


def write_template(path: str | Path, book: PriceBook, macro: bool = False, force: bool = False) -> Path:
    path = Path(path)
    wanted = ".xlsm" if macro else ".xlsx"
    if path.suffix.lower() != wanted:
        raise ValueError(f"{path.name}: a {'macro-enabled ' if macro else ''}template is a {wanted} file")
    wb = build_macro_template(book) if macro else build_template(book)
    return save_workbook(wb, path, force=force)

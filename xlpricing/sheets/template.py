"""The template workbook: quote sheet, compare sheet and price book, written from a PriceBook.

``build_template`` makes the .xlsx that calculates in any spreadsheet; ``build_macro_template``
puts the same sheets on top of xlwings' ``quickstart_standalone.xlsm`` (its VBA project kept but
for the sample module ``Module1``) with an active ``xlwings.conf`` sheet and worked =IMQUOTE examples.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Callable
from zipfile import ZIP_DEFLATED, ZipFile

import openpyxl
from openpyxl.workbook.workbook import Workbook

from ..book.catalog import shipped_catalog
from ..files import atomic_write, refuse_folder
from ..pricebook import PriceBook
from . import layout as L
from . import style
from .comparesheet import write_compare_sheet
from .dealsheet import DEAL_SHEET, write_deal_sheet
from .pricesheet import write_price_sheet
from .cached import add_cached_values
from .quotesheet import cached_values, default_quote, write_quote_sheet
from .udfcalls import CLASSIC, Arg, Call, Host, Placed, literal
from .vbaproject import module_source, read_compound_file, remove_standard_module, write_compound_file


def add_template_sheets(wb: Workbook, book: PriceBook, compare: bool = True, deal: bool = True) -> None:
    """Quote, compare, deal and price-book sheets, quote first (where a user lands)."""
    prices = wb.create_sheet(L.PRICE_SHEET)
    write_price_sheet(prices, book)  # defines the names the other sheets read
    quote = wb.create_sheet(L.QUOTE_SHEET, 0)
    write_quote_sheet(quote, book)
    if compare:
        write_compare_sheet(wb.create_sheet(L.COMPARE_SHEET, 1), book)
    if deal:
        write_deal_sheet(wb.create_sheet(DEAL_SHEET, wb.sheetnames.index(L.PRICE_SHEET)), book)
    open_on(wb, L.QUOTE_SHEET)
    wb.calculation.fullCalcOnLoad = True  # openpyxl writes no cached values: recalculate on open


def open_on(wb: Workbook, title: str) -> None:
    """The sheet a user lands on: active, and its tab the only one selected (else Excel opens with
    several sheets grouped, and typing into one types into all)."""
    wb.active = wb.sheetnames.index(title)
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws.title == title


def build_template(book: PriceBook) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    add_template_sheets(wb, book)
    return wb


def _quickstart_path() -> Path:
    import xlwings  # only here: building the .xlsm needs the installed xlwings' VBA

    return Path(xlwings.__file__).with_name("quickstart_standalone.xlsm")


VBA_PROJECT = "xl/vbaProject.bin"
SAMPLE_MODULE = "Module1"  # xlwings' SampleCall, which runs a module named like the workbook: not ours


def _without_sample_module(vba_archive: ZipFile) -> ZipFile:
    """A copy of the archive openpyxl keeps for the VBA, its project without xlwings' sample module;
    xlwings' own module, its Dictionary class and the document modules stay byte for byte."""
    streams = read_compound_file(vba_archive.read(VBA_PROJECT))
    source = module_source(streams, SAMPLE_MODULE)
    if "Sub SampleCall()" not in source:
        raise ValueError(f"xlwings' {SAMPLE_MODULE} is no longer the SampleCall sample; check the xlwings version")
    copy = ZipFile(BytesIO(), "a", ZIP_DEFLATED)
    for name in vba_archive.namelist():
        body = vba_archive.read(name)
        if name == VBA_PROJECT:
            body = write_compound_file(remove_standard_module(streams, SAMPLE_MODULE))
        copy.writestr(name, body)
    return copy


def build_macro_template(book: PriceBook) -> tuple[Workbook, list[Placed]]:
    """The .xlsm: xlwings' standalone VBA module kept, xlwings.conf active, functions sheet added;
    with the function calls placed on it (their values are stored once the file is saved)."""
    wb = openpyxl.load_workbook(_quickstart_path(), keep_vba=True)
    wb.vba_archive = _without_sample_module(wb.vba_archive)
    for ws in list(wb.worksheets):
        if ws.title == "_xlwings.conf":
            ws.title = L.XLWINGS_CONF_SHEET  # the leading underscore keeps it inactive
            _configure_xlwings(ws)
        else:
            wb.remove(ws)  # the empty Sheet1
    add_template_sheets(wb, book)
    # The VBA project keeps a document module Sheet1 (empty): give it the quote sheet, so the
    # project lists no sheet the workbook does not have.
    wb[L.QUOTE_SHEET].sheet_properties.codeName = "Sheet1"
    calls = write_examples_sheet(wb.create_sheet(L.EXAMPLES_SHEET, 2), book, CLASSIC)
    wb.move_sheet(L.XLWINGS_CONF_SHEET, offset=len(wb.sheetnames))
    return wb, calls


XLWINGS_CONF_NOTES = [
    "xlpricing: these settings are active (the sheet is named xlwings.conf; keys in column A from A1, values "
    "in column B).",
    "UDF Modules = xlpricing.udf is the Python module with =IMQUOTE() and its family; Import Functions on the "
    "xlwings ribbon (or the Functions sheet) wires them in. See the README.",
    "Interpreter_Win: the python.exe where xlpricing is installed, when it is not the first python on PATH.",
]


def _configure_xlwings(ws) -> None:
    for row in ws.iter_rows(min_col=1, max_col=2):
        key, value = row
        if key.value == "UDF Modules":
            value.value = "xlpricing.udf"
            break
    else:
        raise ValueError("xlwings' quickstart workbook has no 'UDF Modules' key; check the xlwings version")
    # xlwings' own instructions ("Rename this sheet…") describe the inactive sample, not this sheet
    first_note = next((c.row for c in ws["A"] if c.value == "Instructions:"), None)
    if first_note is not None:
        for row in range(first_note, ws.max_row + 1):
            ws.cell(row, 1).value = None
        for i, text in enumerate(XLWINGS_CONF_NOTES):
            ws.cell(first_note + i, 1, text)


def _examples(book: PriceBook) -> list[tuple[str, Call]]:
    """(what it shows, the call) for the single-cell examples."""
    default = default_quote(book)
    quote_inputs = Call("IMQUOTE", (
        Arg("Edition", default.edition), Arg("PeakDAU", float(default.peak_dau)),
        Arg("PeakGroups", float(default.peak_groups)), Arg("Addons", [[None]] * L.ADDON_SLOTS),
        Arg("Months", float(default.months))))
    worked = sold(book, "pro", "history_90")  # a book that sells no add-ons (overseas) prices it without
    return [
        (f"pro, 35,000 DAU, 202,000 groups, {worked or 'no add-ons'}, 12 months",
         Call("IMQUOTE", (literal("pro"), literal(35000), literal(202000), literal(worked), literal(12)))),
        ("flagship, 22,000 DAU (worked example: 2 blocks)", Call("IMQUOTE", (literal("flagship"), literal(22000)))),
        ("trial above its cap: a readable message", Call("IMQUOTE", (literal("trial"), literal(150)))),
        ("members_6000 on pro: refused",
         Call("IMQUOTE", (literal("pro"), literal(0), literal(0), literal("members_6000")))),
        ("list price of history_90 on flagship", Call("IMPRICE", (literal("history_90"), literal("flagship")))),
        ("overage alone", Call("IMOVERAGE", (literal("pro"), literal(22000), literal(202000)))),
        ("the quote sheet's inputs, priced by Python", quote_inputs),
    ]


SCENARIOS = [
    # a column of scenarios priced by one =IMQUOTE call: the free-quota boundary and two worked deals
    ("pro", 9_999, 0, "", 1), ("pro", 10_000, 0, "", 1), ("pro", 10_001, 0, "", 1),
    ("flagship", 22_000, 0, "", 1), ("pro", 35_000, 202_000, "history_90", 12),
]
ADVISOR_EXAMPLE = (50_000, 200_000, "members=3000, history=90, moderation")
LINES_EXAMPLE = ("pro", 35000, 202000, "history_90, moderation", 12)


def sold(book: PriceBook, edition: str, codes: str) -> str:
    """The add-ons of ``codes`` (comma separated) that ``book`` sells to ``edition``: the examples
    show add-ons where the book has them, and work where it has none (the overseas book)."""
    from ..engine import addon_refusal
    ed = book.find_edition(edition)
    kept = []
    for code in (c.strip() for c in codes.split(",") if c.strip()):
        addon = book.find_addon(code)
        if ed is not None and addon is not None and addon_refusal(book, addon, ed) is None:
            kept.append(code)
    return ", ".join(kept)


def scenarios_for(book: PriceBook) -> list[tuple]:
    return [(e, dau, groups, sold(book, e, addons), months) for e, dau, groups, addons, months in SCENARIOS]
NOT_STARTED = ("#NAME? or #BUSY! in column C: the xlwings Lite add-in has not started in this workbook yet. "
               "Open it (Home › Add-ins › xlwings Lite) and trust the workbook; see the README.")


def write_examples_sheet(ws, book: PriceBook, host: Host = CLASSIC, lite_version: str | None = None) -> list[Placed]:
    """The Functions sheet: one layout for classic xlwings (.xlsm) and xlwings Lite, each call stored
    as ``host`` stores it; ``lite_version`` is the xlpricing version embedded in a Lite workbook.
    Returns the calls placed, for ``host.store`` once the workbook is saved. The stored results are
    computed with ``book`` as the default: the book this workbook's functions default to."""
    from ..engine import build_quote

    catalog = shipped_catalog().with_default(book)
    money = style.money_format(book)
    placed: list[Placed] = []
    if lite_version is None:
        ws["A1"] = "函数示例 Excel functions (xlwings)"
        ws["A2"] = ("Needs Python with xlpricing and the xlwings add-in or this workbook's standalone module: "
                    "see the README. Until the functions are imported, these cells show #NAME?.")
    else:
        ws["A1"] = "函数示例 Excel functions (xlwings Lite)"
        ws["A2"] = ("Runs inside Excel with the free xlwings Lite add-in (Home › Add-ins › search xlwings › Add); "
                    "no Python needed. The first start needs internet and shows #BUSY! for a few seconds.")
        ws["A3"] = f"xlpricing {lite_version} · price book {book.id} ({book.name_en}) · regenerate with `xlpricing lite`"
        ws["A3"].font = style.NOTE
    ws["A1"].font = style.TITLE
    ws["A2"].font = style.SUBTITLE
    style.header_row(ws, 4, ["示例 Example", "公式 Formula", "结果 Result (Python)", "原生公式 Native formulas"])
    examples = _examples(book)
    for i, (what, call) in enumerate(examples):
        r = 5 + i
        style.body_row(ws, r, [what, call.formula()])
        ws.cell(r, 2).data_type = "s"  # show the formula's text beside its result
        ws.cell(r, 2).quotePrefix = True
        placed.append(host.place(ws, f"C{r}", call, catalog))
        ws.cell(r, 3).number_format = money
    if host.dynamic:
        ws["D5"] = NOT_STARTED
        ws["D5"].font = style.NOTE
    r = 5 + len(examples) - 1
    ws.cell(r, 4, "=QuoteTotal").number_format = money
    ws.cell(r + 2, 1, "The last row prices the 报价单 Quote sheet twice: with =IMQUOTE in Python and with the "
                      "sheet's native formulas (QuoteTotal). They agree.").font = style.NOTE
    r += 4
    style.header_row(ws, r, ["IMQUOTE_LINES: one call fills the table below"])
    edition, dau, groups, addons, months = LINES_EXAMPLE
    lines = host.place(ws, f"A{r + 1}", Call("IMQUOTE_LINES", tuple(map(literal, (
        edition, dau, groups, sold(book, edition, addons), months)))), catalog)
    placed.append(lines)
    r = _range_end(lines.ref) + 2

    # many scenarios: one call for the column (each per-cell call is its own round trip, in Lite too)
    style.header_row(ws, r, ["版本 Edition", "峰值 DAU Peak DAU", "峰值群组 Peak groups", "增值服务 Add-ons",
                             "月数 Months", "IMQUOTE: one call", "引擎 Engine at build time"])
    scenarios = scenarios_for(book)
    first, last = r + 1, r + len(scenarios)
    for i, (edition, dau, groups, addons, months) in enumerate(scenarios):
        style.body_row(ws, first + i, [edition, dau, groups, addons or None, months,
                                       None, build_quote(book, edition, dau, groups, addons.split(", ") if addons else (), months).total],
                       formats={2: "#,##0", 3: "#,##0", 7: money})
    columns = list(zip(*scenarios))  # the cells as Excel hands them over: rows of one cell, numbers as floats
    handed = [[[v or None] if isinstance(v, str) else [float(v)] for v in column] for column in columns]
    placed.append(host.place(ws, f"F{first}", Call("IMQUOTE", tuple(
        Arg(f"{c}{first}:{c}{last}", cells) for c, cells in zip("ABCDE", handed))), catalog))
    for row in range(first, last + 1):
        ws[f"F{row}"].number_format = money
    ws.cell(last + 1, 1, "One =IMQUOTE over the columns prices every row in one call; a bad row shows its own "
                         "#IMQUOTE text.").font = style.NOTE

    r = last + 3
    dau, groups, needs = ADVISOR_EXAMPLE
    style.header_row(ws, r, ["IMBEST: the cheapest edition and add-ons for the needs", "add-ons"])
    ws.cell(r + 1, 3, f'needs: {needs}; {dau:,} DAU, {groups:,} groups').font = style.NOTE
    placed.append(host.place(ws, f"A{r + 1}", Call("IMBEST", (literal(dau), literal(groups), literal(needs))), catalog))
    for col, width in zip("ABCDEFG", (52, 56, 22, 22, 10, 20, 22)):
        ws.column_dimensions[col].width = width
    style.print_setup(ws, title_rows="1:2", landscape=True)
    return placed


def _range_end(ref: str) -> int:
    """The last row of a range such as A16:I25 (or of one cell)."""
    return int(ref.rsplit(":", 1)[-1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))


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
    refuse_folder(path)
    if path.suffix.lower() != wanted:
        raise ValueError(f"{path.name}: a {'macro-enabled ' if macro else ''}template is a {wanted} file")
    wb, calls = build_macro_template(book) if macro else (build_template(book), [])
    # previews that do not calculate (mail, phones, Protected View) show the default deal's numbers
    values = cached_values(book, default_quote(book))

    def finish(tmp: Path) -> None:
        add_cached_values(tmp, L.QUOTE_SHEET, values)
        CLASSIC.store(tmp, calls)

    return save_workbook(wb, path, force=force, finish=finish)

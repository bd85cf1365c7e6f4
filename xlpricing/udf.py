"""Excel functions (xlwings user-defined functions): =IMQUOTE() and its family.

Wire them in with the ``xlwings.conf`` sheet's ``UDF Modules`` = ``xlpricing.udf`` and
Import Functions (see the README). Every function is a plain Python function too.

What a cell gets: a number, a spilled array, or — for anything that cannot be priced — a
short text starting with ``#FUNCTION:`` that names the argument and the valid choices.
Nothing here raises into Excel, so a cell never shows a traceback or a wrong number.
"""

from __future__ import annotations

import gc
from decimal import Decimal
from typing import Any, Callable

import xlwings as xw

from . import inputs
from .formatting import money
from .engine import Quote, list_price, quote_total, quote_totals
from .errors import PriceBookError, QuoteError
from .book.catalog import Catalog, shipped_catalog
from .book.model import PriceBook

CATEGORY = "xlpricing (Tencent IM)"
# The books the functions price with, and their default when a cell names none: the shipped
# catalog, whose default a Lite workbook sets through use_default and use_book_text below. Each
# function is a one-line call of its implementation with this catalog (IMQUOTE → _imquote), so a
# workbook's example cells are computed with a catalog of its own (WITH_CATALOG, sheets/udfcalls.py).
_CATALOG = shipped_catalog()
MAX_MESSAGE = 250  # Excel's wizard and narrow cells: keep the text short

_DOC_EDITION = "Edition: trial, pro or flagship (also 体验版, 专业版, 旗舰版, ultimate). A range prices a column of scenarios."
_DOC_DAU = "Peak DAU of the month, a whole number (blank = 0). 10,000 are free on pro/flagship; each started 10,000 above costs extra."
_DOC_GROUPS = "Peak groups of the month, a whole number (blank = 0). 100,000 are free on pro/flagship; each started 100,000 above costs extra."
_DOC_ADDONS = "Add-on codes, as text (\"history_90, moderation\") or a range of cells holding codes; blanks ignored."
_DOC_MONTHS = "Term in whole months, 1 to 24 (blank = 1). The result is months × the monthly amount."
_DOC_BOOK = ("Optional price book: an id such as tencent-im-cn-2024, or a date (a date cell or \"2024-06-01\") for the "
             "China prices in force that day. Blank = the default book.")


def _arg(name: str, **options: Any):
    """xw.arg with error cells handed over as their text (#N/A), so they are refused, not read as
    blanks. Both hosts honour err_to_str: classic xlwings in its COM conversion, xlwings Lite in the
    Office.js one (without it Lite would hand an error cell over as None, a blank)."""
    return xw.arg(name, err_to_str=True, **options)


def _cells(rows: list[list[Any]]) -> list[list[Any]]:
    """A presenter's rows for a spill: amounts become numbers, everything else stays."""
    return [[_cell_number(v) if isinstance(v, Decimal) else v for v in row] for row in rows]


def _cell_number(amount: Decimal) -> int | float:
    """Excel holds doubles: whole yuan go as int, anything else as the nearest float."""
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _error_text(function: str, message: str) -> str:
    text = f"#{function}: {message}"
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def _guarded(function: str, compute: Callable[[], Any]) -> Any:
    """Run one computation; bad input becomes a readable '#FUNCTION: ...' text, never an exception."""
    try:
        return compute()
    except QuoteError as exc:
        return _error_text(function, str(exc))
    except Exception as exc:  # a safety net: a cell must never show a traceback
        return _error_text(function, f"internal error ({type(exc).__name__}), please report it")


def _guarded_table(function: str, compute: Callable[[], list[list[Any]]]) -> list[list[Any]]:
    """A table that spills; its error is a one-cell table holding the '#FUNCTION: ...' text."""
    result = _guarded(function, compute)
    return [[result]] if isinstance(result, str) else result


def _quote(book: PriceBook, edition: Any, peak_dau: Any, peak_groups: Any, addons: Any, months: Any) -> Quote:
    return inputs.price_deal(
        book, _single(edition, "edition"), _single(peak_dau, "peak_dau"),
        _single(peak_groups, "peak_groups"), addons, _single(months, "months"))


def _total(book: PriceBook, edition: Any, peak_dau: Any, peak_groups: Any, addons: Any, months: Any) -> Decimal:
    return inputs.price_deal(
        book, _single(edition, "edition"), _single(peak_dau, "peak_dau"),
        _single(peak_groups, "peak_groups"), addons, _single(months, "months"), engine=quote_total)


def _overage(book: PriceBook, edition: Any, peak_dau: Any, peak_groups: Any, addons: Any, months: Any) -> Decimal:
    return _quote(book, edition, peak_dau, peak_groups, addons, months).overage


def _book(catalog: Catalog, value: Any) -> PriceBook:
    """The price book a cell names: blank = the default, a book id, or a date (a date cell, a date
    serial, NOW(), or "2024-06-01"): the China book in force that day. Only shipped books: a cell
    never names a file to read."""
    value = _single(value, "price_book")
    if value is None or (isinstance(value, str) and not value.strip()):
        return _chosen(catalog, catalog.default)
    when = inputs.day(value, "price_book", "a book id or a date")
    if when is None:  # text that is not a date: a book's id
        name = value.strip().casefold()
        if name not in catalog.ids():
            raise QuoteError.of("price_book", f"unknown price book {value.strip()!r} ({_books_listed(catalog)})")
        return catalog.get(name)
    return _chosen(catalog, catalog.in_force, when)


def _chosen(catalog: Catalog, choose: Callable[..., PriceBook], *args: Any) -> PriceBook:
    try:
        return choose(*args)
    except PriceBookError as exc:  # a date outside every book; a broken team default
        raise QuoteError.of("price_book", f"{'; '.join(exc.problems)} ({_books_listed(catalog)})") from None


def _books_listed(catalog: Catalog) -> str:
    return "books: " + ", ".join(f"{b.id} {b.period}" for b in catalog.books())


def use_default(name: str) -> PriceBook:
    """The functions' default from now on: a book id (a Lite workbook's own book), a file or a date."""
    return _CATALOG.use_default(name)


def use_book_text(toml: str, source: str = "<text>") -> PriceBook:
    """A book given as its TOML text (checked whole; the team server's, in a Lite workbook): known by
    its id from now on, and the functions' default."""
    return _CATALOG.use_book_text(toml, source)


def _single(value: Any, argument: str) -> Any:
    """One value from a cell; a one-cell range counts as that cell."""
    while isinstance(value, (list, tuple)):
        if len(value) != 1:
            raise QuoteError.of(argument, f"{argument} must be one cell, got a range of {len(value)}")
        value = value[0]
    return value


def _grid(value: Any) -> list[Any]:
    """Any argument as rows of cells (not copied): a scalar is 1×1, a flat list is a column."""
    if isinstance(value, (list, tuple)):
        if value and type(value[0]) in (list, tuple):  # xlwings (ndim=2) sends rows of cells
            return value
        return [[v] for v in value] or [[None]]
    return [[value]]


def _rectangular(grid: list[Any]) -> bool:
    """Every row a list of the same, non-zero length (the checks run in C: columns are long)."""
    width = len(grid[0]) if type(grid[0]) in (list, tuple) else 0
    return (width > 0 and set(map(type, grid)) <= {list, tuple}
            and not any(map(width.__ne__, map(len, grid))))


def _per_scenario(
    catalog: Catalog,
    function: str,
    price: Callable[..., Decimal],
    edition: Any, peak_dau: Any, peak_groups: Any, addons: Any, months: Any, price_book: Any = None,
) -> Any:
    """One result, or — when edition/peak_dau/peak_groups/months come as ranges — one per cell.

    Single cells broadcast over the range. ``addons`` holds one list for every scenario,
    unless it is a range with one row per scenario (a column of scenarios) or one column per
    scenario (a row of scenarios): then each scenario takes the codes of its own row/column.
    """
    grids = {"edition": _grid(edition), "peak_dau": _grid(peak_dau),
             "peak_groups": _grid(peak_groups), "months": _grid(months)}
    for name, g in grids.items():
        if not _rectangular(g):
            return _error_text(function, f"{name} must be a cell or a rectangular range")
    shapes = {(len(g), len(g[0])) for g in grids.values()} - {(1, 1)}
    book = _book(catalog, price_book)  # one book for every scenario of the call
    if not shapes:
        return _guarded(function, lambda: _cell_number(price(book, edition, peak_dau, peak_groups, addons, months)))
    if len(shapes) > 1:
        return _error_text(function, "edition, peak_dau, peak_groups and months must be single cells or ranges of one size")
    rows, cols = shapes.pop()

    addon_grid = _grid(addons) if isinstance(addons, (list, tuple)) else None
    if addon_grid is not None and not _rectangular(addon_grid):
        addon_grid = None  # not a rectangle, so not one range per scenario: one list for all
    def addons_of(i: int, j: int) -> Any:
        if addon_grid is not None:
            if cols == 1 and len(addon_grid) == rows:
                return addon_grid[i]
            if rows == 1 and len(addon_grid[0]) == cols:
                return [row[j] for row in addon_grid]
            if rows > 1 and cols > 1 and (len(addon_grid), len(addon_grid[0])) == (rows, cols):
                return addon_grid[i][j]
        return addons

    def column(name: str) -> list[Any]:
        g = grids[name]
        return [g[0][0]] * (rows * cols) if len(g) == 1 and len(g[0]) == 1 else [v for row in g for v in row]

    # Nothing here makes reference cycles: the collector would only walk 100,000s of fresh tuples.
    collecting = gc.isenabled()
    gc.disable()
    try:
        if addon_grid is None:
            per_cell = [addons] * (rows * cols)
        elif cols == 1 and len(addon_grid) == rows:
            per_cell = addon_grid  # a column of scenarios, each with its own row of codes
        else:
            per_cell = [addons_of(i, j) for i in range(rows) for j in range(cols)]
        cells = list(zip(column("edition"), column("peak_dau"), column("peak_groups"), per_cell, column("months")))
        flat = (_totals_of(function, cells, book) if price is _total else
                [_guarded(function, lambda args=args: _cell_number(price(book, *args))) for args in cells])
        return [flat[i * cols:(i + 1) * cols] for i in range(rows)]
    finally:
        if collecting:
            gc.enable()


def _totals_of(function: str, cells: list[tuple], book: PriceBook) -> list[Any]:
    """IMQUOTE over many cells: normalise each, then let the engine price them together.

    This is the loop a 100,000-row column goes through; a cell with anything unusual takes
    the one-cell path, so its message is exactly the one a single =IMQUOTE would show.
    """
    deals, slow = [], {}
    edition_name, whole_number, addon_codes = inputs.edition_name, inputs.whole_number, inputs.addon_codes
    for k, (edition, dau, groups, addons, months) in enumerate(cells):
        try:
            deals.append((edition_name(edition), whole_number(dau, "peak_dau"), whole_number(groups, "peak_groups"),
                          addon_codes(addons), whole_number(months, "months", 1), 0))
        except Exception:
            slow[k] = _guarded(function, lambda: _cell_number(_total(book, edition, dau, groups, addons, months)))
            deals.append(None)
    priced = iter(quote_totals(book, (d for d in deals if d is not None)))
    out = []
    for k, deal in enumerate(deals):
        if deal is None:
            out.append(slow[k])
            continue
        total = next(priced)
        if isinstance(total, QuoteError):
            out.append(_guarded(function, lambda k=k: _cell_number(_total(book, *cells[k]))))
        else:
            out.append(_cell_number(total))
    return out


@xw.func(category=CATEGORY)
@_arg("edition", ndim=2, doc=_DOC_EDITION)
@_arg("peak_dau", ndim=2, doc=_DOC_DAU)
@_arg("peak_groups", ndim=2, doc=_DOC_GROUPS)
@_arg("addons", ndim=2, doc=_DOC_ADDONS)
@_arg("months", ndim=2, doc=_DOC_MONTHS)
@_arg("price_book", doc=_DOC_BOOK)
def IMQUOTE(edition, peak_dau=0, peak_groups=0, addons=None, months=1, price_book=None):
    """Tencent Cloud IM (China) total in CNY for the whole term: package + add-ons + overage, × months. Give ranges for edition, DAU or groups to price a column of scenarios in one call."""
    return _imquote(_CATALOG, edition, peak_dau, peak_groups, addons, months, price_book)


def _imquote(catalog: Catalog, edition, peak_dau=0, peak_groups=0, addons=None, months=1, price_book=None):
    return _guarded("IMQUOTE", lambda: _per_scenario(catalog, "IMQUOTE", _total, edition, peak_dau, peak_groups, addons,
                                                     months, price_book))


@xw.func(category=CATEGORY)
@_arg("edition", ndim=2, doc=_DOC_EDITION)
@_arg("peak_dau", ndim=2, doc=_DOC_DAU)
@_arg("peak_groups", ndim=2, doc=_DOC_GROUPS)
@_arg("price_book", doc=_DOC_BOOK)
def IMOVERAGE(edition, peak_dau=0, peak_groups=0, price_book=None):
    """Monthly overage in CNY alone: each started block of peak DAU or peak groups above the free quota (China: 10,000 and 100,000, 1,000 CNY a block). Accepts ranges like IMQUOTE."""
    return _imoverage(_CATALOG, edition, peak_dau, peak_groups, price_book)


def _imoverage(catalog: Catalog, edition, peak_dau=0, peak_groups=0, price_book=None):
    return _guarded("IMOVERAGE", lambda: _per_scenario(catalog, "IMOVERAGE", _overage, edition, peak_dau, peak_groups,
                                                       None, 1, price_book))


@xw.func(category=CATEGORY)
@_arg("addons", ndim=2, doc=_DOC_ADDONS)
@_arg("edition", doc=_DOC_EDITION)
@_arg("peak_dau", doc=_DOC_DAU)
@_arg("peak_groups", doc=_DOC_GROUPS)
@_arg("months", doc=_DOC_MONTHS)
@_arg("price_book", doc=_DOC_BOOK)
def IMQUOTE_LINES(edition, peak_dau=0, peak_groups=0, addons=None, months=1, price_book=None):
    """The quote as a table that spills (Excel 365): one row per line item with quantity, unit price, amount and how it was worked out, then prepaid and postpaid subtotals and the total."""
    return _imquote_lines(_CATALOG, edition, peak_dau, peak_groups, addons, months, price_book)


def _imquote_lines(catalog: Catalog, edition, peak_dau=0, peak_groups=0, addons=None, months=1, price_book=None):
    def compute() -> list[list[Any]]:
        from .presenter import quote_rows
        book = _book(catalog, price_book)
        return _cells(quote_rows(_quote(book, edition, peak_dau, peak_groups, addons, months), book))
    return _guarded_table("IMQUOTE_LINES", compute)


_DOC_TABLE = ("The deal as a range with a header row: app, edition, peak_dau, peak_groups, addons, from_month (or 应用, "
              "版本, 峰值DAU, 峰值群组, 增值服务, 起始月); one row per app, or per app and phase.")
_DOC_DISCOUNT = "Optional discount in percent off the list prices, e.g. 5 or 12.5 (blank = none)."


def _deal(catalog: Catalog, table: Any, months: Any, discount: Any, price_book: Any):
    from .dealinput import deal_from_rows
    from .deals import quote_deal

    book = _book(catalog, price_book)
    rows = _grid(table)
    if not _rectangular(rows):
        raise QuoteError.of("deal", "table must be a rectangular range")
    return quote_deal(book, deal_from_rows([list(r) for r in rows], _single(months, "months"),
                                           _single(discount, "discount"))), book


@xw.func(category=CATEGORY)
@_arg("table", ndim=2, doc=_DOC_TABLE)
@_arg("months", doc=_DOC_MONTHS)
@_arg("discount", doc=_DOC_DISCOUNT)
@_arg("price_book", doc=_DOC_BOOK)
def IMDEAL(table, months=1, discount=None, price_book=None):
    """A deal of several apps (one package each) whose usage may ramp month by month: the total in CNY for the term, after any discount (China: tax included)."""
    return _imdeal(_CATALOG, table, months, discount, price_book)


def _imdeal(catalog: Catalog, table, months=1, discount=None, price_book=None):
    return _guarded("IMDEAL", lambda: _cell_number(_deal(catalog, table, months, discount, price_book)[0].total))


@xw.func(category=CATEGORY)
@_arg("table", ndim=2, doc=_DOC_TABLE)
@_arg("months", doc=_DOC_MONTHS)
@_arg("discount", doc=_DOC_DISCOUNT)
@_arg("price_book", doc=_DOC_BOOK)
def IMDEAL_LINES(table, months=1, discount=None, price_book=None):
    """The deal as a table that spills: each app's lines (with the months of each phase) and subtotal, the total, and the tax split (价税合计, 不含税金额, 税额)."""
    return _imdeal_lines(_CATALOG, table, months, discount, price_book)


def _imdeal_lines(catalog: Catalog, table, months=1, discount=None, price_book=None):
    def compute() -> list[list[Any]]:
        from .presenter import deal_rows

        q, book = _deal(catalog, table, months, discount, price_book)
        return _cells(deal_rows(q, book))
    return _guarded_table("IMDEAL_LINES", compute)


@xw.func(category=CATEGORY)
@_arg("code", doc="An edition (pro, flagship), an add-on code (history_90, members_6000 …) or overage_dau / overage_groups.")
@_arg("edition", doc="The edition buying the add-on; needed where the price differs by edition (history_90: pro 1,000, flagship 500).")
@_arg("price_book", doc=_DOC_BOOK)
def IMPRICE(code, edition=None, price_book=None):
    """List price in CNY per month of one item on the price book: an edition's package, an add-on on an edition, or one overage block."""
    return _imprice(_CATALOG, code, edition, price_book)


def _imprice(catalog: Catalog, code, edition=None, price_book=None):
    def compute() -> int | float:
        name = inputs.edition_name(_single(edition, "edition"))
        item = _single(code, "code")
        inputs.refuse_error_cell(item, "code")
        return _cell_number(list_price(_book(catalog, price_book), item, name).price)
    return _guarded("IMPRICE", compute)


_DOC_NEEDS = ("Needs: text such as \"members=3000, history=90, call_minutes=200000, moderation\", or a two-column "
              "range of name/value pairs (members, groups_per_user, live_groups, history, audio/sd/hd/fhd minutes).")


def _advice(catalog: Catalog, peak_dau: Any, peak_groups: Any, needs: Any, price_book: Any):
    from .advisor import advise  # the advisor only when asked: it is not on the IMQUOTE path

    return advise(_book(catalog, price_book), inputs.needs_from(needs, _single(peak_dau, "peak_dau"),
                                                       _single(peak_groups, "peak_groups")))


@xw.func(category=CATEGORY)
@_arg("needs", ndim=2, doc=_DOC_NEEDS)
@_arg("peak_dau", doc=_DOC_DAU)
@_arg("peak_groups", doc=_DOC_GROUPS)
@_arg("price_book", doc=_DOC_BOOK)
def IMBEST(peak_dau=0, peak_groups=0, needs=None, price_book=None):
    """The cheapest configuration that meets the needs, as two cells: the edition and the add-on codes, ready to pass to =IMQUOTE(edition, dau, groups, add-ons)."""
    return _imbest(_CATALOG, peak_dau, peak_groups, needs, price_book)


def _imbest(catalog: Catalog, peak_dau=0, peak_groups=0, needs=None, price_book=None):
    def compute() -> list[list[Any]]:
        best = _advice(catalog, peak_dau, peak_groups, needs, price_book).best
        return [[best.edition, best.addons_text]]
    return _guarded_table("IMBEST", compute)


@xw.func(category=CATEGORY)
@_arg("needs", ndim=2, doc=_DOC_NEEDS)
@_arg("peak_dau", doc=_DOC_DAU)
@_arg("peak_groups", doc=_DOC_GROUPS)
@_arg("price_book", doc=_DOC_BOOK)
def IMBEST_TABLE(peak_dau=0, peak_groups=0, needs=None, price_book=None):
    """Every configuration that meets the needs, cheapest first (rank, edition, add-ons, CNY a month), then why each other edition cannot meet them. Spills in Excel 365."""
    return _imbest_table(_CATALOG, peak_dau, peak_groups, needs, price_book)


def _imbest_table(catalog: Catalog, peak_dau=0, peak_groups=0, needs=None, price_book=None):
    def compute() -> list[list[Any]]:
        advice = _advice(catalog, peak_dau, peak_groups, needs, price_book)
        rows: list[list[Any]] = [["rank", "edition", "add-ons", "monthly (CNY)"]]
        rows += [[i + 1, o.edition, o.addons_text, _cell_number(o.monthly)] for i, o in enumerate(advice.options)]
        rows += [["—", edition, reason, ""] for edition, reason in advice.refusals.items()]
        return rows
    return _guarded_table("IMBEST_TABLE", compute)


def _column_of_counts(value: Any, argument: str) -> list[int]:
    cells = [v for row in _grid(value) for v in (row if isinstance(row, (list, tuple)) else [row])]
    while cells and cells[-1] in (None, ""):
        cells.pop()  # a range taller than the forecast
    return [inputs.whole_number(v, argument) for v in cells]


@xw.func(category=CATEGORY)
@_arg("edition", doc=_DOC_EDITION)
@_arg("dau_range", ndim=2, doc="Peak DAU, one cell a month (a column).")
@_arg("groups_range", ndim=2, doc="Peak groups, one cell a month; a single cell applies to every month.")
@_arg("addons", ndim=2, doc=_DOC_ADDONS)
@_arg("price_book", doc=_DOC_BOOK)
def IMFORECAST(edition, dau_range, groups_range=0, addons=None, price_book=None):
    """Month by month: prepaid, postpaid and total in CNY at each month's own peaks, then the grand total and the month from which another configuration would be cheaper. Spills."""
    return _imforecast(_CATALOG, edition, dau_range, groups_range, addons, price_book)


def _imforecast(catalog: Catalog, edition, dau_range, groups_range=0, addons=None, price_book=None):
    def compute() -> list[list[Any]]:
        from .advisor import forecast

        daus = _column_of_counts(dau_range, "dau_range")
        groups = _column_of_counts(groups_range, "groups_range")
        if len(groups) == 1:
            groups = groups * len(daus)
        if len(groups) != len(daus):
            raise QuoteError.of("groups_range", f"groups_range has {len(groups)} months, dau_range {len(daus)}")
        f = forecast(_book(catalog, price_book), inputs.edition_name(_single(edition, "edition")),
                     inputs.addon_codes(addons), list(zip(daus, groups)))
        rows: list[list[Any]] = [["month", "peak DAU", "peak groups", "prepaid (CNY)", "postpaid (CNY)", "total (CNY)"]]
        rows += [[m.month, m.peak_dau, m.peak_groups, _cell_number(m.prepaid), _cell_number(m.postpaid),
                  _cell_number(m.total)] for m in f.months]
        rows.append(["total", "", "", _cell_number(f.prepaid), _cell_number(f.postpaid), _cell_number(f.total)])
        cheaper = (f"from month {f.cheaper[0]}: {f.cheaper[1]} at {money(f.cheaper[1].monthly)}"
                   if f.cheaper else "none cheaper in any month")
        rows.append(["cheaper", cheaper, "", "", "", ""])
        return rows
    return _guarded_table("IMFORECAST", compute)


@xw.func(category=CATEGORY)
@_arg("edition_a", doc="First configuration's edition.")
@_arg("addons_a", ndim=2, doc="First configuration's add-on codes.")
@_arg("edition_b", doc="Second configuration's edition.")
@_arg("addons_b", ndim=2, doc="Second configuration's add-on codes.")
@_arg("peak_groups", doc=_DOC_GROUPS)
@_arg("price_book", doc=_DOC_BOOK)
def IMBREAKEVEN(edition_a, addons_a=None, edition_b=None, addons_b=None, peak_groups=0, price_book=None):
    """The peak DAU at which the configuration that is cheaper at low usage stops being cheaper, or a text that says it never does (and by how much it stays cheaper)."""
    return _imbreakeven(_CATALOG, edition_a, addons_a, edition_b, addons_b, peak_groups, price_book)


def _imbreakeven(catalog: Catalog, edition_a, addons_a=None, edition_b=None, addons_b=None, peak_groups=0, price_book=None):
    def compute() -> Any:
        from .advisor import break_even

        a = (inputs.edition_name(_single(edition_a, "edition_a"), "edition_a"), inputs.addon_codes(addons_a, "addons_a"))
        b = (inputs.edition_name(_single(edition_b, "edition_b"), "edition_b"), inputs.addon_codes(addons_b, "addons_b"))
        result = break_even(_book(catalog, price_book), a, b,
                            inputs.whole_number(_single(peak_groups, "peak_groups"), "peak_groups"))
        if result.peak_dau is None:
            return (f"never: {result.cheaper_below} stays cheaper, by "
                    f"{money(result.difference_at_zero)} a month at 0 DAU")
        return result.peak_dau
    return _guarded("IMBREAKEVEN", compute)


# each function's implementation, called with a catalog: a workbook's example cells (sheets/udfcalls.py)
WITH_CATALOG: dict[str, Callable[..., Any]] = {
    "IMQUOTE": _imquote, "IMOVERAGE": _imoverage, "IMQUOTE_LINES": _imquote_lines, "IMDEAL": _imdeal,
    "IMDEAL_LINES": _imdeal_lines, "IMPRICE": _imprice, "IMBEST": _imbest, "IMBEST_TABLE": _imbest_table,
    "IMFORECAST": _imforecast, "IMBREAKEVEN": _imbreakeven,
}

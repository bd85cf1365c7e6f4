"""The template recalculated by LibreOffice headless: same totals as the engine, no error cells."""

import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from workbook_scenarios import HAND_ANCHORS, expected_total, scenarios
from xlpricing import get_price_book, quote
from xlpricing.sheets import layout as L
from xlpricing.sheets.comparesheet import compared_editions, default_addons, write_compare_sheet
from xlpricing.sheets.libreoffice import INSTALL_HINT, convert, find_soffice
from xlpricing.sheets.quotesheet import fill_inputs
from xlpricing.sheets.template import build_template

pytestmark = pytest.mark.skipif(find_soffice() is None, reason=f"needs LibreOffice: {INSTALL_HINT}")

BOOK = get_price_book()
ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = scenarios()
BLANKS = ("pro", None, None, (), None)  # blank cells take the defaults: 0 DAU, 0 groups, 1 month
ERROR_VALUES = ("#NAME?", "#REF!", "#VALUE!", "#N/A", "#DIV/0!", "#NUM!", "#NULL!", "Err:")


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    """Every scenario typed into its own copy of the template, recalculated in one LibreOffice run."""
    src = tmp_path_factory.mktemp("filled")
    files = []
    for i, scenario in enumerate([*SCENARIOS, BLANKS, None]):
        wb = build_template(BOOK)
        if scenario is not None:  # None: the template as shipped
            fill_inputs(wb[L.QUOTE_SHEET], *scenario)
        path = src / f"s{i:03d}.xlsx"
        wb.save(path)
        files.append(path)
    outputs = convert(files, "xlsx", tmp_path_factory.mktemp("recalculated"))
    return [openpyxl.load_workbook(p, data_only=True) for p in outputs]


def total_and_status(wb):
    ws = wb[L.QUOTE_SHEET]
    return ws[L.QUOTE_TOTAL_CELL].value, ws[L.STATUS_CELL].value


def error_cells(wb):
    return [(ws.title, c.coordinate, c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "e" or (isinstance(c.value, str) and c.value.startswith(ERROR_VALUES))]


@pytest.mark.parametrize("index", range(len(SCENARIOS)), ids=[repr(s) for s in SCENARIOS])
def test_quote_total_equals_the_engine_in_libreoffice(recalculated, index):
    total, status = total_and_status(recalculated[index])
    expected = expected_total(*SCENARIOS[index])
    if expected is None:
        assert total in (None, "") and status not in (None, "OK"), (total, status)
    else:
        assert status == "OK", status
        assert Decimal(str(total)) == expected
        assert error_cells(recalculated[index]) == []


@pytest.mark.parametrize("index", range(len(SCENARIOS)), ids=[repr(s) for s in SCENARIOS])
def test_the_tax_inside_equals_the_engines_split(recalculated, index):
    from xlpricing.engine import tax_split
    expected = expected_total(*SCENARIOS[index])
    ws = recalculated[index][L.QUOTE_SHEET]
    net, tax = ws[f"{L.COL['amount']}{L.NET_ROW}"].value, ws[f"{L.COL['amount']}{L.TAX_ROW}"].value
    if expected is None:
        assert net in (None, "") and tax in (None, "")
    else:
        split = tax_split(BOOK, expected)
        assert (Decimal(str(net)).quantize(Decimal("0.01")), Decimal(str(tax)).quantize(Decimal("0.01"))) == \
            (split.net, split.tax)


def test_the_readme_quote_splits_its_tax_by_hand(recalculated):
    # (999 + 1,000 history_90 + 1,000 moderation + 3 × 1,000 + 2 × 1,000) × 12 = 95,988
    # → ÷ 1.06 = 90,554.7169… → 90,554.72; tax 95,988 − 90,554.72 = 5,433.28
    ws = recalculated[SCENARIOS.index(("pro", 35_000, 202_000, ("history_90", "moderation"), 12))][L.QUOTE_SHEET]
    assert ws[L.QUOTE_TOTAL_CELL].value == 95_988
    assert ws[f"{L.COL['amount']}{L.NET_ROW}"].value == 90_554.72
    assert ws[f"{L.COL['amount']}{L.TAX_ROW}"].value == 5_433.28


def test_hand_worked_totals_in_libreoffice(recalculated):
    for scenario, total in HAND_ANCHORS:
        assert Decimal(str(total_and_status(recalculated[SCENARIOS.index(scenario)])[0])) == total


def test_blank_inputs_take_the_engine_defaults(recalculated):
    # pro, nothing else: the package for one month
    assert total_and_status(recalculated[len(SCENARIOS)]) == (999, "OK")


def test_shipped_template_has_no_error_cells_and_the_compare_sheet_agrees(recalculated):
    wb = recalculated[-1]
    assert error_cells(wb) == []
    assert total_and_status(wb) == (999, "OK")  # pro, 0 DAU, 0 groups, 1 month
    where = write_compare_sheet(openpyxl.Workbook().active, BOOK)  # the same layout, for addresses
    first, last = where["rows"]
    ws = wb[L.COMPARE_SHEET]
    first_no_dearer = None
    for row in range(first, last + 1):
        dau, groups = ws[f"A{row}"].value, ws[f"B{row}"].value
        engine = {e.code: quote(e.code, dau, groups, default_addons(BOOK, e)).monthly_total
                  for e in compared_editions(BOOK)}
        for code, cost in engine.items():
            assert Decimal(str(ws[f"{where['cost_columns'][code]}{row}"].value)) == cost, (code, dau)
        # flagship − pro, and the first level where flagship costs no more
        difference = engine["flagship"] - engine["pro"]
        assert Decimal(str(ws[f"{where['difference_column']}{row}"].value)) == difference
        if first_no_dearer is None and difference <= 0:
            first_no_dearer = dau
    assert ws[where["break_even"]].value == (first_no_dearer if first_no_dearer is not None else "none in this table")


def test_a_wildcard_typed_on_the_compare_sheet_is_unknown_not_another_add_on(tmp_path):
    # MATCH("h*", …) finds history_30: the compare sheet must say "unknown", not price history_30
    wb = build_template(BOOK)
    where = write_compare_sheet(openpyxl.Workbook().active, BOOK)
    ws = wb[L.COMPARE_SHEET]
    cells = where["editions"]["pro"]["addon_cells"]
    ws[cells[0]] = "h*"
    ws[cells[1]] = "history_3?"
    ws[cells[2]] = "HISTORY_90"  # case and spaces are still forgiven
    path = tmp_path / "w.xlsx"
    wb.save(path)
    (out,) = convert([path], "xlsx", tmp_path / "out")
    got = openpyxl.load_workbook(out, data_only=True)[L.COMPARE_SHEET]
    price = lambda ref: got.cell(got[ref].row, got[ref].column + 1).value  # noqa: E731
    assert (price(cells[0]), price(cells[1]), price(cells[2])) == ("unknown", "unknown", 1000)  # history_90 on pro


BOOK_DEALS = [
    # book, (edition, dau, groups, add-ons, months), total worked by hand (None: refused on the sheet)
    ("tencent-im-cn-seed", ("pro", 35_000, 202_000, ("history_90",), 12), 83_988),   # (999+1000+3000+2000) × 12
    ("tencent-im-cn-2023-03", ("pro", 35_000, 202_000, ("call_group_1400k",), 1), 10_999),  # 999+5000+3000+2000
    ("tencent-im-cn-2024", ("flagship", 22_000, 0, ("call_1v1",), 1), 5_499),         # 2999 + 500 + 2 × 1000
    ("tencent-im-cn-2024", ("pro", 35_000, 0, (), 12), 53_988),                       # (1499 + 3 × 1000) × 12
    ("tencent-im-overseas", ("pro", 22_000, 202_000, (), 1), 14_999),                 # 2999 + 2×3000 + 2×3000
    ("tencent-im-cn-2024", ("pro", 0, 0, ("call_advanced",), 1), None),               # withdrawn 2023-03-07
    ("tencent-im-overseas", ("pro", 0, 0, ("history_90",), 1), None),                 # no overseas add-ons
]


def test_every_books_template_prices_by_its_own_native_formulas(tmp_path):
    files = []
    for i, (book_id, deal, _) in enumerate(BOOK_DEALS):
        wb = build_template(get_price_book(book_id))
        fill_inputs(wb[L.QUOTE_SHEET], *deal)
        files.append(tmp_path / f"b{i}.xlsx")
        wb.save(files[-1])
    outputs = convert(files, "xlsx", tmp_path / "out")
    for (book_id, deal, expected), path in zip(BOOK_DEALS, outputs):
        wb = openpyxl.load_workbook(path, data_only=True)
        got, status = total_and_status(wb)
        if expected is None:
            assert got in (None, "") and status not in (None, "OK"), (book_id, deal, status)
        else:
            assert (got, status) == (expected, "OK"), (book_id, deal)
            assert error_cells(wb) == [], book_id


def test_libreoffice_imports_the_macro_templates_vba_without_the_sample_module(tmp_path):
    # LibreOffice reads the VBA project with its own compound-file and VBA code and stores each module
    # it finds as Basic/VBAProject/<module>.xml in the .ods it converts to
    import xlwings

    quickstart = Path(xlwings.__file__).with_name("quickstart_standalone.xlsm")
    theirs, ours = convert([quickstart, ROOT / "workbooks" / "xlpricing-template.xlsm"], "ods", tmp_path)

    def modules(ods):
        with zipfile.ZipFile(ods) as z:
            return {n.rsplit("/", 1)[-1][:-4]: z.read(n) for n in z.namelist()
                    if n.startswith("Basic/VBAProject/") and not n.endswith("script-lb.xml")}

    theirs, ours = modules(theirs), modules(ours)
    assert b"Sub SampleCall()" in theirs["Module1"]
    assert sorted(ours) == ["Dictionary", "Sheet1", "Sheet2", "ThisWorkbook", "xlwings"]
    assert ours == {name: xml for name, xml in theirs.items() if name != "Module1"}

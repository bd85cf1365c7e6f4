"""The template workbook: its structure, the committed copies, and its formulas against the engine
(evaluated by the `formulas` package, an Excel engine nobody here wrote)."""

import itertools
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from workbook_scenarios import HAND_ANCHORS, expected_total, scenarios
from xlpricing import get_price_book
from xlpricing.cli import main
from xlpricing.sheets import layout as L
from xlpricing.sheets.contents import differences, workbook_contents
from xlpricing.sheets.template import build_template, write_template

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "workbooks" / "xlpricing-template.xlsx"
COMMITTED_XLSM = ROOT / "workbooks" / "xlpricing-template.xlsm"
BOOK = get_price_book()
# what Excel 2010+, LibreOffice and WPS all know (no _xlfn. functions, no LET/XLOOKUP/IFS)
PORTABLE = {"INDEX", "MATCH", "IF", "IFERROR", "AND", "OR", "ISNUMBER", "ISBLANK", "INT", "ROUND", "ROUNDUP", "ABS", "MAX",
            "MIN", "SUM", "SUMIF", "SUMPRODUCT", "LOWER", "TRIM", "LEN", "TEXT"}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "template.xlsx"
    write_template(path, BOOK)
    return path


@pytest.fixture(scope="module")
def wb(template):
    return openpyxl.load_workbook(template)


# ---------------------------------------------------------------- structure


def test_sheets_and_defined_names(wb):
    assert wb.sheetnames == [L.QUOTE_SHEET, L.COMPARE_SHEET, "多应用 Deal", L.PRICE_SHEET]
    names = wb.defined_names
    for name, cell in L.INPUT_CELLS.items():
        assert names[name].attr_text == f"'{L.QUOTE_SHEET}'!${cell[0]}${cell[1:]}"
    assert names["Addons"].attr_text == f"'{L.QUOTE_SHEET}'!$B${L.ADDON_FIRST_ROW}:$B${L.ADDON_LAST_ROW}"
    assert L.ADDON_LAST_ROW - L.ADDON_FIRST_ROW + 1 >= 6
    assert names["QuoteTotal"].attr_text == f"'{L.QUOTE_SHEET}'!$I${L.TOTAL_ROW}"


def test_every_formula_is_portable(wb):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type != "f":
                    continue
                used = set(re.findall(r"([A-Z][A-Z0-9.]*)\(", cell.value))
                assert used <= PORTABLE, (ws.title, cell.coordinate, used - PORTABLE)
                assert "_xlfn" not in cell.value
                assert not re.search(r"\$?[A-Z]{1,3}:\$?[A-Z]{1,3}\b", cell.value.replace("'", "")), \
                    f"whole-column reference in {ws.title}!{cell.coordinate}"


def test_price_sheet_is_written_from_the_price_book(wb):
    ws = wb[L.PRICE_SHEET]
    text = {str(c.value) for row in ws.iter_rows() for c in row if c.value is not None}
    for e in BOOK.editions:
        assert e.code in text and e.name_zh in text
    for a in BOOK.addons:
        assert a.code in text and a.name_zh in text
    for note in BOOK.notes:
        assert note.zh in text and note.en in text
    assert BOOK.source_url in text and BOOK.id in text
    # prices are numbers with a CNY format, not text
    prices = [c for row in ws.iter_rows() for c in row if c.value == 2999]
    assert prices and prices[0].number_format == "#,##0"


def test_a_new_price_book_gives_a_new_template(tmp_path):
    text = (ROOT / "xlpricing" / "pricebooks" / "tencent-im-cn-seed.toml").read_text(encoding="utf-8")
    (tmp_path / "b.toml").write_text(text.replace("monthly_price = 999", "monthly_price = 1499")
                                     .replace('id = "tencent-im-cn-seed"', 'id = "cn-2024"'), encoding="utf-8")
    from xlpricing import load_price_book
    wb = build_template(load_price_book(tmp_path / "b.toml"))
    values = [c.value for row in wb[L.PRICE_SHEET].iter_rows() for c in row]
    assert 1499 in values and 999 not in values and "cn-2024" in values


def test_inputs_unlocked_formulas_protected_and_validated(wb):
    ws = wb[L.QUOTE_SHEET]
    assert ws.protection.sheet and not ws.protection.password
    for cell in [*L.INPUT_CELLS.values(), *(f"B{r}" for r in range(L.ADDON_FIRST_ROW, L.ADDON_LAST_ROW + 1))]:
        assert ws[cell].protection.locked is False, cell
        assert ws[cell].fill.fgColor.rgb.endswith("FFF2CC"), cell
    assert ws[L.QUOTE_TOTAL_CELL].protection.locked is True
    validations = {str(dv.sqref): (dv.type, dv.formula1) for dv in ws.data_validations.dataValidation}
    assert validations[L.INPUT_CELLS["Edition"]] == ("list", "names_list")
    assert validations[L.ADDONS_RANGE] == ("list", "ad_codes")
    assert validations[L.INPUT_CELLS["Months"]] == ("whole", "1")


def test_quote_sheet_prints_on_one_a4_page_wide(wb):
    ws = wb[L.QUOTE_SHEET]
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$2"
    hidden = {i for d in ws.column_dimensions.values() if d.hidden for i in range(d.min, d.max + 1)}
    assert {13, 14, 16, 23} <= hidden  # M, N, P … W: the helper cells stay off the page
    assert not hidden & set(range(1, 11))  # A:J, the printed quote, all visible


def test_compare_sheet_has_a_chart_of_every_edition_with_overage(wb):
    ws = wb[L.COMPARE_SHEET]
    assert len(ws._charts) == 1
    assert len(ws._charts[0].series) == len([e for e in BOOK.editions if not e.capped])


# ---------------------------------------------------------------- committed workbooks


def shipped_book():
    """What scripts/build_workbooks.py builds the committed workbooks with: the book in force today."""
    import datetime as dt
    from xlpricing.pricebook import book_in_force
    return book_in_force(dt.date.today())


def test_committed_template_matches_the_generator(tmp_path):
    fresh = write_template(tmp_path / "t.xlsx", shipped_book())
    diffs = differences(workbook_contents(COMMITTED), workbook_contents(fresh))
    assert not diffs, "workbooks/ is stale: run scripts/build_workbooks.py\n" + "\n".join(diffs)


def test_committed_macro_template_matches_the_generator(tmp_path):
    fresh = write_template(tmp_path / "t.xlsm", shipped_book(), macro=True)
    diffs = differences(workbook_contents(COMMITTED_XLSM), workbook_contents(fresh))
    assert not diffs, "workbooks/ is stale: run scripts/build_workbooks.py\n" + "\n".join(diffs)


def test_macro_template_keeps_xlwings_vba_but_its_sample_and_activates_the_udfs():
    import xlwings
    from oletools.olevba import VBA_Parser  # reads a VBA project the way Office does; not ours

    quickstart = Path(xlwings.__file__).with_name("quickstart_standalone.xlsm")
    theirs, ours = (VBA_Parser(str(p)) for p in (quickstart, COMMITTED_XLSM))
    theirs, ours = ({stream.split("/")[-1]: code for _, stream, _, code in p.extract_macros()} for p in (theirs, ours))
    assert sorted(ours) == ["Dictionary", "Sheet1", "Sheet2", "ThisWorkbook", "xlwings"]
    assert ours == {name: code for name, code in theirs.items() if name != "Module1"}
    assert "Sub SampleCall()" in theirs["Module1"]
    with zipfile.ZipFile(quickstart) as src, zipfile.ZipFile(COMMITTED_XLSM) as z:
        # not even a stale copy of its name left in a free sector (xlwings' file names it 3 times)
        assert src.read("xl/vbaProject.bin").count(b"Module1") == 3
        assert b"Module1" not in z.read("xl/vbaProject.bin")
        assert "Module1".encode("utf-16-le") not in z.read("xl/vbaProject.bin")
    wb = openpyxl.load_workbook(COMMITTED_XLSM, keep_vba=True)
    assert "_xlwings.conf" not in wb.sheetnames  # the underscore would leave it inactive
    # xlwings reads keys from A1 down to the first blank cell
    rows = [(r[0].value, r[1].value) for r in wb[L.XLWINGS_CONF_SHEET].iter_rows(max_col=2)]
    conf = dict(itertools.takewhile(lambda kv: kv[0] is not None, rows))
    assert conf["UDF Modules"] == "xlpricing.udf"
    examples = wb[L.EXAMPLES_SHEET]
    formulas = [c.value for row in examples.iter_rows() for c in row if c.data_type == "f"]
    assert any(isinstance(f, str) and f.startswith("=IMQUOTE(") for f in formulas)
    assert "=QuoteTotal" in formulas  # native result next to the Python one


def test_macro_template_stores_imquote_lines_so_excel_fills_the_whole_table():
    # a plain one-cell formula opens in Excel 365 as =@IMQUOTE_LINES(…), first cell only; a legacy
    # array formula over exactly the table it returns fills in every Excel.
    # pro + history_90 + moderation, 35,000 DAU, 202,000 groups: header, pro, history_90, moderation,
    # overage_dau, overage_groups, prepaid, postpaid, total, price_book = 10 rows × 9 columns
    with zipfile.ZipFile(COMMITTED_XLSM) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    arrays = [re.search(r'<f t="array" ref="([A-Z0-9:]+)">(IMQUOTE_LINES\([^<]*\))</f>', x) for x in sheets]
    (found,) = [m for m in arrays if m]
    assert found.group(1).endswith(":I" + str(int(re.match(r"A(\d+)", found.group(1)).group(1)) + 9))
    assert found.group(2) == 'IMQUOTE_LINES("pro",35000,202000,"history_90, moderation",12)'
    assert not any("@IMQUOTE" in x for x in sheets)


def test_macro_template_has_no_xlwings_sample_leftovers_in_its_sheets():
    wb = openpyxl.load_workbook(COMMITTED_XLSM, keep_vba=True)
    # the VBA project's document module Sheet1 belongs to a real sheet, not a phantom
    assert wb[L.QUOTE_SHEET].sheet_properties.codeName == "Sheet1"
    texts = [c.value for row in wb[L.XLWINGS_CONF_SHEET].iter_rows() for c in row if isinstance(c.value, str)]
    assert not any("Rename this sheet" in t for t in texts)
    assert any("these settings are active" in t for t in texts)


@pytest.mark.parametrize("path", [COMMITTED, COMMITTED_XLSM], ids=["xlsx", "xlsm"])
def test_template_formula_cells_carry_the_default_deals_values(path):
    # previews that do not calculate show the default deal: pro, no usage, one month: the
    # package price of the book the committed workbooks are built with (in force today: 1,499)
    ws = openpyxl.load_workbook(path, data_only=True)[L.QUOTE_SHEET]
    assert ws[L.QUOTE_TOTAL_CELL].value == 1499
    assert ws[L.STATUS_CELL].value == "OK"
    with zipfile.ZipFile(path) as z:  # every formula of the quote sheet (sheet1) with a stored <v>
        xml = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    formulas = re.findall(r"<c [^>]*><f>.*?</f>(<v>.*?</v>|<v\s*/>)?</c>", xml, re.S)
    assert len(formulas) > 200
    assert all(v.startswith("<v>") for v in formulas)


def test_item_columns_fit_the_names_or_wrap(wb):
    from xlpricing.formatting import display_width
    ws = wb[L.QUOTE_SHEET]
    widths = {key: ws.column_dimensions[L.COL[key]].width for key in ("item_zh", "item_en")}
    # 扩展单个用户可加入群组数上限至 1000 个群/人: 19 CJK characters (38 columns) + " 1000 " and "/" = 43
    assert widths["item_zh"] >= display_width("扩展单个用户可加入群组数上限至 1000 个群/人") >= 43
    assert widths["item_en"] >= len("Group member limit raised to 2,000 per group")
    for row in range(L.LINE_ROWS[0], L.LINE_ROWS[1] + 1):  # longer names (call packages) wrap
        for key in ("item_zh", "item_en"):
            assert ws[f"{L.COL[key]}{row}"].alignment.wrap_text


def test_template_command(tmp_path, capsys):
    out = tmp_path / "mine.xlsx"
    assert main(["template", "-o", str(out)]) == 0
    assert out.exists()
    assert main(["template", "-o", str(out)]) == 2  # no silent overwrite
    assert "exists; pass --force" in capsys.readouterr().err
    assert main(["template", "-o", str(out), "--force"]) == 0
    assert main(["template", "--xlsm", "-o", str(tmp_path / "m.xlsx")]) == 2  # wrong extension


# ---------------------------------------------------------------- formulas vs engine


@pytest.fixture(scope="module")
def formulas_model(template):
    formulas = pytest.importorskip("formulas", reason="pip install formulas (in the test extras)")
    return formulas.ExcelModel().loads(str(template)).finish(), template.name


def evaluate(model_and_name, edition, dau, groups, addons, months, discount=0):
    model, name = model_and_name
    sheet = f"'[{name}]{L.QUOTE_SHEET.upper()}'!"
    inputs = {sheet + L.INPUT_CELLS["Edition"]: edition, sheet + L.INPUT_CELLS["PeakDAU"]: dau,
              sheet + L.INPUT_CELLS["PeakGroups"]: groups, sheet + L.INPUT_CELLS["Months"]: months,
              sheet + L.INPUT_CELLS["Discount"]: discount}
    for i, row in enumerate(range(L.ADDON_FIRST_ROW, L.ADDON_LAST_ROW + 1)):
        inputs[f"{sheet}B{row}"] = addons[i] if i < len(addons) else ""  # an empty cell
    outputs = [sheet + L.QUOTE_TOTAL_CELL, sheet + L.STATUS_CELL]
    solution = model.calculate(inputs=inputs, outputs=outputs)
    total, status = (solution[k].value[0][0] for k in outputs)
    return total, status


SCENARIOS = scenarios()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[repr(s) for s in SCENARIOS])
def test_quote_total_equals_the_engine_in_formulas(formulas_model, scenario):
    total, status = evaluate(formulas_model, *scenario)
    expected = expected_total(*scenario)
    if expected is None:
        assert total == "" and status != "OK", (total, status)  # no number, and a reason
    else:
        assert status == "OK", status
        assert Decimal(str(float(total))) == expected  # the float's shortest repr, to the fen


@pytest.mark.parametrize("scenario, total", HAND_ANCHORS)
def test_hand_worked_totals_in_formulas(formulas_model, scenario, total):
    assert Decimal(str(float(evaluate(formulas_model, *scenario)[0]))) == total


def test_status_messages_read_like_the_engine(formulas_model):
    assert evaluate(formulas_model, "trial", 150, 0, (), 1)[1] == \
        "trial is capped at 100 peak DAU: 150 needs pro or flagship"
    assert evaluate(formulas_model, "pro", 0, 0, ("members_6000",), 1)[1] == \
        "members_6000 (6000 members per group) needs flagship"
    assert evaluate(formulas_model, "gold", 0, 0, (), 1)[1] == "unknown edition 'gold' (trial, pro, flagship)"
    assert evaluate(formulas_model, "pro", 0, 0, ("history_90", "history_180"), 1)[1] == \
        "two tiers of history in add-ons, choose one"

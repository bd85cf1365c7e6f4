"""The Excel boundary without Excel: xlwings' real decorators, VBA generator and conversions.

Set XLPRICING_UPDATE_GOLDEN=1 to rewrite tests/golden/xlwings_udfs.bas after an intended change
to a function's name, arguments or module (then read the diff before committing it).
"""

import datetime as dt
import io
import os
from decimal import Decimal
from pathlib import Path

import pytest

from xlwings_stubs import MISSING, call_like_excel, real_xlwings_udfs

GOLDEN = Path(__file__).parent / "golden" / "xlwings_udfs.bas"
FUNCTIONS = ("IMBEST", "IMBEST_TABLE", "IMBREAKEVEN", "IMDEAL", "IMDEAL_LINES", "IMFORECAST", "IMOVERAGE", "IMPRICE",
             "IMQUOTE", "IMQUOTE_LINES")


@pytest.fixture(scope="module")
def xl():
    with real_xlwings_udfs() as parts:
        yield parts


def excel(xl, name, *args):
    udfs, conversion, module = xl
    return call_like_excel(udfs, conversion, module, name, *args)


# ---------------------------------------------------------------- metadata for Excel


def test_every_function_is_registered(xl):
    _, _, module = xl
    registered = sorted(name for name in dir(module) if hasattr(getattr(module, name), "__xlfunc__"))
    assert registered == sorted(FUNCTIONS)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_function_wizard_texts(xl, name):
    info = getattr(xl[2], name).__xlfunc__
    assert info["category"] == "xlpricing (Tencent IM)"
    assert info["sub"] is False and info["volatile"] is False
    assert 40 < len(info["ret"]["doc"]) <= 255  # Excel cuts the description at 255
    for arg in info["args"]:
        assert not arg["doc"].startswith("Positional argument"), (name, arg["name"])
        assert 20 < len(arg["doc"]) <= 255, (name, arg["name"])


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_argument_receives_error_cells_as_text(xl, name):
    # without err_to_str xlwings hands an error cell over as None: #N/A would price as blank
    for arg in getattr(xl[2], name).__xlfunc__["args"]:
        assert arg["options"].get("err_to_str") is True, (name, arg["name"])


def test_imquote_signature(xl):
    info = xl[2].IMQUOTE.__xlfunc__
    assert [a["name"] for a in info["args"]] == ["edition", "peak_dau", "peak_groups", "addons", "months",
                                                 "price_book"]
    assert [a.get("optional", "required") for a in info["args"]] == ["required", 0, 0, None, 1, None]
    # ranges keep their shape so a column of scenarios comes back as a column
    assert all(a["options"] == {"ndim": 2, "err_to_str": True} for a in info["args"][:5])
    assert info["args"][5]["options"] == {"err_to_str": True}  # one cell: an id or a date
    # never xlwings' numbers=int: it rounds half to even (2.5 → 2)
    assert all("numbers" not in a["options"] for a in info["args"])


def test_vba_wrapper_matches_the_golden_file(xl):
    udfs, _, module = xl

    class Workbook:  # the one attribute generate_vba_wrapper reads
        Name = "xlpricing.xlsm"

    out = io.StringIO()
    udfs.generate_vba_wrapper("xlpricing.udf", module, out, Workbook())
    vba = out.getvalue()
    if os.environ.get("XLPRICING_UPDATE_GOLDEN"):
        GOLDEN.write_text(vba, encoding="utf-8", newline="")
    assert vba == GOLDEN.read_text(encoding="utf-8")
    for name in FUNCTIONS:
        assert f'XLPy.CallUDF("xlpricing.udf", "{name}"' in vba


# ---------------------------------------------------------------- values as COM passes them


def test_numbers_arrive_as_float(xl):
    # pro 999 + history_90 1000 + 3 DAU blocks 3000 + 2 group blocks 2000 = 6999 × 12 = 83,988
    assert excel(xl, "IMQUOTE", "pro", 35000.0, 202000.0, "history_90", 12.0) == [[83_988]]


def test_omitted_optionals_take_the_python_defaults(xl):
    assert excel(xl, "IMQUOTE", "flagship", MISSING, MISSING, MISSING, MISSING) == [[2999]]
    assert excel(xl, "IMPRICE", "history_90", MISSING) == [[
        "#IMPRICE: the price of history_90 depends on the edition (pro 1,000, flagship 500), name one"]]


def test_blank_cells_arrive_as_none(xl):
    assert excel(xl, "IMQUOTE", "pro", None, None, None, None) == [[999]]


def test_currency_cells_arrive_as_decimal(xl):
    # 22,000 DAU → 2 blocks: 999 + 2000 = 2999
    assert excel(xl, "IMQUOTE", "pro", Decimal("22000"), MISSING, MISSING, MISSING) == [[2999]]


def test_a_column_range_arrives_as_tuples_and_returns_a_column(xl):
    editions = (("pro",), ("flagship",), ("gold",))
    dau = ((9_999.0,), (10_001.0,), (1.0,))
    assert excel(xl, "IMQUOTE", editions, dau, 0.0, MISSING, MISSING) == [
        [999], [3999], ["#IMQUOTE: unknown edition 'gold' (trial, pro, flagship)"]]


def test_an_addon_range_with_blanks_and_an_error_cell(xl):
    # blanks are ignored, but an error cell (COM hands #N/A over as -2146826246) is never a blank
    addons = (("history_90",), (None,), (-2146826246,))
    assert excel(xl, "IMQUOTE_LINES", "flagship", MISSING, MISSING, addons, MISSING) == [[
        "#IMQUOTE_LINES: addons is the error #N/A: fix the cell it comes from"]]
    rows = excel(xl, "IMQUOTE_LINES", "flagship", MISSING, MISSING, (("history_90",), (None,)), MISSING)
    assert next(r for r in rows if r[0] == "total")[7] == 3499  # 2999 + history_90 on flagship 500


@pytest.mark.parametrize("code, text", [(-2146826246, "#N/A"), (-2146826281, "#DIV/0!"), (-2146826273, "#VALUE!"),
                                        (-2146826265, "#REF!"), (-2146826259, "#NAME?")])
def test_an_error_cell_in_any_argument_is_named_never_priced(xl, code, text):
    # the example: =IMQUOTE("pro", A1, 202000, "history_90", 12) with A1 = #N/A priced 0 DAU
    assert excel(xl, "IMQUOTE", "pro", code, 202000.0, "history_90", 12.0) == [[
        f"#IMQUOTE: peak_dau is the error {text}: fix the cell it comes from"]]
    assert excel(xl, "IMQUOTE", "pro", 35000.0, 202000.0, "history_90", code) == [[
        f"#IMQUOTE: months is the error {text}: fix the cell it comes from"]]
    assert excel(xl, "IMQUOTE", code, 35000.0, MISSING, MISSING, MISSING) == [[
        f"#IMQUOTE: edition is the error {text}: fix the cell it comes from"]]
    assert excel(xl, "IMPRICE", code, MISSING) == [[f"#IMPRICE: code is the error {text}: fix the cell it comes from"]]
    assert excel(xl, "IMOVERAGE", "pro", MISSING, code) == [[
        f"#IMOVERAGE: peak_groups is the error {text}: fix the cell it comes from"]]


def test_an_error_cell_in_a_column_call_fails_only_its_row(xl):
    # pro 9,999 DAU: 999; pro 10,001 DAU: 999 + 1 block 1,000 = 1,999
    dau = ((9_999.0,), (-2146826246,), (10_001.0,))
    assert excel(xl, "IMQUOTE", "pro", dau, MISSING, MISSING, MISSING) == [
        [999], ["#IMQUOTE: peak_dau is the error #N/A: fix the cell it comes from"], [1999]]
    addons = (("history_90",), (-2146826246,), (None,))
    assert excel(xl, "IMQUOTE", (("pro",), ("pro",), ("pro",)), MISSING, MISSING, addons, MISSING) == [
        [1999], ["#IMQUOTE: addons is the error #N/A: fix the cell it comes from"], [999]]


def test_a_date_where_a_count_belongs(xl):
    assert excel(xl, "IMQUOTE", "pro", dt.datetime(2026, 1, 1), MISSING, MISSING, MISSING) == [[
        "#IMQUOTE: peak_dau must be a number, got datetime"]]


def test_lines_spill_as_a_rectangle(xl):
    rows = excel(xl, "IMQUOTE_LINES", "pro", 22000.0, MISSING, "moderation", 3.0)
    assert len({len(r) for r in rows}) == 1
    assert next(r for r in rows if r[0] == "total")[7] == (999 + 1000 + 2000) * 3


def test_needs_as_one_text_cell_reach_the_advisor_as_text(xl):
    # ndim=2 hands the one cell over as [["members=3000, …"]]; it was read as a name/value range
    # flagship 2,999 + members_6000 500 + history_90 500 + moderation 1,000 = 4,999 a month (no usage)
    assert excel(xl, "IMBEST", MISSING, MISSING, "members=3000, history=90, moderation", MISSING) == [
        ["flagship", "members_6000, history_90, moderation"]]
    table = excel(xl, "IMBEST_TABLE", MISSING, MISSING, "members=3000, history=90, moderation", MISSING)
    assert table[1] == [1, "flagship", "members_6000, history_90, moderation", 4_999]


# ---------------------------------------------------------------- deals through the boundary

RAMP_TABLE = ((("应用", "版本", "峰值DAU", "峰值群组", "增值服务", "起始月"),
               ("prod", "pro", 8000.0, None, None, None),
               ("prod", None, 25000.0, None, None, 4.0),
               ("prod", None, 61000.0, None, None, 7.0),
               ("second", "flagship", 5000.0, None, "members_6000", None),
               (None, None, None, None, None, None)))


def test_imdeal_prices_a_ramp_and_a_second_app_from_a_range(xl):
    # prod (seed book): 999 × 3 + (999 + 2,000) × 3 + (999 + 6,000) × 6 = 2,997 + 8,997 + 41,994 = 53,988
    # second: (2,999 + 500) × 12 = 41,988; together 95,976
    assert excel(xl, "IMDEAL", RAMP_TABLE, 12.0, None, "tencent-im-cn-seed") == [[95_976]]
    lines = excel(xl, "IMDEAL_LINES", RAMP_TABLE, 12.0, None, "tencent-im-cn-seed")
    by_code = {(r[0], r[2]): r for r in lines}
    assert by_code[("prod", "subtotal")][7] == 53_988 and by_code[("second", "subtotal")][7] == 41_988
    # 95,976 ÷ 1.06 = 90,543.3962… → 90,543.40; tax 5,432.60
    assert by_code[("tax", "net")][7] == 90_543.40 and by_code[("tax", "tax")][7] == 5_432.60
    assert len({len(r) for r in lines}) == 1  # a rectangle: Excel spills it whole


def test_imdeal_refuses_an_error_cell_in_the_table_by_name(xl):
    err = excel(xl, "IMDEAL", (("app", "edition"), ("prod", "#N/A")), 12.0)
    assert err == [["#IMDEAL: row 2 (prod), edition: edition is the error #N/A: fix the cell it comes from"]]

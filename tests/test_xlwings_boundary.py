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
FUNCTIONS = ("IMBEST", "IMBEST_TABLE", "IMBREAKEVEN", "IMFORECAST", "IMOVERAGE", "IMPRICE", "IMQUOTE", "IMQUOTE_LINES")


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


def test_imquote_signature(xl):
    info = xl[2].IMQUOTE.__xlfunc__
    assert [a["name"] for a in info["args"]] == ["edition", "peak_dau", "peak_groups", "addons", "months"]
    assert [a.get("optional", "required") for a in info["args"]] == ["required", 0, 0, None, 1]
    # ranges keep their shape so a column of scenarios comes back as a column
    assert all(a["options"] == {"ndim": 2} for a in info["args"])
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
    # the #N/A cell (COM error code) reads as None, like a blank: only history_90 is bought
    addons = (("history_90",), (None,), (-2146826246,))
    rows = excel(xl, "IMQUOTE_LINES", "flagship", MISSING, MISSING, addons, MISSING)
    assert [r[0] for r in rows[1:3]] == ["flagship", "history_90"]
    assert next(r for r in rows if r[0] == "total")[7] == 3499  # 2999 + 500


def test_a_date_where_a_count_belongs(xl):
    assert excel(xl, "IMQUOTE", "pro", dt.datetime(2026, 1, 1), MISSING, MISSING, MISSING) == [[
        "#IMQUOTE: peak_dau must be a number, got datetime"]]


def test_lines_spill_as_a_rectangle(xl):
    rows = excel(xl, "IMQUOTE_LINES", "pro", 22000.0, MISSING, "moderation", 3.0)
    assert len({len(r) for r in rows}) == 1
    assert next(r for r in rows if r[0] == "total")[7] == (999 + 1000 + 2000) * 3

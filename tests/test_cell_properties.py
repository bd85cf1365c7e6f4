"""Every Excel function, fed what cells and callers can hold: error cells, ragged lists, extreme numbers.

Through xlwings' real conversion replay (as a call from a cell) and directly (as Python or
xlwings Lite calls it): the answer is a number, a table or a '#FUNCTION: …' text, never an
exception, and never a price when an argument is an error cell.
"""

import datetime as dt
import math
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlpricing import udf
from xlwings_stubs import CELL_ERRORS, MISSING, call_like_excel, real_xlwings_udfs

ARITY = {"IMQUOTE": 5, "IMQUOTE_LINES": 5, "IMPRICE": 2, "IMOVERAGE": 3, "IMBEST": 3, "IMBEST_TABLE": 3,
         "IMFORECAST": 4, "IMBREAKEVEN": 5}
ERROR_TEXTS = sorted(CELL_ERRORS.values())

plain_cells = st.one_of(
    st.none(), st.just(MISSING),
    st.sampled_from(["pro", "flagship", "trial", "专业版", "history_90", "moderation", "members=3000", "gold", "",
                     " 35,000 ", "+-35000", "+ 5", "1e4", "5" * 5000, "-1"]),
    st.text(max_size=12),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, 9_999.0, 10_000.0, 10_001.0, 1e12, 1e12 + 1,
                                                                     1e300, -0.0, 2.5]),
    st.integers(min_value=-10**20, max_value=10**20), st.just(0).map(lambda _: 10**5000),
    st.booleans(), st.decimals(allow_nan=False, allow_infinity=False, places=2),
    st.just(dt.datetime(2026, 1, 1)),
)
error_codes = st.sampled_from(sorted(CELL_ERRORS))  # what COM hands over for an error cell


def ranges(cells):
    """A rectangular range as COM passes it: a tuple of row tuples."""
    return st.integers(1, 3).flatmap(lambda w: st.lists(st.tuples(*[cells] * w).map(tuple), min_size=1, max_size=4)
                                     .map(tuple))


com_arguments = st.one_of(plain_cells, error_codes, ranges(st.one_of(plain_cells, error_codes)))


@pytest.fixture(scope="module")
def xl():
    with real_xlwings_udfs() as parts:
        yield parts


def acceptable(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return not (isinstance(value, float) and math.isnan(value))
    if isinstance(value, str) or value is None:
        return True
    return isinstance(value, list) and all(isinstance(row, list) and all(map(acceptable, row)) for row in value)


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(name=st.sampled_from(sorted(ARITY)), data=st.data())
def test_any_cells_give_a_number_a_table_or_a_text(xl, name, data):
    args = [data.draw(com_arguments) for _ in range(ARITY[name])]
    result = call_like_excel(*xl, name, *args)  # raises if the function raised: that is the failure
    assert acceptable(result), result


@SETTINGS
@given(name=st.sampled_from(sorted(ARITY)), data=st.data())
def test_an_error_cell_in_any_single_cell_argument_is_never_priced(xl, name, data):
    values = ["pro", 35000.0, 202000.0, "history_90", 12.0]
    if name == "IMPRICE":
        values = ["history_90", "pro"]
    elif name in ("IMBEST", "IMBEST_TABLE"):
        values = [35000.0, 202000.0, "members=3000"]
    elif name == "IMFORECAST":
        values = ["pro", ((35000.0,), (40000.0,)), 202000.0, "history_90"]
    elif name == "IMBREAKEVEN":
        values = ["pro", "", "flagship", "", 0.0]
    values = values[:ARITY[name]]
    position = data.draw(st.integers(0, len(values) - 1))
    code = data.draw(error_codes)
    values[position] = code
    result = call_like_excel(*xl, name, *values)
    assert len(result) == 1 and len(result[0]) == 1, result  # one cell: no table, no number
    text = result[0][0]
    assert isinstance(text, str) and text.startswith(f"#{name}: ") and f"the error {CELL_ERRORS[code]}" in text


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(sorted(ARITY)), data=st.data())
def test_python_callers_ragged_lists_and_lite_shaped_values_never_raise(name, data):
    # xlwings Lite and Python callers pass lists as they like: ragged, nested, mixed with error texts
    leaf = st.one_of(plain_cells.filter(lambda v: v is not MISSING), st.sampled_from(ERROR_TEXTS))
    ragged = st.recursive(leaf, lambda inner: st.lists(inner, max_size=3), max_leaves=8)
    args = [data.draw(ragged) for _ in range(ARITY[name])]
    result = getattr(udf, name)(*args)
    assert acceptable(result), result


@pytest.mark.parametrize("args", [([["pro"], 5],), ([["pro"], ["pro", "flagship"]], 5), ("pro", [[1], 2, [3]]),
                                  ([[["pro", "flagship"]]],), ([],), ([[]],)])
def test_ragged_ranges_are_a_text_not_a_type_error(args):
    assert udf.IMQUOTE(*args).startswith("#IMQUOTE: ")


def test_huge_numbers_say_above_10_12():
    assert udf.IMQUOTE("pro", "5" * 5000) == "#IMQUOTE: peak_dau above 10^12 is not supported"
    assert udf.IMQUOTE("pro", 10**5000) == "#IMQUOTE: peak_dau above 10^12 is not supported"
    assert udf.IMQUOTE("pro", 1e300) == "#IMQUOTE: peak_dau above 10^12 is not supported"
    assert udf.IMQUOTE("pro", Decimal("1e5000")) == "#IMQUOTE: peak_dau above 10^12 is not supported"
    assert udf.IMOVERAGE("pro", 0, -(10**5000)).startswith("#IMOVERAGE: peak_groups must not be negative")

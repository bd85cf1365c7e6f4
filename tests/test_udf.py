"""The Excel functions called as plain Python with values shaped the way Excel sends them."""

import datetime as dt
import math
import re
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from xlpricing.udf import (IMBEST, IMBEST_TABLE, IMBREAKEVEN, IMFORECAST, IMOVERAGE, IMPRICE, IMQUOTE,
                           IMQUOTE_LINES)
from xlpricing.presenter import LINES_HEADER


# ---------------------------------------------------------------- IMQUOTE, one deal


def test_imquote_the_issue_example():
    # pro 999 + history_90 1000 + DAU 35,000 → 3 blocks 3000 + groups 202,000 → 2 blocks 2000
    # = 6999 a month × 12 = 83,988
    assert IMQUOTE("pro", 35000.0, 202000.0, "history_90", 12.0) == 83_988


@pytest.mark.parametrize("dau, total", [(9_999.0, 999), (10_000.0, 999), (10_001.0, 1999)])
def test_imquote_dau_boundaries(dau, total):
    assert IMQUOTE("pro", dau) == total


@pytest.mark.parametrize("groups, total", [(99_999.0, 2999), (100_000.0, 2999), (100_001.0, 3999)])
def test_imquote_group_boundaries(groups, total):
    assert IMQUOTE("flagship", 0, groups) == total


def test_imquote_blank_cells_take_the_defaults():
    # blank DAU/groups = 0, blank add-ons = none, blank months = 1 → the package alone
    assert IMQUOTE("pro", None, None, None, None) == 999
    assert IMQUOTE("pro", "", "", [[None], [None]], "") == 999


def test_imquote_addons_from_a_range_of_cells():
    # flagship 2999 + members_6000 500 + history_90 500 = 3999 a month × 2 = 7998
    assert IMQUOTE("flagship", 0, 0, [["members_6000"], [None], ["history_90"]], 2) == 7998
    assert IMQUOTE("flagship", 0, 0, ["members_6000", None, "history_90"], 2) == 7998


def test_imquote_currency_cells_and_text_numbers():
    assert IMQUOTE("ultimate", Decimal("22000"), " 202,000 ") == 2999 + 2000 + 2000


@pytest.mark.parametrize("args, text", [
    (("gold",), "#IMQUOTE: unknown edition 'gold' (trial, pro, flagship)"),
    ((None,), "#IMQUOTE: edition is missing (trial, pro, flagship)"),
    (("pro", -5.0), "#IMQUOTE: peak_dau must not be negative, got -5"),
    (("pro", 35000.5), "#IMQUOTE: peak_dau must be a whole number, got 35000.5"),
    (("pro", math.nan), "#IMQUOTE: peak_dau must be a whole number, got nan"),
    (("pro", True), "#IMQUOTE: peak_dau must be a number, got TRUE"),
    (("pro", 0, 0, "members_6000"), "#IMQUOTE: members_6000 (6000 members per group) needs flagship"),
    (("flagship", 0, 0, "history_30"), "#IMQUOTE: flagship already includes 30-day history (history_30), leave it out"),
    (("trial", 101.0), "#IMQUOTE: trial is capped at 100 peak DAU: 101 needs pro or flagship"),
    (("pro", 0, 0, None, 25.0), "#IMQUOTE: months must be 1 to 24 (whole months), got 25"),
    (("pro", 0, 0, 5.0), "#IMQUOTE: addons must be add-on codes such as history_90, got 5.0"),
])
def test_imquote_bad_input_is_a_readable_text(args, text):
    assert IMQUOTE(*args) == text


# ---------------------------------------------------------------- IMQUOTE, a column of scenarios


def test_imquote_column_of_scenarios_in_one_call():
    editions = [["pro"], ["flagship"], ["trial"], ["gold"], ["pro"]]
    dau = [[9_999.0], [10_001.0], [100.0], [0.0], [22_000.0]]
    result = IMQUOTE(editions, dau, 0)
    assert result == [
        [999],            # 9,999 ≤ 10,000 free
        [3999],           # 2999 + 1 block
        [0],              # trial within its cap
        ["#IMQUOTE: unknown edition 'gold' (trial, pro, flagship)"],  # one bad row, the rest priced
        [2999],           # 999 + 2 blocks (worked example)
    ]


def test_imquote_single_cells_broadcast_over_the_column():
    # one edition and one add-on text for every row; DAU varies: 999 + 1000 (history_90) + blocks
    result = IMQUOTE("pro", [[0.0], [10_001.0], [20_001.0]], 0, "history_90", 1)
    assert result == [[1999], [2999], [3999]]


def test_imquote_addons_per_row():
    # each scenario takes the codes of its own row: row 1 moderation (1000), row 2 history_90 + moderation
    result = IMQUOTE([["pro"], ["pro"]], 0, 0, [["moderation", None], ["history_90", "moderation"]], 1)
    assert result == [[1999], [2999]]


def test_imquote_row_of_scenarios_with_addons_per_column():
    result = IMQUOTE([["pro", "flagship"]], 0, 0, [["moderation", "history_90"]], 3)
    assert result == [[(999 + 1000) * 3, (2999 + 500) * 3]]


def test_imquote_ranges_of_different_sizes_are_refused():
    assert IMQUOTE([["pro"], ["pro"]], [[1.0], [2.0], [3.0]]) == \
        "#IMQUOTE: edition, peak_dau, peak_groups and months must be single cells or ranges of one size"


def test_imquote_flat_list_is_a_column():
    assert IMQUOTE(["pro", "flagship"], 0) == [[999], [2999]]


# ---------------------------------------------------------------- IMQUOTE_LINES


def test_imquote_lines_spills_a_rectangular_table():
    rows = IMQUOTE_LINES("pro", 35000.0, 202000.0, "history_90, moderation", 12.0)
    assert rows[0] == LINES_HEADER
    assert len({len(r) for r in rows}) == 1  # Excel needs a rectangle
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code["pro"][4:8] == [1, 999, 12, 11_988]  # qty, unit, months, amount
    assert by_code["overage_dau"][4:8] == [3, 1000, 12, 36_000]  # 25,000 excess → 3 blocks
    assert by_code["overage_groups"][4:8] == [2, 1000, 12, 24_000]
    assert by_code["prepaid"][7] == 23_988  # (999 + 1000) × 12
    assert by_code["postpaid"][7] == 72_000  # (1000 + 3000 + 2000) × 12
    assert by_code["total"][7] == 95_988
    assert by_code["price_book"][2] == "Tencent Cloud IM price page (China data center)"


def test_imquote_lines_error_is_one_cell():
    assert IMQUOTE_LINES("gold") == [["#IMQUOTE_LINES: unknown edition 'gold' (trial, pro, flagship)"]]
    assert IMQUOTE_LINES(["pro", "flagship"]) == [["#IMQUOTE_LINES: edition must be one cell, got a range of 2"]]


# ---------------------------------------------------------------- IMPRICE, IMOVERAGE


@pytest.mark.parametrize("args, price", [
    (("pro",), 999), (("flagship",), 2999), (("trial",), 0), (("旗舰版",), 2999),
    (("history_90", "pro"), 1000), (("history_90", "flagship"), 500),
    (("members_6000", "flagship"), 500), (("groups_1000", "pro"), 1100),
    (("moderation",), 1000), (("moderation", "trial"), 1000),  # same on every edition
    (("overage_dau",), 1000), (("overage_groups", "pro"), 1000),
])
def test_imprice(args, price):
    assert IMPRICE(*args) == price


@pytest.mark.parametrize("args, text", [
    (("history_90",), "#IMPRICE: the price of history_90 depends on the edition (pro 1,000, flagship 500), name one"),
    (("members_6000", "pro"), "#IMPRICE: members_6000 (6000 members per group) needs flagship"),
    (("avchatroom", "flagship"), "#IMPRICE: flagship already includes unlimited live groups (avchatroom), leave it out"),
    (("histroy_90", "pro"), "#IMPRICE: unknown code 'histroy_90' (did you mean history_90?)"),
    (("overage_dau", "trial"), "#IMPRICE: trial has no overage_dau, it is capped"),
    ((None,), "#IMPRICE: code is missing (an edition such as pro, or an add-on such as history_90)"),
    ((5.0,), "#IMPRICE: code must be text such as pro or history_90, got 5.0"),
])
def test_imprice_errors(args, text):
    assert IMPRICE(*args) == text


def test_imoverage():
    # worked examples together: 2000 (DAU) + 2000 (groups)
    assert IMOVERAGE("pro", 22_000.0, 202_000.0) == 4000
    assert IMOVERAGE("pro", 10_000.0, 100_000.0) == 0
    assert IMOVERAGE("trial", 100.0, 100.0) == 0
    assert IMOVERAGE("trial", 101.0) == "#IMOVERAGE: trial is capped at 100 peak DAU: 101 needs pro or flagship"
    assert IMOVERAGE("flagship", [[10_001.0], [20_001.0]]) == [[1000], [2000]]


# ---------------------------------------------------------------- fuzz: nothing escapes a UDF

excel_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-10**15, max_value=10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["pro", "flagship", "trial", "专业版", " ULTIMATE ", "history_90, moderation",
                     "members_6000", "35,000", "1e4", "-1", "=1+1", "#N/A", "overage_dau"]),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.just(-2146826246),  # the COM code of #N/A, if a caller ever forwards it raw
)
excel_ranges = st.one_of(
    st.lists(excel_scalars, min_size=0, max_size=4),
    st.lists(st.lists(excel_scalars, min_size=1, max_size=3), min_size=1, max_size=4),  # maybe ragged
)
excel_values = st.one_of(excel_scalars, excel_ranges)


def assert_cell_safe(value, function, labels=False):
    """A number, a '#FUNCTION: ...' text, or a rectangle of those (of labels too, for a table)."""
    if isinstance(value, list):
        assert value and len({len(row) for row in value}) == 1, value
        for row in value:
            for cell in row:
                assert_cell_safe(cell, function, labels)
    elif isinstance(value, str):
        assert labels or value.startswith(f"#{function}: "), value
        assert "internal error" not in value, value
    else:
        assert type(value) in (int, float) and math.isfinite(value), value


@pytest.mark.parametrize("function, arity", [(IMQUOTE, 5), (IMPRICE, 2), (IMOVERAGE, 3)], ids=lambda f: getattr(f, "__name__", ""))
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_fuzz_functions_returning_values(function, arity, data):
    args = data.draw(st.lists(excel_values, min_size=1, max_size=arity))
    assert_cell_safe(function(*args), function.__name__)


@settings(max_examples=300, deadline=None)
@given(st.lists(excel_values, min_size=1, max_size=5))
def test_fuzz_imquote_lines(args):
    result = IMQUOTE_LINES(*args)
    assert isinstance(result, list) and result
    if len(result) == 1:
        assert result[0][0].startswith("#IMQUOTE_LINES: ") and "internal error" not in result[0][0]
    else:
        assert result[0] == LINES_HEADER
        assert_cell_safe(result, "IMQUOTE_LINES", labels=True)


@pytest.mark.parametrize("function, required, arity",
                         [(IMBEST, 0, 3), (IMBEST_TABLE, 0, 3), (IMFORECAST, 2, 4), (IMBREAKEVEN, 1, 5)],
                         ids=lambda f: getattr(f, "__name__", ""))
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_fuzz_advisor_functions(function, required, arity, data):
    args = data.draw(st.lists(excel_values, min_size=required, max_size=arity))
    result = function(*args)
    if isinstance(result, list):
        assert_cell_safe(result, function.__name__, labels=True)
        if len(result) == 1 and len(result[0]) == 1:
            assert result[0][0].startswith(f"#{function.__name__}: ")
    elif function is IMBREAKEVEN and isinstance(result, str) and result.startswith("never: "):
        # its documented answer when the costs never cross (drawn: "PRO", None, "FLAGSHIP"): a
        # sentence, not an error
        assert re.fullmatch(r"never: \S+ stays cheaper, by CNY [\d,]+(\.\d\d)? a month at 0 DAU", result), result
    else:
        assert_cell_safe(result, function.__name__)


def test_a_date_with_a_time_of_day_is_that_day():
    from xlpricing.udf import IMQUOTE
    # NOW() on 2023-03-15 at noon is 45000.5; 45000 is 2023-03-15: the 2023-03 book (pro 999 there too)
    assert IMQUOTE("pro", 35000.0, 0.0, None, 12.0, 45000.5) == IMQUOTE("pro", 35000.0, 0.0, None, 12.0, 45000.0)
    # 45444.75 is 2024-06-01 in the evening: the 2024 book, (1,499 + 3 × 1,000) × 12 = 53,988
    assert IMQUOTE("pro", 35000.0, 0.0, None, 12.0, 45444.75) == 53_988
    assert IMQUOTE("pro", 0.0, 0.0, None, 1.0, "2023-02-30") == "#IMQUOTE: price_book: 2023-02-30 is not a date"
    assert IMQUOTE("pro", 0.0, 0.0, None, 1.0, 12.5).startswith("#IMQUOTE: price_book must be a book id or a date")

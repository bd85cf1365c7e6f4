"""The documented outcome of every shape of input a cell or a command line can hand over."""

import math
from decimal import Decimal

import pytest

from xlpricing import QuoteError, get_price_book
from xlpricing.inputs import MAX_COUNT, addon_codes, price_deal, whole_number


@pytest.mark.parametrize("value, expected", [
    (None, 0),                 # blank cell
    ("", 0), ("   ", 0),       # empty text
    (35000, 35000),
    (35000.0, 35000),          # Excel sends numbers as float
    (Decimal("35000"), 35000),  # a currency-formatted cell
    (Decimal("35000.00"), 35000),
    ("35000", 35000), (" 35,000 ", 35000), ("1,234,567", 1234567), ("+12", 12),
    ("35000.0", 35000), ("35,000.00", 35000), ("3.5E+04", 35000), ("1e4", 10000),  # as CRMs write numbers
    ("1E+12", MAX_COUNT), ("0e999999", 0),
    (0.0, 0), (MAX_COUNT, MAX_COUNT),
])
def test_accepted_counts(value, expected):
    assert whole_number(value, "peak_dau") == expected
    assert type(whole_number(value, "peak_dau")) is int


@pytest.mark.parametrize("value, says", [
    (35000.5, "peak_dau must be a whole number, got 35000.5"),
    (Decimal("0.5"), "peak_dau must be a whole number, got 0.5"),
    ("3.5", "peak_dau must be a whole number, got '3.5'"),
    ("3.5e-1", "peak_dau must be a whole number, got '3.5e-1'"),
    ("35000.", "peak_dau must be a whole number, got '35000.'"),
    ("35.000", "peak_dau must be a whole number, got '35.000'"),  # never guess a European thousands mark
    ("1.000", "peak_dau must be a whole number, got '1.000'"),
    ("1e999999", "peak_dau above 10^12 is not supported"),  # refused before it is made a million digits
    ("1.000000000001E+12", "peak_dau above 10^12 is not supported, got 1,000,000,000,001"),
    ("12,34", "peak_dau must be a whole number, got '12,34'"),
    ("ten", "peak_dau must be a whole number, got 'ten'"),
    (-1, "peak_dau must not be negative, got -1"),
    (-1.0, "peak_dau must not be negative, got -1"),
    ("-5", "peak_dau must not be negative, got -5"),
    (math.nan, "peak_dau must be a whole number, got nan"),
    (math.inf, "peak_dau must be a whole number, got inf"),
    (Decimal("NaN"), "peak_dau must be a whole number, got NaN"),
    (True, "peak_dau must be a number, got TRUE"),
    (False, "peak_dau must be a number, got FALSE"),
    (MAX_COUNT + 1, "peak_dau above 10^12 is not supported, got 1,000,000,000,001"),
    (1e300, "peak_dau above 10^12 is not supported"),
    ([1], "peak_dau must be a number, got list"),
])
def test_refused_counts(value, says):
    with pytest.raises(QuoteError) as info:
        whole_number(value, "peak_dau")
    assert str(info.value).startswith(says)
    assert info.value.problems[0].argument == "peak_dau"


def test_blank_months_default_to_one():
    assert whole_number(None, "months", default=1) == 1


@pytest.mark.parametrize("value, codes", [
    (None, ()),
    ("", ()),
    ("history_90", ("history_90",)),
    ("history_90, moderation", ("history_90", "moderation")),
    ("history_90,moderation;  avchatroom", ("history_90", "moderation", "avchatroom")),
    ("history_90，moderation、avchatroom", ("history_90", "moderation", "avchatroom")),  # full-width
    (["history_90", None, "", "moderation"], ("history_90", "moderation")),  # a range with blanks
    ((("history_90",), (None,), ("moderation, avchatroom",)), ("history_90", "moderation", "avchatroom")),
])
def test_addon_codes(value, codes):
    assert addon_codes(value) == codes


@pytest.mark.parametrize("value", [5, 5.0, True, Decimal("1")])
def test_addon_codes_refuse_numbers(value):
    with pytest.raises(QuoteError, match="addons must be add-on codes such as history_90"):
        addon_codes(value)


def test_price_deal_reports_input_and_engine_problems_together():
    with pytest.raises(QuoteError) as info:
        price_deal(get_price_book(), "gold", "1.5", None, "nope", 30)
    assert [p.argument for p in info.value.problems] == ["edition", "peak_dau", "addons", "months"]
    assert str(info.value) == (
        "unknown edition 'gold' (trial, pro, flagship); peak_dau must be a whole number, got '1.5'; "
        "unknown add-on 'nope' (avchatroom, members_2000, members_6000, groups_1000, groups_3000, "
        "history_30, history_90, history_180, history_360, call_basic, call_advanced, call_premium, "
        "moderation); months must be 1 to 24 (whole months), got 30"
    )


def test_price_deal_takes_cell_shaped_values():
    # pro, 35,000 DAU → 3 blocks (3000), 202,000 groups → 2 blocks (2000), history_90 1000:
    # (999 + 1000 + 3000 + 2000) × 12 = 6999 × 12 = 83,988
    q = price_deal(get_price_book(), " 专业版 ", 35000.0, Decimal("202000"), "history_90", 12.0)
    assert q.total == Decimal(83_988)


@pytest.mark.parametrize("value, expected", [
    (None, "0"), ("", "0"), ("12.5", "12.5"), (" 12.5 % ", "12.5"), (12.5, "12.5"), (0.1, "0.1"),
    (10, "10"), (Decimal("7.25"), "7.25"),
])
def test_percent(value, expected):
    from xlpricing.inputs import percent
    assert percent(value) == Decimal(expected)


@pytest.mark.parametrize("value", ["ten", "1e2", "-5", True, math.nan, [5]])
def test_percent_refused(value):
    from xlpricing.inputs import percent
    with pytest.raises(QuoteError, match="discount must be a percentage such as 12.5"):
        percent(value)


@pytest.mark.parametrize("value", ["+-35000", "-+35000", "+ 5", "- 5", "5-", "++5", "3 5", "35,00", "1,2345"])
def test_garbled_numbers_are_refused(value):
    with pytest.raises(QuoteError, match="must be a whole number"):
        whole_number(value, "peak_dau")


@pytest.mark.parametrize("value", ["5" * 5000, 10**5000, "1" + "0" * 12 + "1", 1e300],
                         ids=["5000-digit text", "5000-digit int", "10^12 + 1", "1e300"])
def test_numbers_of_thousands_of_digits_say_above_10_12(value):
    with pytest.raises(QuoteError, match=r"^peak_dau above 10\^12 is not supported"):
        whole_number(value, "peak_dau")


@pytest.mark.parametrize("text", ["#N/A", "#DIV/0!", "#VALUE!", " #ref! ", "#NAME?", "#NUM!", "#NULL!", "#SPILL!"])
def test_error_texts_are_refused_in_every_kind_of_argument(text):
    from xlpricing.inputs import edition_name, percent
    shown = text.strip().upper()
    for convert in (lambda: whole_number(text, "months"), lambda: percent(text, "months"),
                    lambda: edition_name(text, "months"), lambda: addon_codes(text) and None):
        with pytest.raises(QuoteError, match=f"is the error {shown}"):
            convert()
    with pytest.raises(QuoteError, match=f"addons is the error {shown}"):
        addon_codes([["history_90"], [None], [text]])


def test_price_deal_never_hides_an_engine_only_problem():
    # call minutes without a call package: the engine's own complaint, once the inputs are fine
    import functools
    from xlpricing.engine import build_quote
    with pytest.raises(QuoteError, match="call minutes need a call package"):
        price_deal(get_price_book(), "pro", 0, 0, "", 1,
                   engine=functools.partial(build_quote, call_minutes={"audio": 5}))

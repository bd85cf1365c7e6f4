"""The bench's naive reference pricer (scripts/naive_reference.py) prices what the engine prices:
=IMQUOTE's speed is measured against it, so both must compute the same totals.

Hand-worked from the seed book (xlpricing/pricebooks/tencent-im-cn-seed.toml): pro 999 and
flagship 2,999 a month; 10,000 peak DAU and 100,000 peak groups free; overage 1,000 per started
10,000 DAU and per started 100,000 groups; add-ons a month: history_90 1,000 on pro, history_180
1,000 and call_premium 1,500 on flagship, avchatroom 1,000 and moderation 1,000 on pro.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlpricing import get_price_book, quote_total

ROOT = Path(__file__).resolve().parents[1]
SEED = "tencent-im-cn-seed"


def _naive_reference():
    spec = importlib.util.spec_from_file_location("naive_reference", ROOT / "scripts" / "naive_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


naive = _naive_reference()
NUMBERS = naive.numbers((ROOT / "xlpricing" / "pricebooks" / f"{SEED}.toml").read_text(encoding="utf-8"))

HAND_WORKED = [
    # 25,000 DAU above the quota: 3 started blocks; 102,000 groups above: 2 started blocks
    (("pro", 35_000, 202_000, ("history_90",), 12), (999 + 1_000 + 3 * 1_000 + 2 * 1_000) * 12),  # 83,988
    (("pro", 0, 0, (), 1), 999),  # within the free quota: the package alone
    # exactly the DAU quota: no block; one group above the quota: one started block
    (("pro", 10_000, 100_001, (), 3), (999 + 0 + 1 * 1_000) * 3),
    # one DAU above the quota: one block; 200,000 groups above: exactly 2 blocks
    (("flagship", 10_001, 300_000, ("history_180", "call_premium"), 24),
     (2_999 + 1_000 + 1_500 + 1 * 1_000 + 2 * 1_000) * 24),
    # 240,000 DAU above the quota: 24 blocks
    (("pro", 250_000, 0, ("avchatroom", "moderation"), 6), (999 + 1_000 + 1_000 + 24 * 1_000) * 6),
]


@pytest.mark.parametrize(("deal", "expected"), HAND_WORKED)
def test_naive_reference_and_engine_give_the_hand_worked_totals(deal, expected):
    assert naive.total(NUMBERS, *deal) == expected
    assert quote_total(get_price_book(SEED), *deal) == expected


def test_naive_totals_is_total_for_each_deal():
    deals = [deal for deal, _ in HAND_WORKED]
    assert naive.totals(NUMBERS, deals) == [expected for _, expected in HAND_WORKED]


# the add-on menus ./scripts/bench draws its deals from (scripts/bench.py, scenarios)
MENUS = {"pro": [(), ("moderation",), ("history_90",), ("history_90", "moderation"), ("avchatroom", "call_basic")],
         "flagship": [(), ("moderation",), ("history_180",), ("members_6000", "groups_3000"), ("call_premium",)]}


@given(edition=st.sampled_from(sorted(MENUS)), menu=st.integers(0, 4), peak_dau=st.integers(0, 3_000_000),
       peak_groups=st.integers(0, 30_000_000), months=st.integers(1, 24))
def test_naive_reference_agrees_with_the_engine_on_the_bench_deals(edition, menu, peak_dau, peak_groups, months):
    deal = (edition, peak_dau, peak_groups, MENUS[edition][menu], months)
    assert naive.total(NUMBERS, *deal) == quote_total(get_price_book(SEED), *deal)

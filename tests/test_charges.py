"""One contract for every way of charging (after Lago's charge-model tests)."""

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, strategies as st

from xlpricing.charges import BlockCharge, FlatCharge

STRATEGIES = [
    pytest.param(FlatCharge(Decimal("999"), "package", "套餐包"), id="flat-999"),
    pytest.param(FlatCharge(Decimal("0"), "free", "免费"), id="flat-free"),
    pytest.param(FlatCharge(Decimal("0.007")), id="flat-fractional"),
    pytest.param(BlockCharge(10_000, 10_000, Decimal("1000"), "peak DAU", "峰值 DAU", "1万个"), id="block-dau"),
    pytest.param(BlockCharge(100_000, 100_000, Decimal("1000"), "peak groups", "峰值群组数", "10万个"), id="block-groups"),
    pytest.param(BlockCharge(0, 1_000, Decimal("7"), "minutes", "分钟", "千分钟"), id="block-no-free-quota"),
]
usage = st.integers(min_value=0, max_value=10**12)


def independent_amount(strategy, used: int) -> Decimal:
    """What the price page says, worked out with exact fractions (not the strategy's integer trick)."""
    if isinstance(strategy, FlatCharge):
        return strategy.price
    return max(0, math.ceil(Fraction(used - strategy.free, strategy.block_size))) * strategy.block_price


@pytest.mark.parametrize("strategy", STRATEGIES)
@given(a=usage, b=usage)
def test_contract(strategy, a, b):
    low, high = sorted((a, b))
    charge = strategy.charge(low)
    # the amount the price page gives, never negative, in Decimal
    assert charge.amount == independent_amount(strategy, low)
    assert type(charge.amount) is Decimal
    assert charge.amount >= 0 and charge.quantity >= 0
    # more usage never costs less
    assert strategy.charge(high).amount >= charge.amount


@pytest.mark.parametrize("strategy", [s for s in STRATEGIES if isinstance(s.values[0], BlockCharge)])
def test_block_charges_say_how_they_were_counted(strategy):
    for amount_of_use in (0, 1, 10_000, 10_001, 123_456_789):
        c = strategy.charge(amount_of_use)
        assert c.note.en.startswith(f"{amount_of_use:,} ") and c.note.zh


@pytest.mark.parametrize("strategy", [s for s in STRATEGIES if isinstance(s.values[0], FlatCharge)])
def test_flat_charges_ignore_usage(strategy):
    flat = strategy
    for amount_of_use in (0, 1, 10_001, 123_456_789):
        c = flat.charge(amount_of_use)
        assert (c.quantity, c.amount) == (1, flat.price)


@pytest.mark.parametrize("peak, blocks", [
    (0, 0), (9_999, 0), (10_000, 0), (10_001, 1), (19_999, 1), (20_000, 1), (20_001, 2), (22_000, 2),
])
def test_block_charge_counts_started_blocks(peak, blocks):
    dau = BlockCharge(10_000, 10_000, Decimal("1000"), "peak DAU", "峰值 DAU", "1万个")
    assert dau.charge(peak).quantity == blocks
    assert dau.charge(peak).amount == Decimal(1000 * blocks)


def test_block_charge_notes():
    dau = BlockCharge(10_000, 10_000, Decimal("1000"), "peak DAU", "峰值 DAU", "1万个")
    assert dau.charge(8_000).note.en == "8,000 peak DAU ≤ 10,000 free → 0 blocks"
    assert dau.charge(10_001).note.en == "10,001 peak DAU − 10,000 free = 1 → 1 block of 10,000"
    assert dau.charge(22_000).note.zh == "峰值 DAU 22,000 − 免费 10,000 = 12,000 → 2 × 1万个"

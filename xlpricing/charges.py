"""Ways of charging, one small strategy each (after Lago's charge models).

Each strategy turns a monthly usage into a :class:`Charge`: the amount *and* how it was
reached (quantity × unit price, with a note a customer can check by hand).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from . import formatting


@dataclass(frozen=True, slots=True)
class Charge:
    quantity: int
    unit_price: Decimal
    amount: Decimal  # always quantity × unit_price, per month
    note_en: str
    note_zh: str


@dataclass(frozen=True, slots=True)
class FlatCharge:
    """A fixed monthly price, whatever the usage (a package, an add-on)."""

    price: Decimal
    note_en: str = ""
    note_zh: str = ""

    def charge(self, usage: int = 0) -> Charge:
        return Charge(1, self.price, self.price, self.note_en, self.note_zh)


@dataclass(frozen=True, slots=True)
class BlockCharge:
    """Per started block above a free quota: ceil(max(0, usage − free) / block) × block price."""

    free: int
    block_size: int
    block_price: Decimal
    what_en: str  # "peak DAU"
    what_zh: str  # "峰值 DAU"
    unit_zh: str  # "1万个"

    def blocks(self, usage: int) -> int:
        excess = usage - self.free
        return -(-excess // self.block_size) if excess > 0 else 0  # ceiling division on ints

    def charge(self, usage: int) -> Charge:
        blocks = self.blocks(usage)
        c, free = formatting.count, formatting.count(self.free)
        if blocks == 0:
            en = f"{c(usage)} {self.what_en} ≤ {free} free → 0 blocks"
            zh = f"{self.what_zh} {c(usage)} ≤ 免费 {free} → 0"
        else:
            excess = usage - self.free
            plural = "block" if blocks == 1 else "blocks"
            en = (f"{c(usage)} {self.what_en} − {free} free = {c(excess)} → "
                  f"{blocks} {plural} of {c(self.block_size)}")
            zh = f"{self.what_zh} {c(usage)} − 免费 {free} = {c(excess)} → {blocks} × {self.unit_zh}"
        return Charge(blocks, self.block_price, self.block_price * blocks, en, zh)

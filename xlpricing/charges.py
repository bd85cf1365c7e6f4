"""Ways of charging, one small strategy each (after Lago's charge models).

Each strategy turns a monthly usage into a :class:`Charge`: the amount *and* how it was
reached (quantity × unit price, with a note a customer can check by hand).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Note:
    """A fixed explanation, in English and Chinese."""

    en: str = ""
    zh: str = ""


@dataclass(frozen=True, slots=True)
class Charge:
    quantity: int
    unit_price: Decimal
    amount: Decimal  # always quantity × unit_price, per month
    note: "Note | BlockNote"  # how the amount was reached: .en and .zh


@dataclass(frozen=True, slots=True)
class FlatCharge:
    """A fixed monthly price, whatever the usage (a package, an add-on)."""

    price: Decimal
    note_en: str = ""
    note_zh: str = ""

    def charge(self, usage: int = 0) -> Charge:
        return Charge(1, self.price, self.price, Note(self.note_en, self.note_zh))


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
        return Charge(blocks, self.block_price, self.block_price * blocks, BlockNote(self, usage, blocks))


@dataclass(frozen=True, slots=True)
class BlockNote:
    """How a block charge was counted. The text is made when it is read: building it for
    every quote would cost more than the pricing itself."""

    strategy: BlockCharge
    usage: int
    blocks: int

    @property
    def en(self) -> str:
        s, usage = self.strategy, self.usage
        if self.blocks == 0:
            return f"{usage:,} {s.what_en} ≤ {s.free:,} free → 0 blocks"
        plural = "block" if self.blocks == 1 else "blocks"
        return f"{usage:,} {s.what_en} − {s.free:,} free = {usage - s.free:,} → {self.blocks} {plural} of {s.block_size:,}"

    @property
    def zh(self) -> str:
        s, usage = self.strategy, self.usage
        if self.blocks == 0:
            return f"{s.what_zh} {usage:,} ≤ 免费 {s.free:,} → 0"
        return f"{s.what_zh} {usage:,} − 免费 {s.free:,} = {usage - s.free:,} → {self.blocks} × {s.unit_zh}"

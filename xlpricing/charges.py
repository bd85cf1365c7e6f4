"""Ways of charging, one small strategy each (after Lago's charge models).

Each strategy turns a monthly usage into a :class:`Charge`: the amount (``amount``, the only
place its rule is written; the fast total asks for it alone) *and* how it was reached (quantity × unit price, with a note a customer can check by hand). Each also writes its
rule as spreadsheet formulas over cell references (``excel_quantity``, ``excel_note``), so the
workbooks' native formulas, the engine and the notes state one rule in one place; a contract
test recalculates those formulas in an engine we did not write and compares them with
``charge``. The price book names a usage charge's model (``model = "block"``); the engine picks
the class from :data:`CHARGE_MODELS`.
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

    def amount(self, usage: int = 0) -> Decimal:
        return self.price

    def charge(self, usage: int = 0) -> Charge:
        return Charge(1, self.price, self.amount(usage), Note(self.note_en, self.note_zh))

    @staticmethod
    def excel_quantity(usage: str, free: str, block: str) -> str:
        return "1"

    def excel_note(self, lang: str, usage: str, free: str, quantity: str, block: str) -> str:
        return _excel_text(self.note_zh if lang == "zh" else self.note_en)


@dataclass(frozen=True, slots=True)
class BlockCharge:
    """Per started block above a free quota: ceil(max(0, usage − free) / block) × block price."""

    free: int
    block_size: int
    block_price: Decimal
    what_en: str  # "peak DAU"
    what_zh: str  # "峰值 DAU"
    unit_zh: str  # "1万个"

    @classmethod
    def from_overage(cls, over, free: int, what_en: str, what_zh: str) -> "BlockCharge":
        """The strategy for a price book's [[overage]] entry, at an edition's free quota."""
        return cls(free, over.block_size, over.block_price, what_en, what_zh, over.unit_zh)

    def blocks(self, usage: int) -> int:
        excess = usage - self.free
        return -(-excess // self.block_size) if excess > 0 else 0  # ceiling division on ints

    def amount(self, usage: int) -> Decimal:
        """The monthly amount alone (the fast total): the same rule as ``charge``, no breakdown."""
        return self.block_price * self.blocks(usage)

    def charge(self, usage: int) -> Charge:
        blocks = self.blocks(usage)
        return Charge(blocks, self.block_price, self.amount(usage), BlockNote(self, usage, blocks))

    @staticmethod
    def excel_quantity(usage: str, free: str, block: str) -> str:
        """Started blocks as a formula over cell references: ``blocks`` in a spreadsheet."""
        return f"ROUNDUP(MAX(0,{usage}-{free})/{block},0)"

    def excel_note(self, lang: str, usage: str, free: str, quantity: str, block: str) -> str:
        """BlockNote's text as a formula, so a sheet's note follows its inputs."""
        def fmt(v: str) -> str:
            return f'TEXT({v},"#,##0")'
        if lang == "zh":
            return (f'IF({quantity}=0,"{self.what_zh} "&{fmt(usage)}&" ≤ 免费 "&{fmt(free)}&" → 0",'
                    f'"{self.what_zh} "&{fmt(usage)}&" − 免费 "&{fmt(free)}&" = "&{fmt(f"{usage}-{free}")}&" → "'
                    f'&{quantity}&" × {self.unit_zh}")')
        return (f'IF({quantity}=0,{fmt(usage)}&" {self.what_en} ≤ "&{fmt(free)}&" free → 0 blocks",'
                f'{fmt(usage)}&" {self.what_en} − "&{fmt(free)}&" free = "&{fmt(f"{usage}-{free}")}&" → "&{quantity}'
                f'&IF({quantity}=1," block"," blocks")&" of "&{fmt(block)})')


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


def _excel_text(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


# Every way of charging, by the name a price book gives it. A usage charge ([[overage]]) names its
# model; packages and add-ons are flat.
CHARGE_MODELS: dict[str, type] = {"flat": FlatCharge, "block": BlockCharge}
USAGE_MODELS = ("block",)  # the models an [[overage]] entry may name

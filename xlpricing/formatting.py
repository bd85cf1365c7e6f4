"""How numbers and money read, in one place: notes, the command line and cells all use it."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

CENT = Decimal("0.01")


def count(n: int) -> str:
    """35000 -> '35,000'."""
    return f"{n:,}"


def amount(value: Decimal) -> str:
    """Whole yuan without decimals, anything else to the fen, never rounded away silently."""
    if value == value.to_integral_value():
        return f"{int(value):,}"
    if value == value.quantize(CENT):
        return f"{value.quantize(CENT):,}"
    return f"{value:,}"


def percent(value: Decimal) -> str:
    """12.50 -> '12.5' (the number only; add the % sign where it is shown)."""
    return f"{value.normalize():f}"


def money(value: Decimal, currency: str = "CNY") -> str:
    return f"{currency} {amount(value)}"


def display_width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def table(header: list[str], rows: list[list[str]], right: set[int] = frozenset()) -> str:
    """A plain-text table with CJK-aware column widths; columns in ``right`` are right-aligned."""
    widths = [display_width(h) for h in header]
    for row in rows:
        widths = [max(w, display_width(c)) for w, c in zip(widths, row)]
    def line(cells: list[str]) -> str:
        return "  ".join(pad(c, w, i in right) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()
    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])

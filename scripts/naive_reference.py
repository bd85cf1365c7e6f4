"""A naive reference pricer: what a term's total costs in plain Python, for ./scripts/bench.

Plain dict lookups and a ceiling over a price book's numbers, with nothing of xlpricing (no checks,
no line items, no input normalisation): the floor that =IMQUOTE's speed is measured against
(issue #30: scalar calls within 10x of it, 100,000-row arrays within 4x). It knows only what the
seed book's pro and flagship editions need: a monthly price, add-on prices, and overage per started
block above a free quota. Standard library only: the bench also runs it inside Pyodide.
"""

from __future__ import annotations

import tomllib


def numbers(book_toml: str) -> dict:
    """The numbers of a price book's TOML that a pro or flagship total needs, as plain dicts."""
    book = tomllib.loads(book_toml)
    return {
        "editions": {e["code"]: (int(e["monthly_price"]), int(e["free_peak_dau"]), int(e["free_peak_groups"]))
                     for e in book["editions"] if not e["capped"]},
        "addons": {(a["code"], edition): int(price) for a in book["addons"] for edition, price in a["prices"].items()},
        "blocks": {o["metric"]: (int(o["block_size"]), int(o["block_price"])) for o in book["overage"]},
    }


def total(book: dict, edition: str, peak_dau: int, peak_groups: int, addons: tuple[str, ...], months: int) -> int:
    monthly, free_dau, free_groups = book["editions"][edition]
    for code in addons:
        monthly += book["addons"][code, edition]
    dau_block, dau_price = book["blocks"]["peak_dau"]
    groups_block, groups_price = book["blocks"]["peak_groups"]
    monthly += -(-max(0, peak_dau - free_dau) // dau_block) * dau_price  # -(-a // b): ceil(a / b) in integers
    monthly += -(-max(0, peak_groups - free_groups) // groups_block) * groups_price
    return monthly * months


def totals(book: dict, deals: list[tuple]) -> list[int]:
    """total() for many deals (edition, peak_dau, peak_groups, addons, months): the array case."""
    return [total(book, *deal) for deal in deals]

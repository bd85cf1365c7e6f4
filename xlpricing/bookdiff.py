"""What changes between two price books: every edition, free quota, add-on, overage and call rate.

For sales operations reading a new price page: ``xlpricing diff A B`` prints these as a table or
CSV. Pure: two PriceBooks in, a list of changes out.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable

from . import formatting
from .pricebook import Addon, PriceBook

ABSENT = "—"


@dataclass(frozen=True, slots=True)
class Change:
    section: str  # meta, edition, overage, add-on, calls
    item: str  # the code
    what: str  # the field, or "added" / "removed"
    before: str
    after: str


def _shown(value: Any) -> str:
    if value is None:
        return ABSENT
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return formatting.amount(value)
    if isinstance(value, int):
        return formatting.count(value)
    if isinstance(value, (tuple, list)):
        return ", ".join(map(str, value)) if value else ABSENT
    if isinstance(value, dict):
        return ", ".join(f"{k} {_shown(v) if v is not None else 'unlimited'}" for k, v in value.items()) or ABSENT
    return str(value)


def _fields(section: str, item: str, pairs: Iterable[tuple[str, Any, Any]]) -> list[Change]:
    return [Change(section, item, what, _shown(a), _shown(b)) for what, a, b in pairs if a != b]


def _status(addon: Addon) -> str:
    return f"withdrawn {addon.withdrawn.on}" if addon.withdrawn else "on sale"


def book_differences(a: PriceBook, b: PriceBook) -> list[Change]:
    changes = _fields("meta", "book", [
        ("id", a.id, b.id), ("region", a.region, b.region), ("period", a.period, b.period),
        ("currency", a.currency, b.currency), ("months", (a.min_months, a.max_months), (b.min_months, b.max_months)),
        ("add-ons", a.addons_unavailable or "sold", b.addons_unavailable or "sold"),
    ])
    changes += _paired("edition", {e.code: e for e in a.editions}, {e.code: e for e in b.editions}, lambda x, y: [
        ("monthly price", x.monthly_price, y.monthly_price), ("free peak DAU", x.free_peak_dau, y.free_peak_dau),
        ("free peak groups", x.free_peak_groups, y.free_peak_groups), ("capped", x.capped, y.capped),
        *((f"limit {k}", x.limits.get(k, ABSENT), y.limits.get(k, ABSENT))
          for k in dict.fromkeys([*x.limits, *y.limits])),
    ])
    changes += _paired("overage", {o.code: o for o in a.overage}, {o.code: o for o in b.overage}, lambda x, y: [
        ("metric", x.metric, y.metric), ("block", x.block_size, y.block_size),
        ("block price", x.block_price, y.block_price), ("editions", x.editions, y.editions),
    ])
    changes += _paired("add-on", {x.code: x for x in a.addons}, {x.code: x for x in b.addons}, lambda x, y: [
        ("status", _status(x), _status(y)),
        ("sold on", tuple(x.prices), tuple(y.prices)),  # the pairing: which editions can buy it
        *((f"price on {e}", x.list_prices.get(e), y.list_prices.get(e))
          for e in dict.fromkeys([*x.list_prices, *y.list_prices])),
        ("included in", x.included_in, y.included_in), ("minutes included", x.included_minutes, y.included_minutes),
        ("billing", x.billing, y.billing),
    ])
    calls_a = {a.calls.code: a.calls} if a.calls else {}
    calls_b = {b.calls.code: b.calls} if b.calls else {}
    changes += _paired("calls", calls_a, calls_b, lambda x, y: [
        ("per 1,000 audio-equivalent minutes", x.per_1000_equivalent, y.per_1000_equivalent),
        ("weights", dict(x.weights), dict(y.weights)), ("package family", x.family, y.family),
    ])
    return changes


def _paired(section: str, before: dict, after: dict, compare) -> list[Change]:
    changes = []
    for code in dict.fromkeys([*before, *after]):
        x, y = before.get(code), after.get(code)
        if x is None:
            changes.append(Change(section, code, "added", ABSENT, _summary(y)))
        elif y is None:
            changes.append(Change(section, code, "removed", _summary(x), ABSENT))
        else:
            changes += _fields(section, code, compare(x, y))
    return changes


def _summary(item: Any) -> str:
    """One line for an added or removed item."""
    if isinstance(item, Addon):
        prices = ", ".join(f"{e} {formatting.amount(p)}" for e, p in item.list_prices.items())
        minutes = f", {formatting.count(item.included_minutes)} min" if item.included_minutes else ""
        return f"{prices or 'included only'}{minutes}" + (f" (withdrawn {item.withdrawn.on})" if item.withdrawn else "")
    for price in ("monthly_price", "block_price", "per_1000_equivalent"):
        if hasattr(item, price):
            return formatting.amount(getattr(item, price))
    return "yes"

"""xlpricing: exact quotes for Tencent Cloud IM (China data center) from a price book that is data.

    >>> from xlpricing import quote
    >>> q = quote("pro", peak_dau=22000, months=12)
    >>> q.total
    Decimal('35988')
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable

from .engine import LineItem, ListPrice, Quote, build_quote, list_price, quote_total
from .errors import PriceBookError, Problem, QuoteError
from .inputs import addon_codes, percent
from .pricebook import PriceBook, available_price_books, get_price_book, load_price_book

# Kept importable for code written against earlier versions; nothing reads it. The default book is
# a catalog's (xlpricing.book.catalog): XLPRICING_PRICE_BOOK, else the China book in force that day.
DEFAULT_PRICE_BOOK: str | None = None

__all__ = [
    "DEFAULT_PRICE_BOOK", "LineItem", "ListPrice", "PriceBook", "PriceBookError", "Problem",
    "Quote", "QuoteError", "available_price_books", "build_quote", "get_price_book",
    "list_price", "load_price_book", "quote", "quote_total",
]


def quote(
    edition: str,
    peak_dau: int = 0,
    peak_groups: int = 0,
    addons: Iterable[str] = (),
    months: int = 1,
    price_book: str | PriceBook | None = None,
    discount_percent: Decimal | int = 0,
    call_minutes: dict[str, int] | None = None,
) -> Quote:
    """Price one deal with a shipped price book (default: the seed page) or a given one.

    ``addons`` is a list of codes or a text such as ``"history_90, moderation"``;
    ``discount_percent`` is 12.5, "12.5%" or Decimal("12.5").
    """
    book = price_book if isinstance(price_book, PriceBook) else get_price_book(price_book)
    if isinstance(addons, str):
        addons = addon_codes(addons)
    return build_quote(book, edition, peak_dau, peak_groups, addons, months, percent(discount_percent), call_minutes)

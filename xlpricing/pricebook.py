"""The price book's names as they have always been imported (``xlpricing.pricebook``).

A book itself lives in book/model.py; which books exist and which one a quote gets, in
book/catalog.py. The functions here ask the one catalog of the shipped books, made on first use
(``shipped_catalog``): code that prices with another catalog is handed it instead.
"""

from __future__ import annotations

import datetime as dt

from .book.catalog import PRICE_BOOK_ENV, Catalog, overlapping_periods, parse_day, shipped_catalog
from .book.catalog import SHIPPED_DIR as PRICEBOOK_DIR
from .book.model import (BILLING_MODES, METRICS, REGIONS, UNLIMITED, Addon, CallRates, Edition, Limit, Note, Overage,
                         PriceBook, Source, Tax, Withdrawal, _Checker, load_price_book, parse_price_book)

__all__ = [
    "BILLING_MODES", "METRICS", "PRICEBOOK_DIR", "PRICE_BOOK_ENV", "REGIONS", "UNLIMITED", "Addon", "CallRates",
    "Catalog", "Edition", "Limit", "Note", "Overage", "PriceBook", "Source", "Tax", "Withdrawal", "_Checker",
    "available_price_books", "book_in_force", "choose_price_book", "client_book", "default_book",
    "get_price_book", "load_price_book", "overlapping_periods", "parse_day", "parse_price_book", "shipped_books",
    "superseded",
]


def available_price_books() -> tuple[str, ...]:
    """Ids of the price books shipped in the package (one ``.toml`` file each)."""
    return shipped_catalog().ids()


def get_price_book(name: str | None = None) -> PriceBook:
    """A shipped price book by id, or any price book file by path; None: the default book (the
    team's, XLPRICING_PRICE_BOOK, else the China book in force today)."""
    return shipped_catalog().get(name) if name else shipped_catalog().default()


def default_book(on: dt.date | None = None) -> PriceBook:
    """The book a quote dated ``on`` (today when None) gets when nobody chose one."""
    return shipped_catalog().default(on)


def shipped_books() -> tuple[PriceBook, ...]:
    """Every shipped book, checked as a whole: books of one region must not overlap in time."""
    return shipped_catalog().books()


def book_in_force(day: dt.date, region: str = "cn") -> PriceBook:
    """The shipped book of ``region`` whose period holds ``day``."""
    return shipped_catalog().in_force(day, region)


def superseded(book: PriceBook, today: dt.date | None = None) -> str:
    """'' for a book in force (or not yet), else one line saying since when and by which book."""
    return shipped_catalog().superseded(book, today)


def choose_price_book(name: str | None = None, as_of: dt.date | None = None, region: str | None = None,
                      today: dt.date | None = None) -> PriceBook:
    """--price-book wins; else --as-of and --region pick the book in force; else the default on
    ``today`` (Catalog.choose)."""
    return shipped_catalog().choose(name, as_of, region, today)


def client_book(name: object, today: dt.date | None = None, argument: str = "price_book") -> PriceBook:
    """The book a client of the team server names: an id only (Catalog.client_book)."""
    return shipped_catalog().client_book(name, today, argument)

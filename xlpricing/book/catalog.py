"""Every price book one may quote with, and which of them a quote gets.

A :class:`Catalog` knows the books of a folder (the shipped ones) with their effective dates, so it
can say which is in force on a day; it reads a book named by a file, or given as text; and it
knows the default: the one its owner chose (``use_default``, ``use_book_text``), else the team's
(``XLPRICING_PRICE_BOOK``: an id, a file or a date, read when asked), else the China book in force
on the quote's date. A catalog is handed to whoever prices. What it remembers is its own (books are
immutable, so one reading is enough): two catalogs may default to different books in one process,
and no module global says which book is in force.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
import os
import re
import threading
import time
from pathlib import Path
from typing import Callable

from ..errors import PriceBookError, QuoteError
from .model import REGIONS, PriceBook, load_price_book, parse_price_book

SHIPPED_DIR = Path(__file__).parent.parent / "pricebooks"
PRICE_BOOK_ENV = "XLPRICING_PRICE_BOOK"  # a team's default: a book id, a .toml file or a date
REMEMBERED = 64  # books by name, text or day that a catalog keeps; the oldest goes first


class Catalog:
    """The books of ``folder`` (one ``.toml`` file each, checked together: the books of one region
    must not overlap in time), books read from files or texts, and the default book.

    ``default``: an id, a .toml file or a date; None: the team's default from the environment, else
    the China book in force on the quote's date. ``clock``: seconds since the epoch, for "today".
    """

    def __init__(self, folder: str | Path = SHIPPED_DIR, default: str | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.folder = Path(folder)
        self._clock = clock
        self._ids: tuple[str, ...] | None = None  # the folder's books, listed once
        self._shipped: tuple[PriceBook, ...] | None = None
        self._named: dict[str, PriceBook] = {}  # an id or a file's path -> its book
        self._texts: dict[str, PriceBook] = {}  # the SHA-256 of a book's text -> its book
        self._given: dict[str, PriceBook] = {}  # books given as text, known by their id
        self._in_force: dict[tuple[dt.date, str], PriceBook] = {}
        self._team: dict[str, PriceBook] = {}  # a value of XLPRICING_PRICE_BOOK -> its book
        self._today: tuple[float, PriceBook | None] = (0.0, None)  # until when, the book in force today
        self._remembering = threading.Lock()  # the team server's threads share a catalog
        self._default: PriceBook | None = None if default is None else self._resolve(default, "default")

    # ------------------------------------------------------------------ the books it knows

    def ids(self) -> tuple[str, ...]:
        """Ids of the folder's books, then of the books given as text."""
        folder = self._folder_ids()
        return folder + tuple(i for i in self._given if i not in folder)

    def _folder_ids(self) -> tuple[str, ...]:
        if self._ids is None:
            self._ids = tuple(sorted(p.stem for p in self.folder.glob("*.toml")))
        return self._ids

    def get(self, name: str) -> PriceBook:
        """A book by id, or any price book file by path (a name ending in .toml, any case)."""
        book = self._given.get(name) or self._named.get(name)
        if book is None:
            book = self._remember(self._named, name, self._read(name))
        return book

    def _read(self, name: str) -> PriceBook:
        path = Path(name)
        if path.suffix.lower() != ".toml":  # a file saved as BOOK.TOML is a file too
            path = self.folder / f"{name}.toml"
            if not path.is_file():
                raise PriceBookError(name, [f"no price book called {name!r} (shipped: {', '.join(self.ids())})"])
        return load_price_book(path)

    def from_text(self, text: str, source: str = "<text>") -> PriceBook:
        """The book a TOML text holds, checked whole; the same text is read once."""
        key = hashlib.sha256(text.encode("utf-8")).hexdigest()
        book = self._texts.get(key)
        if book is None:
            book = self._remember(self._texts, key, parse_price_book(text, source))
        return book

    def books(self) -> tuple[PriceBook, ...]:
        """Every book of the folder, checked as a whole: books of one region must not overlap in time."""
        if self._shipped is None:
            books = tuple(self._named.get(name) or self._remember(self._named, name, self._read(name))
                          for name in self._folder_ids())  # the folder's own, even where a text gave one its id
            problems = overlapping_periods(books)
            if problems:
                raise PriceBookError(str(self.folder), problems)
            self._shipped = books
        return self._shipped

    def in_force(self, day: dt.date, region: str = "cn") -> PriceBook:
        """The folder's book of ``region`` whose period holds ``day``."""
        book = self._in_force.get((day, region))
        if book is None:
            book = self._remember(self._in_force, (day, region), self._find_in_force(day, region))
        return book

    def _find_in_force(self, day: dt.date, region: str) -> PriceBook:
        books = self.books()
        if region not in REGIONS:
            raise PriceBookError("--region", [f"no region {region!r} (regions: {', '.join(REGIONS)})"])
        for book in books:
            if book.region == region and book.in_force(day):
                return book
        listed = ", ".join(f"{b.id} ({b.period})" for b in books if b.region == region)
        raise PriceBookError("as of", [f"no {region} price book is in force on {day} (books: {listed})"])

    def superseded(self, book: PriceBook, today: dt.date | None = None) -> str:
        """'' for a book in force (or not yet), else one line saying since when and by which book."""
        today = today or self.today()
        if book.effective_to is None or today <= book.effective_to:
            return ""
        day = book.effective_to + dt.timedelta(days=1)
        try:
            after = f" by {self.in_force(day, book.region).id}"
        except PriceBookError:
            after = ""
        return f"prices of {book.id} ({book.period}), superseded on {day}{after}"

    def today(self) -> dt.date:
        return dt.date.fromtimestamp(self._clock())

    # ------------------------------------------------------------------ choosing one

    def default(self, on: dt.date | None = None) -> PriceBook:
        """The book a quote dated ``on`` (today when None) gets when nobody names one: this catalog's
        own, else the team's (XLPRICING_PRICE_BOOK), else the China book in force that day."""
        if self._default is not None:
            return self._default
        team = os.environ.get(PRICE_BOOK_ENV)
        if team and not team.isspace():
            book = self._team.get(team)
            if book is None:
                book = self._remember(self._team, team, self._resolve(team.strip(), PRICE_BOOK_ENV))
            return book
        if on is not None:
            return self.in_force(on, "cn")
        until, book = self._today
        if book is not None and self._clock() < until:  # every =IMQUOTE without a book asks: one look a day
            return book
        today = self.today()
        book = self.in_force(today, "cn")
        self._today = (dt.datetime.combine(today + dt.timedelta(days=1), dt.time()).timestamp(), book)
        return book

    def choose(self, name: str | None = None, as_of: dt.date | None = None, region: str | None = None,
               today: dt.date | None = None) -> PriceBook:
        """--price-book wins; else --as-of and --region pick the book in force (on ``today`` — the
        quote's date — when only the region is given); else the default on ``today``."""
        if name:
            return self.get(name)
        if as_of is not None or region:
            return self.in_force(as_of or today or self.today(), region or "cn")
        return self.default(today)

    def client_book(self, name: object, today: dt.date | None = None, argument: str = "price_book") -> PriceBook:
        """The book a client of the team server names (the API, a page): a book's id, never a file,
        so an unknown name is one message whatever lies on the server's disk; nothing named: the
        default on ``today``, as the command line chooses it."""
        default = self.choose(today=today)
        if name is None or name == "":
            return default
        known = self.ids()
        if isinstance(name, str) and name.strip() in (*known, default.id):
            return default if name.strip() == default.id else self.get(name.strip())
        shown = repr(name[:60] + "…" if len(name) > 60 else name) if isinstance(name, str) else type(name).__name__
        raise QuoteError.of(argument, f"{argument}: no price book {shown} (books: {', '.join(known)})")

    def _resolve(self, value: str, label: str) -> PriceBook:
        """A default given as an id, a file or a date; a message names where it was given, so the
        fix is found where it is."""
        day = parse_day(value)
        if day is not None:
            return self.in_force(day)
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", value):
            raise PriceBookError(label, [f"{value} is not a date (a book id, a .toml file or a date "
                                         "such as 2024-06-01)"])
        try:
            return self.get(value)
        except PriceBookError as exc:
            raise PriceBookError(f"{label}={value}", exc.problems) from None

    def _remember(self, memo: dict, key, value):
        with self._remembering:
            if len(memo) >= REMEMBERED:
                del memo[next(iter(memo))]
            memo[key] = value
        return value

    # ------------------------------------------------------------------ its owner's choices

    def use_default(self, name: str) -> PriceBook:
        """From now on the default is ``name`` (an id, a file or a date), whatever the environment says."""
        self._default = self._resolve(name, "default")
        return self._default

    def use_book_text(self, text: str, source: str = "<text>") -> PriceBook:
        """The book in ``text`` (checked whole) known by its id from now on, and the default."""
        book = self.from_text(text, source)
        self._given[book.id] = book
        self._default = book
        return book

    def with_default(self, book: PriceBook) -> "Catalog":
        """This catalog's books with ``book`` the default, this one unchanged: a workbook's example
        cells are computed with the book its own functions default to. What this one has read is
        shared (books are immutable); the books given as text from now on are each one's own."""
        other = copy.copy(self)
        other._given = dict(self._given)
        other._default = book
        return other


@functools.cache
def shipped_catalog() -> Catalog:
    """The one catalog of the shipped books behind xlpricing.pricebook's functions, made on first use."""
    return Catalog()


def overlapping_periods(books: tuple[PriceBook, ...]) -> list[str]:
    problems = []
    for i, a in enumerate(books):
        for b in books[i + 1:]:
            if a.region != b.region:
                continue
            start = max(a.effective_from or dt.date.min, b.effective_from or dt.date.min)
            end = min(a.effective_to or dt.date.max, b.effective_to or dt.date.max)
            if start <= end:
                problems.append(f"{b.id}: meta.effective_from/effective_to ({b.period}) overlap {a.id} ({a.period}) "
                                f"in region {a.region}, from {start}")
    return problems


def parse_day(text: str) -> dt.date | None:
    """A date written YYYY-MM-DD, or None when the text is not one."""
    try:
        return dt.date.fromisoformat(text.strip()) if len(text.strip()) == 10 else None
    except ValueError:
        return None

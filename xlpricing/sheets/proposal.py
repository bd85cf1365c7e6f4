"""Quote workbooks a sales team sends: the template's quote sheet, filled in, with a proposal header.

The deal is priced by the engine first; a deal it refuses never becomes a workbook. The sheet
keeps its live formulas and defined names (the customer can change a quantity and the totals
follow) and also stores every formula's value, so previews that do not calculate show numbers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.workbook.workbook import Workbook

from ..engine import Quote
from ..pricebook import PriceBook
from . import layout as L
from .cached import add_cached_values
from .quotesheet import cached_values, fill_inputs
from .template import add_template_sheets, save_workbook

VALID_DAYS = 30


@dataclass(frozen=True)
class Proposal:
    """What a proposal says besides the prices. Every text here is written as literal text."""

    customer: str
    contact: str = ""
    quote_number: str = ""  # made from the deal when empty
    quote_date: dt.date = field(default_factory=dt.date.today)
    valid_until: dt.date | None = None  # quote_date + 30 days when None
    notes: str = ""

    def number_for(self, quote: Quote) -> str:
        if self.quote_number.strip():
            return self.quote_number.strip()
        digest = hashlib.sha1(repr((self.customer, quote)).encode("utf-8")).hexdigest()[:6].upper()
        return f"Q{self.quote_date:%Y%m%d}-{digest}"

    def expiry(self) -> dt.date:
        return self.valid_until or self.quote_date + dt.timedelta(days=VALID_DAYS)


def literal(cell, text: str) -> None:
    """Free text stays text: never a formula (=, +, -, @) and never an error value (#N/A)."""
    cell.value = text
    cell.data_type = "s"
    if text[:1] in ("=", "+", "-", "@", "#"):
        cell.quotePrefix = True  # Excel keeps showing it as typed when the cell is edited


class QuoteWorkbookWriter:
    """Builds the workbook once and refills it for every deal: the layout is the same each time."""

    def __init__(self, book: PriceBook):
        self.book = book
        self.wb = Workbook()
        self.wb.remove(self.wb.active)
        add_template_sheets(self.wb, book, compare=False)
        self.ws = self.wb[L.QUOTE_SHEET]

    def fill(self, quote: Quote, proposal: Proposal) -> Workbook:
        if quote.price_book_id != self.book.id:
            raise ValueError(f"quote priced with {quote.price_book_id}, workbook built for {self.book.id}")
        discount = quote.discount_percent if quote.discount_percent else None
        fill_inputs(self.ws, quote.edition, quote.peak_dau, quote.peak_groups, list(quote.addons),
                    quote.months, discount)
        header = {
            "customer": proposal.customer,
            "contact": proposal.contact,
            "quote_number": proposal.number_for(quote),
            "notes": proposal.notes,
        }
        for key, text in header.items():
            literal(self.ws[L.HEADER_FIELDS[key][2]], text)
        for key, day in (("quote_date", proposal.quote_date), ("valid_until", proposal.expiry())):
            cell = self.ws[L.HEADER_FIELDS[key][2]]
            cell.value = day
            cell.number_format = "yyyy-mm-dd"
        return self.wb

    def write(self, path: str | Path, quote: Quote, proposal: Proposal, force: bool = False) -> Path:
        wb = self.fill(quote, proposal)
        values = cached_values(self.book, quote)
        return save_workbook(wb, path, force=force,
                             finish=lambda tmp: add_cached_values(tmp, L.QUOTE_SHEET, values))


def write_quote_workbook(path: str | Path, book: PriceBook, quote: Quote, proposal: Proposal,
                         force: bool = False) -> Path:
    return QuoteWorkbookWriter(book).write(path, quote, proposal, force=force)


_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]+')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_file_stem(text: str, fallback: str = "quote", limit: int = 80) -> str:
    """A file name stem that Windows and Linux both accept, made from free text (a customer name)."""
    stem = unicodedata.normalize("NFC", text)
    stem = _UNSAFE.sub("_", stem)
    stem = re.sub(r"\s+", " ", stem).strip(" ._")
    stem = stem.lstrip("=+-@#")  # a name that would look like a formula in a file listing
    stem = stem[:limit].rstrip(" .")
    if not stem or stem.split(".")[0].upper() in _RESERVED:
        stem = f"{fallback}-{stem}" if stem else fallback
    return stem


def unique_path(folder: Path, stem: str, suffix: str, taken: set[str]) -> Path:
    """``folder/stem.suffix``, or ``stem-2``, ``stem-3`` … if the name is taken (case-blind, as on Windows)."""
    candidate, n = stem, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{stem}-{n}"
    taken.add(candidate.casefold())
    return folder / f"{candidate}{suffix}"

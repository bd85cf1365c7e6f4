"""Quote workbooks a sales team sends: the template's quote sheet, filled in, with a proposal header.

The deal is priced by the engine first; a deal it refuses never becomes a workbook. The sheet
keeps its live formulas and defined names (the customer can change a quantity and the totals
follow) and also stores every formula's value, so previews that do not calculate show numbers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Callable
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.workbook.workbook import Workbook

from ..engine import Quote
from ..inputs import MAX_OPTIONS
from ..pricebook import PriceBook
from ..seller import Seller
from . import layout as L
from .style import literal, portable_widths
from .cached import add_cached_values
from .quotesheet import cached_values, fill_inputs, formula_cells, write_quote_sheet
from .template import add_template_sheets, open_on, save_workbook

VALID_DAYS = 30
VALID_DAYS_RANGE = (1, 365)
QUOTE_DATE_RANGE = (dt.date(2000, 1, 1), dt.date(2099, 12, 31))


def check_quote_dates(quote_date: dt.date, valid_days: int, names: tuple[str, str] = ("--date", "--valid-days")
                      ) -> str | None:
    """What is wrong with a quote's date and validity, or None; the ranges are in the README.
    ``names``: what the date and the days are called where they were given."""
    low, high = QUOTE_DATE_RANGE
    if not low <= quote_date <= high:
        return f"{names[0]} must be from {low} to {high}, got {quote_date}"
    if not VALID_DAYS_RANGE[0] <= valid_days <= VALID_DAYS_RANGE[1]:
        return f"{names[1]} must be from {VALID_DAYS_RANGE[0]} to {VALID_DAYS_RANGE[1]}, got {valid_days:,}"
    return None


@dataclass(frozen=True)
class Proposal:
    """What a proposal says besides the prices. Every text here is written as literal text."""

    customer: str
    contact: str = ""  # the seller's sales contact
    quote_number: str = ""  # made from the deal when empty
    quote_date: dt.date = field(default_factory=dt.date.today)
    valid_until: dt.date | None = None  # quote_date + 30 days when None
    notes: str = ""
    seller: Seller | None = None  # None: no seller block
    lang: str = "both"  # zh, en or both: the proposal sheet's language
    recommend: int | None = None  # which option (1-based) is marked recommended; None: the cheapest
    banner: str = ""  # a warning across the top of the page (the register's "pending approval")
    customer_address: str = ""
    customer_contact: str = ""  # the customer's contact: a name, a phone, an email, as typed
    seller_path: str = ""  # where ``seller`` was read from: the register keeps the path, not the profile

    def to_record(self) -> dict:
        """What the register keeps to write this proposal again (the seller as its profile's path)."""
        return {"customer": self.customer, "contact": self.contact, "notes": self.notes, "lang": self.lang,
                "recommend": self.recommend, "seller": self.seller_path, "quote_date": self.quote_date.isoformat(),
                "valid_days": (self.expiry() - self.quote_date).days, "customer_address": self.customer_address,
                "customer_contact": self.customer_contact}

    @classmethod
    def from_record(cls, record: dict, label: str = "", banner: str = "") -> "Proposal":
        """A recorded proposal, its seller profile read again from its path, under ``label``."""
        from ..seller import choose_seller
        day = dt.date.fromisoformat(record["quote_date"])
        path = record.get("seller", "")
        return cls(customer=record["customer"], contact=record.get("contact", ""), quote_number=label,
                   quote_date=day, valid_until=day + dt.timedelta(days=record.get("valid_days", VALID_DAYS)),
                   notes=record.get("notes", ""), seller=choose_seller(path or None), lang=record.get("lang", "both"),
                   recommend=record.get("recommend"), banner=banner,
                   customer_address=record.get("customer_address", ""),
                   customer_contact=record.get("customer_contact", ""), seller_path=path)

    def problems(self) -> list[str]:
        """Texts too long for the page (the limits are in the README): refused, never cut."""
        from ..formatting import text_problems
        return text_problems({"customer": self.customer, "customer address": self.customer_address,
                              "customer contact": self.customer_contact, "contact": self.contact,
                              "quote number": self.quote_number, "notes": self.notes})

    def number_for(self, quote: Quote) -> str:
        if self.quote_number.strip():
            return self.quote_number.strip()
        digest = hashlib.sha1(repr((self.customer, quote)).encode("utf-8")).hexdigest()[:6].upper()
        return f"Q{self.quote_date:%Y%m%d}-{digest}"

    def expiry(self) -> dt.date:
        return self.valid_until or self.quote_date + dt.timedelta(days=VALID_DAYS)


class QuoteWorkbookWriter:
    """Builds the workbook once and refills it for every deal: the layout is the same each time."""

    def __init__(self, book: PriceBook):
        self.book = book
        self.wb = Workbook()
        portable_widths(self.wb)  # the proposal prints at a fixed scale: its widths must not vary
        self.wb.remove(self.wb.active)
        add_template_sheets(self.wb, book, compare=False, deal=False)
        self.ws = self.wb[L.QUOTE_SHEET]
        self.cells, self.names = formula_cells(book)  # the same for every deal: built once

    def fill(self, ws, quote: Quote, proposal: Proposal, number: str) -> None:
        """Type one option into a working quote sheet, with the proposal's header."""
        if quote.price_book_id != self.book.id:
            raise ValueError(f"quote priced with {quote.price_book_id}, workbook built for {self.book.id}")
        discount = quote.discount_percent if quote.discount_percent else None
        fill_inputs(ws, quote.edition, quote.peak_dau, quote.peak_groups, list(quote.addons), quote.months, discount)
        header = {"customer": proposal.customer, "contact": proposal.contact, "quote_number": number,
                  "notes": proposal.notes}
        for key, text in header.items():
            literal(ws[L.HEADER_FIELDS[key][2]], text)
        for key, day in (("quote_date", proposal.quote_date), ("valid_until", proposal.expiry())):
            cell = ws[L.HEADER_FIELDS[key][2]]
            cell.value = day
            cell.number_format = "yyyy-mm-dd"

    def write(self, path: str | Path, quotes: Quote | list[Quote], proposal: Proposal, force: bool = False,
              forecast=None, saved: Callable[[Path], object] | None = None) -> Path:
        """The proposal sheet first, then one working quote sheet per option (1 to 3). ``forecast``
        (an advisor.Forecast) adds a sheet with the month-by-month costs and a chart."""
        from .proposalsheet import write_proposal_sheet

        quotes = [quotes] if isinstance(quotes, Quote) else list(quotes)
        if not 1 <= len(quotes) <= MAX_OPTIONS:
            raise ValueError(f"a proposal has 1 to {MAX_OPTIONS} options, got {len(quotes)}")
        wb, number = self.wb, proposal.number_for(quotes[0])
        added = []  # sheets of this deal only: the writer is reused for the next one
        try:
            sheets = [L.QUOTE_SHEET]
            for k in range(2, len(quotes) + 1):
                ws = wb.create_sheet(f"{L.QUOTE_SHEET} {k}", wb.sheetnames.index(sheets[-1]) + 1)
                write_quote_sheet(ws, self.book, local_names=True)  # its names are its own
                added.append(ws)
                sheets.append(ws.title)
            for quote, name in zip(quotes, sheets):
                self.fill(wb[name], quote, proposal, number)
            page, page_values = write_proposal_sheet(wb, self.book, quotes, proposal, sheets, self.names)
            added.append(page)
            if forecast is not None:
                added.append(write_forecast_sheet(wb, self.book, forecast))
            open_on(wb, L.PROPOSAL_SHEET)
            values = [(name, cached_values(self.book, quote, self.cells)) for quote, name in zip(quotes, sheets)]
            values.append((L.PROPOSAL_SHEET, page_values))

            def finish(tmp: Path) -> None:
                for name, cells in values:
                    add_cached_values(tmp, name, cells)
                if saved is not None:  # the register records the finished file before it is published
                    saved(tmp)

            return save_workbook(wb, path, force=force, finish=finish)
        finally:
            for ws in added:
                wb.remove(ws)


def write_quote_workbook(path: str | Path, book: PriceBook, quotes: Quote | list[Quote], proposal: Proposal,
                         force: bool = False, forecast=None, saved: Callable[[Path], object] | None = None) -> Path:
    return QuoteWorkbookWriter(book).write(path, quotes, proposal, force=force, forecast=forecast, saved=saved)


def write_forecast_sheet(wb: Workbook, book: PriceBook, forecast):
    """预测 Forecast: one row a month (values from the engine) and a line chart of the totals."""
    from openpyxl.chart import LineChart, Reference

    from . import style

    money = style.MONEY_FEN
    ws = wb.create_sheet(L.FORECAST_SHEET, wb.sheetnames.index(L.PRICE_SHEET))  # after the working sheets
    name = f"{forecast.edition}: {', '.join(forecast.addons)}" if forecast.addons else forecast.edition
    ws["A1"] = f"每月费用预测 Monthly cost forecast · {name}"
    ws["A1"].font = style.TITLE
    ws["A2"] = ("每月按当月峰值计费：预付费每月相同，超量按当月峰值。Each month at its own peaks: prepaid items every "
                "month, overage on that month's peak.")
    ws["A2"].font = style.SUBTITLE
    style.header_row(ws, 4, ["月 Month", "峰值 DAU Peak DAU", "峰值群组 Peak groups", "预付费 Prepaid",
                             "后付费 Postpaid", "合计 Total (CNY)"])
    for i, m in enumerate(forecast.months):
        style.body_row(ws, 5 + i, [m.month, m.peak_dau, m.peak_groups, m.prepaid, m.postpaid, m.total],
                       formats={2: "#,##0", 3: "#,##0", 4: money, 5: money, 6: money})
    last = 4 + len(forecast.months)
    style.body_row(ws, last + 1, ["合计 Total", None, None, forecast.prepaid, forecast.postpaid, forecast.total],
                   formats={4: money, 5: money, 6: money})
    for col in range(1, 7):
        ws.cell(last + 1, col).font = style.TOTAL
    if forecast.cheaper:
        month, option = forecast.cheaper
        ws.cell(last + 3, 1, f"从第 {month} 个月起，{option} 更便宜 · From month {month}, {option} would cost less "
                             f"({book.currency} {option.monthly:,.2f} that month).").font = style.LABEL
    else:
        ws.cell(last + 3, 1, "没有更便宜的配置 · No other configuration meeting the same needs is cheaper in any month."
                ).font = style.NOTE
    chart = LineChart()
    chart.title = "每月费用 Monthly cost (CNY)"
    chart.height, chart.width = 8, 18
    chart.add_data(Reference(ws, min_col=6, min_row=4, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=5, max_row=last))
    chart.legend = None
    chart.series[0].smooth = False  # costs step at block boundaries; a smooth curve would invent values
    ws.add_chart(chart, f"A{last + 5}")
    for col, width in zip("ABCDEF", (10, 18, 20, 16, 16, 18)):
        ws.column_dimensions[col].width = width
    style.print_setup(ws, title_rows="1:2", one_page=True)
    return ws

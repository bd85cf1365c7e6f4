"""A quote or a priced deal as rows of cells: one presenter for the terminal, =IMQUOTE_LINES,
=IMDEAL_LINES and the sheets.

Rows hold plain values (text, Decimal amounts, ints); each adapter formats them its own way
(the terminal through :mod:`formatting`, a cell as a number). Standard library only (Lite).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from . import formatting
from .deals import DealQuote, PhaseQuote
from .engine import Quote, tax_statement
from .pricebook import PriceBook

DEAL_HEADER = ["app", "months", "code", "计费项", "item", "quantity", "unit price (CNY/month)", "amount (CNY)", "note"]


LINES_HEADER = ["code", "计费项", "item", "billing", "quantity", "unit price (CNY/month)",
                "months", "amount (CNY)", "note"]


def subtotal_rows(q: Quote) -> list[tuple[str, str, str, str, Decimal, Decimal]]:
    """(code, 计费项, item, billing, a month, the term) for the prepaid and postpaid subtotals and
    the total: what every single-quote table ends with."""
    return [("prepaid", "预付费小计", "Prepaid subtotal", "prepaid", q.monthly_prepaid, q.prepaid),
            ("postpaid", "后付费小计", "Postpaid subtotal", "postpaid", q.monthly_postpaid, q.postpaid),
            ("total", "合计", "Total", "", q.monthly_total, q.total)]


def quote_rows(q: Quote, book: PriceBook) -> list[list[Any]]:
    """A quote as a table (=IMQUOTE_LINES): header, one row per line item, subtotals, total, book."""
    rows: list[list[Any]] = [list(LINES_HEADER)]
    for line in q.lines:
        rows.append([line.code, line.label_zh, line.label_en, line.billing, line.quantity,
                     line.unit_price, line.months, line.amount, line.note_en])
    rows += [[code, zh, en, billing, "", "", q.months, term, ""] for code, zh, en, billing, _, term in subtotal_rows(q)]
    rows.append(["price_book", book.name_zh, book.name_en, book.id, "", book.period, "", "", book.source_url])
    return rows


def months_label(phase: PhaseQuote) -> str:
    return str(phase.first_month) if phase.first_month == phase.last_month else \
        f"{phase.first_month}–{phase.last_month}"


def deal_rows(q: DealQuote, book: PriceBook) -> list[list[Any]]:
    """Header; per app its lines (per phase, the phase's months) and subtotal; the total; the tax
    split (价税合计, 不含税金额, 税额) or the book's statement that tax is added; the price book."""
    rows: list[list[Any]] = [list(DEAL_HEADER)]
    for app in q.apps:
        for phase in app.phases:
            for line in phase.quote.lines:
                rows.append([app.name, months_label(phase), line.code, line.label_zh, line.label_en, line.quantity,
                             line.unit_price, line.amount, line.note_en])
        edition = " → ".join(dict.fromkeys(p.quote.edition for p in app.phases))
        rows.append([app.name, "", "subtotal", "小计", f"Subtotal ({edition})", "", "", app.total, ""])
    rows.append(["total", str(q.months), "total", "合计", "Total", "", "", q.total, ""])
    rows += tax_rows(q.total, q.tax, book)
    rows.append(["price_book", "", book.id, book.name_zh, book.name_en, "", book.period, "", book.source_url])
    return rows


def tax_rows(total: Decimal, split, book: PriceBook) -> list[list[Any]]:
    zh, en = tax_statement(book)
    if split is None:
        return [["tax", "", "tax", zh, en, "", "", "", ""]]
    rate = f"{formatting.percent(split.rate * 100)}%"
    return [["tax", "", "gross", "价税合计", f"Total incl. {book.tax.name_en}", "", "", split.gross, ""],
            ["tax", "", "net", "不含税金额", f"Net of {book.tax.name_en}", "", "", split.net, ""],
            ["tax", "", "tax", f"税额（{book.tax.name_zh} {rate}）", f"{book.tax.name_en} {rate}", "", "", split.tax, en]]


def month_rows(q: DealQuote) -> list[list[Any]]:
    """Month by month: month, each app's cost, the month's total (for a deal whose usage ramps)."""
    rows: list[list[Any]] = [["month", *(a.name for a in q.apps), "total"]]
    for m, total in enumerate(q.month_totals, 1):
        rows.append([m, *(a.monthly(m) for a in q.apps), total])
    return rows

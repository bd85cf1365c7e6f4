"""The proposal of a deal of several apps (and phases): one group per app, the month table when
usage ramps, the grand total with the tax split and in Chinese capitals, on the same page layout
as a one-app proposal (seller block, customer, terms, signatures: proposalsheet's sections).

Its amounts are the engine's, stored as values (a deal has no working quote sheet to read); the
明细 Deal lines sheet behind it holds every line, per app and phase, and the month table.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl.workbook.workbook import Workbook

from .. import formatting
from ..deals import DealQuote
from ..engine import tax_statement
from ..formatting import plural, rmb_capitals
from ..presenter import DEAL_HEADER, deal_rows, month_rows, months_label
from ..pricebook import PriceBook
from . import layout as L
from . import style
from .pricesheet import write_price_sheet
from .proposalsheet import (ALL, LAST_COL, ROW_HEIGHT, _closing, _continued, _heading, _Page, fitting,
                            header_height)
from .template import open_on, save_workbook

DEAL_LINES_SHEET = "明细 Deal lines"
MONTH_COLUMNS = ("B", "C", "D")  # one column per app in a month table: three apps to a table


def write_deal_workbook(path: str | Path, book: PriceBook, q: DealQuote, proposal, force: bool = False,
                        saved=None) -> Path:
    """``saved(temp)``: called with the finished file before it takes its name (the register's hook)."""
    if q.price_book_id != book.id:
        raise ValueError(f"deal priced with {q.price_book_id}, workbook built for {book.id}")
    wb = Workbook()
    style.portable_widths(wb)  # the proposal prints at a fixed scale: its widths must not vary
    wb.remove(wb.active)
    write_price_sheet(wb.create_sheet(L.PRICE_SHEET), book)
    write_deal_lines_sheet(wb.create_sheet(DEAL_LINES_SHEET, 0), book, q)
    write_deal_proposal_sheet(wb, book, q, proposal)
    open_on(wb, L.PROPOSAL_SHEET)
    return save_workbook(wb, path, force=force, finish=saved)


def _texts_literal(ws, row: int, values: list) -> None:
    """App names are free text: a name such as =HYPERLINK(…) or #N/A stays as typed."""
    for j, value in enumerate(values, 1):
        if isinstance(value, str):
            style.literal(ws.cell(row, j), value)


def _money(page: _Page, cell: str, value, font=style.BODY) -> None:
    page.ws[cell] = value
    page.ws[cell].number_format = style.MONEY_FEN
    page.ws[cell].font = font


def write_deal_proposal_sheet(wb: Workbook, book: PriceBook, q: DealQuote, proposal):
    ws = wb.create_sheet(L.PROPOSAL_SHEET, 0)
    page = _Page(ws, proposal.lang)
    _heading(page, book, proposal, proposal.number_for(q))
    page.next(8)
    page.next(22)
    page.label(f"A{page.row}", page.t(f"应用与费用（{len(q.apps)} 个应用，{q.months} 个月）",
                                      f"Apps and charges ({plural(len(q.apps), 'app')}, {plural(q.months, 'month')})",
                                      "  "), style.SECTION)
    note = page.t("每个应用（SDKAppID）各购买一个套餐包；超量按当月峰值逐月计费。",
                  "Each app (SDKAppID) buys its own package; overage is billed each month on that month's peak.", "\n")
    page.next(fitting((note, ALL)))
    page.text(f"A{page.row}", note, style.NOTE, wrap=True)
    page.merge("A", LAST_COL)
    for app in q.apps:
        _app_group(page, book, app)
    if q.ramps:
        _month_table(page, q)
    _totals(page, book, q)
    _closing(page, book, proposal)
    return ws


def _app_group(page: _Page, book: PriceBook, app) -> None:
    ws = page.ws
    editions = [book.find_edition(p.quote.edition) for p in app.phases]
    names = page.t(" → ".join(dict.fromkeys(e.name_zh for e in editions)),
                   " → ".join(dict.fromkeys(e.name_en for e in editions)))
    first, last = app.phases[0].first_month, app.phases[-1].last_month
    what = f"{names} · {page.t(f'第 {first}–{last} 月', f'months {first}–{last}')}"
    title_height = max(20, fitting((app.name, "A"), (what, "B:E")))

    labels = [page.t("项目", "Item"), page.t("明细", "Details"), "", page.t("每月", "Monthly"), page.t("金额", "Amount")]

    def header(continued: bool) -> None:
        page.next(title_height)
        page.text(f"A{page.row}", app.name, style.LABEL, wrap=True)
        page.text(f"B{page.row}", what + _continued(page, continued), style.SUBTITLE, wrap=True)
        page.merge("B", LAST_COL)
        page.header(labels, "B:C")

    rows = []
    for phase in app.phases:
        months = months_label(phase)
        for line in phase.quote.lines:
            if line.amount == 0 and line.code != phase.quote.edition:
                continue  # no empty rows: an overage that costs nothing is not an item
            item = page.t(f"{months} 月 {line.label_zh}", f"months {months}: {line.label_en}", "\n")
            detail = page.t(line.note_zh, line.note_en, "\n")
            rows.append((line, item, detail, fitting((item, "A"), (detail, "B:C"))))
    page.next(8)
    page.keep(title_height + header_height(labels, "B:C") + rows[0][-1])  # the name and header with its first item
    with page.table(header):
        for line, item, detail, height in rows:
            page.next(height)
            page.text(f"A{page.row}", item, wrap=True)
            page.text(f"B{page.row}", detail, wrap=True)
            page.merge("B", "C")
            _money(page, f"D{page.row}", line.monthly_amount)
            _money(page, f"E{page.row}", line.amount)
            for col in "ABCDE":
                ws[f"{col}{page.row}"].border = style.BOX
                ws[f"{col}{page.row}"].alignment = style.WRAP_TOP
        page.next()
        page.label(f"A{page.row}", page.t("小计", "Subtotal"), style.TOTAL)
        _money(page, f"E{page.row}", app.total, style.TOTAL)
        ws[f"E{page.row}"].border = style.BOX


def _month_table(page: _Page, q: DealQuote) -> None:
    """Month by month: each app's cost and the month's total, three apps to a table (a deal of more
    apps has a table for each three, every app's figures shown); the total stands right after the
    last app, so no column is left blank. A table of up to a year is kept on one page."""
    ws = page.ws
    groups = [q.apps[i:i + len(MONTH_COLUMNS)] for i in range(0, len(q.apps), len(MONTH_COLUMNS))]
    for g, apps in enumerate(groups):
        cols = "ABCDE"[:len(apps) + 2]  # month, the apps, the total
        which = "" if len(groups) == 1 else page.t(
            f"（应用 {g * 3 + 1}–{g * 3 + len(apps)}）", f" (apps {g * 3 + 1}–{g * 3 + len(apps)})", "")
        header_cells = [page.t("月份", "Month"), *(a.name for a in apps), page.t("合计", "Total")]

        def header(continued: bool, header_cells=header_cells, which=which, cols=cols) -> None:
            page.next(22)
            page.label(f"A{page.row}", page.t("逐月费用", "Month by month", "  ") + which
                       + _continued(page, continued), style.SECTION)
            page.header(header_cells)
            _texts_literal(ws, page.row, header_cells)
            for col in cols:
                ws[f"{col}{page.row}"].alignment = style.WRAP_TOP

        page.next(8)
        rows = len(q.month_totals) if len(q.month_totals) <= 12 else 3  # a year or less is read whole
        page.keep(22 + header_height(header_cells) + rows * ROW_HEIGHT)
        with page.table(header):
            for m, total in enumerate(q.month_totals, 1):
                page.next()
                ws[f"A{page.row}"] = m
                for col, app in zip(MONTH_COLUMNS, apps):
                    _money(page, f"{col}{page.row}", app.monthly(m))
                _money(page, f"{cols[-1]}{page.row}", total)
                for col in cols:
                    ws[f"{col}{page.row}"].border = style.BOX


def _totals(page: _Page, book: PriceBook, q: DealQuote) -> None:
    ws = page.ws
    page.next(8)
    rows = []
    if q.discount:
        rows += [(page.t("标准价合计", "Total at list prices"), q.list_total, style.LABEL),
                 (page.t(f"折扣 {formatting.percent(q.discount_percent)}%", f"Discount {formatting.percent(q.discount_percent)}%"),
                  q.discount, style.LABEL)]
    gross = page.t("价税合计", f"Total incl. {book.tax.name_en}") if q.tax else page.t("合计", "Total")
    rows.append((page.t(f"{gross}（{q.months} 个月）", f"{gross} ({plural(q.months, 'month')})") if page.lang == "zh" else
                 f"{gross} · " + page.t(f"{q.months} 个月", plural(q.months, "month")), q.total, style.TOTAL))
    if q.tax is not None:
        rate = f"{formatting.percent(q.tax.rate * 100)}%"
        rows += [(page.t("其中：不含税金额", "of which net of tax"), q.tax.net, style.LABEL),
                 (page.t(f"其中：税额（{book.tax.name_zh} {rate}）", f"of which {book.tax.name_en} {rate}"), q.tax.tax,
                  style.LABEL)]
    tax_note = page.t(*tax_statement(book), "  ") if q.tax is None else ""
    page.keep(sum(20 if font is style.TOTAL else ROW_HEIGHT for *_, font in rows) + 20
              + (fitting((tax_note, ALL)) if tax_note else 0))  # the totals stay together
    for label, amount, font in rows:
        page.next(20 if font is style.TOTAL else None)
        page.label(f"A{page.row}", label, font)
        _money(page, f"E{page.row}", amount, font)
        if font is style.TOTAL:
            ws[f"E{page.row}"].fill, ws[f"E{page.row}"].border = style.TOTAL_FILL, style.BOX
    if tax_note:
        page.next(fitting((tax_note, ALL)))
        page.text(f"A{page.row}", tax_note, style.NOTE, wrap=True)
        page.merge("A", LAST_COL)
    page.next(20)
    page.label(f"A{page.row}", page.t("大写金额", "In words (RMB)"))
    page.text(f"B{page.row}", f"人民币{rmb_capitals(q.total)}", style.LABEL)
    page.merge("B", LAST_COL)
    page.next(10)


def write_deal_lines_sheet(ws, book: PriceBook, q: DealQuote) -> None:
    """Every line per app and phase, the subtotals, the total and tax split, then the month table."""
    ws["A1"] = "明细 Deal lines"
    ws["A1"].font = style.TITLE
    ws["A2"] = f"{book.name_zh} · {book.name_en} · {book.period}"
    ws["A2"].font = style.SUBTITLE
    rows = deal_rows(q, book)
    style.header_row(ws, 4, DEAL_HEADER)
    money = {7: style.MONEY_FEN, 8: style.MONEY_FEN}
    for i, row in enumerate(rows[1:], 5):
        style.body_row(ws, i, row, formats=money)
        _texts_literal(ws, i, row)
    r = 5 + len(rows)
    table = month_rows(q)
    style.header_row(ws, r, [str(h) for h in table[0]])
    _texts_literal(ws, r, table[0])
    for i, row in enumerate(table[1:], r + 1):
        style.body_row(ws, i, row, formats={k: style.MONEY_FEN for k in range(2, len(row) + 1)})
    for col, width in zip("ABCDEFGHI", (24, 10, 16, 26, 26, 10, 14, 16, 60)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A5"
    style.print_setup(ws, title_rows="4:4", landscape=True)

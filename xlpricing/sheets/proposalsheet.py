"""报价单 Proposal: the page a customer reads and signs, first in every quote workbook.

Only what the customer reads: the seller, the customer, each option's items in plain words (no
internal codes, no empty rows), the totals in figures and in Chinese capitals, the terms, and a
signature and seal block for both parties. A4 portrait. Its numbers are formulas reading the
working quote sheet(s), so a rep who edits an input there sees the proposal follow; each formula
also stores the engine's value, so previews show them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any, Callable

from openpyxl.styles import Alignment
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from .. import formatting
from ..engine import DISCOUNT, LineItem, Quote, tax_split, tax_statement, usage_charge
from ..formatting import rmb_capitals
from ..pricebook import PriceBook, superseded
from . import layout as L
from . import style

# A item; B:C details (an overage line's Chinese note, 50 columns, on one line); D monthly; E amount
WIDTHS = {"A": 29, "B": 26, "C": 25, "D": 22, "E": 17}
LAST_COL = "E"
ALL = f"A:{LAST_COL}"
# A4 portrait printed at a fixed scale, not "fit to width": Excel ignores manual page breaks on a
# sheet fitted to pages. 119 characters of columns (style.NORMAL_FONT) are about 645 points in Excel
# and 665 in LibreOffice; A4 has 523 between the margins.
SCALE = 74
# points of rows a page holds, 1% to spare (the footer sits in the bottom margin)
PAGE_ROOM = (841.89 - 2 * 72 * style.MARGIN_TOP_BOTTOM) / (SCALE / 100) * 0.99
ROW_HEIGHT = 16  # a row of one line of 10-point text
CAPITALS_STALE = "（金额已在工作表中改动：请用 xlpricing 重新生成大写金额）"


def _ref(sheet: str, cell: str) -> str:
    return f"'{sheet}'!{cell}"


class _Page:
    """Rows written top to bottom, with each formula's stored value kept for the file, paginated as
    they are written: every row has its height set, a page breaks between rows where the next one
    would not fit, a block that belongs together starts a new page whole, and a table broken across
    pages starts the next page with its header again (a spreadsheet repeats only one set of print
    titles per sheet, and a proposal has several tables)."""

    def __init__(self, ws: Worksheet, lang: str):
        self.ws, self.lang, self.row, self.values = ws, lang, 0, {}
        self.number = ""  # the quote number, in the footer of every page
        self.used = 0.0  # points of rows on the current page
        self.repeat: Callable[[bool], None] | None = None  # the open table's header writer

    def t(self, zh: str, en: str, sep: str = " ") -> str:
        return zh if self.lang == "zh" else en if self.lang == "en" else f"{zh}{sep}{en}"

    def next(self, height: float | None = None) -> int:
        height = height or ROW_HEIGHT
        self.keep(height)
        self.row += 1
        self.ws.row_dimensions[self.row].height = height
        self.used += height
        return self.row

    def keep(self, height: float) -> None:
        """A new page unless ``height`` points of rows still fit on this one."""
        if self.used > 0 and self.used + height > PAGE_ROOM:
            self.ws.row_breaks.append(Break(id=self.row))
            self.used = 0.0
            if self.repeat is not None:
                header, self.repeat = self.repeat, None
                header(True)
                self.repeat = header

    def header(self, labels: list[str], merged: str = "") -> None:
        """A table's header row (labels from column A; ``merged``: e.g. "B:C", the label in B spans
        them), as tall as its longest label wrapped."""
        height = header_height(labels, merged)
        self.next(height)
        style.header_row(self.ws, self.row, labels, height=height)
        if merged:
            self.merge(*merged.split(":"))

    @contextlib.contextmanager
    def table(self, header: Callable[[bool], None]):
        """Rows of a table: ``header(continued)`` writes its title and header now, and again at the top
        of each page the table continues on."""
        header(False)
        self.repeat = header
        try:
            yield
        finally:
            self.repeat = None

    def text(self, cell: str, text: str, font=style.BODY, wrap: bool = False) -> None:
        style.literal(self.ws[cell], text)  # free text (customer, seller, notes): never a formula
        self.ws[cell].font = font
        if wrap:
            self.ws[cell].alignment = style.WRAP_TOP

    def label(self, cell: str, text: str, font=style.LABEL) -> None:
        self.ws[cell] = text
        self.ws[cell].font = font

    def calc(self, cell: str, formula: str, value: Any, money: bool = False, font=style.BODY) -> None:
        self.ws[cell] = formula
        self.ws[cell].font = font
        if money:
            self.ws[cell].number_format = style.MONEY_FEN
        self.values[cell] = value

    def merge(self, first: str, last: str) -> None:
        self.ws.merge_cells(f"{first}{self.row}:{last}{self.row}")


def fitting(*texts: tuple[str, str], size: float = 10) -> float:
    """The height of a row of wrapped texts, each (text, the columns it spans, e.g. "B:E"), in a
    ``size``-point font: no spreadsheet sizes a row of merged or formula cells by itself."""
    scale = size / 10
    return style.text_height([(text, span_width(cols) / scale) for text, cols in texts]) * scale


def header_height(labels: list[str], merged: str = "") -> float:
    """The height of _Page.header's row for these labels."""
    return max(30, fitting(*((label, merged if merged and col == merged[0] else col)
                             for col, label in zip("ABCDE", labels))))


def span_width(cols: str) -> float:
    first, _, last = cols.partition(":")
    letters = "ABCDE"
    return sum(WIDTHS[c] for c in letters[letters.index(first):letters.index(last or first) + 1])


def working_row(book: PriceBook, quote: Quote, line: LineItem) -> int:
    """The row of ``line`` on the working quote sheet (the layout every quote sheet shares)."""
    if line.code == quote.edition:
        return L.PACKAGE_ROW
    if line.code in quote.addons:
        return L.ADDON_LINE_FIRST_ROW + quote.addons.index(line.code)  # fill_inputs keeps their order
    if line.code == DISCOUNT:
        return L.DISCOUNT_LINE_ROW
    metric = next(o.metric for o in book.overage if o.code == line.code)
    return L.OVERAGE_DAU_ROW if metric == "peak_dau" else L.OVERAGE_GROUPS_ROW


def recommended_index(quotes: list[Quote], recommend: int | None) -> int:
    """0-based: the one asked for (1-based), else the cheapest term total (the first of equals)."""
    if recommend is not None:
        return recommend - 1
    return min(range(len(quotes)), key=lambda i: (quotes[i].total, i))


def addons_in_words(book: PriceBook, quote: Quote, page: _Page) -> str:
    names = [book.find_addon(code) for code in quote.addons]
    if not names:
        return page.t("无", "none")
    return page.t("、".join(a.name_zh for a in names), "; ".join(a.name_en for a in names), "\n")


def write_proposal_sheet(wb: Workbook, book: PriceBook, quotes: list[Quote], proposal, sheets: list[str],
                         helper_names: dict[str, str]) -> tuple[Worksheet, dict[str, Any]]:
    """The proposal as the first sheet of ``wb``; ``sheets[i]`` is the working sheet of ``quotes[i]``.
    Returns the sheet and the values of its formula cells."""
    ws = wb.create_sheet(L.PROPOSAL_SHEET, 0)
    page = _Page(ws, proposal.lang)
    best = recommended_index(quotes, proposal.recommend)
    months = quotes[0].months
    c = L.COL

    _heading(page, book, proposal, proposal.number_for(quotes[0]))
    page.next(8)

    # -- options side by side ------------------------------------------------------------------
    if len(quotes) > 1:
        option_cols = ["B", "C", "D"]
        texts = [(page.t("版本", "Edition"), [page.t(*_edition_names(book, q)) for q in quotes]),
                 (page.t("增值服务", "Add-ons"), [addons_in_words(book, q, page) for q in quotes])]
        heights = [fitting(*((v, col) for col, v in zip(option_cols, values))) for _, values in texts]

        labels = [page.t("方案", "Option")] + [
            page.t(f"方案 {i + 1}", f"Option {i + 1}") + (f"  ★ {page.t('推荐', 'recommended')}" if i == best else "")
            for i in range(len(quotes))]

        def header(continued: bool) -> None:
            page.next(22)
            page.label(f"A{page.row}", page.t("方案对比", "Options compared", "  ") + _continued(page, continued),
                       style.SECTION)
            page.header(labels)

        page.keep(22 + header_height(labels) + sum(heights) + 2 * ROW_HEIGHT)  # the comparison is read whole
        with page.table(header):
            for (what, values), height in zip(texts, heights):
                page.next(height)
                page.label(f"A{page.row}", what)
                ws[f"A{page.row}"].alignment = style.WRAP_TOP
                for col, value in zip(option_cols, values):
                    page.text(f"{col}{page.row}", value, wrap=True)
                _box(ws, page.row, ["A", *option_cols[:len(quotes)]])
            amounts = [(page.t("每月合计", "Monthly total"), "monthly", "monthly_total", style.BODY),
                       (page.t(f"{months} 个月合计", f"Total for {formatting.plural(months, 'month')}"), "amount", "total",
                        style.TOTAL)]
            for what, column, attr, font in amounts:
                page.next(fitting((what, "A"), size=font.size))  # "12 个月合计 Total for 12 months" wraps, whole
                page.label(f"A{page.row}", what, font)
                ws[f"A{page.row}"].alignment = style.WRAP_TOP
                for col, q, sheet in zip(option_cols, quotes, sheets):
                    page.calc(f"{col}{page.row}", "=" + _ref(sheet, c[column] + str(L.TOTAL_ROW)), getattr(q, attr),
                              money=True, font=font)
                _box(ws, page.row, ["A", *option_cols[:len(quotes)]])
        page.next(8)

    # -- each option's items -------------------------------------------------------------------
    for i, (q, sheet) in enumerate(zip(quotes, sheets)):
        _option_section(page, book, q, sheet, helper_names, i, len(quotes), i == best)

    _closing(page, book, proposal)
    return ws, page.values


def _heading(page: _Page, book: PriceBook, proposal, number: str) -> None:
    """The seller's block, the title, the customer, the quote number and dates, the notes."""
    ws, seller = page.ws, proposal.seller
    page.number = number
    # -- seller -------------------------------------------------------------------------------
    if seller is not None:
        name = seller.name_zh if proposal.lang != "en" else seller.name_en
        page.next(max(26, fitting((name, "A:D"), size=style.TITLE.size)))
        page.text(f"A{page.row}", name, style.TITLE, wrap=True)
        page.merge("A", "D")
        if proposal.lang == "both":
            page.next(fitting((seller.name_en, "A:D")))
            page.text(f"A{page.row}", seller.name_en, style.SUBTITLE, wrap=True)
            page.merge("A", "D")
        contact = " · ".join([seller.address, f"{page.t('联系人', 'Contact')} {seller.contact}", seller.phone,
                              seller.email])
        page.next(max(28, fitting((contact, "A:D"))))
        page.text(f"A{page.row}", contact, style.SUBTITLE, wrap=True)
        page.merge("A", "D")
        banking = [(page.t("税号", "Tax ID"), seller.tax_id), (page.t("开户行", "Bank"), seller.bank),
                   (page.t("账号", "Account"), seller.account)]
        if any(value for _, value in banking):
            text = " · ".join(f"{k} {v}" for k, v in banking if v)
            page.next(fitting((text, "A:D")))
            page.text(f"A{page.row}", text, style.SUBTITLE, wrap=True)
            page.merge("A", "D")
        if seller.logo is not None:
            _add_logo(ws, seller.logo)
        page.next(6)

    # -- title, customer, dates ----------------------------------------------------------------
    page.next(30)
    page.label(f"A{page.row}", page.t("报价单", "Quotation", "  "), style.TITLE)
    if proposal.banner:  # e.g. pending approval: said on the page itself, not only in the register
        page.next(22)
        page.text(f"A{page.row}", proposal.banner, style.ERROR)
        page.merge("A", LAST_COL)
    customer = [(page.t("客户", "Customer"), proposal.customer),
                (page.t("客户地址", "Address"), proposal.customer_address),
                (page.t("客户联系人", "Customer contact"), proposal.customer_contact),
                (page.t("销售联系人", "Sales contact"), proposal.contact or (seller.contact if seller else "")),
                (page.t("币种", "Currency"), book.currency)]
    customer = [pair for i, pair in enumerate(customer) if pair[1] or i == 0]  # the optional ones when known
    quote = [(page.t("报价编号", "Quote no."), number), (page.t("报价日期", "Date"), f"{proposal.quote_date}"),
             (page.t("有效期至", "Valid until"), f"{proposal.expiry()}")]
    for i in range(max(len(customer), len(quote))):
        (left, left_value), (right, right_value) = (customer[i] if i < len(customer) else ("", ""),
                                                    quote[i] if i < len(quote) else ("", ""))
        page.next(fitting((left_value, "B:C"), (right_value, "E"), (left, "A"), (right, "D")))
        for cell, text in ((f"A{page.row}", left), (f"D{page.row}", right)):
            if text:
                page.label(cell, text)
                ws[cell].alignment = style.WRAP_TOP
        page.text(f"B{page.row}", left_value, wrap=True)
        page.merge("B", "C")
        page.text(f"E{page.row}", right_value, wrap=True)
    # the notes, a row a paragraph: a row taller than a page would be cut when printed
    for i, paragraph in enumerate(paragraphs(proposal.notes)):
        page.next(fitting((paragraph, "B:E")))
        if i == 0:
            page.label(f"A{page.row}", page.t("备注", "Notes"))
            ws[f"A{page.row}"].alignment = style.WRAP_TOP
        page.text(f"B{page.row}", paragraph, wrap=True)
        page.merge("B", LAST_COL)


def _closing(page: _Page, book: PriceBook, proposal) -> None:
    """Where the prices come from, the terms, the signatures; widths and print setup."""
    ws, seller = page.ws, proposal.seller
    # -- prices, terms, seller's note --------------------------------------------------------------
    name = book.name_zh if proposal.lang != "en" else book.name_en
    dated = book.effective_from is not None and str(book.effective_from) in name  # the name says its period
    period = "" if dated else (f"（{book.period}）" if proposal.lang != "en" else f" ({book.period})")
    source = f"{name}{period} · {book.source_url}"
    source = f"{page.t('价格依据', 'Prices')}: {source}"
    page.next(fitting((source, ALL)))
    page.text(f"A{page.row}", source, style.NOTE, wrap=True)
    page.merge("A", LAST_COL)
    old = superseded(book, proposal.quote_date)
    if old:  # priced on purpose with an old book: the customer is told, on the page itself
        since = book.effective_to + dt.timedelta(days=1)
        text = page.t(f"注意：本报价所用价目表 {book.id}（{book.period}）已于 {since} 被新价目表取代",
                      f"Note: {old}, before this quote's date")
        page.next(max(28, fitting((text, ALL))))
        page.text(f"A{page.row}", text, style.ERROR, wrap=True)
        page.merge("A", LAST_COL)
    page.next(8)
    terms = []
    if seller is not None and seller.payment_terms:
        terms += [f"{page.t('付款条件', 'Payment terms')}: {p}" if i == 0 else p
                  for i, p in enumerate(paragraphs(seller.payment_terms))]
    terms += [page.t(n.zh, n.en, "  ") for n in book.notes] + [page.t(*tax_statement(book), "  ")]
    if seller is not None and seller.price_note:
        terms += paragraphs(seller.price_note)
    heights = [fitting((f"• {term}", ALL)) for term in terms]
    seller_name = (seller.name_zh if proposal.lang != "en" else seller.name_en) if seller else ""
    customer_height = fitting((proposal.customer, "A:B"), (seller_name, "C:E"))
    signatures = 14 + 22 + customer_height + 34 + 20
    page.keep(22 + heights[0])  # the title with its first term
    page.next(22)
    page.label(f"A{page.row}", page.t("条款", "Terms", "  "), style.SECTION)
    for i, (term, height) in enumerate(zip(terms, heights)):
        if i == len(terms) - 1:  # the signatures never stand alone on a page: the last term goes with them
            page.keep(height + signatures)
        page.next(height)
        page.text(f"A{page.row}", f"• {term}", style.BODY, wrap=True)
        page.merge("A", LAST_COL)

    # -- signatures: one block, never split across pages -----------------------------------------
    page.keep(signatures)
    page.next(14)
    page.next(22)
    page.label(f"A{page.row}", page.t("甲方（客户）", "Party A (customer)"), style.SECTION)
    page.label(f"C{page.row}", page.t("乙方（销售方）", "Party B (seller)"), style.SECTION)
    page.next(customer_height)
    page.text(f"A{page.row}", proposal.customer, wrap=True)
    page.merge("A", "B")
    page.text(f"C{page.row}", seller_name, wrap=True)
    page.merge("C", LAST_COL)
    for what, height in ((page.t("签字盖章", "Signature and seal"), 34), (page.t("日期", "Date"), 20)):
        page.next(height)
        for col, end in (("A", "B"), ("C", LAST_COL)):
            page.label(f"{col}{page.row}", f"{what}:", style.BODY)
            ws[f"{col}{page.row}"].alignment = Alignment(vertical="bottom")
            for letter in ("ABCDE"[("ABCDE".index(col)):("ABCDE".index(end)) + 1]):
                ws[f"{letter}{page.row}"].border = style.RULE

    for col, width in WIDTHS.items():
        ws.column_dimensions[col].width = width
    ws.sheet_view.showGridLines = False
    ws.protection.sheet = True  # a document: nothing to type here (the working sheets take the inputs)
    _print_setup(page)


def _print_setup(page: _Page) -> None:
    """A4 portrait at SCALE with the breaks _Page chose; the quote number and 'page n of N' below."""
    ws = page.ws
    style.print_setup(ws, title_rows=None, area=f"A1:{LAST_COL}{page.row}", scale=SCALE)
    ws.page_margins.footer = 0.25
    ws.HeaderFooter.scaleWithDoc = False  # the footer at its own 8 points, not at the sheet's scale
    for part, text in ((ws.oddFooter.left, page.number.replace("&", "&&")),  # & starts a code in a footer
                       (ws.oddFooter.right, page.t("第 &P 页，共 &N 页", "Page &P of &N", " · "))):
        part.text, part.size, part.font = text, 8, f"{style.FONT_NAME},Regular"


def paragraphs(text: str) -> list[str]:
    """The lines of a free text, none for a blank text."""
    return formatting.text_lines(text.strip()) if text.strip() else []


def _continued(page: _Page, continued: bool) -> str:
    return page.t("（续）", " (continued)", "") if continued else ""


def _box(ws: Worksheet, row: int, cols) -> None:
    for col in cols:
        ws[f"{col}{row}"].border = style.BOX


def _edition_names(book: PriceBook, quote: Quote) -> tuple[str, str]:
    edition = book.find_edition(quote.edition)
    return edition.name_zh, edition.name_en


def _option_section(page: _Page, book: PriceBook, q: Quote, sheet: str, helper_names: dict[str, str], index: int,
                    count: int, recommended: bool) -> None:
    ws, c = page.ws, L.COL
    zh, en = _edition_names(book, q)
    if count == 1:
        title = page.t("报价明细", "Items", "  ")
    else:
        title = page.t(f"方案 {index + 1}：{zh}", f"Option {index + 1}: {en}", "  ")
        if recommended:
            title += f"  ★ {page.t('推荐', 'recommended')}"

    labels = [page.t("项目", "Item"), page.t("说明", "Details"), "", page.t("月金额", "Per month"),
              page.t(f"金额（{q.months} 个月）", f"Amount ({formatting.plural(q.months, 'month')})")]

    def header(continued: bool) -> None:
        page.next(22)
        page.label(f"A{page.row}", title + _continued(page, continued), style.SECTION)
        page.header(labels, "B:C")

    rows = []
    for line in q.lines:
        if line.metric is not None and line.amount == 0:
            continue  # as on a deal's proposal: an overage that costs nothing is not an item
        detail_zh, value_zh = _detail_zh(book, q, line, sheet, helper_names)
        item_value, detail_value = page.t(line.label_zh, line.label_en, "\n"), page.t(value_zh, line.note_en, "\n")
        rows.append((line, detail_zh, item_value, detail_value, fitting((item_value, "A"), (detail_value, "B:C"))))
    page.keep(22 + header_height(labels, "B:C") + rows[0][-1])  # the title and header with the first item
    with page.table(header):
        for line, detail_zh, item_value, detail_value, height in rows:
            r = working_row(book, q, line)
            page.next(height)
            item_zh, item_en = _ref(sheet, f"{c['item_zh']}{r}"), _ref(sheet, f"{c['item_en']}{r}")
            item = {"zh": f"={item_zh}", "en": f"={item_en}", "both": f"={item_zh}&CHAR(10)&{item_en}"}[page.lang]
            page.calc(f"A{page.row}", item, item_value)
            detail_en = _ref(sheet, f"{c['note']}{r}")
            detail = {"zh": f"={detail_zh}", "en": f"={detail_en}", "both": f"={detail_zh}&CHAR(10)&{detail_en}"}[page.lang]
            page.calc(f"B{page.row}", detail, detail_value)
            page.merge("B", "C")
            page.calc(f"D{page.row}", "=" + _ref(sheet, c["monthly"] + str(r)), line.monthly_amount, money=True)
            page.calc(f"E{page.row}", "=" + _ref(sheet, c["amount"] + str(r)), line.amount, money=True)
            for col in "ABCDE":
                ws[f"{col}{page.row}"].border = style.BOX
                ws[f"{col}{page.row}"].alignment = style.WRAP_TOP
        totals = [(L.PREPAID_ROW, page.t("预付费小计", "Prepaid subtotal"), q.monthly_prepaid, q.prepaid, False),
                  (L.POSTPAID_ROW, page.t("后付费小计", "Postpaid subtotal"), q.monthly_postpaid, q.postpaid, False),
                  (L.TOTAL_ROW, page.t("合计", "Total"), q.monthly_total, q.total, True)]
        split = tax_split(book, q.total)
        taxes = []
        if split is not None:  # the list prices hold the tax: how much of the total it is (the working sheet's)
            rate = f"{formatting.percent(split.rate * 100)}%"
            taxes = [(page.t("其中：不含税金额", "of which net of tax"), L.NET_ROW, split.net),
                     (page.t(f"其中：税额（{book.tax.name_zh} {rate}）", f"of which {book.tax.name_en} {rate}"),
                      L.TAX_ROW, split.tax)]
        page.keep(2 * ROW_HEIGHT + 20 + len(taxes) * ROW_HEIGHT + 20)  # the totals stay together
        for r, label, monthly, term, is_total in totals:
            page.next(20 if is_total else None)
            page.label(f"A{page.row}", label + (page.t("（未含折扣）", " (list prices)") if not is_total and q.discount_percent else ""),
                       style.TOTAL if is_total else style.LABEL)
            font = style.TOTAL if is_total else style.LABEL
            page.calc(f"D{page.row}", "=" + _ref(sheet, c["monthly"] + str(r)), monthly, money=True, font=font)
            page.calc(f"E{page.row}", "=" + _ref(sheet, c["amount"] + str(r)), term, money=True, font=font)
            if is_total:
                for col in "DE":
                    ws[f"{col}{page.row}"].fill, ws[f"{col}{page.row}"].border = style.TOTAL_FILL, style.BOX
        for label, row, value in taxes:
            page.next()
            page.label(f"A{page.row}", label)
            page.calc(f"E{page.row}", "=" + _ref(sheet, c["amount"] + str(row)), value, money=True)
        page.next(20)
        page.label(f"A{page.row}", page.t("大写金额", "In words (RMB)"))
        capitals = f"人民币{rmb_capitals(q.total)}"
        total_ref = _ref(sheet, f"{c['amount']}{L.TOTAL_ROW}")
        page.calc(f"B{page.row}", f'=IF(ROUND({total_ref},2)={q.total:f},"{capitals}","{CAPITALS_STALE}")', capitals,
                  font=style.LABEL)
        page.merge("B", LAST_COL)
    page.next(10)


def _detail_zh(book: PriceBook, q: Quote, line: LineItem, sheet: str, helper_names: dict[str, str]) -> tuple[str, str]:
    """The Chinese details of a line as a formula and its value. Overage follows the working sheet's
    usage (the text the engine writes, rebuilt from its cells); the others are the engine's text."""
    over = next((o for o in book.overage if o.code == line.code), None)
    if over is None:
        return f'"{line.note_zh}"', line.note_zh
    short = "dau" if over.metric == "peak_dau" else "groups"
    usage, free, blocks = (_ref(sheet, helper_names[n]) for n in (f"q_{short}", f"q_free_{short}", f"ov_{short}_blocks"))
    return usage_charge(over, 0).excel_note("zh", usage, free, blocks, ""), line.note_zh


def _add_logo(ws: Worksheet, path) -> None:
    try:
        from openpyxl.drawing.image import Image
        image = Image(str(path))  # needs Pillow
    except ImportError as exc:
        raise RuntimeError("a seller logo needs Pillow: pip install pillow") from exc
    scale = 48 / max(1, image.height)
    image.height, image.width = 48, int(image.width * scale)
    ws.add_image(image, "E1")

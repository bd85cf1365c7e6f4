"""报价单 Proposal: the page a customer reads and signs, first in every quote workbook.

Only what the customer reads: the seller, the customer, each option's items in plain words (no
internal codes, no empty rows), the totals in figures and in Chinese capitals, the terms, and a
signature and seal block for both parties. A4 portrait. Its numbers are formulas reading the
working quote sheet(s), so a rep who edits an input there sees the proposal follow; each formula
also stores the engine's value, so previews show them.
"""

from __future__ import annotations

import datetime as dt

from typing import Any

from openpyxl.styles import Alignment
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from .. import formatting
from ..engine import DISCOUNT, LineItem, Quote, tax_split, tax_statement, usage_charge
from ..formatting import display_width, rmb_capitals
from ..pricebook import PriceBook, superseded
from . import layout as L
from . import style

WIDTHS = {"A": 30, "B": 24, "C": 24, "D": 24, "E": 17}  # A item; B:C details; D monthly; E amount
LAST_COL = "E"
CAPITALS_STALE = "（金额已在工作表中改动：请用 xlpricing 重新生成大写金额）"


def _ref(sheet: str, cell: str) -> str:
    return f"'{sheet}'!{cell}"


class _Page:
    """Rows written top to bottom, with each formula's stored value kept for the file."""

    def __init__(self, ws: Worksheet, lang: str):
        self.ws, self.lang, self.row, self.values = ws, lang, 0, {}

    def t(self, zh: str, en: str, sep: str = " ") -> str:
        return zh if self.lang == "zh" else en if self.lang == "en" else f"{zh}{sep}{en}"

    def next(self, height: float | None = None) -> int:
        self.row += 1
        if height:
            self.ws.row_dimensions[self.row].height = height
        return self.row

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

    def fit(self, texts: list[tuple[str, float]], line_height: float = 13) -> None:
        """Row height for wrapped texts (text, column width in characters): no spreadsheet sizes a
        row of merged or formula cells by itself, and a cut line is a line the customer cannot read."""
        lines = max(sum(max(1, -(-int(display_width(part) * 0.92) // int(width))) for part in text.split("\n"))
                    for text, width in texts)
        self.ws.row_dimensions[self.row].height = max(16, lines * line_height + 4)


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
    c = L.COL

    _heading(page, book, proposal, proposal.number_for(quotes[0]))
    months = quotes[0].months
    page.next(8)

    # -- options side by side ------------------------------------------------------------------
    if len(quotes) > 1:
        page.next(22)
        page.label(f"A{page.row}", page.t("方案对比", "Options compared", "  "), style.SECTION)
        option_cols = ["B", "C", "D"]
        page.next(30)
        style.header_row(ws, page.row, [page.t("方案", "Option")] + [
            page.t(f"方案 {i + 1}", f"Option {i + 1}") + (f"  ★ {page.t('推荐', 'recommended')}" if i == best else "")
            for i in range(len(quotes))])
        texts = [(page.t("版本", "Edition"), [page.t(*_edition_names(book, q)) for q in quotes]),
                 (page.t("增值服务", "Add-ons"), [addons_in_words(book, q, page) for q in quotes])]
        for what, values in texts:
            page.next()
            page.label(f"A{page.row}", what)
            ws[f"A{page.row}"].alignment = style.WRAP_TOP
            for col, value in zip(option_cols, values):
                page.text(f"{col}{page.row}", value, wrap=True)
            page.fit([(value, WIDTHS[col]) for col, value in zip(option_cols, values)])
        amounts = [(page.t("每月合计", "Monthly total"), "monthly", "monthly_total", style.BODY),
                   (page.t(f"{months} 个月合计", f"Total for {formatting.plural(months, 'month')}"), "amount", "total", style.TOTAL)]
        for what, column, attr, font in amounts:
            page.next()
            page.label(f"A{page.row}", what)
            for col, q, sheet in zip(option_cols, quotes, sheets):
                page.calc(f"{col}{page.row}", "=" + _ref(sheet, c[column] + str(L.TOTAL_ROW)), getattr(q, attr),
                          money=True, font=font)
        for r in range(page.row - len(texts) - len(amounts) + 1, page.row + 1):
            for col in ["A", *option_cols[:len(quotes)]]:
                ws[f"{col}{r}"].border = style.BOX
        page.next(8)

    # -- each option's items -------------------------------------------------------------------
    for i, (q, sheet) in enumerate(zip(quotes, sheets)):
        _option_section(page, book, q, sheet, helper_names, i, len(quotes), i == best)

    _closing(page, book, proposal)
    return ws, page.values


def _heading(page: _Page, book: PriceBook, proposal, number: str) -> None:
    """The seller's block, the title, the customer, the quote number and dates, the notes."""
    ws, seller = page.ws, proposal.seller
    # -- seller -------------------------------------------------------------------------------
    if seller is not None:
        page.next(26)
        page.text(f"A{page.row}", seller.name_zh if proposal.lang != "en" else seller.name_en, style.TITLE)
        page.merge("A", "D")
        if proposal.lang == "both":
            page.next()
            page.text(f"A{page.row}", seller.name_en, style.SUBTITLE)
            page.merge("A", "D")
        contact = [seller.address, f"{page.t('联系人', 'Contact')} {seller.contact}", seller.phone, seller.email]
        page.next(28)
        page.text(f"A{page.row}", " · ".join(contact), style.SUBTITLE, wrap=True)
        page.merge("A", "D")
        banking = [(page.t("税号", "Tax ID"), seller.tax_id), (page.t("开户行", "Bank"), seller.bank),
                   (page.t("账号", "Account"), seller.account)]
        if any(value for _, value in banking):
            page.next()
            page.text(f"A{page.row}", " · ".join(f"{k} {v}" for k, v in banking if v), style.SUBTITLE, wrap=True)
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
    rows = [
        (page.t("客户", "Customer"), proposal.customer, page.t("报价编号", "Quote no."), number),
        (page.t("销售联系人", "Sales contact"), proposal.contact, page.t("报价日期", "Date"), f"{proposal.quote_date}"),
        (page.t("币种", "Currency"), book.currency, page.t("有效期至", "Valid until"), f"{proposal.expiry()}"),
    ]
    for left, left_value, right, right_value in rows:
        page.next()
        page.label(f"A{page.row}", left)
        page.text(f"B{page.row}", left_value)
        page.merge("B", "C")
        page.label(f"D{page.row}", right)
        page.text(f"E{page.row}", right_value)
    if proposal.notes.strip():
        page.next()
        page.label(f"A{page.row}", page.t("备注", "Notes"))
        ws[f"A{page.row}"].alignment = style.WRAP_TOP
        page.text(f"B{page.row}", proposal.notes, wrap=True)
        page.merge("B", LAST_COL)
        page.fit([(proposal.notes, WIDTHS["B"] + WIDTHS["C"] + WIDTHS["D"] + WIDTHS["E"])])


def _closing(page: _Page, book: PriceBook, proposal) -> None:
    """Where the prices come from, the terms, the signatures; widths and print setup."""
    ws, seller = page.ws, proposal.seller
    # -- prices, terms, seller's note --------------------------------------------------------------
    page.next()
    source = f"{book.name_zh}（{book.period}）· {book.source_url}" if proposal.lang != "en" else \
        f"{book.name_en} ({book.period}) · {book.source_url}"
    page.text(f"A{page.row}", f"{page.t('价格依据', 'Prices')}: {source}", style.NOTE, wrap=True)
    page.merge("A", LAST_COL)
    old = superseded(book, proposal.quote_date)
    if old:  # priced on purpose with an old book: the customer is told, on the page itself
        page.next(28)
        since = book.effective_to + dt.timedelta(days=1)
        page.text(f"A{page.row}", page.t(f"注意：本报价所用价目表 {book.id}（{book.period}）已于 {since} 被新价目表取代",
                                         f"Note: {old}, before this quote's date"), style.ERROR, wrap=True)
        page.merge("A", LAST_COL)
    page.next(8)
    page.next()
    page.label(f"A{page.row}", page.t("条款", "Terms", "  "), style.SECTION)
    notes = [page.t(n.zh, n.en, "  ") for n in book.notes] + [page.t(*tax_statement(book), "  ")]
    if seller is not None and seller.price_note:
        notes.append(seller.price_note)
    for note in notes:
        page.next()
        page.text(f"A{page.row}", f"• {note}", style.BODY, wrap=True)
        page.merge("A", LAST_COL)
        style.fit_height(ws, page.row, note, sum(WIDTHS.values()), line_height=13)

    # -- signatures --------------------------------------------------------------------------------
    page.next(14)
    page.next()
    page.label(f"A{page.row}", page.t("甲方（客户）", "Party A (customer)"), style.SECTION)
    page.label(f"C{page.row}", page.t("乙方（销售方）", "Party B (seller)"), style.SECTION)
    page.next()
    page.text(f"A{page.row}", proposal.customer, wrap=True)
    page.merge("A", "B")
    page.text(f"C{page.row}", (seller.name_zh if proposal.lang != "en" else seller.name_en) if seller else "")
    page.merge("C", LAST_COL)
    for what in (page.t("签字盖章", "Signature and seal"), page.t("日期", "Date")):
        page.next(34 if what.startswith(page.t("签字盖章", "Signature")[:2]) else 20)
        for col, end in (("A", "B"), ("C", LAST_COL)):
            page.label(f"{col}{page.row}", f"{what}:", style.BODY)
            ws[f"{col}{page.row}"].alignment = Alignment(vertical="bottom")
            for letter in ("ABCDE"[("ABCDE".index(col)):("ABCDE".index(end)) + 1]):
                ws[f"{letter}{page.row}"].border = style.RULE

    for col, width in WIDTHS.items():
        ws.column_dimensions[col].width = width
    ws.sheet_view.showGridLines = False
    ws.protection.sheet = True  # a document: nothing to type here (the working sheets take the inputs)
    style.print_setup(ws, title_rows=None, area=f"A1:{LAST_COL}{page.row}")
    ws.page_margins.left = ws.page_margins.right = 0.5


def _edition_names(book: PriceBook, quote: Quote) -> tuple[str, str]:
    edition = book.find_edition(quote.edition)
    return edition.name_zh, edition.name_en


def _option_section(page: _Page, book: PriceBook, q: Quote, sheet: str, helper_names: dict[str, str], index: int,
                    count: int, recommended: bool) -> None:
    ws, c = page.ws, L.COL
    zh, en = _edition_names(book, q)
    page.next(22)
    if count == 1:
        title = page.t("报价明细", "Items", "  ")
    else:
        title = page.t(f"方案 {index + 1}：{zh}", f"Option {index + 1}: {en}", "  ")
        if recommended:
            title += f"  ★ {page.t('推荐', 'recommended')}"
    page.label(f"A{page.row}", title, style.SECTION)
    page.next(30)
    style.header_row(ws, page.row, [page.t("项目", "Item"), page.t("说明", "Details"), "",
                                    page.t("月金额", "Per month"), page.t(f"金额（{q.months} 个月）", f"Amount ({formatting.plural(q.months, 'month')})")])
    page.merge("B", "C")
    for line in q.lines:
        r = working_row(book, q, line)
        page.next()
        item_zh, item_en = _ref(sheet, f"{c['item_zh']}{r}"), _ref(sheet, f"{c['item_en']}{r}")
        item = {"zh": f"={item_zh}", "en": f"={item_en}", "both": f"={item_zh}&CHAR(10)&{item_en}"}[page.lang]
        page.calc(f"A{page.row}", item, page.t(line.label_zh, line.label_en, "\n"))
        detail_zh, value_zh = _detail_zh(book, q, line, sheet, helper_names)
        detail_en = _ref(sheet, f"{c['note']}{r}")
        detail = {"zh": f"={detail_zh}", "en": f"={detail_en}", "both": f"={detail_zh}&CHAR(10)&{detail_en}"}[page.lang]
        detail_value = page.t(value_zh, line.note_en, "\n")
        page.calc(f"B{page.row}", detail, detail_value)
        page.merge("B", "C")
        page.calc(f"D{page.row}", "=" + _ref(sheet, c["monthly"] + str(r)), line.monthly_amount, money=True)
        page.calc(f"E{page.row}", "=" + _ref(sheet, c["amount"] + str(r)), line.amount, money=True)
        for col in "ABCDE":
            ws[f"{col}{page.row}"].border = style.BOX
            ws[f"{col}{page.row}"].alignment = style.WRAP_TOP
        page.fit([(page.values[f"A{page.row}"], WIDTHS["A"]), (detail_value, WIDTHS["B"] + WIDTHS["C"])])
    totals = [(L.PREPAID_ROW, page.t("预付费小计", "Prepaid subtotal"), q.monthly_prepaid, q.prepaid, False),
              (L.POSTPAID_ROW, page.t("后付费小计", "Postpaid subtotal"), q.monthly_postpaid, q.postpaid, False),
              (L.TOTAL_ROW, page.t("合计", "Total"), q.monthly_total, q.total, True)]
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
    split = tax_split(book, q.total)
    if split is not None:  # the list prices hold the tax: how much of the total it is (the working sheet's)
        rate = f"{formatting.percent(split.rate * 100)}%"
        for label, row, value in (
                (page.t("其中：不含税金额", "of which net of tax"), L.NET_ROW, split.net),
                (page.t(f"其中：税额（{book.tax.name_zh} {rate}）", f"of which {book.tax.name_en} {rate}"), L.TAX_ROW,
                 split.tax)):
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

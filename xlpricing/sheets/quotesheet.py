"""The 报价单 / Quote sheet: inputs, line items by native formulas, totals, and the rules.

The formulas mirror :func:`xlpricing.engine.build_quote` (tests prove they agree): overage per
started block above the free quota, trial caps, add-ons the edition cannot buy or already
includes, an add-on twice, two tiers of one family, the discount. Any broken rule shows its
message and the amounts and ``QuoteTotal`` show no number. Only functions Excel 2010+,
LibreOffice and WPS all know.

Every formula cell is declared once in :func:`formula_cells`, with the value it takes for a
deal the engine has priced. Quote workbooks store those values in the file (see
``cached.py``), so readers that do not calculate still show the numbers; tests recalculate
with LibreOffice and check every one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from .. import formatting
from ..engine import (DISCOUNT, METRIC_EN, LineItem, Quote, build_quote, discount_cut_excel, overage_strategy,
                      tax_split, tax_split_excel, tax_statement,
                      upgrade_editions)
from ..pricebook import Addon, PriceBook, superseded
from . import layout as L
from . import style
from .pricesheet import INCLUDED
from .pricesheet import define as define_name


@dataclass(frozen=True)
class Deal:
    """What the value functions read: a priced quote and where its parts sit on the sheet."""

    book: PriceBook
    quote: Quote
    slots: tuple[Addon | None, ...]  # the add-on typed in each input cell

    @property
    def edition_index(self) -> int:
        return self.book.edition_codes.index(self.quote.edition) + 1

    @property
    def edition(self):
        return self.book.editions[self.edition_index - 1]

    def line(self, code: str) -> LineItem | None:
        return next((l for l in self.quote.lines if l.code == code), None)

    @classmethod
    def of(cls, book: PriceBook, quote: Quote) -> "Deal":
        addons = [book.find_addon(code) for code in quote.addons]
        return cls(book, quote, tuple(addons + [None] * (L.ADDON_SLOTS - len(addons))))


Value = Callable[[Deal], Any]
Cells = dict[str, tuple[str, Value]]  # coordinate -> (formula, value for a priced deal)


def _const(value: Any) -> Value:
    return lambda deal: value


ADDON_HELPERS = ["code", "idx", "family", "price", "count", "tiers", "message", "monthly"]


def _addon_col(key: str) -> str:
    return style.col(L.ADDON_HELPER_FIRST_COL + ADDON_HELPERS.index(key))


def _slot(row: int) -> int:
    return row - L.ADDON_FIRST_ROW


def _text(expr: str, money: bool, book_format: str) -> str:
    return f'TEXT({expr},"{book_format if money else "#,##0"}")'


def formula_cells(book: PriceBook) -> tuple[Cells, dict[str, str]]:
    """Every formula cell of the quote sheet, and the defined names of the helper cells."""
    cells: Cells = {}
    names: dict[str, str] = {}
    codes = ", ".join(book.edition_codes)
    upgrade = upgrade_editions(book)
    money_format = style.money_format(book)
    hv = L.HELPER_VALUE_COL

    def overage_index(metric: str) -> int:
        return next((i + 1 for i, o in enumerate(book.overage) if o.metric == metric), 0)

    def applies(deal: Deal, metric: str) -> int:
        i = overage_index(metric)
        return int(i > 0 and deal.quote.edition in book.overage[i - 1].editions)

    lookup = "MATCH(TRIM(Edition),names_list,0)"
    whole = "IF(ISNUMBER({v}),IF(AND({v}>=0,{v}<=1000000000000),{v}=INT({v}),FALSE),FALSE)"
    helpers: list[tuple[str, str, Value]] = [
        # MATCH takes wildcards (p* would match pro): accept only an exact (case-blind) name
        ("q_ed", f'=IFERROR(IF(INDEX(names_list,{lookup})=TRIM(Edition),INDEX(names_code,{lookup}),""),"")',
         lambda d: d.quote.edition),
        ("q_row", '=IF(q_ed="",0,MATCH(q_ed,ed_codes,0))', lambda d: d.edition_index),
        ("q_dau", "=IF(ISBLANK(PeakDAU),0,PeakDAU)", lambda d: d.quote.peak_dau),
        ("q_groups", "=IF(ISBLANK(PeakGroups),0,PeakGroups)", lambda d: d.quote.peak_groups),
        ("q_months", "=IF(ISBLANK(Months),1,Months)", lambda d: d.quote.months),
        ("q_disc", "=IF(ISBLANK(Discount),0,Discount)", lambda d: d.quote.discount_percent),
        ("q_dau_ok", "=" + whole.format(v="q_dau"), _const(True)),
        ("q_groups_ok", "=" + whole.format(v="q_groups"), _const(True)),
        ("q_months_ok", f"=IF(ISNUMBER(q_months),IF(AND(q_months>={book.min_months},q_months<={book.max_months}),"
                        "q_months=INT(q_months),FALSE),FALSE)", _const(True)),
        # at most two decimals, so the discount rounds in whole fen like the engine
        ("q_disc_ok", "=IF(ISNUMBER(q_disc),IF(AND(q_disc>=0,q_disc<=100),"
                      "ABS(ROUND(q_disc*100,0)-q_disc*100)<0.000001,FALSE),FALSE)", _const(True)),
        ("q_capped", "=IF(q_row=0,0,INDEX(ed_capped,q_row))", lambda d: int(d.edition.capped)),
        ("q_free_dau", "=IF(q_row=0,0,INDEX(ed_free_dau,q_row))", lambda d: d.edition.free_peak_dau),
        ("q_free_groups", "=IF(q_row=0,0,INDEX(ed_free_groups,q_row))", lambda d: d.edition.free_peak_groups),
    ]
    for metric, short in (("peak_dau", "dau"), ("peak_groups", "groups")):
        usage, free = f"q_{short}", f"q_free_{short}"
        code = next((o.code for o in book.overage if o.metric == metric), "")
        helpers += [
            (f"ov_{short}_row", f'=IFERROR(MATCH("{metric}",ov_metric,0),0)', lambda d, m=metric: overage_index(m)),
            (f"ov_{short}_on", f"=IF(OR(ov_{short}_row=0,q_row=0),0,INDEX(ov_applies,ov_{short}_row,q_row))",
             lambda d, m=metric: applies(d, m)),
            (f"ov_{short}_blocks",
             f"=IF(AND(ov_{short}_on=1,{usage}_ok),"
             f"{overage_strategy(book, metric).excel_quantity(usage, free, f'INDEX(ov_block,ov_{short}_row)')},0)",
             lambda d, c=code: d.line(c).quantity if d.line(c) else 0),
        ]
    checks: list[tuple[str, str]] = [
        ("c_edition", f'=IF(q_row>0,"",IF(LEN(TRIM(Edition))=0,"edition is missing ({codes})",'
                      f'"unknown edition \'"&TRIM(Edition)&"\' ({codes})"))'),
        ("c_dau", '=IF(q_dau_ok,"","peak_dau must be a whole number, 0 or more")'),
        ("c_groups", '=IF(q_groups_ok,"","peak_groups must be a whole number, 0 or more")'),
        ("c_months", f'=IF(q_months_ok,"","months must be {book.min_months} to {book.max_months} (whole months)")'),
        ("c_discount", '=IF(q_disc_ok,"","discount must be 0 to 100 percent, at most two decimals")'),
    ]
    for short, metric in (("dau", "peak_dau"), ("groups", "peak_groups")):
        checks.append((f"c_cap_{short}",
                       f'=IF(AND(q_capped=1,q_{short}_ok),IF(q_{short}>q_free_{short},q_ed&" is capped at "'
                       f'&TEXT(q_free_{short},"#,##0")&" {METRIC_EN[metric]}: "&TEXT(q_{short},"#,##0")'
                       f'&" needs {upgrade}",""),"")'))

    row = L.EDITION_ROW
    for name, formula, value in helpers:
        cells[f"{hv}{row}"] = (formula, value)
        names[name] = f"{hv}{row}"
        row += 1

    # -- add-on helpers, one row per input cell ------------------------------------------------
    h = _addon_col
    first_addon, last_addon = L.ADDON_FIRST_ROW, L.ADDON_LAST_ROW
    for r in range(first_addon, last_addon + 1):
        typed = f"{L.INPUT_COL}{r}"
        code, idx, fam, price, count, tiers, msg, monthly = (f"{h(k)}{r}" for k in ADDON_HELPERS)
        match = f"MATCH({code},ad_codes,0)"
        # this row and the ones above: like the engine, only the second of a pair is reported
        span = lambda k: f"${h(k)}${first_addon}:{h(k)}{r}"  # noqa: E731
        short = f"INDEX(ad_short,{idx})"
        slot = _slot(r)
        a = lambda d, s=slot: d.slots[s]  # noqa: E731
        filled = lambda d, s=slot: d.slots[s] is not None  # noqa: E731
        cells[code] = (f"=LOWER(TRIM({typed}))", lambda d, s=slot: a(d, s).code if filled(d, s) else "")
        cells[idx] = (f'=IF({code}="",0,IFERROR(IF(INDEX(ad_codes,{match})={code},{match},-1),-1))',
                      lambda d, s=slot: d.book.addon_codes.index(a(d, s).code) + 1 if filled(d, s) else 0)
        cells[fam] = (f'=IF({idx}>0,INDEX(ad_family,{idx}),"")',
                      lambda d, s=slot: a(d, s).family if filled(d, s) else "")
        cells[price] = (f'=IF(AND({idx}>0,q_row>0),INDEX(ad_prices,{idx},q_row),"")',
                        lambda d, s=slot: a(d, s).prices[d.quote.edition] if filled(d, s) else "")
        cells[count] = (f"=IF({idx}>0,SUMPRODUCT(({span('idx')}={idx})*1),0)",
                        lambda d, s=slot: 1 if filled(d, s) else 0)
        cells[tiers] = (f'=IF({fam}="",0,SUMPRODUCT(({span("family")}={fam})*1))',
                        lambda d, s=slot: 1 if filled(d, s) else 0)
        cells[msg] = (
            f'=IF({code}="","",IF({idx}<0,"unknown add-on \'"&TRIM({typed})&"\'",IF(q_row=0,"",'
            f'IF({count}>1,{code}&" is listed twice",IF({tiers}>1,"two tiers of "&{fam}&" in add-ons, choose one",'
            f'IF({price}="{INCLUDED}",q_ed&" already includes "&{short}&" ("&{code}&"), leave it out",'
            f'IF(ISNUMBER({price}),"",{code}&" ("&{short}&") needs "&INDEX(ad_offered,{idx}))))))))',
            _const(""))
        cells[monthly] = (f'=IF(AND({msg}="",ISNUMBER({price})),{price},0)',
                          lambda d, s=slot: a(d, s).prices[d.quote.edition] if filled(d, s) else 0)
        # beside the input: what the code is, or what is wrong with it
        cells[f"{L.HINT_COL}{r}"] = (
            f'=IF({msg}<>"",{msg},IF({idx}>0,INDEX(ad_name_zh,{idx})&"  "&INDEX(ad_name_en,{idx}),""))',
            lambda d, s=slot: f"{a(d, s).name_zh}  {a(d, s).name_en}" if filled(d, s) else "")

    # -- checks, joined like the engine joins its problems ---------------------------------------
    row += 1
    check_rows = []
    for name, formula in checks + [(f"c_addon_{i + 1}", f"={h('message')}{r}")
                                   for i, r in enumerate(range(first_addon, last_addon + 1))]:
        row += 1
        cells[f"{hv}{row}"] = (formula, _const(""))
        names[name] = f"{hv}{row}"
        previous = f"O{row - 1}"
        cells[f"O{row}"] = (f"={hv}{row}" if not check_rows else
                            f'=IF({hv}{row}="",{previous},IF({previous}="",{hv}{row},{previous}&"; "&{hv}{row}))',
                            _const(""))
        check_rows.append(row)
    names["q_checks"] = f"{hv}{check_rows[0]}:{hv}{check_rows[-1]}"
    names["q_messages"] = f"O{check_rows[-1]}"
    row += 1
    cells[f"{hv}{row}"] = ('=SUMPRODUCT((q_checks<>"")*1)', _const(0))
    names["q_errors"] = f"{hv}{row}"

    # -- line items ----------------------------------------------------------------------------
    c = L.COL
    ok = "q_errors=0"

    def line(r: int, formulas: dict[str, str], monthly: str, which: Callable[[Deal], LineItem | None]) -> None:
        """A line-item row: its formulas, and the engine's line item as their values."""
        fields = {"code": "code", "item_zh": "label_zh", "item_en": "label_en", "billing": "billing",
                  "quantity": "quantity", "unit": "unit_price", "note": "note_en"}
        for key, formula in formulas.items():
            cells[f"{c[key]}{r}"] = (formula, lambda d, a=fields[key]: getattr(which(d), a) if which(d) else "")
        cells[f"{c['monthly']}{r}"] = (monthly, lambda d: which(d).monthly_amount if which(d) else "")
        cells[f"{c['months']}{r}"] = (f'=IF({c["monthly"]}{r}="","",q_months)',
                                      lambda d: d.quote.months if which(d) else "")
        # ROUND(…, 2): fen amounts stay the double nearest the exact value (no 0.809999… in a preview)
        cells[f"{c['amount']}{r}"] = (f'=IF({c["monthly"]}{r}="","",ROUND({c["monthly"]}{r}*q_months,2))',
                                      lambda d: which(d).amount if which(d) else "")

    show = "q_row>0"
    line(L.PACKAGE_ROW, {
        "code": f'=IF({show},q_ed,"")',
        "item_zh": f'=IF({show},INDEX(ed_name_zh,q_row)&"套餐包","")',
        "item_en": f'=IF({show},INDEX(ed_name_en,q_row)&" package","")',
        "billing": f'=IF({show},INDEX(ed_billing,q_row),"")',
        "quantity": f'=IF({show},1,"")',
        "unit": f'=IF({show},INDEX(ed_price,q_row),"")',
        "note": f'=IF({show},IF(q_capped=1,"free, capped at "&TEXT(q_free_dau,"#,##0")&" peak DAU and "'
                f'&TEXT(q_free_groups,"#,##0")&" peak groups","includes "&TEXT(q_free_dau,"#,##0")&" peak DAU and "'
                f'&TEXT(q_free_groups,"#,##0")&" peak groups a month"),"")',
    }, f'=IF(AND({ok},{show}),{c["unit"]}{L.PACKAGE_ROW},"")', lambda d: d.line(d.quote.edition))

    for i, src in enumerate(range(first_addon, last_addon + 1)):
        code, idx, price, msg = (f"{h(k)}{src}" for k in ("code", "idx", "price", "message"))
        show = f'AND({idx}>0,{msg}="",ISNUMBER({price}))'
        which = lambda d, s=i: d.line(d.slots[s].code) if d.slots[s] else None  # noqa: E731
        line(L.ADDON_LINE_FIRST_ROW + i, {
            "code": f'=IF({code}="","",{code})',
            "item_zh": f'=IF({show},INDEX(ad_name_zh,{idx}),"")',
            "item_en": f'=IF({show},INDEX(ad_name_en,{idx}),"")',
            "billing": f'=IF({show},INDEX(ad_billing,{idx}),"")',
            "quantity": f'=IF({show},1,"")',
            "unit": f'=IF({show},{price},"")',
            "note": f'=IF({msg}<>"",{msg},IF({show},IF(ISNUMBER(INDEX(ad_minutes,{idx})),TEXT(INDEX(ad_minutes,{idx}),'
                    f'"#,##0")&" call minutes a month included",IF(INDEX(ad_billing,{idx})="postpaid",'
                    f'"postpaid, each whole month it is on","")),""))',
        }, f'=IF(AND({ok},{show}),{h("monthly")}{src},"")', which)

    for r, short, metric in ((L.OVERAGE_DAU_ROW, "dau", "peak_dau"), (L.OVERAGE_GROUPS_ROW, "groups", "peak_groups")):
        on, orow, blocks = f"ov_{short}_on", f"ov_{short}_row", f"ov_{short}_blocks"
        show = f"{on}=1"
        usage, free = f"q_{short}", f"q_free_{short}"
        code = next((o.code for o in book.overage if o.metric == metric), "")
        note = overage_strategy(book, metric).excel_note("en", usage, free, blocks, f"INDEX(ov_block,{orow})")
        line(r, {
            "code": f'=IF({show},INDEX(ov_codes,{orow}),"")',
            "item_zh": f'=IF({show},INDEX(ov_name_zh,{orow}),"")',
            "item_en": f'=IF({show},INDEX(ov_name_en,{orow}),"")',
            "billing": f'=IF({show},INDEX(ov_billing,{orow}),"")',
            "quantity": f'=IF({show},{blocks},"")',
            "unit": f'=IF({show},INDEX(ov_price,{orow}),"")',
            "note": f'=IF(AND({show},q_{short}_ok),{note},"")',
        }, f'=IF(AND({ok},{show}),{blocks}*INDEX(ov_price,{orow}),"")', lambda d, cd=code: d.line(cd))

    # the discount: monthly list total × percent, rounded half up in whole fen, shown as its own line
    r = L.DISCOUNT_LINE_ROW
    first_line = L.PACKAGE_ROW
    list_monthly = f"SUM({c['monthly']}{first_line}:{c['monthly']}{r - 1})"
    pct = 'IF(q_disc=INT(q_disc),TEXT(q_disc,"0"),TEXT(q_disc,"0.0#"))'
    cut = discount_cut_excel(list_monthly, "q_disc")
    show = "q_disc>0"
    line(r, {
        "code": f'=IF({show},"{DISCOUNT}","")',
        "item_zh": f'=IF({show},"折扣 "&{pct}&"%","")',
        "item_en": f'=IF({show},"Discount "&{pct}&"%","")',
        "billing": f'=IF({show},"{DISCOUNT}","")',
        "quantity": f'=IF({show},1,"")',
        "unit": f'=IF(AND({ok},{show}),-{cut},"")',
        "note": f'=IF(AND({ok},{show}),{pct}&"% off the list price of "&{_text(list_monthly, True, money_format)}&" a month","")',
    }, f'=IF(AND({ok},{show}),-{cut},"")', lambda d: d.line(DISCOUNT))

    # -- totals --------------------------------------------------------------------------------
    last_line = L.LINE_ROWS[1]
    span_of = lambda k: f"{c[k]}{first_line}:{c[k]}{last_line}"  # noqa: E731
    totals = {L.PREPAID_ROW: ("prepaid", "monthly_prepaid", "prepaid"),
              L.POSTPAID_ROW: ("postpaid", "monthly_postpaid", "postpaid"),
              L.TOTAL_ROW: (None, "monthly_total", "total")}
    for r, (billing, monthly_attr, term_attr) in totals.items():
        for key, attr in (("monthly", monthly_attr), ("amount", term_attr)):
            total = f"SUM({span_of(key)})" if billing is None else f'SUMIF({span_of("billing")},"{billing}",{span_of(key)})'
            cells[f"{c[key]}{r}"] = (f'=IF({ok},ROUND({total},2),"")', lambda d, a=attr: getattr(d.quote, a))
        cells[f"{c['months']}{r}"] = (f'=IF({ok},q_months,"")', lambda d: d.quote.months)
    cells[f"{c['note']}{L.TOTAL_ROW}"] = (
        f'=IF({ok},"{book.currency}, for "&q_months&IF(q_months=1," month"," months"),"")',
        lambda d: f"{d.book.currency}, for {d.quote.months} month{'' if d.quote.months == 1 else 's'}")
    cells[L.STATUS_CELL] = ('=IF(q_errors=0,"OK",q_messages)', _const("OK"))
    total, net = f"{c['amount']}{L.TOTAL_ROW}", f"{c['amount']}{L.NET_ROW}"
    split = tax_split_excel(book, total, net)
    if split is not None:  # the tax inside the total: engine.tax_split's own formulas
        cells[net] = (f'=IF({ok},{split[0]},"")', lambda d: tax_split(d.book, d.quote.total).net)
        cells[f"{c['amount']}{L.TAX_ROW}"] = (f'=IF({ok},{split[1]},"")',  # in fen, as stored
                                              lambda d: tax_split(d.book, d.quote.total).tax)
    return cells, names


def default_quote(book: PriceBook) -> Quote:
    """The deal a new template shows: the first edition with overage, no usage, one month."""
    edition = next((e.code for e in book.editions if not e.capped), book.editions[0].code)
    return build_quote(book, edition)


def cached_values(book: PriceBook, quote: Quote, cells: Cells | None = None) -> dict[str, Any]:
    """The value of every formula cell of the quote sheet for a deal the engine priced.

    ``cells`` is formula_cells(book)[0], for a caller that writes many quotes with one book.
    """
    deal = Deal.of(book, quote)
    cells = cells if cells is not None else formula_cells(book)[0]
    return {coord: value(deal) for coord, (_, value) in cells.items()}


# ------------------------------------------------------------------------------- writing


def write_quote_sheet(ws: Worksheet, book: PriceBook, local_names: bool = False) -> None:
    """The working quote sheet. ``local_names``: a second or third sheet of one workbook (another
    option of a proposal), whose names (Edition, QuoteTotal, the helpers) are its own."""
    def define(ws: Worksheet, name: str, first: str, last: str | None = None) -> None:
        define_name(ws, name, first, last, local=local_names)

    money = style.MONEY_FEN  # a discount brings fen: never show a rounded amount
    ws.sheet_properties.tabColor = style.TAB_QUOTE
    c = L.COL
    last = L.LAST_VISIBLE_COL

    # -- title and proposal header -----------------------------------------------------------
    ws[f"A{L.TITLE_ROW}"] = "腾讯云即时通信 IM 报价单  Tencent Cloud IM Quotation"
    ws[f"A{L.TITLE_ROW}"].font = style.TITLE
    ws[f"A{L.SUBTITLE_ROW}"] = f"{book.name_zh} · {book.name_en} · {book.id} · {book.period}"
    ws[f"A{L.SUBTITLE_ROW}"].font = style.SUBTITLE
    note = superseded(book)
    if note:  # so nobody sends an old price by accident
        ws[f"A{L.SUBTITLE_ROW + 1}"] = f"注意：价格已被新价目表取代 Note: {note}"
        ws[f"A{L.SUBTITLE_ROW + 1}"].font = style.ERROR
    for key, (zh, en, cell) in L.HEADER_FIELDS.items():
        row, column = ws[cell].row, ws[cell].column
        label_col = 1 if column == 2 else column - 2
        ws.cell(row, label_col, f"{zh} {en}").font = style.LABEL
        if label_col < column - 1:
            ws.merge_cells(start_row=row, start_column=label_col, end_row=row, end_column=column - 1)
        style.input_cell(ws[cell])
        end = len(L.LINE_COLUMNS) if key in L.WIDE_HEADER_FIELDS else column + 2
        ws.merge_cells(start_row=row, start_column=column, end_row=row, end_column=end)
    ws[L.HEADER_FIELDS["currency"][2]] = book.currency

    # -- inputs ------------------------------------------------------------------------------
    ws.cell(L.INPUTS_HEADER_ROW, 1, "输入 Inputs").font = style.SECTION
    ws.cell(L.INPUTS_HEADER_ROW, 3, "黄色单元格可编辑 yellow cells are yours to fill in").font = style.NOTE
    default = default_quote(book)
    hints = {
        "Edition": ("版本 Edition", default.edition, " / ".join(f"{e.code} {e.name_zh}" for e in book.editions)),
        "PeakDAU": ("峰值 DAU Peak DAU", default.peak_dau, "当月最高单日 DAU the month's highest daily active users"),
        "PeakGroups": ("峰值群组数 Peak groups", default.peak_groups,
                       "当月最高群组总数 the month's highest number of groups"),
        "Months": ("购买月数 Months", default.months, f"{book.min_months}–{book.max_months} 个月 whole months"),
        "Discount": ("折扣 Discount %", None, "可选，如 10 表示九折 optional: 10 = 10% off the list price"),
    }
    for name, cell in L.INPUT_CELLS.items():
        label, default, hint = hints[name]
        ws.cell(ws[cell].row, 1, label).font = style.LABEL
        ws[cell] = default
        style.input_cell(ws[cell])
        ws[f"{L.HINT_COL}{ws[cell].row}"] = hint
        ws[f"{L.HINT_COL}{ws[cell].row}"].font = style.NOTE
        define(ws, name, cell)
    ws[L.INPUT_CELLS["PeakDAU"]].number_format = "#,##0"
    ws[L.INPUT_CELLS["PeakGroups"]].number_format = "#,##0"
    ws.cell(L.ADDON_FIRST_ROW, 1, "增值服务 Add-ons").font = style.LABEL
    ws.cell(L.ADDON_FIRST_ROW + 1, 1, "one code per cell").font = style.NOTE
    for row in range(L.ADDON_FIRST_ROW, L.ADDON_LAST_ROW + 1):
        style.input_cell(ws[f"{L.INPUT_COL}{row}"])
    define(ws, "Addons", f"{L.INPUT_COL}{L.ADDON_FIRST_ROW}", f"{L.INPUT_COL}{L.ADDON_LAST_ROW}")

    # -- every formula ------------------------------------------------------------------------
    cells, names = formula_cells(book)
    for coord, (formula, _) in cells.items():
        ws[coord] = formula
    for name, ref in names.items():
        define(ws, name, *ref.split(":"))
    ws[f"{L.HELPER_LABEL_COL}{L.EDITION_ROW - 1}"] = "helpers (hidden): the rules of xlpricing.engine as formulas"
    for name, ref in names.items():
        if ref.startswith(L.HELPER_VALUE_COL) and ":" not in ref:
            ws[f"{L.HELPER_LABEL_COL}{ref[len(L.HELPER_VALUE_COL):]}"] = name
    for i, key in enumerate(ADDON_HELPERS):
        ws.cell(L.ADDON_FIRST_ROW - 1, L.ADDON_HELPER_FIRST_COL + i, f"addon {key}")
    for r in range(L.ADDON_FIRST_ROW, L.ADDON_LAST_ROW + 1):
        ws[f"{L.HINT_COL}{r}"].font = style.NOTE

    # -- line items ----------------------------------------------------------------------------
    ws.cell(L.LINES_HEADER_ROW, 1, "报价明细 Line items").font = style.SECTION
    ws.cell(L.LINES_HEADER_ROW, 3, "预付费 prepaid: bought per month in advance · 后付费 postpaid: settled monthly").font = style.NOTE
    style.header_row(ws, L.LINES_COLUMNS_ROW, [f"{zh} {en}".strip() for _, zh, en, _ in L.LINE_COLUMNS])
    ws.cell(L.LINES_COLUMNS_ROW, 2).value = "计费项 Item"
    ws.merge_cells(start_row=L.LINES_COLUMNS_ROW, start_column=2, end_row=L.LINES_COLUMNS_ROW, end_column=3)
    first_line, last_line = L.LINE_ROWS
    for row in range(first_line, last_line + 1):
        for key, *_ in L.LINE_COLUMNS:
            cell = ws[f"{c[key]}{row}"]
            cell.font, cell.border = style.BODY, style.BOX
            if key in ("unit", "monthly", "amount"):
                cell.number_format = money
            if key in ("note", "item_zh", "item_en"):  # a long name wraps, never cut off
                cell.alignment = Alignment(wrap_text=True, vertical="top")

    # -- totals --------------------------------------------------------------------------------
    for r, zh, en, is_total in ((L.PREPAID_ROW, "预付费小计", "Prepaid subtotal", False),
                                (L.POSTPAID_ROW, "后付费小计", "Postpaid subtotal", False),
                                (L.TOTAL_ROW, "合计", "Total", True)):
        ws.cell(r, 2, f"{zh} {en}").font = style.TOTAL if is_total else style.LABEL
        for key in ("monthly", "amount"):
            cell = ws[f"{c[key]}{r}"]
            cell.number_format = money
            cell.font = style.TOTAL if is_total else style.LABEL
            if is_total:
                cell.fill, cell.border = style.TOTAL_FILL, style.BOX
    if book.tax.included and book.tax.rate is not None:
        rate = f"{formatting.percent(book.tax.rate * 100)}%"
        for r, text in ((L.NET_ROW, f"其中：不含税金额 of which net of {book.tax.name_en}"),
                        (L.TAX_ROW, f"其中：税额（{book.tax.name_zh} {rate}）of which {book.tax.name_en} {rate}")):
            ws.cell(r, 2, text).font = style.LABEL
            ws[f"{c['amount']}{r}"].number_format = money
        define(ws, "QuoteNet", f"{c['amount']}{L.NET_ROW}")
        define(ws, "QuoteTax", f"{c['amount']}{L.TAX_ROW}")
    else:
        ws.cell(L.NET_ROW, 2, " ".join(tax_statement(book))).font = style.NOTE
    ws.cell(L.PREPAID_ROW, 1, "小计不含折扣 subtotals at list price").font = style.NOTE
    define(ws, "QuoteTotal", L.QUOTE_TOTAL_CELL)
    define(ws, "QuoteMonthlyTotal", f"{c['monthly']}{L.TOTAL_ROW}")
    define(ws, "QuotePrepaid", f"{c['amount']}{L.PREPAID_ROW}")
    define(ws, "QuotePostpaid", f"{c['amount']}{L.POSTPAID_ROW}")

    ws.cell(L.STATUS_ROW, 1, "状态 Status").font = style.LABEL
    ws.cell(L.STATUS_ROW, 1).alignment = style.WRAP_TOP
    status = ws[L.STATUS_CELL]
    status.font, status.alignment = style.LABEL, style.WRAP_TOP
    ws.merge_cells(f"{L.STATUS_CELL}:{last}{L.STATUS_ROW}")
    ws.row_dimensions[L.STATUS_ROW].height = 30
    ws.conditional_formatting.add(L.STATUS_CELL, FormulaRule(formula=[f'{L.STATUS_CELL}<>"OK"'], font=style.ERROR))
    define(ws, "QuoteStatus", L.STATUS_CELL)

    # -- terms -------------------------------------------------------------------------------
    ws.cell(L.TERMS_HEADER_ROW, 1, "条款 Terms").font = style.SECTION
    r = L.TERMS_HEADER_ROW
    page_width = sum(width for *_, width in L.LINE_COLUMNS)
    for note in book.notes:
        r += 1
        text = f"{note.zh}  {note.en}"
        cell = ws.cell(r, 1, text)
        cell.font, cell.alignment = style.BODY, style.WRAP_TOP
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(L.LINE_COLUMNS))
        style.fit_height(ws, r, text, page_width)
    r += 2
    ws.cell(r, 1, f"价格来源 Prices: {book.source_url} ({book.id})").font = style.NOTE

    # -- validation, widths, protection, print -----------------------------------------------------
    _validations(ws, book)
    for i, (key, _, _, width) in enumerate(L.LINE_COLUMNS):
        ws.column_dimensions[style.col(i + 1)].width = max(width, item_widths(book).get(key, 0))
    ws.column_dimensions.group(L.HELPER_LABEL_COL, style.col(L.ADDON_HELPER_FIRST_COL + len(ADDON_HELPERS)), hidden=True)
    ws.protection.sheet = True
    style.print_setup(ws, title_rows=f"{L.TITLE_ROW}:{L.SUBTITLE_ROW}", landscape=True, area=f"A1:{last}{r}")


def item_widths(book: PriceBook) -> dict[str, float]:
    """Widths of the item columns that fit the book's names on one line (a CJK character is two
    columns), up to MAX_ITEM_WIDTH: longer names (the call packages) wrap onto a second line."""
    from ..formatting import display_width

    items = [*book.addons, *book.overage]
    zh = [a.name_zh for a in items] + [f"{e.name_zh}套餐包" for e in book.editions]
    en = [a.name_en for a in items] + [f"{e.name_en} package" for e in book.editions]
    return {key: min(MAX_ITEM_WIDTH, max(map(display_width, names)) * 1.05 + 2)
            for key, names in (("item_zh", zh), ("item_en", en))}


MAX_ITEM_WIDTH = 48  # wider would shrink the landscape page's print


def _validations(ws: Worksheet, book: PriceBook) -> None:
    edition = DataValidation(type="list", formula1="names_list", allow_blank=False, showErrorMessage=True,
                             errorTitle="版本 Edition", error="Choose an edition: " + ", ".join(book.edition_codes))
    edition.add(L.INPUT_CELLS["Edition"])
    counts = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            showErrorMessage=True, errorTitle="峰值 Peak", error="A whole number, 0 or more")
    counts.add(L.INPUT_CELLS["PeakDAU"])
    counts.add(L.INPUT_CELLS["PeakGroups"])
    months = DataValidation(type="whole", operator="between", formula1=str(book.min_months),
                            formula2=str(book.max_months), allow_blank=True, showErrorMessage=True,
                            errorTitle="月数 Months", error=f"Whole months, {book.min_months} to {book.max_months}")
    months.add(L.INPUT_CELLS["Months"])
    discount = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True,
                              showErrorMessage=True, errorTitle="折扣 Discount", error="Percent off, 0 to 100")
    discount.add(L.INPUT_CELLS["Discount"])
    addons = DataValidation(type="list", formula1="ad_codes", allow_blank=True, showErrorMessage=True,
                            errorTitle="增值服务 Add-on", error="Choose an add-on code from the list")
    addons.add(L.ADDONS_RANGE)
    for dv in (edition, counts, months, discount, addons):
        ws.add_data_validation(dv)


def fill_inputs(ws: Worksheet, edition: object, peak_dau: object = 0, peak_groups: object = 0,
                addons: list | tuple = (), months: object = 1, discount: object = None) -> None:
    """Type a deal into the quote sheet's input cells (as a user would), add-ons one per cell."""
    if len(addons) > L.ADDON_SLOTS:
        raise ValueError(f"the quote sheet has {L.ADDON_SLOTS} add-on cells, got {len(addons)} add-ons")
    values = {"Edition": edition, "PeakDAU": peak_dau, "PeakGroups": peak_groups, "Months": months,
              "Discount": discount}
    for name, value in values.items():
        ws[L.INPUT_CELLS[name]].value = value
    for i, row in enumerate(range(L.ADDON_FIRST_ROW, L.ADDON_LAST_ROW + 1)):
        cell = ws[f"{L.INPUT_COL}{row}"]
        cell.value = addons[i] if i < len(addons) else None
        if isinstance(cell.value, str):
            cell.data_type = "s"  # a typed code is text, never a formula


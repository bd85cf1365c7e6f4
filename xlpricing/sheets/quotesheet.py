"""The 报价单 / Quote sheet: inputs, line items by native formulas, totals, and the rules.

The formulas mirror :func:`xlpricing.engine.build_quote` (tests prove they agree): overage per
started block above the free quota, trial caps, add-ons the edition cannot buy or already
includes, an add-on twice, two tiers of one family. Any broken rule shows its message and the
amounts and ``QuoteTotal`` show no number. Only functions Excel 2010+, LibreOffice and WPS all
know: INDEX, MATCH, IF, IFERROR, AND, OR, ISNUMBER, ISBLANK, INT, ROUNDUP, MAX, SUM, SUMIF,
SUMPRODUCT, LOWER, TRIM, LEN, TEXT.
"""

from __future__ import annotations

from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..engine import METRIC_EN
from ..pricebook import PriceBook
from . import layout as L
from . import style
from .pricesheet import INCLUDED, define, offered_on

def _helpers(book: PriceBook) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    e, d, g, m = (L.INPUT_CELLS[k] for k in ("Edition", "PeakDAU", "PeakGroups", "Months"))
    codes = ", ".join(book.edition_codes)
    lookup = "MATCH(TRIM(Edition),names_list,0)"
    whole = "IF(ISNUMBER({v}),IF(AND({v}>=0,{v}<=1000000000000),{v}=INT({v}),FALSE),FALSE)"
    helpers = [
        # MATCH takes wildcards (p* would match pro): accept only an exact (case-blind) name
        ("q_ed", "edition code",
         f'=IFERROR(IF(INDEX(names_list,{lookup})=TRIM(Edition),INDEX(names_code,{lookup}),""),"")'),
        ("q_row", "edition row", '=IF(q_ed="",0,MATCH(q_ed,ed_codes,0))'),
        ("q_dau", "peak DAU", "=IF(ISBLANK(PeakDAU),0,PeakDAU)"),
        ("q_groups", "peak groups", "=IF(ISBLANK(PeakGroups),0,PeakGroups)"),
        ("q_months", "months", "=IF(ISBLANK(Months),1,Months)"),
        ("q_dau_ok", "DAU is a count", "=" + whole.format(v="q_dau")),
        ("q_groups_ok", "groups is a count", "=" + whole.format(v="q_groups")),
        ("q_months_ok", "months in range",
         f"=IF(ISNUMBER(q_months),IF(AND(q_months>={book.min_months},q_months<={book.max_months}),"
         "q_months=INT(q_months),FALSE),FALSE)"),
        ("q_capped", "edition is capped", "=IF(q_row=0,0,INDEX(ed_capped,q_row))"),
        ("q_free_dau", "free peak DAU", "=IF(q_row=0,0,INDEX(ed_free_dau,q_row))"),
        ("q_free_groups", "free peak groups", "=IF(q_row=0,0,INDEX(ed_free_groups,q_row))"),
    ]
    for metric, short in (("peak_dau", "dau"), ("peak_groups", "groups")):
        usage, free = f"q_{short}", f"q_free_{short}"
        helpers += [
            (f"ov_{short}_row", f"overage row {metric}", f'=IFERROR(MATCH("{metric}",ov_metric,0),0)'),
            (f"ov_{short}_on", f"{metric} overage applies",
             f"=IF(OR(ov_{short}_row=0,q_row=0),0,INDEX(ov_applies,ov_{short}_row,q_row))"),
            (f"ov_{short}_blocks", f"{metric} blocks",
             f"=IF(AND(ov_{short}_on=1,{usage}_ok),ROUNDUP(MAX(0,{usage}-{free})/INDEX(ov_block,ov_{short}_row),0),0)"),
        ]
    upgrade = offered_on(book, [x.code for x in book.editions if not x.capped])
    checks = [
        ("c_edition", "edition",
         f'=IF(q_row>0,"",IF(LEN(TRIM(Edition))=0,"edition is missing ({codes})",'
         f'"unknown edition \'"&TRIM(Edition)&"\' ({codes})"))'),
        ("c_dau", "peak DAU", '=IF(q_dau_ok,"","peak_dau must be a whole number, 0 or more")'),
        ("c_groups", "peak groups", '=IF(q_groups_ok,"","peak_groups must be a whole number, 0 or more")'),
        ("c_months", "months",
         f'=IF(q_months_ok,"","months must be {book.min_months} to {book.max_months} (whole months)")'),
    ]
    for short, metric in (("dau", "peak_dau"), ("groups", "peak_groups")):
        checks.append((f"c_cap_{short}", f"cap {metric}",
                       f'=IF(AND(q_capped=1,q_{short}_ok),IF(q_{short}>q_free_{short},q_ed&" is capped at "'
                       f'&TEXT(q_free_{short},"#,##0")&" {METRIC_EN[metric]}: "&TEXT(q_{short},"#,##0")'
                       f'&" needs {upgrade}",""),"")'))
    return helpers, checks


ADDON_HELPERS = ["code", "idx", "family", "price", "count", "tiers", "message", "monthly"]


def _addon_helper_col(key: str) -> str:
    return style.col(L.ADDON_HELPER_FIRST_COL + ADDON_HELPERS.index(key))


def write_quote_sheet(ws: Worksheet, book: PriceBook) -> None:
    money = style.money_format(book)
    ws.sheet_properties.tabColor = style.TAB_QUOTE
    c = L.COL
    last = L.LAST_VISIBLE_COL

    # -- title and proposal header -----------------------------------------------------------
    ws[f"A{L.TITLE_ROW}"] = "腾讯云即时通信 IM 报价单  Tencent Cloud IM Quotation"
    ws[f"A{L.TITLE_ROW}"].font = style.TITLE
    ws[f"A{L.SUBTITLE_ROW}"] = f"{book.name_zh} · {book.name_en} · {book.id}"
    ws[f"A{L.SUBTITLE_ROW}"].font = style.SUBTITLE
    for key, (zh, en, cell) in L.HEADER_FIELDS.items():
        row, column = ws[cell].row, ws[cell].column
        label_col = 1 if column == 2 else column - 2
        ws.cell(row, label_col, f"{zh} {en}").font = style.LABEL
        if label_col < column - 1:
            ws.merge_cells(start_row=row, start_column=label_col, end_row=row, end_column=column - 1)
        style.input_cell(ws[cell])
        ws.merge_cells(start_row=row, start_column=column, end_row=row, end_column=column + 2)
    ws[L.HEADER_FIELDS["currency"][2]] = book.currency

    # -- inputs ------------------------------------------------------------------------------
    ws.cell(L.INPUTS_HEADER_ROW, 1, "输入 Inputs").font = style.SECTION
    ws.cell(L.INPUTS_HEADER_ROW, 3, "黄色单元格可编辑 yellow cells are yours to fill in").font = style.NOTE
    hints = {
        "Edition": ("版本 Edition", "pro", " / ".join(f"{e.code} {e.name_zh}" for e in book.editions)),
        "PeakDAU": ("峰值 DAU Peak DAU", 0, "当月最高单日 DAU the month's highest daily active users"),
        "PeakGroups": ("峰值群组数 Peak groups", 0, "当月最高群组总数 the month's highest number of groups"),
        "Months": ("购买月数 Months", 1, f"{book.min_months}–{book.max_months} 个月 whole months"),
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

    # -- helper cells and checks (hidden columns) -------------------------------------------------
    helpers, checks = _helpers(book)
    hl, hv = L.HELPER_LABEL_COL, L.HELPER_VALUE_COL
    row = L.EDITION_ROW
    ws[f"{hl}{row - 1}"] = "helpers (hidden): the rules of xlpricing.engine as formulas"
    for name, label, formula in helpers:
        ws[f"{hl}{row}"], ws[f"{hv}{row}"] = label, formula
        define(ws, name, f"{hv}{row}")
        row += 1

    first_addon, last_addon = L.ADDON_FIRST_ROW, L.ADDON_LAST_ROW
    h = _addon_helper_col
    for i, key in enumerate(ADDON_HELPERS):
        ws.cell(first_addon - 1, L.ADDON_HELPER_FIRST_COL + i, f"addon {key}")
    for r in range(first_addon, last_addon + 1):
        typed = f"{L.INPUT_COL}{r}"
        code, idx, fam, price, count, tiers, msg = (f"{h(k)}{r}" for k in ADDON_HELPERS[:7])
        match = f"MATCH({code},ad_codes,0)"
        # this row and the ones above: like the engine, only the second of a pair is reported
        span = lambda k: f"${h(k)}${first_addon}:{h(k)}{r}"  # noqa: E731
        ws[code] = f"=LOWER(TRIM({typed}))"
        ws[idx] = f'=IF({code}="",0,IFERROR(IF(INDEX(ad_codes,{match})={code},{match},-1),-1))'
        ws[fam] = f'=IF({idx}>0,INDEX(ad_family,{idx}),"")'
        ws[price] = f'=IF(AND({idx}>0,q_row>0),INDEX(ad_prices,{idx},q_row),"")'
        ws[count] = f"=IF({idx}>0,SUMPRODUCT(({span('idx')}={idx})*1),0)"
        ws[tiers] = f'=IF({fam}="",0,SUMPRODUCT(({span("family")}={fam})*1))'
        short = f"INDEX(ad_short,{idx})"
        ws[msg] = (
            f'=IF({code}="","",IF({idx}<0,"unknown add-on \'"&TRIM({typed})&"\'",IF(q_row=0,"",'
            f'IF({count}>1,{code}&" is listed twice",IF({tiers}>1,"two tiers of "&{fam}&" in add-ons, choose one",'
            f'IF({price}="{INCLUDED}",q_ed&" already includes "&{short}&" ("&{code}&"), leave it out",'
            f'IF(ISNUMBER({price}),"",{code}&" ("&{short}&") needs "&INDEX(ad_offered,{idx}))))))))'
        )
        ws[f"{h('monthly')}{r}"] = f'=IF(AND({msg}="",ISNUMBER({price})),{price},0)'
        # beside the input: what the code is, or what is wrong with it
        hint = ws[f"{L.HINT_COL}{r}"]
        hint.value = f'=IF({msg}<>"",{msg},IF({idx}>0,INDEX(ad_name_zh,{idx})&"  "&INDEX(ad_name_en,{idx}),""))'
        hint.font = style.NOTE

    row += 1
    ws[f"{hl}{row}"] = "checks: one message per broken rule"
    check_cells = []
    joined_prev = None
    for name, label, formula in checks + [
        (f"c_addon_{i + 1}", f"add-on {i + 1}", f"={h('message')}{r}")
        for i, r in enumerate(range(first_addon, last_addon + 1))
    ]:
        row += 1
        ws[f"{hl}{row}"], ws[f"{hv}{row}"] = label, formula
        check_cells.append(f"{hv}{row}")
        # running join, so the status shows every message like the engine does
        joined = f"O{row}"
        ws[joined] = (f"={hv}{row}" if joined_prev is None else
                      f'=IF({hv}{row}="",{joined_prev},IF({joined_prev}="",{hv}{row},{joined_prev}&"; "&{hv}{row}))')
        joined_prev = joined
    define(ws, "q_checks", check_cells[0], check_cells[-1])
    define(ws, "q_messages", joined_prev)
    row += 1
    ws[f"{hl}{row}"], ws[f"{hv}{row}"] = "problems", '=SUMPRODUCT((q_checks<>"")*1)'
    define(ws, "q_errors", f"{hv}{row}")

    # -- line items --------------------------------------------------------------------------
    ws.cell(L.LINES_HEADER_ROW, 1, "报价明细 Line items").font = style.SECTION
    ws.cell(L.LINES_HEADER_ROW, 3, "预付费 prepaid: bought per month in advance · 后付费 postpaid: settled monthly").font = style.NOTE
    style.header_row(ws, L.LINES_COLUMNS_ROW, [f"{zh} {en}".strip() for _, zh, en, _ in L.LINE_COLUMNS])
    ws.cell(L.LINES_COLUMNS_ROW, 2, "计费项 Item").value = "计费项 Item"
    ws.merge_cells(start_row=L.LINES_COLUMNS_ROW, start_column=2, end_row=L.LINES_COLUMNS_ROW, end_column=3)
    ok = "q_errors=0"
    r = L.PACKAGE_ROW
    show = "q_row>0"
    _line(ws, r, money, {
        "code": f'=IF({show},q_ed,"")',
        "item_zh": f'=IF({show},INDEX(ed_name_zh,q_row)&"套餐包","")',
        "item_en": f'=IF({show},INDEX(ed_name_en,q_row)&" package","")',
        "billing": f'=IF({show},INDEX(ed_billing,q_row),"")',
        "quantity": f'=IF({show},1,"")',
        "unit": f'=IF({show},INDEX(ed_price,q_row),"")',
        "note": f'=IF({show},IF(q_capped=1,"free, capped at "&TEXT(q_free_dau,"#,##0")&" peak DAU and "'
                f'&TEXT(q_free_groups,"#,##0")&" peak groups","includes "&TEXT(q_free_dau,"#,##0")&" peak DAU and "'
                f'&TEXT(q_free_groups,"#,##0")&" peak groups a month"),"")',
    }, monthly=f'=IF(AND({ok},{show}),{c["unit"]}{r},"")')
    for i, src in enumerate(range(first_addon, last_addon + 1)):
        r = L.ADDON_LINE_FIRST_ROW + i
        code, idx, price, msg = (f"{h(k)}{src}" for k in ("code", "idx", "price", "message"))
        show = f'AND({idx}>0,{msg}="",ISNUMBER({price}))'
        _line(ws, r, money, {
            "code": f'=IF({code}="","",{code})',
            "item_zh": f'=IF({show},INDEX(ad_name_zh,{idx}),"")',
            "item_en": f'=IF({show},INDEX(ad_name_en,{idx}),"")',
            "billing": f'=IF({show},INDEX(ad_billing,{idx}),"")',
            "quantity": f'=IF({show},1,"")',
            "unit": f'=IF({show},{price},"")',
            "note": f'=IF({msg}<>"",{msg},IF({show},IF(ISNUMBER(INDEX(ad_minutes,{idx})),TEXT(INDEX(ad_minutes,{idx}),"#,##0")'
                    f'&" call minutes a month included",IF(INDEX(ad_billing,{idx})="postpaid","postpaid, each whole month it is on","")),""))',
        }, monthly=f'=IF(AND({ok},{show}),{h("monthly")}{src},"")')
    for r, short, metric in ((L.OVERAGE_DAU_ROW, "dau", "peak_dau"), (L.OVERAGE_GROUPS_ROW, "groups", "peak_groups")):
        on, orow, blocks = f"ov_{short}_on", f"ov_{short}_row", f"ov_{short}_blocks"
        show = f"{on}=1"
        usage, free = f"q_{short}", f"q_free_{short}"
        what = METRIC_EN[metric]
        fmt = lambda v: f'TEXT({v},"#,##0")'  # noqa: E731
        _line(ws, r, money, {
            "code": f'=IF({show},INDEX(ov_codes,{orow}),"")',
            "item_zh": f'=IF({show},INDEX(ov_name_zh,{orow}),"")',
            "item_en": f'=IF({show},INDEX(ov_name_en,{orow}),"")',
            "billing": f'=IF({show},INDEX(ov_billing,{orow}),"")',
            "quantity": f'=IF({show},{blocks},"")',
            "unit": f'=IF({show},INDEX(ov_price,{orow}),"")',
            "note": f'=IF(AND({show},q_{short}_ok),IF({blocks}=0,{fmt(usage)}&" {what} ≤ "&{fmt(free)}&" free → 0 blocks",'
                    f'{fmt(usage)}&" {what} − "&{fmt(free)}&" free = "&{fmt(f"{usage}-{free}")}&" → "&{blocks}'
                    f'&IF({blocks}=1," block"," blocks")&" of "&{fmt(f"INDEX(ov_block,{orow})")}),"")',
        }, monthly=f'=IF(AND({ok},{show}),{blocks}*INDEX(ov_price,{orow}),"")')

    # -- totals ------------------------------------------------------------------------------
    first_line, last_line = L.LINE_ROWS
    span = lambda k: f"{c[k]}{first_line}:{c[k]}{last_line}"  # noqa: E731
    for r, zh, en, billing in ((L.PREPAID_ROW, "预付费小计", "Prepaid subtotal", "prepaid"),
                               (L.POSTPAID_ROW, "后付费小计", "Postpaid subtotal", "postpaid"),
                               (L.TOTAL_ROW, "合计", "Total", None)):
        ws.cell(r, 2, f"{zh} {en}").font = style.TOTAL if billing is None else style.LABEL
        for key in ("monthly", "amount"):
            total = f"SUM({span(key)})" if billing is None else f'SUMIF({span("billing")},"{billing}",{span(key)})'
            cell = ws[f"{c[key]}{r}"]
            cell.value = f'=IF({ok},{total},"")'
            cell.number_format = money
            cell.font = style.TOTAL if billing is None else style.LABEL
            if billing is None:
                cell.fill = style.TOTAL_FILL
                cell.border = style.BOX
        ws[f"{c['months']}{r}"] = f'=IF({ok},q_months,"")'
    ws[f"{c['note']}{L.TOTAL_ROW}"] = f'=IF({ok},"{book.currency}, for "&q_months&IF(q_months=1," month"," months"),"")'
    define(ws, "QuoteTotal", L.QUOTE_TOTAL_CELL)
    define(ws, "QuoteMonthlyTotal", f"{c['monthly']}{L.TOTAL_ROW}")
    define(ws, "QuotePrepaid", f"{c['amount']}{L.PREPAID_ROW}")
    define(ws, "QuotePostpaid", f"{c['amount']}{L.POSTPAID_ROW}")

    ws.cell(L.STATUS_ROW, 1, "状态 Status").font = style.LABEL
    ws.cell(L.STATUS_ROW, 1).alignment = style.WRAP_TOP
    status = ws[L.STATUS_CELL]
    status.value = '=IF(q_errors=0,"OK",q_messages)'
    status.font = style.LABEL
    status.alignment = style.WRAP_TOP
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
    for i, (_, _, _, width) in enumerate(L.LINE_COLUMNS):
        ws.column_dimensions[style.col(i + 1)].width = width
    ws.column_dimensions.group(L.HELPER_LABEL_COL, style.col(L.ADDON_HELPER_FIRST_COL + len(ADDON_HELPERS)), hidden=True)
    ws.protection.sheet = True
    style.print_setup(ws, title_rows=f"{L.TITLE_ROW}:{L.SUBTITLE_ROW}", landscape=True, area=f"A1:{last}{r}")


def _line(ws: Worksheet, row: int, money: str, formulas: dict[str, str], monthly: str) -> None:
    c = L.COL
    for key, formula in formulas.items():
        ws[f"{c[key]}{row}"] = formula
    ws[f"{c['monthly']}{row}"] = monthly
    ws[f"{c['months']}{row}"] = f'=IF({c["monthly"]}{row}="","",q_months)'
    ws[f"{c['amount']}{row}"] = f'=IF({c["monthly"]}{row}="","",{c["monthly"]}{row}*q_months)'
    for key, *_ in L.LINE_COLUMNS:
        cell = ws[f"{c[key]}{row}"]
        cell.font, cell.border = style.BODY, style.BOX
        if key in ("unit", "monthly", "amount"):
            cell.number_format = money
        if key == "note":
            cell.alignment = Alignment(wrap_text=True, vertical="top")


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
    addons = DataValidation(type="list", formula1="ad_codes", allow_blank=True, showErrorMessage=True,
                            errorTitle="增值服务 Add-on", error="Choose an add-on code from the list")
    addons.add(L.ADDONS_RANGE)
    for dv in (edition, counts, months, addons):
        ws.add_data_validation(dv)


def fill_inputs(ws: Worksheet, edition: object, peak_dau: object = 0, peak_groups: object = 0,
                addons: list | tuple = (), months: object = 1) -> None:
    """Type a deal into the quote sheet's input cells (as a user would), add-ons one per cell."""
    if len(addons) > L.ADDON_SLOTS:
        raise ValueError(f"the quote sheet has {L.ADDON_SLOTS} add-on cells, got {len(addons)} add-ons")
    for name, value in (("Edition", edition), ("PeakDAU", peak_dau), ("PeakGroups", peak_groups), ("Months", months)):
        ws[L.INPUT_CELLS[name]].value = value
    for i, row in enumerate(range(L.ADDON_FIRST_ROW, L.ADDON_LAST_ROW + 1)):
        cell = ws[f"{L.INPUT_COL}{row}"]
        cell.value = addons[i] if i < len(addons) else None
        if isinstance(cell.value, str):
            cell.data_type = "s"  # a typed code is text, never a formula


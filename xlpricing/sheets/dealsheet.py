"""多应用 Deal: a deal of up to 10 apps over up to 24 months in native formulas (no Python).

Each app has an edition and up to four add-ons, and a peak DAU and a peak groups cell per month.
An app is priced from the first month that has a peak; a blank month carries the month before
over (as a phase of a deal file does). Each month costs the package and add-ons plus the overage
on that month's peaks, by the same charge model the engine uses (its formula comes from
``charges``); the rules the engine checks (an unknown edition or add-on, one the edition cannot
buy, two tiers of a family, a withdrawn add-on, trial above its caps, an app listed twice) show
as the app's status, and the app then has no number. Tests recalculate it in LibreOffice and
compare every total with :func:`xlpricing.deals.quote_deal`.
"""

from __future__ import annotations

from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..engine import overage_strategy, tax_split_excel, tax_statement
from ..pricebook import PriceBook
from . import style

DEAL_SHEET = "多应用 Deal"
APPS = 10
MONTHS = 24
ADDON_COLS = ("C", "D", "E", "F")
TOTAL_COL, STATUS_COL = "G", "H"  # the status last in its row: its text runs on over the empty cells
MONTHS_CELL = "B4"
TOTAL_CELL = "E4"
FIRST_APP = 8  # rows of the app table
DAU_FIRST = FIRST_APP + APPS + 3  # peak DAU inputs
GROUPS_FIRST = DAU_FIRST + APPS + 3  # peak groups inputs
COST_FIRST = GROUPS_FIRST + APPS + 3  # monthly cost per app
MONTH_TOTAL_ROW = COST_FIRST + APPS
EFF_DAU_FIRST = MONTH_TOTAL_ROW + 4  # helpers: each month's peak after carrying over
EFF_GROUPS_FIRST = EFF_DAU_FIRST + APPS + 1
HELPER_COL = 30  # AD…: per-app helpers (edition row, add-on rows and prices, fixed monthly)


def month_col(m: int) -> str:
    return style.col(1 + m)  # month 1 in column B


def _helper(i: int) -> str:
    return style.col(HELPER_COL + i)


def write_deal_sheet(ws: Worksheet, book: PriceBook) -> None:
    ws.sheet_properties.tabColor = "70AD47"
    ws["A1"] = "多应用报价 Deal of several apps"
    ws["A1"].font = style.TITLE
    ws["A2"] = ("每个应用（SDKAppID）一个套餐包；每月按当月峰值计费，空白月份沿用上月。Each app buys its own package; each "
                "month is billed on that month's peaks, a blank month carries the month before over.")
    ws["A2"].font = style.SUBTITLE
    ws["A4"], ws["A5"] = "购买月数 Months", "税 Tax"
    for cell in ("A4", "A5", "D4", "D5", "D6"):
        ws[cell].font = style.LABEL
    ws[MONTHS_CELL] = 12
    style.input_cell(ws[MONTHS_CELL])
    dv = DataValidation(type="whole", operator="between", formula1=str(book.min_months), formula2=str(book.max_months),
                        showErrorMessage=True, error=f"{book.min_months}–{book.max_months} whole months")
    ws.add_data_validation(dv)
    dv.add(MONTHS_CELL)
    counts = DataValidation(type="whole", operator="between", formula1="0", formula2="1000000000000", allow_blank=True,
                            showErrorMessage=True, error="a peak is a whole number, 0 or more (blank = as the month before)")
    ws.add_data_validation(counts)

    # the app table: inputs, status, total
    style.header_row(ws, FIRST_APP - 1, ["应用 App", "版本 Edition", "增值服务 Add-on 1", "Add-on 2", "Add-on 3",
                                         "Add-on 4", "合计 Total (CNY)", "状态 Status"])
    editions = DataValidation(type="list", formula1="names_list", allow_blank=True)
    addons = DataValidation(type="list", formula1="ad_codes", allow_blank=True)
    ws.add_data_validation(editions)
    ws.add_data_validation(addons)
    orow = {"peak_dau": f"${_helper(12)}$4", "peak_groups": f"${_helper(13)}$4"}
    ws[orow["peak_dau"].replace("$", "")] = '=IFERROR(MATCH("peak_dau",ov_metric,0),0)'
    ws[orow["peak_groups"].replace("$", "")] = '=IFERROR(MATCH("peak_groups",ov_metric,0),0)'
    last_month = month_col(MONTHS)
    for i in range(APPS):
        r = FIRST_APP + i
        for col in ("A", "B", *ADDON_COLS):
            style.input_cell(ws[f"{col}{r}"])
        editions.add(f"B{r}")
        for col in ADDON_COLS:
            addons.add(f"{col}{r}")
        h = {k: f"${_helper(n)}{r}" for n, k in enumerate(
            ("ed", "a1", "a2", "a3", "a4", "p1", "p2", "p3", "p4", "fixed", "capped", "withdrawn"))}
        # MATCH takes wildcards (p* would match pro): a name or code counts only when it is the one found
        name = f"MATCH(TRIM(B{r}),names_list,0)"
        ws[h["ed"].replace("$", "")] = (f'=IF(TRIM(B{r})="",0,IFERROR(IF(INDEX(names_list,{name})=TRIM(B{r}),'
                                        f'MATCH(INDEX(names_code,{name}),ed_codes,0),0),0))')
        for k, col in enumerate(ADDON_COLS, 1):
            code = f"MATCH(TRIM({col}{r}),ad_codes,0)"
            ws[h[f"a{k}"].replace("$", "")] = (f'=IF(TRIM({col}{r})="",0,IFERROR(IF(INDEX(ad_codes,{code})=TRIM({col}{r}),'
                                               f'{code},-1),-1))')
            ws[h[f"p{k}"].replace("$", "")] = (f'=IF(OR({h[f"a{k}"]}<=0,{h["ed"]}=0),0,'
                                               f'INDEX(ad_prices,{h[f"a{k}"]},{h["ed"]}))')
        prices = [h[f"p{k}"] for k in range(1, 5)]
        ws[h["fixed"].replace("$", "")] = (f'=IF({h["ed"]}=0,0,INDEX(ed_price,{h["ed"]})+'
                                           + "+".join(f"IF(ISNUMBER({p}),{p},0)" for p in prices) + ")")
        ws[h["capped"].replace("$", "")] = f'=IF({h["ed"]}=0,0,INDEX(ed_capped,{h["ed"]}))'
        ws[h["withdrawn"].replace("$", "")] = "=" + "+".join(
            f'IF({h[f"a{k}"]}>0,INDEX(ad_withdrawn,{h[f"a{k}"]}),0)' for k in range(1, 5))
        fam = [f'INDEX(ad_family,{h[f"a{k}"]})' for k in range(1, 5)]
        pairs = "+".join(f'IF(AND({h[f"a{a}"]}>0,{h[f"a{b}"]}>0),({fam[a - 1]}={fam[b - 1]})*1,0)'
                         for a in range(1, 5) for b in range(a + 1, 5))
        peak_rows = [f"B{row}:{last_month}{row}" for row in (DAU_FIRST + i, GROUPS_FIRST + i)]
        not_numbers = "+".join(f'SUMPRODUCT(({rng}<>"")*(1-ISNUMBER({rng})))' for rng in peak_rows)
        bad_number = "+".join(f"SUMPRODUCT(((B{row}:{last_month}{row}<0)+(B{row}:{last_month}{row}<>INT(B{row}:"
                              f"{last_month}{row}))>0)*1)" for row in (DAU_FIRST + i, GROUPS_FIRST + i))
        eff_d, eff_g = EFF_DAU_FIRST + i, EFF_GROUPS_FIRST + i
        active = "+".join(f"SUMPRODUCT(ISNUMBER(B{row}:{last_month}{row})*1)" for row in (eff_d, eff_g)) + ">0"
        cap = (f'OR(MAX(B{eff_d}:{last_month}{eff_d})>INDEX(ed_free_dau,{h["ed"]}),'
               f'MAX(B{eff_g}:{last_month}{eff_g})>INDEX(ed_free_groups,{h["ed"]}))')
        unknown = " OR ".join(f"{h[f'a{k}']}=-1" for k in range(1, 5))
        unavailable = ",".join(f'AND({h[f"a{k}"]}>0,ISNUMBER({h[f"p{k}"]})=FALSE)' for k in range(1, 5))
        ws[f"{STATUS_COL}{r}"] = (
            f'=IF(AND(TRIM(A{r})="",TRIM(B{r})=""),"",'
            f'IF(TRIM(A{r})="","the app needs a name",'
            f'IF(SUMPRODUCT((TRIM($A${FIRST_APP}:$A${FIRST_APP + APPS - 1})=TRIM(A{r}))*1)>1,"app listed twice",'
            f'IF({not_numbers}>0,"a peak that is not a number",'
            f'IF({bad_number}>0,"peaks are whole numbers, 0 or more",'
            f'IF({h["ed"]}=0,"unknown edition",'
            f'IF(OR({unknown.replace(" OR ", ",")}),"unknown add-on",'
            f'IF({h["withdrawn"]}>0,"add-on withdrawn from sale",'
            f'IF(OR({unavailable}),"an add-on this edition cannot buy or already has",'
            f'IF({pairs}>0,"two tiers of one add-on family",'
            f'IF(({active})=FALSE,"no peak in any month of the term",'
            f'IF(AND({h["capped"]}=1,{cap}),"above the caps of "&INDEX(ed_codes,{h["ed"]})&": choose pro or flagship",'
            f'"OK"))))))))))))')
        ws[f"{TOTAL_COL}{r}"] = (f'=IF({STATUS_COL}{r}="OK",SUM(B{COST_FIRST + i}:{last_month}{COST_FIRST + i}),'
                                 f'"")')
        ws[f"{TOTAL_COL}{r}"].number_format = style.MONEY_FEN
        ws[f"{STATUS_COL}{r}"].font = style.ERROR

        # peaks by month (inputs), what each month carries over (helpers), and the cost
        for first, eff in ((DAU_FIRST, eff_d), (GROUPS_FIRST, eff_g)):
            ws[f"A{first + i}"] = f'=IF(A{r}="","",A{r})'
            ws[f"A{eff}"] = f'=IF(A{r}="","",A{r})'
            for m in range(1, MONTHS + 1):
                c = month_col(m)
                style.input_cell(ws[f"{c}{first + i}"])
                ws[f"{c}{first + i}"].number_format = "#,##0"
                counts.add(f"{c}{first + i}")
                before = '""' if m == 1 else f"{month_col(m - 1)}{eff}"
                ws[f"{c}{eff}"] = f'=IF({m}>{MONTHS_CELL_ABS},"",IF(ISNUMBER({c}{first + i}),{c}{first + i},{before}))'
        ws[f"A{COST_FIRST + i}"] = f'=IF(A{r}="","",A{r})'
        for m in range(1, MONTHS + 1):
            c = month_col(m)
            usage = {"peak_dau": f"IF(ISNUMBER({c}{eff_d}),{c}{eff_d},0)",
                     "peak_groups": f"IF(ISNUMBER({c}{eff_g}),{c}{eff_g},0)"}
            over = []
            for metric, free in (("peak_dau", "ed_free_dau"), ("peak_groups", "ed_free_groups")):
                o = orow[metric]
                blocks = overage_strategy(book, metric).excel_quantity(usage[metric], f"INDEX({free},{h['ed']})",
                                                                       f"INDEX(ov_block,{o})")
                over.append(f"IF({o}=0,0,INDEX(ov_applies,{o},{h['ed']})*{blocks}*INDEX(ov_price,{o}))")
            ws[f"{c}{COST_FIRST + i}"] = (f'=IF(OR(${STATUS_COL}{r}<>"OK",AND({c}{eff_d}="",{c}{eff_g}="")),"",'
                                          f'{h["fixed"]}+{"+".join(over)})')
            ws[f"{c}{COST_FIRST + i}"].number_format = style.MONEY_FEN

    # section headers with the months
    for first, title in ((DAU_FIRST, "峰值 DAU（每月）Peak DAU by month"), (GROUPS_FIRST, "峰值群组（每月）Peak groups by month"),
                         (COST_FIRST, "每月费用 Cost by month (CNY)")):
        ws[f"A{first - 2}"] = title
        ws[f"A{first - 2}"].font = style.SECTION
        style.header_row(ws, first - 1, ["应用 App", *(f"{m}" for m in range(1, MONTHS + 1))])
    ws[f"A{MONTH_TOTAL_ROW}"] = "合计 Total"
    ws[f"A{MONTH_TOTAL_ROW}"].font = style.LABEL
    for m in range(1, MONTHS + 1):
        c = month_col(m)
        ws[f"{c}{MONTH_TOTAL_ROW}"] = (f'=IF({m}>{MONTHS_CELL_ABS},"",SUM({c}{COST_FIRST}:{c}{COST_FIRST + APPS - 1}))')
        ws[f"{c}{MONTH_TOTAL_ROW}"].number_format = style.MONEY_FEN
        ws[f"{c}{MONTH_TOTAL_ROW}"].font = style.LABEL
    ws[f"A{EFF_DAU_FIRST - 1}"] = "计算 Helpers: each month's peaks after carrying the month before over"
    ws[f"A{EFF_DAU_FIRST - 1}"].font = style.NOTE

    # the deal's total and its tax
    statuses = f"${STATUS_COL}${FIRST_APP}:${STATUS_COL}${FIRST_APP + APPS - 1}"
    ws["D4"] = "合计 Total"
    ok, named = f'SUMPRODUCT(({statuses}="OK")*1)', f'SUMPRODUCT(({statuses}<>"")*1)'
    ws[TOTAL_CELL] = (f'=IF(OR({ok}=0,{ok}<{named}),"",SUM({TOTAL_COL}{FIRST_APP}:{TOTAL_COL}{FIRST_APP + APPS - 1}))')
    ws[TOTAL_CELL].number_format = style.MONEY_FEN
    ws[TOTAL_CELL].font = style.TOTAL
    ws[TOTAL_CELL].fill = style.TOTAL_FILL
    zh, en = tax_statement(book)
    ws["B5"] = f"{zh} {en}"
    ws["B5"].font = style.NOTE
    split = tax_split_excel(book, TOTAL_CELL, "E5")
    if split is not None:  # engine.tax_split's own formulas
        ws["D5"], ws["D6"] = "不含税金额 Net", "税额 Tax"
        ws["E5"] = f'=IF({TOTAL_CELL}="","",{split[0]})'
        ws["E6"] = f'=IF({TOTAL_CELL}="","",{split[1]})'
        for cell in ("E5", "E6"):
            ws[cell].number_format = style.MONEY_FEN
    ws["G4"] = "一个应用状态不是 OK 时，合计不显示 · the total shows when every app's status is OK"
    ws["G4"].font = style.NOTE

    ws.column_dimensions["A"].width = 22
    for m in range(1, MONTHS + 1):  # the app table's columns are the months' too: one width, the status overflows
        ws.column_dimensions[month_col(m)].width = 12
    for n in range(14):
        ws.column_dimensions[_helper(n)].hidden = True
    for r in range(EFF_DAU_FIRST - 1, EFF_GROUPS_FIRST + APPS):
        ws.row_dimensions[r].hidden = True
    ws.freeze_panes = "B8"
    style.print_setup(ws, title_rows="1:2", landscape=True)


MONTHS_CELL_ABS = "$B$4"

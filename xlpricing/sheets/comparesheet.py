"""The 版本对比 / Compare editions sheet: monthly cost of each edition over a range of usage.

Each edition that has overage gets a column; its add-ons (by default, the ones another edition
already includes, so the comparison is like for like) are inputs. A line chart shows both.
"""

from __future__ import annotations

from openpyxl.chart import Reference, ScatterChart, Series
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..engine import overage_strategy
from ..pricebook import PriceBook
from . import style

ADDON_CELLS = 4
USAGE_LEVELS = [  # (peak DAU, peak groups): editable defaults, crossing several overage blocks
    (5_000, 50_000), (10_000, 100_000), (20_000, 200_000), (30_000, 300_000), (50_000, 500_000),
    (80_000, 800_000), (100_000, 1_000_000), (150_000, 1_500_000), (200_000, 2_000_000), (300_000, 3_000_000),
]
FIRST_INPUT_ROW = 5
TABLE_HEADER_ROW = FIRST_INPUT_ROW + ADDON_CELLS + 4


def compared_editions(book: PriceBook) -> list:
    return [e for e in book.editions if not e.capped]


def default_addons(book: PriceBook, edition) -> list[str]:
    """Add-ons this edition can buy that another compared edition already includes."""
    others = {e.code for e in compared_editions(book)} - {edition.code}
    return [a.code for a in book.addons if edition.code in a.prices and others & set(a.included_in)]


def write_compare_sheet(ws: Worksheet, book: PriceBook) -> dict:
    """Returns where things are, for tests: {edition code: (addon cells, cost column)}, rows."""
    money = style.money_format(book)
    ws.sheet_properties.tabColor = style.TAB_COMPARE
    editions = compared_editions(book)
    ws["A1"] = "版本对比 Compare editions"
    ws["A1"].font = style.TITLE
    ws["A2"] = ("每月费用：套餐包 + 所选增值服务 + 超量费用。Monthly cost: package + the add-ons below + overage at "
                "each usage level. Yellow cells are yours to change.")
    ws["A2"].font = style.SUBTITLE
    ws["A2"].alignment = style.WRAP_TOP
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=3 + len(editions))
    ws.row_dimensions[2].height = 30

    ws.cell(FIRST_INPUT_ROW - 1, 1, "增值服务 Add-ons per edition").font = style.SECTION
    where: dict = {"editions": {}}
    for i, e in enumerate(editions):
        col = 2 + i * 2
        ws.cell(FIRST_INPUT_ROW, col, f"{e.name_zh} {e.code}").font = style.LABEL
        ws.cell(FIRST_INPUT_ROW, col + 1, "元/月 CNY/month").font = style.NOTE
        defaults = default_addons(book, e)
        cells = []
        for k in range(ADDON_CELLS):
            r = FIRST_INPUT_ROW + 1 + k
            code_cell = ws.cell(r, col, defaults[k] if k < len(defaults) else None)
            style.input_cell(code_cell)
            ref = code_cell.coordinate
            price = ws.cell(r, col + 1)
            # price of this add-on on this edition; text when it cannot be bought here. MATCH takes
            # wildcards (h* would match history_30): the code found must equal the code typed.
            typed = f"LOWER(TRIM({ref}))"
            found = f"MATCH({typed},ad_codes,0)"
            price.value = (f'=IF({ref}="",0,IFERROR(IF(INDEX(ad_codes,{found})={typed},'
                           f'INDEX(ad_prices,{found},MATCH("{e.code}",ed_codes,0)),"unknown"),"unknown"))')
            price.number_format = money
            cells.append(ref)
        if defaults:
            ws.cell(FIRST_INPUT_ROW - 1, col + 1, "默认：其他版本已包含的能力 default: what another edition includes"
                    ).font = style.NOTE
        total_row = FIRST_INPUT_ROW + 1 + ADDON_CELLS
        first_price = ws.cell(FIRST_INPUT_ROW + 1, col + 1).coordinate
        last_price = ws.cell(total_row - 1, col + 1).coordinate
        ws.cell(total_row, col, "合计 add-ons").font = style.LABEL
        total = ws.cell(total_row, col + 1, f"=SUM({first_price}:{last_price})")
        total.number_format = money
        total.font = style.LABEL
        check = ws.cell(total_row + 1, col)
        check.value = (f'=IF(SUMPRODUCT(ISNUMBER({first_price}:{last_price})*1)={ADDON_CELLS},"",'
                       f'"an add-on above cannot be bought on {e.code}")')
        check.font = style.ERROR
        where["editions"][e.code] = {"addon_cells": cells, "addon_total": total.coordinate,
                                     "check": check.coordinate}
        dv = DataValidation(type="list", formula1="ad_codes", allow_blank=True)
        dv.add(f"{cells[0]}:{cells[-1]}")
        ws.add_data_validation(dv)

    # -- the table -------------------------------------------------------------------------
    pair = len(editions) == 2  # a difference and a break-even make sense between two
    header = ["峰值 DAU Peak DAU", "峰值群组 Peak groups",
              *(f"{e.name_zh} {e.name_en} (元/月)" for e in editions), "较便宜 Cheaper"]
    if pair:
        header += [f"差额 {editions[1].code} − {editions[0].code}", f"{editions[1].code} ≤ {editions[0].code}"]
    style.header_row(ws, TABLE_HEADER_ROW, header)
    first = TABLE_HEADER_ROW + 1
    for k, (dau, groups) in enumerate(USAGE_LEVELS):
        r = first + k
        for c, value in ((1, dau), (2, groups)):
            cell = ws.cell(r, c, value)
            style.input_cell(cell)
            cell.number_format = "#,##0"
        costs = []
        for i, e in enumerate(editions):
            info = where["editions"][e.code]
            cell = ws.cell(r, 3 + i)
            cell.value = _monthly_cost(book, e.code, f"$A{r}", f"$B{r}", info["addon_total"], info["check"])
            cell.number_format = money
            cell.font, cell.border = style.BODY, style.BOX
            costs.append(cell.coordinate)
        cheaper = ws.cell(r, 3 + len(editions))
        cheaper.value = _cheaper(costs, editions)
        cheaper.font, cheaper.border = style.BODY, style.BOX
        if pair:
            diff = ws.cell(r, 4 + len(editions), f'=IFERROR({costs[1]}-{costs[0]},"")')
            diff.number_format, diff.font, diff.border = money, style.BODY, style.BOX
            flag = ws.cell(r, 5 + len(editions), f'=IF(AND(ISNUMBER({diff.coordinate}),{diff.coordinate}<=0),1,0)')
            flag.font, flag.border = style.BODY, style.BOX
    last = first + len(USAGE_LEVELS) - 1
    where["rows"] = (first, last)
    where["cost_columns"] = {e.code: style.col(3 + i) for i, e in enumerate(editions)}
    if pair:
        flags = style.col(5 + len(editions))
        where["difference_column"] = style.col(4 + len(editions))
        where["break_even"] = f"C{last + 1}"
        ws.cell(last + 1, 1, f"盈亏平衡 Break-even: first level above where {editions[1].code} costs no more "
                             f"than {editions[0].code}").font = style.LABEL
        ws.merge_cells(start_row=last + 1, start_column=1, end_row=last + 1, end_column=2)
        ws.row_dimensions[last + 1].height = 28
        ws.cell(last + 1, 1).alignment = style.WRAP_TOP
        ws.cell(last + 1, 3, f'=IFERROR(INDEX(A{first}:A{last},MATCH(1,{flags}{first}:{flags}{last},0)),'
                             f'"none in this table")').font = style.TOTAL
        ws.cell(last + 1, 3).number_format = "#,##0"
        ws.cell(last + 2, 1, "Costs change only where a block of overage starts; with the same overage rates on both "
                             "editions the difference stays the same (=IMBREAKEVEN gives the exact DAU).").font = style.NOTE

    # a scatter chart with straight lines: the DAU axis keeps its scale (a line chart would
    # space 5,000 → 10,000 like 200,000 → 300,000)
    chart = ScatterChart()
    chart.title = "每月费用 Monthly cost (CNY)"
    chart.style = 13
    chart.y_axis.title = "CNY / month"
    chart.x_axis.title = "Peak DAU (groups as in the table)"
    chart.height, chart.width = 9, 20
    xvalues = Reference(ws, min_col=1, min_row=first, max_row=last)
    for i in range(len(editions)):
        values = Reference(ws, min_col=3 + i, min_row=TABLE_HEADER_ROW, max_row=last)
        series = Series(values, xvalues, title_from_data=True)
        series.smooth = False
        series.marker.symbol = "circle"
        chart.series.append(series)
    ws.add_chart(chart, f"A{last + 4}")

    for col, width in zip("ABCDEFG", (18, 20, 22, 22, 16, 18, 14)):
        ws.column_dimensions[col].width = width
    ws.protection.sheet = True
    style.print_setup(ws, title_rows="1:2", area=f"A1:{style.col(5 + len(editions))}{last + 23}", one_page=True)
    return where


def _monthly_cost(book: PriceBook, code: str, dau: str, groups: str, addon_total: str, check: str) -> str:
    row = f'MATCH("{code}",ed_codes,0)'
    parts = [f"INDEX(ed_price,{row})", addon_total]
    for metric, usage, free in (("peak_dau", dau, "ed_free_dau"), ("peak_groups", groups, "ed_free_groups")):
        orow = f'MATCH("{metric}",ov_metric,0)'
        blocks = overage_strategy(book, metric).excel_quantity(usage, f"INDEX({free},{row})", f"INDEX(ov_block,{orow})")
        parts.append(f"INDEX(ov_applies,{orow},{row})*{blocks}*INDEX(ov_price,{orow})")
    return f'=IF({check}<>"","",{"+".join(parts)})'


def _cheaper(costs: list[str], editions: list) -> str:
    """The edition with the lowest cost on this row, or 'same' on a tie."""
    low = f"MIN({','.join(costs)})"
    names = [f'IF({c}={low},"{e.code}","")' for c, e in zip(costs, editions)]
    count = "+".join(f"({c}={low})*1" for c in costs)
    return f'=IFERROR(IF({count}>1,"same",{"&".join(names)}),"")'

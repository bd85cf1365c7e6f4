"""The pipeline workbook: open quotes by status and by rep with totals (native SUMIFS over the
quote list, so a filtered or edited copy still adds up), the ones expiring soon, and a chart."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from ..sheets import style
from ..sheets.cached import add_cached_values
from ..sheets.template import save_workbook
from .core import OPEN, Register

QUOTES_SHEET = "报价 Open quotes"
SUMMARY_SHEET = "汇总 Pipeline"
SHOWN = list(OPEN) + ["expired"]  # the statuses the pipeline counts (expired: to chase or close)


def literal_criterion(cell: str) -> str:
    """A COUNTIFS/SUMIFS criterion that matches the text in ``cell`` as it is written. A criterion
    reads * and ? as wildcards, ~ as their escape, and a leading =, <, > or <> as a comparison:
    a rep named "Li*" would count "Li Na" too, one named "<M" every name before M. So ~ * ? are
    escaped with ~, and "=" in front makes it an equality whatever the text begins with."""
    return f'"="&SUBSTITUTE(SUBSTITUTE(SUBSTITUTE({cell},"~","~~"),"*","~*"),"?","~?")'


def write_pipeline(register: Register, path: Path, force: bool = False, expiring_within: int = 7,
                   today: dt.date | None = None) -> tuple[Path, int]:
    today = today or dt.date.today()
    rows = [r for r in register.quotes(today=today) if r.status_on(today) in SHOWN]
    currencies = sorted({r.currency for r in rows}) or ["CNY"]
    wb = Workbook()
    summary = wb.active
    summary.title = SUMMARY_SHEET
    quotes = wb.create_sheet(QUOTES_SHEET)

    header = ["报价编号 Quote", "版本 Version", "状态 Status", "客户 Customer", "销售 Rep", "有效期至 Valid until",
              "币种 Currency", "价税合计 Total", "文件 Workbook"]
    style.header_row(quotes, 1, header)
    for i, r in enumerate(rows, 2):
        style.body_row(quotes, i, [None, r.version, None, None, None, r.valid_until, None, r.total, None],
                       formats={6: "yyyy-mm-dd", 8: style.MONEY_FEN})
        for col, text in ((1, r.label), (3, r.status_on(today)), (4, r.customer), (5, r.rep), (7, r.currency),
                          (9, r.path)):
            style.literal(quotes.cell(i, col), text)  # free text: never a formula
    last = max(len(rows) + 1, 2)
    for col, width in zip("ABCDEFGHI", (18, 8, 16, 36, 16, 12, 8, 16, 60)):
        quotes.column_dimensions[col].width = width
    quotes.freeze_panes = "A2"
    quotes.auto_filter.ref = f"A1:I{last}"

    summary["A1"] = "销售管道 Pipeline"
    summary["A1"].font = style.TITLE
    summary["A2"] = f"{len(rows)} open quote(s) on {today} · {register.db.describe if register.db.kind == 'sqlite' else register.db.kind}"
    summary["A2"].font = style.SUBTITLE
    cached: dict[str, Decimal | int] = {}
    row = 4

    def table(title: str, key_col: str, keys: list[str], value_of) -> tuple[int, int]:
        nonlocal row
        summary.cell(row, 1, title).font = style.SECTION
        row += 1
        style.header_row(summary, row, [title.split(" ", 1)[0], "数量 Count", *(f"合计 {c}" for c in currencies)])
        first = row + 1
        for key in keys:
            row += 1
            style.literal(summary.cell(row, 1), key)
            literally = literal_criterion(f"A{row}")
            count = summary.cell(row, 2, f'=COUNTIFS(\'{QUOTES_SHEET}\'!{key_col}2:{key_col}{last},{literally})')
            cached[count.coordinate] = sum(1 for r in rows if value_of(r) == key)
            for k, cur in enumerate(currencies):
                c = summary.cell(row, 3 + k, f"=SUMIFS('{QUOTES_SHEET}'!H2:H{last},'{QUOTES_SHEET}'!{key_col}2:"
                                             f"{key_col}{last},{literally},'{QUOTES_SHEET}'!G2:G{last},\"{cur}\")")
                c.number_format = style.MONEY_FEN
                cached[c.coordinate] = sum((r.total for r in rows if value_of(r) == key and r.currency == cur),
                                           Decimal(0))
        span = (first, row)
        row += 2
        return span

    status_rows = table("状态 By status", "C", SHOWN, lambda r: r.status_on(today))
    reps = sorted({r.rep for r in rows}, key=str.casefold)
    table("销售 By rep", "E", reps, lambda r: r.rep)

    summary.cell(row, 1, f"{expiring_within} 天内到期 Expiring within {expiring_within} days").font = style.SECTION
    row += 1
    style.header_row(summary, row, ["报价编号 Quote", "客户 Customer", "有效期至 Valid until", "价税合计 Total"])
    soon = [r for r in rows if r.status_on(today) in OPEN and today <= r.valid_until <= today + dt.timedelta(days=expiring_within)]
    for r in sorted(soon, key=lambda r: r.valid_until):
        row += 1
        style.literal(summary.cell(row, 1), r.label)
        style.literal(summary.cell(row, 2), r.customer)
        summary.cell(row, 3, r.valid_until).number_format = "yyyy-mm-dd"
        summary.cell(row, 4, r.total).number_format = style.MONEY_FEN
    if not soon:
        row += 1
        summary.cell(row, 1, "none").font = style.NOTE
    for col, width in zip("ABCDEF", (22, 30, 18, 18, 18, 18)):
        summary.column_dimensions[col].width = width
    # printed: landscape, one page wide, the chart beside the tables (a sales meeting prints it)
    style.print_setup(summary, title_rows=None, landscape=True)
    style.print_setup(quotes, title_rows="1:1", landscape=True)

    chart = BarChart()
    chart.title = f"Open quotes by status ({currencies[0]})"
    chart.add_data(Reference(summary, min_col=3, min_row=status_rows[0] - 1, max_row=status_rows[1]),
                   titles_from_data=True)
    chart.set_categories(Reference(summary, min_col=1, min_row=status_rows[0], max_row=status_rows[1]))
    chart.legend = None
    chart.height, chart.width = 7, 14
    summary.add_chart(chart, f"{style.col(4 + len(currencies))}4")
    return save_workbook(wb, path, force=force,
                         finish=lambda tmp: add_cached_values(tmp, SUMMARY_SHEET, cached)), len(rows)

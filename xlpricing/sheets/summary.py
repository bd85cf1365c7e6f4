"""The batch summary workbook: every deal with its totals, a chart, and the rows that failed."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from ..pricebook import PriceBook
from . import style
from .cached import add_cached_values
from .template import save_workbook


def write_summary(path: Path, book: PriceBook, outcomes: list, force: bool = True) -> Path:
    money = style.MONEY_FEN  # a discount brings fen: 550,304.80 must not show as 550,305
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总 Summary"
    good = [o for o in outcomes if o.ok]
    bad = [o for o in outcomes if not o.ok]
    ws["A1"] = "报价汇总 Quote summary"
    ws["A1"].font = style.TITLE
    ws["A2"] = f"{book.name_en} · {book.id} · {book.currency} · {len(good)} quotes, {len(bad)} rows failed"
    ws["A2"].font = style.SUBTITLE
    header = ["行 Row", "报价单号 Quote", "客户 Customer", "版本 Edition", "月数 Months", "每月 Monthly",
              "价税合计 Term total", "不含税 Net", "税额 Tax", "文件 File"]
    style.header_row(ws, 4, header)
    amounts = ((6, "monthly_total"), (7, "total"), (8, "net"), (9, "tax"))
    for i, o in enumerate(good):
        r = 5 + i
        style.body_row(ws, r, [o.row, None, None, o.edition, o.months,
                               *(Decimal(getattr(o, a)) if getattr(o, a) else None for _, a in amounts), None],
                       formats={c: money for c, _ in amounts})
        style.literal(ws.cell(r, 2), o.quote)
        style.literal(ws.cell(r, 3), o.customer)
        style.literal(ws.cell(r, 10), Path(o.path).name)
    last = 4 + len(good)
    total_row = last + 1
    ws.cell(total_row, 3, "合计 Total").font = style.TOTAL
    sums = {}
    for col, attr in amounts:
        letter = style.col(col)
        cell = ws.cell(total_row, col, f"=SUM({letter}5:{letter}{max(last, 5)})")
        cell.number_format, cell.font = money, style.TOTAL
        sums[cell.coordinate] = sum((Decimal(getattr(o, attr) or 0) for o in good), Decimal(0))
    for col, width in zip("ABCDEFGHIJ", (6, 18, 32, 14, 7, 13, 15, 15, 12, 36)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A5"  # the header row stays in view
    style.print_setup(ws, title_rows="4:4", landscape=True, area=f"A1:J{total_row}")
    if good:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "合计 Term total by deal (CNY)"
        chart.height, chart.width = max(7, 0.5 * min(len(good), 40)), 18
        chart.add_data(Reference(ws, min_col=7, min_row=4, max_row=min(last, 4 + 40)), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=3, min_row=5, max_row=min(last, 4 + 40)))
        chart.legend = None
        ws.add_chart(chart, "L4")

    failed = wb.create_sheet("失败 Failed rows")
    style.header_row(failed, 1, ["行 Row", "客户 Customer", "原因 Reason"])
    for i, o in enumerate(bad):
        failed.cell(2 + i, 1, o.row)
        style.literal(failed.cell(2 + i, 2), o.customer)
        style.literal(failed.cell(2 + i, 3), o.reason)
        failed.cell(2 + i, 3).alignment = style.WRAP_TOP
    for col, width in zip("ABC", (8, 36, 100)):
        failed.column_dimensions[col].width = width
    failed.freeze_panes = "A2"
    style.print_setup(failed, title_rows="1:1", landscape=True)
    return save_workbook(wb, path, force=force, finish=lambda tmp: add_cached_values(tmp, ws.title, sums))

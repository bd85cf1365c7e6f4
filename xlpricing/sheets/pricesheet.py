"""The 价目表 / Price book sheet: every table of the price book, and the names formulas use.

Everything is written from the PriceBook object; the defined names (``ed_price``, ``ad_prices``
…) are how the quote and compare sheets read it, so formulas never hold a price.
"""

from __future__ import annotations

from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

from ..engine import join_or
from ..pricebook import PriceBook
from . import style

INCLUDED = "included"  # an add-on the edition already has (formulas compare with this text)
NOT_OFFERED = "-"  # an add-on the edition cannot buy


def define(ws: Worksheet, name: str, first: str, last: str | None = None, local: bool = False) -> None:
    """A name for a cell or a range of ``ws`` (absolute, sheet quoted): workbook-level, or ``local`` to
    the sheet, where it overrides a workbook name of the same spelling (a second quote sheet)."""
    def absolute(cell: str) -> str:
        letters = "".join(ch for ch in cell if ch.isalpha())
        return f"${letters}${cell[len(letters):]}"
    ref = absolute(first) + (f":{absolute(last)}" if last else "")
    names = ws.defined_names if local else ws.parent.defined_names
    names[name] = DefinedName(name, attr_text=f"'{ws.title}'!{ref}")


def write_price_sheet(ws: Worksheet, book: PriceBook) -> None:
    money = style.money_format(book)
    ws.sheet_properties.tabColor = style.TAB_PRICES
    ws["A1"] = book.name_zh
    ws["A1"].font = style.TITLE
    ws["A2"] = f"{book.name_en} · {book.region_zh} {book.region_en} · {book.currency}"
    ws["A3"] = "来源 Source"
    ws["B3"] = book.source_url
    ws["B3"].hyperlink = book.source_url
    ws["B3"].font = style.LINK
    ws["A4"] = "价目表 Price book id"
    ws["B4"] = book.id
    for cell in ("A3", "A4"):
        ws[cell].font = style.LABEL

    row = 6
    editions = book.edition_codes

    # -- editions --------------------------------------------------------------------
    row = style.section(ws, row, "套餐包 Editions", "monthly package; free quotas per month (peak DAU, peak groups)")
    header = ["代码 code", "版本", "Edition", "月费 CNY/month", "计费方式 billing",
              "免费峰值 DAU free peak DAU", "免费峰值群组 free peak groups", "超出额度 above the quota", "capped"]
    style.header_row(ws, row, header)
    first = row + 1
    for e in book.editions:
        row += 1
        style.body_row(ws, row, [
            e.code, e.name_zh, e.name_en, e.monthly_price, e.billing, e.free_peak_dau, e.free_peak_groups,
            "上限，不超量计费 capped, no overage" if e.capped else "超量计费 overage (below)", 1 if e.capped else 0,
        ], formats={4: money, 6: "#,##0", 7: "#,##0"})
    for col, name in zip("ABCDEFGI", ("ed_codes", "ed_name_zh", "ed_name_en", "ed_price", "ed_billing",
                                       "ed_free_dau", "ed_free_groups", "ed_capped")):
        define(ws, name, f"{col}{first}", f"{col}{row}")

    # -- overage ---------------------------------------------------------------------
    row = style.section(ws, row + 2, "套餐外超量 Overage",
                        "postpaid per calendar month, per started block above the free quota, on the month's peak")
    style.header_row(ws, row, ["代码 code", "计费项", "Item", "metric", "每块 block", "单价 CNY/block/month",
                               "计费方式 billing", *editions])
    first = row + 1
    for o in book.overage:
        row += 1
        style.body_row(ws, row, [o.code, o.name_zh, o.name_en, o.metric, o.block_size, o.block_price, o.billing,
                                 *(1 if e in o.editions else 0 for e in editions)],
                       formats={5: "#,##0", 6: money})
    last_edition_col = style.col(8 + len(editions) - 1)
    for col, name in zip("ABCDEFG", ("ov_codes", "ov_name_zh", "ov_name_en", "ov_metric", "ov_block",
                                      "ov_price", "ov_billing")):
        define(ws, name, f"{col}{first}", f"{col}{row}")
    define(ws, "ov_applies", f"H{first}", f"{last_edition_col}{row}")
    ws.cell(row + 1, 1, "1 = 该版本计超量费用 the edition pays this overage; 0 = no overage").font = style.NOTE

    # -- value-added services -------------------------------------------------------------
    row = style.section(ws, row + 3, "增值服务 Value-added services",
                        f"CNY per month by edition; '{INCLUDED}' = the edition already has it; '{NOT_OFFERED}' = cannot buy")
    style.header_row(ws, row, ["代码 code", "计费项", "Item", "family", "计费方式 billing", *editions,
                               "赠送通话分钟/月 call minutes", "可购买版本 offered on", "short", "停售 withdrawn"])
    first = row + 1
    for a in book.addons:
        row += 1
        cells = [a.prices[e] if e in a.prices else (INCLUDED if e in a.included_in else NOT_OFFERED) for e in editions]
        offered = (f"停售 withdrawn {a.withdrawn.on}" if a.withdrawn  # never quoted: no edition can buy it
                   else join_or([e for e in editions if e in a.prices]))
        style.body_row(ws, row, [a.code, a.name_zh, a.name_en, a.family, a.billing, *cells,
                                 a.included_minutes if a.included_minutes else None, offered, a.short_en,
                                 1 if a.withdrawn else 0],
                       formats={**{6 + i: money for i in range(len(editions))}, 6 + len(editions): "#,##0"})
    if not book.addons:  # one row that says why, so every range the quote sheet reads has a row
        row += 1
        style.body_row(ws, row, ["", "（无）", f"none: {book.addons_unavailable}", "", "",
                                 *(NOT_OFFERED for _ in editions), None, "", "", 0])
    c = lambda i: style.col(6 + i)  # noqa: E731 - the column after the editions' prices
    for col, name in zip("ABCDE", ("ad_codes", "ad_name_zh", "ad_name_en", "ad_family", "ad_billing")):
        define(ws, name, f"{col}{first}", f"{col}{row}")
    define(ws, "ad_prices", f"F{first}", f"{c(len(editions) - 1)}{row}")
    define(ws, "ad_minutes", f"{c(len(editions))}{first}", f"{c(len(editions))}{row}")
    define(ws, "ad_offered", f"{c(len(editions) + 1)}{first}", f"{c(len(editions) + 1)}{row}")
    define(ws, "ad_short", f"{c(len(editions) + 2)}{first}", f"{c(len(editions) + 2)}{row}")
    define(ws, "ad_withdrawn", f"{c(len(editions) + 3)}{first}", f"{c(len(editions) + 3)}{row}")

    # -- capabilities: what each edition allows, what each add-on raises it to -----------------------
    if book.limits:
        row = style.section(ws, row + 2, "能力 Capabilities", "what each edition allows; an add-on raises it")
        style.header_row(ws, row, ["能力 capability", "", "", *editions, "add-ons that raise it"])
        for limit in book.limits:
            row += 1
            cells = [_ceiling(e.limits[limit.code]) if limit.code in e.limits else NOT_OFFERED for e in book.editions]
            raisers = ", ".join(f"{a.code} → {_ceiling(a.raises[limit.code])}" for a in book.addons
                                if limit.code in a.raises)
            style.body_row(ws, row, [limit.name_zh, limit.name_en, "", *cells, raisers])
    if book.calls:
        rates = book.calls
        row = style.section(ws, row + 2, "音视频通话超出时长 Call minutes beyond the package",
                            f"{rates.billing}; the package's minutes are drawn at these weights")
        style.header_row(ws, row, ["类型 kind", "折算 weight", "元/千分钟 CNY per 1,000 min"])
        for kind, weight in rates.weights.items():
            row += 1
            style.body_row(ws, row, [kind, weight, rates.per_1000_equivalent * weight], formats={3: money})

    # -- edition names (what the Edition cell accepts) ---------------------------------------
    row = style.section(ws, row + 2, "版本名称 Edition names", "the quote sheet accepts any of these, in any case")
    style.header_row(ws, row, ["名称 name", "代码 code"])
    first = row + 1
    for e in book.editions:
        for name in (e.code, *e.aliases):
            row += 1
            style.body_row(ws, row, [name, e.code])
    define(ws, "names_list", f"A{first}", f"A{row}")
    define(ws, "names_code", f"B{first}", f"B{row}")

    # -- notes -------------------------------------------------------------------------
    row = style.section(ws, row + 2, "说明 Notes", f"prepaid items are bought for {book.min_months} to {book.max_months} whole months")
    for n in book.notes:
        row += 1
        ws.cell(row, 1, n.zh).alignment = style.WRAP_TOP
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
        ws.cell(row, 5, n.en).alignment = style.WRAP_TOP
        ws.merge_cells(start_row=row, start_column=5, end_row=row, end_column=9)
        style.fit_height(ws, row, n.en, width_chars=16 + 16 + 22 + 18 + 22)
    ws.cell(row + 2, 1, f"价格来源 Prices from {book.source_url}").font = style.NOTE

    for col, width in zip("ABCDEFGHIJK", (16, 40, 40, 14, 16, 16, 16, 22, 18, 22, 22)):
        ws.column_dimensions[col].width = width
    style.print_setup(ws, title_rows="1:2", landscape=True)
    ws.protection.sheet = True


def _ceiling(value: int | None) -> str | int:
    return "unlimited" if value is None else value


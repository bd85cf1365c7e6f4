"""Where things are on the quote sheet: one layout, used by the template and by quote workbooks.

Row and column numbers live here only; writers and tests ask this module for an address.
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter

PRICE_SHEET = "价目表 Price book"
PROPOSAL_SHEET = "报价单 Proposal"
QUOTE_SHEET = "报价单 Quote"
COMPARE_SHEET = "版本对比 Compare"
EXAMPLES_SHEET = "函数示例 Functions"
FORECAST_SHEET = "预测 Forecast"
XLWINGS_CONF_SHEET = "xlwings.conf"

ADDON_SLOTS = 8  # input cells for add-on codes (every family once fits in 6)

# ---------------------------------------------------------------- quote sheet
TITLE_ROW = 1
SUBTITLE_ROW = 2
# proposal header: (label zh, label en, cell of the value); filled by quote workbooks.
# The label sits left of the value: column A for B, columns F:G for H.
HEADER_FIELDS = {
    "customer": ("客户", "Customer", "B4"),
    "contact": ("销售联系人", "Sales contact", "B5"),
    "currency": ("币种", "Currency", "B6"),
    "quote_number": ("报价编号", "Quote no.", "H4"),
    "quote_date": ("报价日期", "Date", "H5"),
    "valid_until": ("有效期至", "Valid until", "H6"),
    "notes": ("备注", "Notes", "B7"),
}
WIDE_HEADER_FIELDS = ("notes",)  # run to the right edge of the page
INPUTS_HEADER_ROW = 9
EDITION_ROW = 10
DAU_ROW = 11
GROUPS_ROW = 12
MONTHS_ROW = 13
DISCOUNT_ROW = 14
ADDON_FIRST_ROW = 15
ADDON_LAST_ROW = ADDON_FIRST_ROW + ADDON_SLOTS - 1
INPUT_COL = "B"
HINT_COL = "C"

INPUT_CELLS = {
    "Edition": f"{INPUT_COL}{EDITION_ROW}",
    "PeakDAU": f"{INPUT_COL}{DAU_ROW}",
    "PeakGroups": f"{INPUT_COL}{GROUPS_ROW}",
    "Months": f"{INPUT_COL}{MONTHS_ROW}",
    "Discount": f"{INPUT_COL}{DISCOUNT_ROW}",
}
ADDONS_RANGE = f"{INPUT_COL}{ADDON_FIRST_ROW}:{INPUT_COL}{ADDON_LAST_ROW}"

LINES_HEADER_ROW = ADDON_LAST_ROW + 2  # section title
LINES_COLUMNS_ROW = LINES_HEADER_ROW + 1
PACKAGE_ROW = LINES_COLUMNS_ROW + 1
ADDON_LINE_FIRST_ROW = PACKAGE_ROW + 1
OVERAGE_DAU_ROW = ADDON_LINE_FIRST_ROW + ADDON_SLOTS
OVERAGE_GROUPS_ROW = OVERAGE_DAU_ROW + 1
DISCOUNT_LINE_ROW = OVERAGE_GROUPS_ROW + 1
LINE_ROWS = (PACKAGE_ROW, DISCOUNT_LINE_ROW)  # first and last line-item row
PREPAID_ROW = DISCOUNT_LINE_ROW + 2
POSTPAID_ROW = PREPAID_ROW + 1
TOTAL_ROW = POSTPAID_ROW + 1
STATUS_ROW = TOTAL_ROW + 1
NET_ROW = STATUS_ROW + 1  # 不含税金额, when the book's prices include tax (else the book's tax statement)
TAX_ROW = NET_ROW + 1  # 税额
TERMS_HEADER_ROW = TAX_ROW + 2

# line-item table columns
LINE_COLUMNS = [
    # key, zh, en, width
    ("code", "代码", "Code", 24),
    ("item_zh", "计费项", "Item", 28),
    ("item_en", "", "", 28),
    ("billing", "计费方式", "Billing", 10),
    ("quantity", "数量", "Qty", 7),
    ("unit", "单价/月", "Unit/month", 12),
    ("monthly", "月金额", "Per month", 12),
    ("months", "月数", "Months", 8),
    ("amount", "金额", "Amount", 14),
    ("note", "说明", "Note", 62),
]
COL = {key: get_column_letter(i + 1) for i, (key, *_rest) in enumerate(LINE_COLUMNS)}
LAST_VISIBLE_COL = get_column_letter(len(LINE_COLUMNS))
QUOTE_TOTAL_CELL = f"{COL['amount']}{TOTAL_ROW}"
STATUS_CELL = f"B{STATUS_ROW}"

# helper cells the formulas work with (hidden columns right of the printed page)
HELPER_LABEL_COL = "M"
HELPER_VALUE_COL = "N"
ADDON_HELPER_FIRST_COL = 16  # P: code, idx, family, price, count, tiers, message, monthly

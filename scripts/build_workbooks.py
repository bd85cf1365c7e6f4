#!/usr/bin/env python3
"""Regenerate the workbooks committed under workbooks/ from the China price book in force today
(what a user gets by default; rerun when a new book takes effect).

    .venv/bin/python scripts/build_workbooks.py

tests/test_template.py fails when the committed files no longer match what this writes.
"""

from pathlib import Path

import datetime as dt

from xlpricing.pricebook import book_in_force
from xlpricing.lite import write_lite_workbook
from xlpricing.sheets.template import write_template

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "workbooks" / "xlpricing-template.xlsx"
MACRO_TEMPLATE = ROOT / "workbooks" / "xlpricing-template.xlsm"
LITE = ROOT / "workbooks" / "xlpricing-lite.xlsx"


def main() -> None:
    book = book_in_force(dt.date.today())
    for path, macro in ((TEMPLATE, False), (MACRO_TEMPLATE, True)):
        write_template(path, book, macro=macro, force=True)
        print(f"wrote {path.relative_to(ROOT)}")
    write_lite_workbook(LITE, book, force=True)
    print(f"wrote {LITE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Regenerate the workbooks committed under workbooks/ from the default price book.

    .venv/bin/python scripts/build_workbooks.py

tests/test_template.py fails when the committed files no longer match what this writes.
"""

from pathlib import Path

from xlpricing import get_price_book
from xlpricing.lite import write_lite_workbook
from xlpricing.sheets.template import write_template

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "workbooks" / "xlpricing-template.xlsx"
MACRO_TEMPLATE = ROOT / "workbooks" / "xlpricing-template.xlsm"
LITE = ROOT / "workbooks" / "xlpricing-lite.xlsx"


def main() -> None:
    book = get_price_book()
    for path, macro in ((TEMPLATE, False), (MACRO_TEMPLATE, True)):
        write_template(path, book, macro=macro, force=True)
        print(f"wrote {path.relative_to(ROOT)}")
    write_lite_workbook(LITE, book, force=True)
    print(f"wrote {LITE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

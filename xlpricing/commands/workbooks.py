"""Commands that write the workbooks users download: ``template`` and ``lite``."""

from __future__ import annotations

import argparse
import sys

from .base import UsageError, chosen_book


def cmd_template(args: argparse.Namespace) -> int:
    from ..sheets.template import write_template  # openpyxl only for the commands that write workbooks

    output = args.output or ("xlpricing-template.xlsm" if args.xlsm else "xlpricing-template.xlsx")
    try:
        path = write_template(output, chosen_book(args), macro=args.xlsm, force=args.force)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    print(f"wrote {path}")
    return 0


def cmd_lite(args: argparse.Namespace) -> int:
    from ..lite import main_py, requirements_txt, write_lite_workbook

    book = chosen_book(args)
    if args.main_py or args.requirements:  # for pasting into an existing workbook's Lite editor
        sys.stdout.write(main_py(book) if args.main_py else requirements_txt())
        return 0
    try:
        path = write_lite_workbook(args.output or "xlpricing-lite.xlsx", book, force=args.force)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    print(f"wrote {path}  (xlwings Lite: {book.id})")
    return 0


def add_commands(sub) -> None:
    template = sub.add_parser("template", help="write the template workbook (.xlsx, or .xlsm with --xlsm)")
    template.add_argument("-o", "--output", metavar="PATH", help="where to write (default xlpricing-template.xlsx)")
    template.add_argument("--xlsm", action="store_true",
                          help="macro-enabled workbook wired for =IMQUOTE() through xlwings")
    template.add_argument("--force", action="store_true", help="overwrite an existing file")
    template.set_defaults(run=cmd_template)

    lite = sub.add_parser("lite", help="write a workbook for xlwings Lite (=IMQUOTE on Mac, the web, no Python)")
    lite.add_argument("-o", "--output", metavar="PATH", help="the .xlsx to write (default xlpricing-lite.xlsx)")
    lite.add_argument("--force", action="store_true", help="overwrite an existing file")
    shown = lite.add_mutually_exclusive_group()
    shown.add_argument("--main-py", action="store_true", help="print the main.py instead (for Lite's editor)")
    shown.add_argument("--requirements", action="store_true", help="print the requirements.txt instead")
    lite.set_defaults(run=cmd_lite)


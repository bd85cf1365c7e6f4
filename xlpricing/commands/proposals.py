"""Commands that write proposals and record them: ``quote`` (one) and ``batch`` (a CSV of deals)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from .. import formatting, inputs
from ..errors import DealFileError
from ..files import refuse_folder
from ..pricebook import PriceBook
from . import onserver
from .base import (UsageError, check_pdf_possible, chosen_book, deal_arguments, open_register,
                   proposal_arguments, read_deal, refuse_with_deal, register_arguments, shown)


def cmd_quote(args: argparse.Namespace) -> int:
    from ..quoting import QuoteRequest

    on = inputs.day(args.date, "--date") if args.date else None  # a bad date is said with the others below
    book = chosen_book(args, on)
    options = text = None
    if args.deal:
        refuse_with_deal(args, ("--option", args.option), ("--recommend", args.recommend),
                          ("--forecast-growth", args.forecast_growth))
        text = DealFileError.read_text(Path(args.deal))
        read_deal(args.deal, text, book)  # its problems, named after the file
    else:
        if args.option and (args.edition or args.addon):
            raise UsageError("give --edition/--addon (one option) or --option (1 to 3), not both")
        if not args.option and not args.edition:
            raise UsageError("--edition (or --option EDITION[:ADDON,…]) is required")
        parts = [inputs.option_parts(o) for o in args.option] if args.option else [(args.edition, args.addon or [])]
        options = tuple((e, inputs.addon_codes(a)) for e, a in parts)
    if args.server:
        return onserver.cmd_quote(args, options, text)
    if text is not None:
        return _publish_quote(args, book, QuoteRequest(deal=text))
    request = QuoteRequest(options=options, dau=args.dau, groups=args.groups, months=args.months,
                           discount=args.discount, forecast_growth=args.forecast_growth,
                           forecast_months=args.forecast_months)
    if args.recommend is not None and not 1 <= args.recommend <= len(options):
        raise UsageError(f"--recommend must be 1 to {len(options)} (the options given), got {args.recommend}")
    return _publish_quote(args, book, request)


def _publish_quote(args: argparse.Namespace, book: PriceBook, request) -> int:
    """Price, write and record one proposal: the register allocates its number (or checks the one
    given), and the record and its documents (the workbook, and the PDF with --pdf) are published
    together."""
    from ..register import default_rep
    from ..quoting import publish

    priced = request.price(book)  # every pricing problem before anything else
    proposal, output = _proposal_and_output(args)
    with open_register(args) as register:
        record, priced = publish(register, book, request, proposal,
                                 rep=args.rep or default_rep(args.loaded_seller, register), output=output,
                                 force=args.force, number=args.quote_number, priced=priced, pdf=args.pdf)
    path = Path(record.path)
    if priced.is_deal:
        print(f"wrote {shown(path)}  ({formatting.plural(len(priced.deal.apps), 'app')}, "
              f"{formatting.plural(priced.months, 'month')}, total {formatting.money(priced.total, priced.currency)})")
    else:
        totals = ", ".join(f"{x.edition} {formatting.money(x.total, x.currency)}" for x in priced.options)
        print(f"wrote {shown(path)}  ({formatting.plural(priced.months, 'month')}, total {totals})")
    if record.pdf_sha256:
        print(f"wrote {shown(record.pdf_path)}")
    if record.valid_until < dt.date.today():
        print(f"xlpricing: note: {record.label} is dated {record.quote_date} and was valid until {record.valid_until}: "
              "it is recorded as expired (a back-dated quote; revise it to send it again)", file=sys.stderr)
    print(f"recorded {record.label} ({record.status_on(dt.date.today())}, valid until {record.valid_until}) in "
          f"{register.db.describe}")
    return 0


def _proposal_and_output(args: argparse.Namespace):
    """The proposal (its seller profile loaded once) and the workbook's path (None: named
    from the customer and the number the register gives); UsageError for what is wrong, before
    anything is written."""
    from ..sheets.proposal import Proposal, check_quote_dates
    from ..seller import choose_seller, chosen_seller_path

    if not args.customer.strip():
        raise UsageError("--customer is empty")
    quote_date = inputs.day(args.date, "--date") if args.date else dt.date.today()
    if quote_date is None:
        raise UsageError(f"--date must be YYYY-MM-DD, got {args.date!r}")
    problem = check_quote_dates(quote_date, args.valid_days)
    if problem:
        raise UsageError(problem)
    args.loaded_seller = choose_seller(args.seller)  # a bad profile is said now; loaded once
    proposal = Proposal(customer=args.customer, contact=args.contact or "", notes=args.notes or "", lang=args.lang,
                        recommend=getattr(args, "recommend", None), seller=args.loaded_seller,
                        seller_path=chosen_seller_path(args.seller), quote_date=quote_date,
                        valid_until=quote_date + dt.timedelta(days=args.valid_days),
                        customer_address=args.customer_address or "", customer_contact=args.customer_contact or "")
    output = Path(args.output) if args.output else None
    if output is not None:
        refuse_folder(output)
    if output is not None and output.suffix.lower() != ".xlsx":
        raise UsageError(f"{output.name}: a quote workbook is an .xlsx file")
    if args.pdf:
        check_pdf_possible()  # say so before writing anything
    return proposal, output


def cmd_batch(args: argparse.Namespace) -> int:
    from ..batch import BatchError, printable, progress_bar, report, run_batch
    from ..seller import choose_seller, chosen_seller_path

    started = time.time() - 1  # file times are coarse on some file systems
    try:
        book = chosen_book(args)  # resolved once: the workers and the summary get this book, not its id
        result = run_batch(Path(args.csv), Path(args.output), price_book=book, force=args.force,
                           progress=progress_bar(), seller=choose_seller(args.seller), lang=args.lang,
                           register=(args.register, args.settings), rep=args.rep or "",
                           seller_path=chosen_seller_path(args.seller), pdf=args.pdf)
    except BatchError as exc:
        raise UsageError(printable(str(exc))) from None
    except (KeyboardInterrupt, SystemExit) as exc:  # Ctrl-C, or SIGTERM (main's handler)
        code = 130 if isinstance(exc, KeyboardInterrupt) else exc.code
        written = [p for p in Path(args.output).glob("*.xlsx") if p.stat().st_mtime >= started] \
            if Path(args.output).is_dir() else []
        print(f"\nxlpricing: {'interrupted' if code == 130 else 'stopped'}: {len(written)} workbook(s) written by "
              f"this run, each complete and recorded; no summary was written", file=sys.stderr)
        return code if isinstance(code, int) else 1
    print(report(result))
    print(f"summary: {result.summary}")
    return 0 if all(o.ok for o in result.outcomes) else 1


def add_commands(sub) -> None:
    quote = sub.add_parser("quote", help="write a quote workbook for one deal (a proposal to send)")
    deal_arguments(quote, edition_required=False)
    quote.add_argument("--option", action="append", metavar="EDITION[:ADDON,…]",
                       help="an option of the proposal (repeat, 1 to 3), e.g. pro:history_90,moderation; "
                            "DAU, groups, months and discount are shared. Instead of --edition/--addon")
    quote.add_argument("--recommend", type=int, metavar="N", help="the option marked recommended (default: the cheapest)")
    proposal_arguments(quote)
    quote.add_argument("--deal", metavar="FILE", help="a deal file of several apps and phases (xlpricing deal --example) "
                                                      "instead of --edition/--option")
    quote.add_argument("--customer", required=True, help="the customer's name, as it should appear")
    quote.add_argument("--customer-address", metavar="TEXT", help="the customer's address, on the proposal")
    quote.add_argument("--customer-contact", metavar="TEXT",
                       help="the customer's contact (name, phone, email, as it should appear)")
    quote.add_argument("--contact", help="sales contact shown on the quote")
    quote.add_argument("--quote-number", help="default: the next number from the register (Q-2026-000123); "
                                              "a number given must not be in the register already")
    register_arguments(quote)
    quote.add_argument("--rep", help="the sales rep the register files it under (default: the seller profile's contact)")
    quote.add_argument("--notes", help="a line of notes for the customer")
    quote.add_argument("--date", help="quote date, YYYY-MM-DD, 2000-01-01 to 2099-12-31 (default today)")
    quote.add_argument("--valid-days", type=int, default=30, help="days the quote is valid, 1 to 365 (default 30)")
    quote.add_argument("-o", "--output", metavar="PATH", help="the .xlsx to write (default: from the customer name)")
    quote.add_argument("--force", action="store_true", help="overwrite an existing file")
    quote.add_argument("--pdf", action="store_true", help="also write a PDF beside it (needs LibreOffice)")
    quote.add_argument("--forecast-growth", metavar="PERCENT",
                       help="add a forecast sheet: usage growing this much a month from the quoted peaks")
    quote.add_argument("--forecast-months", default="12", help="months in the forecast sheet, 1 to 120 (default 12)")
    onserver.server_argument(quote)
    quote.set_defaults(run=cmd_quote)

    batch = sub.add_parser("batch", help="a CSV of deals → a folder of quote workbooks and a summary")
    batch.add_argument("csv", help="the deals, one per row (columns in the README)")
    batch.add_argument("-o", "--output", required=True, metavar="DIR", help="folder for the workbooks")
    batch.add_argument("--force", action="store_true", help="overwrite workbooks that exist")
    batch.add_argument("--pdf", action="store_true",
                       help="also a PDF of each proposal beside its workbook (needs LibreOffice and a Chinese font)")
    proposal_arguments(batch)
    register_arguments(batch)
    batch.add_argument("--rep", help="the sales rep the register files the quotes under (default: the seller "
                                     "profile's contact)")
    batch.set_defaults(run=cmd_batch)

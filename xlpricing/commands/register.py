"""The register's commands: ``xlpricing quotes …`` and ``xlpricing pipeline``."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import re
import sys
from pathlib import Path

from .. import formatting
from ..files import refuse_folder
from ..register.core import SETTABLE, Record, Register
from ..register.errors import RegisterError
from . import onserver
from .base import (book_options, check_pdf_possible, chosen_book, csv_safe, day, or_on_server, read_deal,
                   register_arguments, write_list_csv)

STATUSES = ("draft", "pending approval", "sent", "accepted", "declined", "superseded", "expired")


def _open(args: argparse.Namespace) -> Register:
    return Register.open(args.register, args.settings, catalog=args.catalog)


def _days(text: str) -> int:
    m = re.fullmatch(r"\s*(\d{1,4})\s*d?\s*", text)
    if not m:
        raise argparse.ArgumentTypeError(f"a number of days such as 7d is expected, got {text!r}")
    return int(m.group(1))


def _status(text: str) -> str:
    t = text.strip().lower().replace("_", " ").replace("-", " ")
    if t == "pending":
        t = "pending approval"
    if t not in STATUSES:
        raise argparse.ArgumentTypeError(f"a status is one of {', '.join(STATUSES)}, got {text!r}")
    return t


def _printable(text: str) -> str:
    from ..batch import printable
    return printable(text)


def _list_row(r: Record, today: dt.date) -> list[str]:
    plain = formatting.plain
    return [r.number, str(r.version), r.status_on(today), r.customer, r.rep, r.quote_date.isoformat(),
            r.valid_until.isoformat(), r.price_book, r.currency, plain(r.total), "" if r.net is None else plain(r.net),
            "" if r.tax is None else plain(r.tax), plain(r.discount), r.path]


@or_on_server(onserver.cmd_list)
def cmd_list(args: argparse.Namespace) -> int:
    today = dt.date.today()
    with _open(args) as reg:
        rep = reg.settings.named(args.rep) if args.rep else None  # typed as a login or a name
        rows = reg.quotes(status=args.status, customer=args.customer, rep=rep.id if rep else args.rep,
                          expiring_within=args.expiring, today=today)
    if args.format == "csv":
        write_list_csv(_list_row(r, today) for r in rows)
        return 0
    if not rows:
        print("no quotes match")
        return 0
    table = [[r.label, r.status_on(today), _printable(r.customer)[:40], _printable(r.rep)[:20], str(r.valid_until),
              formatting.money(r.total, r.currency)] for r in rows]
    print(formatting.table(["quote", "status", "customer", "rep", "valid until", "total"], table, right={5}))
    return 0


@or_on_server(onserver.cmd_show)
def cmd_show(args: argparse.Namespace) -> int:
    today = dt.date.today()
    from ..register.accounts import Accounts
    with _open(args) as reg:
        versions = reg.versions(args.number)
        events = reg.events(args.number)
        stamped = Accounts(reg.db).signed_copies(versions[-1].number) if versions else []
    for r in versions:
        print(f"{r.label}  {r.status_on(today)}  {_printable(r.customer)}  rep {_printable(r.rep)}")
        print(f"  dated {r.quote_date}, valid until {r.valid_until}, priced with {r.price_book}")
        tax = "" if r.net is None else f" (net {formatting.amount(r.net)}, tax {formatting.amount(r.tax)})"
        print(f"  total {formatting.money(r.total, r.currency)}{tax}, discount {formatting.percent(r.discount)}%")
        for a in r.approvals:
            by = a.get("by_name") or a["by"]  # approved since quotes kept the approver's login: her name too
            print(f"  approval by {a['role']} ({a['why']}): " + (f"{by} at {a['at']}" if a["by"] else "waiting"))
        for what, path, digest in r.documents():  # every file the record vouches for
            print(f"  {what} {path}  sha256 {digest}")
        for _, version, path, digest, by, at in stamped:  # 盖章回传: uploaded on the team server
            if version == r.version:
                print(f"  stamped copy {path}  sha256 {digest}  (uploaded by {_printable(by)} at {at})")
    print("history:")
    for version, at, who, action, before, after, detail in events:
        change = (f" {before} → {after}" if before else f" → {after}") if after else ""
        print(f"  {at}  v{version}  {action}{change}  by {_printable(who)}" + (f"  ({_printable(detail)})" if detail else ""))
    return 0


@or_on_server(onserver.cmd_status)
def cmd_status(args: argparse.Namespace) -> int:
    with _open(args) as reg:
        r = reg.set_status(args.number, args.new_status, reg.actor().id)
    print(f"{r.label} is {r.status}")
    return 0


def cmd_approve(args: argparse.Namespace) -> int:
    if args.by is not None:  # the option of an earlier release, on the register or a server: say what replaced it
        raise RegisterError(f"--by is gone: the approver is the user who acts, never a name typed for someone else. "
                            f"Run it as yourself: XLPRICING_USER={args.by} on a shared SQLite register, your own "
                            "database role on PostgreSQL, or your API token with --server")
    return _approve(args)


@or_on_server(onserver.cmd_approve)
def _approve(args: argparse.Namespace) -> int:
    from ..quoting import approve
    with _open(args) as reg:
        r = approve(reg, args.number, args.role)
        name = reg.actor().name
    if r.status == "pending approval":
        waiting = ", ".join(a["role"] for a in r.approvals if a["by"] is None)
        print(f"{r.label}: approved by {name}; still waiting for {waiting}")
    else:
        files = " and ".join(str(p) for _, p, _ in r.documents())
        print(f"{r.label}: approved by {name}; rewrote {files} without the pending-approval banner")
    return 0


def cmd_revise(args: argparse.Namespace) -> int:
    from .. import inputs
    from ..quoting import revise

    if args.pdf:
        check_pdf_possible()
    if args.option and (args.edition or args.addon):
        raise RegisterError("give --edition/--addon (one option) or --option (1 to 3), not both")
    with _open(args) as reg:
        latest = reg.get(args.number)
        # the book it was priced with (the register keeps its text), unless another is asked for
        book = chosen_book(args) if (args.price_book or args.as_of) else reg.book_of(latest)
        options = None
        if args.option:
            options = tuple((e, inputs.addon_codes(a)) for e, a in map(inputs.option_parts, args.option))
        elif args.edition or args.addon is not None:
            old = latest.request.get("options") or [["", []]]
            options = ((args.edition or old[0][0], inputs.addon_codes(args.addon) if args.addon is not None
                        else tuple(old[0][1])),)
        changes = {"options": options, "dau": args.dau, "groups": args.groups, "months": args.months,
                   "discount": args.discount}
        if args.deal:
            from ..errors import DealFileError
            changes["deal"] = DealFileError.read_text(Path(args.deal))
            read_deal(args.deal, changes["deal"], book)  # its problems, named after the file
        info = {"valid_days": args.valid_days, "notes": args.notes, "customer": args.customer,
                "customer_address": args.customer_address, "customer_contact": args.customer_contact,
                "contact": args.contact}
        r = revise(reg, args.number, book, changes, info, rep=args.rep or "",
                   output=Path(args.output) if args.output else None, force=args.force,
                   pdf=True if args.pdf else None, names=("--date", "--valid-days"))
        before = reg.get(r.number, r.version - 1)
    for _, path, _ in r.documents():
        print(f"wrote {path}")
    print(f"recorded {r.label} ({r.status}, valid until {r.valid_until}, total "
          f"{formatting.money(r.total, r.currency)}); version {before.version} is {before.status}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    with _open(args) as reg:
        problems = reg.verify()
        count = len(reg.quotes(latest_only=False))
    for p in problems:
        print(_printable(p))
    print(f"{count} record(s) checked, {len(problems)} problem(s)")
    return 1 if problems else 0


def cmd_reprice(args: argparse.Namespace) -> int:
    from ..quoting import reprice, revise

    today = dt.date.today()
    as_of = args.reprice_as_of or getattr(args, "as_of", None) or today
    book_id = args.reprice_book or getattr(args, "price_book", None)
    named = args.catalog.choose(book_id) if book_id else None

    with _open(args) as reg:
        def book_for(r: Record):
            """The named book, else the one in force on the date in the region of the quote's own book."""
            return named if named is not None else reg.catalog.in_force(as_of, reg.book_of(r).region)

        results = reprice(reg, book_for, today)
        changed = [x for x in results if x.problem or x.difference]
        if args.format == "csv":
            out = io.StringIO()
            w = csv.writer(out, lineterminator="\n")
            w.writerow(["number", "version", "customer", "status", "old_book", "new_book", "old_total", "new_total",
                        "difference", "line", "old_line", "new_line", "valid_until", "books_taking_effect", "problem"])
            for x in results:
                r = x.record
                base = [r.number, r.version, csv_safe(r.customer), r.status_on(today), r.price_book, x.book.id,
                        r.total, "" if x.new_total is None else x.new_total,
                        "" if x.difference is None else x.difference]
                tail = [r.valid_until, "; ".join(x.crossing), x.problem]
                for line, old, new in x.lines or [("", "", "")]:
                    w.writerow([*base, line, old, new, *tail])
            sys.stdout.write(out.getvalue())
        else:
            print(f"{len(results)} open quote(s) priced again as of {as_of}"
                  + (f" with {named.id}" if named else "") + f": {len(changed)} change(s)")
            for x in results:
                r = x.record
                if x.problem:
                    print(f"  {r.label}  {_printable(r.customer)}: {x.problem}")
                elif x.difference:
                    print(f"  {r.label}  {_printable(r.customer)}: {formatting.money(r.total, r.currency)} → "
                          f"{formatting.money(x.new_total, r.currency)} ({'+' if x.difference > 0 else ''}"
                          f"{formatting.amount(x.difference)}) with {x.book.id}")
                    for line, old, new in x.lines:
                        print(f"      {line}: {formatting.amount(old)} → {formatting.amount(new)}")
                if x.crossing:
                    print(f"  {r.label}  valid until {r.valid_until}, while {', '.join(x.crossing)} takes effect")
        if args.revise:
            for x in changed:
                if x.problem:
                    continue
                new = revise(reg, x.record.number, x.book, {}, {})
                print(f"revised {new.label}: {new.path}", file=sys.stderr if args.format == "csv" else sys.stdout)
    return 0


def cmd_pipeline(args: argparse.Namespace) -> int:
    from ..register.pipeline import write_pipeline
    out = Path(args.output)
    refuse_folder(out)
    if out.suffix.lower() != ".xlsx":
        raise RegisterError(f"{out.name}: the pipeline is an .xlsx workbook")
    with _open(args) as reg:
        path, count = write_pipeline(reg, out, force=args.force, expiring_within=args.expiring)
    print(f"wrote {path}  ({count} open quote(s))")
    return 0


def add_commands(sub) -> None:
    quotes = sub.add_parser("quotes", help="the team's quote register: list, show, status, approve, revise, "
                                           "reprice, verify")
    qs = quotes.add_subparsers(dest="quotes_command", required=True, metavar="ACTION")

    def with_register(p, server: bool = False):
        register_arguments(p)
        if server:
            onserver.server_argument(p)
        return p

    p = with_register(qs.add_parser("list", help="the quotes, newest version of each"), server=True)
    p.add_argument("--status", type=_status, help=f"one of: {', '.join(STATUSES)}")
    p.add_argument("--customer", help="customer name contains this (any case)")
    p.add_argument("--rep", help="filed under this rep: a login (or a name only one user has; with --server, a login)")
    p.add_argument("--expiring", type=_days, metavar="DAYS", help="open quotes whose validity ends within, e.g. 7d")
    p.add_argument("--format", choices=("table", "csv"), default="table")
    p.set_defaults(run=cmd_list)

    p = with_register(qs.add_parser("show", help="one quote: every version and its history"), server=True)
    p.add_argument("number")
    p.set_defaults(run=cmd_show)

    p = with_register(qs.add_parser("status", help="mark a quote sent, accepted or declined (as $XLPRICING_USER)"),
                      server=True)
    p.add_argument("number")
    p.add_argument("new_status", choices=SETTABLE, metavar="|".join(SETTABLE))
    p.set_defaults(run=cmd_status)

    p = with_register(qs.add_parser("approve", help="approve a quote that waits for approval (as $XLPRICING_USER, "
                                                    "a user holding the role; never the quote's own rep)"),
                      server=True)
    p.add_argument("number")
    p.add_argument("--role", help="approve for this role only")
    p.add_argument("--by", help=argparse.SUPPRESS)
    p.set_defaults(run=cmd_approve)

    p = with_register(qs.add_parser("revise", help="write the next version of a quote with changes"))
    p.add_argument("number")
    p.add_argument("--edition", help="new edition (a one-app quote of one option)")
    p.add_argument("--addon", action="append", metavar="CODE", help="the add-ons, all of them (repeat, or commas; "
                                                                     "'' for none)")
    p.add_argument("--option", action="append", metavar="EDITION[:ADDON,…]", help="new options (1 to 3), all of them")
    p.add_argument("--dau", help="new peak DAU (a deal: when it has one app of one phase)")
    p.add_argument("--groups", help="new peak groups (likewise)")
    p.add_argument("--months", help="new term, 1–24 (a deal's too)")
    p.add_argument("--discount", help="new discount in percent (a deal's too)")
    p.add_argument("--deal", metavar="FILE", help="a new deal file (the apps, phases, term and discount)")
    p.add_argument("--contact", help="new sales contact shown on the quote")
    p.add_argument("--pdf", action="store_true", help="a PDF of the new version too (default: when the version "
                                                      "before had one)")
    p.add_argument("--valid-days", type=int, help="days the new version is valid")
    p.add_argument("--notes", help="new notes for the customer")
    p.add_argument("--customer", help="the customer's name, changed (e.g. shortened to the proposal's limit)")
    p.add_argument("--customer-address", metavar="TEXT", help="the customer's address, changed")
    p.add_argument("--customer-contact", metavar="TEXT", help="the customer's contact, changed")
    p.add_argument("--rep", help="file the new version under this rep")
    p.add_argument("-o", "--output", metavar="PATH", help="default: beside the version before, with -vN")
    p.add_argument("--force", action="store_true")
    book_options(p, argparse.SUPPRESS)
    p.set_defaults(run=cmd_revise)

    p = with_register(qs.add_parser("reprice", help="what a price book does to every open quote (changes nothing)"))
    p.add_argument("--as-of", dest="reprice_as_of", type=day, metavar="DATE",
                   help="price with the books in force on this date (default today)")
    p.add_argument("--price-book", dest="reprice_book", metavar="ID|FILE", help="price with this book instead")
    p.add_argument("--format", choices=("table", "csv"), default="table")
    p.add_argument("--revise", action="store_true", help="also write a new version of each quote whose total changes")
    p.set_defaults(run=cmd_reprice)

    p = with_register(qs.add_parser("verify", help="every record against its documents: workbook and PDF present, "
                                                   "same SHA-256"))
    p.set_defaults(run=cmd_verify)

    p = with_register(sub.add_parser("pipeline", help="a workbook of the open quotes by status and rep, with a chart"))
    p.add_argument("-o", "--output", required=True, metavar="FILE.xlsx")
    p.add_argument("--expiring", type=_days, default=7, metavar="DAYS", help="the 'expiring' list (default 7d)")
    p.add_argument("--force", action="store_true")
    p.set_defaults(run=cmd_pipeline)

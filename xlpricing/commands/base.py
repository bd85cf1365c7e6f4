"""What every command shares: the one error handler (``run``), the options several commands take,
how a command chooses its price book and opens the register, or a team server instead
(``or_on_server``), and the quote list's CSV. Each command group is a module of this package with
its commands and an ``add_commands(sub)`` that declares them (pip's layout)."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import functools
import io
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from .. import inputs
from ..book.catalog import PRICE_BOOK_ENV, shipped_catalog
from ..errors import DealFileError, FileProblems, QuoteError
from ..files import describe_os_error
from ..pricebook import REGIONS, PriceBook
from ..register.errors import RegisterError, RegisterFailure
from ..seller import SELLER_ENV
from ..sheets.libreoffice import LibreOfficeError

EXIT_USAGE = 2


class UsageError(Exception):
    """A command was asked something it cannot do as given: said on one line, exit 2."""


def chosen_book(args: argparse.Namespace, on: dt.date | None = None) -> PriceBook:
    """The book the options choose; without one, the China book in force on ``on`` (the quote's
    date; today when None), from the command's catalog (``args.catalog``)."""
    book = args.catalog.choose(args.price_book, args.as_of, args.region, today=on)
    args.chosen_book = book  # main() says so after the command when its prices are superseded
    return book


def day(text: str) -> dt.date:
    try:
        day = inputs.day(text, "date")
    except QuoteError:
        raise argparse.ArgumentTypeError(f"{text.strip()} is not a date") from None
    if day is None:
        raise argparse.ArgumentTypeError(f"a date such as 2024-06-01 is expected, got {text!r}")
    return day


def refuse_with_deal(args: argparse.Namespace, *more: tuple[str, object]) -> None:
    """A deal file holds the apps, usage, term and discount: a flag that would be ignored is refused."""
    given = [flag for flag, value in (("--edition", args.edition), ("--addon", args.addon),
                                      ("--dau", args.dau != "0"), ("--groups", args.groups != "0"),
                                      ("--months", args.months != "1"), ("--discount", args.discount is not None),
                                      *more) if value]
    if given:
        raise QuoteError.of("deal", f"--deal takes the apps, usage, term and discount from the deal file: leave out "
                                    f"{', '.join(given)} (options side by side are for one-app quotes)")


def read_deal(path: str, text: str | None = None, book: PriceBook | None = None):
    """The deal in a deal file (its ``text`` when already read); every problem named after the
    file, with ``book`` those of pricing too, in one round."""
    from ..dealinput import deal_from_toml

    text = DealFileError.read_text(Path(path)) if text is None else text
    try:
        return deal_from_toml(text, source=path, book=book)
    except QuoteError as exc:
        raise DealFileError(path, [p.message for p in exc.problems]) from None


def deal_arguments(parser: argparse.ArgumentParser, edition_required: bool = True) -> None:
    parser.add_argument("--edition", required=edition_required,
                        help="trial, pro or flagship (also 体验版, 专业版, 旗舰版, ultimate)")
    parser.add_argument("--dau", default="0", help="peak DAU of the month (default 0)")
    parser.add_argument("--groups", default="0", help="peak groups of the month (default 0)")
    parser.add_argument("--addon", action="append", metavar="CODE",
                        help="an add-on code (repeat, or separate with commas): history_90, moderation, …")
    parser.add_argument("--months", default="1", help="term in whole months, 1–24 (default 1)")
    parser.add_argument("--discount", default=None, metavar="PERCENT",
                        help="percent off the list price, shown as its own line (e.g. 10 or 12.5)")


def shown(path: Path) -> str:
    """The path as the user would type it: relative to the current folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def open_register(args: argparse.Namespace):
    from ..register import Register
    return Register.open(getattr(args, "register", None), getattr(args, "settings", None),
                         catalog=getattr(args, "catalog", None))


def or_on_server(remote: Callable[[argparse.Namespace], int]):
    """Decorates a register command: with --server (or $XLPRICING_SERVER) ``remote``, its twin in
    onserver.py, runs it through the team server's API instead. (``quote`` reads what to price
    first, then chooses once between recording it here and on the server.)"""
    def choose(local: Callable[[argparse.Namespace], int]):
        @functools.wraps(local)
        def command(args: argparse.Namespace) -> int:
            return (remote if args.server else local)(args)
        return command
    return choose


# `quotes list --format csv`: the same columns from the register and from a server
LIST_COLUMNS = ["number", "version", "status", "customer", "rep", "quote_date", "valid_until", "price_book",
                "currency", "total", "net", "tax", "discount", "path"]


def write_list_csv(rows: Iterable[list[str]]) -> None:
    """The quote list on stdout as CSV under LIST_COLUMNS, each row's cells in that order."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(LIST_COLUMNS)
    for row in rows:  # a cell that a spreadsheet would run as a formula is quoted as text
        w.writerow([csv_safe(v) for v in row])
    sys.stdout.write(out.getvalue())


def csv_safe(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(r"-\d+(\.\d+)?", text) \
        else text


def check_pdf_possible() -> None:
    """--pdf needs LibreOffice and a Chinese font: a PDF that is right or none at all (a usage
    error, said before anything is written)."""
    from ..sheets.libreoffice import pdf_unavailable
    problem = pdf_unavailable("--pdf")
    if problem:
        raise QuoteError.of("pdf", problem)


def book_options(parser: argparse.ArgumentParser, default) -> None:
    """The options choosing a book; on the top parser (``default`` None) also the catalog of books
    every command prices with, handed to it as ``args.catalog``."""
    catalog = shipped_catalog()
    if default is None:
        parser.set_defaults(catalog=catalog)
    parser.add_argument(
        "--price-book", default=default, metavar="ID|FILE",
        help=f"a shipped price book ({', '.join(catalog.ids())}) or a .toml file; it wins over "
             f"--as-of/--region. Default ${PRICE_BOOK_ENV} (an id, a file or a date), else the China book in force "
             f"on the quote's date (today)",
    )
    parser.add_argument("--as-of", type=day, default=default, metavar="DATE",
                        help="the prices in force on this date, YYYY-MM-DD (with --region, default cn)")
    parser.add_argument("--region", choices=REGIONS, default=default,
                        help="cn or overseas: the book of that region in force on --as-of (default today)")


def proposal_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seller", metavar="FILE",
                        help=f"the seller's profile (TOML, see the README); default ${SELLER_ENV}, else no seller block")
    parser.add_argument("--lang", choices=inputs.PROPOSAL_LANGS, default="both",
                        help="language of the proposal sheet and PDF (default both)")


def register_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--register", metavar="PATH|URL",
                        help="the quote register: a SQLite file or postgresql://user@host/db (password in PGPASSWORD "
                             "or ~/.pgpass); default $XLPRICING_REGISTER, else one in your data folder")
    parser.add_argument("--settings", metavar="FILE",
                        help="the team's register settings (TOML; default $XLPRICING_TEAM_SETTINGS, else "
                             "xlpricing-team.toml beside the register)")


def stop(signum, frame) -> None:
    """SIGTERM → SystemExit: temp files and folders are removed, LibreOffice is stopped, and a
    record being published is removed, on the way out (as Ctrl-C does)."""
    raise SystemExit(128 + signum)


def error(message: str) -> None:
    print(f"xlpricing: error: {message}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    """Run the chosen command; every error a person can act on is one line and an exit code, here
    and nowhere else: 2 for what was asked wrong, 1 for what failed while doing it."""
    try:
        code = args.run(args)
        note = args.catalog.superseded(args.chosen_book) if code == 0 and getattr(args, "chosen_book", None) else ""
        if note:  # so nobody sends an old price by accident
            print(f"xlpricing: note: {note}", file=sys.stderr)
        return code
    except QuoteError as exc:
        for problem in exc.problems:
            error(problem.message)
        return EXIT_USAGE
    # FileProblems: a price book or a seller profile; RegisterFailure: the database's own words
    except (UsageError, FileProblems, RegisterError, RegisterFailure) as exc:
        error(str(exc))
        return EXIT_USAGE
    except LibreOfficeError as exc:  # a PDF LibreOffice could not print
        error(str(exc))
        return 1
    except FileExistsError as exc:
        error(describe_os_error(exc))
        return EXIT_USAGE
    except OSError as exc:  # a folder where a file belongs, a read-only folder, a full disk
        error(describe_os_error(exc))
        return 1

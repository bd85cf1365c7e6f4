"""Command line: ``xlpricing price …`` prints a quote, ``xlpricing catalog`` the price book."""

from __future__ import annotations

import argparse
import functools
import datetime as dt
import json
import signal
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, Sequence

from . import formatting, inputs
from .engine import Quote, build_quote, tax_split
from .presenter import subtotal_rows
from .errors import DealFileError, FileProblems, QuoteError
from .register.errors import RegisterError
from .files import describe_os_error
from .sheets.libreoffice import LibreOfficeError
from .seller import SELLER_ENV
from .pricebook import (PRICE_BOOK_ENV, REGIONS, PriceBook, available_price_books,
                        choose_price_book, get_price_book, shipped_books, superseded)

EXIT_USAGE = 2


def _book(args: argparse.Namespace, on: dt.date | None = None) -> PriceBook:
    """The book the options choose; without one, the China book in force on ``on`` (the quote's
    date; today when None)."""
    book = choose_price_book(args.price_book, args.as_of, args.region, today=on)
    args.chosen_book = book  # main() says so after the command when its prices are superseded
    return book


def _day(text: str) -> dt.date:
    try:
        day = inputs.day(text, "date")
    except QuoteError:
        raise argparse.ArgumentTypeError(f"{text.strip()} is not a date") from None
    if day is None:
        raise argparse.ArgumentTypeError(f"a date such as 2024-06-01 is expected, got {text!r}")
    return day


def render_quote(q: Quote, book: PriceBook) -> str:
    m = formatting.amount
    head = [
        f"Quote — {book.name_en} / {book.name_zh}",
        f"Price book: {book.id} ({book.source_url})",
        f"Edition: {q.edition} ({q.edition_name_zh} / {q.edition_name_en})   "
        f"peak DAU {formatting.count(q.peak_dau)}   peak groups {formatting.count(q.peak_groups)}   "
        f"term {formatting.plural(q.months, 'month')}",
        f"Add-ons: {', '.join(q.addons) if q.addons else 'none'}",
        "",
    ]
    rows = [[l.code, l.label_zh, l.billing, formatting.count(l.quantity), m(l.unit_price), m(l.monthly_amount), m(l.amount), l.note_en]
            for l in q.lines]
    blank = ["", "", "", "", "", "", "", ""]
    rows.append(blank)
    for code, zh, en, billing, monthly, term in subtotal_rows(q):
        rows.append(["", f"{zh} {en}", billing, "", "", m(monthly), m(term), q.currency if code == "total" else ""])
    header = ["code", "item", "billing", "qty", "unit/month", "per month", f"{q.months} mo", "note"]
    body = formatting.table(header, rows, right={3, 4, 5, 6})
    return "\n".join([*head, body, "", *render_tax(q.total, book), *_total_line(q.months, q.total, q.currency)])


def render_tax(total: Decimal, book: PriceBook) -> list[str]:
    """价税合计 / 不含税金额 / 税额 for a book whose prices include tax, else its statement."""
    from .presenter import tax_rows

    rows = tax_rows(total, tax_split(book, total), book)
    if len(rows) == 1:
        return [f"{rows[0][3]} {rows[0][4]}"]
    return [_amount_line(f"{zh} {en}", amount, book.currency) for _, _, _, zh, en, _, _, amount, _ in rows]


def _amount_line(label: str, amount: Decimal, currency: str) -> str:
    """A labelled amount under a quote's table, the amounts right-aligned in one column."""
    return formatting.pad(label, 40) + formatting.pad(formatting.money(amount, currency), 18, right=True)


def _total_line(months: int, total: Decimal, currency: str) -> list[str]:
    """The last line, which scripts read: the price-and-tax total for the term."""
    return ["", f"Total for {formatting.plural(months, 'month')}: {formatting.money(total, currency)}"]


def render_deal(q, book: PriceBook) -> str:
    from .presenter import deal_rows, month_rows

    m = formatting.amount
    head = [f"Deal — {book.name_en} / {book.name_zh}", f"Price book: {book.id} ({book.source_url})",
            f"{formatting.plural(len(q.apps), 'app')}, term {formatting.plural(q.months, 'month')}"
            + (f", discount {formatting.percent(q.discount_percent)}%" if q.discount_percent else ""), ""]
    rows = []
    for app, months, code, zh, en, qty, unit, amount, note in deal_rows(q, book)[1:]:
        if app in ("total", "tax", "price_book"):
            continue
        if code == "subtotal":
            rows += [["", "", "", en, "", "", m(amount), ""], ["", "", "", "", "", "", "", ""]]
        else:
            rows.append([app, months, code, zh, formatting.count(qty), m(unit), m(amount), note])
    body = formatting.table(["app", "months", "code", "item", "qty", "unit/month", "amount", "note"], rows,
                            right={4, 5, 6})
    parts = [*head, body]
    if q.ramps:
        table = month_rows(q)
        parts += ["", "Month by month:", formatting.table(
            [str(h) for h in table[0]], [[str(r[0]), *(m(v) for v in r[1:])] for r in table[1:]],
            right=set(range(1, len(table[0]))))]
    parts += ["", _amount_line("合计 Total", q.total, q.currency)]
    if q.discount:
        parts.append(_amount_line("其中折扣 of which discount", q.discount, q.currency))
    return "\n".join([*parts, *render_tax(q.total, book), *_total_line(q.months, q.total, q.currency)])


def _refuse_with_deal(args: argparse.Namespace, *more: tuple[str, object]) -> None:
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
    from .dealinput import deal_from_toml

    text = DealFileError.read_text(Path(path)) if text is None else text
    try:
        return deal_from_toml(text, source=path, book=book)
    except QuoteError as exc:
        raise DealFileError(path, [p.message for p in exc.problems]) from None


def deal_json(q) -> str:
    data = {"price_book_id": q.price_book_id, "currency": q.currency, "months": q.months,
            "discount_percent": formatting.plain(Decimal(q.discount_percent)), "total": str(q.total),
            "tax": None if q.tax is None else {k: str(getattr(q.tax, k)) for k in ("gross", "net", "tax", "rate")},
            "month_totals": [str(t) for t in q.month_totals],
            "apps": [{"name": a.name, "total": str(a.total), "phases": [
                {"first_month": p.first_month, "last_month": p.last_month, "quote": json.loads(quote_json(p.quote))}
                for p in a.phases]} for a in q.apps]}
    return json.dumps(data, ensure_ascii=False, indent=2)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return formatting.plain(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def quote_json(q: Quote) -> str:
    fields = ("code", "label_zh", "label_en", "billing", "quantity", "unit_price", "monthly_amount", "months",
              "amount", "note_en", "note_zh")
    lines = [{k: _jsonable(getattr(l, k)) for k in fields} for l in q.lines]
    data = {k: _jsonable(getattr(q, k)) for k in q.__slots__ if k != "lines"}
    data["lines"] = lines
    for total in ("monthly_prepaid", "monthly_postpaid", "monthly_total", "prepaid", "postpaid", "total"):
        data[total] = str(getattr(q, total))
    return json.dumps(data, ensure_ascii=False, indent=2)


def cmd_price(args: argparse.Namespace) -> int:
    book = _book(args)
    if args.deal:
        from .deals import quote_deal

        _refuse_with_deal(args, *((f"--{k}-minutes", getattr(args, f"{k}_minutes")) for k in ("audio", "sd", "hd", "fhd")))
        q = quote_deal(book, read_deal(args.deal, book=book))
        print(deal_json(q) if args.format == "json" else render_deal(q, book))
        return 0
    if not args.edition:
        raise QuoteError.of("edition", "give --edition (and the usage), or --deal FILE for a deal of several apps")
    minutes = {kind: inputs.whole_number(getattr(args, f"{kind}_minutes"), f"--{kind}-minutes")
               for kind in ("audio", "sd", "hd", "fhd") if getattr(args, f"{kind}_minutes")}
    engine = functools.partial(build_quote, call_minutes=minutes) if minutes else build_quote
    q = inputs.price_deal(book, args.edition, args.dau, args.groups, args.addon or [], args.months, args.discount,
                          engine=engine)
    print(quote_json(q) if args.format == "json" else render_quote(q, book))
    return 0


def cmd_deal(args: argparse.Namespace) -> int:
    from .dealinput import EXAMPLE

    sys.stdout.write(EXAMPLE)
    return 0


def render_catalog(book: PriceBook) -> str:
    m = formatting.amount
    out = [
        f"{book.name_zh}",
        f"{book.name_en}",
        f"id {book.id} · {book.region_en} · {book.currency} · {book.period} · source {book.source_url}",
        f"prepaid items are bought for {book.min_months} to {book.max_months} whole months",
        "",
        "Editions 套餐包 (per month)",
        formatting.table(
            ["code", "name", "price", "billing", "free peak DAU", "free peak groups", "above the free quota"],
            [[e.code, f"{e.name_zh} {e.name_en}", m(e.monthly_price), e.billing,
              formatting.count(e.free_peak_dau), formatting.count(e.free_peak_groups),
              "capped (no overage)" if e.capped else "overage"] for e in book.editions],
            right={2, 4, 5},
        ),
        "",
        "Overage 套餐外超量 (per started block above the free quota, per month)",
        formatting.table(
            ["code", "name", "block", "price", "billing", "editions"],
            [[o.code, o.name_zh, o.unit_en, m(o.block_price), o.billing, ", ".join(o.editions)] for o in book.overage],
            right={3},
        ),
        "",
        "Add-ons 增值服务 (per month; '-' = cannot buy, 'included' = the edition already has it)",
    ]
    codes = book.edition_codes
    rows = []
    for a in book.addons:
        cells = [m(a.prices[e]) if e in a.prices else ("included" if e in a.included_in else "-") for e in codes]
        extra = f"{formatting.count(a.included_minutes)} min/month" if a.included_minutes else ""
        if a.withdrawn:
            extra = f"withdrawn {a.withdrawn.on} (was {', '.join(f'{e} {m(p)}' for e, p in a.list_prices.items())})"
        rows.append([a.code, a.name_zh, a.billing, *cells, extra])
    out.append(formatting.table(["code", "name", "billing", *codes, "includes"], rows, right={3, 4, 5})
               if rows else f"  none: {book.addons_unavailable}")
    out += ["", "Notes 说明"]
    out += [f"- {n.zh}\n  {n.en}" for n in book.notes]
    out += ["", "Sources 来源"] + [f"- {x.doc}  {x.url}\n  {x.what}" for x in book.sources]
    return "\n".join(out)


def cmd_catalog(args: argparse.Namespace) -> int:
    print(render_catalog(_book(args)))
    return 0


def cmd_books(args: argparse.Namespace) -> int:
    today = dt.date.today()
    default = choose_price_book()
    rows = [[b.id + (" (default)" if b.id == default.id else ""), b.region, b.period,
             "yes" if b.in_force(today) else "no", b.source_url]
            for b in sorted(shipped_books(), key=lambda b: (b.region, b.effective_from or dt.date.min))]
    print(formatting.table(["book", "region", "period", f"in force {today}", "source"], rows))
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from .bookdiff import book_differences

    a, b = get_price_book(args.book_a), get_price_book(args.book_b)
    changes = book_differences(a, b)
    header = ["section", "item", "what", a.id, b.id]
    rows = [[c.section, c.item, c.what, c.before, c.after] for c in changes]
    if args.format == "csv":
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return 0
    print(f"{a.id} ({a.period}) → {b.id} ({b.period}): {len(changes)} difference(s)")
    if rows:
        print(formatting.table(header, rows))
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from .sheets.template import write_template  # openpyxl only for the commands that write workbooks

    output = args.output or ("xlpricing-template.xlsm" if args.xlsm else "xlpricing-template.xlsx")
    try:
        path = write_template(output, _book(args), macro=args.xlsm, force=args.force)
    except ValueError as exc:
        print(f"xlpricing: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {path}")
    return 0


def cmd_lite(args: argparse.Namespace) -> int:
    from .lite import main_py, requirements_txt, write_lite_workbook

    book = _book(args)
    if args.main_py or args.requirements:  # for pasting into an existing workbook's Lite editor
        sys.stdout.write(main_py(book) if args.main_py else requirements_txt())
        return 0
    try:
        path = write_lite_workbook(args.output or "xlpricing-lite.xlsx", book, force=args.force)
    except ValueError as exc:
        print(f"xlpricing: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {path}  (xlwings Lite: {book.id})")
    return 0


def _deal_arguments(parser: argparse.ArgumentParser, edition_required: bool = True) -> None:
    parser.add_argument("--edition", required=edition_required,
                        help="trial, pro or flagship (also 体验版, 专业版, 旗舰版, ultimate)")
    parser.add_argument("--dau", default="0", help="peak DAU of the month (default 0)")
    parser.add_argument("--groups", default="0", help="peak groups of the month (default 0)")
    parser.add_argument("--addon", action="append", metavar="CODE",
                        help="an add-on code (repeat, or separate with commas): history_90, moderation, …")
    parser.add_argument("--months", default="1", help="term in whole months, 1–24 (default 1)")
    parser.add_argument("--discount", default=None, metavar="PERCENT",
                        help="percent off the list price, shown as its own line (e.g. 10 or 12.5)")


def cmd_quote(args: argparse.Namespace) -> int:
    from .quoting import QuoteRequest

    on = inputs.day(args.date, "--date") if args.date else None  # a bad date is said with the others below
    book = _book(args, on)
    if args.deal:
        _refuse_with_deal(args, ("--option", args.option), ("--recommend", args.recommend),
                          ("--forecast-growth", args.forecast_growth))
        text = DealFileError.read_text(Path(args.deal))
        read_deal(args.deal, text, book)  # its problems, named after the file
        return _publish_quote(args, book, QuoteRequest(deal=text))
    if args.option and (args.edition or args.addon):
        print("xlpricing: error: give --edition/--addon (one option) or --option (1 to 3), not both", file=sys.stderr)
        return EXIT_USAGE
    if not args.option and not args.edition:
        print("xlpricing: error: --edition (or --option EDITION[:ADDON,…]) is required", file=sys.stderr)
        return EXIT_USAGE
    options = [inputs.option_parts(o) for o in args.option] if args.option else [(args.edition, args.addon or [])]
    request = QuoteRequest(options=tuple((e, inputs.addon_codes(a)) for e, a in options), dau=args.dau,
                           groups=args.groups, months=args.months, discount=args.discount,
                           forecast_growth=args.forecast_growth, forecast_months=args.forecast_months)
    if args.recommend is not None and not 1 <= args.recommend <= len(options):
        print(f"xlpricing: error: --recommend must be 1 to {len(options)} (the options given), got {args.recommend}",
              file=sys.stderr)
        return EXIT_USAGE
    return _publish_quote(args, book, request)


def _publish_quote(args: argparse.Namespace, book: PriceBook, request) -> int:
    """Price, write and record one proposal: the register allocates its number (or checks the one
    given), and the record and its documents (the workbook, and the PDF with --pdf) are published
    together."""
    from .register import default_rep
    from .quoting import publish

    priced = request.price(book)  # every pricing problem before anything else
    info, output = _proposal_and_output(args)
    if info is None:
        return EXIT_USAGE
    with _open_register(args) as register:
        record, priced = publish(register, book, request, info,
                                 rep=args.rep or default_rep(args.loaded_seller, register), output=output,
                                 seller=args.loaded_seller, force=args.force, number=args.quote_number,
                                 priced=priced, pdf=args.pdf)
    path = Path(record.path)
    if priced.is_deal:
        print(f"wrote {_shown(path)}  ({formatting.plural(len(priced.deal.apps), 'app')}, "
              f"{formatting.plural(priced.months, 'month')}, total {formatting.money(priced.total, priced.currency)})")
    else:
        totals = ", ".join(f"{x.edition} {formatting.money(x.total, x.currency)}" for x in priced.options)
        print(f"wrote {_shown(path)}  ({formatting.plural(priced.months, 'month')}, total {totals})")
    if record.pdf_sha256:
        print(f"wrote {_shown(record.pdf_path)}")
    if record.valid_until < dt.date.today():
        print(f"xlpricing: note: {record.label} is dated {record.quote_date} and was valid until {record.valid_until}: "
              "it is recorded as expired (a back-dated quote; revise it to send it again)", file=sys.stderr)
    print(f"recorded {record.label} ({record.status_on(dt.date.today())}, valid until {record.valid_until}) in "
          f"{register.db.describe}")
    return 0


def _shown(path: Path) -> str:
    """The path as the user would type it: relative to the current folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _open_register(args: argparse.Namespace):
    from .register import Register
    return Register.open(getattr(args, "register", None), getattr(args, "settings", None))


def _proposal_and_output(args: argparse.Namespace):
    """The proposal's texts (as the register keeps them) and the workbook's path (None: named
    from the customer and the number the register gives), or (None, None) after saying what is
    wrong; nothing is written before every check has passed."""
    from .quoting import ProposalInfo
    from .sheets.proposal import check_quote_dates
    from .seller import choose_seller, chosen_seller_path

    if not args.customer.strip():
        print("xlpricing: error: --customer is empty", file=sys.stderr)
        return None, None
    quote_date = inputs.day(args.date, "--date") if args.date else dt.date.today()
    if quote_date is None:
        print(f"xlpricing: error: --date must be YYYY-MM-DD, got {args.date!r}", file=sys.stderr)
        return None, None
    problem = check_quote_dates(quote_date, args.valid_days)
    if problem:
        print(f"xlpricing: error: {problem}", file=sys.stderr)
        return None, None
    args.loaded_seller = choose_seller(args.seller)  # a bad profile is said now; loaded once
    info = ProposalInfo(customer=args.customer, contact=args.contact or "", notes=args.notes or "", lang=args.lang,
                        recommend=getattr(args, "recommend", None), seller=chosen_seller_path(args.seller),
                        quote_date=quote_date.isoformat(), valid_days=args.valid_days,
                        customer_address=args.customer_address or "", customer_contact=args.customer_contact or "")
    output = Path(args.output) if args.output else None
    if output is not None and output.suffix.lower() != ".xlsx":
        print(f"xlpricing: error: {output.name}: a quote workbook is an .xlsx file", file=sys.stderr)
        return None, None
    if args.pdf:
        check_pdf_possible()  # say so before writing anything
    return info, output


def check_pdf_possible() -> None:
    """--pdf needs LibreOffice and a Chinese font: a PDF that is right or none at all (a usage
    error, said before anything is written)."""
    from .sheets.libreoffice import CJK_FONT_HINT, INSTALL_HINT, cjk_font_missing, find_soffice
    if find_soffice() is None:
        raise QuoteError.of("pdf", f"--pdf needs LibreOffice. {INSTALL_HINT}")
    if cjk_font_missing():
        raise QuoteError.of("pdf", CJK_FONT_HINT)


def cmd_batch(args: argparse.Namespace) -> int:
    from .batch import BatchError, printable, progress_bar, report, run_batch
    from .seller import choose_seller, chosen_seller_path

    started = time.time() - 1  # file times are coarse on some file systems
    try:
        book = _book(args)  # resolved once: the workers and the summary get this book, not its id
        result = run_batch(Path(args.csv), Path(args.output), price_book=book, force=args.force,
                           progress=progress_bar(), seller=choose_seller(args.seller), lang=args.lang,
                           register=(args.register, args.settings), rep=args.rep or "",
                           seller_path=chosen_seller_path(args.seller), pdf=args.pdf)
    except BatchError as exc:
        print(f"xlpricing: error: {printable(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
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


def cmd_advise(args: argparse.Namespace) -> int:
    from .advisor import advise

    parts = [args.needs] if args.needs else []
    for name in ("members", "groups_per_user", "live_groups", "history", "call_minutes", "sd", "hd", "fhd"):
        value = getattr(args, name)
        if value is not None:
            parts.append(f"{name}={value}")
    parts += list(args.want or [])
    book = _book(args)
    advice = advise(book, inputs.needs_from(", ".join(parts), args.dau, args.groups))
    if not advice.options:
        print("No configuration meets these needs:")
        for reason in advice.refusals.values():
            print(f"  - {reason}")
        return 1
    m = formatting.amount
    rows = [[str(i + 1), o.edition, o.addons_text or "—", m(o.monthly)] for i, o in enumerate(advice.options[:args.top])]
    print(f"Configurations that meet the needs, cheapest first ({len(advice.options)} in all; CNY a month):")
    print(formatting.table(["#", "edition", "add-ons", "monthly"], rows, right={0, 3}))
    for reason in advice.refusals.values():
        print(f"not possible: {reason}")
    return 0


def cmd_forecast(args: argparse.Namespace) -> int:
    from .advisor import forecast, growth

    if args.dau_by_month:
        daus = [inputs.whole_number(v, "--dau-by-month") for v in args.dau_by_month.split(",")]
        groups = ([inputs.whole_number(v, "--groups-by-month") for v in args.groups_by_month.split(",")]
                  if args.groups_by_month else [0] * len(daus))
        if len(groups) == 1:
            groups *= len(daus)
        if len(groups) != len(daus):
            raise QuoteError.of("peak_groups", f"{len(groups)} months of groups for {len(daus)} months of DAU")
        usage = list(zip(daus, groups))
    else:
        usage = growth(inputs.whole_number(args.dau, "--dau"), inputs.whole_number(args.groups, "--groups"),
                       inputs.percent(args.growth, "--growth", signed=True) / 100,
                       inputs.whole_number(args.months, "--months", 12))
    book = _book(args)
    if args.as_deal:  # before anything is printed or written
        from .files import check_target

        if len(usage) > book.max_months:
            raise QuoteError.of("months", f"--as-deal: a deal's term is {book.min_months} to {book.max_months} "
                                          f"months, the forecast has {len(usage)}")
        check_target(Path(args.as_deal), args.force)
        from .formatting import text_problems
        if not args.app.strip() or text_problems({"app name": args.app}):
            raise QuoteError.of("app", f"--app: {(text_problems({'app name': args.app}) or ['an app needs a name'])[0]}")
    f = forecast(book, inputs.edition_name(args.edition), inputs.addon_codes(args.addon or []), usage)
    m = formatting.amount
    rows = [[str(x.month), formatting.count(x.peak_dau), formatting.count(x.peak_groups), m(x.prepaid),
             m(x.postpaid), m(x.total)] for x in f.months]
    rows.append(["total", "", "", m(f.prepaid), m(f.postpaid), m(f.total)])
    name = f"{f.edition}: {', '.join(f.addons)}" if f.addons else f.edition
    print(f"Forecast for {name} (CNY)")
    print(formatting.table(["month", "peak DAU", "peak groups", "prepaid", "postpaid", "total"], rows,
                           right={0, 1, 2, 3, 4, 5}))
    if f.cheaper:
        month, option = f.cheaper
        print(f"From month {month}, {option} would cost less ({m(option.monthly)} that month).")
    else:
        print("No other configuration meeting the same needs is cheaper in any month.")
    if args.as_deal:
        _write_forecast_deal(args, f, usage)
    return 0


def _write_forecast_deal(args: argparse.Namespace, f, usage: list[tuple[int, int]]) -> None:
    """The forecast's monthly peaks as a ramp deal file, for `price --deal` and `quote --deal`."""
    from .dealinput import deal_to_toml, ramp_deal
    from .files import atomic_write

    deal = ramp_deal(f.edition, f.addons, usage, name=args.app)
    text = deal_to_toml(deal, f"xlpricing forecast as a ramp deal: {f.edition}, {len(usage)} months\n"
                              "Price it with `xlpricing price --deal FILE`.")
    with atomic_write(args.as_deal, args.force) as tmp:
        tmp.write_text(text, encoding="utf-8")
    print(f"wrote {args.as_deal}  (the forecast as a deal of {len(deal.apps[0].phases)} phase(s))")


def _book_options(parser: argparse.ArgumentParser, default) -> None:
    parser.add_argument(
        "--price-book", default=default, metavar="ID|FILE",
        help=f"a shipped price book ({', '.join(available_price_books())}) or a .toml file; it wins over "
             f"--as-of/--region. Default ${PRICE_BOOK_ENV} (an id, a file or a date), else the China book in force "
             f"on the quote's date (today)",
    )
    parser.add_argument("--as-of", type=_day, default=default, metavar="DATE",
                        help="the prices in force on this date, YYYY-MM-DD (with --region, default cn)")
    parser.add_argument("--region", choices=REGIONS, default=default,
                        help="cn or overseas: the book of that region in force on --as-of (default today)")


def _proposal_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seller", metavar="FILE",
                        help=f"the seller's profile (TOML, see the README); default ${SELLER_ENV}, else no seller block")
    parser.add_argument("--lang", choices=inputs.PROPOSAL_LANGS, default="both",
                        help="language of the proposal sheet and PDF (default both)")


def _register_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--register", metavar="PATH|URL",
                        help="the quote register: a SQLite file or postgresql://user@host/db (password in PGPASSWORD "
                             "or ~/.pgpass); default $XLPRICING_REGISTER, else one in your data folder")
    parser.add_argument("--settings", metavar="FILE",
                        help="the team's register settings (TOML; default $XLPRICING_TEAM_SETTINGS, else "
                             "xlpricing-team.toml beside the register)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xlpricing",
        description="Exact quotes for Tencent Cloud IM (China data center).",
    )
    _book_options(parser, None)
    sub = parser.add_subparsers(dest="command", required=True)
    # the same options after the command (xlpricing quote --as-of 2024-06-01 …): they override
    common = argparse.ArgumentParser(add_help=False)
    _book_options(common, argparse.SUPPRESS)
    _add = sub.add_parser
    sub.add_parser = lambda *a, **k: _add(*a, parents=[common], **k)  # noqa: E731

    price = sub.add_parser("price", help="price one deal and print the quote")
    _deal_arguments(price, edition_required=False)
    price.add_argument("--deal", metavar="FILE", help="a deal file (TOML) of several apps and phases: "
                                                      "`xlpricing deal --example`")
    price.add_argument("--format", choices=("text", "json"), default="text")
    for kind, what in (("audio", "audio"), ("sd", "SD video"), ("hd", "HD video"), ("fhd", "full-HD video")):
        price.add_argument(f"--{kind}-minutes", help=f"{what} call minutes a month (beyond the package: TRTC rates)")
    price.set_defaults(run=cmd_price)

    deal = sub.add_parser("deal", help="deal files: --example prints a commented one to start from")
    deal.add_argument("--example", action="store_true", required=True, help="print a commented example deal file")
    deal.set_defaults(run=cmd_deal)

    catalog = sub.add_parser("catalog", help="print the price book (and check it)")
    catalog.set_defaults(run=cmd_catalog)

    books = sub.add_parser("books", help="list the shipped price books: region, period, in force today")
    books.set_defaults(run=cmd_books)

    diff = sub.add_parser("diff", help="every difference between two price books")
    diff.add_argument("book_a", metavar="A", help="a book id or .toml file (the earlier)")
    diff.add_argument("book_b", metavar="B", help="a book id or .toml file (the later)")
    diff.add_argument("--format", choices=("text", "csv"), default="text")
    diff.set_defaults(run=cmd_diff)

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

    quote = sub.add_parser("quote", help="write a quote workbook for one deal (a proposal to send)")
    _deal_arguments(quote, edition_required=False)
    quote.add_argument("--option", action="append", metavar="EDITION[:ADDON,…]",
                       help="an option of the proposal (repeat, 1 to 3), e.g. pro:history_90,moderation; "
                            "DAU, groups, months and discount are shared. Instead of --edition/--addon")
    quote.add_argument("--recommend", type=int, metavar="N", help="the option marked recommended (default: the cheapest)")
    _proposal_arguments(quote)
    quote.add_argument("--deal", metavar="FILE", help="a deal file of several apps and phases (xlpricing deal --example) "
                                                      "instead of --edition/--option")
    quote.add_argument("--customer", required=True, help="the customer's name, as it should appear")
    quote.add_argument("--customer-address", metavar="TEXT", help="the customer's address, on the proposal")
    quote.add_argument("--customer-contact", metavar="TEXT",
                       help="the customer's contact (name, phone, email, as it should appear)")
    quote.add_argument("--contact", help="sales contact shown on the quote")
    quote.add_argument("--quote-number", help="default: the next number from the register (Q-2026-000123); "
                                              "a number given must not be in the register already")
    _register_arguments(quote)
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
    quote.set_defaults(run=cmd_quote)

    adv = sub.add_parser("advise", help="the cheapest configurations for what the customer needs")
    adv.add_argument("--dau", default="0", help="peak DAU of the month")
    adv.add_argument("--groups", default="0", help="peak groups of the month")
    adv.add_argument("--members", help="members per group")
    adv.add_argument("--groups-per-user", help="groups one user can join")
    adv.add_argument("--live-groups", help="live groups (AVChatRoom) that must exist, or 'unlimited'")
    adv.add_argument("--history", help="days of message history")
    adv.add_argument("--call-minutes", help="audio call minutes a month")
    adv.add_argument("--sd", help="SD video call minutes a month")
    adv.add_argument("--hd", help="HD video call minutes a month")
    adv.add_argument("--fhd", help="full-HD video call minutes a month")
    adv.add_argument("--want", action="append", metavar="ADDON", help="an add-on wanted as such, e.g. moderation")
    adv.add_argument("--needs", help="the needs as one text, e.g. 'members=3000, history=90, moderation'")
    adv.add_argument("--top", type=int, default=10, help="how many configurations to list (default 10)")
    adv.set_defaults(run=cmd_advise)

    fc = sub.add_parser("forecast", help="month-by-month cost as usage grows")
    fc.add_argument("--edition", required=True)
    fc.add_argument("--addon", action="append", metavar="CODE")
    fc.add_argument("--dau", default="0", help="peak DAU in month 1")
    fc.add_argument("--groups", default="0", help="peak groups in month 1")
    fc.add_argument("--growth", default="0", help="growth a month in percent, above -100 to 1000 (10 = 10%%, -5 shrinks)")
    fc.add_argument("--months", default="12", help="months to forecast, 1 to 120 (default 12)")
    fc.add_argument("--dau-by-month", help="instead: peak DAU of each month, comma separated")
    fc.add_argument("--groups-by-month", help="with --dau-by-month: peak groups of each month (or one value)")
    fc.add_argument("--as-deal", metavar="FILE", help="also write the monthly peaks as a ramp deal file (TOML)")
    fc.add_argument("--app", default="主应用 Main app", metavar="NAME",
                    help="with --as-deal: the app's name in the deal file and its proposal (default 主应用 Main app)")
    fc.add_argument("--force", action="store_true", help="with --as-deal: overwrite an existing file")
    fc.set_defaults(run=cmd_forecast)

    batch = sub.add_parser("batch", help="a CSV of deals → a folder of quote workbooks and a summary")
    batch.add_argument("csv", help="the deals, one per row (columns in the README)")
    batch.add_argument("-o", "--output", required=True, metavar="DIR", help="folder for the workbooks")
    batch.add_argument("--force", action="store_true", help="overwrite workbooks that exist")
    batch.add_argument("--pdf", action="store_true",
                       help="also a PDF of each proposal beside its workbook (needs LibreOffice and a Chinese font)")
    _proposal_arguments(batch)
    _register_arguments(batch)
    batch.add_argument("--rep", help="the sales rep the register files the quotes under (default: the seller "
                                     "profile's contact)")
    batch.set_defaults(run=cmd_batch)
    from .register.commands import add_commands
    add_commands(sub, _register_arguments, lambda p: _book_options(p, argparse.SUPPRESS), _day)
    return parser


def _stop(signum, frame) -> None:
    """SIGTERM → SystemExit: temp files and folders are removed, LibreOffice is stopped, and a
    record being published is removed, on the way out (as Ctrl-C does)."""
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _stop)
    try:
        return _run(args)
    finally:
        if previous is not None:  # called from Python (tests, scripts): leave the caller's handler as it was
            signal.signal(signal.SIGTERM, previous)


def _run(args: argparse.Namespace) -> int:
    try:
        code = args.run(args)
        note = superseded(args.chosen_book) if code == 0 and getattr(args, "chosen_book", None) else ""
        if note:  # so nobody sends an old price by accident
            print(f"xlpricing: note: {note}", file=sys.stderr)
        return code
    except QuoteError as exc:
        for problem in exc.problems:
            print(f"xlpricing: error: {problem.message}", file=sys.stderr)
        return EXIT_USAGE
    except FileProblems as exc:  # a price book or a seller profile
        print(f"xlpricing: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except RegisterError as exc:
        print(f"xlpricing: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except LibreOfficeError as exc:  # --pdf without LibreOffice, or a PDF it could not print
        print(f"xlpricing: error: {exc}", file=sys.stderr)
        return 1
    except FileExistsError as exc:
        print(f"xlpricing: error: {describe_os_error(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:  # a folder where a file belongs, a read-only folder, a full disk
        print(f"xlpricing: error: {describe_os_error(exc)}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

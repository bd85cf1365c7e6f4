"""Commands that price and print: ``price``, ``deal``, ``catalog``, ``books``, ``diff``, ``advise``, ``forecast``."""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import sys
from decimal import Decimal
from pathlib import Path

from .. import formatting, inputs
from ..engine import Quote, build_quote, tax_split
from ..errors import QuoteError
from ..presenter import subtotal_rows
from ..pricebook import PriceBook
from .base import chosen_book, deal_arguments, read_deal, refuse_with_deal


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
    from ..presenter import tax_rows

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
    from ..presenter import deal_rows, month_rows

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


def deal_json(q) -> str:
    from ..quoting import deal_data
    return json.dumps(deal_data(q), ensure_ascii=False, indent=2)


def quote_json(q: Quote) -> str:
    from ..quoting import quote_data
    return json.dumps(quote_data(q), ensure_ascii=False, indent=2)


def cmd_price(args: argparse.Namespace) -> int:
    book = chosen_book(args)
    if args.deal:
        from ..deals import quote_deal

        refuse_with_deal(args, *((f"--{k}-minutes", getattr(args, f"{k}_minutes")) for k in ("audio", "sd", "hd", "fhd")))
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
    from ..dealinput import EXAMPLE

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
    print(render_catalog(chosen_book(args)))
    return 0


def cmd_books(args: argparse.Namespace) -> int:
    today = dt.date.today()
    default = args.catalog.choose()
    rows = [[b.id + (" (default)" if b.id == default.id else ""), b.region, b.period,
             "yes" if b.in_force(today) else "no", b.source_url]
            for b in sorted(args.catalog.books(), key=lambda b: (b.region, b.effective_from or dt.date.min))]
    print(formatting.table(["book", "region", "period", f"in force {today}", "source"], rows))
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from ..bookdiff import book_differences

    a, b = args.catalog.get(args.book_a), args.catalog.get(args.book_b)
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


def cmd_advise(args: argparse.Namespace) -> int:
    from ..advisor import advise

    parts = [args.needs] if args.needs else []
    for name in ("members", "groups_per_user", "live_groups", "history", "call_minutes", "sd", "hd", "fhd"):
        value = getattr(args, name)
        if value is not None:
            parts.append(f"{name}={value}")
    parts += list(args.want or [])
    book = chosen_book(args)
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
    from ..advisor import forecast, growth

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
    book = chosen_book(args)
    if args.as_deal:  # before anything is printed or written
        from ..files import check_target

        if len(usage) > book.max_months:
            raise QuoteError.of("months", f"--as-deal: a deal's term is {book.min_months} to {book.max_months} "
                                          f"months, the forecast has {len(usage)}")
        check_target(Path(args.as_deal), args.force)
        from ..formatting import text_problems
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
    from ..dealinput import deal_to_toml, ramp_deal
    from ..files import atomic_write

    deal = ramp_deal(f.edition, f.addons, usage, name=args.app)
    text = deal_to_toml(deal, f"xlpricing forecast as a ramp deal: {f.edition}, {len(usage)} months\n"
                              "Price it with `xlpricing price --deal FILE`.")
    with atomic_write(args.as_deal, args.force) as tmp:
        tmp.write_text(text, encoding="utf-8")
    print(f"wrote {args.as_deal}  (the forecast as a deal of {len(deal.apps[0].phases)} phase(s))")


def add_commands(sub) -> None:
    price = sub.add_parser("price", help="price one deal and print the quote")
    deal_arguments(price, edition_required=False)
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


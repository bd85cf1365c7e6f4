"""Deals as they are sold: several apps, usage that ramps over the term, the tax in the total.

A deal is a term (months), a discount and one or more **apps** (one package per SDKAppID). Each
app has one or more **phases**: a phase starts in a month of the term and sets the edition,
add-ons, peaks (and call minutes) from then on; what it leaves out carries over from the phase
before. Every month is priced on its own: the prepaid items of that month's configuration and the
postpaid overage on that month's peaks. A phase's months cost the same, so a phase is priced as
one :func:`engine.build_quote` over its months, and its lines are the deal's lines for that app
and phase; the month-by-month totals follow from the phases. An app whose first phase starts in
a later month is priced from that month (a product launched mid-term).

Pure like the engine: typed values in, a :class:`DealQuote` out; every problem of the whole deal
is reported at once, naming the app and the phase.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Mapping

from .engine import ZERO, Quote, TaxSplit, _check_percent, build_quote, tax_split
from .errors import Problem, QuoteError
from .formatting import text_problems
from .pricebook import PriceBook


@dataclass(frozen=True, slots=True)
class Phase:
    """From ``from_month`` on; a field left as None carries over from the phase before."""

    from_month: int = 1
    edition: str | None = None
    addons: tuple[str, ...] | None = None
    peak_dau: int | None = None
    peak_groups: int | None = None
    call_minutes: Mapping[str, int] | None = None


@dataclass(frozen=True, slots=True)
class App:
    name: str
    phases: tuple[Phase, ...]


@dataclass(frozen=True, slots=True)
class Deal:
    apps: tuple[App, ...]
    months: int = 1
    discount_percent: Decimal | int = 0

    @classmethod
    def single(cls, edition: str, peak_dau: int = 0, peak_groups: int = 0, addons: tuple[str, ...] = (),
               months: int = 1, discount_percent: Decimal | int = 0, name: str = "app",
               call_minutes: Mapping[str, int] | None = None) -> "Deal":
        """Today's one-app quote as a deal: one app, one phase for the whole term."""
        return cls((App(name, (Phase(1, edition, tuple(addons), peak_dau, peak_groups, call_minutes),)),),
                   months, discount_percent)


@dataclass(frozen=True, slots=True)
class PhaseQuote:
    number: int  # 1, 2, … within its app
    first_month: int
    last_month: int
    quote: Quote  # the phase's configuration priced over its months

    @property
    def months(self) -> int:
        return self.last_month - self.first_month + 1

    @property
    def monthly_total(self) -> Decimal:
        return self.quote.monthly_total


class _Totals:
    """Term totals as sums of the parts' (an app's phases, a deal's apps)."""

    __slots__ = ()

    def _parts(self) -> tuple:
        raise NotImplementedError

    def _sum(self, attr: str) -> Decimal:
        return sum((getattr(p, attr) for p in self._parts()), ZERO)

    @property
    def total(self) -> Decimal:
        """价税合计 where the book's prices include tax: after the discount."""
        return self._sum("total")

    @property
    def prepaid(self) -> Decimal:
        return self._sum("prepaid")

    @property
    def postpaid(self) -> Decimal:
        return self._sum("postpaid")

    @property
    def discount(self) -> Decimal:
        return self._sum("discount")


@dataclass(frozen=True, slots=True)
class AppQuote(_Totals):
    name: str
    phases: tuple[PhaseQuote, ...]

    def _parts(self) -> tuple:
        return tuple(p.quote for p in self.phases)

    def monthly(self, month: int) -> Decimal:
        """What the app costs in ``month`` of the term (0 before its first phase)."""
        for p in self.phases:
            if p.first_month <= month <= p.last_month:
                return p.monthly_total
        return ZERO


@dataclass(frozen=True, slots=True)
class DealQuote(_Totals):
    price_book_id: str
    currency: str
    months: int
    discount_percent: Decimal
    apps: tuple[AppQuote, ...]
    tax: TaxSplit | None = field(default=None)  # None: tax is added on top (the book says so)

    def _parts(self) -> tuple:
        return self.apps

    @property
    def list_total(self) -> Decimal:
        return self.prepaid + self.postpaid

    @property
    def month_totals(self) -> tuple[Decimal, ...]:
        """Month 1 … months of the term: every app's cost in that month."""
        return tuple(sum((a.monthly(m) for a in self.apps), ZERO) for m in range(1, self.months + 1))

    @property
    def ramps(self) -> bool:
        """Whether any month differs from another (a month table says more than the lines then)."""
        return len(set(self.month_totals)) > 1


def _where(app: App, number: int, first: int, last: int) -> str:
    if len(app.phases) == 1 and first == 1:
        return f"app {app.name!r}"
    return f"app {app.name!r} phase {number} (months {first}–{last})" if first != last else \
        f"app {app.name!r} phase {number} (month {first})"


def quote_deal(book: PriceBook, deal: Deal) -> DealQuote:
    """Price a deal; raises :class:`QuoteError` with every problem of every app and phase."""
    problems: list[Problem] = []
    months = deal.months
    if isinstance(months, bool) or not isinstance(months, int):
        raise QuoteError.of("months", f"months must be a whole number, got {months!r}")
    if not book.min_months <= months <= book.max_months:
        problems.append(Problem("months", f"months must be {book.min_months} to {book.max_months} (whole months), "
                                          f"got {months}"))
        months = book.max_months if months > book.max_months else book.min_months  # still check the apps
    if not deal.apps:
        problems.append(Problem("apps", "a deal needs at least one app"))
    elif len(deal.apps) > book.max_apps:
        problems.append(Problem("apps", f"an account holds at most {book.max_apps} apps (SDKAppIDs), "
                                        f"got {len(deal.apps)}: split the deal"))
    percent = _check_percent(deal.discount_percent, problems) if deal.discount_percent else ZERO
    seen: dict[str, str] = {}
    for app in deal.apps:
        key = app.name.strip().casefold() if isinstance(app.name, str) else ""
        if not key:
            problems.append(Problem("apps", "every app needs a name"))
        else:
            problems += [Problem("apps", p) for p in text_problems({"app name": app.name})]
        if key and key in seen:
            problems.append(Problem("apps", f"app {app.name!r} is listed twice (one package per app: name each "
                                            f"app once, with its phases)"))
        seen.setdefault(key, app.name)
    priced: list[AppQuote] = []
    for app in deal.apps:
        quote = _quote_app(book, app, months, percent, problems)
        if quote is not None:
            priced.append(quote)
    if problems:
        raise QuoteError(problems)
    total = sum((a.total for a in priced), ZERO)
    return DealQuote(book.id, book.currency, months, percent, tuple(priced), tax_split(book, total))


def _quote_app(book: PriceBook, app: App, months: int, discount: Decimal,
               problems: list[Problem]) -> AppQuote | None:
    before = len(problems)
    if not app.phases:
        problems.append(Problem("apps", f"app {app.name!r} has no phase: give at least its edition"))
        return None
    starts = []
    for number, phase in enumerate(app.phases, 1):  # numbered as written: the app's own fields are phase 1
        m = phase.from_month
        where = f"app {app.name!r}" if len(app.phases) == 1 else f"app {app.name!r} phase {number}"
        if isinstance(m, bool) or not isinstance(m, int) or not 1 <= m <= months:
            problems.append(Problem("apps", f"{where}: from_month must be a month of the term, 1 to "
                                            f"{months}, got {m!r}"))
        elif m in starts:
            problems.append(Problem("apps", f"{where}: two phases start in month {m}"))
        else:
            starts.append(m)
    if len(problems) > before:
        return None
    phases = sorted(app.phases, key=lambda p: p.from_month)
    current: dict = {"edition": None, "addons": (), "peak_dau": 0, "peak_groups": 0, "call_minutes": None}
    paid_edition: str | None = None  # once on pro/flagship, never back to trial (the price page)
    quotes: list[PhaseQuote] = []
    for number, phase in enumerate(phases, 1):
        first = phase.from_month
        last = phases[number].from_month - 1 if number < len(phases) else months
        where = _where(app, number, first, last)
        for name in current:
            value = getattr(phase, name)
            if value is not None:
                current[name] = value
        if current["edition"] is None:
            problems.append(Problem("edition", f"{where}: the first phase needs an edition"))
            return None
        edition = book.find_edition(current["edition"]) if isinstance(current["edition"], str) else None
        if edition is not None and edition.capped and paid_edition:
            problems.append(Problem("edition", f"{where}: an app on {paid_edition} cannot go back to {edition.code} "
                                               f"(create a new app instead)"))
            continue
        if edition is not None and not edition.capped:
            paid_edition = edition.code
        try:
            quote = build_quote(book, current["edition"], current["peak_dau"], current["peak_groups"],
                                current["addons"], last - first + 1, discount, current["call_minutes"])
        except QuoteError as exc:
            problems += [Problem(p.argument, f"{where}: {p.message}") for p in exc.problems]
            continue
        quotes.append(PhaseQuote(number, first, last, quote))
    if len(problems) > before:
        return None
    return AppQuote(app.name, tuple(quotes))

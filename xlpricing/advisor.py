"""From what a customer needs to the cheapest configuration, month by month. Pure, like the engine.

- :func:`advise`: every configuration (edition + add-ons) that meets the needs, cheapest first,
  and why each edition that cannot meet them fails.
- :func:`forecast`: month-by-month cost of a configuration over a usage profile, and the month
  from which another configuration meeting the same needs would be cheaper.
- :func:`break_even`: the peak DAU at which one configuration stops being the cheaper of two.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, Mapping

from .engine import MAX_COUNT, Quote, build_quote, included_minutes, plan_for, quote_total, resolve_edition
from .errors import Problem, QuoteError
from .pricebook import UNLIMITED, Edition, PriceBook

ZERO = Decimal(0)


@dataclass(frozen=True)
class Needs:
    """What the customer needs in a month."""

    peak_dau: int = 0
    peak_groups: int = 0
    limits: Mapping[str, int | None] = field(default_factory=dict)  # capability -> at least (None: unlimited)
    call_minutes: Mapping[str, int] = field(default_factory=dict)  # kind -> minutes a month
    addons: tuple[str, ...] = ()  # add-ons wanted as such (moderation)


@dataclass(frozen=True)
class Option:
    edition: str
    addons: tuple[str, ...]
    quote: Quote  # one month at the needs' usage

    @property
    def monthly(self) -> Decimal:
        return self.quote.total

    @property
    def addons_text(self) -> str:
        return ", ".join(self.addons)

    def __str__(self) -> str:
        return f"{self.edition}: {self.addons_text}" if self.addons else self.edition


@dataclass(frozen=True)
class Advice:
    needs: Needs
    options: tuple[Option, ...]  # cheapest first
    refusals: Mapping[str, str]  # edition -> why it cannot meet the needs

    @property
    def best(self) -> Option:
        if not self.options:
            raise QuoteError.of("needs", "no configuration meets these needs: " + "; ".join(self.refusals.values()))
        return self.options[0]


def _at_least(have: int | None, need: int | None) -> bool:
    if have is UNLIMITED:
        return True
    return need is not UNLIMITED and have >= need


def _show(value: int | None) -> str:
    return "unlimited" if value is UNLIMITED else f"{value:,}"


def capability(book: PriceBook, edition: Edition, addons: Iterable[str], limit: str) -> int | None:
    """What an edition with these add-ons allows for one capability (None: unlimited)."""
    best = edition.limits.get(limit, 0)
    for code in addons:
        addon = book.find_addon(code)
        raised = addon.raises.get(limit, 0) if addon else 0
        if raised is UNLIMITED or (best is not UNLIMITED and raised > best):
            best = raised
    return best


def _check_needs(book: PriceBook, needs: Needs) -> None:
    problems = []
    known = {x.code for x in book.limits}
    for name in needs.limits:
        if name not in known:
            problems.append(Problem("needs", f"unknown need {name!r} ({', '.join(sorted(known))})"))
    for code in needs.addons:
        if book.find_addon(code) is None:
            problems.append(Problem("needs", f"unknown add-on {code!r} in needs"))
    if problems:
        raise QuoteError(problems)


def _candidates(book: PriceBook, edition: Edition, needs: Needs) -> tuple[list[list[tuple[str, ...]]], list[str]]:
    """Per add-on family, the choices that can meet the needs; and reasons this edition cannot."""
    by_family: dict[str, list[str]] = {}
    for addon in book.addons:
        if edition.code in addon.prices:
            by_family.setdefault(addon.family, []).append(addon.code)
    wanted_families = {book.find_addon(c).family for c in needs.addons}
    call_family = book.calls.family if book.calls else None
    choices: list[list[tuple[str, ...]]] = []
    reasons: list[str] = []
    for limit, need in needs.limits.items():
        top = capability(book, edition, [c for codes in by_family.values() for c in codes], limit)
        if not _at_least(top, need):
            name = next(x.name_en for x in book.limits if x.code == limit)
            reasons.append(f"{edition.code} tops out at {_show(top)} {name}")
    for code in needs.addons:
        if edition.code not in book.find_addon(code).prices and edition.code not in book.find_addon(code).included_in:
            reasons.append(f"{edition.code} cannot buy {code}")
    if any(needs.call_minutes.values()) and call_family not in by_family:
        reasons.append(f"{edition.code} cannot buy a call package")
    for family, codes in by_family.items():
        options: list[tuple[str, ...]] = []
        raised = [lim for lim in needs.limits if any(lim in book.find_addon(c).raises for c in codes)]
        if family in wanted_families:
            options = [(c,) for c in codes]
        elif family == call_family and any(needs.call_minutes.values()):
            options = [(c,) for c in codes]
        elif raised:
            base_ok = all(_at_least(edition.limits.get(lim, 0), needs.limits[lim]) for lim in raised)
            options = ([()] if base_ok else []) + [
                (c,) for c in codes
                if all(_at_least(capability(book, edition, [c], lim), needs.limits[lim]) for lim in raised)]
        else:
            options = [()]
        choices.append(options)
    return choices, reasons


def advise(book: PriceBook, needs: Needs) -> Advice:
    """Every configuration that meets ``needs`` (without add-ons it does not need), cheapest first."""
    _check_needs(book, needs)
    options: list[Option] = []
    refusals: dict[str, str] = {}
    for edition in book.editions:
        choices, reasons = _candidates(book, edition, needs)
        found = []
        if not reasons:
            for combo in itertools.product(*choices):
                addons = tuple(c for part in combo for c in part)
                try:
                    q = build_quote(book, edition.code, needs.peak_dau, needs.peak_groups, addons, 1,
                                    call_minutes=dict(needs.call_minutes) or None)
                except QuoteError as exc:
                    reasons = [str(exc)]
                    continue
                found.append(Option(edition.code, q.addons, q))
        if found:
            options += found
        else:
            refusals[edition.code] = "; ".join(dict.fromkeys(reasons)) or f"{edition.code} cannot meet these needs"
    order = {e.code: i for i, e in enumerate(book.editions)}
    options.sort(key=lambda o: (o.monthly, len(o.addons), order[o.edition], o.addons))
    return Advice(needs, tuple(options), refusals)


def needs_of(book: PriceBook, edition: str, addons: Iterable[str], peak_dau: int = 0, peak_groups: int = 0,
             call_minutes: Mapping[str, int] | None = None) -> Needs:
    """What a configuration provides, as needs: to ask which other configuration does the same."""
    plan = plan_for(book, edition, tuple(addons))
    limits = {x.code: capability(book, plan.edition, plan.addon_codes, x.code) for x in book.limits}
    wanted = tuple(a.code for a in plan.addons if not a.raises and not a.included_minutes)
    minutes = dict(call_minutes or {})
    if not minutes and included_minutes(book, plan):
        minutes = {"audio": included_minutes(book, plan)}  # the package's minutes, used in full
    return Needs(peak_dau, peak_groups, limits, minutes, wanted)


# ------------------------------------------------------------------------------- forecast


@dataclass(frozen=True)
class MonthCost:
    month: int
    peak_dau: int
    peak_groups: int
    prepaid: Decimal
    postpaid: Decimal

    @property
    def total(self) -> Decimal:
        return self.prepaid + self.postpaid


@dataclass(frozen=True)
class Forecast:
    edition: str
    addons: tuple[str, ...]
    months: tuple[MonthCost, ...]
    cheaper: tuple[int, Option] | None  # first month another configuration costs less, and which

    @property
    def prepaid(self) -> Decimal:
        return sum((m.prepaid for m in self.months), ZERO)

    @property
    def postpaid(self) -> Decimal:
        return sum((m.postpaid for m in self.months), ZERO)

    @property
    def total(self) -> Decimal:
        return sum((m.total for m in self.months), ZERO)


MAX_FORECAST_MONTHS = 120  # ten years: a forecast, not a loop that runs for minutes
MAX_GROWTH = Decimal(10)  # +1,000 % a month


def check_forecast_months(months: int, argument: str = "months") -> None:
    if not 1 <= months <= MAX_FORECAST_MONTHS:
        raise QuoteError.of(argument, f"{argument}: a forecast covers 1 to {MAX_FORECAST_MONTHS} months, got {months:,}")


def growth(start_dau: int, start_groups: int, monthly_rate: Decimal, months: int) -> list[tuple[int, int]]:
    """Peaks growing by ``monthly_rate`` (0.10 = 10 %) a month, rounded half up to whole users."""
    check_forecast_months(months)
    if not -1 < monthly_rate <= MAX_GROWTH:
        raise QuoteError.of("growth", f"growth must be above -100 % and at most {MAX_GROWTH * 100:f} % a month, "
                                      f"got {monthly_rate * 100:f} %")
    factor = 1 + Decimal(monthly_rate)
    out = []
    for k in range(months):
        scale = factor ** k
        month = (int((start_dau * scale).to_integral_value(ROUND_HALF_UP)),
                 int((start_groups * scale).to_integral_value(ROUND_HALF_UP)))
        if max(month) > MAX_COUNT:  # never a rounded total: say where the growth leaves what we price
            raise QuoteError.of("growth", f"at {monthly_rate * 100:f} % a month, month {k + 1}'s peak would be above "
                                          f"10^12; forecast fewer months or a lower growth")
        out.append(month)
    return out


def forecast(book: PriceBook, edition: str, addons: Iterable[str], usage: list[tuple[int, int]],
             call_minutes: Mapping[str, int] | None = None) -> Forecast:
    """Each month at its own peaks (prepaid items every month, overage on that month's peak)."""
    if not usage:
        raise QuoteError.of("peak_dau", "a forecast needs at least one month of usage")
    check_forecast_months(len(usage))
    addons = tuple(addons)
    months: list[MonthCost] = []
    cheaper = None
    for k, (dau, groups) in enumerate(usage, start=1):
        q = build_quote(book, edition, dau, groups, addons, 1, call_minutes=dict(call_minutes or {}) or None)
        months.append(MonthCost(k, dau, groups, q.prepaid, q.postpaid))
        if cheaper is None:
            advice = advise(book, needs_of(book, edition, addons, dau, groups, call_minutes))
            if advice.options and advice.best.monthly < q.total:
                cheaper = (k, advice.best)
    plan = plan_for(book, edition, addons)
    return Forecast(plan.edition.code, plan.addon_codes, tuple(months), cheaper)


# ------------------------------------------------------------------------------- break-even


@dataclass(frozen=True)
class BreakEven:
    peak_dau: int | None  # the first peak DAU at which the other configuration is no dearer; None: never
    cheaper_below: str  # the configuration cheaper below that DAU (at 0 DAU)
    difference_at_zero: Decimal  # how much cheaper it is there


def break_even(book: PriceBook, a: tuple[str, tuple[str, ...]], b: tuple[str, tuple[str, ...]],
               peak_groups: int = 0, limit: int = 100_000_000) -> BreakEven:
    """The smallest peak DAU (up to ``limit``) at which the configuration cheaper at 0 DAU stops
    being cheaper. Costs only change where one of them starts a new overage block, so only those
    points are tried."""
    cost_a = lambda dau: quote_total(book, a[0], dau, peak_groups, a[1])  # noqa: E731
    cost_b = lambda dau: quote_total(book, b[0], dau, peak_groups, b[1])  # noqa: E731
    low, high = (a, b) if cost_a(0) <= cost_b(0) else (b, a)
    cost_low, cost_high = (cost_a, cost_b) if low is a else (cost_b, cost_a)
    difference = cost_high(0) - cost_low(0)
    if difference == 0:
        return BreakEven(0, _name(book, low), ZERO)
    points = set()
    for edition, addons in (a, b):
        plan = plan_for(book, edition, addons)
        for over, strategy in plan.overage:
            if over.metric == "peak_dau":
                points.update(range(strategy.free + 1, limit + 1, strategy.block_size))
    for dau in sorted(points):
        if cost_low(dau) >= cost_high(dau):
            return BreakEven(dau, _name(book, low), difference)
    return BreakEven(None, _name(book, low), difference)


def _name(book: PriceBook, config: tuple[str, tuple[str, ...]]) -> str:
    """The configuration as the book names it ("PRO" or 专业版 typed: pro)."""
    edition = resolve_edition(book, config[0]).code
    return f"{edition}: {', '.join(config[1])}" if config[1] else edition

"""The pricing engine: a deal in, a quote with line items out. Pure: no I/O, no Excel.

Inputs are already typed (an edition name, whole counts, add-on codes); turning what a
cell or a command line holds into these is the adapters' job (:mod:`xlpricing.inputs`).
Money is Decimal throughout; a quote's total is the exact sum of its lines.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, Mapping

from . import formatting
from .formatting import CENT
from .charges import CHARGE_MODELS, BlockCharge, BlockNote, Charge, FlatCharge, Note
from .errors import ARGUMENT_ORDER, Problem, QuoteError
from .pricebook import Addon, Edition, Overage, PriceBook

MAX_COUNT = 10**12  # the largest peak or quantity priced: beyond any real app, and exact in a cell

ZERO = Decimal(0)
HUNDRED = Decimal(100)
DISCOUNT = "discount"  # the billing of the discount line: neither prepaid nor postpaid
METRIC_EN = {"peak_dau": "peak DAU", "peak_groups": "peak groups"}
METRIC_ZH = {"peak_dau": "峰值 DAU", "peak_groups": "峰值群组数"}


@dataclass(frozen=True, slots=True)
class LineItem:
    code: str
    label_zh: str
    label_en: str
    billing: str  # "prepaid" | "postpaid" | "discount"
    quantity: int  # 1 for a package or add-on, started blocks for overage
    unit_price: Decimal  # per month
    monthly_amount: Decimal  # quantity × unit_price
    months: int
    amount: Decimal  # monthly_amount × months: what the term costs
    note: Note | BlockNote  # how the amount was reached
    metric: str | None = None  # an overage line: the usage it charges for (peak_dau, peak_groups)

    @property
    def note_en(self) -> str:
        return self.note.en

    @property
    def note_zh(self) -> str:
        return self.note.zh


@dataclass(frozen=True, slots=True)
class Quote:
    price_book_id: str
    price_book_name: str
    currency: str
    edition: str  # edition code
    edition_name_zh: str
    edition_name_en: str
    peak_dau: int
    peak_groups: int
    addons: tuple[str, ...]  # add-on codes, in price-book order
    months: int
    lines: tuple[LineItem, ...]
    discount_percent: Decimal = ZERO

    def _sum(self, attr: str, billing: str | None = None) -> Decimal:
        return sum((getattr(l, attr) for l in self.lines if billing in (None, l.billing)), ZERO)

    @property
    def monthly_prepaid(self) -> Decimal:
        return self._sum("monthly_amount", "prepaid")

    @property
    def monthly_postpaid(self) -> Decimal:
        return self._sum("monthly_amount", "postpaid")

    @property
    def monthly_total(self) -> Decimal:
        return self._sum("monthly_amount")

    @property
    def prepaid(self) -> Decimal:
        return self._sum("amount", "prepaid")

    @property
    def postpaid(self) -> Decimal:
        return self._sum("amount", "postpaid")

    @property
    def total(self) -> Decimal:
        return self._sum("amount")

    @property
    def list_total(self) -> Decimal:
        """The term at list price, before any discount."""
        return self.prepaid + self.postpaid

    @property
    def discount(self) -> Decimal:
        """The discount for the term (zero or negative)."""
        return self._sum("amount", DISCOUNT)

    @property
    def overage(self) -> Decimal:
        """Monthly overage alone (the usage charges of the book's [[overage]], whatever their codes)."""
        return sum((l.monthly_amount for l in self.lines if l.metric is not None), ZERO)


# ------------------------------------------------------------------------------- resolving


def resolve_edition(book: PriceBook, name: object) -> Edition:
    if isinstance(name, str) and name.strip():
        edition = book.find_edition(name)
        if edition is not None:
            return edition
        raise QuoteError(_unknown("edition", "edition", name, book.edition_codes))
    if name is None or isinstance(name, str):
        raise QuoteError.of("edition", f"edition is missing ({', '.join(book.edition_codes)})")
    raise QuoteError.of("edition", f"edition must be a name such as pro, got {name!r}")


def _unknown(argument: str, what: str, value: str, choices: tuple[str, ...]) -> Problem:
    """"unknown add-on 'histroy_90' (did you mean history_90?)", or with the list of choices."""
    near = difflib.get_close_matches(value.strip().casefold(), choices, n=1, cutoff=0.6)
    hint = f" (did you mean {near[0]}?)" if near else f" ({', '.join(choices)})"
    return Problem(argument, f"unknown {what} {value.strip()!r}{hint}")


def join_or(names: Iterable[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def addon_refusal(book: PriceBook, addon: Addon, edition: Edition) -> str | None:
    """Why ``edition`` cannot buy ``addon``, or None when it can."""
    if addon.withdrawn is not None:
        return withdrawn_message(addon)
    if edition.code in addon.included_in:
        return f"{edition.code} already includes {addon.short_en} ({addon.code}), leave it out"
    if edition.code in addon.prices:
        return None
    offered = [e for e in book.edition_codes if e in addon.prices]
    message = f"{addon.code} ({addon.short_en}) needs {join_or(offered)}"
    buyable = [a.code for a in book.addons if edition.code in a.prices]
    if len(buyable) <= 2:  # say it when the edition's menu is that short (trial)
        message += f" ({edition.code} can buy only {join_or(buyable) if buyable else 'no add-ons'})"
    return message


def withdrawn_message(addon: Addon) -> str:
    w = addon.withdrawn
    return f"{addon.code} was withdrawn from sale on {w.on}: {w.en}"


def _unknown_addon(book: PriceBook, code: str) -> Problem:
    """An unknown code: the nearest code on sale is suggested, never a withdrawn one as if it could
    be bought; a near-typo of a withdrawn code ("call_advance") is told that item's withdrawal and
    what to choose instead (a looser likeness would pin call_basic on call_advanced)."""
    wanted = code.strip().casefold()
    renamed = next((a for a in book.addons if wanted in a.formerly), None)
    if renamed is not None:  # an older book's code: say what this book calls it
        return Problem("addons", f"unknown add-on {code.strip()!r}: {book.id} sells it as {renamed.code} "
                                 f"({renamed.short_en}), its code since an earlier book")
    on_sale = tuple(a.code for a in book.addons if a.withdrawn is None)
    gone = {a.code: a for a in book.addons if a.withdrawn is not None}

    def likeness(other: str) -> float:
        return difflib.SequenceMatcher(None, wanted, other).ratio()
    near_gone = max(gone, key=likeness, default=None)
    near_sale = max(on_sale, key=likeness, default=None)
    if near_gone is not None and likeness(near_gone) >= 0.85 and \
            (near_sale is None or likeness(near_gone) > likeness(near_sale)):
        return Problem("addons", f"unknown add-on {code.strip()!r}: {withdrawn_message(gone[near_gone])}")
    return _unknown("addons", "add-on", code, on_sale)


def resolve_addons(book: PriceBook, edition: Edition | None, codes: Iterable[str]) -> tuple[Addon, ...]:
    """The add-ons, checked against the edition (if known), in price-book order. Collects every problem."""
    if isinstance(codes, str):  # iterating a text would price its letters
        raise QuoteError.of("addons", f"addons must be a list of codes, got the text {codes!r}")
    problems: list[Problem] = []
    chosen: dict[str, Addon] = {}
    by_family: dict[str, Addon] = {}
    for code in codes:
        if not isinstance(code, str):
            problems.append(Problem("addons", f"add-on codes are text, got {code!r}"))
            continue
        addon = book.find_addon(code)
        if addon is None and book.addons_unavailable:
            problems.append(Problem("addons", f"{code.strip()}: {book.addons_unavailable} ({book.id})"))
            continue
        if addon is None:
            problems.append(_unknown_addon(book, code))
            continue
        if addon.code in chosen:
            problems.append(Problem("addons", f"{addon.code} is listed twice"))
            continue
        chosen[addon.code] = addon
        twin = by_family.get(addon.family)
        if twin is not None:
            problems.append(Problem(
                "addons",
                f"{twin.code} and {addon.code} are two tiers of {addon.family}, choose one",
            ))
            continue
        by_family[addon.family] = addon
        refusal = addon_refusal(book, addon, edition) if edition is not None else None
        if refusal:
            problems.append(Problem("addons", refusal))
    if problems:
        raise QuoteError(problems)
    order = {a.code: i for i, a in enumerate(book.addons)}
    return tuple(sorted(chosen.values(), key=lambda a: order[a.code]))


def _check_percent(value: object, problems: list[Problem]) -> Decimal:
    """A discount in percent: 0 to 100 with at most two decimals (so the sheet can round in cents)."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        problems.append(Problem("discount", f"discount must be a percentage such as 12.5, got {value!r}"))
        return ZERO
    percent = Decimal(value)
    if not percent.is_finite() or not ZERO <= percent <= HUNDRED or percent != percent.quantize(CENT):
        problems.append(Problem("discount", f"discount must be 0 to 100 percent, at most two decimals, got {value}"))
        return ZERO
    if not percent:
        return ZERO
    shortest = percent.normalize()  # 12.50 → 12.5; but 10 → 1E+1, which is shown back as 10
    return shortest.quantize(1) if shortest.as_tuple().exponent > 0 else shortest


def _check_count(value: object, argument: str, problems: list[Problem]) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(Problem(argument, f"{argument} must be a whole number, got {value!r}"))
    elif value < 0:
        problems.append(Problem(argument, f"{argument} must not be negative, got {value}"))


# ---------------------------------------------------------------------------------- quoting


def _line(code: str, zh: str, en: str, billing: str, charge: Charge, months: int, metric: str | None = None
          ) -> LineItem:
    return LineItem(code, zh, en, billing, charge.quantity, charge.unit_price, charge.amount,
                    months, charge.amount * months, charge.note, metric)


@dataclass(frozen=True, slots=True)
class Plan:
    """An edition and its add-ons, checked: everything about a deal except its usage and term."""

    edition: Edition
    addons: tuple[Addon, ...]
    fixed: tuple[tuple[str, str, str, str, FlatCharge], ...]  # (code, zh, en, billing, charge)
    fixed_monthly: Decimal
    overage: tuple[tuple[Overage, BlockCharge], ...]
    upgrade: str  # what a capped edition's customer should choose instead
    _fixed_lines: dict = field(default_factory=dict, repr=False, compare=False)  # months -> line items
    _by_metric: tuple = field(default=(), repr=False, compare=False)  # (is peak DAU, strategy), for speed
    _addon_codes: tuple = field(default=(), repr=False, compare=False)

    def cap_problems(self, peak_dau: int, peak_groups: int) -> list[Problem]:
        return cap_problems(self.edition, peak_dau, peak_groups, self.upgrade) if self.edition.capped else []

    def monthly_list_total(self, peak_dau: int, peak_groups: int) -> Decimal:
        """What ``lines`` would sum to a month, without building them: the same strategies' amounts."""
        total = self.fixed_monthly
        for is_dau, strategy in self._by_metric:
            total += strategy.amount(peak_dau if is_dau else peak_groups)
        return total

    @property
    def addon_codes(self) -> tuple[str, ...]:
        return self._addon_codes

    def __post_init__(self) -> None:  # derived once, read for every quote
        object.__setattr__(self, "_by_metric", tuple((o.metric == "peak_dau", s) for o, s in self.overage))
        object.__setattr__(self, "_addon_codes", tuple(a.code for a in self.addons))

    def lines(self, peak_dau: int, peak_groups: int, months: int) -> list[LineItem]:
        fixed = self._fixed_lines.get(months)
        if fixed is None:  # the package and add-on lines depend on the term only
            fixed = self._fixed_lines[months] = tuple(
                _line(code, zh, en, billing, charge.charge(), months) for code, zh, en, billing, charge in self.fixed)
        lines = list(fixed)
        for over, strategy in self.overage:
            usage = peak_dau if over.metric == "peak_dau" else peak_groups
            lines.append(_line(over.code, over.name_zh, over.name_en, over.billing, strategy.charge(usage), months,
                               over.metric))
        return lines


def usage_charge(over: Overage, free: int) -> BlockCharge:
    """The strategy the price book names for an [[overage]] entry (its ``model``), at a free quota."""
    return CHARGE_MODELS[over.model].from_overage(over, free, METRIC_EN[over.metric], METRIC_ZH[over.metric])


def overage_strategy(book: PriceBook, metric: str) -> BlockCharge:
    """The charge model the book names for a metric's overage, for a sheet to state its rule in
    formulas (the free quota and block size come from the sheet's cells there, not from here)."""
    over = next((o for o in book.overage if o.metric == metric), None)
    if over is None:  # no edition pays overage on it: the sheet's formulas are switched off anyway
        return BlockCharge(0, 1, ZERO, METRIC_EN[metric], METRIC_ZH[metric], "")
    return usage_charge(over, 0)


def cap_problems(edition: Edition, peak_dau: int, peak_groups: int, upgrade: str) -> list[Problem]:
    """A capped edition (trial) above its caps: a reason to choose another edition, not a price."""
    problems = []
    for metric, value in (("peak_dau", peak_dau), ("peak_groups", peak_groups)):
        cap = edition.free_quota(metric)
        if edition.capped and value > cap:
            problems.append(Problem(metric, (
                f"{edition.code} is capped at {formatting.count(cap)} {METRIC_EN[metric]}: "
                f"{formatting.count(value)} needs {upgrade}")))
    return problems


def upgrade_editions(book: PriceBook) -> str:
    """The editions a capped edition's customer can move to: 'pro or flagship'."""
    return join_or([e.code for e in book.editions if not e.capped])


def _make_plan(book: PriceBook, edition: object, addons: Iterable[str]) -> Plan:
    problems: list[Problem] = []
    try:
        ed = resolve_edition(book, edition)
    except QuoteError as exc:
        problems += exc.problems
        ed = None
    try:
        chosen = resolve_addons(book, ed, addons)
    except QuoteError as exc:
        problems += exc.problems
    if problems:
        raise QuoteError(problems)
    assert ed is not None
    c = formatting.count
    if ed.capped:
        package_en = f"free, capped at {c(ed.free_peak_dau)} peak DAU and {c(ed.free_peak_groups)} peak groups"
        package_zh = f"免费，上限峰值 DAU {c(ed.free_peak_dau)}、峰值群组 {c(ed.free_peak_groups)}"
    else:
        package_en = f"includes {c(ed.free_peak_dau)} peak DAU and {c(ed.free_peak_groups)} peak groups a month"
        package_zh = f"含峰值 DAU {c(ed.free_peak_dau)}、峰值群组 {c(ed.free_peak_groups)}/月"
    fixed = [(ed.code, f"{ed.name_zh}套餐包", f"{ed.name_en} package", ed.billing,
              FlatCharge(ed.monthly_price, package_en, package_zh))]
    for addon in chosen:
        if addon.included_minutes:
            note_en = f"{c(addon.included_minutes)} call minutes a month included"
            note_zh = f"赠送 {c(addon.included_minutes)} 分钟通话时长包/月"
        elif addon.billing == "postpaid":
            note_en, note_zh = "postpaid, each whole month it is on", "后付费，开通当月整月计费"
        else:
            note_en = note_zh = ""
        fixed.append((addon.code, addon.name_zh, addon.name_en, addon.billing,
                      FlatCharge(addon.prices[ed.code], note_en, note_zh)))
    overage = tuple((over, usage_charge(over, ed.free_quota(over.metric))) for over in book.overage_for(ed))
    return Plan(ed, chosen, tuple(fixed), sum((f[4].amount() for f in fixed), ZERO), overage, upgrade_editions(book))


class PlanMemo:
    """Checked plans (and refusals) per price book and (edition, add-ons): the engine's own memo.

    A book never changes, so what was checked stays true; the memo holds the book itself so its
    id is never reused by another object. Bounded, so junk input cannot grow memory without end.
    """

    LIMIT = 4096  # plans per book
    BOOKS = 64

    def __init__(self) -> None:
        self._books: dict[int, tuple[PriceBook, dict]] = {}
        self._last: tuple[PriceBook | None, dict] = (None, {})  # the book of the previous call: a column prices one

    def of(self, book: PriceBook) -> dict:
        last = self._last
        if last[0] is book:
            return last[1]
        entry = self._books.get(id(book))
        if entry is None:
            if len(self._books) >= self.BOOKS:
                self._books.clear()
            entry = self._books[id(book)] = (book, {})
        self._last = entry
        return entry[1]

    def remember(self, book: PriceBook, key: tuple, value: object) -> None:
        plans = self.of(book)
        if len(plans) >= self.LIMIT:
            plans.clear()
        plans[key] = value


PLANS = PlanMemo()


def plan_for(book: PriceBook, edition: object, addons: Iterable[str]) -> Plan:
    """The checked plan for an edition and add-ons; remembered per price book (refusals too)."""
    key = None
    if isinstance(edition, str) and not isinstance(addons, str):
        addons = tuple(addons)
        key = (edition, addons)
        try:
            found = PLANS.of(book).get(key)
        except TypeError:  # something unhashable among the add-ons: resolve_addons will say what
            key = found = None
        if found is not None:
            if isinstance(found, QuoteError):
                raise QuoteError(found.problems)
            return found
    try:
        plan = _make_plan(book, edition, addons)
    except QuoteError as exc:
        if key is not None:
            PLANS.remember(book, key, exc)
        raise
    if key is not None:
        PLANS.remember(book, key, plan)
    return plan


def _discount_cut(monthly_list: Decimal, percent: Decimal) -> Decimal:
    """Monthly list total × percent, rounded half up to the fen."""
    return (monthly_list * percent / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def discount_cut_excel(monthly_list: str, percent: str) -> str:
    """_discount_cut as a spreadsheet formula over cell references. The percent has at most two
    decimals, so it is taken in hundredths (exact in a double); ROUND rounds half away from zero,
    which for these amounts (≥ 0) is half up, as above."""
    return f"ROUND({monthly_list}*ROUND({percent}*100,0)/100,0)/100"


def _check_term(book: PriceBook, peak_dau: object, peak_groups: object, months: object,
                problems: list[Problem]) -> None:
    _check_count(peak_dau, "peak_dau", problems)
    _check_count(peak_groups, "peak_groups", problems)
    if isinstance(months, bool) or not isinstance(months, int):
        problems.append(Problem("months", f"months must be a whole number, got {months!r}"))
    elif not book.min_months <= months <= book.max_months:
        problems.append(Problem(
            "months", f"months must be {book.min_months} to {book.max_months} (whole months), got {months}"))


def build_quote(
    book: PriceBook,
    edition: str,
    peak_dau: int = 0,
    peak_groups: int = 0,
    addons: Iterable[str] = (),
    months: int = 1,
    discount_percent: Decimal | int = 0,
    call_minutes: Mapping[str, int] | None = None,
) -> Quote:
    """Price one deal: ``months`` × the monthly amount at this peak usage.

    ``call_minutes`` ({"audio": 200000, "hd": 10000}) are the month's call minutes by kind: those
    beyond the call package's included minutes (drawn at the price book's weights) become a
    postpaid line at the TRTC rate, exact to the tenth of a fen.

    ``discount_percent`` (0–100, at most two decimals) adds a discount line below the list
    prices: the monthly list total × percent, rounded half up to the fen, times the months.

    Raises :class:`QuoteError` listing every problem (unknown edition, a count that is not a
    whole number ≥ 0, a trial above its caps, add-ons the edition cannot buy or already has).
    """
    problems: list[Problem] = []
    try:
        plan = plan_for(book, edition, addons)
    except QuoteError as exc:
        problems += exc.problems
        plan = None
    _check_term(book, peak_dau, peak_groups, months, problems)
    percent = _check_percent(discount_percent, problems) if discount_percent else ZERO
    minutes = _check_minutes(book, plan, call_minutes, problems) if call_minutes else {}
    # caps are reported even when the add-ons are wrong too, but not on counts that are not counts
    ed = plan.edition if plan is not None else (book.find_edition(edition) if isinstance(edition, str) else None)
    if ed is not None and ed.capped and not any(p.argument in ("peak_dau", "peak_groups") for p in problems):
        problems += cap_problems(ed, peak_dau, peak_groups, upgrade_editions(book))
    if problems:
        raise QuoteError(sorted(problems, key=lambda p: ARGUMENT_ORDER.index(p.argument)))
    assert plan is not None

    lines = plan.lines(peak_dau, peak_groups, months)
    if minutes:
        lines.append(_call_line(book, plan, minutes, months))
    if percent:
        monthly_list = sum((l.monthly_amount for l in lines), ZERO)
        cut = _discount_cut(monthly_list, percent)
        shown = formatting.percent(percent)
        lines.append(LineItem(
            DISCOUNT, f"折扣 {shown}%", f"Discount {shown}%", DISCOUNT, 1, -cut, -cut, months, -cut * months,
            Note(f"{shown}% off the list price of {formatting.amount(monthly_list)} a month",
                 f"按每月标准价 {formatting.amount(monthly_list)} 优惠 {shown}%")))
    ed = plan.edition
    return Quote(book.id, book.name_en, book.currency, ed.code, ed.name_zh, ed.name_en, peak_dau, peak_groups,
                 plan.addon_codes, months, tuple(lines), percent)


def included_minutes(book: PriceBook, plan: Plan) -> int:
    """Call minutes a month the plan's call package includes (audio-equivalent)."""
    family = book.calls.family if book.calls else None
    return sum(a.included_minutes or 0 for a in plan.addons if a.family == family)


def _check_minutes(book: PriceBook, plan: Plan | None, call_minutes: Mapping[str, int],
                   problems: list[Problem]) -> dict[str, int]:
    rates = book.calls
    if rates is None:
        problems.append(Problem("call_minutes", f"price book {book.id} has no call-minute rates"))
        return {}
    minutes = {}
    for kind, value in call_minutes.items():
        if kind not in rates.weights:
            problems.append(Problem("call_minutes", f"unknown call kind {kind!r} ({', '.join(rates.weights)})"))
        elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
            problems.append(Problem("call_minutes", f"{kind} minutes must be a whole number ≥ 0, got {value!r}"))
        elif value:
            minutes[kind] = value
    if minutes and plan is not None and not any(a.family == rates.family for a in plan.addons):
        offered = [a.code for a in book.addons if a.family == rates.family and plan.edition.code in a.prices]
        need = f"a call package ({join_or(offered)})" if offered else "a call package, which this edition cannot buy"
        problems.append(Problem("call_minutes", f"call minutes need {need}"))
    return minutes


def _call_line(book: PriceBook, plan: Plan, minutes: dict[str, int], months: int) -> LineItem:
    rates = book.calls
    used = sum(rates.weights[kind] * n for kind, n in minutes.items())
    included = included_minutes(book, plan)
    excess = max(0, used - included)
    unit = rates.per_1000_equivalent / 1000
    monthly = unit * excess  # exact: TRTC prices per minute
    mix = " + ".join(f"{n:,} {kind}" for kind, n in minutes.items())
    note = Note(f"{mix} = {used:,} audio-equivalent − {included:,} included = {excess:,} minutes",
                f"{mix} = 折合 {used:,} 分钟 − 时长包 {included:,} = {excess:,} 分钟")
    return LineItem(rates.code, rates.name_zh, rates.name_en, rates.billing, excess, unit, monthly, months,
                    monthly * months, note)


def quote_total(
    book: PriceBook,
    edition: str,
    peak_dau: int = 0,
    peak_groups: int = 0,
    addons: Iterable[str] = (),
    months: int = 1,
    discount_percent: Decimal | int = 0,
) -> Decimal:
    """``build_quote(...).total`` without building the line items (the =IMQUOTE path).

    Same rules, same errors: anything unusual goes through build_quote, which raises them all.
    """
    terms = _terms(book, edition, addons, months, discount_percent)
    if terms is not None:
        total = _usage_total(terms, peak_dau, peak_groups)
        if total is not None:
            return total
    return build_quote(book, edition, peak_dau, peak_groups, addons, months, discount_percent).total


def quote_totals(book: PriceBook, deals: Iterable[tuple]) -> list[Decimal | QuoteError]:
    """quote_total for many deals (edition, peak_dau, peak_groups, addons, months, discount_percent)
    at once, for the array form of =IMQUOTE: the edition, add-ons and term are checked once per
    distinct combination, then each deal costs only its usage. A refused deal gives its QuoteError."""
    memo: dict = {}
    out: list[Decimal | QuoteError] = []
    for edition, peak_dau, peak_groups, addons, months, discount in deals:
        key = (edition, addons, months, discount)
        try:
            terms = memo.get(key, memo)
            if terms is memo:
                terms = memo[key] = _terms(book, edition, addons, months, discount)
        except TypeError:  # unhashable arguments: no shortcut
            terms = None
        total = _usage_total(terms, peak_dau, peak_groups) if terms is not None else None
        if total is None:
            try:
                total = build_quote(book, edition, peak_dau, peak_groups, addons, months, discount).total
            except QuoteError as exc:
                total = exc
        out.append(total)
    return out


def _terms(book: PriceBook, edition: object, addons: Iterable[str], months: object,
           discount_percent: object) -> tuple[Plan, int, Decimal] | None:
    """(plan, months, percent) when all three are valid; None sends the caller the slow way."""
    try:
        plan = plan_for(book, edition, addons)
    except QuoteError:
        return None
    if type(months) is not int or not book.min_months <= months <= book.max_months:
        return None
    if not discount_percent:
        return plan, months, ZERO
    percent = _check_percent(discount_percent, problems := [])
    return None if problems else (plan, months, percent)


def _usage_total(terms: tuple[Plan, int, Decimal], peak_dau: object, peak_groups: object) -> Decimal | None:
    """The term total at this usage, or None when the usage needs the full checks."""
    plan, months, percent = terms
    if type(peak_dau) is not int or type(peak_groups) is not int or peak_dau < 0 or peak_groups < 0:
        return None
    if plan.edition.capped and plan.cap_problems(peak_dau, peak_groups):
        return None
    monthly = plan.monthly_list_total(peak_dau, peak_groups)
    if percent:
        monthly -= _discount_cut(monthly, percent)
    return monthly * months


@dataclass(frozen=True, slots=True)
class TaxSplit:
    """价税合计 = 不含税金额 + 税额, for prices that include tax."""

    gross: Decimal  # 价税合计, the total charged
    net: Decimal  # 不含税金额: gross ÷ (1 + rate), rounded half up to the fen
    tax: Decimal  # 税额: the difference, so the three always add up
    rate: Decimal


def tax_split(book: PriceBook, total: Decimal) -> TaxSplit | None:
    """The tax inside ``total`` (after any discount); None where tax is added on top (overseas)."""
    tax = book.tax
    if not tax.included or tax.rate is None:
        return None
    net = (total / (1 + tax.rate)).quantize(CENT, rounding=ROUND_HALF_UP)
    return TaxSplit(total, net, total - net, tax.rate)


def tax_split_excel(book: PriceBook, total: str, net: str) -> tuple[str, str] | None:
    """tax_split as two formulas (the net amount, then the tax from the net's cell ``net``) over a
    total's cell; None where tax is added on top. ROUND to 2 places is the fen, half up (≥ 0)."""
    tax = book.tax
    if not tax.included or tax.rate is None:
        return None
    return f"ROUND({total}/(1+{tax.rate:f}),2)", f"ROUND({total}-{net},2)"


def tax_statement(book: PriceBook) -> tuple[str, str]:
    """(zh, en): how tax relates to this book's prices, for a proposal or a terminal."""
    tax = book.tax
    if tax.included and tax.rate is not None:
        shown = formatting.percent(tax.rate * 100)
        return (f"以上价格为含税价（{tax.name_zh} {shown}%）。", f"Prices include {shown}% {tax.name_en}.")
    return (f"以上价格不含{tax.name_zh}，{tax.name_zh}按客户所在国家或地区的税率另行计算。",
            f"Prices exclude {tax.name_en}; {tax.name_en} is added at the rate of the customer's country.")


@dataclass(frozen=True, slots=True)
class ListPrice:
    code: str
    price: Decimal
    unit_en: str  # "per month", "per 10,000 DAU per month"


def list_price(book: PriceBook, code: str, edition: str | None = None) -> ListPrice:
    """The list price of one item: an edition's package, an overage block, or an add-on."""
    if code is None or (isinstance(code, str) and not code.strip()):
        raise QuoteError.of("code", "code is missing (an edition such as pro, or an add-on such as history_90)")
    if not isinstance(code, str):
        raise QuoteError.of("code", f"code must be text such as pro or history_90, got {code!r}")
    ed = book.find_edition(code)
    if ed is not None:
        return ListPrice(ed.code, ed.monthly_price, "per month")
    on = resolve_edition(book, edition) if edition not in (None, "") else None
    over = next((o for o in book.overage if o.code == code.strip().casefold()), None)
    if over is not None:
        if on is not None and on.code not in over.editions:
            raise QuoteError.of("edition", f"{on.code} has no {over.code}, it is capped")
        return ListPrice(over.code, over.block_price, f"per {over.unit_en} per month")
    addon = book.find_addon(code)
    if addon is None:
        every = book.edition_codes + tuple(o.code for o in book.overage) + book.addon_codes
        problem = _unknown("code", "code", code, every)
        if book.addons_unavailable:
            problem = Problem("code", f"{problem.message}; add-ons: {book.addons_unavailable}")
        raise QuoteError(problem)
    if addon.withdrawn is not None:
        raise QuoteError.of("code", withdrawn_message(addon))
    if on is None:
        prices = set(addon.prices.values())
        if len(prices) == 1:
            return ListPrice(addon.code, prices.pop(), "per month")
        each = ", ".join(f"{e} {formatting.amount(p)}" for e, p in addon.prices.items())
        raise QuoteError.of("edition", f"the price of {addon.code} depends on the edition ({each}), name one")
    refusal = addon_refusal(book, addon, on)
    if refusal:
        raise QuoteError.of("edition", refusal)
    return ListPrice(addon.code, addon.prices[on.code], "per month")

"""The pricing engine: a deal in, a quote with line items out. Pure: no I/O, no Excel.

Inputs are already typed (an edition name, whole counts, add-on codes); turning what a
cell or a command line holds into these is the adapters' job (:mod:`xlpricing.inputs`).
Money is Decimal throughout; a quote's total is the exact sum of its lines.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable

from . import formatting
from .formatting import CENT
from .charges import BlockCharge, Charge, FlatCharge
from .errors import ARGUMENT_ORDER, Problem, QuoteError
from .pricebook import Addon, Edition, PriceBook

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
    note_en: str
    note_zh: str


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
        """Monthly overage alone (the postpaid DAU and group charges)."""
        return sum((l.monthly_amount for l in self.lines if l.code.startswith("overage")), ZERO)


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


def _join_or(names: Iterable[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def addon_refusal(book: PriceBook, addon: Addon, edition: Edition) -> str | None:
    """Why ``edition`` cannot buy ``addon``, or None when it can."""
    if edition.code in addon.included_in:
        return f"{edition.code} already includes {addon.short_en} ({addon.code}), leave it out"
    if edition.code in addon.prices:
        return None
    offered = [e for e in book.edition_codes if e in addon.prices]
    message = f"{addon.code} ({addon.short_en}) needs {_join_or(offered)}"
    buyable = [a.code for a in book.addons if edition.code in a.prices]
    if len(buyable) <= 2:  # say it when the edition's menu is that short (trial)
        message += f" ({edition.code} can buy only {_join_or(buyable) if buyable else 'no add-ons'})"
    return message


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
        if addon is None:
            problems.append(_unknown("addons", "add-on", code, book.addon_codes))
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
    return percent.normalize() if percent else ZERO


def _check_count(value: object, argument: str, problems: list[Problem]) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(Problem(argument, f"{argument} must be a whole number, got {value!r}"))
    elif value < 0:
        problems.append(Problem(argument, f"{argument} must not be negative, got {value}"))


# ---------------------------------------------------------------------------------- quoting


def _line(code: str, zh: str, en: str, billing: str, charge: Charge, months: int) -> LineItem:
    return LineItem(code, zh, en, billing, charge.quantity, charge.unit_price, charge.amount,
                    months, charge.amount * months, charge.note_en, charge.note_zh)


def build_quote(
    book: PriceBook,
    edition: str,
    peak_dau: int = 0,
    peak_groups: int = 0,
    addons: Iterable[str] = (),
    months: int = 1,
    discount_percent: Decimal | int = 0,
) -> Quote:
    """Price one deal: ``months`` × the monthly amount at this peak usage.

    ``discount_percent`` (0–100, at most two decimals) adds a discount line below the list
    prices: the monthly list total × percent, rounded half up to the fen, times the months.

    Raises :class:`QuoteError` listing every problem (unknown edition, a count that is not a
    whole number ≥ 0, a trial above its caps, add-ons the edition cannot buy or already has).
    """
    problems: list[Problem] = []
    try:
        ed = resolve_edition(book, edition)
    except QuoteError as exc:
        problems += exc.problems
        ed = None
    _check_count(peak_dau, "peak_dau", problems)
    _check_count(peak_groups, "peak_groups", problems)
    if isinstance(months, bool) or not isinstance(months, int):
        problems.append(Problem("months", f"months must be a whole number, got {months!r}"))
    elif not book.min_months <= months <= book.max_months:
        problems.append(Problem(
            "months", f"months must be {book.min_months} to {book.max_months} (whole months), got {months}"))
    percent = _check_percent(discount_percent, problems)
    chosen: tuple[Addon, ...] = ()
    if ed is not None:
        if ed.capped:
            upgrade = _join_or([e.code for e in book.editions if not e.capped])
            for metric, value in (("peak_dau", peak_dau), ("peak_groups", peak_groups)):
                cap = ed.free_quota(metric)
                if isinstance(value, int) and not isinstance(value, bool) and value > cap:
                    problems.append(Problem(metric, (
                        f"{ed.code} is capped at {formatting.count(cap)} {METRIC_EN[metric]}: "
                        f"{formatting.count(value)} needs {upgrade}")))
    try:
        chosen = resolve_addons(book, ed, addons)
    except QuoteError as exc:
        problems += exc.problems
    if problems:
        raise QuoteError(sorted(problems, key=lambda p: ARGUMENT_ORDER.index(p.argument)))
    assert ed is not None

    if ed.capped:
        package_en = (f"free, capped at {formatting.count(ed.free_peak_dau)} peak DAU and "
                      f"{formatting.count(ed.free_peak_groups)} peak groups")
        package_zh = f"免费，上限峰值 DAU {formatting.count(ed.free_peak_dau)}、峰值群组 {formatting.count(ed.free_peak_groups)}"
    else:
        package_en = (f"includes {formatting.count(ed.free_peak_dau)} peak DAU and "
                      f"{formatting.count(ed.free_peak_groups)} peak groups a month")
        package_zh = f"含峰值 DAU {formatting.count(ed.free_peak_dau)}、峰值群组 {formatting.count(ed.free_peak_groups)}/月"
    lines = [_line(ed.code, f"{ed.name_zh}套餐包", f"{ed.name_en} package", ed.billing,
                   FlatCharge(ed.monthly_price, package_en, package_zh).charge(), months)]
    for addon in chosen:
        if addon.included_minutes:
            note_en = f"{formatting.count(addon.included_minutes)} call minutes a month included"
            note_zh = f"赠送 {formatting.count(addon.included_minutes)} 分钟通话时长包/月"
        elif addon.billing == "postpaid":
            note_en, note_zh = "postpaid, each whole month it is on", "后付费，开通当月整月计费"
        else:
            note_en = note_zh = ""
        lines.append(_line(addon.code, addon.name_zh, addon.name_en, addon.billing,
                           FlatCharge(addon.prices[ed.code], note_en, note_zh).charge(), months))
    usage = {"peak_dau": peak_dau, "peak_groups": peak_groups}
    for over in book.overage_for(ed):
        strategy = BlockCharge(ed.free_quota(over.metric), over.block_size, over.block_price,
                               METRIC_EN[over.metric], METRIC_ZH[over.metric], over.unit_zh)
        lines.append(_line(over.code, over.name_zh, over.name_en, over.billing,
                           strategy.charge(usage[over.metric]), months))
    if percent:
        monthly_list = sum((l.monthly_amount for l in lines), ZERO)
        cut = (monthly_list * percent / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
        shown = formatting.percent(percent)
        lines.append(LineItem(
            DISCOUNT, f"折扣 {shown}%", f"Discount {shown}%", DISCOUNT, 1, -cut, -cut, months, -cut * months,
            f"{shown}% off the list price of {formatting.amount(monthly_list)} a month",
            f"按每月标准价 {formatting.amount(monthly_list)} 优惠 {shown}%"))
    return Quote(
        price_book_id=book.id,
        price_book_name=book.name_en,
        currency=book.currency,
        edition=ed.code,
        edition_name_zh=ed.name_zh,
        edition_name_en=ed.name_en,
        peak_dau=peak_dau,
        peak_groups=peak_groups,
        addons=tuple(a.code for a in chosen),
        months=months,
        lines=tuple(lines),
        discount_percent=percent,
    )


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
        raise QuoteError(_unknown("code", "code", code, every))
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

"""Loose inputs from cells and command lines, turned into what the engine takes.

One set of rules for every adapter (Excel functions, CLI, CSV batch), documented in the README:

======================  =================================================================
blank / None / ""       the argument's default (0 for counts, 1 for months)
35000.0, Decimal(35000) 35000: Excel sends every number as a float, currency cells as Decimal
" 35,000 " (text)       35000: digits with optional thousands commas and spaces around
"35000.0", "3.5E+04"    35000: a whole value as a CRM or a program writes a number as text
35000.5, "3.5", "1e-1"  error: a peak or a month count is a whole number; we never round it
"35.000", "1.000"       error: a European thousands mark or a decimal? never guessed
-1                      error: counts are never negative
NaN, ±inf               error
TRUE / FALSE            error: a bool is not a count (Excel would otherwise read TRUE as 1)
above 10^12             error: beyond any real app, and keeps every total exact in a cell
"+-5", "+ 5", "5-"      error: one optional sign, right before the digits
#N/A, #VALUE!, …        error naming the argument and the error: an error cell is never blank
======================  =================================================================

Error cells reach Python as their text ("#N/A") because every Excel function asks xlwings for
``err_to_str``; a CSV exported from a sheet holds the same texts. Either way they are refused.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from decimal import Decimal
from typing import Any, Callable

from .engine import MAX_COUNT, Quote, build_quote
from .errors import ARGUMENT_ORDER, Problem, QuoteError
from .pricebook import PriceBook

_NUMBER = re.compile(r"([+-]?)(\d{1,3}(?:,\d{3})+|\d+)")
# A whole value written with a fraction or an exponent: 35000.0, 35,000.00, 3.5E+04.
_WRITTEN_NUMBER = re.compile(r"([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:[eE]([+-]?\d{1,6}))?")
# What Excel shows for a cell holding an error (and what xlwings hands over with err_to_str).
EXCEL_ERRORS = frozenset({
    "#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA", "#SPILL!",
    "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#PYTHON!", "#EXTERNAL!",
})
# Separators people type between codes: comma (also full-width), semicolon, 、, whitespace.
_ADDON_SEPARATORS = re.compile(r"[\s,;，；、]+")


def refuse_error_cell(value: Any, argument: str) -> None:
    """An error cell (#N/A from a failed lookup, #VALUE!, …) is never a blank or a zero."""
    if type(value) is str and value.strip().upper() in EXCEL_ERRORS:
        raise QuoteError.of(argument, f"{argument} is the error {value.strip().upper()}: fix the cell it comes from")


def _too_large(argument: str, number: Any = None) -> QuoteError:
    shown = f", got {number:,}" if number is not None and abs(number) < 10**30 else ""  # not 5,000 digits
    return QuoteError.of(argument, f"{argument} above 10^12 is not supported{shown}")


def whole_number(value: Any, argument: str, default: int = 0) -> int:
    """A count from whatever a cell or a command line holds; see the module table."""
    kind = type(value)
    if kind is float and value.is_integer() and 0 <= value <= MAX_COUNT:  # what Excel sends, fast
        return int(value)
    if kind is int and 0 <= value <= MAX_COUNT:
        return value
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if isinstance(value, bool):
        raise QuoteError.of(argument, f"{argument} must be a number, got {'TRUE' if value else 'FALSE'}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise QuoteError.of(argument, f"{argument} must be a whole number, got {value!r}")
        number = int(value)
    elif isinstance(value, Decimal):
        if not value.is_finite() or value != value.to_integral_value():
            raise QuoteError.of(argument, f"{argument} must be a whole number, got {value}")
        number = int(value)
    elif isinstance(value, str):
        refuse_error_cell(value, argument)
        match = _NUMBER.fullmatch(value.strip())
        if match is None:
            number = _written_whole(value, argument)
        else:
            digits = match.group(2).replace(",", "")
            if len(digits.lstrip("0")) > 13:  # checked before int(): Python refuses 4,300+ digit texts
                raise _too_large(argument)
            number = int(digits) * (-1 if match.group(1) == "-" else 1)
    else:
        raise QuoteError.of(argument, f"{argument} must be a number, got {type(value).__name__}")
    if number < 0:
        raise QuoteError.of(argument, f"{argument} must not be negative, got {number if number > -10**30 else '-…'}")
    if number > MAX_COUNT:
        raise _too_large(argument, number)
    return number


def _written_whole(value: str, argument: str) -> int:
    """A count written as a whole value with a fraction or an exponent (35000.0, 3.5E+04), as CRM
    exports and programs write numbers. 1.000 or 35.000 (three digits after a dot, no comma
    before it) stays an error: it may be a European thousands mark, and we never guess."""
    text = value.strip()
    match = _WRITTEN_NUMBER.fullmatch(text)
    if match is None or (match.group(4) is None and "," not in match.group(2) and len(match.group(2)) <= 3
                         and match.group(3) is not None and len(match.group(3)) == 3):
        raise QuoteError.of(argument, f"{argument} must be a whole number, got {_shown(value)}")
    written = Decimal(match.group(2).replace(",", "") + "." + (match.group(3) or "0") + "e" + (match.group(4) or "0"))
    if written and written.adjusted() > 12:  # checked before int(): 1e999999 has a million digits
        raise _too_large(argument)
    if written != written.to_integral_value():
        raise QuoteError.of(argument, f"{argument} must be a whole number, got {_shown(value)}")
    return int(written) * (-1 if match.group(1) == "-" else 1)


def _shown(text: str, limit: int = 40) -> str:
    """Free text quoted in a message, cut so a cell or a terminal line stays readable."""
    text = text.strip()
    return repr(text if len(text) <= limit else text[:limit] + "…")


_ZERO = Decimal(0)


EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug is before March 1900)
DATE_SERIALS = (36_526, 73_050)  # 2000-01-01 to 2099-12-31: a date cell as Lite (and a bare serial) hands it over
_DATE_TEXT = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})")  # 2026-11-20, or 2026/11/20 as a CRM writes it


def day(value: Any, argument: str, what: str = "a date such as 2024-06-01") -> dt.date | None:
    """A day, from a cell or a command line: a date or datetime (a date cell), a date serial (what
    Lite and a bare number send; with a time of day, as NOW() gives, it is that day), or text
    YYYY-MM-DD (or YYYY/MM/DD). None for text not written as a date (a book id, say); a date written but
    impossible (2023-02-30) is refused as such. One parser for --as-of, quote --date and cells."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not (math.isfinite(value) and DATE_SERIALS[0] <= value < DATE_SERIALS[1] + 1):
            raise QuoteError.of(argument, f"{argument} must be {what}, got {value!r}")
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    if isinstance(value, str):
        refuse_error_cell(value, argument)
        written = _DATE_TEXT.fullmatch(value.strip())
        if written is None:
            return None
        try:
            return dt.date(*map(int, written.group(1, 3, 4)))
        except ValueError:
            raise QuoteError.of(argument, f"{argument}: {value.strip()} is not a date") from None
    raise QuoteError.of(argument, f"{argument} must be {what}, got {type(value).__name__}")


def percent(value: Any, argument: str = "discount", signed: bool = False) -> Decimal:
    """A percentage: 12.5, "12.5", "12.5%" or Decimal("12.5"); blank is 0. ``signed``: a minus sign
    is allowed too (a shrinking customer's growth). The engine checks the range."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return _ZERO
    if isinstance(value, bool):
        raise QuoteError.of(argument, f"{argument} must be a percentage such as 12.5, got {'TRUE' if value else 'FALSE'}")
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise QuoteError.of(argument, f"{argument} must be a percentage such as 12.5, got {value!r}")
        return Decimal(repr(value))  # the shortest decimal that is this float: 12.5, not 12.4999…
    if isinstance(value, str):
        refuse_error_cell(value, argument)
        text = value.strip().removesuffix("%").strip()
        if re.fullmatch(r"[+-]?\d{1,20}(\.\d{1,20})?" if signed else r"\d{1,20}(\.\d{1,20})?", text):
            return Decimal(text)
        raise QuoteError.of(argument, f"{argument} must be a percentage such as 12.5, got {_shown(value)}")
    raise QuoteError.of(argument, f"{argument} must be a percentage such as 12.5, got {type(value).__name__}")


def edition_name(value: Any, argument: str = "edition") -> Any:
    """Text is trimmed; anything else goes to the engine, which says why it is not an edition."""
    if isinstance(value, str):
        refuse_error_cell(value, argument)
        return value.strip()
    return value


@functools.lru_cache(maxsize=1024)
def _split_codes(text: str) -> tuple[str, ...]:
    return tuple(c for c in _ADDON_SEPARATORS.split(text) if c)


def addon_codes(value: Any, argument: str = "addons") -> tuple[str, ...]:
    """Add-on codes from a text ("history_90, moderation") or a range of cells (blanks ignored);
    ``argument`` names the argument in a message (IMBREAKEVEN has two)."""
    if value is None:
        return ()
    if isinstance(value, str):
        refuse_error_cell(value, argument)
        return _split_codes(value)  # a column of scenarios repeats the same text
    if isinstance(value, (list, tuple)):
        if len(value) == 1 and type(value[0]) is str:  # one cell of a row: the array form's usual case
            refuse_error_cell(value[0], argument)
            return _split_codes(value[0])
        codes: list[str] = []
        for item in value:
            codes.extend(addon_codes(item, argument))
        return tuple(codes)
    shown = repr(value) if not isinstance(value, int) or abs(value) < 10**30 else "a number"
    raise QuoteError.of(argument, f"{argument} must be add-on codes such as history_90, got {shown}")



def price_deal(book: PriceBook, edition: Any, peak_dau: Any, peak_groups: Any, addons: Any, months: Any,
               discount: Any = None, engine: Callable[..., Any] = build_quote) -> Any:
    """Price a deal given as cells or command-line text, reporting every bad argument together.

    ``engine`` is build_quote (a Quote) or quote_total (just the total, faster).
    """
    try:  # the common case, without collecting
        return engine(book, edition_name(edition), whole_number(peak_dau, "peak_dau"),
                      whole_number(peak_groups, "peak_groups"), addon_codes(addons),
                      whole_number(months, "months", default=1), percent(discount))
    except QuoteError as exc:
        first = exc
    problems = []
    values: dict[str, Any] = {}
    for name, convert, stand_in in (
        ("edition", lambda: edition_name(edition), ""),
        ("peak_dau", lambda: whole_number(peak_dau, "peak_dau"), 0),
        ("peak_groups", lambda: whole_number(peak_groups, "peak_groups"), 0),
        ("addons", lambda: addon_codes(addons), ()),
        ("months", lambda: whole_number(months, "months", default=1), 1),
        ("discount_percent", lambda: percent(discount), Decimal(0)),
    ):
        try:
            values[name] = convert()
        except QuoteError as exc:
            problems += exc.problems
            values[name] = stand_in  # so the engine still checks the other arguments
    try:  # only for the problems of the other arguments
        engine(book, *(values[k] for k in ("edition", "peak_dau", "peak_groups", "addons", "months",
                                           "discount_percent")))
    except QuoteError as exc:
        failed = {p.argument for p in problems}  # a stand-in's own complaint would repeat the first
        problems += [p for p in exc.problems if p.argument not in failed]
    if not problems:  # only the engine's own arguments (call minutes …) were wrong
        raise first
    raise QuoteError(sorted(problems, key=lambda p: ARGUMENT_ORDER.index(p.argument)))


MAX_OPTIONS = 3  # options side by side on one proposal
PROPOSAL_LANGS = ("zh", "en", "both")  # the languages a proposal is written in


def option_parts(text: str) -> tuple[str, str]:
    """'pro:history_90,moderation' → ('pro', 'history_90,moderation'); 'flagship' → ('flagship', '')."""
    edition, _, addons = text.partition(":")
    return edition.strip(), addons


def price_options(book: PriceBook, options: list[tuple[Any, Any]], peak_dau: Any, peak_groups: Any, months: Any,
                  discount: Any = None) -> list[Quote]:
    """Each option (edition, add-ons) priced with the shared usage, term and discount. Every problem of
    every option is reported at once; one of a shared argument once, not once per option."""
    if not 1 <= len(options) <= MAX_OPTIONS:
        raise QuoteError.of("edition", f"a proposal has 1 to {MAX_OPTIONS} options, got {len(options)}")
    quotes, found = [], []
    for edition, addons in options:
        try:
            quotes.append(price_deal(book, edition, peak_dau, peak_groups, addons, months, discount))
            found.append([])
        except QuoteError as exc:
            found.append(exc.problems)
    # a problem every option has (a bad month count) is said once; one that depends on the option
    # (trial above its cap, an add-on it cannot buy) names its option
    everywhere = set.intersection(*({p.message for p in f} for f in found)) if len(options) > 1 else set()
    problems: list[Problem] = []
    for k, option_problems in enumerate(found, start=1):
        for p in option_problems:
            message = p.message if p.message in everywhere or len(options) == 1 else f"option {k}: {p.message}"
            if all(q.message != message for q in problems):
                problems.append(Problem(p.argument, message))
    if not problems:  # the same option twice is a mistake, not a choice for the customer
        seen: dict[tuple, int] = {}
        for k, q in enumerate(quotes, start=1):
            first = seen.setdefault((q.edition, tuple(sorted(q.addons))), k)
            if first != k:
                what = q.edition + (f": {', '.join(q.addons)}" if q.addons else "")
                problems.append(Problem("edition", f"option {k} is the same as option {first} ({what})"))
    if problems:
        raise QuoteError(problems)
    return quotes


NEED_ALIASES = {
    "members": "members_per_group", "members_per_group": "members_per_group",
    "groups_per_user": "groups_per_user", "groups_joined": "groups_per_user",
    "live_groups": "live_groups", "avchatroom_groups": "live_groups",
    "history": "history_days", "history_days": "history_days",
}
CALL_ALIASES = {"call_minutes": "audio", "audio": "audio", "audio_minutes": "audio", "sd": "sd",
                "sd_minutes": "sd", "hd": "hd", "hd_minutes": "hd", "fhd": "fhd", "fhd_minutes": "fhd"}
_YES, _NO = {"", "yes", "y", "true", "1", "是"}, {"no", "n", "false", "0", "否"}


def needs_from(value: Any, peak_dau: Any = 0, peak_groups: Any = 0):
    """Needs from a text ("members=3000, history=90, call_minutes=200000, moderation") or a
    two-column range of name/value pairs; see the README for the names."""
    from .advisor import Needs

    pairs: list[tuple[str, Any]] = []
    while isinstance(value, (list, tuple)) and len(value) == 1 and (
            not isinstance(value[0], (list, tuple)) or len(value[0]) == 1):
        value = value[0]  # one cell (Excel hands it over as [[text]]): the text form
    if value is None or (isinstance(value, str) and not value.strip()):
        pass
    elif isinstance(value, str):
        refuse_error_cell(value, "needs")
        for part in re.split(r"[,;，；\n]+", value):
            if part.strip():
                name, _, amount = part.partition("=")
                pairs.append((name.strip(), amount.strip()))
    elif isinstance(value, (list, tuple)):
        for row in value:
            cells = list(row) if isinstance(row, (list, tuple)) else [row]
            for cell in cells:
                refuse_error_cell(cell, "needs")
            if not cells or cells[0] in (None, ""):
                continue
            if not isinstance(cells[0], str):
                raise QuoteError.of("needs", f"needs: a name such as members is expected, got {cells[0]!r}")
            pairs.append((cells[0].strip(), cells[1] if len(cells) > 1 else ""))
    else:
        raise QuoteError.of("needs", f"needs must be a text such as 'members=3000, history=90' or a range, got {value!r}")
    limits: dict[str, int | None] = {}
    minutes: dict[str, int] = {}
    flags: list[str] = []
    problems = []
    for name, amount in pairs:
        key = name.casefold().replace(" ", "_")
        try:
            if key in NEED_ALIASES:
                if isinstance(amount, str) and amount.strip().casefold() == "unlimited":
                    limits[NEED_ALIASES[key]] = None
                else:
                    limits[NEED_ALIASES[key]] = whole_number(amount, name)
            elif key in CALL_ALIASES:
                minutes[CALL_ALIASES[key]] = minutes.get(CALL_ALIASES[key], 0) + whole_number(amount, name)
            else:
                answer = str(amount).strip().casefold() if amount is not None else ""
                if answer in _NO:
                    continue
                if answer not in _YES:
                    raise QuoteError.of("needs", f"{name} is a yes/no need, got {amount!r}")
                flags.append(key)
        except QuoteError as exc:
            problems += exc.problems
    if problems:
        raise QuoteError(problems)
    return Needs(whole_number(peak_dau, "peak_dau"), whole_number(peak_groups, "peak_groups"), limits, minutes,
                 tuple(flags))

"""How numbers and money read, in one place: notes, the command line and cells all use it."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

CENT = Decimal("0.01")


def count(n: int) -> str:
    """35000 -> '35,000'."""
    return f"{n:,}"


def plural(n: int, word: str) -> str:
    """'1 month', '12 months', '2 apps': one way to count things in English."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def amount(value: Decimal) -> str:
    """Whole yuan without decimals, anything else to the fen, never rounded away silently."""
    if value == value.to_integral_value():
        return f"{int(value):,}"
    if value == value.quantize(CENT):
        return f"{value.quantize(CENT):,}"
    return f"{value:,}"


def percent(value: Decimal) -> str:
    """12.50 -> '12.5' (the number only; add the % sign where it is shown)."""
    return f"{value.normalize():f}"


def plain(value: Decimal) -> str:
    """A Decimal as text for a file or a program (JSON, CSV, the register): never in exponent
    notation (Decimal('1E+1') is '10'), trailing zeros kept as computed."""
    return f"{value:f}"


def money(value: Decimal, currency: str = "CNY") -> str:
    return f"{currency} {amount(value)}"


def local_time(stamp: str | None, zone: str) -> str:
    """A time the register wrote (ISO 8601, UTC: 2026-12-05T11:46:30+00:00) as people read it in
    ``zone`` (an IANA zone): 2026-12-05 19:46 in Asia/Shanghai. Anything else is shown as it is."""
    import datetime as dt
    from zoneinfo import ZoneInfo
    if not stamp:
        return ""
    try:
        at = dt.datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return str(stamp)
    if at.tzinfo is None:  # the register writes UTC; a time without a zone is one of its own
        at = at.replace(tzinfo=dt.timezone.utc)
    return at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def display_width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def table(header: list[str], rows: list[list[str]], right: set[int] = frozenset()) -> str:
    """A plain-text table with CJK-aware column widths; columns in ``right`` are right-aligned."""
    widths = [display_width(h) for h in header]
    for row in rows:
        widths = [max(w, display_width(c)) for w, c in zip(widths, row)]
    def line(cells: list[str]) -> str:
        return "  ".join(pad(c, w, i in right) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()
    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


# ---------------------------------------------------------------------------------- 人民币大写

_DIGIT = "零壹贰叁肆伍陆柒捌玖"
_PLACE = ("", "拾", "佰", "仟")  # within a group of four digits
_GROUP = ("", "万", "亿", "万亿")


def _group_capitals(n: int) -> str:
    """1 … 9999 in capitals, with 零 for a gap inside (1010 → 壹仟零壹拾), none at the end."""
    out, gap = "", False
    for place, digit in zip((3, 2, 1, 0), f"{n:04d}"):
        if digit == "0":
            gap = bool(out)
            continue
        if gap:
            out += "零"
            gap = False
        out += _DIGIT[int(digit)] + _PLACE[place]
    return out


def _integer_capitals(n: int) -> str:
    groups = []
    while n:
        n, group = divmod(n, 10_000)
        groups.append(group)
    if len(groups) > len(_GROUP):
        raise ValueError("amounts of 10^16 yuan and more have no capitals here")
    out, gap = "", False
    for i in reversed(range(len(groups))):
        group = groups[i]
        if group == 0:
            gap = bool(out)  # 1,0000,0001 → 壹亿零壹
            continue
        if out and (gap or group < 1000):  # 1,005,000 → 壹佰万伍仟; 1,000,500 → 壹佰万零伍佰
            out += "零"
        out += _group_capitals(group) + _GROUP[i]
        gap = False
    return out


def rmb_capitals(value: Decimal) -> str:
    """An amount in Chinese capital numerals as on a contract or an invoice (人民币大写), rounded half up
    to the fen: 95,988 → 玖万伍仟玖佰捌拾捌元整; 91,188.60 → 玖万壹仟壹佰捌拾捌元陆角;
    1,005,000.07 → 壹佰万伍仟元零柒分; 0.07 → 柒分; 0 → 零元整."""
    from decimal import ROUND_HALF_UP

    cents = int((abs(value) * 100).to_integral_value(ROUND_HALF_UP))
    sign = "负" if value < 0 and cents else ""
    yuan, rest = divmod(cents, 100)
    jiao, fen = divmod(rest, 10)
    if not cents:
        return "零元整"
    out = _integer_capitals(yuan) + "元" if yuan else ""
    if not rest:
        return sign + out + "整"
    if jiao:
        out += _DIGIT[jiao] + "角"
    elif yuan:
        out += "零"  # 元零柒分: the missing jiao is said
    if fen:
        out += _DIGIT[fen] + "分"
    return sign + out


# Free text on a proposal, (characters, lines) at most: longer is refused with its limit, never cut
# short on the page. A line is a paragraph; the proposal gives each row room for all its lines, and
# these bounds keep every row shorter than a page. The README lists them.
TEXT_LIMITS = {
    "customer": (200, 5), "customer address": (200, 5), "customer contact": (200, 5), "contact": (100, 3),
    "quote number": (40, 1), "notes": (1_000, 20), "app name": (100, 3),
    # the seller's profile (seller.toml keys)
    "name_zh": (100, 2), "name_en": (100, 2), "address": (200, 3), "phone": (100, 1), "email": (100, 1),
    "tax_id": (100, 1), "bank": (100, 2), "account": (100, 1), "payment_terms": (1_000, 10),
    "price_note": (1_000, 10),
}


def text_lines(text: str) -> list[str]:
    """The lines of a free text: LF, CR LF or a lone CR ends one (CRM exports write all three, and
    a cell stores each as the line break it shows)."""
    return re.split(r"\r\n|\r|\n", text)


# What no free text holds, whichever door it came through: a lone surrogate (not text at all: no
# UTF-8 encodes it, no database stores it) and the control characters an .xlsx cannot hold (tab
# and line breaks only where a text may have several lines).
_NOT_TEXT = re.compile(r"[\ud800-\udfff]|[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NOT_ONE_LINE = re.compile(r"\t")  # a line break there is refused as a second line


def character_problem(name: str, text: str, multiline: bool = True) -> str | None:
    """'<name>: …' when ``text`` holds a character no free text may hold, or None."""
    found = _NOT_TEXT.search(text) or (None if multiline else _NOT_ONE_LINE.search(text))
    if found is None:
        return None
    char = found.group()
    what = "a lone surrogate" if "\ud800" <= char <= "\udfff" else "a control character"
    return f"{name}: {what} (U+{ord(char):04X}) at character {found.start() + 1}: remove it"


def text_problems(texts: dict[str, str]) -> list[str]:
    """'<name>: …' for each text over its TEXT_LIMITS, or holding a character no text may hold
    (names without a limit are not checked)."""
    problems = []
    for name, text in texts.items():
        if name not in TEXT_LIMITS or not text:
            continue
        chars, lines = TEXT_LIMITS[name]
        bad = character_problem(name, text, multiline=lines > 1)
        if bad:
            problems.append(bad)
        count_lines = len(text_lines(text))
        if len(text) > chars:
            problems.append(f"{name}: {len(text):,} characters, a proposal takes at most {chars:,} "
                            f"(shorten it: nothing is cut on the page)")
        if count_lines > lines:
            problems.append(f"{name}: {count_lines:,} lines, a proposal takes at most {plural(lines, 'line')}")
    return problems


# Bidirectional controls (Unicode's Bidi_Control: ALM, LRM, RLM, the embeddings and overrides
# LRE…RLO, the isolates LRI…PDI). One in a name typed into a form would reorder what follows it on
# a page or a proposal ("Trojan Source"): shown, they are named instead of obeyed.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI_SHOWN = {ord(ch): f"[U+{ord(ch):04X}]" for ch in BIDI_CONTROLS}


def shown_text(text):
    """A free text as pages and documents show it: each bidi control written as its code point
    ('[U+202E]'), so it reorders nothing. Anything but a string is returned as it is."""
    return text.translate(_BIDI_SHOWN) if isinstance(text, str) else text

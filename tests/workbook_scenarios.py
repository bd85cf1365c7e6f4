"""Deals the template's native formulas must price exactly as the engine does.

The engine's own values are checked by hand in test_engine.py; here the workbook is the code
under test and the engine is the reference. A few anchors are also worked out by hand.
"""

from __future__ import annotations

from decimal import Decimal

from xlpricing import QuoteError, get_price_book, quote

BOOK = get_price_book()


def scenarios() -> list[tuple]:
    out: list[tuple] = []
    # every edition at the overage boundaries (trial: its caps)
    for edition in ("trial", "pro", "flagship"):
        for dau in (0, 100, 101, 9_999, 10_000, 10_001, 22_000):
            out.append((edition, dau, 0, (), 1))
        for groups in (100, 101, 99_999, 100_000, 100_001, 202_000):
            out.append((edition, 0, groups, (), 1))
    # every add-on on every edition (allowed and refused)
    for edition in BOOK.edition_codes:
        for addon in BOOK.addon_codes:
            usage = (12_345, 123_456) if edition != "trial" else (50, 50)  # trial: within its caps
            out.append((edition, *usage, (addon,), 3))
    # months 1–24, plus out of range
    for months in (*range(1, 25), 0, 25):
        out.append(("pro", 35_000, 202_000, ("history_90", "moderation"), months))
    # names, cases, mixes and broken rules
    out += [
        ("专业版", 22_000, 202_000, (), 12),
        ("旗舰版", 55_000, 350_000, ("members_6000", "groups_3000", "history_360", "call_premium", "moderation"), 6),
        ("ULTIMATE", 10_001, 100_001, ("history_90",), 2),
        (" Flagship ", 0, 0, ("MODERATION",), 1),
        ("体验版", 100, 100, ("moderation",), 24),
        ("gold", 0, 0, (), 1),
        ("p*", 0, 0, (), 1),  # a wildcard is not a name
        ("pro", 0, 0, ("hist*",), 1),
        ("pro", 0, 0, ("history_90", "history_180"), 1),  # two tiers of one family
        ("pro", 0, 0, ("moderation", "moderation"), 1),  # twice
        ("flagship", 0, 0, ("members_6000", "members_2000"), 1),  # included + tier
        ("pro", 0, 0, ("nope",), 1),
        ("pro", -1, 0, (), 1),
        ("pro", 1.5, 0, (), 1),
        ("pro", 0, 0, (), 2.5),
        ("pro", 1_234_567, 9_876_543, ("avchatroom", "members_2000", "groups_1000", "history_360",
                                       "call_advanced", "moderation"), 24),
    ]
    # discounts: its own line, rounded half up to the fen
    out += [
        ("pro", 35_000, 202_000, ("history_90", "moderation"), 12, 12.5),
        ("pro", 35_000, 202_000, ("history_90", "moderation"), 12, 5),
        ("flagship", 22_000, 0, (), 7, 33.33),
        ("flagship", 123_456, 654_321, ("history_180",), 3, 0.01),
        ("pro", 0, 0, (), 1, 100),
        ("pro", 0, 0, (), 1, 12.555),  # three decimals: refused
        ("pro", 0, 0, (), 1, 101),
        ("pro", 0, 0, (), 1, -1),
    ]
    return out


def expected_total(edition, dau, groups, addons, months, discount=0) -> Decimal | None:
    """The engine's total, or None when the engine refuses the deal."""
    try:
        return quote(edition, dau, groups, list(addons), months, discount_percent=discount).total
    except QuoteError:
        return None


# Worked by hand from the seed page, so the comparison above is anchored to real numbers too.
HAND_ANCHORS = [
    # pro 999 + history_90 1000 + moderation 1000 + DAU 3 blocks + groups 2 blocks = 7999 × 12
    (("pro", 35_000, 202_000, ("history_90", "moderation"), 12), Decimal(95_988)),
    # flagship 2999 + 1 DAU block (10,001) + 1 group block (100,001) + history_90 500 = 5499 × 2
    (("ULTIMATE", 10_001, 100_001, ("history_90",), 2), Decimal(10_998)),
    # trial within its caps with moderation: 1000 × 24
    (("体验版", 100, 100, ("moderation",), 24), Decimal(24_000)),
    # 7999 a month at list; 12.5% of 7999 = 999.875 → 999.88 (half up); (7999 − 999.88) × 12 = 83,989.44
    (("pro", 35_000, 202_000, ("history_90", "moderation"), 12, 12.5), Decimal("83989.44")),
]

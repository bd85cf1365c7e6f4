"""The engine against values worked out by hand from the seed page (arithmetic in comments)."""

from decimal import Decimal

import pytest

from xlpricing import QuoteError, quote

D = Decimal


def monthly(edition, dau=0, groups=0, addons=()):
    return quote(edition, dau, groups, addons, months=1).total


def line(q, code):
    return next(l for l in q.lines if l.code == code)


def refused(edition, dau=0, groups=0, addons=(), months=1) -> str:
    with pytest.raises(QuoteError) as info:
        quote(edition, dau, groups, addons, months)
    return str(info.value)


# ---------------------------------------------------------------- Tencent's worked examples


def test_worked_example_peak_dau_22000_on_pro():
    # facts: 22,000 − 10,000 = 12,000 excess → billed as 20,000 → 2 blocks × 1000 = 2,000 CNY
    q = quote("pro", peak_dau=22_000)
    assert line(q, "overage_dau").quantity == 2
    assert line(q, "overage_dau").amount == D(2000)
    assert q.overage == D(2000)
    assert line(q, "overage_dau").note_en == "22,000 peak DAU − 10,000 free = 12,000 → 2 blocks of 10,000"


def test_worked_example_peak_groups_202000():
    # facts: 202,000 − 100,000 = 102,000 excess → billed as 200,000 → 2 blocks × 1000 = 2,000 CNY
    q = quote("pro", peak_groups=202_000)
    assert line(q, "overage_groups").quantity == 2
    assert q.overage == D(2000)


# ---------------------------------------------------------------- boundaries


@pytest.mark.parametrize("edition, package", [("pro", 999), ("flagship", 2999)])
@pytest.mark.parametrize("dau, blocks", [
    (0, 0),
    (9_999, 0),    # under the 10,000 free
    (10_000, 0),   # exactly the free quota
    (10_001, 1),   # 1 above → one started block of 10,000
    (20_000, 1),   # 10,000 above → exactly one block
    (20_001, 2),   # 10,001 above → two started blocks
    (100_000, 9),  # 90,000 above → 9 blocks
])
def test_dau_overage_boundaries(edition, package, dau, blocks):
    assert monthly(edition, dau=dau) == D(package + blocks * 1000)


@pytest.mark.parametrize("edition, package", [("pro", 999), ("flagship", 2999)])
@pytest.mark.parametrize("groups, blocks", [
    (99_999, 0),
    (100_000, 0),
    (100_001, 1),  # 1 above → one started block of 100,000
    (200_000, 1),
    (200_001, 2),
])
def test_group_overage_boundaries(edition, package, groups, blocks):
    assert monthly(edition, groups=groups) == D(package + blocks * 1000)


def test_trial_is_free_up_to_its_caps():
    q = quote("trial", peak_dau=100, peak_groups=100)  # exactly at the caps
    assert q.total == D(0)
    assert [l.code for l in q.lines] == ["trial"]  # no overage lines on a capped edition


@pytest.mark.parametrize("dau, groups, says", [
    (101, 0, "trial is capped at 100 peak DAU: 101 needs pro or flagship"),
    (0, 101, "trial is capped at 100 peak groups: 101 needs pro or flagship"),
])
def test_trial_above_its_caps_is_an_error_pointing_to_pro_or_flagship(dau, groups, says):
    assert refused("trial", dau, groups) == says


# ---------------------------------------------------------------- every add-on on every edition

# Monthly totals by hand: package (trial 0, pro 999, flagship 2999) + the add-on's seed price,
# or the fragment of the refusal. Nothing here is computed by the code under test.
ADDON_ON_EDITION = {
    ("trial", "avchatroom"): "avchatroom (unlimited live groups) needs pro (trial can buy only moderation)",
    ("trial", "members_2000"): "members_2000 (2000 members per group) needs pro (trial can buy only moderation)",
    ("trial", "members_6000"): "members_6000 (6000 members per group) needs flagship (trial can buy only moderation)",
    ("trial", "groups_1000"): "needs pro (trial can buy only moderation)",
    ("trial", "groups_3000"): "needs flagship (trial can buy only moderation)",
    ("trial", "history_30"): "needs pro (trial can buy only moderation)",
    ("trial", "history_90"): "history_90 (90-day history) needs pro or flagship (trial can buy only moderation)",
    ("trial", "history_180"): "needs pro or flagship",
    ("trial", "history_360"): "needs pro or flagship",
    ("trial", "call_basic"): "needs pro (trial can buy only moderation)",
    ("trial", "call_advanced"): "needs pro (trial can buy only moderation)",
    ("trial", "call_premium"): "needs flagship (trial can buy only moderation)",
    ("trial", "moderation"): 1000,            # 0 + 1000
    ("pro", "avchatroom"): 1999,              # 999 + 1000
    ("pro", "members_2000"): 1499,            # 999 + 500
    ("pro", "members_6000"): "members_6000 (6000 members per group) needs flagship",
    ("pro", "groups_1000"): 2099,             # 999 + 1100
    ("pro", "groups_3000"): "groups_3000 (3000 groups per user) needs flagship",
    ("pro", "history_30"): 1499,              # 999 + 500
    ("pro", "history_90"): 1999,              # 999 + 1000
    ("pro", "history_180"): 2499,             # 999 + 1500
    ("pro", "history_360"): 3499,             # 999 + 2500
    ("pro", "call_basic"): 1499,              # 999 + 500
    ("pro", "call_advanced"): 1999,           # 999 + 1000
    ("pro", "call_premium"): "call_premium (premium call package) needs flagship",
    ("pro", "moderation"): 1999,              # 999 + 1000
    ("flagship", "avchatroom"): "flagship already includes unlimited live groups (avchatroom), leave it out",
    ("flagship", "members_2000"): "flagship already includes 2000 members per group (members_2000)",
    ("flagship", "members_6000"): 3499,       # 2999 + 500
    ("flagship", "groups_1000"): "flagship already includes 1000 groups per user (groups_1000)",
    ("flagship", "groups_3000"): 3899,        # 2999 + 900
    ("flagship", "history_30"): "flagship already includes 30-day history (history_30), leave it out",
    ("flagship", "history_90"): 3499,         # 2999 + 500
    ("flagship", "history_180"): 3999,        # 2999 + 1000
    ("flagship", "history_360"): 4999,        # 2999 + 2000
    ("flagship", "call_basic"): "call_basic (basic call package) needs pro",
    ("flagship", "call_advanced"): "call_advanced (advanced call package) needs pro",
    ("flagship", "call_premium"): 4499,       # 2999 + 1500
    ("flagship", "moderation"): 3999,         # 2999 + 1000
}


@pytest.mark.parametrize("edition, addon", sorted(ADDON_ON_EDITION))
def test_every_addon_on_every_edition(edition, addon):
    expected = ADDON_ON_EDITION[(edition, addon)]
    if isinstance(expected, int):
        q = quote(edition, addons=[addon])
        assert q.total == D(expected)
        assert q.addons == (addon,)
    else:
        assert expected in refused(edition, addons=[addon])


def test_the_table_above_covers_every_addon_and_edition():
    from xlpricing import get_price_book
    book = get_price_book()
    assert set(ADDON_ON_EDITION) == {(e, a) for e in book.edition_codes for a in book.addon_codes}


# ---------------------------------------------------------------- rules on add-ons


def test_two_tiers_of_one_family_is_an_error():
    assert refused("pro", addons=["history_90", "history_180"]) == \
        "history_90 and history_180 are two tiers of history, choose one"
    assert "two tiers of members" in refused("flagship", addons=["members_6000", "members_2000"])


def test_an_addon_listed_twice_is_an_error():
    assert refused("pro", addons=["moderation", "MODERATION"]) == "moderation is listed twice"


def test_unknown_addon_suggests_the_nearest_code():
    assert refused("pro", addons=["histroy_90"]) == "unknown add-on 'histroy_90' (did you mean history_90?)"
    assert refused("pro", addons=["zzz"]).startswith("unknown add-on 'zzz' (avchatroom, members_2000,")


def test_every_problem_is_reported_together_in_argument_order():
    message = refused("trial", 150, 0, ["history_90", "nope"], months=0)
    assert message == (
        "trial is capped at 100 peak DAU: 150 needs pro or flagship; "
        "history_90 (90-day history) needs pro or flagship (trial can buy only moderation); "
        "unknown add-on 'nope' (avchatroom, members_2000, members_6000, groups_1000, groups_3000, "
        "history_30, history_90, history_180, history_360, call_basic, call_advanced, call_premium, moderation); "
        "months must be 1 to 24 (whole months), got 0"
    )


def test_addons_as_one_text_to_the_engine_is_refused_not_spelled_out():
    from xlpricing import build_quote, get_price_book
    with pytest.raises(QuoteError, match="addons must be a list of codes"):
        build_quote(get_price_book(), "pro", addons="history_90")


# ---------------------------------------------------------------- editions and counts


@pytest.mark.parametrize("name, code", [
    ("trial", "trial"), ("pro", "pro"), ("flagship", "flagship"), ("ultimate", "flagship"),
    ("PRO", "pro"), (" Flagship ", "flagship"), ("ULTIMATE", "flagship"),
    ("体验版", "trial"), ("专业版", "pro"), ("旗舰版", "flagship"),
])
def test_edition_names(name, code):
    assert quote(name).edition == code


def test_unknown_edition_names_the_choices():
    assert refused("gold") == "unknown edition 'gold' (trial, pro, flagship)"
    assert refused("flagshp") == "unknown edition 'flagshp' (did you mean flagship?)"
    assert refused("") == "edition is missing (trial, pro, flagship)"


@pytest.mark.parametrize("value, says", [
    (-1, "peak_dau must not be negative, got -1"),
    (1.5, "peak_dau must be a whole number, got 1.5"),
    (True, "peak_dau must be a whole number, got True"),
    ("35000", "peak_dau must be a whole number, got '35000'"),
])
def test_engine_takes_only_whole_counts(value, says):
    assert refused("pro", dau=value) == says


@pytest.mark.parametrize("months", [0, 25, -3])
def test_months_outside_1_to_24(months):
    assert refused("pro", months=months) == f"months must be 1 to 24 (whole months), got {months}"


# ---------------------------------------------------------------- terms and mixed deals


def test_months_multiply_every_line():
    # pro 22,000 DAU for 12 months: (999 + 2 × 1000) × 12 = 2999 × 12 = 35,988
    q = quote("pro", peak_dau=22_000, months=12)
    assert q.total == D(35_988)
    assert q.monthly_total == D(2999)
    assert line(q, "pro").amount == D(11_988)  # 999 × 12
    assert line(q, "overage_dau").amount == D(24_000)  # 2000 × 12
    assert q.prepaid == D(11_988) and q.postpaid == D(24_000)


def test_the_issue_example_pro_35000_dau_202000_groups():
    # package 999 (prepaid), history_90 1000 (postpaid), moderation 1000 (prepaid),
    # DAU 35,000 − 10,000 = 25,000 → 3 blocks = 3000, groups 202,000 − 100,000 = 102,000 → 2 blocks = 2000
    # monthly: prepaid 999 + 1000 = 1999, postpaid 1000 + 3000 + 2000 = 6000, total 7999
    q = quote("pro", 35_000, 202_000, ["history_90", "moderation"], months=12)
    assert (q.monthly_prepaid, q.monthly_postpaid, q.monthly_total) == (D(1999), D(6000), D(7999))
    assert (q.prepaid, q.postpaid, q.total) == (D(23_988), D(72_000), D(95_988))  # × 12
    assert [l.code for l in q.lines] == ["pro", "history_90", "moderation", "overage_dau", "overage_groups"]
    assert [l.billing for l in q.lines] == ["prepaid", "postpaid", "prepaid", "postpaid", "postpaid"]


def test_mixed_flagship_deal():
    # flagship 2999 + members_6000 500 + groups_3000 900 + history_360 2000 + call_premium 1500
    # + moderation 1000 = 8899; DAU 55,000 − 10,000 = 45,000 → 5 blocks = 5000;
    # groups 350,000 − 100,000 = 250,000 → 3 blocks = 3000; monthly 16,899; × 6 = 101,394
    q = quote("flagship", 55_000, 350_000,
              ["moderation", "call_premium", "history_360", "groups_3000", "members_6000"], months=6)
    assert q.monthly_total == D(16_899)
    assert q.total == D(101_394)
    assert q.prepaid == D(41_394)  # (2999 + 500 + 900 + 1500 + 1000) = 6899 × 6
    assert q.postpaid == D(60_000)  # (2000 + 5000 + 3000) = 10,000 × 6
    # add-ons come out in price-book order whatever order they went in
    assert q.addons == ("members_6000", "groups_3000", "history_360", "call_premium", "moderation")
    assert line(q, "call_premium").note_en == "380,000 call minutes a month included"


def test_quote_names_its_price_book_and_labels_are_bilingual():
    q = quote("pro", addons=["history_90"])
    assert q.price_book_id == "tencent-im-cn-seed"
    assert q.currency == "CNY"
    h = line(q, "history_90")
    assert (h.label_zh, h.label_en) == ("延长历史消息存储时长至 90 天", "Message history kept 90 days")


def test_total_is_the_exact_sum_of_the_lines():
    q = quote("flagship", 123_456, 654_321, ["history_90", "moderation"], months=7)
    assert q.total == sum(l.amount for l in q.lines)
    assert all(type(l.amount) is Decimal for l in q.lines)


# ---------------------------------------------------------------- discount


@pytest.mark.parametrize("percent, monthly_cut", [
    ("12.5", "999.88"),   # 7999 × 12.5% = 999.875 → 999.88 (half up, to the fen)
    ("5", "399.95"),      # 7999 × 5% = 399.95
    ("33.33", "2666.07"),  # 7999 × 33.33% = 2666.0667 → 2666.07
    ("0.01", "0.80"),     # 7999 × 0.01% = 0.7999 → 0.80
    ("100", "7999"),
])
def test_discount_line(percent, monthly_cut):
    q = quote("pro", 35_000, 202_000, ["history_90", "moderation"], 12, discount_percent=Decimal(percent))
    cut = Decimal(monthly_cut)
    discount = line(q, "discount")
    assert discount.monthly_amount == -cut
    assert discount.amount == -cut * 12
    assert q.list_total == D(95_988)  # the list prices stay: 7999 × 12
    assert q.total == D(95_988) - cut * 12
    assert q.total == sum(l.amount for l in q.lines)
    assert q.prepaid == D(23_988) and q.postpaid == D(72_000)  # subtotals at list price


def test_no_discount_no_line():
    assert "discount" not in [l.code for l in quote("pro", discount_percent=0).lines]


@pytest.mark.parametrize("value, says", [
    (Decimal("12.555"), "discount must be 0 to 100 percent, at most two decimals, got 12.555"),
    (101, "discount must be 0 to 100 percent, at most two decimals, got 101"),
    (-1, "discount must be 0 to 100 percent, at most two decimals, got -1"),
])
def test_discount_out_of_range(value, says):
    from xlpricing import build_quote, get_price_book
    with pytest.raises(QuoteError) as info:
        build_quote(get_price_book(), "pro", discount_percent=value)
    assert str(info.value) == says


def test_engine_takes_no_float_discount():
    from xlpricing import build_quote, get_price_book
    with pytest.raises(QuoteError, match="discount must be a percentage such as 12.5, got 12.5"):
        build_quote(get_price_book(), "pro", discount_percent=12.5)

"""Properties of every quote, over generated deals."""

from decimal import Decimal

from hypothesis import given, settings, strategies as st

from xlpricing import QuoteError, get_price_book, quote

BOOK = get_price_book()
counts = st.integers(min_value=0, max_value=5_000_000)
months = st.integers(min_value=1, max_value=24)


@st.composite
def valid_deal(draw):
    """An edition with add-ons it can buy (at most one per family), and usage within its caps."""
    edition = draw(st.sampled_from([e for e in BOOK.editions]))
    by_family = {}
    for addon in BOOK.addons:
        if edition.code in addon.prices:
            by_family.setdefault(addon.family, []).append(addon.code)
    addons = [draw(st.sampled_from(codes)) for family, codes in sorted(by_family.items()) if draw(st.booleans())]
    cap = 100 if edition.capped else 5_000_000
    return (edition.code, draw(st.integers(0, cap)), draw(st.integers(0, cap)), addons, draw(months))


@settings(max_examples=300)
@given(valid_deal())
def test_total_is_the_sum_of_the_lines_and_months_times_monthly(deal):
    q = quote(*deal)
    assert q.total == sum((l.amount for l in q.lines), Decimal(0))
    assert q.total == q.prepaid + q.postpaid
    assert q.total == q.months * q.monthly_total
    assert all(l.amount == l.monthly_amount * q.months for l in q.lines)


@settings(max_examples=300)
@given(valid_deal(), st.integers(0, 300_000), st.integers(0, 3_000_000))
def test_total_never_decreases_when_usage_grows(deal, more_dau, more_groups):
    edition, dau, groups, addons, term = deal
    before = quote(edition, dau, groups, addons, term).total
    for bigger in ((dau + more_dau, groups), (dau, groups + more_groups), (dau + more_dau, groups + more_groups)):
        try:
            after = quote(edition, *bigger, addons, term).total
        except QuoteError:
            assert edition == "trial"  # only the capped edition refuses more usage
            continue
        assert after >= before


@given(valid_deal())
def test_quote_is_deterministic(deal):
    assert quote(*deal) == quote(*deal)


any_value = st.one_of(st.integers(-5, 400_000), st.none(), st.booleans(), st.just(1.5), st.just("x"))


@settings(max_examples=400)
@given(valid_deal(), st.sampled_from([0, 0, Decimal(5), Decimal("12.5"), Decimal("33.33")]))
def test_fast_total_equals_the_full_quote(deal, discount):
    from xlpricing import build_quote, quote_total
    edition, dau, groups, addons, term = deal
    assert quote_total(BOOK, edition, dau, groups, addons, term, discount) == \
        build_quote(BOOK, edition, dau, groups, addons, term, discount).total


@settings(max_examples=300)
@given(st.sampled_from(["pro", "trial", "flagship", "gold", None]), any_value, any_value,
       st.lists(st.sampled_from(["history_90", "history_180", "members_6000", "moderation", "nope"]), max_size=3),
       st.one_of(st.integers(-1, 30), st.just(2.5)))
def test_fast_total_refuses_exactly_what_the_full_quote_refuses(edition, dau, groups, addons, term):
    from xlpricing import build_quote, quote_total
    try:
        expected = build_quote(BOOK, edition, dau, groups, addons, term).total
    except QuoteError as exc:
        try:
            quote_total(BOOK, edition, dau, groups, addons, term)
        except QuoteError as again:
            assert str(again) == str(exc)
        else:
            raise AssertionError("quote_total priced what build_quote refuses")
    else:
        assert quote_total(BOOK, edition, dau, groups, addons, term) == expected

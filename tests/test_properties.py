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


def by_the_price_page(edition, dau, groups, addons, term):
    """The price page's rule written out here from the book's figures, not with the engine's code:
    package + add-ons + 1,000 per started block above the free quota, the same every month."""
    ed = BOOK.find_edition(edition)
    monthly = ed.monthly_price + sum(BOOK.find_addon(a).prices[ed.code] for a in addons)
    for over in BOOK.overage:
        if ed.code in over.editions:
            usage, free = (dau, ed.free_peak_dau) if over.metric == "peak_dau" else (groups, ed.free_peak_groups)
            blocks = 0
            while free + blocks * over.block_size < usage:  # count the started blocks one by one
                blocks += 1
            monthly += blocks * over.block_price
    return monthly * term


@settings(max_examples=300)
@given(valid_deal())
def test_every_total_is_the_price_pages_rule(deal):
    q = quote(*deal)
    assert q.total == by_the_price_page(*deal)
    assert q.total == q.prepaid + q.postpaid  # no line is neither prepaid nor postpaid without a discount


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
def test_the_order_add_ons_are_given_in_changes_nothing(deal):
    edition, dau, groups, addons, term = deal
    assert quote(edition, dau, groups, list(reversed(addons)), term) == quote(*deal)


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

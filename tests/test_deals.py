"""Deals: several apps, phases that ramp, tax in the total. Every expected value is worked by hand
from the seed page (pro 999, flagship 2,999, members_6000 on flagship 500, 1,000 CNY per started
10,000 peak DAU above 10,000 free) and the tax facts (China prices include 6% VAT)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlpricing import get_price_book
from xlpricing.deals import App, Deal, Phase, quote_deal
from xlpricing.engine import build_quote, tax_split
from xlpricing.errors import QuoteError

SEED = get_price_book("tencent-im-cn-seed")
OVERSEAS = get_price_book("tencent-im-overseas")


def test_two_apps_each_with_its_own_package():
    deal = Deal((App("prod", (Phase(1, "pro", (), 35_000, 0),)),
                 App("second", (Phase(1, "flagship", ("members_6000",), 5_000, 0),))), months=12)
    q = quote_deal(SEED, deal)
    # prod: 999 + 3 blocks (35,000 − 10,000 = 25,000 → 3 × 1,000) = 3,999 a month × 12 = 47,988
    # second: 2,999 + 500 members_6000, 5,000 DAU ≤ 10,000 free = 3,499 a month × 12 = 41,988
    assert [a.total for a in q.apps] == [47_988, 41_988]
    assert q.total == 89_976
    # 价税合计 89,976 ÷ 1.06 = 84,883.0188… → 84,883.02; 税额 89,976 − 84,883.02 = 5,092.98
    assert (q.tax.gross, q.tax.net, q.tax.tax) == (89_976, Decimal("84883.02"), Decimal("5092.98"))
    assert q.month_totals == (3_999 + 3_499,) * 12 and not q.ramps


def test_a_ramp_pays_each_months_overage_on_that_months_peak():
    deal = Deal((App("prod", (Phase(1, "pro", (), 8_000, 0), Phase(4, peak_dau=25_000),
                              Phase(7, peak_dau=61_000))),), months=12)
    q = quote_deal(SEED, deal)
    phases = q.apps[0].phases
    assert [(p.first_month, p.last_month) for p in phases] == [(1, 3), (4, 6), (7, 12)]
    # overage a month: 8,000 ≤ 10,000 → 0; 25,000 − 10,000 = 15,000 → 2 blocks = 2,000;
    # 61,000 − 10,000 = 51,000 → 6 blocks = 6,000
    assert [p.quote.overage for p in phases] == [0, 2_000, 6_000]
    # 999 × 3 = 2,997; (999 + 2,000) × 3 = 8,997; (999 + 6,000) × 6 = 41,994; total 53,988
    assert [p.quote.total for p in phases] == [2_997, 8_997, 41_994]
    assert q.total == 53_988
    assert q.month_totals == (999,) * 3 + (2_999,) * 3 + (6_999,) * 6 and q.ramps
    # priced at the final peak for the whole term it would be 6,999 × 12 = 83,988; at the first, 11,988
    assert 11_988 < q.total < 83_988


def test_an_upgrade_mid_term_and_a_product_launched_later():
    deal = Deal((App("prod", (Phase(1, "pro"), Phase(7, "flagship"))),
                 App("launch", (Phase(4, "pro", (), 22_000),))), months=12)
    q = quote_deal(SEED, deal)
    # prod: 999 × 6 + 2,999 × 6 = 5,994 + 17,994 = 23,988
    assert q.apps[0].total == 23_988
    # launch: from month 4, 9 months of (999 + 2 blocks for 22,000 − 10,000 = 12,000) = 2,999 × 9 = 26,991
    assert q.apps[1].total == 26_991 and q.apps[1].monthly(3) == 0 and q.apps[1].monthly(4) == 2_999
    assert q.total == 50_979 == sum(q.month_totals)


def test_a_phase_carries_over_what_it_leaves_out():
    deal = Deal((App("prod", (Phase(1, "pro", ("history_90",), 35_000, 202_000), Phase(2, peak_groups=0))),),
                months=2)
    first, second = quote_deal(SEED, deal).apps[0].phases
    # month 2 keeps pro, history_90 and 35,000 DAU; only the groups change: 999 + 1,000 + 3,000 = 4,999
    assert (second.quote.edition, second.quote.addons, second.quote.peak_dau) == ("pro", ("history_90",), 35_000)
    assert first.quote.total == 999 + 1_000 + 3_000 + 2_000 and second.quote.total == 4_999


def test_no_app_goes_back_to_trial_and_every_problem_is_named():
    deal = Deal((App("prod", (Phase(1, "trial"), Phase(3, "pro"), Phase(6, "trial"))),
                 App("test", (Phase(1, "gold"), Phase(2, peak_dau=-5))),
                 App("prod", (Phase(1, "pro"),))), months=12)
    with pytest.raises(QuoteError) as caught:
        quote_deal(SEED, deal)
    messages = [p.message for p in caught.value.problems]
    assert "app 'prod' phase 3 (months 6–12): an app on pro cannot go back to trial (create a new app instead)" \
        in messages
    assert any(m.startswith("app 'test' phase 1 (month 1): unknown edition 'gold'") for m in messages)
    assert any(m.startswith("app 'test' phase 2 (months 2–12): unknown edition 'gold'") for m in messages)
    assert any("listed twice" in m for m in messages)
    assert len(messages) >= 4  # all at once, not the first only


def test_trial_to_pro_is_an_upgrade_and_fine():
    q = quote_deal(SEED, Deal((App("prod", (Phase(1, "trial", (), 100, 100), Phase(3, "pro", (), 12_000))),), 4))
    # trial free for 2 months; then (999 + 1 block for 12,000 − 10,000) × 2 = 3,998
    assert q.total == 3_998


def test_the_tax_split_to_the_fen():
    # the README's quote: 83,988 ÷ 1.06 = 79,233.9622… → 79,233.96; 83,988 − 79,233.96 = 4,754.04
    split = tax_split(SEED, Decimal(83_988))
    assert (split.net, split.tax) == (Decimal("79233.96"), Decimal("4754.04"))
    # Tencent's invoice: 150.00 = 141.51 + 8.49 (150 ÷ 1.06 = 141.5094… → 141.51)
    assert (tax_split(SEED, Decimal(150)).net, tax_split(SEED, Decimal(150)).tax) == (Decimal("141.51"), Decimal("8.49"))
    # an odd fen: 0.01 ÷ 1.06 = 0.00943… → 0.01 net, 0.00 tax; 999 ÷ 1.06 = 942.4528… → 942.45 + 56.55
    assert (tax_split(SEED, Decimal("0.01")).net, tax_split(SEED, Decimal("0.01")).tax) == (Decimal("0.01"), 0)
    assert tax_split(SEED, Decimal(999)).tax == Decimal("56.55")
    # an exact division leaves no fen to round: 1.06 = 1.00 + 0.06, 0.53 = 0.50 + 0.03. (No amount in
    # fen divides by 1.06 to exactly half a fen, so half up and half even never differ at 6%.)
    assert (tax_split(SEED, Decimal("1.06")).net, tax_split(SEED, Decimal("1.06")).tax) == (1, Decimal("0.06"))
    assert tax_split(SEED, Decimal("0.53")).net == Decimal("0.50")
    # overseas prices exclude tax: no split, only the statement
    assert tax_split(OVERSEAS, Decimal(1000)) is None


def test_a_discount_comes_before_the_tax():
    q = quote_deal(SEED, Deal((App("prod", (Phase(1, "pro", ("history_90",), 35_000, 202_000),)),), 12, 5))
    # monthly list 999 + 1,000 + 3,000 + 2,000 = 6,999; 5% = 349.95; 6,649.05 × 12 = 79,788.60
    assert q.total == Decimal("79788.60") and q.discount == Decimal("-4199.40")
    # 79,788.60 ÷ 1.06 = 75,272.2641… → 75,272.26; tax 4,516.34
    assert (q.tax.net, q.tax.tax) == (Decimal("75272.26"), Decimal("4516.34"))


def test_three_hundred_apps_and_not_one_more():
    apps = tuple(App(f"app-{i}", (Phase(1, "trial"),)) for i in range(301))
    assert quote_deal(SEED, Deal(apps[:300], 1)).total == 0  # 300 trial apps: free
    with pytest.raises(QuoteError, match="an account holds at most 300 apps"):
        quote_deal(SEED, Deal(apps, 1))


def test_phases_must_start_within_the_term_once_each():
    with pytest.raises(QuoteError) as caught:
        quote_deal(SEED, Deal((App("a", (Phase(0, "pro"),)), App("b", (Phase(1, "pro"), Phase(1, "flagship"))),
                               App("c", (Phase(13, "pro"),)), App("d", (Phase(2, addons=("moderation",)),))), 12))
    messages = " | ".join(p.message for p in caught.value.problems)
    assert "app 'a': from_month must be a month of the term, 1 to 12, got 0" in messages
    assert "app 'b' phase 2: two phases start in month 1" in messages
    assert "app 'c': from_month must be a month of the term, 1 to 12, got 13" in messages
    assert "app 'd' phase 1 (months 2–12): the first phase needs an edition" in messages


DEALS = st.tuples(st.sampled_from(["trial", "pro", "flagship"]), st.integers(0, 400_000), st.integers(0, 3_000_000),
                  st.sampled_from([(), ("history_90",), ("moderation",), ("history_90", "moderation")]),
                  st.integers(1, 24), st.sampled_from([0, 5, Decimal("12.5")]))


@given(DEALS)
def test_one_app_with_one_phase_prices_exactly_as_todays_quote(deal):
    edition, dau, groups, addons, months, discount = deal
    try:
        today = build_quote(SEED, edition, dau, groups, addons, months, discount)
    except QuoteError as exc:
        with pytest.raises(QuoteError) as caught:
            quote_deal(SEED, Deal.single(edition, dau, groups, addons, months, discount))
        assert [p.message.split(": ", 1)[1] for p in caught.value.problems] == [p.message for p in exc.problems]
        return
    q = quote_deal(SEED, Deal.single(edition, dau, groups, addons, months, discount))
    assert q.apps[0].phases[0].quote == today and q.total == today.total


@given(st.lists(st.tuples(st.sampled_from(["pro", "flagship"]), st.integers(0, 200_000), st.integers(1, 12)),
                min_size=1, max_size=4), st.integers(12, 24))
def test_a_deals_total_is_the_sum_of_its_apps_and_of_its_months(phases, months):
    apps = tuple(App(f"a{i}", tuple(Phase(m, e, (), dau) for m, (e, dau) in sorted({m: (e, d) for e, d, m in phases}.items())
                                    if m <= months))
                 for i in range(2))
    apps = tuple(a for a in apps if a.phases)
    q = quote_deal(SEED, Deal(apps, months))
    assert q.total == sum(a.total for a in q.apps) == sum(q.month_totals)
    assert q.total == q.list_total  # no discount

"""The price book against a table written out by hand from the seed page, and its validation."""

from decimal import Decimal

import pytest

import xlpricing
from xlpricing.errors import PriceBookError
from xlpricing.pricebook import PRICEBOOK_DIR, get_price_book, load_price_book, parse_price_book

# Written out by hand from ../shared/seed/000_60de0f7fdb0400f4.txt (and the facts file for the
# free quotas marked "facts"). Not read from the price book: this is what the book must equal.
SEED_EDITIONS = {
    #  code       monthly  free DAU (facts)  free groups (facts)  capped (facts)
    "trial":    (0,        100,              100,                 True),   # 体验版 免费
    "pro":      (999,      10_000,           100_000,             False),  # 专业版 999元/月
    "flagship": (2999,     10_000,           100_000,             False),  # 旗舰版 2999元/月
}
SEED_OVERAGE = {
    # 1000元/1万个，不足1万的部分按1万计算; 1000元/10万个，不足10万的部分按10万计算 (后付费)
    "overage_dau": ("peak_dau", 10_000, 1000),
    "overage_groups": ("peak_groups", 100_000, 1000),
}
SEED_ADDONS = {
    # code            billing      trial  pro    flagship   (None = cannot buy, "incl" = included)
    "avchatroom":    ("prepaid",  None, 1000, "incl"),   # 扩展直播群 1000元/月, 旗舰版 "-" (unlimited already)
    "members_2000":  ("prepaid",  None, 500,  "incl"),   # 2000人/群：500元/月 (flagship has 2,000: facts)
    "members_6000":  ("prepaid",  None, None, 500),      # 6000人/群：500元/月
    "groups_1000":   ("prepaid",  None, 1100, "incl"),   # 1000个群/人：1100元/月 (flagship has 1,000: facts)
    "groups_3000":   ("prepaid",  None, None, 900),      # 3000个群/人：900元/月
    "history_30":    ("postpaid", None, 500,  "incl"),   # 存储30天：500元/月 (flagship keeps 30 days: facts)
    "history_90":    ("postpaid", None, 1000, 500),      # 存储90天：1000 / 500元/月
    "history_180":   ("postpaid", None, 1500, 1000),     # 存储180天：1500 / 1000元/月
    "history_360":   ("postpaid", None, 2500, 2000),     # 存储360天：2500 / 2000元/月
    "call_basic":    ("prepaid",  None, 500,  None),     # 基础版：500元/月
    "call_advanced": ("prepaid",  None, 1000, None),     # 进阶版：1000元/月
    "call_premium":  ("prepaid",  None, None, 1500),     # 尊享版：1500元/月
    "moderation":    ("prepaid",  1000, 1000, 1000),     # 本地审核 1000元/月, every edition
}
SEED_MINUTES = {"call_basic": 110_000, "call_advanced": 235_000, "call_premium": 380_000}  # 11w / 23.5w / 38w


@pytest.fixture(scope="module")
def book():
    return get_price_book()


def test_editions_match_the_seed(book):
    found = {e.code: (int(e.monthly_price), e.free_peak_dau, e.free_peak_groups, e.capped) for e in book.editions}
    assert found == SEED_EDITIONS
    assert all(e.billing == "prepaid" for e in book.editions)  # 套餐包费用 预付费


def test_overage_matches_the_seed(book):
    found = {o.code: (o.metric, o.block_size, int(o.block_price)) for o in book.overage}
    assert found == SEED_OVERAGE
    for o in book.overage:
        assert o.billing == "postpaid"  # 套餐外超量费用 后付费
        assert o.editions == ("pro", "flagship")  # trial "-": capped instead


def test_addons_match_the_seed(book):
    found = {}
    for a in book.addons:
        cells = []
        for edition in ("trial", "pro", "flagship"):
            if edition in a.prices:
                cells.append(int(a.prices[edition]))
            else:
                cells.append("incl" if edition in a.included_in else None)
        found[a.code] = (a.billing, *cells)
    assert found == SEED_ADDONS
    assert {a.code: a.included_minutes for a in book.addons if a.included_minutes} == SEED_MINUTES


def test_book_records_region_currency_source_and_notes(book):
    assert book.currency == "CNY"
    assert book.region == "cn" and book.region_zh == "中国数据中心"
    assert book.source_url.startswith("https://cloud.tencent.com/document/product/269/")
    notes = {n.code for n in book.notes}
    assert {"one_package_per_app", "no_return_to_trial", "prepaid", "postpaid", "overseas"} <= notes
    assert (book.min_months, book.max_months) == (1, 24)  # facts: bought in whole months, 1 to 24


def test_every_price_is_exact_decimal(book):
    prices = [e.monthly_price for e in book.editions] + [o.block_price for o in book.overage]
    prices += [p for a in book.addons for p in a.prices.values()]
    assert all(type(p) is Decimal for p in prices)


def test_edition_names_codes_and_chinese_any_case(book):
    assert book.find_edition("  PRO ").code == "pro"
    assert book.find_edition("专业版").code == "pro"
    assert book.find_edition("Ultimate").code == "flagship"
    assert book.find_edition("旗舰版").code == "flagship"
    assert book.find_edition("体验版").code == "trial"
    assert book.find_edition("gold") is None


# ------------------------------------------------------------------------------ validation

GOOD = (PRICEBOOK_DIR / "tencent-im-cn-seed.toml").read_text(encoding="utf-8")


def problems_of(text: str) -> list[str]:
    with pytest.raises(PriceBookError) as info:
        parse_price_book(text, source="test.toml")
    return info.value.problems


def test_shipped_book_is_valid():
    assert parse_price_book(GOOD).id == "tencent-im-cn-seed"


def test_every_problem_is_reported_at_once_with_its_path():
    broken = (
        GOOD.replace("monthly_price = 999\n", "")  # a missing price
        .replace("monthly_price = 2999", "monthly_price = -5")  # a negative price
        .replace("prices = { pro = 1100 }", "prices = { pro = 1100, gold = 3 }")  # an edition that does not exist
        .replace('code = "history_180"', 'code = "history_90"')  # a duplicate code
        .replace("block_price = 1000\neditions = [\"pro\", \"flagship\"]\n\n[[overage]]",
                 "block_price = 10.5\neditions = [\"pro\", \"flagship\"]\n\n[[overage]]")  # a float
    )
    problems = problems_of(broken)
    assert "editions[1].monthly_price: missing" in problems
    assert "editions[2].monthly_price: must not be negative, got -5" in problems
    assert any(p.startswith("addons[3].prices.gold: no edition 'gold'") for p in problems)
    assert any(p.startswith("addons[7].code: duplicate code 'history_90' (first at addons[6].code)") for p in problems)
    assert any(p.startswith("overage[0].block_price: must be a whole number or a quoted decimal") for p in problems)
    assert len(problems) == 5, problems


def test_structural_mistakes_are_problems_not_key_errors():
    problems = problems_of('[meta]\nid = "x"\n[[editions]]\ncode = "pro"\nmonthy_price = 5\n')
    assert any(p.startswith("editions[0].monthy_price: unknown key") for p in problems)
    assert "overage: missing (at least one entry is needed)" in problems
    assert "addons: missing (at least one entry is needed)" in problems
    assert "meta.currency: missing" in problems


def test_included_and_priced_on_the_same_edition_is_a_problem():
    text = GOOD.replace("prices = { pro = 1000 }\nincluded_in = [\"flagship\"]",
                        "prices = { pro = 1000, flagship = 1 }\nincluded_in = [\"flagship\"]")
    assert "addons[0].included_in: flagship both includes it and has a price for it" in problems_of(text)


def test_capped_edition_with_overage_is_a_problem():
    text = GOOD.replace('editions = ["pro", "flagship"]', 'editions = ["trial", "pro", "flagship"]', 1)
    assert "overage[0].editions: trial is capped (capped = true) and has no overage" in problems_of(text)


def test_not_toml_is_reported():
    assert problems_of("[meta\n")[0].startswith("not valid TOML")


def test_unknown_shipped_name_lists_what_exists():
    with pytest.raises(PriceBookError, match="no price book called 'nope' .shipped: tencent-im-cn-2023-03, "
                                             "tencent-im-cn-2024, tencent-im-cn-seed, tencent-im-overseas"):
        get_price_book("nope")


def test_a_second_price_book_is_a_new_file_and_the_quote_names_it(tmp_path):
    # A dated book with the 2024 domestic pro price (facts: 1499 CNY/month from 2024-01-01).
    text = GOOD.replace('id = "tencent-im-cn-seed"', 'id = "tencent-im-cn-2024"').replace(
        "effective_to = 2023-03-06", "effective_from = 2024-01-01")
    text = text.replace("monthly_price = 999", "monthly_price = 1499")
    path = tmp_path / "tencent-im-cn-2024.toml"
    path.write_text(text, encoding="utf-8")
    book = load_price_book(path)
    assert str(book.effective_from) == "2024-01-01"
    q = xlpricing.quote("pro", peak_dau=22_000, price_book=book)
    # 1499 package + 2 blocks × 1000 (22,000 − 10,000 = 12,000 → 2 started blocks) = 3499
    assert q.total == Decimal("3499")
    assert q.price_book_id == "tencent-im-cn-2024"
    # the same file by path, through the loader every interface uses
    assert xlpricing.quote("pro", price_book=str(path)).price_book_id == "tencent-im-cn-2024"
    assert xlpricing.quote("pro").price_book_id == "tencent-im-cn-seed"


# ------------------------------------------------------------------------------ books that would price usage for free


def test_an_uncapped_edition_with_no_overage_for_a_metric_is_refused():
    # flagship taken off the DAU overage: 35,000 DAU on flagship would cost nothing above the package
    text = GOOD.replace('editions = ["pro", "flagship"]', 'editions = ["pro"]', 1)
    assert any(p.startswith("editions[2]: flagship is not capped and no [[overage]] charges its peak_dau")
               for p in problems_of(text))
    # the whole overage entry deleted: both editions, named with their paths
    start = GOOD.index("[[overage]]\ncode = \"overage_groups\"")
    end = GOOD.index("[[addons]]")
    problems = problems_of(GOOD[:start] + GOOD[end:])
    assert [p.split(":")[0] for p in problems if "peak_groups" in p] == ["editions[1]", "editions[2]"]


def test_an_edition_that_really_is_free_above_its_quota_says_so():
    text = GOOD.replace('editions = ["pro", "flagship"]', 'editions = ["pro"]', 1)
    text = text.replace('capped = false\nlimits = { members_per_group = 2000',
                        'capped = false\nunmetered = ["peak_dau"]\nlimits = { members_per_group = 2000')
    book = parse_price_book(text)
    # flagship 2,999 and no DAU overage, as the file now says explicitly
    assert xlpricing.quote("flagship", peak_dau=35_000, price_book=book).total == Decimal("2999")
    # saying unmetered where an overage exists is a contradiction
    both = GOOD.replace('capped = false\nlimits = { members_per_group = 2000',
                        'capped = false\nunmetered = ["peak_dau"]\nlimits = { members_per_group = 2000')
    assert "editions[2].unmetered: flagship has an overage charge for peak_dau" in problems_of(both)
    assert any(p.startswith("editions[2].unmetered: must be a list of metrics")
               for p in problems_of(both.replace('unmetered = ["peak_dau"]', 'unmetered = ["dau"]')))


@pytest.mark.parametrize("alias, path", [("moderation", "addons[12].code"), ("Overage_DAU", "overage[0].code")])
def test_an_alias_equal_to_an_item_code_is_refused(alias, path):
    # IMPRICE("moderation") priced the trial package (0) when trial had the alias "moderation"
    text = GOOD.replace('aliases = ["体验版", "experience", "free"]', f'aliases = ["体验版", "{alias}"]')
    assert f"editions[0].aliases[1]: {alias!r} is also the code at {path}; choose another alias" in problems_of(text)


def test_a_book_saved_with_a_bom_or_an_upper_case_suffix_loads(tmp_path):
    path = tmp_path / "MY-BOOK.TOML"
    path.write_text("\ufeff" + GOOD, encoding="utf-8")  # Notepad's "UTF-8 with BOM"
    assert get_price_book(str(path)).id == "tencent-im-cn-seed"
    assert xlpricing.quote("pro", peak_dau=10_001, price_book=str(path)).total == Decimal("1999")  # 999 + 1 block


def test_a_book_not_in_utf8_is_one_clear_problem(tmp_path):
    path = tmp_path / "gbk.toml"
    path.write_bytes(GOOD.encode("gb18030"))
    with pytest.raises(PriceBookError, match="not UTF-8 text"):
        load_price_book(path)

"""Price books over time: the four shipped books, choosing one by date, withdrawn items, diff.

Every expected total is worked out by hand from docs/sources.md (the arithmetic is in the comment).
"""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

import xlpricing
from xlpricing import QuoteError, get_price_book
from xlpricing.cli import main
from xlpricing.errors import PriceBookError
from xlpricing.pricebook import (PRICEBOOK_DIR, book_in_force, choose_price_book, overlapping_periods,
                                 parse_price_book, shipped_books, superseded)
from xlpricing.sheets import layout as L
from xlwings_stubs import call_like_excel, real_xlwings_udfs

SEED, CN_2023, CN_2024, OVERSEAS = ("tencent-im-cn-seed", "tencent-im-cn-2023-03", "tencent-im-cn-2024",
                                    "tencent-im-overseas")


def total(book, edition, dau=0, groups=0, addons=(), months=1):
    return xlpricing.quote(edition, dau, groups, addons, months, price_book=book).total


# ---------------------------------------------------------------- the books


def test_four_books_ship_with_regions_periods_and_sources():
    books = {b.id: b for b in shipped_books()}
    assert set(books) == {SEED, CN_2023, CN_2024, OVERSEAS}
    assert (books[SEED].effective_from, books[SEED].effective_to) == (None, dt.date(2023, 3, 6))
    assert (books[CN_2023].effective_from, books[CN_2023].effective_to) == (dt.date(2023, 3, 7), dt.date(2023, 12, 31))
    assert (books[CN_2024].effective_from, books[CN_2024].effective_to) == (dt.date(2024, 1, 1), None)
    assert (books[OVERSEAS].region, books[OVERSEAS].effective_from, books[OVERSEAS].effective_to) == ("overseas", None, None)
    assert {b.region for b in books.values() if b.id != OVERSEAS} == {"cn"}
    for book in books.values():  # sources travel with the book: document ids and addresses
        assert book.sources and all(s.url.startswith("https://cloud.tencent.com/document/product/") for s in book.sources)
        assert "../shared" not in book.toml and "shared/seed" not in book.toml
    assert {s.doc for s in books[CN_2023].sources} >= {"269/86871"}
    assert {s.doc for s in books[CN_2024].sources} >= {"269/101071"}
    assert {s.doc for s in books[OVERSEAS].sources} >= {"269/81907"}


def test_seed_prices_call_advanced_before_the_change():
    # pro 999 + call_advanced 1,000 = 1,999 a month
    assert total(SEED, "pro", addons=["call_advanced"]) == Decimal(1_999)


@pytest.mark.parametrize("book", [CN_2023, CN_2024])
def test_call_advanced_is_refused_after_2023_03_07_with_its_reason(book):
    with pytest.raises(QuoteError, match=r"^call_advanced was withdrawn from sale on 2023-03-07: choose call_1v1"):
        total(book, "pro", addons=["call_advanced"])
    with pytest.raises(QuoteError, match="withdrawn from sale on 2023-03-07"):
        xlpricing.list_price(get_price_book(book), "call_advanced", "pro")


def test_2023_03_call_tiers_on_pro_or_flagship():
    # pro 999 + call_group_1400k 5,000 + DAU 35,000 → 3 started blocks 3,000 + groups 202,000 → 2 blocks 2,000
    # = 10,999 a month
    assert total(CN_2023, "pro", 35_000, 202_000, ["call_group_1400k"]) == Decimal(10_999)
    # flagship + call_1v1: 2,999 + 500 = 3,499 (before: basic was pro only)
    assert total(CN_2023, "flagship", addons=["call_1v1"]) == Decimal(3_499)
    # pro + call_group_380k: 999 + 1,500 = 2,499 (before: premium was flagship only)
    assert total(CN_2023, "pro", addons=["call_group_380k"]) == Decimal(2_499)
    with pytest.raises(QuoteError, match="unknown add-on 'call_basic'"):
        total(CN_2023, "pro", addons=["call_basic"])


def test_2024_pro_at_1499():
    # pro 1,499 + 35,000 DAU → 3 blocks 3,000 = 4,499 a month × 12 = 53,988
    assert total(CN_2024, "pro", 35_000, 0, (), 12) == Decimal(53_988)
    # flagship + call_1v1 (allowed since 2023-03-07): 2,999 + 500 = 3,499
    assert total(CN_2024, "flagship", addons=["call_1v1"]) == Decimal(3_499)
    # pro + call_group_1400k with overage: 1,499 + 5,000 + 3 × 1,000 + 2 × 1,000 = 11,499
    assert total(CN_2024, "pro", 35_000, 202_000, ["call_group_1400k"]) == Decimal(11_499)
    # the boundary: 10,000 free, 10,001 is one started block: 1,499 and 2,499
    assert total(CN_2024, "pro", 10_000) == Decimal(1_499) and total(CN_2024, "pro", 10_001) == Decimal(2_499)


def test_overseas_prices_and_refused_add_ons():
    # pro 2,999 + 22,000 DAU → 2 blocks × 3,000 + 202,000 groups → 2 blocks × 3,000 = 14,999
    assert total(OVERSEAS, "pro", 22_000, 202_000) == Decimal(14_999)
    # flagship 5,999, 9,999 and 10,000 DAU are free, 10,001 is one block of 3,000
    assert total(OVERSEAS, "flagship", 9_999) == total(OVERSEAS, "flagship", 10_000) == Decimal(5_999)
    assert total(OVERSEAS, "flagship", 10_001) == Decimal(8_999)
    assert total(OVERSEAS, "trial", 100, 100) == Decimal(0)
    with pytest.raises(QuoteError, match=r"^history_90: add-on prices for the overseas data centers are not confirmed"):
        total(OVERSEAS, "pro", addons=["history_90"])


# ---------------------------------------------------------------- choosing by date


@pytest.mark.parametrize("day, book, pro", [
    ("2023-03-06", SEED, 999), ("2023-03-07", CN_2023, 999), ("2023-12-31", CN_2023, 999),
    ("2024-01-01", CN_2024, 1499), ("2000-01-01", SEED, 999), ("2099-12-31", CN_2024, 1499),
])
def test_as_of_at_each_boundary_day(capsys, day, book, pro):
    assert main(["--as-of", day, "price", "--edition", "pro", "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert f'"price_book_id": "{book}"' in out and f'"total": "{pro}"' in out
    assert main(["price", "--edition", "pro", "--format", "json", "--as-of", day]) == 0  # after the command too
    assert f'"price_book_id": "{book}"' in capsys.readouterr().out


def test_price_book_wins_and_region_picks_todays_book(capsys, unpinned):
    assert choose_price_book(SEED, dt.date(2024, 6, 1), "cn").id == SEED
    assert choose_price_book(region="overseas").id == OVERSEAS
    assert choose_price_book(region="cn", today=dt.date(2023, 5, 1)).id == CN_2023
    # nothing chosen: the China book in force on the quote's date (today unless given)
    assert choose_price_book().id == CN_2024
    assert [choose_price_book(today=dt.date.fromisoformat(d)).id for d in ("2023-03-06", "2023-03-07", "2023-12-31",
                                                                           "2024-01-01")] == \
        [SEED, CN_2023, CN_2023, CN_2024]
    assert get_price_book().id == CN_2024


@pytest.mark.parametrize("value, book", [(CN_2024, CN_2024), ("2023-05-01", CN_2023), ("", CN_2024), (SEED, SEED)])
def test_a_team_default_from_the_environment(monkeypatch, unpinned, value, book):
    monkeypatch.setenv("XLPRICING_PRICE_BOOK", value)
    assert choose_price_book().id == book
    assert choose_price_book(SEED).id == SEED  # a named book still wins


def test_a_superseded_book_says_so_on_the_terminal_and_on_the_quote_sheet(tmp_path, capsys):
    assert superseded(get_price_book(SEED), dt.date(2026, 11, 26)) == (
        "prices of tencent-im-cn-seed (until 2023-03-06), superseded on 2023-03-07 by tencent-im-cn-2023-03")
    assert superseded(get_price_book(CN_2024), dt.date(2026, 11, 26)) == ""
    assert main(["quote", "--edition", "pro", "--customer", "ACME", "-o", str(tmp_path / "old.xlsx")]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "xlpricing: note: prices of tencent-im-cn-seed" in err
    ws = openpyxl.load_workbook(tmp_path / "old.xlsx")[L.QUOTE_SHEET]
    assert "superseded on 2023-03-07 by tencent-im-cn-2023-03" in ws[f"A{L.SUBTITLE_ROW + 1}"].value
    assert "tencent-im-cn-seed · until 2023-03-06" in ws[f"A{L.SUBTITLE_ROW}"].value
    assert main(["quote", "--edition", "pro", "--customer", "ACME", "--as-of", "2024-06-01",
                 "-o", str(tmp_path / "new.xlsx")]) == 0
    assert capsys.readouterr().err == ""
    ws = openpyxl.load_workbook(tmp_path / "new.xlsx")[L.QUOTE_SHEET]
    assert ws[f"A{L.SUBTITLE_ROW + 1}"].value is None
    assert "tencent-im-cn-2024 · from 2024-01-01" in ws[f"A{L.SUBTITLE_ROW}"].value


# ---------------------------------------------------------------- the loader


SEED_TEXT = (PRICEBOOK_DIR / f"{SEED}.toml").read_text(encoding="utf-8")


def problems_of(text: str) -> list[str]:
    with pytest.raises(PriceBookError) as info:
        parse_price_book(text, source="test.toml")
    return info.value.problems


def test_reversed_dates_are_refused_with_their_key_path():
    text = SEED_TEXT.replace("effective_to = 2023-03-06", "effective_from = 2023-03-07\neffective_to = 2023-03-06")
    assert "meta.effective_to: must not be before effective_from (2023-03-07), got 2023-03-06" in problems_of(text)


def test_a_withdrawn_item_without_a_date_is_refused():
    text = SEED_TEXT.replace('included_minutes = 235000', 'included_minutes = 235000\nwithdrawn = { en = "x", zh = "x" }')
    assert "addons[10].withdrawn.on: missing: the date it was withdrawn from sale" in problems_of(text)


def test_overlapping_periods_of_one_region_are_refused():
    late_seed = parse_price_book(SEED_TEXT.replace("effective_to = 2023-03-06", "effective_to = 2023-03-07"))
    problems = overlapping_periods((late_seed, get_price_book(CN_2023), get_price_book(OVERSEAS)))
    assert problems == ["tencent-im-cn-2023-03: meta.effective_from/effective_to (2023-03-07 – 2023-12-31) overlap "
                        "tencent-im-cn-seed (until 2023-03-07) in region cn, from 2023-03-07"]
    assert overlapping_periods(shipped_books()) == []


def test_a_date_no_book_covers_names_the_books():
    with pytest.raises(PriceBookError, match=r"no overseas price book|no region"):
        book_in_force(dt.date(2024, 1, 1), "mars")


# ---------------------------------------------------------------- in Excel


@pytest.fixture(scope="module")
def xl():
    with real_xlwings_udfs() as parts:
        yield parts


@pytest.mark.parametrize("book_cell", [dt.datetime(2024, 6, 1), "2024-06-01", 45_444.0, CN_2024],
                         ids=["date cell", "text date", "date serial (Lite)", "book id"])
def test_imquote_takes_a_price_book_as_its_last_argument(xl, book_cell):
    # (1,499 + 3 × 1,000) × 12 = 53,988
    assert call_like_excel(*xl, "IMQUOTE", "pro", 35000.0, 0.0, "", 12.0, book_cell) == [[53_988]]


def test_price_book_argument_in_every_function(xl):
    def excel(name, *args):
        return call_like_excel(*xl, name, *args)
    assert excel("IMPRICE", "pro", None, "2023-12-31") == [[999]]
    assert excel("IMPRICE", "pro", None, "2024-01-01") == [[1499]]
    assert excel("IMOVERAGE", "pro", 22000.0, 202000.0, OVERSEAS) == [[12_000]]  # 2 × 3,000 + 2 × 3,000
    lines = excel("IMQUOTE_LINES", "pro", 22000.0, 202000.0, None, 1.0, OVERSEAS)
    assert next(r for r in lines if r[0] == "total")[7] == 14_999
    assert next(r for r in lines if r[0] == "price_book")[3] == OVERSEAS
    assert excel("IMQUOTE", "pro", 0.0, 0.0, "call_advanced", 1.0, "2023-03-07") == [[
        "#IMQUOTE: call_advanced was withdrawn from sale on 2023-03-07: choose call_1v1 or a group call tier instead; "
        "existing holders renew it at the old price"]]
    best = excel("IMBEST", 0.0, 0.0, "call_minutes=1000000", CN_2024)
    assert best == [["pro", "call_group_1400k"]]  # 1,499 + 5,000: the only tier with 1,000,000 minutes
    text = excel("IMQUOTE", "pro", 0.0, 0.0, None, 1.0, "gold-book")[0][0]
    assert text.startswith("#IMQUOTE: unknown price book 'gold-book' (books: tencent-im-cn-2023-03 2023-03-07 – 2023-12-31")
    assert excel("IMQUOTE", "pro", 0.0, 0.0, None, 1.0, "/etc/passwd.toml")[0][0].startswith(
        "#IMQUOTE: unknown price book")  # a cell never names a file to read
    assert excel("IMQUOTE", "pro", 0.0, 0.0, None, 1.0, -2146826246)[0][0] == (
        "#IMQUOTE: price_book is the error #N/A: fix the cell it comes from")
    assert excel("IMQUOTE", "pro", 0.0, 0.0, None, 1.0, 12.0)[0][0] == (
        "#IMQUOTE: price_book must be a book id or a date, got 12.0")


# ---------------------------------------------------------------- books and diff


def test_books_lists_every_book_with_its_period(capsys, unpinned):
    assert main(["books"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = {line.split()[0]: line for line in lines[2:]}
    assert set(rows) == {SEED, CN_2023, CN_2024, OVERSEAS}
    assert "(default)" in rows[CN_2024] and "(default)" not in rows[SEED] and "until 2023-03-06" in rows[SEED]
    assert "from 2024-01-01" in rows[CN_2024] and "269/101071" in rows[CN_2024]


def diff_rows(capsys, a, b):
    assert main(["diff", a, b, "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["section", "item", "what", a, b]
    return [tuple(r) for r in rows[1:]]


def test_diff_seed_to_2023_03(capsys):
    assert diff_rows(capsys, SEED, CN_2023) == [
        ("meta", "book", "id", SEED, CN_2023),
        ("meta", "book", "period", "until 2023-03-06", "2023-03-07 – 2023-12-31"),
        ("add-on", "call_basic", "removed", "pro 500, 110,000 min", "—"),
        ("add-on", "call_advanced", "status", "on sale", "withdrawn 2023-03-07"),
        ("add-on", "call_advanced", "sold on", "pro", "—"),
        ("add-on", "call_premium", "removed", "flagship 1,500, 380,000 min", "—"),
        ("add-on", "call_1v1", "added", "—", "pro 500, flagship 500, 110,000 min"),
        ("add-on", "call_group_380k", "added", "—", "pro 1,500, flagship 1,500, 380,000 min"),
        ("add-on", "call_group_1400k", "added", "—", "pro 5,000, flagship 5,000, 1,400,000 min"),
    ]


def test_diff_2023_03_to_2024(capsys):
    assert diff_rows(capsys, CN_2023, CN_2024) == [
        ("meta", "book", "id", CN_2023, CN_2024),
        ("meta", "book", "period", "2023-03-07 – 2023-12-31", "from 2024-01-01"),
        ("edition", "pro", "monthly price", "999", "1,499"),
    ]


def test_diff_cn_2024_to_overseas(capsys):
    rows = diff_rows(capsys, CN_2024, OVERSEAS)
    assert rows[:8] == [
        ("meta", "book", "id", CN_2024, OVERSEAS),
        ("meta", "book", "region", "cn", "overseas"),
        ("meta", "book", "period", "from 2024-01-01", "no dates"),
        ("meta", "book", "add-ons", "sold", get_price_book(OVERSEAS).addons_unavailable),
        ("edition", "pro", "monthly price", "1,499", "2,999"),
        ("edition", "flagship", "monthly price", "2,999", "5,999"),
        ("overage", "overage_dau", "block price", "1,000", "3,000"),
        ("overage", "overage_groups", "block price", "1,000", "3,000"),
    ]
    removed = [r[1] for r in rows[8:] if r[2] == "removed"]
    assert removed == [a.code for a in get_price_book(CN_2024).addons] + ["call_minutes"]
    assert len(rows) == 8 + len(removed)


def test_diff_text_shows_the_pro_price_change(capsys):
    assert main(["diff", SEED, CN_2024]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"{SEED} (until 2023-03-06) → {CN_2024} (from 2024-01-01): 10 difference(s)"
    assert any(line.split()[:3] == ["edition", "pro", "monthly"] and line.split()[-2:] == ["999", "1,499"]
               for line in out.splitlines())



# ---------------------------------------------------------------- the default a user gets


def test_without_a_choice_every_way_in_prices_with_the_book_in_force(capsys, unpinned, tmp_path, monkeypatch, xl):
    # today (2024 book): pro 1,499 a month
    assert main(["price", "--edition", "pro"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("Total for 1 month: CNY 1,499")
    assert call_like_excel(*xl, "IMQUOTE", "pro") == [[1499]]
    assert call_like_excel(*xl, "IMPRICE", "pro") == [[1499]]
    assert xlpricing.quote("pro").total == Decimal("1499")
    # a quote dated 2023-06-01 is priced with the book in force that day (2023-03: pro 999) and
    # recorded so; (999 + 3 blocks × 1,000) × 12 = 47,988
    monkeypatch.chdir(tmp_path)
    assert main(["quote", "--edition", "pro", "--dau", "35000", "--months", "12", "--date", "2023-06-01",
                 "--customer", "Dated"]) == 0
    assert "total pro CNY 47,988" in capsys.readouterr().out
    from xlpricing.register import Register
    with Register.open() as reg:
        (r,) = reg.quotes(customer="Dated")
    assert (r.price_book, r.total) == (CN_2023, Decimal("47988"))


def proposal_texts(path) -> list[str]:
    ws = openpyxl.load_workbook(path)[L.PROPOSAL_SHEET]
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def test_a_proposal_priced_with_a_superseded_book_says_so_on_the_page(tmp_path, capsys, unpinned):
    old = tmp_path / "old.xlsx"
    assert main(["--price-book", SEED, "quote", "--edition", "pro", "--customer", "A", "--date", "2026-12-01",
                 "-o", str(old)]) == 0
    notes = [t for t in proposal_texts(old) if "superseded" in t or "取代" in t]
    assert notes == ["注意：本报价所用价目表 tencent-im-cn-seed（until 2023-03-06）已于 2023-03-07 被新价目表取代 "
                     "Note: prices of tencent-im-cn-seed (until 2023-03-06), superseded on 2023-03-07 by "
                     "tencent-im-cn-2023-03, before this quote's date"]
    # the same book on a date it was in force: nothing to say
    then = tmp_path / "then.xlsx"
    assert main(["--price-book", SEED, "quote", "--edition", "pro", "--customer", "B", "--date", "2023-01-10",
                 "-o", str(then)]) == 0
    assert not [t for t in proposal_texts(then) if "superseded" in t or "取代" in t]
    fresh = tmp_path / "now.xlsx"
    assert main(["quote", "--edition", "pro", "--customer", "C", "-o", str(fresh)]) == 0
    assert not [t for t in proposal_texts(fresh) if "superseded" in t or "取代" in t]


def test_lite_and_template_for_the_overseas_book_build_and_price_their_examples(tmp_path, capsys):
    """#19.7: `xlpricing lite --region overseas` failed on add-ons nobody asked for (the examples'
    history_90, which the overseas book does not sell)."""
    assert main(["--region", "overseas", "lite", "-o", str(tmp_path / "l.xlsx")]) == 0
    assert main(["--region", "overseas", "template", "--xlsm", "-o", str(tmp_path / "t.xlsm")]) == 0
    for name in ("l.xlsx", "t.xlsm"):
        ws = openpyxl.load_workbook(tmp_path / name, data_only=True)[L.EXAMPLES_SHEET]
        rows = {ws.cell(r, 1).value: ws.cell(r, 3).value for r in range(1, ws.max_row + 1)}
        # overseas pro 2,999 + 3 DAU blocks (35,000 − 10,000 free) and 2 group blocks × 3,000 = 17,999 × 12
        assert rows["pro, 35,000 DAU, 202,000 groups, no add-ons, 12 months"] == 215_988, name


def test_price_book_messages_name_the_variable_a_bad_date_and_never_suggest_a_withdrawn_item(
        capsys, monkeypatch, unpinned):
    """#19.7: a bad XLPRICING_PRICE_BOOK was not named as the variable; an impossible date read
    "unknown price book"; "did you mean call_advanced?" pointed at a withdrawn item."""
    monkeypatch.setenv("XLPRICING_PRICE_BOOK", "acme-specal")
    assert main(["price", "--edition", "pro"]) == 2
    assert "price book XLPRICING_PRICE_BOOK=acme-specal has 1 problem(s)" in capsys.readouterr().err
    monkeypatch.setenv("XLPRICING_PRICE_BOOK", "2023-02-30")
    assert main(["price", "--edition", "pro"]) == 2
    err = capsys.readouterr().err
    assert "XLPRICING_PRICE_BOOK" in err and "2023-02-30 is not a date" in err and "no price book called" not in err
    monkeypatch.delenv("XLPRICING_PRICE_BOOK")
    assert main(["--as-of", "2024-06-01", "price", "--edition", "pro", "--addon", "call_advance"]) == 2
    assert capsys.readouterr().err.strip() == (
        "xlpricing: error: unknown add-on 'call_advance': call_advanced was withdrawn from sale on 2023-03-07: "
        "choose call_1v1 or a group call tier instead; existing holders renew it at the old price")
    assert main(["--as-of", "2024-06-01", "price", "--edition", "pro", "--addon", "call_1v2"]) == 2
    assert "(did you mean call_1v1?)" in capsys.readouterr().err

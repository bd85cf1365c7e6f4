"""The catalog of price books: passed to whoever prices, its memos its own, no module global to set.

Hand-worked totals (pro, 35,000 peak DAU, 12 months; 10,000 DAU free, each started 10,000 above
costs 1,000 a month, so 25,000 above is 3 blocks = 3,000):
- seed page: (999 + 3,000) × 12 = 47,988
- 2024 book: (1,499 + 3,000) × 12 = 53,988
"""

import asyncio
import datetime as dt
from decimal import Decimal

import pytest

import xlpricing
import xlpricing.book.catalog
import xlpricing.pricebook
import xlpricing.remote
from server_harness import ServerProcess, cli, make_team
from xlpricing.book.catalog import Catalog
from xlpricing.errors import PriceBookError

SEED, CN_2023, CN_2024 = "tencent-im-cn-seed", "tencent-im-cn-2023-03", "tencent-im-cn-2024"
SEED_TEXT = (xlpricing.pricebook.PRICEBOOK_DIR / f"{SEED}.toml").read_text(encoding="utf-8")
ACME_TEXT = SEED_TEXT.replace(f'id = "{SEED}"', 'id = "acme-special"', 1)


def twelve_months_of_pro(book) -> Decimal:
    return xlpricing.quote("pro", 35_000, 0, (), 12, price_book=book).total


def module_state(*modules) -> dict:
    return {module.__name__: dict(vars(module)) for module in modules}


def assert_unchanged(before: dict, modules) -> None:
    after = module_state(*modules)
    for name, names in before.items():
        assert after[name].keys() == names.keys(), name
        changed = [k for k, v in names.items() if after[name][k] is not v]
        assert not changed, f"{name}: {changed} reassigned"


def test_two_catalogs_with_different_defaults_price_differently_in_one_process():
    seed, cn_2024 = Catalog(default=SEED), Catalog(default=CN_2024)
    assert twelve_months_of_pro(seed.default()) == 47_988
    assert twelve_months_of_pro(cn_2024.default()) == 53_988
    assert twelve_months_of_pro(seed.choose()) == 47_988  # asked again, in the other order
    assert cn_2024.choose().id == CN_2024
    # a catalog's own default wins over the team's: the suite pins the seed book in the environment
    assert xlpricing.pricebook.choose_price_book().id == SEED


def test_a_catalog_without_a_default_reads_the_team_default_when_asked(monkeypatch):
    catalog = Catalog()
    assert catalog.default().id == SEED  # the suite's XLPRICING_PRICE_BOOK
    monkeypatch.setenv("XLPRICING_PRICE_BOOK", "2023-05-01")
    assert catalog.default().id == CN_2023
    monkeypatch.setenv("XLPRICING_PRICE_BOOK", "acme-specal")
    with pytest.raises(PriceBookError) as raised:
        catalog.default()
    assert raised.value.source == "XLPRICING_PRICE_BOOK=acme-specal"


def test_a_default_given_to_a_catalog_is_checked_and_named_where_it_was_given():
    with pytest.raises(PriceBookError) as raised:
        Catalog(default="acme-specal")
    assert raised.value.source == "default=acme-specal" and "no price book called 'acme-specal'" in str(raised.value)
    with pytest.raises(PriceBookError, match="2023-02-30 is not a date"):
        Catalog().use_default("2023-02-30")


def test_books_from_text_and_new_defaults_leave_every_module_as_it_was():
    modules = (xlpricing, xlpricing.pricebook, xlpricing.book.catalog)
    before = module_state(*modules)
    catalog = Catalog()
    book = catalog.from_text(ACME_TEXT, "acme.toml")
    assert catalog.from_text(ACME_TEXT) is book  # read once: remembered by its SHA-256
    assert Catalog().from_text(ACME_TEXT) is not book  # by that catalog, not by the module
    assert catalog.use_book_text(ACME_TEXT) is book
    assert catalog.default() is book and catalog.get("acme-special") is book and "acme-special" in catalog.ids()
    assert catalog.use_default(CN_2024).id == CN_2024
    assert catalog.in_force(dt.date(2023, 6, 1)).id == CN_2023
    assert_unchanged(before, modules)
    # the shipped catalog behind xlpricing.pricebook never heard of it
    assert xlpricing.pricebook.get_price_book().id == SEED
    with pytest.raises(PriceBookError, match="no price book called 'acme-special'"):
        xlpricing.pricebook.get_price_book("acme-special")


def test_a_book_given_as_text_does_not_replace_the_folders_book_of_the_same_id():
    catalog = Catalog()
    own = catalog.use_book_text(SEED_TEXT.replace('monthly_price = 999', 'monthly_price = 1099', 1))
    assert own.id == SEED and catalog.get(SEED) is own and twelve_months_of_pro(own) == (1_099 + 3_000) * 12
    # the dates still come from the folder's books
    assert catalog.in_force(dt.date(2023, 1, 1)) is not own and catalog.in_force(dt.date(2023, 1, 1)).id == SEED
    assert [b.id for b in catalog.books()].count(SEED) == 1


@pytest.mark.parametrize("day, book", [("2023-03-06", SEED), ("2023-03-07", CN_2023), ("2023-12-31", CN_2023),
                                       ("2024-01-01", CN_2024)])
def test_the_book_of_a_day_is_chosen_by_the_date_passed_in(unpinned, day, book):
    catalog = Catalog(clock=lambda: dt.datetime(2026, 6, 1, 12).timestamp())  # "today": 2026-06-01
    assert catalog.default(dt.date.fromisoformat(day)).id == book
    assert catalog.choose(today=dt.date.fromisoformat(day)).id == book
    assert catalog.default().id == CN_2024  # today's, not the day asked before


def test_todays_book_changes_at_midnight_on_the_catalogs_clock(unpinned):
    now = [dt.datetime(2023, 12, 31, 23, 59).timestamp()]
    catalog = Catalog(clock=lambda: now[0])
    assert catalog.default().id == CN_2023 and catalog.today() == dt.date(2023, 12, 31)
    now[0] = dt.datetime(2024, 1, 1, 0, 1).timestamp()
    assert catalog.default().id == CN_2024
    assert catalog.superseded(catalog.get(CN_2023)) == (
        "prices of tencent-im-cn-2023-03 (2023-03-07 – 2023-12-31), superseded on 2024-01-01 by tencent-im-cn-2024")


# ------------------------------------------------------------------ the Lite workbook's update_price_book


class _Cell:
    value = None


class _Workbook:
    """What update_book touches of an xlwings Book: one cell of one sheet."""

    def __init__(self, sheet: str, cell: str):
        self.said = _Cell()
        self.sheets = {sheet: {cell: self.said}}


@pytest.fixture
def server(tmp_path, monkeypatch):
    register = str(tmp_path / "register.sqlite3")
    settings = make_team(tmp_path, register)
    s = ServerProcess(register, settings, tmp_path / "documents", tmp_path / "server.log")
    token = cli("users", "token", "lina", "--label", "Excel", "--register", register, "--settings", str(settings))
    assert token.returncode == 0, token.stderr
    monkeypatch.setenv("XLPRICING_SERVER", s.url)
    monkeypatch.setenv("XLPRICING_TOKEN", token.stdout.strip())
    yield s
    s.stop()


def test_the_servers_book_becomes_the_default_of_the_catalog_that_asked_and_nothing_else(server):
    modules = (xlpricing, xlpricing.pricebook, xlpricing.book.catalog, xlpricing.remote)
    shipped = sorted(xlpricing.pricebook.PRICEBOOK_DIR.iterdir())
    before = module_state(*modules)
    catalog, other = Catalog(default=CN_2024), Catalog(default=CN_2024)
    workbook = _Workbook("Quote", "A3")
    said = asyncio.run(xlpricing.remote.update_book(workbook, "Quote", "A3", catalog.use_book_text))
    # the server pins the seed book (the suite's XLPRICING_PRICE_BOOK)
    assert said.startswith(f"price book {SEED} (from the team server") and workbook.said.value == said
    assert twelve_months_of_pro(catalog.default()) == 47_988
    assert twelve_months_of_pro(other.default()) == 53_988
    assert_unchanged(before, modules)
    assert sorted(xlpricing.pricebook.PRICEBOOK_DIR.iterdir()) == shipped  # no file written into the package


def test_a_book_that_does_not_hold_together_is_said_in_the_cell(monkeypatch):
    async def broken():
        return "acme-special", ACME_TEXT.replace('monthly_price = 999', 'monthly_price = "lots"', 1)
    monkeypatch.setattr(xlpricing.remote, "book_in_force", broken)
    catalog = Catalog(default=CN_2024)
    workbook = _Workbook("Quote", "A3")
    said = asyncio.run(xlpricing.remote.update_book(workbook, "Quote", "A3", catalog.use_book_text))
    assert said.startswith("#BOOK: ") and "is not a number: 'lots'" in said and workbook.said.value == said
    assert catalog.default().id == CN_2024


def test_a_workbooks_example_cells_are_priced_with_a_catalog_defaulting_to_its_book():
    """with_default: a catalog of the same books with another default; the one it came from keeps
    its own, so building a workbook for one book leaves every other pricing as it was."""
    from xlpricing import udf
    from xlpricing.sheets.udfcalls import Call, literal
    shipped = Catalog(default=CN_2024)
    for_the_workbook = shipped.with_default(shipped.get(SEED))
    before = module_state(xlpricing.pricebook, xlpricing.book.catalog, udf)
    call = Call("IMQUOTE", (literal("pro"), literal(35_000), literal(0), literal(""), literal(12)))
    assert call.result(for_the_workbook) == [[(999 + 3_000) * 12]]
    assert call.result(shipped) == [[(1_499 + 3_000) * 12]]
    assert shipped.default().id == CN_2024 and for_the_workbook.default().id == SEED
    for_the_workbook.use_book_text(ACME_TEXT)  # a book given to one is not the other's
    assert "acme-special" in for_the_workbook.ids() and "acme-special" not in shipped.ids()
    assert_unchanged(before, (xlpricing.pricebook, xlpricing.book.catalog, udf))

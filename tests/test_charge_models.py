"""One contract for every charge model in the registry (Lago's way): the amount and its breakdown
from ``charge``, and the same rule as the spreadsheet formulas the model writes, recalculated by
LibreOffice (an engine nobody here wrote) at every boundary usage. (The ``formulas`` package
is not used here: its TEXT(0, "#,##0") gives "0,", where Excel and LibreOffice give "0".)"""

from decimal import Decimal

import shutil

import openpyxl
import pytest

from xlpricing import get_price_book
from xlpricing.charges import CHARGE_MODELS, USAGE_MODELS, BlockCharge, FlatCharge
from xlpricing.engine import usage_charge

# One example of each model; a model added to the registry without one fails the first test.
EXAMPLES = {
    "flat": FlatCharge(Decimal(999), "includes 10,000 peak DAU", "含峰值 DAU 10,000"),
    "block": BlockCharge(10_000, 10_000, Decimal(1000), "peak DAU", "峰值 DAU", "1万个"),
}
# Usages around every boundary of the examples: the free quota (9,999 / 10,000 / 10,001), one
# block above it, and far beyond.
USAGES = [0, 1, 9_999, 10_000, 10_001, 19_999, 20_000, 20_001, 22_000, 35_000, 1_000_000_000_000]


def test_every_model_in_the_registry_has_an_example():
    assert set(EXAMPLES) == set(CHARGE_MODELS)
    assert all(isinstance(EXAMPLES[name], CHARGE_MODELS[name]) for name in EXAMPLES)
    assert set(USAGE_MODELS) <= set(CHARGE_MODELS)


@pytest.mark.parametrize("name", sorted(CHARGE_MODELS))
def test_a_charge_never_decreases_as_usage_grows_and_explains_itself(name):
    model = EXAMPLES[name]
    charges = [model.charge(u) for u in USAGES]
    amounts = [c.amount for c in charges]
    assert amounts == sorted(amounts) and amounts[0] >= 0
    for c in charges:
        assert isinstance(c.amount, Decimal) and isinstance(c.quantity, int)
        assert c.note.en.strip() and c.note.zh.strip()


@pytest.mark.parametrize("name", sorted(CHARGE_MODELS))
def test_the_fast_amount_is_the_breakdowns_amount(name):
    """``amount`` (what the scalar =IMQUOTE path sums) and ``charge`` (the lines) are one rule."""
    model = EXAMPLES[name]
    assert [model.amount(u) for u in USAGES] == [model.charge(u).amount for u in USAGES]


def test_the_block_model_by_hand():
    """Tencent's worked example and the free-quota boundary, worked by hand."""
    model = EXAMPLES["block"]
    # 9,999 and 10,000 are free; 10,001 starts one block; 22,000 − 10,000 = 12,000 → 2 blocks = 2,000
    assert [model.charge(u).amount for u in (9_999, 10_000, 10_001, 20_000, 20_001, 22_000)] == \
        [0, 0, 1000, 1000, 2000, 2000]
    assert model.charge(22_000).note.en == "22,000 peak DAU − 10,000 free = 12,000 → 2 blocks of 10,000"
    assert model.charge(22_000).note.zh == "峰值 DAU 22,000 − 免费 10,000 = 12,000 → 2 × 1万个"
    assert model.charge(10_000).note.en == "10,000 peak DAU ≤ 10,000 free → 0 blocks"


def test_the_price_books_name_their_models():
    for book_id in ("tencent-im-cn-seed", "tencent-im-cn-2024", "tencent-im-overseas"):
        book = get_price_book(book_id)
        for over in book.overage:
            assert over.model in USAGE_MODELS
            assert isinstance(usage_charge(over, 10_000), CHARGE_MODELS[over.model])


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    """Every example's formulas over every usage, recalculated by LibreOffice."""
    if shutil.which("soffice") is None:
        pytest.skip("needs LibreOffice (apt-get install libreoffice-calc-nogui; .ci/run installs it)")
    from xlpricing.sheets.libreoffice import convert
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "contract"
    cells = {}
    row = 1
    for name, model in EXAMPLES.items():
        free = getattr(model, "free", 0)
        block = getattr(model, "block_size", 1)
        for usage in USAGES:
            ws.cell(row, 1, usage)
            ws.cell(row, 2, free)
            ws.cell(row, 3, block)
            a, b, c, d = f"A{row}", f"B{row}", f"C{row}", f"D{row}"
            ws.cell(row, 4, "=" + model.excel_quantity(a, b, c))
            ws.cell(row, 5, "=" + model.excel_note("en", a, b, d, c))
            ws.cell(row, 6, "=" + model.excel_note("zh", a, b, d, c))
            cells[(name, usage)] = row
            row += 1
    folder = tmp_path_factory.mktemp("contract")
    wb.save(folder / "contract.xlsx")
    (out,) = convert([folder / "contract.xlsx"], "xlsx", folder / "out")
    ws = openpyxl.load_workbook(out, data_only=True)["contract"]
    return {key: (ws[f"D{r}"].value, ws[f"E{r}"].value, ws[f"F{r}"].value) for key, r in cells.items()}


@pytest.mark.parametrize("name", sorted(CHARGE_MODELS))
@pytest.mark.parametrize("usage", USAGES)
def test_the_spreadsheet_formulas_state_the_same_rule(recalculated, name, usage):
    quantity, note_en, note_zh = recalculated[(name, usage)]
    expected = EXAMPLES[name].charge(usage)
    assert int(quantity) == expected.quantity
    assert (note_en, note_zh) == (expected.note.en, expected.note.zh)

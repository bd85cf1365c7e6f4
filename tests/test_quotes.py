"""Quote workbooks (one deal, and batches): values in the file, live formulas, literal free text,
safe files, and LibreOffice agreeing with every stored value."""

import datetime as dt
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from workbook_scenarios import expected_total, scenarios
from xlpricing import get_price_book, quote
from xlpricing.cli import main
from xlpricing.sheets import layout as L
from xlpricing.sheets.cached import add_cached_values, sheet_xml_path
from xlpricing.sheets.libreoffice import INSTALL_HINT, convert, find_soffice
from xlpricing.files import safe_file_stem, unique_path
from xlpricing.sheets.proposal import Proposal, QuoteWorkbookWriter, literal, write_quote_workbook
from xlpricing.sheets.template import save_workbook

BOOK = get_price_book()
VALID = [s for s in scenarios() if expected_total(*s) is not None]
NASTY = ['=HYPERLINK("http://evil.example","click")', "+1", "-1+2", "@SUM(A1)", "#N/A", "=1+1", "=cmd|' /C calc'!A0"]
FREE_TEXT = {"customer": "B4", "contact": "B5", "quote_number": "H4", "notes": "B7"}
needs_libreoffice = pytest.mark.skipif(find_soffice() is None, reason=f"needs LibreOffice: {INSTALL_HINT}")
PROPOSAL = Proposal("示例科技有限公司", contact="王伟", quote_date=dt.date(2026, 11, 26))


def as_quote(scenario):
    edition, dau, groups, addons, months, *discount = scenario
    return quote(edition, dau, groups, list(addons), months, discount_percent=discount[0] if discount else 0)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("quotes")
    writer = QuoteWorkbookWriter(BOOK)
    return [writer.write(folder / f"q{i:03d}.xlsx", as_quote(s), PROPOSAL) for i, s in enumerate(VALID)]


def formula_cells(path):
    ws = openpyxl.load_workbook(path)[L.QUOTE_SHEET]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.data_type == "f"}


def same(a, b) -> bool:
    """Cell values equal as a spreadsheet means it: numbers by value, blank text as blank."""
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return Decimal(str(a)) == Decimal(str(b))
    return a == b


# ---------------------------------------------------------------- values in the file


@pytest.mark.parametrize("index", range(len(VALID)), ids=[repr(s) for s in VALID])
def test_cached_values_equal_the_engine(written, index):
    q = as_quote(VALID[index])
    ws = openpyxl.load_workbook(written[index], data_only=True)[L.QUOTE_SHEET]
    assert Decimal(str(ws[L.QUOTE_TOTAL_CELL].value)) == q.total
    assert ws[L.STATUS_CELL].value == "OK"
    lines = {ws[f"A{r}"].value: r for r in range(L.LINE_ROWS[0], L.LINE_ROWS[1] + 1) if ws[f"A{r}"].value}
    for line in q.lines:
        r = lines[line.code]
        assert Decimal(str(ws[f"{L.COL['amount']}{r}"].value)) == line.amount
        assert same(ws[f"{L.COL['note']}{r}"].value, line.note_en)


@pytest.mark.parametrize("sheet, at_least", [(L.QUOTE_SHEET, 200), (L.PROPOSAL_SHEET, 10)])
def test_every_formula_cell_carries_a_value(written, sheet, at_least):
    with zipfile.ZipFile(written[0]) as z:
        xml = z.read(sheet_xml_path(z, sheet)).decode("utf-8")
    formulas = re.findall(r"<c [^>]*><f>.*?</f>(<v>.*?</v>|<v\s*/>)?</c>", xml, re.S)
    assert len(formulas) > at_least
    assert all(v.startswith("<v>") for v in formulas)


def test_total_is_a_live_formula_and_names_are_kept(written):
    wb = openpyxl.load_workbook(written[0])
    ws = wb[L.QUOTE_SHEET]
    assert ws[L.QUOTE_TOTAL_CELL].data_type == "f" and ws[L.QUOTE_TOTAL_CELL].value.startswith("=IF(q_errors=0")
    for name in ("Edition", "PeakDAU", "PeakGroups", "Months", "Addons", "QuoteTotal"):
        assert name in wb.defined_names
    assert ws.protection.sheet and ws[L.INPUT_CELLS["PeakDAU"]].protection.locked is False


def test_proposal_header_and_terms(tmp_path):
    q = quote("pro", 35_000, 202_000, ["history_90", "moderation"], 12)
    path = write_quote_workbook(tmp_path / "q.xlsx", BOOK, q, Proposal(
        "示例科技有限公司", contact="王伟", quote_number="Q-1", quote_date=dt.date(2026, 11, 26), notes="Pilot"))
    ws = openpyxl.load_workbook(path, data_only=True)[L.QUOTE_SHEET]
    cell = lambda key: ws[L.HEADER_FIELDS[key][2]].value  # noqa: E731
    assert (cell("customer"), cell("contact"), cell("quote_number"), cell("notes")) == ("示例科技有限公司", "王伟", "Q-1", "Pilot")
    assert cell("quote_date").date() == dt.date(2026, 11, 26)
    assert cell("valid_until").date() == dt.date(2026, 12, 26)  # 30 days
    assert cell("currency") == "CNY"
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    assert BOOK.name_zh in text and BOOK.source_url in text
    for note in ("one_package_per_app", "no_return_to_trial", "prepaid", "postpaid"):
        assert next(n for n in BOOK.notes if n.code == note).en in text


def test_quote_number_is_made_from_the_deal_when_not_given():
    q = quote("pro")
    number = Proposal("A", quote_date=dt.date(2026, 1, 2)).number_for(q)
    assert re.fullmatch(r"Q20260102-[0-9A-F]{6}", number)
    assert number == Proposal("A", quote_date=dt.date(2026, 1, 2)).number_for(q)  # stable
    assert number != Proposal("B", quote_date=dt.date(2026, 1, 2)).number_for(q)


# ---------------------------------------------------------------- discount


def test_discount_is_its_own_line_below_the_list_prices(tmp_path):
    # list 7999 a month; 12.5% → 999.875 → 999.88 (half up); term: (7999 − 999.88) × 12 = 83,989.44
    q = quote("pro", 35_000, 202_000, ["history_90", "moderation"], 12, discount_percent="12.5%")
    assert q.list_total == Decimal(95_988)
    assert q.discount == Decimal("-11998.56")
    assert q.total == Decimal("83989.44")
    ws = openpyxl.load_workbook(write_quote_workbook(tmp_path / "d.xlsx", BOOK, q, PROPOSAL),
                                data_only=True)[L.QUOTE_SHEET]
    row = L.DISCOUNT_LINE_ROW
    assert ws[f"A{row}"].value == "discount"
    assert ws[f"C{row}"].value == "Discount 12.5%"
    assert Decimal(str(ws[f"{L.COL['amount']}{row}"].value)) == Decimal("-11998.56")
    assert Decimal(str(ws[f"{L.COL['amount']}{L.PREPAID_ROW}"].value)) == Decimal(23_988)  # list, not hidden
    assert Decimal(str(ws[L.QUOTE_TOTAL_CELL].value)) == Decimal("83989.44")


# ---------------------------------------------------------------- free text stays text


@pytest.mark.parametrize("text", NASTY)
@pytest.mark.parametrize("field", sorted(FREE_TEXT))
def test_free_text_is_written_as_text(tmp_path, field, text):
    proposal = Proposal(**{"customer": "ACME", field: text}) if field != "customer" else Proposal(text)
    path = write_quote_workbook(tmp_path / "q.xlsx", BOOK, quote("pro"), proposal)
    cell = openpyxl.load_workbook(path)[L.QUOTE_SHEET][FREE_TEXT[field]]
    assert (cell.value, cell.data_type) == (text, "s")
    assert openpyxl.load_workbook(path, data_only=True)[L.QUOTE_SHEET][FREE_TEXT[field]].value == text


def test_literal_marks_formula_looking_text():
    cell = openpyxl.Workbook().active["A1"]
    literal(cell, "=1+1")
    assert cell.data_type == "s" and cell.quotePrefix


# ---------------------------------------------------------------- files


def test_no_overwrite_without_force(tmp_path):
    path = write_quote_workbook(tmp_path / "q.xlsx", BOOK, quote("pro"), PROPOSAL)
    with pytest.raises(FileExistsError, match="pass --force"):
        write_quote_workbook(path, BOOK, quote("flagship"), PROPOSAL)
    write_quote_workbook(path, BOOK, quote("flagship"), PROPOSAL, force=True)
    assert openpyxl.load_workbook(path, data_only=True)[L.QUOTE_SHEET][L.QUOTE_TOTAL_CELL].value == 2999


def test_a_crash_while_writing_leaves_no_file(tmp_path):
    def crash(tmp):
        raise RuntimeError("disk full")
    with pytest.raises(RuntimeError):
        save_workbook(openpyxl.Workbook(), tmp_path / "q.xlsx", finish=crash)
    assert list(tmp_path.iterdir()) == []  # neither the workbook nor its temp file


@pytest.mark.parametrize("name, stem", [
    ("示例科技有限公司", "示例科技有限公司"),
    ('ACME "Global" <Ltd>: A/B\\C|D?*', "ACME _Global_ _Ltd_ A_B_C_D"),
    ("CON", "quote-CON"), ("nul.txt", "quote-nul.txt"), ("  ...  ", "quote"), ("", "quote"),
    ("=HYPERLINK(1)", "HYPERLINK(1)"), ("a" * 200, "a" * 120), ("tab\there", "tab_here"),
    # cut by UTF-8 bytes, never inside a character: 100 emoji are 400 bytes, 30 fit in 120
    ("😀" * 100, "😀" * 30), ("示" * 100, "示" * 40),
    # text that becomes a file name never leaves its folder
    ("NW/2026/001", "NW_2026_001"), ("../../x", "x"), ("..", "quote"), ("a\u2028b\x85c", "a_b_c"),
])
def test_safe_file_names(name, stem):
    assert safe_file_stem(name) == stem


def test_unique_names_are_case_blind(tmp_path):
    taken = set()
    names = [unique_path(tmp_path, s, ".xlsx", taken).name for s in ("ACME", "acme", "ACME", "Other")]
    assert names == ["ACME.xlsx", "acme-2.xlsx", "ACME-3.xlsx", "Other.xlsx"]


# ---------------------------------------------------------------- the command


def test_quote_command(tmp_path, capsys):
    out = tmp_path / "quote.xlsx"
    argv = ["quote", "--edition", "pro", "--dau", "35000", "--groups", "202000", "--addon", "history_90",
            "--addon", "moderation", "--months", "12", "--customer", "示例科技有限公司", "-o", str(out)]
    assert main(argv) == 0
    assert "total pro CNY 95,988" in capsys.readouterr().out
    assert main(argv) == 2 and "exists; pass --force" in capsys.readouterr().err
    assert main([*argv, "--force", "--edition", "gold"]) == 2
    assert "unknown edition 'gold'" in capsys.readouterr().err


def test_quote_command_default_name_is_safe(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["quote", "--edition", "pro", "--customer", 'A/B: "C"', "--quote-number", "N1"]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["A_B_ _C-N1.xlsx"]


def test_pdf_without_libreoffice_says_how_to_install(tmp_path, capsys, monkeypatch):
    import xlpricing.sheets.libreoffice as lo
    monkeypatch.setattr(lo, "find_soffice", lambda: None)
    out = tmp_path / "q.xlsx"
    assert main(["quote", "--edition", "pro", "--customer", "A", "-o", str(out), "--pdf"]) == 2
    assert "apt-get install libreoffice-calc-nogui" in capsys.readouterr().err
    assert not out.exists()  # nothing half done


# ---------------------------------------------------------------- LibreOffice agrees


@needs_libreoffice
def test_libreoffice_recalculation_keeps_every_stored_value(written, tmp_path):
    recalculated = convert(written, "xlsx", tmp_path)
    for ours, theirs in zip(written, recalculated):
        stored = openpyxl.load_workbook(ours, data_only=True)[L.QUOTE_SHEET]
        computed = openpyxl.load_workbook(theirs, data_only=True)[L.QUOTE_SHEET]
        for coord in formula_cells(ours):
            assert same(stored[coord].value, computed[coord].value), (ours.name, coord, stored[coord].value,
                                                                      computed[coord].value)


@needs_libreoffice
def test_libreoffice_really_recalculates(written, tmp_path):
    # control: a wrong stored total must come back corrected, or the test above proves nothing
    wrong = tmp_path / "wrong.xlsx"
    wrong.write_bytes(written[0].read_bytes())
    with zipfile.ZipFile(wrong) as z:
        xml = z.read(sheet_xml_path(z, L.QUOTE_SHEET)).decode()
    total = re.search(rf'<c r="{L.QUOTE_TOTAL_CELL}"[^>]*><f>.*?</f><v>(.*?)</v>', xml).group(1)
    path = tmp_path / "wrong2.xlsx"
    wb = openpyxl.load_workbook(wrong)
    wb.save(path)  # drops stored values; now store a wrong one
    add_cached_values(path, L.QUOTE_SHEET, {L.QUOTE_TOTAL_CELL: 1})
    assert openpyxl.load_workbook(path, data_only=True)[L.QUOTE_SHEET][L.QUOTE_TOTAL_CELL].value == 1
    (out,) = convert([path], "xlsx", tmp_path / "out")
    assert same(openpyxl.load_workbook(out, data_only=True)[L.QUOTE_SHEET][L.QUOTE_TOTAL_CELL].value, float(total))


@needs_libreoffice
def test_free_text_survives_libreoffice(tmp_path):
    path = write_quote_workbook(tmp_path / "q.xlsx", BOOK, quote("pro"),
                                Proposal(NASTY[0], contact=NASTY[2], notes=NASTY[4], quote_number=NASTY[3]))
    (out,) = convert([path], "xlsx", tmp_path / "out")
    ws = openpyxl.load_workbook(out, data_only=True)[L.QUOTE_SHEET]
    assert [ws[FREE_TEXT[k]].value for k in ("customer", "contact", "notes", "quote_number")] == \
        [NASTY[0], NASTY[2], NASTY[4], NASTY[3]]

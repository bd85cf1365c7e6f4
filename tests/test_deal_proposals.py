"""quote --deal: one proposal for a deal of several apps, with the groups, the month table and the
tax split, every amount the engine's (hand-worked below, 2024 book: pro 1,499, flagship 2,999)."""

import shutil
import openpyxl
import pytest

from xlpricing.cli import main
from xlpricing.sheets import layout as L
from xlpricing.sheets.dealproposal import DEAL_LINES_SHEET

DEAL = '''months = 12
[[apps]]
name = "主应用 Production"
edition = "pro"
addons = ["history_90"]
peak_dau = 8000
  [[apps.phases]]
  from_month = 4
  peak_dau = 25000
  [[apps.phases]]
  from_month = 7
  edition = "flagship"
  peak_dau = 61000
[[apps]]
name = "=HYPERLINK(\\"http://x\\",\\"second\\")"
from_month = 3
edition = "pro"
peak_dau = 12000
[[apps]]
name = "#N/A test"
edition = "trial"
'''


def write(tmp_path, *extra):
    (tmp_path / "deal.toml").write_text(DEAL, encoding="utf-8")
    out = tmp_path / "deal.xlsx"
    code = main(["--price-book", "tencent-im-cn-2024", "quote", "--deal", str(tmp_path / "deal.toml"),
                 "--customer", "示例科技有限公司", "--date", "2026-12-02", "-o", str(out), *extra])
    return code, out


def cells(ws):
    return [c.value for row in ws.iter_rows() for c in row if c.value is not None]


def test_the_proposal_groups_the_apps_and_shows_the_tax_split(tmp_path, capsys):
    code, out = write(tmp_path)
    assert code == 0, capsys.readouterr().err
    assert "3 apps, 12 months, total CNY 102,978" in capsys.readouterr().out
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == L.PROPOSAL_SHEET and wb.active.title == L.PROPOSAL_SHEET
    page = wb[L.PROPOSAL_SHEET]
    values = cells(page)
    # production: (1,499 + 1,000) × 3 + (1,499 + 1,000 + 2 × 1,000) × 3 + (2,999 + 500 + 6 × 1,000) × 6
    #           = 7,497 + 13,497 + 56,994 = 77,988; second from month 3: (1,499 + 1,000) × 10 = 24,990
    assert 77_988 in values and 24_990 in values and 102_978 in values
    # 102,978 ÷ 1.06 = 97,149.0566… → 97,149.06; 102,978 − 97,149.06 = 5,828.94
    assert 97_149.06 in values and 5_828.94 in values  # as Excel reads them: doubles of the fen amounts
    assert "人民币壹拾万贰仟玖佰柒拾捌元整" in values  # the zero ends the 万 group: no 零 before 贰仟
    # the month table: month 7 = 9,499 + 2,499 + 0 = 11,998
    assert values.count(11_998) >= 6
    # free text stays text: the names are shown as typed, never a formula or an error value
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith(("=HYPERLINK", "#N/A test")):
                    assert c.data_type == "s", (ws.title, c.coordinate)
    assert '=HYPERLINK("http://x","second")' in values
    lines = cells(wb[DEAL_LINES_SHEET])
    assert "7–12" in lines and "flagship" in lines and 36_000 in lines  # 6 blocks × 1,000 × 6 months


def test_options_or_one_app_flags_with_a_deal_are_refused_and_nothing_is_written(tmp_path, capsys):
    for extra in (["--option", "pro"], ["--months", "6"], ["--edition", "pro"], ["--discount", "5"]):
        code, out = write(tmp_path, *extra)
        err = capsys.readouterr().err
        assert code == 2 and "--deal takes the apps, usage, term and discount from the deal file" in err, extra
        assert not out.exists()


def test_a_bad_deal_writes_nothing(tmp_path, capsys):
    (tmp_path / "deal.toml").write_text('months = 12\n[[apps]]\nname = "a"\nedition = "pro"\n'
                                        '[[apps.phases]]\nfrom_month = 5\nedition = "trial"\n', encoding="utf-8")
    code = main(["quote", "--deal", str(tmp_path / "deal.toml"), "--customer", "x", "-o", str(tmp_path / "x.xlsx")])
    assert code == 2 and "an app on pro cannot go back to trial" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice (.ci/run installs it)")
def test_the_pdf_shows_the_apps_and_the_total(tmp_path, capsys):
    pypdf = pytest.importorskip("pypdf")
    code, out = write(tmp_path, "--pdf")
    assert code == 0, capsys.readouterr().err
    text = "".join(page.extract_text() for page in pypdf.PdfReader(out.with_suffix(".pdf")).pages)
    assert "主应用 Production" in text and "102,978.00" in text and "97,149.06" in text
    assert "逐月费用" in text and "甲方" in text

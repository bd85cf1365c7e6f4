"""One three-app ramp deal through every way in: the deal file (price and quote), =IMDEAL (classic
and Lite), a CSV batch and the template's Deal sheet. Every answer agrees to the fen.

By hand (seed book): production pro at 8,000 DAU in months 1–3 (999), 25,000 in 4–6 (999 + 2
blocks = 2,999), 61,000 in 7–12 (999 + 6 blocks = 6,999): 2,997 + 8,997 + 41,994 = 53,988;
second product on flagship with members_6000 from month 3 at 5,000 DAU: 3,499 × 10 = 34,990;
a trial test app at 50 DAU: 0. Total 88,978; 88,978 ÷ 1.06 = 83,941.509… → 83,941.51, tax 5,036.49.
"""

import json
import shutil

import openpyxl
import pytest

from test_lite import needs_pyodide, run_in_pyodide
from xlpricing import udf
from xlpricing.cli import main
from xlpricing.lite import read_lite_parts
from xlpricing.sheets import layout as L

TOTAL, NET, TAX = 88_978, 83_941.51, 5_036.49
DEAL = '''months = 12
[[apps]]
name = "production"
edition = "pro"
peak_dau = 8000
  [[apps.phases]]
  from_month = 4
  peak_dau = 25000
  [[apps.phases]]
  from_month = 7
  peak_dau = 61000
[[apps]]
name = "second"
from_month = 3
edition = "flagship"
addons = ["members_6000"]
peak_dau = 5000
[[apps]]
name = "test"
edition = "trial"
peak_dau = 50
'''
TABLE = [["应用", "版本", "峰值DAU", "峰值群组", "增值服务", "起始月"],
         ["production", "pro", 8000.0, None, None, None], ["production", None, 25000.0, None, None, 4.0],
         ["production", None, 61000.0, None, None, 7.0], ["second", "flagship", 5000.0, None, "members_6000", 3.0],
         ["test", "trial", 50.0, None, None, None]]
CSV = ("customer,deal,app,edition,peak_dau,addons,months,from_month\n"
       "客户,D,production,pro,8000,,12,\n客户,D,production,,25000,,12,4\n客户,D,production,,61000,,12,7\n"
       "客户,D,second,flagship,5000,members_6000,12,3\n客户,D,test,trial,50,,12,\n")
SEED = ["--price-book", "tencent-im-cn-seed"]


def test_the_deal_file(tmp_path, capsys):
    (tmp_path / "deal.toml").write_text(DEAL, encoding="utf-8")
    assert main([*SEED, "price", "--deal", str(tmp_path / "deal.toml"), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["total"], data["tax"]["net"], data["tax"]["tax"]) == (str(TOTAL), "83941.51", "5036.49")
    assert [a["total"] for a in data["apps"]] == ["53988", "34990", "0"]
    assert main([*SEED, "quote", "--deal", str(tmp_path / "deal.toml"), "--customer", "客户",
                 "-o", str(tmp_path / "q.xlsx")]) == 0
    values = [c.value for row in openpyxl.load_workbook(tmp_path / "q.xlsx")[L.PROPOSAL_SHEET].iter_rows() for c in row]
    assert {TOTAL, NET, TAX, 53_988, 34_990} <= set(values)


def test_imdeal_in_classic_xlwings_terms():
    assert udf.IMDEAL(TABLE, 12.0, None, "tencent-im-cn-seed") == TOTAL
    rows = {(r[0], r[2]): r[7] for r in udf.IMDEAL_LINES(TABLE, 12.0, None, "tencent-im-cn-seed")}
    assert (rows[("tax", "net")], rows[("tax", "tax")]) == (NET, TAX)


@needs_pyodide
def test_imdeal_in_lite(tmp_path):
    path = tmp_path / "lite.xlsx"
    assert main([*SEED, "lite", "-o", str(path)]) == 0
    answer = run_in_pyodide(read_lite_parts(path)["main.py"], {"calls": [("IMDEAL", [TABLE, 12.0])]}, tmp_path)
    assert answer["results"] == [TOTAL]


def test_a_csv_batch(tmp_path, capsys):
    (tmp_path / "d.csv").write_text(CSV, encoding="utf-8")
    assert main([*SEED, "batch", str(tmp_path / "d.csv"), "-o", str(tmp_path / "out")]) == 0
    assert f"1 of 1 quotes written (term total {TOTAL:,})" in capsys.readouterr().out


@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice (.ci/run installs it)")
def test_the_templates_deal_sheet(tmp_path):
    from xlpricing import get_price_book
    from xlpricing.sheets.dealsheet import DAU_FIRST, DEAL_SHEET, FIRST_APP, month_col
    from xlpricing.sheets.libreoffice import convert
    from xlpricing.sheets.template import write_template

    write_template(tmp_path / "t.xlsx", get_price_book("tencent-im-cn-seed"))
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    ws = wb[DEAL_SHEET]
    ws["B4"] = 12
    for i, (name, edition, addon, peaks) in enumerate((("production", "pro", None, {1: 8000, 4: 25000, 7: 61000}),
                                                       ("second", "flagship", "members_6000", {3: 5000}),
                                                       ("test", "trial", None, {1: 50}))):
        ws[f"A{FIRST_APP + i}"], ws[f"B{FIRST_APP + i}"], ws[f"C{FIRST_APP + i}"] = name, edition, addon
        for m, dau in peaks.items():
            ws[f"{month_col(m)}{DAU_FIRST + i}"] = dau
    wb.save(tmp_path / "filled.xlsx")
    (out,) = convert([tmp_path / "filled.xlsx"], "xlsx", tmp_path / "out")
    ws = openpyxl.load_workbook(out, data_only=True)[DEAL_SHEET]
    assert (ws["E4"].value, ws["E5"].value, ws["E6"].value) == (TOTAL, NET, TAX)

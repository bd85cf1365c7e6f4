"""The Lite workbook and the team server: the main.py stored in workbooks/xlpricing-lite.xlsx, run
in Pyodide under Node (as xlwings Lite runs it, HTTP through the browser's fetch), against a real
``xlpricing serve`` on 127.0.0.1. Its script records the quote typed on the quote sheet and
writes the number back; the other fetches the book the server has in force.

Hand-worked (the quote sheet's deal): pro 35,000 peak DAU, 202,000 peak groups, history_90, 12 months.
- seed book (the server's, pinned by the suite): 999 + 1,000 + 3 × 1,000 (25,000 DAU above the free
  10,000) + 2 × 1,000 (102,000 groups above the free 100,000) = 6,999 a month → 83,988.
- 2024 book (the workbook's own): 1,499 + 1,000 + 3 × 1,000 + 2 × 1,000 = 7,499 a month → 89,988.
"""

import pytest

from server_harness import ServerProcess, cli, make_team
from test_lite import PYODIDE_MISSING, ROOT, run_in_pyodide
from xlpricing.lite import PYODIDE_OLDER, PYODIDE_VERSION, read_lite_parts
from xlpricing.register import Register

pytestmark = pytest.mark.skipif(bool(PYODIDE_MISSING), reason=str(PYODIDE_MISSING))

SHEET = "报价单 Quote"


def quote_sheet(customer="星河科技 Xinghe Tech"):
    return {SHEET: {"B4": customer, "B10": "pro", "B11": 35000.0, "B12": 202000.0, "B13": 12.0, "B14": None,
                    "B15": "history_90", "B16": None}}


@pytest.fixture
def server(tmp_path):
    register = str(tmp_path / "register.sqlite3")
    settings = make_team(tmp_path, register)
    s = ServerProcess(register, settings, tmp_path / "documents", tmp_path / "server.log")
    token = cli("users", "token", "lina", "--label", "Excel", "--register", register, "--settings", str(settings))
    assert token.returncode == 0, token.stderr
    yield s, token.stdout.strip(), register, settings
    s.stop()


@pytest.mark.parametrize("pyodide", [PYODIDE_VERSION, PYODIDE_OLDER])  # today's Lite, and add-ins up to 1.0.0.0-18
def test_the_lite_workbook_records_its_quote_on_the_server_and_prices_with_its_book(server, tmp_path, pyodide):
    s, token, register, settings = server
    main_py = read_lite_parts(ROOT / "workbooks" / "xlpricing-lite.xlsx")["main.py"]
    price = ("IMQUOTE", ["pro", 35000.0, 202000.0, "history_90", 12.0])
    answer = run_in_pyodide(main_py, {
        "calls": [price], "env": {"XLPRICING_SERVER": s.url, "XLPRICING_TOKEN": token},
        "book": quote_sheet(), "scripts": ["record_quote", "record_quote", "update_price_book"],
        "calls_after": [price]}, tmp_path, pyodide)
    first, again, book = answer["scripts"]
    cells = first["sheets"][SHEET]
    assert cells["H4"] == "Q-2026-000001" and cells["H5"] and cells["H6"]
    assert "recorded Q-2026-000001 (draft, total 83988 CNY)" in first["printed"]
    assert again["sheets"][SHEET]["H4"] == "Q-2026-000001"  # clicked twice: one quote
    with Register.open(register, settings) as reg:
        (record,) = reg.quotes()
    assert (record.customer, record.rep, record.total) == ("星河科技 Xinghe Tech", "Li Na", 83988)
    # the workbook's own book, then the server's book in force
    assert answer["results"][0] == 89988
    assert book["sheets"][SHEET]["A3"].startswith("price book tencent-im-cn-seed (from the team server")
    assert answer["results"][-1] == 83988


def test_the_lite_scripts_say_what_is_wrong_in_the_sheet(server, tmp_path):
    s, token, _, _ = server
    main_py = read_lite_parts(ROOT / "workbooks" / "xlpricing-lite.xlsx")["main.py"]
    bad_sheet = quote_sheet()
    bad_sheet[SHEET]["B11"] = -5.0
    runs = [({}, quote_sheet(), "set XLPRICING_SERVER"),
            ({"XLPRICING_SERVER": s.url, "XLPRICING_TOKEN": "xlp_wrong"}, quote_sheet(), "an API token is needed"),
            ({"XLPRICING_SERVER": s.url, "XLPRICING_TOKEN": token}, quote_sheet(customer=None), "type the customer"),
            ({"XLPRICING_SERVER": s.url, "XLPRICING_TOKEN": token}, bad_sheet, "peak_dau must not be negative, got -5"),
            ({"XLPRICING_SERVER": "http://127.0.0.1:9", "XLPRICING_TOKEN": token}, quote_sheet(), "cannot reach")]
    for env, book, said in runs:
        answer = run_in_pyodide(main_py, {"calls": [], "env": env, "book": book, "scripts": ["record_quote"]}, tmp_path)
        cell = answer["scripts"][0]["sheets"][SHEET]["H4"]
        assert cell.startswith("#RECORD: ") and said in cell and "Traceback" not in cell, (env, cell)

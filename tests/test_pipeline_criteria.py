"""The pipeline's by-rep table counts each rep's own quotes after recalculation, whatever the name
holds: COUNTIFS/SUMIFS read * ? ~ and a leading = < > in a criterion, a name must not."""

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest

from xlpricing.cli import main
from xlpricing.pricebook import get_price_book
from xlpricing.quoting import QuoteRequest, publish
from xlpricing.register import Register
from xlpricing.register.pipeline import SUMMARY_SHEET
from xlpricing.sheets.libreoffice import INSTALL_HINT, convert, find_soffice
from xlpricing.sheets.proposal import Proposal

pytestmark = pytest.mark.skipif(find_soffice() is None, reason=f"needs LibreOffice: {INSTALL_HINT}")

PRO_35K = QuoteRequest(options=(("pro", ()),), dau="35000", months="12")
EACH = Decimal(47988)  # seed pro 999 + 3 blocks of 10,000 DAU above the free 10,000 = 3,999 a month × 12
# rep -> quotes filed under her, counted by hand. Read as criteria, "Li*" would also count "Li Na"
# and "Li"; "L?" would count "Li"; "~Li" and "=Li" would count "Li"; "<M" every name before M;
# ">A" every name after A.
QUOTES_OF = {"Li Na": 1, "Li*": 2, "L?": 1, "Li": 3, "~Li": 1, "=Li": 1, "<M": 1, "Ma": 2, ">A": 1, "Ax": 1}


def test_reps_named_like_criteria_count_only_their_own_quotes(tmp_path):
    register = str(tmp_path / "register.sqlite3")
    day = dt.date.today()
    with Register.open(register) as reg:
        for rep, n in QUOTES_OF.items():
            for i in range(n):
                publish(reg, get_price_book("tencent-im-cn-seed"), PRO_35K,
                        Proposal(customer=f"{rep} {i}", quote_date=day, valid_until=day + dt.timedelta(days=30)),
                        rep=rep, folder=tmp_path)
    assert main(["pipeline", "-o", str(tmp_path / "pipe.xlsx"), "--register", register]) == 0
    (recalculated,) = convert([tmp_path / "pipe.xlsx"], "xlsx", tmp_path / "lo")
    for path in (tmp_path / "pipe.xlsx", recalculated):  # as written (cached values), as recalculated
        ws = openpyxl.load_workbook(path, data_only=True)[SUMMARY_SHEET]
        start = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "销售 By rep") + 2
        by_rep = {}
        for r in range(start, start + len(QUOTES_OF)):
            by_rep[ws.cell(r, 1).value] = (ws.cell(r, 2).value, Decimal(str(ws.cell(r, 3).value)))
        assert by_rep == {rep: (n, n * EACH) for rep, n in QUOTES_OF.items()}, path
        drafts = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "draft")
        assert (ws.cell(drafts, 2).value, Decimal(str(ws.cell(drafts, 3).value))) == (14, 14 * EACH)

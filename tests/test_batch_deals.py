"""Batch rows that share a deal column form one multi-app deal: one proposal per deal, the same
totals as `price --deal`, and one bad row fails its whole deal with the row named."""

import datetime as dt

import openpyxl

from xlpricing.cli import main
from xlpricing.sheets import layout as L

CSV = """customer,deal,app,edition,peak_dau,peak_groups,addons,months,from_month
示例科技,D1,主应用,pro,8000,,history_90,12,
示例科技,D1,主应用,,25000,,,12,4
示例科技,D1,主应用,flagship,61000,,,12,7
示例科技,D1,第二产品,pro,12000,,,12,3
乙公司,d2,prod,pro,35000,,,12,
乙公司,D2,test,gold,,,,12,
丙公司,,,pro,22000,,,1,
"""


def test_rows_of_a_deal_make_one_proposal_and_a_bad_row_fails_its_deal(tmp_path, capsys):
    (tmp_path / "deals.csv").write_text(CSV, encoding="utf-8")
    code = main(["--price-book", "tencent-im-cn-2024", "batch", str(tmp_path / "deals.csv"), "-o", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert code == 1  # one deal failed
    # D1 as worked by hand in test_deal_proposals: 77,988 + 24,990 = 102,978; 丙公司 (1,499 + 2 blocks) = 3,499
    assert "2 of 3 quotes written (term total 106,477)" in out
    # D2 (the deal column matches in any case) fails whole, naming the bad row: no proposal without its test app
    assert "row 6 (乙公司): row 7: app 'test': unknown edition 'gold'" in out
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["summary.xlsx", "丙公司.xlsx", "示例科技.xlsx"]
    page = openpyxl.load_workbook(tmp_path / "out" / "示例科技.xlsx")[L.PROPOSAL_SHEET]
    values = [c.value for row in page.iter_rows() for c in row if c.value is not None]
    assert {"主应用", "第二产品"} <= set(values) and 102_978 in values and 77_988 in values and 24_990 in values
    summary = openpyxl.load_workbook(tmp_path / "out" / "summary.xlsx").active
    rows = [[c.value for c in row] for row in summary.iter_rows() if row[0].value == 2]
    assert rows and rows[0][3] == "2 app(s): pro, flagship" and rows[0][1] == f"Q-{dt.date.today().year}-000001"


def test_rows_of_a_deal_must_agree_on_the_term(tmp_path, capsys):
    (tmp_path / "deals.csv").write_text("customer,deal,app,edition,months\nA,X,one,pro,12\nA,X,two,pro,6\n",
                                        encoding="utf-8")
    assert main(["batch", str(tmp_path / "deals.csv"), "-o", str(tmp_path / "out")]) == 1
    assert "rows 2, 3 of one deal give different months: 12, 6" in capsys.readouterr().out
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["summary.xlsx"]


def _acme_book(tmp_path):
    """A book of one's own, from a file: the seed's prices with pro at 1,234, under its own id."""
    from xlpricing.pricebook import PRICEBOOK_DIR
    text = (PRICEBOOK_DIR / "tencent-im-cn-seed.toml").read_text(encoding="utf-8")
    text = text.replace('id = "tencent-im-cn-seed"', 'id = "acme-special"', 1)
    text = text.replace("monthly_price = 999", "monthly_price = 1234", 1)
    assert 'id = "acme-special"' in text and "monthly_price = 1234" in text
    path = tmp_path / "acme.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_book_from_a_file_reaches_every_worker(tmp_path, capsys, monkeypatch):
    """40 rows take two worker processes; each must price with the file's book (pro 1,234), not look
    its id up again (no shipped book is called acme-special)."""
    book = _acme_book(tmp_path)
    rows = "".join(f"c{i},pro,{10_000 + i},1\n" for i in range(40))
    (tmp_path / "d.csv").write_text("customer,edition,peak_dau,months\n" + rows, encoding="utf-8")
    for how in ("option", "environment"):
        out = tmp_path / f"out-{how}"
        if how == "option":
            argv = ["--price-book", str(book), "batch", str(tmp_path / "d.csv"), "-o", str(out)]
        else:
            monkeypatch.setenv("XLPRICING_PRICE_BOOK", str(book))
            argv = ["batch", str(tmp_path / "d.csv"), "-o", str(out)]
        assert main(argv) == 0, capsys.readouterr().err
        # row 0: 10,000 DAU is free → 1,234; rows 1–39 start one block → 2,234 each:
        # 1,234 + 39 × 2,234 = 88,360
        assert "40 of 40 quotes written (term total 88,360)" in capsys.readouterr().out

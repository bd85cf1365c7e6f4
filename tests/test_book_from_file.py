"""#19.2: a price book given as a file (an id no lookup knows) reaches every command that takes a
book, by --price-book and by XLPRICING_PRICE_BOOK; and the register prices its quotes again with it."""

import re

import openpyxl
import pytest

from test_batch_deals import _acme_book
from xlpricing.cli import main
from xlpricing.register import Register

DEAL = 'months = 2\n[[apps]]\nname = "a"\nedition = "pro"\n'


def run(capsys, monkeypatch, how, book, *argv):
    if how == "option":
        code = main(["--price-book", str(book), *argv])
    else:
        monkeypatch.setenv("XLPRICING_PRICE_BOOK", str(book))
        code = main(list(argv))
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


@pytest.mark.parametrize("how", ["option", "environment"])
def test_every_command_prices_with_the_book_from_the_file(tmp_path, capsys, monkeypatch, how):
    book = _acme_book(tmp_path)  # the seed's prices with pro at 1,234, id acme-special
    monkeypatch.chdir(tmp_path)
    out = run(capsys, monkeypatch, how, book, "price", "--edition", "pro", "--months", "2")
    assert "acme-special" in out and out.rstrip().endswith("Total for 2 months: CNY 2,468")  # 1,234 × 2
    (tmp_path / "deal.toml").write_text(DEAL, encoding="utf-8")
    out = run(capsys, monkeypatch, how, book, "price", "--deal", str(tmp_path / "deal.toml"))
    assert out.rstrip().endswith("Total for 2 months: CNY 2,468")
    assert "acme-special" in run(capsys, monkeypatch, how, book, "catalog")
    assert re.search(r"pro\b.*1,234", run(capsys, monkeypatch, how, book, "advise", "--dau", "5000"))
    assert "1,234" in run(capsys, monkeypatch, how, book, "forecast", "--edition", "pro", "--months", "2")
    run(capsys, monkeypatch, how, book, "template", "-o", str(tmp_path / "t.xlsx"))
    cells = [c.value for ws in openpyxl.load_workbook(tmp_path / "t.xlsx").worksheets for row in ws.iter_rows()
             for c in row]
    assert "acme-special" in " ".join(str(v) for v in cells if isinstance(v, str))
    run(capsys, monkeypatch, how, book, "lite", "-o", str(tmp_path / "l.xlsx"))
    out = run(capsys, monkeypatch, how, book, "quote", "--edition", "pro", "--customer", "Acme", "--discount", "5")
    assert "total pro CNY 1,172.30" in out  # 1,234 − 5% (61.70) = 1,172.30
    (tmp_path / "d.csv").write_text("customer,edition\nB,pro\n", encoding="utf-8")
    out = run(capsys, monkeypatch, how, book, "batch", str(tmp_path / "d.csv"), "-o", str(tmp_path / "out"))
    assert "1 of 1 quotes written (term total 1,234)" in out
    with Register.open() as reg:
        records = {r.customer: r for r in reg.quotes()}
    assert {r.price_book for r in records.values()} == {"acme-special"}
    # the register kept the book's text: a revision prices with it, no file needed any more
    monkeypatch.delenv("XLPRICING_PRICE_BOOK", raising=False)
    book.unlink()
    assert main(["quotes", "revise", records["Acme"].number, "--discount", "0"]) == 0
    with Register.open() as reg:
        v2 = reg.get(records["Acme"].number)
    assert (v2.version, v2.total, v2.price_book) == (2, 1234, "acme-special")


def test_an_approval_rewrites_a_file_books_proposal_with_that_book(tmp_path, capsys, monkeypatch):
    book = _acme_book(tmp_path)
    (tmp_path / "xlpricing-team.toml").write_text(
        '[users]\nli = { name = "Li Na" }\nzhao = { name = "Zhao", roles = ["manager"] }\n'
        '[[approvals]]\ndiscount_above = 10\nrole = "manager"\n', encoding="utf-8")
    monkeypatch.setenv("XLPRICING_USER", "li")
    monkeypatch.setenv("XLPRICING_REGISTER", str(tmp_path / "register.sqlite3"))
    monkeypatch.chdir(tmp_path)
    assert main(["--price-book", str(book), "quote", "--edition", "pro", "--customer", "Big", "--discount", "20"]) == 0
    capsys.readouterr()
    book.unlink()
    with Register.open() as reg:
        (r,) = reg.quotes()
    assert r.status == "pending approval"
    monkeypatch.setenv("XLPRICING_USER", "zhao")
    assert main(["quotes", "approve", r.number]) == 0
    with Register.open() as reg:
        assert reg.get(r.number).status == "draft" and reg.verify() == []

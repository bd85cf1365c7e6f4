"""#24: a quote a team can trust — documents follow their record, revisions change what they say,
known users act, and what a new user tripped on."""

import csv
import datetime as dt
import io
import json
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

from xlpricing.cli import main
from xlpricing.register import Register

HERE = Path(__file__).resolve().parent
TODAY = dt.date.today()
TEAM = """
[users]
lina = { name = "Li Na", roles = ["rep"] }
zhao = { name = "Zhao Min", roles = ["rep", "sales manager"] }
[[approvals]]
discount_above = 10
role = "sales manager"
"""

# One app, pro, 35,000 peak DAU for 12 months (seed book): 999 + 3 started blocks of 10,000 above
# the 10,000 free × 1,000 = 3,999 a month; × 12 = 47,988.
ONE_APP_DEAL = """months = 12
[[apps]]
name = "主应用"
edition = "pro"
peak_dau = 35000
"""
TWO_APP_DEAL = ONE_APP_DEAL + """
[[apps]]
name = "第二产品"
edition = "pro"
peak_dau = 12000
"""


def needs_libreoffice():
    from xlpricing.sheets.libreoffice import cjk_font_missing, find_soffice
    if find_soffice() is None or cjk_font_missing():
        pytest.skip("needs LibreOffice and a Chinese font: apt-get install libreoffice-calc-nogui fonts-noto-cjk "
                    "(.ci/run does)")


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def only_record():
    with Register.open() as reg:
        (r,) = reg.quotes()
        return r


# ------------------------------------------------------------------ documents follow their record


def test_an_approval_rewrites_the_pdf_too_and_verify_checks_it(tmp_path, monkeypatch, capsys):
    needs_libreoffice()
    (tmp_path / "team.toml").write_text(TEAM, encoding="utf-8")
    monkeypatch.setenv("XLPRICING_TEAM_SETTINGS", str(tmp_path / "team.toml"))
    monkeypatch.setenv("XLPRICING_USER", "lina")
    assert main(["quote", "--edition", "pro", "--dau", "35000", "--months", "12", "--discount", "12",
                 "--customer", "Big", "--pdf", "-o", str(tmp_path / "big.xlsx")]) == 0
    r = only_record()
    assert r.status == "pending approval" and r.pdf_sha256 is not None
    assert "PENDING APPROVAL" in pdf_text(r.pdf_path)
    monkeypatch.setenv("XLPRICING_USER", "zhao")
    assert main(["quotes", "approve", r.number]) == 0
    assert "big.pdf without the pending-approval banner" in capsys.readouterr().out
    approved = only_record()
    assert approved.status == "draft" and approved.pdf_sha256 != r.pdf_sha256
    text = pdf_text(approved.pdf_path)
    assert "PENDING APPROVAL" not in text and "Big" in text
    assert main(["quotes", "verify"]) == 0
    with open(approved.pdf_path, "ab") as f:  # a byte appended to the PDF the customer may sign
        f.write(b"x")
    assert main(["quotes", "verify"]) == 1
    assert f"{r.number}: PDF {approved.pdf_path} has changed since it was recorded" in capsys.readouterr().out


def test_revise_writes_a_pdf_when_the_version_before_had_one(tmp_path, capsys):
    needs_libreoffice()
    assert main(["quote", "--edition", "pro", "--dau", "35000", "--months", "12", "--customer", "Acme", "--pdf",
                 "-o", str(tmp_path / "acme.xlsx")]) == 0
    number = only_record().number
    assert main(["quotes", "revise", number, "--discount", "5"]) == 0
    with Register.open() as reg:
        v2 = reg.get(number)
        assert reg.verify() == []
    # 3,999 less 5 % (199.95) = 3,799.05 a month × 12 = 45,588.60
    assert v2.total == Decimal("45588.60") and v2.pdf_sha256 is not None
    assert "45,588.60" in pdf_text(v2.pdf_path) and v2.pdf_path.name == f"Acme-{number}-v2.pdf"


def test_a_pdf_printed_beside_a_workbook_but_not_recorded_is_reported(tmp_path, capsys):
    assert main(["quote", "--edition", "pro", "--customer", "A", "-o", str(tmp_path / "a.xlsx")]) == 0
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4 an old print")
    assert main(["quotes", "verify"]) == 1
    assert "a.pdf is not recorded with its quote" in capsys.readouterr().out


def test_killed_while_its_pdf_is_printed_a_quote_leaves_both_documents_or_neither(tmp_path):
    """SIGKILL (no clean-up at all) at several moments of quote --pdf: after the next open of the
    register there is a record with its workbook and PDF, each with its recorded SHA-256, or
    nothing; never a workbook without its PDF."""
    needs_libreoffice()
    register = tmp_path / "register.sqlite3"
    for i, wait in enumerate((0.5, 1.5, 3.0, 30.0)):
        out = tmp_path / f"k{i}.xlsx"
        p = subprocess.Popen([sys.executable, "-m", "xlpricing", "quote", "--edition", "pro", "--customer", f"K{i}",
                              "--pdf", "--register", str(register), "-o", str(out)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        try:
            p.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGKILL)
            p.wait(timeout=60)
    time.sleep(1)
    with Register.open(register) as reg:  # opening finishes or removes what the kills left
        assert reg.verify() == []
        records = {Path(r.path).name: r for r in reg.quotes()}
    for i in range(4):
        xlsx, pdf = tmp_path / f"k{i}.xlsx", tmp_path / f"k{i}.pdf"
        if xlsx.name in records:
            assert pdf.is_file() and records[xlsx.name].pdf_sha256
        else:
            assert not xlsx.exists() and not pdf.exists()
    assert "k3.xlsx" in records  # the run given 30 s finished


# ------------------------------------------------------------------ revise


def test_revising_a_deal_changes_its_total_as_asked(tmp_path, capsys):
    deal = tmp_path / "deal.toml"
    deal.write_text(ONE_APP_DEAL, encoding="utf-8")
    assert main(["quote", "--deal", str(deal), "--customer", "Deal Co", "-o", str(tmp_path / "d.xlsx")]) == 0
    r = only_record()
    assert r.total == Decimal("47988")
    assert main(["quotes", "revise", r.number, "--discount", "5"]) == 0
    with Register.open() as reg:
        assert reg.get(r.number).total == Decimal("45588.60")  # 3,799.05 × 12, as for one option
    assert main(["quotes", "revise", r.number, "--months", "6"]) == 0
    with Register.open() as reg:
        assert reg.get(r.number).total == Decimal("22794.30")  # 3,799.05 × 6: the discount stays
    assert main(["quotes", "revise", r.number, "--dau", "10000"]) == 0  # within the free 10,000
    with Register.open() as reg:
        v4 = reg.get(r.number)
        # 999 less 5 % (49.95) = 949.05 × 6 = 5,694.30
        assert (v4.version, v4.total) == (4, Decimal("5694.30"))
        assert [x.status for x in reg.versions(r.number)] == ["superseded"] * 3 + ["draft"]


def test_a_deal_of_two_apps_says_which_app_a_dau_would_change(tmp_path, capsys):
    deal = tmp_path / "deal.toml"
    deal.write_text(TWO_APP_DEAL, encoding="utf-8")
    assert main(["quote", "--deal", str(deal), "--customer", "Two", "-o", str(tmp_path / "two.xlsx")]) == 0
    r = only_record()
    capsys.readouterr()
    assert main(["quotes", "revise", r.number, "--dau", "50000"]) == 2
    assert "this deal has 2 app(s)" in capsys.readouterr().err
    assert main(["quotes", "revise", r.number, "--edition", "flagship"]) == 2
    assert "its editions and add-ons change in a new deal file" in capsys.readouterr().err
    with Register.open() as reg:
        assert len(reg.versions(r.number)) == 1  # nothing written


def test_revise_takes_the_options_of_a_one_app_quote(tmp_path):
    assert main(["quote", "--edition", "pro", "--dau", "35000", "--months", "12", "--customer", "Opt",
                 "-o", str(tmp_path / "o.xlsx")]) == 0
    number = only_record().number
    assert main(["quotes", "revise", number, "--addon", "history_90"]) == 0
    with Register.open() as reg:
        v2 = reg.get(number)
    # history_90 on pro: 1,000 a month (seed page) → 3,999 + 1,000 = 4,999 × 12 = 59,988
    assert v2.total == Decimal("59988") and v2.options[0]["addons"] == ["history_90"]


def test_a_revision_that_changes_nothing_is_refused(tmp_path, capsys):
    assert main(["quote", "--edition", "pro", "--customer", "Same", "-o", str(tmp_path / "s.xlsx")]) == 0
    number = only_record().number
    assert main(["quotes", "revise", number, "--months", "1"]) == 2
    assert "nothing to change" in capsys.readouterr().err
    with Register.open() as reg:
        assert len(reg.versions(number)) == 1


def test_an_accepted_version_stays_listed_as_accepted_after_a_revision(tmp_path, capsys):
    assert main(["quote", "--edition", "pro", "--customer", "Signed", "-o", str(tmp_path / "a.xlsx")]) == 0
    number = only_record().number
    assert main(["quotes", "status", number.lower(), "sent"]) == 0  # a number typed in any case
    assert main(["quotes", "status", number, "accepted"]) == 0
    assert main(["quotes", "revise", number, "--months", "12"]) == 0
    capsys.readouterr()
    assert main(["quotes", "list", "--status", "accepted", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["number"], r["version"], r["status"]) for r in rows] == [(number, "1", "accepted")]
    assert main(["quotes", "status", f"{number}-v2", "sent"]) == 0  # a version's label names it
    assert main(["quotes", "status", f"{number}-v1", "declined"]) == 2
    assert "is not its newest" in capsys.readouterr().err


def test_a_draft_can_be_declined_and_a_back_dated_quote_says_it_is_expired(tmp_path, capsys):
    assert main(["quote", "--edition", "pro", "--customer", "Old", "--date", "2026-01-05", "--valid-days", "30",
                 "-o", str(tmp_path / "old.xlsx")]) == 0
    io_ = capsys.readouterr()
    assert "valid until 2026-02-04: it is recorded as expired" in io_.err
    assert "(expired, valid until 2026-02-04)" in io_.out
    assert main(["quote", "--edition", "pro", "--customer", "No", "-o", str(tmp_path / "no.xlsx")]) == 0
    with Register.open() as reg:
        (no,) = reg.quotes(customer="No")
    assert main(["quotes", "status", no.number, "declined"]) == 0


# ------------------------------------------------------------------ batch


def test_batch_rows_say_their_rep_date_and_validity(tmp_path, monkeypatch):
    (tmp_path / "team.toml").write_text(TEAM, encoding="utf-8")
    monkeypatch.setenv("XLPRICING_TEAM_SETTINGS", str(tmp_path / "team.toml"))
    monkeypatch.setenv("XLPRICING_USER", "lina")
    (tmp_path / "d.csv").write_text("客户,版本,峰值DAU,销售,报价日期,有效天数\n"
                                    "A,pro,35000,zhao,2026-11-20,45\n"
                                    "B,pro,0,Li Na,,\n"
                                    "C,pro,0,nobody,,\n"
                                    "D,pro,0,,2026-02-30,\n", encoding="utf-8")
    assert main(["batch", str(tmp_path / "d.csv"), "-o", str(tmp_path / "out")]) == 1
    with Register.open() as reg:
        got = {r.customer: (r.rep, r.quote_date, r.valid_until) for r in reg.quotes()}
    assert got == {"A": ("Zhao Min", dt.date(2026, 11, 20), dt.date(2027, 1, 4)),  # 2026-11-20 + 45 days
                   "B": ("Li Na", TODAY, TODAY + dt.timedelta(days=30))}
    import openpyxl
    failed = openpyxl.load_workbook(tmp_path / "out" / "summary.xlsx").worksheets[1]
    reasons = {failed.cell(r, 2).value: failed.cell(r, 3).value for r in (2, 3)}
    assert "rep 'nobody' is not a user of this team" in reasons["C"]
    assert "2026-02-30 is not a date" in reasons["D"]


# ------------------------------------------------------------------ numbers as text


def test_a_discount_of_ten_percent_is_10_everywhere_never_1e1(tmp_path, capsys):
    assert main(["price", "--edition", "pro", "--discount", "10", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["discount_percent"] == "10"
    assert main(["quote", "--edition", "pro", "--discount", "10", "--customer", "T", "-o", str(tmp_path / "t.xlsx")]) == 0
    capsys.readouterr()
    assert main(["quotes", "list", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "E+" not in out and list(csv.DictReader(io.StringIO(out)))[0]["discount"] == "10"
    assert main(["quotes", "show", only_record().number]) == 0
    assert "discount 10%" in capsys.readouterr().out


def test_overage_is_what_the_books_overage_charges_whatever_its_codes(tmp_path):
    from xlpricing.engine import build_quote
    from xlpricing.pricebook import get_price_book, parse_price_book
    seed = get_price_book("tencent-im-cn-seed")
    renamed = parse_price_book(seed.toml.replace('"overage_dau"', '"dau_blocks"')
                               .replace('"overage_groups"', '"group_blocks"'), "renamed.toml")
    for book in (seed, renamed):
        q = build_quote(book, "pro", peak_dau=35_000, peak_groups=202_000)
        # 3 started blocks of 10,000 DAU above 10,000 × 1,000 = 3,000; groups 202,000 above the
        # 100,000 free: 2 started blocks of 100,000 × 1,000 = 2,000 (seed page); 5,000 a month
        assert q.overage == Decimal("5000"), book.id


def test_an_older_books_add_on_code_is_named_with_its_new_code(capsys):
    assert main(["--price-book", "tencent-im-cn-2024", "price", "--edition", "flagship", "--addon", "call_premium"]) == 2
    assert ("unknown add-on 'call_premium': tencent-im-cn-2024 sells it as call_group_380k"
            in capsys.readouterr().err)
    assert main(["--price-book", "tencent-im-cn-2024", "price", "--edition", "pro", "--addon", "call_basic"]) == 2
    assert "sells it as call_1v1" in capsys.readouterr().err


def test_the_sample_csv_prices_every_row_with_the_book_in_force(tmp_path, capsys, unpinned):
    sample = HERE.parent / "workbooks" / "deals-sample.csv"
    assert main(["batch", str(sample), "-o", str(tmp_path / "out")]) == 0, capsys.readouterr().err
    assert "6 of 6 quotes written" in capsys.readouterr().out


# ------------------------------------------------------------------ deal files

BAD_DEAL = """months = 12
[[apps]]
name = "主应用"
edition = "pro"
peak_dau = "lots"
  [[apps.phases]]
  from_month = 25
  peak_dau = 5000
[[apps]]
name = "web"
edition = "gold"
addons = ["histroy_90"]
"""


def test_every_problem_of_a_deal_file_comes_in_one_round_named_by_its_app(tmp_path, capsys):
    deal = tmp_path / "deal.toml"
    deal.write_text(BAD_DEAL, encoding="utf-8")
    for command in (["price", "--deal", str(deal)], ["quote", "--deal", str(deal), "--customer", "X",
                                                     "-o", str(tmp_path / "x.xlsx")]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert "has 4 problem(s)" in err, err
        assert "app '主应用' (apps[0]).peak_dau: peak_dau must be a whole number, got 'lots'" in err
        assert "app '主应用' phase 2: from_month must be a month of the term, 1 to 12, got 25" in err
        assert "app 'web': unknown edition 'gold'" in err and "app 'web': unknown add-on 'histroy_90'" in err
    assert not list(tmp_path.glob("*.xlsx"))


def test_a_first_phase_written_out_refines_the_apps_own_fields(tmp_path, capsys):
    deal = tmp_path / "deal.toml"
    deal.write_text("""months = 12
[[apps]]
name = "主应用"
edition = "pro"
peak_dau = 35000
  [[apps.phases]]
  from_month = 1
  addons = ["history_90"]
  [[apps.phases]]
  from_month = 7
  peak_dau = 5000
""", encoding="utf-8")
    assert main(["--price-book", "tencent-im-cn-seed", "price", "--deal", str(deal), "--format", "json"]) == 0
    q = json.loads(capsys.readouterr().out)
    # months 1–6: pro 999 + history_90 1,000 + 3 DAU blocks 3,000 = 4,999 × 6 = 29,994
    # months 7–12: 5,000 DAU is within the free 10,000: 999 + 1,000 = 1,999 × 6 = 11,994; 41,988 in all
    phases = q["apps"][0]["phases"]
    assert [(p["first_month"], p["last_month"], p["quote"]["total"]) for p in phases] == [(1, 6, "29994"),
                                                                                           (7, 12, "11994")]
    assert q["total"] == "41988"


def test_a_forecast_as_a_deal_names_the_customers_app_not_forecast(tmp_path, capsys):
    out = tmp_path / "f.toml"
    assert main(["forecast", "--edition", "pro", "--dau", "9000", "--growth", "10", "--months", "3",
                 "--as-deal", str(out)]) == 0
    assert 'name = "主应用 Main app"' in out.read_text(encoding="utf-8") and "forecast" not in \
        out.read_text(encoding="utf-8").split("[[apps]]")[1]
    assert main(["forecast", "--edition", "pro", "--dau", "9000", "--as-deal", str(out), "--force",
                 "--app", "客服 Support"]) == 0
    assert 'name = "客服 Support"' in out.read_text(encoding="utf-8")


# ------------------------------------------------------------------ the proposal page

SELLER = HERE.parent / "workbooks" / "seller-sample.toml"


def proposal_rows(path: Path) -> list[list]:
    import openpyxl
    from xlpricing.sheets import layout as L
    ws = openpyxl.load_workbook(path, data_only=True)[L.PROPOSAL_SHEET]  # a formula cell's stored value
    return [[c.value for c in row] for row in ws.iter_rows()]


def texts(rows) -> list[str]:
    return [v for row in rows for v in row if isinstance(v, str)]


def test_a_single_app_proposal_lists_no_overage_that_costs_nothing(tmp_path):
    assert main(["quote", "--edition", "pro", "--dau", "5000", "--customer", "Small", "-o", str(tmp_path / "s.xlsx")]) == 0
    shown = texts(proposal_rows(tmp_path / "s.xlsx"))
    assert not [t for t in shown if "Peak DAU overage" in t or "Peak groups overage" in t]
    # with 35,000 DAU the DAU overage costs 3 blocks and is listed; the groups' 0 is not
    assert main(["quote", "--edition", "pro", "--dau", "35000", "--customer", "Big", "-o", str(tmp_path / "b.xlsx")]) == 0
    shown = texts(proposal_rows(tmp_path / "b.xlsx"))
    assert [t for t in shown if "Peak DAU overage" in t] and not [t for t in shown if "Peak groups overage" in t]


def test_the_sales_contact_is_the_sellers_when_not_given_and_left_out_when_unknown(tmp_path):
    assert main(["quote", "--edition", "pro", "--customer", "A", "--seller", str(SELLER), "-o", str(tmp_path / "a.xlsx")]) == 0
    rows = proposal_rows(tmp_path / "a.xlsx")
    contact = next(r for r in rows if r[0] == "销售联系人 Sales contact")
    assert contact[1] == "王伟"  # the sample profile's contact
    assert main(["quote", "--edition", "pro", "--customer", "B", "-o", str(tmp_path / "b.xlsx")]) == 0
    assert "销售联系人 Sales contact" not in texts(proposal_rows(tmp_path / "b.xlsx"))


def test_the_source_line_says_the_books_period_once(tmp_path):
    assert main(["--price-book", "tencent-im-cn-2024", "quote", "--edition", "pro", "--customer", "A",
                 "-o", str(tmp_path / "a.xlsx")]) == 0
    (source,) = [t for t in texts(proposal_rows(tmp_path / "a.xlsx")) if t.startswith("价格依据")]
    assert source.count("2024-01-01") == 1, source


def test_the_month_table_shows_every_app_and_no_blank_column(tmp_path):
    def deal(n):
        return "months = 6\n" + "".join(f'[[apps]]\nname = "应用{i}"\nedition = "pro"\npeak_dau = {10000 * i}\n'
                                        f'  [[apps.phases]]\n  from_month = 4\n  peak_dau = {15000 * i}\n'
                                        for i in range(1, n + 1))
    for n in (2, 5):
        (tmp_path / f"d{n}.toml").write_text(deal(n), encoding="utf-8")
        assert main(["quote", "--deal", str(tmp_path / f"d{n}.toml"), "--customer", "C", "-o",
                     str(tmp_path / f"d{n}.xlsx")]) == 0
        rows = proposal_rows(tmp_path / f"d{n}.xlsx")
        headers = [r for r in rows if r[0] == "月份 Month"]
        assert [len(headers)] == [1 if n <= 3 else 2]
        for h in headers:  # month, the apps, the total: nothing blank in between, nothing after
            named = [v for v in h if v is not None]
            assert named[0] == "月份 Month" and named[-1] == "合计 Total" and h[:len(named)] == named
        assert [v for h in headers for v in h[1:] if v not in (None, "合计 Total")] == [f"应用{i}" for i in range(1, n + 1)]
        # month 4 (seed book, pro 999): 应用1 at 15,000 DAU = 999 + 1 block 1,000 = 1,999;
        # 应用2 at 30,000 = 999 + 2 blocks 2,000 = 2,999
        first = next(i for i, r in enumerate(rows) if r[0] == "月份 Month")
        assert rows[first + 4][:3] == [4, 1999, 2999]


def test_the_options_total_label_wraps_whole(tmp_path):
    import openpyxl
    from xlpricing.sheets import layout as L
    assert main(["quote", "--option", "pro", "--option", "flagship", "--months", "12", "--customer", "A",
                 "-o", str(tmp_path / "a.xlsx")]) == 0
    ws = openpyxl.load_workbook(tmp_path / "a.xlsx")[L.PROPOSAL_SHEET]
    (cell,) = [c for row in ws.iter_rows() for c in row if c.value == "12 个月合计 Total for 12 months"]
    assert cell.alignment.wrap_text and ws.row_dimensions[cell.row].height > 20  # two lines, not clipped


def test_the_signatures_never_stand_alone_on_a_page(tmp_path):
    needs_libreoffice()
    from pypdf import PdfReader
    cases = {"three": ["--option", "pro:history_90", "--option", "flagship", "--option", "pro:history_90,moderation",
                       "--dau", "35000", "--groups", "202000", "--months", "12"],
             "old": ["--edition", "pro", "--dau", "35000", "--groups", "202000", "--addon", "history_90",
                     "--months", "12"]}
    for name, args in cases.items():
        book = ["--price-book", "tencent-im-cn-seed"] if name == "old" else []
        assert main([*book, "quote", *args, "--customer", "示例科技有限公司", "--seller", str(SELLER), "--notes",
                     "first line\nsecond line", "--pdf", "-o", str(tmp_path / f"{name}.xlsx")]) == 0
        last = PdfReader(str(tmp_path / f"{name}.pdf")).pages[-1].extract_text()
        assert "Signature and seal" in last and "•" in last, (name, last[:300])


def test_an_approval_killed_while_its_pdf_is_printed_leaves_the_record_and_its_pdf_agreeing(tmp_path, monkeypatch):
    """SIGKILL of `quotes approve` while LibreOffice prints the approved PDF: the record is still
    pending and its PDF still says so (a PDF is never older than its record); approving again
    writes both."""
    needs_libreoffice()
    (tmp_path / "team.toml").write_text(TEAM, encoding="utf-8")
    register = tmp_path / "register.sqlite3"
    monkeypatch.setenv("XLPRICING_TEAM_SETTINGS", str(tmp_path / "team.toml"))
    monkeypatch.setenv("XLPRICING_USER", "lina")
    assert main(["quote", "--edition", "pro", "--discount", "12", "--customer", "Big", "--pdf", "--register",
                 str(register), "-o", str(tmp_path / "big.xlsx")]) == 0
    number = only_record_in(register).number
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**__import__("os").environ, "TMPDIR": str(tmp), "XLPRICING_USER": "zhao"}
    p = subprocess.Popen([sys.executable, "-m", "xlpricing", "quotes", "approve", number, "--register", str(register)],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300  # generous: LibreOffice starts slowly on a loaded machine
    while not list(tmp.glob("xlpricing-lo-*")) and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert p.poll() is None, "the approval finished before it could be killed: " + p.stderr.read()
    p.send_signal(signal.SIGKILL)
    p.communicate(timeout=120)
    r = only_record_in(register)
    assert r.status == "pending approval"
    assert "PENDING APPROVAL" in pdf_text(r.pdf_path)
    from xlpricing.register.core import sha256_of
    assert sha256_of(r.pdf_path) == r.pdf_sha256  # the PDF is the one recorded
    monkeypatch.setenv("XLPRICING_USER", "zhao")
    assert main(["quotes", "approve", number, "--register", str(register)]) == 0
    r = only_record_in(register)
    assert r.status == "draft" and "PENDING APPROVAL" not in pdf_text(r.pdf_path)
    with Register.open(register) as reg:
        assert reg.verify() == []


def only_record_in(register: Path):
    with Register.open(register) as reg:
        (r,) = reg.quotes()
        return r

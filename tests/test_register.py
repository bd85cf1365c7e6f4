"""The quote register, on SQLite and on a real PostgreSQL server (register_backends)."""

import csv
import datetime as dt
import io
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from register_backends import register_target  # noqa: F401 (a fixture)
from xlpricing.cli import main
from xlpricing.errors import QuoteError
from xlpricing.pricebook import get_price_book
from xlpricing.register import Register, RegisterError
from xlpricing.register.core import sha256_of
from xlpricing.quoting import QuoteRequest, publish
from xlpricing.sheets.proposal import Proposal

HERE = Path(__file__).resolve().parent
SEED = get_price_book("tencent-im-cn-seed")
YEAR = dt.date.today().year
PRO_35K = QuoteRequest(options=(("pro", ()),), dau="35000", months="12")


def info(customer="Acme", day="2026-12-01", valid_days=30, **more):
    day = dt.date.fromisoformat(day)
    return Proposal(customer=customer, quote_date=day, valid_until=day + dt.timedelta(days=valid_days), **more)


def put(reg, folder, customer="Acme", request=PRO_35K, book=SEED, **kw):
    record, _ = publish(reg, book, request, info(customer, **kw.pop("info", {})), rep=kw.pop("rep", "Li Na"),
                        folder=folder, **kw)
    return record


# ------------------------------------------------------------------ numbers


def test_numbers_come_from_the_register_in_order(register_target, tmp_path):
    with Register.open(register_target) as reg:
        records = [put(reg, tmp_path, f"C{i}") for i in range(3)]
    assert [r.number for r in records] == [f"Q-{YEAR}-000001", f"Q-{YEAR}-000002", f"Q-{YEAR}-000003"]
    # pro 999 + 3 blocks above 10,000 free (35,000 DAU) = 3,999 a month × 12 = 47,988
    assert records[0].total == Decimal("47988")
    # 47,988 ÷ 1.06 = 45,271.698… → 45,271.70 net; 47,988 − 45,271.70 = 2,716.30 tax
    assert (records[0].net, records[0].tax) == (Decimal("45271.70"), Decimal("2716.30"))
    for r in records:
        assert Path(r.path).name == f"C{r.number[-1]}-{r.number}.xlsx" or Path(r.path).is_file()
        assert sha256_of(Path(r.path)) == r.sha256


def test_the_prefix_comes_from_the_team_settings(register_target, tmp_path):
    settings = tmp_path / "team.toml"
    settings.write_text('[numbering]\nprefix = "ACME"\n', encoding="utf-8")
    with Register.open(register_target, settings) as reg:
        assert put(reg, tmp_path).number == f"ACME-{YEAR}-000001"


def test_an_explicit_number_that_exists_is_refused(register_target, tmp_path):
    with Register.open(register_target) as reg:
        put(reg, tmp_path, number="ACME-7")
        with pytest.raises(RegisterError, match="ACME-7 exists already in the register"):
            put(reg, tmp_path, "Other", number="ACME-7")
        # a number of the register's own form would collide with one it allocates later
        with pytest.raises(RegisterError, match="allocated by the register"):
            put(reg, tmp_path, "Other", number=f"Q-{YEAR}-000900")
        assert len(reg.quotes()) == 1


def test_eight_processes_allocating_at_once_get_400_distinct_gap_free_numbers(register_target, tmp_path):
    Register.open(register_target).close()  # the schema exists before the race (it is safe either way)
    procs = [subprocess.Popen([sys.executable, str(HERE / "register_worker.py"), register_target, str(tmp_path),
                               "50", f"rep{k}"], stdout=subprocess.PIPE, text=True) for k in range(8)]
    printed = []
    for p in procs:
        out, _ = p.communicate(timeout=900)
        assert p.returncode == 0
        printed += out.split()
    assert len(printed) == len(set(printed)) == 400
    assert sorted(int(n.rsplit("-", 1)[1]) for n in printed) == list(range(1, 401))
    with Register.open(register_target) as reg:
        assert reg.verify() == []
        assert len(reg.quotes()) == 400
    assert len(list(tmp_path.glob("rep*.xlsx"))) == 400


def test_a_new_sqlite_register_being_written_by_another_process_is_waited_for(tmp_path):
    """Two batches started together into a new register: one failed with "cannot open the register:
    database is locked". Switching a file to WAL while another connection holds its write lock fails
    at once in SQLite (no busy wait); the register waits and looks again."""
    import sqlite3
    import threading
    from xlpricing.register.db import SQLiteDatabase
    path = tmp_path / "register.sqlite3"
    other = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)  # the other process
    other.execute("CREATE TABLE first_writer (x)")
    other.execute("BEGIN IMMEDIATE")  # still writing: not yet in WAL mode
    threading.Timer(1.0, lambda: other.execute("COMMIT")).start()
    db = SQLiteDatabase(path)  # the old code failed here at once
    assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.conn.close()
    other.close()


def test_a_process_killed_mid_publish_leaves_no_record_without_file_nor_file_without_record(register_target, tmp_path):
    Register.open(register_target).close()
    for round_ in range(3):  # killed at a different point each time: most of the run is inside a publish
        p = subprocess.Popen([sys.executable, str(HERE / "register_worker.py"), register_target, str(tmp_path),
                              "200", f"k{round_}"], stdout=subprocess.PIPE, text=True)
        for _ in range(2 + round_):  # some quotes recorded, the next one being written
            assert p.stdout.readline()
        time.sleep(0.01 * round_)
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=60)
        p.stdout.close()
    with Register.open(register_target) as reg:  # opening finishes or removes what the kills left
        assert reg.verify() == []
        records = {Path(r.path).name for r in reg.quotes()}
        numbers = sorted(int(r.number.rsplit("-", 1)[1]) for r in reg.quotes())
    files = {p.name for p in tmp_path.glob("k*.xlsx")}
    assert files == records and len(files) >= 2 + 3 + 4
    assert len(numbers) == len(set(numbers))
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


KILLED_WHILE_WRITING = """
import datetime as dt, os, signal, sys
from pathlib import Path
import xlpricing.quoting as quoting
from xlpricing.files import temp_beside
from xlpricing.pricebook import get_price_book
from xlpricing.register import Register
from xlpricing.sheets.proposal import Proposal

def killed(path, *args, **kwargs):  # the workbook's temp file made, then SIGKILL before it is recorded
    temp_beside(Path(path), ".xlsx")
    os.kill(os.getpid(), signal.SIGKILL)

quoting.write_priced = killed
with Register.open(sys.argv[1]) as reg:
    quoting.publish(reg, get_price_book("tencent-im-cn-seed"), quoting.QuoteRequest(options=(("pro", ()),)),
                    Proposal(customer="x", quote_date=dt.date(2026, 12, 1)), rep="x", output=Path(sys.argv[2]))
"""


def test_a_writer_killed_before_it_recorded_its_temp_file_leaves_nothing_after_the_next_open(register_target,
                                                                                            tmp_path):
    folder = tmp_path / "quotes"
    folder.mkdir()
    done = subprocess.run([sys.executable, "-c", KILLED_WHILE_WRITING, register_target, str(folder / "a.xlsx")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert [p.name for p in folder.iterdir() if p.name.endswith(".xlsx.tmp")]  # what the kill left
    with Register.open(register_target) as reg:  # its path was recorded before writing began
        assert reg.quotes() == [] and reg.verify() == []
        assert [e[3] for e in reg.events("Q-2026-000001")] == ["abandoned"]
    assert list(folder.iterdir()) == []


KILLED_HOLDING_A_KEY = KILLED_WHILE_WRITING.replace('output=Path(sys.argv[2]))',
                                                   'output=Path(sys.argv[2]), request_key="api:x:k1", '
                                                   'request_sha256="ab")')


def test_a_key_whose_writer_was_killed_is_free_again_for_a_register_open_all_along(register_target, tmp_path,
                                                                                   monkeypatch):
    """A team server keeps its register open: a key held by another process that was killed
    mid-recording is recovered when asked for, not "in progress" until the server restarts."""
    monkeypatch.setenv("XLPRICING_USER", "x")
    folder = tmp_path / "quotes"
    folder.mkdir()
    with Register.open(register_target) as reg:  # open before the kill, as a running server is
        done = subprocess.run([sys.executable, "-c", KILLED_HOLDING_A_KEY, register_target, str(folder / "a.xlsx")],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == -signal.SIGKILL, done.stderr
        assert reg.key_holder("api:x:k1") is None  # the killed run's record is removed, its key free
        assert [e[3] for e in reg.events("Q-2026-000001")] == ["abandoned"]
        record, _ = publish(reg, get_price_book("tencent-im-cn-seed"), QuoteRequest(options=(("pro", ()),)),
                            Proposal(customer="x", quote_date=dt.date(2026, 12, 1)), rep="x",
                            output=folder / "b.xlsx", request_key="api:x:k1", request_sha256="ab")
        assert record.number == "Q-2026-000002"  # the number the killed run took is never reused
        assert reg.key_holder("api:x:k1").record.number == "Q-2026-000002" and reg.verify() == []


def test_a_key_this_process_is_still_writing_is_in_progress_not_recovered(register_target, tmp_path, monkeypatch):
    """A process's own locks look free to itself: a record this very process is writing (another
    request's thread) must not be taken for abandoned."""
    import xlpricing.quoting as quoting
    monkeypatch.setenv("XLPRICING_USER", "x")
    seen_while_writing = []
    real_write = quoting.write_priced

    def writing(*args, **kwargs):
        seen_while_writing.append(reg.key_holder("api:x:k2"))
        return real_write(*args, **kwargs)
    monkeypatch.setattr(quoting, "write_priced", writing)
    with Register.open(register_target) as reg:
        record, _ = publish(reg, get_price_book("tencent-im-cn-seed"), QuoteRequest(options=(("pro", ()),)),
                            Proposal(customer="x", quote_date=dt.date(2026, 12, 1)), rep="x",
                            output=tmp_path / "c.xlsx", request_key="api:x:k2", request_sha256="cd")
        holder, = seen_while_writing
        assert holder is not None and holder.record is None and holder.request_sha256 == "cd"  # in progress
        assert reg.key_holder("api:x:k2").record.number == record.number == "Q-2026-000001"
        assert reg.verify() == []


# ------------------------------------------------------------------ status, versions, approvals


def test_every_allowed_and_refused_transition(register_target, tmp_path, monkeypatch):
    monkeypatch.setenv("XLPRICING_USER", "test")  # a one-person register: whoever the login says
    with Register.open(register_target) as reg:
        n = put(reg, tmp_path).number
        with pytest.raises(RegisterError, match="draft: it can be marked sent, declined, not accepted"):
            reg.set_status(n, "accepted", "me", today=dt.date(2026, 12, 1))  # a draft is sent first
        assert reg.set_status(n, "sent", "me", today=dt.date(2026, 12, 1)).status == "sent"
        with pytest.raises(RegisterError, match="sent: it can be marked accepted, declined, not sent"):
            reg.set_status(n, "sent", "me", today=dt.date(2026, 12, 1))
        assert reg.set_status(n, "accepted", "Wang", today=dt.date(2026, 12, 1)).status == "accepted"
        for locked in ("sent", "accepted", "declined"):
            with pytest.raises(RegisterError, match="accepted and locked: revise it"):
                reg.set_status(n, locked, "me", today=dt.date(2026, 12, 1))
        with pytest.raises(RegisterError, match="a status to set is"):
            reg.set_status(n, "superseded", "me")
        m = put(reg, tmp_path, "B").number
        reg.set_status(m, "declined", "me", today=dt.date(2026, 12, 1))  # a customer may say no before it is sent
        with pytest.raises(RegisterError, match="declined: it can be marked nothing"):
            reg.set_status(m, "sent", "me", today=dt.date(2026, 12, 1))
        trail = [(e[3], e[4], e[5], e[2]) for e in reg.events(n)]
    assert trail == [("created", None, "draft", "test"), ("status", "draft", "sent", "me"),
                     ("status", "sent", "accepted", "Wang")]


def test_expiry_at_the_boundary_day(register_target, tmp_path):
    # dated 2026-12-01, valid 30 days → valid until 2026-12-31: open that day, expired the next
    with Register.open(register_target) as reg:
        r = put(reg, tmp_path)
        assert r.valid_until == dt.date(2026, 12, 31)
        assert r.status_on(dt.date(2026, 12, 31)) == "draft"
        assert r.status_on(dt.date(2027, 1, 1)) == "expired"
        with pytest.raises(RegisterError, match="expired on 2027-01-01"):
            reg.set_status(r.number, "sent", "me", today=dt.date(2027, 1, 1))
        assert [x.number for x in reg.quotes(status="expired", today=dt.date(2027, 1, 1))] == [r.number]
        assert [x.number for x in reg.quotes(expiring_within=7, today=dt.date(2026, 12, 24))] == [r.number]
        assert reg.quotes(expiring_within=7, today=dt.date(2026, 12, 23)) == []


APPROVALS = """
[users]
lina = { name = "Li Na", roles = ["rep"] }
wang = { name = "Wang Wei", roles = ["rep"] }
zhao = { name = "Zhao Min", roles = ["rep", "sales manager"] }
[[approvals]]
discount_above = 10
role = "sales manager"
"""


def as_user(monkeypatch, login):
    monkeypatch.setenv("XLPRICING_USER", login)


def test_a_discount_above_ten_percent_needs_approval(register_target, tmp_path, monkeypatch):
    from xlpricing.quoting import approve
    settings = tmp_path / "team.toml"
    settings.write_text(APPROVALS, encoding="utf-8")
    as_user(monkeypatch, "lina")
    with Register.open(register_target, settings) as reg:
        at_ten = put(reg, tmp_path, "Ten", request=PRO_35K.revised(discount="10"))
        above = put(reg, tmp_path, "Above", request=PRO_35K.revised(discount="10.01"))
        assert at_ten.status == "draft" and above.status == "pending approval"
        sheet = openpyxl.load_workbook(above.path)["报价 Proposal"] if "报价 Proposal" in \
            openpyxl.load_workbook(above.path).sheetnames else openpyxl.load_workbook(above.path).worksheets[0]
        texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
        assert any("PENDING APPROVAL (sales manager)" in t for t in texts)
        with pytest.raises(RegisterError, match="pending approval: it cannot be marked sent"):
            reg.set_status(above.number, "sent", "lina")
        with pytest.raises(RegisterError, match="Li Na is the rep of .*never approves her own quote"):
            approve(reg, above.number)
    as_user(monkeypatch, "wang")
    with Register.open(register_target, settings) as reg:
        with pytest.raises(RegisterError, match="Wang Wei may not approve .* held by Zhao Min"):
            approve(reg, above.number)  # Wang Wei holds no manager role
    as_user(monkeypatch, "zhao")
    with Register.open(register_target, settings) as reg:
        approved = approve(reg, above.number)
        assert approved.status == "draft"
        assert reg.verify() == []  # the rewritten workbook is the one recorded
        texts = [c.value for ws in openpyxl.load_workbook(approved.path).worksheets for row in ws.iter_rows()
                 for c in row if isinstance(c.value, str)]
        assert not any("PENDING APPROVAL" in t for t in texts)
        assert reg.set_status(above.number, "sent", "zhao").status == "sent"
        actions = [(e[3], e[2]) for e in reg.events(above.number)]
    assert ("created", "lina") in actions and ("approved", "zhao") in actions
    assert (approved.approvals[0]["by"], approved.approvals[0]["by_name"]) == ("zhao", "Zhao Min")  # login; name shown


def test_a_rep_never_approves_her_own_quote(register_target, tmp_path, monkeypatch):
    from xlpricing.quoting import approve
    settings = tmp_path / "team.toml"
    settings.write_text(APPROVALS, encoding="utf-8")
    as_user(monkeypatch, "zhao")  # a manager who also sells
    with Register.open(register_target, settings) as reg:
        own = put(reg, tmp_path, "Own", request=PRO_35K.revised(discount="12"), rep="zhao")
        assert (own.rep, own.rep_login) == ("Zhao Min", "zhao")  # shown by name, owned by login
        with pytest.raises(RegisterError, match="Zhao Min is the rep of .*never approves her own quote"):
            approve(reg, own.number)
        assert reg.get(own.number).status == "pending approval"


def test_only_users_of_the_team_act(register_target, tmp_path, monkeypatch):
    settings = tmp_path / "team.toml"
    settings.write_text(APPROVALS, encoding="utf-8")
    as_user(monkeypatch, "mallory")
    with Register.open(register_target, settings) as reg:
        with pytest.raises(RegisterError, match="'mallory' .* is not a user of this team.*lina, wang, zhao"):
            put(reg, tmp_path)
        assert reg.quotes() == []  # nothing priced, written or numbered
    as_user(monkeypatch, "lina")
    with Register.open(register_target, settings) as reg:
        with pytest.raises(RegisterError, match="rep 'Wang Wu' is not a user of this team"):
            put(reg, tmp_path, rep="Wang Wu")
    assert not list(tmp_path.glob("*.xlsx"))


@pytest.mark.parametrize("text, problem", [
    ('[[approvals]]\ndiscount_above = 10\nrole = "sales manager"\n', "no user in \\[users\\] holds the role"),
    ('[roles]\n"sales manager" = ["Zhao Min"]\n', "roles are given with each user now"),
    ('[users]\nLi = { name = "Li" }\n', "users.Li: a login is lower-case"),
    ('[users]\na = { name = "Li" }\nb = { name = "li" }\n', "users.b: the name 'li' is user a's name already"),
    ('[users]\na = { name = "Li" }\nb = { name = "ＬＩ" }\n', "users.b: the name 'ＬＩ' is user a's name already"),
    ('[users]\nzhao = { name = "Zhao Min" }\nb = { name = "Zhao" }\n', "users.b: the name 'Zhao' is user zhao's login"),
    ('[users]\na = { name = "Li", role = ["x"] }\n', "users.a.role: unknown key"),
])
def test_team_settings_problems_name_their_key(tmp_path, text, problem):
    settings = tmp_path / "team.toml"
    settings.write_text(text, encoding="utf-8")
    with pytest.raises(RegisterError, match=problem):
        Register.open(tmp_path / "r.sqlite3", settings)


def test_revise_writes_version_two_and_supersedes_version_one(register_target, tmp_path):
    from xlpricing.quoting import revise
    with Register.open(register_target) as reg:
        v1 = put(reg, tmp_path)
        v2 = revise(reg, v1.number, SEED, {"discount": "5"}, {})
        assert (v2.number, v2.version, v2.label) == (v1.number, 2, f"{v1.number}-v2")
        # 47,988 less 5%: 3,999 × 5% = 199.95 a month → 3,799.05 × 12 = 45,588.60
        assert v2.total == Decimal("45588.60")
        assert Path(v2.path).name == f"Acme-{v1.number}-v2.xlsx"
        assert [r.status for r in reg.versions(v1.number)] == ["superseded", "draft"]
        assert reg.quotes() == [reg.get(v1.number)]


def test_hostile_text_round_trips_unchanged(register_target, tmp_path):
    names = ["O'Brien \"Ltd\"", "'; DROP TABLE quotes; --", "Tab\tand\nline", "名" * 200]  # 200: the page's limit
    with Register.open(register_target) as reg:
        for i, name in enumerate(names):
            publish(reg, SEED, PRO_35K, info(name), rep="名" * 10_000, output=tmp_path / f"h{i}.xlsx")
        assert sorted(r.customer for r in reg.quotes()) == sorted(names)
        assert {r.rep for r in reg.quotes()} == {"名" * 10_000}
        with pytest.raises(RegisterError, match="10,001 characters; the register keeps at most 10,000"):
            publish(reg, SEED, PRO_35K, info("x"), rep="x" * 10_001, output=tmp_path / "long.xlsx")
        with pytest.raises(QuoteError, match="customer: 201 characters, a proposal takes at most 200"):
            publish(reg, SEED, PRO_35K, info("x" * 201), rep="x", output=tmp_path / "long.xlsx")
        # not text at all: a control character an .xlsx cannot hold, a lone surrogate (no database stores it)
        with pytest.raises(QuoteError, match=r"customer: a control character \(U\+0001\) at character 4: remove it"):
            publish(reg, SEED, PRO_35K, info("Tab\x01"), rep="x", output=tmp_path / "long.xlsx")
        with pytest.raises(QuoteError, match=r"notes: a lone surrogate \(U\+DC80\) at character 1"):
            publish(reg, SEED, PRO_35K, info("x", notes="\udc80"), rep="x", output=tmp_path / "long.xlsx")
        assert not (tmp_path / "long.xlsx").exists() and len(reg.quotes()) == len(names)  # no number spent


# ------------------------------------------------------------------ reprice, verify, pipeline


def test_reprice_as_of_2024_changes_the_pro_quote_and_not_the_overseas_one(register_target, tmp_path, capsys):
    with Register.open(register_target) as reg:
        pro = put(reg, tmp_path, "Pro Co")
        overseas = put(reg, tmp_path, "Abroad", book=get_price_book("tencent-im-overseas"),
                       request=QuoteRequest(options=(("pro", ()),), months="12"))
    assert main(["quotes", "reprice", "--as-of", "2024-06-01", "--format", "csv", "--register", register_target]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    by_number = {}
    for row in rows:
        by_number.setdefault(row["number"], []).append(row)
    # seed pro 999 a month; the 2024 book 1,499: 500 more × 12 = 6,000 on the package line
    (p,) = by_number[pro.number]
    assert (p["old_book"], p["new_book"]) == ("tencent-im-cn-seed", "tencent-im-cn-2024")
    assert (p["old_total"], p["new_total"], p["difference"]) == ("47988", "53988", "6000")
    assert (p["line"], p["old_line"], p["new_line"]) == ("pro", "11988", "17988")
    (o,) = by_number[overseas.number]
    assert o["new_book"] == "tencent-im-overseas" and o["difference"] in ("0", "0.00") and o["line"] == ""
    with Register.open(register_target) as reg:  # it changed nothing
        assert reg.get(pro.number).version == 1 and reg.get(pro.number).total == Decimal("47988")


def test_verify_reports_a_changed_and_a_missing_workbook(register_target, tmp_path, capsys):
    with Register.open(register_target) as reg:
        a, b = put(reg, tmp_path, "A"), put(reg, tmp_path, "B")
    with open(a.path, "ab") as f:
        f.write(b"x")
    Path(b.path).unlink()
    assert main(["quotes", "verify", "--register", register_target]) == 1
    out = capsys.readouterr().out
    assert f"{a.number}: workbook {a.path} has changed since it was recorded" in out
    assert f"{b.number}: its workbook {b.path} is missing" in out
    assert "2 record(s) checked, 2 problem(s)" in out
    assert Path(a.path).read_bytes().endswith(b"x")  # reported, never repaired


def test_a_password_in_the_url_is_refused_and_never_printed(capsys):
    assert main(["quotes", "list", "--register", "postgresql://rep:s3cret@db.example/q"]) == 2
    err = capsys.readouterr().err
    assert "PGPASSWORD or ~/.pgpass" in err and "s3cret" not in err


def test_quote_and_batch_record_every_proposal(register_target, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["--price-book", "tencent-im-cn-seed", "quote", "--edition", "pro", "--dau", "35000", "--months", "12",
                 "--customer", "Acme", "--register", register_target, "--rep", "Li Na"]) == 0
    out = capsys.readouterr().out
    assert f"recorded Q-{YEAR}-000001 (draft" in out
    assert (tmp_path / f"Acme-Q-{YEAR}-000001.xlsx").is_file()
    deals = tmp_path / "deals.csv"
    deals.write_text("customer,edition,peak_dau,months\nB1,pro,0,1\nB2,flagship,0,1\n", encoding="utf-8")
    assert main(["batch", str(deals), "-o", str(tmp_path / "out"), "--register", register_target,
                 "--rep", "Wang"]) == 0
    with Register.open(register_target) as reg:
        rows = {r.customer: r for r in reg.quotes()}
        assert reg.verify() == []
    assert set(rows) == {"Acme", "B1", "B2"}
    assert rows["B1"].rep == "Wang" and Path(rows["B1"].path) == (tmp_path / "out" / "B1.xlsx").resolve()
    assert main(["quote", "--edition", "pro", "--customer", "Again", "--quote-number", f"Q-{YEAR}-000001",
                 "--register", register_target]) == 2
    assert "allocated by the register" in capsys.readouterr().err


def test_the_pipeline_workbook_adds_up_in_libreoffice(register_target, tmp_path):
    from xlpricing.sheets.libreoffice import convert, find_soffice
    if find_soffice() is None:
        pytest.skip("needs LibreOffice (apt-get install libreoffice-calc-nogui)")
    with Register.open(register_target) as reg:
        for name in ("A", "B", "C"):
            put(reg, tmp_path, name)
        reg.set_status(f"Q-{YEAR}-000002", "sent", "me")
    assert main(["pipeline", "-o", str(tmp_path / "pipe.xlsx"), "--register", register_target]) == 0
    (out,) = convert([tmp_path / "pipe.xlsx"], "xlsx", tmp_path / "lo")
    ws = openpyxl.load_workbook(out, data_only=True)["汇总 Pipeline"]
    by_status = {ws.cell(r, 1).value: (ws.cell(r, 2).value, ws.cell(r, 3).value) for r in range(6, 10)}
    # two drafts and one sent, each 47,988
    assert by_status["draft"] == (2, 95976) and by_status["sent"] == (1, 47988)
    assert by_status["pending approval"] == (0, 0)


def test_reprice_names_a_quote_whose_validity_spans_a_new_book_and_revise_writes_it(register_target, tmp_path,
                                                                                     capsys):
    # dated 2023-12-20, valid 30 days → until 2024-01-19: the 2024 book takes effect on 2024-01-01
    with Register.open(register_target) as reg:
        r = put(reg, tmp_path, "Span", book=get_price_book("tencent-im-cn-2023-03"), info={"day": "2023-12-20"})
    from xlpricing.pricebook import book_in_force
    from xlpricing.quoting import reprice
    with Register.open(register_target) as reg:  # as sales operations would have run it on 2024-01-05
        (x,) = reprice(reg, lambda rec: book_in_force(dt.date(2024, 1, 5)), today=dt.date(2024, 1, 5))
        assert x.record.number == r.number and x.crossing == ["tencent-im-cn-2024 from 2024-01-01"]
        # 2023-03 book: (999 + 3 blocks × 1,000) × 12 = 47,988; 2024 book: (1,499 + 3,000) × 12 = 53,988
        assert (x.record.total, x.new_total) == (Decimal("47988"), Decimal("53988"))
        assert x.lines == [("pro", Decimal("11988"), Decimal("17988"))]
        # on any later day it is expired, not open: reprice leaves it alone
        assert reprice(reg, lambda rec: book_in_force(dt.date(2024, 1, 5)), today=dt.date(2024, 1, 20)) == []
    with Register.open(register_target) as reg:
        fresh = put(reg, tmp_path, "Fresh")  # seed book, dated 2026-12-01
    assert main(["quotes", "reprice", "--revise", "--register", register_target]) == 0
    out = capsys.readouterr().out
    # today's book (2024 prices): pro 1,499 → (1,499 + 3,000) × 12 = 53,988
    assert f"{fresh.number}  Fresh: CNY 47,988 → CNY 53,988 (+6,000) with tencent-im-cn-2024" in out
    with Register.open(register_target) as reg:
        v2 = reg.get(fresh.number)
        assert (v2.version, v2.total, v2.price_book) == (2, Decimal("53988"), "tencent-im-cn-2024")
        assert reg.get(fresh.number, 1).status == "superseded"


def test_the_list_as_csv_never_hands_a_spreadsheet_a_formula(register_target, tmp_path, capsys):
    with Register.open(register_target) as reg:
        put(reg, tmp_path, "=HYPERLINK(\"http://x\",\"click\")", output=tmp_path / "f.xlsx")
    assert main(["quotes", "list", "--format", "csv", "--register", register_target]) == 0
    (row,) = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert row["customer"].startswith("'=HYPERLINK")
    assert row["total"] == "47988" and row["status"] == "draft"


def test_force_never_puts_a_new_quote_in_place_of_a_recorded_workbook(register_target, tmp_path):
    with Register.open(register_target) as reg:
        first = put(reg, tmp_path, output=tmp_path / "q.xlsx")
        with pytest.raises(RegisterError, match=f"q.xlsx is the workbook of quote {first.number}"):
            put(reg, tmp_path, "Other", output=tmp_path / "q.xlsx", force=True)
        assert reg.verify() == [] and len(reg.quotes()) == 1


def test_on_postgresql_the_role_the_server_authenticated_is_the_user(register_target, tmp_path, monkeypatch):
    """README "Who acts": a user whose login is the connected database role acts as that user, and
    XLPRICING_USER cannot say otherwise."""
    if not register_target.startswith("postgresql"):
        pytest.skip("the database authenticates roles on PostgreSQL only (SQLite is a file)")
    from urllib.parse import urlsplit
    role = urlsplit(register_target).username
    settings = tmp_path / "team.toml"
    settings.write_text(f'[users]\n{role} = {{ name = "Zhao Min", roles = ["sales manager"] }}\n'
                        'lina = { name = "Li Na" }\n', encoding="utf-8")
    with Register.open(register_target, settings) as reg:
        assert reg.actor().name == "Zhao Min"  # no XLPRICING_USER: the server said who
    monkeypatch.setenv("XLPRICING_USER", "lina")
    with Register.open(register_target, settings) as reg:
        with pytest.raises(RegisterError, match=f"XLPRICING_USER='lina', but the register authenticated you as "
                                                f"'{role}'"):
            reg.actor()

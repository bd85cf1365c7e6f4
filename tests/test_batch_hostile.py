"""What real CRM exports hold: quoted newlines, line separators, control characters, GBK, emoji,
error texts, duplicate columns, two runs into one folder, killed parents and workers.

Every good row is written exactly once, every bad row is reported exactly once, nothing else.
"""

import csv
import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from xlpricing.batch import BatchError, read_deals, run_batch
from xlpricing.cli import main
from xlpricing.sheets import layout as L

HEADER = ["customer", "edition", "peak_dau", "peak_groups", "addons", "months", "notes"]

# Hand-worked from the seed page: pro 999, flagship 2,999 a month; 1,000 per started 10,000 DAU
# above 10,000 and per started 100,000 groups above 100,000; history_90 on pro 1,000.
GOOD_DEALS = [
    # edition, dau, groups, addons, months, term total
    ("pro", "35000", "202000", "history_90", "12", Decimal(83_988)),  # (999+1000+3×1000+2×1000)×12
    ("flagship", "22000", "0", "", "1", Decimal(4_999)),              # 2999 + 2×1000
    ("pro", "9999", "0", "", "1", Decimal(999)),                      # below the free 10,000
    ("pro", "10000", "0", "", "1", Decimal(999)),                     # exactly the free quota
    ("pro", "10001", "0", "", "1", Decimal(1_999)),                   # 1 started block: 999 + 1000
]
HOSTILE_TEXT = [
    "ACME\nHoldings",                 # a quoted newline inside the cell
    "ACME\u2028Holdings",             # LINE SEPARATOR: str.splitlines() split the customer in two
    "ACME\x85Holdings",               # NEXT LINE (U+0085), the same
    "Bell\x07Corp",                   # BEL: openpyxl's IllegalCharacterError killed the batch; now refused
    "Esc\x1b[31mRed",                 # ESC: would also drive the terminal in the report
    "Nul\x00Byte",
    "Vertical\x0bTab",
    "😀" * 100,                       # 400 UTF-8 bytes: past the file system's name limit
    '=HYPERLINK("http://evil.example","x")',
    "示例科技有限公司",
]
BAD_VALUES = [
    # (column, value, what the report must say)
    ("peak_dau", "#N/A", "peak_dau is the error #N/A"),
    ("months", "#VALUE!", "months is the error #VALUE!"),
    ("peak_dau", "+-35000", "peak_dau must be a whole number, got '+-35000'"),
    ("peak_groups", "+ 5", "peak_groups must be a whole number, got '+ 5'"),
    ("peak_dau", "5" * 5000, "peak_dau above 10^12 is not supported"),
    ("edition", "gold", "unknown edition 'gold'"),
]


CONTROL = "\x07\x1b\x00\x0b"  # in HOSTILE_TEXT: characters no free text may hold


def hostile_rows(n: int = 200) -> tuple[list[list[str]], dict[int, Decimal], dict[int, str]]:
    """n rows; returns them, the good rows' totals and the bad rows' reasons, by spreadsheet row."""
    rows, good, bad = [], {}, {}
    for i in range(n):
        number = i + 2
        edition, dau, groups, addons, months, total = GOOD_DEALS[i % len(GOOD_DEALS)]
        customer = f"{HOSTILE_TEXT[i % len(HOSTILE_TEXT)]} {i}"
        notes = HOSTILE_TEXT[(i + 3) % len(HOSTILE_TEXT)]
        row = [customer, edition, dau, groups, addons, months, notes]
        # a text holding a control character an .xlsx cannot hold is refused, naming the column, the
        # character and where it is (position 1-based: "Bell\x07Corp 4" has BEL at character 5)
        refused = [f"{column}: a control character (U+{ord(c):04X}) at character {text.index(c) + 1}"
                   for column, text in (("customer", customer), ("notes", notes))
                   for c in [next((c for c in text if c in CONTROL), None)] if c]
        if i % 7 == 3:
            column, value, reason = BAD_VALUES[(i // 7) % len(BAD_VALUES)]
            row[HEADER.index(column)] = value
            bad[number] = [reason, *refused]
        elif refused:
            bad[number] = refused
        else:
            good[number] = total
        rows.append(row)
    return rows, good, bad


def write_rows(path: Path, rows: list[list[str]], encoding: str = "utf-8", header=HEADER) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")  # Excel writes CRLF and quotes what needs it
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


@pytest.mark.parametrize("encoding, shown", [("utf-8-sig", "UTF-8"), ("gb18030", "GB18030 (GBK)")])
def test_200_hostile_rows_every_good_row_once_every_bad_row_reported_once(tmp_path, capsys, encoding, shown):
    rows, good, bad = hostile_rows()
    csv_path = write_rows(tmp_path / "deals.csv", rows, encoding)
    out = tmp_path / "out"
    assert main(["batch", str(csv_path), "-o", str(out)]) == 1  # some rows failed
    printed = capsys.readouterr().out
    assert f"read as {shown}" in printed
    assert f"{len(good)} of {len(rows)} quotes written" in printed

    # the report: each bad row once, by its own row number (no shifted numbers, no bogus rows)
    reported = [line for line in printed.splitlines() if line.startswith("  row ")]
    assert len(reported) == len(bad)
    for number, reason in bad.items():
        lines = [line for line in reported if line.startswith(f"  row {number} (")]
        assert len(lines) == 1 and all(r in lines[0] for r in reason), (number, lines)
    assert "\x1b" not in printed and "\x07" not in printed  # control characters shown escaped

    # the workbooks: each good row exactly once, with its own customer and total
    books = sorted(p for p in out.glob("*.xlsx") if p.name != "summary.xlsx")
    assert len(books) == len(good)
    summary = openpyxl.load_workbook(out / "summary.xlsx", data_only=True).worksheets[0]
    listed = {summary.cell(r, 1).value: (summary.cell(r, 7).value, summary.cell(r, 10).value)
              for r in range(5, 5 + len(good))}
    assert set(listed) == set(good)
    for number, total in good.items():
        assert Decimal(str(listed[number][0])) == total, number
        path = out / listed[number][1]
        assert len(path.name.encode("utf-8")) <= 255
        ws = openpyxl.load_workbook(path, data_only=True)[L.QUOTE_SHEET]
        customer = ws[L.HEADER_FIELDS["customer"][2]].value
        assert customer == rows[number - 2][0], number  # as written: nothing dropped, nothing changed
    failed = openpyxl.load_workbook(out / "summary.xlsx").worksheets[1]
    assert sorted(failed.cell(r, 1).value for r in range(2, 2 + len(bad))) == sorted(bad)
    assert failed.cell(2 + len(bad), 1).value is None


def test_a_quoted_newline_stays_in_its_cell_and_rows_keep_their_numbers(tmp_path):
    rows = [["ACME\nHoldings", "pro", "1", "1", "", "1", "line 1\r\nline 2"],
            ["Beta", "pro", "1", "1", "", "1", "a\u2028b\x85c"],
            ["Gamma", "flagship", "1", "1", "", "1", ""]]
    deals = read_deals(write_rows(tmp_path / "d.csv", rows))
    assert [(r.number, r.values["customer"]) for r in deals.rows] == [(2, "ACME\nHoldings"), (3, "Beta"), (4, "Gamma")]
    assert deals.rows[0].values["notes"] == "line 1\r\nline 2"
    assert deals.rows[1].values["notes"] == "a\u2028b\x85c"


def test_control_characters_in_quote_customer_are_refused_naming_the_field(tmp_path, capsys):
    out = tmp_path / "q.xlsx"
    assert main(["quote", "--edition", "pro", "--customer", "Bell\x07 \x1bCorp\x00", "--notes", "v\x0bt",
                 "-o", str(out)]) == 2  # a request refused as given (QuoteError), as a bad --dau is
    err = capsys.readouterr().err
    assert "customer: a control character (U+0007) at character 5: remove it" in err  # B-e-l-l-BEL
    assert "notes: a control character (U+000B) at character 2" in err
    assert "\x07" not in err and not out.exists()
    # tab and line breaks are what a text of several lines holds: kept
    assert main(["quote", "--edition", "pro", "--customer", "Bell Corp", "--notes", "line 1\n\tline 2",
                 "-o", str(out)]) == 0
    assert openpyxl.load_workbook(out)[L.QUOTE_SHEET][L.HEADER_FIELDS["notes"][2]].value == "line 1\n\tline 2"


def test_gbk_csv_from_chinese_excel_is_read(tmp_path):
    # Excel "CSV (逗号分隔)" on a Chinese Windows: the ANSI code page, GBK
    path = tmp_path / "d.csv"
    path.write_bytes("客户,版本,dau\n示例科技有限公司,专业版,35000\n".encode("gbk"))
    deals = read_deals(path)
    assert deals.encoding == "GB18030 (GBK)"
    assert deals.rows[0].values == {"customer": "示例科技有限公司", "edition": "专业版", "peak_dau": "35000"}


def test_a_file_in_neither_encoding_is_refused(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(b"customer,edition\n\xff\xfe\x80,pro\n")
    with pytest.raises(BatchError, match="neither UTF-8 nor GB18030"):
        read_deals(path)


def test_a_semicolon_file_gets_a_hint(tmp_path, capsys):
    path = tmp_path / "d.csv"
    path.write_text("customer;edition;dau\nACME;pro;5\n", encoding="utf-8")
    assert main(["batch", str(path), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "separated by semicolons" in err and "CSV (comma delimited)" in err


@pytest.mark.parametrize("first, second", [("dau", "peak_dau"), ("客户", "customer"), ("Edition", "版本")])
def test_two_columns_for_one_field_are_refused(tmp_path, capsys, first, second):
    path = tmp_path / "d.csv"
    path.write_text(f"customer,edition,{first},{second}\nACME,pro,5,50000\n".replace(
        "customer,edition,客户,customer", "客户,edition,customer").replace(
        "customer,edition,Edition,版本", "customer,Edition,版本"), encoding="utf-8")
    assert main(["batch", str(path), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "both give" in err and "keep one" in err
    assert not (tmp_path / "out").exists()


def test_force_rerun_removes_the_workbook_of_a_row_that_became_invalid(tmp_path):
    out = tmp_path / "out"
    rows = [["ACME", "pro", "35000", "0", "", "1", ""], ["Beta", "pro", "1", "1", "", "1", ""]]
    first = run_batch(write_rows(tmp_path / "d.csv", rows), out)
    assert all(o.ok for o in first.outcomes) and (out / "ACME.xlsx").exists()
    rows[0][1] = "gold"  # the CRM row changed: ACME can no longer be priced
    again = run_batch(write_rows(tmp_path / "d.csv", rows), out)  # without --force: nothing is removed
    assert "an earlier ACME.xlsx is still in the folder" in again.outcomes[0].reason
    forced = run_batch(write_rows(tmp_path / "d.csv", rows), out, force=True)
    assert not forced.outcomes[0].ok and "the earlier ACME.xlsx was removed" in forced.outcomes[0].reason
    assert not (out / "ACME.xlsx").exists() and (out / "Beta.xlsx").exists()


# ---------------------------------------------------------------- two runs, killed runs


def batch_process(csv_path: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "xlpricing", "batch", str(csv_path), "-o", str(out), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def test_two_batches_into_one_folder_never_replace_each_others_files(tmp_path):
    # the same 60 customers, one run all pro and one all flagship, started together into one folder:
    # one writes and the other is refused while it runs (#19: its summary.xlsx would replace the
    # first's), or, started after the first ended, finds every file there. Never a file replaced.
    names = [f"客户 {i:02d}" for i in range(60)]
    pro = write_rows(tmp_path / "pro.csv", [[n, "pro", "0", "0", "", "1", ""] for n in names])
    flagship = write_rows(tmp_path / "flagship.csv", [[n, "flagship", "0", "0", "", "1", ""] for n in names])
    out = tmp_path / "out"
    runs = [batch_process(pro, out), batch_process(flagship, out)]
    results = [(run.communicate(timeout=300), run.returncode) for run in runs]
    wrote = []
    for edition, ((stdout, stderr), code) in zip(("pro", "flagship"), results):
        if code == 2:
            assert f"another batch is writing into {out} now" in stderr and stdout == ""
        else:
            count = int(stdout.split(" of ")[0].split("\n")[-1])
            assert stdout.count("exists (use --force)") == len(names) - count
            if count:
                wrote.append((edition, count))
    assert len(wrote) == 1 and wrote[0][1] == len(names), results
    for name in names:
        ws = openpyxl.load_workbook(out / f"{name}.xlsx", read_only=True)[L.QUOTE_SHEET]
        assert ws[L.INPUT_CELLS["Edition"]].value == wrote[0][0]


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def started_batch_with_workers(tmp_path, n=300):
    rows = [[f"客户 {i:03d}", "pro", str(i * 100), "0", "", "1", ""] for i in range(n)]
    out = tmp_path / "out"
    proc = batch_process(write_rows(tmp_path / "d.csv", rows), out)
    deadline = time.monotonic() + 120
    while len(list(out.glob("*.xlsx"))) < 10 or len(children_of(proc.pid)) < 2:
        assert proc.poll() is None and time.monotonic() < deadline, "the batch did not get going"
        time.sleep(0.05)
    return proc, out, children_of(proc.pid)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds worker processes through Linux's /proc")
def test_no_worker_outlives_a_killed_parent(tmp_path):
    proc, out, workers = started_batch_with_workers(tmp_path)
    os.kill(proc.pid, signal.SIGKILL)  # the parent alone: no clean-up code runs in it
    proc.wait(timeout=120)
    deadline = time.monotonic() + 120  # generous (a loaded 2-core machine): the check is that they go, not when
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [w for w in workers if alive(w)], "worker processes outlived the batch"
    for path in out.glob("*.xlsx"):  # what they wrote is whole
        with zipfile.ZipFile(path) as z:
            assert z.testzip() is None


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds worker processes through Linux's /proc")
def test_a_killed_worker_fails_no_other_rows_and_the_summary_is_written(tmp_path):
    proc, out, workers = started_batch_with_workers(tmp_path)
    os.kill(workers[0], signal.SIGKILL)  # out of memory, or a colleague's kill
    stdout, stderr = proc.communicate(timeout=300)
    assert "Traceback" not in stderr, stderr
    assert "300 of 300 quotes written" in stdout, stdout  # its rows were tried again in a fresh pool
    assert (out / "summary.xlsx").exists()
    assert len([p for p in out.glob("*.xlsx") if p.name != "summary.xlsx"]) == 300
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]  # its temp file removed


def test_summary_shows_the_fen_prints_landscape_and_keeps_its_header_in_view(tmp_path):
    # pro, 35,000 DAU, 202,000 groups, history_90, 12 months, 5 % off:
    # list 999 + 1,000 + 3 × 1,000 + 2 × 1,000 = 6,999 a month; 5 % = 349.95; 6,649.05 × 12 = 79,788.60
    path = tmp_path / "d.csv"
    path.write_text("customer,edition,dau,groups,addons,months,discount\n"
                    "ACME,pro,35000,202000,history_90,12,5\n", encoding="utf-8")
    result = run_batch(path, tmp_path / "out")
    ws = openpyxl.load_workbook(result.summary, data_only=True).worksheets[0]
    assert ws["G5"].value == pytest.approx(79_788.60) and ws["G5"].number_format == "#,##0.00"
    assert ws["F5"].value == pytest.approx(6_649.05) and ws["F5"].number_format == "#,##0.00"
    assert ws["G6"].number_format == "#,##0.00"  # the total row too
    # prices include 6 % VAT: 79,788.60 ÷ 1.06 = 75,272.264… → 75,272.26 net; 79,788.60 − 75,272.26 = 4,516.34 tax
    assert (ws["H5"].value, ws["I5"].value) == (pytest.approx(75_272.26), pytest.approx(4_516.34))
    assert (ws["H6"].value, ws["I6"].value) == (pytest.approx(75_272.26), pytest.approx(4_516.34))
    assert ws["B5"].value == result.outcomes[0].quote and ws["B5"].value.startswith("Q-")
    assert ws.freeze_panes == "A5"
    assert (ws.page_setup.orientation, ws.page_setup.fitToWidth, ws.print_title_rows) == ("landscape", 1, "$4:$4")
    assert ws.sheet_properties.pageSetUpPr.fitToPage


def test_a_reused_writer_does_not_carry_one_deals_quote_prefix_to_the_next(tmp_path):
    rows = [["=cmd()", "pro", "0", "0", "", "1", ""], ["ACME", "pro", "0", "0", "", "1", ""]]
    result = run_batch(write_rows(tmp_path / "d.csv", rows), tmp_path / "out", workers=1)
    first, second = (openpyxl.load_workbook(o.path)[L.QUOTE_SHEET] for o in result.outcomes)
    cell = L.HEADER_FIELDS["customer"][2]
    assert (first[cell].value, first[cell].quotePrefix) == ("=cmd()", True)
    assert (second[cell].value, second[cell].quotePrefix) == ("ACME", False)

"""Files and paths: permissions, names from free text, folders, full disks and input ranges.

Every failure is one readable line and a non-zero exit; an existing file is never touched by a
write that fails; nothing is written outside the folder it was given.
"""

import errno
import os
import stat
from pathlib import Path

import openpyxl
import pytest

from xlpricing.cli import main
from xlpricing.files import atomic_write, file_mode

DEAL = ["--edition", "pro", "--dau", "35000", "--customer", "ACME"]


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.skipif(os.name != "posix", reason="umask and mode bits are POSIX")
@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_written_files_get_the_permissions_of_the_users_umask(tmp_path, umask, mode, monkeypatch):
    old = os.umask(umask)
    file_mode.cache_clear()
    try:
        assert main(["quote", *DEAL, "-o", str(tmp_path / "q.xlsx")]) == 0
        assert main(["template", "-o", str(tmp_path / "t.xlsx")]) == 0
        csv_path = tmp_path / "d.csv"
        csv_path.write_text("customer,edition\nACME,pro\n", encoding="utf-8")
        assert main(["batch", str(csv_path), "-o", str(tmp_path / "out")]) == 0
    finally:
        os.umask(old)
        file_mode.cache_clear()
    for path in (tmp_path / "q.xlsx", tmp_path / "t.xlsx", tmp_path / "out" / "ACME.xlsx",
                 tmp_path / "out" / "summary.xlsx"):
        assert stat.S_IMODE(path.stat().st_mode) == mode, path  # not the 0600 of a temp file


@pytest.mark.parametrize("number, name", [
    ("NW/2026/001", "ACME-NW_2026_001.xlsx"),  # was: folders NW/2026 made
    ("../../x", "ACME-x.xlsx"),                # was: written two folders up
    ("..\\..\\y", "ACME-y.xlsx"),
    ("a\u2028b", "ACME-a_b.xlsx"),  # a line separator (a BEL is refused: see below)
])
def test_a_quote_number_in_the_default_file_name_never_leaves_the_folder(tmp_path, monkeypatch, number, name):
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    assert main(["quote", *DEAL, "--quote-number", number]) == 0
    assert [p.name for p in work.iterdir()] == [name]
    assert sorted(p.name for p in tmp_path.rglob("*")) == sorted(["a", "b", name])


def test_a_customer_of_100_emoji_gets_a_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["quote", "--edition", "pro", "--customer", "😀" * 100, "--quote-number", "Q1"]) == 0
    (path,) = tmp_path.iterdir()
    assert path.name == "😀" * 30 + "-Q1.xlsx" and len(path.name.encode()) <= 255


def test_an_output_that_is_a_folder(tmp_path, capsys):
    folder = tmp_path / "q.xlsx"
    folder.mkdir()
    assert main(["quote", *DEAL, "-o", str(folder)]) != 0
    assert "is a folder" in one_error_line(capsys)
    assert main(["quote", *DEAL, "-o", str(folder), "--force"]) != 0
    assert "is a folder" in one_error_line(capsys)
    assert list(folder.iterdir()) == []


def test_an_output_inside_a_file_or_a_place_nobody_may_write(tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    assert main(["quote", *DEAL, "-o", str(tmp_path / "afile" / "q.xlsx")]) == 1
    assert one_error_line(capsys).endswith(f"{tmp_path / 'afile'} is a file, not a folder")
    # /proc takes no new files, even for root (chmod 0500 would not stop root, who runs CI)
    assert main(["template", "-o", "/proc/xlpricing-test.xlsx"]) == 1
    assert one_error_line(capsys).startswith("xlpricing: error: cannot write /proc/xlpricing-test.xlsx:")


def test_a_missing_folder_is_made(tmp_path):
    assert main(["quote", *DEAL, "-o", str(tmp_path / "new" / "deeper" / "q.xlsx")]) == 0
    assert (tmp_path / "new" / "deeper" / "q.xlsx").is_file()


def test_a_full_disk_leaves_the_old_file_and_no_temp_file(tmp_path, capsys, monkeypatch):
    target = tmp_path / "q.xlsx"
    target.write_bytes(b"an earlier workbook, not one the register holds for a quote")
    before = target.read_bytes()

    def full_disk(self, filename):
        Path(filename).write_bytes(b"PK\x03\x04 half a workbook")
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(openpyxl.Workbook, "save", full_disk)
    assert main(["quote", *DEAL, "--edition", "flagship", "-o", str(target), "--force"]) == 1
    assert one_error_line(capsys) == f"xlpricing: error: cannot write {target}: No space left on device"
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["q.xlsx"]


def test_without_force_publishing_is_exclusive(tmp_path):
    # another run created the file between our check and our rename: it is not replaced
    target = tmp_path / "q.xlsx"
    with pytest.raises(FileExistsError, match="exists; pass --force"):
        with atomic_write(target) as tmp:
            tmp.write_bytes(b"ours")
            target.write_bytes(b"theirs")
    assert target.read_bytes() == b"theirs"
    assert [p.name for p in tmp_path.iterdir()] == ["q.xlsx"]


@pytest.mark.parametrize("argv, says", [
    (["quote", *DEAL, "--valid-days", "999999999"], "--valid-days must be from 1 to 365, got 999,999,999"),
    (["quote", *DEAL, "--valid-days", "0"], "--valid-days must be from 1 to 365, got 0"),
    (["quote", *DEAL, "--date", "9999-12-31"], "--date must be from 2000-01-01 to 2099-12-31, got 9999-12-31"),
    (["quote", *DEAL, "--date", "1999-12-31"], "--date must be from 2000-01-01 to 2099-12-31"),
    (["quote", *DEAL, "--quote-number", "a\x07b"], "quote number: a control character (U+0007) at character 2"),
    (["quote", *DEAL, "--forecast-growth", "5", "--forecast-months", "121"], "a forecast covers 1 to 120 months"),
    (["forecast", "--edition", "pro", "--months", "100000"], "a forecast covers 1 to 120 months, got 100,000"),
    (["forecast", "--edition", "pro", "--growth", "1e9"], "--growth must be a percentage such as 12.5"),
    (["forecast", "--edition", "pro", "--growth", "1000000000"], "at most 1000 % a month"),
    # 20,000 DAU growing 1,000 % a month passes 10^12 in month 9 (20,000 × 11^8 ≈ 4.3 × 10^12)
    (["forecast", "--edition", "pro", "--dau", "20000", "--growth", "1000", "--months", "12"],
     "month 9's peak would be above 10^12"),
    (["price", "--edition", "pro", "--audio-minutes", "5"], "call minutes need a call package"),
    (["price", "--edition", "pro", "--dau", "5" * 5000], "peak_dau above 10^12 is not supported"),
    (["price", "--edition", "pro", "--dau", "+-35000"], "peak_dau must be a whole number, got '+-35000'"),
])
def test_every_input_has_a_range_and_a_message_naming_it(tmp_path, capsys, monkeypatch, argv, says):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert says in one_error_line(capsys)
    assert list(tmp_path.iterdir()) == []


def test_the_edges_of_the_ranges_are_accepted(tmp_path, capsys):
    assert main(["quote", *DEAL, "--date", "2099-12-31", "--valid-days", "365", "-o", str(tmp_path / "a.xlsx")]) == 0
    assert main(["quote", *DEAL, "--date", "2000-01-01", "--valid-days", "1", "-o", str(tmp_path / "b.xlsx")]) == 0
    assert main(["forecast", "--edition", "pro", "--months", "120", "--dau", "35000"]) == 0
    # 1 DAU growing 1,000 % a month: 11^11 ≈ 2.9 × 10^11 in month 12 is still below 10^12
    assert main(["forecast", "--edition", "pro", "--months", "12", "--growth", "1000", "--dau", "1"]) == 0

"""An output (-o) that names a folder: one line and exit 1, as the README says ("an output that is a
folder, a place nobody may write or a full disk gives one line and exit 1"), whatever the folder's
name ends with; a name with the wrong ending that is no folder stays a usage error (2)."""

import re
from pathlib import Path

import pytest

from xlpricing.cli import main

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def test_the_readme_names_exit_1_for_an_output_that_is_a_folder():
    assert re.search(r"an output that is a folder, a place nobody may write or a full disk gives one line\s+"
                     r"and exit 1", README)


@pytest.mark.parametrize("folder_name", ["proposals", "proposal.xlsx"])
@pytest.mark.parametrize("command", [
    ["quote", "--edition", "pro", "--customer", "Acme"],
    ["template"],
    ["template", "--xlsm"],
    ["lite"],
    ["pipeline"],
])
def test_an_output_that_is_a_folder_exits_1(tmp_path, capsys, command, folder_name):
    folder = tmp_path / folder_name
    folder.mkdir()
    assert main([*command, "-o", str(folder)]) == 1
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [f"xlpricing: error: cannot write {folder}: is a folder; give a file name"]
    assert list(folder.iterdir()) == []


def test_a_revision_into_a_folder_exits_1(tmp_path, capsys):
    assert main(["quote", "--edition", "pro", "--customer", "Acme", "-o", str(tmp_path / "acme.xlsx")]) == 0
    number = re.search(r"recorded (Q-\d{4}-\d{6})", capsys.readouterr().out).group(1)
    assert main(["quotes", "revise", number, "--months", "2", "-o", str(tmp_path)]) == 1
    assert "is a folder; give a file name" in capsys.readouterr().err


def test_a_file_name_with_the_wrong_ending_is_still_a_usage_error(tmp_path, capsys):
    assert main(["quote", "--edition", "pro", "--customer", "Acme", "-o", str(tmp_path / "acme.txt")]) == 2
    assert "acme.txt: a quote workbook is an .xlsx file" in capsys.readouterr().err

"""``quotes show`` lists every document a quote's record vouches for: its workbook, its PDF and
the stamped copies uploaded for it (盖章回传), from a register and through a team server."""

import re
from pathlib import Path

import httpx2 as httpx
import pytest

from server_harness import ServerProcess, cli, make_team
from xlpricing.cli import main
from xlpricing.register import Register
from xlpricing.register.accounts import Accounts
from xlpricing.register.core import sha256_of
from xlpricing.sheets.libreoffice import INSTALL_HINT, find_soffice

pytestmark = pytest.mark.skipif(find_soffice() is None, reason=f"the quote's PDF needs LibreOffice: {INSTALL_HINT}")


def record_with_pdf_and_stamped_copy(tmp_path, register: str, documents: Path, *team: str) -> tuple[str, Path]:
    """A quote recorded with its PDF, and a stamped copy of it kept as the server keeps one."""
    done = cli("quote", "--edition", "pro", "--customer", "星河科技", "-o", str(tmp_path / "星河.xlsx"), "--pdf",
               "--register", register, *team, env={"XLPRICING_USER": "lina"})
    assert done.returncode == 0, done.stderr
    number = re.search(r"recorded (Q-\d{4}-\d{6})", done.stdout).group(1)
    stamped = documents / "signed" / f"{number}-signed-1.pdf"
    stamped.parent.mkdir(parents=True)
    stamped.write_bytes((tmp_path / "星河.pdf").read_bytes())  # the customer's copy: the same PDF, stamped
    with Register.open(register, *team[1:]) as reg:
        Accounts(reg.db).add_signed_copy(number, 1, str(stamped), sha256_of(stamped), "lina")
    return number, stamped


def test_show_lists_the_workbook_the_pdf_and_the_stamped_copies(tmp_path, capsys):
    register = str(tmp_path / "register.sqlite3")
    number, stamped = record_with_pdf_and_stamped_copy(tmp_path, register, tmp_path / "documents")
    assert main(["quotes", "show", number, "--register", register]) == 0
    out = capsys.readouterr().out
    workbook, pdf = (tmp_path / "星河.xlsx").resolve(), (tmp_path / "星河.pdf").resolve()
    assert f"  workbook {workbook}  sha256 {sha256_of(workbook)}" in out
    assert f"  PDF {pdf}  sha256 {sha256_of(pdf)}" in out
    assert f"  stamped copy {stamped}  sha256 {sha256_of(stamped)}  (uploaded by lina at " in out


def test_show_through_a_server_lists_each_document_s_address(tmp_path):
    register = str(tmp_path / "register.sqlite3")
    settings = make_team(tmp_path, register)
    documents = tmp_path / "documents"
    number, stamped = record_with_pdf_and_stamped_copy(tmp_path, register, documents, "--settings", str(settings))
    s = ServerProcess(register, settings, documents, tmp_path / "server.log")
    try:
        token = cli("users", "token", "lina", "--register", register, "--settings", str(settings)).stdout.strip()
        done = cli("quotes", "show", number, "--server", s.url, env={"XLPRICING_TOKEN": token})
        assert done.returncode == 0, done.stderr
        assert f"  workbook {s.url}/quotes/{number}/files/xlsx?version=1" in done.stdout
        assert f"  PDF {s.url}/quotes/{number}/files/pdf?version=1" in done.stdout
        url = re.search(rf"  stamped copy ({re.escape(s.url)}/\S+)  sha256 {sha256_of(stamped)}  \(uploaded by lina",
                        done.stdout).group(1)
        got = httpx.get(url, headers={"Authorization": f"Bearer {token}"})
        assert got.status_code == 200 and got.content == stamped.read_bytes()  # the address serves that copy
    finally:
        s.stop()

"""The command line against a team server (``--server URL``, the token in $XLPRICING_TOKEN): a
real ``xlpricing serve`` on 127.0.0.1, the CLI as a separate process, as a rep runs it.

Hand-worked (seed book): pro 999 + 3 × 1,000 DAU overage (35,000 − 10,000 free = 25,000 → 3
started blocks of 10,000) = 3,999 a month; 12 months = 47,988; 15 % off: 3,999 × 0.85 = 3,399.15
a month → 40,789.80.
"""

import zipfile

import pytest

from server_harness import cli, start_team


@pytest.fixture(scope="module")
def team_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("team")
    s, tokens = start_team(folder, str(folder / "register.sqlite3"))
    yield s, tokens
    s.stop()


def as_user(tokens, login, *args):
    return cli(*args, env={"XLPRICING_TOKEN": tokens[login]})


def test_a_rep_quotes_on_the_server_and_her_manager_approves_from_his_terminal(team_server, tmp_path):
    s, tokens = team_server
    out = tmp_path / "星河.xlsx"
    done = as_user(tokens, "lina", "quote", "--server", s.url, "--edition", "pro", "--dau", "35000", "--months", "12",
                   "--discount", "15", "--customer", "星河科技", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "(pending approval, valid until" in done.stdout and "total CNY 40,789.80) on http://127.0.0.1" in done.stdout
    number = done.stdout.split()[1]
    assert zipfile.is_zipfile(out)  # the server's workbook, downloaded with the token
    listed = as_user(tokens, "lina", "quotes", "list", "--server", s.url, "--status", "pending approval")
    assert number in listed.stdout and "星河科技" in listed.stdout and "CNY 40,789.80" in listed.stdout
    refused = as_user(tokens, "lina", "quotes", "approve", number, "--server", s.url)
    assert refused.returncode == 2 and "a rep never approves her own quote" in refused.stderr
    done = as_user(tokens, "zhao", "quotes", "approve", number, "--server", s.url)
    assert done.returncode == 0 and f"{number}: approved" in done.stdout, done.stderr
    done = as_user(tokens, "lina", "quotes", "status", number, "sent", "--server", s.url)
    assert done.stdout.strip() == f"{number} is sent"
    shown = as_user(tokens, "lina", "quotes", "show", number.lower(), "--server", s.url)
    assert "approved pending approval → draft  by zhao" in shown.stdout and "status draft → sent  by lina" in shown.stdout


def test_the_command_line_says_what_a_server_needs(team_server, tmp_path):
    s, tokens = team_server
    done = cli("quotes", "list", "--server", s.url)
    assert done.returncode == 2 and "XLPRICING_TOKEN" in done.stderr
    done = cli("quotes", "list", "--server", s.url, env={"XLPRICING_TOKEN": "xlp_wrong"})
    assert done.returncode == 2 and "an API token is needed" in done.stderr
    done = as_user(tokens, "lina", "quote", "--server", s.url, "--edition", "pro", "--customer", "x", "--pdf")
    assert done.returncode == 2 and "--pdf: not with --server" in done.stderr
    done = as_user(tokens, "lina", "quotes", "show", "Q-2026-999999", "--server", s.url)
    assert done.returncode == 2 and "no quote Q-2026-999999" in done.stderr
    done = as_user(tokens, "lina", "quotes", "list", "--server", "http://127.0.0.1:9")
    assert done.returncode == 2 and "cannot reach" in done.stderr and "Traceback" not in done.stderr


def test_the_list_from_a_server_comes_as_csv_and_by_expiry_as_from_a_register(team_server, tmp_path):
    s, tokens = team_server
    done = as_user(tokens, "lina", "quote", "--server", s.url, "--edition", "pro", "--customer", "=HYPERLINK(\"x\")",
                   "--valid-days", "5")
    assert done.returncode == 0, done.stderr
    number = done.stdout.split()[1]
    done = as_user(tokens, "lina", "quotes", "list", "--server", s.url, "--format", "csv", "--expiring", "7d")
    lines = done.stdout.splitlines()
    assert lines[0] == ("number,version,status,customer,rep,quote_date,valid_until,price_book,currency,total,net,tax,"
                        "discount,path")
    (row,) = [line for line in lines[1:] if line.startswith(number)]
    # pro 999 for 1 month incl. VAT: net 999 / 1.06 = 942.452… → 942.45, VAT 56.55; a cell that a
    # spreadsheet would run is quoted as text
    assert f"{number},1,draft,\"'=HYPERLINK(\"\"x\"\")\",Li Na," in row and ",CNY,999,942.45,56.55,0," in row
    assert f"{s.url}/quotes/{number}/files/xlsx" in row
    wide = as_user(tokens, "lina", "quotes", "list", "--server", s.url, "--expiring", "3d")
    assert number not in wide.stdout  # valid 5 days: not within 3

"""``xlpricing serve`` as the README starts it (./scripts/serve): a new SQLite register, one
administrator and a sample quote, on a real server process.

The sample (seed book, pinned by the suite) is a two-app deal for 12 months: 主应用 pro 999 +
history_90 1,000 + 3 × 1,000 DAU overage (35,000 − 10,000 free = 25,000 → 3 started blocks) +
2 × 1,000 groups overage (202,000 − 100,000 free → 2 blocks) = 6,999 a month; 海外 pro 999 (8,000
DAU ≤ 10,000 free): 7,998 a month × 12 = 95,976.
"""

import re

import httpx2 as httpx

from server_harness import ServerProcess, cli, csrf_of, free_port


def test_the_first_start_makes_an_administrator_and_a_sample_quote(tmp_path):
    register = str(tmp_path / "register.sqlite3")
    start = dict(extra=("--first-admin", "admin", "--sample"))
    s = ServerProcess(register, None, tmp_path / "documents", tmp_path / "server.log", **start)
    try:
        log = s.text_of_log()
        password = re.search(r"administrator admin, password \(shown once\): (\S+)", log).group(1)
        assert "recorded the sample quote Q-2026-000001" in log
        with httpx.Client(base_url=s.url) as c:
            form = c.get("/login")
            r = c.post("/login", data={"csrf": csrf_of(form.text), "login": "admin", "password": password})
            assert r.status_code == 303
            page = c.get("/quotes/Q-2026-000001").text
            assert "示例客户 Sample Customer Ltd." in page and "CNY 95,976" in page
            assert c.get("/team").status_code == 200  # the administrator sees the team
    finally:
        s.stop()
    # started again: no second administrator, no second sample, and the password is not printed again
    again = ServerProcess(register, None, tmp_path / "documents", tmp_path / "server2.log", **start)
    again.stop()
    log = again.text_of_log()
    assert "password" not in log and "sample quote" not in log
    assert password not in log


def test_a_fresh_team_with_approval_rules_and_no_users_starts_with_its_first_admin(tmp_path):
    # approval rules name a role nobody holds yet: the first administrator holds it, and the log
    # says how to give it to someone; doing so keeps the settings valid for the next start
    register = str(tmp_path / "register.sqlite3")
    settings = tmp_path / "team.toml"
    settings.write_text('[[approvals]]\nrole = "sales manager"\ndiscount_above = 10\n', encoding="utf-8")
    s = ServerProcess(register, settings, tmp_path / "documents", tmp_path / "server.log",
                      extra=("--first-admin", "admin"))
    try:
        log = s.text_of_log()
        password = re.search(r"administrator admin, password \(shown once\): (\S+)", log).group(1)
        assert ("admin holds the approving role(s) 'sales manager' until someone else does: give them to a user "
                f"with xlpricing users add LOGIN --name NAME --role 'sales manager' --register {register} "
                f"--settings {settings}") in log
        with httpx.Client(base_url=s.url) as c:
            form = c.get("/login")
            r = c.post("/login", data={"csrf": csrf_of(form.text), "login": "admin", "password": password})
            assert r.status_code == 303
    finally:
        s.stop()
    added = cli("users", "add", "lina", "--name", "Li Na", "--role", "sales manager", "--password-stdin",
                "--register", register, "--settings", str(settings), stdin="a long password for lina\n")
    assert added.returncode == 0, added.stderr
    again = ServerProcess(register, settings, tmp_path / "documents", tmp_path / "server2.log",
                          extra=("--first-admin", "admin"))
    again.stop()
    assert "approving role" not in again.text_of_log()  # not a fresh team any more: nothing to say


def test_approval_rules_nobody_can_hold_still_stop_a_server_without_first_admin(tmp_path):
    settings = tmp_path / "team.toml"
    settings.write_text('[[approvals]]\nrole = "sales manager"\ndiscount_above = 10\n', encoding="utf-8")
    done = cli("serve", "--register", str(tmp_path / "register.sqlite3"), "--settings", str(settings),
               "--documents", str(tmp_path / "documents"), "--port", str(free_port()))
    assert done.returncode == 2
    assert "no user in [users] holds the role 'sales manager'" in done.stderr

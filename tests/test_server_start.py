"""``xlpricing serve`` as the README starts it (./scripts/serve): a new SQLite register, one
administrator and a sample quote, on a real server process.

The sample (seed book, pinned by the suite) is a two-app deal for 12 months: 主应用 pro 999 +
history_90 1,000 + 3 × 1,000 DAU overage (35,000 − 10,000 free = 25,000 → 3 started blocks) +
2 × 1,000 groups overage (202,000 − 100,000 free → 2 blocks) = 6,999 a month; 海外 pro 999 (8,000
DAU ≤ 10,000 free): 7,998 a month × 12 = 95,976.
"""

import re

import httpx2 as httpx

from server_harness import ServerProcess, csrf_of


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

"""An Idempotency-Key as the IETF draft (httpapi, "The Idempotency-Key HTTP Header Field") has it,
on real ``xlpricing serve`` processes: SQLite with one, PostgreSQL with two sharing the register.
Parallel calls with one key record one quote; each answers that quote (201 first, 200 after) or
409 "still in progress"; the key with another body is 422; a key over 200 characters is 400. A
database failure is a 500 with an id the server's log carries, never the database's words.

Hand-worked (seed book, pinned by the suite): pro 999 + 3 × 1,000 DAU overage (35,000 − 10,000
free = 25,000 → 3 started blocks) = 3,999 a month; × 12 months = 47,988.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading

import httpx2 as httpx
import pytest

from register_backends import register_target  # noqa: F401  (a fixture)
from server_harness import PASSWORDS, ServerProcess, cli, csrf_of, make_team

PARALLEL = 12
ONE_APP = {"customer": "星河科技", "apps": [{"edition": "pro", "peak_dau": 35000}], "months": 12}


@pytest.fixture
def team(register_target, tmp_path):  # noqa: F811
    """(servers, tokens, register, settings): two server processes on one PostgreSQL register
    (sharing their documents folder, as a team's do), one on SQLite."""
    settings = make_team(tmp_path, register_target)
    count = 2 if register_target.startswith("postgresql") else 1
    servers = []
    try:
        for i in range(count):
            servers.append(ServerProcess(register_target, settings, tmp_path / "documents",
                                         tmp_path / f"server{i}.log"))
        tokens = {}
        for login in ("lina", "zhao"):
            done = cli("users", "token", login, "--register", register_target, "--settings", str(settings))
            assert done.returncode == 0, done.stderr
            tokens[login] = done.stdout.strip()
        yield servers, tokens, register_target, settings
    finally:
        for s in servers:
            s.stop()


def bearer(token: str, key: str | None = None) -> dict:
    return {"Authorization": f"Bearer {token}", **({"Idempotency-Key": key} if key else {})}


def all_at_once(calls: list) -> list:
    """Each call in a thread of its own, all released together; their answers, in order."""
    gate = threading.Barrier(len(calls))
    answers: list = [None] * len(calls)

    def run(i: int) -> None:
        gate.wait()
        try:
            answers[i] = calls[i]()
        except BaseException as exc:  # noqa: BLE001 - shown by the assertion below
            answers[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    assert not any(t.is_alive() for t in threads)
    return answers


def keyed_rows(register: str, settings, key: str) -> int:
    """How many quotes of the register hold ``key`` (any state), read from the register itself."""
    from xlpricing.register import Register
    with Register.open(register, settings, recover=False) as reg:
        with reg.db.transaction() as tx:
            return tx.one("SELECT count(*) FROM quotes WHERE request_key = ?", (key,))[0]


def verified(register: str, settings) -> str:
    done = cli("quotes", "verify", "--register", register, "--settings", str(settings))
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_parallel_calls_with_one_key_record_one_quote(team):
    servers, tokens, register, settings = team
    year = dt.date.today().year
    key = "crm-deal-4711"

    def call(i: int):
        s = servers[i % len(servers)]  # on PostgreSQL the calls alternate between the two processes
        return lambda: httpx.post(s.url + "/api/v1/quotes", json=ONE_APP, headers=bearer(tokens["lina"], key),
                                  timeout=600)

    answers = all_at_once([call(i) for i in range(PARALLEL)])
    assert not [a for a in answers if isinstance(a, BaseException)], answers
    codes = sorted(a.status_code for a in answers)
    assert set(codes) <= {200, 201, 409}, [(a.status_code, a.text) for a in answers]
    assert codes.count(201) == 1, codes
    first = f"Q-{year}-000001"  # the register's first quote: nothing before it, no number lost to the race
    for a in answers:
        if a.status_code == 409:
            assert a.json() == {"error": "a request with this Idempotency-Key is still in progress: retry in a "
                                         "moment"} and a.headers["retry-after"] == "1", a.text
        else:
            assert a.json()["number"] == first and a.json()["total"] == "47988", a.text
    # once the first call is done, every retry gets its quote
    again = httpx.post(servers[-1].url + "/api/v1/quotes", json=ONE_APP, headers=bearer(tokens["lina"], key),
                       timeout=600)
    assert again.status_code == 200 and again.json()["number"] == first, again.text
    assert keyed_rows(register, settings, f"api:lina:{key}") == 1
    assert verified(register, settings).endswith("1 record(s) checked, 0 problem(s)\n")
    # the conflicts spent no number: the next quote is the second
    r = httpx.post(servers[0].url + "/api/v1/quotes", json=ONE_APP, headers=bearer(tokens["lina"]), timeout=600)
    assert r.status_code == 201 and r.json()["number"] == f"Q-{year}-000002", r.text


def test_a_key_with_another_body_is_422_and_a_key_too_long_is_400(team):
    servers, tokens, register, settings = team
    url = servers[0].url + "/api/v1/quotes"
    lina = tokens["lina"]
    with httpx.Client(timeout=600) as c:
        first = c.post(url, json=ONE_APP, headers=bearer(lina, "crm-1"))
        assert first.status_code == 201, first.text
        # the same request, its keys in another order and spaced otherwise: the same body
        same = json.dumps({"months": 12, "apps": [{"peak_dau": 35000, "edition": "pro"}], "customer": "星河科技"},
                          indent=2, ensure_ascii=False)
        r = c.post(url, content=same.encode(), headers=bearer(lina, "crm-1"))
        assert r.status_code == 200 and r.json()["number"] == first.json()["number"], r.text
        r = c.post(url, json={**ONE_APP, "months": 24}, headers=bearer(lina, "crm-1"))
        assert r.status_code == 422 and "used for another request" in r.json()["error"], r.text
        # the key in the body, as the header's stand-in, is the same key
        r = c.post(url, json={**ONE_APP, "months": 24, "idempotency_key": "crm-1"}, headers=bearer(lina))
        assert r.status_code == 422, r.text
        # another user's same text is another key
        r = c.post(url, json=ONE_APP, headers=bearer(tokens["zhao"], "crm-1"))
        assert r.status_code == 201 and r.json()["number"] != first.json()["number"], r.text
        # 200 characters are a key; 201 are refused, never cut to the 200 another key has
        long_key = "k" * 200
        r = c.post(url, json=ONE_APP, headers=bearer(lina, long_key))
        assert r.status_code == 201, r.text
        for too_long in (long_key + "x", long_key + "y"):
            r = c.post(url, json={**ONE_APP, "months": 6}, headers=bearer(lina, too_long))
            assert r.status_code == 400, r.text
            assert r.json()["problems"] == [{"argument": "Idempotency-Key", "message":
                                             "Idempotency-Key: a key is 1 to 200 characters, got 201"}]
        count = len(c.get(servers[0].url + "/api/v1/quotes", headers=bearer(lina)).json()["quotes"])
    assert count == 3  # lina's two and zhao's one: nothing refused was recorded
    assert verified(register, settings).endswith("3 record(s) checked, 0 problem(s)\n")


def test_a_database_failure_is_a_500_with_an_id_the_log_carries(team):
    servers, tokens, register, settings = team
    s = servers[0]
    with httpx.Client(base_url=s.url, timeout=600) as c:
        assert c.post("/api/v1/quotes", json=ONE_APP, headers=bearer(tokens["lina"])).status_code == 201
        form = c.get("/login")
        assert c.post("/login", data={"csrf": csrf_of(form.text), "login": "lina",
                                      "password": PASSWORDS["lina"]}).status_code == 303
        rename(register, "quotes", "quotes_away")  # the register breaks under the running server
        try:
            # the id alone: neither the database's words nor its address
            r = c.get("/api/v1/quotes", headers=bearer(tokens["lina"]))
            api_id = r.json().get("id", "")
            assert (r.status_code, r.json()) == (500, {"error": "internal error", "id": api_id}), r.text
            page = c.get("/quotes")
            page_id = page.text.partition("names it ")[2].partition(":")[0]
            assert (page.status_code, page.text) == (500, f"内部错误 Internal error. The server's log names it "
                                                          f"{page_id}: give this id to your administrator."), page.text
            assert len({api_id, page_id}) == 2 and all(len(i) == 12 for i in (api_id, page_id))
        finally:
            rename(register, "quotes_away", "quotes")
        assert c.get("/api/v1/quotes", headers=bearer(tokens["lina"])).status_code == 200  # and serves on
    log = s.text_of_log()
    for error_id in (api_id, page_id):
        assert f"error {error_id} in GET" in log
    assert "quotes" in log.split(f"error {api_id}")[1]  # the log has what happened, with the id


def rename(register: str, table: str, to: str) -> None:
    sql = f"ALTER TABLE {table} RENAME TO {to}"  # names written here, never from input
    if register.startswith("postgresql"):
        import psycopg
        with psycopg.connect(register, autocommit=True) as conn:
            conn.execute(sql)
    else:
        with sqlite3.connect(register) as conn:
            conn.execute(sql)

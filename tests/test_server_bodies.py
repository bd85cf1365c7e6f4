"""What a real ``xlpricing serve`` does with the bodies an attacker sends: the size limit holds
while the body is read (a chunked body has no length to check first), before anybody is
authenticated; a body is parsed only for a user (401 before 400); every malformed body is a 400
naming where it is wrong, never a 500, and spends no quote number.

Hand-worked (seed book, pinned by the suite): pro 999 + 3 × 1,000 DAU overage (35,000 − 10,000
free = 25,000 → 3 started blocks) = 3,999 a month; × 12 months = 47,988.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import select
import socket

import httpx2 as httpx
import pytest

from register_backends import register_target  # noqa: F401  (a fixture)
from server_harness import PASSWORDS, csrf_of, start_team

MB = 1024 * 1024
ONE_APP = {"customer": "星河科技", "apps": [{"edition": "pro", "peak_dau": 35000}], "months": 12}


@pytest.fixture(scope="module")
def sqlite_team(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bodies")
    s, tokens = start_team(folder, str(folder / "register.sqlite3"))
    yield s, tokens
    s.stop()


@pytest.fixture
def any_team(register_target, tmp_path):  # noqa: F811
    s, tokens = start_team(tmp_path, register_target)
    yield s, tokens
    s.stop()


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def memory_kb(pid: int, field: str) -> int:
    """VmRSS (resident now) or VmHWM (the peak resident since the last reset) of a process, in KB."""
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(f"no {field} in /proc/{pid}/status")


def post_chunked(url: str, path: str, total: int, headers: dict, start: bytes = b"",
                 chunk: int = MB) -> tuple[int, bytes]:
    """POST ``start`` and then ``total`` bytes as a chunked body (no Content-Length), and the
    server's answer. The sending stops as soon as an answer is there: the rest would only be
    thrown away."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=300) as sock:
        head = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", "Transfer-Encoding: chunked",
                *(f"{k}: {v}" for k, v in headers.items())]
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        if start:
            sock.sendall(f"{len(start):x}\r\n".encode() + start + b"\r\n")
        piece = f"{chunk:x}\r\n".encode() + b"7" * chunk + b"\r\n"
        sent = 0
        while sent < total and not select.select([sock], [], [], 0)[0]:
            sock.sendall(piece)
            sent += chunk
        if sent >= total:
            sock.sendall(b"0\r\n\r\n")
        answer = http.client.HTTPResponse(sock, method="POST")
        answer.begin()
        return answer.status, answer.read()


def test_a_chunked_body_over_the_limit_is_cut_off_before_the_token_is_asked_for_and_costs_no_memory(sqlite_team):
    s, _ = sqlite_team
    pid = s.proc.pid  # `xlpricing serve` with one process serves in this process
    # (path, content type, the limit the 413 names): the API's JSON; a page's form, the login's
    # included (nobody is logged in); the stamped copy's upload, whose limit is 20 MB and 64 KB
    upload = (b'--xlp\r\nContent-Disposition: form-data; name="signed"; filename="s.pdf"\r\n'
              b"Content-Type: application/pdf\r\n\r\n%PDF-1.4\n")
    attacks = [("/api/v1/quotes", "application/json", b"", "256 KB"),
               ("/api/v1/price", "application/json", b"", "256 KB"),
               ("/login", "application/x-www-form-urlencoded", b"", "1,024 KB"),
               ("/quotes/new", "application/x-www-form-urlencoded", b"", "1,024 KB"),
               ("/quotes/Q-2026-000001/signed", "multipart/form-data; boundary=xlp", upload, "20,544 KB")]
    for path, content_type, start, limit in attacks:
        with contextlib.suppress(OSError):  # the peak is reset where the kernel allows it
            with open(f"/proc/{pid}/clear_refs", "w") as f:
                f.write("5")
        before = memory_kb(pid, "VmRSS")
        status, body = post_chunked(s.url, path, 160 * MB, {"Content-Type": content_type}, start)
        assert status == 413, (path, status, body[:300])
        assert f"over {limit}".encode() in body, (path, body[:300])
        # the server kept none of it: 160 MB read whole would raise the peak by 160 MB at least
        grown = memory_kb(pid, "VmHWM") - before
        assert grown < 100 * 1024, f"{path}: the server's peak memory grew by {grown:,} KB"
    with httpx.Client(base_url=s.url) as c:  # the connection's rest was thrown away: the server serves on
        assert c.get("/login").status_code == 200


def test_a_body_is_parsed_only_for_a_user_and_a_deep_one_is_a_400(sqlite_team):
    s, tokens = sqlite_team
    deep = b"[" * 1000 + b"]" * 1000  # 2 KB: parsed recursively, it overflows Python's stack
    deep_inside = b'{"customer": "x", "apps": ' + b"[" * 1000 + b"]" * 1000 + b"}"
    with httpx.Client(base_url=s.url, timeout=120) as c:
        for body in (deep, deep_inside, b"{not json"):
            for path in ("/api/v1/quotes", "/api/v1/price"):
                r = c.post(path, content=body, headers={"Content-Type": "application/json"})
                assert r.status_code == 401, (path, r.text)  # nobody: the body is not even parsed
        for body in (deep, deep_inside):
            r = c.post("/api/v1/quotes", content=body, headers=bearer(tokens["lina"]))
            assert r.status_code == 400, r.text
            assert r.json()["problems"] == [{"argument": "body",
                                             "message": "the body nests arrays and objects more than 16 deep"}]
        # 16 deep is still a body (refused for what it says, not for its depth)
        r = c.post("/api/v1/price", content=b'{"apps": ' + b"[" * 15 + b"]" * 15 + b"}", headers=bearer(tokens["lina"]))
        assert r.status_code == 400 and r.json()["problems"][0]["argument"] == "apps", r.text


def test_the_token_scheme_is_read_in_any_case(sqlite_team):
    s, tokens = sqlite_team
    with httpx.Client(base_url=s.url) as c:
        for scheme in ("bearer", "BEARER", "Bearer"):
            r = c.get("/api/v1/", headers={"Authorization": f"{scheme} {tokens['lina']}"})
            assert r.status_code == 200 and r.json()["user"]["login"] == "lina", (scheme, r.text)
        assert c.get("/api/v1/", headers={"Authorization": f"Basic {tokens['lina']}"}).status_code == 401


# (what is sent, where it goes, the field named): each a 400, never a 500
MALFORMED = [
    (b"{not json", "/api/v1/quotes", "body"),
    (b"[1, 2]", "/api/v1/quotes", "body"),
    (b'"a text"', "/api/v1/price", "body"),
    (b"\xff\xfe{}", "/api/v1/quotes", "body"),  # not UTF-8
    (b'{"apps": [{"edition": "pro", "peak_dau": NaN}]}', "/api/v1/price", "body"),  # no JSON number
    # a lone surrogate, escaped as JSON allows: in a value, in a key, in a list
    (b'{"customer": "\\ud800", "apps": [{"edition": "pro"}]}', "/api/v1/quotes", "customer"),
    (b'{"\\udc00": 1, "customer": "x", "apps": [{"edition": "pro"}]}', "/api/v1/quotes", "body"),
    (b'{"customer": "x", "apps": [{"edition": "pro", "addons": ["history_90", "\\ud83d"]}]}', "/api/v1/quotes",
     "apps[0].addons[1]"),
    # control characters: a NUL in an app's name, a form feed in the notes
    (b'{"customer": "x", "apps": [{"name": "a\\u0000", "edition": "pro"}, {"name": "b", "edition": "pro"}]}',
     "/api/v1/quotes", "apps[0].name"),
    (b'{"customer": "x", "notes": "a\\u000cb", "apps": [{"edition": "pro"}]}', "/api/v1/quotes", "notes"),
    # wrong types
    (b'{"customer": "x", "apps": {"edition": "pro"}}', "/api/v1/quotes", "apps"),
    (b'{"customer": "x", "apps": [["pro"]]}', "/api/v1/quotes", "apps"),
    (b'{"customer": {"name": "x"}, "apps": [{"edition": "pro"}]}', "/api/v1/quotes", "customer"),
    (b'{"customer": "x", "rep": 7, "apps": [{"edition": "pro"}]}', "/api/v1/quotes", "rep"),
    (b'{"customer": "x", "idempotency_key": 42, "apps": [{"edition": "pro"}]}', "/api/v1/quotes", "idempotency_key"),
    (b'{"customer": "x", "date": 20261205, "apps": [{"edition": "pro"}]}', "/api/v1/quotes", "date"),
    (b'{"customer": "x", "price_book": ["tencent-im-cn-seed"], "apps": [{"edition": "pro"}]}', "/api/v1/quotes",
     "price_book"),
]


def test_every_malformed_body_is_a_400_naming_its_field_and_spends_no_number(any_team):
    s, tokens = any_team
    with httpx.Client(base_url=s.url, timeout=300, headers=bearer(tokens["lina"])) as c:
        for body, path, field in MALFORMED:
            r = c.post(path, content=body, headers={"Content-Type": "application/json"})
            assert r.status_code == 400, (body, r.status_code, r.text)
            problems = r.json()["problems"]
            assert field in [p["argument"] for p in problems], (body, problems)
            assert "register" not in r.text and "Traceback" not in r.text, r.text
        # the first quote recorded after all of them is the year's first: none spent a number
        r = c.post("/api/v1/quotes", json=ONE_APP)
        assert r.status_code == 201, r.text
        assert r.json()["number"] == f"Q-{dt.date.today().year}-000001" and r.json()["total"] == "47988"
        number = r.json()["number"]
        r = c.post(f"/api/v1/quotes/{number}/status", json={"status": ["sent"]})
        assert r.status_code == 400 and r.json()["problems"][0]["argument"] == "status", r.text
        r = c.post(f"/api/v1/quotes/{number}/approve", json={"role": {"name": "sales manager"}})
        assert r.status_code == 400 and r.json()["problems"][0]["argument"] == "role", r.text
        listed = c.get("/api/v1/quotes").json()["quotes"]
        assert [q["number"] for q in listed] == [number]


def test_a_rep_recording_under_another_rep_is_refused_as_not_hers_to_do(sqlite_team):
    s, tokens = sqlite_team
    with httpx.Client(base_url=s.url, timeout=300) as c:
        r = c.post("/api/v1/quotes", json={**ONE_APP, "rep": "wang"}, headers=bearer(tokens["lina"]))
        assert r.status_code == 403 and "own name" in r.json()["error"], r.text


def test_a_page_form_over_its_limit_is_413_for_a_user_too(sqlite_team):
    s, _ = sqlite_team
    with httpx.Client(base_url=s.url, timeout=300) as c:
        form = c.get("/login")
        r = c.post("/login", data={"csrf": csrf_of(form.text), "login": "lina", "password": PASSWORDS["lina"]})
        assert r.status_code == 303
        page = c.get("/quotes/new")
        r = c.post("/quotes/new", data={"csrf": csrf_of(page.text), "customer": "x" * (MB + 1)})
        assert r.status_code == 413 and "over 1,024 KB" in r.text

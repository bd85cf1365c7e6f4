"""The team server's rules, in process (Starlette's test client on the real app, a real SQLite
register): every route refuses the unauthenticated, CSRF, roles, throttling, sessions, links that
expire or are withdrawn, documents that stay in their folder, secrets that never reach a log,
and the JSON API. The browser tests (test_server_browser.py) drive the same app in Chromium.

Hand-worked figures (the seed book, pinned by the suite): pro 999 a month; 35,000 peak DAU −
10,000 free = 25,000 → 3 started blocks × 1,000; 202,000 peak groups − 100,000 free = 102,000 →
2 blocks × 1,000; history_90 1,000: 6,999 a month, × 12 = 83,988 incl. 6 % VAT: net 83,988 /
1.06 = 79,233.962… → 79,233.96, VAT 4,754.04.
"""

import datetime as dt
import logging
import re

import pytest
from starlette.testclient import TestClient

from server_harness import PASSWORDS, TEAM_SETTINGS, client, csrf_of, record_quote, signed_in, team_app
from xlpricing.register import Register
from xlpricing.register.accounts import FAILURES_PER_LOGIN
from xlpricing.server import api, pages
from xlpricing.server.app import ServerConfig, create_app

ONE_APP = {"customer": "星河科技", "apps": [{"edition": "pro", "peak_dau": 35000, "peak_groups": 202000,
                                          "addons": ["history_90"]}], "months": 12}


@pytest.fixture
def team(tmp_path):
    return team_app(tmp_path), tmp_path


log_in = signed_in


def token(app, login: str) -> dict:
    return {"Authorization": f"Bearer {app.state.server.accounts.new_token(login, 'test')}"}


def record(app, login: str, **changes) -> dict:
    return record_quote(app, login, {**ONE_APP, **changes})


def csrf(c: TestClient, path: str = "/") -> str:
    return csrf_of(c.get(path).text)


def dummy(path: str) -> str:
    return (path.replace("{ref}", "Q-2026-000001").replace("{link:int}", "1").replace("{kind}", "xlsx")
            .replace("{token}", "x").replace("{id}", "tencent-im-cn-seed"))


OPEN_PAGES = {"/login", "/accept/{token}", "/accept/{token}/pdf"}


def test_every_page_and_every_api_route_refuses_the_unauthenticated(team):
    app, _ = team
    c = client(app)
    for route in pages.routes():
        if route.path in OPEN_PAGES:
            continue
        for method in sorted(route.methods - {"HEAD"}):
            r = c.request(method, dummy(route.path), data={"csrf": "x"})
            if method == "GET":
                assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), route.path
            else:
                assert r.status_code == 401, (method, route.path)
    for route in api.routes():
        for method in sorted(route.methods - {"HEAD"}):
            r = c.request(method, "/api/v1" + dummy(route.path), json={})
            assert r.status_code == 401 and "API token" in r.json()["error"], (method, route.path)
            r = c.request(method, "/api/v1" + dummy(route.path), json={}, headers={"Authorization": "Bearer xlp_nope"})
            assert r.status_code == 401, (method, route.path)


def test_a_session_cookie_is_signed_httponly_samesite_and_new_at_each_login(team):
    app, _ = team
    c = client(app)
    r = c.post("/login", data={"csrf": csrf(c, "/login"), "login": "lina", "password": PASSWORDS["lina"]})
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    first = c.cookies["xlp_session"]
    r = c.post("/login", data={"csrf": csrf(c, "/login"), "login": "lina", "password": PASSWORDS["lina"]})
    second = c.cookies["xlp_session"]
    assert second != first
    old = client(app)
    old.cookies.set("xlp_session", first)
    assert old.get("/").status_code == 303  # the key the browser had before logging in is dead
    forged = client(app)
    forged.cookies.set("xlp_session", second.rsplit(".", 1)[0] + ".AAAA")  # the signature checked
    assert forged.get("/").status_code == 303
    assert c.get("/").status_code == 200


def test_a_form_without_its_csrf_token_is_refused(team):
    app, _ = team
    quote = record(app, "lina")
    c = log_in(app, "lina")
    for path, data in ((f"/quotes/{quote['number']}/status", {"status": "sent"}), ("/logout", {}),
                       ("/account", {"action": "new-token"}), ("/quotes/new", {"action": "record"})):
        assert c.post(path, data=data).status_code == 403, path
        assert c.post(path, data={**data, "csrf": "forged"}).status_code == 403, path
    assert c.get(f"/quotes/{quote['number']}").status_code == 200
    assert Register.open(app.state.server.register.db.path).get(quote["number"]).status == "draft"  # nothing changed
    # the login form has its own token too (a cookie and the form's field must match)
    anon = client(app)
    assert anon.post("/login", data={"login": "lina", "password": PASSWORDS["lina"]}).status_code == 403


def test_a_rep_neither_approves_nor_sees_the_team_settings_nor_changes_another_reps_quote(team):
    app, _ = team
    pending = record(app, "wang", discount="15")  # above 10 %: the sales manager approves
    assert pending["status"] == "pending approval"
    lina = log_in(app, "lina")
    assert lina.get("/team").status_code == 403
    r = lina.post(f"/quotes/{pending['number']}/approve", data={"csrf": csrf(lina)})
    assert r.status_code == 409 and "Li Na may not approve" in r.text and "Zhao Min" in r.text
    assert lina.post(f"/quotes/{pending['number']}/status", data={"csrf": csrf(lina), "status": "declined"}) \
        .status_code == 403
    r = client(app).post(f"/api/v1/quotes/{pending['number']}/approve", json={}, headers=token(app, "lina"))
    assert r.status_code == 409 and "may not approve" in r.json()["error"]
    wang = log_in(app, "wang")  # her own quote: never approved by its rep, even holding the role
    zhao = log_in(app, "zhao")
    assert "approve-button" not in wang.get(f"/quotes/{pending['number']}").text
    assert "approve-button" in zhao.get(f"/quotes/{pending['number']}").text
    r = zhao.post(f"/quotes/{pending['number']}/approve", data={"csrf": csrf(zhao)})
    assert r.status_code == 200 and "approved by Zhao Min" in r.text
    assert log_in(app, "root").get("/team").status_code == 200


def test_an_approver_may_refuse_with_a_reason(team):
    app, _ = team
    pending = record(app, "lina", discount="20")
    zhao = log_in(app, "zhao")
    r = zhao.post(f"/quotes/{pending['number']}/refuse", data={"csrf": csrf(zhao), "why": ""})
    assert r.status_code == 409 and "say why" in r.text
    r = zhao.post(f"/quotes/{pending['number']}/refuse", data={"csrf": csrf(zhao), "why": "20 % is too much"})
    assert r.status_code == 200
    shown = client(app).get(f"/api/v1/quotes/{pending['number']}", headers=token(app, "lina")).json()
    assert shown["status"] == "declined"
    assert shown["events"][-1]["action"] == "approval refused" and "20 % is too much" in shown["events"][-1]["detail"]


def test_failed_logins_are_throttled_before_the_password_is_tried(team):
    app, _ = team
    c = client(app)
    for _ in range(FAILURES_PER_LOGIN):
        r = c.post("/login", data={"csrf": csrf(c, "/login"), "login": "lina", "password": "wrong-password"})
        assert r.status_code == 401 and "wrong login or password" in r.text
    r = c.post("/login", data={"csrf": csrf(c, "/login"), "login": "lina", "password": PASSWORDS["lina"]})
    assert r.status_code == 429 and "too many failed logins" in r.text  # even the right one waits
    assert log_in(app, "zhao").get("/").status_code == 200  # another user is not locked out


def test_a_new_password_logs_out_the_old_sessions(team):
    app, _ = team
    c = log_in(app, "lina")
    assert c.get("/").status_code == 200
    app.state.server.accounts.set_password("lina", "a-new-password-2")
    assert c.get("/").status_code == 303


def test_customer_text_is_escaped_in_every_page(team):
    app, _ = team
    quote = record(app, "lina", customer='<script>alert(1)</script>', notes="<img src=x onerror=alert(2)>")
    c = log_in(app, "lina")
    for path in ("/", "/quotes", f"/quotes/{quote['number']}"):
        html = c.get(path).text
        assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in c.get(f"/quotes/{quote['number']}").text
    assert "script-src" not in c.get("/").headers["content-security-policy"]  # default-src 'none': no script runs


def test_downloads_come_only_from_the_documents_folder_and_only_as_recorded(team, tmp_path):
    app, folder = team
    quote = record(app, "lina")
    c = log_in(app, "lina")
    r = c.get(f"/quotes/{quote['number']}/files/xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    for bad in ("..%2F..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "..", "Q-2026-000001%00"):
        assert c.get(f"/quotes/{bad}/files/xlsx").status_code == 404
    assert c.get(f"/quotes/{quote['number']}/files/..%2F..%2Fregister.sqlite3").status_code == 404
    # a quote recorded by the command line into another folder is not served
    from xlpricing.cli import main
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    import os
    os.environ["XLPRICING_USER"] = "lina"
    try:
        assert main(["quote", "--edition", "pro", "--customer", "CLI", "--register", str(folder / "register.sqlite3"),
                     "--settings", str(folder / "xlpricing-team.toml"), "-o", str(outside / "cli.xlsx")]) == 0
    finally:
        del os.environ["XLPRICING_USER"]
    cli_quote = Register.open(folder / "register.sqlite3", folder / "xlpricing-team.toml").quotes(customer="CLI")[0]
    r = c.get(f"/quotes/{cli_quote.number}/files/xlsx")
    assert r.status_code == 404 and "not kept by the server" in r.text
    # a workbook changed since it was recorded is not handed out as the quote
    path = app.state.server.register.get(quote["number"]).path
    with open(path, "ab") as f:
        f.write(b"\0")
    r = c.get(f"/quotes/{quote['number']}/files/xlsx")
    assert r.status_code == 409 and "changed since it was recorded" in r.text


def test_a_stamped_copy_is_kept_under_our_name_with_its_hash_and_accepts_a_sent_quote(team):
    app, folder = team
    quote = record(app, "lina")
    c = log_in(app, "lina")
    c.post(f"/quotes/{quote['number']}/status", data={"csrf": csrf(c), "status": "sent"})
    number = quote["number"]
    r = c.post(f"/quotes/{number}/signed", data={"csrf": csrf(c)},
               files={"file": ("../../../../etc/evil.pdf", b"not a pdf", "application/pdf")})
    assert r.status_code == 409 and "must be a PDF" in r.text
    import io
    from pypdf import PdfWriter
    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)  # A4: what a scanner returns, one stamped page
    writer.write(out)
    pdf = out.getvalue()
    r = c.post(f"/quotes/{number}/signed", data={"csrf": csrf(c)},
               files={"file": ("../../../../etc/evil.pdf", pdf, "application/pdf")})
    assert r.status_code == 200 and "the quote is accepted" in r.text
    (copy,) = app.state.server.accounts.signed_copies(number)
    import hashlib
    assert copy[2] == str(folder / "documents" / "signed" / f"{number}-signed-1.pdf")
    assert copy[3] == hashlib.sha256(pdf).hexdigest()
    assert not (folder.parent / "etc").exists()
    assert c.get(f"/quotes/{number}/files/signed-{copy[0]}").content == pdf
    assert app.state.server.register.get(number).status == "accepted"


def _link(app, number: str, days: int = 14) -> str:
    """A link made the way the share button makes it, without printing a PDF (no LibreOffice here)."""
    server = app.state.server
    r = server.register.get(number)
    return server.accounts.new_link(r.number, r.version, "lina", days)


def test_a_withdrawn_expired_or_superseded_link_shows_nothing_of_the_quote(team):
    app, _ = team
    quote = record(app, "lina", customer="Secret Customer Ltd")
    server = app.state.server
    anon = client(app)
    open_link = _link(app, quote["number"])
    assert "Secret Customer Ltd" in anon.get(f"/accept/{open_link}").text
    revoked = _link(app, quote["number"])
    (link_row,) = [l for l in server.accounts.links(quote["number"]) if l.state() == "open"][1:]
    lina = log_in(app, "lina")
    assert lina.post(f"/quotes/{quote['number']}/links/{link_row.id}/revoke", data={"csrf": csrf(lina)}).status_code == 200
    expired = _link(app, quote["number"])
    with server.register.db.transaction() as tx:
        tx.run("UPDATE share_links SET expires_at = ? WHERE id = (SELECT MAX(id) FROM share_links)",
               ((dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)).isoformat(timespec="seconds"),))
    for token_, status in ((revoked, 404), (expired, 404), ("made-up-token", 404)):
        for path in (f"/accept/{token_}", f"/accept/{token_}/pdf"):
            r = anon.get(path)
            assert r.status_code == status and "no longer valid" in r.text, path
            assert "Secret Customer Ltd" not in r.text and quote["total"] not in r.text
    # a new version supersedes the one the link shows
    from xlpricing.quoting import revise
    from xlpricing.pricebook import get_price_book
    settings = server.settings()
    revise(server.as_user(settings.users["lina"], settings), quote["number"], get_price_book("tencent-im-cn-seed"),
           {"months": "6"}, {})
    r = anon.get(f"/accept/{open_link}")
    assert r.status_code == 410 and "replaced by a newer version" in r.text and "Secret Customer Ltd" not in r.text


def test_an_answered_link_takes_no_second_answer(team):
    app, _ = team
    quote = record(app, "lina")
    server = app.state.server
    server.register.set_status(quote["number"], "sent", "lina")
    link = _link(app, quote["number"])
    customer = client(app)
    page = customer.get(f"/accept/{link}")
    r = customer.post(f"/accept/{link}", data={"csrf": csrf_of(page.text), "answer": "declined", "name": "王芳"})
    assert r.status_code == 200 and "your answer is recorded" in r.text
    r = customer.post(f"/accept/{link}", data={"csrf": csrf_of(page.text), "answer": "accepted", "name": "王芳",
                                               "agree": "yes"})
    assert "已拒绝 Declined by 王芳" in r.text
    assert server.register.get(quote["number"]).status == "declined"
    (answered,) = server.accounts.links(quote["number"])
    assert (answered.answer, answered.answered_name, answered.answered_address) == ("declined", "王芳", "testclient")


def test_tokens_and_link_keys_never_reach_the_log(team, caplog):
    app, _ = team
    caplog.set_level(logging.INFO, logger="xlpricing.server")
    headers = token(app, "lina")
    quote = record(app, "lina")
    c = client(app)
    assert c.get("/api/v1/quotes", headers=headers).status_code == 200
    link = _link(app, quote["number"])
    c.get(f"/accept/{link}")
    c.get(f"/accept/{link}/pdf")
    logged = caplog.text
    assert "GET /api/v1/quotes 200" in logged and "GET /accept/*** 200" in logged
    secret = headers["Authorization"].split()[1]
    assert secret not in logged and link not in logged and "Bearer" not in logged
    with app.state.server.register.db.transaction() as tx:  # and the register holds only their hashes
        dump = "\n".join(str(row) for table in ("api_tokens", "share_links", "sessions", "accounts")
                         for row in tx.all(f"SELECT * FROM {table}"))
    assert secret not in dump and link not in dump and PASSWORDS["lina"] not in dump
    assert "$argon2id$" in dump


# ------------------------------------------------------------------------------ the API

def test_the_api_prices_without_recording(team):
    app, _ = team
    r = client(app).post("/api/v1/price", json=ONE_APP, headers=token(app, "lina"))
    assert r.status_code == 200
    data = r.json()
    assert (data["total"], data["net"], data["tax"]) == ("83988", "79233.96", "4754.04")
    lines = {l["code"]: (l["quantity"], l["amount"]) for l in data["options"][0]["lines"]}
    assert lines == {"pro": (1, "11988"), "history_90": (1, "12000"), "overage_dau": (3, "36000"),
                     "overage_groups": (2, "24000")}
    assert client(app).get("/api/v1/quotes", headers=token(app, "lina")).json() == {"quotes": []}


@pytest.mark.parametrize("dau, blocks", [(9_999, 0), (10_000, 0), (10_001, 1)])
def test_the_api_prices_the_free_quota_boundary(team, dau, blocks):
    app, _ = team
    # pro 999 + DAU overage: up to the free 10,000 nothing; 10,001 starts one block of 1,000
    body = {"apps": [{"edition": "pro", "peak_dau": dau}], "months": 1}
    r = client(app).post("/api/v1/price", json=body, headers=token(app, "lina")).json()
    assert r["total"] == str(999 + 1000 * blocks)


def test_the_api_records_once_per_idempotency_key(team):
    app, _ = team
    headers = {**token(app, "lina"), "Idempotency-Key": "crm-deal-42"}
    first = client(app).post("/api/v1/quotes", json=ONE_APP, headers=headers)
    again = client(app).post("/api/v1/quotes", json=ONE_APP, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["number"] == again.json()["number"]
    listed = client(app).get("/api/v1/quotes", headers=headers).json()["quotes"]
    assert len(listed) == 1 and listed[0]["total"] == "83988" and listed[0]["rep"] == "Li Na"


def test_the_api_says_what_is_wrong(team):
    app, _ = team
    headers = token(app, "lina")
    c = client(app)
    r = c.post("/api/v1/price", json={"apps": [{"edition": "platinum", "peak_dau": "lots"}]}, headers=headers)
    assert r.status_code == 400 and "platinum" in r.json()["error"]
    assert c.post("/api/v1/price", content=b"{not json", headers=headers).json()["error"] == "the body is not JSON"
    r = c.post("/api/v1/quotes", json={**ONE_APP, "customer": ""}, headers=headers)
    assert r.status_code == 400 and "customer" in r.json()["error"]
    assert c.get("/api/v1/quotes/Q-2026-999999", headers=headers).status_code == 404
    r = c.post("/api/v1/quotes", json={**ONE_APP, "rep": "Wang Lei"}, headers=headers)
    assert r.status_code == 403 and "own name" in r.json()["error"]  # docs/api.md: not yours to do


def test_the_api_shows_changes_and_approves(team):
    app, _ = team
    quote = record(app, "lina", discount="12")
    c = client(app)
    zhao = token(app, "zhao")
    shown = c.get(f"/api/v1/quotes/{quote['number'].lower()}", headers=token(app, "lina")).json()
    assert shown["status"] == "pending approval" and shown["versions"][0]["label"] == quote["number"]
    # 83,988 list, 12 % off: 6,999 × 0.88 = 6,159.12 a month, × 12 = 73,909.44
    assert shown["total"] == "73909.44"
    r = c.post(f"/api/v1/quotes/{quote['number']}/approve", json={}, headers=zhao)
    assert r.status_code == 200 and r.json()["status"] == "draft" and r.json()["approvals"][0]["by"] == "zhao"
    r = c.post(f"/api/v1/quotes/{quote['number']}/status", json={"status": "sent"}, headers=token(app, "lina"))
    assert r.json()["status"] == "sent"
    r = c.post(f"/api/v1/quotes/{quote['number']}/status", json={"status": "accepted"}, headers=token(app, "wang"))
    assert r.status_code == 403  # another rep's quote


def test_the_api_names_the_book_in_force_and_gives_its_text(team):
    app, _ = team
    headers = token(app, "lina")
    data = client(app).get("/api/v1/books?on=2024-06-01", headers=headers).json()
    assert data["in_force"]["id"] == "tencent-im-cn-seed"  # the suite's team default wins, as on the CLI
    text = client(app).get("/api/v1/books/tencent-im-cn-2024", headers=headers).json()
    assert text["toml"].startswith("#") or "[" in text["toml"]
    import hashlib
    assert text["sha256"] == hashlib.sha256(text["toml"].encode()).hexdigest()
    assert client(app).get("/api/v1/books?on=2024-13-01", headers=headers).status_code == 400


def test_a_revoked_token_is_refused(team):
    app, _ = team
    server = app.state.server
    secret = server.accounts.new_token("lina", "laptop")
    headers = {"Authorization": f"Bearer {secret}"}
    assert client(app).get("/api/v1/", headers=headers).json()["user"]["login"] == "lina"
    (token_id, *_), = server.accounts.tokens("lina")
    c = log_in(app, "lina")
    c.post("/account", data={"csrf": csrf(c, "/account"), "action": "revoke", "token_id": str(token_id)})
    assert client(app).get("/api/v1/", headers=headers).status_code == 401


def test_cors_lets_xlwings_lite_call_the_api_and_nobody_else(team):
    app, _ = team
    c = client(app)
    ask = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type"}
    r = c.options("/api/v1/quotes", headers={"Origin": "https://addin.xlwings.org", **ask})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "https://addin.xlwings.org"
    r = c.options("/api/v1/quotes", headers={"Origin": "https://evil.example", **ask})
    assert "access-control-allow-origin" not in r.headers
    assert "access-control-allow-origin" not in c.get("/login", headers={"Origin": "https://addin.xlwings.org"}).headers


def test_the_price_form_records_what_it_priced(team):
    app, _ = team
    c = log_in(app, "lina")
    form = {"csrf": csrf(c, "/quotes/new"), "customer": "星河科技", "months": "12", "edition_0": "pro",
            "peak_dau_0": "35000", "peak_groups_0": "202000", "addons_0": "history_90", "name_0": "", "edition_1": "",
            "action": "price"}
    r = c.post("/quotes/new", data=form)
    assert r.status_code == 200 and 'id="priced-total">CNY 83,988<' in r.text
    assert client(app).get("/api/v1/quotes", headers=token(app, "lina")).json() == {"quotes": []}
    r = c.post("/quotes/new", data={**form, "action": "record"})
    assert r.status_code == 303
    number = re.search(r"/quotes/(Q-\d{4}-\d{6})", r.headers["location"]).group(1)
    assert app.state.server.register.get(number).total == 83988
    r = c.post("/quotes/new", data={**form, "peak_dau_0": "-5", "action": "record"})
    assert r.status_code == 400 and "problems" in r.text


def test_after_login_the_browser_goes_only_to_a_page_of_this_site(team):
    app, _ = team
    for target, landing in (("/quotes", "/quotes"), ("//evil.example/x", "/"), ("https://evil.example", "/"),
                            ("/\\evil.example", "/")):
        c = client(app)
        form = c.get(f"/login?next={target}")
        r = c.post("/login", data={"csrf": csrf_of(form.text), "login": "lina", "password": PASSWORDS["lina"],
                                   "next": target})
        assert r.headers["location"] == landing, target


def test_users_are_added_and_listed_on_the_command_line(tmp_path):
    from server_harness import cli
    register = str(tmp_path / "register.sqlite3")
    done = cli("users", "add", "qian", "--name", "Qian Yu", "--role", "rep", "--register", register, "--new-team")
    assert done.returncode == 0 and re.search(r"password \(shown once\): \S{12,}", done.stdout), done.stderr
    again = cli("users", "add", "qian", "--register", register)
    assert again.returncode == 2 and "exists already" in again.stderr
    bad = cli("users", "add", "Bad Login", "--register", register)
    assert bad.returncode == 2 and "lower-case letters" in bad.stderr
    short = cli("users", "password", "qian", "--password-stdin", "--register", register, stdin="short\n")
    assert short.returncode == 2 and "at least 10 characters" in short.stderr
    nobody = cli("users", "password", "nobody", "--register", register)
    assert nobody.returncode == 2 and "not a user of this team" in nobody.stderr
    listed = cli("users", "list", "--register", register)
    assert "qian" in listed.stdout and "Qian Yu" in listed.stdout and "yes" in listed.stdout
    # and she is a user of the register now: the command line acts as her only when she says so
    done = cli("quote", "--edition", "pro", "--customer", "x", "-o", str(tmp_path / "x.xlsx"), "--register", register,
               env={"XLPRICING_USER": "qian"})
    assert done.returncode == 0, done.stderr
    done = cli("quote", "--edition", "pro", "--customer", "y", "-o", str(tmp_path / "y.xlsx"), "--register", register,
               env={"XLPRICING_USER": "zhang"})
    assert done.returncode == 2 and "not a user of this team" in done.stderr


def test_a_refused_discount_is_revised_in_the_browser_and_approved_no_more(team):
    app, _ = team
    pending = record(app, "lina", discount="15")
    zhao = log_in(app, "zhao")
    zhao.post(f"/quotes/{pending['number']}/refuse", data={"csrf": csrf(zhao), "why": "at most 10 %"})
    lina = log_in(app, "lina")
    page = f"/quotes/{pending['number']}"
    r = lina.post(f"{page}/revise", data={"csrf": csrf(lina, page), "discount": "10"})
    # 6,999 a month, 10 % off: 6,299.10 × 12 = 75,589.20; 10 % is not above 10 %: no approval needed
    assert r.status_code == 200 and "revised: " + pending["number"] + "-v2 (草稿 draft, total CNY 75,589.20)" in r.text
    assert "is 已替代 superseded" in r.text
    r = lina.post(f"{page}/revise", data={"csrf": csrf(lina, page)})
    assert r.status_code == 409 and "nothing to change" in r.text
    wang = log_in(app, "wang")
    r = wang.post(f"{page}/revise", data={"csrf": csrf(wang, page), "months": "6"})
    assert r.status_code == 403 and "its rep or a manager changes it" in r.text


def test_links_it_hands_out_use_the_public_address_behind_a_proxy(tmp_path):
    settings = tmp_path / "xlpricing-team.toml"
    settings.write_text(TEAM_SETTINGS, encoding="utf-8")
    app = create_app(ServerConfig(register=str(tmp_path / "r.sqlite3"), settings=str(settings),
                                  documents=tmp_path / "documents", public_url="https://quotes.example.com/"))
    quote = record(app, "lina")
    assert quote["page"] == f"https://quotes.example.com/quotes/{quote['number']}"
    assert quote["documents"]["xlsx"].startswith(f"https://quotes.example.com/quotes/{quote['number']}/files/xlsx")


def test_the_dashboard_adds_up_by_status_rep_and_month(team):
    app, _ = team
    a = record(app, "lina")  # 83,988
    b = record(app, "wang", discount="15")  # 6,999 × 0.85 = 5,949.15 a month × 12 = 71,389.80, pending
    html = log_in(app, "zhao").get("/").text
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "草稿 draft 1 CNY 83,988" in text and "待审批 pending approval 1 CNY 71,389.80" in text
    assert "Li Na 1 CNY 83,988" in text and "Wang Lei 1 CNY 71,389.80" in text
    month = dt.date.today().strftime("%Y-%m")
    assert f"{month} 2 CNY 155,377.80" in text  # 83,988 + 71,389.80
    assert "Waiting for your approval" in text and b["number"] in text
    assert "Waiting for your approval" not in log_in(app, "lina").get("/").text  # a rep approves nothing
    assert a["number"] not in text.split("Waiting for your approval")[1].split("By status")[0]


def test_the_price_form_offers_one_app_in_up_to_three_options(team):
    app, _ = team
    c = log_in(app, "lina")
    form = {"csrf": csrf(c, "/quotes/new"), "customer": "星河科技", "months": "12", "name_0": "", "edition_0": "pro",
            "peak_dau_0": "35000", "option_edition_2": "flagship", "action": "price"}
    r = c.post("/quotes/new", data=form)
    # pro: (999 + 3 × 1,000 DAU overage) × 12 = 47,988; flagship: (2,999 + 3 × 1,000) × 12 = 71,988
    assert r.status_code == 200 and 'id="priced-total">CNY 47,988<' in r.text
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r.text))
    assert "<h3>方案 1 Option 1 · 专业版 Pro</h3>" in r.text and "<h3>方案 2 Option 2 · 旗舰版 Flagship</h3>" in r.text
    assert "35,988" in text and "方案 2 合计 Option 2 total 71,988" in text
    r = c.post("/quotes/new", data={**form, "action": "record"})
    number = re.search(r"/quotes/(Q-\d{4}-\d{6})", r.headers["location"]).group(1)
    assert [o["total"] for o in app.state.server.register.get(number).options] == ["47988", "71988"]
    r = c.post("/quotes/new", data={**form, "edition_1": "pro", "name_1": "web", "peak_dau_1": "1"})
    assert r.status_code == 400 and "options 2 and 3 compare another edition for one app" in r.text


def test_the_price_form_grows_for_a_deal_of_more_apps(team):
    app, _ = team
    c = log_in(app, "lina")
    form = {"csrf": csrf(c, "/quotes/new"), "customer": "星河科技", "months": "1", "action": "price"}
    for i in range(4):
        form.update({f"name_{i}": f"app {i + 1}", f"edition_{i}": "pro", f"peak_dau_{i}": "1000"})
    r = c.post("/quotes/new", data=form)
    assert 'id="priced-total">CNY 3,996<' in r.text  # 4 apps × pro 999 (1,000 DAU ≤ 10,000 free)
    assert 'name="name_5"' in r.text and 'name="name_6"' not in r.text  # two more rows to fill
    form.update({"name_4": "app 5", "edition_4": "pro", "peak_dau_4": "1000"})
    r = c.post("/quotes/new", data=form)
    assert 'id="priced-total">CNY 4,995<' in r.text  # 5 × 999


def test_a_user_added_on_the_team_page_is_listed_and_can_log_in_at_once(team):
    app, _ = team
    root = log_in(app, "root")
    r = root.post("/team", data={"csrf": csrf(root, "/team"), "action": "add-user", "login": "qian", "name": "Qian Yu",
                                 "roles": "rep"})
    password = re.search(r"first password \(shown once\): ([\w-]+)", r.text).group(1)
    assert "<td>qian</td><td>Qian Yu</td><td>rep</td>" in r.text  # in the list on the same page
    assert log_in(app, "qian", password).get("/").status_code == 200


def test_a_quote_page_reads_the_recorded_price_book_once_however_often_it_is_shown(tmp_path, monkeypatch):
    """The register keeps the text of the book a quote was priced with; the server's catalog reads
    that text once (by its SHA-256), not at every view of the quote's page."""
    from xlpricing import pricebook
    from xlpricing.book import catalog as catalog_module
    from xlpricing.book.catalog import Catalog
    app = team_app(tmp_path, catalog=Catalog())  # its own catalog: no other test has read this text into it
    quote = record(app, "lina")
    parsed = []

    def counting(parse):
        def parse_price_book(text, source="<text>"):
            parsed.append(source)
            return parse(text, source)
        return parse_price_book
    for module in (catalog_module, pricebook):  # wherever a book's text is read from
        monkeypatch.setattr(module, "parse_price_book", counting(module.parse_price_book))
    lina = log_in(app, "lina")
    views = [lina.get(f"/quotes/{quote['number']}") for _ in range(2)]
    for view in views:  # both show the lines the book prices: 3 DAU blocks × 1,000 a month, × 12 = 36,000
        assert view.status_code == 200 and "cannot show its lines" not in view.text and "36,000" in view.text
    assert [s for s in parsed if s.startswith("the register's copy")] == ["the register's copy of " + quote["price_book"]]
    register = app.state.server.register
    recorded = register.get(quote["number"])
    assert register.book_of(recorded) is register.acting_as(register.settings.users["lina"]).book_of(recorded)

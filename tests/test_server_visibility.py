"""Who sees which quote, and how a quote's history reads.

With the team setting [quotes] visibility = "own" a rep sees her own quotes only, at every door:
the dashboard, the list, a quote's page, its documents, the API and the command line through
--server; another rep's quote answers exactly as one that does not exist (404). Managers and
administrators see every quote. Times show in the team's zone ([team] time_zone) as
2026-12-05 19:46; no page or API answer shows a server file path; amounts are formatted.

Hand-worked (seed book, pinned by the suite): pro 999 + history_90 1,000 + 3 × 1,000 DAU overage
(35,000 − 10,000 free → 3 started blocks) + 2 × 1,000 groups overage (202,000 − 100,000 free → 2
blocks) = 6,999 a month × 12 = 83,988. Asia/Kolkata is UTC + 5:30 all year (no summer time).
"""

import datetime as dt
import io

import pytest
from pypdf import PdfWriter

from server_harness import (EVERY_PASSWORD, TEAM_SETTINGS, ServerProcess, cli, client, csrf_of, make_team, record_quote,
                            signed_in, team_app, with_token)

ONE_APP = {"apps": [{"edition": "pro", "peak_dau": 35000, "peak_groups": 202000, "addons": ["history_90"]}],
           "months": 12}
OWN = '[quotes]\nvisibility = "own"\n[team]\ntime_zone = "Asia/Kolkata"\n' + TEAM_SETTINGS


start = team_app
log_in = signed_in
api = with_token


@pytest.fixture
def own(tmp_path):
    return start(tmp_path, OWN)


def record(app, login: str, customer: str) -> str:
    return record_quote(app, login, {**ONE_APP, "customer": customer})["number"]


def in_kolkata(stamp: str) -> str:
    """The register's UTC time, 5 h 30 min later, to the minute: worked out here, not by the server's code."""
    return (dt.datetime.fromisoformat(stamp) + dt.timedelta(hours=5, minutes=30)).strftime("%Y-%m-%d %H:%M")


def test_with_own_visibility_a_rep_sees_only_her_own_quotes_on_the_pages(own):
    hers, his = record(own, "lina", "Lina Customer Ltd"), record(own, "wang", "Wang Customer Ltd")
    missing = hers[:-6] + "999999"
    wang = log_in(own, "wang")
    nothing = wang.get(f"/quotes/{missing}")
    page = wang.get(f"/quotes/{hers}")
    assert nothing.status_code == page.status_code == 404
    assert page.text == nothing.text.replace(missing, hers)  # word for word a quote that does not exist
    text = wang.get("/quotes").text
    assert "Wang Customer Ltd" in text and his in text
    assert "Lina Customer Ltd" not in text and hers not in text
    dashboard = wang.get("/").text  # counted by rep: his one quote, none of hers
    assert "1 份报价 quote(s)" in dashboard and 'href="/quotes?rep=lina"' not in dashboard
    assert wang.get(f"/quotes/{hers}/files/xlsx").status_code == 404
    assert wang.get(f"/quotes/{his}/files/xlsx").status_code == 200
    r = wang.post(f"/quotes/{hers}/status", data={"csrf": csrf_of(wang.get("/").text), "status": "sent"})
    assert r.status_code == 404 and own.state.server.register.get(hers).status == "draft"
    # her own, and everything for a manager and an administrator
    assert log_in(own, "lina").get(f"/quotes/{his}").status_code == 404
    for login in ("zhao", "root"):
        c = log_in(own, login)
        assert c.get(f"/quotes/{hers}").status_code == c.get(f"/quotes/{his}").status_code == 200
        text = c.get("/quotes").text
        assert "Lina Customer Ltd" in text and "Wang Customer Ltd" in text
        dashboard = c.get("/").text
        assert "2 份报价 quote(s)" in dashboard and 'href="/quotes?rep=lina"' in dashboard


def test_with_own_visibility_the_api_answers_another_reps_quote_as_missing(own):
    hers, his = record(own, "lina", "Lina Customer Ltd"), record(own, "wang", "Wang Customer Ltd")
    wang = api(own, "wang")
    assert [q["number"] for q in wang.get("/api/v1/quotes").json()["quotes"]] == [his]
    r = wang.get(f"/api/v1/quotes/{hers}")
    assert r.status_code == 404 and r.json()["error"] == f"no quote {hers} in the register"
    assert wang.post(f"/api/v1/quotes/{hers}/status", json={"status": "sent"}).status_code == 404
    assert wang.post(f"/api/v1/quotes/{hers}/approve", json={}).status_code == 404
    assert wang.get(f"/quotes/{hers}/files/xlsx").status_code == 404  # a download with the token
    assert own.state.server.register.get(hers).status == "draft"
    assert sorted(q["number"] for q in api(own, "zhao").get("/api/v1/quotes").json()["quotes"]) == sorted([hers, his])
    assert api(own, "zhao").get(f"/api/v1/quotes/{hers}").status_code == 200


def test_by_default_the_team_sees_every_quote(tmp_path):
    app = start(tmp_path, TEAM_SETTINGS)  # no [quotes] visibility: "team"
    hers = record(app, "lina", "Lina Customer Ltd")
    assert log_in(app, "wang").get(f"/quotes/{hers}").status_code == 200
    assert [q["number"] for q in api(app, "wang").get("/api/v1/quotes").json()["quotes"]] == [hers]


def test_the_history_shows_the_teams_time_formatted_amounts_and_no_server_path(own, tmp_path):
    number = record(own, "lina", "星河科技")
    server = own.state.server
    reg = server.register
    workbook = reg.get(number).path
    # an event as the register wrote it before details left the path out
    with reg.db.transaction() as tx:
        reg._event(tx, number, 1, "lina", "created", None, "draft", f"星河科技 · total 83988 CNY · {workbook}")
    lina = log_in(own, "lina")
    csrf = csrf_of(lina.get(f"/quotes/{number}").text)
    lina.post(f"/quotes/{number}/status", data={"csrf": csrf, "status": "sent"})
    server.accounts.new_link(number, 1, "lina", 14)  # a customer's link: its times are shown too
    writer, pdf = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(pdf)
    r = lina.post(f"/quotes/{number}/signed", data={"csrf": csrf},
                  files={"file": ("scan.pdf", pdf.getvalue(), "application/pdf")})
    assert r.status_code == 200, r.text
    page = lina.get(f"/quotes/{number}").text
    events = reg.events(number)
    assert len(events) == 4  # created, the old-style created, sent, accepted by the stamped copy
    for _, at, *_ in events:
        assert in_kolkata(at) in page and at not in page
    (link,) = server.accounts.links(number)
    assert f"{in_kolkata(link.created_at)} · lina" in page and in_kolkata(link.expires_at) in page
    (copy,) = server.accounts.signed_copies(number)
    assert f"· {in_kolkata(copy[5])} · SHA-256" in page
    # the stamped copy is hers to download (and a manager's), another rep's 404
    assert lina.get(f"/quotes/{number}/files/signed-{copy[0]}").content == pdf.getvalue()
    assert log_in(own, "wang").get(f"/quotes/{number}/files/signed-{copy[0]}").status_code == 404
    assert log_in(own, "zhao").get(f"/quotes/{number}/files/signed-{copy[0]}").status_code == 200
    assert page.count("星河科技 · total CNY 83,988") == 2  # the new event and the old one, formatted alike
    assert str(tmp_path) not in page and ".xlsx" not in page
    shown = api(own, "lina").get(f"/api/v1/quotes/{number}").json()
    assert [e["detail"] for e in shown["events"][:2]] == ["星河科技 · total CNY 83,988"] * 2
    assert str(tmp_path) not in str(shown)


def test_the_customers_page_says_when_it_was_answered_in_the_teams_time(own):
    number = record(own, "lina", "星河科技")
    server = own.state.server
    server.register.set_status(number, "sent", "lina")
    token = server.accounts.new_link(number, 1, "lina", 14)
    customer = client(own)
    page = customer.get(f"/accept/{token}")
    r = customer.post(f"/accept/{token}", data={"csrf": csrf_of(page.text), "answer": "declined", "name": "王芳"})
    assert r.status_code == 200 and "your answer is recorded" in r.text
    (link,) = server.accounts.links(number)
    assert f"by 王芳 on {in_kolkata(link.answered_at)}." in customer.get(f"/accept/{token}").text


def test_the_command_line_through_a_server_sees_what_the_api_shows(tmp_path):
    register = str(tmp_path / "register.sqlite3")
    settings = make_team(tmp_path, register)
    settings.write_text(OWN, encoding="utf-8")  # the same users, reps seeing their own quotes
    done = cli("users", "password", "wang", "--password-stdin", "--register", register, "--settings", str(settings),
               stdin=EVERY_PASSWORD["wang"] + "\n")
    assert done.returncode == 0, done.stderr
    tokens = {}
    for login in ("lina", "wang"):
        done = cli("users", "token", login, "--register", register, "--settings", str(settings))
        assert done.returncode == 0, done.stderr
        tokens[login] = {"XLPRICING_TOKEN": done.stdout.strip()}
    s = ServerProcess(register, settings, tmp_path / "documents", tmp_path / "server.log")
    try:
        done = cli("quote", "--server", s.url, "--edition", "pro", "--customer", "Lina Customer Ltd",
                   env=tokens["lina"])
        assert done.returncode == 0, done.stderr
        number = done.stdout.split()[1]
        listed = cli("quotes", "list", "--server", s.url, env=tokens["wang"])
        assert listed.returncode == 0 and number not in listed.stdout and "Lina Customer Ltd" not in listed.stdout
        shown = cli("quotes", "show", number, "--server", s.url, env=tokens["wang"])
        assert shown.returncode == 2 and f"no quote {number} in the register" in shown.stderr
        shown = cli("quotes", "show", number, "--server", s.url, env=tokens["lina"])
        assert shown.returncode == 0 and "Lina Customer Ltd" in shown.stdout
    finally:
        s.stop()

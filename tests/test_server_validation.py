"""One validation of a request to quote at every door: the API, the web form, the quote page's
Revise, the command line (quote, quotes revise) and a batch's row refuse the same things with the
same words (quoting.check_request): a validity outside 1–365 days, a text holding a control
character or a lone surrogate, a book a client names by anything but a shipped book's id. A
refused request spends no quote number.

Hand-worked (seed book, pinned by the suite): pro 999 + history_90 1,000 + 3 × 1,000 DAU overage
(35,000 − 10,000 free → 3 started blocks) + 2 × 1,000 groups overage (202,000 − 100,000 free → 2
blocks) = 6,999 a month × 12 = 83,988.
"""

import datetime as dt
import json

import pytest

from register_backends import register_target  # noqa: F401 (a fixture)
from server_harness import PASSWORDS, TEAM_SETTINGS, client, csrf_of, signed_in, team_app, with_token
from xlpricing.cli import main
from xlpricing.register import Register
from xlpricing.register.accounts import Accounts
from xlpricing.server.app import ServerConfig, create_app

ONE_APP = {"customer": "星河科技", "apps": [{"edition": "pro", "peak_dau": 35000, "peak_groups": 202000,
                                          "addons": ["history_90"]}], "months": 12}
TWO_APPS = [{"name": "主应用", "edition": "pro", "peak_dau": 1000}, {"name": "web", "edition": "pro", "peak_dau": 1000}]
SHIPPED = "tencent-im-cn-2023-03, tencent-im-cn-2024, tencent-im-cn-seed, tencent-im-overseas"


@pytest.fixture
def team(tmp_path):
    return team_app(tmp_path), tmp_path


log_in = signed_in


def api(app, login: str = "lina"):
    return with_token(app, login)


def post_json(c, path: str, body: dict | bytes):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return c.post(path, content=raw, headers={"content-type": "application/json"})


def numbers(app) -> list[str]:
    return [r.number for r in app.state.server.register.quotes(latest_only=False)]


def first_number() -> str:
    return f"Q-{dt.date.today().year}-000001"


# ------------------------------------------------------------------------------ validity

@pytest.mark.parametrize("days", ["0", "366", "36500"])
def test_the_quote_pages_revise_refuses_a_validity_outside_1_to_365_days(team, days):
    app, _ = team
    number = post_json(api(app), "/api/v1/quotes", ONE_APP).json()["number"]
    c = log_in(app, "lina")
    page = c.get(f"/quotes/{number}").text
    r = c.post(f"/quotes/{number}/revise", data={"csrf": csrf_of(page), "valid_days": days, "discount": "5"})
    assert r.status_code == 409
    assert f"valid_days must be from 1 to 365, got {int(days):,}" in r.text  # 36500 → "36,500"
    assert [v.version for v in app.state.server.register.versions(number)] == [1]  # no version 2 "valid until 2126"
    # within the range, the same form makes version 2, valid as long as asked
    r = c.post(f"/quotes/{number}/revise", data={"csrf": csrf_of(page), "valid_days": "365", "discount": "5"})
    assert r.status_code == 200, r.text
    v2 = app.state.server.register.get(number)
    assert v2.version == 2 and v2.valid_until == v2.quote_date + dt.timedelta(days=365)


def test_a_validity_too_large_for_a_date_is_refused_not_a_500(team):
    app, _ = team
    number = post_json(api(app), "/api/v1/quotes", ONE_APP).json()["number"]
    c = log_in(app, "lina")
    page = c.get(f"/quotes/{number}").text
    r = c.post(f"/quotes/{number}/revise", data={"csrf": csrf_of(page), "valid_days": "999999999999"})
    assert r.status_code == 409 and "valid_days must be from 1 to 365, got 999,999,999,999" in r.text
    r = post_json(api(app), "/api/v1/quotes", {**ONE_APP, "valid_days": 999999999999})
    assert r.status_code == 400 and r.json()["problems"] == [
        {"argument": "valid_days", "message": "valid_days must be from 1 to 365, got 999,999,999,999"}]


def test_every_door_says_the_validity_range_in_the_same_words(team, tmp_path, capsys):
    app, _ = team
    said = "must be from 1 to 365, got 0"
    r = post_json(api(app), "/api/v1/quotes", {**ONE_APP, "valid_days": 0})  # the API
    assert r.status_code == 400 and r.json()["error"] == f"valid_days {said}"
    c = log_in(app, "lina")  # the web form
    form = {"csrf": csrf_of(c.get("/quotes/new").text), "customer": "星河科技", "edition_0": "pro", "peak_dau_0": "1",
            "months": "1", "valid_days": "0", "action": "record"}
    r = c.post("/quotes/new", data=form)
    assert r.status_code == 400 and f"valid_days {said}" in r.text and "--valid-days" not in r.text
    # the command line: quote, and quotes revise (which said "must be 1 to 365" in words of its own)
    register = str(tmp_path / "own.sqlite3")
    assert main(["quote", "--edition", "pro", "--customer", "Acme", "--register", register, "--valid-days", "0"]) == 2
    assert f"--valid-days {said}" in capsys.readouterr().err
    assert main(["quote", "--edition", "pro", "--customer", "Acme", "--register", register, "-o",
                 str(tmp_path / "acme.xlsx")]) == 0
    capsys.readouterr()
    assert main(["quotes", "revise", first_number(), "--register", register, "--valid-days", "0"]) != 0
    assert f"--valid-days {said}" in capsys.readouterr().err
    # a batch's row
    deals = tmp_path / "deals.csv"
    deals.write_text("customer,edition,valid_days\nAcme,pro,0\n", encoding="utf-8")
    assert main(["batch", str(deals), "-o", str(tmp_path / "out"), "--register", register]) == 1
    assert f"valid_days {said}" in capsys.readouterr().out


# ------------------------------------------------------------------------------ texts

def test_a_control_character_in_an_app_name_is_a_400_naming_it_and_spends_no_number(team):
    app, _ = team
    c = api(app)
    r = post_json(c, "/api/v1/quotes", {**ONE_APP, "apps": [{**TWO_APPS[0], "name": "主\x00应用"}, TWO_APPS[1]]})
    # was a 500 from the workbook writer, after a number was spent (the body's reader may name the
    # field by its place in the JSON, apps[0].name, before the request's validation names it "app name")
    assert r.status_code == 400 and "name: a control character (U+0000) at character 2" in r.json()["error"]
    r = post_json(c, "/api/v1/quotes", {**ONE_APP, "notes": "line 1\x1b[31m"})
    assert r.status_code == 400 and "notes: a control character (U+001B) at character 7" in r.json()["error"]
    r = post_json(c, "/api/v1/price", {**ONE_APP, "apps": [{**TWO_APPS[0], "name": "a\x07"}, TWO_APPS[1]]})
    assert r.status_code == 400 and "name: a control character (U+0007) at character 2" in r.json()["error"]
    assert numbers(app) == []
    # tab and line breaks are what notes of several lines hold: recorded, as the first number
    r = post_json(c, "/api/v1/quotes", {**ONE_APP, "notes": "第一行\n\tsecond line"})
    assert r.status_code == 201, r.text
    assert r.json()["number"] == first_number() and r.json()["total"] == "83988"


def test_a_lone_surrogate_in_a_text_is_a_400_naming_the_field_not_a_500(team):
    app, _ = team
    # "\ud800" in JSON text is a lone surrogate: no UTF-8 encodes it, no database stores it
    raw = json.dumps(ONE_APP, ensure_ascii=True).replace('"customer": "', '"customer": "x\\ud800', 1).encode()
    r = post_json(api(app), "/api/v1/quotes", raw)
    assert r.status_code == 400 and "customer" in r.text
    assert numbers(app) == []


def test_the_web_form_refuses_a_control_character_in_an_app_name_before_a_number(team):
    app, _ = team
    c = log_in(app, "lina")
    form = {"csrf": csrf_of(c.get("/quotes/new").text), "customer": "星河科技", "months": "1", "action": "record",
            "name_0": "主\x00应用", "edition_0": "pro", "peak_dau_0": "1", "name_1": "web", "edition_1": "pro",
            "peak_dau_1": "1"}
    r = c.post("/quotes/new", data=form)
    assert r.status_code == 400 and "app name: a control character (U+0000) at character 2: remove it" in r.text
    assert numbers(app) == []


def test_the_quote_pages_revise_checks_the_notes_as_recording_does(team):
    app, _ = team
    number = post_json(api(app), "/api/v1/quotes", ONE_APP).json()["number"]
    c = log_in(app, "lina")
    r = c.post(f"/quotes/{number}/revise", data={"csrf": csrf_of(c.get(f"/quotes/{number}").text),
                                                "notes": "bell\x07"})
    assert r.status_code == 409 and "notes: a control character (U+0007) at character 5: remove it" in r.text
    assert len(app.state.server.register.versions(number)) == 1


def test_a_lone_surrogate_on_the_command_line_is_refused_naming_the_field(tmp_path, capsys):
    # bytes that are not UTF-8 in argv reach Python as lone surrogates (surrogateescape)
    out = tmp_path / "q.xlsx"
    assert main(["quote", "--edition", "pro", "--customer", "Acme \udcff", "-o", str(out)]) == 2
    assert "customer: a lone surrogate (U+DCFF) at character 6: remove it" in capsys.readouterr().err
    assert not out.exists()


def test_a_field_of_the_wrong_type_is_named(team):
    app, _ = team
    r = post_json(api(app), "/api/v1/quotes", {**ONE_APP, "notes": {"a": 1}})
    assert r.status_code == 400 and r.json()["problems"][0]["argument"] == "notes"
    r = post_json(api(app), "/api/v1/price", {**ONE_APP, "apps": [{"edition": ["pro"], "peak_dau": 1}]})
    assert r.status_code == 400 and r.json()["problems"][0]["argument"] == "edition"


# ------------------------------------------------------------------------------ the book

@pytest.mark.parametrize("named", ["/etc/passwd", "{settings}", "/nowhere/book.toml", "../pricebooks/x.toml",
                                   "tencent-im-cn-2099"])
def test_a_client_names_a_book_by_id_only_and_an_unknown_one_is_one_message(team, named):
    app, folder = team
    named = named.format(settings=folder / "xlpricing-team.toml")
    shown = named if len(named) <= 60 else named[:60] + "…"  # a long name is cut where it is quoted back
    said = f"price_book: no price book {shown!r} (books: {SHIPPED})"
    for path in ("/api/v1/price", "/api/v1/quotes"):
        r = post_json(api(app), path, {**ONE_APP, "price_book": named})
        # the same words whether the file exists, is the team's settings or is nothing at all
        assert r.status_code == 400 and r.json()["error"] == said, r.text
    assert numbers(app) == []


def test_a_client_prices_with_a_shipped_book_by_its_id(team):
    app, _ = team
    r = post_json(api(app), "/api/v1/price", {**ONE_APP, "price_book": "tencent-im-cn-seed"})
    assert r.status_code == 200 and r.json()["price_book"] == "tencent-im-cn-seed" and r.json()["total"] == "83988"
    r = post_json(api(app), "/api/v1/price", {**ONE_APP, "price_book": 5})
    assert r.status_code == 400 and r.json()["problems"][0]["argument"] == "price_book"
    r = post_json(api(app), "/api/v1/price", {**ONE_APP, "date": 20261205})
    assert r.status_code == 400 and r.json()["problems"][0]["argument"] == "date"
    r = api(app).get("/api/v1/books/passwd")
    assert r.status_code == 404 and r.json()["error"] == f"id: no price book 'passwd' (books: {SHIPPED})"


# ------------------------------------------------------------------------------ texts the register keeps

def test_a_nul_in_a_refusal_or_a_customers_name_is_refused_on_every_register(register_target, tmp_path):
    """PostgreSQL stores no NUL (it was a 500 there); SQLite would have kept it silently."""
    settings = tmp_path / "xlpricing-team.toml"
    settings.write_text(TEAM_SETTINGS, encoding="utf-8")
    with Register.open(register_target, settings) as reg:
        accounts = Accounts(reg.db)
        for login, password in PASSWORDS.items():
            accounts.set_password(login, password)
    app = create_app(ServerConfig(register=register_target, settings=str(settings), documents=tmp_path / "documents"))
    c = api(app)
    pending = post_json(c, "/api/v1/quotes", {**ONE_APP, "discount": "15"}).json()["number"]  # above 10 %: pending
    zhao = log_in(app, "zhao")
    r = zhao.post(f"/quotes/{pending}/refuse", data={"csrf": csrf_of(zhao.get(f"/quotes/{pending}").text),
                                                     "why": "too\x00much"})
    assert r.status_code == 409 and "the reason: a control character (U+0000) at character 4: remove it" in r.text
    assert app.state.server.register.get(pending).status == "pending approval"
    sent = post_json(c, "/api/v1/quotes", ONE_APP).json()["number"]
    app.state.server.register.set_status(sent, "sent", "lina")
    link = app.state.server.accounts.new_link(sent, 1, "lina", 14)
    customer = client(app)
    page = customer.get(f"/accept/{link}")
    r = customer.post(f"/accept/{link}", data={"csrf": csrf_of(page.text), "answer": "declined", "name": "王\x00芳"})
    assert "name: a control character (U+0000) at character 2: remove it" in r.text
    assert app.state.server.register.get(sent).status == "sent"

"""Identity is the login: a quote's owner, its approver, its history and the rep filter name the
user's login; names are labels. A name that is another user's name or login (letter case and
width aside) is refused at every door; a register made before that check keeps each quote with
its owner, and ``users list`` points at the clash.

The registers "made before the check" are made here as such a register was: a user added, then
given the clashing name in the accounts table directly (no door lets it in any more).
"""

import json
import re

import pytest
from starlette.testclient import TestClient

from register_backends import register_target  # noqa: F401 (a fixture)
from server_harness import (PASSWORDS, TEAM_SETTINGS, ServerProcess, cli, client, csrf_of, record_quote,
                            signed_in)
from xlpricing.register import Register, RegisterError
from xlpricing.register.accounts import Accounts
from xlpricing.register.settings import identity_key
from xlpricing.server.app import ServerConfig, create_app

ONE_APP = {"customer": "星河科技", "apps": [{"edition": "pro", "peak_dau": 35000}], "months": 12}


def open_team(tmp_path, settings_text: str | None = TEAM_SETTINGS, added: dict | None = None,
              renamed: dict | None = None):
    """A SQLite register with the harness's team (passwords set), users ``added`` (login: name, or
    (name, roles)) as ``users add`` adds them, and then ``renamed`` (login: name) in the accounts
    table as a register made before names were checked could hold them; and its app."""
    register = tmp_path / "register.sqlite3"
    settings = None
    if settings_text is not None:
        settings = tmp_path / "xlpricing-team.toml"
        settings.write_text(settings_text, encoding="utf-8")
    with Register.open(register, settings) as reg:
        accounts = Accounts(reg.db)
        for login, password in {**PASSWORDS, "wang": "wang-password-1"}.items():
            if login in reg.settings.users:
                accounts.set_password(login, password)
        for login, name in (added or {}).items():
            name, roles = (name, ["rep"]) if isinstance(name, str) else name
            accounts.add_user(login, name, roles, f"{login}-password-1", False, reg.settings.users)
        with reg.db.transaction() as tx:
            for login, name in (renamed or {}).items():
                tx.run("UPDATE accounts SET name = ? WHERE login = ?", (name, login))
    app = create_app(ServerConfig(register=str(register), settings=str(settings) if settings else None,
                                  documents=tmp_path / "documents"))
    return app, register


def login_form(app, login: str, password: str):
    c = client(app)
    r = c.post("/login", data={"csrf": csrf_of(c.get("/login").text), "login": login, "password": password})
    return c, r


log_in = signed_in


def token(app, login: str) -> dict:
    return {"Authorization": f"Bearer {app.state.server.accounts.new_token(login, 'test')}"}


def record(app, login: str, **changes) -> dict:
    return record_quote(app, login, {**ONE_APP, **changes})


def mark_sent(c: TestClient, number: str):
    page = f"/quotes/{number}"
    return c.post(f"{page}/status", data={"csrf": csrf_of(c.get(page).text), "status": "sent"})


# ------------------------------------------------------------------ the doors


def test_identity_keys_ignore_case_width_spacing_and_invisible_characters():
    same = ["Li Na", "li na", "LI NA", "Ｌｉ Ｎａ", "Li\u3000Na", " Li  Na ", "Li\u200b Na"]
    assert {identity_key(t) for t in same} == {"li na"}
    assert identity_key("Li Na") != identity_key("Lina") and identity_key("李娜") != identity_key("李 娜")


def test_the_team_page_refuses_a_name_that_is_another_users_name_or_login(tmp_path):
    app, _ = open_team(tmp_path)
    root = log_in(app, "root")
    for login, name, said in (("lina2", "Li Na", "the name 'Li Na' is user lina's name already"),
                              ("lina2", "ＬＩ ＮＡ", "the name 'ＬＩ ＮＡ' is user lina's name already"),
                              ("zhao2", "ZHAO", "the name 'ZHAO' is user zhao's login already"),
                              ("admin", "Someone", "the login 'admin' is user root's name already")):
        r = root.post("/team", data={"csrf": csrf_of(root.get("/team").text), "action": "add-user", "login": login,
                                     "name": name, "roles": "rep"})
        assert "first password" not in r.text and said in r.text.replace("&#39;", "'"), (login, name)
    assert set(app.state.server.settings().users) == {"lina", "wang", "zhao", "root"}  # nobody added


def test_users_add_refuses_a_name_that_is_another_users_name_or_login(tmp_path):
    register = str(tmp_path / "register.sqlite3")
    settings = tmp_path / "team.toml"
    settings.write_text(TEAM_SETTINGS, encoding="utf-8")
    done = cli("users", "add", "lina2", "--name", "li na", "--register", register, "--settings", str(settings))
    assert done.returncode == 2 and "the name 'li na' is user lina's name already" in done.stderr, done.stderr
    done = cli("users", "add", "qian", "--name", "Qian Yu", "--register", register, "--settings", str(settings))
    assert done.returncode == 0, done.stderr
    # against a user added before it, too, and a login that is someone's name
    done = cli("users", "add", "qian2", "--name", "ＱＩＡＮ ＹＵ", "--register", register, "--settings", str(settings))
    assert done.returncode == 2 and "is user qian's name already" in done.stderr, done.stderr
    done = cli("users", "add", "admin", "--name", "Someone", "--register", register, "--settings", str(settings))
    assert done.returncode == 2 and "the login 'admin' is user root's name already" in done.stderr, done.stderr
    listed = cli("users", "list", "--register", register, "--settings", str(settings))
    assert [line.split()[0] for line in listed.stdout.splitlines()[2:]] == ["lina", "wang", "zhao", "root", "qian"]


def test_a_settings_file_whose_user_is_named_like_an_added_user_is_refused(tmp_path):
    register = tmp_path / "register.sqlite3"
    settings = tmp_path / "xlpricing-team.toml"
    settings.write_text(TEAM_SETTINGS, encoding="utf-8")
    with Register.open(register, settings) as reg:
        Accounts(reg.db).add_user("qian", "Qian Yu", ["rep"], "qian-password-1", False, reg.settings.users)
    # the file edited afterwards: a user of its own called what the added one is called
    root = 'root = { name = "Admin", roles = ["admin"] }\n'
    settings.write_text(TEAM_SETTINGS.replace(root, root + 'yu = { name = "qian yu", roles = ["rep"] }\n'),
                        encoding="utf-8")
    with pytest.raises(RegisterError, match="user qian, added with xlpricing users add, clashes with this file: "
                                            "the name 'Qian Yu' is user yu's name already"):
        Register.open(register, settings)


def test_two_users_added_at_once_under_one_name_are_not_both_kept(register_target):
    # two administrators at once, each with a connection of their own (two server processes)
    from concurrent.futures import ThreadPoolExecutor
    import threading
    ready = threading.Barrier(2)

    def add(login: str, name: str) -> str:
        with Register.open(register_target) as reg:
            ready.wait(timeout=300)
            try:
                Accounts(reg.db).add_user(login, name, ["rep"], f"{login}-password-1", False, reg.settings.users)
            except RegisterError as exc:
                return str(exc)
            return "added"

    with ThreadPoolExecutor(2) as pool:
        said = sorted(pool.map(add, ["chen", "chen2"], ["Chen Jie", "CHEN JIE"]))
    assert said[0] == "added" and "is user chen" in said[1] and "name already" in said[1], said
    with Register.open(register_target) as reg:
        assert len(reg.settings.users) == 1


# ------------------------------------------------------------------ logging in


def test_logging_in_is_by_login_a_user_named_like_a_login_shadows_nobody(tmp_path):
    # a register made before names were checked: "ali" is called "zhao", the login of another user
    # (both added users: "ali" comes first, where a name lookup found it before zhao)
    app, _ = open_team(tmp_path, None, added={"ali": "Ali", "zhao": "Zhao Min"}, renamed={"ali": "zhao"})
    r = login_form(app, "zhao", "zhao-password-1")[1]
    assert r.status_code == 303  # zhao's own password lets zhao in
    c = log_in(app, "zhao", "zhao-password-1")
    assert client(app).get("/api/v1/", headers=token(app, "zhao")).json()["user"]["login"] == "zhao"
    assert "Zhao Min" in c.get("/").text
    r = login_form(app, "zhao", "ali-password-1")[1]
    assert r.status_code == 401  # ali's password is not zhao's, whatever ali is called
    assert login_form(app, "ali", "ali-password-1")[1].status_code == 303


# ------------------------------------------------------------------ ownership


SHARED_NAME = {"lina": "Li Na", "lina2": "Lina Two", "boss": ("Boss", ["admin"])}  # lina2 renamed "Li Na"


def test_a_second_li_na_does_not_change_li_nas_quotes(tmp_path):
    # made before the check: lina2 is called "Li Na" too (added users: a settings file beside them
    # with such a clash is refused, see above)
    app, _ = open_team(tmp_path, None, added=SHARED_NAME, renamed={"lina2": "Li Na"})
    quote = record(app, "lina")
    assert (quote["rep"], quote["rep_login"]) == ("Li Na", "lina")
    other = log_in(app, "lina2")
    r = mark_sent(other, quote["number"])
    assert r.status_code == 403 and "its rep or a manager changes it" in r.text
    r = client(app).post(f"/api/v1/quotes/{quote['number']}/status", json={"status": "sent"},
                         headers=token(app, "lina2"))
    assert r.status_code == 403
    assert mark_sent(log_in(app, "lina"), quote["number"]).status_code == 200  # hers


def test_a_rep_records_under_her_own_login_a_manager_under_anyones(tmp_path):
    app, _ = open_team(tmp_path)
    r = client(app).post("/api/v1/quotes", json={**ONE_APP, "rep": "wang"}, headers=token(app, "lina"))
    assert r.status_code == 403 and "records quotes under their own name" in r.json()["error"]
    done = record(app, "zhao", rep="wang")  # a manager names the rep, by login
    assert (done["rep"], done["rep_login"]) == ("Wang Lei", "wang")
    assert mark_sent(log_in(app, "wang"), done["number"]).status_code == 200  # and it is hers to send
    done = record(app, "zhao", rep="Li Na")  # or by the name only she has
    assert done["rep_login"] == "lina"


def test_approvals_and_the_history_keep_the_login_and_show_the_name(tmp_path):
    app, _ = open_team(tmp_path)
    pending = record(app, "lina", discount="15")  # above 10 %: the sales manager approves
    zhao = log_in(app, "zhao")
    page = f"/quotes/{pending['number']}"
    r = zhao.post(f"{page}/approve", data={"csrf": csrf_of(zhao.get(page).text)})
    assert r.status_code == 200 and "approved by Zhao Min" in r.text
    shown = client(app).get(f"/api/v1/quotes/{pending['number']}", headers=token(app, "lina")).json()
    assert [(a["by"], a["by_name"]) for a in shown["approvals"]] == [("zhao", "Zhao Min")]
    assert [(e["action"], e["who"]) for e in shown["events"]] == [("created", "lina"), ("approved", "zhao")]


def test_the_rep_filter_is_by_login_on_pages_and_in_the_api(tmp_path):
    app, _ = open_team(tmp_path)
    mine = record(app, "lina")
    record(app, "wang")
    listed = client(app).get("/api/v1/quotes?rep=lina", headers=token(app, "lina")).json()["quotes"]
    assert [q["number"] for q in listed] == [mine["number"]]
    assert client(app).get("/api/v1/quotes?rep=Li Na", headers=token(app, "lina")).json()["quotes"] == []
    page = log_in(app, "zhao").get("/quotes?rep=lina").text
    assert mine["number"] in page and "Wang Lei" not in page.split("<tbody>")[1]
    assert '<option value="lina" selected>Li Na</option>' in page
    dashboard = log_in(app, "zhao").get("/").text
    assert '<a href="/quotes?rep=lina">Li Na</a>' in dashboard


# ------------------------------------------------------------------ quotes recorded before logins were kept


def forget_logins(register) -> None:
    """As a register before migration 5 had them: quotes with their rep's name only."""
    with Register.open(register) as reg, reg.db.transaction() as tx:
        tx.run("UPDATE quotes SET rep_login = NULL")


def test_a_quote_recorded_before_logins_were_kept_keeps_its_owner(tmp_path):
    app, register = open_team(tmp_path)
    old = record(app, "lina")
    pending = record(app, "zhao", discount="15")
    forget_logins(register)
    shown = client(app).get(f"/api/v1/quotes/{old['number']}", headers=token(app, "wang")).json()
    assert (shown["rep"], shown["rep_login"]) == ("Li Na", "lina")  # matched to her when read
    assert mark_sent(log_in(app, "wang"), old["number"]).status_code == 403
    assert mark_sent(log_in(app, "lina"), old["number"]).status_code == 200
    # zhao's own pending quote: still never approved by zhao
    r = client(app).post(f"/api/v1/quotes/{pending['number']}/approve", json={}, headers=token(app, "zhao"))
    assert r.status_code == 409 and "never approves her own quote" in r.json()["error"]
    with Register.open(register, tmp_path / "xlpricing-team.toml") as reg:  # the command line sees the same
        assert reg.get(old["number"]).rep_login == "lina"
        assert [r.number for r in reg.quotes(rep="lina")] == [old["number"]]


def test_a_quote_under_a_name_two_users_share_is_nobodys_but_a_managers(tmp_path):
    app, register = open_team(tmp_path, None, added=SHARED_NAME, renamed={"lina2": "Li Na"})
    old = record(app, "lina")
    forget_logins(register)
    assert client(app).get(f"/api/v1/quotes/{old['number']}", headers=token(app, "lina")).json()["rep_login"] is None
    for login in ("lina", "lina2"):
        assert mark_sent(log_in(app, login), old["number"]).status_code == 403, login
    assert mark_sent(log_in(app, "boss"), old["number"]).status_code == 200  # an administrator may


def test_a_revision_keeps_the_owner_by_login_when_her_name_changes(tmp_path):
    app, register = open_team(tmp_path)
    v1 = record(app, "lina")
    settings = tmp_path / "xlpricing-team.toml"
    settings.write_text(TEAM_SETTINGS.replace('name = "Li Na"', 'name = "Li Na (Sales)"'), encoding="utf-8")
    lina = log_in(app, "lina")
    page = f"/quotes/{v1['number']}"
    r = lina.post(f"{page}/revise", data={"csrf": csrf_of(lina.get(page).text), "months": "6"})
    assert r.status_code == 200, r.text
    v2 = client(app).get(f"/api/v1/quotes/{v1['number']}", headers=token(app, "lina")).json()
    assert (v2["version"], v2["rep"], v2["rep_login"]) == (2, "Li Na (Sales)", "lina")


# ------------------------------------------------------------------ users list


def test_users_list_shows_login_name_roles_and_flags_a_clash(tmp_path):
    _, register = open_team(tmp_path, None, added={"ali": "Ali", "zhao": "Zhao Min", "lina": "Li Na",
                                                   "lina2": "Lina Two"},
                            renamed={"ali": "ZHAO", "lina2": "ｌｉ ｎａ"})
    done = cli("users", "list", "--register", str(register))
    assert done.returncode == 0, done.stderr
    rows = [line.split(None, 1) for line in done.stdout.splitlines()[2:]]
    assert [r[0] for r in rows] == ["ali", "lina", "lina2", "zhao"]
    assert done.stdout.splitlines()[0].split() == ["login", "name", "roles", "password"]
    assert "user lina2: the name 'ｌｉ ｎａ' is user lina's name already" in done.stderr
    assert "user zhao: the login 'zhao' is user ali's name already" in done.stderr
    assert done.stderr.count("warning") == 2


# ------------------------------------------------------------------ a personal register stays personal


def test_users_add_never_makes_a_personal_register_a_team_one_unasked(tmp_path):
    data = tmp_path / "data"
    env = {"XDG_DATA_HOME": str(data), "XLPRICING_REGISTER": "", "XLPRICING_TEAM_SETTINGS": ""}
    personal = data / "xlpricing" / "register.sqlite3"
    done = cli("users", "add", "lina", "--name", "Li Na", env=env)
    assert done.returncode == 2, done.stderr
    assert f"{personal} (your data folder's default) is a personal register, with no users" in done.stderr
    assert "--register out/server/register.sqlite3" in done.stderr and "--new-team" in done.stderr
    with Register.open(personal) as reg:
        assert reg.settings.users == {}
    # the personal register still quotes as before: its rep is anyone's name
    out = tmp_path / "x.xlsx"
    done = cli("quote", "--edition", "pro", "--customer", "x", "--rep", "Someone", "-o", str(out), env=env)
    assert done.returncode == 0, done.stderr
    explicit = str(tmp_path / "other.sqlite3")
    done = cli("users", "add", "lina", "--register", explicit, env=env)
    assert done.returncode == 2 and f"{explicit} (--register) is a personal register" in done.stderr
    done = cli("users", "add", "lina", "--name", "Li Na", "--role", "admin", "--register", explicit, "--new-team",
               env=env)
    assert done.returncode == 0 and "added user lina" in done.stdout, done.stderr
    done = cli("users", "add", "wang", "--register", explicit, env=env)  # a team register now: no flag needed
    assert done.returncode == 0, done.stderr


def test_the_server_prints_the_users_command_for_its_register_and_it_works(tmp_path):
    # the README's order: start the server, then add users with the line it printed
    register = str(tmp_path / "out" / "register.sqlite3")
    s = ServerProcess(register, None, tmp_path / "documents", tmp_path / "server.log",
                      extra=("--first-admin", "admin"),
                      env={"XDG_DATA_HOME": str(tmp_path / "data"), "XLPRICING_REGISTER": ""})
    try:
        line = re.search(r"add a user on the 团队 Team page or with: (xlpricing users add .*)", s.text_of_log()).group(1)
        assert line == f"xlpricing users add LOGIN --name NAME --role rep --register {register}"
        import shlex
        args = shlex.split(line.replace("LOGIN", "lina").replace("NAME", "'Li Na'"))[1:]
        done = cli(*args, "--password-stdin", stdin="lina-password-1\n",
                   env={"XDG_DATA_HOME": str(tmp_path / "data"), "XLPRICING_REGISTER": ""})
        assert done.returncode == 0 and "added user lina" in done.stdout, done.stderr
        import httpx2 as httpx
        with httpx.Client(base_url=s.url) as c:
            r = c.post("/login", data={"csrf": csrf_of(c.get("/login").text), "login": "lina",
                                       "password": "lina-password-1"})
            assert r.status_code == 303  # she logs in to the server at once
    finally:
        s.stop()
    assert not (tmp_path / "data" / "xlpricing").exists()  # no personal register was made or touched


def test_an_approval_given_before_logins_were_kept_shows_as_given(tmp_path):
    # it says a name in "by" and has no "by_name"
    app, register = open_team(tmp_path)
    pending = record(app, "lina", discount="15")
    with Register.open(register) as reg, reg.db.transaction() as tx:
        given = {"role": "sales manager", "why": "x", "by": "Zhao Min", "at": "2026-01-01T00:00:00+00:00"}
        tx.run("UPDATE quotes SET approvals = ?", (json.dumps([given]),))
    page = log_in(app, "lina").get(f"/quotes/{pending['number']}").text
    assert "approved by Zhao Min at" in page

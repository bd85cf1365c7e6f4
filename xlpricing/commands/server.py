"""The team server's commands: ``xlpricing serve`` and ``xlpricing users …``."""

from __future__ import annotations

import argparse
import os
import sys

from ..register.errors import RegisterError
from .base import UsageError, open_register, register_arguments

ADMIN_PASSWORD_ENV = "XLPRICING_ADMIN_PASSWORD"


def _password(args: argparse.Namespace) -> tuple[str, bool]:
    """(password, made here): read from standard input with --password-stdin, else a new random one."""
    from ..register.accounts import new_password
    if args.password_stdin:
        text = sys.stdin.readline().rstrip("\r\n")
        if not text:
            raise UsageError("--password-stdin: no password on standard input")
        return text, False
    return new_password(), True


def _shown_once(password: str, made: bool) -> None:
    if made:  # a password read from standard input is never echoed
        print(f"password (shown once): {password}")


def _team_user(reg, login: str) -> None:
    if login not in reg.settings.users:
        raise RegisterError(f"{login} is not a user of this team ({', '.join(sorted(reg.settings.users)) or 'none yet'}"
                            "): add it with xlpricing users add")


def users_command(args: argparse.Namespace, register: str, roles: tuple[str, ...] = ("rep",)) -> str:
    """The ``xlpricing users add`` line for the register (and team settings) a server uses."""
    import shlex
    settings = f" --settings {shlex.quote(args.settings)}" if args.settings else ""
    given = " ".join(f"--role {shlex.quote(role)}" for role in roles)
    return f"xlpricing users add LOGIN --name NAME {given} --register {shlex.quote(register)}{settings}"


def _personal(reg, args: argparse.Namespace) -> str:
    """Why ``users add`` leaves a register without users alone unless told: its first user makes it
    a team register, where the command line acts only as a user (and a batch's rows are filed under
    users only)."""
    from ..register.db import REGISTER_ENV
    chosen = ("--register" if args.register else f"${REGISTER_ENV}" if os.environ.get(REGISTER_ENV, "").strip()
              else "your data folder's default")
    return (f"{reg.db.describe} ({chosen}) is a personal register, with no users: a first user would make it a "
            "team register, where every command acts as one of its users. For a team server, name its register: "
            "--register out/server/register.sqlite3 (the one ./scripts/serve starts; its start prints the line), or "
            f"set ${REGISTER_ENV}. To make this register a team register, add --new-team")


def cmd_users_add(args: argparse.Namespace) -> int:
    from ..register.accounts import Accounts, stored_users
    with open_register(args) as reg:
        if not reg.settings.users and not args.new_team:
            raise UsageError(_personal(reg, args))
        listed = args.login in reg.settings.users and args.login not in stored_users(reg.db)  # in the settings file
        if args.login in reg.settings.users and (not listed or Accounts(reg.db).has_password(args.login)):
            raise RegisterError(f"user {args.login} exists already: change the password with xlpricing users password "
                                f"{args.login}")
        password, made = _password(args)
        Accounts(reg.db).add_user(args.login, args.name or args.login, args.role or ["rep"], password, listed,
                                  reg.settings.users)
    roles = "its roles from the team settings" if listed else f"roles {', '.join(args.role or ['rep'])}"
    print(f"added user {args.login} ({roles})")
    _shown_once(password, made)
    return 0


def cmd_users_password(args: argparse.Namespace) -> int:
    from ..register.accounts import Accounts
    with open_register(args) as reg:
        _team_user(reg, args.login)
        password, made = _password(args)
        Accounts(reg.db).set_password(args.login, password)
    print(f"password of {args.login} changed; their sessions are logged out")
    _shown_once(password, made)
    return 0


def cmd_users_token(args: argparse.Namespace) -> int:
    from ..register.accounts import Accounts
    with open_register(args) as reg:
        _team_user(reg, args.login)
        token = Accounts(reg.db).new_token(args.login, args.label)
    print(token)  # alone on its line, for a script to read; shown once, kept only as its hash
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    from .. import formatting
    from ..register.accounts import Accounts
    from ..register.settings import name_clash
    with open_register(args) as reg:
        accounts = Accounts(reg.db)
        users = list(reg.settings.users.values())
        rows = [[u.id, u.name, ", ".join(u.roles), "yes" if accounts.has_password(u.id) else "no"] for u in users]
    if not rows:
        print("no users: add one with xlpricing users add LOGIN --name NAME --role admin --new-team")
        return 0
    print(formatting.table(["login", "name", "roles", "password"], rows))
    # users added before names were checked may share one: said, since a name then names nobody
    clashes = [f"user {u.id}: {clash}" for i, u in enumerate(users)
               if (clash := name_clash(u.id, u.name, {o.id: o for o in users[:i]}))]
    for clash in clashes:
        print(f"xlpricing: warning: {clash}. Their quotes are told apart by login; a quote recorded before "
              "quotes kept the login, filed under that name, is nobody's until one of them is renamed "
              "(managers still change it)", file=sys.stderr)
    return 0


def first_admin(register, login: str) -> str | None:
    """With no user able to log in yet: ``login`` as an administrator (and approver and rep), its
    password $XLPRICING_ADMIN_PASSWORD or a new one, returned to be shown once."""
    from ..register.accounts import Accounts, new_password
    accounts = Accounts(register.db)
    if accounts.count():
        return None
    password = os.environ.get(ADMIN_PASSWORD_ENV) or new_password()
    roles = ["admin", "rep", *sorted({r.role for r in register.settings.approvals})]
    if login in register.settings.users:
        accounts.set_password(login, password)
    else:
        accounts.add_user(login, "Administrator", roles, password, in_settings=False, team=register.settings.users)
    return None if os.environ.get(ADMIN_PASSWORD_ENV) else password


def _add_first_admin(args: argparse.Namespace) -> None:
    """serve --first-admin. A fresh team whose settings have approval rules but no [users] has
    nobody who holds the approving roles: the register is opened without that check, since the
    first administrator is given those roles (the server then opens it with the check)."""
    from ..register import Register
    from ..register.accounts import Accounts
    with Register.open(getattr(args, "register", None), getattr(args, "settings", None),
                       approvers_needed=False) as reg:
        fresh = not Accounts(reg.db).count()
        password = first_admin(reg, args.first_admin)
        approving = tuple(sorted({r.role for r in reg.settings.approvals}))
        listed = args.first_admin in reg.settings.users
        register = args.register or reg.db.describe
    if password:
        print(f"xlpricing: administrator {args.first_admin}, password (shown once): {password}", file=sys.stderr)
    if fresh and approving and not listed:
        print(f"xlpricing: {args.first_admin} holds the approving role(s) {', '.join(map(repr, approving))} until "
              f"someone else does: give them to a user with {users_command(args, register, approving)} "
              f"(or roles = [...] under [users] in the team settings)", file=sys.stderr)


def sample_quote(config, login: str) -> str | None:
    """A first quote to look at, when the register has none: a two-app deal, recorded as ``login``."""
    import datetime as dt
    from ..quoting import QuoteRequest, publish
    from ..sheets.proposal import Proposal
    from ..server.state import Server
    server = Server.start(config)
    try:
        if server.register.quotes(latest_only=False):
            return None
        settings = server.settings()
        user = settings.users[login]
        deal = ('months = 12\n\n[[apps]]\nname = "主应用 Main app"\nedition = "pro"\npeak_dau = 35000\n'
                'peak_groups = 202000\naddons = ["history_90"]\n\n[[apps]]\nname = "海外 Overseas app"\n'
                'edition = "pro"\npeak_dau = 8000\n')
        book = server.catalog.choose(today=dt.date.today())
        record, _ = publish(server.as_user(user, settings), book, QuoteRequest(deal=deal),
                            Proposal(customer="示例客户 Sample Customer Ltd.", contact=user.name, seller=server.seller,
                                     seller_path=server.seller_path),
                            rep=user.id, folder=server.documents)
        return record.label
    finally:
        server.register.close()


def cmd_serve(args: argparse.Namespace) -> int:
    import logging
    try:
        import uvicorn
        from ..server.app import LITE_ORIGINS, ServerConfig, create_app
    except ImportError as exc:
        raise UsageError(f"the server needs its packages ({exc.name}): pip install -e '.[server]'") from None
    config = ServerConfig(register=args.register, settings=args.settings, documents=args.documents,
                          seller=args.seller, secure_cookies=args.secure_cookies,
                          cors_origins=tuple(args.cors_origin or LITE_ORIGINS), access_log=not args.quiet,
                          public_url=args.public_url)
    if args.first_admin:
        _add_first_admin(args)
    if args.sample:
        if not args.first_admin:
            raise UsageError("--sample records its quote as the --first-admin user: give both")
        label = sample_quote(config, args.first_admin)
        if label:
            print(f"xlpricing: recorded the sample quote {label}", file=sys.stderr)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    app = create_app(config)  # the register and settings are checked here, before listening
    print(f"xlpricing: serving http://{args.host}:{args.port}/ (register {app.state.server.register.db.describe}, "
          f"documents {app.state.server.documents}, {args.workers} process(es))", file=sys.stderr)
    print(f"xlpricing: add a user on the 团队 Team page or with: "
          f"{users_command(args, args.register or app.state.server.register.db.describe)}", file=sys.stderr,
          flush=True)
    options = dict(host=args.host, port=args.port, access_log=False, log_level="warning",
                   proxy_headers=args.behind_proxy, forwarded_allow_ips="*" if args.behind_proxy else None)
    if args.workers > 1:  # each worker opens the register itself (uvicorn starts them from the factory)
        import dataclasses
        import json
        from ..server.app import CONFIG_ENV
        app.state.server.register.close()
        data = dataclasses.asdict(config)
        data["documents"] = str(app.state.server.documents)
        os.environ[CONFIG_ENV] = json.dumps(data)
        uvicorn.run("xlpricing.server.app:from_environment", factory=True, workers=args.workers, **options)
    else:
        uvicorn.run(app, **options)
    return 0


def add_commands(sub) -> None:
    p = sub.add_parser("serve", help="the team server: web pages and a JSON API on the register",
                       description="Serve the register to the team: pages for reps, managers and customers, and the "
                                   "JSON API (/api/v1) for scripts and Excel. Several servers may share one "
                                   "PostgreSQL register and one documents folder.")
    register_arguments(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="server processes on this port (default 1; a quote's workbook is written in Python, so "
                        "a machine with more cores serves more at once with more processes)")
    p.add_argument("--documents", metavar="DIR", help="where quotes' workbooks and PDFs are written (default: "
                                                      "'documents' beside a SQLite register; needed with PostgreSQL)")
    p.add_argument("--seller", metavar="FILE", help="the seller profile the proposals carry")
    p.add_argument("--first-admin", metavar="LOGIN", help="with no user yet: add LOGIN as administrator; its password "
                                                          f"is ${ADMIN_PASSWORD_ENV}, else made and printed once")
    p.add_argument("--sample", action="store_true", help="record a sample quote when the register has none")
    p.add_argument("--secure-cookies", action="store_true", help="cookies over HTTPS only (behind a TLS proxy)")
    p.add_argument("--behind-proxy", action="store_true", help="trust X-Forwarded-For for the client's address")
    p.add_argument("--public-url", metavar="URL", help="the address customers reach, for the links the server hands "
                                                       "out (e.g. https://quotes.example.com; default: as asked)")
    p.add_argument("--cors-origin", action="append", metavar="ORIGIN",
                   help="a web origin allowed to call the API from a browser (repeatable; default xlwings Lite's, "
                        "https://addin.xlwings.org)")
    p.add_argument("--quiet", action="store_true", help="no access log")
    p.set_defaults(run=cmd_serve)

    users = sub.add_parser("users", help="the team's users: add, set passwords, make API tokens").add_subparsers(
        dest="users_command", required=True)
    p = users.add_parser("add", help="add a user (or give a user of the team settings a password)")
    p.add_argument("login")
    p.add_argument("--name", help="the name quotes and the history show")
    p.add_argument("--role", action="append", help="a role (repeatable): rep, admin, or one the approval rules name")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input (else one is "
                                                                 "made and printed once)")
    p.add_argument("--new-team", action="store_true",
                   help="the register has no users yet: make it a team register, this user its first (without it, "
                        "a register without users is refused: it is a personal one)")
    register_arguments(p)
    p.set_defaults(run=cmd_users_add)
    p = users.add_parser("password", help="set a user's password (their sessions are logged out)")
    p.add_argument("login")
    p.add_argument("--password-stdin", action="store_true")
    register_arguments(p)
    p.set_defaults(run=cmd_users_password)
    p = users.add_parser("token", help="make an API token for a user (printed once)")
    p.add_argument("login")
    p.add_argument("--label", default="command line")
    register_arguments(p)
    p.set_defaults(run=cmd_users_token)
    p = users.add_parser("list", help="the team's users and whether they can log in")
    register_arguments(p)
    p.set_defaults(run=cmd_users_list)

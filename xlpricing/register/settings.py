"""A team's register settings (TOML): numbering, default validity, the team's users and their
roles, and the approval rules (which name roles).

    [numbering]
    prefix = "Q"              # numbers read Q-2026-000123
    [quotes]
    valid_days = 30           # when a quote does not say
    visibility = "team"       # "team": every user reads every quote; "own": a rep reads her own only
    [team]
    name = "示例科技 Example Ltd" # who the customer's page names when no seller profile is set
    time_zone = "Asia/Shanghai"  # the zone pages and documents show times in
    [users]                   # login = name and roles; every register action is done by one of them
    lina = { name = "Li Na", roles = ["rep"] }
    zhao = { name = "Zhao Min", roles = ["rep", "sales manager"] }
    [[approvals]]
    discount_above = 10       # percent: 10 passes, 10.01 needs approval
    role = "sales manager"    # a user holding it approves, never the quote's own rep

Without [users] the register is one person's: the login name acts, and no approval rule may be set.
"""

from __future__ import annotations

import os
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .errors import RegisterError

SETTINGS_ENV = "XLPRICING_TEAM_SETTINGS"
SETTINGS_NAME = "xlpricing-team.toml"
PREFIX = re.compile(r"[A-Z][A-Z0-9]{0,7}")
VISIBILITIES = ("team", "own")
DEFAULT_TIME_ZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class ApprovalRule:
    role: str
    discount_above: Decimal | None = None
    total_above: Decimal | None = None

    def applies(self, discount: Decimal, total: Decimal) -> str | None:
        """Why a quote needs this rule's approval, or None."""
        if self.discount_above is not None and discount > self.discount_above:
            return f"discount {discount}% is above {self.discount_above}%"
        if self.total_above is not None and total > self.total_above:
            return f"total {total} is above {self.total_above}"
        return None


USER_ID = re.compile(r"[a-z_][a-z0-9_.-]{0,62}")  # a login (and a PostgreSQL role name) as written


@dataclass(frozen=True)
class User:
    """Someone of the team: ``id`` is the login the register knows them by (on PostgreSQL, the
    database role they connect as); ``name`` is what a quote and the event log show."""

    id: str
    name: str
    roles: tuple[str, ...] = ()

    def is_named(self, text: str) -> bool:
        """``text`` is this user's login or name, as people tell names apart (``identity_key``)."""
        return identity_key(text) in (identity_key(self.id), identity_key(self.name))


def identity_key(text: str) -> str:
    """A login or name as a person reads it: letter case, full-width forms (ｌｉｎａ), invisible
    format characters and runs of spaces make no difference. Two users never share a key."""
    visible = "".join(c for c in unicodedata.normalize("NFKC", text) if unicodedata.category(c) != "Cf")
    return " ".join(unicodedata.normalize("NFKC", visible.casefold()).split())


def name_clash(login: str, name: str, users: dict[str, "User"]) -> str | None:
    """Why a user ``login`` called ``name`` cannot join ``users``: its name or its login is what
    another user is called already (by login or name); None when it can."""
    for other in users.values():
        if other.id == login:
            continue
        taken = {identity_key(other.name): "name", identity_key(other.id): "login"}
        for what, text in (("name", name), ("login", login)):
            if identity_key(text) in taken:
                return (f"the {what} {text.strip()!r} is user {other.id}'s {taken[identity_key(text)]} already "
                        f"({other.name}): a login or name is one person's, whatever its letter case or width")
    return None


@dataclass(frozen=True)
class TeamSettings:
    prefix: str = "Q"
    valid_days: int = 30
    approvals: tuple[ApprovalRule, ...] = ()
    users: dict[str, User] = field(default_factory=dict)
    source: str = "defaults"
    visibility: str = "team"  # VISIBILITIES
    team_name: str = ""
    time_zone: str = DEFAULT_TIME_ZONE

    def approvals_for(self, discount: Decimal, total: Decimal) -> list[dict]:
        needed = []
        for rule in self.approvals:
            why = rule.applies(discount, total)
            if why:
                needed.append({"role": rule.role, "why": why, "by": None, "at": None})
        return needed

    def named(self, text: str) -> User | None:
        """The user a person means on the command line (--rep, a batch's rep column,
        $XLPRICING_USER): the user whose login it is, else the one user whose name it is; None
        when nobody or several are. Never for logging in: a login is ``users[login]``, exactly."""
        key = identity_key(text)
        for found in ([u for u in self.users.values() if identity_key(u.id) == key],
                      [u for u in self.users.values() if identity_key(u.name) == key]):
            if found:
                return found[0] if len(found) == 1 else None
        return None

    def only_user_called(self, text: str) -> User | None:
        """The one user whose login or name ``text`` is; None when nobody or several are (a quote
        recorded before quotes kept their rep's login is matched to its owner this way)."""
        found = [u for u in self.users.values() if u.is_named(text)]
        return found[0] if len(found) == 1 else None


def _decimal(value: object, where: str, problems: list[str]) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        problems.append(f"{where}: a number is expected, got {value!r}")
        return None
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        problems.append(f"{where}: a number is expected, got {value!r}")
        return None
    if not d.is_finite() or d < 0:
        problems.append(f"{where}: must be 0 or more, got {value!r}")
        return None
    return d


def load_settings(path: str | Path | None, register_path: Path | None,
                  added_users: dict[str, User] | None = None, approvers_needed: bool = True) -> TeamSettings:
    """--settings FILE, else $XLPRICING_TEAM_SETTINGS, else xlpricing-team.toml beside a SQLite
    register, else the defaults. Every problem is reported at once, with its key. ``added_users``:
    those added with ``xlpricing users add`` (kept in the register); the file's win.
    ``approvers_needed`` False: an approval role nobody holds yet is no problem (serve
    --first-admin, about to add the user who holds them)."""
    chosen = path or os.environ.get(SETTINGS_ENV, "").strip() or None
    if chosen is None and register_path is not None and (register_path.parent / SETTINGS_NAME).is_file():
        chosen = register_path.parent / SETTINGS_NAME
    if chosen is None:
        if added_users:
            return TeamSettings(users=dict(added_users), source="the register's users (xlpricing users list)")
        return TeamSettings()
    chosen = Path(chosen)
    try:
        data = tomllib.loads(chosen.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RegisterError(f"cannot read the team settings {chosen}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RegisterError(f"the team settings {chosen} are not valid TOML: {exc}") from None
    problems: list[str] = []
    known = {"numbering", "quotes", "approvals", "users", "team"}
    if "roles" in data:
        problems.append("roles: roles are given with each user now: [users] lina = { name = \"Li Na\", "
                        "roles = [\"sales manager\"] }")
    problems += [f"{k}: unknown section (known: {', '.join(sorted(known))})" for k in data
                 if k not in known and k != "roles"]
    prefix = data.get("numbering", {}).get("prefix", "Q")
    if not isinstance(prefix, str) or not PREFIX.fullmatch(prefix):
        problems.append(f"numbering.prefix: 1 to 8 capital letters or digits, starting with a letter, got {prefix!r}")
    valid_days = data.get("quotes", {}).get("valid_days", 30)
    if isinstance(valid_days, bool) or not isinstance(valid_days, int) or not 1 <= valid_days <= 365:
        problems.append(f"quotes.valid_days: a whole number of days, 1 to 365, got {valid_days!r}")
    quotes = data.get("quotes", {})
    problems += [f"quotes.{k}: unknown key (known: valid_days, visibility)" for k in sorted(set(quotes) -
                                                                                        {"valid_days", "visibility"})]
    visibility = quotes.get("visibility", "team")
    if visibility not in VISIBILITIES:
        problems.append(f"quotes.visibility: \"team\" (every user reads every quote) or \"own\" (a rep reads her "
                        f"own only), got {visibility!r}")
    team_table = data.get("team", {})
    team_name, time_zone = _team(team_table if isinstance(team_table, dict) else {}, problems)
    if not isinstance(team_table, dict):
        problems.append("team: a table of name = \"…\", time_zone = \"Asia/Shanghai\" is expected")
    rules = []
    for i, rule in enumerate(data.get("approvals", [])):
        where = f"approvals[{i}]"
        if not isinstance(rule, dict):
            problems.append(f"{where}: a table is expected")
            continue
        role = rule.get("role")
        if not isinstance(role, str) or not role.strip():
            problems.append(f"{where}.role: the role that approves, e.g. \"sales manager\"")
        unknown = set(rule) - {"role", "discount_above", "total_above"}
        problems += [f"{where}.{k}: unknown key (known: role, discount_above, total_above)" for k in sorted(unknown)]
        limits = {k: _decimal(rule[k], f"{where}.{k}", problems) for k in ("discount_above", "total_above") if k in rule}
        if not limits:
            problems.append(f"{where}: give discount_above (percent) or total_above (CNY)")
        rules.append(ApprovalRule(str(role or "").strip(), limits.get("discount_above"), limits.get("total_above")))
    users = _users(data.get("users", {}), problems)
    in_file = dict(users)
    for login, user in (added_users or {}).items():
        if login in users:
            continue  # the file's entry wins
        clash = name_clash(login, user.name, in_file)
        if clash:
            problems.append(f"users: user {login}, added with xlpricing users add, clashes with this file: {clash} "
                            f"(give the file's user another name)")
        users[login] = user
    held = {r for u in users.values() for r in u.roles}
    for i, rule in enumerate(rules):
        if approvers_needed and rule.role and rule.role not in held:
            problems.append(f"approvals[{i}].role: no user in [users] holds the role {rule.role!r}, so nobody could "
                            f"approve (give it to a user: roles = [{rule.role!r}])")
    if problems:
        raise RegisterError(f"the team settings {chosen} have {len(problems)} problem(s):\n  " + "\n  ".join(problems))
    return TeamSettings(prefix, valid_days, tuple(rules), users, str(chosen), visibility, team_name, time_zone)


def _team(table: dict, problems: list[str]) -> tuple[str, str]:
    """[team] name and time_zone (an IANA zone: the zone pages show times in)."""
    problems += [f"team.{k}: unknown key (known: name, time_zone)" for k in sorted(set(table) - {"name", "time_zone"})]
    name = table.get("name", "")
    if not isinstance(name, str) or len(name) > 200:
        problems.append(f"team.name: the team's or company's name, a text of at most 200 characters, got {name!r}")
        name = ""
    zone = table.get("time_zone", DEFAULT_TIME_ZONE)
    try:
        from zoneinfo import ZoneInfo
        ZoneInfo(zone)
    except Exception:
        problems.append(f"team.time_zone: an IANA time zone such as \"Asia/Shanghai\" or \"Europe/Berlin\", got {zone!r}")
        zone = DEFAULT_TIME_ZONE
    return name.strip(), zone


def _users(table: object, problems: list[str]) -> dict[str, User]:
    if not isinstance(table, dict):
        problems.append("users: a table of login = { name = \"…\", roles = [\"…\"] } is expected")
        return {}
    users: dict[str, User] = {}
    for login, entry in table.items():
        where = f"users.{login}"
        if not USER_ID.fullmatch(login):
            problems.append(f"{where}: a login is lower-case letters, digits, _ . - (starting with a letter or _)")
            continue
        if not isinstance(entry, dict):
            problems.append(f"{where}: {{ name = \"…\", roles = [\"…\"] }} is expected")
            continue
        problems += [f"{where}.{k}: unknown key (known: name, roles)" for k in sorted(set(entry) - {"name", "roles"})]
        name = entry.get("name", login)
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}.name: the name quotes and the history show, e.g. \"Li Na\"")
            continue
        roles = entry.get("roles", [])
        if not isinstance(roles, list) or not all(isinstance(r, str) and r.strip() for r in roles):
            problems.append(f"{where}.roles: a list of role names is expected, e.g. [\"sales manager\"]")
            continue
        clash = name_clash(login, name, users)
        if clash:
            problems.append(f"{where}: {clash}")
        users[login] = User(login, name.strip(), tuple(r.strip() for r in roles))
    return users

"""The team server's state, kept in the register's database (migration 4) so that every server
process of a team sees the same: users added with ``xlpricing users`` and the password hashes of
all users, web sessions, API tokens, failed logins, customers' links and stamped copies.

Secrets are stored as hashes only: passwords with argon2id (memory-hard, argon2-cffi's defaults),
session keys, API tokens and link tokens with SHA-256 (they are 256 random bits: a fast hash
cannot be reversed by guessing). Whoever reads the database cannot log in or open a link.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass

from .db import Database, first
from .db import now as _now
from .errors import RegisterError
from .settings import USER_ID, User, name_clash

SESSION_HOURS = 12  # a web session lasts a working day; logging in again makes a new one
LINK_DAYS = 14  # a customer's link, unless the rep says otherwise
FAILURES_PER_LOGIN = 5  # failed logins of one user within THROTTLE_MINUTES: the next attempt waits
FAILURES_PER_ADDRESS = 30  # from one address, whatever the login
THROTTLE_MINUTES = 15
MIN_PASSWORD = 10
TOKEN_PREFIX = "xlp_"  # an API token says what it is (secret scanners and people both see it)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _at(delta: dt.timedelta) -> str:
    return (dt.datetime.now(dt.timezone.utc) + delta).isoformat(timespec="seconds")


def _hasher():
    try:
        from argon2 import PasswordHasher
    except ImportError:
        raise RegisterError("passwords need argon2-cffi: pip install 'xlpricing[server]'") from None
    return PasswordHasher()


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise RegisterError(f"a password has at least {MIN_PASSWORD} characters")
    return _hasher().hash(password)


def new_password() -> str:
    return secrets.token_urlsafe(12)


class Throttled(RegisterError):
    """Too many failed logins lately: the attempt is refused before the password is checked."""


@dataclass(frozen=True)
class Session:
    login: str
    csrf: str


@dataclass(frozen=True)
class Link:
    """A customer's link to one version of a quote."""

    id: int
    number: str
    version: int
    created_by: str
    created_at: str
    expires_at: str
    revoked_at: str | None
    answer: str | None
    answered_at: str | None
    answered_name: str | None
    answered_address: str | None
    pdf_sha256: str | None

    def state(self) -> str:
        """open, answered (accepted or declined), revoked or expired."""
        if self.revoked_at:
            return "revoked"
        if self.answer:
            return self.answer
        if _now() > self.expires_at:
            return "expired"
        return "open"


LINK_COLUMNS = ("id", "number", "version", "created_by", "created_at", "expires_at", "revoked_at", "answer",
                "answered_at", "answered_name", "answered_address", "pdf_sha256")


def stored_users(db: Database) -> dict[str, User]:
    """The users added with ``xlpricing users add`` (those of the team settings file have only
    their password here)."""
    with db.transaction() as tx:
        return _stored_users(tx)


def _stored_users(tx) -> dict[str, User]:
    rows = tx.all("SELECT login, name, roles FROM accounts WHERE name IS NOT NULL ORDER BY login")
    return {login: User(login, name, tuple(json.loads(roles or "[]"))) for login, name, roles in rows}


class Accounts:
    def __init__(self, db: Database):
        self.db = db

    # ------------------------------------------------------------------ users and passwords
    def add_user(self, login: str, name: str, roles: list[str], password: str, in_settings: bool,
                 team: dict[str, User]) -> None:
        """A user of the server. ``in_settings``: the team settings file lists this login already
        (its name and roles stay there; only the password is kept here). ``team``: the team's
        users now; a name or login that is another user's (``name_clash``) is refused."""
        if not USER_ID.fullmatch(login):
            raise RegisterError(f"login {login!r}: lower-case letters, digits, _ . - (starting with a letter or _)")
        name = name.strip() or login
        hashed = hash_password(password)
        with self.db.transaction() as tx:
            self.db.serialise(tx, "accounts")  # two added at once are checked against each other
            if tx.one("SELECT 1 FROM accounts WHERE login = ?", (login,)):
                raise RegisterError(f"user {login} exists already: change the password with "
                                    f"xlpricing users password {login}")
            clash = None if in_settings else name_clash(login, name, {**team, **_stored_users(tx)})
            if clash:
                raise RegisterError(f"user {login}: {clash}")
            tx.run("INSERT INTO accounts (login, name, roles, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                   (login, None if in_settings else name,
                    None if in_settings else json.dumps([r.strip() for r in roles if r.strip()], ensure_ascii=False),
                    hashed, _now()))

    def set_password(self, login: str, password: str) -> None:
        hashed = hash_password(password)
        with self.db.transaction() as tx:
            if not tx.run("UPDATE accounts SET password_hash = ? WHERE login = ?", (hashed, login)):
                tx.run("INSERT INTO accounts (login, password_hash, created_at) VALUES (?, ?, ?)",
                       (login, hashed, _now()))
            tx.run("DELETE FROM sessions WHERE login = ?", (login,))  # a new password logs the old sessions out

    def has_password(self, login: str) -> bool:
        with self.db.transaction() as tx:
            return first(tx.one("SELECT password_hash FROM accounts WHERE login = ?", (login,))) is not None

    def count(self) -> int:
        with self.db.transaction() as tx:
            return first(tx.one("SELECT COUNT(*) FROM accounts WHERE password_hash IS NOT NULL"), 0)

    def check_login(self, login: str, password: str, address: str) -> bool:
        """True when ``password`` is ``login``'s. Throttled when too many attempts failed lately
        (checked first: a throttled guess is never tried). Each attempt is counted as a failure
        before its password is checked, and the count is read and written in one step that no
        other attempt (thread or process) interleaves with: of N attempts at once, at most the
        limit's are tried. The right password takes its attempt back."""
        since = _at(-dt.timedelta(minutes=THROTTLE_MINUTES))
        with self.db.transaction() as tx:
            self.db.serialise(tx, "login_failures")
            tx.run("DELETE FROM login_failures WHERE at < ?", (since,))
            by_login = first(tx.one("SELECT COUNT(*) FROM login_failures WHERE login = ? AND at >= ?",
                                    (login, since)), 0)
            by_address = first(tx.one("SELECT COUNT(*) FROM login_failures WHERE address = ? AND at >= ?",
                                      (address, since)), 0)
            if by_login >= FAILURES_PER_LOGIN or by_address >= FAILURES_PER_ADDRESS:
                raise Throttled(f"too many failed logins in the last {THROTTLE_MINUTES} minutes: wait and try "
                                "again, or ask an administrator to set a new password")
            tx.run("INSERT INTO login_failures (login, address, at) VALUES (?, ?, ?)", (login, address, _now()))
            stored = first(tx.one("SELECT password_hash FROM accounts WHERE login = ?", (login,)))
        ok = False
        if stored is not None:
            from argon2.exceptions import InvalidHashError, VerificationError
            try:
                ok = _hasher().verify(stored, password)
            except (VerificationError, InvalidHashError):
                ok = False
        else:
            _hasher().hash(password)  # as slow as a real check: the answer's time says nothing about the login
        if ok:  # the attempt counted above, and those before it, are forgiven
            with self.db.transaction() as tx:
                tx.run("DELETE FROM login_failures WHERE login = ?", (login,))
        return ok

    # ------------------------------------------------------------------ sessions
    def new_session(self, login: str, old_key: str | None = None) -> tuple[str, Session]:
        """A new session key (the cookie's) for ``login``; the session the browser had is ended
        (a key is never carried across a login)."""
        key = secrets.token_urlsafe(32)
        session = Session(login, secrets.token_urlsafe(32))
        with self.db.transaction() as tx:
            if old_key:
                tx.run("DELETE FROM sessions WHERE key_sha256 = ?", (digest(old_key),))
            tx.run("DELETE FROM sessions WHERE expires_at < ?", (_now(),))
            tx.run("INSERT INTO sessions (key_sha256, login, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                   (digest(key), login, session.csrf, _now(), _at(dt.timedelta(hours=SESSION_HOURS))))
        return key, session

    def session(self, key: str) -> Session | None:
        with self.db.transaction() as tx:
            row = tx.one("SELECT login, csrf FROM sessions WHERE key_sha256 = ? AND expires_at >= ?",
                         (digest(key), _now()))
        return None if row is None else Session(*row)

    def end_session(self, key: str) -> None:
        with self.db.transaction() as tx:
            tx.run("DELETE FROM sessions WHERE key_sha256 = ?", (digest(key),))

    # ------------------------------------------------------------------ API tokens
    def new_token(self, login: str, label: str) -> str:
        """A token for scripts, the CLI and workbooks: shown once, stored as its SHA-256."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.db.transaction() as tx:
            tx.run("INSERT INTO api_tokens (login, label, token_sha256, created_at) VALUES (?, ?, ?, ?)",
                   (login, label.strip()[:100] or "token", digest(token), _now()))
        return token

    def token_login(self, token: str) -> str | None:
        with self.db.transaction() as tx:
            row = tx.one("SELECT id, login FROM api_tokens WHERE token_sha256 = ? AND revoked_at IS NULL",
                         (digest(token),))
            if row is not None:
                tx.run("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", (_now(), row[0]))
        return None if row is None else row[1]

    def tokens(self, login: str) -> list[tuple]:
        with self.db.transaction() as tx:
            return tx.all("SELECT id, label, created_at, last_used_at, revoked_at FROM api_tokens WHERE login = ? "
                          "ORDER BY id", (login,))

    def revoke_token(self, token_id: int, login: str) -> bool:
        with self.db.transaction() as tx:
            return tx.run("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND login = ? AND revoked_at IS NULL",
                          (_now(), token_id, login)) > 0

    # ------------------------------------------------------------------ customers' links
    def new_link(self, number: str, version: int, by: str, days: int = LINK_DAYS) -> str:
        if not 1 <= days <= 90:
            raise RegisterError(f"a link is valid for 1 to 90 days, got {days}")
        token = secrets.token_urlsafe(32)
        with self.db.transaction() as tx:
            tx.run("INSERT INTO share_links (token_sha256, number, version, created_by, created_at, expires_at) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   (digest(token), number, version, by, _now(), _at(dt.timedelta(days=days))))
        return token

    def link(self, token: str) -> Link | None:
        with self.db.transaction() as tx:
            row = tx.one(f"SELECT {', '.join(LINK_COLUMNS)} FROM share_links WHERE token_sha256 = ?", (digest(token),))
        return None if row is None else Link(*row)

    def links(self, number: str) -> list[Link]:
        with self.db.transaction() as tx:
            rows = tx.all(f"SELECT {', '.join(LINK_COLUMNS)} FROM share_links WHERE number = ? ORDER BY id", (number,))
        return [Link(*r) for r in rows]

    def revoke_link(self, link_id: int, number: str) -> bool:
        with self.db.transaction() as tx:
            return tx.run("UPDATE share_links SET revoked_at = ? WHERE id = ? AND number = ? AND revoked_at IS NULL "
                          "AND answer IS NULL", (_now(), link_id, number)) > 0

    @staticmethod
    def answer_link(tx, link_id: int, answer: str, name: str, address: str, pdf_sha256: str | None) -> bool:
        """The customer's answer, once, inside the transaction that changes the quote's status:
        False when the link was answered, revoked or expired meanwhile."""
        return tx.run("UPDATE share_links SET answer = ?, answered_at = ?, answered_name = ?, answered_address = ?, "
                      "pdf_sha256 = ? WHERE id = ? AND answer IS NULL AND revoked_at IS NULL AND expires_at >= ?",
                      (answer, _now(), name, address, pdf_sha256, link_id, _now())) > 0

    # ------------------------------------------------------------------ stamped copies (盖章回传)
    def add_signed_copy(self, number: str, version: int, path: str, sha256: str, by: str) -> None:
        with self.db.transaction() as tx:
            tx.run("INSERT INTO signed_copies (number, version, path, sha256, uploaded_by, uploaded_at) "
                   "VALUES (?, ?, ?, ?, ?, ?)", (number, version, path, sha256, by, _now()))

    def signed_copies(self, number: str) -> list[tuple]:
        with self.db.transaction() as tx:
            return tx.all("SELECT id, version, path, sha256, uploaded_by, uploaded_at FROM signed_copies "
                          "WHERE number = ? ORDER BY id", (number,))

    # ------------------------------------------------------------------ the servers' shared secret
    def secret(self) -> str:
        """The key session cookies are signed with: made once, shared by every server process."""
        with self.db.transaction() as tx:
            tx.run("INSERT INTO server_secret (id, secret) VALUES (1, ?) ON CONFLICT DO NOTHING",
                   (secrets.token_urlsafe(48),))
            return tx.one("SELECT secret FROM server_secret WHERE id = 1")[0]

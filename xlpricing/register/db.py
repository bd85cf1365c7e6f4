"""The register's two back ends behind one small interface: SQLite (stdlib, the default) and
PostgreSQL (psycopg 3, for a team). Every statement is written once, with ``?`` placeholders;
values always travel as parameters, never inside the SQL text.

Why psycopg 3 and not SQLAlchemy Core: the register is a dozen statements that both databases
understand as written; psycopg is one well-kept driver with binary wheels, server-side binding
and the advisory locks the publish protocol uses. SQLAlchemy would add a large dependency to
translate SQL we do not need translated.
"""

from __future__ import annotations

import contextlib
import os
import random
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

from .errors import RegisterError, RegisterFailure

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

REGISTER_ENV = "XLPRICING_REGISTER"
LOCK_NAMESPACE = 0x584C50  # "XLP": the advisory-lock class of this application's locks
NAMED_LOCKS = LOCK_NAMESPACE + 1  # the class of ``Database.serialise``'s locks (quote ids are LOCK_NAMESPACE's)

# Versioned migrations, applied in order on first use. {id} is the one piece of DDL the two
# databases spell differently.
MIGRATIONS: list[tuple[int, tuple[str, ...]]] = [
    (1, (
        """CREATE TABLE counters (
            prefix TEXT NOT NULL, year INTEGER NOT NULL, last INTEGER NOT NULL,
            PRIMARY KEY (prefix, year))""",
        """CREATE TABLE quotes (
            id {id},
            number TEXT NOT NULL,
            version INTEGER NOT NULL,
            customer TEXT NOT NULL,
            rep TEXT NOT NULL,
            created_at TEXT NOT NULL,
            quote_date TEXT NOT NULL,
            valid_until TEXT NOT NULL,
            price_book TEXT NOT NULL,
            currency TEXT NOT NULL,
            total TEXT NOT NULL,
            net TEXT,
            tax TEXT,
            discount TEXT NOT NULL,
            options TEXT NOT NULL,
            request TEXT NOT NULL,
            proposal TEXT NOT NULL,
            status TEXT NOT NULL,
            approvals TEXT NOT NULL,
            path TEXT NOT NULL,
            sha256 TEXT,
            temp_path TEXT,
            published INTEGER NOT NULL DEFAULT 0,
            request_key TEXT UNIQUE,
            UNIQUE (number, version))""",
        "CREATE INDEX quotes_status ON quotes (status, valid_until)",
        """CREATE TABLE events (
            id {id},
            number TEXT NOT NULL,
            version INTEGER NOT NULL,
            at TEXT NOT NULL,
            who TEXT NOT NULL,
            action TEXT NOT NULL,
            from_status TEXT,
            to_status TEXT,
            detail TEXT NOT NULL DEFAULT '')""",
        "CREATE INDEX events_quote ON events (number, version)",
    )),
    # 2: the text of the book each quote was priced with, kept once per distinct text: a book
    # from a file (an id no lookup knows) still prices its quotes again for a revision or an
    # approval, exactly as it did.
    (2, (
        """CREATE TABLE price_books (
            sha256 TEXT PRIMARY KEY,
            id TEXT NOT NULL,
            toml TEXT NOT NULL)""",
        "ALTER TABLE quotes ADD COLUMN book_sha256 TEXT",
    )),
    # 3: a quote's PDF is one of its documents: its SHA-256 is recorded with the workbook's, and
    # it is published (and recovered) in the same step.
    (3, (
        "ALTER TABLE quotes ADD COLUMN pdf_sha256 TEXT",
        "ALTER TABLE quotes ADD COLUMN pdf_temp_path TEXT",
    )),
    # 4: the team server's state (xlpricing.register.accounts): users added with `xlpricing users`
    # and their password hashes, web sessions, API tokens, failed logins, customers' links and
    # the stamped copies reps upload. Secrets are kept as hashes only.
    (4, (
        """CREATE TABLE accounts (
            login TEXT PRIMARY KEY,
            name TEXT,
            roles TEXT,
            password_hash TEXT,
            created_at TEXT NOT NULL)""",
        """CREATE TABLE sessions (
            key_sha256 TEXT PRIMARY KEY,
            login TEXT NOT NULL,
            csrf TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL)""",
        """CREATE TABLE api_tokens (
            id {id},
            login TEXT NOT NULL,
            label TEXT NOT NULL,
            token_sha256 TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            last_used_at TEXT,
            revoked_at TEXT)""",
        """CREATE TABLE login_failures (
            id {id},
            login TEXT NOT NULL,
            address TEXT NOT NULL,
            at TEXT NOT NULL)""",
        "CREATE INDEX login_failures_at ON login_failures (at)",
        """CREATE TABLE share_links (
            id {id},
            token_sha256 TEXT NOT NULL UNIQUE,
            number TEXT NOT NULL,
            version INTEGER NOT NULL,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            revoked_at TEXT,
            answer TEXT,
            answered_at TEXT,
            answered_name TEXT,
            answered_address TEXT,
            pdf_sha256 TEXT)""",
        """CREATE TABLE signed_copies (
            id {id},
            number TEXT NOT NULL,
            version INTEGER NOT NULL,
            path TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            uploaded_by TEXT NOT NULL,
            uploaded_at TEXT NOT NULL)""",
        """CREATE TABLE server_secret (
            id INTEGER PRIMARY KEY,
            secret TEXT NOT NULL)""",
    )),
    # 5: identity is the login: a quote's owner is kept by login (``rep`` stays the name it shows;
    # a quote recorded before keeps its name, matched to a login when read). An Idempotency-Key's
    # request body is kept as its SHA-256, so a key reused with another body is told apart.
    (5, (
        "ALTER TABLE quotes ADD COLUMN rep_login TEXT",
        "ALTER TABLE quotes ADD COLUMN request_sha256 TEXT",
    )),
]


class Database:
    """One connection; ``transaction()`` yields an executor; ``hold``/``try_hold`` are locks that
    die with the process (the publish protocol's "is its writer still alive?")."""

    kind = ""
    describe = ""

    def transaction(self):  # pragma: no cover - interface
        raise NotImplementedError

    def hold(self, key: int, tx) -> None:  # pragma: no cover - interface
        """Take ``key`` inside the transaction ``tx`` that makes its record visible."""
        raise NotImplementedError

    def release(self, key: int) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def try_hold(self, key: int) -> bool:  # pragma: no cover - interface
        raise NotImplementedError

    def connected_role(self) -> str | None:
        """The role the database authenticated this connection as (None: a file, no roles)."""
        return None

    def _held_here(self) -> set[int]:
        """The keys this process holds: a process's own locks look free to itself (POSIX record
        locks and PostgreSQL session locks are re-entrant), so ``try_hold`` asks this set first."""
        held = self.__dict__.get("_held")
        if held is None:
            held = self.__dict__.setdefault("_held", set())
        return held

    def serialise(self, tx, name: str) -> None:
        """Transactions that call this with the same ``name`` run one after another, in every
        process, from here to their commit (a count that must not be read twice before it is
        written). SQLite: nothing to do, BEGIN IMMEDIATE has every writer wait for the one before."""

    def close(self) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def migrate(self) -> None:
        with self.transaction() as tx:
            self._lock_schema(tx)
            tx.run("CREATE TABLE IF NOT EXISTS register_schema (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
            done = {r[0] for r in tx.all("SELECT version FROM register_schema")}
            newest = max((v for v, _ in MIGRATIONS), default=0)
            if done and max(done) > newest:
                raise RegisterError(f"the register {self.describe} was made by a newer xlpricing "
                                    f"(schema {max(done)}, this one knows {newest}): upgrade xlpricing")
            for version, statements in MIGRATIONS:
                if version in done:
                    continue
                for statement in statements:
                    tx.run(statement.replace("{id}", self.identity))
                tx.run("INSERT INTO register_schema (version, applied_at) VALUES (?, ?)", (version, now()))

    def _lock_schema(self, tx) -> None:
        pass


def now() -> str:
    """When, as the register writes it: UTC, to the second."""
    import datetime as dt
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class _Executor:
    def __init__(self, cursor, placeholder: str):
        self.cursor = cursor
        self.placeholder = placeholder

    def _sql(self, sql: str) -> str:
        return sql if self.placeholder == "?" else sql.replace("?", self.placeholder)

    def run(self, sql: str, params: tuple | list = ()) -> int:
        self.cursor.execute(self._sql(sql), tuple(params))
        return self.cursor.rowcount

    def one(self, sql: str, params: tuple | list = ()) -> tuple | None:
        self.cursor.execute(self._sql(sql), tuple(params))
        return self.cursor.fetchone()

    def all(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        self.cursor.execute(self._sql(sql), tuple(params))
        return list(self.cursor.fetchall())


class SQLiteDatabase(Database):
    kind = "sqlite"
    identity = "INTEGER PRIMARY KEY AUTOINCREMENT"

    def __init__(self, path: Path):
        self.path = path
        self.describe = str(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # autocommit off by hand: BEGIN IMMEDIATE takes the write lock at the start, so two
            # processes allocating numbers queue instead of failing half-way
            self.conn = sqlite3.connect(str(path), timeout=60, isolation_level=None, check_same_thread=False)
            self._write_ahead_log()
            self.conn.execute("PRAGMA synchronous=FULL")  # a committed quote survives a power cut
            self.conn.execute("PRAGMA busy_timeout=60000")
        except (OSError, sqlite3.Error) as exc:
            raise RegisterError(f"cannot open the register {path}: {exc}") from None
        self._locks: dict[int, int] = {}
        self._lock_fd: int | None = None
        self._mutex = threading.Lock()

    def _write_ahead_log(self) -> None:
        """WAL mode, once per file. Two processes opening a new register at once (two batches
        started together) both try to switch it; the switch needs the file alone, and SQLite
        answers "database is locked" at once instead of waiting: wait and look again."""
        deadline = time.monotonic() + 60
        while True:
            try:
                if self.conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    self.conn.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02 + random.random() * 0.08)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[_Executor]:
        with self._mutex:
            cur = self.conn.cursor()
            try:
                cur.execute("BEGIN IMMEDIATE")
                yield _Executor(cur, "?")
                cur.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            finally:
                cur.close()

    # Byte-range locks on a file beside the register: the kernel drops them when the process
    # dies, however it dies. One descriptor per process (closing another would drop them all).
    def _fd(self) -> int:
        if self._lock_fd is None:
            self._lock_fd = os.open(str(self.path) + ".locks", os.O_RDWR | os.O_CREAT, 0o600)
        return self._lock_fd

    def hold(self, key: int, tx) -> None:
        self._held_here().add(key)
        if fcntl is None:
            return
        fcntl.lockf(self._fd(), fcntl.LOCK_EX, 1, key)

    def release(self, key: int) -> None:
        self._held_here().discard(key)
        if fcntl is None:
            return
        fcntl.lockf(self._fd(), fcntl.LOCK_UN, 1, key)

    def try_hold(self, key: int) -> bool:
        """True when nobody holds ``key`` (the lock is taken and given back at once). Without POSIX
        locks (Windows) a writer's liveness cannot be told: nothing is taken for abandoned, and a
        run that stopped mid-publish stays visible to ``quotes verify`` instead."""
        if fcntl is None or key in self._held_here():
            return False
        try:
            fcntl.lockf(self._fd(), fcntl.LOCK_EX | fcntl.LOCK_NB, 1, key)
        except OSError:
            return False
        fcntl.lockf(self._fd(), fcntl.LOCK_UN, 1, key)
        return True

    def close(self) -> None:
        self.conn.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None


class PostgresDatabase(Database):
    kind = "postgresql"
    identity = "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"

    def __init__(self, url: str):
        try:
            import psycopg
        except ImportError:
            raise RegisterError("a PostgreSQL register needs psycopg: pip install 'xlpricing[team]'") from None
        self.describe = redact(url)
        try:
            self.conn = psycopg.connect(url, autocommit=True, connect_timeout=20)
        except psycopg.Error as exc:
            raise RegisterError(f"cannot connect to the register {self.describe}: {_first_line(exc)}") from None
        self._psycopg = psycopg
        self._mutex = threading.Lock()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[_Executor]:
        with self._mutex:
            try:
                with self.conn.transaction():
                    with self.conn.cursor() as cur:
                        yield _Executor(cur, "%s")
            except self._psycopg.Error as exc:  # a failure, not a refusal: its words are for the operator
                raise RegisterFailure(f"the register {self.describe}: {_first_line(exc)}") from None

    def _lock_schema(self, tx) -> None:
        tx.run("SELECT pg_advisory_xact_lock(?, 0)", (LOCK_NAMESPACE,))

    def serialise(self, tx, name: str) -> None:
        import hashlib
        key = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:4], "big", signed=True)
        tx.run("SELECT pg_advisory_xact_lock(?, ?)", (NAMED_LOCKS, key))  # released at commit or rollback

    def hold(self, key: int, tx) -> None:
        # a session lock: it outlives the transaction, and the server drops it when the process dies
        tx.run("SELECT pg_advisory_lock(?, ?)", (LOCK_NAMESPACE, key))
        self._held_here().add(key)

    def release(self, key: int) -> None:
        self._held_here().discard(key)
        with self._mutex:
            self.conn.execute("SELECT pg_advisory_unlock(%s, %s)", (LOCK_NAMESPACE, key))

    def connected_role(self) -> str | None:
        with self._mutex:
            return self.conn.execute("SELECT session_user").fetchone()[0]

    def try_hold(self, key: int) -> bool:
        if key in self._held_here():
            return False
        with self._mutex:
            got = self.conn.execute("SELECT pg_try_advisory_lock(%s, %s)", (LOCK_NAMESPACE, key)).fetchone()[0]
            if got:
                self.conn.execute("SELECT pg_advisory_unlock(%s, %s)", (LOCK_NAMESPACE, key))
            return bool(got)

    def close(self) -> None:
        self.conn.close()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def redact(url: str) -> str:
    """A URL fit to print: never a password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    user = f"{parts.username}:***@" if parts.username else "***@"
    port = f":{parts.port}" if parts.port else ""
    return parts._replace(netloc=f"{user}{host}{port}").geturl()


def default_register_path() -> Path:
    """The user's data directory: XDG on Linux, Application Support on macOS, LOCALAPPDATA on Windows."""
    import sys
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "xlpricing" / "register.sqlite3"


def is_url(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


def connect(target: str | Path | None = None) -> Database:
    """--register PATH|URL, else $XLPRICING_REGISTER, else the SQLite file in the data directory."""
    target = str(target or os.environ.get(REGISTER_ENV, "").strip() or default_register_path())
    if is_url(target):
        if urlsplit(target).password is not None:
            raise RegisterError("the register URL holds a password: give it in PGPASSWORD or ~/.pgpass instead, "
                                f"so it is never stored or printed ({redact(target)})")
        db: Database = PostgresDatabase(target)
    elif "://" in target:
        raise RegisterError(f"a register is a file path or a postgresql:// URL, got {redact(target)}")
    else:
        db = SQLiteDatabase(Path(target).expanduser())
    try:
        db.migrate()
    except sqlite3.Error as exc:
        db.close()
        raise RegisterError(f"the register {db.describe}: {exc}") from None
    except BaseException:
        db.close()
        raise
    return db


def first(row: tuple | None, default: Any = None) -> Any:
    return default if row is None else row[0]

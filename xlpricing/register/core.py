"""The quote register: numbers, versions, validity, status, approvals, and the publish protocol
that keeps each record and its workbook together.

Publishing a workbook (``publishing``):
  1. one transaction allocates the number and inserts the record, unpublished, while this
     process takes a lock that dies with it (an advisory lock, or a byte-range lock on SQLite);
  2. the workbook is saved to a temp file beside its target; its SHA-256 and the temp file's
     name are recorded (``Slot.saved``);
  3. the temp file becomes the workbook; the record is marked published.
A run stopped anywhere leaves an unpublished record whose lock nobody holds. The next register
opened finishes it (the temp file with the recorded digest becomes the workbook) or, when the
workbook was never complete, removes the record and notes it in the audit trail: never a record
without its file, nor a file without its record. A number once allocated is never reused.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import socket
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Iterator

from .db import Database, SQLiteDatabase, connect, first
from .db import now as _now
from .errors import RegisterError
from .settings import TeamSettings, load_settings

DRAFT, PENDING, SENT, ACCEPTED, DECLINED, SUPERSEDED, EXPIRED = (
    "draft", "pending approval", "sent", "accepted", "declined", "superseded", "expired")
OPEN = (DRAFT, PENDING, SENT)  # what a customer may still sign
# status → the statuses a rep may set from it (superseded comes only from revise)
TRANSITIONS = {DRAFT: (SENT,), PENDING: (), SENT: (ACCEPTED, DECLINED), ACCEPTED: (), DECLINED: (),
               SUPERSEDED: (), EXPIRED: (DECLINED,)}
SETTABLE = (SENT, ACCEPTED, DECLINED)
MAX_TEXT = 10_000  # customer, rep, notes: longer is refused, never cut

COLUMNS = ("id", "number", "version", "customer", "rep", "created_at", "quote_date", "valid_until", "price_book",
           "currency", "total", "net", "tax", "discount", "options", "request", "proposal", "status", "approvals",
           "path", "sha256", "temp_path", "published", "request_key", "book_sha256")
SELECT = f"SELECT {', '.join(COLUMNS)} FROM quotes"


@dataclass(frozen=True)
class _Quoted:
    """What a quote says, as the register keeps it (a draft's and a record's common part)."""

    customer: str
    rep: str
    quote_date: dt.date
    valid_until: dt.date
    price_book: str
    currency: str
    total: Decimal
    net: Decimal | None  # None: the book adds tax on top (no split)
    tax: Decimal | None
    discount: Decimal
    options: list
    request: dict  # publish.QuoteRequest: enough to price it again
    proposal: dict  # publish.ProposalInfo: enough to write it again


@dataclass(frozen=True, kw_only=True)
class Record(_Quoted):
    id: int
    number: str
    version: int
    created_at: str
    status: str
    approvals: list
    path: str
    sha256: str | None
    published: bool

    @classmethod
    def of(cls, row: tuple) -> "Record":
        r = dict(zip(COLUMNS, row))
        del r["temp_path"], r["request_key"], r["book_sha256"]
        for key in ("quote_date", "valid_until"):
            r[key] = dt.date.fromisoformat(r[key])
        for key in ("total", "net", "tax", "discount"):
            r[key] = _dec(r[key])
        for key in ("options", "request", "proposal", "approvals"):
            r[key] = json.loads(r[key])
        r["published"] = bool(r["published"])
        return cls(**r)

    @property
    def label(self) -> str:
        """The number as the proposal shows it: Q-2026-000123, then Q-2026-000123-v2."""
        return self.number if self.version == 1 else f"{self.number}-v{self.version}"

    def status_on(self, today: dt.date) -> str:
        """The status a user sees: an open quote past its valid-until date shows as expired."""
        return EXPIRED if self.status in OPEN and today > self.valid_until else self.status


def _dec(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


@dataclass(frozen=True, kw_only=True)
class Draft(_Quoted):
    """A quote about to be recorded (everything but its number and workbook)."""

    approvals: list = field(default_factory=list)
    number: str | None = None  # an explicit number; None: the register allocates one
    version: int = 1
    request_key: str | None = None  # a batch's row: a retried row finds its record instead of a second one
    book_toml: str = ""  # the book's text, kept in the register (once per distinct text)


@dataclass
class Slot:
    """A record being published: its number is known, its workbook not yet written."""

    register: "Register"
    id: int
    number: str
    version: int
    path: Path | None = None
    _digest: str | None = None

    @property
    def label(self) -> str:
        return self.number if self.version == 1 else f"{self.number}-v{self.version}"

    def saved(self, tmp: Path) -> None:
        """The workbook is complete in ``tmp`` (not yet under its name): record its digest."""
        if self.path is None:
            raise RegisterError("the slot's workbook path was not set")
        self._digest = sha256_of(tmp)
        with self.register.db.transaction() as tx:
            tx.run("UPDATE quotes SET sha256 = ?, temp_path = ?, path = ? WHERE id = ?",
                   (self._digest, str(Path(tmp).resolve()), str(self.path.resolve()), self.id))


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check_text(what: str, text: str) -> str:
    if len(text) > MAX_TEXT:
        raise RegisterError(f"{what} is {len(text):,} characters; the register keeps at most {MAX_TEXT:,}")
    return text


class Register:
    def __init__(self, db: Database, settings: TeamSettings):
        self.db = db
        self.settings = settings

    @classmethod
    def open(cls, target: str | Path | None = None, settings: str | Path | None = None,
             recover: bool = True) -> "Register":
        db = connect(target)
        try:
            reg = cls(db, load_settings(settings, db.path if isinstance(db, SQLiteDatabase) else None))
            if recover:
                reg.recover()
        except BaseException:
            db.close()
            raise
        return reg

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Register":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------------ numbers
    def _allocate(self, tx, year: int) -> str:
        prefix = self.settings.prefix
        for _ in range(2):
            n = first(tx.one("UPDATE counters SET last = last + 1 WHERE prefix = ? AND year = ? RETURNING last",
                             (prefix, year)))
            if n is not None:
                return f"{prefix}-{year}-{n:06d}"
            tx.run("INSERT INTO counters (prefix, year, last) VALUES (?, ?, 0) ON CONFLICT DO NOTHING", (prefix, year))
        raise RegisterError("could not allocate a quote number")  # pragma: no cover - the insert above made the row

    def check_explicit_number(self, number: str) -> None:
        if not number.strip() or number != number.strip():
            raise RegisterError(f"a quote number must not be empty or start or end with spaces, got {number!r}")
        if re.fullmatch(rf"{re.escape(self.settings.prefix)}-\d{{4}}-\d+(-v\d+)?", number):
            raise RegisterError(f"{number}: numbers of the form {self.settings.prefix}-YYYY-NNNNNN are allocated "
                                "by the register; leave --quote-number out to get the next one")
        if re.search(r"-v\d+$", number):
            raise RegisterError(f"{number}: -vN marks a version; use 'xlpricing quotes revise' for a new version")

    # ------------------------------------------------------------------------ publishing
    @contextlib.contextmanager
    def publishing(self, draft: Draft, who: str) -> Iterator[Slot]:
        """Allocate (or check) the number, yield the slot to write the workbook with, and mark it
        published when the block ends. An error in the block removes the record (the number is
        kept used); a killed process leaves it to ``recover``."""
        check_text("the customer name", draft.customer)
        check_text("the rep's name", draft.rep)
        if draft.number is not None and draft.version == 1:
            self.check_explicit_number(draft.number)
        status = PENDING if any(a["by"] is None for a in draft.approvals) else DRAFT
        with self.db.transaction() as tx:
            if draft.number is None:
                number = self._allocate(tx, dt.date.today().year)
            else:
                number = draft.number
                if tx.one("SELECT 1 FROM quotes WHERE number = ? AND version = ?", (number, draft.version)):
                    what = number if draft.version == 1 else f"{number} version {draft.version}"
                    raise RegisterError(f"quote {what} exists already in the register: choose another number")
            book_sha = None
            if draft.book_toml:
                book_sha = hashlib.sha256(draft.book_toml.encode("utf-8")).hexdigest()
                tx.run("INSERT INTO price_books (sha256, id, toml) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                       (book_sha, draft.price_book, draft.book_toml))
            row = tx.one(
                "INSERT INTO quotes (number, version, customer, rep, created_at, quote_date, valid_until, price_book, "
                "currency, total, net, tax, discount, options, request, proposal, status, approvals, path, "
                "published, request_key, book_sha256) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?) RETURNING id",
                (number, draft.version, draft.customer, draft.rep, _now(), draft.quote_date.isoformat(),
                 draft.valid_until.isoformat(), draft.price_book, draft.currency, str(draft.total),
                 _s(draft.net), _s(draft.tax), str(draft.discount), json.dumps(draft.options, ensure_ascii=False),
                 json.dumps(draft.request, ensure_ascii=False), json.dumps(draft.proposal, ensure_ascii=False),
                 status, json.dumps(draft.approvals, ensure_ascii=False), "", draft.request_key, book_sha))
            quote_id = row[0]
            self.db.hold(quote_id, tx)  # before the record is visible: nobody takes it for abandoned
        slot = Slot(self, quote_id, number, draft.version)
        try:
            yield slot
            if slot._digest is None:
                raise RegisterError("the workbook was not saved through the register")
        except BaseException as exc:
            self._abandon(quote_id, f"not written: {type(exc).__name__}: {str(exc)[:200]}")
            raise
        with self.db.transaction() as tx:
            tx.run("UPDATE quotes SET published = 1, temp_path = NULL WHERE id = ?", (quote_id,))
            self._event(tx, number, draft.version, who, "created", None, status,
                        f"{draft.customer} · total {draft.total} {draft.currency} · {slot.path}")
            if draft.version > 1:
                self._supersede(tx, number, draft.version, who)
        self.db.release(quote_id)

    def _abandon(self, quote_id: int, why: str, tx=None) -> None:
        def drop(tx) -> None:
            row = tx.one("SELECT number, version, temp_path FROM quotes WHERE id = ?", (quote_id,))
            if row is None:
                return
            if row[2]:
                Path(row[2]).unlink(missing_ok=True)
            tx.run("DELETE FROM quotes WHERE id = ?", (quote_id,))
            self._event(tx, row[0], row[1], "xlpricing", "abandoned", None, None,
                        f"{why}; the number is not reused")
        if tx is not None:
            drop(tx)
            return
        with self.db.transaction() as tx:
            drop(tx)
        self.db.release(quote_id)

    def _supersede(self, tx, number: str, version: int, who: str) -> None:
        """A new version replaces the open one before it; an accepted one stays accepted (signed)."""
        for (old_version, old_status) in tx.all(
                "SELECT version, status FROM quotes WHERE number = ? AND version < ? AND status IN (?, ?, ?, ?)",
                (number, version, DRAFT, PENDING, SENT, DECLINED)):
            tx.run("UPDATE quotes SET status = ? WHERE number = ? AND version = ?", (SUPERSEDED, number, old_version))
            self._event(tx, number, old_version, who, "superseded", old_status, SUPERSEDED, f"by version {version}")

    def recover(self) -> list[str]:
        """Finish or remove the records of runs that stopped mid-publish (their locks are free)."""
        said = []
        with self.db.transaction() as tx:
            candidates = [r[0] for r in tx.all("SELECT id FROM quotes WHERE published = 0")]
        for quote_id in candidates:
            if not self.db.try_hold(quote_id):
                continue  # its writer is alive
            with self.db.transaction() as tx:
                row = tx.one("SELECT number, version, path, temp_path, sha256 FROM quotes "
                             "WHERE id = ? AND published = 0", (quote_id,))
                if row is None:
                    continue
                number, version, path, temp, digest = row
                target = Path(path) if path else None
                if digest and target is not None and target.is_file() and sha256_of(target) == digest:
                    how = "its workbook had been published"
                elif digest and target is not None and temp and Path(temp).is_file() and sha256_of(Path(temp)) == digest \
                        and not target.exists():
                    os.link(temp, target)
                    how = "its complete temp file was published"
                else:
                    self._abandon(quote_id, "the run stopped before its workbook was complete", tx)
                    said.append(f"{number} v{version}: removed (the run stopped before its workbook was complete)")
                    continue
                if temp:
                    Path(temp).unlink(missing_ok=True)
                tx.run("UPDATE quotes SET published = 1, temp_path = NULL WHERE id = ?", (quote_id,))
                self._event(tx, number, version, "xlpricing", "recovered", None, None, how)
                said.append(f"{number} v{version}: recovered ({how})")
        return said

    # ------------------------------------------------------------------------ reading
    def find_key(self, request_key: str) -> Record | None:
        with self.db.transaction() as tx:
            row = tx.one(f"{SELECT} WHERE request_key = ? AND published = 1", (request_key,))
        return None if row is None else Record.of(row)

    def book_of(self, record: Record):
        """The price book ``record`` was priced with, from the text the register keeps (a book from
        a file included); a record from before that text was kept: the shipped book of its id."""
        from ..errors import PriceBookError
        from ..pricebook import get_price_book, parse_price_book
        with self.db.transaction() as tx:
            row = tx.one("SELECT b.toml FROM quotes q JOIN price_books b ON b.sha256 = q.book_sha256 WHERE q.id = ?",
                         (record.id,))
        try:
            return parse_price_book(row[0], f"the register's copy of {record.price_book}") if row else \
                get_price_book(record.price_book)
        except PriceBookError as exc:
            raise RegisterError(f"{record.label} was priced with {record.price_book}, which is not available: "
                                f"{exc}") from None

    def owner_of(self, path: Path) -> Record | None:
        """The quote whose workbook is at ``path``, if any (its newest record)."""
        with self.db.transaction() as tx:
            row = tx.one(f"{SELECT} WHERE path = ? AND published = 1 ORDER BY id DESC LIMIT 1",
                         (str(Path(path).resolve()),))
        return None if row is None else Record.of(row)

    def get(self, number: str, version: int | None = None) -> Record:
        with self.db.transaction() as tx:
            if version is None:
                row = tx.one(f"{SELECT} WHERE number = ? AND published = 1 ORDER BY version DESC LIMIT 1", (number,))
            else:
                row = tx.one(f"{SELECT} WHERE number = ? AND version = ? AND published = 1", (number, version))
        if row is None:
            raise RegisterError(f"no quote {number}{'' if version is None else f' version {version}'} in the register")
        return Record.of(row)

    def versions(self, number: str) -> list[Record]:
        with self.db.transaction() as tx:
            rows = tx.all(f"{SELECT} WHERE number = ? AND published = 1 ORDER BY version", (number,))
        if not rows:
            raise RegisterError(f"no quote {number} in the register")
        return [Record.of(r) for r in rows]

    def quotes(self, status: str | None = None, customer: str | None = None, rep: str | None = None,
               expiring_within: int | None = None, today: dt.date | None = None,
               latest_only: bool = True) -> list[Record]:
        """Filtered in Python: the statuses a user sees depend on today's date."""
        today = today or dt.date.today()
        with self.db.transaction() as tx:
            rows = [Record.of(r) for r in tx.all(f"{SELECT} WHERE published = 1 ORDER BY number, version")]
        if latest_only:
            newest = {}
            for r in rows:
                newest[r.number] = r
            rows = list(newest.values())
        out = []
        for r in rows:
            shown = r.status_on(today)
            if status and shown != status:
                continue
            if customer and customer.casefold() not in r.customer.casefold():
                continue
            if rep and rep.casefold() != r.rep.casefold():
                continue
            if expiring_within is not None and not (shown in OPEN and
                                                    today <= r.valid_until <= today + dt.timedelta(days=expiring_within)):
                continue
            out.append(r)
        return out

    def events(self, number: str) -> list[tuple]:
        with self.db.transaction() as tx:
            return tx.all("SELECT version, at, who, action, from_status, to_status, detail FROM events "
                          "WHERE number = ? ORDER BY id", (number,))

    # ------------------------------------------------------------------------ changing
    def _event(self, tx, number, version, who, action, before, after, detail="") -> None:
        tx.run("INSERT INTO events (number, version, at, who, action, from_status, to_status, detail) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (number, version, _now(), who, action, before, after, detail))

    def _latest_for_update(self, tx, number: str) -> Record:
        lock = " FOR UPDATE" if self.db.kind == "postgresql" else ""
        row = tx.one(f"{SELECT} WHERE number = ? AND published = 1 ORDER BY version DESC LIMIT 1{lock}", (number,))
        if row is None:
            raise RegisterError(f"no quote {number} in the register")
        return Record.of(row)

    def set_status(self, number: str, new: str, who: str, today: dt.date | None = None) -> Record:
        if new not in SETTABLE:
            raise RegisterError(f"a status to set is {', '.join(SETTABLE)}, got {new!r}")
        check_text("who", who)
        today = today or dt.date.today()
        with self.db.transaction() as tx:
            r = self._latest_for_update(tx, number)
            shown = r.status_on(today)
            if new not in TRANSITIONS[shown]:
                raise RegisterError(_refusal(r, shown, new))
            tx.run("UPDATE quotes SET status = ? WHERE id = ?", (new, r.id))
            self._event(tx, number, r.version, who, "status", shown, new)
        return self.get(number)

    def approve(self, number: str, by: str, role: str | None = None, rewrite=None) -> Record:
        """Record ``by``'s approval. When the last one needed is given, ``rewrite(record, book)`` writes the
        proposal again without its pending banner and returns the new file's SHA-256, inside the
        same transaction: an error leaves both the approval and the old workbook as they were. (A
        kill in the instant between the new file taking its name and the commit is what
        ``quotes verify`` reports: the file changed since it was recorded.)"""
        check_text("the approver's name", by)
        if not by.strip():
            raise RegisterError("--by: the name of the person approving")
        book = self.book_of(self.get(number)) if rewrite is not None else None  # read before the write lock
        with self.db.transaction() as tx:
            r = self._latest_for_update(tx, number)
            if r.status != PENDING:
                raise RegisterError(f"{r.label} is {r.status_on(dt.date.today())}: only a quote pending approval "
                                    "is approved")
            approvals = r.approvals
            waiting = [a for a in approvals if a["by"] is None and (role is None or a["role"] == role)]
            mine = [a for a in waiting if self.settings.may_approve(a["role"], by)]
            if not mine:
                roles = ", ".join(sorted({a["role"] for a in waiting})) or role or "none"
                raise RegisterError(f"{by} may not approve {r.label}: it waits for the role(s) {roles} "
                                    f"(team settings: {self.settings.source})")
            for a in mine:
                a["by"], a["at"] = by, _now()
            done = all(a["by"] is not None for a in approvals)
            new = DRAFT if done else PENDING
            digest = r.sha256
            if done and rewrite is not None:
                digest = rewrite(r, book)
            tx.run("UPDATE quotes SET approvals = ?, status = ?, sha256 = ? WHERE id = ?",
                   (json.dumps(approvals, ensure_ascii=False), new, digest, r.id))
            self._event(tx, number, r.version, by, "approved", PENDING, new,
                        "; ".join(f"{a['role']}: {a['why']}" for a in mine))
        return self.get(number)

    # ------------------------------------------------------------------------ integrity
    def verify(self) -> list[str]:
        """Every record against its workbook: present and with the recorded SHA-256."""
        problems = []
        with self.db.transaction() as tx:
            rows = [Record.of(r) for r in tx.all(f"{SELECT} ORDER BY number, version")]
        for r in rows:
            path = Path(r.path)
            if not r.published:
                problems.append(f"{r.label}: being written, or left by a run that stopped (recovered on next open)")
            elif not path.is_file():
                problems.append(f"{r.label}: its workbook {path} is missing")
            elif sha256_of(path) != r.sha256:
                problems.append(f"{r.label}: {path} has changed since it was recorded (SHA-256 differs)")
        return problems


def _s(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _refusal(r: Record, shown: str, new: str) -> str:
    if shown == ACCEPTED:
        return f"{r.label} is accepted and locked: revise it into a new version (xlpricing quotes revise {r.number})"
    if shown == PENDING:
        return f"{r.label} is pending approval: it cannot be marked {new} before xlpricing quotes approve {r.number}"
    if shown == EXPIRED:
        return (f"{r.label} expired on {r.valid_until + dt.timedelta(days=1)} (valid until {r.valid_until}): "
                f"revise it into a new version to send it again")
    if shown == SUPERSEDED:
        return f"{r.label} is superseded by a newer version"
    allowed = ", ".join(TRANSITIONS[shown]) or "nothing (final)"
    return f"{r.label} is {shown}: it can be marked {allowed}, not {new}"


def default_rep(seller) -> str:
    """The rep a quote is filed under when none is given: the seller profile's contact, else the
    login name."""
    if seller is not None and seller.contact.strip():
        return seller.contact.strip()
    return who_am_i().split("@")[0]


def who_am_i() -> str:
    import getpass
    try:
        return f"{getpass.getuser()}@{socket.gethostname()}"
    except Exception:  # no user name in a container
        return f"pid {os.getpid()}@{socket.gethostname()}"

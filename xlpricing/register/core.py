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
import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Iterator

from ..book.catalog import Catalog, shipped_catalog
from ..errors import PriceBookError
from .db import Database, SQLiteDatabase, connect, first
from .db import now as _now
from .errors import KeyInUse, RegisterError
from .settings import TeamSettings, User, load_settings

DRAFT, PENDING, SENT, ACCEPTED, DECLINED, SUPERSEDED, EXPIRED = (
    "draft", "pending approval", "sent", "accepted", "declined", "superseded", "expired")
OPEN = (DRAFT, PENDING, SENT)  # what a customer may still sign
# status → the statuses a rep may set from it (superseded comes only from revise)
TRANSITIONS = {DRAFT: (SENT, DECLINED), PENDING: (), SENT: (ACCEPTED, DECLINED), ACCEPTED: (), DECLINED: (),
               SUPERSEDED: (), EXPIRED: (DECLINED,)}
SETTABLE = (SENT, ACCEPTED, DECLINED)
MAX_TEXT = 10_000  # customer, rep, notes: longer is refused, never cut
USER_ENV = "XLPRICING_USER"  # who acts, as a login of the team settings' [users]
PDF_EXPECTED = "expected"  # pdf_sha256 of a record being published with a PDF not yet complete

COLUMNS = ("id", "number", "version", "customer", "rep", "created_at", "quote_date", "valid_until", "price_book",
           "currency", "total", "net", "tax", "discount", "options", "request", "proposal", "status", "approvals",
           "path", "sha256", "temp_path", "published", "request_key", "book_sha256", "pdf_sha256", "pdf_temp_path",
           "rep_login")
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
    proposal: dict  # sheets.proposal.Proposal.to_record(): enough to write it again
    rep_login: str | None = None  # whose quote it is: the rep's login (``rep`` is the name shown); None: no user's


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
    pdf_sha256: str | None = None  # the quote's PDF, when it has one (beside the workbook)

    @classmethod
    def of(cls, row: tuple) -> "Record":
        r = dict(zip(COLUMNS, row))
        del r["temp_path"], r["request_key"], r["book_sha256"], r["pdf_temp_path"]
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
        return label_of(self.number, self.version)

    @property
    def pdf_path(self) -> Path:
        return Path(self.path).with_suffix(".pdf")

    def documents(self) -> list[tuple[str, Path, str | None]]:
        """(what, path, recorded SHA-256) of each file the record vouches for."""
        docs = [("workbook", Path(self.path), self.sha256)]
        return docs + [("PDF", self.pdf_path, self.pdf_sha256)] if self.pdf_sha256 else docs

    def status_on(self, today: dt.date) -> str:
        """The status a user sees: an open quote past its valid-until date shows as expired."""
        return EXPIRED if self.status in OPEN and today > self.valid_until else self.status


def owned(record: Record, settings: TeamSettings) -> Record:
    """``record`` with its owner's login: a quote recorded before quotes kept it (migration 5) is
    the one user's whose name or login its rep is; else nobody's (a manager still changes it)."""
    if record.rep_login is not None or not settings.users:
        return record
    user = settings.only_user_called(record.rep)
    return record if user is None else dataclasses.replace(record, rep_login=user.id)


def team_settings(db: Database, settings: str | Path | None, approvers_needed: bool = True) -> TeamSettings:
    """The settings of the team using ``db``: its settings file's (or the defaults), with the users
    added with ``xlpricing users add``, which the register keeps."""
    from .accounts import stored_users
    return load_settings(settings, db.path if isinstance(db, SQLiteDatabase) else None, stored_users(db),
                         approvers_needed)


def label_of(number: str, version: int) -> str:
    """A version as the proposal shows it: Q-2026-000123, then Q-2026-000123-v2."""
    return number if version == 1 else f"{number}-v{version}"


def _dec(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


@dataclass(frozen=True, kw_only=True)
class Draft(_Quoted):
    """A quote about to be recorded (everything but its number and workbook)."""

    approvals: list = field(default_factory=list)
    number: str | None = None  # an explicit number; None: the register allocates one
    version: int = 1
    request_key: str | None = None  # a batch's row: a retried row finds its record instead of a second one
    request_sha256: str | None = None  # what was asked under request_key: a key reused for another request is told
    pdf: bool = False  # its PDF is published with the workbook (the record expects it from the start)
    book_toml: str = ""  # the book's text, kept in the register (once per distinct text)


@dataclass(frozen=True)
class KeyHolder:
    """The record holding a request key, and the SHA-256 of what was asked under it (None: recorded
    before the register kept it)."""

    record: Record | None  # None: still being written (or left by a run that stopped, until recovered)
    request_sha256: str | None


@dataclass
class Slot:
    """A record being published: its number is known, its workbook not yet written."""

    register: "Register"
    id: int
    number: str
    version: int
    path: Path | None = None
    _digest: str | None = None
    pdf_temp: Path | None = None  # the PDF, complete, waiting to take its name with the workbook

    @property
    def label(self) -> str:
        return label_of(self.number, self.version)

    def aim(self, path: Path) -> None:
        """Where the workbook goes, recorded before anything is written there: a run killed while
        writing leaves its temp file in a folder the next recovery knows to clean."""
        self.path = Path(path)
        with self.register.db.transaction() as tx:
            tx.run("UPDATE quotes SET path = ? WHERE id = ?", (str(self.path.resolve()), self.id))

    def saved(self, tmp: Path) -> None:
        """The workbook is complete in ``tmp`` (not yet under its name): record its digest."""
        if self.path is None:
            raise RegisterError("the slot's workbook path was not set")
        self._digest = sha256_of(tmp)
        with self.register.db.transaction() as tx:
            tx.run("UPDATE quotes SET sha256 = ?, temp_path = ?, path = ? WHERE id = ?",
                   (self._digest, str(Path(tmp).resolve()), str(self.path.resolve()), self.id))

    def saved_pdf(self, tmp: Path) -> None:
        """The PDF is complete in ``tmp``, before the workbook takes its name: record its digest, so
        that a stopped run's recovery publishes both or neither."""
        self.pdf_temp = Path(tmp)
        with self.register.db.transaction() as tx:
            tx.run("UPDATE quotes SET pdf_sha256 = ?, pdf_temp_path = ? WHERE id = ?",
                   (sha256_of(tmp), str(Path(tmp).resolve()), self.id))


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check_text(what: str, text: str) -> str:
    """``text`` when the register keeps it: not too long, and text a database stores (no lone
    surrogate, no NUL: PostgreSQL refuses both) and an .xlsx holds (formatting.character_problem)."""
    from ..formatting import character_problem
    if len(text) > MAX_TEXT:
        raise RegisterError(f"{what} is {len(text):,} characters; the register keeps at most {MAX_TEXT:,}")
    bad = character_problem(what, text)
    if bad:
        raise RegisterError(bad)
    return text


class Register:
    def __init__(self, db: Database, settings: TeamSettings, catalog: Catalog | None = None):
        self.db = db
        self.settings = settings
        self.catalog = catalog or shipped_catalog()  # reads recorded books' texts, each once
        self._actor: User | None = None  # who acts through this register, found on first use

    @classmethod
    def open(cls, target: str | Path | None = None, settings: str | Path | None = None,
             recover: bool = True, approvers_needed: bool = True, catalog: Catalog | None = None) -> "Register":
        """``approvers_needed`` False: see load_settings (only for adding the first user)."""
        db = connect(target)
        try:
            reg = cls(db, team_settings(db, settings, approvers_needed), catalog)
            if recover:
                reg.recover()
        except BaseException:
            db.close()
            raise
        return reg

    def acting_as(self, user: User) -> "Register":
        """This register (its connection and settings) with ``user`` acting: the team server's
        logged-in user, whom the server authenticated."""
        view = Register(self.db, self.settings, self.catalog)
        view._actor = user
        return view

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
            if draft.request_key is not None and tx.one("SELECT 1 FROM quotes WHERE request_key = ?",
                                                        (draft.request_key,)):
                raise KeyInUse(f"the request key {draft.request_key!r} is another record's")
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
                "INSERT INTO quotes (number, version, customer, rep, rep_login, created_at, quote_date, valid_until, "
                "price_book, currency, total, net, tax, discount, options, request, proposal, status, approvals, path, "
                "published, request_key, book_sha256, pdf_sha256, request_sha256) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?) "
                # another transaction took the key since the look above (PostgreSQL): no row, no error
                "ON CONFLICT (request_key) DO NOTHING RETURNING id",
                (number, draft.version, draft.customer, draft.rep, draft.rep_login, _now(),
                 draft.quote_date.isoformat(), draft.valid_until.isoformat(), draft.price_book, draft.currency,
                 _s(draft.total), _s(draft.net), _s(draft.tax), _s(draft.discount),
                 json.dumps(draft.options, ensure_ascii=False), json.dumps(draft.request, ensure_ascii=False), json.dumps(draft.proposal, ensure_ascii=False),
                 status, json.dumps(draft.approvals, ensure_ascii=False), "", draft.request_key, book_sha,
                 PDF_EXPECTED if draft.pdf else None, draft.request_sha256))
            if row is None:  # raised inside the transaction: its number goes back unused
                raise KeyInUse(f"the request key {draft.request_key!r} is another record's")
            quote_id = row[0]
            self.db.hold(quote_id, tx)  # before the record is visible: nobody takes it for abandoned
        slot = Slot(self, quote_id, number, draft.version)
        try:
            yield slot
            if slot._digest is None or (draft.pdf and slot.pdf_temp is None):
                raise RegisterError("the documents were not saved through the register")
        except BaseException as exc:
            self._abandon(quote_id, f"not written: {type(exc).__name__}: {str(exc)[:200]}")
            raise
        with self.db.transaction() as tx:
            tx.run("UPDATE quotes SET published = 1, temp_path = NULL, pdf_temp_path = NULL WHERE id = ?", (quote_id,))
            self._event(tx, number, draft.version, who, "created", None, status,
                        f"{draft.customer} · total {_s(draft.total)} {draft.currency}")  # no file path: pages and the API show it
            if draft.version > 1:
                self._supersede(tx, number, draft.version, who)
        self.db.release(quote_id)

    def _abandon(self, quote_id: int, why: str, tx=None) -> None:
        def drop(tx) -> None:
            row = tx.one("SELECT number, version, temp_path, pdf_temp_path FROM quotes WHERE id = ?", (quote_id,))
            if row is None:
                return
            for temp in row[2:]:
                if temp:
                    Path(temp).unlink(missing_ok=True)
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

    def recover(self, only: int | None = None) -> list[str]:
        """Finish or remove the records of runs that stopped mid-publish (their locks are free);
        ``only``: that record's id alone."""
        said = []
        folders: set[Path] = set()
        with self.db.transaction() as tx:
            candidates = [r[0] for r in tx.all("SELECT id FROM quotes WHERE published = 0")] if only is None else [only]
        for quote_id in candidates:
            if not self.db.try_hold(quote_id):
                continue  # its writer is alive
            with self.db.transaction() as tx:
                row = tx.one("SELECT number, version, path, temp_path, sha256, pdf_temp_path, pdf_sha256 FROM quotes "
                             "WHERE id = ? AND published = 0", (quote_id,))
                if row is None:
                    continue
                number, version, path, temp, digest, pdf_temp, pdf_digest = row
                target = Path(path) if path else None
                if target is not None:
                    folders.add(target.parent)
                files = [(target, temp, digest)]
                if pdf_digest and target is not None:  # PDF_EXPECTED matches no file: never finished
                    files.append((target.with_suffix(".pdf"), pdf_temp, pdf_digest))
                hows = [_finish(*f) for f in files]
                if target is None or None in hows:
                    for (t, _, d), how in zip(files, hows):  # a document published without the others: ours, unrecorded
                        if how is not None and t is not None and t.is_file() and sha256_of(t) == d:
                            t.unlink()
                    self._abandon(quote_id, "the run stopped before its documents were complete", tx)
                    said.append(f"{number} v{version}: removed (the run stopped before its documents were complete)")
                    continue
                for _, t, _ in files:
                    if t:
                        Path(t).unlink(missing_ok=True)
                how = "; ".join(dict.fromkeys(hows))
                tx.run("UPDATE quotes SET published = 1, temp_path = NULL, pdf_temp_path = NULL WHERE id = ?",
                       (quote_id,))
                self._event(tx, number, version, "xlpricing", "recovered", None, None, how)
                said.append(f"{number} v{version}: recovered ({how})")
        from ..files import remove_stale_temp_files
        for folder in folders:  # what a writer killed before it recorded its temp files left there
            remove_stale_temp_files(folder)
        return said

    # ------------------------------------------------------------------------ reading
    def _record(self, row: tuple) -> Record:
        return owned(Record.of(row), self.settings)

    def key_holder(self, request_key: str) -> KeyHolder | None:
        """Who holds ``request_key``: None when nobody does (never used, or its record abandoned).
        A record still unpublished whose writer stopped (a server process killed mid-recording) is
        recovered first, so its key is not "in progress" until the next start."""
        query = f"SELECT request_sha256, published, {', '.join(COLUMNS)} FROM quotes WHERE request_key = ?"
        with self.db.transaction() as tx:
            row = tx.one(query, (request_key,))
        if row is not None and not row[1]:
            self.recover(only=row[2 + COLUMNS.index("id")])  # nothing when its writer is alive
            with self.db.transaction() as tx:
                row = tx.one(query, (request_key,))
        if row is None:
            return None
        return KeyHolder(self._record(row[2:]) if row[1] else None, row[0])

    def find_key(self, request_key: str) -> Record | None:
        with self.db.transaction() as tx:
            row = tx.one(f"{SELECT} WHERE request_key = ? AND published = 1", (request_key,))
        return None if row is None else self._record(row)

    def book_of(self, record: Record):
        """The price book ``record`` was priced with, from the text the register keeps (a book from
        a file included), read once per catalog however often a page shows it; a record from
        before that text was kept: the catalog's book of its id."""
        with self.db.transaction() as tx:
            row = tx.one("SELECT b.toml FROM quotes q JOIN price_books b ON b.sha256 = q.book_sha256 WHERE q.id = ?",
                         (record.id,))
        try:
            return self.catalog.from_text(row[0], f"the register's copy of {record.price_book}") if row else \
                self.catalog.get(record.price_book)
        except PriceBookError as exc:
            raise RegisterError(f"{record.label} was priced with {record.price_book}, which is not available: "
                                f"{exc}") from None

    def owner_of(self, path: Path) -> Record | None:
        """The quote whose workbook is at ``path``, if any (its newest record)."""
        with self.db.transaction() as tx:
            row = tx.one(f"{SELECT} WHERE path = ? AND published = 1 ORDER BY id DESC LIMIT 1",
                         (str(Path(path).resolve()),))
        return None if row is None else self._record(row)

    def get(self, number: str, version: int | None = None) -> Record:
        number, typed = self.reference(number)
        version = version if version is not None else typed
        with self.db.transaction() as tx:
            if version is None:
                row = tx.one(f"{SELECT} WHERE number = ? AND published = 1 ORDER BY version DESC LIMIT 1", (number,))
            else:
                row = tx.one(f"{SELECT} WHERE number = ? AND version = ? AND published = 1", (number, version))
        if row is None:
            raise RegisterError(f"no quote {number}{'' if version is None else f' version {version}'} in the register")
        return self._record(row)

    def versions(self, number: str) -> list[Record]:
        number, _ = self.reference(number)
        with self.db.transaction() as tx:
            rows = tx.all(f"{SELECT} WHERE number = ? AND published = 1 ORDER BY version", (number,))
        if not rows:
            raise RegisterError(f"no quote {number} in the register")
        return [self._record(r) for r in rows]

    def quotes(self, status: str | None = None, customer: str | None = None, rep: str | None = None,
               expiring_within: int | None = None, today: dt.date | None = None,
               latest_only: bool = True) -> list[Record]:
        """Filtered in Python: the statuses a user sees depend on today's date. ``rep``: a user's
        login (a quote filed under no user: the name it was filed under)."""
        today = today or dt.date.today()
        with self.db.transaction() as tx:
            rows = [self._record(r) for r in tx.all(f"{SELECT} WHERE published = 1 ORDER BY number, version")]
        if latest_only:  # the newest version of each quote, and any version a customer accepted (signed)
            newest = {}
            for r in rows:
                newest[r.number] = r
            rows = [r for r in rows if r is newest[r.number] or r.status == ACCEPTED]
        out = []
        for r in rows:
            shown = r.status_on(today)
            if status and shown != status:
                continue
            if customer and customer.casefold() not in r.customer.casefold():
                continue
            if rep and not (r.rep_login == rep if r.rep_login is not None else r.rep.casefold() == rep.casefold()):
                continue
            if expiring_within is not None and not (shown in OPEN and
                                                    today <= r.valid_until <= today + dt.timedelta(days=expiring_within)):
                continue
            out.append(r)
        return out

    def events(self, number: str) -> list[tuple]:
        number, _ = self.reference(number)
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
        return self._record(row)

    def set_status(self, number: str, new: str, who: str, today: dt.date | None = None, detail: str = "",
                   version_required: int | None = None, also=None) -> Record:
        """``version_required``: refused unless that version is the newest (a customer's link is to
        one version). ``also(tx)``, run in the same transaction: False refuses the change (a
        customer's link answered meanwhile)."""
        if new not in SETTABLE:
            raise RegisterError(f"a status to set is {', '.join(SETTABLE)}, got {new!r}")
        check_text("who", who)
        today = today or dt.date.today()
        number, version = self.reference(number)
        with self.db.transaction() as tx:
            r = self._latest_for_update(tx, number)
            if version is not None and version != r.version:
                raise RegisterError(f"{number} version {version} is not its newest (version {r.version} is): "
                                    f"a status is set on {r.label}")
            if version_required is not None and version_required != r.version:
                raise RegisterError(f"{label_of(number, version_required)} is superseded by {r.label}")
            shown = r.status_on(today)
            if new not in TRANSITIONS[shown]:
                raise RegisterError(_refusal(r, shown, new))
            if also is not None and not also(tx):
                raise RegisterError(f"{r.label} was answered meanwhile")
            tx.run("UPDATE quotes SET status = ? WHERE id = ?", (new, r.id))
            self._event(tx, number, r.version, who, "status", shown, new, detail)
        return self.get(number)

    def approve(self, number: str, by: User, role: str | None = None, rewrite=None) -> Record:
        """Record ``by``'s approval for the roles they hold (``role``: that one only); a quote's own
        rep never approves it. When the last one needed is given, ``rewrite(record, book)`` writes
        its documents again without the pending banner and returns their SHA-256s (workbook,
        PDF or None), inside the same transaction: an error leaves the approval and the old
        documents as they were. (A kill in the instant between the new files taking their names
        and the commit leaves documents newer than their record, never older: ``quotes verify``
        reports it.)"""
        number, _ = self.reference(number)
        book = self.book_of(self.get(number)) if rewrite is not None else None  # read before the write lock
        with self.db.transaction() as tx:
            r = self._latest_for_update(tx, number)
            if r.status != PENDING:
                raise RegisterError(f"{r.label} is {r.status_on(dt.date.today())}: only a quote pending approval "
                                    "is approved")
            approvals = r.approvals
            mine = self._approvals_of(r, approvals, by, role)
            for a in mine:  # by login (who it was); by_name for the pages and documents
                a["by"], a["by_name"], a["at"] = by.id, by.name, _now()
            done = all(a["by"] is not None for a in approvals)
            new = DRAFT if done else PENDING
            digest, pdf_digest = r.sha256, r.pdf_sha256
            if done and rewrite is not None:
                digest, pdf_digest = rewrite(r, book)
            tx.run("UPDATE quotes SET approvals = ?, status = ?, sha256 = ?, pdf_sha256 = ? WHERE id = ?",
                   (json.dumps(approvals, ensure_ascii=False), new, digest, pdf_digest, r.id))
            self._event(tx, number, r.version, by.id, "approved", PENDING, new,
                        "; ".join(f"{a['role']}: {a['why']}" for a in mine))
        return self.get(number)

    def _approvals_of(self, r: Record, approvals: list, by: User, role: str | None) -> list:
        """The approvals ``r`` waits for that ``by`` may give (or refuse); RegisterError saying who may."""
        if is_rep_of(by, r):
            raise RegisterError(f"{by.name} is the rep of {r.label}: a rep never approves her own quote; "
                                "another user holding the role approves it")
        waiting = [a for a in approvals if a["by"] is None and (role is None or a["role"] == role)]
        mine = [a for a in waiting if a["role"] in by.roles]
        if not mine:
            roles = ", ".join(sorted({a["role"] for a in waiting})) or role or "none"
            holders = ", ".join(u.name for u in self.settings.users.values()
                                if set(u.roles) & {a["role"] for a in waiting} and not is_rep_of(u, r))
            raise RegisterError(f"{by.name} may not approve {r.label}: it waits for the role(s) {roles}"
                                + (f", held by {holders}" if holders else "")
                                + f" (team settings: {self.settings.source})")
        return mine

    def may_approve(self, r: Record, by: User) -> bool:
        if r.status != PENDING:
            return False
        try:
            self._approvals_of(r, r.approvals, by, None)
        except RegisterError:
            return False
        return True

    def refuse_approval(self, number: str, by: User, why: str) -> Record:
        """An approver's no: the pending quote is declined (revise it into a new version to try
        again), with the reason in its history."""
        number, _ = self.reference(number)
        why = check_text("the reason", why.strip())
        if not why:
            raise RegisterError("say why the approval is refused: the rep reads it in the quote's history")
        with self.db.transaction() as tx:
            r = self._latest_for_update(tx, number)
            if r.status != PENDING:
                raise RegisterError(f"{r.label} is {r.status_on(dt.date.today())}: only a quote pending approval "
                                    "is refused")
            mine = self._approvals_of(r, r.approvals, by, None)
            tx.run("UPDATE quotes SET status = ? WHERE id = ?", (DECLINED, r.id))
            self._event(tx, number, r.version, by.id, "approval refused", PENDING, DECLINED,
                        f"{', '.join(a['role'] for a in mine)}: {why}")
        return self.get(number)

    def record_pdf(self, number: str, version: int, digest: str, who: str) -> None:
        """A PDF written beside a published workbook (a batch prints them in chunks afterwards)."""
        with self.db.transaction() as tx:
            tx.run("UPDATE quotes SET pdf_sha256 = ? WHERE number = ? AND version = ? AND published = 1",
                   (digest, number, version))
            self._event(tx, number, version, who, "pdf", None, None, "the PDF beside the workbook")

    # ------------------------------------------------------------------------ who acts
    def actor(self) -> User:
        """The user acting through this register. With [users] in the team settings: on PostgreSQL,
        the database role this connection logged in as, when it is a user's login (the server
        authenticated it; $XLPRICING_USER cannot say otherwise); else $XLPRICING_USER or the login
        name, which must be a user. Without [users]: the login name, with no roles."""
        if self._actor is not None:
            return self._actor
        users = self.settings.users
        asked = os.environ.get(USER_ENV, "").strip()
        login = asked or _login()
        if not users:
            self._actor = User(login, login, ())
            return self._actor
        role = self.db.connected_role()
        if role is not None and role in users:
            if asked and not users[role].is_named(asked):
                raise RegisterError(f"{USER_ENV}={asked!r}, but the register authenticated you as {role!r}: "
                                    f"unset {USER_ENV}, or connect as that user's database role")
            self._actor = users[role]
            return self._actor
        user = self.settings.named(login)
        if user is None:
            how = f"${USER_ENV}" if asked else "your login name"
            raise RegisterError(f"{login!r} ({how}) is not a user of this team: the team settings "
                                f"{self.settings.source} list {', '.join(sorted(users))}; set {USER_ENV} to "
                                "your login there, or ask for one")
        self._actor = user
        return user

    def rep_named(self, text: str) -> tuple[str, str | None]:
        """(name, login) of the rep a quote is filed under, as given (--rep, a batch's rep column):
        with [users], one of them by login (or by a name only one of them has); without, the text
        as given and no login."""
        text = text.strip()
        if not self.settings.users:
            return text, None
        user = self.settings.named(text)
        if user is None:
            raise RegisterError(f"rep {text!r} is not a user of this team (team settings {self.settings.source}: "
                                f"{', '.join(f'{u.id} ({u.name})' for u in self.settings.users.values())})")
        return user.name, user.id

    def reference(self, text: str) -> tuple[str, int | None]:
        """A quote as a person types it: q-2026-000123 is Q-2026-000123; Q-2026-000123-v2 is its version 2."""
        t = text.strip()
        m = re.fullmatch(r"(.+?)-[vV](\d+)", t)
        number, version = (m.group(1), int(m.group(2))) if m else (t, None)
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9]{0,7}-\d{4}-\d+", number):
            number = number.upper()
        return number, version

    # ------------------------------------------------------------------------ integrity
    def verify(self) -> list[str]:
        """Every record against its documents (the workbook, and the PDF when it has one): present
        and with the recorded SHA-256; and no PDF beside a workbook that its record does not know."""
        problems = []
        with self.db.transaction() as tx:
            rows = [Record.of(r) for r in tx.all(f"{SELECT} ORDER BY number, version")]
        for r in rows:
            if not r.published:
                problems.append(f"{r.label}: being written, or left by a run that stopped (recovered on next open)")
                continue
            for what, path, digest in r.documents():
                if not path.is_file():
                    problems.append(f"{r.label}: its {what} {path} is missing")
                elif sha256_of(path) != digest:
                    problems.append(f"{r.label}: {what} {path} has changed since it was recorded (SHA-256 differs)")
            if r.pdf_sha256 is None and r.pdf_path.is_file():
                problems.append(f"{r.label}: {r.pdf_path} is not recorded with its quote (it may show an older "
                                "version of the proposal)")
        return problems


def is_rep_of(user: User, r: Record) -> bool:
    """``r`` is ``user``'s own quote, by login. A quote whose owner is not known (recorded before
    quotes kept a login, under a name several users share) counts as the quote of each user so
    called: none of them approves it."""
    return r.rep_login == user.id if r.rep_login is not None else user.is_named(r.rep)


def _finish(target: Path | None, temp: str | None, digest: str | None) -> str | None:
    """A stopped run's document: already under its name, or its complete temp file given it; None
    when it was never complete."""
    if not digest or target is None:
        return None
    if target.is_file() and sha256_of(target) == digest:
        return "its documents had been published"
    if temp and Path(temp).is_file() and sha256_of(Path(temp)) == digest and not target.exists():
        os.link(temp, target)
        return "its complete temp files were published"
    return None


def _s(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"  # never 1E+1


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


def default_rep(seller, register: "Register | None" = None) -> str:
    """The rep a quote is filed under when none is given: in a team (users in the settings), the
    user who records it; else the seller profile's contact, else the login name."""
    if register is not None and register.settings.users:
        return register.actor().id
    if seller is not None and seller.contact.strip():
        return seller.contact.strip()
    return _login()


def _login() -> str:
    import getpass
    try:
        return getpass.getuser()
    except Exception:  # no user name in a container
        return f"pid {os.getpid()}"

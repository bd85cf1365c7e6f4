"""A CSV of deals → one quote workbook per good row, a summary workbook, and a report of bad rows.

A bad row (unknown edition, text in a number column, an add-on the edition cannot buy, a
missing customer) is reported with its row number and reason and never stops the others; it
never produces a workbook. Workbooks are written atomically, so a batch killed midway leaves
only complete files. With many deals the work is spread over the machine's cores.
"""

from __future__ import annotations

import contextlib
import dataclasses
import csv
import datetime as dt
import io
import multiprocessing
import os
import re
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import formatting, inputs
from decimal import Decimal
from .errors import QuoteError
from .dealinput import HEADERS
from .files import remove_stale_temp_files
from .pricebook import PriceBook, parse_price_book

# column -> accepted header spellings (case-blind, spaces ignored); documented in the README. The
# usage columns take the spellings a Deal sheet's header takes (=IMDEAL), so one table serves both.
COLUMNS = {
    "customer": ("customer", "客户"),
    "edition": HEADERS["edition"],
    "peak_dau": HEADERS["peak_dau"],
    "peak_groups": HEADERS["peak_groups"],
    "addons": HEADERS["addons"],
    "months": ("months", "月数"),
    "discount": ("discount", "discount_percent"),
    "customer_address": ("customer_address", "客户地址"),
    "customer_contact": ("customer_contact", "客户联系人"),
    "contact": ("contact", "sales_contact"),
    "quote_number": ("quote_number",),
    "notes": ("notes", "备注"),
    "rep": ("rep", "sales_rep", "销售"),  # whom the register files the quote under (default: --rep)
    "date": ("date", "quote_date", "报价日期"),  # YYYY-MM-DD (default today)
    "valid_days": ("valid_days", "有效天数"),  # days the quote is valid (default 30)
    "option2": ("option2",),  # more options side by side: EDITION[:ADDON,ADDON…]
    "option3": ("option3",),
    # several apps in one proposal: rows with the same deal form one deal, one row per app or per
    # app and phase (a second row of an app starts a phase in from_month)
    "deal": ("deal", "deal_id", "交易"),
    "app": ("app", "应用"),
    "from_month": ("from_month", "起始月"),
}
DEAL_FIELDS = ("deal", "app", "from_month")
REQUIRED = ("customer", "edition")
PARALLEL_FROM = 40  # below this, starting worker processes costs more than it saves


@dataclass(frozen=True)
class Row:
    number: int  # the row as a spreadsheet shows the CSV: the header is row 1
    values: dict[str, str]


@dataclass(frozen=True)
class Outcome:
    row: int
    customer: str
    ok: bool
    path: str = ""
    edition: str = ""
    months: int = 0
    monthly_total: str = ""  # Decimal as text: crosses process boundaries exactly
    total: str = ""
    reason: str = ""
    net: str = ""  # the total without tax, and the tax ("": the book adds tax on top)
    tax: str = ""
    number: str = ""  # the record: its number and version
    version: int = 0

    @property
    def quote(self) -> str:
        """The register's label, Q-2026-000123 (or …-v2); "" for a row that failed."""
        from .register.core import label_of
        return label_of(self.number, self.version) if self.number else ""


class BatchError(ValueError):
    """The file as a whole cannot be read (no such file, no header, a required column missing)."""


# What Excel writes: "CSV UTF-8" (with a BOM), plain UTF-8, and in mainland China "CSV (逗号分隔)"
# in the ANSI code page, GBK, which GB18030 contains. Tried in this order.
ENCODINGS = (("utf-8-sig", "UTF-8"), ("gb18030", "GB18030 (GBK)"))


@dataclass(frozen=True)
class DealFile:
    rows: list[Row]
    encoding: str  # as the report names it: "UTF-8" or "GB18030 (GBK)"
    ignored: tuple[str, ...] = ()  # header cells that name no column (a CRM's crm_id): not read


def _decode(path: Path) -> tuple[str, str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BatchError(f"cannot read {path}: {exc.strerror or exc}") from None
    for codec, name in ENCODINGS:
        try:
            return data.decode(codec), name
        except UnicodeDecodeError:
            continue
    raise BatchError(f"{path} is neither UTF-8 nor GB18030/GBK text; save it as 'CSV UTF-8'")


def read_deals(path: Path) -> DealFile:
    """The rows of a CSV of deals, read as the csv module documents (quoted newlines stay in their
    cell; only \\r and \\n end a record, never U+2028 or U+0085), numbered as a spreadsheet shows them."""
    text, encoding = _decode(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if not header:
            raise BatchError(f"{path} is empty")
        columns, ignored = _columns(path, header)
        rows = []
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue  # a blank line is not a deal
            values = {key: cells[i].strip() if i < len(cells) else "" for i, key in columns.items()}
            if len(cells) > len(header):
                values["_extra"] = ",".join(cells[len(header):])
            rows.append(Row(number, values))
    except csv.Error as exc:
        raise BatchError(f"{path}: not a readable CSV at line {reader.line_num}: {exc}") from None
    return DealFile(rows, encoding, ignored)


def read_rows(path: Path) -> list[Row]:
    return read_deals(path).rows


def _refuse_misspelt(path: Path, name: str, present: set[str]) -> None:
    """An unknown column is a CRM's own (crm_id) and is not read; one that is the name of a column
    the file lacks, misspelt (peak_dua), is refused: not reading it would price the deal without it."""
    import difflib

    spellings = {spelling: key for key, names in COLUMNS.items() if key not in present for spelling in names}
    close = difflib.get_close_matches("".join(name.split()).casefold(), spellings, n=1, cutoff=0.8)
    if close:
        raise BatchError(f"{path}: unknown column {name!r}: is it {spellings[close[0]]!r}? Rename it; a column "
                         f"that is none of ({', '.join(COLUMNS)}) is not read")


def _columns(path: Path, header: list[str]) -> tuple[dict[int, str], tuple[str, ...]]:
    """Cell index -> field, refusing what would silently lose or mix up a field; and the header
    cells that name no field (a CRM export's own columns), which are not read."""
    columns: dict[int, str] = {}
    unknown = []
    for i, name in enumerate(header):
        key = next((k for k, names in COLUMNS.items() if "".join(name.split()).casefold() in names), None)
        if key is None:
            if name.strip():
                unknown.append(name.strip())
        elif key in columns.values():  # dau and peak_dau: which one is meant? never guess
            first = header[next(j for j, k in columns.items() if k == key)].strip()
            raise BatchError(f"{path}: columns {first!r} and {name.strip()!r} both give {key}; keep one")
        else:
            columns[i] = key
    missing = [c for c in REQUIRED if c not in columns.values()]
    if missing:
        hint = ""
        if len(header) == 1 and any(sep in header[0] for sep in ";\t"):
            sep = "semicolons" if ";" in header[0] else "tabs"
            hint = (f"; the header is one cell separated by {sep}: save the file as 'CSV (comma delimited)' "
                    f"(逗号分隔), or use a comma list separator")
        raise BatchError(f"{path}: missing column(s) {', '.join(missing)} (columns: {', '.join(COLUMNS)}){hint}")
    for name in unknown:
        _refuse_misspelt(path, name, set(columns.values()))
    return columns, tuple(unknown)


# ------------------------------------------------------------------------------ per row

@dataclass
class _Worker:
    """What a batch's process holds for all its rows. ProcessPoolExecutor hands a worker process
    its state only through an initializer, so each process has one of these (``_worker``), made by
    ``_process_init`` and nothing else."""

    writer: Any  # sheets.proposal.QuoteWorkbookWriter: one workbook, refilled for every deal
    register: Any  # the register every proposal is recorded in (one connection per process)
    look: dict  # the seller and language of every proposal of the batch
    filing: dict  # rep, seller profile path and run id, for the register
    pdf: bool  # a PDF beside each workbook

    @property
    def book(self) -> PriceBook:
        return self.writer.book


_worker: _Worker | None = None


def _process_init(book: PriceBook | str, seller=None, lang: str = "both", register=(None, None),
                  filing: dict | None = None, pdf: bool = False) -> None:
    """``book``: the book itself, or (in a worker process) its text: the book the command resolved,
    never an id looked up again (a book from a file has an id no lookup knows)."""
    global _worker
    from .register import Register
    from .sheets.proposal import QuoteWorkbookWriter

    if _worker is not None and multiprocessing.parent_process() is None:
        _worker.register.close()  # (a forked worker drops its parent's connection unclosed: SQLite's rule)
    _worker = _Worker(QuoteWorkbookWriter(book if isinstance(book, PriceBook) else
                                          parse_price_book(book, "the batch's book")),
                      Register.open(*register), {"seller": seller, "lang": lang}, dict(filing or {}), pdf)
    parent = multiprocessing.parent_process()
    if parent is not None:  # a worker process
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent cancels; workers finish their file
        signal.signal(signal.SIGTERM, exit_on_signal)
        # A worker never outlives the batch: when the parent dies (even by SIGKILL) its sentinel
        # closes, and the worker stops the way SIGTERM stops it (its temp file removed).
        threading.Thread(target=_stop_with, args=(parent,), name="xlpricing-parent-watch", daemon=True).start()


def _stop_with(parent) -> None:
    parent.join()
    os.kill(os.getpid(), signal.SIGTERM)  # the temp file being written is removed on the way out
    time.sleep(STOP_GRACE)
    os._exit(128 + signal.SIGTERM)  # exiting can hang on a result queue nobody reads any more


STOP_GRACE = 3.0  # seconds a worker whose parent died has to remove its temp file


def exit_on_signal(signum, frame) -> None:
    """SIGTERM → SystemExit, so the temp file being written is removed on the way out."""
    raise SystemExit(128 + signum)



def price_row(book: PriceBook, row: Row):
    """The row's quote and proposal, or QuoteError with every problem of the row."""
    v = row.values
    problems = []
    if v.get("_extra"):
        problems.append(QuoteError.of("row", f"more cells than columns ({v['_extra']!r}); quote cells with commas"))
    if not v.get("customer"):
        problems.append(QuoteError.of("customer", "customer is missing"))
    options = [(v.get("edition"), v.get("addons"))]
    options += [inputs.option_parts(v[k]) for k in ("option2", "option3") if v.get(k)]
    try:
        quotes = inputs.price_options(book, options, v.get("peak_dau"), v.get("peak_groups"), v.get("months"),
                                      v.get("discount"))
    except QuoteError as exc:
        problems.append(exc)
        quotes = None
    proposal = _row_proposal(v, problems)
    if problems:
        raise QuoteError([p for e in problems for p in e.problems])
    return quotes, proposal


_SERIAL = re.compile(r"\d+(?:\.\d+)?")


def _date_cell(text: str):
    """A date cell as the CSV holds it. A date column exported as numbers holds Excel serials
    (46346 is 2026-11-20): within the years inputs.day takes a serial for, it is that number;
    any other text goes on as text."""
    if _SERIAL.fullmatch(text) and inputs.DATE_SERIALS[0] <= float(text) < inputs.DATE_SERIALS[1] + 1:
        return float(text)
    return text


def _proposal(values: dict[str, str]):
    """The proposal's texts from a row (the first row of a deal), with the batch's seller and
    language; QuoteError for a bad date or validity."""
    from .sheets.proposal import Proposal, check_quote_dates

    day = inputs.day(_date_cell(values["date"]), "date") if values.get("date") else dt.date.today()
    valid_days = inputs.whole_number(values["valid_days"], "valid_days") if values.get("valid_days") else 30
    if day is None:
        raise QuoteError.of("date", f"date: YYYY-MM-DD, YYYY/MM/DD or an Excel date serial is expected, "
                                    f"got {values['date']!r}")
    problem = check_quote_dates(day, valid_days, ("date", "valid_days"))
    if problem:
        raise QuoteError.of(problem.split()[0], problem)
    return Proposal(customer=values["customer"], contact=values.get("contact", ""),
                    quote_number=values.get("quote_number", ""), notes=values.get("notes", ""),
                    customer_address=values.get("customer_address", ""),
                    customer_contact=values.get("customer_contact", ""), quote_date=day,
                    valid_until=day + dt.timedelta(days=valid_days), **(_worker.look if _worker else {}))


def _row_proposal(values: dict[str, str], problems: list):
    """The row's proposal, or None with its problems added."""
    if not values.get("customer"):
        return None
    try:
        proposal = _proposal(values)
    except QuoteError as exc:
        problems.append(exc)
        return None
    problems += _too_long(proposal)
    return proposal


def is_deal(rows: list[Row]) -> bool:
    return len(rows) > 1 or any(rows[0].values.get(k) for k in DEAL_FIELDS)


def group_rows(rows: list[Row]) -> list[list[Row]]:
    """One job per deal: rows sharing a deal value (any case) form one; every other row is its own."""
    groups: dict[str, list[Row]] = {}
    jobs: list[list[Row]] = []
    for row in rows:
        key = row.values.get("deal", "").strip().casefold()
        if not key:
            jobs.append([row])
        elif key in groups:
            groups[key].append(row)
        else:
            groups[key] = [row]
            jobs.append(groups[key])
    return jobs


def price_group(book: PriceBook, rows: list[Row], with_deal: bool = False):
    """A deal's rows → its DealQuote and proposal, or QuoteError naming each bad row: one bad row
    fails the whole deal (a proposal never goes out with an app missing)."""
    from .dealinput import deal_from_rows
    from .deals import quote_deal

    first = rows[0].values
    problems = []
    for key, what in (("customer", "customer"), ("months", "months"), ("discount", "discount"), ("rep", "reps"),
                      ("date", "dates"), ("valid_days", "valid_days")):
        values = {r.values.get(key, "") for r in rows} - {""}
        if len(values) > 1:
            problems.append(QuoteError.of(key, f"rows {', '.join(str(r.number) for r in rows)} of one deal give "
                                               f"different {what}: {', '.join(sorted(values))}"))
    for r in rows:
        if r.values.get("_extra"):
            problems.append(QuoteError.of("row", f"row {r.number}: more cells than columns; quote cells with commas"))
        for k in ("option2", "option3"):
            if r.values.get(k):
                problems.append(QuoteError.of(k, f"row {r.number}: {k} is for one-app quotes, not a deal of apps"))
    if not first.get("customer"):
        problems.append(QuoteError.of("customer", "customer is missing"))
    table = [["app", "edition", "peak_dau", "peak_groups", "addons", "from_month"]]
    for r in rows:
        v = r.values
        table.append([v.get("app") or v.get("customer") or f"row {r.number}", v.get("edition"), v.get("peak_dau"),
                      v.get("peak_groups"), v.get("addons"), v.get("from_month")])
    months = next((r.values["months"] for r in rows if r.values.get("months")), None)
    discount = next((r.values["discount"] for r in rows if r.values.get("discount")), None)
    deal = None
    try:
        deal = deal_from_rows(table, months, discount, row_numbers=[r.number for r in rows])
        q = quote_deal(book, deal)
    except QuoteError as exc:  # the engine names the app and the phase; the report names the rows too
        apps: dict[str, list[int]] = {}
        for r, (app, *_) in zip(rows, table[1:]):
            apps.setdefault(str(app).strip(), []).append(r.number)
        problems.append(QuoteError([_with_rows(p, apps) for p in exc.problems]))
    proposal = _row_proposal(first, problems)
    if problems:
        raise QuoteError([p for e in problems for p in e.problems])
    return (q, deal, proposal) if with_deal else (q, proposal)


def _too_long(proposal) -> list[QuoteError]:
    """A text of the row too long for the proposal page, named by its column."""
    if proposal is None:
        return []
    return [QuoteError.of(p.split(":")[0].replace(" ", "_"), p) for p in proposal.problems()]


def _with_rows(problem, apps: dict[str, list[int]]):
    from .errors import Problem

    for name, numbers in apps.items():
        if problem.message.startswith(f"app {name!r}"):
            where = f"row {numbers[0]}" if len(numbers) == 1 else f"rows {', '.join(map(str, numbers))}"
            return Problem(problem.argument, f"{where}: {problem.message}")
    return problem


def _run_row(job: tuple[list[Row], str, bool]) -> Outcome:
    rows, target, force = job
    row = rows[0]
    customer = row.values.get("customer", "")
    name = Path(target).name
    deal = is_deal(rows)
    try:
        if deal:
            priced, the_deal, proposal = price_group(_worker.book, rows, with_deal=True)
        else:
            priced, proposal = price_row(_worker.book, row)
    except QuoteError as exc:
        return Outcome(row.number, customer, False, reason=str(exc) + _stale(Path(target), force))
    from .register.errors import RegisterError, RegisterFailure
    try:
        record, priced = _publish_row(rows, target, force, priced, the_deal if deal else None, proposal)
    except FileExistsError:
        return Outcome(row.number, customer, False, reason=f"{name} exists (use --force)")
    except (RegisterError, RegisterFailure, QuoteError) as exc:
        return Outcome(row.number, customer, False, reason=str(exc))
    except OSError as exc:
        return Outcome(row.number, customer, False, reason=f"cannot write {name}: {exc.strerror or exc}")
    # the summary lists a deal's apps and its last month's run rate, or the first option
    return Outcome(row.number, customer, True, target, priced.editions, priced.months, str(priced.monthly),
                   str(priced.total), net=_text(record.net), tax=_text(record.tax), number=record.number,
                   version=record.version)


def _text(value) -> str:
    return "" if value is None else formatting.plain(value)


def _publish_row(rows: list[Row], target: str, force: bool, priced, deal, proposal):
    """Write the row's proposal and record it in the register, together: (record, PricedQuote).
    A row tried again after its worker died finds the record its first try made, if that one got
    as far."""
    from .quoting import PricedQuote, QuoteRequest, publish
    from .register import default_rep

    w = _worker
    key = f"{w.filing.get('run', '')}:{rows[0].number}" if w.filing.get("run") else None
    found = w.register.find_key(key) if key else None
    if found is not None:
        return found, PricedQuote.of(priced, w.book)
    v = rows[0].values
    if deal is not None:
        from .dealinput import deal_to_toml
        request = QuoteRequest(deal=deal_to_toml(deal))
    else:
        options = [(v.get("edition") or "", v.get("addons") or "")]
        options += [inputs.option_parts(v[k]) for k in ("option2", "option3") if v.get(k)]
        request = QuoteRequest(options=tuple((e, inputs.addon_codes(a)) for e, a in options),
                               dau=_count(v, "peak_dau"), groups=_count(v, "peak_groups"),
                               months=_count(v, "months", 1), discount=v.get("discount") or None)
    proposal = dataclasses.replace(proposal, seller_path=w.filing.get("seller_path", ""))
    rep = v.get("rep") or w.filing.get("rep") or default_rep(proposal.seller, w.register)
    return publish(w.register, w.book, request, proposal, rep=rep, output=Path(target), force=force,
                   number=v.get("quote_number") or None, request_key=key, priced=priced,
                   writer=None if deal is not None else w.writer)


def _count(values: dict[str, str], column: str, default: int = 0) -> str:
    """A count of a priced row as the register records it: 35000, however the CSV wrote it (3.5E+04)."""
    return str(inputs.whole_number(values.get(column), column, default))


def _stale(target: Path, force: bool) -> str:
    """A failed row's workbook from an earlier run must not sit beside a summary that says it failed:
    with --force (the user asked to replace this run's files) it is removed, else the reason says so."""
    if not target.is_file():
        return ""
    if force:
        target.unlink(missing_ok=True)
        return f" (the earlier {target.name} was removed)"
    return f" (an earlier {target.name} is still in the folder: it is not this row's quote)"


def _run_rows(jobs: list[tuple[list[Row], str, bool]]) -> list[Outcome]:
    """A chunk of rows: each workbook, then (with --pdf) all their PDFs in one LibreOffice run."""
    try:
        outcomes = [_run_row(job) for job in jobs]
        return _with_pdfs(outcomes, jobs) if _worker.pdf else outcomes
    except SystemExit as exc:
        if multiprocessing.parent_process() is not None:
            # a worker told to stop: the file being written has been removed on the way here. The
            # pool would catch SystemExit as the chunk's result and hand the worker the next
            # chunk, so the worker ends itself.
            os._exit(exc.code if isinstance(exc.code, int) else 1)
        raise


def _with_pdfs(outcomes: list[Outcome], jobs: list) -> list[Outcome]:
    """A PDF beside each workbook written; a PDF that fails fails its row (the workbook stays)."""
    from dataclasses import replace
    from .sheets.pdf import write_pdfs

    written = [i for i, o in enumerate(outcomes) if o.ok]
    if not written:
        return outcomes
    from .quoting import attach_pdf
    results = write_pdfs([Path(outcomes[i].path) for i in written], force=jobs[written[0]][2])
    out = list(outcomes)
    for i, result in zip(written, results):
        if isinstance(result, Exception):
            reason = result.strerror if isinstance(result, OSError) and result.strerror else str(result)
            out[i] = replace(outcomes[i], ok=False, reason=f"{Path(outcomes[i].path).name} was written, its PDF was "
                                                            f"not: {reason}")
        else:  # the PDF is one of the quote's documents: approvals and revisions write it again
            attach_pdf(_worker.register, _worker.register.get(outcomes[i].number, outcomes[i].version))
    return out


def plan_paths(groups: list[list[Row]], outdir: Path) -> list[str]:
    """A safe, unique file name per deal, from the customer name (and the row number when blank)."""
    from .files import safe_file_stem, unique_path

    taken: set[str] = {"summary"}  # the summary workbook's name
    return [str(unique_path(outdir, safe_file_stem(g[0].values.get("customer", ""), fallback=f"row-{g[0].number}"),
                            ".xlsx", taken)) for g in groups]


@dataclass(frozen=True)
class BatchResult:
    outcomes: list[Outcome]  # one per row, in row order
    encoding: str  # how the CSV was read
    summary: Path
    ignored: tuple[str, ...] = ()  # the CSV's columns that were not read


def run_batch(csv_path: Path, outdir: Path, price_book: PriceBook | str | None = None, force: bool = False,
              workers: int | None = None, progress=None, seller=None, lang: str = "both",
              register: tuple[str | None, str | None] = (None, None), rep: str = "",
              seller_path: str = "", pdf: bool = False) -> BatchResult:
    """Price every row and write its workbook, then the summary workbook. ``price_book``: the book
    (resolved once, and handed to every worker as it is), or an id or file for get_price_book."""
    if isinstance(price_book, PriceBook):
        book = price_book
    else:  # as the command line chooses: a team's default (XLPRICING_PRICE_BOOK) before today's book
        from .pricebook import choose_price_book
        book = choose_price_book(price_book)
    if pdf:  # refused before anything is written
        from .sheets.libreoffice import CJK_FONT_HINT, INSTALL_HINT, cjk_font_missing, find_soffice
        if find_soffice() is None:
            raise BatchError(f"--pdf needs LibreOffice. {INSTALL_HINT}")
        if cjk_font_missing():
            raise BatchError(CJK_FONT_HINT)
    deals = read_deals(csv_path)
    rows = deals.rows
    with _folder_in_use(outdir):
        return _run_batch(deals, rows, book, outdir, force, workers, progress, seller, lang, register, rep,
                          seller_path, pdf)


@contextlib.contextmanager
def _folder_in_use(outdir: Path):
    """One batch at a time per output folder: a second one would replace the first's summary.xlsx
    while the first's report still points at it. The lock (beside the temp files, not in the
    folder) dies with the process."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks of this kind; the folder is not guarded
        yield
        return
    import hashlib
    import tempfile
    key = hashlib.sha256(str(outdir.resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:24]
    path = Path(tempfile.gettempdir()) / f"xlpricing-batch-{key}.lock"
    with open(path, "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise BatchError(f"another batch is writing into {outdir} now: wait for it, or give another folder "
                             "(-o)") from None
        yield


def _run_batch(deals, rows, book, outdir, force, workers, progress, seller, lang, register, rep, seller_path,
               pdf) -> BatchResult:
    outdir.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(outdir)
    groups = group_rows(rows)
    jobs = [(group, path, force) for group, path in zip(groups, plan_paths(groups, outdir))]
    workers = workers or (min(2, os.cpu_count() or 1) if len(rows) >= PARALLEL_FROM else 1)
    done = 0

    per_row = 2 if pdf else 1  # the progress bar counts workbooks and PDFs

    def count(n: int = 1) -> None:
        nonlocal done
        done += n * per_row
        if progress:
            progress(done, len(jobs) * per_row)

    import uuid
    filing = {"rep": rep, "seller_path": seller_path, "run": uuid.uuid4().hex}
    from .register import Register
    Register.open(*register).close()  # a bad register or settings file is said before any row
    if workers == 1:
        _process_init(book, seller, lang, register, filing, pdf)
        outcomes = []
        size = PDF_CHUNK if pdf else 1
        for k in range(0, len(jobs), size):
            outcomes += _run_rows(jobs[k:k + size])
            count(len(jobs[k:k + size]))
    else:
        outcomes = _run_in_workers(jobs, workers, (book.toml, seller, lang, register, filing, pdf), count,
                                   PDF_CHUNK if pdf else CHUNK)
    remove_stale_temp_files(outdir)  # a worker that was killed mid-write left its temp file
    from .sheets.summary import write_summary

    summary = write_summary(outdir / "summary.xlsx", book, outcomes, force=True)
    return BatchResult(outcomes, deals.encoding, summary, deals.ignored)


CHUNK = 8  # rows a worker takes at a time
PDF_CHUNK = 25  # with --pdf: the PDFs of a chunk are one LibreOffice run (its start is the cost)
ROUNDS = 3  # a row whose worker died is tried again, at most this many times in all


def _run_in_workers(jobs: list, workers: int, setup: tuple, count, chunk: int = CHUNK) -> list[Outcome]:
    """Rows spread over worker processes. A worker that dies (killed, out of memory) fails only the
    rows it had: they are tried again in a fresh pool, and reported as failed after ROUNDS tries."""
    results: dict[int, Outcome] = {}
    pending = list(range(len(jobs)))
    existed = {i for i, (_, target, _) in enumerate(jobs) if Path(target).exists()}
    for attempt in range(1, ROUNDS + 1):
        if attempt > 1:  # a worker may have died after publishing its file: that file is this run's own
            jobs = [(row, target, force or i not in existed) if i in pending else (row, target, force)
                    for i, (row, target, force) in enumerate(jobs)]
        size = chunk if attempt == 1 else 1  # after a death, one row at a time: the culprit alone fails
        chunks = [pending[k:k + size] for k in range(0, len(pending), size)]
        pool = ProcessPoolExecutor(workers, initializer=_process_init, initargs=setup)
        lost: list[int] = []
        try:
            futures = {pool.submit(_run_rows, [jobs[i] for i in chunk]): chunk for chunk in chunks}
            for future in as_completed(futures):
                chunk = futures[future]
                try:
                    outcomes = future.result()
                except BrokenProcessPool:
                    lost += chunk
                    continue
                results.update(zip(chunk, outcomes))
                count(len(chunk))
        except BaseException:  # Ctrl-C or SIGTERM: every worker stops now, its file removed
            _stop_workers(pool)
            raise
        finally:  # drop what has not started
            pool.shutdown(wait=True, cancel_futures=True)
        pending = sorted(lost)
        if not pending:
            break
    for i in pending:
        row = jobs[i][0][0]
        results[i] = Outcome(row.number, row.values.get("customer", ""), False,
                             reason=f"the worker process writing this row stopped {ROUNDS} times "
                                    f"(killed or out of memory); nothing was written for it")
        count()
    return [results[i] for i in range(len(jobs))]


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            os.kill(process.pid, signal.SIGTERM)
        except (ProcessLookupError, OSError):
            pass


def progress_bar(stream=None):
    """A one-line progress bar for a terminal; nothing when the output is a file or a pipe. The
    stream is looked up when called (default: the stderr of that moment, not of the import)."""
    stream = sys.stderr if stream is None else stream
    if not stream.isatty():
        return None

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // total if total else width
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done == total:
            stream.write("\n")
        stream.flush()

    return show


def report(result: BatchResult) -> str:
    outcomes = result.outcomes
    good = [o for o in outcomes if o.ok]
    bad = [o for o in outcomes if not o.ok]
    total = sum((Decimal(o.total) for o in good), Decimal(0))
    lines = [f"read as {result.encoding}"]
    if result.ignored:
        lines.append(f"column(s) not read: {', '.join(printable(c) for c in result.ignored)} "
                     f"(not among {', '.join(COLUMNS)})")
    lines += [f"{len(good)} of {len(outcomes)} quotes written (term total {formatting.amount(total)})"]
    if bad:
        lines.append(f"{len(bad)} row(s) failed:")
        lines += [f"  row {o.row} ({printable(o.customer) or 'no customer'}): {printable(o.reason)}" for o in bad]
    return "\n".join(lines)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """Free text for a terminal line: control characters (ESC would drive the terminal) shown as \\xNN."""
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)

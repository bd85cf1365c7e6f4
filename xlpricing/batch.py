"""A CSV of deals → one quote workbook per good row, a summary workbook, and a report of bad rows.

A bad row (unknown edition, text in a number column, an add-on the edition cannot buy, a
missing customer) is reported with its row number and reason and never stops the others; it
never produces a workbook. Workbooks are written atomically, so a batch killed midway leaves
only complete files. With many deals the work is spread over the machine's cores.
"""

from __future__ import annotations

import csv
import multiprocessing
import datetime as dt
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from . import formatting, inputs
from decimal import Decimal
from .errors import QuoteError
from .pricebook import PriceBook, get_price_book

# column -> accepted header spellings (case-blind); documented in the README
COLUMNS = {
    "customer": ("customer", "客户"),
    "edition": ("edition", "版本"),
    "peak_dau": ("peak_dau", "dau"),
    "peak_groups": ("peak_groups", "groups"),
    "addons": ("addons", "add-ons"),
    "months": ("months", "月数"),
    "discount": ("discount", "discount_percent"),
    "contact": ("contact", "sales_contact"),
    "quote_number": ("quote_number",),
    "notes": ("notes", "备注"),
}
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


class BatchError(ValueError):
    """The file as a whole cannot be read (no such file, no header, a required column missing)."""


def read_rows(path: Path) -> list[Row]:
    try:
        text = path.read_text(encoding="utf-8-sig")  # Excel's "CSV UTF-8" starts with a BOM
    except OSError as exc:
        raise BatchError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise BatchError(f"{path} is not UTF-8 text; save it as 'CSV UTF-8'") from None
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if not header:
        raise BatchError(f"{path} is empty")
    columns: dict[int, str] = {}
    unknown = []
    for i, name in enumerate(header):
        key = next((k for k, names in COLUMNS.items() if name.strip().casefold() in names), None)
        if key is None:
            if name.strip():
                unknown.append(name.strip())
        else:
            columns[i] = key
    missing = [c for c in REQUIRED if c not in columns.values()]
    if missing:
        raise BatchError(f"{path}: missing column(s) {', '.join(missing)} (columns: {', '.join(COLUMNS)})")
    if unknown:
        raise BatchError(f"{path}: unknown column(s) {', '.join(unknown)} (columns: {', '.join(COLUMNS)})")
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue  # a blank line is not a deal
        values = {key: cells[i].strip() if i < len(cells) else "" for i, key in columns.items()}
        if len(cells) > len(header):
            values["_extra"] = ",".join(cells[len(header):])
        rows.append(Row(number, values))
    return rows


# ------------------------------------------------------------------------------ per row

_writer = None  # one workbook per process, refilled for every deal


def _process_init(price_book: str | None) -> None:
    global _writer
    from .sheets.proposal import QuoteWorkbookWriter

    _writer = QuoteWorkbookWriter(get_price_book(price_book))
    if multiprocessing.parent_process() is not None:  # a worker process
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent cancels; workers finish their file
        signal.signal(signal.SIGTERM, exit_on_signal)


def exit_on_signal(signum, frame) -> None:
    """SIGTERM → SystemExit, so the temp file being written is removed on the way out."""
    raise SystemExit(128 + signum)



def price_row(book: PriceBook, row: Row):
    """The row's quote and proposal, or QuoteError with every problem of the row."""
    from .sheets.proposal import Proposal

    v = row.values
    problems = []
    if v.get("_extra"):
        problems.append(QuoteError.of("row", f"more cells than columns ({v['_extra']!r}); quote cells with commas"))
    if not v.get("customer"):
        problems.append(QuoteError.of("customer", "customer is missing"))
    try:
        quote = inputs.price_deal(book, v.get("edition"), v.get("peak_dau"), v.get("peak_groups"),
                                  v.get("addons"), v.get("months"), v.get("discount"))
    except QuoteError as exc:
        problems.append(exc)
        quote = None
    if problems:
        raise QuoteError([p for e in problems for p in e.problems])
    return quote, Proposal(customer=v["customer"], contact=v.get("contact", ""),
                           quote_number=v.get("quote_number", ""), notes=v.get("notes", ""),
                           quote_date=dt.date.today())


def _run_row(job: tuple[Row, str, bool]) -> Outcome:
    row, target, force = job
    customer = row.values.get("customer", "")
    try:
        quote, proposal = price_row(_writer.book, row)
        _writer.write(target, quote, proposal, force=force)
    except QuoteError as exc:
        return Outcome(row.number, customer, False, reason=str(exc))
    except FileExistsError:
        return Outcome(row.number, customer, False, reason=f"{Path(target).name} exists (use --force)")
    except OSError as exc:
        return Outcome(row.number, customer, False, reason=f"cannot write {Path(target).name}: {exc.strerror or exc}")
    return Outcome(row.number, customer, True, target, quote.edition, quote.months,
                   str(quote.monthly_total), str(quote.total))


def plan_paths(rows: list[Row], outdir: Path) -> list[str]:
    """A safe, unique file name per row, from the customer name (and the row number when blank)."""
    from .sheets.proposal import safe_file_stem, unique_path

    taken: set[str] = {"summary"}  # the summary workbook's name
    return [str(unique_path(outdir, safe_file_stem(r.values.get("customer", ""), fallback=f"row-{r.number}"),
                            ".xlsx", taken)) for r in rows]


def run_batch(csv_path: Path, outdir: Path, price_book: str | None = None, force: bool = False,
              workers: int | None = None, progress=None) -> list[Outcome]:
    """Price every row; returns one Outcome per row (in row order). Writes the summary workbook."""
    from .sheets.template import remove_stale_temp_files

    rows = read_rows(csv_path)
    outdir.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(outdir)
    jobs = [(row, path, force) for row, path in zip(rows, plan_paths(rows, outdir))]
    workers = workers or (min(2, os.cpu_count() or 1) if len(rows) >= PARALLEL_FROM else 1)
    outcomes: list[Outcome] = []
    if workers == 1:
        _process_init(price_book)
        results: Iterator[Outcome] = map(_run_row, jobs)
        for outcome in results:
            outcomes.append(outcome)
            if progress:
                progress(len(outcomes), len(jobs))
    else:
        pool = ProcessPoolExecutor(workers, initializer=_process_init, initargs=(price_book,))
        try:
            for outcome in pool.map(_run_row, jobs, chunksize=8):
                outcomes.append(outcome)
                if progress:
                    progress(len(outcomes), len(jobs))
        finally:  # interrupted: drop what has not started; a file being written is finished or removed
            pool.shutdown(wait=True, cancel_futures=True)
    from .sheets.summary import write_summary

    write_summary(outdir / "summary.xlsx", get_price_book(price_book), outcomes, force=True)
    return outcomes


def progress_bar(stream=sys.stderr):
    """A one-line progress bar for a terminal; nothing when the output is a file or a pipe."""
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


def report(outcomes: list[Outcome]) -> str:
    good = [o for o in outcomes if o.ok]
    bad = [o for o in outcomes if not o.ok]
    total = sum((Decimal(o.total) for o in good), Decimal(0))
    lines = [f"{len(good)} of {len(outcomes)} quotes written (term total {formatting.amount(total)})"]
    if bad:
        lines.append(f"{len(bad)} row(s) failed:")
        lines += [f"  row {o.row} ({o.customer or 'no customer'}): {o.reason}" for o in bad]
    return "\n".join(lines)

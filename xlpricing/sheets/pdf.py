"""A PDF of a quote workbook's quote sheet, printed by LibreOffice headless."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import openpyxl

from ..files import atomic_write, check_target, temp_beside
from . import layout as L
from .libreoffice import LibreOfficeError, convert


def write_pdf(xlsx: Path, force: bool = False) -> Path:
    """``quote.xlsx`` → ``quote.pdf`` beside it: the proposal sheet only (the working sheets and the price
    book stay in the workbook)."""
    check_target(xlsx.with_suffix(".pdf"), force)  # before LibreOffice's seconds of work
    (result,) = write_pdfs([xlsx], force)
    if isinstance(result, Exception):
        raise result
    return result


def _printable_copy(xlsx: Path, copy: Path) -> Path:
    """A copy with only the proposal (or quote) sheet visible: LibreOffice prints every visible sheet."""
    with open(xlsx, "rb") as f:  # a file, not a name: a workbook still in its temp file (.tmp) is read too
        wb = openpyxl.load_workbook(f)
    shown = L.PROPOSAL_SHEET if L.PROPOSAL_SHEET in wb.sheetnames else L.QUOTE_SHEET
    for ws in wb.worksheets:
        if ws.title != shown:
            ws.sheet_state = "hidden"
            ws.print_area = None  # LibreOffice prints a hidden sheet that has a print area
            ws.print_title_rows = None
    wb.active = wb.sheetnames.index(shown)
    wb.save(copy)
    return copy


def stage_pdf(xlsx: Path, target: Path) -> Path:
    """The PDF of ``xlsx`` (complete, perhaps still in its temp file) in a temp file beside
    ``target``, not yet under its name: a publish step names it together with its workbook."""
    with tempfile.TemporaryDirectory(prefix="xlpricing-pdf-") as tmp:
        (pdf,) = convert([_printable_copy(xlsx, Path(tmp) / "000000.xlsx")], "pdf", Path(tmp) / "out", strict=False)
        if isinstance(pdf, Exception):
            raise pdf
        staged = temp_beside(target, ".pdf")
        try:
            staged.write_bytes(pdf.read_bytes())
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
        return staged


def write_pdfs(workbooks: list[Path], force: bool = False) -> list[Path | Exception]:
    """Each workbook's PDF beside it, all printed by one LibreOffice run (its start costs more
    than a page). One answer per workbook, in order: the PDF, or the error that stopped it (the
    others still get theirs). Each PDF appears whole or not at all."""
    results: list[Path | Exception] = [Path()] * len(workbooks)
    with tempfile.TemporaryDirectory(prefix="xlpricing-pdf-") as tmp:
        staged: dict[int, Path] = {}
        for i, xlsx in enumerate(workbooks):
            try:
                check_target(xlsx.with_suffix(".pdf"), force)
                # numbered, not named after the workbook: two folders' files may share a name, and
                # LibreOffice names each PDF after its input in one output folder
                staged[i] = _printable_copy(xlsx, Path(tmp) / f"{i:06d}.xlsx")
            except (OSError, ValueError, KeyError) as exc:
                results[i] = exc
        if staged:
            try:
                pdfs = convert(list(staged.values()), "pdf", Path(tmp) / "out", strict=False)
            except (LibreOfficeError, subprocess.TimeoutExpired, OSError) as exc:
                failed = exc if isinstance(exc, LibreOfficeError) else LibreOfficeError(f"LibreOffice: {exc}")
                pdfs = [failed] * len(staged)
            for (i, _), pdf in zip(staged.items(), pdfs):
                if isinstance(pdf, Exception):
                    results[i] = pdf
                    continue
                try:
                    target = workbooks[i].with_suffix(".pdf")
                    with atomic_write(target, force) as out:
                        out.write_bytes(pdf.read_bytes())
                    results[i] = target
                except OSError as exc:
                    results[i] = exc
    return results

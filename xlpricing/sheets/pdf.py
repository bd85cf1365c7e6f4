"""A PDF of a quote workbook's quote sheet, printed by LibreOffice headless."""

from __future__ import annotations

import tempfile
from pathlib import Path

import openpyxl

from ..files import atomic_write, check_target
from . import layout as L
from .libreoffice import convert


def write_pdf(xlsx: Path, force: bool = False) -> Path:
    """``quote.xlsx`` → ``quote.pdf`` beside it: the proposal sheet only (the working sheets and the price
    book stay in the workbook)."""
    target = xlsx.with_suffix(".pdf")
    check_target(target, force)  # before LibreOffice's seconds of work
    with tempfile.TemporaryDirectory(prefix="xlpricing-pdf-") as tmp:
        # a copy with only the quote sheet visible: LibreOffice prints every visible sheet
        wb = openpyxl.load_workbook(xlsx)
        shown = L.PROPOSAL_SHEET if L.PROPOSAL_SHEET in wb.sheetnames else L.QUOTE_SHEET
        for ws in wb.worksheets:
            if ws.title != shown:
                ws.sheet_state = "hidden"
                ws.print_area = None  # LibreOffice prints a hidden sheet that has a print area
                ws.print_title_rows = None
        wb.active = wb.sheetnames.index(shown)
        copy = Path(tmp) / f"{xlsx.stem}.xlsx"
        wb.save(copy)
        (pdf,) = convert([copy], "pdf", Path(tmp) / "out")
        with atomic_write(target, force) as staged:
            staged.write_bytes(pdf.read_bytes())
    return target

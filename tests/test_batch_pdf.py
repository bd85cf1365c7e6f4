"""batch --pdf (#19): a PDF of each proposal beside its workbook, one LibreOffice run per chunk."""

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from test_proposals import needs_cjk_font, needs_libreoffice, pdf_text_and_fonts
from xlpricing.batch import BatchError, run_batch
from xlpricing.cli import main
from xlpricing.register import Register

BAD = {7: {"edition": "gold"}, 31: {"peak_dau": "lots"}}  # 0-based row indexes → bad cells


def deals_csv(path: Path, n: int, bad: dict = BAD) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["customer", "edition", "peak_dau", "months"])
        w.writeheader()
        for i in range(n):
            w.writerow({"customer": f"客户{i:02d}", "edition": "pro", "peak_dau": str(5000 * i), "months": "12",
                        **bad.get(i, {})})
    return path


@needs_libreoffice
@needs_cjk_font
def test_fifty_rows_two_bad_give_48_pdfs_with_chinese_one_page_each(tmp_path):
    out = tmp_path / "out"
    seen = []
    result = run_batch(deals_csv(tmp_path / "d.csv", 50), out, pdf=True, workers=2,
                       progress=lambda done, total: seen.append((done, total)))
    good = [o for o in result.outcomes if o.ok]
    assert len(good) == 48 and {o.row for o in result.outcomes if not o.ok} == {9, 33}  # header is row 1
    pdfs = sorted(out.glob("*.pdf"))
    assert [p.stem for p in pdfs] == sorted(Path(o.path).stem for o in good)
    for pdf in pdfs:
        pages, text, _ = pdf_text_and_fonts(pdf)
        assert pages == 1, pdf.name  # the proposal sheet only, on one page
        assert "报价单" in text and pdf.stem in text  # Chinese extractable: the customer's name
    assert seen[-1] == (100, 100)  # 50 workbooks and 50 PDFs counted (a failed row counts both)
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


@needs_libreoffice
@needs_cjk_font
def test_a_pdf_that_cannot_be_written_fails_its_row_and_keeps_the_workbook(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "客户01.pdf").write_bytes(b"an earlier PDF")  # no --force: it stays, and the row says so
    result = run_batch(deals_csv(tmp_path / "d.csv", 3, bad={}), out, pdf=True)
    by_row = {o.row: o for o in result.outcomes}
    assert by_row[2].ok and by_row[4].ok
    assert not by_row[3].ok and "客户01.xlsx was written, its PDF was not" in by_row[3].reason
    assert (out / "客户01.xlsx").is_file() and (out / "客户01.pdf").read_bytes() == b"an earlier PDF"


def test_without_libreoffice_nothing_is_written(tmp_path, monkeypatch, capsys):
    import xlpricing.sheets.libreoffice as lo
    monkeypatch.setattr(lo, "find_soffice", lambda: None)
    with pytest.raises(BatchError, match="--pdf needs LibreOffice"):
        run_batch(deals_csv(tmp_path / "d.csv", 3), tmp_path / "out", pdf=True)
    assert not (tmp_path / "out").exists()
    with Register.open() as reg:
        assert reg.quotes() == []


@pytest.mark.skipif(subprocess.run(["sh", "-c", "command -v fc-list"], capture_output=True).returncode != 0,
                    reason="needs fontconfig's fc-list (Linux)")
def test_without_a_chinese_font_nothing_is_written(tmp_path, monkeypatch, capsys):
    empty = tmp_path / "fonts.conf"
    empty.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig></fontconfig>')
    monkeypatch.setenv("FONTCONFIG_FILE", str(empty))
    import xlpricing.sheets.libreoffice as lo
    monkeypatch.setattr(lo, "find_soffice", lambda: "/usr/bin/soffice")  # the font is what is missing
    assert main(["batch", str(deals_csv(tmp_path / "d.csv", 3)), "-o", str(tmp_path / "out"), "--pdf"]) == 2
    assert "fonts-noto-cjk" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@needs_libreoffice
@needs_cjk_font
def test_two_batches_with_pdfs_at_once_into_two_folders(tmp_path):
    csv_path = deals_csv(tmp_path / "d.csv", 12, bad={})
    procs = [subprocess.Popen([sys.executable, "-m", "xlpricing", "batch", str(csv_path), "-o", str(tmp_path / f"o{k}"),
                               "--pdf"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ})
             for k in range(2)]
    for p in procs:
        out, err = p.communicate(timeout=900)
        assert p.returncode == 0, err
        assert "12 of 12 quotes written" in out
    for k in range(2):
        assert len(list((tmp_path / f"o{k}").glob("*.pdf"))) == 12

"""How a workbook stores a call to one of xlpricing's Excel functions: one place for both hosts.

- **Classic xlwings (.xlsm)**: the functions are VBA wrappers, stored by name: ``=IMQUOTE(…)``.
  A call that returns a table is a legacy array formula over exactly the cells it returns, so
  every Excel fills it (a plain formula opens in Excel 365 as ``=@IMQUOTE_LINES(…)``, one cell).
- **xlwings Lite (.xlsx)**: the functions are an Office add-in's custom functions. Excel saves
  those as ``_xldudf_IMQUOTE(…)`` in a dynamic-array cell (``t="array"``, ``ref`` = the spill
  range, ``cm="1"`` pointing at the ``XLDAPR`` entry of ``xl/metadata.xml``) and lists them in the
  add-in's webextension part. A file holding the plain name stays ``#NAME?`` after the add-in has
  loaded, and recalculating does not help (tests/golden/excel/SOURCES.md: Excel's own files).

Either way every cell of a result carries its value (the anchor's in the XML after saving, the
others as plain values, as Excel keeps a spill), so previews and readers that do not calculate
show the numbers, and the spill range is the size the function returns for its arguments.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_from_string, column_index_from_string
from openpyxl.worksheet.formula import ArrayFormula

from .cached import add_cached_values


@dataclass(frozen=True)
class Arg:
    """One argument: as the formula writes it, and the value Excel hands the function for it."""
    text: str
    value: Any


def literal(value: Any) -> Arg:
    """A constant argument: text in quotes (a quote doubled), a number as Excel hands it (a float)."""
    if isinstance(value, str):
        return Arg('"' + value.replace('"', '""') + '"', value)
    return Arg(format(value, "g") if isinstance(value, float) else str(value), float(value))


@dataclass(frozen=True)
class Call:
    function: str
    args: tuple[Arg, ...]

    def formula(self, prefix: str = "") -> str:
        return f"={prefix}{self.function}({','.join(a.text for a in self.args)})"

    def result(self, catalog) -> list[list[Any]]:
        """What the function returns for these arguments, as rows of cells, priced with ``catalog``
        (a cell naming no book gets its default)."""
        from .. import udf

        value = udf.WITH_CATALOG[self.function](catalog, *(a.value for a in self.args))
        return value if isinstance(value, list) else [[value]]


@dataclass(frozen=True)
class Placed:
    sheet: str
    anchor: str
    ref: str
    function: str
    value: Any  # the anchor cell's value
    texts: tuple[str, ...]  # the result's other cells that hold text


@dataclass(frozen=True)
class Host:
    name: str
    prefix: str  # how the file names the function
    dynamic: bool  # every call a dynamic-array cell (cm="1", xl/metadata.xml)

    def place(self, ws, anchor: str, call: Call, catalog) -> Placed:
        """Write ``call`` at ``anchor``: the formula as this host stores it and the values of its
        result, computed with ``catalog``."""
        rows = call.result(catalog)
        column, row = coordinate_from_string(anchor)
        first = column_index_from_string(column)
        ref = f"{anchor}:{get_column_letter(first + len(rows[0]) - 1)}{row + len(rows) - 1}"
        if ref.split(":")[1] == anchor:
            ref = anchor
        text = call.formula(self.prefix)
        ws[anchor] = ArrayFormula(ref, text) if (self.dynamic or ref != anchor) else text
        texts = []
        for i, values in enumerate(rows):
            for j, value in enumerate(values):
                if (i, j) != (0, 0) and value not in (None, ""):
                    cell = ws.cell(row + i, first + j, value)
                    if isinstance(value, str):
                        cell.data_type = "s"  # a spilled text is a value, never a formula
                        texts.append(cell.coordinate)
        return Placed(ws.title, anchor, ref, call.function, rows[0][0], tuple(texts))

    def store(self, path: Path, calls: list[Placed]) -> None:
        """After saving: the anchors' values, and for dynamic arrays the cell metadata they point at."""
        for sheet in dict.fromkeys(p.sheet for p in calls):
            on_sheet = [p for p in calls if p.sheet == sheet]
            values = {p.anchor: p.value for p in on_sheet if p.value not in (None, "")}
            add_cached_values(path, sheet, values, dynamic=self.dynamic,
                              array_texts=frozenset(t for p in on_sheet for t in p.texts))
        if self.dynamic and calls:
            add_dynamic_array_metadata(path)

    def function_ids(self, calls: list[Placed]) -> list[str]:
        """The functions the workbook calls, as the add-in's webextension part lists them."""
        return sorted({self.prefix + p.function for p in calls})


CLASSIC = Host("classic xlwings", prefix="", dynamic=False)
LITE = Host("xlwings Lite", prefix="_xldudf_", dynamic=True)


# --------------------------------------------------------------- xl/metadata.xml, as Excel writes it

METADATA_PART = "xl/metadata.xml"
CT_METADATA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheetMetadata+xml"
REL_METADATA = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sheetMetadata"
# The one cell-metadata record a dynamic-array formula cell points at with cm="1" (Excel's own text)
METADATA_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<metadata xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:xlrd="http://schemas.microsoft.com/office/spreadsheetml/2017/richdata" '
    'xmlns:xda="http://schemas.microsoft.com/office/spreadsheetml/2017/dynamicarray">'
    '<metadataTypes count="1"><metadataType name="XLDAPR" minSupportedVersion="120000" copy="1" pasteAll="1" '
    'pasteValues="1" merge="1" splitFirst="1" rowColShift="1" clearFormats="1" clearComments="1" assign="1" '
    'coerce="1" cellMeta="1"/></metadataTypes>'
    '<futureMetadata name="XLDAPR" count="1"><bk><extLst><ext uri="{bdbb8cdc-fa1e-496e-a857-3c3f30c029c3}">'
    '<xda:dynamicArrayProperties fDynamic="1" fCollapsed="0"/></ext></extLst></bk></futureMetadata>'
    '<cellMetadata count="1"><bk><rc t="1" v="0"/></bk></cellMetadata></metadata>')


def add_dynamic_array_metadata(path: Path) -> None:
    """Add xl/metadata.xml with its workbook relationship and content type (openpyxl writes none)."""
    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info.filename)) for info in src.infolist()]
    if any(info.filename == METADATA_PART for info, _ in entries):
        raise ValueError(f"{path.name} already has {METADATA_PART}")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in entries:
            if info.filename == "[Content_Types].xml":
                data = add_override(data.decode("utf-8"), METADATA_PART, CT_METADATA).encode("utf-8")
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = add_relationship(data.decode("utf-8"), REL_METADATA, "metadata.xml").encode("utf-8")
            out.writestr(info, data)
        out.writestr(METADATA_PART, METADATA_XML.encode("utf-8"))


def add_override(types_xml: str, part: str, content_type: str) -> str:
    return types_xml.replace("</Types>", f'<Override PartName="/{part}" ContentType="{content_type}"/></Types>', 1)


def add_relationship(rels_xml: str, rel_type: str, target: str) -> str:
    """A relationship with the first free rIdN."""
    taken = set(re.findall(r'Id="([^"]+)"', rels_xml))
    rid = next(f"rId{n}" for n in range(1, len(taken) + 2) if f"rId{n}" not in taken)
    return rels_xml.replace("</Relationships>",
                            f'<Relationship Id="{rid}" Type="{rel_type}" Target="{target}"/></Relationships>', 1)

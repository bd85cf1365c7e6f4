"""Store computed values next to the formulas of a saved workbook.

openpyxl writes every formula as ``<f>…</f><v/>``: no value, so readers that do not calculate
(openpyxl ``data_only=True``, pandas, mail and phone previews) show blanks. After saving, this
rewrites one sheet's XML so each formula cell whose value we know carries it as well: numbers
as ``<v>``, text as ``t="str"``, booleans as ``t="b"``. The formulas stay; Excel and LibreOffice
still recalculate on open (the workbook asks for a full calculation) and get the same values,
which tests check by recalculating with LibreOffice.
"""

from __future__ import annotations

import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# a formula cell as openpyxl writes it: attributes, the formula (an array formula has attributes
# of its own), an empty value
_FORMULA_CELL = re.compile(r'<c r="([A-Z]+[0-9]+)"([^>]*)><f([^>]*)>(.*?)</f><v\s*/></c>', re.S)


def _value_xml(value: Any) -> tuple[str, str]:
    """(type attribute, <v> text) for a cell value."""
    if isinstance(value, bool):
        return ' t="b"', "1" if value else "0"
    if isinstance(value, (int, Decimal)):
        return "", format(Decimal(value).normalize(), "f") if isinstance(value, Decimal) else str(value)
    if isinstance(value, float):
        return "", repr(value)
    return ' t="str"', escape(str(value))


def sheet_xml_path(archive: zipfile.ZipFile, sheet_name: str) -> str:
    """The part name of the worksheet called ``sheet_name`` (via workbook.xml and its rels)."""
    workbook = archive.read("xl/workbook.xml").decode("utf-8")
    rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    for match in re.finditer(r"<sheet\b([^>]*)/?>", workbook):
        attrs = match.group(1)
        name = re.search(r'name="([^"]*)"', attrs)
        rid = re.search(r'r:id="([^"]*)"', attrs) or re.search(r'id="([^"]*)"', attrs)
        if name and rid and _unescape(name.group(1)) == sheet_name:
            target = re.search(rf'<Relationship\b[^>]*Id="{re.escape(rid.group(1))}"[^>]*Target="([^"]*)"', rels) \
                or re.search(rf'<Relationship\b[^>]*Target="([^"]*)"[^>]*Id="{re.escape(rid.group(1))}"', rels)
            if target:
                path = target.group(1).lstrip("/")
                return path if path.startswith("xl/") else f"xl/{path}"
    raise KeyError(f"no worksheet called {sheet_name!r}")


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


# a text cell as openpyxl writes it (inline); the other cells of an array result keep their text as
# a formula's result instead (t="str"), as Excel does
_INLINE_TEXT = re.compile(r'<c r="([A-Z]+[0-9]+)"([^>]*?) t="inlineStr"><is><t(?: xml:space="preserve")?>(.*?)</t></is></c>',
                          re.S)


def add_cached_values(path: Path, sheet_name: str, values: dict[str, Any], dynamic: bool = False,
                      array_texts: frozenset[str] = frozenset()) -> int:
    """Rewrite ``path`` in place (call it on a temp file) so formula cells carry ``values``.

    ``dynamic``: the cells are dynamic-array formulas, so each also points at the workbook's
    dynamic-array cell metadata (``cm="1"``, see udfcalls). ``array_texts``: text cells that hold
    part of an array formula's result, stored as Excel stores them. Returns how many cells got a value.
    Raises if a given cell is not a formula cell, so the value table and the sheet cannot drift
    apart unnoticed.
    """
    with zipfile.ZipFile(path) as src:
        part = sheet_xml_path(src, sheet_name)
        xml = src.read(part).decode("utf-8")
        entries = [(info, src.read(info.filename)) for info in src.infolist()]

    seen: set[str] = set()

    def fill(match: re.Match) -> str:
        coord, attrs, formula_attrs, formula = match.groups()
        if coord not in values:
            return match.group(0)
        seen.add(coord)
        attrs = re.sub(r'\s+t="[^"]*"', "", attrs)
        kind, text = _value_xml(values[coord])
        if dynamic:
            if ' t="array"' not in formula_attrs:
                raise ValueError(f"{sheet_name}!{coord} is not an array formula, so it cannot be a dynamic array")
            kind += ' cm="1"'
        return f'<c r="{coord}"{attrs}{kind}><f{formula_attrs}>{formula}</f><v>{text}</v></c>'

    def text_result(match: re.Match) -> str:
        coord, attrs, text = match.groups()
        if coord not in array_texts:
            return match.group(0)
        seen.add(coord)
        return f'<c r="{coord}"{attrs} t="str"><v>{text}</v></c>'

    xml = _FORMULA_CELL.sub(fill, xml)
    xml = _INLINE_TEXT.sub(text_result, xml)
    missing = (set(values) | array_texts) - seen
    if missing:
        raise ValueError(f"not formula or text cells of {sheet_name!r}: {sorted(missing)[:10]}")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in entries:
            out.writestr(info, xml.encode("utf-8") if info.filename == part else data)
    return len(seen)

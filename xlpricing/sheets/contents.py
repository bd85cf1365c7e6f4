"""What a workbook says, without its zip bytes: for comparing a generated workbook with a golden one.

Compares what a user or a formula engine sees (cell values and formulas, number formats,
merged ranges, defined names, data validations, protection, print setup, the VBA project) and
ignores what changes on every save (timestamps, zip order, openpyxl's internal ids).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.worksheet.formula import ArrayFormula


def workbook_contents(path: str | Path) -> dict[str, Any]:
    wb = openpyxl.load_workbook(path, keep_vba=str(path).endswith(".xlsm"))
    out: dict[str, Any] = {
        "sheets": wb.sheetnames,
        "defined_names": {name: dn.attr_text for name, dn in sorted(wb.defined_names.items())},
    }
    if wb.vba_archive is not None:  # the VBA project is written deterministically: compare its bytes
        out["vba_project"] = hashlib.sha256(wb.vba_archive.read("xl/vbaProject.bin")).hexdigest()
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    cells[cell.coordinate] = (_value(cell.value), cell.number_format, cell.protection.locked)
        out[ws.title] = {
            "cells": cells,
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "validations": sorted((dv.type, dv.formula1, dv.formula2, str(dv.sqref))
                                  for dv in ws.data_validations.dataValidation),
            "protected": ws.protection.sheet,
            "print": (ws.page_setup.paperSize, ws.page_setup.orientation, ws.page_setup.fitToWidth,
                      ws.page_setup.fitToHeight, ws.print_title_rows, str(ws.print_area)),
            "hidden_columns": sorted((d.min, d.max) for d in ws.column_dimensions.values() if d.hidden),
            "charts": len(ws._charts),
            "code_name": ws.sheet_properties.codeName,
        }
    return out


def _value(value: Any) -> Any:
    """A cell value as compared: an array formula by its range and text, not its object identity."""
    if isinstance(value, ArrayFormula):
        return ("array formula", value.ref, value.text)
    return value


def differences(expected: dict[str, Any], actual: dict[str, Any], limit: int = 20) -> list[str]:
    """Readable differences between two workbook_contents results (empty when they agree)."""
    diffs: list[str] = []
    for key in sorted(set(expected) | set(actual)):
        a, b = expected.get(key), actual.get(key)
        if a == b:
            continue
        if isinstance(a, dict) and isinstance(b, dict) and "cells" in a and "cells" in b:
            for part in sorted(set(a) | set(b)):
                if part == "cells":
                    for coord in sorted(set(a["cells"]) | set(b["cells"])):
                        if a["cells"].get(coord) != b["cells"].get(coord):
                            diffs.append(f"{key}!{coord}: {a['cells'].get(coord)!r} != {b['cells'].get(coord)!r}")
                elif a.get(part) != b.get(part):
                    diffs.append(f"{key} {part}: {a.get(part)!r} != {b.get(part)!r}")
        else:
            diffs.append(f"{key}: {a!r} != {b!r}")
    return diffs[:limit]

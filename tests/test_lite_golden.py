"""The Lite workbook against files that Excel itself saved (XlsxWriter's way: element by element).

The extracts in tests/golden/excel come from workbooks saved by Excel with Office add-in functions
and by the xlwings Lite add-in (SOURCES.md there says which). Excel never keeps an add-in function
as ``IMQUOTE(…)``: it keeps ``_xldudf_IMQUOTE(…)`` in a dynamic-array cell and lists the function
in the add-in's part; a file with the plain name stays #NAME? once the add-in has loaded. Both the
workbook the generator writes now and the committed one in workbooks/ are checked.
"""

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from xlpricing.cli import main
from xlpricing.lite import FUNCTIONS, PYODIDE_VERSION, TASKPANES_PART, TASKPANES_RELS_PART, WEBEXTENSION_PART
from xlpricing.sheets.cached import sheet_xml_path
from xlpricing.sheets.udfcalls import METADATA_PART

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden" / "excel"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
WE = "{http://schemas.microsoft.com/office/webextensions/webextension/2010/11}"
CALL = re.compile(r"\b(?:_xldudf_)?(" + "|".join(sorted(FUNCTIONS, key=len, reverse=True)) + r")\(")


@pytest.fixture(scope="module", params=["generated", "committed"])
def workbook(request, tmp_path_factory):
    if request.param == "committed":
        return ROOT / "workbooks" / "xlpricing-lite.xlsx"
    path = tmp_path_factory.mktemp("lite-golden") / "lite.xlsx"
    assert main(["lite", "-o", str(path)]) == 0
    return path


def read(path: Path, part: str) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(part)


def golden_cells(name: str) -> dict[str, ET.Element]:
    root = ET.parse(GOLDEN / name).getroot()
    return {c.get("r"): c for c in root.iter(f"{MAIN}c")}


def call_cells(path: Path) -> list[tuple[str, ET.Element, ET.Element]]:
    """(sheet name, cell, sheet root) for every cell whose formula calls an xlpricing function."""
    found = []
    with zipfile.ZipFile(path) as z:
        workbook = ET.fromstring(z.read("xl/workbook.xml"))
        for sheet in workbook.iter(f"{MAIN}sheet"):
            root = ET.fromstring(z.read(sheet_xml_path(z, sheet.get("name"))))
            for c in root.iter(f"{MAIN}c"):
                f = c.find(f"{MAIN}f")
                if f is not None and f.text and CALL.search(f.text):
                    found.append((sheet.get("name"), c, root))
    return found


def formula_signature(c: ET.Element) -> tuple:
    """What Excel reads of a call cell, its volatile parts (reference, style, value) left out."""
    f = c.find(f"{MAIN}f")
    ref = f.get("ref", "")
    return (
        sorted(set(c.attrib) - {"r", "s", "t"}), c.get("cm"),
        sorted(f.attrib), f.get("t"), ref.split(":")[0] == c.get("r"),
        bool(re.match(r"_xldudf_[A-Z][A-Z0-9_.]*\(", f.text or "")),
        [child.tag for child in c],
    )


def value_kind(c: ET.Element) -> str:
    return {"str": "text", "b": "bool", None: "number"}[c.get("t")]


def test_the_golden_extracts_agree_with_each_other():
    """Two add-ins, two workbooks saved by Excel: one way of storing a call (else the extracts prove nothing)."""
    e2e, repro = golden_cells("e2e_custom_functions.cells.xml"), golden_cells("name_error_repro.cells.xml")
    signatures = {repr(formula_signature(c)) for c in [*e2e.values(), *repro.values()] if c.find(f"{MAIN}f") is not None}
    assert len(signatures) == 1, signatures
    assert [value_kind(e2e[r]) for r in ("G6", "G9", "G14")] == ["bool", "number", "text"]


def test_every_call_is_stored_as_excel_stores_an_add_in_function(workbook):
    golden = golden_cells("e2e_custom_functions.cells.xml")
    expected = formula_signature(golden["G9"])
    by_kind = {value_kind(golden[r]): golden[r].get("t") for r in ("G6", "G9", "G14")}
    calls = call_cells(workbook)
    assert len(calls) >= 10  # the Functions sheet's examples
    for sheet, c, _ in calls:
        where = f"{sheet}!{c.get('r')}: {c.find(f'{MAIN}f').text}"
        assert formula_signature(c) == expected, where
        value = c.find(f"{MAIN}v")
        assert value is not None and value.text, f"{where}: no cached value"
        assert c.get("t") == by_kind[value_kind(c)], where


def neighbour_signature(c: ET.Element) -> tuple:
    t = None if c.get("t") == "n" else c.get("t")  # "n" is the schema's default: openpyxl writes it, Excel omits it
    return [child.tag for child in c], sorted(set(c.attrib) - {"r", "s", "t"}), t


def test_a_spill_keeps_its_other_cells_as_values_only(workbook):
    golden = golden_cells("e2e_custom_functions.cells.xml")
    expected = {"number": neighbour_signature(golden["H28"]), "text": neighbour_signature(golden["H154"])}
    assert expected["number"] == neighbour_signature(golden["G155"])
    spills = 0
    for sheet, c, root in call_cells(workbook):
        ref = c.find(f"{MAIN}f").get("ref")
        if ":" not in ref:
            continue
        spills += 1
        first, last = ref.split(":")
        inside = [x for x in root.iter(f"{MAIN}c") if x is not c and _within(x.get("r"), first, last)]
        assert inside, f"{sheet}!{ref}: the spill's other cells hold no values"
        for x in inside:
            kind = "text" if x.get("t") in ("str", "inlineStr", "s") else "number"
            assert neighbour_signature(x) == expected[kind], f"{sheet}!{x.get('r')}"
    assert spills >= 3  # IMQUOTE_LINES, the column of scenarios, IMBEST


def _within(ref: str, first: str, last: str) -> bool:
    def split(r):
        col, row = re.match(r"([A-Z]+)(\d+)", r).groups()
        return sum((ord(ch) - 64) * 26 ** i for i, ch in enumerate(reversed(col))), int(row)
    (c, r), (c1, r1), (c2, r2) = split(ref), split(first), split(last)
    return c1 <= c <= c2 and r1 <= r <= r2


def test_the_dynamic_array_metadata_is_excels(workbook):
    ours = ET.canonicalize(read(workbook, METADATA_PART).decode("utf-8"))
    assert ours == ET.canonicalize((GOLDEN / "metadata.xml").read_text(encoding="utf-8"))


def test_content_types_and_relationships_as_excel_writes_them(workbook):
    golden = ET.parse(GOLDEN / "package_entries.xml").getroot()
    types = ET.fromstring(read(workbook, "[Content_Types].xml"))
    overrides = {o.get("PartName"): o.get("ContentType") for o in types}
    for o in golden.find("{http://schemas.openxmlformats.org/package/2006/content-types}Types"):
        assert overrides.get(o.get("PartName")) == o.get("ContentType"), o.get("PartName")
    for rels in golden.findall("{http://schemas.openxmlformats.org/package/2006/relationships}Relationships"):
        ours = ET.fromstring(read(workbook, rels.get("part")))
        ids = [r.get("Id") for r in ours]
        assert len(ids) == len(set(ids)), rels.get("part")
        have = {(r.get("Type"), r.get("Target")) for r in ours}
        for r in rels:
            assert (r.get("Type"), r.get("Target")) in have, (rels.get("part"), r.get("Type"))


VOLATILE = {"id", "store", "value", "visibility", "width", "row"}  # ids, locale, values, pane geometry


def shape(el: ET.Element) -> tuple:
    """An element's tree with volatile attribute values masked; property lists and the function id
    list are compared on their own."""
    attrs = tuple(sorted((k, "*" if k.split("}")[-1] in VOLATILE else v) for k, v in el.attrib.items()))
    skip = el.tag in (f"{WE}properties", f"{WE}customFunctionIdList")
    return el.tag, attrs, (el.text or "").strip(), () if skip else tuple(shape(child) for child in el)


def test_the_webextension_part_is_shaped_like_lites_and_excels(workbook):
    ours = ET.fromstring(read(workbook, WEBEXTENSION_PART))
    lite = ET.fromstring((GOLDEN / "lite_webextension1.xml").read_bytes())
    assert shape(ours) == shape(lite)
    # the properties we write come in the add-in's order; which ones, and why, is said in lite.py
    names = [p.get("name") for p in ours.find(f"{WE}properties")]
    lite_names = [p.get("name") for p in lite.find(f"{WE}properties")]
    assert names == [n for n in lite_names if n in names] and names == ["main.py", "pyodideVersion", "requirements.txt"]
    version = next(p.get("value") for p in ours.iter(f"{WE}property") if p.get("name") == "pyodideVersion")
    assert version == f'"{PYODIDE_VERSION}"'
    # the id list, as Excel writes it, names exactly the functions the cells call
    addin = ET.fromstring((GOLDEN / "addin_webextension_function_ids.xml").read_bytes())
    golden_ids = addin.find(f".//{WE}customFunctionIdList")
    assert {child.tag for child in golden_ids} == {f"{WE}customFunctionIds"}
    ids = [child.text for child in ours.find(f".//{WE}customFunctionIdList")]
    called = {"_xldudf_" + CALL.search(c.find(f"{MAIN}f").text).group(1) for _, c, _ in call_cells(workbook)}
    assert sorted(ids) == ids and set(ids) == called and len(ids) == len(called)
    assert all(child.tag == f"{WE}customFunctionIds" for child in ours.find(f".//{WE}customFunctionIdList"))


def test_the_task_pane_parts_are_shaped_like_lites(workbook):
    for ours, golden in ((TASKPANES_PART, "lite_taskpanes.xml"), (TASKPANES_RELS_PART, "lite_taskpanes.xml.rels")):
        assert shape(ET.fromstring(read(workbook, ours))) == shape(ET.fromstring((GOLDEN / golden).read_bytes()))


def test_the_macro_workbook_keeps_plain_names(tmp_path):
    """Classic xlwings' functions are VBA functions, stored by name: no _xldudf_, no metadata part."""
    path = tmp_path / "t.xlsm"
    assert main(["template", "--xlsm", "-o", str(path)]) == 0
    calls = call_cells(path)
    assert len(calls) >= 10
    for sheet, c, _ in calls:
        f = c.find(f"{MAIN}f")
        assert not f.text.startswith("_xldudf_") and c.get("cm") is None, f.text
        assert c.find(f"{MAIN}v") is not None  # previews show the value too
    with zipfile.ZipFile(path) as z:
        assert METADATA_PART not in z.namelist()

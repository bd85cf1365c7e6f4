"""xlwings Lite: the workbook `xlpricing lite` writes, and its main.py run in real WebAssembly Python.

The main.py is taken out of a generated workbook file (not from the source tree) and executed in
Pyodide under Node, offline, with xlwings' decorators as no-ops. Every result and every error text
must equal what CPython's xlpricing.udf gives for the same Lite-shaped inputs: numbers as float,
blanks as None, add-ons as text or 2-D lists, ranges as lists of rows.
"""

import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from workbook_scenarios import scenarios
from xlpricing import get_price_book, udf
from xlpricing.cli import main
from xlpricing.lite import (CT_TASKPANES, CT_WEBEXTENSION, FUNCTIONS, NS_WE, PYODIDE_OLDER, PYODIDE_VERSION,
                            REL_TASKPANES, REL_WEBEXTENSION, TASKPANES_PART, TASKPANES_RELS_PART, WEBEXTENSION_PART,
                            read_lite_parts)
from xlpricing.sheets import layout as L

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).parent / "lite"
# The Pyodide the workbook names (Python 3.14) and the line older Lite add-ins named (0.27, Python 3.12)
PYODIDES = {
    PYODIDE_VERSION: Path(os.environ.get("XLPRICING_PYODIDE_DIR", ROOT / ".node" / "node_modules" / "pyodide")),
    PYODIDE_OLDER: Path(os.environ.get("XLPRICING_PYODIDE_OLDER_DIR",
                                       ROOT / ".node" / "pyodide-0.27" / "node_modules" / "pyodide")),
}
PYTHON_OF = {PYODIDE_VERSION: "3.14.", PYODIDE_OLDER: "3.12."}
NODE = shutil.which("node")
BOOK = get_price_book()

PYODIDE_MISSING = NODE is None or not all((d / "pyodide.mjs").exists() for d in PYODIDES.values())
WHY = (f"needs Node.js and the npm package pyodide, {PYODIDE_VERSION} and {PYODIDE_OLDER}, in "
       f"{' and '.join(map(str, PYODIDES.values()))}: ./scripts/test installs both from npm when npm is on "
       "PATH; .ci/run always does")
if PYODIDE_MISSING and os.environ.get("XLPRICING_REQUIRE_PYODIDE"):  # CI: never a silent skip
    raise RuntimeError(f"XLPRICING_REQUIRE_PYODIDE is set, but the Lite tests {WHY}")
needs_pyodide = pytest.mark.skipif(PYODIDE_MISSING, reason=WHY)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    path = tmp_path_factory.mktemp("lite") / "lite.xlsx"
    assert main(["lite", "-o", str(path)]) == 0
    return path


def run_in_pyodide(main_py: str, request: dict, tmp_path: Path, version: str = PYODIDE_VERSION) -> dict:
    (tmp_path / "main.py").write_text(main_py, encoding="utf-8")
    (tmp_path / "request.json").write_text(json.dumps(request), encoding="utf-8")
    done = subprocess.run([NODE, str(HERE / "run_in_pyodide.mjs"), str(PYODIDES[version]), str(HERE / "harness.py"),
                           str(tmp_path / "main.py"), str(tmp_path / "request.json")],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def lite_shaped_calls() -> list[tuple[str, list]]:
    """What Lite hands the functions: floats, None for blanks, add-ons as text or a column of cells."""
    calls: list[tuple[str, list]] = []
    for s in scenarios():
        edition, dau, groups, addons, months = s[:5]
        number = lambda v: float(v) if isinstance(v, (int, float)) else v  # noqa: E731
        column = [[code] for code in addons] + [[None]] * 2  # a range of add-on cells, two blank
        calls.append(("IMQUOTE", [edition, number(dau), number(groups), column, number(months)]))
        calls.append(("IMQUOTE", [edition, number(dau), number(groups), ", ".join(addons) or None, number(months)]))
        calls.append(("IMOVERAGE", [edition, number(dau), number(groups)]))
    calls.append(("IMQUOTE_LINES", ["pro", 35000.0, 202000.0, "history_90, moderation", 12.0]))
    calls.append(("IMQUOTE_LINES", ["flagship", None, None, [["members_6000"], [None]], None]))
    # a column of scenarios in one call (the form Lite needs most: each cell is its own call there)
    editions = [["pro"], ["pro"], ["pro"], ["flagship"], ["gold"], ["pro"]]
    dau = [[9999.0], [10000.0], [10001.0], [22000.0], [1.0], [None]]
    addons = [["history_90"], [None], ["moderation"], [None], [None], ["#N/A"]]
    calls.append(("IMQUOTE", [editions, dau, 0.0, addons, 12.0]))
    calls.append(("IMOVERAGE", [editions, dau, [[0.0]] * 6]))
    for addon in BOOK.addon_codes:
        for edition in (*BOOK.edition_codes, None):
            calls.append(("IMPRICE", [addon, edition]))
    calls += [("IMPRICE", ["pro", None]), ("IMPRICE", ["overage_dau", None]), ("IMPRICE", ["nope", "pro"])]
    calls += [
        ("IMBEST", [50000.0, 200000.0, "members=3000, history=90, moderation"]),
        ("IMBEST", [None, None, [["members", 3000.0], ["history", 90.0], [None, None]]]),
        ("IMBEST_TABLE", [35000.0, 202000.0, "history=90, call_minutes=200000"]),
        ("IMFORECAST", ["pro", [[10000.0], [22000.0], [35000.0]], 202000.0, "history_90"]),
        ("IMBREAKEVEN", ["pro", None, "flagship", None, 0.0]),
        ("IMBREAKEVEN", ["pro", "history_90", "flagship", [["history_90"]], 150000.0]),
    ]
    # deals: a range with a header, one row per app or per app and phase (Lite hands rows of cells)
    ramp = [["应用", "版本", "峰值DAU", "峰值群组", "增值服务", "起始月"], ["prod", "pro", 8000.0, None, None, None],
            ["prod", None, 25000.0, None, None, 4.0], ["prod", None, 61000.0, None, None, 7.0],
            ["second", "flagship", 5000.0, None, "members_6000", None], [None] * 6]
    calls += [("IMDEAL", [ramp, 12.0, None, "tencent-im-cn-seed"]), ("IMDEAL_LINES", [ramp, 12.0, 5.0, None]),
              ("IMDEAL", [ramp, 3.0, None, None]), ("IMDEAL", [[["app", "edition"], ["a", "pro"], ["a", "trial"]]])]
    # the books embedded in main.py: a date (text, or a date cell's serial as Lite sends it) or an id
    calls += [
        ("IMQUOTE", ["pro", 35000.0, 0.0, None, 12.0, "2024-06-01"]),
        ("IMQUOTE", ["pro", 35000.0, 0.0, None, 12.0, 45444.0]),
        ("IMQUOTE", ["pro", 22000.0, 202000.0, None, 1.0, "tencent-im-overseas"]),
        ("IMQUOTE", ["pro", 0.0, 0.0, "call_advanced", 1.0, "2023-03-07"]),
        ("IMPRICE", ["pro", None, "2023-12-31"]),
        ("IMQUOTE", ["pro", 0.0, 0.0, None, 1.0, "no-such-book"]),
    ]
    # what a rep's sheet also holds: error texts, garbled and huge numbers, ragged lists, bools
    calls += [
        ("IMQUOTE", ["pro", "#N/A", 202000.0, "history_90", 12.0]),
        ("IMQUOTE", ["pro", 35000.0, 202000.0, "history_90", "#VALUE!"]),
        ("IMQUOTE", ["pro", "+-35000", None, None, None]),
        ("IMQUOTE", ["pro", "5" * 5000, None, None, None]),
        ("IMQUOTE", ["pro", 1e300, None, None, None]),
        ("IMQUOTE", [[["pro"], 5]]),
        ("IMQUOTE", ["pro", True, None, None, None]),
        ("IMQUOTE", ["pro", 35000.5, None, None, None]),
        ("IMQUOTE", ["trial", 150.0, None, None, None]),
        ("IMPRICE", ["#N/A", None]),
        ("IMBEST", [1000.0, 0.0, "#N/A"]),
        ("IMFORECAST", ["pro", [[1.0]] * 121, None, None]),
    ]
    return calls


def cpython(name: str, args: list):
    return json.loads(json.dumps(getattr(udf, name)(*args)))


# ---------------------------------------------------------------- the file


def test_lite_parts_are_stored_as_lite_stores_them(workbook):
    with zipfile.ZipFile(workbook) as z:
        names = set(z.namelist())
        assert {TASKPANES_PART, TASKPANES_RELS_PART, WEBEXTENSION_PART} <= names
        types = z.read("[Content_Types].xml").decode()
        assert f'<Override PartName="/{TASKPANES_PART}" ContentType="{CT_TASKPANES}"/>' in types
        assert f'<Override PartName="/{WEBEXTENSION_PART}" ContentType="{CT_WEBEXTENSION}"/>' in types
        rels = z.read("_rels/.rels").decode()
        assert re.search(rf'<Relationship Id="rId\d+" Type="{re.escape(REL_TASKPANES)}" Target="{TASKPANES_PART}"/>',
                         rels)
        assert len(set(re.findall(r'Id="([^"]+)"', rels))) == len(re.findall(r'Id="', rels))  # ids unique
        pane_rels = z.read(TASKPANES_RELS_PART).decode()
        assert f'Type="{REL_WEBEXTENSION}" Target="webextension1.xml"' in pane_rels
        assert 'r:id="rId1"' in z.read(TASKPANES_PART).decode()
        xml = z.read(WEBEXTENSION_PART).decode()
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>')
    assert f'<we:webextension xmlns:we="{NS_WE}"' in xml
    assert '<we:reference id="wa200008175" version="1.0.0.0"' in xml
    assert '<we:reference id="WA200008175" version="1.0.0.0" store="WA200008175" storeType="OMEX"/>' in xml
    assert "<we:containsCustomFunctions/>" in xml and "{D87F86FE-615C-45B5-9D79-34F1136793EB}" in xml
    # each value is the JSON encoding of the text (starts and ends with a quote, newlines as \n),
    # XML-escaped inside the attribute
    raw = re.search(r'<we:property name="main.py" value="([^"]*)"/>', xml).group(1)
    assert raw.startswith("&quot;") and raw.endswith("&quot;") and "\\n" in raw and "\n" not in raw
    parts = read_lite_parts(workbook)
    assert set(parts) == {"main.py", "pyodideVersion", "requirements.txt"}
    assert parts["pyodideVersion"] == "314.0.7"
    # the add-in's required lines; no exact pins (Lite pins what it installs itself): xlwings gets
    # the range pyproject gives it
    assert parts["requirements.txt"].splitlines() == [
        "xlwings<0.38,>=0.37.8  # required", "python-dotenv  # required", "pyodide-http  # required",
        "black  # required"]


def test_main_py_is_readable_and_runs_nothing_downloaded(workbook):
    text = read_lite_parts(workbook)["main.py"]
    head = text[:600]
    assert "xlpricing for xlwings Lite" in head and "xlpricing 0.1.0" in head
    assert "price book tencent-im-cn-seed" in head and "Regenerate with `xlpricing lite`, do not edit" in head
    # nothing is downloaded: only xlpricing/remote.py talks to a network, to the team server the
    # user names in Lite's environment variables, and only when one of its two scripts is run
    remote = re.search(r"\n_FILES\['xlpricing/remote.py'\] = \(\n.*?\n\)\n", text, re.S).group(0)
    assert "SERVER_ENV = \"XLPRICING_SERVER\"" in remote.replace("'", "")
    for forbidden in ("urllib", "pyodide.http", "micropip", "eval(", "base64", "import requests", "fetch("):
        assert forbidden not in text.replace(remote, "").replace("urllib.parse", ""), forbidden
    compile(text, "main.py", "exec")
    # the package's own modules, not a reimplementation: the engine's text is in it verbatim
    engine = (ROOT / "xlpricing" / "engine.py").read_text(encoding="utf-8")
    assert "_FILES['xlpricing/engine.py']" in text
    namespace: dict = {}
    exec(text.split("\n_udf = _load()")[0], namespace)  # the files, without importing them here
    assert namespace["_FILES"]["xlpricing/engine.py"] == engine
    assert namespace["_FILES"]["xlpricing/pricebooks/tencent-im-cn-seed.toml"] == BOOK.toml


def test_the_printed_main_py_equals_the_embedded_one(workbook, capsys):
    assert main(["lite", "--main-py"]) == 0
    assert capsys.readouterr().out == read_lite_parts(workbook)["main.py"]
    assert main(["lite", "--requirements"]) == 0
    assert capsys.readouterr().out == read_lite_parts(workbook)["requirements.txt"]


def test_openpyxl_opens_it_and_the_functions_sheet_shows_version_and_book(workbook):
    wb = openpyxl.load_workbook(workbook)
    assert wb.sheetnames[0] == L.EXAMPLES_SHEET and wb.active.title == L.EXAMPLES_SHEET
    assert {L.QUOTE_SHEET, L.COMPARE_SHEET, L.PRICE_SHEET} <= set(wb.sheetnames)
    ws = wb[L.EXAMPLES_SHEET]
    texts = " ".join(str(c.value) for row in ws.iter_rows() for c in row if isinstance(c.value, str))
    assert "xlpricing 0.1.0" in texts and "tencent-im-cn-seed" in texts and "xlwings Lite" in texts
    formulas = [c.value for row in ws.iter_rows() for c in row if c.data_type == "f"]
    arrays = [f.text for f in formulas if not isinstance(f, str)]
    assert len(arrays) == len(formulas) - 1  # every call a (dynamic) array; the one other is =QuoteTotal
    assert any(t.startswith("=_xldudf_IMQUOTE(A") for t in arrays)  # the column of scenarios, one call
    assert any(t.startswith("=_xldudf_IMQUOTE_LINES(") for t in arrays)
    assert any(t.startswith("=_xldudf_IMBEST(") for t in arrays)
    assert not any(re.search(r"(?<!_xldudf_)\bIM[A-Z_]+\(", t) for t in arrays)  # never the plain name
    assert ws["D5"].value.startswith("#NAME? or #BUSY! in column C: the xlwings Lite add-in has not started")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice (.ci/run installs it)")
def test_libreoffice_recalculates_the_template_sheets_to_the_engines_numbers(workbook, tmp_path):
    from xlpricing.sheets.libreoffice import convert
    (out,) = convert([workbook], "xlsx", tmp_path)
    wb = openpyxl.load_workbook(out, data_only=True)
    ws = wb[L.QUOTE_SHEET]
    assert (ws[L.QUOTE_TOTAL_CELL].value, ws[L.STATUS_CELL].value) == (999, "OK")  # pro, 1 month
    # the native cross-check on the Functions sheet reads the quote sheet too
    values = [c.value for row in wb[L.EXAMPLES_SHEET].iter_rows() for c in row]
    assert 999 in values


@pytest.mark.parametrize("argv, code, says", [
    (["lite", "-o", "{tmp}/exists.xlsx"], 2, "exists; pass --force"),
    (["lite", "-o", "/proc/xlpricing-lite.xlsx"], 1, "cannot write /proc/xlpricing-lite.xlsx"),
    (["lite", "-o", "{tmp}/afile/x.xlsx"], 1, "is a file, not a folder"),
    (["lite", "-o", "{tmp}/x.xlsm"], 2, "an xlwings Lite workbook is an .xlsx file"),
    (["--price-book", "nope", "lite", "-o", "{tmp}/y.xlsx"], 2, "no price book called 'nope'"),
])
def test_bad_requests_are_one_clear_line_and_no_file(tmp_path, capsys, argv, code, says):
    (tmp_path / "exists.xlsx").write_bytes(b"mine")
    (tmp_path / "afile").write_text("x")
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main([a.replace("{tmp}", str(tmp_path)) for a in argv]) == code
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert (tmp_path / "exists.xlsx").read_bytes() == b"mine"


# ---------------------------------------------------------------- in WebAssembly Python


@needs_pyodide
@pytest.mark.parametrize("version", list(PYODIDES))
def test_the_pyodide_installed_is_the_one_named(version):
    assert json.loads((PYODIDES[version] / "package.json").read_text())["version"] == version


@needs_pyodide
@pytest.mark.parametrize("version", list(PYODIDES))
def test_main_py_from_the_workbook_prices_like_cpython_in_pyodide(workbook, tmp_path, version):
    calls = lite_shaped_calls()
    answer = run_in_pyodide(read_lite_parts(workbook)["main.py"], {"calls": calls}, tmp_path, version)
    assert answer["python"].startswith(PYTHON_OF[version])  # Pyodide's own CPython build, not this one
    # the README's example, worked by hand: (999 + 1,000 + 3 × 1,000 + 2 × 1,000) × 12 = 83,988
    assert answer["timings"]["first_result"] == 83_988
    assert len(answer["results"]) == len(calls)
    for (name, args), got in zip(calls, answer["results"]):
        assert not (isinstance(got, dict) and "raised" in got), (name, str(args)[:200], got)
        assert got == cpython(name, args), (name, str(args)[:200])
    # and the column call is the one a rep would check by hand: 9,999 and 10,000 are free, 10,001 is one block
    column = answer["results"][[i for i, (n, a) in enumerate(calls) if n == "IMQUOTE" and a[0] == [["pro"], ["pro"],
                                                                   ["pro"], ["flagship"], ["gold"], ["pro"]]][0]]
    assert column[:4] == [[(999 + 1000) * 12], [999 * 12], [(999 + 1000 + 1000) * 12], [(2999 + 2000) * 12]]
    assert column[4][0].startswith("#IMQUOTE: unknown edition 'gold'")
    assert column[5][0] == "#IMQUOTE: addons is the error #N/A: fix the cell it comes from"
    # a date picks the 2024 book inside Pyodide too: (1,499 + 3 × 1,000) × 12 = 53,988
    dated = [got for (name, args), got in zip(calls, answer["results"]) if len(args) == 6 and args[5] == "2024-06-01"]
    assert dated == [53_988]
    # a deal in Pyodide, by hand: prod 2,997 + 8,997 + 41,994 = 53,988; second (2,999 + 500) × 12 = 41,988
    deal = next(got for (name, args), got in zip(calls, answer["results"]) if name == "IMDEAL")
    assert deal == 95_976


@needs_pyodide
def test_every_function_is_exported_by_main_py(workbook, tmp_path):
    fewest = {"IMQUOTE": ["pro"], "IMQUOTE_LINES": ["pro"], "IMPRICE": ["pro"], "IMOVERAGE": ["pro"],
              "IMBEST": [], "IMBEST_TABLE": [], "IMFORECAST": ["pro", [[35000.0]]], "IMBREAKEVEN": ["pro"],
              "IMDEAL": [[["app", "edition"], ["a", "pro"]]], "IMDEAL_LINES": [[["app", "edition"], ["a", "pro"]]]}
    assert set(fewest) == set(FUNCTIONS)
    calls = [(name, args) for name, args in fewest.items()]
    answer = run_in_pyodide(read_lite_parts(workbook)["main.py"], {"calls": calls}, tmp_path)
    for (name, args), got in zip(calls, answer["results"]):
        assert got == cpython(name, args), name


def test_committed_lite_workbook_matches_the_generator(tmp_path):
    import datetime as dt
    from xlpricing.pricebook import book_in_force
    from xlpricing.sheets.contents import differences, workbook_contents
    committed = ROOT / "workbooks" / "xlpricing-lite.xlsx"
    # built as scripts/build_workbooks.py builds it: with the China book in force today
    workbook = tmp_path / "lite.xlsx"
    assert main(["--price-book", book_in_force(dt.date.today()).id, "lite", "-o", str(workbook)]) == 0
    diffs = differences(workbook_contents(committed), workbook_contents(workbook))
    assert not diffs, "workbooks/ is stale: run scripts/build_workbooks.py\n" + "\n".join(diffs)
    assert read_lite_parts(committed) == read_lite_parts(workbook), "workbooks/xlpricing-lite.xlsx carries an " \
        "older main.py: run scripts/build_workbooks.py"


@needs_pyodide
def test_price_book_chosen_for_the_workbook_is_its_default(tmp_path, capsys):
    assert main(["--price-book", "tencent-im-cn-2024", "lite", "--main-py"]) == 0
    main_py = capsys.readouterr().out
    assert "price book tencent-im-cn-2024" in main_py[:600]
    calls = [("IMQUOTE", ["pro", 35000.0, 0.0, None, 12.0]), ("IMPRICE", ["pro", None]),
             ("IMQUOTE", ["pro", 35000.0, 0.0, None, 12.0, "tencent-im-cn-seed"])]
    answer = run_in_pyodide(main_py, {"calls": calls}, tmp_path)
    # 2024: (1,499 + 3 × 1,000) × 12 = 53,988; the seed book still answers when named: (999 + 3,000) × 12 = 47,988
    assert answer["results"] == [53_988, 1_499, 47_988]


# ---------------------------------------------------------------- the example cells, priced in Pyodide


def _split_args(text: str) -> list[str]:
    """A formula's arguments, split at the commas outside quotes."""
    args, current, quoted = [], "", False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            args.append(current)
            current = ""
        else:
            current += ch
    return [*args, current] if text else args


def _as_lite_hands_it(value):
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def _argument(wb, ws, text: str):
    """What Excel hands the function for one argument: a constant, a range of this sheet, a defined name."""
    if text.startswith('"'):
        return text[1:-1].replace('""', '"')
    if re.fullmatch(r"[0-9.]+", text):
        return float(text)
    if re.fullmatch(r"[A-Z]+[0-9]+:[A-Z]+[0-9]+", text):
        return [[_as_lite_hands_it(c.value) for c in row] for row in ws[text]]
    (sheet, ref), = wb.defined_names[text].destinations
    cells = wb[sheet][ref.replace("$", "")]
    if not isinstance(cells, tuple):
        return _as_lite_hands_it(cells.value)
    return [[_as_lite_hands_it(c.value) for c in row] for row in cells]


@needs_pyodide
def test_every_example_cell_spills_what_main_py_returns(workbook, tmp_path):
    """Each _xldudf_ call: its spill range is the size the function returns for its arguments in
    Pyodide (main.py taken from the workbook), and every cell of the range holds that result."""
    from openpyxl.worksheet.formula import ArrayFormula
    formulas = openpyxl.load_workbook(workbook)
    values = openpyxl.load_workbook(workbook, data_only=True)
    found = []
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, ArrayFormula) and "_xldudf_" in c.value.text:
                    name, args = re.fullmatch(r"=_xldudf_([A-Z_]+)\((.*)\)", c.value.text).groups()
                    found.append((ws.title, c.value.ref, name,
                                  [_argument(formulas, ws, a) for a in _split_args(args)]))
    assert len(found) == 10  # seven single cells, the lines table, the column of scenarios, IMBEST
    answer = run_in_pyodide(read_lite_parts(workbook)["main.py"], {"calls": [(n, a) for _, _, n, a in found]},
                            tmp_path)
    for (sheet, ref, name, args), result in zip(found, answer["results"]):
        grid = result if isinstance(result, list) else [[result]]
        cells = values[sheet][ref] if ":" in ref else ((values[sheet][ref],),)
        assert (len(cells), len(cells[0])) == (len(grid), len(grid[0])), (sheet, ref, name)
        stored = [[c.value for c in row] for row in cells]
        assert stored == [[None if v == "" else v for v in row] for row in grid], (sheet, ref, name)
    # and by hand, the first example: (999 + 1,000 history_90 + 3 × 1,000 DAU + 2 × 1,000 groups) × 12
    assert answer["results"][0] == 83_988


def _error_cell_calls() -> list[tuple[str, list]]:
    """Every argument of every function, in turn an error cell while the others are valid."""
    import inspect
    valid = {"edition": "pro", "peak_dau": 35000.0, "peak_groups": 0.0, "addons": "history_90", "months": 12.0,
             "price_book": None, "code": "history_90", "needs": "members=3000", "dau_range": [[10000.0], [20000.0]],
             "groups_range": 0.0, "edition_a": "pro", "addons_a": None, "edition_b": "flagship", "addons_b": None,
             "table": [["app", "edition"], ["prod", "pro"]], "discount": None}
    calls = []
    for name in FUNCTIONS:
        params = list(inspect.signature(getattr(udf, name)).parameters)
        for p in params:
            args = [valid[q] for q in params]
            args[params.index(p)] = {"error": "#N/A"}
            calls.append((name, args))
    return calls


@needs_pyodide
def test_error_cells_are_refused_by_name_under_lites_conversion(workbook, tmp_path):
    """Lite hands an error cell over as its text because every argument sets err_to_str (the
    harness applies the options the functions really carry): each function refuses it by name."""
    calls = _error_cell_calls()
    assert len(calls) == 46
    answer = run_in_pyodide(read_lite_parts(workbook)["main.py"], {"calls": calls}, tmp_path)
    for (name, args), got in zip(calls, answer["results"]):
        param = __import__("inspect").signature(getattr(udf, name)).parameters
        argument = list(param)[next(i for i, a in enumerate(args) if isinstance(a, dict))]
        text = got[0][0] if isinstance(got, list) else got
        assert text == f"#{name}: {argument} is the error #N/A: fix the cell it comes from", (name, argument)
    # the control: had the decorators not asked for err_to_str, Lite would hand over None, a blank,
    # and #N/A in peak_dau would price 0 DAU: (999 + 1,000 history_90) × 12 = 23,988
    assert udf.IMQUOTE("pro", None, 0.0, "history_90", 12.0) == 23_988

"""xlwings Lite: =IMQUOTE() on Mac, Excel for the web and PCs without Python.

Lite runs Python inside Excel (Pyodide) and keeps the code in the workbook: ``main.py`` and
``requirements.txt``, stored as properties of the workbook's Office add-in part. xlpricing is not
on PyPI, so the main.py written here carries the package's own modules (the engine and
``xlpricing.udf``, not a copy of their logic) and the price book as text. When Lite runs it, it
writes them into Pyodide's in-memory file system and imports ``xlpricing.udf``, whose decorated
functions Lite then registers. Nothing is downloaded and nothing from a cell is executed.

``main_py()`` and ``requirements_txt()`` are made from the installed package each time, so the
printed text (``xlpricing lite --main-py``) and the embedded one cannot drift apart.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import re
import uuid
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from .pricebook import PriceBook, shipped_books
from .sheets.udfcalls import add_override, add_relationship

PACKAGE_DIR = Path(__file__).parent
# The modules xlpricing.udf needs, below the adapters: standard library only, so Pyodide runs them.
# Paths below the package: every package's __init__.py too.
LITE_MODULES = ("__init__.py", "errors.py", "formatting.py", "charges.py", "book/__init__.py", "book/model.py",
                "book/catalog.py", "pricebook.py", "engine.py", "inputs.py", "deals.py", "dealinput.py",
                "presenter.py", "advisor.py", "udf.py", "remote.py")
FUNCTIONS = ("IMQUOTE", "IMQUOTE_LINES", "IMPRICE", "IMOVERAGE", "IMBEST", "IMBEST_TABLE", "IMFORECAST",
             "IMBREAKEVEN", "IMDEAL", "IMDEAL_LINES")

# What the Lite add-in marks "# required" in the requirements.txt it writes (seen in workbooks
# saved by add-in 1.0.0.0-11 to -18). No exact pins: Lite records the versions it installs in its
# own requirements-pinned.txt and its dependencies page advises ranges; xlwings gets the range
# this package is tested with (pyproject), the others whatever the add-in installs.
ADDIN_REQUIREMENTS = ("python-dotenv", "pyodide-http", "black")
XLWINGS_FALLBACK_RANGE = "<0.38"  # a source tree that is not installed has no metadata to read

# The Pyodide that main.py is tested on and that the workbook names (scripts/_pyodide.sh installs
# it; the tests also run main.py on PYODIDE_OLDER, the line that add-ins up to 1.0.0.0-18 named).
PYODIDE_VERSION = "314.0.7"
PYODIDE_OLDER = "0.27.5"

# The Office add-in: xlwings Lite in Microsoft's store (AppSource id WA200008175).
ADDIN_ID = "WA200008175"
NS_WE = "http://schemas.microsoft.com/office/webextensions/webextension/2010/11"
NS_WETP = "http://schemas.microsoft.com/office/webextensions/taskpanes/2010/11"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_TASKPANES = "http://schemas.microsoft.com/office/2011/relationships/webextensiontaskpanes"
REL_WEBEXTENSION = "http://schemas.microsoft.com/office/2011/relationships/webextension"
CT_TASKPANES = "application/vnd.ms-office.webextensiontaskpanes+xml"
CT_WEBEXTENSION = "application/vnd.ms-office.webextension+xml"
TASKPANES_PART = "xl/webextensions/taskpanes.xml"
WEBEXTENSION_PART = "xl/webextensions/webextension1.xml"
TASKPANES_RELS_PART = "xl/webextensions/_rels/taskpanes.xml.rels"
CUSTOM_FUNCTIONS_EXT = "{D87F86FE-615C-45B5-9D79-34F1136793EB}"


def package_version() -> str:
    try:
        return importlib.metadata.version("xlpricing")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree that is not installed
        return "0+source"


def xlwings_requirement() -> str:
    """``xlwings`` with the version range xlpricing depends on, e.g. ``xlwings<0.38,>=0.37.8``."""
    try:
        requires = importlib.metadata.requires("xlpricing") or []
    except importlib.metadata.PackageNotFoundError:
        requires = []
    for line in requires:
        match = re.fullmatch(r"xlwings\s*([<>=!~][^;]*)", line.strip())
        if match:
            return "xlwings" + match.group(1).replace(" ", "")
    return "xlwings" + XLWINGS_FALLBACK_RANGE


def requirements_txt() -> str:
    lines = [xlwings_requirement(), *ADDIN_REQUIREMENTS]
    return "".join(f"{line}  # required\n" for line in lines)


def _literal(text: str) -> str:
    """A text as a parenthesised Python literal, one source line per line, so the file stays readable."""
    lines = text.splitlines(keepends=True) or [""]
    return "(\n" + "".join(f"    {line!r}\n" for line in lines) + ")"


def main_py(book: PriceBook) -> str:
    """The main.py of a Lite workbook priced with ``book``."""
    files = {f"xlpricing/{name}": (PACKAGE_DIR / name).read_text(encoding="utf-8") for name in LITE_MODULES}
    # every shipped book, so =IMQUOTE(…, "2024-06-01") finds the prices of that day; the chosen one
    # (perhaps a file of one's own) is the default
    for shipped in shipped_books():
        files[f"xlpricing/pricebooks/{shipped.id}.toml"] = shipped.toml
    files[f"xlpricing/pricebooks/{book.id}.toml"] = book.toml
    digest = hashlib.sha256(json.dumps(files, sort_keys=True).encode("utf-8")).hexdigest()[:12]
    version = package_version()
    head = f'''"""xlpricing for xlwings Lite: =IMQUOTE() and its family, priced inside Excel.

xlpricing {version} · price book {book.id} ({book.name_en})
Regenerate with `xlpricing lite`, do not edit: this file is made from the installed package.

What it runs: the xlpricing modules and the price book below are written as text files into
Pyodide's own in-memory file system and imported. Nothing is downloaded; nothing from a cell is
executed. Functions: {", ".join(FUNCTIONS)}.
"""

import sys as _sys
from pathlib import Path as _Path

XLPRICING_VERSION = {version!r}
PRICE_BOOK = {book.id!r}
_BUILD = {digest!r}
_FILES: dict[str, str] = {{}}  # filled at the end of this file


def _install() -> None:
    root = _Path("/tmp") / f"xlpricing-lite-{{_BUILD}}"
    for name, text in _FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for name in [m for m in _sys.modules if m == "xlpricing" or m.startswith("xlpricing.")]:
        del _sys.modules[name]  # Lite re-runs main.py after an edit: import this build, not a previous one
    if str(root) not in _sys.path:
        _sys.path.insert(0, str(root))


def _load():
    _install()
    import xlpricing.udf

    xlpricing.udf.use_default(PRICE_BOOK)  # the book this workbook was built with
    return xlpricing.udf

'''
    body = "".join(f"\n_FILES[{name!r}] = {_literal(text)}\n" for name, text in files.items())
    tail = ("\n_udf = _load()\n"
            + "".join(f"{name} = _udf.{name}\n" for name in FUNCTIONS)
            + _scripts())
    return head + body + tail


def _scripts() -> str:
    """main.py's two scripts (buttons in Lite's task pane), on the team server: record the quote
    typed on the quote sheet, and fetch the book in force (xlpricing.remote does the work)."""
    from .sheets import layout as L
    cells = {"customer": L.HEADER_FIELDS["customer"][2], "edition": L.INPUT_CELLS["Edition"],
             "peak_dau": L.INPUT_CELLS["PeakDAU"], "peak_groups": L.INPUT_CELLS["PeakGroups"],
             "addons": L.ADDONS_RANGE, "months": L.INPUT_CELLS["Months"], "discount": L.INPUT_CELLS["Discount"],
             "quote_number": L.HEADER_FIELDS["quote_number"][2], "quote_date": L.HEADER_FIELDS["quote_date"][2],
             "valid_until": L.HEADER_FIELDS["valid_until"][2]}
    return f'''

# ---- the team server (xlpricing serve): set XLPRICING_SERVER and XLPRICING_TOKEN in Lite's
# Environment Variables (the token from the server's account page; never in a cell)
import xlwings as _xw

_QUOTE_SHEET = {L.QUOTE_SHEET!r}
_CELLS = {cells!r}


@_xw.script
async def record_quote(book: _xw.Book):
    """Record the quote typed on the quote sheet on the team server; its number goes to {cells["quote_number"]}."""
    import xlpricing.remote
    print(await xlpricing.remote.record_sheet(book, _QUOTE_SHEET, _CELLS))


@_xw.script
async def update_price_book(book: _xw.Book):
    """Price with the team server's book in force from now on (said in A{L.SUBTITLE_ROW + 1} of the quote sheet)."""
    import xlpricing.remote
    import xlpricing.udf
    print(await xlpricing.remote.update_book(book, _QUOTE_SHEET, "A{L.SUBTITLE_ROW + 1}",
                                             xlpricing.udf.use_book_text))
'''


# ------------------------------------------------------------------------------ the workbook parts


def _property(name: str, value: str) -> str:
    # Lite stores each value JSON-encoded (quotes around it, newlines as \n), then XML-escaped
    return f'<we:property name="{escape(name)}" value="{escape(json.dumps(value, ensure_ascii=False), {chr(34): "&quot;"})}"/>'


FUNCTION_IDS_EXT = "{7C84B067-C214-45C3-A712-C9D94CD141B2}"


def webextension_xml(main: str, requirements: str, key: str, function_ids: list[str]) -> str:
    """The add-in's part, as the Lite add-in and Excel write it (tests/golden/excel).

    Properties, and why: ``main.py`` and ``requirements.txt`` are the workbook's code. ``pyodideVersion``
    names the Pyodide main.py is tested on (every Lite-saved workbook names one). Not written:
    ``addinVersion``, which records the add-in build that last saved the workbook (no add-in saved
    this one; the add-in writes its own when the rep saves), and the startup setting
    (``xlwingsSettingsWorkbook``), seen only second-hand: from add-in 1.0.0.0-28 a workbook starts on
    its own only after the rep has opened the add-in in it once and saved it, which a file written
    here cannot (and should not) skip. ``customFunctionIdList``: the functions the cells call,
    as Excel lists them (``_xldudf_NAME``).
    """
    guid = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"xlpricing-lite:{key}")).upper() + "}"
    ids = "".join(f"<we:customFunctionIds>{escape(i)}</we:customFunctionIds>" for i in function_ids)
    ext = '<a:ext xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" uri="{}">{}</a:ext>'
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<we:webextension xmlns:we="{NS_WE}" id="{guid}">'
            f'<we:reference id="{ADDIN_ID.lower()}" version="1.0.0.0" store="en-US" storeType="OMEX"/>'
            f'<we:alternateReferences><we:reference id="{ADDIN_ID}" version="1.0.0.0" store="{ADDIN_ID}" '
            'storeType="OMEX"/></we:alternateReferences>'
            f'<we:properties>{_property("main.py", main)}{_property("pyodideVersion", PYODIDE_VERSION)}'
            f'{_property("requirements.txt", requirements)}</we:properties>'
            f'<we:bindings/><we:snapshot xmlns:r="{NS_R}"/><we:extLst>'
            + ext.format(CUSTOM_FUNCTIONS_EXT, "<we:containsCustomFunctions/>")
            + ext.format(FUNCTION_IDS_EXT, f"<we:customFunctionIdList>{ids}</we:customFunctionIdList>"
                         if ids else "<we:customFunctionIdList/>")
            + '</we:extLst></we:webextension>')


# visibility="1": the pane opens with the workbook, and opening it is what starts Lite, so the
# example cells calculate on first open (Lite-saved files keep whatever the pane was at saving).
TASKPANES_XML = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                 f'<wetp:taskpanes xmlns:wetp="{NS_WETP}"><wetp:taskpane dockstate="right" visibility="1" '
                 f'width="350" row="4"><wetp:webextensionref xmlns:r="{NS_R}" r:id="rId1"/></wetp:taskpane>'
                 '</wetp:taskpanes>')
TASKPANES_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                  f'<Relationships xmlns="{NS_PKG_REL}"><Relationship Id="rId1" Type="{REL_WEBEXTENSION}" '
                  'Target="webextension1.xml"/></Relationships>')


def add_lite_parts(path: Path, main: str, requirements: str, key: str, function_ids: list[str]) -> None:
    """Rewrite a saved .xlsx (a temp file) with Lite's parts: openpyxl drops them when it saves."""
    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info.filename)) for info in src.infolist()]
    extra = {
        TASKPANES_PART: TASKPANES_XML,
        TASKPANES_RELS_PART: TASKPANES_RELS,
        WEBEXTENSION_PART: webextension_xml(main, requirements, key, function_ids),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in entries:
            if info.filename == "[Content_Types].xml":
                types = add_override(data.decode("utf-8"), TASKPANES_PART, CT_TASKPANES)
                data = add_override(types, WEBEXTENSION_PART, CT_WEBEXTENSION).encode("utf-8")
            elif info.filename == "_rels/.rels":
                data = add_relationship(data.decode("utf-8"), REL_TASKPANES, TASKPANES_PART).encode("utf-8")
            out.writestr(info, data)
        for name, text in extra.items():
            out.writestr(name, text.encode("utf-8"))


def read_lite_parts(path: str | Path) -> dict[str, str]:
    """main.py and requirements.txt as stored in a workbook (the inverse of what Lite stores)."""
    from xml.etree import ElementTree

    with zipfile.ZipFile(path) as z:
        root = ElementTree.fromstring(z.read(WEBEXTENSION_PART))
    return {p.get("name"): json.loads(p.get("value")) for p in root.iter(f"{{{NS_WE}}}property")}


# ------------------------------------------------------------------------------ the workbook


def write_lite_workbook(path: str | Path, book: PriceBook, force: bool = False) -> Path:
    """The template's sheets, a 函数示例 Functions sheet of live examples, and main.py inside."""
    from .sheets import layout as L
    from .sheets.cached import add_cached_values
    from .sheets.quotesheet import cached_values, default_quote
    from .sheets.template import build_template, open_on, save_workbook, write_examples_sheet
    from .sheets.udfcalls import LITE

    from .files import refuse_folder
    path = Path(path)
    refuse_folder(path)
    if path.suffix.lower() != ".xlsx":
        raise ValueError(f"{path.name}: an xlwings Lite workbook is an .xlsx file")
    main, requirements = main_py(book), requirements_txt()
    wb = build_template(book)
    calls = write_examples_sheet(wb.create_sheet(L.EXAMPLES_SHEET, 0), book, LITE, lite_version=package_version())
    open_on(wb, L.EXAMPLES_SHEET)
    values = cached_values(book, default_quote(book))

    def finish(tmp: Path) -> None:
        add_cached_values(tmp, L.QUOTE_SHEET, values)
        LITE.store(tmp, calls)
        add_lite_parts(tmp, main, requirements, key=f"{book.id}:{package_version()}",
                       function_ids=LITE.function_ids(calls))

    return save_workbook(wb, path, force=force, finish=finish)

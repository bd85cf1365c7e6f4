"""Inside Pyodide: run a Lite workbook's main.py as Lite would, then answer REQUEST.

xlwings is not available offline in Pyodide, so its decorators are no-ops here (as they are off
Windows without Lite): what runs is main.py exactly as stored in the workbook, and through it the
embedded xlpricing modules and price book.

REQUEST (JSON): {"calls": [[function, [args…]], …], "bench": false}; ./scripts/bench adds sample sizes
                and "naive": {"source", "book"} (its reference pricer and the TOML it reads)
RESULT (JSON):  {"results": [...], "python": "3.x", "timings": {...}}

An argument (or a cell inside a range) given as {"error": "#N/A"} is an error cell: it reaches the
function the way Lite's Office.js conversion hands it over (xlwings 0.37.8,
pro/_xlofficejs.py _clean_value_data_element): as its text when the function's @arg for that
argument sets err_to_str, else as None. The options are read from the decorators the functions
really carry, recorded by the stand-in xlwings.arg below.
"""

import inspect
import json
import sys
import time
import types


def _passthrough(*args, **kwargs):
    if len(args) == 1 and callable(args[0]) and not kwargs:
        return args[0]
    return lambda f: f


def _arg(name, *args, **options):
    def record(f):
        f.__dict__.setdefault("__lite_args__", {})[name] = options
        return f
    return record


def _lite_value(value, options):
    if isinstance(value, dict) and "error" in value:
        return value["error"] if options.get("err_to_str") else None
    if isinstance(value, list):
        return [_lite_value(v, options) for v in value]
    return value


def _as_lite_hands_them(function, args):
    names = list(inspect.signature(function).parameters)
    options = getattr(function, "__lite_args__", {})
    return [_lite_value(a, options.get(names[i], {})) for i, a in enumerate(args)]


xlwings = types.ModuleType("xlwings")
xlwings.func = _passthrough
xlwings.arg = _arg
xlwings.ret = lambda *args, **kwargs: (lambda f: f)
xlwings.script = _passthrough
xlwings.Book = object
sys.modules["xlwings"] = xlwings


class _Range:
    def __init__(self, cells, address):
        self.cells, self.address = cells, address

    @property
    def value(self):
        if ":" in self.address:  # a column of cells: a list, as xlwings reads one
            first, last = self.address.split(":")
            col, a, b = first[0], int(first[1:]), int(last[1:])
            return [self.cells.get(f"{col}{r}") for r in range(a, b + 1)]
        return self.cells.get(self.address)

    @value.setter
    def value(self, v):
        self.cells[self.address] = v


class _Sheet:
    def __init__(self, cells):
        self.cells = cells

    def __getitem__(self, address):
        return _Range(self.cells, address)


class _Book:
    """A stand-in for xlwings' sync Book: sheets by name, ranges by address, .value read and written."""

    def __init__(self, sheets):
        self.sheets = {name: _Sheet(cells) for name, cells in sheets.items()}

request = json.loads(REQUEST)  # noqa: F821 (set by run_in_pyodide.mjs)
main = types.ModuleType("main")
started = time.perf_counter()
exec(compile(MAIN_PY, "main.py", "exec"), main.__dict__)  # noqa: F821
first = main.IMQUOTE("pro", 35000.0, 202000.0, "history_90", 12.0)
first_result_ms = (time.perf_counter() - started) * 1000

results = []
for name, args in request["calls"]:
    try:
        function = getattr(main, name)
        results.append(function(*_as_lite_hands_them(function, args)))
    except BaseException as exc:  # a function that raises fails the test that reads this
        results.append({"raised": f"{type(exc).__name__}: {exc}"})

scripts = []
if request.get("scripts"):  # run main.py's scripts (they are async, as Lite runs them) on a stand-in book
    import contextlib
    import io
    import os
    os.environ.update(request.get("env", {}))
    book = _Book(request["book"])
    for name in request["scripts"]:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            await getattr(main, name)(book)
        scripts.append({"script": name, "printed": out.getvalue(),
                        "sheets": {n: dict(s.cells) for n, s in book.sheets.items()}})
    if request.get("calls_after"):  # the functions again, after the scripts (a book fetched from the server)
        results += [getattr(main, n)(*a) for n, a in request["calls_after"]]

timings = {"pyodide_load_ms": PYODIDE_LOAD_MS, "first_result_ms": first_result_ms,  # noqa: F821
           "first_result": first}
if request.get("bench"):
    n = request.get("scalar_calls", 20000)
    best = None
    for _ in range(3):
        t = time.perf_counter()
        for i in range(n):
            main.IMQUOTE("pro", float(i), 202000.0, "history_90", 12.0)
        best = min(best or 1e9, time.perf_counter() - t)
    timings["scalar_per_s"] = n / best
    rows = request.get("column_rows", 100000)
    editions = [["pro"] if i % 3 else ["flagship"] for i in range(rows)]
    dau = [[float(i * 7 % 400000)] for i in range(rows)]
    groups = [[float(i * 13 % 3000000)] for i in range(rows)]
    best = None
    for _ in range(3):
        t = time.perf_counter()
        column = main.IMQUOTE(editions, dau, groups, None, 12.0)
        best = min(best or 1e9, time.perf_counter() - t)
    timings["column_s"] = best
    timings["column_rows"] = len(column)
    if request.get("naive"):  # the bench's naive reference (scripts/naive_reference.py) on the same inputs
        naive = types.ModuleType("naive_reference")
        exec(compile(request["naive"]["source"], "naive_reference.py", "exec"), naive.__dict__)
        book = naive.numbers(request["naive"]["book"])
        best = None
        for _ in range(3):
            t = time.perf_counter()
            for i in range(n):
                naive.total(book, "pro", i, 202000, ("history_90",), 12)
            best = min(best or 1e9, time.perf_counter() - t)
        timings["naive_scalar_per_s"] = n / best
        deals = [(e[0], int(d[0]), int(g[0]), (), 12) for e, d, g in zip(editions, dau, groups)]
        best = None
        for _ in range(3):
            t = time.perf_counter()
            naive.totals(book, deals)
            best = min(best or 1e9, time.perf_counter() - t)
        timings["naive_column_s"] = best

RESULT = json.dumps({"results": results, "python": sys.version.split()[0], "timings": timings, "scripts": scripts},
                    default=str)

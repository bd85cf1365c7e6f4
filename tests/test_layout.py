"""The package's layout, held by a scan of its source (ast: the scan imports nothing of xlpricing).

- Function-level imports of xlpricing modules hide what a module depends on from its head; their
  number per module may only go down (LAZY_IMPORTS holds today's counts, kept exact).
- No import circles, function-level imports included, beyond ALLOWED_CYCLES (which only shrinks).
- The modules xlwings Lite runs in Pyodide import only the standard library and each other, and
  ``import xlpricing.udf`` loads nothing heavy (README, Performance).
"""

from __future__ import annotations

import ast
import functools
import json
import subprocess
import sys
from collections import deque
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "xlpricing"

# Function-level imports of xlpricing modules per module (names below xlpricing), as counted at
# the start of the one-quote work. A count may only go down: import at the top of the module instead.
LAZY_IMPORTS = {
    "batch": 18,
    "commands.base": 3,
    "commands.onserver": 2,
    "commands.pricing": 13,
    "commands.proposals": 7,
    "commands.register": 8,
    "commands.server": 16,
    "commands.workbooks": 2,
    "dealinput": 1,
    "inputs": 1,
    "lite": 7,
    "quoting": 26,
    "register.core": 3,
    "server.api": 4,
    "server.forms": 3,
    "server.pages": 13,
    "sheets.proposal": 4,
    "sheets.quotesheet": 1,
    "sheets.style": 2,
    "sheets.template": 2,
    "sheets.udfcalls": 1,
    # On purpose, and to stay: the presenter, deals and advisor load only when a cell asks for
    # lines, a deal or advice, so `import xlpricing.udf` (what Excel's UDF server and Lite pay
    # before the first =IMQUOTE) stays light (README, Performance).
    "udf": 7,
}

# Import circles that exist today, each as its modules in order (the last imports the first).
# Being removed: when one is gone, its entry goes too; none may be added.
ALLOWED_CYCLES: tuple[tuple[str, ...], ...] = ()
SHOWN_CIRCLES = 5  # one new import can close dozens of circles: the shortest say where it is

# What =IMQUOTE needs in xlwings Lite whatever else LITE_MODULES lists (short names, as above).
LITE_AT_LEAST = {"engine", "charges", "pricebook", "udf", "inputs", "deals", "dealinput", "formatting", "errors"}
# Imports outside the standard library that Pyodide in xlwings Lite has: the host's own modules.
LITE_HOST_MODULES = {
    "xlwings": "the Lite add-in installs it (the requirements.txt lite.py writes)",
    "pyodide": "Pyodide's own package, imported only when running inside it",
}
# What `import xlpricing.udf` must not load (each costs the UDF server and Lite's first result).
HEAVY_MODULES = ("openpyxl", "sqlite3", "psycopg", "starlette", "formulas")


@dataclass(frozen=True)
class Import:
    line: int
    lazy: bool  # inside a function body: it runs when the function is called
    modules: tuple[str, ...]  # what it imports, resolved to module names ("xlpricing.engine", "decimal")


def short(module: str) -> str:
    return module.removeprefix("xlpricing.") if module != "xlpricing" else "xlpricing (its __init__)"


def module_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def package_modules() -> dict[str, Path]:
    return {module_of(p): p for p in sorted(PACKAGE.rglob("*.py"))}


class _ImportCollector(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool, known: dict[str, Path]):
        # the package a relative import starts from: the module's own if it is an __init__
        self.here = module.split(".") if is_package else module.split(".")[:-1]
        self.known, self.depth, self.found = known, 0, []

    def _function(self, node: ast.AST) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_Import(self, node: ast.Import) -> None:
        self.found.append(Import(node.lineno, self.depth > 0, tuple(a.name for a in node.names)))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            base = ".".join(self.here[:len(self.here) - node.level + 1] + ([node.module] if node.module else []))
        else:
            base = node.module or ""
        # `from . import onserver` imports the module onserver; `from .engine import Quote` imports engine
        modules = tuple(dict.fromkeys(f"{base}.{a.name}" if f"{base}.{a.name}" in self.known else base
                                      for a in node.names))
        self.found.append(Import(node.lineno, self.depth > 0, modules))


@functools.cache
def imports() -> dict[str, tuple[Import, ...]]:
    """Every module of the package → its import statements, at any level."""
    known = package_modules()
    out = {}
    for module, path in known.items():
        collector = _ImportCollector(module, path.name == "__init__.py", known)
        collector.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        out[module] = tuple(collector.found)
    return out


def ours(name: str) -> bool:
    return name == "xlpricing" or name.startswith("xlpricing.")


def where(module: str, statement: Import) -> str:
    return f"{package_modules()[module].relative_to(ROOT)}:{statement.line}"


# ------------------------------------------------------------------------------ lazy imports


def test_function_level_imports_do_not_grow():
    counts: dict[str, list[str]] = {}  # short name → where each function-level import is
    for module, statements in imports().items():
        lazy = [where(module, s) for s in statements if s.lazy and any(map(ours, s.modules))]
        if lazy:
            counts[short(module)] = lazy
    grown = [f"{m}: {len(found)} function-level import(s) of xlpricing modules, LAZY_IMPORTS allows "
             f"{LAZY_IMPORTS.get(m, 0)} ({', '.join(found)}): import "
             "at the top of the module; if that makes a circle, move what both modules need below them"
             for m, found in sorted(counts.items()) if len(found) > LAZY_IMPORTS.get(m, 0)]
    shrunk = [f"{m}: {len(counts.get(m, ()))} function-level import(s) of xlpricing modules, LAZY_IMPORTS says "
              f"{allowed}: " + (f"lower LAZY_IMPORTS[{m!r}] in tests/test_layout.py to {len(counts[m])}"
                                if m in counts else f"remove {m!r} from LAZY_IMPORTS in tests/test_layout.py")
              for m, allowed in sorted(LAZY_IMPORTS.items()) if len(counts.get(m, ())) < allowed]
    assert not grown, "function-level imports grew:\n" + "\n".join(grown)
    assert not shrunk, "function-level imports went down (good): keep the baseline exact:\n" + "\n".join(shrunk)


# ------------------------------------------------------------------------------ import circles


def import_graph() -> dict[str, dict[str, Import]]:
    """module → {xlpricing module it imports: the first statement that does}, lazy imports included.
    A module's own packages are left out: Python imports them before the module anyway."""
    graph: dict[str, dict[str, Import]] = {}
    for module, statements in imports().items():
        edges = graph.setdefault(module, {})
        for statement in statements:
            for target in statement.modules:
                if ours(target) and target != module and not module.startswith(target + "."):
                    edges.setdefault(target, statement)
    return graph


def path_between(graph: dict[str, dict[str, Import]], start: str, goal: str) -> list[str]:
    """The shortest import chain start → … → goal (breadth first), [] when there is none."""
    came_from = {start: start}
    todo = deque([start])
    while todo:
        module = todo.popleft()
        if module == goal:
            chain = [goal]
            while chain[-1] != start:
                chain.append(came_from[chain[-1]])
            return chain[::-1]
        for target in graph.get(module, {}):
            if target not in came_from:
                came_from[target] = module
                todo.append(target)
    return []


def cycle_edges(cycle: tuple[str, ...]) -> set[tuple[str, str]]:
    full = ["xlpricing." + m for m in cycle]
    return set(zip(full, full[1:] + full[:1]))


def describe(graph: dict[str, dict[str, Import]], chain: list[str]) -> str:
    return ", ".join(f"{short(a)} imports {short(b)} ({where(a, graph[a][b])}"
                     f"{', in a function' if graph[a][b].lazy else ''})" for a, b in pairwise(chain))


def test_no_import_circles_beyond_the_allowed_ones():
    graph = import_graph()
    allowed = set().union(*map(cycle_edges, ALLOWED_CYCLES))
    circles: dict[frozenset, list[str]] = {}
    for module, edges in sorted(graph.items()):
        for target in sorted(edges):
            back = path_between(graph, target, module)  # an import lies on a circle when its target leads back
            if back and (module, target) not in allowed:
                chain = [module] + back
                circles.setdefault(frozenset(pairwise(chain)), chain)
    shortest = sorted(circles.values(), key=lambda chain: (len(chain), chain))
    shown = [describe(graph, chain) for chain in shortest[:SHOWN_CIRCLES]]
    more = f"\n… and {len(shortest) - SHOWN_CIRCLES} more" if len(shortest) > SHOWN_CIRCLES else ""
    assert not shortest, (
        "new import circles (a function-level import hides one, it does not remove it): move what both sides "
        "need into a module below them, or pass it in:\n" + "\n".join(shown) + more)


def test_allowed_cycles_still_exist():
    graph = import_graph()
    gone = []
    for cycle in ALLOWED_CYCLES:
        missing = [f"{short(a)} no longer imports {short(b)}" for a, b in sorted(cycle_edges(cycle))
                   if b not in graph.get(a, {})]
        if missing:
            gone.append(f"{' ↔ '.join(cycle)} ({'; '.join(missing)}): remove it from ALLOWED_CYCLES "
                        "in tests/test_layout.py")
    assert not gone, "import circles that are gone (good):\n" + "\n".join(gone)


# ------------------------------------------------------------------------------ xlwings Lite


def lite_modules() -> set[str]:
    from xlpricing.lite import LITE_MODULES

    # file names below xlpricing/: "engine.py", "book/__init__.py"
    return {module_of(PACKAGE / name) for name in LITE_MODULES}


def test_lite_modules_use_only_the_standard_library_and_each_other():
    lite = lite_modules()
    problems = [f"LITE_MODULES (xlpricing/lite.py) lacks {m}.py, which =IMQUOTE needs in xlwings Lite: add it"
                for m in sorted(LITE_AT_LEAST - {short(m) for m in lite})]
    for module in sorted(lite):
        if module not in imports():
            problems.append(f"LITE_MODULES names {short(module)}, which is not a module of the package: fix the list")
            continue
        parts = module.split(".")
        for package in (".".join(parts[:n]) for n in range(1, len(parts))):
            if package not in lite:  # Python runs a package's __init__ before any module in it
                problems.append(f"{short(module)} is in LITE_MODULES but its package's __init__ is not: add "
                                f"{Path(*package.split('.')[1:], '__init__.py')} to LITE_MODULES")
        for statement in imports()[module]:
            for target in statement.modules:
                if ours(target):
                    if target not in lite:
                        problems.append(
                            f"{where(module, statement)} imports {short(target)}, which LITE_MODULES does not list, "
                            "so Lite's main.py lacks it: add it to LITE_MODULES if it is standard library only, "
                            "else keep that code out of the modules Lite runs")
                elif target.partition(".")[0] not in sys.stdlib_module_names | LITE_HOST_MODULES.keys():
                    problems.append(
                        f"{where(module, statement)} imports {target}, which is not in the standard library and "
                        "Pyodide in xlwings Lite does not have it: move the code that needs it into a module "
                        "that LITE_MODULES does not list")
    assert not problems, "\n".join(problems)


def test_import_udf_stays_light():
    probe = f"import json, sys, xlpricing.udf; print(json.dumps([m for m in {HEAVY_MODULES!r} if m in sys.modules]))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout)
    assert not loaded, (
        f"import xlpricing.udf loads {', '.join(loaded)}: import it inside the function that needs it, not at the "
        f"top of a module on udf's import path (find which with: python -X importtime -c 'import xlpricing.udf' "
        f"2>&1 | grep -E '{'|'.join(loaded)}')")

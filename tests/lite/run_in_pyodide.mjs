// Runs a Lite workbook's main.py in Pyodide (CPython on WebAssembly) under Node, offline.
//   node run_in_pyodide.mjs PYODIDE_DIR HARNESS.py MAIN.py REQUEST.json
// HARNESS.py reads MAIN_PY and REQUEST (JSON) from its globals and leaves its answer, a JSON
// text, in RESULT; this script prints it.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [pyodideDir, harness, mainPy, request] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const started = performance.now();
const pyodide = await loadPyodide({ indexURL: pyodideDir + path.sep });
const loadedMs = performance.now() - started;
pyodide.globals.set("MAIN_PY", readFileSync(mainPy, "utf8"));
pyodide.globals.set("REQUEST", readFileSync(request, "utf8"));
pyodide.globals.set("PYODIDE_LOAD_MS", loadedMs);
await pyodide.runPythonAsync(readFileSync(harness, "utf8"));  // async: main.py's scripts are awaited
process.stdout.write(pyodide.globals.get("RESULT"));

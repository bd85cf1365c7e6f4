# Sourced by scripts/test and scripts/bench: Pyodide (CPython on WebAssembly, the Python inside
# xlwings Lite) from npm into .node/, once, where npm is on PATH. It loads offline afterwards.
# Two lines: the one the Lite workbook names (xlpricing/lite.py PYODIDE_VERSION, Python 3.14) and
# the one older Lite add-ins named (PYODIDE_OLDER, Python 3.12); main.py is tested on both.
_pyodide_install() {  # version, prefix
  if [ ! -f "$2/node_modules/pyodide/pyodide.mjs" ] \
     || ! grep -q "\"version\": \"$1\"" "$2/node_modules/pyodide/package.json" 2>/dev/null; then
    if command -v npm >/dev/null 2>&1; then
      npm install --prefix "$2" --no-audit --no-fund --no-save --silent "pyodide@$1" >/dev/null \
        || echo "warning: could not install pyodide $1 from npm; the xlwings Lite tests will be skipped" >&2
    else
      echo "note: no npm on PATH; the xlwings Lite tests (Pyodide under Node) will be skipped" >&2
    fi
  fi
}
_pyodide_version() {  # a constant of xlpricing/lite.py, without importing anything
  sed -n "s/^$1 = \"\(.*\)\"$/\1/p" "$ROOT/xlpricing/lite.py"
}
_pyodide_install "$(_pyodide_version PYODIDE_VERSION)" "$ROOT/.node"
_pyodide_install "$(_pyodide_version PYODIDE_OLDER)" "$ROOT/.node/pyodide-0.27"
export XLPRICING_PYODIDE_DIR="$ROOT/.node/node_modules/pyodide"
export XLPRICING_PYODIDE_OLDER_DIR="$ROOT/.node/pyodide-0.27/node_modules/pyodide"

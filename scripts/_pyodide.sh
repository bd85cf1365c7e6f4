# Sourced by scripts/test and scripts/bench: Pyodide (CPython on WebAssembly, the Python inside
# xlwings Lite) from npm into .node/, once, where npm is on PATH. It loads offline afterwards.
PYODIDE_VERSION="314.0.7"
if [ ! -f "$ROOT/.node/node_modules/pyodide/pyodide.mjs" ]; then
  if command -v npm >/dev/null 2>&1; then
    npm install --prefix "$ROOT/.node" --no-audit --no-fund --no-save --silent "pyodide@$PYODIDE_VERSION" >/dev/null \
      || echo "warning: could not install pyodide from npm; the xlwings Lite tests will be skipped" >&2
  else
    echo "note: no npm on PATH; the xlwings Lite tests (Pyodide under Node) will be skipped" >&2
  fi
fi
export XLPRICING_PYODIDE_DIR="$ROOT/.node/node_modules/pyodide"

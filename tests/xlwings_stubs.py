"""Load xlwings' real Windows UDF machinery on Linux, without Excel.

``xlwings/udfs.py`` imports ``pythoncom``, ``pywintypes`` and ``win32com.client`` at module
top; with those stubbed it imports anywhere (see ../shared/facts/excel-notes.md). Then
``xlpricing.udf`` is executed again as a fresh module with ``xw.func/arg/ret`` set to the real
``udfs.xlfunc/xlarg/xlret``, exactly as it is decorated inside Excel on Windows.

``conversion.read/write`` need an engine called "excel". The real one lives in
``xlwings/_xlwindows.py``, which needs ctypes.windll and cannot load here; ``ExcelLikeEngine``
copies the two methods the conversion pipeline calls from xlwings 0.37.8 (pinned in pyproject).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
import sys
import types

COM_MODULES = ("pythoncom", "pywintypes", "win32com", "win32com.client")

# xlwings/_xlwindows.py: what COM hands over for a cell showing an error
CELL_ERRORS = {
    -2146826281: "#DIV/0!", -2146826246: "#N/A", -2146826259: "#NAME?", -2146826288: "#NULL!",
    -2146826252: "#NUM!", -2146826265: "#REF!", -2146826273: "#VALUE!",
}
MISSING = -2147352572  # what COM passes for an omitted optional argument


class ExcelLikeEngine:
    """xlwings 0.37.8 ``_xlwindows.Engine``: the value cleaning the conversion pipeline calls."""

    name = "excel"
    type = "desktop"
    apps = None

    @staticmethod
    def prepare_xl_data_element(x, date_format):
        return "" if x is None else x

    @staticmethod
    def clean_value_data(data, datetime_builder, empty_as, number_builder, err_to_str):
        def clean(value):
            if value in ("", None):
                return empty_as
            if isinstance(value, (dt.date, dt.datetime)):
                return value
            if number_builder is not None and isinstance(value, float):
                return number_builder(value)
            if isinstance(value, int) and value in CELL_ERRORS:
                return CELL_ERRORS[value] if err_to_str else None
            return value
        return [[clean(c) for c in row] for row in data]


def _stub_com_modules() -> dict[str, types.ModuleType | None]:
    saved = {name: sys.modules.get(name) for name in COM_MODULES}
    pythoncom = types.ModuleType("pythoncom")
    pythoncom.CoInitialize = lambda: None
    pywintypes = types.ModuleType("pywintypes")
    pywintypes.com_error = type("com_error", (Exception,), {})
    pywintypes.TimeType = dt.datetime
    win32com = types.ModuleType("win32com")
    client = types.ModuleType("win32com.client")
    client.Dispatch = lambda *args, **kwargs: None
    win32com.client = client
    sys.modules.update({"pythoncom": pythoncom, "pywintypes": pywintypes,
                        "win32com": win32com, "win32com.client": client})
    return saved


@contextlib.contextmanager
def real_xlwings_udfs():
    """Yield (udfs, conversion, decorated xlpricing.udf module); undo every patch afterwards."""
    import xlwings
    from xlwings import conversion

    saved_modules = _stub_com_modules()
    had_udfs = "xlwings.udfs" in sys.modules
    saved_decorators = (xlwings.func, xlwings.arg, xlwings.ret)
    added_engine = "excel" not in xlwings.engines.engines_by_name
    try:
        udfs = importlib.import_module("xlwings.udfs")
        xlwings.func, xlwings.arg, xlwings.ret = udfs.xlfunc, udfs.xlarg, udfs.xlret
        spec = importlib.util.find_spec("xlpricing.udf")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)  # a second, really decorated copy of the module
        if added_engine:
            xlwings.engines.add(xlwings.Engine(impl=ExcelLikeEngine()))
        yield udfs, conversion, module
    finally:
        xlwings.func, xlwings.arg, xlwings.ret = saved_decorators
        if added_engine:
            engine = xlwings.engines.engines_by_name.pop("excel", None)
            if engine in xlwings.engines.engines:
                xlwings.engines.engines.remove(engine)
        if not had_udfs:
            sys.modules.pop("xlwings.udfs", None)
        for name, module in saved_modules.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


def call_like_excel(udfs, conversion, module, name: str, *com_args):
    """What ``udfs.call_udf`` does with a call from a cell, minus the COM objects:
    omitted optionals become the Python default, each argument goes through
    ``conversion.read`` with its options, the result through ``conversion.write``."""
    func = getattr(module, name)
    info = func.__xlfunc__
    args = []
    for i, value in enumerate(com_args):
        arg_info = info["args"][min(i, len(info["args"]) - 1)]
        if isinstance(value, int) and value == MISSING:
            args.append(arg_info.get("optional", None))
        else:
            args.append(conversion.read(None, value, arg_info["options"]))
    return conversion.write(func(*args), None, info["ret"]["options"])

"""Deals from what people write them in: a deal file (TOML) or a table (a range of cells, CSV rows).

Both come out as an engine :class:`~xlpricing.deals.Deal`; every value goes through the same
rules as one quote's (:mod:`xlpricing.inputs`), and every problem is reported at once with where
it is (``apps[1].phases[0].peak_dau`` in a file, ``row 3`` in a table). Standard library only:
``=IMDEAL`` runs this inside xlwings Lite too.
"""

from __future__ import annotations

import json
import tomllib
from decimal import Decimal
from typing import Any

from . import formatting, inputs
from .deals import App, Deal, Phase
from .errors import Problem, QuoteError

PHASE_FIELDS = ("edition", "addons", "peak_dau", "peak_groups")
APP_KEYS = {"name", "from_month", "phases", *PHASE_FIELDS}

EXAMPLE = '''\
# An xlpricing deal: `xlpricing price --deal deal.toml`, `xlpricing quote --deal deal.toml --customer …`
# One [[apps]] per SDKAppID (each buys its own package, at most 300 an account). An app's own
# fields are its first phase; each [[apps.phases]] starts in a month of the term and changes
# only what it names: the rest carries over. Counts are peaks of the month (DAU, groups).

months = 12          # the term, 1 to 24 whole months
discount = 0         # percent off the list prices, optional (e.g. 5 or 12.5)

[[apps]]
name = "主应用 Production"
edition = "pro"                # trial, pro or flagship (专业版 … too)
addons = ["history_90"]        # add-on codes (xlpricing catalog lists them)
peak_dau = 8000
peak_groups = 90000

  [[apps.phases]]              # the launch campaign: months 4 to 6
  from_month = 4
  peak_dau = 25000

  [[apps.phases]]              # from month 7: flagship, at the final peak
  from_month = 7
  edition = "flagship"
  peak_dau = 61000

[[apps]]
name = "第二产品 Second product"
from_month = 3                 # launched in month 3: priced from then on
edition = "pro"
peak_dau = 12000

[[apps]]
name = "测试 Test"
edition = "trial"              # free, capped at 100 peak DAU and 100 peak groups
'''


class _Collect:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def value(self, convert, where: str | None, *args: Any) -> Any:
        """``convert(*args)``; a problem is kept, prefixed with ``where`` (None: an argument, said as it is)."""
        try:
            return convert(*args)
        except QuoteError as exc:
            self.problems += [Problem(p.argument, f"{where}: {p.message}" if where else p.message)
                              for p in exc.problems]
            return None

    def table(self, value: Any, where: str, allowed: list[str]) -> dict | None:
        """``value`` as a TOML table with only the ``allowed`` keys (each other key is a problem), or None."""
        if not isinstance(value, dict):
            self.problems.append(Problem("apps", f"{where}: must be a table"))
            return None
        for key in value:
            if key not in allowed:
                self.problems.append(Problem("apps", f"{where}.{key}: unknown key (expected one of: "
                                                     f"{', '.join(allowed)})"))
        return value


def _phase(c: _Collect, fields: dict, where: str, from_month: Any, sep: str = ".") -> Phase:
    """One phase's fields; ``where`` and ``sep`` say where a problem is (apps[0].peak_dau, row 3, peak_dau)."""
    def count(name: str) -> int | None:
        value = fields.get(name)
        return None if value is None else c.value(inputs.whole_number, f"{where}{sep}{name}", value, name)

    month = c.value(inputs.whole_number, f"{where}{sep}from_month", from_month, "from_month", 1)
    edition = fields.get("edition")
    if edition is not None:
        edition = c.value(inputs.edition_name, f"{where}{sep}edition", edition)
    addons = fields.get("addons")
    if addons is not None:
        addons = c.value(inputs.addon_codes, f"{where}{sep}addons", addons)
    return Phase(month if month is not None else 1, edition, addons, count("peak_dau"), count("peak_groups"))


def deal_from_toml(text: str, source: str = "deal file", book=None) -> Deal:
    """A deal file (see EXAMPLE). Raises QuoteError with every problem and its key path, each
    named by its app (``app 'web' (apps[1]).peak_dau``). With ``book``, the problems only pricing
    finds (an unknown edition or add-on, a month outside the term) come in the same round: the
    deal is priced with what could be read."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise QuoteError.of("deal", f"{source} is not valid TOML: {exc}") from None
    c = _Collect()
    for key in data:
        if key not in ("months", "discount", "apps"):
            c.problems.append(Problem("deal", f"{key}: unknown key (expected months, discount, [[apps]])"))
    months = c.value(inputs.whole_number, "months", data.get("months"), "months", 1)
    discount = c.value(inputs.percent, "discount", data.get("discount"))
    raw_apps = data.get("apps")
    if not isinstance(raw_apps, list) or not raw_apps:
        c.problems.append(Problem("apps", "[[apps]]: a deal needs at least one app"))
        raw_apps = []
    apps = []
    for i, raw in enumerate(raw_apps):
        where = f"apps[{i}]"
        if c.table(raw, where, sorted(APP_KEYS)) is None:
            continue
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            c.problems.append(Problem("apps", f"{where}.name: every app needs a name"))
            name = f"app {i + 1}"
        else:  # named as pricing names it: the app first, then where in the file
            where = f"app {name.strip()!r} ({where})"
        phases = [_phase(c, raw, where, raw.get("from_month", 1))]
        raw_phases = raw.get("phases", [])
        if not isinstance(raw_phases, list):
            c.problems.append(Problem("apps", f"{where}.phases: must be [[apps.phases]] tables"))
            raw_phases = []
        for j, phase in enumerate(raw_phases):
            pwhere = f"{where}.phases[{j}]"
            if c.table(phase, pwhere, ["from_month", *PHASE_FIELDS]) is None:
                continue
            if "from_month" not in phase:
                c.problems.append(Problem("apps", f"{pwhere}.from_month: missing (the month the phase starts)"))
                continue
            parsed = _phase(c, phase, pwhere, phase["from_month"])
            if parsed.from_month == phases[0].from_month and len(phases) == 1:
                phases[0] = _refined(phases[0], parsed)  # the first phase written out: it refines the app's fields
            else:
                phases.append(parsed)
        apps.append(App(name.strip(), tuple(phases)))
    if c.problems:
        found = list(c.problems)
        if book is not None and apps:
            found += _pricing_problems(book, Deal(tuple(apps), months or 1, discount or 0), found)
        raise QuoteError(found)
    return Deal(tuple(apps), months, discount)


# ------------------------------------------------------------------------ a table (cells, CSV rows)

# Header names a rep may type, in English or Chinese, for each column (any case, spaces ignored)
HEADERS = {
    "app": ("app", "name", "sdkappid", "应用", "应用名称"),
    "edition": ("edition", "版本", "套餐", "套餐版本"),
    "peak_dau": ("peak_dau", "dau", "peakdau", "峰值dau", "dau峰值"),
    "peak_groups": ("peak_groups", "groups", "peakgroups", "峰值群组", "峰值群组数", "群组"),
    "addons": ("addons", "add-ons", "增值服务"),
    "from_month": ("from_month", "from", "month", "起始月", "起始月份", "从第几月"),
}


def _refined(own: Phase, written: Phase) -> Phase:
    """The app's own fields, with those its explicit first phase gives instead."""
    return Phase(own.from_month, *(getattr(written, f) if getattr(written, f) is not None else getattr(own, f)
                                   for f in ("edition", "addons", "peak_dau", "peak_groups", "call_minutes")))


def _pricing_problems(book, deal: Deal, found: list[Problem]) -> list[Problem]:
    """What pricing says of the readable part of a deal, less what was said already: a value that
    could not be read is left out of the deal, and its consequence (a phase without an edition) is
    not said twice."""
    from .deals import quote_deal
    try:
        quote_deal(book, deal)
    except QuoteError as exc:
        said = {(p.argument, p.message.split(" (apps[")[0].split(":")[0]) for p in found}
        return [p for p in exc.problems if (p.argument, p.message.split(" phase ")[0].split(":")[0]) not in said
                and not (p.argument == "edition" and "needs an edition" in p.message
                         and any(q.argument == "edition" for q in found))]
    return []


def column_of(header: Any) -> str | None:
    if not isinstance(header, str):
        return None
    key = "".join(header.split()).casefold()
    return next((column for column, names in HEADERS.items() if key in names), None)


def deal_from_rows(rows: list[list[Any]], months: Any = None, discount: Any = None,
                   first_row: int = 1, row_numbers: list[int] | None = None) -> Deal:
    """A deal from a table: a header row, then one row per app, or per app and phase (rows of one
    app share its name; a blank cell carries over from the app's row before). ``first_row`` numbers
    the header row in messages; ``row_numbers`` numbers each data row instead (a CSV's rows)."""
    if len(rows) == 1 and len(rows[0]) == 1 and isinstance(rows[0][0], str):
        inputs.refuse_error_cell(rows[0][0], "table")
    if not rows or not any(cell not in (None, "") for cell in rows[0]):
        raise QuoteError.of("deal", "the table needs a header row: app, edition, peak_dau, peak_groups, addons, "
                                    "from_month (or 应用, 版本, 峰值DAU, 峰值群组, 增值服务, 起始月)")
    c = _Collect()
    columns: dict[str, int] = {}
    for j, header in enumerate(rows[0]):
        column = column_of(header)
        if column is None:
            if header not in (None, ""):
                c.problems.append(Problem("deal", f"header {header!r}: unknown column (app, edition, peak_dau, "
                                                  f"peak_groups, addons, from_month)"))
        elif column in columns:
            c.problems.append(Problem("deal", f"header {header!r}: a second {column} column"))
        else:
            columns[column] = j
    for needed in ("app", "edition"):
        if needed not in columns:
            c.problems.append(Problem("deal", f"the header has no {needed} column"))
    if c.problems:
        raise QuoteError(c.problems)
    deal_months = c.value(inputs.whole_number, None, months, "months", 1)
    deal_discount = c.value(inputs.percent, None, discount)
    apps: dict[str, tuple[str, list[Phase]]] = {}
    numbers = row_numbers or range(first_row + 1, first_row + len(rows))
    for i, row in zip(numbers, rows[1:]):
        cells = {name: (row[j] if j < len(row) else None) for name, j in columns.items()}
        cells = {k: (None if isinstance(v, str) and not v.strip() else v) for k, v in cells.items()}
        if all(v is None for v in cells.values()):
            continue  # a blank row, as ranges have below the last app
        name = cells["app"]
        if isinstance(name, str) and name.strip().upper() in inputs.EXCEL_ERRORS:
            c.value(inputs.refuse_error_cell, f"row {i}", name, "app")
            continue
        if not isinstance(name, (str, int, float)) or isinstance(name, bool):
            c.problems.append(Problem("apps", f"row {i}: the app's name is missing"))
            continue
        name = str(int(name)) if isinstance(name, float) and name.is_integer() else str(name).strip()
        key = name.casefold()
        first = key not in apps
        where = f"row {i} ({name})"
        start = cells.get("from_month")
        if not first and start is None:
            c.problems.append(Problem("apps", f"{where}: a second row of an app is a phase: give its from_month"))
            continue
        phase = _phase(c, cells, where, 1 if start is None else start, sep=", ")
        apps.setdefault(key, (name, []))[1].append(phase)
    if not apps and not c.problems:
        c.problems.append(Problem("apps", "the table has no app below its header"))
    if c.problems:
        raise QuoteError(c.problems)
    return Deal(tuple(App(name, tuple(phases)) for name, phases in apps.values()), deal_months, deal_discount)


def _toml_text(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string, escapes included


def deal_to_toml(deal: Deal, comment: str = "") -> str:
    """A deal file for ``deal`` (read back by deal_from_toml to the same deal)."""
    out = [f"# {line}" for line in comment.splitlines()] + [f"months = {deal.months}"]
    if deal.discount_percent:
        out.append(f'discount = "{formatting.plain(Decimal(deal.discount_percent))}"')
    for app in deal.apps:
        first, *rest = app.phases
        out += ["", "[[apps]]", f"name = {_toml_text(app.name)}"]
        if first.from_month != 1:
            out.append(f"from_month = {first.from_month}")
        out += _phase_toml(first)
        for phase in rest:
            out += ["", "  [[apps.phases]]", f"  from_month = {phase.from_month}"]
            out += [f"  {line}" for line in _phase_toml(phase)]
    return "\n".join(out) + "\n"


def _phase_toml(phase: Phase) -> list[str]:
    lines = []
    if phase.edition is not None:
        lines.append(f"edition = {_toml_text(phase.edition)}")
    if phase.addons is not None:
        lines.append("addons = [" + ", ".join(_toml_text(a) for a in phase.addons) + "]")
    for name in ("peak_dau", "peak_groups"):
        if getattr(phase, name) is not None:
            lines.append(f"{name} = {getattr(phase, name)}")
    return lines


def ramp_deal(edition: str, addons: tuple[str, ...], usage: list[tuple[int, int]], name: str = "app") -> Deal:
    """A forecast's monthly peaks as a one-app deal: a phase where the peaks change, none where they do not."""
    phases: list[Phase] = []
    last: tuple[int, int] = (0, 0)
    for month, (dau, groups) in enumerate(usage, 1):
        if not phases:
            phases.append(Phase(1, edition, tuple(addons), dau, groups))
        elif (dau, groups) != last:
            phases.append(Phase(month, None, None, dau if dau != last[0] else None, groups if groups != last[1] else None))
        last = (dau, groups)
    return Deal((App(name, tuple(phases)),), len(usage))

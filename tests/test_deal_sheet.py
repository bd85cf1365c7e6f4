"""The template's 多应用 Deal sheet recalculated by LibreOffice agrees with the engine's deals:
every app's total, every month, the deal's total and its tax split, and the refusals."""

import random
import shutil
from decimal import Decimal

import openpyxl
import pytest

from xlpricing import get_price_book
from xlpricing.deals import App, Deal, Phase, quote_deal
from xlpricing.errors import QuoteError
from xlpricing.sheets.dealsheet import (ADDON_COLS, APPS, COST_FIRST, DAU_FIRST, DEAL_SHEET, FIRST_APP, GROUPS_FIRST,
                                        MONTH_TOTAL_ROW, MONTHS, STATUS_COL, TOTAL_COL, month_col)
from xlpricing.sheets.template import write_template

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None,
                                reason="needs LibreOffice (apt-get install libreoffice-calc-nogui; .ci/run installs it)")

SEED = get_price_book("tencent-im-cn-seed")


def engine_deal(apps, months):
    """The deal the sheet's inputs describe, in the engine's terms: priced from an app's first month
    with a peak; a blank month carries the month before over."""
    priced = []
    for name, edition, addons, dau, groups in apps:
        phases, last = [], None
        for m in range(1, months + 1):
            d, g = dau.get(m), groups.get(m)
            if last is None and d is None and g is None:
                continue
            now = (d if d is not None else (last[0] if last else 0), g if g is not None else (last[1] if last else 0))
            if now != last:
                phases.append(Phase(m, edition if not phases else None, tuple(addons) if not phases else None, *now))
            last = now
        priced.append(App(name, tuple(phases)))
    return Deal(tuple(priced), months)


def fill(ws, apps, months):
    ws["B4"] = months
    for i, (name, edition, addons, dau, groups) in enumerate(apps):
        r = FIRST_APP + i
        ws[f"A{r}"], ws[f"B{r}"] = name, edition
        for col, code in zip(ADDON_COLS, addons):
            ws[f"{col}{r}"] = code
        for first, peaks in ((DAU_FIRST, dau), (GROUPS_FIRST, groups)):
            for m, value in peaks.items():
                ws[f"{month_col(m)}{first + i}"] = value


BOUNDARY = [0, 9_999, 10_000, 10_001, 20_000, 20_001, 99_999, 100_000, 100_001, 200_001]


def random_deal(seed):
    rng = random.Random(seed)
    months = rng.choice([12, 24, rng.randint(1, 24)])
    apps = []
    for i in range(APPS):
        edition = rng.choice(["pro", "flagship", "专业版", "PRO"])
        addons = rng.choice([[], ["history_90"], ["moderation", "avchatroom"]] if edition != "flagship"
                            else [[], ["members_6000"], ["history_90", "moderation"]])
        start = rng.randint(1, months)
        dau = {m: rng.choice(BOUNDARY + [rng.randint(0, 400_000)]) for m in range(start, months + 1) if rng.random() < 0.4}
        dau.setdefault(start, rng.choice(BOUNDARY))
        groups = {m: rng.choice(BOUNDARY + [rng.randint(0, 3_000_000)]) for m in range(start, months + 1)
                  if rng.random() < 0.2}
        apps.append((f"app {i + 1}", edition, addons, dau, groups))
    return apps, months


HAND = ([("主应用", "pro", ["history_90"], {1: 8000, 2: 8000, 3: 8000, 4: 25000, 7: 61000}, {}),
         ("second", "旗舰版", ["members_6000"], {1: 5000}, {})], 12)
REFUSED = {
    "trial above its cap": ([("t", "trial", [], {1: 50, 5: 101}, {})], 6),
    "unknown edition": ([("a", "gold", [], {1: 1}, {})], 3),
    "wildcard add-on": ([("a", "pro", ["h*"], {1: 1}, {})], 3),
    "two tiers": ([("a", "pro", ["history_90", "history_180"], {1: 1}, {})], 3),
    "not on this edition": ([("a", "pro", ["members_6000"], {1: 1}, {})], 3),
    "already included": ([("a", "flagship", ["history_30"], {1: 1}, {})], 3),
    "listed twice": ([("a", "pro", [], {1: 1}, {}), ("a", "pro", [], {1: 1}, {})], 3),
    "fraction": ([("a", "pro", [], {1: 1.5}, {})], 3),
}


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    from xlpricing.sheets.libreoffice import convert

    folder = tmp_path_factory.mktemp("dealsheet")
    template = folder / "template.xlsx"
    write_template(template, SEED)
    cases = {"hand": HAND, **{f"random {k}": random_deal(k) for k in range(4)}, **REFUSED}
    paths = []
    for k, (name, (apps, months)) in enumerate(cases.items()):
        wb = openpyxl.load_workbook(template)
        fill(wb[DEAL_SHEET], apps, months)
        paths.append(folder / f"case{k}.xlsx")
        wb.save(paths[-1])
    out = convert(paths, "xlsx", folder / "out")
    return {name: (case, openpyxl.load_workbook(p, data_only=True)[DEAL_SHEET]) for (name, case), p in zip(cases.items(), out)}


def money(value):
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_the_hand_worked_deal(recalculated):
    _, ws = recalculated["hand"]
    # 主应用 (seed): (999 + 1,000) × 3 + (999 + 1,000 + 2,000) × 3 + (999 + 1,000 + 6,000) × 6
    #              = 5,997 + 11,997 + 47,994 = 65,988; second: (2,999 + 500) × 12 = 41,988
    assert (ws[f"{TOTAL_COL}8"].value, ws[f"{TOTAL_COL}9"].value, ws["E4"].value) == (65_988, 41_988, 107_976)
    # 107,976 ÷ 1.06 = 101,864.1509… → 101,864.15; tax 6,111.85
    assert (money(ws["E5"].value), money(ws["E6"].value)) == (Decimal("101864.15"), Decimal("6111.85"))
    assert ws[f"{month_col(7)}{MONTH_TOTAL_ROW}"].value == 7_999 + 3_499


@pytest.mark.parametrize("case", [f"random {k}" for k in range(4)])
def test_ten_apps_over_the_months_agree_with_the_engine(recalculated, case):
    (apps, months), ws = recalculated[case]
    q = quote_deal(SEED, engine_deal(apps, months))
    for i, app in enumerate(q.apps):
        assert ws[f"{STATUS_COL}{FIRST_APP + i}"].value == "OK", (app.name, ws[f"{STATUS_COL}{FIRST_APP + i}"].value)
        assert money(ws[f"{TOTAL_COL}{FIRST_APP + i}"].value) == app.total, app.name
        for m in range(1, months + 1):
            cell = ws[f"{month_col(m)}{COST_FIRST + i}"].value
            assert money(cell or 0) == app.monthly(m), (app.name, m)
    assert [money(ws[f"{month_col(m)}{MONTH_TOTAL_ROW}"].value) for m in range(1, months + 1)] == list(q.month_totals)
    assert all(ws[f"{month_col(m)}{MONTH_TOTAL_ROW}"].value in (None, "") for m in range(months + 1, MONTHS + 1))
    assert money(ws["E4"].value) == q.total
    assert (money(ws["E5"].value), money(ws["E6"].value)) == (q.tax.net, q.tax.tax)


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_what_the_engine_refuses_shows_as_a_status_and_no_number(recalculated, case):
    (apps, months), ws = recalculated[case]
    with pytest.raises((QuoteError, TypeError)):
        quote_deal(SEED, engine_deal(apps, months))
    statuses = [ws[f"{STATUS_COL}{FIRST_APP + i}"].value for i in range(len(apps))]
    assert any(s not in ("OK", None) for s in statuses), statuses
    assert ws["E4"].value in (None, "")  # never a total for a deal the engine refuses

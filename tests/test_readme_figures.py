"""Every figure the README quotes from a command, a function or Python is what a user gets today:
the README's commands run as a user runs them (no team default, so the China book in force today,
and a register of their own), and the figures are read from the README itself, so the two cannot
drift apart. Where a figure depends on the book, the test works it out by hand as well."""

import datetime as dt
import json
import re
import shlex
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from xlpricing import udf
from xlpricing.cli import main

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
ROOT = Path(__file__).parents[1]
pytestmark = pytest.mark.usefixtures("unpinned")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def sh_block_with(start: str) -> str:
    """The README's ```sh block command that starts with ``start``, its continuation lines joined."""
    for block in re.findall(r"```sh\n(.*?)```", README, re.S):
        joined = block.replace("\\\n", " ")
        for line in joined.splitlines():
            if line.startswith(start):
                return line
    raise AssertionError(f"the README has no command starting {start!r}")


def test_the_proposal_s_capitals_are_today_s_book_s(capsys, tmp_path, monkeypatch):
    # pro 1,499 + history_90 1,000 + moderation 1,000 + 3 DAU blocks 3,000 + 2 group blocks 2,000
    # = 8,499 a month × 12 = 101,988; 5 % off: 101,988 − 5,099.40 = 96,888.60
    by_hand = "玖万陆仟捌佰捌拾捌元陆角"
    (shown,) = re.findall(r"in Chinese capitals\*\* \(人民币(\w+)\)", README)
    assert shown == by_hand
    command = shlex.split(sh_block_with("xlpricing quote --edition pro --dau 35000 --groups 202000"))
    assert command[-3:] == ["-o", "quote.xlsx", "--pdf"]  # the PDF (LibreOffice) shows the same cell's text
    monkeypatch.chdir(ROOT)  # the README's paths (workbooks/seller-sample.toml) are the checkout's
    out = run(capsys, *command[1:-3], "-o", str(tmp_path / "quote.xlsx"))
    assert "total pro CNY 96,888.60" in out
    texts = [c.value for row in openpyxl.load_workbook(tmp_path / "quote.xlsx", data_only=True)["报价单 Proposal"]
             .iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("人民币")]
    assert texts == [f"人民币{shown}"]


def test_the_example_deal_costs_what_the_readme_says(capsys, tmp_path):
    (total,) = set(re.findall(r"costs ([\d,]+) CNY:", README))
    assert f"`Total for 12 months: CNY {total}`" in README
    # production 2,499 × 3 + 4,499 × 3 + 9,499 × 6 = 77,988; second product (1,499 + 1,000) × 10 = 24,990
    assert total == f"{2499 * 3 + 4499 * 3 + 9499 * 6 + (1499 + 1000) * 10:,}"
    (tmp_path / "deal.toml").write_text(run(capsys, "deal", "--example"), encoding="utf-8")
    out = run(capsys, "price", "--deal", str(tmp_path / "deal.toml"))
    assert out.rstrip().splitlines()[-1] == f"Total for 12 months: CNY {total}"


EXCEL_EXAMPLE = re.compile(r"^(=IM[A-Z_]+\(.*\))\s+→ (-?\d+)\s*$", re.M)


def excel_examples():
    return EXCEL_EXAMPLE.findall(README)


def test_the_readme_has_excel_examples_with_numbers():
    # the functions' own examples and the price books' (a date, a book id): the ones checked below
    formulas = [f for f, _ in excel_examples()]
    assert '=IMQUOTE("pro", 35000, 202000, "history_90", 12)' in formulas
    assert '=IMPRICE("pro", , DATE(2023,12,31))' in formulas and len(formulas) >= 7


@pytest.mark.parametrize("formula, shown", excel_examples())
def test_each_excel_example_gives_its_figure(formula, shown):
    # a formula as a Python call: Excel's empty argument is a blank cell, DATE(…) a date cell
    call = re.sub(r",\s*(?=,)", ", None", formula[1:]).replace("DATE(", "dt.date(")
    value = eval(call, {"dt": dt, **{name: getattr(udf, name) for name in dir(udf) if name.startswith("IM")}})
    assert Decimal(str(value)) == Decimal(shown), formula


PRICE_EXAMPLE = re.compile(r"^(xlpricing (?:--region \w+ )?price [^#\n]*?)\s*#[^\n]*?([\d,]+)\s*$", re.M)


def test_each_price_command_gives_its_commented_total(capsys):
    examples = PRICE_EXAMPLE.findall(README)
    # in force today: (1,499 + 3,000) × 12; the seed: (999 + 3,000) × 12; overseas: 2,999 + 2 × 3,000 + 2 × 3,000
    assert [total for _, total in examples] == [f"{(1499 + 3000) * 12:,}", f"{(999 + 3000) * 12:,}",
                                                f"{2999 + 2 * 3000 + 2 * 3000:,}"]
    for command, total in examples:
        out = run(capsys, *shlex.split(command)[1:])
        assert re.search(rf"^Total for \d+ months?: CNY {total}$", out, re.M), (command, out)


def test_the_python_example_and_the_api_example_give_their_figures(capsys, tmp_path):
    python = README.split("```python\nfrom xlpricing import quote\n", 1)[1].split("```", 1)[0]
    total, monthly = (re.search(rf"^q\.{name}\s+# Decimal\('(\d+)'\)", python, re.M).group(1)
                      for name in ("total", "monthly_total"))
    # (1,499 + 1,000 history_90 + 3,000 + 2,000) × 12 = 89,988
    assert (total, monthly) == (str(7499 * 12), "7499")
    namespace = {}
    exec("from xlpricing import quote\n" + python.split("q.total")[0], namespace)
    assert (namespace["q"].total, namespace["q"].monthly_total) == (Decimal(total), Decimal(monthly))
    # the API's /price answer, as the README's curl example quotes it, for the body it sends: the
    # same deal, priced by the same engine as price --deal
    api = json.loads("{" + re.search(r"# \{(\"total\".*?), …\}", README).group(1) + "}")
    assert api["total"] == total
    body = json.loads(re.search(r"-d '(\{\"apps\".*?)'", README).group(1))
    deal = tmp_path / "api.toml"
    deal.write_text(f"months = {body['months']}\n" + "".join(
        f"[[apps]]\nname = \"app {i}\"\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in app.items())
        for i, app in enumerate(body["apps"])), encoding="utf-8")
    out = json.loads(run(capsys, "price", "--deal", str(deal), "--format", "json"))
    assert {"total": out["total"], "net": out["tax"]["net"], "tax": out["tax"]["tax"]} == api
    # 89,988 ÷ 1.06 = 84,894.339… → 84,894.34 net; 89,988 − 84,894.34 = 5,093.66 tax
    assert (api["net"], api["tax"]) == ("84894.34", "5093.66")

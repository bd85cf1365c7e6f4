"""The command line: readable quotes, the price book, clear errors and exit codes."""

import json
import shlex
import re
import subprocess
import sys
from pathlib import Path


from xlpricing.cli import main
from xlpricing.pricebook import PRICEBOOK_DIR, get_price_book


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_price_prints_the_quote_table(capsys):
    code, out, err = run(capsys, "price", "--edition", "pro", "--dau", "35000", "--groups", "202000",
                         "--addon", "history_90", "--addon", "moderation", "--months", "12")
    # the default book (the seed page) is no longer in force: one line says so, nothing else
    assert code == 0 and err == ("xlpricing: note: prices of tencent-im-cn-seed (until 2023-03-06), superseded on "
                                 "2023-03-07 by tencent-im-cn-2023-03\n")
    # (999 + 1000 + 1000 + 3 × 1000 + 2 × 1000) = 7999 a month × 12 = 95,988
    assert "Total for 12 months: CNY 95,988" in out
    assert "35,000 peak DAU − 10,000 free = 25,000 → 3 blocks of 10,000" in out
    assert "Price book: tencent-im-cn-seed" in out
    # billing, qty, unit price, per month, 12 months
    assert re.search(r"^pro\s.*prepaid\s+1\s+999\s+999\s+11,988\s", out, re.M)
    assert re.search(r"^overage_dau\s.*postpaid\s+3\s+1,000\s+3,000\s+36,000\s", out, re.M)
    assert re.search(r"合计 Total\s+7,999\s+95,988\s+CNY$", out, re.M)


def test_price_as_json_keeps_exact_amounts(capsys):
    code, out, _ = run(capsys, "price", "--edition", "flagship", "--dau", "22000", "--addon",
                       "history_90,moderation", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["total"] == "6499"  # 2999 + 500 + 1000 + 2 DAU blocks (2000)
    assert data["addons"] == ["history_90", "moderation"]
    assert data["price_book_id"] == "tencent-im-cn-seed"
    assert [l["code"] for l in data["lines"]] == ["flagship", "history_90", "moderation", "overage_dau", "overage_groups"]


def test_bad_arguments_are_all_reported_with_exit_2(capsys):
    code, out, err = run(capsys, "price", "--edition", "gold", "--dau", "1.5", "--addon", "members_6000",
                         "--months", "30")
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "xlpricing: error: unknown edition 'gold' (trial, pro, flagship)",
        "xlpricing: error: peak_dau must be a whole number, got '1.5'",
        "xlpricing: error: months must be 1 to 24 (whole months), got 30",
    ]


def test_addon_refused_on_the_edition(capsys):
    code, _, err = run(capsys, "price", "--edition", "pro", "--addon", "members_6000")
    assert code == 2
    assert err.strip() == "xlpricing: error: members_6000 (6000 members per group) needs flagship"


def test_catalog_prints_every_price(capsys):
    code, out, _ = run(capsys, "catalog")
    assert code == 0
    book = get_price_book()
    for item in book.editions + book.overage + book.addons:
        assert item.code in out
    assert "2,999" in out and "1,100" in out and "380,000 min/month" in out
    assert "每个套餐包仅对单个 SDKAppID 生效" in out


def test_a_broken_price_book_file_lists_its_problems(capsys, tmp_path):
    broken = tmp_path / "broken.toml"
    good = (PRICEBOOK_DIR / "tencent-im-cn-seed.toml").read_text(encoding="utf-8")
    broken.write_text(good.replace("monthly_price = 999", "monthly_price = -999")
                      .replace('currency = "CNY"', 'currency = "yuan"'), encoding="utf-8")
    code, _, err = run(capsys, "--price-book", str(broken), "catalog")
    assert code == 2
    assert "has 2 problem(s)" in err
    assert "meta.currency: must be an ISO 4217 code such as CNY, got 'yuan'" in err
    assert "editions[1].monthly_price: must not be negative, got -999" in err


def test_python_dash_m_and_the_console_script():
    done = subprocess.run([sys.executable, "-m", "xlpricing", "price", "--edition", "专业版", "--dau", "22,000"],
                          capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, done.stderr
    assert "Total for 1 month: CNY 2,999" in done.stdout  # 999 + 2 blocks


def test_missing_subcommand_is_a_usage_error():
    done = subprocess.run([sys.executable, "-m", "xlpricing"], capture_output=True, text=True)
    assert done.returncode == 2 and "usage: xlpricing" in done.stderr


def test_udf_module_stays_light_to_import():
    # Excel's UDF server imports xlpricing.udf at start: openpyxl and friends stay out of it.
    code = "import sys, xlpricing.udf; print(sorted(m for m in ('openpyxl', 'formulas', 'pandas') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_readme_shows_what_the_command_prints(capsys):
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("```\n$ xlpricing price ", 1)[1].split("```", 1)[0]
    command, shown = block.split("\n", 1)
    code, out, _ = run(capsys, "price", *shlex.split(command))
    assert code == 0
    assert out == shown


def test_price_with_call_minutes_beyond_the_package(capsys):
    # 50,000 + 20,000×2 + 10,000×4 + 2,000×15 = 160,000 equivalent − 110,000 (call_basic) = 50,000 × 0.007 = 350
    code, out, _ = run(capsys, "price", "--edition", "pro", "--addon", "call_basic", "--audio-minutes", "50000",
                       "--sd-minutes", "20000", "--hd-minutes", "10000", "--fhd-minutes", "2000")
    assert code == 0
    assert re.search(r"^call_minutes\s.*postpaid\s+50,000\s+0\.007\s+350\s+350\s", out, re.M)
    assert "Total for 1 month: CNY 1,849" in out  # 999 + 500 + 350

"""The command line: readable quotes, the price book, clear errors and exit codes."""

import json
import shlex
import re
import subprocess
import sys
from pathlib import Path


import pytest

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
    # nor the register (an adapter: Pyodide has no sqlite3 worth the name, and no psycopg)
    code = ("import sys, xlpricing.udf, xlpricing.engine, xlpricing.deals; print(sorted(m for m in ('openpyxl', "
            "'formulas', 'pandas', 'sqlite3', 'psycopg', 'xlpricing.register') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_readme_shows_what_the_command_prints(capsys, unpinned):
    # as a user runs it: no team default, so the China book in force today
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


def test_price_a_deal_file(capsys, tmp_path):
    deal = tmp_path / "deal.toml"
    deal.write_text('months = 12\n[[apps]]\nname = "prod"\nedition = "pro"\npeak_dau = 8000\n'
                    '[[apps.phases]]\nfrom_month = 4\npeak_dau = 25000\n[[apps.phases]]\nfrom_month = 7\n'
                    'peak_dau = 61000\n[[apps]]\nname = "二号 second"\nedition = "flagship"\npeak_dau = 5000\n'
                    'addons = ["members_6000"]\n', encoding="utf-8")
    code, out, err = run(capsys, "--price-book", "tencent-im-cn-seed", "price", "--deal", str(deal))
    assert code == 0, err
    # prod 2,997 + 8,997 + 41,994 = 53,988; second (2,999 + 500) × 12 = 41,988; 95,976 in all
    assert out.rstrip().splitlines()[-1] == "Total for 12 months: CNY 95,976"
    assert re.search(r"^prod\s+7–12\s+overage_dau\s.*\s6\s+1,000\s+36,000\s", out, re.M)
    assert "Month by month:" in out and re.search(r"^7\s+6,999\s+3,499\s+10,498$", out, re.M)
    # tax inside: 95,976 ÷ 1.06 = 90,543.3962… → 90,543.40 and 5,432.60
    assert "CNY 90,543.40" in out and "CNY 5,432.60" in out
    code, out, err = run(capsys, "--price-book", "tencent-im-cn-seed", "price", "--deal", str(deal), "--format", "json")
    data = json.loads(out)
    assert data["total"] == "95976" and data["tax"]["net"] == "90543.40" and len(data["month_totals"]) == 12


def test_a_bad_deal_file_lists_every_problem_with_its_key(capsys, tmp_path):
    deal = tmp_path / "deal.toml"
    deal.write_text('months = 30\ncolour = "blue"\n[[apps]]\nname = "a"\nedition = "gold"\npeak_dau = "lots"\n'
                    '[[apps.phases]]\npeak_dau = 5\n', encoding="utf-8")
    code, out, err = run(capsys, "price", "--deal", str(deal))
    assert code == 2 and out == ""
    assert "colour: unknown key" in err and "app 'a' (apps[0]).peak_dau: peak_dau must be a whole number" in err
    assert "app 'a' (apps[0]).phases[0].from_month: missing" in err and "Traceback" not in err
    # #24: what pricing finds comes in the same round, named the same way (the app first)
    assert "months must be 1 to 24" in err and "app 'a': unknown edition 'gold'" in err
    deal.write_text('months = 30\n[[apps]]\nname = "a"\nedition = "gold"\n', encoding="utf-8")
    code, out, err = run(capsys, "price", "--deal", str(deal))
    # both the term and the edition, at once
    assert code == 2 and "months must be 1 to 24" in err and "app 'a': unknown edition 'gold'" in err


def test_the_example_deal_file_prices(capsys, tmp_path):
    code, out, _ = run(capsys, "deal", "--example")
    assert code == 0 and out.startswith("# An xlpricing deal")
    (tmp_path / "d.toml").write_text(out, encoding="utf-8")
    code, out, err = run(capsys, "--price-book", "tencent-im-cn-2024", "price", "--deal", str(tmp_path / "d.toml"))
    # 2024 book, worked by hand: production 2,499 × 3 + 4,499 × 3 + 9,499 × 6 = 77,988 (flagship from
    # month 7: 2,999 + history_90 500 + 6 blocks); second (1,499 + 1 block) × 10 = 24,990; test 0
    assert code == 0 and out.rstrip().endswith("Total for 12 months: CNY 102,978")


def test_price_shows_the_tax_inside_and_keeps_its_last_line(capsys):
    code, out, _ = run(capsys, "--price-book", "tencent-im-cn-seed", "price", "--edition", "pro", "--dau", "35000",
                       "--groups", "202000", "--addon", "history_90", "--months", "12")
    # 83,988 ÷ 1.06 = 79,233.96; 4,754.04
    assert re.search(r"不含税金额 Net of VAT\s+CNY 79,233.96$", out, re.M)
    assert re.search(r"税额（增值税 6%） VAT 6%\s+CNY 4,754.04$", out, re.M)
    assert out.rstrip().splitlines()[-1] == "Total for 12 months: CNY 83,988"
    code, out, _ = run(capsys, "--price-book", "tencent-im-overseas", "price", "--edition", "pro")
    assert "Prices exclude tax; tax is added at the rate of the customer's country." in out
    assert "不含税金额" not in out and out.rstrip().endswith("Total for 1 month: CNY 2,999")


def test_a_forecast_becomes_a_ramp_deal_that_prices_the_same(capsys, tmp_path):
    target = tmp_path / "ramp.toml"
    code, out, err = run(capsys, "--price-book", "tencent-im-cn-seed", "forecast", "--edition", "pro", "--dau", "8000",
                         "--groups", "90000", "--growth", "10", "--months", "6", "--as-deal", str(target))
    assert code == 0 and "wrote" in out
    forecast_total = re.search(r"^total\s+\S+\s+\S+\s+(\S+)$", out, re.M).group(1)
    code, out, _ = run(capsys, "--price-book", "tencent-im-cn-seed", "price", "--deal", str(target))
    # the same months at the same peaks: the forecast's 12,994 (999 × 6 + overage 1,000 in months 4–6 for
    # DAU above 10,000 and 1,000 in months 3–6 for groups above 100,000 = 5,994 + 3,000 + 4,000)
    assert forecast_total == "12,994" and out.rstrip().endswith("Total for 6 months: CNY 12,994")
    code, _, err = run(capsys, "forecast", "--edition", "pro", "--months", "30", "--as-deal", str(tmp_path / "x.toml"))
    assert code == 2 and "a deal's term is 1 to 24 months, the forecast has 30" in err
    assert not (tmp_path / "x.toml").exists()
    code, _, err = run(capsys, "forecast", "--edition", "pro", "--as-deal", str(target))
    assert code == 2 and "exists" in err  # never overwritten without --force


def test_a_shrinking_customer_forecast(capsys):
    code, out, err = run(capsys, "--price-book", "tencent-im-cn-seed", "forecast", "--edition", "pro", "--dau", "21000",
                         "--growth", "-5", "--months", "3")
    assert code == 0, err
    # 21,000 → 19,950 → 18,952.5 rounded half up to 18,953; overage 2, 1, 1 blocks:
    # 2,999 + 1,999 + 1,999 = 6,997
    assert re.search(r"^\s*3\s+18,953\s", out, re.M) and re.search(r"^total\s.*6,997$", out, re.M)
    code, _, err = run(capsys, "forecast", "--edition", "pro", "--growth", "-100")
    assert code == 2 and "growth must be above -100 %" in err


def test_one_date_parser_for_the_command_line(capsys):
    with pytest.raises(SystemExit) as stopped:  # argparse: the usage line, then the error
        main(["--as-of", "2023-02-30", "price", "--edition", "pro"])
    assert stopped.value.code == 2 and "argument --as-of: 2023-02-30 is not a date" in capsys.readouterr().err
    code, out, _ = run(capsys, "--as-of", "2024-6-1", "price", "--edition", "pro")
    assert code == 0 and "Price book: tencent-im-cn-2024" in out  # written without leading zeros: the same day


def test_option_problems_name_their_option_and_the_same_option_twice_is_refused(capsys, tmp_path):
    out = tmp_path / "x.xlsx"
    code, _, err = run(capsys, "quote", "--option", "pro", "--option", "flagship", "--option", "trial", "--dau", "150",
                       "--customer", "x", "-o", str(out))
    assert code == 2 and err.strip().splitlines() == [
        "xlpricing: error: option 3: trial is capped at 100 peak DAU: 150 needs pro or flagship"]
    code, _, err = run(capsys, "quote", "--option", "pro:history_90,moderation", "--option", "PRO:moderation,history_90",
                       "--customer", "x", "-o", str(out))
    assert code == 2 and "option 2 is the same as option 1 (pro: history_90, moderation)" in err
    code, _, err = run(capsys, "quote", "--option", "pro", "--option", "flagship", "--months", "30", "--customer", "x",
                       "-o", str(out))
    assert code == 2 and err.count("months must be 1 to 24") == 1 and "option" not in err  # said once, for both
    assert not out.exists()
    (tmp_path / "d.csv").write_text("customer,edition,option2,option3\nA,pro,pro,pro\n", encoding="utf-8")
    code, stdout, _ = run(capsys, "batch", str(tmp_path / "d.csv"), "-o", str(tmp_path / "o"))
    assert code == 1 and "option 2 is the same as option 1 (pro)" in stdout


def test_approve_by_of_an_earlier_release_says_what_replaced_it(capsys, tmp_path):
    code, out, err = run(capsys, "quotes", "approve", "Q-2026-000001", "--by", "zhao",
                         "--register", str(tmp_path / "r.sqlite3"))
    assert code == 2 and "--by is gone" in err and "XLPRICING_USER=zhao" in err and "--server" in err

"""What a CRM export holds: whole numbers written as 35000.0 or 3.5E+04, dates as 2026/11/20 or
Excel serials, and columns of its own. Expected values are worked by hand from the seed book
(the suite's pinned book): pro 999 CNY/month, 10,000 peak DAU free, 1,000 CNY per started 10,000
above it."""

import csv
import datetime as dt

import pytest

from xlpricing.batch import BatchError, read_deals, report, run_batch
from xlpricing.cli import main
from xlpricing.register import Register

PRO_35000_DAU = 999 + 3 * 1000  # 25,000 above the free 10,000: three started 10,000s


def write(path, header, rows):
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.mark.parametrize("written", ["35000.0", "3.5E+04", "3.5e4", "35,000.00", "35000.000"])
def test_whole_numbers_as_a_crm_writes_them(tmp_path, written):
    deals = write(tmp_path / "deals.csv", ["customer", "edition", "peak_dau", "months"],
                  [["甲公司", "pro", written, "1.0"]])
    result = run_batch(deals, tmp_path / "out")
    [outcome] = result.outcomes
    assert outcome.ok, outcome.reason
    assert int(outcome.total.split(".")[0]) == PRO_35000_DAU and outcome.months == 1
    # the register records the count, not the CRM's spelling of it
    with Register.open() as register:
        request = register.get(outcome.number, outcome.version).request
    assert (request["dau"], request["months"]) == ("35000", "1")


@pytest.mark.parametrize("written, says", [
    ("35000.5", "peak_dau must be a whole number, got '35000.5'"),  # today's message, never rounded
    ("3.5E+00", "peak_dau must be a whole number, got '3.5E+00'"),
    ("35.000", "peak_dau must be a whole number, got '35.000'"),  # a European 35,000 or 35? never guessed
    ("1E+13", "peak_dau above 10^12 is not supported"),
])
def test_values_that_are_not_whole_stay_errors(tmp_path, written, says):
    deals = write(tmp_path / "deals.csv", ["customer", "edition", "peak_dau"], [["甲公司", "pro", written]])
    [outcome] = run_batch(deals, tmp_path / "out").outcomes
    assert not outcome.ok and says in outcome.reason
    assert not (tmp_path / "out" / "甲公司.xlsx").exists()


# 46346 days after 1899-12-30 (Excel's day 0): 1899-12-30 + 2 days = 1900-01-01; 1900 to 2025 are
# 126 years with 31 leap years (1904 … 2024), 126 * 365 + 31 = 46021 days, so 2026-01-01 is
# 46021 + 2 = 46023; 2026-11-20 is day 31+28+31+30+31+30+31+31+30+31 + 20 = 324 of 2026, the
# serial 46023 + 323 = 46346.
@pytest.mark.parametrize("written", ["2026/11/20", "46346", "46346.75"])  # .75: a time of day (18:00)
def test_dates_as_a_crm_writes_them(tmp_path, written):
    deals = write(tmp_path / "deals.csv", ["customer", "edition", "date", "valid_days"],
                  [["甲公司", "pro", written, "30"]])
    [outcome] = run_batch(deals, tmp_path / "out").outcomes
    assert outcome.ok, outcome.reason
    with Register.open() as register:
        record = register.get(outcome.number, outcome.version)
    assert record.quote_date == dt.date(2026, 11, 20)
    assert record.valid_until == dt.date(2026, 12, 20)  # 30 days on: 10 left in November, 20 in December


@pytest.mark.parametrize("written, says", [
    ("2026/02/30", "date: 2026/02/30 is not a date"),
    ("2026/11-20", "date: YYYY-MM-DD, YYYY/MM/DD or an Excel date serial is expected, got '2026/11-20'"),
    ("12345", "date: YYYY-MM-DD, YYYY/MM/DD or an Excel date serial is expected, got '12345'"),  # 1933
])
def test_dates_that_are_not_dates_stay_errors(tmp_path, written, says):
    deals = write(tmp_path / "deals.csv", ["customer", "edition", "date"], [["甲公司", "pro", written]])
    [outcome] = run_batch(deals, tmp_path / "out").outcomes
    assert not outcome.ok and says in outcome.reason


def test_a_crm_s_own_columns_are_named_once_and_not_read(tmp_path, capsys):
    deals = write(tmp_path / "deals.csv", ["crm_id", "customer", "edition", "peak_dau", "Owner Email"],
                  [["A-1", "甲公司", "pro", "35000"], ["A-2", "乙公司", "pro", "0"]])
    assert read_deals(deals).ignored == ("crm_id", "Owner Email")
    assert main(["batch", str(deals), "-o", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert out.count("crm_id") == 1 and out.count("Owner Email") == 1
    assert "column(s) not read: crm_id, Owner Email" in out
    assert "2 of 2 quotes written" in out


def test_a_misspelt_column_is_refused_not_ignored(tmp_path):
    # not reading "peak_dua" would quote the deal at 0 DAU: a wrong price, worse than a refusal
    deals = write(tmp_path / "deals.csv", ["customer", "edition", "peak_dua"], [["甲公司", "pro", "35000"]])
    with pytest.raises(BatchError, match="unknown column 'peak_dua': is it 'peak_dau'"):
        read_deals(deals)


def test_no_note_when_every_column_is_read(tmp_path):
    deals = write(tmp_path / "deals.csv", ["customer", "edition"], [["甲公司", "pro"]])
    assert "not read" not in report(run_batch(deals, tmp_path / "out"))

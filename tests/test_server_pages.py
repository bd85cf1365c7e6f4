"""The team server's pages as a new user reads them (in process, Starlette's test client on the
real app and a real SQLite register; the last test in Chromium at a phone's width): headings
in words, a subtotal per app, no empty line or heading, only the actions the quote allows, the
customer's page complete, bidi controls shown and never obeyed, on pages and in documents.

Hand-worked figures (the seed book, pinned by the suite): pro 999 a month; flagship 2,999;
history_90 1,000; overage 1,000 a month per started 10,000 peak DAU above the free 10,000 and
per started 100,000 peak groups above the free 100,000; prices include 6 % VAT.
"""

import datetime as dt
import os
from html import unescape as html_unescape
import re
from pathlib import Path

import openpyxl
import pytest

from server_harness import (PASSWORDS, TEAM_SETTINGS, ServerProcess, as_phone, browsers, client, csrf_of,  # noqa: F401
                            log_in, make_team, record_quote, signed_in, submit, team_app)
from test_server_browser import shot
from xlpricing.register import Register
from xlpricing.register.accounts import Accounts

TEAM_NAME = "星河云通信 Galaxy IM"
ONE_APP = {"customer": "星河科技", "apps": [{"edition": "pro", "peak_dau": 35000, "peak_groups": 202000,
                                          "addons": ["history_90"]}], "months": 12}
# 主应用: pro 999 + history_90 1,000 + 3 DAU blocks 3,000 + 2 group blocks 2,000 = 6,999 a month;
# 15 % off: 1,049.85 a month; 12 months: 83,988 − 12,598.20 = 71,389.80. 试用: trial, free: 0, and
# 15 % of 0 is no discount line. The deal: 71,389.80.
TRIAL_DEAL = {"customer": "星河科技", "months": 12, "discount": "15",
              "apps": [{"name": "主应用", "edition": "pro", "peak_dau": 35000, "peak_groups": 202000,
                        "addons": ["history_90"]},
                       {"name": "试用", "edition": "trial", "peak_dau": 50}]}
# months 1–2 pro (8,000 DAU ≤ 10,000 free): 999 × 2 = 1,998; month 3 flagship: 2,999. 4,997.
PHASED_DEAL = """months = 3
[[apps]]
name = "主应用"
edition = "pro"
peak_dau = 8000
  [[apps.phases]]
  from_month = 3
  edition = "flagship"
"""
SELLER_SAMPLE = Path(__file__).resolve().parents[1] / "workbooks" / "seller-sample.toml"  # the README's


def _app(tmp_path: Path, **config):
    return team_app(tmp_path, TEAM_SETTINGS + f'\n[team]\nname = "{TEAM_NAME}"\n', **config)


@pytest.fixture
def app(tmp_path):
    return _app(tmp_path)


record = record_quote


def text_of(html: str) -> str:
    """The page's words, one space between them (tags dropped)."""
    return html_unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def mark(app, number: str, status: str) -> None:
    app.state.server.register.set_status(number, status, "lina")


def link_for(app, number: str) -> str:
    """A customer's link made as the share button makes it, without printing a PDF."""
    r = app.state.server.register.get(number)
    return app.state.server.accounts.new_link(r.number, r.version, "lina", 14)


# ------------------------------------------------------------------------------ lines

def test_a_deals_headings_name_the_editions_add_ons_and_months_with_a_subtotal_per_app(app):
    quote = record(app, "lina", TRIAL_DEAL)
    assert quote["total"] == "71389.80"
    lina = signed_in(app, "lina")
    priced = lina.post("/quotes/new", data={"csrf": csrf_of(lina.get("/quotes/new").text), "customer": "星河科技",
                                            "months": "12", "discount": "15", "action": "price",
                                            **{f"{k}_{i}": str(v) for i, a in enumerate(TRIAL_DEAL["apps"])
                                               for k, v in {**a, "addons": ",".join(a.get("addons", []))}.items()}})
    for html in (lina.get(f"/quotes/{quote['number']}").text, priced.text):
        assert "<h3>主应用 · 专业版 Pro + 历史消息 90 天 90-day history · 第1–12月 months 1–12</h3>" in html
        assert "<h3>试用 · 体验版 Trial · 第1–12月 months 1–12</h3>" in html
        text = text_of(html)
        assert "小计 Subtotal · 主应用 71,389.80" in text and "小计 Subtotal · 试用 0" in text
        trial_part = text.split("试用 · 体验版 Trial")[1].split("小计 Subtotal · 试用")[0]
        assert "体验版套餐包 Trial package" in trial_part and "折扣" not in trial_part  # 15 % of 0: no line
        assert text.count("折扣 15% Discount 15% 1 -1,049.85 12 -12,598.20") == 1  # the pro app's alone


def test_a_phased_app_shows_each_phase_by_its_months_and_one_subtotal(app):
    quote = record(app, "lina", {"customer": "星河科技", "deal": PHASED_DEAL})
    html = signed_in(app, "lina").get(f"/quotes/{quote['number']}").text
    assert "<h3>主应用</h3>" in html
    assert "<h4>专业版 Pro · 第1–2月 months 1–2</h4>" in html and "<h4>旗舰版 Flagship · 第3月 month 3</h4>" in html
    text = text_of(html)
    assert text.count("小计 Subtotal · 主应用") == 1 and "小计 Subtotal · 主应用 4,997" in text  # 1,998 + 2,999


# ------------------------------------------------------------------------------ actions

def test_the_status_heading_shows_only_with_a_status_to_set(app):
    lina = signed_in(app, "lina")
    draft = record(app, "lina", ONE_APP)
    html = lina.get(f"/quotes/{draft['number']}").text
    assert "<h2>状态 Status</h2>" in html and 'id="mark-sent"' in html
    pending = record(app, "lina", {**ONE_APP, "discount": "15"})  # above 10 %: the manager approves first
    accepted = record(app, "lina", ONE_APP)
    mark(app, accepted["number"], "sent")
    mark(app, accepted["number"], "accepted")
    for quote in (pending, accepted):
        html = lina.get(f"/quotes/{quote['number']}").text
        assert "状态 Status</h2>" not in html and 'id="mark-' not in html


def test_make_a_link_and_upload_are_offered_only_where_the_quote_takes_them(app):
    lina = signed_in(app, "lina")
    draft = record(app, "lina", ONE_APP)
    page = f"/quotes/{draft['number']}"
    html = lina.get(page).text
    assert 'id="share-button"' in html and 'id="upload-button"' not in html
    why = text_of(re.search(r'id="no-upload">([^<]*)<', html).group(1))
    assert why == (f"{draft['number']} is draft: a stamped copy is kept for a sent or an accepted quote "
                   "(mark it sent first)")
    r = lina.post(f"{page}/signed", data={"csrf": csrf_of(html)},
                  files={"file": ("stamped.pdf", b"%PDF-1.4 stamped\n%%EOF\n", "application/pdf")})
    assert r.status_code == 409 and why in text_of(r.text)  # what the page said is what it refuses with
    assert app.state.server.accounts.signed_copies(draft["number"]) == []

    pending = record(app, "lina", {**ONE_APP, "discount": "15"})
    html = lina.get(f"/quotes/{pending['number']}").text
    assert 'id="share-button"' not in html and 'id="upload-button"' not in html
    why = text_of(re.search(r'id="no-share">([^<]*)<', html).group(1))
    assert why == (f"{pending['number']} is pending approval: only a draft or a sent quote is shared with a "
                   "customer (approve it first)")
    r = lina.post(f"/quotes/{pending['number']}/share", data={"csrf": csrf_of(html)})
    assert r.status_code == 409 and why in text_of(r.text)

    mark(app, draft["number"], "sent")
    html = lina.get(page).text
    assert 'id="share-button"' in html and 'id="upload-button"' in html
    declined = record(app, "lina", ONE_APP)
    mark(app, declined["number"], "declined")
    html = lina.get(f"/quotes/{declined['number']}").text
    assert 'id="share-button"' not in html and 'id="upload-button"' not in html
    # another rep changes nothing of Li Na's: no action at all
    html = signed_in(app, "wang").get(page).text
    for action in ("share-button", "upload-button", "revise-button", "mark-accepted"):
        assert f'id="{action}"' not in html


def test_a_quote_recorded_outside_the_documents_folder_offers_no_link(app, tmp_path):
    from xlpricing.cli import main
    os.environ["XLPRICING_USER"] = "lina"
    try:
        assert main(["quote", "--edition", "pro", "--customer", "CLI", "--register", str(tmp_path / "register.sqlite3"),
                     "--settings", str(tmp_path / "xlpricing-team.toml"), "-o", str(tmp_path / "cli.xlsx")]) == 0
    finally:
        del os.environ["XLPRICING_USER"]
    (cli_quote,) = app.state.server.register.quotes(customer="CLI")
    html = signed_in(app, "lina").get(f"/quotes/{cli_quote.number}").text
    assert 'id="share-button"' not in html
    assert "workbook is not in the server's documents folder" in text_of(html)


def test_the_revise_form_asks_for_usage_only_where_a_revision_takes_it(app):
    lina = signed_in(app, "lina")
    one = record(app, "lina", ONE_APP)
    assert 'id="revise-dau"' in lina.get(f"/quotes/{one['number']}").text
    deal = record(app, "lina", {**TRIAL_DEAL, "discount": "5"})
    page = f"/quotes/{deal['number']}"
    html = lina.get(page).text
    assert 'id="revise-button"' in html and 'id="revise-months"' in html
    assert 'id="revise-dau"' not in html and 'id="revise-groups"' not in html
    r = lina.post(f"{page}/revise", data={"csrf": csrf_of(html), "dau": "9000"})  # as the old form let it
    assert r.status_code == 409 and "would not say which" in r.text


# ------------------------------------------------------------------------------ the customer's page

def test_the_customers_page_names_the_team_and_shows_items_term_validity_and_tax(app):
    quote = record(app, "lina", ONE_APP)
    html = client(app).get(f"/accept/{link_for(app, quote['number'])}").text
    text = text_of(html)
    assert f'<dd id="seller">{TEAM_NAME}</dd>' in html and "联系人 Contact Li Na" in text
    assert "<h3>专业版 Pro + 历史消息 90 天 90-day history</h3>" in html
    # the items: 999 × 12 = 11,988; 1,000 × 12 = 12,000; 3 × 1,000 × 12 = 36,000; 2 × 1,000 × 12 = 24,000
    for item in ("专业版套餐包 Pro package 1 999 12 11,988", "90 天 Message history kept 90 days 1 1,000 12 12,000",
                 "Peak DAU overage 3 1,000 12 36,000", "Peak groups overage 2 1,000 12 24,000"):
        assert item in text
    assert "期限 Term 12 个月 months" in text
    dated = dt.date.fromisoformat(quote["quote_date"])
    assert f"有效期至 Valid until {dated + dt.timedelta(days=30)} (30 天 days)" in text  # the team's 30 days
    # 83,988 incl. 6 % VAT: net 83,988 / 1.06 = 79,233.962… → 79,233.96; VAT 4,754.04
    assert "价税合计 Total CNY 83,988 不含税 Net 79,233.96 税额 Tax (6%) 4,754.04" in text
    assert "Prices include 6% VAT." in text


def test_the_customers_page_names_the_seller_of_the_profile_before_the_team(tmp_path):
    app = _app(tmp_path, seller=str(SELLER_SAMPLE))
    quote = record(app, "lina", ONE_APP)
    html = client(app).get(f"/accept/{link_for(app, quote['number'])}").text
    assert '<dd id="seller">示例云服务有限公司 Example Cloud Services Ltd.</dd>' in html and TEAM_NAME not in html


# ------------------------------------------------------------------------------ bidi controls

RLO_CUSTOMER = "Li Na\u202egnp.exe 星河"  # shown raw, its end would read "星河 exe.png"
# Unicode's Bidi_Control characters: ALM, LRM, RLM, LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_bidi_controls_are_shown_as_code_points_on_every_page(app):
    quote = record(app, "lina", {**ONE_APP, "customer": RLO_CUSTOMER, "discount": "15"})  # waits for Zhao Min
    lina = signed_in(app, "lina")
    pages = [signed_in(app, "zhao").get("/").text]  # his dashboard lists it, customer and all
    pages += [lina.get(p).text for p in ("/quotes", f"/quotes/{quote['number']}")]
    pages.append(client(app).get(f"/accept/{link_for(app, quote['number'])}").text)
    form = lina.get("/quotes/new").text
    pages.append(lina.post("/quotes/new", data={"csrf": csrf_of(form), "customer": RLO_CUSTOMER, "edition_0": "pro",
                                                "peak_dau_0": "1000", "action": "price"}).text)
    for html in pages:
        assert not set(html) & set(BIDI_CONTROLS)
        assert "Li Na[U+202E]gnp.exe 星河" in html


def test_bidi_controls_are_shown_as_code_points_in_the_quote_and_deal_workbooks(app):
    texts = {"customer": RLO_CUSTOMER, "notes": "a\u2067b", "customer_contact": "\u202bWang", "contact": "Li\u200fNa"}
    one = record(app, "lina", {**ONE_APP, **texts})
    deal = record(app, "lina", {**TRIAL_DEAL, "discount": "5", **texts,
                                "apps": [{**TRIAL_DEAL["apps"][0], "name": "app\u202e1"}, TRIAL_DEAL["apps"][1]]})
    for quote, app_name in ((one, None), (deal, "app[U+202E]1")):
        path = Path(app.state.server.register.get(quote["number"]).path)
        assert not set(path.name) & set(BIDI_CONTROLS)  # the file's name cannot be spoofed either
        cells = [c.value for ws in openpyxl.load_workbook(path).worksheets for row in ws.iter_rows() for c in row
                 if isinstance(c.value, str)]
        assert not [c for c in cells if set(c) & set(BIDI_CONTROLS)]
        shown = "\n".join(cells)
        for expected in ("Li Na[U+202E]gnp.exe 星河", "a[U+2067]b", "[U+202B]Wang", "Li[U+200F]Na", app_name or ""):
            assert expected in shown, (quote["number"], expected)


# ------------------------------------------------------------------------------ a phone

def _fits(driver) -> None:
    wide, inner = driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    assert wide <= inner, f"{driver.current_url} is {wide} px wide on a {inner} px screen"


def test_on_a_phone_the_form_the_quote_and_the_customers_page_fit_the_screen(tmp_path, browsers):  # noqa: F811
    from selenium.webdriver.support.ui import Select
    register = str(tmp_path / "register.sqlite3")
    settings = make_team(tmp_path, register)
    server = ServerProcess(register, settings, tmp_path / "documents", tmp_path / "server.log")
    try:
        rep = browsers.open()
        log_in(rep, server.url, "lina")
        as_phone(rep)
        rep.get(server.url + "/quotes/new")
        _fits(rep)
        rep.find_element("id", "customer").send_keys("星河科技 Xinghe Tech")
        for i, app_ in enumerate(TRIAL_DEAL["apps"]):
            rep.find_element("id", f"name_{i}").send_keys(app_["name"])
            Select(rep.find_element("id", f"edition_{i}")).select_by_value(app_["edition"])
            rep.find_element("id", f"addons_{i}").send_keys(",".join(app_.get("addons", [])))
            rep.find_element("id", f"peak_dau_{i}").send_keys(str(app_["peak_dau"]))
            rep.find_element("id", f"peak_groups_{i}").send_keys(str(app_.get("peak_groups", "")))
        rep.find_element("id", "discount").send_keys("5")
        submit(rep, "price-button")
        # 主应用 6,999 a month, 5 % off: 349.95 → 6,649.05 × 12 = 79,788.60; the trial app: 0
        assert rep.find_element("id", "priced-total").text == "CNY 79,788.60"
        _fits(rep)
        shot(rep, "new-quote-phone", tmp_path, phone=True)
        submit(rep, "record-button")
        number = re.search(r"Q-\d{4}-\d{6}", rep.find_element("tag name", "h1").text).group(0)
        _fits(rep)
        rep.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        link_days = rep.find_element("id", "share-days").size["width"]
        with Register.open(register, settings) as reg:
            r = reg.get(number)
            token = Accounts(reg.db).new_link(r.number, r.version, "lina", 14)
        customer = browsers.open()
        as_phone(customer)
        customer.get(f"{server.url}/accept/{token}")
        assert "小计 Subtotal · 主应用" in customer.find_element("tag name", "body").text
        _fits(customer)
    finally:
        server.stop()
    assert link_days < 120  # a field for a number of days, not a line across the page

"""The team server in a real browser: Debian's Chromium, driven by Selenium, against real
``xlpricing serve`` processes on 127.0.0.1, on SQLite and on PostgreSQL with two server
processes (the rep on one, the manager on the other).

The story of the issue's "done when": a rep logs in, prices a two-app deal and records it; the
discount needs her manager's approval, which he gives; she sends the customer a link, and the
customer accepts through it. Every figure is worked by hand from the seed page (the suite pins
the seed book): 专业版 999 元/月; 峰值 DAU 超量 1,000 元/月 per started 10,000 above the free
10,000; 峰值群组 超量 1,000 元/月 per started 100,000 above the free 100,000; 90 天历史消息 1,000 元/月.
"""

import hashlib
import os
import re
import shutil
from pathlib import Path

import httpx2 as httpx
import pytest
from selenium.common.exceptions import NoAlertPresentException, NoSuchElementException
from selenium.webdriver.support.ui import Select

from register_backends import register_target  # noqa: F401 (a fixture: SQLite, and PostgreSQL when there is one)
from server_harness import ServerProcess, as_phone, browsers, log_in, make_team, page_text, submit  # noqa: F401
from test_proposals import needs_cjk_font, needs_libreoffice

SHOTS_ENV = "XLPRICING_SCREENSHOTS"  # a folder: the main pages are saved there too (scripts/screenshots → docs/)
CUSTOMER = '<script>alert("x")</script> 星河科技 Xinghe Tech'
TEAM_NAME = "示例科技 Example Ltd"

# App 1 "主应用": pro 999 + history_90 1,000
#   + DAU 35,000 − 10,000 free = 25,000 → 3 started blocks × 1,000 = 3,000
#   + groups 202,000 − 100,000 free = 102,000 → 2 started blocks × 1,000 = 2,000   → 6,999 a month
# App 2 "web": pro 999, 8,000 DAU ≤ 10,000 free → no overage                           →   999 a month
# 7,998 a month × 12 months = 95,976 list; 15 % off: 7,998 × 0.85 = 6,798.30 a month
# × 12 = 81,579.60 (price incl. 6 % VAT); net 81,579.60 / 1.06 = 76,961.886… → 76,961.89; VAT 4,617.71
TOTAL = "CNY 81,579.60"
NET, TAX = "76,961.89", "4,617.71"


def shot(driver, name: str, tmp: Path, phone: bool = False) -> None:
    """The whole page (the window made as tall as the page for the picture, then as it was);
    ``phone``: at the phone's width (server_harness.as_phone)."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    if phone:
        as_phone(driver, height=min(height, 4000))
        driver.save_screenshot(str(tmp / f"{name}.png"))
        as_phone(driver)
    else:
        size = driver.get_window_size()
        driver.set_window_size(size["width"], min(max(height + 120, size["height"]), 4000))
        driver.save_screenshot(str(tmp / f"{name}.png"))
        driver.set_window_size(size["width"], size["height"])
    folder = os.environ.get(SHOTS_ENV)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(tmp / f"{name}.png", Path(folder) / f"{name}.png")


def no_alert(driver) -> None:
    try:
        alert = driver.switch_to.alert
    except NoAlertPresentException:
        return
    raise AssertionError(f"a script ran in the page: alert {alert.text!r}")


def fill_deal(driver) -> None:
    driver.find_element("id", "customer").send_keys(CUSTOMER)
    rows = [("主应用 Main app", "pro", "history_90", "35000", "202000"), ("web", "pro", "", "8000", "")]
    for i, (name, edition, addons, dau, groups) in enumerate(rows):
        driver.find_element("id", f"name_{i}").send_keys(name)
        Select(driver.find_element("id", f"edition_{i}")).select_by_value(edition)
        driver.find_element("id", f"addons_{i}").send_keys(addons)
        driver.find_element("id", f"peak_dau_{i}").send_keys(dau)
        driver.find_element("id", f"peak_groups_{i}").send_keys(groups)
    months = driver.find_element("id", "months")
    months.clear()
    months.send_keys("12")
    driver.find_element("id", "discount").send_keys("15")


@needs_libreoffice  # the customer is shown the proposal's PDF, printed by LibreOffice
@needs_cjk_font
def test_a_deal_from_the_rep_through_the_manager_to_the_customer(register_target, tmp_path, browsers):  # noqa: F811
    postgres = register_target.startswith("postgresql")
    settings = make_team(tmp_path, register_target)
    settings.write_text(settings.read_text(encoding="utf-8") + f'\n[team]\nname = "{TEAM_NAME}"\n', encoding="utf-8")
    documents = tmp_path / "documents"
    servers = [ServerProcess(register_target, settings, documents, tmp_path / f"server{i}.log")
               for i in range(2 if postgres else 1)]
    rep_url, manager_url = servers[0].url, servers[-1].url
    try:
        # the rep prices the deal, then records it
        rep = browsers.open()
        log_in(rep, rep_url, "lina")
        rep.get(rep_url + "/quotes/new")
        fill_deal(rep)
        submit(rep, "price-button")
        assert rep.find_element("id", "priced-total").text == TOTAL
        assert f"不含税 net {NET} · 税额 tax {TAX}" in page_text(rep)
        shot(rep, "new-quote", tmp_path)
        submit(rep, "record-button")
        number = re.search(r"Q-\d{4}-\d{6}", rep.find_element("tag name", "h1").text).group(0)
        assert rep.find_element("id", "status").text == "待审批 pending approval"
        assert rep.find_element("id", "total").text == TOTAL
        assert rep.find_element("id", "customer").text == CUSTOMER  # literal text, in the page as typed
        no_alert(rep)
        with pytest.raises(NoSuchElementException):
            rep.find_element("id", "approve-button")  # a rep never approves (her own) quote
        assert "sales manager (discount 15% is above 10%): 等待 waiting" in page_text(rep)

        # the manager approves it, on the other server when there are two
        manager = browsers.open()
        log_in(manager, manager_url, "zhao")
        assert number in page_text(manager)  # the dashboard lists it as waiting for him
        manager.get(f"{manager_url}/quotes/{number}")
        submit(manager, "approve-button")
        assert manager.find_element("id", "status").text == "草稿 draft"
        assert "approved by Zhao Min" in manager.find_element("id", "message").text

        # the rep makes the customer's link: the proposal's PDF is printed, the quote is sent
        rep.get(f"{rep_url}/quotes/{number}")
        submit(rep, "share-button")
        link = rep.find_element("id", "share-link").get_attribute("value")
        assert link.startswith(rep_url + "/accept/") and len(link) > len(rep_url) + 40
        assert rep.find_element("id", "status").text == "已发送 sent"
        shot(rep, "quote", tmp_path)

        # the customer, in a browser of their own with no login, reads and accepts
        customer = browsers.open()
        as_phone(customer)
        customer.get(link)
        assert customer.find_element("id", "total").text == TOTAL
        assert customer.find_element("id", "seller").text == TEAM_NAME  # no seller profile: the team's name
        assert customer.find_element("id", "customer").text == CUSTOMER
        no_alert(customer)
        pdf = httpx.get(link + "/pdf", timeout=60)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
        shown_sha = customer.find_element("id", "pdf-sha").text
        assert hashlib.sha256(pdf.content).hexdigest() == shown_sha
        shot(customer, "customer-link", tmp_path, phone=True)
        customer.find_element("id", "name").send_keys("王芳")
        submit(customer, "accept-button")  # the box not ticked: refused, said why
        assert "tick the box" in customer.find_element("id", "error").text
        customer.find_element("id", "name").send_keys("王芳")
        customer.find_element("id", "agree").click()
        submit(customer, "accept-button")
        assert "your answer is recorded" in customer.find_element("id", "done").text
        assert "已接受 Accepted by 王芳" in customer.find_element("id", "answered").text

        # the rep sees it accepted, by whom, from where, and which PDF
        rep.get(f"{rep_url}/quotes/{number}")
        assert rep.find_element("id", "status").text == "已接受 accepted"
        links = rep.find_element("id", "links").text
        assert "accepted · 王芳" in links and "127.0.0.1" in links and shown_sha[:16] in links
        history = rep.find_element("id", "events").text
        assert f"accepted by 王芳 through the customer link from 127.0.0.1; PDF SHA-256 {shown_sha}" in history

        manager.get(manager_url + "/")
        shot(manager, "dashboard", tmp_path)
        # a used link shows the answer, and takes no second one
        again = httpx.post(link, data={"answer": "declined", "name": "x", "csrf": "x"}, timeout=60)
        assert again.status_code == 200 and "已接受 Accepted by 王芳" in again.text
    finally:
        for s in servers:
            s.stop()
    logs = [s.text_of_log() for s in servers]
    assert "GET /accept/*** 200" in logs[0]
    for log in logs:  # neither the link's token nor a session ever reached a log
        assert link.rsplit("/", 1)[1] not in log and "xlp_session" not in log

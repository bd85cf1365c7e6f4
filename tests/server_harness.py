"""The team server for the tests: real ``xlpricing serve`` processes on 127.0.0.1, and Debian's
Chromium driven through Selenium (its own chromedriver, named explicitly: nothing is downloaded).

A team of three, as a sales team has it: a rep, her manager (who approves discounts above 10 %)
and an administrator. Their passwords are set with the command line, as the README says."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("XLPRICING_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("XLPRICING_CHROMEDRIVER", "/usr/bin/chromedriver")
REQUIRE_BROWSER = "XLPRICING_REQUIRE_BROWSER"  # set by .ci/run: a missing Chromium fails instead of skipping
PASSWORDS = {"lina": "lina-password-1", "zhao": "zhao-password-1", "root": "root-password-1"}
TEAM_SETTINGS = """
[users]
lina = { name = "Li Na", roles = ["rep"] }
wang = { name = "Wang Lei", roles = ["rep"] }
zhao = { name = "Zhao Min", roles = ["rep", "sales manager"] }
root = { name = "Admin", roles = ["admin"] }

[[approvals]]
discount_above = 10
role = "sales manager"
"""


def cli(*args: str, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xlpricing", *args], input=stdin, capture_output=True, text=True,
                          timeout=300, env={**os.environ, **(env or {})})


def make_team(folder: Path, register: str) -> Path:
    """The team settings file and each user's password, set with ``xlpricing users password``."""
    settings = folder / "xlpricing-team.toml"
    settings.write_text(TEAM_SETTINGS, encoding="utf-8")
    for login, password in PASSWORDS.items():
        done = cli("users", "password", login, "--password-stdin", "--register", register, "--settings",
                   str(settings), stdin=password + "\n")
        assert done.returncode == 0, done.stderr
    return settings


def start_team(folder: Path, register: str) -> tuple["ServerProcess", dict]:
    """``make_team``'s team served by one real process, and an API token each for lina and zhao
    (made with ``xlpricing users token``). The caller stops the process."""
    settings = make_team(folder, register)
    server = ServerProcess(register, settings, folder / "documents", folder / "server.log")
    tokens = {}
    for login in ("lina", "zhao"):
        done = cli("users", "token", login, "--register", register, "--settings", str(settings))
        assert done.returncode == 0, done.stderr
        tokens[login] = done.stdout.strip()
    return server, tokens


# ------------------------------------------------------------------ the app in this test's process

EVERY_PASSWORD = {**PASSWORDS, "wang": "wang-password-1"}


def team_app(folder: Path, settings_text: str = TEAM_SETTINGS, catalog=None, **config):
    """The team server's app in this process (Starlette's test client drives it) on a SQLite
    register in ``folder``, with ``settings_text`` as its team settings and every password set;
    ``catalog``: the price books it quotes with (default: the shipped ones)."""
    from xlpricing.register import Register
    from xlpricing.register.accounts import Accounts
    from xlpricing.server.app import ServerConfig, create_app
    register = folder / "register.sqlite3"
    settings = folder / "xlpricing-team.toml"
    settings.write_text(settings_text, encoding="utf-8")
    with Register.open(register, settings) as reg:
        accounts = Accounts(reg.db)
        for login, password in EVERY_PASSWORD.items():
            if login in reg.settings.users:
                accounts.set_password(login, password)
    return create_app(ServerConfig(register=str(register), settings=str(settings), documents=folder / "documents",
                                   **config), catalog)


def client(app):
    from starlette.testclient import TestClient
    return TestClient(app, base_url="http://127.0.0.1", follow_redirects=False)


def signed_in(app, login: str, password: str | None = None):
    """A test client logged in as ``login`` through the login form."""
    c = client(app)
    r = c.post("/login", data={"csrf": csrf_of(c.get("/login").text), "login": login,
                               "password": password or EVERY_PASSWORD.get(login) or f"{login}-password-1"})
    assert r.status_code == 303, r.text
    return c


def with_token(app, login: str):
    """A test client carrying a new API token of ``login``."""
    c = client(app)
    c.headers["Authorization"] = f"Bearer {app.state.server.accounts.new_token(login, 'test')}"
    return c


def record_quote(app, login: str, body: dict) -> dict:
    """``body`` recorded through the API as ``login``: the quote's JSON."""
    r = with_token(app, login).post("/api/v1/quotes", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """One ``xlpricing serve`` on 127.0.0.1; its log (stderr) is kept for the tests to read."""

    def __init__(self, register: str, settings: Path | None, documents: Path, log: Path, extra: tuple[str, ...] = (),
                 env: dict | None = None):
        self.log_path = log
        team = ("--settings", str(settings)) if settings else ()
        for _ in range(3):  # a port taken between choosing it and binding it: choose another
            self.port = free_port()
            self.url = f"http://127.0.0.1:{self.port}"
            self.log = open(log, "ab")
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "xlpricing", "serve", "--register", register, *team,
                 "--documents", str(documents), "--port", str(self.port), *extra],
                stdout=self.log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
            if self._ready():
                return
            self.stop()
        raise AssertionError(f"the server did not start: {log.read_text(errors='replace')[-3000:]}")

    def _ready(self, timeout: float = 180) -> bool:
        import httpx2 as httpx
        deadline = time.monotonic() + timeout  # CI shares two cores: generous
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + "/login", timeout=10).status_code == 200:
                    return True
            time.sleep(0.2)
        return False

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def text_of_log(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def browser_missing() -> str | None:
    if Path(CHROMIUM).is_file() and Path(CHROMEDRIVER).is_file():
        return None
    return (f"no Chromium at {CHROMIUM} with its driver {CHROMEDRIVER}: apt-get install chromium chromium-driver "
            f"(.ci/run does), or set XLPRICING_CHROMIUM / XLPRICING_CHROMEDRIVER")


class Browsers:
    """Each person gets a browser of their own (own cookies), as on their own laptop."""

    def __init__(self, screenshots: Path):
        self.drivers = []
        self.screenshots = screenshots
        self.profiles = []

    def open(self, width: int = 1280, height: int = 900):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        profile = tempfile.mkdtemp(prefix="xlpricing-chromium-")
        self.profiles.append(profile)
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", f"--user-data-dir={profile}", f"--window-size={width},{height}",
                    "--lang=zh-CN"):
            options.add_argument(arg)
        options.add_experimental_option("prefs", {"download.default_directory": profile,
                                                  "download.prompt_for_download": False})
        driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
        driver.set_page_load_timeout(300)  # a page that writes a PDF waits for LibreOffice
        self.drivers.append(driver)
        return driver

    def close(self) -> None:
        for d in self.drivers:
            with contextlib.suppress(Exception):
                d.quit()
        for p in self.profiles:
            shutil.rmtree(p, ignore_errors=True)


@pytest.fixture
def browsers(tmp_path):
    missing = browser_missing()
    if missing:
        if os.environ.get(REQUIRE_BROWSER):
            pytest.fail(f"{REQUIRE_BROWSER} is set but {missing}")
        pytest.skip(missing)
    b = Browsers(tmp_path)
    yield b
    b.close()


PHONE_WIDTH = 390  # CSS pixels: the viewport of today's common phones


def as_phone(driver, height: int = 844) -> None:
    """Show pages ``PHONE_WIDTH`` px wide: a headless window is at least 500 px, so the viewport is
    set through the DevTools protocol. Not Chromium's mobile emulation: its layout viewport widens
    to a page that overflows, and such a page would then measure as fitting."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": PHONE_WIDTH, "height": height, "deviceScaleFactor": 1, "mobile": False})


def log_in(driver, server_url: str, login: str, password: str | None = None) -> None:
    driver.get(server_url + "/login")
    driver.find_element("id", "login").send_keys(login)
    driver.find_element("id", "password").send_keys(password or PASSWORDS[login])
    submit(driver, "login-button")
    assert "/login" not in driver.current_url, driver.find_element("tag name", "body").text


def page_text(driver) -> str:
    return driver.find_element("tag name", "body").text


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def submit(driver, element_id: str, timeout: float = 300) -> None:
    """Click a button that posts a form, and wait for the page it leads to (a PDF may be printed first)."""
    from selenium.webdriver.support.ui import WebDriverWait
    from selenium.common.exceptions import WebDriverException
    old = driver.find_element("tag name", "html")
    try:
        driver.find_element("id", element_id).click()
    except WebDriverException as exc:
        # chromedriver may report "Node with given id does not belong to the document" when the
        # click's own navigation replaced the page before it finished: the click happened then
        if "does not belong to the document" not in str(exc):
            raise
    WebDriverWait(driver, timeout).until(lambda d: _replaced(old) and
                                         d.execute_script("return document.readyState") == "complete")


def _replaced(element) -> bool:
    """True once the page holding ``element`` has been replaced by another."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as exc:  # chromedriver's other word for the same thing
        if "does not belong to the document" in str(exc):
            return True
        raise
    return False

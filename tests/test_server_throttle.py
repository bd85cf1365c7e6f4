"""Login limits hold under concurrency: real ``xlpricing serve`` processes (two on one register,
or one with two workers), and 40 browsers posting a wrong password at the same moment. Each
attempt is counted before its password is checked, in a step no other attempt interleaves with,
so of 40 at most the limit's are tried: FAILURES_PER_LOGIN (5) answers 401, the other 40 − 5 = 35
answer 429; for the per-address limit, FAILURES_PER_ADDRESS (30) answer 401, 40 − 30 = 10 answer 429.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx2 as httpx
import pytest

from register_backends import register_target  # noqa: F401 (a fixture)
from server_harness import PASSWORDS, ServerProcess, csrf_of, make_team
from xlpricing.register.accounts import FAILURES_PER_ADDRESS, FAILURES_PER_LOGIN

ATTEMPTS = 40


def at_once(urls: list[str], logins: list[str], password: str) -> list[int]:
    """One browser per login in ``logins`` (its own form cookie and token), spread over ``urls``:
    each fetches the login form, then all post together; the answers' status codes."""
    ready = threading.Barrier(len(logins))

    def attempt(i: int) -> int:
        with httpx.Client(base_url=urls[i % len(urls)], timeout=300) as c:
            token = csrf_of(c.get("/login").text)
            ready.wait(timeout=300)
            return c.post("/login", data={"csrf": token, "login": logins[i], "password": password}).status_code

    with ThreadPoolExecutor(max_workers=len(logins)) as pool:
        return sorted(pool.map(attempt, range(len(logins))))


def right_password(url: str, login: str) -> int:
    with httpx.Client(base_url=url, timeout=300) as c:
        token = csrf_of(c.get("/login").text)
        return c.post("/login", data={"csrf": token, "login": login, "password": PASSWORDS[login]}).status_code


@pytest.fixture
def servers(tmp_path):
    """Start ``xlpricing serve`` processes on one register: servers(register, count, *extra) → their URLs."""
    started = []

    def start(register: str, count: int, *extra: str) -> list[str]:
        settings = make_team(tmp_path, register)
        for i in range(count):
            started.append(ServerProcess(register, settings, tmp_path / "documents", tmp_path / f"server{i}.log",
                                         extra=extra))
        return [s.url for s in started]

    yield start
    for s in started:
        s.stop()


def test_parallel_wrong_passwords_for_one_login_across_two_processes(register_target, servers):
    urls = servers(register_target, 2)
    codes = at_once(urls, ["lina"] * ATTEMPTS, "wrong-password")
    assert codes == [401] * FAILURES_PER_LOGIN + [429] * (ATTEMPTS - FAILURES_PER_LOGIN)
    assert right_password(urls[0], "lina") == 429 and right_password(urls[1], "lina") == 429  # even the right one
    assert right_password(urls[1], "zhao") == 303  # another login is not locked out


def test_parallel_wrong_passwords_from_one_address(register_target, servers):
    # SQLite: one server with two worker processes; PostgreSQL: two servers
    sqlite = not register_target.startswith("postgresql")
    urls = servers(register_target, 1, "--workers", "2") if sqlite else servers(register_target, 2)
    codes = at_once(urls, [f"guess{i}" for i in range(ATTEMPTS)], "wrong-password")  # one try per login
    assert codes == [401] * FAILURES_PER_ADDRESS + [429] * (ATTEMPTS - FAILURES_PER_ADDRESS)
    assert right_password(urls[-1], "zhao") == 429  # the address waits, whichever login it tries

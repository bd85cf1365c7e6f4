"""A client of the team server's JSON API (``xlpricing serve``, /api/v1), standard library only so
that it runs inside xlwings Lite (Pyodide): there it asks the browser (``pyodide.http.pyfetch``,
the server's CORS settings allow Excel's add-in origin); elsewhere ``urllib``.

The Lite workbook records the quote on its sheet with it and fetches the book in force, so a
workbook built months ago still prices with today's book. The server and token come from the
environment (Lite's Environment Variables settings), never from a cell: a workbook is shared,
a token is not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
from typing import Any, Callable

from .errors import PriceBookError

SERVER_ENV = "XLPRICING_SERVER"
TOKEN_ENV = "XLPRICING_TOKEN"
TIMEOUT = 60


class ServerError(Exception):
    """What the server (or the way to it) said, in a line a cell can show."""


def where() -> tuple[str, str]:
    server = os.environ.get(SERVER_ENV, "").strip().rstrip("/")
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not server or not token:
        raise ServerError(f"set {SERVER_ENV} (the team server's address) and {TOKEN_ENV} (an API token from its "
                          "account page) in xlwings Lite's Environment Variables")
    if not server.startswith(("https://", "http://")):
        raise ServerError(f"{SERVER_ENV} is an address such as https://quotes.example.com, got {server!r}")
    return server, token


async def call(method: str, path: str, body: dict | None = None, headers: dict | None = None,
               server: str | None = None, token: str | None = None) -> dict:
    """The API's answer to one request, as data; ServerError with the server's message. The
    server and token: given, else from the environment."""
    if server is None or token is None:
        found = where()
        server, token = server or found[0], token or found[1]
    server = server.rstrip("/")
    url = f"{server}/api/v1{path}"
    sent = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", **(headers or {})}
    data = None if body is None else json.dumps(body, ensure_ascii=False)
    if "pyodide" in sys.modules or sys.platform == "emscripten":
        from pyodide.http import pyfetch
        try:
            response = await pyfetch(url, method=method, headers=sent, body=data)
            status, text = response.status, await response.string()
        except Exception as exc:  # the browser says little: a refused connection or CORS
            raise ServerError(f"cannot reach {server}: {exc}") from None
    else:
        import asyncio
        status, raw = await asyncio.to_thread(_urllib, method, url, sent, data, server)
        text = raw.decode("utf-8", "replace")
    try:
        answer = json.loads(text) if text else {}
    except ValueError:
        raise ServerError(f"{server} answered {status} with something that is not JSON: is it the team server?") from None
    if status >= 400:
        raise ServerError(str(answer.get("error") or f"the server answered {status}"))
    return answer


def download(url: str, token: str) -> bytes:
    """A document the server keeps (a quote's workbook or PDF), for the command line."""
    status, body = _urllib("GET", url, {"Authorization": f"Bearer {token}"}, None, url)
    if status >= 400:
        raise ServerError(f"{url}: {status} {body.decode('utf-8', 'replace')[:200]}")
    return body


def _urllib(method: str, url: str, headers: dict, data: str | None, where: str) -> tuple[int, bytes]:
    """(status, body) of one request; ServerError naming ``where`` when it cannot be made."""
    import urllib.error
    import urllib.request
    request = urllib.request.Request(url, method=method, headers=headers,
                                     data=None if data is None else data.encode("utf-8"))
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (urllib.error.URLError, OSError) as exc:
        raise ServerError(f"cannot reach {where}: {getattr(exc, 'reason', exc)}") from None


def quote_body(customer, edition, peak_dau, peak_groups, addons, months, discount) -> dict:
    """The API's request for one app's quote, from cell values (numbers as Excel has them)."""
    def text(v) -> str:
        if v is None:
            return ""
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v).strip()
    codes = [text(a) for a in (addons if isinstance(addons, (list, tuple)) else [addons]) if text(a)]
    return {"customer": text(customer), "months": text(months) or "1", "discount": text(discount) or None,
            "apps": [{"edition": text(edition), "peak_dau": text(peak_dau) or "0",
                      "peak_groups": text(peak_groups) or "0", "addons": codes}]}


def idempotency_key(body: dict, day: dt.date | None = None) -> str:
    """The same sheet recorded twice on one day is one quote (a second click finds the first)."""
    text = json.dumps({"day": (day or dt.date.today()).isoformat(), **body}, sort_keys=True, ensure_ascii=False)
    return "lite-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


async def record_quote(body: dict) -> dict:
    return await call("POST", "/quotes", body, {"Idempotency-Key": idempotency_key(body)})


async def book_in_force() -> tuple[str, str]:
    """The id and TOML text of the book the server has in force today, the text checked against
    the SHA-256 the server gives."""
    in_force = (await call("GET", "/books"))["in_force"]
    book = await call("GET", f"/books/{in_force['id']}")
    if hashlib.sha256(book["toml"].encode("utf-8")).hexdigest() != book["sha256"]:
        raise ServerError("the price book arrived damaged (its SHA-256 differs): try again")
    return book["id"], book["toml"]


# ------------------------------------------------------------------------------ the Lite workbook's scripts

async def record_sheet(book, sheet: str, cells: dict[str, str]) -> str:
    """The quote typed on ``sheet`` recorded on the server: its number, date and validity written
    into the sheet's header; a problem written where the number goes (never a traceback)."""
    ws = book.sheets[sheet]
    try:
        body = quote_body(*(ws[cells[k]].value for k in ("customer", "edition", "peak_dau", "peak_groups",
                                                         "addons", "months", "discount")))
        if not body["customer"]:
            raise ServerError(f"type the customer's name in {cells['customer']} first")
        record = await record_quote(body)
    except ServerError as exc:
        ws[cells["quote_number"]].value = f"#RECORD: {exc}"[:250]
        return str(exc)
    ws[cells["quote_number"]].value = record["label"]
    ws[cells["quote_date"]].value = record["quote_date"]
    ws[cells["valid_until"]].value = record["valid_until"]
    return f"recorded {record['label']} ({record['status']}, total {record['total']} {record['currency']})"


async def update_book(book, sheet: str, cell: str, use_book_text: Callable[[str, str], Any]) -> str:
    """The server's book in force made the default of this workbook's functions, by the owner of
    that default (``use_book_text(toml, source)``, xlpricing.udf's in the Lite workbook, which checks
    the book whole); said in ``cell``."""
    try:
        book_id, toml = await book_in_force()
        use_book_text(toml, f"the server's {book_id}")
    except (ServerError, PriceBookError) as exc:
        said = f"#BOOK: {exc}"[:250]
    else:
        said = f"price book {book_id} (from the team server, {dt.date.today().isoformat()})"
    book.sheets[sheet][cell].value = said
    return said

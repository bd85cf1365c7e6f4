"""The JSON API, version 1 (mounted at /api/v1; docs/api.md describes it). A request carries a
user's API token: ``Authorization: Bearer xlp_…``. Amounts are exact decimal texts, never floats.

    GET  /api/v1/books[?on=YYYY-MM-DD]     the books, and the one in force on that day (today)
    GET  /api/v1/books/{id}                a book's TOML text
    POST /api/v1/price                     price, record nothing
    GET  /api/v1/quotes[?status=&customer=&rep=&expiring=DAYS]
    POST /api/v1/quotes                    price, write and record (Idempotency-Key: a retry finds its record)
    GET  /api/v1/quotes/{ref}              a quote, its versions and its history
    POST /api/v1/quotes/{ref}/status       {"status": "sent" | "accepted" | "declined"}
    POST /api/v1/quotes/{ref}/approve      {"role": optional}
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..errors import PriceBookError, QuoteError
from ..register.errors import RegisterError
from .app import Forbidden, NeedLogin, Server, api_user, is_manager, may_change, public_base, team
from .forms import proposal_of, quote_request

MAX_BODY = 256 * 1024
VERSION = 1


def _error(status: int, message: str, problems: list | None = None) -> JSONResponse:
    return JSONResponse({"error": message, **({"problems": problems} if problems else {})}, status_code=status)


def endpoint(fn):
    """An API call: its user from the token, its JSON body read, its work in a thread; errors as JSON."""
    async def run(request: Request) -> Response:
        body = None
        if request.method == "POST":
            raw = await request.body()
            if len(raw) > MAX_BODY:
                return _error(413, f"the body is over {MAX_BODY // 1024} KB")
            try:
                body = json.loads(raw or b"{}")
            except (ValueError, UnicodeDecodeError):
                return _error(400, "the body is not JSON")
            if not isinstance(body, dict):
                return _error(400, "the body is a JSON object")

        def work():
            user = api_user(request)
            return fn(request, body, user)
        try:
            return await run_in_threadpool(work)
        except QuoteError as exc:
            return _error(400, "; ".join(p.message for p in exc.problems),
                          [{"argument": p.argument, "message": p.message} for p in exc.problems])
        except PriceBookError as exc:
            return _error(400, str(exc))
        except RegisterError as exc:
            text = str(exc)
            return _error(404 if text.startswith("no quote") else 409, text)
    return run


def record_data(request: Request, r) -> dict:
    base = public_base(request)
    docs = {"xlsx": f"{base}/quotes/{r.number}/files/xlsx?version={r.version}"}
    if r.pdf_sha256:
        docs["pdf"] = f"{base}/quotes/{r.number}/files/pdf?version={r.version}"
    return {"number": r.number, "version": r.version, "label": r.label, "status": r.status_on(dt.date.today()),
            "customer": r.customer, "rep": r.rep, "quote_date": r.quote_date.isoformat(),
            "valid_until": r.valid_until.isoformat(), "price_book": r.price_book, "currency": r.currency,
            "total": str(r.total), "net": None if r.net is None else str(r.net),
            "tax": None if r.tax is None else str(r.tax), "discount_percent": str(r.discount), "options": r.options,
            "approvals": r.approvals, "sha256": r.sha256, "pdf_sha256": r.pdf_sha256, "documents": docs,
            "page": f"{base}/quotes/{r.number}"}


def _book_data(book) -> dict:
    return {"id": book.id, "name_zh": book.name_zh, "name_en": book.name_en, "region": book.region,
            "currency": book.currency, "effective_from": book.effective_from and book.effective_from.isoformat(),
            "effective_to": book.effective_to and book.effective_to.isoformat()}


def _day(text: str | None) -> dt.date:
    from ..pricebook import parse_day
    if not text:
        return dt.date.today()
    day = parse_day(text)
    if day is None:
        raise QuoteError.of("on", f"a day is YYYY-MM-DD, got {text!r}")
    return day


@endpoint
def index(request: Request, body, user) -> Response:
    return JSONResponse({"version": VERSION, "user": {"login": user.id, "name": user.name, "roles": list(user.roles)},
                         "endpoints": [r.path for r in routes()]})


@endpoint
def books(request: Request, body, user) -> Response:
    from ..pricebook import choose_price_book, shipped_books
    day = _day(request.query_params.get("on"))
    book = choose_price_book(today=day)
    return JSONResponse({"on": day.isoformat(), "in_force": {**_book_data(book), "sha256": _sha(book.toml)},
                         "books": [_book_data(b) for b in shipped_books()]})


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@endpoint
def book_text(request: Request, body, user) -> Response:
    from ..pricebook import available_price_books, get_price_book
    name = request.path_params["id"]
    if name not in available_price_books():
        return _error(404, f"no price book {name!r} (known: {', '.join(available_price_books())})")
    book = get_price_book(name)
    return JSONResponse({**_book_data(book), "sha256": _sha(book.toml), "toml": book.toml})


def _book(body: dict):
    from ..pricebook import choose_price_book
    name = body.get("price_book")
    return choose_price_book(str(name) if name else None, today=_day(body.get("date")))


@endpoint
def price(request: Request, body, user) -> Response:
    from ..quoting import priced_data
    book = _book(body)
    priced = quote_request(body).price(book)
    return JSONResponse({"price_book": book.id, **priced_data(priced)})


@endpoint
def quotes(request: Request, body, user) -> Response:
    server: Server = request.app.state.server
    if request.method == "GET":
        q = request.query_params
        expiring = q.get("expiring", "").strip()
        if expiring and not expiring.isdigit():
            raise QuoteError.of("expiring", f"expiring is a number of days, got {expiring!r}")
        rows = server.register.quotes(status=q.get("status") or None, customer=q.get("customer") or None,
                                      rep=q.get("rep") or None, expiring_within=int(expiring) if expiring else None)
        return JSONResponse({"quotes": [record_data(request, r) for r in rows]})
    from ..quoting import publish
    key = request.headers.get("idempotency-key") or body.get("idempotency_key")
    request_key = None
    if key:
        request_key = f"api:{user.id}:{str(key)[:200]}"
        found = server.register.find_key(request_key)
        if found is not None:  # a retry: the record the first call made, not a second one
            return JSONResponse(record_data(request, found), status_code=200)
    book = _book(body)
    request_ = quote_request(body)
    proposal = proposal_of(body, server.seller, server.seller_path, team(request).valid_days)
    rep = str(body.get("rep") or user.name)
    reg = server.as_user(user, team(request))
    if not user.is_named(rep) and not is_manager(user, team(request)):
        raise RegisterError(f"{user.name} records quotes under their own name (a manager may name another rep)")
    try:
        record, _ = publish(reg, book, request_, proposal, rep=rep, folder=server.documents, request_key=request_key)
    except RegisterError:
        if request_key and (found := server.register.find_key(request_key)) is not None:
            return JSONResponse(record_data(request, found), status_code=200)  # the same key, at the same time
        raise
    return JSONResponse(record_data(request, record), status_code=201)


@endpoint
def quote(request: Request, body, user) -> Response:
    server: Server = request.app.state.server
    ref = request.path_params["ref"]
    versions = server.register.versions(ref)
    events = [dict(zip(("version", "at", "who", "action", "from", "to", "detail"), e))
              for e in server.register.events(ref)]
    return JSONResponse({**record_data(request, versions[-1]), "versions": [record_data(request, v) for v in versions],
                         "events": events})


@endpoint
def status(request: Request, body, user) -> Response:
    server: Server = request.app.state.server
    record = server.register.get(request.path_params["ref"])
    if not may_change(user, record, team(request)):
        raise Forbidden(f"{record.label} is {record.rep}'s quote: its rep or a manager changes it")
    r = server.register.set_status(record.number, str(body.get("status", "")), user.id)
    return JSONResponse(record_data(request, r))


@endpoint
def approve(request: Request, body, user) -> Response:
    from ..quoting import approve as approve_quote
    server: Server = request.app.state.server
    role = body.get("role")
    r = approve_quote(server.as_user(user, team(request)), request.path_params["ref"], str(role) if role else None)
    return JSONResponse(record_data(request, r))


def exception_handlers():
    async def need_login(request: Request, exc: NeedLogin) -> Response:
        return _error(401, "an API token is needed: Authorization: Bearer xlp_… (make one on your account page)")

    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return _error(403, str(exc))

    return {NeedLogin: need_login, Forbidden: forbidden}


def routes() -> list[Route]:
    return [
        Route("/", index),
        Route("/books", books),
        Route("/books/{id}", book_text),
        Route("/price", price, methods=["POST"]),
        Route("/quotes", quotes, methods=["GET", "POST"]),
        Route("/quotes/{ref}", quote),
        Route("/quotes/{ref}/status", status, methods=["POST"]),
        Route("/quotes/{ref}/approve", approve, methods=["POST"]),
    ]

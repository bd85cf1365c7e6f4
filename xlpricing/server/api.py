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
import re

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..book.catalog import Catalog, parse_day
from ..errors import PriceBookError, Problem, QuoteError
from ..register.errors import KeyInUse, RegisterError
from .forms import proposal_of, quote_request
from .state import (BodyTooLarge, Forbidden, NeedLogin, Server, api_user, bounded, event_detail, is_manager,
                    may_change, public_base, seen, team, visible)

MAX_BODY = 256 * 1024
VERSION = 1


def _error(status: int, message: str, problems: list | None = None) -> JSONResponse:
    return JSONResponse({"error": message, **({"problems": problems} if problems else {})}, status_code=status)


# A quote's body is three levels deep ({"apps": [{"addons": [...]}]}): far deeper is an attack on
# the parser (1,000 levels overflow Python's stack), refused before it parses.
MAX_DEPTH = 16
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")


def nesting(text: str) -> int:
    """How deep the arrays and objects of JSON ``text`` nest (brackets inside strings not counted)."""
    depth = deepest = 0
    for bracket in _NOT_A_BRACKET.sub("", _JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def json_body(raw: bytes) -> dict:
    """The body, a JSON object; QuoteError naming where it is wrong (a JSON path, as
    ``apps[0].name``). Every text in it, keys too, holds only characters a text may hold: a lone
    surrogate or a NUL would otherwise fail later, in a workbook or the database."""
    from ..formatting import character_problem
    if not raw.strip():
        return {}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QuoteError.of("body", f"the body is not UTF-8 text (byte {exc.start + 1:,})") from None
    if nesting(text) > MAX_DEPTH:
        raise QuoteError.of("body", f"the body nests arrays and objects more than {MAX_DEPTH} deep")
    try:
        body = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise QuoteError.of("body", "the body is not JSON") from None
    if not isinstance(body, dict):
        raise QuoteError.of("body", f"the body must be a JSON object {{…}}, got {_json_type(body)}")
    problems = []

    def walk(value, where: str) -> None:
        if isinstance(value, str):
            bad = character_problem(where, value)
            if bad:
                problems.append(Problem(where, bad))
        elif isinstance(value, dict):
            for key, item in value.items():
                bad = character_problem(f"{where or 'the body'}: a key", key)
                if bad:
                    problems.append(Problem(where or "body", bad))
                else:
                    walk(item, f"{where}.{key}" if where else key)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, f"{where}[{i}]")

    walk(body, "")
    if problems:
        raise QuoteError(problems)
    return body


def _json_type(value) -> str:
    """What a JSON value is, in JSON's words."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    return {dict: "an object", list: "an array", str: "a string"}.get(type(value), "a number")


def endpoint(fn):
    """An API call: its body read (at most MAX_BODY: 413), its user from the token (401), its body
    parsed (400), its work in a thread; errors as JSON. Nothing about the body is looked at before
    its size is known, and nothing is parsed for a caller who is nobody."""
    async def run(request: Request) -> Response:
        raw = None
        if request.method == "POST":
            try:
                raw = await bounded(request, MAX_BODY).body()
            except BodyTooLarge as exc:
                return _error(413, str(exc))
            except ClientDisconnect:
                return Response(status_code=400)  # nobody is there to read it

        def work():
            user = api_user(request)
            body = None if raw is None else json_body(raw)
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
            "customer": r.customer, "rep": r.rep, "rep_login": r.rep_login, "quote_date": r.quote_date.isoformat(),
            "valid_until": r.valid_until.isoformat(), "price_book": r.price_book, "currency": r.currency,
            "total": str(r.total), "net": None if r.net is None else str(r.net),
            "tax": None if r.tax is None else str(r.tax), "discount_percent": str(r.discount), "options": r.options,
            "approvals": r.approvals, "sha256": r.sha256, "pdf_sha256": r.pdf_sha256, "documents": docs,
            "page": f"{base}/quotes/{r.number}"}


def _book_data(book) -> dict:
    return {"id": book.id, "name_zh": book.name_zh, "name_en": book.name_en, "region": book.region,
            "currency": book.currency, "effective_from": book.effective_from and book.effective_from.isoformat(),
            "effective_to": book.effective_to and book.effective_to.isoformat()}


def _day(text: str | None, field: str = "on") -> dt.date:
    if not text:
        return dt.date.today()
    day = parse_day(text)
    if day is None:
        raise QuoteError.of(field, f"{field}: a day is YYYY-MM-DD, got {text!r}")
    return day


@endpoint
def index(request: Request, body, user) -> Response:
    return JSONResponse({"version": VERSION, "user": {"login": user.id, "name": user.name, "roles": list(user.roles)},
                         "endpoints": [r.path for r in routes()]})


@endpoint
def books(request: Request, body, user) -> Response:
    catalog: Catalog = request.app.state.server.catalog
    day = _day(request.query_params.get("on"))
    book = catalog.choose(today=day)
    return JSONResponse({"on": day.isoformat(), "in_force": {**_book_data(book), "sha256": _sha(book.toml)},
                         "books": [_book_data(b) for b in catalog.books()]})


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@endpoint
def book_text(request: Request, body, user) -> Response:
    try:
        book = request.app.state.server.catalog.client_book(request.path_params["id"], argument="id")
    except QuoteError as exc:
        return _error(404, str(exc))
    return JSONResponse({**_book_data(book), "sha256": _sha(book.toml), "toml": book.toml})


def _book(request: Request, body: dict):
    """The book a request names (an id only: Catalog.client_book), or the one in force on its
    ``date``, from the server's catalog."""
    date = body.get("date")
    if date is not None and not isinstance(date, str):
        raise QuoteError.of("date", f"date: a day is YYYY-MM-DD, got {type(date).__name__}")
    catalog: Catalog = request.app.state.server.catalog
    return catalog.client_book(body.get("price_book"), today=_day(date, "date"))


@endpoint
def price(request: Request, body, user) -> Response:
    from ..quoting import priced_data
    book = _book(request, body)
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
        return JSONResponse({"quotes": [record_data(request, r) for r in rows if visible(user, r, team(request))]})
    from ..quoting import publish
    key, digest = _idempotency_key(request, body)
    request_key = None
    if key:
        request_key = f"api:{user.id}:{key}"  # a key is the user's own: another's same text is another key
        answer = _keyed(request, server.register.key_holder(request_key), digest)
        if answer is not None:  # a retry: the record the first call made (or is making), not a second one
            return answer
    book = _book(request, body)
    request_ = quote_request(body)
    proposal = proposal_of(body, server.seller, server.seller_path, team(request).valid_days)
    rep = _string(body, "rep") or user.id
    reg = server.as_user(user, team(request))
    if reg.rep_named(rep)[1] != user.id and not is_manager(user, team(request)):
        raise Forbidden(f"{user.name} records quotes under their own name (a manager may name another rep)")
    try:
        record, _ = publish(reg, book, request_, proposal, rep=rep, folder=server.documents, request_key=request_key,
                            request_sha256=digest)
    except KeyInUse:  # the same key, at the same time: the other call's record, when it is done
        return _keyed(request, server.register.key_holder(request_key), digest) or _still_in_progress()
    return JSONResponse(record_data(request, record), status_code=201)


MAX_KEY = 200  # characters; a longer key is refused, never cut (two keys cut alike would be one)


def _idempotency_key(request: Request, body: dict) -> tuple[str | None, str]:
    """The call's Idempotency-Key (the header, else the body's ``idempotency_key``) and the SHA-256
    of what it asks: the body as canonical JSON (keys sorted, no spaces), the key left out."""
    key = request.headers.get("idempotency-key")
    name = "Idempotency-Key"
    if key is None:
        key, name = _string(body, "idempotency_key"), "idempotency_key"
    if key is not None and not 0 < len(key.strip()) <= MAX_KEY:
        raise QuoteError.of(name, f"{name}: a key is 1 to {MAX_KEY} characters, got {len(key.strip()):,}")
    asked = {k: v for k, v in body.items() if k != "idempotency_key"}
    canonical = json.dumps(asked, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return key, hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _keyed(request: Request, holder, digest: str) -> Response | None:
    """The answer to a call whose key is held already (None: it is not): 422 when the key was used
    for another request, 409 while its first call is still recording, else the quote it recorded."""
    if holder is None:
        return None
    if holder.request_sha256 is not None and holder.request_sha256 != digest:
        return _error(422, "this Idempotency-Key was used for another request: a new request needs a new key",
                      [{"argument": "Idempotency-Key", "message": "used before with another body"}])
    if holder.record is None:
        return _still_in_progress()
    return JSONResponse(record_data(request, holder.record), status_code=200)


def _still_in_progress() -> Response:
    return JSONResponse({"error": "a request with this Idempotency-Key is still in progress: retry in a moment"},
                        status_code=409, headers={"Retry-After": "1"})


def _string(body: dict, name: str) -> str | None:
    """The text field ``name`` of the body (None: absent, null or empty); 400 for anything but a string."""
    value = body.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise QuoteError.of(name, f"{name} must be a string, got {_json_type(value)}")
    return value


@endpoint
def quote(request: Request, body, user) -> Response:
    server: Server = request.app.state.server
    ref = request.path_params["ref"]
    seen(server, user, ref, team(request))  # another rep's quote is "no quote" (404) where reps see their own only
    versions = server.register.versions(ref)
    events = [dict(zip(("version", "at", "who", "action", "from", "to", "detail"), (*e[:6], event_detail(e[6]))))
              for e in server.register.events(ref)]
    base = public_base(request)
    number = versions[-1].number
    stamped = [{"version": version, "url": f"{base}/quotes/{number}/files/signed-{cid}?version={version}",
                "sha256": digest, "uploaded_by": by, "uploaded_at": at}
               for cid, version, _, digest, by, at in server.accounts.signed_copies(number)]
    return JSONResponse({**record_data(request, versions[-1]), "versions": [record_data(request, v) for v in versions],
                         "events": events, "stamped_copies": stamped})


@endpoint
def status(request: Request, body, user) -> Response:
    server: Server = request.app.state.server
    record = seen(server, user, request.path_params["ref"], team(request))
    if not may_change(user, record, team(request)):
        raise Forbidden(f"{record.label} is {record.rep}'s quote: its rep or a manager changes it")
    r = server.register.set_status(record.number, _string(body, "status") or "", user.id)
    return JSONResponse(record_data(request, r))


@endpoint
def approve(request: Request, body, user) -> Response:
    from ..quoting import approve as approve_quote
    server: Server = request.app.state.server
    seen(server, user, request.path_params["ref"], team(request))
    r = approve_quote(server.as_user(user, team(request)), request.path_params["ref"], _string(body, "role"))
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

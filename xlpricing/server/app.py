"""The team server: web pages and a JSON API on the quote register (an ASGI app: Starlette,
Jinja2 templates, served by uvicorn; no front-end build step, no script in the pages).

Who acts is who logged in: the web session or the API token names a user of the team, and the
quoting service records, approves and revises as that user (``Register.acting_as``). Every route
but the login page, the static style sheet and a customer's link needs a user; every form posts
a CSRF token; cookies are signed, HttpOnly and SameSite. Nothing the server logs holds a secret:
the access log prints paths with link tokens masked, and no header.
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, Signer
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from ..register.accounts import Accounts
from ..register.core import Register, team_settings
from ..register.db import SQLiteDatabase
from ..register.errors import RegisterError
from ..register.settings import DEFAULT_TIME_ZONE, TeamSettings, User

HERE = Path(__file__).parent
SESSION_COOKIE = "xlp_session"
FORM_COOKIE = "xlp_form"  # the CSRF token of forms shown before a login (the login form, a customer's link)
ADMIN = "admin"  # the role that manages users and sees the team settings
# Excel's web add-ins run xlwings Lite from its add-in site: the origin its requests come from
LITE_ORIGINS = ("https://addin.xlwings.org",)
log = logging.getLogger("xlpricing.server")


@dataclass
class ServerConfig:
    register: str | None = None  # a SQLite path or a postgresql:// URL (default: the CLI's)
    settings: str | None = None
    documents: Path | None = None  # where quotes' workbooks and PDFs are written (default: beside a SQLite register)
    seller: str | None = None  # the seller profile proposals carry
    secure_cookies: bool = False  # behind HTTPS: cookies only over HTTPS
    cors_origins: tuple[str, ...] = LITE_ORIGINS
    access_log: bool = True
    public_url: str | None = None  # the address customers and scripts reach (behind a proxy); default: as asked


@dataclass
class Server:
    """What every request shares: the register (one connection per process, its transactions
    serialised), the team's users, the documents folder."""

    config: ServerConfig
    register: Register
    accounts: Accounts
    documents: Path
    signer: Signer
    seller: object = None
    seller_path: str = ""

    @classmethod
    def start(cls, config: ServerConfig) -> "Server":
        from ..seller import choose_seller, chosen_seller_path
        register = Register.open(config.register, config.settings)
        accounts = Accounts(register.db)
        if config.documents is not None:
            documents = Path(config.documents)
        elif isinstance(register.db, SQLiteDatabase):
            documents = register.db.path.parent / "documents"
        else:
            raise RegisterError("a PostgreSQL register keeps no files: give the folder the server writes quotes' "
                                "workbooks and PDFs to (--documents DIR, shared by the team's servers)")
        documents.mkdir(parents=True, exist_ok=True)
        signer = Signer(accounts.secret(), salt="xlpricing-session")
        return cls(config, register, accounts, documents.resolve(), signer, choose_seller(config.seller),
                   chosen_seller_path(config.seller))

    def settings(self) -> TeamSettings:
        """The team settings with the users added since the server started (read afresh: a user
        added with ``xlpricing users add`` can log in at once). A request reads them once: ``team``."""
        settings = team_settings(self.register.db, self.config.settings)
        self.register.settings = settings  # the shared register matches old quotes to the users as they are now
        return settings

    def as_user(self, user: User, settings: TeamSettings) -> Register:
        return Register(self.register.db, settings).acting_as(user)

    def inside(self, path: str | Path) -> Path | None:
        """``path`` when it lies in the documents folder (a record written elsewhere, by the command
        line, is not served), else None."""
        p = Path(path).resolve()
        return p if p.is_relative_to(self.documents) and p.is_file() else None


# ------------------------------------------------------------------------------ who is asking

class NeedLogin(Exception):
    """No user: a page redirects to the login form, the API answers 401."""


class Forbidden(Exception):
    pass


def team(request: Request) -> TeamSettings:
    """The team settings for this request, read once however many checks ask."""
    settings = getattr(request.state, "team", None)
    if settings is None:
        settings = request.state.team = request.app.state.server.settings()
    return settings


def session_key(request: Request) -> str | None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    try:
        return request.app.state.server.signer.unsign(cookie).decode("ascii")
    except (BadSignature, UnicodeDecodeError):
        return None


def web_user(request: Request):
    """(user, session) of the browser's session; NeedLogin without one."""
    server: Server = request.app.state.server
    key = session_key(request)
    session = server.accounts.session(key) if key else None
    if session is None:
        raise NeedLogin()
    user = team(request).users.get(session.login)
    if user is None:  # removed from the team since
        raise NeedLogin()
    return user, session


def api_user(request: Request) -> User:
    server: Server = request.app.state.server
    # an authentication scheme's name is case-insensitive (RFC 9110): "bearer" is Bearer
    m = re.fullmatch(r"Bearer\s+(\S+)", request.headers.get("authorization", ""), re.IGNORECASE)
    login = server.accounts.token_login(m.group(1)) if m else None
    user = team(request).users.get(login) if login else None
    if user is None:
        raise NeedLogin()
    return user


class BodyTooLarge(Exception):
    """A request's body went past its limit while it was read."""

    def __init__(self, limit: int):
        super().__init__(f"the body is over {limit // 1024:,} KB")
        self.limit = limit


def bounded(request: Request, limit: int) -> Request:
    """``request`` whose body is read at most ``limit`` bytes far: reading past it raises
    BodyTooLarge. A chunked body has no length to check first, and a stated length may lie; the
    rest is never read, so an oversized body costs no memory."""
    stated = request.headers.get("content-length", "")
    received = 0

    async def receive():
        nonlocal received
        if stated.isdigit() and int(stated) > limit:
            raise BodyTooLarge(limit)
        message = await request.receive()
        received += len(message.get("body", b""))
        if received > limit:
            raise BodyTooLarge(limit)
        return message

    return Request(request.scope, receive)


def check_csrf(expected: str, given: str | None) -> None:
    if not given or not hmac.compare_digest(expected.encode(), str(given).encode()):
        raise Forbidden("the form's security token is missing or old: reload the page and try again")


def is_manager(user: User, settings: TeamSettings) -> bool:
    """An approver (a role the approval rules name) or an administrator."""
    return ADMIN in user.roles or bool(set(user.roles) & {r.role for r in settings.approvals})


def owns(user: User, record) -> bool:
    """``record`` is ``user``'s own quote: filed under their login. A quote recorded before quotes
    kept a login has the owner the register matched it to when read (``core.owned``): the one user
    whose name or login its rep is; a name two users share makes it nobody's (managers still may)."""
    return record.rep_login is not None and record.rep_login == user.id


def may_change(user: User, record, settings: TeamSettings) -> bool:
    """The quote's own rep, a manager or an administrator may send it, mark it and share it."""
    return owns(user, record) or is_manager(user, settings)


def visible(user: User, record, settings: TeamSettings) -> bool:
    """``user`` may see ``record`` (its page, documents and history, its row in lists): with the
    team setting [quotes] visibility = "own" a rep sees her own quotes only; managers, the quote's
    approvers (a role it asks or asked approval of) and administrators see every quote."""
    if settings.visibility != "own" or owns(user, record) or is_manager(user, settings):
        return True
    return bool(set(user.roles) & {a["role"] for a in record.approvals})


def seen(server: "Server", user: User, ref: str, settings: TeamSettings):
    """The newest version of quote ``ref`` when ``user`` may see it; else the register's "no
    quote" refusal, word for word: another's quote is not told apart from one that does not exist."""
    record = server.register.get(server.register.reference(ref)[0])
    if not visible(user, record, settings):
        raise RegisterError(f"no quote {record.number} in the register")
    return record


# a server file path in an event's detail (events recorded before details left paths out carried
# the workbook's), and an amount as the register writes it ("total 83988 CNY", "above 100000")
_PATH = re.compile(r"(?<![\w.])(?:[A-Za-z]:)?[\\/](?:[^\\/\s·;,'\"()]+[\\/])+[^\s·;,'\"()]*")
_AMOUNT = re.compile(r"\b(total|above) (-?\d+(?:\.\d+)?)(?: ([A-Z]{3})\b)?")


def event_detail(detail: str | None) -> str:
    """An event's detail as pages and the API show it: no server file path, amounts formatted
    ("Acme · total 83988 CNY · /srv/…/Acme-Q-2026-000001.xlsx" → "Acme · total CNY 83,988")."""
    from decimal import Decimal

    from .. import formatting
    if not detail:
        return ""
    text = _PATH.sub("…", re.sub(" · " + _PATH.pattern, "", detail))  # the created event's, then any other

    def amount(m: re.Match) -> str:
        value = Decimal(m[2])
        return f"{m[1]} " + (formatting.money(value, m[3]) if m[3] else formatting.amount(value))
    return _AMOUNT.sub(amount, text).strip()


def public_base(request: Request) -> str:
    """The site's address in links it hands out: --public-url, else the address the request came to."""
    url = request.app.state.server.config.public_url
    return (url or str(request.base_url)).rstrip("/")


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


# ------------------------------------------------------------------------------ the app

def redact_path(path: str) -> str:
    """A path fit for a log: a customer's link token never appears."""
    return re.sub(r"^/accept/[^/]+", "/accept/***", path)


class AccessLog:
    """Method, path (tokens masked), status and time of each request; never a header or a query."""

    def __init__(self, app, enabled: bool):
        self.app = app
        self.enabled = enabled

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not self.enabled:
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = {}

        async def sending(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            log.info("%s %s %s %.0fms", scope["method"], redact_path(scope["path"]), status.get("code", "-"),
                     (time.perf_counter() - started) * 1000)


class LastResort:
    """An error nobody foresaw: logged with a new id and its traceback, answered 500 with that id
    only (JSON for the API, a plain page otherwise). A client never sees the error's text: a
    database's words or address, a file path."""

    def __init__(self, app, json: bool = False):
        self.app = app
        self.json = json

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def sending(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception:
            error_id = secrets.token_hex(6)
            log.exception("error %s in %s %s", error_id, scope["method"], redact_path(scope["path"]))
            if started:  # half an answer is out: only closing the connection says it failed
                raise
            from starlette.responses import JSONResponse, PlainTextResponse
            response = (JSONResponse({"error": "internal error", "id": error_id}, status_code=500) if self.json else
                        PlainTextResponse(f"内部错误 Internal error. The server's log names it {error_id}: "
                                          "give this id to your administrator.", status_code=500))
            await response(scope, receive, send)


class SecurityHeaders:
    """No framing, no sniffing, no referrer (a customer's link never leaks to another site), and
    pages that run no script at all."""

    HEADERS = [(b"content-security-policy", b"default-src 'none'; style-src 'self'; img-src 'self' data:; "
                                            b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
               (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
               (b"x-frame-options", b"DENY"), (b"cache-control", b"no-store")]

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def sending(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [h for h in self.HEADERS if h[0] not in names]
            await send(message)

        await self.app(scope, receive, sending)


def _environment():
    import jinja2
    from .. import formatting
    # every {{ value }} a page shows passes shown_text: a bidi control in a user's text (a name with
    # U+202E) is written as its code point, never obeyed by the browser
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True,
                             undefined=jinja2.StrictUndefined, finalize=formatting.shown_text)
    env.filters["money"] = lambda v, cur="CNY": "" if v is None else formatting.money(v, cur)
    env.filters["amount"] = lambda v: "" if v is None else formatting.amount(v)
    env.filters["plain"] = lambda v: "" if v is None else formatting.plain(v)
    env.filters["totals"] = lambda by_currency: " · ".join(formatting.money(v, c) for c, v in sorted(by_currency.items()))
    # a time the register wrote (UTC), in the team's zone: render() puts it in every page's context
    env.filters["when"] = jinja2.pass_context(
        lambda context, stamp: formatting.local_time(stamp, context.get("time_zone") or DEFAULT_TIME_ZONE))
    return env


templates = Jinja2Templates(env=_environment())


def create_app(config: ServerConfig | None = None) -> Starlette:
    from . import api, pages
    config = config or ServerConfig()
    server = Server.start(config)
    api_app = Starlette(routes=api.routes(), exception_handlers=api.exception_handlers(),
                        middleware=[Middleware(CORSMiddleware, allow_origins=list(config.cors_origins),
                                               allow_methods=["GET", "POST"],
                                               allow_headers=["authorization", "content-type", "idempotency-key"],
                                               max_age=600),
                                    Middleware(LastResort, json=True)])  # inside CORS: a browser reads its id
    api_app.state.server = server
    app = Starlette(routes=[*pages.routes(), Mount("/api/v1", app=api_app),
                            Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static")],
                    exception_handlers=pages.exception_handlers())
    app.state.server = server
    app.add_middleware(LastResort)  # innermost: its page gets the security headers and the access log's 500
    app.add_middleware(SecurityHeaders)
    app.add_middleware(AccessLog, enabled=config.access_log)
    return app


CONFIG_ENV = "XLPRICING_SERVER_CONFIG"  # how `serve --workers N` hands its settings to each worker process


def from_environment() -> Starlette:
    """The app of one worker process of ``xlpricing serve --workers N`` (uvicorn's factory)."""
    import json
    import sys
    data = json.loads(os.environ[CONFIG_ENV])
    data["documents"] = Path(data["documents"]) if data.get("documents") else None
    data["cors_origins"] = tuple(data["cors_origins"])
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    return create_app(ServerConfig(**data))


def new_form_token() -> str:
    return secrets.token_urlsafe(24)



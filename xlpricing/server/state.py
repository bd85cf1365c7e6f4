"""What every request of the team server shares, and who is asking: the server's settings and
state (the register, the team's users, the documents folder), the user a page's session or an API
token names, the CSRF check, a body read no further than its limit, and who may see or change a
quote. The pages (pages.py) and the API (api.py) build on it; the app factory (app.py) starts it."""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from itsdangerous import BadSignature, Signer
from starlette.requests import Request

from .. import formatting
from ..book.catalog import Catalog, shipped_catalog
from ..register.accounts import Accounts
from ..register.core import Register, team_settings
from ..register.db import SQLiteDatabase
from ..register.errors import RegisterError
from ..register.settings import TeamSettings, User
from ..seller import choose_seller, chosen_seller_path

SESSION_COOKIE = "xlp_session"
FORM_COOKIE = "xlp_form"  # the CSRF token of forms shown before a login (the login form, a customer's link)
ADMIN = "admin"  # the role that manages users and sees the team settings
# Excel's web add-ins run xlwings Lite from its add-in site: the origin its requests come from
LITE_ORIGINS = ("https://addin.xlwings.org",)


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
    serialised), the team's users, the documents folder, and the catalog of price books quotes
    are priced with (the register's: a recorded book's text is read once)."""

    config: ServerConfig
    register: Register
    accounts: Accounts
    documents: Path
    signer: Signer
    seller: object = None
    seller_path: str = ""

    @property
    def catalog(self) -> Catalog:
        return self.register.catalog

    @classmethod
    def start(cls, config: ServerConfig, catalog: Catalog | None = None) -> "Server":
        register = Register.open(config.register, config.settings, catalog=catalog or shipped_catalog())
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
        return Register(self.register.db, settings, self.catalog).acting_as(user)

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


def new_form_token() -> str:
    return secrets.token_urlsafe(24)

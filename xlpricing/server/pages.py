"""The web pages: login, the pipeline dashboard, the quote list, a quote, the price-and-record
form, approvals, customers' links and stamped copies, the user's API tokens, the team settings."""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote as url_quote

import jinja2
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from .. import formatting, inputs
from ..errors import QuoteError
from ..register import core
from ..register.accounts import LINK_DAYS, Throttled, new_password
from ..register.errors import RegisterError
from ..register.settings import DEFAULT_TIME_ZONE
from .forms import MAX_APPS, proposal_of, quote_request
from .state import (ADMIN, FORM_COOKIE, SESSION_COOKIE, BodyTooLarge, Forbidden, NeedLogin, Server, api_user, bounded,
                    check_csrf, client_address, event_detail, is_manager, may_change, new_form_token, public_base,
                    seen, session_key, team, visible, web_user)

MAX_UPLOAD = 20 * 1024 * 1024  # a stamped PDF: scans are large, 20 MB is plenty
STATUS_LABELS = {core.DRAFT: "草稿 draft", core.PENDING: "待审批 pending approval", core.SENT: "已发送 sent",
                 core.ACCEPTED: "已接受 accepted", core.DECLINED: "已拒绝 declined",
                 core.SUPERSEDED: "已替代 superseded", core.EXPIRED: "已过期 expired"}


def _environment() -> jinja2.Environment:
    # every {{ value }} a page shows passes shown_text: a bidi control in a user's text (a name with
    # U+202E) is written as its code point, never obeyed by the browser
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
                             autoescape=True, undefined=jinja2.StrictUndefined, finalize=formatting.shown_text)
    env.filters["money"] = lambda v, cur="CNY": "" if v is None else formatting.money(v, cur)
    env.filters["amount"] = lambda v: "" if v is None else formatting.amount(v)
    env.filters["plain"] = lambda v: "" if v is None else formatting.plain(v)
    env.filters["totals"] = lambda by_currency: " · ".join(formatting.money(v, c) for c, v in sorted(by_currency.items()))
    # a time the register wrote (UTC), in the team's zone: render() puts it in every page's context
    env.filters["when"] = jinja2.pass_context(
        lambda context, stamp: formatting.local_time(stamp, context.get("time_zone") or DEFAULT_TIME_ZONE))
    return env


templates = Jinja2Templates(env=_environment())


def _server(request: Request) -> Server:
    return request.app.state.server


def render(request: Request, name: str, status: int = 200, user=None, session=None, **context) -> Response:
    settings = team(request) if user is not None else None
    context.update(user=user, csrf=session.csrf if session else context.get("csrf", ""),
                   is_admin=user is not None and ADMIN in user.roles,
                   is_manager=user is not None and is_manager(user, settings),
                   status_labels=STATUS_LABELS, today=dt.date.today(), time_zone=team(request).time_zone)
    return templates.TemplateResponse(request, name, context, status_code=status)


def endpoint(signed_in: bool = True, max_size: int = 1024 * 1024, token: bool = False):
    """A page: its form read (CSRF checked for a signed-in user), its work done in a thread.
    ``token``: an API token may stand for the session (a GET: the command line downloads)."""
    def wrap(fn):
        @functools.wraps(fn)
        async def run(request: Request) -> Response:
            form = None
            if request.method == "POST":  # read no further than max_size, before anything else
                try:
                    form = await bounded(request, max_size).form(max_files=1, max_fields=200,
                                                                 max_part_size=max_size)
                except BodyTooLarge as exc:
                    return Response(f"请求过大 too large: {exc}", status_code=413, media_type="text/plain")
                except ClientDisconnect:
                    return Response(status_code=400)  # nobody is there to read it
            if not signed_in:
                return await run_in_threadpool(fn, request, form)
            if token and request.method == "GET" and "authorization" in request.headers:
                return await run_in_threadpool(fn, request, form, await run_in_threadpool(api_user, request), None)
            user, session = await run_in_threadpool(web_user, request)
            if form is not None:
                check_csrf(session.csrf, form.get("csrf"))
            return await run_in_threadpool(fn, request, form, user, session)
        return run
    return wrap


def _local(target: str | None) -> str:
    """A redirect target after login: a path of this site only (never //elsewhere)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


# ------------------------------------------------------------------------------ login

def _form_token(request: Request) -> str:
    return request.cookies.get(FORM_COOKIE) or new_form_token()


def _with_form_cookie(request: Request, response: Response, token: str) -> Response:
    response.set_cookie(FORM_COOKIE, token, httponly=True, samesite="strict",
                        secure=_server(request).config.secure_cookies, path="/")
    return response


@endpoint(signed_in=False)
def login(request: Request, form) -> Response:
    server = _server(request)
    token = _form_token(request)
    next_path = _local(request.query_params.get("next") or (form.get("next") if form else None))
    if form is None:
        return _with_form_cookie(request, render(request, "login.html", csrf=token, next=next_path, error=""), token)
    check_csrf(request.cookies.get(FORM_COOKIE, ""), form.get("csrf"))
    login_name = str(form.get("login", "")).strip().lower()
    user = team(request).users.get(login_name)  # by login only: a user *named* zhao is not zhao
    try:
        ok = server.accounts.check_login(login_name, str(form.get("password", "")), client_address(request))
    except Throttled as exc:
        return _with_form_cookie(request, render(request, "login.html", status=429, csrf=token, next=next_path,
                                                 error=str(exc)), token)
    if not ok or user is None:
        return _with_form_cookie(request, render(request, "login.html", status=401, csrf=token, next=next_path,
                                                 error="用户名或密码错误 wrong login or password"), token)
    key, _ = server.accounts.new_session(user.id, session_key(request))  # a new key at every login
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(SESSION_COOKIE, server.signer.sign(key).decode("ascii"), httponly=True, samesite="lax",
                        secure=server.config.secure_cookies, path="/")
    response.delete_cookie(FORM_COOKIE, path="/")
    return response


@endpoint()
def logout(request: Request, form, user, session) -> Response:
    key = session_key(request)
    if key:
        _server(request).accounts.end_session(key)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# ------------------------------------------------------------------------------ pipeline

def _month(r) -> str:
    return r.quote_date.strftime("%Y-%m")


@endpoint()
def dashboard(request: Request, form, user, session) -> Response:
    server = _server(request)
    today = dt.date.today()
    rows = [r for r in server.register.quotes(today=today) if visible(user, r, team(request))]
    # count, and the total in each currency (a CNY and a USD quote are never added together)
    by_status, by_rep, by_month = (defaultdict(lambda: [0, defaultdict(Decimal)]) for _ in range(3))
    shown_rep = {}  # a rep's row links to her quotes by login, and shows her name
    for r in rows:
        shown_rep[r.rep_login or r.rep] = _rep_name(request, r)
        for table, key in ((by_status, r.status_on(today)), (by_rep, r.rep_login or r.rep), (by_month, _month(r))):
            table[key][0] += 1
            table[key][1][r.currency] += r.total
    expiring = sorted((r for r in rows if r.status_on(today) in core.OPEN
                       and today <= r.valid_until <= today + dt.timedelta(days=7)), key=lambda r: r.valid_until)
    reg = server.as_user(user, team(request))
    waiting = [r for r in rows if r.status == core.PENDING and reg.may_approve(r, user)]
    return render(request, "dashboard.html", user=user, session=session, count=len(rows),
                  by_status=[(s, *by_status[s]) for s in STATUS_LABELS if s in by_status],
                  by_rep=sorted(((k, shown_rep[k], v) for k, v in by_rep.items()), key=lambda t: t[1].casefold()),
                  by_month=sorted(by_month.items(), reverse=True), expiring=expiring, waiting=waiting)


def _rep_name(request: Request, r) -> str:
    """The name a quote's rep goes by now (the one it was filed under when she is no user any more)."""
    user = team(request).users.get(r.rep_login) if r.rep_login else None
    return user.name if user else r.rep


@endpoint()
def quote_list(request: Request, form, user, session) -> Response:
    q = request.query_params
    status = q.get("status") or None
    if status not in (None, *STATUS_LABELS):
        status = None
    rows = [r for r in _server(request).register.quotes(status=status, customer=q.get("customer") or None,
                                                        rep=q.get("rep") or None, today=dt.date.today())
            if visible(user, r, team(request))]
    reps = sorted(((u.id, u.name) for u in team(request).users.values()), key=lambda u: u[1].casefold())
    return render(request, "quotes.html", user=user, session=session, rows=rows, reps=reps,
                  filters={"status": status or "", "customer": q.get("customer", ""), "rep": q.get("rep", "")})


# ------------------------------------------------------------------------------ pricing and recording

def _form_apps(form) -> list[dict]:
    return [{k: str(form.get(f"{k}_{i}", "") or "") for k in ("name", "edition", "addons", "peak_dau", "peak_groups")}
            for i in range(MAX_APPS) if f"edition_{i}" in form or f"name_{i}" in form]


def _form_options(form, apps: list[dict]) -> list[dict] | None:
    """Options 2 and 3 of a one-app quote (the same usage, another edition or add-ons), or None."""
    extra = [{"edition": str(form.get(f"option_edition_{k}", "") or ""), "addons": str(form.get(f"option_addons_{k}", "") or "")}
             for k in (2, 3)]
    extra = [o for o in extra if o["edition"].strip() or o["addons"].strip()]
    if not extra:
        return None
    filled = [a for a in apps if any(v.strip() for v in a.values())]
    if len(filled) != 1:
        raise QuoteError.of("options", "options 2 and 3 compare another edition for one app: give one app, or leave "
                                       "them empty for a deal of several apps")
    first = filled[0]
    return [{"edition": first["edition"], "addons": first["addons"]},
            *({"edition": o["edition"] or first["edition"], "addons": o["addons"]} for o in extra)]


def _book_choices(server: Server):
    """The book a new quote gets today (the server's catalog's default), its editions and add-ons."""
    book = server.catalog.choose(today=dt.date.today())
    return (book, [(e.code, f"{e.name_zh} {e.name_en}") for e in book.editions],
            [(a.code, f"{a.short_zh} {a.short_en}") for a in book.addons if a.withdrawn is None])


@endpoint()
def new_quote(request: Request, form, user, session) -> Response:
    server = _server(request)
    book, editions, addons = _book_choices(server)
    values = {"customer": "", "contact": user.name, "customer_contact": "", "customer_address": "", "notes": "",
              "months": "12", "discount": "", "valid_days": str(team(request).valid_days), "lang": "both",
              "option_edition_2": "", "option_addons_2": "", "option_edition_3": "", "option_addons_3": ""}
    apps = [{"name": "", "edition": "", "addons": "", "peak_dau": "", "peak_groups": ""} for _ in range(4)]
    priced = problems = None
    if form is not None:
        values.update({k: str(form.get(k, "") or "") for k in values})
        given = _form_apps(form)
        filled = [a for a in given if any(v.strip() for v in a.values())]
        blank = dict.fromkeys(("name", "edition", "addons", "peak_dau", "peak_groups"), "")
        # shown again with two empty rows more (up to MAX_APPS): a deal grows by pricing it again
        apps = filled + [dict(blank) for _ in range(min(MAX_APPS, max(4, len(filled) + 2)) - len(filled))]
        data = {**values, "apps": given}
        for k in (2, 3):
            values[f"option_edition_{k}"] = str(form.get(f"option_edition_{k}", "") or "")
            values[f"option_addons_{k}"] = str(form.get(f"option_addons_{k}", "") or "")
        try:
            options = _form_options(form, given)
            if options is not None:  # one app, up to three options side by side, as `quote --option`
                data = {**data, "options": options, "peak_dau": given[0]["peak_dau"] if given else "",
                        "peak_groups": given[0]["peak_groups"] if given else ""}
            request_ = quote_request(data)
            priced = request_.price(book)
            if form.get("action") == "record":  # the customer's texts matter only then
                from ..quoting import publish
                proposal = proposal_of(data, server.seller, server.seller_path, team(request).valid_days)
                record, _ = publish(server.as_user(user, team(request)), book, request_, proposal, rep=user.id,
                                    folder=server.documents)
                return RedirectResponse(f"/quotes/{url_quote(record.number)}?recorded=1", status_code=303)
        except QuoteError as exc:
            problems, priced = [p.message for p in exc.problems], None
        except RegisterError as exc:
            problems, priced = [str(exc)], None
    return render(request, "new.html", status=200 if not problems else 400, user=user, session=session, book=book,
                  editions=editions, addons=addons, values=values, apps=apps, priced=priced, problems=problems,
                  lines=_priced_lines(priced, book) if priced else [])


def _priced_lines(priced, book) -> list[dict]:
    """What the lines tables show, a group per option or per app of a deal: its heading in words,
    (subheading, lines) of each phase, and its subtotal (an app's; an option's beside others)."""
    if priced.is_deal:
        groups = []
        for app in priced.deal.apps:
            parts = [(f"{_offer_name(book, p.quote)} · {_months(p)}", _shown_lines(p.quote)) for p in app.phases]
            if len(parts) == 1:  # one phase: one heading says it all
                heading, parts = f"{app.name} · {parts[0][0]}", [("", parts[0][1])]
            else:
                heading = app.name
            groups.append({"heading": heading, "parts": parts, "subtotal": app.total,
                           "subtotal_label": f"小计 Subtotal · {app.name}"})
        return groups
    several = len(priced.options) > 1
    return [{"heading": (f"方案 {i} Option {i} · " if several else "") + _offer_name(book, q),
             "parts": [("", _shown_lines(q))], "subtotal": q.total if several else None,
             "subtotal_label": f"方案 {i} 合计 Option {i} total"} for i, q in enumerate(priced.options, 1)]


def _offer_name(book, quote) -> str:
    """专业版 Pro + 历史消息 90 天 90-day history: an edition and its add-ons by name, not by code."""
    names = [f"{quote.edition_name_zh} {quote.edition_name_en}"]
    for code in quote.addons:
        addon = book.find_addon(code)
        names.append(f"{addon.short_zh} {addon.short_en}" if addon else code)
    return " + ".join(names)


def _shown_lines(quote) -> list:
    """A quote's lines but a discount of nothing (a trial's package is free: 15 % of 0 is no line)."""
    from ..engine import DISCOUNT
    return [l for l in quote.lines if not (l.billing == DISCOUNT and l.amount == 0)]


def _months(p) -> str:
    return (f"第{p.first_month}月 month {p.first_month}" if p.first_month == p.last_month else
            f"第{p.first_month}–{p.last_month}月 months {p.first_month}–{p.last_month}")


# ------------------------------------------------------------------------------ a quote

def _record(server: Server, ref: str, version: str | None = None):
    try:
        return server.register.get(ref, int(version) if version and version.isdigit() else None)
    except RegisterError:
        return None


def _quote_page(request: Request, user, session, ref: str, message: str = "", error: str = "", link: str = "",
                status: int = 200) -> Response:
    server = _server(request)
    try:
        versions = server.register.versions(ref)
        if not visible(user, versions[-1], team(request)):
            raise RegisterError(ref)  # another rep's quote reads as one that does not exist
    except RegisterError:
        return render(request, "message.html", status=404, user=user, session=session, title="没有此报价 No such quote",
                      text=f"{ref} is not in the register.")
    record = versions[-1]
    shown = _record(server, ref, request.query_params.get("version")) or record
    reg = server.as_user(user, team(request))
    try:
        from ..quoting import QuoteRequest
        book = server.register.book_of(shown)
        lines = _priced_lines(QuoteRequest.from_json(shown.request).price(book), book)
    except (QuoteError, RegisterError) as exc:
        lines, error = [], error or f"cannot show its lines: {exc}"
    settings = team(request)
    zone = settings.time_zone  # times as the team reads them; details without a server path, amounts formatted
    events = [(v, formatting.local_time(at, zone), who, action, before, after, event_detail(detail))
              for v, at, who, action, before, after, detail in server.register.events(record.number)]
    signed = [(cid, v, "", digest, by, formatting.local_time(at, zone))
              for cid, v, _, digest, by, at in server.accounts.signed_copies(record.number)]
    return render(request, "quote.html", status=status, user=user, session=session, r=shown, latest=record,
                  versions=versions, events=events, lines=lines,
                  links=server.accounts.links(record.number), signed=signed,
                  may_approve=reg.may_approve(record, user), may_change=may_change(user, record, settings),
                  transitions=[s for s in core.TRANSITIONS[record.status_on(dt.date.today())] if s in core.SETTABLE],
                  has_files={"xlsx": server.inside(shown.path) is not None,
                             "pdf": shown.pdf_sha256 is not None and server.inside(shown.pdf_path) is not None},
                  message=message or ("已记录 recorded" if request.query_params.get("recorded") else ""), error=error,
                  link=link, link_days=LINK_DAYS, cannot_share=share_refusal(server, record, dt.date.today()),
                  cannot_upload=signed_refusal(record, dt.date.today()), revise_usage=_usage_revisable(record))


def _usage_revisable(record) -> bool:
    """Whether a revision may change the peak DAU and groups (a deal of several apps or phases
    takes a new deal file instead: QuoteRequest.revised says so)."""
    from ..quoting import QuoteRequest
    try:
        return QuoteRequest.from_json(record.request).usage_revisable()
    except (QuoteError, RegisterError):
        return False


@endpoint()
def quote_page(request: Request, form, user, session) -> Response:
    return _quote_page(request, user, session, request.path_params["ref"])


def _acting(request: Request, form, user, session, act) -> Response:
    """A change on a quote's page: done, then the page again with what happened (or why not)."""
    ref = request.path_params["ref"]
    try:
        seen(_server(request), user, ref, team(request))
    except RegisterError:
        return _quote_page(request, user, session, ref)  # 404, whether it does not exist or is another's
    try:
        message, link = act(_server(request), ref)
    except (RegisterError, QuoteError) as exc:
        text = "; ".join(p.message for p in exc.problems) if isinstance(exc, QuoteError) else str(exc)
        return _quote_page(request, user, session, ref, error=text, status=409)
    return _quote_page(request, user, session, ref, message=message, link=link)


@endpoint()
def approve(request: Request, form, user, session) -> Response:
    def act(server: Server, ref: str):
        from ..quoting import approve as approve_quote
        r = approve_quote(server.as_user(user, team(request)), ref)
        waiting = ", ".join(a["role"] for a in r.approvals if a["by"] is None)
        return (f"已批准 approved by {user.name}" + (f"; still waiting for {waiting}" if waiting else
                                                      ": the pending banner is gone from its documents")), ""
    return _acting(request, form, user, session, act)


@endpoint()
def refuse(request: Request, form, user, session) -> Response:
    def act(server: Server, ref: str):
        server.as_user(user, team(request)).refuse_approval(ref, user, str(form.get("why", "")))
        return f"已拒绝 approval refused by {user.name}", ""
    return _acting(request, form, user, session, act)


def _changer(request: Request, server: Server, ref: str, user):
    record = server.register.get(ref)
    if not may_change(user, record, team(request)):
        raise Forbidden(f"{record.label} is {record.rep}'s quote: its rep or a manager changes it")
    return record


@endpoint()
def set_status(request: Request, form, user, session) -> Response:
    def act(server: Server, ref: str):
        _changer(request, server, ref, user)
        r = server.register.set_status(ref, str(form.get("status", "")), user.id)
        return f"{r.label} → {STATUS_LABELS.get(r.status, r.status)}", ""
    return _acting(request, form, user, session, act)


def ensure_pdf(server: Server, reg, record):
    """The quote's PDF, written beside its workbook and recorded when it has none yet."""
    if record.pdf_sha256 is not None:
        return record
    from ..quoting import attach_pdf
    from ..sheets.libreoffice import pdf_unavailable
    from ..sheets.pdf import write_pdf
    problem = pdf_unavailable("the customer's PDF")
    if problem:
        raise RegisterError(problem)
    write_pdf(Path(record.path), force=True)
    attach_pdf(reg, record)
    return server.register.get(record.number, record.version)


def share_refusal(server: Server, record, today: dt.date) -> str:
    """Why no customer's link is made for ``record`` now, or "": its page offers the button only then."""
    shown = record.status_on(today)
    if shown not in (core.DRAFT, core.SENT):
        return (f"{record.label} is {shown}: only a draft or a sent quote is shared with a customer"
                + (" (approve it first)" if shown == core.PENDING else ""))
    if server.inside(record.path) is None:
        return (f"{record.label}'s workbook is not in the server's documents folder, so it cannot be shown to a "
                "customer (it was recorded elsewhere)")
    return ""


def opens_as_pdf(data: bytes) -> bool:
    """True when ``data`` is a PDF a reader opens, with at least one page (a file that only starts
    with %PDF- is not: 8 bytes, or a zip behind the header)."""
    import io
    import logging
    from pypdf import PdfReader
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a broken upload is refused, not logged in detail
    try:
        reader = PdfReader(io.BytesIO(data))
        return len(reader.pages) >= 1 and reader.pages[0].mediabox.width > 0
    except Exception:  # pypdf raises many kinds on a broken file (and RecursionError on a hostile one)
        return False


def signed_refusal(record, today: dt.date) -> str:
    """Why no stamped copy is kept for ``record`` now, or "": a signed copy accepts the quote, so a
    quote takes one when it may become accepted (core.TRANSITIONS) or is accepted already."""
    shown = record.status_on(today)
    if shown == core.ACCEPTED or core.ACCEPTED in core.TRANSITIONS[shown]:
        return ""
    return (f"{record.label} is {shown}: a stamped copy is kept for a sent or an accepted quote"
            + (" (mark it sent first)" if core.SENT in core.TRANSITIONS[shown] else ""))


@endpoint()
def share(request: Request, form, user, session) -> Response:
    def act(server: Server, ref: str):
        record = _changer(request, server, ref, user)
        shown = record.status_on(dt.date.today())
        why_not = share_refusal(server, record, dt.date.today())
        if why_not:
            raise RegisterError(why_not)
        try:
            days = int(str(form.get("days", LINK_DAYS)).strip())
        except ValueError:
            raise RegisterError("a link is valid for a whole number of days") from None
        reg = server.as_user(user, team(request))
        ensure_pdf(server, reg, record)
        token = server.accounts.new_link(record.number, record.version, user.id, days)
        if shown == core.DRAFT:
            server.register.set_status(record.number, core.SENT, user.id, detail="shared with the customer by link")
        link = f"{public_base(request)}/accept/{token}"
        return f"链接已创建 link made for {record.label}, valid {days} days: copy it now, it is shown once", link
    return _acting(request, form, user, session, act)


@endpoint()
def revoke_link(request: Request, form, user, session) -> Response:
    def act(server: Server, ref: str):
        record = _changer(request, server, ref, user)
        if not server.accounts.revoke_link(int(request.path_params["link"]), record.number):
            raise RegisterError("that link was answered or withdrawn already")
        return "链接已撤销 link withdrawn: it shows nothing any more", ""
    return _acting(request, form, user, session, act)


@endpoint(max_size=MAX_UPLOAD + 64 * 1024)
def upload_signed(request: Request, form, user, session) -> Response:
    """盖章回传: the customer's stamped, signed PDF, kept with its SHA-256; a sent quote becomes accepted."""
    def act(server: Server, ref: str):
        import hashlib
        from ..files import publish_numbered, safe_file_stem
        record = _changer(request, server, ref, user)
        why_not = signed_refusal(record, dt.date.today())
        if why_not:
            raise RegisterError(why_not)
        upload = form.get("file")
        data = upload.file.read(MAX_UPLOAD + 1) if hasattr(upload, "file") else b""
        if len(data) > MAX_UPLOAD:
            raise RegisterError(f"the stamped copy is over {MAX_UPLOAD // (1024 * 1024)} MB")
        if not opens_as_pdf(data):
            raise RegisterError("the stamped copy must be a PDF file that opens, with at least one page")
        # our name, never the upload's; the next free number, claimed atomically: a double-click
        # keeps both copies, and a file left in the folder never blocks the next upload
        target = publish_numbered(data, server.documents / "signed", f"{safe_file_stem(record.label)}-signed",
                                  ".pdf", first=len(server.accounts.signed_copies(record.number)) + 1)
        digest = hashlib.sha256(data).hexdigest()
        server.accounts.add_signed_copy(record.number, record.version, str(target), digest, user.id)
        said = f"盖章回传已保存 stamped copy kept (SHA-256 {digest[:16]}…)"
        if record.status_on(dt.date.today()) == core.SENT:
            try:
                server.register.set_status(record.number, core.ACCEPTED, user.id,
                                           detail=f"stamped copy uploaded, SHA-256 {digest}")
                said += "; the quote is accepted"
            except RegisterError:  # answered meanwhile (another upload, the customer's link): the copy is kept
                now = server.register.get(record.number).status_on(dt.date.today())
                said += f"; the quote is {STATUS_LABELS.get(now, now)}"
        return said, ""
    return _acting(request, form, user, session, act)


@endpoint()
def revise(request: Request, form, user, session) -> Response:
    """The next version with the changes typed (blank: unchanged), priced with the book the quote
    was priced with; the version before is superseded (an accepted one stays accepted)."""
    def act(server: Server, ref: str):
        from ..quoting import revise as revise_quote
        record = _changer(request, server, ref, user)
        text = {k: str(form.get(k, "") or "").strip() for k in ("dau", "groups", "months", "discount", "valid_days",
                                                                 "notes")}
        changes = {k: (text[k] or None) for k in ("dau", "groups", "months", "discount")}
        info = {"notes": text["notes"] or None,
                "valid_days": inputs.whole_number(text["valid_days"], "valid_days") if text["valid_days"] else None}
        new = revise_quote(server.as_user(user, team(request)), record.number, server.register.book_of(record),
                           changes, info)
        before = server.register.get(record.number, record.version)
        return (f"已修订 revised: {new.label} ({STATUS_LABELS[new.status]}, total {formatting.money(new.total, new.currency)}"
                f"); {before.label} is {STATUS_LABELS[before.status]}"), ""
    return _acting(request, form, user, session, act)


@endpoint(token=True)
def download(request: Request, form, user, session) -> Response:
    server = _server(request)
    record = _record(server, request.path_params["ref"], request.query_params.get("version"))
    if record is None or not visible(user, server.register.get(record.number), team(request)):
        return Response("no such quote", status_code=404, media_type="text/plain")
    kind = request.path_params["kind"]
    if kind == "xlsx":
        return _document(server, Path(record.path), record.sha256)
    if kind == "pdf" and record.pdf_sha256:
        return _document(server, record.pdf_path, record.pdf_sha256)
    if kind.startswith("signed-") and kind[7:].isdigit():
        for cid, _, path, digest, _, _ in server.accounts.signed_copies(record.number):
            if cid == int(kind[7:]):
                return _document(server, Path(path), digest)
    return Response("no such document", status_code=404, media_type="text/plain")


def _document(server: Server, path: Path, digest: str | None) -> Response:
    """A recorded document, only from the documents folder and only as recorded (its SHA-256)."""
    from ..register.core import sha256_of
    inside = server.inside(path)
    if inside is None:
        return Response("this document is not kept by the server", status_code=404, media_type="text/plain")
    if digest and sha256_of(inside) != digest:
        return Response("this document has changed since it was recorded: ask an administrator to run "
                        "xlpricing quotes verify", status_code=409, media_type="text/plain")
    media = "application/pdf" if inside.suffix == ".pdf" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return FileResponse(inside, media_type=media, filename=inside.name)


# ------------------------------------------------------------------------------ a customer's link

def _link_state(server: Server, token: str):
    """(link, record, why not): the record only when the link may show it."""
    link = server.accounts.link(token)
    if link is None or link.state() in ("revoked", "expired"):
        return link, None, "此链接已失效 This link is no longer valid (expired or withdrawn). Ask your contact for a new one."
    try:
        latest = server.register.get(link.number)
    except RegisterError:
        return link, None, "此链接已失效 This link is no longer valid."
    if latest.version != link.version and link.state() == "open":
        return link, None, ("此报价已有新版本 This proposal has been replaced by a newer version: ask your contact "
                            "for its link.")
    return link, server.register.get(link.number, link.version), ""


@endpoint(signed_in=False)
def accept(request: Request, form) -> Response:
    server = _server(request)
    token = request.path_params["token"]
    link, record, why = _link_state(server, token)
    form_token = _form_token(request)
    if record is None:
        return render(request, "accept.html", status=404 if link is None or link.state() != "open" else 410,
                      record=None, why=why, link=None, csrf="", error="", done="", form_token="")
    error = done = ""
    if form is not None and link.state() == "open":
        check_csrf(request.cookies.get(FORM_COOKIE, ""), form.get("csrf"))
        answer = str(form.get("answer", ""))
        name = " ".join(str(form.get("name", "")).split())[:200]
        if answer not in ("accepted", "declined"):
            error = "choose accept or decline"
        elif not name:
            error = "请填写您的姓名 give your name: it is recorded with your answer"
        elif bad_name := formatting.character_problem("name", name):
            error = bad_name
        elif answer == "accepted" and form.get("agree") != "yes":
            error = "请确认 tick the box to confirm that you accept the proposal"
        else:
            address = request.client.host if request.client else "unknown"
            what = "accepted" if answer == "accepted" else "declined"
            try:
                server.register.set_status(
                    record.number, core.ACCEPTED if answer == "accepted" else core.DECLINED, f"customer: {name}",
                    detail=f"{what} by {name} through the customer link from {address}; PDF SHA-256 {record.pdf_sha256}",
                    version_required=record.version,
                    also=lambda tx: server.accounts.answer_link(tx, link.id, answer, name, address, record.pdf_sha256))
                done = "谢谢 Thank you: your answer is recorded."
            except RegisterError as exc:
                error = str(exc)
            link = server.accounts.link(token)
            record = server.register.get(record.number, record.version)
    response = render(request, "accept.html", record=record, link=link, why="", csrf=form_token, error=error,
                      done=done, form_token=form_token, **_proposal_shown(server, team(request), record))
    return _with_form_cookie(request, response, form_token)


def _proposal_shown(server: Server, settings, record) -> dict:
    """What a customer's page says of the proposal besides its totals: who offers it (the seller
    profile, else the team's name), its items, term and validity, and how tax is in the total."""
    from ..engine import tax_statement
    from ..quoting import QuoteRequest
    seller = server.seller
    names = [seller.name_zh, seller.name_en] if seller is not None else [settings.team_name]
    shown = {"seller_name": " ".join(dict.fromkeys(n for n in names if n)), "lines": [], "months": None,
             "valid_days": (record.valid_until - record.quote_date).days, "tax_rate": "", "tax_note": "",
             "contact": record.proposal.get("contact") or record.rep}
    try:
        book = server.register.book_of(record)
        priced = QuoteRequest.from_json(record.request).price(book)
    except (QuoteError, RegisterError):  # its book gone from this server: the PDF still says it all
        return shown
    return {**shown, "lines": _priced_lines(priced, book), "months": priced.months,
            "tax_rate": formatting.percent(book.tax.rate * 100) if priced.tax is not None else "",
            "tax_note": " ".join(tax_statement(book))}


@endpoint(signed_in=False)
def accept_pdf(request: Request, form) -> Response:
    server = _server(request)
    _, record, why = _link_state(server, request.path_params["token"])
    if record is None or not record.pdf_sha256:
        return Response("此链接已失效 This link is no longer valid", status_code=404, media_type="text/plain")
    return _document(server, record.pdf_path, record.pdf_sha256)


# ------------------------------------------------------------------------------ account and team

@endpoint()
def account(request: Request, form, user, session) -> Response:
    server = _server(request)
    made = ""
    if form is not None:
        if form.get("action") == "new-token":
            made = server.accounts.new_token(user.id, str(form.get("label", "")))
        elif form.get("action") == "revoke" and str(form.get("token_id", "")).isdigit():
            server.accounts.revoke_token(int(form["token_id"]), user.id)
    zone = team(request).time_zone
    tokens = [(tid, label, formatting.local_time(made_at, zone), formatting.local_time(used, zone), revoked)
              for tid, label, made_at, used, revoked in server.accounts.tokens(user.id)]
    return render(request, "account.html", user=user, session=session, tokens=tokens,
                  made=made, server_url=public_base(request))


@endpoint()
def team_page(request: Request, form, user, session) -> Response:
    """The team settings and its users: administrators only."""
    if ADMIN not in user.roles:
        raise Forbidden("the team settings are for administrators (role admin)")
    server = _server(request)
    message = error = ""
    if form is not None and form.get("action") == "add-user":
        login_name = str(form.get("login", "")).strip().lower()
        roles = [r.strip() for r in str(form.get("roles", "")).split(",") if r.strip()]
        password = new_password()
        try:
            if login_name in team(request).users:
                raise RegisterError(f"{login_name} is a user already")
            server.accounts.add_user(login_name, str(form.get("name", "")), roles, password, in_settings=False,
                                     team=team(request).users)
            request.state.team = server.settings()  # the team as it is now, the new user in it
            message = f"user {login_name} added; their first password (shown once): {password}"
        except RegisterError as exc:
            error = str(exc)
    settings = team(request)
    return render(request, "team.html", user=user, session=session, settings=settings, message=message, error=error,
                  passwords={u: server.accounts.has_password(u) for u in settings.users})


# ------------------------------------------------------------------------------ errors

def exception_handlers():
    async def need_login(request: Request, exc: NeedLogin) -> Response:
        if request.method == "GET":
            return RedirectResponse(f"/login?next={url_quote(request.url.path)}", status_code=303)
        return Response("log in first", status_code=401, media_type="text/plain")

    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return templates.TemplateResponse(request, "message.html", {
            "user": None, "csrf": "", "is_admin": False, "is_manager": False, "title": "不允许 Not allowed",
            "text": str(exc), "status_labels": STATUS_LABELS, "today": dt.date.today()}, status_code=403)

    return {NeedLogin: need_login, Forbidden: forbidden}


def routes() -> list[Route]:
    return [
        Route("/", dashboard),
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/quotes", quote_list),
        Route("/quotes/new", new_quote, methods=["GET", "POST"]),
        Route("/quotes/{ref}", quote_page),
        Route("/quotes/{ref}/approve", approve, methods=["POST"]),
        Route("/quotes/{ref}/refuse", refuse, methods=["POST"]),
        Route("/quotes/{ref}/status", set_status, methods=["POST"]),
        Route("/quotes/{ref}/share", share, methods=["POST"]),
        Route("/quotes/{ref}/revise", revise, methods=["POST"]),
        Route("/quotes/{ref}/links/{link:int}/revoke", revoke_link, methods=["POST"]),
        Route("/quotes/{ref}/signed", upload_signed, methods=["POST"]),
        Route("/quotes/{ref}/files/{kind}", download),
        Route("/accept/{token}", accept, methods=["GET", "POST"], name="accept"),
        Route("/accept/{token}/pdf", accept_pdf),
        Route("/account", account, methods=["GET", "POST"]),
        Route("/team", team_page, methods=["GET", "POST"]),
    ]

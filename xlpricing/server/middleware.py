"""The team server's middleware: the access log (link tokens masked), the last resort for an error
nobody foresaw (a 500 with an id the log carries), and the security headers of every answer."""

from __future__ import annotations

import logging
import re
import secrets
import time

from starlette.responses import JSONResponse, PlainTextResponse

log = logging.getLogger("xlpricing.server")


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

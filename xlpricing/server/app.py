"""The team server: web pages and a JSON API on the quote register (an ASGI app: Starlette,
Jinja2 templates, served by uvicorn; no front-end build step, no script in the pages).

Who acts is who logged in: the web session or the API token names a user of the team, and the
quoting service records, approves and revises as that user (``Register.acting_as``). Every route
but the login page, the static style sheet and a customer's link needs a user; every form posts
a CSRF token; cookies are signed, HttpOnly and SameSite. Nothing the server logs holds a secret:
the access log prints paths with link tokens masked, and no header.

This module is the app factory only: the pages (pages.py) and the API (api.py) mounted, with the
middleware (middleware.py) around them; what every request shares, and who is asking, is state.py's.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from ..book.catalog import Catalog
from . import api, pages
from .middleware import AccessLog, LastResort, SecurityHeaders
from .state import LITE_ORIGINS, Server, ServerConfig

# what the command line and scripts import from here: the factory and its settings
__all__ = ["CONFIG_ENV", "LITE_ORIGINS", "ServerConfig", "create_app", "from_environment"]

HERE = Path(__file__).parent


def create_app(config: ServerConfig | None = None, catalog: Catalog | None = None) -> Starlette:
    """``catalog``: the price books the server quotes with (default: the shipped ones)."""
    config = config or ServerConfig()
    server = Server.start(config, catalog)
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
    data = json.loads(os.environ[CONFIG_ENV])
    data["documents"] = Path(data["documents"]) if data.get("documents") else None
    data["cors_origins"] = tuple(data["cors_origins"])
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    return create_app(ServerConfig(**data))

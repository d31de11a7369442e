"""The editorial app (``shiliao serve``): a Starlette application over ``operations``.

The public site stays the publication (a static folder, built by ``operations.build``); the
app is where a team works on the collection behind it. It is built as if exposed to the
internet, since a team's server may be:

- every page but the login page needs an account (``web.routing``); the JSON API too;
- sessions are server-side (``operations.accounts``), their cookie ``HttpOnly``,
  ``SameSite=Strict``, ``Secure`` unless served over plain HTTP on loopback;
- every state-changing request carries a CSRF token;
- headers: a Content-Security-Policy that allows no inline script and no other origin,
  ``X-Frame-Options: DENY``, ``Referrer-Policy: same-origin`` (nothing to other sites; not
  ``no-referrer``, under which browsers send ``Origin: null`` with the app's own forms and
  the Origin check below refuses them), ``nosniff``, no caching of pages;
- the ``Host`` header must be one the app serves (DNS rebinding), and a POST's ``Origin``,
  when sent, the app's own;
- a request body larger than the upload limit is refused before it is read;
- text from sources is data: every template escapes (Jinja2 autoescape).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from shiliao.operations.accounts import ROLES, Accounts

# The pages and the API declare their routes in ``web.routing.ROUTES`` when imported.
from shiliao.web import admin, api, editing, editorial, reading  # noqa: F401
from shiliao.web.routing import ROUTES, Ctx, endpoint
from shiliao.web.work import Worker

__all__ = ["ServeConfig", "WebApp", "create_app"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_APP_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'"
)
# The public site's own pages: its scripts and styles are its own files; nothing else.
_SITE_CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'"
)


@dataclass
class ServeConfig:
    """How ``shiliao serve`` runs.

    Attributes:
        collection: the collection folder (the app writes its edits there).
        archive: the archive folder (read by every page; written only by the worker thread).
        site: the public site's folder (``/site/`` serves it; publishing writes it).
        hosts: the host names the app answers to (the ``Host`` header, port aside).
        secure_cookies: mark cookies ``Secure`` (on for anything but plain HTTP on loopback:
            behind a TLS reverse proxy).
        max_upload_bytes: the largest request body (a batch of uploads), in bytes.
        workers: files extracted at once by the worker thread.
        git: commit each save when the collection folder is a git work tree.
    """

    collection: Path
    archive: Path
    site: Path
    hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "::1")
    secure_cookies: bool = False
    max_upload_bytes: int = 256 * 1024 * 1024
    workers: int = 1
    git: bool = False


@dataclass
class WebApp:
    """The app's state, shared by every request (``Ctx.app``).

    Attributes:
        config: how it runs.
        accounts: the accounts database.
        worker: the writer thread.
        env: the Jinja2 environment (autoescaped).
        form_limits: limits handed to the form parser.
    """

    config: ServeConfig
    accounts: Accounts
    worker: Worker
    env: Environment
    form_limits: dict[str, int] = field(default_factory=dict)

    def render(self, ctx: Ctx, template: str, status: int = 200, **values: Any) -> Response:
        """Render ``template`` (see ``Ctx.render``)."""
        page = self.env.get_template(template).render(
            session=ctx.session,
            role=ctx.role,
            roles=ROLES,
            can=ctx.can,
            csrf=ctx.session.csrf if ctx.session else values.pop("login_csrf", ""),
            busy=self.worker.busy(),
            path=ctx.request.url.path,
            **values,
        )
        return HTMLResponse(page, status_code=status)

    def set_cookie(self, response: Response, name: str, value: str, max_age: int) -> None:
        """Set a cookie with the app's flags (``max_age`` 0 deletes it)."""
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path="/",
            httponly=True,
            samesite="strict",
            secure=self.config.secure_cookies,
        )


def _headers(scope: Scope, site: bool) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"content-security-policy", (_SITE_CSP if site else _APP_CSP).encode()),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    if not site:
        headers.append((b"cache-control", b"no-store"))
    return headers


class Guard:
    """ASGI middleware: the host check, the Origin check of unsafe methods, the body limit
    and the security headers (see ``web.app``'s docstring)."""

    def __init__(self, app: ASGIApp, config: ServeConfig) -> None:
        self.app = app
        self.config = config

    @staticmethod
    async def _refuse(send: Send, status: int, text: str) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8")],
            }
        )
        await send({"type": "http.response.body", "body": text.encode()})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        name = (
            host.rsplit(":", 1)[0].strip("[]")
            if not host.startswith("[")
            else host[1:].split("]")[0]
        )
        if name not in self.config.hosts:
            await self._refuse(send, 400, "this server does not answer to that host name")
            return
        if scope["method"] not in ("GET", "HEAD"):
            origin = headers.get("origin")
            if origin is not None and origin.split("://", 1)[-1] != host:
                await self._refuse(send, 403, "a form of another site cannot be sent here")
                return
        limit = self.config.max_upload_bytes
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await self._refuse(
                send,
                413,
                f"the upload is larger than this server takes ({limit // (1024 * 1024)} MiB); "
                "send fewer or smaller files at once",
            )
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        site = scope["path"].startswith("/site/")

        async def with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = list(message.get("headers", [])) + _headers(scope, site)
            await send(message)

        try:
            await self.app(scope, counted, with_headers)
        except _TooLarge:
            if not started:
                await self._refuse(send, 413, "the upload is larger than this server takes")


class _TooLarge(Exception):
    pass


def create_app(config: ServeConfig, *, start_worker: bool = True) -> Starlette:
    """The editorial app for a collection and its archive.

    Args:
        config: folders and limits.
        start_worker: start the writer thread (tests that only read may leave it off).

    Returns:
        A Starlette (ASGI) application; its ``state.web`` is the ``WebApp``.

    Raises:
        StoreError: the archive folder is missing or its accounts cannot be opened.
    """
    accounts = Accounts(config.archive)

    worker = Worker(config.collection, config.archive, config.site, config.workers)
    env = Environment(
        loader=PackageLoader("shiliao.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["json"] = lambda value: json.dumps(value, ensure_ascii=False, indent=1)
    env.globals["today"] = lambda: datetime.date.today().isoformat()
    web = WebApp(
        config,
        accounts,
        worker,
        env,
        form_limits={
            "max_files": 1000,
            "max_fields": 5000,
            "max_part_size": 1024 * 1024,
        },
    )
    routes: list[Route | Mount] = [
        Route(spec.path, endpoint(spec, web), methods=[spec.method]) for spec in ROUTES
    ]
    routes.append(
        Mount("/static", StaticFiles(packages=[("shiliao.web", "static")]), name="static")
    )
    config.site.mkdir(parents=True, exist_ok=True)
    routes.append(Mount("/site", StaticFiles(directory=config.site, html=True), name="site"))

    async def not_found(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        what = "not found" if status == 404 else "method not allowed"
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": what, "status": status}, status_code=status)
        return PlainTextResponse(what, status_code=status)

    async def failed(request: Request, exc: Exception) -> Response:
        return PlainTextResponse(
            "the server failed; the error is in its log, nothing was half-written",
            status_code=500,
        )

    def startup() -> None:
        if start_worker:
            worker.start()
            # What the folder holds that the archive does not yet (a save made while the
            # server was stopped) is applied first.
            worker.submit("apply", "serve")

    def shutdown() -> None:
        if start_worker:
            worker.stop()
        accounts.close()

    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(app: Starlette):  # type: ignore[no-untyped-def]
        startup()
        try:
            yield
        finally:
            shutdown()

    app = Starlette(
        routes=routes,
        exception_handlers={404: not_found, 405: not_found, 500: failed},
        lifespan=lifespan,
    )
    app.state.web = web
    app.add_middleware(Guard, config=config)
    return app

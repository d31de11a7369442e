"""The app's routes and the one place their permissions are checked.

Every route is declared with ``route(method, path, needs=ROLE)``: ``needs`` is the least role
of ``operations.accounts.ROLES`` that may use it, or None for a route anyone may use (the login
page). ``ROUTES`` lists them all, so the route-by-role test walks the same table the app is
built from. The wrapper every endpoint runs in (``endpoint``) does, in order:

1. find the session from its cookie (server-side, ``Accounts.session``);
2. refuse a request without one: a page redirects to ``/login``, the JSON API answers 401; an
   account whose role is below ``needs`` gets 403 (the same page whatever is asked for, so a
   refusal tells nothing of what exists);
3. an admin without a confirmed second factor may only enrol one (``/account``, ``/logout``);
4. for every method but GET and HEAD: parse the form (within the body limit) and refuse it with
   403 unless it carries the session's CSRF token (``csrf`` field or ``X-CSRF-Token`` header,
   compared in constant time: the synchronizer token pattern, OWASP CSRF Cheat Sheet);
5. run the endpoint in a worker thread (it reads files and databases).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from shiliao.errors import ArchiveBusy, ShiliaoError
from shiliao.operations.accounts import ROLES, Session, allows

__all__ = [
    "LOGIN_COOKIE",
    "ROUTES",
    "SESSION_COOKIE",
    "Ctx",
    "Refused",
    "RouteSpec",
    "endpoint",
    "route",
]

SESSION_COOKIE = "shiliao_session"
LOGIN_COOKIE = "shiliao_login"
_SAFE = ("GET", "HEAD")
FORM_BYTES = 2 * 1024 * 1024
"""The largest body of a route that takes no files (an essay's text fits many times over);
routes that take files are held to ``ServeConfig.max_upload_bytes`` instead."""


class Refused(Exception):
    """Raised by an endpoint to answer with an error page: ``status`` and a message for the
    person (never a traceback, never a detail of what is withheld)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class RouteSpec:
    """One route of the app.

    Attributes:
        method: ``GET`` or ``POST``.
        path: the Starlette path (``/sources/{source_id}``).
        needs: the least role that may use it, or None for anyone.
        function: the endpoint, called as ``function(ctx)`` in a worker thread.
        api: part of the JSON API (refusals are JSON, 401 instead of a redirect).
        totp_free: usable by an admin who has not yet enrolled a second factor.
        files: takes uploaded files (its body may be as large as the upload limit; any other
            route's at most ``FORM_BYTES``).
    """

    method: str
    path: str
    needs: str | None
    function: Callable[[Ctx], Response]
    api: bool = False
    totp_free: bool = False
    files: bool = False


ROUTES: list[RouteSpec] = []
"""Every route, in the order declared (``route``)."""


def route(
    method: str,
    path: str,
    *,
    needs: str | None,
    api: bool = False,
    totp_free: bool = False,
    files: bool = False,
) -> Callable[[Callable[[Ctx], Response]], Callable[[Ctx], Response]]:
    """Declare a route (see the module's docstring and ``RouteSpec``); returns the function
    unchanged."""
    if needs is not None and needs not in ROLES:
        raise ValueError(f"unknown role {needs!r}")

    def register(function: Callable[[Ctx], Response]) -> Callable[[Ctx], Response]:
        ROUTES.append(RouteSpec(method, path, needs, function, api, totp_free, files))
        return function

    return register


@dataclass
class Ctx:
    """What an endpoint gets.

    Attributes:
        request: the Starlette request (read its ``query_params``, ``path_params``).
        app: the app's state (``web.app.WebApp``).
        session: the logged-in session, or None.
        form: the parsed form of a POST (CSRF already checked), or None.
        cookies: cookies to set on the response, ``name -> (value, max_age)``.
    """

    request: Request
    app: Any
    session: Session | None
    form: FormData | None = None
    cookies: dict[str, tuple[str, int]] = field(default_factory=dict)

    @property
    def role(self) -> str | None:
        """The account's role, or None for nobody logged in."""
        return self.session.user.role if self.session else None

    @property
    def user(self) -> str:
        """The account's name (an endpoint that needs a role always has one)."""
        assert self.session is not None
        return self.session.user.name

    def can(self, needs: str) -> bool:
        """Whether the account may do what needs ``needs``."""
        return allows(self.role, needs)

    def param(self, name: str) -> str:
        """A path parameter."""
        return str(self.request.path_params[name])

    def field(self, name: str, default: str = "") -> str:
        """A text field of the form, stripped of surrounding white space; ``default`` when
        absent. A file field given where text is expected is refused."""
        if self.form is None:
            return default
        value = self.form.get(name)
        if value is None:
            return default
        if not isinstance(value, str):
            raise Refused(400, f"the field {name!r} should be text, not a file")
        return value.strip()

    def fields(self, name: str) -> list[str]:
        """Every value of a repeated text field (checkboxes)."""
        if self.form is None:
            return []
        return [v for v in self.form.getlist(name) if isinstance(v, str)]

    def render(self, template: str, status: int = 200, **values: Any) -> Response:
        """Render a page template with what every page needs (the session, its CSRF token,
        the worker's state) and ``values``."""
        return self.app.render(self, template, status, **values)


def _refusal(spec: RouteSpec, ctx: Ctx, status: int, message: str) -> Response:
    if spec.api:
        return JSONResponse({"error": message, "status": status}, status_code=status)
    if status == 401:
        return RedirectResponse("/login", status_code=303)
    return ctx.render("error.html", status=status, message=message)


async def _form(request: Request, limits: dict[str, int]) -> FormData:
    return await request.form(
        max_files=limits["max_files"],
        max_fields=limits["max_fields"],
        max_part_size=limits["max_part_size"],
    )


def endpoint(spec: RouteSpec, app: Any) -> Callable[[Request], Any]:
    """The Starlette endpoint of a route: the checks of the module's docstring, then the
    function."""

    async def run(request: Request) -> Response:
        session = await run_in_threadpool(app.accounts.session, request.cookies.get(SESSION_COOKIE))
        ctx = Ctx(request=request, app=app, session=session)
        if spec.needs is not None:
            if session is None:
                return _refusal(spec, ctx, 401, "log in first")
            if not allows(session.user.role, spec.needs):
                return _refusal(spec, ctx, 403, "your role does not allow this")
            if session.user.role == "admin" and not session.user.totp and not spec.totp_free:
                if spec.api:
                    return _refusal(spec, ctx, 403, "an admin needs a second factor first")
                return RedirectResponse("/account", status_code=303)
        if request.method not in _SAFE:
            if session is None and not request.cookies.get(LOGIN_COOKIE):
                # Nothing of a body is read for someone with neither a session nor the login
                # form's token (a flood of large anonymous POSTs costs the server nothing).
                return _refusal(
                    spec, ctx, 403, "the form's security token is missing or old: reload the page"
                )
            length = request.headers.get("content-length", "")
            if not spec.files and (not length.isdigit() or int(length) > FORM_BYTES):
                return _refusal(
                    spec, ctx, 413, f"a form may be at most {FORM_BYTES // (1024 * 1024)} MiB"
                )
            try:
                ctx.form = await _form(request, app.form_limits)
            except Exception as exc:  # python-multipart's and Starlette's parse errors
                return _refusal(spec, ctx, 400, f"the form could not be read: {exc}")
            sent = ctx.form.get("csrf") or request.headers.get("x-csrf-token") or ""
            if session is not None:
                expected = session.csrf
            else:
                expected = request.cookies.get(LOGIN_COOKIE) or ""
            if not (
                isinstance(sent, str)
                and expected
                and secrets.compare_digest(sent.encode(), expected.encode())
            ):
                return _refusal(
                    spec, ctx, 403, "the form's security token is missing or old: reload the page"
                )
        try:
            response = await run_in_threadpool(spec.function, ctx)
        except Refused as refused:
            response = _refusal(spec, ctx, refused.status, refused.message)
        except ArchiveBusy as exc:
            response = _refusal(spec, ctx, 503, f"{exc}; try again in a moment")
        except ShiliaoError as exc:
            # An error of shiliao's own says what is wrong and what to do (a collection file
            # that does not read, say): the person is told, as the command line tells them.
            response = _refusal(spec, ctx, 409, str(exc))
        finally:
            if ctx.form is not None:
                await ctx.form.close()
        for name, (value, max_age) in ctx.cookies.items():
            app.set_cookie(response, name, value, max_age)
        return response

    return run

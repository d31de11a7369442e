"""Logging in and out, one's own account (password, second factor), and an admin's pages:
accounts and the activity of the team (the audit trail, with the log entry of each change)."""

from __future__ import annotations

import secrets

from starlette.responses import RedirectResponse, Response

from shiliao.errors import AccountError
from shiliao.operations.accounts import SESSION_MAX_S, LoginRefused
from shiliao.web.routing import LOGIN_COOKIE, SESSION_COOKIE, Ctx, Refused, route

__all__: list[str] = []


@route("GET", "/login", needs=None)
def login_form(ctx: Ctx) -> Response:
    """The login page. It sets a fresh login token (a cookie, and the same value in the form:
    a login from another site's form is refused, login CSRF)."""
    if ctx.session is not None:
        return RedirectResponse("/", status_code=303)
    token = secrets.token_urlsafe(32)
    ctx.cookies[LOGIN_COOKIE] = (token, 3600)
    return ctx.render("login.html", login_csrf=token, message=None)


@route("POST", "/login", needs=None)
def login(ctx: Ctx) -> Response:
    """Check the name, password and code; on success a new session (a new id, whatever
    cookie came with the request) and the login token dropped."""
    client = ctx.request.client.host if ctx.request.client else "unknown"
    try:
        session_id, session = ctx.app.accounts.login(
            ctx.field("name"),
            str(ctx.form.get("password") or "") if ctx.form else "",
            ctx.field("code") or None,
            client,
        )
    except LoginRefused as exc:
        token = secrets.token_urlsafe(32)
        ctx.cookies[LOGIN_COOKIE] = (token, 3600)
        return ctx.render("login.html", status=401, login_csrf=token, message=str(exc))
    planted = ctx.request.cookies.get(SESSION_COOKIE)
    if planted:
        # Whatever session id came with the login is ended: a login never adopts one
        # (session fixation), it always makes its own.
        ctx.app.accounts.revoke(planted)
    ctx.cookies[SESSION_COOKIE] = (session_id, SESSION_MAX_S)
    ctx.cookies[LOGIN_COOKIE] = ("", 0)
    if session.user.role == "admin" and not session.user.totp:
        return RedirectResponse("/account", status_code=303)
    return RedirectResponse("/", status_code=303)


@route("POST", "/logout", needs="reader", totp_free=True)
def logout(ctx: Ctx) -> Response:
    """End this session."""
    ctx.app.accounts.revoke(ctx.request.cookies.get(SESSION_COOKIE, ""))
    ctx.cookies[SESSION_COOKIE] = ("", 0)
    return RedirectResponse("/login", status_code=303)


def _qr_svg(uri: str) -> str:
    """The enrolment URI as an inline SVG QR code (segno: no image file, nothing sent out)."""
    import segno

    return segno.make(uri, error="m").svg_inline(scale=4)


@route("GET", "/account", needs="reader", totp_free=True)
def account(ctx: Ctx) -> Response:
    """One's account: change the password; enrol a second factor (an admin must)."""
    enrolled = ctx.request.query_params.get("enrolled") == "1" and ctx.session.user.totp
    message = (
        "The second factor is in force. Log in next time with a new code (each code works once)."
        if enrolled
        else None
    )
    return ctx.render("account.html", enrol=None, message=message)


@route("POST", "/account/totp", needs="reader", totp_free=True)
def totp(ctx: Ctx) -> Response:
    """Start a second factor (shows its QR code and secret once) or confirm it with a code."""
    accounts = ctx.app.accounts
    if ctx.field("action") == "start":
        try:
            uri = accounts.start_totp(ctx.user, ctx.field("current") or None)
        except AccountError as exc:
            return ctx.render("account.html", status=400, enrol=None, message=str(exc))
        return ctx.render(
            "account.html",
            enrol={
                "uri": uri,
                "svg": _qr_svg(uri),
                "secret": accounts.pending_totp_secret(ctx.user),
            },
            message=None,
        )
    try:
        accounts.confirm_totp(ctx.user, ctx.field("code"))
    except AccountError as exc:
        pending = accounts.pending_totp_secret(ctx.user)
        # The secret being enrolled stays on the page, so the next code can be typed.
        enrol = None
        if pending:
            uri = pyotp_uri(ctx.user, pending)
            enrol = {"uri": uri, "svg": _qr_svg(uri), "secret": pending}
        return ctx.render("account.html", status=400, enrol=enrol, message=str(exc))
    accounts.audit(ctx.user, "second-factor", ctx.user, None, {"enrolled": True})
    # A new page, read with the session as it is now (with its second factor).
    return RedirectResponse("/account?enrolled=1", status_code=303)


def pyotp_uri(name: str, secret: str) -> str:
    """The ``otpauth://`` URI of a TOTP secret, as ``Accounts.start_totp`` gives it."""
    import pyotp

    return pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name="shiliao")


@route("POST", "/account/password", needs="reader")
def password(ctx: Ctx) -> Response:
    """Change one's password (the old one is checked); every session ends, this one too."""
    form = ctx.form
    old = str(form.get("old") or "") if form else ""
    new = str(form.get("new") or "") if form else ""
    client = ctx.request.client.host if ctx.request.client else "unknown"
    try:
        # The old password is checked as a login is (throttled the same way); the session it
        # opens is ended with the others below.
        ctx.app.accounts.login(ctx.user, old, ctx.field("code") or None, client)
    except LoginRefused as exc:
        return ctx.render("account.html", status=400, enrol=None, message=str(exc))
    try:
        ctx.app.accounts.set_password(ctx.user, new)
    except AccountError as exc:
        return ctx.render("account.html", status=400, enrol=None, message=str(exc))
    ctx.app.accounts.audit(ctx.user, "password", ctx.user)
    ctx.cookies[SESSION_COOKIE] = ("", 0)
    return RedirectResponse("/login", status_code=303)


@route("GET", "/admin/users", needs="admin")
def users(ctx: Ctx) -> Response:
    """Every account and its role."""
    return ctx.render("users.html", users=ctx.app.accounts.users(), message=None)


@route("POST", "/admin/users", needs="admin")
def user_change(ctx: Ctx) -> Response:
    """Add an account, change a role, end an account's sessions, or remove it."""
    accounts = ctx.app.accounts
    action = ctx.field("action")
    name = ctx.field("name")
    try:
        if action == "add":
            role = ctx.field("role")
            accounts.add_user(name, role, str(ctx.form.get("password") or "") if ctx.form else "")
            accounts.audit(ctx.user, "user-add", name, None, {"role": role})
        elif action == "role":
            role = ctx.field("role")
            before = accounts.user(name)
            accounts.set_role(name, role)
            accounts.audit(
                ctx.user,
                "user-role",
                name,
                {"role": before.role if before else None},
                {"role": role},
            )
        elif action == "revoke":
            accounts.revoke_all(name)
            accounts.audit(ctx.user, "user-revoke", name)
        elif action == "remove":
            if name == ctx.user:
                raise AccountError("you cannot remove your own account")
            accounts.remove_user(name)
            accounts.audit(ctx.user, "user-remove", name)
        else:
            raise Refused(400, f"unknown action {action!r}")
    except AccountError as exc:
        return ctx.render("users.html", status=400, users=accounts.users(), message=str(exc))
    return RedirectResponse("/admin/users", status_code=303)


@route("GET", "/admin/activity", needs="admin")
def activity(ctx: Ctx) -> Response:
    """Who changed what, when, with the values before and after and the entry of the
    archive's log that records it (logged when the worker next applies the folder)."""
    target = ctx.request.query_params.get("target") or None
    rows = ctx.app.accounts.audit_rows(limit=500, target=target)
    return ctx.render("activity.html", rows=rows, target=target)

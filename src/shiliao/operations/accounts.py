"""Accounts of the editorial app (``shiliao serve``, ``shiliao users``): users and their roles,
passwords, the TOTP second factor, server-side sessions, login throttling and the audit trail.

Everything lives in one SQLite file beside the archive's database, ``ARCHIVE/accounts.db``
(mode 0600): it is not derived from the archive's objects or log, so ``shiliao rebuild`` leaves
it alone, and it never enters a public output.

- **Roles** form a ladder (``ROLES``, least to most): ``reader`` (a team member who reads
  everything the team may, ``team`` material included), ``contributor`` (also uploads,
  captures, annotates and edits metadata other than the access level), ``editor`` (also sets
  access levels, reviews personal data, edits essays and the glossary, imports metadata and
  publishes) and ``admin`` (also manages accounts and reads the audit trail). ``allows`` is the
  one check every route and command uses.
- **Passwords** are hashed with Argon2id (argon2-cffi's ``PasswordHasher`` defaults: t=3,
  m=64 MiB, p=4, RFC 9106's second recommended profile) and rehashed on login when the
  parameters change; at least ``MIN_PASSWORD`` characters.
- **TOTP** (RFC 6238, 30-second steps, 6 digits, SHA-1 as every authenticator app does, via
  pyotp): required for admins (an admin without a confirmed second factor can only enrol it),
  optional for others. A new secret waits beside the one in force until a code of it is
  confirmed, and replacing a factor in force takes a code of the old one. A code is accepted once: the step it was used in is kept, so a code
  seen over a shoulder cannot be replayed in its 30 s.
- **Sessions** are server-side rows keyed by the SHA-256 of a random 256-bit id (a copy of the
  database gives no usable cookie); each has its own CSRF token (synchronizer pattern, OWASP
  CSRF Cheat Sheet), an idle limit and an absolute limit, and can be revoked one by one or all
  of a user's at once (a password change or removal does so). A login always makes a new id,
  so an id planted before login is worthless after it (session fixation).
- **Throttling**: after ``THROTTLE_FAILURES`` failed logins for one account name from one
  client address, or ``THROTTLE_ADDRESS_FAILURES`` from one address, within
  ``THROTTLE_WINDOW_S``, further attempts from that address are refused without checking the
  password until the window has passed. Failures from other addresses never lock an account's
  owner out (anyone could keep an admin out for good otherwise), and a new password clears
  them. The refusal reads the same for a known and an unknown name, and an unknown name is
  checked against a hash made once, so it takes as long as a known one. At most two passwords
  are hashed at once (Argon2id takes 64 MiB each), outside the database lock.
- **Audit**: every change made through the app is a row (who, when, what, the values before
  and after); the archive's log gets an entry for it (``audit_entry``) that names the account
  and the target and carries keyed digests of the values, never the values themselves, so that
  a private name an editor redacted cannot be read from the log.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shiliao.errors import AccountError, StoreError

__all__ = [
    "ACCOUNTS_FILE",
    "MIN_PASSWORD",
    "ROLES",
    "THROTTLE_ADDRESS_FAILURES",
    "THROTTLE_FAILURES",
    "THROTTLE_WINDOW_S",
    "Accounts",
    "AuditRow",
    "LoginRefused",
    "Session",
    "User",
    "allows",
    "audit_entry",
    "recorded",
]

ACCOUNTS_FILE = "accounts.db"
ROLES = ("reader", "contributor", "editor", "admin")
MIN_PASSWORD = 12
THROTTLE_FAILURES = 5
THROTTLE_ADDRESS_FAILURES = 20
THROTTLE_WINDOW_S = 15 * 60
# Argon2id takes 64 MiB a hash: at most this many at once, however many logins arrive.
_HASHING_AT_ONCE = 2
SESSION_IDLE_S = 8 * 3600
SESSION_MAX_S = 7 * 24 * 3600
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password TEXT NOT NULL,
    totp_secret TEXT,
    totp_pending TEXT,
    totp_confirmed INTEGER NOT NULL DEFAULT 0,
    totp_last_step INTEGER NOT NULL DEFAULT -1,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    id_sha256 TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created REAL NOT NULL,
    seen REAL NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS login_failures (
    key TEXT NOT NULL,
    time REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS login_failures_key ON login_failures(key, time);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    user TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    before TEXT,
    after TEXT,
    log_index INTEGER
);
"""


def allows(role: str | None, needed: str) -> bool:
    """Whether an account of ``role`` may do what needs ``needed`` (a role of ``ROLES``);
    ``role`` None (nobody logged in) is allowed nothing."""
    return role is not None and ROLES.index(role) >= ROLES.index(needed)


class LoginRefused(AccountError):
    """A login was refused: wrong name, password or code, or too many attempts. The message
    never says which, so it cannot be used to find account names."""


@dataclass(frozen=True)
class User:
    """An account.

    Attributes:
        name: the login name (``[a-z0-9][a-z0-9._-]{0,63}``).
        role: one of ``ROLES``.
        totp: whether a second factor is enrolled and confirmed.
        created: when the account was made (ISO 8601, UTC).
    """

    name: str
    role: str
    totp: bool
    created: str


@dataclass(frozen=True)
class Session:
    """A logged-in session.

    Attributes:
        user: the account.
        csrf: the token every state-changing request of this session must carry.
        created, seen: Unix times of the login and of the last request.
    """

    user: User
    csrf: str
    created: float
    seen: float


@dataclass(frozen=True)
class AuditRow:
    """One change made through the app.

    Attributes:
        id: its number, in order.
        time: when (ISO 8601, UTC).
        user: the account that made it.
        action: what was done (``"edit"``, ``"upload"``, ``"annotate"``, ``"decide"``...).
        target: what it was done to (a source id, a file of the collection).
        before, after: the values before and after (JSON values), or None.
        log_index: the entry of the archive's log that records it, or None until logged.
    """

    id: int
    time: str
    user: str
    action: str
    target: str
    before: Any
    after: Any
    log_index: int | None


def _pair_key(name: str, address: str) -> str:
    return f"user:{name}@{address}"


def _now_iso() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class Accounts:
    """The accounts database of an archive (``ARCHIVE/accounts.db``), safe to share between
    the threads of one server (one connection, used under a lock).

    Raises (from every method that writes):
        StoreError: the database cannot be opened or written.
    """

    def __init__(self, archive_dir: Path, *, clock: Any = time.time) -> None:
        """Open (and create when missing) the accounts database of ``archive_dir``.

        Args:
            archive_dir: the archive folder (it must exist).
            clock: returns the Unix time; tests pass their own to age sessions.

        Raises:
            StoreError: the folder is not there or the database cannot be opened.
        """
        path = Path(archive_dir) / ACCOUNTS_FILE
        if not Path(archive_dir).is_dir():
            raise StoreError(f"{archive_dir}: no such archive folder; run `shiliao build` first")
        self.path = path
        self._clock = clock
        self._lock = threading.RLock()
        try:
            fresh = not path.exists()
            if fresh:
                # Created 0600 before anything is written in it: it holds password hashes.
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA busy_timeout = 5000")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA foreign_keys = ON")
            self._db.executescript(_SCHEMA)
        except (OSError, sqlite3.DatabaseError) as exc:
            raise StoreError(f"{path}: cannot open the accounts database: {exc}") from exc
        from argon2 import PasswordHasher

        self._hasher = PasswordHasher()
        self._hashing = threading.BoundedSemaphore(_HASHING_AT_ONCE)
        self._unknown_hash: str | None = None

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def __enter__(self) -> Accounts:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                yield self._db
                self._db.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                self._db.execute("ROLLBACK")
                raise StoreError(f"{self.path}: {exc}") from exc
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def _row(self, sql: str, *args: Any) -> tuple[Any, ...] | None:
        with self._lock:
            return self._db.execute(sql, args).fetchone()

    # Users

    @staticmethod
    def _check_password(password: str) -> None:
        if len(password) < MIN_PASSWORD:
            raise AccountError(
                f"a password needs at least {MIN_PASSWORD} characters (a passphrase of a few "
                "words is easiest to remember)"
            )

    def add_user(self, name: str, role: str, password: str) -> User:
        """Make an account.

        Raises:
            AccountError: the name is taken or not ``[a-z0-9][a-z0-9._-]{0,63}``, the role is
                not one of ``ROLES``, or the password is shorter than ``MIN_PASSWORD``.
        """
        if not _NAME.fullmatch(name):
            raise AccountError(
                f"{name!r} cannot be an account name: use lower-case letters, digits, '.', '_' "
                "and '-' (at most 64, starting with a letter or digit)"
            )
        if role not in ROLES:
            raise AccountError(f"{role!r} is not a role; roles are {', '.join(ROLES)}")
        self._check_password(password)
        hashed = self._hasher.hash(password)
        with self._transaction() as db:
            if db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise AccountError(f"an account named {name!r} already exists")
            db.execute(
                "INSERT INTO users (name, role, password, created) VALUES (?, ?, ?, ?)",
                (name, role, hashed, _now_iso()),
            )
        return self.user(name)  # type: ignore[return-value]

    def user(self, name: str) -> User | None:
        """The account named ``name``, or None."""
        row = self._row(
            "SELECT name, role, totp_confirmed, created FROM users WHERE name = ?", name
        )
        return None if row is None else User(row[0], row[1], bool(row[2]), row[3])

    def users(self) -> list[User]:
        """Every account, by name."""
        with self._lock:
            rows = self._db.execute(
                "SELECT name, role, totp_confirmed, created FROM users ORDER BY name"
            ).fetchall()
        return [User(r[0], r[1], bool(r[2]), r[3]) for r in rows]

    def _known(self, name: str) -> User:
        user = self.user(name)
        if user is None:
            raise AccountError(f"no account is named {name!r} (`shiliao users list` lists them)")
        return user

    def remove_user(self, name: str) -> None:
        """Remove an account and end its sessions (its audit rows stay).

        Raises:
            AccountError: no such account, or it is the last admin.
        """
        user = self._known(name)
        with self._transaction() as db:
            if user.role == "admin":
                admins = db.execute("SELECT count(*) FROM users WHERE role = 'admin'").fetchone()
                if admins[0] <= 1:
                    raise AccountError(f"{name!r} is the last admin; make another admin first")
            db.execute("DELETE FROM sessions WHERE user = ?", (name,))
            db.execute("DELETE FROM users WHERE name = ?", (name,))

    def set_role(self, name: str, role: str) -> User:
        """Give an account another role; its sessions end (they were granted the old one).

        Raises:
            AccountError: no such account, not a role, or it would leave no admin.
        """
        user = self._known(name)
        if role not in ROLES:
            raise AccountError(f"{role!r} is not a role; roles are {', '.join(ROLES)}")
        with self._transaction() as db:
            if user.role == "admin" and role != "admin":
                admins = db.execute("SELECT count(*) FROM users WHERE role = 'admin'").fetchone()
                if admins[0] <= 1:
                    raise AccountError(f"{name!r} is the last admin; make another admin first")
            db.execute("UPDATE users SET role = ? WHERE name = ?", (role, name))
            db.execute("UPDATE sessions SET revoked = 1 WHERE user = ?", (name,))
        return self._known(name)

    def set_password(self, name: str, password: str) -> None:
        """Set an account's password and end all its sessions.

        Raises:
            AccountError: no such account, or the password is too short.
        """
        self._known(name)
        self._check_password(password)
        hashed = self._hasher.hash(password)
        with self._transaction() as db:
            db.execute("UPDATE users SET password = ? WHERE name = ?", (hashed, name))
            db.execute("UPDATE sessions SET revoked = 1 WHERE user = ?", (name,))
            # A new password ends any throttling of the name: its owner can log in at once.
            prefix = _pair_key(name, "")
            db.execute(
                "DELETE FROM login_failures WHERE substr(key, 1, ?) = ?", (len(prefix), prefix)
            )

    # The second factor

    def start_totp(self, name: str, current_code: str | None = None) -> str:
        """Make a new TOTP secret for an account (base32, 160 bits), waiting beside the one in
        force (if any) until ``confirm_totp``; returns the ``otpauth://`` URI an authenticator
        app reads (as a QR code or typed).

        Args:
            name: the account.
            current_code: a code of the factor in force, needed to replace one (so that a
                password alone, or a session left open, cannot move the factor elsewhere).

        Raises:
            AccountError: no such account, or a factor is in force and ``current_code`` is
                not one of its codes.
        """
        import pyotp

        self._known(name)
        row = self._row(
            "SELECT totp_secret, totp_confirmed, totp_last_step FROM users WHERE name = ?", name
        )
        step = None
        if row is not None and row[1]:
            step = self._code_step(row[0], current_code or "", row[2])
            if step is None:
                raise AccountError("give a code of your second factor in force to replace it")
        secret = pyotp.random_base32(32)
        with self._transaction() as db:
            db.execute("UPDATE users SET totp_pending = ? WHERE name = ?", (secret, name))
            if step is not None:
                db.execute("UPDATE users SET totp_last_step = ? WHERE name = ?", (step, name))
        return pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name="shiliao")

    def _code_step(self, secret: str, code: str, last_step: int) -> int | None:
        """The 30-second step ``code`` belongs to (this one or the one before or after, for
        clock drift), or None; a step already used is refused (RFC 6238 §5.2)."""
        import pyotp

        code = code.strip().replace(" ", "")
        if not re.fullmatch(r"[0-9]{6}", code):
            return None
        totp = pyotp.TOTP(secret)
        now = self._clock()
        step = int(now // 30)
        for candidate in (step, step - 1, step + 1):
            if candidate > last_step and secrets.compare_digest(totp.at(candidate * 30), code):
                return candidate
        return None

    def confirm_totp(self, name: str, code: str) -> None:
        """Put an account's new second factor in force, in place of the old one, once it
        gives a valid code.

        Raises:
            AccountError: no such account, no new secret started, or the code is wrong.
        """
        self._known(name)
        row = self._row("SELECT totp_pending FROM users WHERE name = ?", name)
        if row is None or not row[0]:
            raise AccountError("no second factor was started for this account")
        step = self._code_step(row[0], code, -1)
        if step is None:
            raise AccountError("that code is not the one the authenticator shows now")
        with self._transaction() as db:
            db.execute(
                "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, "
                "totp_confirmed = 1, totp_last_step = ? WHERE name = ?",
                (step, name),
            )

    def reset_totp(self, name: str) -> None:
        """Remove an account's second factor (a lost phone) and end its sessions; an admin
        then enrols a new one at the next login.

        Raises:
            AccountError: no such account.
        """
        self._known(name)
        with self._transaction() as db:
            db.execute(
                "UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_confirmed = 0, "
                "totp_last_step = -1 WHERE name = ?",
                (name,),
            )
            db.execute("UPDATE sessions SET revoked = 1 WHERE user = ?", (name,))

    def pending_totp_secret(self, name: str) -> str | None:
        """The account's new TOTP secret waiting for confirmation, for showing it once at
        enrolment; None when none waits."""
        row = self._row("SELECT totp_pending FROM users WHERE name = ?", name)
        return None if row is None else row[0]

    # Logging in

    @staticmethod
    def _throttled(db: sqlite3.Connection, name: str, address: str, now: float) -> bool:
        db.execute("DELETE FROM login_failures WHERE time < ?", (now - THROTTLE_WINDOW_S,))

        def count(key: str) -> int:
            return db.execute(
                "SELECT count(*) FROM login_failures WHERE key = ?", (key,)
            ).fetchone()[0]

        return (
            count(_pair_key(name, address)) >= THROTTLE_FAILURES
            or count(f"address:{address}") >= THROTTLE_ADDRESS_FAILURES
        )

    def login(
        self, name: str, password: str, code: str | None, address: str
    ) -> tuple[str, Session]:
        """Check a login and open a new session.

        Args:
            name: the account name typed.
            password: the password typed.
            code: the TOTP code typed, or None; needed when the account has a confirmed
                second factor.
            address: the client's address, for throttling.

        Returns:
            ``(session_id, session)``: the new session's id (the cookie's value; only its
            SHA-256 is kept) and the session.

        Raises:
            LoginRefused: anything is wrong, or too many attempts were made (one message for
                all, so that it tells nothing of which names exist).
        """
        from argon2.exceptions import InvalidHashError, VerificationError

        now = self._clock()
        refused = LoginRefused(
            "the name, password or code is not right, or there were too many attempts: "
            "wait and try again"
        )
        with self._transaction() as db:
            if self._throttled(db, name, address, now):
                raise refused
            row = db.execute(
                "SELECT password, totp_secret, totp_confirmed, totp_last_step FROM users "
                "WHERE name = ?",
                (name,),
            ).fetchone()
        ok = False
        with self._hashing:
            if self._unknown_hash is None:
                self._unknown_hash = self._hasher.hash(secrets.token_hex(16))
            try:
                # An unknown name is checked against a hash made once, so that both take the
                # same time and a timing does not tell which names exist.
                ok = self._hasher.verify(row[0] if row else self._unknown_hash, password)
            except (VerificationError, InvalidHashError):
                ok = False
            rehash = ok and row is not None and self._hasher.check_needs_rehash(row[0])
            new_hash = self._hasher.hash(password) if rehash else None
        ok = ok and row is not None
        with self._transaction() as db:
            step = None
            if ok and row[2]:
                # Read again inside the transaction: two logins with one code cannot both pass.
                current = db.execute(
                    "SELECT totp_secret, totp_last_step FROM users WHERE name = ?", (name,)
                ).fetchone()
                step = self._code_step(current[0], code or "", current[1])
                ok = step is not None
            if not ok:
                for key in (_pair_key(name, address), f"address:{address}"):
                    db.execute("INSERT INTO login_failures VALUES (?, ?)", (key, now))
            else:
                db.execute("DELETE FROM login_failures WHERE key = ?", (_pair_key(name, address),))
                if step is not None:
                    db.execute("UPDATE users SET totp_last_step = ? WHERE name = ?", (step, name))
                if new_hash is not None:
                    db.execute("UPDATE users SET password = ? WHERE name = ?", (new_hash, name))
        if not ok:
            # Raised after the commit: the failure is counted.
            raise refused
        return self._open_session(name)

    def _open_session(self, name: str) -> tuple[str, Session]:
        session_id = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = self._clock()
        with self._transaction() as db:
            db.execute(
                "INSERT INTO sessions (id_sha256, user, csrf, created, seen) VALUES (?, ?, ?, ?, ?)",
                (_sha256(session_id), name, csrf, now, now),
            )
        return session_id, Session(self._known(name), csrf, now, now)

    def session(self, session_id: str | None) -> Session | None:
        """The live session with this id, its last-seen time moved on; None when there is
        none, or it was revoked, idle past ``SESSION_IDLE_S`` or older than ``SESSION_MAX_S``."""
        if not session_id or len(session_id) > 128:
            return None
        now = self._clock()
        key = _sha256(session_id)
        row = self._row(
            "SELECT s.user, s.csrf, s.created, s.seen, s.revoked, u.role, u.totp_confirmed, "
            "u.created FROM sessions s JOIN users u ON u.name = s.user WHERE s.id_sha256 = ?",
            key,
        )
        if row is None or row[4] or now - row[3] > SESSION_IDLE_S or now - row[2] > SESSION_MAX_S:
            return None
        if now - row[3] > 60:
            # Written at most once a minute, so that reading pages does not write every time.
            with self._transaction() as db:
                db.execute("UPDATE sessions SET seen = ? WHERE id_sha256 = ?", (now, key))
        return Session(User(row[0], row[5], bool(row[6]), row[7]), row[1], row[2], now)

    def revoke(self, session_id: str) -> None:
        """End one session (logging out)."""
        with self._transaction() as db:
            db.execute(
                "UPDATE sessions SET revoked = 1 WHERE id_sha256 = ?", (_sha256(session_id),)
            )

    def revoke_all(self, name: str) -> int:
        """End every session of an account; returns how many were live."""
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE sessions SET revoked = 1 WHERE user = ? AND revoked = 0", (name,)
            )
            return cursor.rowcount

    # Audit

    def audit(
        self, user: str, action: str, target: str, before: Any = None, after: Any = None
    ) -> int:
        """Keep a change made through the app; returns its row id (``AuditRow.id``), which the
        archive's log entry for it names (``mark_logged``)."""
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO audit (time, user, action, target, before, after) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    _now_iso(),
                    user,
                    action,
                    target,
                    None if before is None else json.dumps(before, ensure_ascii=False),
                    None if after is None else json.dumps(after, ensure_ascii=False),
                ),
            )
            return int(cursor.lastrowid or 0)

    def unlogged(self) -> list[AuditRow]:
        """The audit rows no log entry records yet, oldest first."""
        return self.audit_rows(unlogged=True)

    def mark_logged(self, row_id: int, log_index: int) -> None:
        """Note the log entry that records an audit row."""
        with self._transaction() as db:
            db.execute("UPDATE audit SET log_index = ? WHERE id = ?", (log_index, row_id))

    def audit_rows(
        self, *, limit: int | None = None, unlogged: bool = False, target: str | None = None
    ) -> list[AuditRow]:
        """Audit rows: the newest first (``limit`` of them), or with ``unlogged`` the rows not
        yet in the log, oldest first; ``target`` keeps those of one source or file."""
        clauses, args = [], []
        if unlogged:
            clauses.append("log_index IS NULL")
        if target is not None:
            clauses.append("target = ?")
            args.append(target)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        order = "ASC" if unlogged else "DESC"
        tail = f" LIMIT {int(limit)}" if limit is not None else ""
        with self._lock:
            rows = self._db.execute(
                f"SELECT id, time, user, action, target, before, after, log_index FROM audit "
                f"{where} ORDER BY id {order}{tail}",
                args,
            ).fetchall()
        return [
            AuditRow(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                None if r[5] is None else json.loads(r[5]),
                None if r[6] is None else json.loads(r[6]),
                r[7],
            )
            for r in rows
        ]


def audit_entry(row: AuditRow, key: bytes) -> dict[str, Any]:
    """The archive log's entry data for an audit row (kind ``edited_in_app``): who, when,
    what and which row, and HMAC-SHA256 digests (keyed with the archive's privacy key,
    ``operations.review.privacy_key``) of the values before and after, never the values: the
    log may be handed out, and a value may be a private name an editor redacted.

    Returns:
        ``{"audit_id", "time", "user", "action", "target", "before_hmac", "after_hmac"}``.
    """
    import hmac

    def digest(value: Any) -> str | None:
        if value is None:
            return None
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()

    return {
        "audit_id": row.id,
        "time": row.time,
        "user": row.user,
        "action": row.action,
        "target": row.target,
        "before_hmac": digest(row.before),
        "after_hmac": digest(row.after),
    }


def recorded(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` made JSON-safe for an audit row (tuples as lists, anything else as text)."""
    return json.loads(json.dumps(values, ensure_ascii=False, default=str))

"""Accounts, passwords, lockout and sessions.

Passwords are argon2id hashes (argon2-cffi). A login creates a server-side session
whose random token only the browser holds, in a signed HttpOnly cookie; the store
keeps a hash of the token, so a stolen database cannot be replayed as a login.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import re
import secrets
import threading
import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from scoring.core import access, config
from scoring.core.errors import Refused
from scoring.core.store import Store, UnitOfWork, set_setting, utcnow

COOKIE_NAME = "examinatorsstod_session"
# Set with the app's page; a login's one-time code is bound to it (see the hand-off below).
NONCE_COOKIE = "examinatorsstod_browser"
ROLES = {
    "admin": "Kvalitetsenheten",
    "examinator": "Examinator",
    "beredningsgrupp": "Beredningsgrupp",
    "domarkommitte": "Domarkommittén",
}
MIN_PASSWORD_LENGTH = 10
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()
# Verified against unknown e-mail addresses so a wrong address costs as much time as
# a wrong password and does not reveal which accounts exist.
_DUMMY_HASH = _hasher.hash("ingen-sådan-användare")


class AuthError(Refused):
    """A login or account problem, with a Swedish message for the person."""


@dataclasses.dataclass(frozen=True)
class User:
    id: int
    email: str
    name: str
    role: str

    @property
    def role_label(self) -> str:
        return ROLES[self.role]


def normalise_email(email: str) -> str:
    return email.strip().lower()


def validate_new_account(email: str, name: str, role: str, password: str | None) -> None:
    if not _EMAIL.match(normalise_email(email)):
        raise AuthError(f"E-postadressen {email!r} är inte giltig.")
    if not name.strip():
        raise AuthError("Namnet får inte vara tomt.")
    if role not in ROLES:
        names = ", ".join(ROLES)
        raise AuthError(f"Okänd roll {role!r}. Välj en av: {names}.")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"Lösenordet måste ha minst {MIN_PASSWORD_LENGTH} tecken.")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def add_user(
    uow: UnitOfWork, *, email: str, name: str, role: str, password: str | None
) -> int:
    """Create an account; ``password`` None means it logs in only through OIDC."""
    validate_new_account(email, name, role, password)
    email = normalise_email(email)
    if uow.fetchone("SELECT 1 FROM users WHERE email = ?", [email]):
        raise AuthError(f"Det finns redan ett konto för {email}.")
    row = uow.fetchone(
        "INSERT INTO users (email, name, role, password_hash) VALUES (?, ?, ?, ?) RETURNING id",
        [email, name.strip(), role, hash_password(password) if password else None],
    )
    user_id = row[0]
    uow.audit("skapa konto", "users", user_id, None, {"email": email, "name": name, "role": role})
    return user_id


def set_password(uow: UnitOfWork, user_id: int, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"Lösenordet måste ha minst {MIN_PASSWORD_LENGTH} tecken.")
    uow.execute("UPDATE users SET password_hash = ?, version = version + 1 WHERE id = ?",
                [hash_password(password), user_id])
    _forget_failures(uow, user_id)
    uow.audit("byt lösenord", "users", user_id, None, {"password": "(ändrat, visas inte)"})


def unlock(uow: UnitOfWork, user_id: int) -> None:
    before = _forget_failures(uow, user_id)
    uow.audit("lås upp konto", "users", user_id, before, {"failed_logins": 0, "locked_until": None})


def _forget_failures(uow: UnitOfWork, user_id: int) -> dict:
    """Drop every count and lock of the account's e-mail, from every source."""
    email = uow.fetchone("SELECT email FROM users WHERE id = ?", [user_id])[0]
    rows = uow.fetchall("DELETE FROM login_throttle WHERE email_key = ? RETURNING source, failures, locked_until",
                        [email_key(email)])
    return {"failed_logins": sum(r[1] for r in rows if r[0] == ANY_SOURCE),
            "locked_until": max((r[2] for r in rows if r[2]), default=None)}


def _user_from_row(row: tuple) -> User:
    return User(id=row[0], email=row[1], name=row[2], role=row[3])


def user_by_email(store: Store, email: str) -> User | None:
    row = store.fetchone(
        "SELECT id, email, name, role FROM users WHERE email = ? AND active",
        [normalise_email(email)],
    )
    return _user_from_row(row) if row else None


def create_account(store: Store, actor: User, *, email: str, name: str, role: str, password: str | None) -> int:
    """An admin creates an account from the app (the command line uses add_user directly)."""
    access.require(store, actor, "accounts.manage")
    with store.write(actor.email) as uow:
        return add_user(uow, email=email, name=name, role=role, password=password)


def unlock_account(store: Store, actor: User, user_id: int) -> None:
    access.require(store, actor, "accounts.manage")
    with store.write(actor.email) as uow:
        unlock(uow, user_id)


def accounts(store: Store, actor: User) -> list[dict]:
    access.require(store, actor, "accounts.manage")
    return list_users(store)


def list_users(store: Store) -> list[dict]:
    """Every account; ``locked_until`` is the latest lock on its e-mail from any source."""
    return store.records(
        "SELECT u.id, u.email, u.name, u.role, u.active, u.password_hash IS NOT NULL AS has_password,"
        " coalesce(max(t.failures) FILTER (WHERE t.source = '*'), 0) AS failed_logins,"
        " max(t.locked_until) AS locked_until, u.created_at FROM users u"
        " LEFT JOIN login_throttle t ON t.email_key = sha256(u.email)"
        " GROUP BY u.id, u.email, u.name, u.role, u.active, u.password_hash, u.created_at ORDER BY u.role, u.name"
    )


# --- logins and their throttle -----------------------------------------------------------
# Every password login first reserves its attempt in one write: it re-reads the counts and
# locks of the e-mail typed, from this source and from anywhere, and is refused at once if
# either is locked; otherwise it counts itself as a failure before the password is checked,
# and the attempt that reaches a limit writes the lock, timed from that write. So parallel
# attempts can never check more passwords than the limit, and a right password only ever
# clears a lock its own attempt wrote. An unknown e-mail takes exactly the same path (a hash
# is checked, the same rows are written, the same answers given), so neither the answer,
# the time nor a lock tells which accounts exist.

ANY_SOURCE = "*"
UNKNOWN_ACTOR = "okänd e-postadress"


class LoginLocked(AuthError):
    """Password logins for this e-mail are held back for a while; OIDC still works."""


def email_key(email: str) -> str:
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()


def _locked_message(until: dt.datetime, now: dt.datetime) -> str:
    minutes = max(1, int((until - now).total_seconds() // 60) + 1)
    return (f"Inloggning med lösenord är tillfälligt spärrad efter för många misslyckade försök. "
            f"Försök igen om {minutes} minuter eller kontakta Kvalitetsenheten.")


def authenticate(store: Store, email: str, password: str, *, source: str | None = None,
                 now: dt.datetime | None = None) -> User:
    """Check a password from a source address (None: this machine), with the throttle."""
    email = normalise_email(email)
    row = store.fetchone("SELECT id, email, name, role, password_hash, active FROM users WHERE email = ?", [email])
    # The log says who; an unknown address is not written down as typed.
    attempt = _Attempt(email if row else UNKNOWN_ACTOR, row[0] if row else UNKNOWN_ACTOR, email_key(email),
                       (source or "lokal")[:100])
    written = _reserve(store, attempt, now)
    password_hash = row[4] if row and row[5] and row[4] else _DUMMY_HASH
    if _verify(password_hash, password) and password_hash is not _DUMMY_HASH:
        _clear_own_count(store, attempt, written)
        return _user_from_row(row)
    _record_failure(store, attempt)
    if written:
        raise AuthError(f"För många misslyckade inloggningar. Inloggning med lösenord är spärrad i "
                        f"{config.lockout_minutes()} minuter.")
    raise AuthError("Fel e-postadress eller lösenord.")


@dataclasses.dataclass(frozen=True)
class _Attempt:
    """Who a password login is logged as, and its rows in the throttle."""

    actor: str
    entity_id: object
    key: str
    source: str

    @property
    def limits(self) -> dict[str, int]:
        return {self.source: config.max_failed_logins(), ANY_SOURCE: config.max_failed_logins_any_source()}


def _reserve(store: Store, attempt: _Attempt, now: dt.datetime | None) -> dict[str, dt.datetime]:
    """Count the attempt as failed before its password is checked; the locks it wrote, by
    source. Raises LoginLocked when a lock already holds."""
    refusal = None
    with store.write(attempt.actor) as uow:
        at = now or utcnow()  # read inside the write: a lock counts from when it is written
        quiet = at - dt.timedelta(minutes=config.lockout_minutes())
        uow.execute("DELETE FROM login_throttle WHERE last_attempt < ? AND (locked_until IS NULL OR locked_until < ?)",
                    [quiet, at])
        current = {place: (failures, until) for place, failures, until in uow.fetchall(
            "SELECT source, failures, locked_until FROM login_throttle WHERE email_key = ? AND source IN (?, ?)",
            [attempt.key, attempt.source, ANY_SOURCE])}
        holding = [until for _, until in current.values() if until is not None and until > at]
        written: dict[str, dt.datetime] = {}
        if holding:
            refusal = LoginLocked(_locked_message(max(holding), at))
        else:
            for place, limit in attempt.limits.items():
                # A lock that has run out starts the count again.
                failures = 1 + (current[place][0] if place in current and current[place][1] is None else 0)
                until = at + dt.timedelta(minutes=config.lockout_minutes()) if failures >= limit else None
                uow.execute("INSERT INTO login_throttle VALUES (?, ?, ?, ?, ?) ON CONFLICT (email_key, source) DO UPDATE SET"
                            " failures = excluded.failures, locked_until = excluded.locked_until,"
                            " last_attempt = excluded.last_attempt", [attempt.key, place, failures, until, at])
                if until is not None:
                    written[place] = until
            uow.audit("inloggningsförsök", "sessions", attempt.entity_id,
                      {"failed_logins": current.get(attempt.source, (0,))[0],
                       "failed_logins_any_source": current.get(ANY_SOURCE, (0,))[0]},
                      {"source": attempt.source})
            if written:
                uow.audit("spärra inloggning", "sessions", attempt.entity_id, None,
                          {"source": attempt.source if attempt.source in written else "alla",
                           "locked_until": max(written.values())})
    if refusal:  # raised after the write: raising inside it would undo the cleanup
        raise refusal
    return written


def _clear_own_count(store: Store, attempt: _Attempt, written: dict[str, dt.datetime]) -> None:
    """A right password: the counts start again, and the lock this attempt wrote (if any) is
    lifted. A lock another attempt wrote since this one was reserved stays."""
    with store.write(attempt.actor) as uow:
        for place in attempt.limits:
            uow.execute("UPDATE login_throttle SET failures = 0, locked_until = NULL WHERE email_key = ?"
                        " AND source = ? AND (locked_until IS NULL OR locked_until = ?)",
                        [attempt.key, place, written.get(place)])
        uow.audit("nollställ misslyckade inloggningar", "sessions", attempt.entity_id, {"source": attempt.source},
                  {"failed_logins": 0})


def _record_failure(store: Store, attempt: _Attempt) -> None:
    with store.write(attempt.actor) as uow:
        uow.audit("misslyckad inloggning", "sessions", attempt.entity_id, None, {"source": attempt.source})


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# --- sessions ----------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_session(store: Store, user: User, now: dt.datetime | None = None) -> str:
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    with store.write(user.email) as uow:
        uow.execute(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen) VALUES (?, ?, ?, ?)",
            [_token_hash(token), user.id, now, now],
        )
        uow.audit("logga in", "sessions", user.id, None, {"email": user.email, "since": now})
    return token


# Touch a session's last_seen at most this often, not on every rerun.
_TOUCH_EVERY = dt.timedelta(seconds=30)


class SessionExpired(Exception):
    """The session existed but has been idle for too long."""


def session_user(store: Store, token: str, now: dt.datetime | None = None) -> User | None:
    """The user behind a session token, or None; raises SessionExpired when idle too long."""
    now = now or utcnow()
    token_hash = _token_hash(token)
    row = store.cached(("session", token_hash), lambda: store.fetchone(
        "SELECT u.id, u.email, u.name, u.role, s.last_seen, s.revoked, u.active"
        " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
        [token_hash],
    ))
    if row is None or row[5] or not row[6]:
        return None
    last_seen = row[4]
    if now - last_seen > dt.timedelta(minutes=config.idle_minutes()):
        with store.write(row[1]) as uow:
            uow.execute("UPDATE sessions SET revoked = TRUE WHERE token_hash = ?", [_token_hash(token)])
            uow.audit("session gick ut", "sessions", row[0], {"last_seen": last_seen}, {"revoked": True})
        raise SessionExpired
    if now - last_seen > _TOUCH_EVERY:
        with store.write(row[1]) as uow:
            uow.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ?", [now, _token_hash(token)])
    return _user_from_row(row)


def end_session(store: Store, token: str) -> None:
    with store.write("system") as uow:
        row = uow.fetchone(
            "UPDATE sessions SET revoked = TRUE WHERE token_hash = ? AND NOT revoked RETURNING user_id",
            [_token_hash(token)],
        )
        if row:
            uow.audit("logga ut", "sessions", row[0], {"revoked": False}, {"revoked": True})


# --- the signed cookie ----------------------------------------------------------------


def _secret(store: Store) -> bytes:
    secret = store.setting("cookie_secret")
    if secret is None:
        with store.write("system") as uow:
            existing = uow.fetchone("SELECT value FROM settings WHERE key = 'cookie_secret'")
            secret = existing[0] if existing else secrets.token_hex(32)
            if not existing:
                set_setting(uow, "cookie_secret", secret)
    return secret.encode()


def sign(store: Store, token: str) -> str:
    mac = hmac.new(_secret(store), token.encode(), hashlib.sha256).hexdigest()
    return f"{token}.{mac}"


def unsign(store: Store, cookie_value: str | None) -> str | None:
    """The token inside a signed cookie value, or None if it was tampered with."""
    if not cookie_value or "." not in cookie_value:
        return None
    token, mac = cookie_value.rsplit(".", 1)
    expected = hmac.new(_secret(store), token.encode(), hashlib.sha256).hexdigest()
    return token if hmac.compare_digest(mac, expected) else None


def cookie_name(name: str = COOKIE_NAME) -> str:
    """Over HTTPS the cookies carry the __Host- prefix: no other site under the same domain
    can set one in their place."""
    return f"__Host-{name}" if config.cookie_secure() else name


# --- one-time hand-off from the page to the cookie route ----------------------------
# The Streamlit script cannot set an HttpOnly cookie itself. After a login it hands a
# short-lived one-time code to the browser, which posts it to the app's own route;
# the route swaps it for the signed cookie. Both run in this process. The code is bound to
# the nonce cookie of the browser that logged in: redeemed from any other, it is refused
# (so nobody can log a victim's browser in as themselves with a code of their own).

_HANDOFF_SECONDS = 120
_handoffs: dict[str, tuple[str, str, float]] = {}
_handoffs_lock = threading.Lock()


def issue_handoff(token: str, nonce: str) -> str:
    code = secrets.token_urlsafe(24)
    with _handoffs_lock:
        now = time.monotonic()
        for stale in [c for c, (_, _, t) in _handoffs.items() if now - t > _HANDOFF_SECONDS]:
            del _handoffs[stale]
        _handoffs[code] = (token, nonce, now)
    return code


def redeem_handoff(code: str, nonce: str | None) -> str | None:
    """The session token for a code, once, and only for the browser the code was issued to."""
    with _handoffs_lock:
        entry = _handoffs.get(code)
        if entry is None or not nonce or not hmac.compare_digest(entry[1].encode(), nonce.encode()):
            return None
        del _handoffs[code]
    if time.monotonic() - entry[2] > _HANDOFF_SECONDS:
        return None
    return entry[0]

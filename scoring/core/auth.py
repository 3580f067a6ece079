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
    uow.execute(
        "UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL,"
        " version = version + 1 WHERE id = ?",
        [hash_password(password), user_id],
    )
    uow.audit("byt lösenord", "users", user_id, None, {"password": "(ändrat, visas inte)"})


def unlock(uow: UnitOfWork, user_id: int) -> None:
    before = uow.fetchone("SELECT failed_logins, locked_until FROM users WHERE id = ?", [user_id])
    uow.execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?", [user_id])
    uow.audit("lås upp konto", "users", user_id, before and {"failed_logins": before[0], "locked_until": before[1]},
              {"failed_logins": 0, "locked_until": None})


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
    return store.records(
        "SELECT id, email, name, role, active, password_hash IS NOT NULL AS has_password,"
        " failed_logins, locked_until, created_at FROM users ORDER BY role, name"
    )


def authenticate(store: Store, email: str, password: str, now: dt.datetime | None = None) -> User:
    """Check a password; count failures and lock the account after too many."""
    now = now or utcnow()
    email = normalise_email(email)
    row = store.fetchone(
        "SELECT id, email, name, role, password_hash, active, failed_logins, locked_until"
        " FROM users WHERE email = ?",
        [email],
    )
    wrong = AuthError("Fel e-postadress eller lösenord.")
    if row is None or not row[5] or row[4] is None:
        _verify(_DUMMY_HASH, password)
        raise wrong
    user_id, locked_until = row[0], row[7]
    if locked_until is not None and locked_until > now:
        minutes = max(1, int((locked_until - now).total_seconds() // 60) + 1)
        raise AuthError(
            f"Kontot är tillfälligt låst efter för många misslyckade inloggningar. "
            f"Försök igen om {minutes} minuter eller kontakta Kvalitetsenheten."
        )
    if not _verify(row[4], password):
        locked = False
        with store.write(email) as uow:
            failures = uow.fetchone(
                "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ?"
                " RETURNING failed_logins",
                [user_id],
            )[0]
            uow.audit("misslyckad inloggning", "users", user_id, {"failed_logins": failures - 1},
                      {"failed_logins": failures})
            if failures >= config.max_failed_logins():
                until = now + dt.timedelta(minutes=config.lockout_minutes())
                uow.execute(
                    "UPDATE users SET locked_until = ?, failed_logins = 0 WHERE id = ?",
                    [until, user_id],
                )
                uow.audit("lås konto", "users", user_id, None, {"locked_until": until})
                locked = True
        # Raised after the commit: raising inside the transaction would undo the lock.
        if locked:
            raise AuthError(
                f"För många misslyckade inloggningar. Kontot är låst i "
                f"{config.lockout_minutes()} minuter."
            )
        raise wrong
    if row[6] or locked_until is not None:
        with store.write(email) as uow:
            uow.execute(
                "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?", [user_id]
            )
            uow.audit("nollställ misslyckade inloggningar", "users", user_id,
                      {"failed_logins": row[6], "locked_until": locked_until}, {"failed_logins": 0})
    return _user_from_row(row)


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


# --- one-time hand-off from the page to the cookie route ----------------------------
# The Streamlit script cannot set an HttpOnly cookie itself. After a login it hands a
# short-lived one-time code to the browser, which posts it to the app's own route;
# the route swaps it for the signed cookie. Both run in this process.

_HANDOFF_SECONDS = 120
_handoffs: dict[str, tuple[str, float]] = {}
_handoffs_lock = threading.Lock()


def issue_handoff(token: str) -> str:
    code = secrets.token_urlsafe(24)
    with _handoffs_lock:
        now = time.monotonic()
        for stale in [c for c, (_, t) in _handoffs.items() if now - t > _HANDOFF_SECONDS]:
            del _handoffs[stale]
        _handoffs[code] = (token, now)
    return code


def redeem_handoff(code: str) -> str | None:
    with _handoffs_lock:
        entry = _handoffs.pop(code, None)
    if entry is None or time.monotonic() - entry[1] > _HANDOFF_SECONDS:
        return None
    return entry[0]

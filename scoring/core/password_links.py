"""One-time links to set a password, for examiners who do not log in with the city's account.

The link carries a random token; the store keeps only its hash, so a copy of the database
cannot be used to set anybody's password. A link works once, until it expires
(WORKBENCH_PASSWORD_LINK_HOURS), and a newer link for the same account replaces older ones.
Kept apart from ``auth`` on purpose: it only adds a way to reach ``auth.set_password``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
from zoneinfo import ZoneInfo

from scoring.core import config
from scoring.core.auth import AuthError, User, set_password
from scoring.core.store import Store, UnitOfWork, utcnow
from scoring.core.text import swedish_date

STOCKHOLM = ZoneInfo("Europe/Stockholm")
QUERY_PARAMETER = "losenord"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link(token: str) -> str:
    return f"{config.base_url()}/?{QUERY_PARAMETER}={token}"


def swedish_moment(moment: dt.datetime) -> str:
    return f"{swedish_date(moment.date())} kl. {moment:%H.%M}"


def issue(uow: UnitOfWork, user_id: int, now: dt.datetime | None = None) -> tuple[str, dt.datetime]:
    """A new link's token and when it expires (naive UTC); earlier unused links stop working."""
    now = now or utcnow()
    expires = now + dt.timedelta(hours=config.password_link_hours())
    token = secrets.token_urlsafe(32)
    live = "user_id = ? AND used_at IS NULL AND expires_at > ?"
    replaced = uow.fetchone(f"SELECT count(*) FROM password_links WHERE {live}", [user_id, now])[0]
    uow.execute(f"UPDATE password_links SET expires_at = ? WHERE {live}", [now, user_id, now])
    uow.execute("INSERT INTO password_links (token_hash, user_id, created_by, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?)", [_hash(token), user_id, uow.actor, now, expires])
    uow.audit("skapa lösenordslänk", "password_links", user_id, {"replaced": replaced},
              {"expires_at": expires, "link": "(visas inte)"})
    return token, expires


@dataclasses.dataclass(frozen=True)
class Holder:
    user_id: int
    email: str
    name: str


def _refusal(row: tuple | None, now: dt.datetime) -> str | None:
    if row is None:
        return "Länken är inte giltig. Be Kvalitetsenheten om en ny."
    if row[4] is not None:
        return "Länken är redan använd. Logga in med ditt lösenord, eller be Kvalitetsenheten om en ny länk."
    if row[5] <= now:
        return "Länken har slutat gälla. Be Kvalitetsenheten om en ny."
    if not row[3]:
        return "Kontot är inte aktivt. Kontakta Kvalitetsenheten."
    return None


_LOOKUP = ("SELECT u.id, u.email, u.name, u.active, l.used_at, l.expires_at FROM password_links l"
           " JOIN users u ON u.id = l.user_id WHERE l.token_hash = ?")


def holder(store: Store, token: str, now: dt.datetime | None = None) -> Holder:
    """Whose link this is, or a refusal saying why it cannot be used."""
    row = store.fetchone(_LOOKUP, [_hash(token or "")])
    problem = _refusal(row, now or utcnow())
    if problem:
        raise AuthError(problem)
    return Holder(row[0], row[1], row[2])


def redeem(store: Store, token: str, password: str, repeated: str, now: dt.datetime | None = None) -> User:
    """Set the password through the link, once; returns the account to log in."""
    if password != repeated:
        raise AuthError("Lösenorden är inte lika. Skriv samma lösenord två gånger.")
    now = now or utcnow()
    with store.write("lösenordslänk") as uow:
        row = uow.fetchone(_LOOKUP, [_hash(token or "")])
        problem = _refusal(row, now)
        if problem:
            raise AuthError(problem)
        set_password(uow, row[0], password)
        uow.execute("UPDATE password_links SET used_at = ? WHERE token_hash = ?", [now, _hash(token)])
        uow.audit("använd lösenordslänk", "password_links", row[0], {"used_at": None}, {"used_at": now})
    user = store.fetchone("SELECT id, email, name, role FROM users WHERE id = ?", [row[0]])
    return User(*user)


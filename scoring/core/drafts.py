"""Drafts of long texts while they are typed: what a person has written in a field and not
yet left, kept per person and field so that a reload, a closed tab or a dropped connection
loses nothing. The field's own save (versioned and audited) takes the text and removes the
draft; a draft is never shown to anyone but its author.

Drafts are written every second or so while someone types, so they are not in the audit
log (like a session's last_seen): the saved field is, when it is left.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from scoring.core.auth import User
from scoring.core.errors import Refused
from scoring.core.store import Store, utcnow

MAX_DRAFT_CHARS = 20_000
_FIELD = re.compile(r"^[a-z0-9_:.-]{1,160}$")


@dataclasses.dataclass(frozen=True)
class Draft:
    text: str
    based_on: str
    saved_at: dt.datetime


def _checked(field: str, text: str) -> None:
    if not _FIELD.match(field):
        raise Refused("Utkastet kunde inte sparas: fältets namn är ogiltigt.")
    if len(text) > MAX_DRAFT_CHARS:
        raise Refused(f"Texten är för lång för att sparas som utkast (högst {MAX_DRAFT_CHARS:,} tecken)."
                      .replace(",", " "))


def save_draft(store: Store, user: User, field: str, text: str, based_on: str) -> dt.datetime:
    """Keep what ``user`` has typed in ``field`` over the saved text ``based_on``."""
    _checked(field, text)
    now = utcnow()
    with store.write(user.email, cached_reads_unchanged=True) as uow:
        uow.execute("INSERT INTO drafts VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, field) DO UPDATE SET"
                    " text = excluded.text, based_on = excluded.based_on, saved_at = excluded.saved_at",
                    [user.id, field, text, based_on, now])
    return now


def draft_for(store: Store, user: User, field: str) -> Draft | None:
    row = store.fetchone("SELECT text, based_on, saved_at FROM drafts WHERE user_id = ? AND field = ?",
                         [user.id, field])
    return Draft(*row) if row else None


def clear_draft(store: Store, user: User, field: str) -> None:
    """The field was saved (or emptied on purpose): its draft has done its work."""
    if draft_for(store, user, field) is None:
        return
    with store.write(user.email, cached_reads_unchanged=True) as uow:
        uow.execute("DELETE FROM drafts WHERE user_id = ? AND field = ?", [user.id, field])

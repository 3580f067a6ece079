"""The audit log for the admin: every change, filtered and exported.

Every write in ``scoring`` records its entry inside the same transaction as the change
(``UnitOfWork.audit``), so the log and the data never disagree. This module only reads.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from scoring.core import access
from scoring.core.auth import User
from scoring.core.store import Store
from scoring.core.text import append_literal, finish_sheet

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# The columns people read (``entries`` adds the named ones to each row).
COLUMNS = {"at_time": "Tid", "who": "Vem", "action": "Vad", "about": "Gäller", "before": "Före", "after": "Efter"}
# What each logged table is, in the office's words.
ENTITIES = {
    "assessments": "Bedömning", "assignments": "Tilldelning", "award_years": "Utmärkelseår",
    "conflict_declarations": "Jävsdeklaration", "consensus": "Konsensus", "contributions": "Bidrag",
    "database": "Databasen", "decisions": "Juryns beslut", "examiners": "Examinator", "intake_files": "Inläst fil",
    "report_templates": "Rapportmall", "reports": "Återkopplingsrapport", "sessions": "Inloggning",
    "settings": "Inställning", "team_members": "Lagmedlem", "teams": "Lag", "users": "Konto",
    "outbox": "Utskick", "mail_templates": "E-postmall", "reminder_stops": "Påminnelser",
    "password_links": "Lösenordslänk",
}


def entity_label(entity: str) -> str:
    return ENTITIES.get(entity, entity)


_UNIT = "SELECT c.id, u.name FROM contributions c JOIN units u ON u.id = c.unit_id"
# Who or what an entry's id stands for, by entity: (id, name) for every row. An entity not
# here (settings, jury members: "2026:e-post") is named by its id as it stands.
SUBJECTS = {
    "contributions": _UNIT, "consensus": _UNIT, "reports": _UNIT, "conflict_declarations": _UNIT,
    "assessments": "SELECT a.id, us.name || ' om ' || un.name FROM assessments a JOIN users us ON us.id = a.examiner_id"
                   " JOIN contributions c ON c.id = a.contribution_id JOIN units un ON un.id = c.unit_id",
    "change_requests": "SELECT r.id, u.name FROM change_requests r JOIN contributions c ON c.id = r.contribution_id"
                       " JOIN units u ON u.id = c.unit_id",
    "intake_files": "SELECT f.id, coalesce(u.name, f.filename) FROM intake_files f"
                    " LEFT JOIN contributions c ON c.id = f.contribution_id LEFT JOIN units u ON u.id = c.unit_id",
    "registrations": "SELECT id, unit_name FROM registrations",
    "teams": "SELECT id, name FROM teams",
    "examiners": "SELECT id, name FROM users", "users": "SELECT id, name FROM users",
    "outbox": "SELECT id, coalesce(recipient_name, recipient) FROM outbox",
}
# Keys in the logged values that hold a person's or a contribution's id, named when shown.
_PEOPLE_KEYS = {"user_id", "coordinator", "members", "examiner_id", "opened_by", "finalized_by"}
_FILE_KEYS = {"intake_id", "answered_intake_id"}
_CONTRIBUTION_KEYS = {"contribution_id", "contribution", "contributions", "replaces_contribution_id"}
# The keys of the logged values in the office's words.
KEYS = {
    "unit": "verksamhet", "unit_name": "verksamhet", "organisation": "organisation", "name": "namn",
    "email": "e-post", "role": "roll", "members": "medlemmar", "coordinator": "lagsamordnare",
    "contributions": "bidrag", "contribution": "bidrag", "contribution_id": "bidrag", "reason": "skäl",
    "user_id": "person", "has_conflict": "jäv", "note": "anteckning", "late": "sent inkommet",
    "class_code": "tävlingsklass", "intake_id": "inläst fil", "status": "status", "phase": "fas",
    "final": "slutlig", "after": "nytt värde", "value": "värde", "version": "version", "area": "frågeområde",
    "criterion": "bedömningsgrund", "part": "del", "filename": "fil", "chars": "tecken",
    "received_at": "inkom", "to": "till", "subject": "ämne", "why": "varför", "kind": "slag",
    "workplace": "arbetsplats", "competences": "kompetenser", "years_as_examiner": "år som examinator",
    "is_new": "ny examinator", "contact_name": "kontaktperson", "contact_email": "kontaktens e-post",
    "contact_phone": "telefon", "year": "år", "finding": "iakttagelse", "question": "fråga", "questions": "frågor",
    "text": "text", "facts": "uppgifter", "from": "från", "title": "rubrik", "source": "källa", "accept_note": "anteckning vid godkännande",
}
# Bookkeeping no reader needs (the entry's own time says when).
_HIDDEN_KEYS = {"sha256", "version", "part", "updated_at", "submitted_at", "reopened_at", "decided_at", "opened_at"}


class Names:
    """Names for the ids the log holds, read once per page or export."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._cache: dict[str, dict[str, str]] = {}

    def of(self, entity: str) -> dict[str, str]:
        if entity not in self._cache:
            sql = SUBJECTS.get(entity)
            self._cache[entity] = {str(i): n for i, n in self._store.fetchall(sql)} if sql else {}
        return self._cache[entity]

    def person(self, actor: str | None, *, with_email: bool = True) -> str:
        """The actor as logged (an e-mail, or a tool's name) by the person's name when known."""
        if "@" not in (actor or ""):
            return actor or ""
        if "people" not in self._cache:
            self._cache["people"] = dict(self._store.fetchall("SELECT lower(email), name FROM users"))
        name = self._cache["people"].get(actor.lower())
        if not name:
            return actor
        return f"{name} ({actor})" if with_email else name

    def actors_matching(self, needle: str) -> list[str]:
        self.person("@")  # reads the people once
        return [email for email, name in self._cache["people"].items() if needle in name.lower()]

    def subject(self, entity: str, entity_id: str | None) -> str:
        if entity_id is None:
            return ""
        return self.of(entity).get(str(entity_id), str(entity_id))

    def matching(self, text: str) -> list[tuple[str, list[str]]]:
        """(entity, ids) whose name contains the text: a search for a unit finds its entries."""
        needle = text.strip().lower()
        found = []
        for entity in SUBJECTS:
            ids = [i for i, name in self.of(entity).items() if name and needle in name.lower()]
            if ids:
                found.append((entity, ids))
        return found

    def value(self, raw: str | None) -> str:
        """A logged value as Swedish a person reads: keys in words, ids as names, ja/nej."""
        if raw is None:
            return ""
        try:
            value = json.loads(raw)
        except ValueError:
            return raw
        if not isinstance(value, dict):
            return _plain(value)
        parts = []
        for key, item in value.items():
            if key in _HIDDEN_KEYS or item in (None, "", []):
                continue
            if key in _PEOPLE_KEYS:
                item = self._named("users", item)
            elif key in _CONTRIBUTION_KEYS:
                item = self._named("contributions", item)
            elif key in _FILE_KEYS:
                item = self._named("intake_files", item)
            parts.append(f"{KEYS.get(key, key)}: {_plain(item)}")
        return "; ".join(parts)

    def _named(self, entity: str, item):
        if isinstance(item, list):
            return [self.subject(entity, i) for i in item]
        return self.subject(entity, item)


@functools.cache
def _code_labels() -> dict[str, str]:
    """The Swedish label of every stored phase, status, proposal and decision code."""
    from scoring.year import phases  # noqa: PLC0415 - the year's machines build on the core

    labels: dict[str, str] = {}
    for machine in phases.Stage.__subclasses__():
        labels.update(machine.labels())
    return labels


def _plain(value) -> str:
    if isinstance(value, str):
        return _code_labels().get(value, value)
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{KEYS.get(k, k)} {_plain(v)}" for k, v in value.items())
    return "–" if value is None else str(value)


@dataclass(frozen=True)
class Filter:
    actor: str | None = None
    action: str | None = None
    entity: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    text: str | None = None  # searched in the before and after values


def local_time(utc: dt.datetime) -> dt.datetime:
    """Stored times are naive UTC; people read Stockholm time."""
    return utc.replace(tzinfo=dt.UTC).astimezone(STOCKHOLM).replace(tzinfo=None)


def _utc_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), STOCKHOLM).astimezone(dt.UTC).replace(tzinfo=None)


def _where(f: Filter, names: Names | None = None) -> tuple[str, list]:
    clauses, params = [], []
    for column, value in (("actor", f.actor), ("action", f.action), ("entity", f.entity)):
        if value:
            clauses.append(f"{column} = ?")
            params.append(value)
    if f.since:
        clauses.append("at_time >= ?")
        params.append(_utc_midnight(f.since))
    if f.until:
        clauses.append("at_time < ?")
        params.append(_utc_midnight(f.until + dt.timedelta(days=1)))
    if f.text and f.text.strip():
        needle = f.text.strip().lower()
        found = ["contains(lower(coalesce(CAST(before_value AS VARCHAR), '')), ?)",
                 "contains(lower(coalesce(CAST(after_value AS VARCHAR), '')), ?)",
                 "contains(lower(coalesce(entity_id, '')), ?)"]
        found_params = [needle] * 3
        for entity, ids in (names.matching(needle) if names else []):  # the entries about what carries this name
            found.append(f"(entity = ? AND entity_id IN ({', '.join('?' * len(ids))}))")
            found_params += [entity, *ids]
        if names and (actors := names.actors_matching(needle)):  # and what the person named did
            found.append(f"lower(actor) IN ({', '.join('?' * len(actors))})")
            found_params += actors
        clauses.append("(" + " OR ".join(found) + ")")
        params += found_params
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def entries(store: Store, user: User, flt: Filter = Filter(), limit: int | None = 500) -> list[dict]:
    """The newest entries first; ``limit`` None for all (the export)."""
    access.require(store, user, "audit.read")
    names = Names(store)
    where, params = _where(flt, names)
    sql = ("SELECT id, at_time, actor, action, entity, entity_id, CAST(before_value AS VARCHAR) AS before_value,"
           f" CAST(after_value AS VARCHAR) AS after_value FROM audit_log{where} ORDER BY id DESC")
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    rows = store.records(sql, params)
    for row in rows:
        row["at_time"] = local_time(row["at_time"])
        row["subject"] = names.subject(row["entity"], row["entity_id"])
        row["before"], row["after"] = names.value(row["before_value"]), names.value(row["after_value"])
        row["who"] = names.person(row["actor"], with_email=False)
        row["about"] = f"{entity_label(row['entity'])}: {row['subject']}" if row["subject"] else entity_label(row["entity"])
    return rows


def count(store: Store, user: User, flt: Filter = Filter()) -> int:
    access.require(store, user, "audit.read")
    where, params = _where(flt, Names(store))
    return store.fetchone(f"SELECT count(*) FROM audit_log{where}", params)[0]


def choices(store: Store, user: User) -> dict[str, list[str]]:
    """The actors, actions and tables that occur, for the filters."""
    access.require(store, user, "audit.read")
    return {column: [r[0] for r in store.fetchall(
        f"SELECT DISTINCT {column} FROM audit_log WHERE {column} IS NOT NULL ORDER BY 1")]
        for column in ("actor", "action", "entity")}


def _book_bytes(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def workbook(store: Store, user: User, flt: Filter = Filter()) -> bytes:
    """The filtered log as Excel; every value written as text, never as a formula."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Händelselogg"
    sheet.append(list(COLUMNS.values()))
    for row in entries(store, user, flt, limit=None):
        append_literal(sheet, [row["at_time"].strftime("%Y-%m-%d %H:%M:%S"), *(row[k] for k in list(COLUMNS)[1:])])
    finish_sheet(sheet, widths=(20, 36, 30, 40, 60, 60))
    return _book_bytes(book)

"""The audit log for the admin: every change, filtered and exported.

Every write in ``scoring`` records its entry inside the same transaction as the change
(``UnitOfWork.audit``), so the log and the data never disagree. This module only reads.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font

from scoring.core import access
from scoring.core.auth import User
from scoring.core.store import Store
from scoring.core.text import append_literal

STOCKHOLM = ZoneInfo("Europe/Stockholm")
COLUMNS = {"at_time": "Tid", "actor": "Vem", "action": "Vad", "entity": "Gäller", "entity_id": "Id",
           "before_value": "Före", "after_value": "Efter"}
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


def _where(f: Filter) -> tuple[str, list]:
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
        clauses.append("(contains(lower(coalesce(CAST(before_value AS VARCHAR), '')), ?)"
                       " OR contains(lower(coalesce(CAST(after_value AS VARCHAR), '')), ?)"
                       " OR contains(lower(coalesce(entity_id, '')), ?))")
        params += [f.text.strip().lower()] * 3
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def entries(store: Store, user: User, flt: Filter = Filter(), limit: int | None = 500) -> list[dict]:
    """The newest entries first; ``limit`` None for all (the export)."""
    access.require(store, user, "audit.read")
    where, params = _where(flt)
    sql = ("SELECT id, at_time, actor, action, entity, entity_id, CAST(before_value AS VARCHAR) AS before_value,"
           f" CAST(after_value AS VARCHAR) AS after_value FROM audit_log{where} ORDER BY id DESC")
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    rows = store.records(sql, params)
    for row in rows:
        row["at_time"] = local_time(row["at_time"])
    return rows


def count(store: Store, user: User, flt: Filter = Filter()) -> int:
    access.require(store, user, "audit.read")
    where, params = _where(flt)
    return store.fetchone(f"SELECT count(*) FROM audit_log{where}", params)[0]


def choices(store: Store, user: User) -> dict[str, list[str]]:
    """The actors, actions and tables that occur, for the filters."""
    access.require(store, user, "audit.read")
    return {column: [r[0] for r in store.fetchall(
        f"SELECT DISTINCT {column} FROM audit_log WHERE {column} IS NOT NULL ORDER BY 1")]
        for column in ("actor", "action", "entity")}


def readable(raw: str | None) -> str:
    """A JSON value as one line a person can read (keys and values, no quotes around words)."""
    if raw is None:
        return ""
    try:
        value = json.loads(raw)
    except ValueError:
        return raw
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def workbook(store: Store, user: User, flt: Filter = Filter()) -> bytes:
    """The filtered log as Excel; every value written as text, never as a formula."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Händelselogg"
    sheet.append(list(COLUMNS.values()))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in entries(store, user, flt, limit=None):
        append_literal(sheet, [row["at_time"].strftime("%Y-%m-%d %H:%M:%S"), row["actor"], row["action"],
                               entity_label(row["entity"]), row["entity_id"], row["before_value"], row["after_value"]])
    for letter, width in zip("ABCDEFG", (20, 30, 30, 22, 10, 60, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

"""Registrations of interest (intresseanmälan): the units that announced they will take part.

Entered by hand or imported from the survey tool's CSV or Excel export. Each registration
is later linked to the contribution that came of it, so that after the contribution
deadline the office sees who has not sent one, and the number of registrations tells how
many examiners the year needs.
"""

from __future__ import annotations

import dataclasses
import math
import re

from rapidfuzz import fuzz, process

from scoring.core import access, tables
from scoring.core.auth import User
from scoring.core.errors import Refused
from scoring.core.organisations import match_organisation, unknown_organisation
from scoring.core.store import Store, UnitOfWork, utcnow
from scoring.teams.assignment import MAX_LOAD, MAX_SIZE, MIN_LOAD, MIN_SIZE
from scoring.year import calendar, phases
from scoring.year.framework import load_framework
from scoring.year.years import framework_deadline

BY_HAND = "för hand"
MAX_TEXT = 500
HEADINGS = {
    "verksamhet": "unit_name", "verksamhetens namn": "unit_name", "enhet": "unit_name", "enhetens namn": "unit_name",
    "namn på verksamheten": "unit_name", "verksamhetsnamn": "unit_name",
    "förvaltning/bolag": "organisation", "förvaltning": "organisation", "bolag": "organisation",
    "förvaltning eller bolag": "organisation", "organisation": "organisation",
    "kontaktperson": "contact_name", "kontakt": "contact_name", "namn": "contact_name",
    "e-post": "contact_email", "epost": "contact_email", "e-postadress": "contact_email", "mejl": "contact_email",
    "kontaktpersonens e-post": "contact_email", "email": "contact_email",
    "telefon": "contact_phone", "telefonnummer": "contact_phone", "mobil": "contact_phone",
    "anteckning": "note", "kommentar": "note", "övrigt": "note", "meddelande": "note",
}
REQUIRED = {"unit_name": "Verksamhet", "organisation": "Förvaltning/bolag"}
EXAMPLE_HEADINGS = "Verksamhet; Förvaltning/bolag; Kontaktperson; E-post; Telefon; Anteckning"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class RegistrationError(Refused):
    """A registration that cannot be stored; the message names what is wrong."""


@dataclasses.dataclass
class Registration:
    unit_name: str
    organisation: str
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    note: str = ""


@dataclasses.dataclass
class ImportResult:
    added: list[str]
    updated: list[str]
    problems: list[str]
    note: str | None = None


def _same_unit(name: str) -> str:
    return " ".join(name.split()).casefold()


def clean(entry: Registration) -> Registration:
    """The registration as stored, or a refusal naming the field that is wrong."""
    unit = " ".join((entry.unit_name or "").split())
    if not unit:
        raise RegistrationError("Verksamhetens namn saknas.")
    organisation, _ = match_organisation(entry.organisation)
    if organisation is None:
        message = unknown_organisation(entry.organisation)
        raise RegistrationError(message[0].upper() + message[1:])
    email = (entry.contact_email or "").strip().lower()
    if email and not _EMAIL.match(email):
        raise RegistrationError(f"E-postadressen {entry.contact_email!r} ser inte ut som en e-postadress.")
    fields = {"unit_name": unit, "organisation": organisation, "contact_name": " ".join((entry.contact_name or "").split()),
              "contact_email": email, "contact_phone": (entry.contact_phone or "").strip(),
              "note": (entry.note or "").strip()}
    for name, value in fields.items():
        if len(value) > MAX_TEXT:
            raise RegistrationError(f"{name_label(name)} har {len(value)} tecken; högst {MAX_TEXT} går att spara.")
    return Registration(**fields)


def name_label(field: str) -> str:
    return {"unit_name": "Verksamhet", "organisation": "Förvaltning/bolag", "contact_name": "Kontaktperson",
            "contact_email": "E-post", "contact_phone": "Telefon", "note": "Anteckning"}[field]


def _find(uow: UnitOfWork, year: int, unit_name: str, other_than: int | None = None) -> tuple | None:
    for row in uow.fetchall("SELECT id, unit_name FROM registrations WHERE year = ? AND id <> ?",
                            [year, other_than or -1]):
        if _same_unit(row[1]) == _same_unit(unit_name):
            return row
    return None


def _insert(uow: UnitOfWork, user: User, year: int, entry: Registration, source: str) -> int:
    registration_id = uow.fetchone(
        "INSERT INTO registrations (year, unit_name, organisation, contact_name, contact_email, contact_phone,"
        " note, source, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [year, entry.unit_name, entry.organisation, entry.contact_name, entry.contact_email, entry.contact_phone,
         entry.note, source, user.email, utcnow()])[0]
    uow.audit("ny intresseanmälan", "registrations", registration_id, None,
              {**dataclasses.asdict(entry), "year": year, "source": source})
    return registration_id


def add(store: Store, user: User, year: int, entry: Registration) -> int:
    """Register one unit by hand; the same unit twice in a year is refused."""
    access.require(store, user, "intake.manage")
    entry = clean(entry)
    with store.write(user.email) as uow:
        if _find(uow, year, entry.unit_name):
            raise RegistrationError(f"{entry.unit_name} har redan anmält intresse för {year}.")
        return _insert(uow, user, year, entry, BY_HAND)


def update(store: Store, user: User, registration_id: int, entry: Registration) -> None:
    access.require(store, user, "intake.manage")
    entry = clean(entry)
    with store.write(user.email) as uow:
        row = uow.fetchone("SELECT year, unit_name, organisation, contact_name, contact_email, contact_phone, note"
                           " FROM registrations WHERE id = ?", [registration_id])
        if row is None:
            raise RegistrationError("Intresseanmälan finns inte längre.")
        if _find(uow, row[0], entry.unit_name, other_than=registration_id):
            raise RegistrationError(f"{entry.unit_name} har redan anmält intresse för {row[0]}.")
        uow.execute("UPDATE registrations SET unit_name = ?, organisation = ?, contact_name = ?, contact_email = ?,"
                    " contact_phone = ?, note = ?, version = version + 1 WHERE id = ?",
                    [*dataclasses.astuple(entry), registration_id])
        before = dict(zip(("unit_name", "organisation", "contact_name", "contact_email", "contact_phone", "note"),
                          row[1:], strict=True))
        uow.audit("ändra intresseanmälan", "registrations", registration_id, before, dataclasses.asdict(entry))


def remove(store: Store, user: User, registration_id: int) -> None:
    """Withdraw a registration that has no contribution yet."""
    access.require(store, user, "intake.manage")
    with store.write(user.email) as uow:
        row = uow.fetchone("SELECT unit_name, contribution_id FROM registrations WHERE id = ?", [registration_id])
        if row is None:
            raise RegistrationError("Intresseanmälan finns inte längre.")
        if row[1] is not None:
            raise RegistrationError(f"{row[0]} har redan skickat sitt bidrag; anmälan kan inte tas bort.")
        uow.execute("DELETE FROM registrations WHERE id = ?", [registration_id])
        uow.audit("ta bort intresseanmälan", "registrations", registration_id, {"unit_name": row[0]}, None)


def parse_rows(filename: str, rows: list[list[str]]) -> tuple[list[tuple[int, Registration]], list[str]]:
    """Good rows (with their row number) and one Swedish message per bad row."""
    rows = [r for r in rows if any(c.strip() for c in r)]
    columns = tables.columns(filename, rows, HEADINGS, REQUIRED, EXAMPLE_HEADINGS)
    good, problems, seen = [], [], {}
    for number, row in enumerate(rows[1:], start=2):
        cell = {f: (row[i] if i < len(row) else "").strip() for f, i in columns.items()}
        try:
            entry = clean(Registration(**{f.name: cell.get(f.name, "") for f in dataclasses.fields(Registration)}))
        except RegistrationError as exc:
            named = f" ({cell['unit_name']})" if cell.get("unit_name") else ""
            problems.append(f"Rad {number}{named}: {exc}")
            continue
        key = _same_unit(entry.unit_name)
        if key in seen:
            problems.append(f"Rad {number} ({entry.unit_name}): verksamheten står redan på rad {seen[key]}.")
            continue
        seen[key] = number
        good.append((number, entry))
    return good, problems


def import_file(store: Store, user: User, year: int, filename: str, data: bytes) -> ImportResult:
    """Registrations from the survey tool's export: bad rows named, good rows kept; a unit
    already registered is updated (the survey tool exports every answer each time)."""
    access.require(store, user, "intake.manage")
    rows, note = tables.read_table(filename, data)
    good, problems = parse_rows(filename, rows)
    added, updated = [], []
    with store.write(user.email) as uow:
        for _, entry in good:
            found = _find(uow, year, entry.unit_name)
            if found is None:
                _insert(uow, user, year, entry, filename)
                added.append(entry.unit_name)
                continue
            before = uow.fetchone("SELECT organisation, contact_name, contact_email, contact_phone, note"
                                  " FROM registrations WHERE id = ?", [found[0]])
            uow.execute("UPDATE registrations SET organisation = ?, contact_name = ?, contact_email = ?,"
                        " contact_phone = ?, note = ?, version = version + 1 WHERE id = ?",
                        [entry.organisation, entry.contact_name, entry.contact_email, entry.contact_phone,
                         entry.note, found[0]])
            uow.audit("uppdatera intresseanmälan", "registrations", found[0], list(before),
                      {**dataclasses.asdict(entry), "source": filename})
            updated.append(entry.unit_name)
    return ImportResult(added, updated, problems, note)


# --- reading -------------------------------------------------------------------------------


def registrations(store: Store, user: User, year: int) -> list[dict]:
    """The year's registrations, each with the contribution that came of it (if any)."""
    access.require(store, user, "intake.manage")
    rows = store.records(
        "SELECT r.id, r.unit_name, r.organisation, r.contact_name, r.contact_email, r.contact_phone, r.note,"
        " r.source, r.contribution_id, c.phase, c.late FROM registrations r"
        " LEFT JOIN contributions c ON c.id = r.contribution_id WHERE r.year = ? ORDER BY lower(r.unit_name)", [year])
    for row in rows:
        row["phase_label"] = phases.ContributionPhase(row["phase"]).label if row["phase"] else None
    return rows


def contribution_deadline_passed(year: int, today=None) -> bool:
    deadline = framework_deadline(load_framework(year), "bidrag")
    return deadline is not None and (today or calendar.today()) > deadline


def missing(store: Store, user: User, year: int) -> list[dict]:
    """Registered units that have sent no contribution."""
    return [r for r in registrations(store, user, year) if r["contribution_id"] is None]


def open_for_link(store: Store, user: User, year: int) -> list[dict]:
    """Registrations a new contribution may be linked to."""
    return missing(store, user, year)


def best_match(candidates: list[dict], unit_name: str) -> int | None:
    """The registration a contribution's unit name most likely belongs to, if any is close."""
    if not candidates or not unit_name.strip():
        return None
    names = {r["id"]: r["unit_name"] for r in candidates}
    hit = process.extractOne(unit_name, names, scorer=fuzz.token_set_ratio, score_cutoff=85)
    return hit[2] if hit else None


def link(uow: UnitOfWork, registration_id: int, contribution_id: int, year: int) -> None:
    """Join a registration to its contribution (inside the acceptance's unit of work)."""
    row = uow.fetchone("SELECT year, unit_name, contribution_id FROM registrations WHERE id = ?", [registration_id])
    if row is None or row[0] != year:
        raise RegistrationError("Intresseanmälan finns inte för det här året.")
    if row[2] is not None and row[2] != contribution_id:
        raise RegistrationError(f"{row[1]}s intresseanmälan hör redan till ett annat bidrag.")
    uow.execute("UPDATE registrations SET contribution_id = ?, version = version + 1 WHERE id = ?",
                [contribution_id, registration_id])
    uow.audit("koppla intresseanmälan", "registrations", registration_id, row[2], {"contribution": contribution_id})


@dataclasses.dataclass(frozen=True)
class Estimate:
    registrations: int
    teams_fewest: int
    teams_most: int
    examiners_fewest: int
    examiners_most: int
    in_registry: int


def estimate(store: Store, user: User, year: int) -> Estimate:
    """How many examiners the registrations call for, beside the registry's count.

    Fewest: every team of the smallest size takes the most contributions; most: every
    contribution has a team of its own at the largest size.
    """
    access.require(store, user, "intake.manage")
    count = store.fetchone("SELECT count(*) FROM registrations WHERE year = ?", [year])[0]
    in_registry = store.fetchone("SELECT count(*) FROM examiners e JOIN users u ON u.id = e.user_id"
                                 " WHERE u.active")[0]
    fewest = math.ceil(count / MAX_LOAD)
    most = math.ceil(count / MIN_LOAD)
    return Estimate(count, fewest, most, fewest * MIN_SIZE, most * MAX_SIZE, in_registry)

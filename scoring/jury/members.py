"""The jury committee as people: the year's members and their chair, each declaring
conflicts of interest on the candidates before seeing them, as examiners do.

"Domarkommittén, som består av förvaltnings- och bolagschefer samt representanter för
organisationer eller högskola, beslutar om vilka verksamheter som får utmärkelsen eller
hedersomnämnandet. Ordförande i kommittén är stadsdirektören i Stockholms stad." (2026)
A chief's own förvaltning or bolag is offered as a conflict; a member with a conflict is
recused from that candidate's decision, and the decision and the minutes say so.
"""

from __future__ import annotations

from scoring.core import access
from scoring.core.auth import User, user_by_email
from scoring.core.errors import Refused
from scoring.core.store import Store, utcnow

MAX_NOTE = 1_000


class JuryMemberError(Refused):
    """A refused change to the jury's list or a declaration; Swedish message."""


def members(store: Store, user: User, year: int) -> list[dict]:
    """The year's members, the chair first: name, e-mail, organisation, declared or not."""
    if not (access.can(store, user, "jury.members") or access.can(store, user, "jury.declare", year=year)):
        raise access.AccessDenied("Listan över domarkommitténs ledamöter är för Kvalitetsenheten och kommittén.")
    rows = store.records(
        "SELECT m.user_id, u.name, u.email, m.organisation, m.is_chair,"
        " (SELECT count(*) FROM jury_declarations d WHERE d.year = m.year AND d.user_id = m.user_id) AS declared,"
        " (SELECT count(*) FROM jury_declarations d WHERE d.year = m.year AND d.user_id = m.user_id"
        "  AND d.has_conflict) AS conflicts"
        " FROM jury_members m JOIN users u ON u.id = m.user_id WHERE m.year = ? ORDER BY m.is_chair DESC, u.name",
        [year])
    return rows


def add_member(store: Store, user: User, year: int, email: str, organisation: str, chair: bool) -> None:
    """List a jury account as a member of the year's committee (or change its details)."""
    access.require(store, user, "jury.members")
    member = user_by_email(store, email)
    if member is None or not access.jury_account(member.role):
        raise JuryMemberError(f"{email} har inget konto för domarkommittén. Skapa kontot under Konton först.")
    organisation = (organisation or "").strip()
    if len(organisation) > 200:
        raise JuryMemberError("Förvaltningens eller organisationens namn får ha högst 200 tecken.")
    with store.write(user.email) as uow:
        before = uow.fetchone("SELECT organisation, is_chair FROM jury_members WHERE year = ? AND user_id = ?",
                              [year, member.id])
        if chair:  # one chair: the stadsdirektör
            uow.execute("UPDATE jury_members SET is_chair = FALSE WHERE year = ? AND is_chair AND user_id <> ?",
                        [year, member.id])
        uow.execute("INSERT INTO jury_members (year, user_id, organisation, is_chair, added_by, added_at)"
                    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (year, user_id) DO UPDATE SET organisation = excluded.organisation,"
                    " is_chair = excluded.is_chair", [year, member.id, organisation or None, chair, user.email,
                                                      utcnow()])
        uow.audit("ledamot i domarkommittén", "jury_members", f"{year}:{member.email}",
                  before and {"organisation": before[0], "chair": before[1]},
                  {"organisation": organisation, "chair": chair})


def remove_member(store: Store, user: User, year: int, member_id: int) -> None:
    access.require(store, user, "jury.members")
    with store.write(user.email) as uow:
        row = uow.fetchone("SELECT u.email, m.organisation, m.is_chair FROM jury_members m JOIN users u"
                           " ON u.id = m.user_id WHERE m.year = ? AND m.user_id = ?", [year, member_id])
        if row is None:
            raise JuryMemberError("Personen är inte ledamot det här året.")
        uow.execute("DELETE FROM jury_members WHERE year = ? AND user_id = ?", [year, member_id])
        uow.audit("ta bort ledamot", "jury_members", f"{year}:{row[0]}",
                  {"organisation": row[1], "chair": row[2]}, None)


def to_declare(store: Store, user: User, year: int) -> list[dict]:
    """The candidates this member has not yet declared on, by their real names in
    alphabetical order (no scores, no pseudonym letters), each with a suggested conflict
    where the candidate belongs to the member's own förvaltning or bolag."""
    access.require(store, user, "jury.declare", year=year)
    own = store.fetchone("SELECT organisation FROM jury_members WHERE year = ? AND user_id = ?", [year, user.id])
    own_organisation = (own[0] or "").strip().lower() if own else ""
    rows = store.records(
        "SELECT c.id AS contribution_id, u.name AS unit, u.organisation FROM contributions c"
        " JOIN units u ON u.id = c.unit_id JOIN proposals p ON p.contribution_id = c.id"
        " WHERE c.year = ? AND p.proposal IN ('utmarkelse', 'hedersomnamnande') AND NOT EXISTS"
        " (SELECT 1 FROM jury_declarations d WHERE d.contribution_id = c.id AND d.user_id = ?)"
        " ORDER BY u.name", [year, user.id])
    for row in rows:
        row["suggested_conflict"] = bool(own_organisation) and row["organisation"].strip().lower() == own_organisation
    return rows


def declare(store: Store, user: User, year: int, conflicts: dict[int, bool], note: str = "") -> None:
    """The member's declaration on every candidate not yet declared: conflict or none."""
    access.require(store, user, "jury.declare", year=year)
    pending = {r["contribution_id"] for r in to_declare(store, user, year)}
    if set(conflicts) != pending:
        raise JuryMemberError("Ta ställning till jäv för varje kandidat i listan innan du går vidare.")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise JuryMemberError(f"Anteckningen har {len(note)} tecken; högst {MAX_NOTE} går att spara.")
    now = utcnow()
    with store.write(user.email) as uow:
        for contribution_id, has_conflict in conflicts.items():
            uow.execute("INSERT INTO jury_declarations (year, user_id, contribution_id, has_conflict, note,"
                        " declared_at) VALUES (?, ?, ?, ?, ?, ?)",
                        [year, user.id, contribution_id, bool(has_conflict), note or None, now])
        uow.audit("jävsdeklaration i domarkommittén", "jury_declarations", f"{year}:{user.email}", None,
                  {"candidates": len(conflicts), "conflicts": sorted(c for c, v in conflicts.items() if v),
                   "note": note or None})


def recused(store: Store, contribution_id: int) -> list[str]:
    """The members who declared a conflict on a candidate (callers check access)."""
    return [r[0] for r in store.fetchall(
        "SELECT u.name FROM jury_declarations d JOIN users u ON u.id = d.user_id"
        " WHERE d.contribution_id = ? AND d.has_conflict ORDER BY u.name", [contribution_id])]


def has_conflict(store: Store, user: User, contribution_id: int) -> bool:
    return store.fetchone("SELECT 1 FROM jury_declarations WHERE contribution_id = ? AND user_id = ?"
                          " AND has_conflict", [contribution_id, user.id]) is not None


def taking_part(store: Store, year: int, contribution_id: int) -> list[str]:
    """The members without a conflict on the candidate: those who decide it."""
    return [r[0] for r in store.fetchall(
        "SELECT u.name FROM jury_members m JOIN users u ON u.id = m.user_id WHERE m.year = ? AND NOT EXISTS"
        " (SELECT 1 FROM jury_declarations d WHERE d.user_id = m.user_id AND d.contribution_id = ?"
        "  AND d.has_conflict) ORDER BY m.is_chair DESC, u.name", [year, contribution_id])]

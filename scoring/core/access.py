"""Who may see what. Pages ask here; they never decide access themselves."""

from __future__ import annotations

from scoring.core.auth import User
from scoring.core.store import Store


class AccessDenied(PermissionError):
    """The acting user may not see or change this; the message is Swedish."""


class DeclarationRequired(AccessDenied):
    """An examiner must declare conflicts and confidentiality before reading."""


# Pages by key, in menu order, with the roles that get them. "lagsamordnare" is not an
# account role: it is an examiner who coordinates a team in the current year.
PAGE_ROLES: dict[str, set[str]] = {
    "start": {"admin", "examinator", "lagsamordnare", "beredningsgrupp", "domarkommitte"},
    "intag": {"admin"},
    "granskning": {"admin"},
    "behorighet": {"admin"},
    "examinatorer": {"admin"},
    "lag": {"admin"},
    "bedomning": {"examinator", "lagsamordnare"},
    "konsensus": {"admin", "lagsamordnare"},
    "rapporter": {"admin", "lagsamordnare"},
    "mallar": {"admin"},
    "beredning": {"admin", "beredningsgrupp", "domarkommitte"},
    "beslut": {"admin", "domarkommitte"},
    "arkiv": {"admin", "beredningsgrupp", "domarkommitte"},
    "bidrag": {"admin", "examinator", "lagsamordnare"},
    "anvisningar": {"admin", "examinator", "lagsamordnare", "beredningsgrupp", "domarkommitte"},
    "konton": {"admin"},
    "logg": {"admin"},
}


def is_coordinator(store: Store, user: User, year: int | None) -> bool:
    if year is None or user.role != "examinator":
        return False
    row = store.cached(("is_coordinator", year, user.id), lambda: store.fetchone(
        "SELECT 1 FROM teams WHERE year = ? AND coordinator_id = ?", [year, user.id]))
    return row is not None


def leads(store: Store, user: User, contribution_id: int) -> bool:
    """The admin, or the coordinator of the team the contribution is assigned to."""
    if user.role == "admin":
        return True
    return store.cached(("leads", user.id, contribution_id), lambda: store.fetchone(
        "SELECT 1 FROM assignments s JOIN teams t ON t.id = s.team_id WHERE s.contribution_id = ?"
        " AND t.coordinator_id = ?", [contribution_id, user.id])) is not None


def effective_roles(store: Store, user: User, year: int | None) -> set[str]:
    roles = {user.role}
    if is_coordinator(store, user, year):
        roles.add("lagsamordnare")
    return roles


def role_label(store: Store, user: User, year: int | None) -> str:
    if is_coordinator(store, user, year):
        return "Lagsamordnare"
    return user.role_label


def page_keys(store: Store, user: User, year: int | None) -> list[str]:
    roles = effective_roles(store, user, year)
    return [key for key, allowed in PAGE_ROLES.items() if roles & allowed]


def visible_contribution_ids(store: Store, user: User, year: int) -> list[int]:
    """The contributions this user may read in a year."""
    return list(store.cached(("visible_ids", user.id, user.role, year),
                             lambda: tuple(_visible_ids(store, user, year))))


def _visible_ids(store: Store, user: User, year: int) -> list[int]:
    if user.role == "admin":
        rows = store.fetchall("SELECT id FROM contributions WHERE year = ? ORDER BY id", [year])
    elif user.role == "examinator":
        # Only the team's contributions, and not one the examiner declared a conflict on.
        rows = store.fetchall(
            "SELECT c.id FROM contributions c"
            " JOIN assignments a ON a.contribution_id = c.id"
            " JOIN team_members m ON m.team_id = a.team_id"
            " WHERE c.year = ? AND m.user_id = ?"
            " AND NOT EXISTS (SELECT 1 FROM conflict_declarations d"
            "   WHERE d.contribution_id = c.id AND d.user_id = m.user_id AND d.has_conflict)"
            " ORDER BY c.id",
            [year, user.id],
        )
    else:
        # The preparatory group and the jury see contributions once a proposal exists.
        rows = store.fetchall(
            "SELECT c.id FROM contributions c JOIN proposals p ON p.contribution_id = c.id"
            " WHERE c.year = ? ORDER BY c.id",
            [year],
        )
    return [r[0] for r in rows]


def _visibility(store: Store, user: User, contribution_id: int) -> tuple[bool, bool]:
    """(may see, has declared) in one query: every page asks this on every rerun."""
    if user.role == "admin":
        where, params = "TRUE", []
    elif user.role == "examinator":
        where = ("EXISTS (SELECT 1 FROM assignments a JOIN team_members m ON m.team_id = a.team_id"
                 " WHERE a.contribution_id = c.id AND m.user_id = ?) AND NOT coalesce(d.has_conflict, FALSE)")
        params = [user.id]
    else:
        where, params = "EXISTS (SELECT 1 FROM proposals p WHERE p.contribution_id = c.id)", []
    row = store.cached(("visibility", user.id, user.role, contribution_id), lambda: store.fetchone(
        f"SELECT {where}, d.user_id IS NOT NULL FROM contributions c LEFT JOIN conflict_declarations d"
        " ON d.contribution_id = c.id AND d.user_id = ? WHERE c.id = ?",
        [*params, user.id, contribution_id],
    ))
    return (bool(row[0]), bool(row[1])) if row else (False, False)


def require_contribution(store: Store, user: User, contribution_id: int) -> None:
    if not _visibility(store, user, contribution_id)[0]:
        raise AccessDenied("Du har inte behörighet till det här bidraget.")


def has_declared(store: Store, user: User, contribution_id: int) -> bool:
    return store.fetchone(
        "SELECT 1 FROM conflict_declarations WHERE contribution_id = ? AND user_id = ?",
        [contribution_id, user.id],
    ) is not None


def require_readable(store: Store, user: User, contribution_id: int) -> None:
    """May read the contribution's content: visible, and for an examiner, declared first."""
    visible, declared = _visibility(store, user, contribution_id)
    if not visible:
        raise AccessDenied("Du har inte behörighet till det här bidraget.")
    if user.role == "examinator" and not declared:
        raise DeclarationRequired("Bekräfta att du inte har jäv och att du behandlar bidraget "
                                  "konfidentiellt innan du öppnar det.")

"""Conflicts of interest (jäv): the rules from data/conflict_rules.yaml, and declarations.

An examiner must never assess a unit they are close to. The rules catch what the
registry knows; before first opening a contribution every examiner also confirms that
they have no conflict and will keep the contribution confidential, or declares one.
"""

from __future__ import annotations

import dataclasses
import json
from functools import lru_cache

import yaml

from scoring.core import access
from scoring.core.auth import User
from scoring.core.errors import Refused
from scoring.core.store import Store
from scoring.year.framework import DATA_DIR

MAX_NOTE_CHARS = 2_000


@lru_cache(maxsize=1)
def rules() -> dict[str, str]:
    """Enabled rules: code → the Swedish phrase that completes "<examiner> …"."""
    data = yaml.safe_load((DATA_DIR / "conflict_rules.yaml").read_text(encoding="utf-8"))
    return {r["code"]: r["text"] for r in data["rules"] if r.get("enabled", True)}


def _same(a: str | None, b: str | None) -> bool:
    return bool(a and b) and " ".join(a.lower().split()) == " ".join(b.lower().split())


@dataclasses.dataclass(frozen=True)
class Examiner:
    id: int
    name: str
    email: str
    organisation: str
    workplace: str = ""
    former_workplaces: tuple[str, ...] = ()
    manager_email: str = ""
    competences: tuple[str, ...] = ()
    years_as_examiner: int = 0
    is_new: bool = False


@dataclasses.dataclass(frozen=True)
class Unit:
    contribution_id: int
    name: str
    organisation: str
    workplace: str = ""
    manager_email: str = ""
    class_code: str = ""


def conflicts(examiner: Examiner, unit: Unit) -> list[str]:
    """The codes of the enabled rules this pair breaks."""
    enabled = rules()
    found = []
    if "samma_organisation" in enabled and _same(examiner.organisation, unit.organisation):
        found.append("samma_organisation")
    workplaces = {unit.workplace, unit.name}
    if "samma_arbetsplats" in enabled and any(_same(examiner.workplace, w) for w in workplaces):
        found.append("samma_arbetsplats")
    if "tidigare_arbetsplats" in enabled and any(
        _same(former, w) for former in examiner.former_workplaces for w in workplaces
    ):
        found.append("tidigare_arbetsplats")
    if "chefsrelation" in enabled and (
        _same(examiner.manager_email, unit.manager_email) or _same(examiner.email, unit.manager_email)
    ):
        found.append("chefsrelation")
    return found


def describe(examiner: Examiner, unit: Unit, codes: list[str]) -> str:
    return f"{examiner.name} {' och '.join(rules()[c] for c in codes)} ({unit.name})."


def load_examiners(store: Store) -> list[Examiner]:
    rows = store.records(
        "SELECT u.id, u.name, u.email, e.organisation, e.workplace, e.former_workplaces, e.manager_email,"
        " e.competences, e.years_as_examiner, e.is_new FROM examiners e JOIN users u ON u.id = e.user_id"
        " WHERE u.active ORDER BY u.id"
    )
    return [Examiner(
        id=r["id"], name=r["name"], email=r["email"], organisation=r["organisation"],
        workplace=r["workplace"] or "",
        former_workplaces=tuple(w.strip() for w in (r["former_workplaces"] or "").split(";") if w.strip()),
        manager_email=r["manager_email"] or "",
        competences=tuple(c.strip().lower() for c in (r["competences"] or "").split(",") if c.strip()),
        years_as_examiner=r["years_as_examiner"] or 0, is_new=bool(r["is_new"]),
    ) for r in rows]


def load_units(store: Store, year: int) -> list[Unit]:
    rows = store.records(
        "SELECT c.id, u.name, u.organisation, u.workplace, u.manager_email, c.intro, c.class_code"
        " FROM contributions c JOIN units u ON u.id = c.unit_id WHERE c.year = ? ORDER BY c.id",
        [year],
    )
    units = []
    for r in rows:
        intro = json.loads(r["intro"]) if r["intro"] else {}
        units.append(Unit(r["id"], r["name"], r["organisation"], r["workplace"] or "",
                          r["manager_email"] or intro.get("manager_email", ""), r["class_code"]))
    return units


class ConflictError(Refused):
    """A declaration that cannot be recorded as given; the message says what is missing."""


# --- declarations -----------------------------------------------------------------------


def needs_declaration(store: Store, user: User, contribution_id: int) -> bool:
    return access.needs_declaration(store, user, contribution_id)


def declare(store: Store, user: User, contribution_id: int, *, has_conflict: bool,
            confidentiality_accepted: bool, note: str = "") -> None:
    """Record an examiner's declaration; a declared conflict removes them from the contribution."""
    access.require(store, user, "conflicts.declare", contribution_id=contribution_id)
    if not has_conflict and not confidentiality_accepted:
        raise ConflictError("Bekräfta att du behandlar bidraget konfidentiellt, eller anmäl jäv.")
    if has_conflict and not note.strip():
        raise ConflictError("Beskriv kort vad jävet gäller, så att Kvalitetsenheten kan ta ställning.")
    if len(note.strip()) > MAX_NOTE_CHARS:
        raise ConflictError(f"Beskrivningen har {len(note.strip())} tecken; högst {MAX_NOTE_CHARS} går att spara.")
    with store.write(user.email) as uow:
        uow.execute(
            "INSERT INTO conflict_declarations (contribution_id, user_id, has_conflict,"
            " confidentiality_accepted, note) VALUES (?, ?, ?, ?, ?)",
            [contribution_id, user.id, has_conflict, confidentiality_accepted, note.strip() or None],
        )
        uow.audit("anmäl jäv" if has_conflict else "bekräfta ingen jäv", "conflict_declarations",
                  contribution_id, None, {"user_id": user.id, "has_conflict": has_conflict, "note": note})


def declared_conflicts(store: Store, user: User, year: int) -> list[dict]:
    """For the admin: every conflict examiners have declared this year."""
    access.require(store, user, "conflicts.review")
    return store.records(
        "SELECT d.declared_at, e.name AS examiner, u.name AS unit, d.note, t.name AS team"
        " FROM conflict_declarations d JOIN users e ON e.id = d.user_id"
        " JOIN contributions c ON c.id = d.contribution_id JOIN units u ON u.id = c.unit_id"
        " LEFT JOIN assignments a ON a.contribution_id = c.id LEFT JOIN teams t ON t.id = a.team_id"
        " WHERE c.year = ? AND d.has_conflict ORDER BY d.declared_at DESC",
        [year],
    )

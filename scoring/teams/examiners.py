"""The examiner registry: import from CSV or Excel, and edit."""

from __future__ import annotations

import dataclasses

from scoring.core import access, auth, tables
from scoring.core.auth import User
from scoring.core.errors import Refused
from scoring.core.organisations import match_organisation, unknown_organisation
from scoring.core.store import Store
from scoring.core.tables import read_table

# Column headings people use, mapped to the registry's fields.
HEADINGS = {
    "namn": "name", "name": "name",
    "e-post": "email", "epost": "email", "e-postadress": "email", "mejl": "email", "email": "email",
    "förvaltning/bolag": "organisation", "förvaltning": "organisation", "bolag": "organisation",
    "organisation": "organisation",
    "arbetsplats": "workplace", "enhet": "workplace",
    "tidigare arbetsplatser": "former_workplaces", "tidigare arbetsplats": "former_workplaces",
    "chefens e-post": "manager_email", "chef e-post": "manager_email",
    "kompetens": "competences", "kompetenser": "competences", "erfarenhet": "competences",
    "kompetens/erfarenhet": "competences",
    "år som examinator": "years_as_examiner", "antal år som examinator": "years_as_examiner",
    "ny": "is_new", "ny examinator": "is_new",
}
REQUIRED = ("name", "email", "organisation")
FIELD_LABELS = {
    "name": "Namn", "email": "E-post", "organisation": "Förvaltning/bolag", "workplace": "Arbetsplats",
    "former_workplaces": "Tidigare arbetsplatser", "manager_email": "Chefens e-post",
    "competences": "Kompetenser", "years_as_examiner": "År som examinator", "is_new": "Ny examinator",
}


@dataclasses.dataclass
class ExaminerRow:
    name: str
    email: str
    organisation: str
    workplace: str = ""
    former_workplaces: str = ""
    manager_email: str = ""
    competences: str = ""
    years_as_examiner: int = 0
    is_new: bool = False


@dataclasses.dataclass
class ImportResult:
    added: list[str]
    updated: list[str]
    problems: list[str]
    note: str | None = None


def parse_rows(filename: str, rows: list[list[str]]) -> tuple[list[ExaminerRow], list[str]]:
    """Good rows and one Swedish message per bad row (row numbers as in the file)."""
    rows = [r for r in rows if any(c for c in r)]
    columns = tables.columns(filename, rows, HEADINGS, {f: FIELD_LABELS[f] for f in REQUIRED},
                             "Namn; E-post; Förvaltning/bolag; Arbetsplats; Kompetenser; År som examinator; Ny")
    good: list[ExaminerRow] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        cell = {f: (row[i] if i < len(row) else "").strip() for f, i in columns.items()}
        email = auth.normalise_email(cell.get("email", ""))
        if not cell.get("name"):
            problems.append(f"Rad {number}: namn saknas.")
            continue
        if not email:
            problems.append(f"Rad {number} ({cell['name']}): e-postadress saknas.")
            continue
        try:
            auth.validate_new_account(email, cell["name"], "examinator", None)
        except auth.AuthError as exc:
            problems.append(f"Rad {number} ({cell['name']}): {exc}")
            continue
        if email in seen:
            problems.append(f"Rad {number} ({cell['name']}): e-postadressen {email} finns redan på rad {seen[email]}.")
            continue
        organisation, _ = match_organisation(cell.get("organisation", ""))
        if organisation is None:
            problems.append(f"Rad {number} ({cell['name']}): {unknown_organisation(cell.get('organisation', ''))}")
            continue
        years_text = cell.get("years_as_examiner", "") or "0"
        try:
            years = int(float(years_text.replace(",", ".")))
        except ValueError:
            problems.append(f"Rad {number} ({cell['name']}): år som examinator ska vara ett tal, inte {years_text!r}.")
            continue
        is_new_text = cell.get("is_new", "").lower()
        seen[email] = number
        good.append(ExaminerRow(
            name=cell["name"], email=email, organisation=organisation, workplace=cell.get("workplace", ""),
            former_workplaces=cell.get("former_workplaces", ""),
            manager_email=auth.normalise_email(cell.get("manager_email", "")),
            competences=cell.get("competences", ""), years_as_examiner=max(0, years),
            is_new=is_new_text in ("ja", "j", "x", "1", "true", "sant", "yes") or (not is_new_text and years == 0),
        ))
    return good, problems


def import_examiners(store: Store, user: User, filename: str, data: bytes) -> ImportResult:
    """Add or update examiners from a file; bad rows are reported, good rows are kept."""
    access.require(store, user, "examiners.manage")
    rows, note = read_table(filename, data)
    good, problems = parse_rows(filename, rows)
    added, updated = [], []
    with store.write(user.email) as uow:
        for row in good:
            found = uow.fetchone("SELECT id, role FROM users WHERE email = ?", [row.email])
            if found and not access.examiner_account(found[1]):
                problems.append(f"{row.email} har redan ett konto med en annan roll och importerades inte.")
                continue
            if found:
                user_id = found[0]
                before = uow.fetchone("SELECT * FROM examiners WHERE user_id = ?", [user_id])
                uow.execute("UPDATE users SET name = ? WHERE id = ?", [row.name, user_id])
                updated.append(row.email)
            else:
                user_id = auth.add_user(uow, email=row.email, name=row.name, role="examinator", password=None)
                before = None
                added.append(row.email)
            uow.execute(
                "INSERT INTO examiners (user_id, organisation, workplace, former_workplaces, manager_email,"
                " competences, years_as_examiner, is_new) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET organisation = excluded.organisation,"
                " workplace = excluded.workplace, former_workplaces = excluded.former_workplaces,"
                " manager_email = excluded.manager_email, competences = excluded.competences,"
                " years_as_examiner = excluded.years_as_examiner, is_new = excluded.is_new",
                [user_id, row.organisation, row.workplace, row.former_workplaces, row.manager_email,
                 row.competences, row.years_as_examiner, row.is_new],
            )
            uow.audit("importera examinator", "examiners", user_id, before and list(before),
                      dataclasses.asdict(row))
    return ImportResult(added, updated, problems, note)




def registry(store: Store, user: User) -> list[dict]:
    access.require(store, user, "examiners.manage")
    return store.records(
        "SELECT u.id, u.name, u.email, e.organisation, e.workplace, e.former_workplaces, e.manager_email,"
        " e.competences, e.years_as_examiner, e.is_new FROM examiners e JOIN users u ON u.id = e.user_id"
        " WHERE u.active ORDER BY u.name"
    )


def update_examiner(store: Store, user: User, examiner_id: int, changes: dict) -> None:
    """Edit one examiner's registry fields; the organisation must be a known one."""
    access.require(store, user, "examiners.manage")
    allowed = {"organisation", "workplace", "former_workplaces", "manager_email", "competences",
               "years_as_examiner", "is_new"}
    unknown = set(changes) - allowed
    if unknown:
        raise Refused(f"Fälten {', '.join(sorted(unknown))} kan inte ändras här.")
    if "organisation" in changes:
        organisation, _ = match_organisation(str(changes["organisation"]))
        if organisation is None:
            message = unknown_organisation(str(changes["organisation"]))
            raise Refused(message[0].upper() + message[1:])
        changes["organisation"] = organisation
    with store.write(user.email) as uow:
        before = uow.fetchone(
            "SELECT organisation, workplace, former_workplaces, manager_email, competences,"
            " years_as_examiner, is_new FROM examiners WHERE user_id = ?", [examiner_id])
        if before is None:
            raise Refused("Examinatorn finns inte i registret.")
        assignments = ", ".join(f"{column} = ?" for column in changes)
        uow.execute(f"UPDATE examiners SET {assignments} WHERE user_id = ?", [*changes.values(), examiner_id])
        uow.audit("ändra examinator", "examiners", examiner_id, list(before), changes)

"""Sending a contribution back for changes (ändringsbegäran), and its versions.

The instructions say that contributions whose pictures hold text are sent back and that
the unit then corrects them within one or two working days. The office records the
request with its reason; the due date is counted in Swedish working days. The corrected
file is read in against the request, reviewed like any file, and when accepted becomes the
contribution's text, while every earlier file stays as an earlier version.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from scoring.core import access
from scoring.core.auth import User
from scoring.core.errors import Refused
from scoring.core.store import Store, utcnow
from scoring.intake import review as intake
from scoring.intake.review import CORRECTABLE, IntakeError
from scoring.year import calendar, phases
from scoring.year.framework import load_framework

WORKING_DAYS = (1, 2)          # what the instructions allow the unit
MAX_REASON_CHARS = 2_000


class ChangeError(Refused):
    """A request for changes that cannot be made; the message names why."""


def request_changes(store: Store, user: User, contribution_id: int, reason: str, working_days: int = 2, *,
                    today: dt.date | None = None) -> int:
    """Send a contribution back with the reason; returns the request's id."""
    access.require(store, user, "intake.manage")
    reason = (reason or "").strip()
    if not reason:
        raise ChangeError("Skriv vad verksamheten ska ändra.")
    if len(reason) > MAX_REASON_CHARS:
        raise ChangeError(f"Skälet har {len(reason)} tecken; högst {MAX_REASON_CHARS} går att spara.")
    if working_days not in WORKING_DAYS:
        raise ChangeError("Verksamheten ska få 1 eller 2 arbetsdagar på sig, enligt anvisningarna.")
    start = today or calendar.today()
    due = calendar.add_working_days(start, working_days)
    with store.write(user.email) as uow:
        row = uow.fetchone("SELECT c.phase, u.name FROM contributions c JOIN units u ON u.id = c.unit_id"
                           " WHERE c.id = ?", [contribution_id])
        if row is None:
            raise ChangeError("Bidraget finns inte.")
        if phases.ContributionPhase(row[0]) not in CORRECTABLE:
            raise ChangeError(f"Bedömningen av {row[1]} har redan börjat; bidraget kan inte skickas tillbaka nu.")
        if uow.fetchone("SELECT 1 FROM change_requests WHERE contribution_id = ? AND status = 'skickad'",
                        [contribution_id]):
            raise ChangeError(f"{row[1]} har redan en ändringsbegäran som väntar på svar.")
        request_id = uow.fetchone(
            "INSERT INTO change_requests (contribution_id, reason, working_days, due_date, requested_by, requested_at)"
            " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            [contribution_id, reason, working_days, due, user.email, utcnow()])[0]
        uow.audit("ändringsbegäran", "change_requests", request_id, None,
                  {"contribution": contribution_id, "unit": row[1], "reason": reason, "due": due.isoformat()})
    return request_id


def withdraw(store: Store, user: User, request_id: int, reason: str) -> None:
    access.require(store, user, "intake.manage")
    if not (reason or "").strip():
        raise ChangeError("Skriv varför ändringsbegäran återkallas.")
    with store.write(user.email) as uow:
        try:
            phases.transition(uow, phases.CHANGE_REQUEST, request_id, phases.ChangeRequestStatus.ATERKALLAD,
                              also={"closed_at": utcnow()}, action="återkalla ändringsbegäran",
                              detail={"reason": reason.strip()})
        except phases.TransitionRefused as exc:
            raise ChangeError(str(exc)) from None


def upload_correction(store: Store, user: User, request_id: int, filename: str, data: bytes, *,
                      received_at: dt.datetime | None = None) -> int:
    """Read in the unit's corrected file against its request; it waits for review like any file."""
    row = store.fetchone("SELECT c.year FROM change_requests r JOIN contributions c ON c.id = r.contribution_id"
                         " WHERE r.id = ?", [request_id])
    if row is None:
        raise IntakeError("Ändringsbegäran finns inte.")
    return intake.upload(store, user, row[0], filename, data, received_at=received_at, change_request_id=request_id)


def requests(store: Store, user: User, year: int, today: dt.date | None = None) -> list[dict]:
    """The year's requests with the unit, the due date and whether the answer is overdue."""
    access.require(store, user, "intake.manage")
    today = today or calendar.today()
    rows = store.records(
        "SELECT r.id, r.contribution_id, u.name AS unit, r.reason, r.working_days, r.due_date, r.status,"
        " r.requested_at, r.requested_by, r.closed_at, (SELECT max(i.id) FROM intake_files i"
        "   WHERE i.change_request_id = r.id AND i.status = 'granskas') AS waiting_intake_id,"
        " (SELECT g.contact_email FROM registrations g WHERE g.contribution_id = r.contribution_id) AS contact_email,"
        " (SELECT g.contact_name FROM registrations g WHERE g.contribution_id = r.contribution_id) AS contact_name"
        " FROM change_requests r JOIN contributions c ON c.id = r.contribution_id JOIN units u ON u.id = c.unit_id"
        " WHERE c.year = ? ORDER BY r.id", [year])
    for row in rows:
        row["status_label"] = phases.ChangeRequestStatus(row["status"]).label
        row["overdue"] = row["status"] == "skickad" and today > row["due_date"]
    return rows


def open_requests(store: Store, user: User, year: int, today: dt.date | None = None) -> list[dict]:
    return [r for r in requests(store, user, year, today) if r["status"] == "skickad"]


def correctable(store: Store, user: User, year: int) -> list[dict]:
    """Contributions that may still be sent back: nobody has begun assessing them, no request open."""
    access.require(store, user, "intake.manage")
    return store.records(
        "SELECT c.id, u.name AS unit FROM contributions c JOIN units u ON u.id = c.unit_id WHERE c.year = ?"
        f" AND c.phase IN ({', '.join(repr(p.value) for p in CORRECTABLE)}) AND NOT EXISTS (SELECT 1 FROM"
        " change_requests r WHERE r.contribution_id = c.id AND r.status = 'skickad') ORDER BY lower(u.name)", [year])


# --- versions --------------------------------------------------------------------------------


@dataclasses.dataclass
class Version:
    number: int
    intake_id: int
    filename: str
    received_at: dt.datetime
    chars: int
    chars_by_area: dict[str, int]
    findings: list[str]
    note: str | None


def versions(store: Store, user: User, contribution_id: int) -> list[Version]:
    """Every file accepted for a contribution, first version first."""
    access.require(store, user, "intake.manage")
    rows = store.fetchall("SELECT id FROM intake_files WHERE contribution_id = ? AND status = 'godkand' ORDER BY id",
                          [contribution_id])
    found = []
    for number, (intake_id,) in enumerate(rows, start=1):
        read = intake.review(store, user, intake_id)
        note = store.fetchone("SELECT accept_note FROM intake_files WHERE id = ?", [intake_id])[0]
        found.append(Version(number, intake_id, read.filename, read.received_at, read.report.chars_counted,
                             dict(read.report.chars_by_area), [f.text for f in read.report.findings], note))
    return found


def differences(store: Store, user: User, contribution_id: int) -> list[dict]:
    """What changed from each version to the next: characters per area, findings gone and new."""
    found = versions(store, user, contribution_id)
    if len(found) < 2:
        return []
    year = store.fetchone("SELECT year FROM contributions WHERE id = ?", [contribution_id])[0]
    titles = {a.code: a.title for a in load_framework(year).areas}
    changes = []
    for before, after in zip(found, found[1:], strict=False):
        changes.append({
            "from": before.number, "to": after.number, "chars": (before.chars, after.chars),
            "areas": [(titles.get(code, code), before.chars_by_area.get(code, 0), after.chars_by_area.get(code, 0))
                      for code in titles],
            "findings_gone": [f for f in before.findings if f not in after.findings],
            "findings_new": [f for f in after.findings if f not in before.findings],
        })
    return changes


def version_file(store: Store, user: User, intake_id: int) -> tuple[str, bytes]:
    """The file of one version, as the unit sent it."""
    access.require(store, user, "intake.manage")
    row = store.fetchone("SELECT filename, data FROM intake_files WHERE id = ?", [intake_id])
    if row is None:
        raise IntakeError("Filen finns inte.")
    return row[0], bytes(row[1])

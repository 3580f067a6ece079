"""The feedback visit (återbesök) and the written report handed over.

The city's instructions give the feedback first orally at a visit after the ceremony, then
in writing as the feedback report. The team's coordinator books the visit, records that it
took place, and marks the report handed over; the report may be handed over only after
the ceremony and after the visit, unless the office overrides with its reason.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from scoring.core import access, versions
from scoring.core.auth import User
from scoring.core.errors import Refused
from scoring.core.store import Store, UnitOfWork
from scoring.core.text import swedish_date
from scoring.year import calendar, phases, years

P = phases.ContributionPhase
MAX_TEXT = 2_000
HANDOVER_WAYS = ("Vid återbesöket", "Med e-post", "Med post", "Annat sätt")


class VisitError(Refused):
    """A feedback visit or handover that cannot be recorded; the message says why."""


@dataclasses.dataclass(frozen=True)
class FeedbackVisit:
    contribution_id: int
    unit: str
    phase: str
    year: int
    team: str | None
    date: dt.date | None = None
    starts: dt.time | None = None
    ends: dt.time | None = None
    place: str = ""
    team_participants: str = ""
    unit_participants: str = ""
    notes: str = ""
    held_on: dt.date | None = None
    handed_over_on: dt.date | None = None
    handed_over_how: str = ""
    override_reason: str = ""
    report_final: bool = False
    version: int = 0

    @property
    def phase_label(self) -> str:
        return P(self.phase).label


_SELECT = (
    "SELECT c.id, u.name, c.phase, c.year, t.name, v.visit_date, v.starts_at, v.ends_at, v.place,"
    " v.team_participants, v.unit_participants, v.notes, v.held_on, v.handed_over_on, v.handed_over_how,"
    " v.override_reason, coalesce(r.final, FALSE), coalesce(v.version, 0)"
    " FROM contributions c JOIN units u ON u.id = c.unit_id LEFT JOIN assignments s ON s.contribution_id = c.id"
    " LEFT JOIN teams t ON t.id = s.team_id LEFT JOIN feedback_visits v ON v.contribution_id = c.id"
    " LEFT JOIN reports r ON r.contribution_id = c.id")


def _visit(row: tuple) -> FeedbackVisit:
    return FeedbackVisit(*row[:5], *(row[5:8]), *(value or "" for value in row[8:12]), row[12], row[13],
                         row[14] or "", row[15] or "", bool(row[16]), row[17])


def visit(store: Store, user: User, contribution_id: int) -> FeedbackVisit:
    access.require(store, user, "feedback.manage", contribution_id=contribution_id)
    return _visit(store.fetchone(_SELECT + " WHERE c.id = ?", [contribution_id]))


def visits(store: Store, user: User, year: int) -> list[FeedbackVisit]:
    """The decided contributions this user leads the feedback for (the office: all)."""
    rows = store.fetchall(_SELECT + " WHERE c.year = ? ORDER BY lower(u.name)", [year])
    return [_visit(r) for r in rows if P(r[2]) in phases.AFTER_THE_JURY
            and access.can(store, user, "feedback.manage", contribution_id=r[0])]


def _text(value: str | None, what: str, required: bool = True) -> str:
    text = " ".join((value or "").split()) if what != "Anteckningar" else (value or "").strip()
    if required and not text:
        raise VisitError(f"{what} saknas.")
    if len(text) > MAX_TEXT:
        raise VisitError(f"{what} har {len(text)} tecken; högst {MAX_TEXT} går att spara.")
    return text


def _write(store: Store, user: User, contribution_id: int, expected_version: int, action: str,
           change, part: str = versions.WHOLE) -> int:
    access.require(store, user, "feedback.manage", contribution_id=contribution_id)
    with store.write(user.email) as uow:
        row = uow.fetchone("SELECT version FROM feedback_visits WHERE contribution_id = ?", [contribution_id])
        current = row[0] if row else 0
        versions.require_fresh(uow, entity="feedback_visits", entity_id=contribution_id, current=current,
                               expected=expected_version, parts=[part],
                               message="Återbesöket har ändrats av någon annan sedan du öppnade det. Ladda om sidan.")
        detail = change(uow)
        uow.execute("UPDATE feedback_visits SET version = ? WHERE contribution_id = ?", [current + 1, contribution_id])
        uow.audit(action, "feedback_visits", contribution_id, *versions.entry(detail, current, current + 1, part))
    return current + 1


def book(store: Store, user: User, contribution_id: int, expected_version: int, *, date: dt.date,
         starts: dt.time, ends: dt.time, place: str, team_participants: str, unit_participants: str) -> int:
    """Book (or rebook) the feedback visit; the contribution is then "återbesök bokat"."""
    place = _text(place, "Platsen")
    team_participants = _text(team_participants, "Vilka från laget som deltar")
    unit_participants = _text(unit_participants, "Vilka från verksamheten som deltar")
    if date is None or starts is None or ends is None:
        raise VisitError("Ange datum och tid för återbesöket.")
    if ends <= starts:
        raise VisitError("Återbesöket måste sluta efter att det börjar.")
    if not calendar.is_working_day(date):
        raise VisitError(f"{swedish_date(date)} är ingen arbetsdag ({calendar.holiday_name(date) or 'helg'}).")

    def change(uow: UnitOfWork) -> dict:
        phase = uow.fetchone("SELECT phase FROM contributions WHERE id = ?", [contribution_id])[0]
        if P(phase) not in (P.BESLUTAD, P.ATERBESOK_BOKAT):
            raise VisitError("Återbesöket bokas när juryn har fattat sina beslut och innan det är genomfört.")
        before = uow.fetchone("SELECT visit_date, starts_at, place FROM feedback_visits WHERE contribution_id = ?",
                              [contribution_id])
        uow.execute(
            "INSERT INTO feedback_visits (contribution_id, visit_date, starts_at, ends_at, place, team_participants,"
            " unit_participants, version) VALUES (?, ?, ?, ?, ?, ?, ?, 0) ON CONFLICT (contribution_id) DO UPDATE"
            " SET visit_date = excluded.visit_date, starts_at = excluded.starts_at, ends_at = excluded.ends_at,"
            " place = excluded.place, team_participants = excluded.team_participants,"
            " unit_participants = excluded.unit_participants",
            [contribution_id, date, starts, ends, place, team_participants, unit_participants])
        phases.transition(uow, phases.CONTRIBUTION, contribution_id, P.ATERBESOK_BOKAT, only_from=(P.BESLUTAD,),
                          action="återbesök bokat")
        return {"before": before and f"{before[0]} {before[1]} {before[2]}", "date": date.isoformat(),
                "time": f"{starts:%H:%M}–{ends:%H:%M}", "place": place}

    return _write(store, user, contribution_id, expected_version, "boka återbesök", change)


def ceremony(store: Store, year: int) -> dt.date | None:
    return years.schedule_date(store, year, "utdelning")


def record_held(store: Store, user: User, contribution_id: int, expected_version: int, *, held_on: dt.date,
                notes: str) -> int:
    """The visit took place: its date and the team's notes."""
    notes = _text(notes, "Anteckningar", required=False)

    def change(uow: UnitOfWork) -> dict:
        phases.transition(uow, phases.CONTRIBUTION, contribution_id, P.ATERBESOK_GENOMFORT, context=held_on,
                          action="återbesök genomfört")
        uow.execute("UPDATE feedback_visits SET held_on = ?, notes = ? WHERE contribution_id = ?",
                    [held_on, notes, contribution_id])
        return {"held_on": held_on.isoformat() if held_on else None, "notes": notes}

    return _write(store, user, contribution_id, expected_version, "återbesök genomfört", change)


@phases.gate(phases.CONTRIBUTION, "visit_held")
def _visit_held(uow: UnitOfWork, contribution_id: int, held_on: dt.date | None) -> list[str]:
    if held_on is None:
        return ["Ange när återbesöket genomfördes."]
    if held_on > calendar.today():
        return [f"Återbesöket kan inte vara genomfört {swedish_date(held_on)}, ett datum som inte har varit än."]
    return []


@dataclasses.dataclass(frozen=True)
class Handover:
    on: dt.date
    how: str
    override_reason: str = ""
    ceremony: dt.date | None = None


def hand_over(store: Store, user: User, contribution_id: int, expected_version: int, *, on: dt.date, how: str,
              override_reason: str = "") -> int:
    """The written report is handed over. Before the ceremony or the visit only when the office
    overrides, with its reason."""
    how = _text(how, "Hur rapporten lämnades över")
    override_reason = _text(override_reason, "Skälet", required=False)
    if override_reason:
        access.require(store, user, "feedback.override")
    year = store.fetchone("SELECT year FROM contributions WHERE id = ?", [contribution_id])[0]
    handover = Handover(on, how, override_reason, ceremony(store, year))

    def change(uow: UnitOfWork) -> dict:
        phase = uow.fetchone("SELECT phase FROM contributions WHERE id = ?", [contribution_id])[0]
        if not uow.fetchone("SELECT 1 FROM feedback_visits WHERE contribution_id = ?", [contribution_id]):
            uow.execute("INSERT INTO feedback_visits (contribution_id, version) VALUES (?, 0)", [contribution_id])
        phases.transition(uow, phases.CONTRIBUTION, contribution_id, P.RAPPORT_OVERLAMNAD, context=handover,
                          action="rapporten överlämnad", detail={"override": override_reason} if override_reason else None)
        uow.execute("UPDATE feedback_visits SET handed_over_on = ?, handed_over_how = ?, override_reason = ?"
                    " WHERE contribution_id = ?", [on, how, override_reason or None, contribution_id])
        return {"before": P(phase).label, "on": on.isoformat(), "how": how,
                **({"override": override_reason} if override_reason else {})}

    return _write(store, user, contribution_id, expected_version, "rapporten överlämnad", change)


@phases.gate(phases.CONTRIBUTION, "handover_allowed")
def _handover_allowed(uow: UnitOfWork, contribution_id: int, handover: Handover) -> list[str]:
    phase = uow.fetchone("SELECT phase FROM contributions WHERE id = ?", [contribution_id])[0]
    final = uow.fetchone("SELECT final FROM reports WHERE contribution_id = ?", [contribution_id])
    problems = [] if final and final[0] else ["Återkopplingsrapporten är inte markerad som slutlig."]
    if handover.on is None or handover.on > calendar.today():
        problems.append("Ange när rapporten lämnades över (inte ett datum som inte har varit än).")
    if handover.override_reason:
        return problems  # the office has given its reason for the rest
    if handover.ceremony and handover.on and handover.on <= handover.ceremony:
        problems.append(f"Rapporten lämnas över efter utdelningen ({swedish_date(handover.ceremony)}).")
    if P(phase) is not P.ATERBESOK_GENOMFORT:
        problems.append("Återbesöket är inte genomfört; återkopplingen ges först muntligt.")
    if problems:
        problems.append("Kvalitetsenheten kan lämna över rapporten ändå med ett skäl.")
    return problems

"""Årets gång: every stage of the year in order, how far it has come, what is late, what
blocks the next step, and the year's own phase with its gates.

The facts are read through a small reader (the store, or the unit of work of a phase
change), so the screen and the year's gates count the same things the same way.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Protocol

from scoring.core import access
from scoring.core.auth import User
from scoring.core.store import Store, utcnow
from scoring.core.text import count, swedish_date
from scoring.year import calendar, phases, years
from scoring.year.framework import load_framework

P = phases.ContributionPhase


class Reader(Protocol):
    def fetchone(self, sql: str, params: list | None = None) -> tuple | None: ...
    def fetchall(self, sql: str, params: list | None = None) -> list[tuple]: ...


# --- the facts, counted once ------------------------------------------------------------------


def files_waiting(db: Reader, year: int) -> list[str]:
    return [r[0] for r in db.fetchall("SELECT filename FROM intake_files WHERE year = ? AND status = 'granskas'"
                                      " ORDER BY id", [year])]


def open_requests(db: Reader, year: int) -> list[tuple[str, dt.date]]:
    return db.fetchall("SELECT u.name, r.due_date FROM change_requests r JOIN contributions c ON c.id = r.contribution_id"
                       " JOIN units u ON u.id = c.unit_id WHERE c.year = ? AND r.status = 'skickad' ORDER BY r.due_date",
                       [year])


def unassigned(db: Reader, year: int) -> list[str]:
    return [r[0] for r in db.fetchall(
        "SELECT u.name FROM contributions c JOIN units u ON u.id = c.unit_id WHERE c.year = ? AND NOT EXISTS"
        " (SELECT 1 FROM assignments s WHERE s.contribution_id = c.id) ORDER BY lower(u.name)", [year])]


def individual_work(db: Reader, year: int) -> list[tuple[str, str, str, str | None]]:
    """(team, unit, examiner, status) for every examiner who should assess a contribution
    (team members without a declared conflict)."""
    return db.fetchall(
        "SELECT t.name, u.name, e.name, a.status FROM assignments s JOIN teams t ON t.id = s.team_id"
        " JOIN contributions c ON c.id = s.contribution_id JOIN units u ON u.id = c.unit_id"
        " JOIN team_members m ON m.team_id = t.id JOIN users e ON e.id = m.user_id"
        " LEFT JOIN assessments a ON a.contribution_id = c.id AND a.examiner_id = e.id"
        " LEFT JOIN conflict_declarations d ON d.contribution_id = c.id AND d.user_id = e.id"
        " WHERE c.year = ? AND NOT coalesce(d.has_conflict, FALSE) ORDER BY t.name, u.name, e.name", [year])


def contribution_phases(db: Reader, year: int) -> list[tuple[str | None, str, str]]:
    """(team, unit, phase) for every contribution of the year."""
    return db.fetchall(
        "SELECT t.name, u.name, c.phase FROM contributions c JOIN units u ON u.id = c.unit_id"
        " LEFT JOIN assignments s ON s.contribution_id = c.id LEFT JOIN teams t ON t.id = s.team_id"
        " WHERE c.year = ? ORDER BY t.name, lower(u.name)", [year])


def _names(items: list[str], limit: int = 8) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" och {len(items) - limit} till" if len(items) > limit else "")


# --- the year's gates ---------------------------------------------------------------------------


@phases.gate(phases.YEAR, "intake_done")
def _intake_done(db: Reader, year: int, context: object = None) -> list[str]:
    problems = []
    if not db.fetchone("SELECT count(*) FROM contributions WHERE year = ?", [year])[0]:
        problems.append("Inga bidrag är godkända ännu.")
    if waiting := files_waiting(db, year):
        problems.append(f"{count(len(waiting), 'fil väntar', 'filer väntar')} på granskning: {_names(waiting)}.")
    if requests := open_requests(db, year):
        problems.append(f"{count(len(requests), 'ändringsbegäran väntar', 'ändringsbegäranden väntar')} på en rättad "
                        f"version: {_names([r[0] for r in requests])}.")
    if left := unassigned(db, year):
        problems.append(f"{count(len(left), 'bidrag saknar', 'bidrag saknar')} examinatorslag: {_names(left)}.")
    return problems


@phases.gate(phases.YEAR, "individual_done")
def _individual_done(db: Reader, year: int, context: object = None) -> list[str]:
    left = [f"{examiner} ({unit})" for _, unit, examiner, status in individual_work(db, year)
            if status not in phases.SUBMITTED]
    if left:
        return [f"{count(len(left), 'individuell bedömning', 'individuella bedömningar')} är inte inlämnade: "
                f"{_names(left)}."]
    return []


@phases.gate(phases.YEAR, "proposals_done")
def _proposals_done(db: Reader, year: int, context: object = None) -> list[str]:
    left = [unit for _, unit, phase in contribution_phases(db, year) if phase not in phases.PROPOSED]
    return [f"{count(len(left), 'bidrag saknar', 'bidrag saknar')} lagets förslag: {_names(left)}."] if left else []


# The year moves on by itself when the work of a phase is done: once every individual
# assessment is in, and once every team has made its proposal. Intake ends when the office
# says so (late entries are normal), and the jury ends the year.
FOLLOWS_THE_WORK = {phases.YearPhase.BEDOMNING, phases.YearPhase.KONSENSUS}
# The phases in which the year is near its end: what it cannot end without is shown.
ENDING = {phases.YearPhase.BEREDNING, phases.YearPhase.BESLUT}


@phases.follows(phases.CONTRIBUTION)
def _year_follows_the_work(uow, contribution_id: int, to: phases.Stage) -> None:
    year, current = uow.fetchone("SELECT c.year, y.phase FROM contributions c JOIN award_years y ON y.year = c.year"
                                 " WHERE c.id = ?", [contribution_id])
    current = phases.YearPhase(current)
    while current in FOLLOWS_THE_WORK:
        following = next_phase(current)
        gate = _gate_of((current, following))
        if gate is None or gate(uow, year):
            return
        phases.transition(uow, phases.YEAR, year, following, action="året går vidare med arbetet")
        current = following


@phases.follows(phases.ASSESSMENT)
def _year_follows_the_assessments(uow, assessment_id: int, to: phases.Stage) -> None:
    row = uow.fetchone("SELECT contribution_id FROM assessments WHERE id = ?", [assessment_id])
    if row:
        _year_follows_the_work(uow, row[0], to)


# --- ending the year -------------------------------------------------------------------------


def unfinished(db: Reader, year: int) -> list[tuple[int, str, str]]:
    """(id, unit, phase) of contributions whose team has not made its proposal, and that the
    office has not let the year end without."""
    return [(cid, unit, phase) for cid, unit, phase in db.fetchall(
        "SELECT c.id, u.name, c.phase FROM contributions c JOIN units u ON u.id = c.unit_id WHERE c.year = ?"
        " AND NOT EXISTS (SELECT 1 FROM year_end_exceptions x WHERE x.contribution_id = c.id) ORDER BY lower(u.name)",
        [year]) if phases.ContributionPhase(phase) not in phases.PROPOSED]


def near_the_end(db: Reader, year: int) -> bool:
    """The year is in the jury's phases, or the jury already has proposals to decide on (a
    year whose last teams are stuck never reaches Beredning by itself): what it cannot end
    without is then worth showing."""
    phase = db.fetchone("SELECT phase FROM award_years WHERE year = ?", [year])
    if phase and phases.YearPhase(phase[0]) in ENDING:
        return True
    return db.fetchone("SELECT count(*) FROM proposals p JOIN contributions c ON c.id = p.contribution_id"
                       " WHERE c.year = ?", [year])[0] > 0


def year_end_problems(db: Reader, year: int) -> list[str]:
    left = unfinished(db, year)
    if not left:
        return []
    named = [f"{unit} ({phases.ContributionPhase(phase).label.lower()})" for _, unit, phase in left]
    return [f"{count(len(left), 'bidrag är', 'bidrag är')} inte klara och saknar Kvalitetsenhetens förklaring: "
            f"{_names(named)}."]


def excuse(store: Store, user: User, contribution_id: int, reason: str) -> None:
    """The office lets the year end without this contribution finished (withdrawn, stopped)."""
    access.require(store, user, "year.setup")
    reason = " ".join((reason or "").split())
    if not reason:
        raise phases.TransitionRefused("Skriv varför året kan avslutas utan att bidraget är klart.")
    with store.write(user.email) as uow:
        year, phase = uow.fetchone("SELECT year, phase FROM contributions WHERE id = ?", [contribution_id])
        if contribution_id not in {cid for cid, _, _ in unfinished(uow, year)}:
            raise phases.TransitionRefused("Bidraget är redan klart eller har redan en förklaring.")
        uow.execute("INSERT INTO year_end_exceptions VALUES (?, ?, ?, ?)",
                    [contribution_id, reason, user.email, utcnow()])
        uow.audit("avslutas utan förslag", "year_end_exceptions", contribution_id, {"phase": phase}, {"reason": reason})


def _gate_of(step: tuple[str, str]) -> Callable | None:
    name = phases.YEAR.steps.get(step)
    return phases.GATES.get((phases.YEAR.table, name)) if name else None


def next_phase(current: str) -> phases.YearPhase | None:
    """The phase the office moves the year to next (the jury ends the year itself)."""
    now = phases.YearPhase(current)
    for later in phases.YearPhase:
        if (now, later) in phases.YEAR.steps and later is not phases.YearPhase.AVSLUTAT:
            return later
    return None


@dataclasses.dataclass(frozen=True)
class PhaseStatus:
    current: phases.YearPhase
    following: phases.YearPhase | None
    problems: list[str]


def phase_status(store: Store, user: User, year: int) -> PhaseStatus:
    """The year's phase, the next one and what its gate still finds."""
    access.require(store, user, "year.status")
    current = phases.YearPhase(years.phase(store, year))
    following = next_phase(current)
    gate = _gate_of((current, following)) if following else None
    return PhaseStatus(current, following, gate(store, year) if gate else [])


def advance(store: Store, user: User, year: int) -> phases.YearPhase:
    """Move the year to its next phase once the gate finds nothing left."""
    access.require(store, user, "year.setup")
    following = next_phase(years.phase(store, year))
    if following is None:
        raise phases.TransitionRefused("Året har ingen nästa fas att gå till här; domarkommittén avslutar året.")
    with store.write(user.email) as uow:
        phases.transition(uow, phases.YEAR, year, following, action="byt fas")
    return following


# --- Årets gång ------------------------------------------------------------------------------


@dataclasses.dataclass
class Stage:
    key: str
    title: str
    when: str                      # the date as shown, or what is missing
    done: int | None = None
    total: int | None = None
    state: str = "ej påbörjad"     # klar / pågår / försenad / ej påbörjad / –
    notes: list[str] = dataclasses.field(default_factory=list)
    blockers: list[str] = dataclasses.field(default_factory=list)
    page: str = "aretsgang"
    per_team: list[dict] = dataclasses.field(default_factory=list)


def _when(day: dt.date | None, missing: str = "Datum saknas i schemat") -> str:
    return swedish_date(day) if day else missing


def _state(done: int, total: int, due: dt.date | None, today: dt.date) -> str:
    if total and done >= total:
        return "klar"
    if due and today > due:
        return "försenad"
    return "pågår" if done else "ej påbörjad"


def _per_team(rows: list[tuple[str | None, bool]]) -> list[dict]:
    """Rows of (team, done) → one line per team with its count."""
    teams: dict[str, list[bool]] = {}
    for team, done in rows:
        teams.setdefault(team or "Inget lag", []).append(done)
    return [{"Lag": team, "Klart": f"{sum(flags)} av {len(flags)}"} for team, flags in teams.items()]


def overview(store: Store, user: User, year: int, today: dt.date | None = None) -> list[Stage]:
    """Every stage of the year in order, with its date, progress, late ones and blockers."""
    access.require(store, user, "year.status")
    today = today or calendar.today()
    framework = load_framework(year)
    deadline = {d.code: d.date for d in framework.deadlines}
    schedule, _ = years.schedule(store, year)
    contributions = contribution_phases(store, year)
    total = len(contributions)
    registered = store.fetchall("SELECT unit_name, contribution_id FROM registrations WHERE year = ?"
                                " ORDER BY lower(unit_name)", [year])
    stages: list[Stage] = []

    # Registrations of interest.
    stage = Stage("anmalan", "Intresseanmälan", _when(deadline.get("intresseanmalan"), "Inget datum i anvisningarna"),
                  len(registered), None, "pågår" if registered else "ej påbörjad", page="anmalningar")
    stage.notes.append(f"{count(len(registered), 'verksamhet har', 'verksamheter har')} anmält intresse.")
    if deadline.get("intresseanmalan") and today > deadline["intresseanmalan"]:
        stage.state = "klar" if registered else "–"
    stages.append(stage)

    # Contributions arriving.
    due = deadline.get("bidrag")
    late = [r[0] for r in store.fetchall("SELECT u.name FROM contributions c JOIN units u ON u.id = c.unit_id"
                                         " WHERE c.year = ? AND c.late ORDER BY lower(u.name)", [year])]
    expected = max(total, len(registered))
    stage = Stage("bidrag", "Bidragen kommer in", _when(due, "Inget datum i anvisningarna"), total, expected or None,
                  page="intag")
    stage.state = "klar" if due and today > due and total else ("pågår" if total else "ej påbörjad")
    if late:
        stage.notes.append(f"Kom in efter sista dag: {_names(late)}.")
    if due and today > due:
        missing = [name for name, cid in registered if cid is None]
        if missing:
            stage.notes.append(f"Anmälde intresse men har inte skickat bidrag: {_names(missing, 12)}.")
    if waiting := files_waiting(store, year):
        stage.blockers.append(f"{count(len(waiting), 'fil väntar', 'filer väntar')} på granskning: {_names(waiting)}.")
    stages.append(stage)

    # Requests for changes.
    requests = store.fetchall(
        "SELECT u.name, r.due_date, r.status FROM change_requests r JOIN contributions c ON c.id = r.contribution_id"
        " JOIN units u ON u.id = c.unit_id WHERE c.year = ? ORDER BY r.due_date", [year])
    if requests:
        waiting = [(n, d) for n, d, s in requests if s == "skickad"]
        overdue = [f"{n} (skulle vara klar {swedish_date(d)})" for n, d in waiting if today > d]
        stage = Stage("andringar", "Ändringsbegäranden", "1–2 arbetsdagar per begäran",
                      len(requests) - len(waiting), len(requests), page="intag")
        stage.state = "försenad" if overdue else ("pågår" if waiting else "klar")
        if overdue:
            stage.notes.append(f"Försenade: {_names(overdue)}.")
        if waiting:
            stage.blockers.append(f"{count(len(waiting), 'bidrag väntar', 'bidrag väntar')} på rättad version: "
                                  f"{_names([f'{n} (senast {swedish_date(d)})' for n, d in waiting])}.")
        stages.append(stage)

    # Basic control.
    control_due = deadline.get("grundlaggande_kontroll") or deadline.get("protokollsutdrag")
    checked = store.fetchone("SELECT count(*) FROM contributions WHERE year = ? AND eligibility IS NOT NULL",
                             [year])[0]
    stage = Stage("kontroll", "Grundläggande kontroll", _when(control_due, "Inget datum i anvisningarna"), checked,
                  total, _state(checked, total, control_due, today), page="behorighet")
    if total - checked:
        stage.notes.append(f"{count(total - checked, 'bidrag saknar', 'bidrag saknar')} registrerad kontroll.")
    stages.append(stage)

    # Examiners and teams.
    in_registry = store.fetchone("SELECT count(*) FROM examiners e JOIN users u ON u.id = e.user_id WHERE u.active")[0]
    in_teams = store.fetchone("SELECT count(*) FROM examiners e JOIN users u ON u.id = e.user_id WHERE u.active"
                              " AND e.user_id IN (SELECT m.user_id FROM team_members m JOIN teams t ON t.id = m.team_id"
                              " WHERE t.year = ?)", [year])[0]
    team_count = store.fetchone("SELECT count(*) FROM teams WHERE year = ?", [year])[0]
    left = unassigned(store, year)
    stage = Stage("lag", "Examinatorer och lag", f"{count(team_count, 'lag', 'lag')}", total - len(left), total,
                  "klar" if total and not left else ("pågår" if team_count else "ej påbörjad"), page="lag")
    stage.notes.append(f"{count(in_registry, 'examinator', 'examinatorer')} i registret, {in_teams} av dem i lag.")
    if left:
        stage.blockers.append(f"Utan examinatorslag: {_names(left, 12)}.")
    stages.append(stage)

    # Individual assessment.
    due = schedule.get("individuell_bedomning")
    work = individual_work(store, year)
    submitted = [status in phases.SUBMITTED for *_, status in work]
    stage = Stage("individuell", "Individuell bedömning", _when(due), sum(submitted), len(work),
                  _state(sum(submitted), len(work), due, today), page="lag",
                  per_team=_per_team([(team, done) for (team, *_), done in zip(work, submitted, strict=True)]))
    not_done = [f"{examiner} ({unit})" for _, unit, examiner, status in work if status not in phases.SUBMITTED]
    if not_done and due and today > due:
        stage.notes.append(f"Inte inlämnade efter sista dag: {_names(not_done, 12)}.")
    stages.append(stage)

    # The team's work per contribution, stage by stage.
    for key, title, due, reached, page in (
        ("konsensus", "Konsensus", schedule.get("konsensus"), P.from_on(P.PLATSBESOK), "konsensus"),
        ("platsbesok", "Platsbesök", schedule.get("platsbesok"), P.from_on(P.SLUTLIG_KONSENSUS), "konsensus"),
        ("slutlig", "Slutlig konsensus och återkoppling", schedule.get("slutlig_konsensus"),
         P.from_on(P.ATERKOPPLING_KLAR), "konsensus"),
        ("forslag", "Lagens förslag", schedule.get("forslag"), P.from_on(P.FORSLAG_LAMNAT), "konsensus"),
    ):
        flags = [(team, phase in reached) for team, _, phase in contributions]
        done = sum(f for _, f in flags)
        when = _when(due)
        if key == "platsbesok" and schedule.get("platsbesok_fran"):
            when = f"{swedish_date(schedule['platsbesok_fran'])} – {_when(due)}"
        stage = Stage(key, title, when, done, total, _state(done, total, due, today), page=page,
                      per_team=_per_team(flags))
        behind = [unit for (_, unit, _), (_, f) in zip(contributions, flags, strict=True) if not f]
        if behind and due and today > due:
            stage.notes.append(f"Inte klara efter {swedish_date(due)}: {_names(behind)}.")
        stages.append(stage)

    # Reports made final.
    final = store.fetchone("SELECT count(*) FROM reports r JOIN contributions c ON c.id = r.contribution_id"
                           " WHERE c.year = ? AND r.final", [year])[0]
    due = schedule.get("slutlig_konsensus")
    stages.append(Stage("rapporter", "Återkopplingsrapporter slutliga", _when(due), final, total,
                        _state(final, total, due, today), page="rapporter"))

    # The jury.
    proposed = store.fetchone("SELECT count(*) FROM proposals p JOIN contributions c ON c.id = p.contribution_id"
                              " WHERE c.year = ? AND p.proposal <> 'inget'", [year])[0]
    decided = store.fetchone("SELECT count(*) FROM decisions d JOIN contributions c ON c.id = d.contribution_id"
                             " WHERE c.year = ?", [year])[0]
    stage = Stage("beredning", "Beredningsgruppen", _when(schedule.get("beredning")), None, None, "–", page="beredning")
    stage.notes.append(f"{count(proposed, 'bidrag är föreslaget', 'bidrag är föreslagna')} till utmärkelse eller "
                       "hedersomnämnande.")
    stages.append(stage)
    due = schedule.get("domarkommitte")
    stages.append(Stage("beslut", "Domarkommitténs beslut", _when(due), decided, proposed or None,
                        _state(decided, proposed, due, today) if proposed else "ej påbörjad", page="beslut"))
    ceremony = years.schedule_date(store, year, "utdelning")
    stages.append(Stage("utdelning", "Utdelningsceremoni", _when(ceremony), None, None,
                        "klar" if ceremony and today > ceremony else "ej påbörjad"))

    # After the jury: the feedback visit, then the report handed over, for every unit.
    decided = [(team, unit, P(phase)) for team, unit, phase in contributions if P(phase) in phases.AFTER_THE_JURY]
    due = schedule.get("aterbesok")
    for key, title, reached in (("aterbesok", "Återbesök", P.from_on(P.ATERBESOK_GENOMFORT)),
                                ("overlamnad", "Rapporter överlämnade", {P.RAPPORT_OVERLAMNAD})):
        done = sum(phase in reached for *_, phase in decided)
        stage = Stage(key, title, _when(due), done, len(decided) or None,
                      _state(done, len(decided), due, today) if decided else "ej påbörjad", page="aterbesok",
                      per_team=[{"Bidrag": unit, "Lag": team or "–", "Fas": phase.label} for team, unit, phase in decided])
        behind = [unit for _, unit, phase in decided if phase not in reached]
        if key == "aterbesok":
            unbooked = [unit for _, unit, phase in decided if phase is P.BESLUTAD]
            if unbooked:
                stage.notes.append(f"Inte bokade: {_names(unbooked)}.")
        if behind and due and today > due:
            stage.notes.append(f"Inte klara efter {swedish_date(due)}: {_names(behind)}.")
        stages.append(stage)
    return stages

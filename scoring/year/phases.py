"""The year's state machines: a contribution's phases, an assessment's statuses, the year's
phases, an intake file's review and a request for changes, each an ordered enumeration
with its Swedish labels.

Every change of phase or status goes through ``transition``: it checks that the step is
one the machine allows, runs the step's gate (the rules that must hold first), writes the
row and its audit entry, all inside the caller's unit of work. The stored values are the
plain strings the migrations constrain them to.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from scoring.core.errors import Refused

if TYPE_CHECKING:
    from scoring.core.store import UnitOfWork


class Stage(StrEnum):
    """A member is its stored string; it also carries its Swedish label and its place."""

    label: str

    def __new__(cls, value: str, label: str) -> Stage:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @property
    def order(self) -> int:
        return list(type(self)).index(self)

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {m.value: m.label for m in cls}

    @classmethod
    def from_on(cls, first: str) -> frozenset[Stage]:
        """This member and every later one (e.g. "submitted or later")."""
        start = cls(first).order
        return frozenset(m for m in cls if m.order >= start)

    @classmethod
    def before(cls, first: str) -> frozenset[Stage]:
        start = cls(first).order
        return frozenset(m for m in cls if m.order < start)


class ContributionPhase(Stage):
    INKOMMET = "inkommet", "Inkommet"
    TILLDELAD = "tilldelad", "Tilldelad"
    INDIVIDUELL_BEDOMNING = "individuell_bedomning", "Individuell bedömning"
    KONSENSUS = "konsensus", "Konsensus"
    PLATSBESOK = "platsbesok", "Platsbesök"
    SLUTLIG_KONSENSUS = "slutlig_konsensus", "Slutlig konsensus"
    ATERKOPPLING_KLAR = "aterkoppling_klar", "Återkoppling klar"
    FORSLAG_LAMNAT = "forslag_lamnat", "Förslag lämnat"
    BESLUTAD = "beslutad", "Beslutad"
    ATERBESOK_BOKAT = "aterbesok_bokat", "Återbesök bokat"
    ATERBESOK_GENOMFORT = "aterbesok_genomfort", "Återbesök genomfört"
    RAPPORT_OVERLAMNAD = "rapport_overlamnad", "Rapport överlämnad"


class AssessmentStatus(Stage):
    UTKAST = "utkast", "Utkast"
    INLAMNAD = "inlamnad", "Inlämnad"
    LAST = "last", "Låst"


class YearPhase(Stage):
    INTAG = "intag", "Intag av bidrag"
    BEDOMNING = "bedomning", "Individuell bedömning"
    KONSENSUS = "konsensus", "Konsensus och platsbesök"
    BEREDNING = "beredning", "Beredning"
    BESLUT = "beslut", "Domarkommitténs beslut"
    AVSLUTAT = "avslutat", "Avslutat"


class IntakeStatus(Stage):
    GRANSKAS = "granskas", "Granskas"
    GODKAND = "godkand", "Godkänd"
    AVVISAD = "avvisad", "Avvisad"


class ChangeRequestStatus(Stage):
    """The office's request that a unit send a corrected version (ändringsbegäran)."""
    SKICKAD = "skickad", "Skickad till verksamheten"
    BESVARAD = "besvarad", "Rättad version inkommen"
    ATERKALLAD = "aterkallad", "Återkallad"


class Proposal(Stage):
    UTMARKELSE = "utmarkelse", "Utmärkelse"
    HEDERSOMNAMNANDE = "hedersomnamnande", "Hedersomnämnande"
    INGET = "inget", "Inget förslag"


class Decision(Stage):
    UTMARKELSE = "utmarkelse", "Utmärkelse"
    HEDERSOMNAMNANDE = "hedersomnamnande", "Hedersomnämnande"
    INGEN = "ingen", "Ingen utmärkelse"


class FindingKind(Stage):
    STYRKA = "styrka", "Styrka"
    UTVECKLINGSOMRADE = "utvecklingsomrade", "Utvecklingsområde"

    @property
    def plural(self) -> str:
        return {"styrka": "styrkor", "utvecklingsomrade": "utvecklingsområden"}[self.value]


# --- groups, named once -------------------------------------------------------------

P = ContributionPhase
# Individual work may still change, and consensus has not opened.
INDIVIDUAL_OPEN = frozenset({P.TILLDELAD, P.INDIVIDUELL_BEDOMNING})
CONSENSUS_OPENED = P.from_on(P.KONSENSUS)
# The two consensus meetings, where scores and findings are agreed.
CONSENSUS_EDITABLE = frozenset({P.KONSENSUS, P.SLUTLIG_KONSENSUS})
# Final consensus reached: the feedback report may be written and made final.
FINAL_CONSENSUS = P.from_on(P.SLUTLIG_KONSENSUS)
# The team has done its part: the proposal is in (and what follows the jury).
PROPOSED = P.from_on(P.FORSLAG_LAMNAT)
# After the jury: the feedback visit and the report handed over.
AFTER_THE_JURY = P.from_on(P.BESLUTAD)
SUBMITTED = frozenset({AssessmentStatus.INLAMNAD, AssessmentStatus.LAST})
NOT_STARTED = "Ej påbörjad"


def assessment_label(status: str | None) -> str:
    return NOT_STARTED if status is None else AssessmentStatus(status).label


# --- the machines ---------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Machine:
    table: str          # also the audit entity
    key: str
    column: str
    states: type[Stage]
    noun: str           # "Bidraget", for refusals
    # (from, to) -> the name of the gate that must pass first, or None.
    steps: Mapping[tuple[str, str], str | None]


CONTRIBUTION = Machine("contributions", "id", "phase", ContributionPhase, "Bidraget", {
    (P.INKOMMET, P.TILLDELAD): None,
    (P.TILLDELAD, P.INDIVIDUELL_BEDOMNING): None,
    (P.TILLDELAD, P.KONSENSUS): "team_submitted",
    (P.INDIVIDUELL_BEDOMNING, P.KONSENSUS): "team_submitted",
    (P.KONSENSUS, P.PLATSBESOK): "ready_for_visit",
    (P.PLATSBESOK, P.SLUTLIG_KONSENSUS): "visit_done",
    (P.SLUTLIG_KONSENSUS, P.ATERKOPPLING_KLAR): "feedback_ready",
    (P.ATERKOPPLING_KLAR, P.FORSLAG_LAMNAT): None,
    # After the jury: every proposal is decided when the jury ends the year (one with no
    # proposal for the jury then counts as "ingen utmärkelse"); the feedback is given orally
    # at the feedback visit, then the written report is handed over.
    (P.FORSLAG_LAMNAT, P.BESLUTAD): None,
    (P.BESLUTAD, P.ATERBESOK_BOKAT): None,
    (P.ATERBESOK_BOKAT, P.ATERBESOK_GENOMFORT): "visit_held",
    (P.ATERBESOK_GENOMFORT, P.RAPPORT_OVERLAMNAD): "handover_allowed",
    # The office may hand the report over earlier, with its reason (the gate reads it).
    (P.BESLUTAD, P.RAPPORT_OVERLAMNAD): "handover_allowed",
    (P.ATERBESOK_BOKAT, P.RAPPORT_OVERLAMNAD): "handover_allowed",
})

A = AssessmentStatus
ASSESSMENT = Machine("assessments", "id", "status", AssessmentStatus, "Bedömningen", {
    (A.UTKAST, A.INLAMNAD): "all_scored",
    (A.INLAMNAD, A.UTKAST): None,       # reopened by the coordinator, with a reason
    (A.INLAMNAD, A.LAST): None,         # consensus opened
})

Y = YearPhase
# The office moves the year one phase at a time once the work of the phase is done; the
# jury ends it (from whichever phase) once every proposal is decided.
YEAR = Machine("award_years", "year", "phase", YearPhase, "Året", {
    (Y.INTAG, Y.BEDOMNING): "intake_done",
    (Y.BEDOMNING, Y.KONSENSUS): "individual_done",
    (Y.KONSENSUS, Y.BEREDNING): "proposals_done",
    (Y.BEREDNING, Y.BESLUT): None,
    **{(a, Y.AVSLUTAT): "all_decided" for a in Y if a is not Y.AVSLUTAT},
})

I = IntakeStatus  # noqa: E741 - short like the others
INTAKE = Machine("intake_files", "id", "status", IntakeStatus, "Filen", {
    (I.GRANSKAS, I.GODKAND): None,
    (I.GRANSKAS, I.AVVISAD): None,
})

R = ChangeRequestStatus
CHANGE_REQUEST = Machine("change_requests", "id", "status", ChangeRequestStatus, "Ändringsbegäran", {
    (R.SKICKAD, R.BESVARAD): None,      # the corrected version was accepted
    (R.SKICKAD, R.ATERKALLAD): None,    # the office withdrew it, with a reason
})

MACHINES = (CONTRIBUTION, ASSESSMENT, YEAR, INTAKE, CHANGE_REQUEST)
COLUMN_WORDS = {"phase": "ny fas", "status": "ny status"}  # the log's default wording


class TransitionRefused(Refused):
    """A step the machine does not allow, or whose gate found something left to do."""

    def __init__(self, message: str, problems: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


# A gate reads what it needs in the unit of work; ``context`` is what the caller already
# holds (the consensus workspace, the framework). It returns what is left to do.
Gate = Callable[["UnitOfWork", Any, Any], list[str]]
GATES: dict[tuple[str, str], Gate] = {}


def gate(machine: Machine, name: str) -> Callable[[Gate], Gate]:
    """Register the gate ``name`` of a machine; the step's module defines it."""
    if name not in set(machine.steps.values()):
        raise KeyError(f"{machine.table} has no gate {name!r}")

    def register(check: Gate) -> Gate:
        GATES[(machine.table, name)] = check
        return check

    return register


# What follows a step of a machine, in the same unit of work (the year moving on with the
# work of its contributions): (uow, key, to) -> None.
Follower = Callable[["UnitOfWork", Any, Stage], None]
FOLLOWERS: dict[str, list[Follower]] = {}


def follows(machine: Machine) -> Callable[[Follower], Follower]:
    def register(follower: Follower) -> Follower:
        FOLLOWERS.setdefault(machine.table, []).append(follower)
        return follower

    return register


def allowed(machine: Machine, before: str, to: str) -> bool:
    return (machine.states(before), machine.states(to)) in machine.steps


def transition(uow: UnitOfWork, machine: Machine, key: object, to: str, *, context: Any = None,
               also: Mapping[str, Any] | None = None, action: str | None = None,
               detail: Mapping[str, Any] | None = None, only_from: Iterable[str] | None = None) -> Stage | None:
    """Move one row to ``to``; returns the state it left.

    ``only_from``: do nothing (and return None) unless the row is in one of these states,
    for steps that happen on the way (the first save starts the individual assessment).
    ``also``: further columns written in the same statement (a lock, a timestamp);
    ``detail``: what else the audit entry should say (a reason).
    """
    target = machine.states(to)
    row = uow.fetchone(f"SELECT {machine.column} FROM {machine.table} WHERE {machine.key} = ?", [key])
    if row is None:
        raise TransitionRefused(f"{machine.noun} finns inte.")
    before = machine.states(row[0])
    if only_from is not None and before not in {machine.states(s) for s in only_from}:
        return None
    if (before, target) not in machine.steps:
        raise TransitionRefused(f"{machine.noun} kan inte gå från {before.label.lower()} till "
                                f"{target.label.lower()}.")
    gate_name = machine.steps[(before, target)]
    if gate_name is not None:
        check = GATES.get((machine.table, gate_name))
        if check is None:  # a gate that was never registered must not pass silently
            raise RuntimeError(f"gate {machine.table}.{gate_name} is not registered")
        problems = check(uow, key, context)
        if problems:
            raise TransitionRefused("Det återstår: " + " ".join(problems), problems)
    columns = {machine.column: target.value, **(also or {})}
    assignments = [f"{column} = ?" for column in columns]
    if "version" not in columns:
        assignments.append("version = version + 1")
    uow.execute(f"UPDATE {machine.table} SET {', '.join(assignments)} WHERE {machine.key} = ?",
                [*columns.values(), key])
    after = {machine.column: target.value, **{k: v for k, v in (also or {}).items() if k != "version"},
             **(detail or {})}
    uow.audit(action or f"{COLUMN_WORDS[machine.column]}: {target.label.lower()}", machine.table, key,
              {machine.column: before.value}, after)
    for follower in FOLLOWERS.get(machine.table, ()):
        follower(uow, key, target)
    return before


def check_constraint(machine: Machine) -> str:
    """The SQL list of a machine's stored values, for the migration's CHECK."""
    return ", ".join(f"'{m.value}'" for m in machine.states)

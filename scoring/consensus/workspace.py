"""Consensus, site visit and the team's proposal: the coordinator's work on one contribution.

The phases run tilldelad → individuell bedömning → konsensus → platsbesök → slutlig
konsensus → återkoppling klar → förslag lämnat. Every action states the phases it fits;
the core refuses the others. Every change carries the workspace version the window read,
so of two people editing the same consensus the later stale save is refused with what
changed, never applied silently.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Iterable

from scoring.assessment.scores import individual_findings, individual_scores
from scoring.consensus import rules
from scoring.consensus.rules import (
    DEFAULT_SPREAD_THRESHOLD,
    ConsensusFinding,
    SourceFinding,
    alpha,
    deviations,
    proposed_questions,
)
from scoring.core import access, versions
from scoring.core.audit import local_time
from scoring.core.auth import User
from scoring.core.errors import Refused
from scoring.core.store import Store, UnitOfWork, set_setting, utcnow
from scoring.core.text import count
from scoring.intake import eligibility
from scoring.mail import notices
from scoring.year import phases, years
from scoring.year.framework import Framework, load_framework

OUTCOMES = {"bekraftad": "Bekräftad", "ej_bekraftad": "Ej bekräftad", "ny_information": "Ny information"}
DOCUMENT_STATES = {"sedd": "Sedd", "saknas": "Saknas"}
MAX_TEXT = 5_000


class ConsensusError(Refused):
    """A refused consensus action; the message is Swedish and says why."""


def spread_threshold(store: Store) -> int:
    return int(store.setting("spread_threshold", str(DEFAULT_SPREAD_THRESHOLD)))


def set_spread_threshold(store: Store, user: User, points: int) -> None:
    access.require(store, user, "settings.change")
    if not 5 <= points <= 100:
        raise ConsensusError("Gränsen för spridning ska vara mellan 5 och 100 poäng.")
    with store.write(user.email) as uow:
        set_setting(uow, "spread_threshold", str(points))


# --- reading -------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SiteVisit:
    date: dt.date | None = None
    participants: str = ""
    documents: dict[str, str] = dataclasses.field(default_factory=dict)   # document -> sedd/saknas
    questions: list[dict] = dataclasses.field(default_factory=list)       # id, area_code, text, source, outcome, notes
    starts: dt.time | None = None
    ends: dt.time | None = None


@dataclasses.dataclass(kw_only=True)
class Workspace:
    contribution_id: int
    year: int
    unit: str
    phase: str
    version: int
    threshold: int
    organisation: str = ""
    class_code: str = ""
    examiners: list[str] = dataclasses.field(default_factory=list)
    individual: dict[str, dict] = dataclasses.field(default_factory=dict)   # examiner -> area -> {"criteria", "score"}
    source_findings: list[SourceFinding] = dataclasses.field(default_factory=list)
    examiner_questions: list[dict] = dataclasses.field(default_factory=list)
    scores: dict[str, dict[str, int]] = dataclasses.field(default_factory=dict)  # area -> criterion -> score
    criterion_rationales: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)
    area_rationales: dict[str, str] = dataclasses.field(default_factory=dict)
    findings: list[ConsensusFinding] = dataclasses.field(default_factory=list)
    score_changes: list[dict] = dataclasses.field(default_factory=list)
    finding_changes: list[dict] = dataclasses.field(default_factory=list)
    site_visit: SiteVisit = dataclasses.field(default_factory=SiteVisit)
    proposal: dict | None = None
    # Areas whose disagreement the team leaves open for the jury (what the dossier lists).
    left_open: set[str] = dataclasses.field(default_factory=set)
    year_locked: bool = False  # an ended year: everything is read-only on the screens too

    @property
    def editing(self) -> bool:
        """Scores and findings may change now: a consensus meeting in a year not yet ended."""
        return self.phase in phases.CONSENSUS_EDITABLE and not self.year_locked

    @property
    def phase_label(self) -> str:
        return phases.ContributionPhase(self.phase).label

    def area_findings(self, area_code: str | None, kind: str) -> list[ConsensusFinding]:
        return [f for f in self.findings if f.area_code == area_code and f.kind == kind]


def require_lead(store: Store, user: User, contribution_id: int) -> None:
    access.require(store, user, "consensus.lead", contribution_id=contribution_id)


def _json(value, default):
    return json.loads(value) if value else default


def consensus_findings(reader, contribution_id: int) -> list[ConsensusFinding]:
    """A contribution's consensus findings, key themes included, in the order written."""
    return [ConsensusFinding(fid, area, kind, text, examples or "", tuple(_json(contributors, [])),
                             tuple(_json(anchors, [])), tuple(_json(questions, [])), tuple(_json(sources, [])),
                             bool(key_theme))
            for fid, area, kind, text, examples, contributors, anchors, questions, sources, key_theme
            in reader.fetchall(
                "SELECT id, area_code, kind, text, examples, contributors, anchors, question_numbers,"
                " source_findings, is_key_theme FROM consensus_findings WHERE contribution_id = ? ORDER BY id",
                [contribution_id])]


def workspace(store: Store, user: User, contribution_id: int, *, individual: bool = True) -> Workspace:
    """Everything about one contribution's consensus, for the team's lead.

    ``individual=False`` reads only the results (no examiners' own work beyond their
    number, no rationales or change history): what a report or the jury's dossier
    needs, and all that the preparatory group and the jury may read.
    """
    access.require(store, user, "consensus.lead" if individual else "consensus.results",
                   contribution_id=contribution_id)
    # One query for the one-row facts: each query costs about a millisecond.
    head = store.records(
        "SELECT c.year, u.name AS unit, u.organisation, c.class_code, c.phase, k.version, v.visit_date, v.participants,"
        " v.documents, v.questions, v.starts_at, v.ends_at, p.proposal, p.motivation, p.submitted_by, p.submitted_at"
        " FROM contributions c JOIN units u ON u.id = c.unit_id LEFT JOIN consensus k ON k.contribution_id = c.id"
        " LEFT JOIN site_visits v ON v.contribution_id = c.id LEFT JOIN proposals p ON p.contribution_id = c.id"
        " WHERE c.id = ?", [contribution_id])[0]
    # Individual work is read only once consensus is open: then all of it is submitted.
    submitted = (individual_scores(store, contribution_id=contribution_id)
                 if head["phase"] in phases.CONSENSUS_OPENED else [])
    work = Workspace(
        contribution_id=contribution_id, year=head["year"], unit=head["unit"], phase=head["phase"],
        version=head["version"] or 0, threshold=spread_threshold(store), organisation=head["organisation"],
        class_code=head["class_code"], examiners=[s.examiner for s in submitted],
        findings=consensus_findings(store, contribution_id),
        site_visit=SiteVisit(head["visit_date"], head["participants"] or "", _json(head["documents"], {}),
                             _json(head["questions"], []), head["starts_at"], head["ends_at"]),
        proposal={k: head[k] for k in ("proposal", "motivation", "submitted_by", "submitted_at")}
        if head["proposal"] else None, year_locked=years.is_locked(store, head["year"]))
    work.left_open = {r[0] for r in store.fetchall(
        "SELECT area_code FROM consensus_areas WHERE contribution_id = ? AND left_open", [contribution_id])}
    for area_code, criterion, score, rationale in store.fetchall(
            "SELECT area_code, criterion_code, score, rationale FROM consensus_scores WHERE contribution_id = ?",
            [contribution_id]):
        if score is not None:
            work.scores.setdefault(area_code, {})[criterion] = score
        if rationale and individual:
            work.criterion_rationales.setdefault(area_code, {})[criterion] = rationale
    if not individual:
        return work
    for scores in submitted:
        work.individual[scores.examiner] = scores.for_agenda()
        work.examiner_questions += [{"area_code": code, "text": q, "examiner": scores.examiner}
                                    for code, area in scores.areas.items() for q in area.site_visit_questions]
    by_assessment = individual_findings(store, [s.assessment_id for s in submitted])
    work.source_findings = [SourceFinding(f.id, s.examiner, f.area_code, f.kind, f.text, tuple(f.questions),
                                          tuple(f.anchors))
                            for s in submitted for f in by_assessment[s.assessment_id]]
    work.area_rationales = dict(store.fetchall(
        "SELECT area_code, rationale FROM consensus_areas WHERE contribution_id = ? AND rationale IS NOT NULL",
        [contribution_id]))
    work.score_changes = store.records(
        "SELECT area_code, criterion_code, score_before, score_after, reason, changed_by, changed_at"
        " FROM score_changes WHERE contribution_id = ? ORDER BY changed_at", [contribution_id])
    work.finding_changes = store.records(
        "SELECT finding_id, text_before, text_after, reason, changed_by, changed_at FROM finding_changes"
        " WHERE contribution_id = ? ORDER BY changed_at", [contribution_id])
    return work


# --- the versioned change ----------------------------------------------------------

KEY_THEMES_PART = "nyckelteman"


def _modify(store: Store, user: User, contribution_id: int, expected_version: int, action: str,
            allowed_phases: Iterable[str], apply: Callable[[UnitOfWork, Framework, str], object], *,
            part: str) -> int:
    """One change of the consensus; ``part`` is what it touches (an area, the key themes,
    the site visit, or all of it). A save from an older version goes through unless a save
    since touched the same part, so two people on different areas do not collide."""
    require_lead(store, user, contribution_id)
    allowed_phases = tuple(allowed_phases)
    with store.write(user.email) as uow:
        year, phase = uow.fetchone("SELECT year, phase FROM contributions WHERE id = ?", [contribution_id])
        if years.is_locked(store, year):
            raise ConsensusError(f"Året {year} är avslutat och låst.")
        if phase not in allowed_phases:
            allowed = " eller ".join(phases.ContributionPhase(p).label.lower()
                                     for p in sorted(allowed_phases, key=lambda p: phases.ContributionPhase(p).order))
            raise ConsensusError(f"Det går inte nu: bidraget är i fasen "
                                 f"{phases.ContributionPhase(phase).label.lower()}, och det här görs under {allowed}.")
        row = uow.fetchone("SELECT version FROM consensus WHERE contribution_id = ?", [contribution_id])
        version = row[0] if row else 0
        versions.require_fresh(
            uow, entity="consensus", entity_id=contribution_id, current=version, expected=expected_version,
            parts=[part], message="Någon annan har sparat samma del av konsensus för bidraget efter att du öppnade "
            "det (version {current}, du utgick från version {expected}). Din ändring är inte sparad.")
        try:
            detail = apply(uow, load_framework(year), phase)
        except phases.TransitionRefused as refused:
            raise ConsensusError(str(refused)) from None
        now = utcnow()
        if row is None:
            uow.execute("INSERT INTO consensus (contribution_id, version, opened_by, opened_at, updated_by, updated_at)"
                        " VALUES (?, 1, ?, ?, ?, ?)", [contribution_id, user.email, now, user.email, now])
        else:
            uow.execute("UPDATE consensus SET version = ?, updated_by = ?, updated_at = ? WHERE contribution_id = ?",
                        [version + 1, user.email, now, contribution_id])
        uow.audit(action, "consensus", contribution_id, *versions.entry(detail, version, version + 1, part))
    return version + 1


def _text(value: str | None, what: str, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ConsensusError(f"{what} saknas.")
    if len(text) > MAX_TEXT:
        raise ConsensusError(f"{what} har {len(text)} tecken; högst {MAX_TEXT} går att spara.")
    return text


def _finding_part(store: Store, finding_id: int) -> str:
    row = store.fetchone("SELECT area_code FROM consensus_findings WHERE id = ?", [finding_id])
    if row is None:
        return versions.WHOLE
    return row[0] or KEY_THEMES_PART


@dataclasses.dataclass(frozen=True)
class SavedMeanwhile:
    """One save of a consensus as a person reads it: who, when (Stockholm time), which
    field in the screen's words, and the value saved."""

    who: str
    when: dt.datetime
    what: str
    value: str


def saved_meanwhile(store: Store, user: User, contribution_id: int, since_version: int) -> list[SavedMeanwhile]:
    """The saves of a contribution's consensus after ``since_version``, oldest first: what a
    refused stale save shows, so the coordinator can see whose value stands."""
    require_lead(store, user, contribution_id)
    rows = store.fetchall(
        "SELECT a.at_time, coalesce(u.name, a.actor), a.before_value, a.after_value, c.year FROM audit_log a"
        " LEFT JOIN users u ON u.email = a.actor JOIN contributions c ON CAST(c.id AS VARCHAR) = a.entity_id"
        " WHERE a.entity = 'consensus' AND a.entity_id = ?"
        " AND CAST(json_extract(a.after_value, '$.version') AS INTEGER) > ? ORDER BY a.at_time, a.id",
        [str(contribution_id), since_version])
    if not rows:
        return []
    framework = load_framework(rows[0][4])
    return [SavedMeanwhile(who, local_time(at), *_describe(framework, _loaded(before), _loaded(after)))
            for at, who, before, after, _ in rows]


def _loaded(value) -> dict:
    value = json.loads(value) if isinstance(value, str) else value
    return value if isinstance(value, dict) else {}


def _describe(framework: Framework, before: dict, after: dict) -> tuple[str, str]:
    """(field, value) of one audited consensus save, in Swedish."""
    areas = {a.code: a for a in framework.areas}
    part = after.get("part")
    area = areas.get(after.get("area") or part)
    where = area.title if area else ("nyckelteman" if part == KEY_THEMES_PART else "")
    criterion = next((c.title for c in area.criteria if c.code == after.get("criterion")), None) if area else None
    field = f"{where}: {criterion}" if criterion else where
    if "unchanged" in after:
        return f"{field} (oförändrad)" if field else "Oförändrad", ""
    if "after" in after and "criterion" in after:
        return f"Konsensuspoäng {field}", f"{after['after']} poäng" + (f" (skäl: {after['reason']})"
                                                                     if after.get("reason") else "")
    if "rationale" in after:
        return f"Motivering {field}", after["rationale"] or "(tom)"
    if "left_open" in after:
        return f"Oenighet lämnas öppen till juryn, {field}", "ja" if after["left_open"] else "nej"
    if "finding" in after:
        what = "Nyckeltema" if part == KEY_THEMES_PART else f"Iakttagelse, {where}"
        if "text" in after:
            return f"{what} (ny)", after["text"]
        if "after" in after:
            return f"{what} (ändrad)", after["after"]
        return f"{what} (borttagen)", before.get("value") or ""
    if "participants" in after:
        return "Platsbesökets uppgifter", ", ".join(v for v in (after.get("date") or "", after["participants"]) if v)
    if "questions" in after:
        return "Platsbesökets frågor", count(after["questions"], "fråga", "frågor")
    if "proposal" in after:
        return "Lagets förslag", phases.Proposal.labels().get(after["proposal"], after["proposal"])
    if "phase" in after:
        return "Fas", phases.ContributionPhase(after["phase"]).label
    return "Konsensus", ""


# --- phases ----------------------------------------------------------------------


@phases.gate(phases.CONTRIBUTION, "team_submitted")
def _team_submitted(uow: UnitOfWork, contribution_id: int, context: object) -> list[str]:
    """Every team member without a conflict has handed in."""
    missing = [r[0] for r in uow.fetchall(
        "SELECT u.name FROM assignments s JOIN team_members m ON m.team_id = s.team_id"
        " JOIN users u ON u.id = m.user_id"
        " LEFT JOIN assessments a ON a.contribution_id = s.contribution_id AND a.examiner_id = u.id"
        " LEFT JOIN conflict_declarations d ON d.contribution_id = s.contribution_id AND d.user_id = u.id"
        " WHERE s.contribution_id = ? AND NOT coalesce(d.has_conflict, FALSE)"
        " AND coalesce(a.status, '') NOT IN ('inlamnad', 'last') ORDER BY u.name", [contribution_id])]
    return ["Alla i laget har inte lämnat in sin bedömning: " + ", ".join(missing) + "."] if missing else []


def _rules_gate(to_phase: str):
    def check(uow: UnitOfWork, contribution_id: int, context: tuple[Workspace, Framework]) -> list[str]:
        work, framework = context
        return [p.message for p in rules.check(rules.BEFORE_PHASE[to_phase], work, framework)]
    return check


phases.gate(phases.CONTRIBUTION, "ready_for_visit")(_rules_gate(phases.P.PLATSBESOK))
phases.gate(phases.CONTRIBUTION, "visit_done")(_rules_gate(phases.P.SLUTLIG_KONSENSUS))
phases.gate(phases.CONTRIBUTION, "feedback_ready")(_rules_gate(phases.P.ATERKOPPLING_KLAR))


def open_consensus(store: Store, user: User, contribution_id: int, expected_version: int) -> int:
    """Start consensus: every team member without a conflict has submitted; their work locks."""

    def apply(uow: UnitOfWork, framework: Framework, phase: str) -> dict:
        phases.transition(uow, phases.CONTRIBUTION, contribution_id, phases.P.KONSENSUS, action="konsensus öppnad")
        for (assessment_id,) in uow.fetchall("SELECT id FROM assessments WHERE contribution_id = ? AND status = ?",
                                             [contribution_id, phases.AssessmentStatus.INLAMNAD.value]):
            phases.transition(uow, phases.ASSESSMENT, assessment_id, phases.AssessmentStatus.LAST,
                              action="låst för konsensus")
        notices.consensus_opened(uow, contribution_id)
        return {"phase": "konsensus"}

    return _modify(store, user, contribution_id, expected_version, "öppnade konsensus", phases.INDIVIDUAL_OPEN,
                   apply, part=versions.WHOLE)


def problems_before(work: Workspace, framework: Framework, to_phase: str) -> list[str]:
    """What stands in the way of moving the contribution on to ``to_phase`` (the gate's rules)."""
    return [p.message for p in rules.check(rules.BEFORE_PHASE.get(to_phase, ()), work, framework)]


NEXT_PHASE = {phases.P.KONSENSUS: phases.P.PLATSBESOK, phases.P.PLATSBESOK: phases.P.SLUTLIG_KONSENSUS,
              phases.P.SLUTLIG_KONSENSUS: phases.P.ATERKOPPLING_KLAR}


def advance(store: Store, user: User, contribution_id: int, expected_version: int) -> int:
    """Move on to the next phase once nothing stands in the way."""
    work = workspace(store, user, contribution_id)
    to_phase = NEXT_PHASE.get(work.phase)
    if to_phase is None:
        raise ConsensusError(f"Från fasen {work.phase_label.lower()} går bidraget inte vidare härifrån.")

    def apply(uow: UnitOfWork, framework: Framework, phase: str) -> dict:
        phases.transition(uow, phases.CONTRIBUTION, contribution_id, to_phase, context=(work, framework),
                          action=f"gick vidare till {to_phase.label.lower()}")
        if to_phase == phases.P.PLATSBESOK and not work.site_visit.questions:
            _store_visit(uow, contribution_id, questions=_numbered(proposed_questions(
                framework, work.findings, work.examiner_questions)))
        return {"before": phase, "phase": to_phase.value}

    return _modify(store, user, contribution_id, expected_version, f"gick vidare till {to_phase.label.lower()}",
                   (work.phase,), apply, part=versions.WHOLE)


# --- scores ------------------------------------------------------------------------


def set_score(store: Store, user: User, contribution_id: int, expected_version: int, area_code: str,
              criterion_code: str, score: int, reason: str = "") -> int:
    """Agree a criterion's consensus score. Changing an agreed score needs a reason; every
    change keeps before, after, who, when and why."""

    def apply(uow: UnitOfWork, framework: Framework, phase: str) -> dict:
        area = framework.area(area_code)
        if criterion_code not in {c.code for c in area.criteria}:
            raise ConsensusError(f"Bedömningsgrunden {criterion_code!r} finns inte i {area.title}.")
        if score not in framework.scale.values():
            raise ConsensusError(f"{score} finns inte på skalan.")
        row = uow.fetchone("SELECT score FROM consensus_scores WHERE contribution_id = ? AND area_code = ?"
                           " AND criterion_code = ?", [contribution_id, area_code, criterion_code])
        before = row[0] if row else None
        if before == score:
            return {"unchanged": score}
        why = _text(reason, "Skälet till ändringen", required=before is not None)
        uow.execute(
            "INSERT INTO consensus_scores (contribution_id, area_code, criterion_code, score, updated_by, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (contribution_id, area_code, criterion_code) DO UPDATE SET score = excluded.score,"
            " updated_by = excluded.updated_by, updated_at = excluded.updated_at, version = consensus_scores.version + 1",
            [contribution_id, area_code, criterion_code, score, user.email, utcnow()])
        uow.execute("INSERT INTO score_changes (contribution_id, area_code, criterion_code, score_before, score_after,"
                    " reason, changed_by, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [contribution_id, area_code, criterion_code, before, score,
                     why or ("Konsensus" if phase == "konsensus" else "Slutlig konsensus"), user.name, utcnow()])
        return {"area": area_code, "criterion": criterion_code, "before": before, "after": score, "reason": why}

    return _modify(store, user, contribution_id, expected_version, f"konsensuspoäng {area_code}.{criterion_code}",
                   phases.CONSENSUS_EDITABLE, apply, part=area_code)


def set_rationale(store: Store, user: User, contribution_id: int, expected_version: int, area_code: str,
                  text: str, criterion_code: str | None = None) -> int:
    """The rationale of an area (where it was flagged) or of one criterion's consensus."""

    def apply(uow: UnitOfWork, framework: Framework, phase: str) -> dict:
        framework.area(area_code)
        rationale = _text(text, "Motiveringen", required=False) or None
        before = (uow.fetchone("SELECT rationale FROM consensus_areas WHERE contribution_id = ? AND area_code = ?",
                               [contribution_id, area_code]) if criterion_code is None else uow.fetchone(
            "SELECT rationale FROM consensus_scores WHERE contribution_id = ? AND area_code = ? AND criterion_code = ?",
            [contribution_id, area_code, criterion_code]))
        if criterion_code is None:
            uow.execute("INSERT INTO consensus_areas (contribution_id, area_code, rationale) VALUES (?, ?, ?)"
                        " ON CONFLICT (contribution_id, area_code) DO UPDATE SET rationale = excluded.rationale", [contribution_id, area_code, rationale])
        else:
            uow.execute(
                "INSERT INTO consensus_scores (contribution_id, area_code, criterion_code, rationale) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (contribution_id, area_code, criterion_code) DO UPDATE SET rationale = excluded.rationale",
                [contribution_id, area_code, criterion_code, rationale])
        return {"area": area_code, "criterion": criterion_code, "before": before and before[0], "rationale": rationale}

    return _modify(store, user, contribution_id, expected_version, f"motivering {area_code}",
                   phases.CONSENSUS_EDITABLE, apply, part=area_code)


def set_left_open(store: Store, user: User, contribution_id: int, expected_version: int, area_code: str,
                  left_open: bool) -> int:
    """Whether the team leaves the area's disagreement open: the jury's dossier lists only
    these, with the area's rationale, not every area where the scores once spread."""

    def apply(uow: UnitOfWork, framework: Framework, phase: str) -> dict:
        framework.area(area_code)
        before = uow.fetchone("SELECT left_open FROM consensus_areas WHERE contribution_id = ? AND area_code = ?",
                              [contribution_id, area_code])
        uow.execute("INSERT INTO consensus_areas (contribution_id, area_code, left_open) VALUES (?, ?, ?)"
                    " ON CONFLICT (contribution_id, area_code) DO UPDATE SET left_open = excluded.left_open",
                    [contribution_id, area_code, bool(left_open)])
        return {"area": area_code, "before": bool(before and before[0]), "left_open": bool(left_open)}

    return _modify(store, user, contribution_id, expected_version, f"oenighet kvarstår {area_code}",
                   phases.CONSENSUS_EDITABLE, apply, part=area_code)


# --- findings ----------------------------------------------------------------------


def add_finding(store: Store, user: User, contribution_id: int, expected_version: int, *, area_code: str | None,
                kind: str, text: str, examples: str = "", sources: list[SourceFinding] = (),
                reason: str = "") -> int:
    """A consensus finding, usually merged from individual ones (``sources``): it keeps who
    contributed it and the passages and questions it rests on. ``area_code`` None makes it
    one of the contribution's key themes."""

    def apply(uow: UnitOfWork, framework: Framework, phase: str) -> dict:
        if area_code is not None:
            framework.area(area_code)
        if kind not in ("styrka", "utvecklingsomrade"):
            raise ConsensusError(f"Okänd typ av iakttagelse: {kind!r}.")
        # Key themes are written in the final consensus; an area's findings changing after
        # the visit need a reason.
        why = _text(reason, "Skälet till ändringen efter platsbesöket",
                    required=phase == "slutlig_konsensus" and area_code is not None)
        body = _text(text, "Texten")
        contributors = sorted({s.examiner for s in sources})
        anchors = list(dict.fromkeys(a for s in sources for a in s.anchors))
        questions = sorted({q for s in sources for q in s.questions})
        fid = uow.fetchone(
            "INSERT INTO consensus_findings (contribution_id, area_code, kind, text, examples, contributors, anchors,"
            " question_numbers, source_findings, is_key_theme) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [contribution_id, area_code, kind, body, _text(examples, "Exemplen", required=False),
             json.dumps(contributors, ensure_ascii=False), json.dumps(anchors), json.dumps(questions),
             json.dumps([s.id for s in sources]), area_code is None])[0]
        if why:
            _finding_change(uow, user, contribution_id, fid, None, body, why)
        return {"finding": fid, "text": body}

    return _modify(store, user, contribution_id, expected_version, "ny konsensusiakttagelse",
                   phases.CONSENSUS_EDITABLE, apply, part=area_code or KEY_THEMES_PART)


def _finding_change(uow: UnitOfWork, user: User, contribution_id: int, fid: int, before: str | None,
                    after: str | None, reason: str) -> None:
    uow.execute("INSERT INTO finding_changes (contribution_id, finding_id, text_before, text_after, reason,"
                " changed_by, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [contribution_id, fid, before, after, reason, user.name, utcnow()])


def update_finding(store: Store, user: User, contribution_id: int, expected_version: int, finding_id: int, *,
                   text: str, examples: str = "", reason: str = "") -> int:
    def apply(uow: UnitOfWork, framework: Framework, phase: str) -> dict:
        row = uow.fetchone("SELECT text, examples, area_code FROM consensus_findings WHERE id = ?"
                           " AND contribution_id = ?", [finding_id, contribution_id])
        if row is None:
            raise ConsensusError("Iakttagelsen finns inte längre; den kan ha tagits bort av någon annan.")
        body, ex = _text(text, "Texten"), _text(examples, "Exemplen", required=False)
        if (body, ex) == (row[0], row[1] or ""):
            return {"unchanged": finding_id}
        why = _text(reason, "Skälet till ändringen efter platsbesöket",
                    required=phase == "slutlig_konsensus" and row[2] is not None)
        uow.execute("UPDATE consensus_findings SET text = ?, examples = ?, version = version + 1 WHERE id = ?",
                    [body, ex, finding_id])
        if why:
            _finding_change(uow, user, contribution_id, finding_id, row[0], body, why)
        return {"finding": finding_id, "before": row[0], "after": body}

    return _modify(store, user, contribution_id, expected_version, "ändrad konsensusiakttagelse",
                   phases.CONSENSUS_EDITABLE, apply, part=_finding_part(store, finding_id))


def delete_finding(store: Store, user: User, contribution_id: int, expected_version: int, finding_id: int,
                   reason: str = "") -> int:
    def apply(uow: UnitOfWork, framework: Framework, phase: str) -> dict:
        row = uow.fetchone("SELECT text, area_code FROM consensus_findings WHERE id = ? AND contribution_id = ?",
                           [finding_id, contribution_id])
        if row is None:
            raise ConsensusError("Iakttagelsen finns inte längre; den kan ha tagits bort av någon annan.")
        why = _text(reason, "Skälet till ändringen efter platsbesöket",
                    required=phase == "slutlig_konsensus" and row[1] is not None)
        uow.execute("DELETE FROM consensus_findings WHERE id = ?", [finding_id])
        if why:
            _finding_change(uow, user, contribution_id, finding_id, row[0], None, why)
        return {"finding": finding_id, "before": row[0]}

    return _modify(store, user, contribution_id, expected_version, "borttagen konsensusiakttagelse",
                   phases.CONSENSUS_EDITABLE, apply, part=_finding_part(store, finding_id))


# --- site visit --------------------------------------------------------------------


def _numbered(questions: list[dict]) -> list[dict]:
    return [{"id": i + 1, "outcome": None, "notes": "", **q} for i, q in enumerate(questions)]


_VISIT_COLUMNS = ("visit_date", "participants", "documents", "questions", "starts_at", "ends_at")


def _store_visit(uow: UnitOfWork, contribution_id: int, **fields) -> None:
    row = uow.fetchone(f"SELECT {', '.join(_VISIT_COLUMNS)} FROM site_visits WHERE contribution_id = ?",
                       [contribution_id])
    current = {"visit_date": None, "participants": "", "documents": "{}", "questions": "[]", "starts_at": None,
               "ends_at": None}
    if row:
        current = dict(zip(_VISIT_COLUMNS, row, strict=True))
    for key, value in fields.items():
        current[key] = json.dumps(value, ensure_ascii=False) if key in ("documents", "questions") else value
    uow.execute(f"INSERT INTO site_visits (contribution_id, {', '.join(_VISIT_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (contribution_id) DO UPDATE SET visit_date = excluded.visit_date, participants = excluded.participants,"
                " documents = excluded.documents, questions = excluded.questions, starts_at = excluded.starts_at,"
                " ends_at = excluded.ends_at, version = site_visits.version + 1",
                [contribution_id, *(current[c] for c in _VISIT_COLUMNS)])


def save_visit(store: Store, user: User, contribution_id: int, expected_version: int, *, date: dt.date | None,
               participants: str, documents: dict[str, str], starts: dt.time | None = None,
               ends: dt.time | None = None) -> int:
    """The site visit's day (and time), participants and documents; a new or moved day is
    sent to the team with a calendar invitation."""
    if ends is not None and (starts is None or ends <= starts):
        raise ConsensusError("Sluttiden ska ligga efter starttiden.")
    if starts is not None and date is None:
        raise ConsensusError("Ange datum för platsbesöket när du anger en tid.")

    def apply(uow: UnitOfWork, framework: Framework, phase: str) -> dict:
        unknown = [d for d in documents if d not in framework.site_visit_documents]
        bad = [s for s in documents.values() if s not in DOCUMENT_STATES]
        if unknown or bad:
            raise ConsensusError("Dokumentlistan stämmer inte med årets anvisningar.")
        booked = uow.fetchone("SELECT visit_date, starts_at, ends_at FROM site_visits WHERE contribution_id = ?",
                              [contribution_id])
        _store_visit(uow, contribution_id, visit_date=date, participants=_text(participants, "Deltagarna",
                                                                               required=False),
                     documents=documents, starts_at=starts, ends_at=ends)
        if date is not None and tuple(booked or (None, None, None)) != (date, starts, ends):
            notices.site_visit_booked(uow, contribution_id)
        return {"date": date, "starts": starts, "ends": ends, "participants": participants, "documents": documents}

    return _modify(store, user, contribution_id, expected_version, "platsbesökets uppgifter", (phases.P.PLATSBESOK,),
                   apply, part="platsbesok")


def save_questions(store: Store, user: User, contribution_id: int, expected_version: int,
                   questions: list[dict]) -> int:
    """The site-visit questions as edited: text, area, outcome and notes per question."""

    def apply(uow: UnitOfWork, framework: Framework, phase: str) -> dict:
        areas = {a.code for a in framework.areas}
        cleaned = []
        for number, q in enumerate(questions, start=1):
            text = (q.get("text") or "").strip()
            if not text:
                continue
            if q.get("area_code") not in areas:
                raise ConsensusError(f"Fråga {number}: välj frågeområde.")
            if q.get("outcome") not in (None, *OUTCOMES):
                raise ConsensusError(f"Fråga {number}: okänt utfall {q.get('outcome')!r}.")
            cleaned.append({"id": number, "area_code": q["area_code"], "text": _text(text, "Frågan"),
                            "source": q.get("source") or "lagt till", "outcome": q.get("outcome"),
                            "notes": _text(q.get("notes"), "Anteckningen", required=False)})
        _store_visit(uow, contribution_id, questions=cleaned)
        return {"questions": len(cleaned)}

    return _modify(store, user, contribution_id, expected_version, "platsbesöksfrågor", (phases.P.PLATSBESOK,),
                   apply, part="platsbesoksfragor")


# --- proposal ------------------------------------------------------------------------


def submit_proposal(store: Store, user: User, contribution_id: int, expected_version: int, proposal: str,
                    motivation: str) -> int:
    """The team's proposal to the preparatory group; refused where eligibility does not allow it."""
    facts_result = eligibility.register(store, user, contribution_id)[1]

    def apply(uow: UnitOfWork, framework: Framework, phase: str) -> dict:
        if proposal not in phases.Proposal.labels():
            raise ConsensusError("Välj utmärkelse, hedersomnämnande eller inget förslag.")
        text = _text(motivation, "Motiveringen")
        refusal = eligibility.may_receive(framework, facts_result, proposal)
        if refusal:
            raise ConsensusError(refusal + (" Föreslå hedersomnämnande eller inget förslag."
                                            if proposal == "utmarkelse" and facts_result.status == eligibility.NO_AWARD
                                            and not framework.eligibility.honourable_mention_same_control_as_award
                                            else ""))
        uow.execute("INSERT INTO proposals (contribution_id, proposal, motivation, submitted_by, submitted_at)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (contribution_id) DO UPDATE SET proposal = excluded.proposal,"
                    " motivation = excluded.motivation, submitted_by = excluded.submitted_by,"
                    " submitted_at = excluded.submitted_at, version = proposals.version + 1",
                    [contribution_id, proposal, text, user.name, utcnow()])
        phases.transition(uow, phases.CONTRIBUTION, contribution_id, phases.P.FORSLAG_LAMNAT,
                          action="lagets förslag lämnat")
        return {"proposal": proposal, "motivation": text}

    return _modify(store, user, contribution_id, expected_version, "lämnade lagets förslag",
                   (phases.P.ATERKOPPLING_KLAR,), apply, part=versions.WHOLE)


# --- agreement -----------------------------------------------------------------------


def _criteria_keys(framework: Framework) -> list[tuple[str, str]]:
    return [(a.code, c.code) for a in framework.areas for c in a.criteria]


def contribution_agreement(work: Workspace) -> dict:
    """Krippendorff's alpha over the examiners' criterion scores, and each examiner's
    deviation from the consensus agreed so far."""
    keys = _criteria_keys(load_framework(work.year))
    flat = {e: {f"{a}.{c}": work.individual[e].get(a, {}).get("criteria", {}).get(c) for a, c in keys}
            for e in work.examiners}
    consensus = {f"{a}.{c}": work.scores.get(a, {}).get(c) for a, c in keys}
    return {"alpha": alpha([list(scores.values()) for scores in flat.values()]),
            "deviations": deviations(flat, consensus)}


def year_agreement(store: Store, user: User, year: int) -> dict:
    """For the admin: alpha per contribution and per team, and every examiner's deviation."""
    access.require(store, user, "year.agreement")
    keys = _criteria_keys(load_framework(year))
    where = {cid: (team, unit) for cid, team, unit in store.fetchall(
        "SELECT c.id, t.name, n.name FROM contributions c JOIN units n ON n.id = c.unit_id"
        " JOIN assignments s ON s.contribution_id = c.id JOIN teams t ON t.id = s.team_id WHERE c.year = ?", [year])}
    scores: dict[tuple, dict[str, dict]] = {}
    for work in individual_scores(store, year=year):
        if work.contribution_id not in where:
            continue
        for area, area_scores in work.areas.items():
            for criterion, value in area_scores.criteria.items():
                scores.setdefault((*where[work.contribution_id], work.contribution_id), {}).setdefault(
                    work.examiner, {})[f"{area}.{criterion}"] = value
    consensus: dict[int, dict[str, int]] = {}
    for cid, area, criterion, score in store.fetchall(
            "SELECT s.contribution_id, s.area_code, s.criterion_code, s.score FROM consensus_scores s"
            " JOIN contributions c ON c.id = s.contribution_id WHERE c.year = ? AND s.score IS NOT NULL", [year]):
        consensus.setdefault(cid, {})[f"{area}.{criterion}"] = score
    units = [f"{a}.{c}" for a, c in keys]
    per_contribution, teams, examiner_diffs = [], {}, {}
    for (team, unit, cid), by_examiner in sorted(scores.items()):
        matrix = [[s.get(u) for u in units] for s in by_examiner.values()]
        per_contribution.append({"team": team, "unit": unit, "examiners": len(by_examiner), "alpha": alpha(matrix)})
        team_rows = teams.setdefault(team, {})
        for examiner, s in by_examiner.items():
            team_rows.setdefault(examiner, {}).update({f"{cid}:{u}": v for u, v in s.items()})
        for examiner, d in deviations(by_examiner, consensus.get(cid, {})).items():
            examiner_diffs.setdefault(examiner, []).append((d["signed"], d["absolute"], d["criteria"]))
    per_team = []
    for team, by_examiner in sorted(teams.items()):
        columns = sorted({k for s in by_examiner.values() for k in s})
        per_team.append({"team": team, "alpha": alpha([[s.get(k) for k in columns] for s in by_examiner.values()])})
    per_examiner = [
        {"examiner": e, "signed": sum(s * n for s, _, n in d) / sum(n for *_, n in d),
         "absolute": sum(a * n for _, a, n in d) / sum(n for *_, n in d), "contributions": len(d)}
        for e, d in sorted(examiner_diffs.items())]
    return {"contributions": per_contribution, "teams": per_team, "examiners": per_examiner}

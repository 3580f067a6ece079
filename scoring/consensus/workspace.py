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
from collections.abc import Callable

from scoring.consensus.rules import (
    DEFAULT_SPREAD_THRESHOLD,
    SourceFinding,
    agenda,
    alpha,
    deviations,
    proposed_questions,
    rationale_needed,
)
from scoring.core import access
from scoring.core.auth import User
from scoring.core.store import Store, UnitOfWork, changes_since, set_setting, utcnow, versioned_entry
from scoring.intake import eligibility
from scoring.year import years
from scoring.year.contributions import PHASES
from scoring.year.framework import Framework, load_framework

OUTCOMES = {"bekraftad": "Bekräftad", "ej_bekraftad": "Ej bekräftad", "ny_information": "Ny information"}
DOCUMENT_STATES = {"sedd": "Sedd", "saknas": "Saknas"}
PROPOSALS = {"utmarkelse": "Utmärkelse", "hedersomnamnande": "Hedersomnämnande", "inget": "Inget förslag"}
KEY_THEMES = (3, 5)
EDIT_PHASES = ("konsensus", "slutlig_konsensus")
MAX_TEXT = 5_000


class ConsensusError(ValueError):
    """A refused consensus action; the message is Swedish and says why."""


class StaleConsensus(ConsensusError):
    def __init__(self, message: str, current_version: int, changes: list[str]) -> None:
        super().__init__(message)
        self.current_version = current_version
        self.changes = changes


def spread_threshold(store: Store) -> int:
    return int(store.setting("spread_threshold", str(DEFAULT_SPREAD_THRESHOLD)))


def set_spread_threshold(store: Store, user: User, points: int) -> None:
    if user.role != "admin":
        raise access.AccessDenied("Bara Kvalitetsenheten ändrar gränsen för spridning.")
    if not 5 <= points <= 100:
        raise ConsensusError("Gränsen för spridning ska vara mellan 5 och 100 poäng.")
    with store.write(user.email) as uow:
        set_setting(uow, "spread_threshold", str(points))


# --- reading -------------------------------------------------------------------


@dataclasses.dataclass
class Workspace:
    contribution_id: int
    year: int
    unit: str
    phase: str
    version: int
    threshold: int
    examiners: list[str]
    individual: dict[str, dict]           # examiner -> area -> {"criteria", "score"}
    source_findings: list[SourceFinding]
    examiner_questions: list[dict]
    scores: dict[str, dict[str, int]]     # area -> criterion -> consensus score
    criterion_rationales: dict[str, dict[str, str]]
    area_rationales: dict[str, str]
    findings: list[dict]
    score_changes: list[dict]
    finding_changes: list[dict]
    site_visit: dict
    proposal: dict | None
    organisation: str = ""
    class_code: str = ""

    @property
    def phase_label(self) -> str:
        return PHASES[self.phase]

    def area_findings(self, area_code: str | None, kind: str) -> list[dict]:
        return [f for f in self.findings if f["area_code"] == area_code and f["kind"] == kind]


def require_lead(store: Store, user: User, contribution_id: int) -> None:
    if not access.leads(store, user, contribution_id):
        raise access.AccessDenied("Bara lagets samordnare eller Kvalitetsenheten leder konsensus för bidraget.")


def _json(value, default):
    return json.loads(value) if value else default


def workspace(store: Store, user: User, contribution_id: int, *, individual: bool = True) -> Workspace:
    """Everything about one contribution's consensus. ``individual=False`` reads only what a
    report needs: no examiners' own work (just their number), rationales or change history."""
    require_lead(store, user, contribution_id)
    # One query for the one-row facts: each query costs about a millisecond.
    head = store.records(
        "SELECT c.year, u.name AS unit, u.organisation, c.class_code, c.phase, k.version, v.visit_date, v.participants,"
        " v.documents, v.questions, p.proposal, p.motivation, p.submitted_by, p.submitted_at"
        " FROM contributions c JOIN units u ON u.id = c.unit_id LEFT JOIN consensus k ON k.contribution_id = c.id"
        " LEFT JOIN site_visits v ON v.contribution_id = c.id LEFT JOIN proposals p ON p.contribution_id = c.id"
        " WHERE c.id = ?", [contribution_id])[0]
    year, unit, phase = head["year"], head["unit"], head["phase"]
    individual_work: dict[str, dict] = {}
    sources, questions = [], []
    opened = phase not in ("tilldelad", "individuell_bedomning")
    # Individual work is read only once consensus is open: then all of it is submitted.
    submitted = store.fetchall(
        "SELECT a.id, u.name FROM assessments a JOIN users u ON u.id = a.examiner_id"
        " WHERE a.contribution_id = ? AND a.status IN ('inlamnad', 'last') ORDER BY u.name",
        [contribution_id]) if opened else []
    for aid, examiner in submitted if individual else []:
        individual_work[examiner] = {}
        for code, criteria, score, svq in store.fetchall(
                "SELECT area_code, criterion_scores, area_score, site_visit_questions FROM assessment_areas"
                " WHERE assessment_id = ?", [aid]):
            individual_work[examiner][code] = {"criteria": _json(criteria, {}), "score": score}
            questions += [{"area_code": code, "text": q, "examiner": examiner} for q in _json(svq, [])]
        sources += [SourceFinding(fid, examiner, code, kind, text, tuple(_json(qs, [])), tuple(_json(an, [])))
                    for fid, code, kind, text, qs, an in store.fetchall(
                        "SELECT id, area_code, kind, text, question_numbers, anchors FROM findings"
                        " WHERE assessment_id = ? ORDER BY id", [aid])]
    scores: dict[str, dict[str, int]] = {}
    criterion_rationales: dict[str, dict[str, str]] = {}
    for area_code, criterion, score, rationale in store.fetchall(
            "SELECT area_code, criterion_code, score, rationale FROM consensus_scores WHERE contribution_id = ?",
            [contribution_id]):
        if score is not None:
            scores.setdefault(area_code, {})[criterion] = score
        if rationale:
            criterion_rationales.setdefault(area_code, {})[criterion] = rationale
    findings = store.records(
        "SELECT id, area_code, kind, text, examples, contributors, anchors, question_numbers, source_findings,"
        " is_key_theme FROM consensus_findings WHERE contribution_id = ? ORDER BY id", [contribution_id])
    for f in findings:
        for key in ("contributors", "anchors", "question_numbers", "source_findings"):
            f[key] = _json(f[key], [])
        f["examples"] = f["examples"] or ""
    site_visit = {"date": head["visit_date"], "participants": head["participants"] or "",
                  "documents": _json(head["documents"], {}), "questions": _json(head["questions"], [])}
    proposal = {k: head[k] for k in ("proposal", "motivation", "submitted_by", "submitted_at")}
    return Workspace(
        contribution_id, year, unit, phase, head["version"] or 0, spread_threshold(store),
        [name for _, name in submitted], individual_work, sources, questions, scores, criterion_rationales,
        dict(store.fetchall("SELECT area_code, rationale FROM consensus_areas WHERE contribution_id = ?"
                            " AND rationale IS NOT NULL", [contribution_id])) if individual else {},
        findings,
        store.records("SELECT area_code, criterion_code, score_before, score_after, reason, changed_by, changed_at"
                      " FROM score_changes WHERE contribution_id = ? ORDER BY changed_at", [contribution_id])
        if individual else [],
        store.records("SELECT finding_id, text_before, text_after, reason, changed_by, changed_at FROM finding_changes"
                      " WHERE contribution_id = ? ORDER BY changed_at", [contribution_id]) if individual else [],
        site_visit, proposal if proposal["proposal"] else None, head["organisation"], head["class_code"])


# --- the versioned change ----------------------------------------------------------


def _modify(store: Store, user: User, contribution_id: int, expected_version: int, action: str,
            phases: tuple[str, ...], apply: Callable[[UnitOfWork, Framework, str], object]) -> int:
    require_lead(store, user, contribution_id)
    with store.write(user.email) as uow:
        year, phase = uow.fetchone("SELECT year, phase FROM contributions WHERE id = ?", [contribution_id])
        if years.is_locked(store, year):
            raise ConsensusError(f"Året {year} är avslutat och låst.")
        if phase not in phases:
            allowed = " eller ".join(PHASES[p].lower() for p in phases)
            raise ConsensusError(f"Det går inte nu: bidraget är i fasen {PHASES[phase].lower()}, "
                                 f"och det här görs under {allowed}.")
        row = uow.fetchone("SELECT version FROM consensus WHERE contribution_id = ?", [contribution_id])
        version = row[0] if row else 0
        if version != expected_version:
            raise StaleConsensus(
                f"Någon annan har sparat i konsensus för bidraget efter att du öppnade det (version {version}, "
                f"du utgick från version {expected_version}). Din ändring är inte sparad.",
                version, changes_since(uow, "consensus", contribution_id, expected_version))
        detail = apply(uow, load_framework(year), phase)
        now = utcnow()
        if row is None:
            uow.execute("INSERT INTO consensus (contribution_id, version, opened_by, opened_at, updated_by, updated_at)"
                        " VALUES (?, 1, ?, ?, ?, ?)", [contribution_id, user.email, now, user.email, now])
        else:
            uow.execute("UPDATE consensus SET version = ?, updated_by = ?, updated_at = ? WHERE contribution_id = ?",
                        [version + 1, user.email, now, contribution_id])
        uow.audit(action, "consensus", contribution_id, *versioned_entry(detail, version, version + 1))
    return version + 1


def _text(value: str | None, what: str, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ConsensusError(f"{what} saknas.")
    if len(text) > MAX_TEXT:
        raise ConsensusError(f"{what} har {len(text)} tecken; högst {MAX_TEXT} går att spara.")
    return text


# --- phases ----------------------------------------------------------------------


def open_consensus(store: Store, user: User, contribution_id: int, expected_version: int) -> int:
    """Start consensus: every team member without a conflict has submitted; their work locks."""

    def apply(uow: UnitOfWork, framework: Framework, phase: str) -> dict:
        missing = [r[0] for r in uow.fetchall(
            "SELECT u.name FROM assignments s JOIN team_members m ON m.team_id = s.team_id"
            " JOIN users u ON u.id = m.user_id"
            " LEFT JOIN assessments a ON a.contribution_id = s.contribution_id AND a.examiner_id = u.id"
            " LEFT JOIN conflict_declarations d ON d.contribution_id = s.contribution_id AND d.user_id = u.id"
            " WHERE s.contribution_id = ? AND NOT coalesce(d.has_conflict, FALSE)"
            " AND coalesce(a.status, '') NOT IN ('inlamnad', 'last') ORDER BY u.name", [contribution_id])]
        if missing:
            raise ConsensusError("Alla i laget har inte lämnat in sin bedömning: " + ", ".join(missing) + ".")
        uow.execute("UPDATE assessments SET status = 'last' WHERE contribution_id = ? AND status = 'inlamnad'",
                    [contribution_id])
        uow.execute("UPDATE contributions SET phase = 'konsensus' WHERE id = ?", [contribution_id])
        return {"phase": "konsensus"}

    return _modify(store, user, contribution_id, expected_version, "öppnade konsensus",
                   ("tilldelad", "individuell_bedomning"), apply)


def problems_before(work: Workspace, framework: Framework, to_phase: str) -> list[str]:
    """What stands in the way of moving the contribution on to ``to_phase``."""
    problems = []
    if to_phase in ("platsbesok", "aterkoppling_klar"):
        for item in agenda(framework, list(work.individual.values()), work.threshold):
            area = framework.area(item.area_code)
            consensus = work.scores.get(area.code, {})
            unscored = [c.title for c in area.criteria if consensus.get(c.code) is None]
            if unscored:
                problems.append(f"{area.title}: konsensuspoäng saknas för {', '.join(unscored)}.")
            needs_area, far = rationale_needed(item, consensus, work.threshold)
            if needs_area and not work.area_rationales.get(area.code):
                problems.append(f"{area.title}: området har stor spridning och behöver en motivering.")
            for code in far:
                if not work.criterion_rationales.get(area.code, {}).get(code):
                    title = next(c.title for c in area.criteria if c.code == code)
                    problems.append(f"{area.title}: konsensus för {title} skiljer sig mer än {work.threshold} "
                                    "poäng från medelvärdet och behöver en motivering.")
            for kind, label in (("styrka", "styrka"), ("utvecklingsomrade", "utvecklingsområde")):
                if not work.area_findings(area.code, kind):
                    problems.append(f"{area.title}: minst en {label} behövs.")
    if to_phase == "slutlig_konsensus":
        visit = work.site_visit
        if not visit["date"]:
            problems.append("Datum för platsbesöket saknas.")
        if not visit["participants"].strip():
            problems.append("Deltagare i platsbesöket saknas.")
        unticked = [d for d in framework.site_visit_documents if d not in visit["documents"]]
        if unticked:
            problems.append(f"{len(unticked)} dokument är inte markerade som sedda eller saknade.")
        open_questions = [q for q in visit["questions"] if not q.get("outcome")]
        if open_questions:
            problems.append(f"{len(open_questions)} frågor saknar utfall.")
    if to_phase == "aterkoppling_klar":
        low, high = KEY_THEMES
        for kind, label in (("styrka", "styrkor"), ("utvecklingsomrade", "utvecklingsområden")):
            count = len(work.area_findings(None, kind))
            if not low <= count <= high:
                problems.append(f"Nyckeltemana ska vara {low}–{high} {label}; nu {count}.")
    return problems


NEXT_PHASE = {"konsensus": "platsbesok", "platsbesok": "slutlig_konsensus", "slutlig_konsensus": "aterkoppling_klar"}


def advance(store: Store, user: User, contribution_id: int, expected_version: int) -> int:
    """Move on to the next phase once nothing stands in the way."""
    work = workspace(store, user, contribution_id)
    to_phase = NEXT_PHASE.get(work.phase)
    if to_phase is None:
        raise ConsensusError(f"Från fasen {work.phase_label.lower()} går bidraget inte vidare härifrån.")

    def apply(uow: UnitOfWork, framework: Framework, phase: str) -> dict:
        problems = problems_before(work, framework, to_phase)
        if problems:
            raise ConsensusError("Det återstår: " + " ".join(problems))
        if to_phase == "platsbesok" and not work.site_visit["questions"]:
            _store_visit(uow, contribution_id, questions=_numbered(proposed_questions(
                framework, work.findings, work.examiner_questions)))
        uow.execute("UPDATE contributions SET phase = ? WHERE id = ?", [to_phase, contribution_id])
        return {"before": phase, "phase": to_phase}

    return _modify(store, user, contribution_id, expected_version, f"gick vidare till {PHASES[to_phase].lower()}",
                   (work.phase,), apply)


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
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET score = excluded.score,"
            " updated_by = excluded.updated_by, updated_at = excluded.updated_at, version = consensus_scores.version + 1",
            [contribution_id, area_code, criterion_code, score, user.email, utcnow()])
        uow.execute("INSERT INTO score_changes (contribution_id, area_code, criterion_code, score_before, score_after,"
                    " reason, changed_by, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [contribution_id, area_code, criterion_code, before, score,
                     why or ("Konsensus" if phase == "konsensus" else "Slutlig konsensus"), user.name, utcnow()])
        return {"area": area_code, "criterion": criterion_code, "before": before, "after": score, "reason": why}

    return _modify(store, user, contribution_id, expected_version, f"konsensuspoäng {area_code}.{criterion_code}",
                   EDIT_PHASES, apply)


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
            uow.execute("INSERT INTO consensus_areas VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET"
                        " rationale = excluded.rationale", [contribution_id, area_code, rationale])
        else:
            uow.execute(
                "INSERT INTO consensus_scores (contribution_id, area_code, criterion_code, rationale) VALUES (?, ?, ?, ?)"
                " ON CONFLICT DO UPDATE SET rationale = excluded.rationale",
                [contribution_id, area_code, criterion_code, rationale])
        return {"area": area_code, "criterion": criterion_code, "before": before and before[0], "rationale": rationale}

    return _modify(store, user, contribution_id, expected_version, f"motivering {area_code}", EDIT_PHASES, apply)


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

    return _modify(store, user, contribution_id, expected_version, "ny konsensusiakttagelse", EDIT_PHASES, apply)


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

    return _modify(store, user, contribution_id, expected_version, "ändrad konsensusiakttagelse", EDIT_PHASES, apply)


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

    return _modify(store, user, contribution_id, expected_version, "borttagen konsensusiakttagelse", EDIT_PHASES,
                   apply)


# --- site visit --------------------------------------------------------------------


def _numbered(questions: list[dict]) -> list[dict]:
    return [{"id": i + 1, "outcome": None, "notes": "", **q} for i, q in enumerate(questions)]


def _store_visit(uow: UnitOfWork, contribution_id: int, **fields) -> None:
    row = uow.fetchone("SELECT visit_date, participants, documents, questions FROM site_visits"
                       " WHERE contribution_id = ?", [contribution_id])
    current = {"visit_date": None, "participants": "", "documents": "{}", "questions": "[]"}
    if row:
        current = dict(zip(("visit_date", "participants", "documents", "questions"), row, strict=True))
    for key, value in fields.items():
        current[key] = json.dumps(value, ensure_ascii=False) if key in ("documents", "questions") else value
    uow.execute("INSERT INTO site_visits (contribution_id, visit_date, participants, documents, questions)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET visit_date = excluded.visit_date,"
                " participants = excluded.participants, documents = excluded.documents,"
                " questions = excluded.questions, version = site_visits.version + 1",
                [contribution_id, current["visit_date"], current["participants"], current["documents"],
                 current["questions"]])


def save_visit(store: Store, user: User, contribution_id: int, expected_version: int, *, date: dt.date | None,
               participants: str, documents: dict[str, str]) -> int:
    def apply(uow: UnitOfWork, framework: Framework, phase: str) -> dict:
        unknown = [d for d in documents if d not in framework.site_visit_documents]
        bad = [s for s in documents.values() if s not in DOCUMENT_STATES]
        if unknown or bad:
            raise ConsensusError("Dokumentlistan stämmer inte med årets anvisningar.")
        _store_visit(uow, contribution_id, visit_date=date, participants=_text(participants, "Deltagarna",
                                                                               required=False),
                     documents=documents)
        return {"date": date, "participants": participants, "documents": documents}

    return _modify(store, user, contribution_id, expected_version, "platsbesökets uppgifter", ("platsbesok",), apply)


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

    return _modify(store, user, contribution_id, expected_version, "platsbesöksfrågor", ("platsbesok",), apply)


# --- proposal ------------------------------------------------------------------------


def submit_proposal(store: Store, user: User, contribution_id: int, expected_version: int, proposal: str,
                    motivation: str) -> int:
    """The team's proposal to the preparatory group; refused where eligibility does not allow it."""
    facts_result = eligibility.register(store, user, contribution_id)[1]

    def apply(uow: UnitOfWork, framework: Framework, phase: str) -> dict:
        if proposal not in PROPOSALS:
            raise ConsensusError("Välj utmärkelse, hedersomnämnande eller inget förslag.")
        text = _text(motivation, "Motiveringen")
        if proposal != "inget":
            if facts_result.status == eligibility.MAY_NOT:
                raise ConsensusError("Verksamheten får inte delta enligt den grundläggande kontrollen: "
                                     + " ".join(facts_result.reasons))
            if proposal == "utmarkelse" and facts_result.status == eligibility.NO_AWARD:
                raise ConsensusError("Verksamheten kan inte få utmärkelsen: " + " ".join(facts_result.reasons)
                                     + " Föreslå hedersomnämnande eller inget förslag.")
            if proposal == "utmarkelse" and facts_result.missing:
                raise ConsensusError("Den grundläggande kontrollen är inte klar (saknas: "
                                     + ", ".join(facts_result.missing) + "). Kvalitetsenheten behöver "
                                     "registrera uppgifterna innan utmärkelse kan föreslås.")
        uow.execute("INSERT INTO proposals (contribution_id, proposal, motivation, submitted_by, submitted_at)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET proposal = excluded.proposal,"
                    " motivation = excluded.motivation, submitted_by = excluded.submitted_by,"
                    " submitted_at = excluded.submitted_at, version = proposals.version + 1",
                    [contribution_id, proposal, text, user.name, utcnow()])
        uow.execute("UPDATE contributions SET phase = 'forslag_lamnat' WHERE id = ?", [contribution_id])
        return {"proposal": proposal, "motivation": text}

    return _modify(store, user, contribution_id, expected_version, "lämnade lagets förslag", ("aterkoppling_klar",),
                   apply)


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
    if user.role != "admin":
        raise access.AccessDenied("Bara Kvalitetsenheten ser årets samstämmighet.")
    keys = _criteria_keys(load_framework(year))
    rows = store.fetchall(
        "SELECT t.name, n.name, a.contribution_id, u.name, aa.area_code, aa.criterion_scores FROM assessments a"
        " JOIN assessment_areas aa ON aa.assessment_id = a.id JOIN users u ON u.id = a.examiner_id"
        " JOIN contributions c ON c.id = a.contribution_id JOIN units n ON n.id = c.unit_id"
        " JOIN assignments s ON s.contribution_id = c.id JOIN teams t ON t.id = s.team_id"
        " WHERE c.year = ? AND a.status IN ('inlamnad', 'last')", [year])
    scores: dict[tuple, dict[str, dict]] = {}
    for team, unit, cid, examiner, area, criteria in rows:
        for criterion, value in _json(criteria, {}).items():
            scores.setdefault((team, unit, cid), {}).setdefault(examiner, {})[f"{area}.{criterion}"] = value
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

"""Individual assessments: one examiner's scores, findings, notes and site-visit questions.

Every change is a small versioned write: the page passes the version it last read, and
a save from a stale window (another tab, a reconnect) is refused with what changed in
between, so the later save can win only visibly. Drafts are the examiner's alone;
teammates see each other's work only after submitting their own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable

from scoring.assessment.scores import Finding, individual_findings, individual_scores
from scoring.core import access, versions
from scoring.core.auth import User
from scoring.core.errors import Refused
from scoring.core.store import Store, UnitOfWork, utcnow
from scoring.core.text import count
from scoring.mail import notices
from scoring.year import phases, years
from scoring.year.contributions import answer_blocks, text_key
from scoring.year.framework import Framework, load_framework

# Hard limits against runaway input; the guideline (500 characters) is a warning only.
MAX_FINDING_CHARS = 5_000
MAX_NOTE_CHARS = 20_000
MAX_SITE_VISIT_QUESTIONS = 30
MAX_SITE_VISIT_QUESTION_CHARS = 1_000
MAX_REASON_CHARS = 1_000


class AssessmentError(Refused):
    """A refused change; the message is Swedish and says what to do."""


@dataclasses.dataclass
class AreaWork:
    code: str
    criteria: dict[str, int] = dataclasses.field(default_factory=dict)
    score: int | None = None
    site_visit_questions: list[str] = dataclasses.field(default_factory=list)
    findings: list[Finding] = dataclasses.field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for f in self.findings if f.kind == kind)


@dataclasses.dataclass
class Assessment:
    contribution_id: int
    examiner_id: int
    id: int | None = None
    status: str | None = None
    version: int = 0
    updated_at: dt.datetime | None = None
    submitted_at: dt.datetime | None = None
    reopened_reason: str | None = None
    reopened_by: str | None = None
    areas: dict[str, AreaWork] = dataclasses.field(default_factory=dict)
    notes: dict[int, str] = dataclasses.field(default_factory=dict)
    year_locked: bool = False  # an ended year is read-only: the screens show it so, not only the saves

    @property
    def editable(self) -> bool:
        return self.status in (None, "utkast") and not self.year_locked

    def area(self, code: str) -> AreaWork:
        return self.areas.setdefault(code, AreaWork(code))


# --- reading -------------------------------------------------------------------


def _load(store: Store, contribution_id: int, examiner_id: int) -> Assessment:
    head = store.records(
        "SELECT id, status, version, updated_at, submitted_at, reopened_reason, reopened_by"
        " FROM assessments WHERE contribution_id = ? AND examiner_id = ?",
        [contribution_id, examiner_id],
    )
    year = store.cached(("contribution_year", contribution_id), lambda: store.fetchone(
        "SELECT year FROM contributions WHERE id = ?", [contribution_id]))[0]
    result = Assessment(contribution_id, examiner_id, year_locked=years.is_locked(store, year))
    if not head:
        return result
    for key, value in head[0].items():
        setattr(result, key, value)
    for scores in individual_scores(store, contribution_id=contribution_id, examiner_id=examiner_id,
                                    submitted_only=False):
        for code, area in scores.areas.items():
            result.areas[code] = AreaWork(code, dict(area.criteria), area.score, list(area.site_visit_questions))
    for finding in individual_findings(store, [result.id])[result.id]:
        result.area(finding.area_code).findings.append(finding)
    result.notes = dict(store.fetchall(
        "SELECT question_number, note FROM question_notes WHERE assessment_id = ?", [result.id]))
    return result


def _require_examiner(store: Store, user: User, contribution_id: int) -> None:
    access.require_readable(store, user, contribution_id, "assessment.own")


def own_assessment(store: Store, user: User, contribution_id: int) -> Assessment:
    """The examiner's own assessment of a contribution (empty, version 0, if not started)."""
    _require_examiner(store, user, contribution_id)
    return _load(store, contribution_id, user.id)


def visible_assessments(store: Store, user: User, contribution_id: int) -> list[dict]:
    """The assessments of a contribution this user may read.

    The admin sees all. An examiner (the coordinator included) sees their own, and their
    teammates' submitted ones only after submitting their own, so that every judgement
    is made independently; drafts of others are never shown. The preparatory group and
    the jury see no individual assessments, only consensus results.
    """
    access.require_contribution(store, user, contribution_id)
    access.require(store, user, "assessments.read", contribution_id=contribution_id)
    rows = store.records(
        "SELECT a.id, a.examiner_id, u.name AS examiner, a.status, a.submitted_at FROM assessments a"
        " JOIN users u ON u.id = a.examiner_id WHERE a.contribution_id = ? ORDER BY u.name",
        [contribution_id],
    )
    if access.can(store, user, "assessments.drafts"):
        visible = rows
    else:
        own = next((r for r in rows if r["examiner_id"] == user.id), None)
        own_done = own is not None and own["status"] in phases.SUBMITTED
        visible = [r for r in rows if r["examiner_id"] == user.id or (own_done and r["status"] in phases.SUBMITTED)]
    for row in visible:
        work = _load(store, contribution_id, row["examiner_id"])
        row["areas"] = {code: {"criteria": a.criteria, "score": a.score, "findings": a.findings}
                        for code, a in work.areas.items()}
    return visible


def passages(store: Store, user: User, contribution_id: int) -> dict[str, dict]:
    """The unit's answer passages an anchor may point to, by block id, with a short label."""
    access.require_readable(store, user, contribution_id)
    key = text_key(store, "passages", contribution_id)
    if key not in store.memo:
        counters: dict[tuple, int] = {}
        result = {}
        for block in answer_blocks(store, contribution_id):
            if block["kind"] in ("rubrik", "bild") or block["section"] not in ("fraga", "inledning"):
                continue  # a picture alone is shown in place, not quoted
            where = (block["question_number"], block["part_label"]) if block["section"] == "fraga" else ("I", None)
            counters[where] = counters.get(where, 0) + 1
            label = "Inledning" if where[0] == "I" else f"Fråga {where[0]}{where[1] or ''}"
            result[block["block_id"]] = {**block, "label": f"{label} ¶{counters[where]}"}
        store.memo[key] = result
    return store.memo[key]


def quote(passage: dict, limit: int = 220) -> str:
    """A passage as a short quote; tables as their first rows."""
    text = passage["text"]
    if passage["kind"] == "tabell":
        rows = json.loads(text)
        text = " / ".join(" | ".join(str(c) for c in row) for row in rows[:3])
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- changing ------------------------------------------------------------------


def _modify(
    store: Store,
    user: User,
    contribution_id: int,
    expected_version: int,
    action: str,
    apply: Callable[[UnitOfWork, int, Framework], object],
    *,
    part: str,
) -> int:
    """Run one change of the user's own draft; returns the new version.

    ``part`` is what the change touches (an area, a question's note, or all of it): a
    save from an older version is refused only when a save since touched the same part.
    """
    _require_examiner(store, user, contribution_id)
    year, phase = store.fetchone("SELECT year, phase FROM contributions WHERE id = ?", [contribution_id])
    if years.is_locked(store, year):
        raise AssessmentError(f"Året {year} är avslutat och låst.")
    framework = load_framework(year)
    try:
        return _write(store, user, contribution_id, expected_version, action, apply, part, phase, framework)
    except _Unchanged:
        # Nothing to write: no version, no log entry, no assessment started. A widget that
        # reports the value it already holds (Streamlit may replay a stale one) costs nothing.
        return expected_version


class _Unchanged(Exception):
    """Raised by a change that finds the stored value already as asked; rolls back."""


def _write(store: Store, user: User, contribution_id: int, expected_version: int, action: str,
           apply: Callable[[UnitOfWork, int, Framework], object], part: str, phase: str,
           framework: Framework) -> int:
    with store.write(user.email) as uow:
        row = uow.fetchone(
            "SELECT id, status, version, updated_by FROM assessments WHERE contribution_id = ?"
            " AND examiner_id = ?", [contribution_id, user.id])
        if row is None:
            if phase not in phases.INDIVIDUAL_OPEN:
                raise AssessmentError("Den individuella bedömningen av bidraget är avslutad.")
            row = uow.fetchone(
                "INSERT INTO assessments (contribution_id, examiner_id, version, updated_by)"
                " VALUES (?, ?, 0, ?) RETURNING id, status, version, updated_by",
                [contribution_id, user.id, user.email])
            phases.transition(uow, phases.CONTRIBUTION, contribution_id, phases.P.INDIVIDUELL_BEDOMNING,
                              only_from=(phases.P.TILLDELAD,), action="individuell bedömning påbörjad")
        assessment_id, status, version, _ = row
        if status != phases.AssessmentStatus.UTKAST:
            raise AssessmentError("Bedömningen är inlämnad och låst. Lagsamordnaren kan öppna den igen.")
        versions.require_fresh(
            uow, entity="assessments", entity_id=assessment_id, current=version, expected=expected_version,
            parts=[part], message="Bedömningen har sparats i ett annat fönster efter att du öppnade den (version "
            "{current}, du utgick från version {expected}). Din senaste ändring är inte sparad.")
        detail = apply(uow, assessment_id, framework)
        new_version = version + 1
        uow.execute("UPDATE assessments SET version = ?, updated_at = ?, updated_by = ? WHERE id = ?",
                    [new_version, utcnow(), user.email, assessment_id])
        uow.audit(action, "assessments", assessment_id, *versions.entry(detail, version, new_version, part))
    return new_version


def _area_row(uow: UnitOfWork, assessment_id: int, area_code: str) -> tuple[dict, list[str]]:
    row = uow.fetchone(
        "SELECT criterion_scores, site_visit_questions FROM assessment_areas"
        " WHERE assessment_id = ? AND area_code = ?", [assessment_id, area_code])
    if row is None:
        uow.execute("INSERT INTO assessment_areas (assessment_id, area_code) VALUES (?, ?)",
                    [assessment_id, area_code])
        return {}, []
    return (json.loads(row[0]) if row[0] else {}), (json.loads(row[1]) if row[1] else [])


def _check_area(framework: Framework, area_code: str):
    try:
        return framework.area(area_code)
    except KeyError:
        raise AssessmentError(f"Frågeområdet {area_code!r} finns inte i årets anvisningar.") from None


def set_criterion_score(store: Store, user: User, contribution_id: int, expected_version: int,
                        area_code: str, criterion_code: str, value: int | None) -> int:
    """Score one criterion (None clears it); the area's score follows from the criteria."""

    def apply(uow: UnitOfWork, assessment_id: int, framework: Framework) -> dict:
        area = _check_area(framework, area_code)
        criterion = next((c for c in area.criteria if c.code == criterion_code), None)
        if criterion is None:
            raise AssessmentError(f"Bedömningsgrunden {criterion_code!r} finns inte i {area.title}.")
        if value is not None and value not in framework.scale.values():
            raise AssessmentError(
                f"{value} finns inte på skalan ({framework.scale.min}–{framework.scale.max} i steg om "
                f"{framework.scale.step}).")
        scores, _ = _area_row(uow, assessment_id, area_code)
        before = scores.get(criterion_code)
        if before == value:
            raise _Unchanged
        if value is None:
            scores.pop(criterion_code, None)
        else:
            scores[criterion_code] = value
        uow.execute(
            "UPDATE assessment_areas SET criterion_scores = ?, area_score = ? WHERE assessment_id = ?"
            " AND area_code = ?",
            [json.dumps(scores), framework.area_score_for(area_code, scores), assessment_id, area_code])
        return {"area": area_code, "criterion": criterion_code, "before": before, "after": value}

    return _modify(store, user, contribution_id, expected_version,
                   f"poäng {area_code}.{criterion_code}", apply, part=area_code)


def _clean_finding(framework: Framework, contribution_id: int, uow: UnitOfWork, area_code: str, kind: str,
                   text: str, examples: str, questions: list[int], anchors: list[str]) -> tuple:
    area = _check_area(framework, area_code)
    if kind not in phases.FindingKind.labels():
        raise AssessmentError(f"Okänd typ av iakttagelse: {kind!r}. Välj styrka eller utvecklingsområde.")
    text, examples = (text or "").strip(), (examples or "").strip()
    if not text:
        raise AssessmentError("Iakttagelsen är tom. Skriv en kort mening om vad bidraget visar.")
    for label, value in (("Iakttagelsen", text), ("Exemplen", examples)):
        if len(value) > MAX_FINDING_CHARS:
            raise AssessmentError(f"{label} har {len(value)} tecken; högst {MAX_FINDING_CHARS} går att spara.")
    allowed = {q.number for q in area.questions}
    wrong = sorted(set(questions) - allowed)
    if wrong:
        raise AssessmentError(f"Fråga {', '.join(map(str, wrong))} hör inte till {area.title}.")
    if anchors:
        known = {r[0] for r in uow.fetchall(
            "SELECT block_id FROM contribution_blocks WHERE contribution_id = ?", [contribution_id])}
        missing = [a for a in anchors if a not in known]
        if missing:
            raise AssessmentError(f"Avsnitten {', '.join(missing)} finns inte i bidraget.")
    return (area_code, kind, text, examples,
            json.dumps(sorted(set(questions))), json.dumps(list(dict.fromkeys(anchors))))


def add_finding(store: Store, user: User, contribution_id: int, expected_version: int, *, area_code: str,
                kind: str, text: str, examples: str = "", questions: list[int] | None = None,
                anchors: list[str] | None = None) -> int:
    def apply(uow: UnitOfWork, assessment_id: int, framework: Framework) -> dict:
        values = _clean_finding(framework, contribution_id, uow, area_code, kind, text, examples,
                                questions or [], anchors or [])
        _area_row(uow, assessment_id, area_code)
        finding_id = uow.fetchone(
            "INSERT INTO findings (assessment_id, area_code, kind, text, examples, question_numbers, anchors)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id", [assessment_id, *values])[0]
        return {"finding": finding_id, "kind": kind, "text": values[2]}

    return _modify(store, user, contribution_id, expected_version, f"ny {phases.FindingKind.labels().get(kind, kind).lower()}",
                   apply, part=area_code)


def update_finding(store: Store, user: User, contribution_id: int, expected_version: int, finding_id: int, *,
                   text: str, examples: str = "", questions: list[int] | None = None,
                   anchors: list[str] | None = None) -> int:
    def apply(uow: UnitOfWork, assessment_id: int, framework: Framework) -> dict:
        row = uow.fetchone("SELECT area_code, kind, text, examples, question_numbers, anchors FROM findings"
                           " WHERE id = ? AND assessment_id = ?", [finding_id, assessment_id])
        if row is None:
            raise AssessmentError("Iakttagelsen finns inte längre; den kan ha tagits bort i ett annat fönster.")
        values = _clean_finding(framework, contribution_id, uow, row[0], row[1], text, examples,
                                questions or [], anchors or [])
        stored = (row[2], row[3] or "", json.dumps(json.loads(row[4] or "[]")), json.dumps(json.loads(row[5] or "[]")))
        if values[2:] == stored:
            raise _Unchanged
        uow.execute("UPDATE findings SET text = ?, examples = ?, question_numbers = ?, anchors = ?,"
                    " version = version + 1 WHERE id = ?", [*values[2:], finding_id])
        return {"finding": finding_id, "before": row[2], "after": values[2]}

    return _modify(store, user, contribution_id, expected_version, "ändrad iakttagelse", apply,
                   part=_finding_area(store, finding_id))


def delete_finding(store: Store, user: User, contribution_id: int, expected_version: int, finding_id: int) -> int:
    def apply(uow: UnitOfWork, assessment_id: int, framework: Framework) -> dict:
        row = uow.fetchone("SELECT kind, text FROM findings WHERE id = ? AND assessment_id = ?",
                           [finding_id, assessment_id])
        if row is None:
            raise AssessmentError("Iakttagelsen finns inte längre; den kan ha tagits bort i ett annat fönster.")
        uow.execute("DELETE FROM findings WHERE id = ?", [finding_id])
        return {"finding": finding_id, "kind": row[0], "before": row[1]}

    return _modify(store, user, contribution_id, expected_version, "borttagen iakttagelse", apply,
                   part=_finding_area(store, finding_id))


def _finding_area(store: Store, finding_id: int) -> str:
    """The part a change of a finding touches: its area (a finding never changes area)."""
    row = store.fetchone("SELECT area_code FROM findings WHERE id = ?", [finding_id])
    return row[0] if row else versions.WHOLE


def set_note(store: Store, user: User, contribution_id: int, expected_version: int, question_number: int,
             note: str) -> int:
    """A private note on one question; an empty note removes it."""

    def apply(uow: UnitOfWork, assessment_id: int, framework: Framework) -> dict:
        if question_number not in {q.number for q in framework.questions()}:
            raise AssessmentError(f"Fråga {question_number} finns inte i årets anvisningar.")
        text = (note or "").strip()
        if len(text) > MAX_NOTE_CHARS:
            raise AssessmentError(f"Anteckningen har {len(text)} tecken; högst {MAX_NOTE_CHARS} går att spara.")
        before = uow.fetchone("SELECT note FROM question_notes WHERE assessment_id = ? AND question_number = ?",
                              [assessment_id, question_number])
        if (before[0] if before else "") == text:
            raise _Unchanged
        uow.execute("DELETE FROM question_notes WHERE assessment_id = ? AND question_number = ?",
                    [assessment_id, question_number])
        if text:
            uow.execute("INSERT INTO question_notes VALUES (?, ?, ?)", [assessment_id, question_number, text])
        return {"question": question_number, "before": before and before[0], "after": text}

    return _modify(store, user, contribution_id, expected_version, f"anteckning fråga {question_number}", apply,
                   part=f"anteckning {question_number}")


def clean_site_visit_questions(lines: list[str]) -> list[str]:
    questions = [line.strip() for line in lines if line and line.strip()]
    if len(questions) > MAX_SITE_VISIT_QUESTIONS:
        raise AssessmentError(f"{count(len(questions), 'fråga', 'frågor')}; högst {MAX_SITE_VISIT_QUESTIONS} per område.")
    long = [i + 1 for i, q in enumerate(questions) if len(q) > MAX_SITE_VISIT_QUESTION_CHARS]
    if long:
        raise AssessmentError(f"Fråga {long[0]} är längre än {MAX_SITE_VISIT_QUESTION_CHARS} tecken.")
    return questions


def set_site_visit_questions(store: Store, user: User, contribution_id: int, expected_version: int,
                             area_code: str, questions: list[str]) -> int:
    def apply(uow: UnitOfWork, assessment_id: int, framework: Framework) -> dict:
        _check_area(framework, area_code)
        cleaned = clean_site_visit_questions(questions)
        _, earlier = _area_row(uow, assessment_id, area_code)
        if earlier == cleaned:
            raise _Unchanged
        uow.execute("UPDATE assessment_areas SET site_visit_questions = ? WHERE assessment_id = ?"
                    " AND area_code = ?", [json.dumps(cleaned, ensure_ascii=False), assessment_id, area_code])
        return {"area": area_code, "before": earlier, "questions": cleaned}

    return _modify(store, user, contribution_id, expected_version, f"platsbesöksfrågor {area_code}", apply,
                   part=area_code)


def missing_scores(framework: Framework, assessment: Assessment) -> list[str]:
    """'Area (criterion)' for every criterion not yet scored."""
    missing = []
    for area in framework.areas:
        scores = assessment.areas.get(area.code, AreaWork(area.code)).criteria
        missing += [f"{area.title} ({c.title})" for c in area.criteria if scores.get(c.code) is None]
    return missing


def submit(store: Store, user: User, contribution_id: int, expected_version: int) -> int:
    """Hand in the assessment: it is then locked for consensus. Every criterion must be scored."""

    def apply(uow: UnitOfWork, assessment_id: int, framework: Framework) -> dict:
        scored = Assessment(contribution_id, user.id, areas={
            code: AreaWork(code, json.loads(criteria) if criteria else {}) for code, criteria in uow.fetchall(
                "SELECT area_code, criterion_scores FROM assessment_areas WHERE assessment_id = ?", [assessment_id])})
        try:
            phases.transition(uow, phases.ASSESSMENT, assessment_id, phases.AssessmentStatus.INLAMNAD,
                              context=(framework, scored), also={"submitted_at": utcnow()},
                              action="bedömningen inlämnad")
        except phases.TransitionRefused as refused:
            raise AssessmentError(" ".join(refused.problems) or str(refused)) from None
        return {"status": "inlamnad"}

    return _modify(store, user, contribution_id, expected_version, "lämnade in bedömningen", apply,
                   part=versions.WHOLE)


@phases.gate(phases.ASSESSMENT, "all_scored")
def _all_scored(uow: UnitOfWork, assessment_id: int, context: tuple[Framework, Assessment]) -> list[str]:
    framework, scored = context
    missing = missing_scores(framework, scored)
    return ["Poäng saknas för " + "; ".join(missing) + ". Sätt dem innan du lämnar in."] if missing else []


def may_reopen(store: Store, user: User, contribution_id: int) -> bool:
    return access.can(store, user, "assessment.reopen", contribution_id=contribution_id)


def reopen(store: Store, user: User, assessment_id: int, reason: str) -> None:
    """The coordinator (or the admin) opens a submitted assessment again, with a reason."""
    row = store.fetchone("SELECT contribution_id, status FROM assessments WHERE id = ?", [assessment_id])
    if row is None:
        raise AssessmentError("Bedömningen finns inte.")
    contribution_id, _ = row
    access.require(store, user, "assessment.reopen", contribution_id=contribution_id)
    reason = (reason or "").strip()
    if not reason:
        raise AssessmentError("Skriv varför bedömningen öppnas igen; examinatorn ser motiveringen.")
    if len(reason) > MAX_REASON_CHARS:
        raise AssessmentError(f"Motiveringen har {len(reason)} tecken; högst {MAX_REASON_CHARS} går att spara.")
    with store.write(user.email) as uow:
        status, version = uow.fetchone("SELECT status, version FROM assessments WHERE id = ?", [assessment_id])
        if status == phases.AssessmentStatus.LAST:
            raise AssessmentError("Konsensus har inletts och bedömningen är låst; den kan inte öppnas igen.")
        if status != phases.AssessmentStatus.INLAMNAD:
            raise AssessmentError("Bedömningen är inte inlämnad, så det finns inget att öppna.")
        now = utcnow()
        phases.transition(
            uow, phases.ASSESSMENT, assessment_id, phases.AssessmentStatus.UTKAST, action="öppnade bedömningen igen",
            also={"submitted_at": None, "version": version + 1, "updated_at": now, "updated_by": user.email,
                  "reopened_reason": reason, "reopened_by": user.name, "reopened_at": now},
            # The examiner's open window is behind now: the entry names the new version.
            detail={"version": version + 1, "part": versions.WHOLE, "reason": reason})
        notices.reopened(uow, assessment_id, reason, user.name)


def team_assessments(store: Store, user: User, contribution_id: int) -> list[dict]:
    """For the coordinator or admin: every team member's status on a contribution (no content)."""
    access.require(store, user, "assessment.reopen", contribution_id=contribution_id)
    return store.records(
        "SELECT a.id, u.name AS examiner, a.status, a.submitted_at, a.reopened_reason FROM assignments s"
        " JOIN team_members m ON m.team_id = s.team_id JOIN users u ON u.id = m.user_id"
        " LEFT JOIN assessments a ON a.contribution_id = s.contribution_id AND a.examiner_id = u.id"
        " WHERE s.contribution_id = ? ORDER BY u.name", [contribution_id])


def replace_content(store: Store, user: User, contribution_id: int, expected_version: int,
                    content: Assessment) -> int:
    """Replace the whole draft (scores, findings, notes, site-visit questions) in one write.

    Used by the offline scorebook import: either all of it is stored or none of it.
    Findings keep their ids when the id is one of this assessment's own.
    """

    def apply(uow: UnitOfWork, assessment_id: int, framework: Framework) -> dict:
        own_ids = {r[0] for r in uow.fetchall("SELECT id FROM findings WHERE assessment_id = ?", [assessment_id])}
        rows = []
        for code, work in content.areas.items():
            area = _check_area(framework, code)
            known = {c.code for c in area.criteria}
            unknown = sorted(set(work.criteria) - known)
            if unknown:
                raise AssessmentError(f"Bedömningsgrunden {unknown[0]!r} finns inte i {area.title}.")
            wrong = [v for v in work.criteria.values() if v not in framework.scale.values()]
            if wrong:
                raise AssessmentError(f"{wrong[0]} finns inte på skalan i {area.title}.")
            rows.append((code, work.criteria, clean_site_visit_questions(work.site_visit_questions)))
        findings = [
            (f.id if f.id in own_ids else None,
             _clean_finding(framework, contribution_id, uow, code, f.kind, f.text, f.examples, f.questions,
                            f.anchors))
            for code, work in content.areas.items() for f in work.findings
        ]
        numbers = {q.number for q in framework.questions()}
        for number, note in content.notes.items():
            if number not in numbers:
                raise AssessmentError(f"Fråga {number} finns inte i årets anvisningar.")
            if len(note) > MAX_NOTE_CHARS:
                raise AssessmentError(f"Anteckningen till fråga {number} är för lång.")
        for table in ("assessment_areas", "findings", "question_notes"):
            uow.execute(f"DELETE FROM {table} WHERE assessment_id = ?", [assessment_id])
        for code, criteria, questions in rows:
            uow.execute(
                "INSERT INTO assessment_areas (assessment_id, area_code, criterion_scores, area_score,"
                " site_visit_questions) VALUES (?, ?, ?, ?, ?)",
                [assessment_id, code, json.dumps(criteria), framework.area_score_for(code, criteria),
                 json.dumps(questions, ensure_ascii=False)])
        for finding_id, values in findings:
            uow.execute(
                "INSERT INTO findings (id, assessment_id, area_code, kind, text, examples, question_numbers,"
                " anchors) VALUES (coalesce(?, nextval('seq_findings')), ?, ?, ?, ?, ?, ?, ?)",
                [finding_id, assessment_id, *values])
        for number, note in sorted(content.notes.items()):
            if note.strip():
                uow.execute("INSERT INTO question_notes VALUES (?, ?, ?)", [assessment_id, number, note.strip()])
        return {"areas": len(rows), "findings": len(findings), "notes": len(content.notes)}

    return _modify(store, user, contribution_id, expected_version, "importerade bedömningen från Excel", apply,
                   part=versions.WHOLE)

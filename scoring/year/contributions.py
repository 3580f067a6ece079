"""Contributions as the roles see them: lists, content and progress, access-checked."""

from __future__ import annotations

import json

from scoring.core import access
from scoring.core.auth import User
from scoring.core.store import Store
from scoring.intake import pictures
from scoring.year import phases
from scoring.year.framework import load_framework


def _in_clause(ids: list[int]) -> str:
    return ",".join("?" * len(ids)) if ids else "NULL"


def contributions_for(store: Store, user: User, year: int) -> list[dict]:
    """The contributions the user may see, with unit, class, phase and team."""
    rows = store.cached(("contributions_for", user.id, user.role, year), lambda: _contributions_for(store, user, year))
    return [dict(row) for row in rows]


def _contributions_for(store: Store, user: User, year: int) -> list[dict]:
    ids = access.visible_contribution_ids(store, user, year)
    if not ids:
        return []
    framework = load_framework(year)
    rows = store.records(
        "SELECT c.id, u.name AS unit, u.organisation, c.class_code, c.phase, t.name AS team"
        " FROM contributions c JOIN units u ON u.id = c.unit_id"
        " LEFT JOIN assignments a ON a.contribution_id = c.id"
        " LEFT JOIN teams t ON t.id = a.team_id"
        f" WHERE c.id IN ({_in_clause(ids)}) ORDER BY u.name",
        ids,
    )
    for row in rows:
        row["class_name"] = framework.class_name(row.pop("class_code"))
        row["phase_label"] = phases.ContributionPhase(row["phase"]).label
    return rows


def text_key(store: Store, kind: str, contribution_id: int) -> tuple:
    """A key for what is read once per process from a contribution's text: it changes only with
    a new version (a corrected file), which any server process may have taken in."""
    row = store.cached(("contribution_version", contribution_id),
                       lambda: store.fetchone("SELECT version FROM contributions WHERE id = ?", [contribution_id]))
    return (kind, contribution_id, row[0] if row else None)


def answer_blocks(store: Store, contribution_id: int) -> list[dict]:
    """The unit's own text in document order (no headings, copied questions or admin fields).

    Written once when the contribution is accepted and never changed, so read once per
    process: every rerun of the reading pane needs it. Callers check access first.
    """
    key = text_key(store, "answer_blocks", contribution_id)
    if key not in store.memo:
        rows = store.records(
            "SELECT block_id, section, intro_section, question_number, part_label, kind, text, images,"
            " notes, pictures, frame, appendix_code FROM contribution_blocks WHERE contribution_id = ?"
            # The city's ingress and the admin fields are not the unit's answer; the fields are
            # shown from the parsed intro instead.
            " AND coalesce(role, 'svar') = 'svar' ORDER BY ordinal",
            [contribution_id],
        )
        for row in rows:
            row["notes"] = json.loads(row["notes"]) if row["notes"] else []
            row["pictures"] = json.loads(row["pictures"]) if row["pictures"] else []
        store.memo[key] = rows
    return store.memo[key]


def picture_files(store: Store, user: User, contribution_id: int) -> dict[str, bytes]:
    """The contribution's pictures by their member in the file, for showing them in place.

    Read from the original file once per process, like the text: it never changes.
    """
    access.require_readable(store, user, contribution_id)
    return _picture_files(store, contribution_id)


def _picture_files(store: Store, contribution_id: int) -> dict[str, bytes]:
    key = text_key(store, "picture_files", contribution_id)
    if key not in store.memo:
        parts = {p["part"] for b in answer_blocks(store, contribution_id) for p in b["pictures"]}
        data = store.fetchone("SELECT original_file FROM contributions WHERE id = ?",
                              [contribution_id])[0] if parts else None
        store.memo[key] = pictures.picture_files(bytes(data), parts) if data is not None else {}
    return store.memo[key]


def contribution_content(store: Store, user: User, contribution_id: int) -> dict:
    """A contribution's unit, introduction fields, blocks grouped by question, and its
    appendices: those in the file (by appendix) and those sent as files of their own."""
    access.require_readable(store, user, contribution_id)
    head = store.records(
        "SELECT c.id, c.year, c.class_code, c.phase, c.intro, c.filename, u.name AS unit,"
        " u.organisation FROM contributions c JOIN units u ON u.id = c.unit_id WHERE c.id = ?",
        [contribution_id],
    )[0]
    head["intro"] = json.loads(head["intro"]) if head["intro"] else {}
    by_question: dict[int, list[dict]] = {}
    intro_blocks: list[dict] = []
    appendix_blocks: dict[str, list[dict]] = {}
    for block in answer_blocks(store, contribution_id):
        if block["section"] == "fraga":
            by_question.setdefault(block["question_number"], []).append(block)
        elif block["section"] == "inledning":
            intro_blocks.append(block)
        elif block["section"] == "bilaga":
            appendix_blocks.setdefault(block["appendix_code"] or "", []).append(block)
    head["answers"] = by_question
    head["intro_blocks"] = intro_blocks
    head["appendix_blocks"] = appendix_blocks
    head["appendix_files"] = appendix_files(store, contribution_id)
    head["picture_files"] = _picture_files(store, contribution_id)  # access checked above
    return head


def table_records(table: str | list[list[str]]) -> list[dict[str, str]]:
    """A table from a contribution (stored as JSON rows, or as rows), one record per row under
    the first row's headings."""
    rows = json.loads(table) if isinstance(table, str) else table
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:]] if rows else []


def appendix_files(store: Store, contribution_id: int) -> list[dict]:
    """The files that came beside the contribution (the plan, a PDF copy), with their text.

    They are added only while the file is under review, so once the contribution exists they
    never change: read once per process. Callers check access first.
    """
    key = text_key(store, "appendix_files", contribution_id)
    if key not in store.memo:
        store.memo[key] = [
            {**row, "paragraphs": json.loads(row["paragraphs"]) if row["paragraphs"] else None}
            for row in store.records("SELECT id, kind, appendix_code, filename, paragraphs FROM attachments"
                                     " WHERE contribution_id = ? ORDER BY id", [contribution_id])]
    return store.memo[key]


def my_progress(store: Store, user: User, year: int) -> list[dict]:
    """Per assigned contribution: the examiner's own assessment status and areas scored."""
    access.require(store, user, "assessment.progress")
    ids = access.visible_contribution_ids(store, user, year)
    if not ids:
        return []
    area_count = len(load_framework(year).areas)
    rows = store.records(
        "SELECT c.id, u.name AS unit, c.phase, a.status,"
        " (SELECT count(*) FROM assessment_areas aa WHERE aa.assessment_id = a.id"
        "   AND aa.area_score IS NOT NULL) AS areas_scored"
        " FROM contributions c JOIN units u ON u.id = c.unit_id"
        " LEFT JOIN assessments a ON a.contribution_id = c.id AND a.examiner_id = ?"
        f" WHERE c.id IN ({_in_clause(ids)}) ORDER BY u.name",
        [user.id, *ids],
    )
    for row in rows:
        row["status_label"] = phases.assessment_label(row["status"])
        row["areas_total"] = area_count
        row["phase_label"] = phases.ContributionPhase(row["phase"]).label
    return rows


def team_progress(store: Store, coordinator: User, year: int) -> list[dict]:
    """For a coordinator: each teammate's status on each of the team's contributions."""
    access.require(store, coordinator, "team.progress", year=year)
    rows = store.records(
        "SELECT u.name AS unit, c.id AS contribution_id, e.name AS examiner, a.status"
        " FROM teams t JOIN assignments s ON s.team_id = t.id"
        " JOIN contributions c ON c.id = s.contribution_id JOIN units u ON u.id = c.unit_id"
        " JOIN team_members m ON m.team_id = t.id JOIN users e ON e.id = m.user_id"
        " LEFT JOIN assessments a ON a.contribution_id = c.id AND a.examiner_id = e.id"
        " WHERE t.year = ? AND t.coordinator_id = ? ORDER BY u.name, e.name",
        [year, coordinator.id],
    )
    for row in rows:
        row["status_label"] = phases.assessment_label(row["status"])
    return rows


def year_status(store: Store, user: User, year: int) -> dict:
    """The admin's overview of a year: contributions by phase and class, work done."""
    access.require(store, user, "year.status")
    framework = load_framework(year)
    by_phase = dict(store.fetchall(
        "SELECT phase, count(*) FROM contributions WHERE year = ? GROUP BY phase", [year]
    ))
    by_class = dict(store.fetchall(
        "SELECT class_code, count(*) FROM contributions WHERE year = ? GROUP BY class_code", [year]
    ))
    assessments = dict(store.fetchall(
        "SELECT a.status, count(*) FROM assessments a JOIN contributions c"
        " ON c.id = a.contribution_id WHERE c.year = ? GROUP BY a.status",
        [year],
    ))
    expected = store.fetchone(
        "SELECT count(*) FROM assignments s JOIN contributions c ON c.id = s.contribution_id"
        " JOIN team_members m ON m.team_id = s.team_id WHERE c.year = ?",
        [year],
    )[0]
    unassigned = store.fetchone(
        "SELECT count(*) FROM contributions c WHERE year = ? AND NOT EXISTS"
        " (SELECT 1 FROM assignments a WHERE a.contribution_id = c.id)",
        [year],
    )[0]
    teams = store.fetchone("SELECT count(*) FROM teams WHERE year = ?", [year])[0]
    # Counted as the registry counts them (active accounts with a registry row), so that Start's
    # "in a team" and Examinatorer's total are counts of the same people.
    in_registry = "FROM examiners e JOIN users u ON u.id = e.user_id WHERE u.active"
    examiners = store.fetchone(
        f"SELECT count(*) {in_registry} AND e.user_id IN"
        " (SELECT m.user_id FROM team_members m JOIN teams t ON t.id = m.team_id WHERE t.year = ?)",
        [year],
    )[0]
    registered = store.fetchone(f"SELECT count(*) {in_registry}")[0]
    return {
        "contributions": sum(by_phase.values()),
        "by_phase": {phases.ContributionPhase(k).label: by_phase.get(k, 0) for k in phases.ContributionPhase},
        "by_class": {c.name: by_class.get(c.code, 0) for c in framework.classes},  # empty: no classes
        "assessments_expected": expected,
        "assessments_submitted": assessments.get("inlamnad", 0) + assessments.get("last", 0),
        "assessments_draft": assessments.get("utkast", 0),
        "unassigned": unassigned,
        "teams": teams,
        "examiners": examiners,
        "examiners_in_registry": registered,
    }


def year_progress(store: Store, user: User, year: int) -> list[dict]:
    """For the admin: every team member's status on every contribution of their team."""
    access.require(store, user, "year.status")
    rows = store.records(
        "SELECT t.name AS team, u.name AS unit, e.name AS examiner, a.status,"
        " (e.id = t.coordinator_id) AS coordinator"
        " FROM teams t JOIN assignments s ON s.team_id = t.id"
        " JOIN contributions c ON c.id = s.contribution_id JOIN units u ON u.id = c.unit_id"
        " JOIN team_members m ON m.team_id = t.id JOIN users e ON e.id = m.user_id"
        " LEFT JOIN assessments a ON a.contribution_id = c.id AND a.examiner_id = e.id"
        " WHERE t.year = ? ORDER BY t.name, u.name, e.name",
        [year],
    )
    for row in rows:
        row["status_label"] = phases.assessment_label(row["status"])
    return rows

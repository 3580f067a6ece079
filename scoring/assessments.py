"""Individual assessments as each role may see them: blind until one's own is submitted."""

from __future__ import annotations

import json

from scoring import access
from scoring.auth import User
from scoring.store import Store

SUBMITTED = ("inlamnad", "last")


def visible_assessments(store: Store, user: User, contribution_id: int) -> list[dict]:
    """The assessments of a contribution this user may read.

    The admin sees all. An examiner (the coordinator included) sees their own, and their
    teammates' submitted ones only after submitting their own, so that every judgement
    is made independently; drafts of others are never shown. The preparatory group and
    the jury see no individual assessments, only consensus results.
    """
    access.require_contribution(store, user, contribution_id)
    rows = store.records(
        "SELECT a.id, a.examiner_id, u.name AS examiner, a.status, a.submitted_at FROM assessments a"
        " JOIN users u ON u.id = a.examiner_id WHERE a.contribution_id = ? ORDER BY u.name",
        [contribution_id],
    )
    if user.role == "admin":
        visible = rows
    elif user.role == "examinator":
        own = next((r for r in rows if r["examiner_id"] == user.id), None)
        own_done = own is not None and own["status"] in SUBMITTED
        visible = [r for r in rows if r["examiner_id"] == user.id or (own_done and r["status"] in SUBMITTED)]
    else:
        visible = []
    for row in visible:
        row["areas"] = {
            r[0]: {"criteria": json.loads(r[1]) if r[1] else {}, "score": r[2]}
            for r in store.fetchall(
                "SELECT area_code, criterion_scores, area_score FROM assessment_areas WHERE assessment_id = ?",
                [row["id"]])
        }
    return visible

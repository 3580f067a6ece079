"""Individual assessment: scores, findings, anchors, versions, submit, reopen, visibility."""

from __future__ import annotations

import json

import pytest
from helpers import not_started, score_everything

from scoring.assessment import individual as assessments
from scoring.assessment.individual import AssessmentError
from scoring.core import access, auth
from scoring.core.errors import StaleWrite
from scoring.year import phases
from scoring.year.framework import load_framework
from workbench_tools.demo import DEMO_YEAR

FRAMEWORK = load_framework(DEMO_YEAR)


def test_criteria_scores_give_the_area_score_as_the_framework_defines(demo_store):
    user, cid = not_started(demo_store)
    area = FRAMEWORK.areas[0]
    assert assessments.own_assessment(demo_store, user, cid).version == 0
    version = 0
    for criterion, value in zip(area.criteria[:3], (40, 55, 70), strict=True):
        version = assessments.set_criterion_score(demo_store, user, cid, version, area.code, criterion.code, value)
    work = assessments.own_assessment(demo_store, user, cid)
    assert work.status == "utkast" and work.version == version == 3
    scores = work.areas[area.code].criteria
    assert work.areas[area.code].score == FRAMEWORK.area_score_for(area.code, scores)
    # 40, 55, 70 with equal weights: mean 55, on the scale.
    assert work.areas[area.code].score == 55
    version = assessments.set_criterion_score(demo_store, user, cid, version, area.code, area.criteria[0].code, None)
    work = assessments.own_assessment(demo_store, user, cid)
    assert area.criteria[0].code not in work.areas[area.code].criteria
    assert work.areas[area.code].score == FRAMEWORK.scale.snap((55 + 70) / 2)
    phase = demo_store.fetchone("SELECT phase FROM contributions WHERE id = ?", [cid])[0]
    assert phase == "individuell_bedomning"


@pytest.mark.parametrize("value, criterion", [(42, None), (105, None), (50, "okand")])
def test_scores_off_the_scale_or_unknown_criteria_are_refused(demo_store, value, criterion):
    user, cid = not_started(demo_store)
    area = FRAMEWORK.areas[0]
    with pytest.raises(AssessmentError) as caught:
        assessments.set_criterion_score(demo_store, user, cid, 0, area.code, criterion or area.criteria[0].code, value)
    assert ("skalan" in str(caught.value)) if criterion is None else ("okand" in str(caught.value))
    assert assessments.own_assessment(demo_store, user, cid).id is None  # nothing half written


def test_findings_with_questions_and_anchors(demo_store):
    user, cid = not_started(demo_store)
    area = FRAMEWORK.areas[1]
    passages = assessments.passages(demo_store, user, cid)
    own = [b for b, p in passages.items() if p["question_number"] == area.questions[0].number]
    assert own and passages[own[0]]["label"].startswith(f"Fråga {area.questions[0].number}")
    version = assessments.add_finding(demo_store, user, cid, 0, area_code=area.code, kind="styrka",
                                      text="  Målen förankras i samtal.  ", examples="Exempel",
                                      questions=[area.questions[0].number], anchors=own[:2])
    work = assessments.own_assessment(demo_store, user, cid)
    finding = work.areas[area.code].findings[0]
    assert (finding.kind, finding.text, finding.questions, finding.anchors) == (
        "styrka", "Målen förankras i samtal.", [area.questions[0].number], own[:2])
    assert assessments.quote(passages[own[0]]) in passages[own[0]]["text"] or "…" in assessments.quote(passages[own[0]])
    version = assessments.update_finding(demo_store, user, cid, version, finding.id, text="Ny text",
                                         questions=[], anchors=[])
    assert assessments.own_assessment(demo_store, user, cid).areas[area.code].findings[0].text == "Ny text"
    assessments.delete_finding(demo_store, user, cid, version, finding.id)
    assert not assessments.own_assessment(demo_store, user, cid).areas[area.code].findings


@pytest.mark.parametrize("change, message", [
    ({"text": "   "}, "tom"),
    ({"text": "x" * 5001}, "5001 tecken"),
    ({"kind": "beröm"}, "Okänd typ"),
    ({"questions": [1]}, "hör inte till"),
    ({"anchors": ["b9999"]}, "b9999"),
])
def test_bad_findings_are_refused_with_a_clear_message(demo_store, change, message):
    user, cid = not_started(demo_store)
    area = FRAMEWORK.areas[2]
    fields = {"area_code": area.code, "kind": "utvecklingsomrade", "text": "Det framgår inte hur.", **change}
    with pytest.raises(AssessmentError, match=message):
        assessments.add_finding(demo_store, user, cid, 0, **fields)


def test_notes_and_site_visit_questions(demo_store):
    user, cid = not_started(demo_store)
    version = assessments.set_note(demo_store, user, cid, 0, 3, "Läs igen")
    version = assessments.set_site_visit_questions(demo_store, user, cid, version, "malgrupp",
                                                   ["Hur följs det upp?", "  ", "Vem deltar?"])
    work = assessments.own_assessment(demo_store, user, cid)
    assert work.notes == {3: "Läs igen"}
    assert work.areas["malgrupp"].site_visit_questions == ["Hur följs det upp?", "Vem deltar?"]
    assessments.set_note(demo_store, user, cid, version, 3, "")
    assert assessments.own_assessment(demo_store, user, cid).notes == {}
    with pytest.raises(AssessmentError, match="högst 30"):
        assessments.set_site_visit_questions(demo_store, user, cid, version + 1, "malgrupp", ["?"] * 31)


def test_a_stale_save_is_refused_and_says_what_changed(demo_store):
    user, cid = not_started(demo_store)
    area = FRAMEWORK.areas[0]
    first_window = assessments.set_criterion_score(demo_store, user, cid, 0, area.code, area.criteria[0].code, 50)
    # A second tab, opened now, saves twice.
    second = assessments.set_criterion_score(demo_store, user, cid, first_window, area.code, area.criteria[1].code, 60)
    assessments.set_note(demo_store, user, cid, second, 1, "från den andra fliken")
    with pytest.raises(StaleWrite) as caught:
        assessments.set_criterion_score(demo_store, user, cid, first_window, area.code, area.criteria[0].code, 90)
    assert caught.value.current_version == first_window + 2
    assert len(caught.value.changes) == 2 and "anteckning fråga 1" in caught.value.changes[-1]
    work = assessments.own_assessment(demo_store, user, cid)
    assert work.areas[area.code].criteria[area.criteria[0].code] == 50  # the stale write left nothing
    # Saving again from the current version is the visible "last save wins".
    assessments.set_criterion_score(demo_store, user, cid, work.version, area.code, area.criteria[0].code, 90)
    assert assessments.own_assessment(demo_store, user, cid).areas[area.code].criteria[area.criteria[0].code] == 90


def test_submit_needs_every_criterion_then_locks(demo_store):
    user, cid = not_started(demo_store)
    version = assessments.set_criterion_score(demo_store, user, cid, 0, "malgrupp", "insikt", 50)
    with pytest.raises(AssessmentError, match="Poäng saknas för") as caught:
        assessments.submit(demo_store, user, cid, version)
    assert "Delaktighet och inflytande" in str(caught.value)
    version = score_everything(demo_store, user, cid, version)
    assessments.submit(demo_store, user, cid, version)
    work = assessments.own_assessment(demo_store, user, cid)
    assert work.status == "inlamnad" and work.submitted_at is not None and not work.editable
    with pytest.raises(AssessmentError, match="inlämnad och låst"):
        assessments.set_note(demo_store, user, cid, work.version, 1, "för sent")


def test_the_coordinator_reopens_with_a_reason_others_may_not(demo_store):
    user, cid = not_started(demo_store)
    version = score_everything(demo_store, user, cid, 0)
    assessments.submit(demo_store, user, cid, version)
    aid = assessments.own_assessment(demo_store, user, cid).id
    coordinator = auth.User(*demo_store.fetchone(
        "SELECT u.id, u.email, u.name, u.role FROM assignments s JOIN teams t ON t.id = s.team_id"
        " JOIN users u ON u.id = t.coordinator_id WHERE s.contribution_id = ?", [cid]))
    teammate = auth.User(*demo_store.fetchone(
        "SELECT u.id, u.email, u.name, u.role FROM assignments s JOIN team_members m ON m.team_id = s.team_id"
        " JOIN teams t ON t.id = s.team_id JOIN users u ON u.id = m.user_id"
        " WHERE s.contribution_id = ? AND u.id NOT IN (?, t.coordinator_id) LIMIT 1", [cid, user.id]))
    for outsider in (user, teammate, auth.user_by_email(demo_store, "jury@demo.stockholm.se")):
        with pytest.raises(access.AccessDenied):
            assessments.reopen(demo_store, outsider, aid, "vill ändra")
    with pytest.raises(AssessmentError, match="varför"):
        assessments.reopen(demo_store, coordinator, aid, "  ")
    assessments.reopen(demo_store, coordinator, aid, "Komplettera Medarbetarskap")
    work = assessments.own_assessment(demo_store, user, cid)
    assert work.editable and work.reopened_reason == "Komplettera Medarbetarskap"
    assert work.reopened_by == coordinator.name
    with pytest.raises(AssessmentError, match="inte inlämnad"):
        assessments.reopen(demo_store, coordinator, aid, "igen")
    audit = demo_store.fetchone("SELECT actor, after_value FROM audit_log WHERE action = 'öppnade bedömningen igen'"
                                " AND entity_id = ?", [str(aid)])
    assert audit[0] == coordinator.email and json.loads(audit[1])["reason"] == "Komplettera Medarbetarskap"


def test_a_locked_assessment_cannot_be_reopened(demo_store):
    aid, cid = demo_store.fetchone("SELECT id, contribution_id FROM assessments WHERE status = 'last' LIMIT 1")
    admin = auth.user_by_email(demo_store, "kvalitetsenheten@demo.stockholm.se")
    with pytest.raises(AssessmentError, match="Konsensus har inletts"):
        assessments.reopen(demo_store, admin, aid, "ändra")


def test_teammates_stay_hidden_until_one_has_submitted(demo_store):
    user, cid = not_started(demo_store)
    submitted_by_others = demo_store.fetchone(
        "SELECT count(*) FROM assessments WHERE contribution_id = ? AND status IN ('inlamnad', 'last')", [cid])[0]
    assessments.add_finding(demo_store, user, cid, 0, area_code="malgrupp", kind="styrka", text="Egen")
    seen = assessments.visible_assessments(demo_store, user, cid)
    assert [r["examiner_id"] for r in seen] == [user.id]
    version = score_everything(demo_store, user, cid, 1)
    assessments.submit(demo_store, user, cid, version)
    seen = assessments.visible_assessments(demo_store, user, cid)
    assert len(seen) == submitted_by_others + 1
    assert all(r["status"] in phases.SUBMITTED for r in seen)
    own = next(r for r in seen if r["examiner_id"] == user.id)
    assert own["areas"]["malgrupp"]["findings"][0].text == "Egen"


def test_only_the_examiner_works_on_their_own_assessment(demo_store):
    user, cid = not_started(demo_store)
    admin = auth.user_by_email(demo_store, "kvalitetsenheten@demo.stockholm.se")
    with pytest.raises(access.AccessDenied):
        assessments.own_assessment(demo_store, admin, cid)
    foreign = demo_store.fetchone(
        "SELECT s.contribution_id FROM assignments s WHERE s.team_id NOT IN"
        " (SELECT team_id FROM team_members WHERE user_id = ?) LIMIT 1", [user.id])[0]
    with pytest.raises(access.AccessDenied):
        assessments.set_note(demo_store, user, foreign, 0, 1, "intrång")
    undeclared_user, undeclared_cid = demo_store.fetchone(
        "SELECT m.user_id, s.contribution_id FROM assignments s JOIN team_members m ON m.team_id = s.team_id"
        " WHERE NOT EXISTS (SELECT 1 FROM conflict_declarations d WHERE d.user_id = m.user_id"
        " AND d.contribution_id = s.contribution_id) LIMIT 1")
    other = auth.User(*demo_store.fetchone("SELECT id, email, name, role FROM users WHERE id = ?", [undeclared_user]))
    with pytest.raises(access.DeclarationRequired):
        assessments.set_note(demo_store, other, undeclared_cid, 0, 1, "utan deklaration")


def test_every_change_is_audited_with_its_version(demo_store):
    user, cid = not_started(demo_store)
    version = assessments.set_note(demo_store, user, cid, 0, 2, "a")
    version = assessments.add_finding(demo_store, user, cid, version, area_code="malgrupp", kind="styrka", text="b")
    aid = assessments.own_assessment(demo_store, user, cid).id
    rows = demo_store.fetchall(
        "SELECT actor, after_value FROM audit_log WHERE entity = 'assessments' AND entity_id = ? ORDER BY at_time",
        [str(aid)])
    assert [json.loads(r[1])["version"] for r in rows] == [1, 2]
    assert {r[0] for r in rows} == {user.email}


def test_a_save_that_changes_nothing_writes_nothing(demo_store):
    """A widget may report the value it already holds (Streamlit replays a stale widget state
    after a rerun): such a save must not clear a score, bump the version or log anything."""
    user, cid = not_started(demo_store)
    area = FRAMEWORK.areas[0]
    # Before anything is saved, an empty note or no questions do not even start the assessment.
    assert assessments.set_note(demo_store, user, cid, 0, area.questions[0].number, "") == 0
    assert assessments.set_site_visit_questions(demo_store, user, cid, 0, area.code, []) == 0
    assert assessments.own_assessment(demo_store, user, cid).id is None
    version = assessments.set_criterion_score(demo_store, user, cid, 0, area.code, area.criteria[0].code, 60)
    version = assessments.add_finding(demo_store, user, cid, version, area_code=area.code, kind="styrka",
                                      text="Målen följs upp.", questions=[area.questions[0].number])
    finding = assessments.own_assessment(demo_store, user, cid).areas[area.code].findings[0]
    logged = demo_store.fetchone("SELECT count(*) FROM audit_log")[0]
    same = [
        assessments.set_criterion_score(demo_store, user, cid, version, area.code, area.criteria[0].code, 60),
        assessments.update_finding(demo_store, user, cid, version, finding.id, text="Målen följs upp.",
                                   questions=[area.questions[0].number]),
        assessments.set_note(demo_store, user, cid, version, area.questions[0].number, "  "),
        assessments.set_site_visit_questions(demo_store, user, cid, version, area.code, [""]),
    ]
    assert same == [version] * 4
    work = assessments.own_assessment(demo_store, user, cid)
    assert work.version == version and work.areas[area.code].criteria == {area.criteria[0].code: 60}
    assert demo_store.fetchone("SELECT count(*) FROM audit_log")[0] == logged
    # A real change still goes through, with its version.
    assert assessments.update_finding(demo_store, user, cid, version, finding.id, text="Målen följs upp varje år.",
                                      questions=[area.questions[0].number]) == version + 1

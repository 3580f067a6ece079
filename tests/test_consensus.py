"""Consensus workflow: locks, phases, traced changes, stale edits, site visit, proposal gating."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from helpers import agree_everything, ready, through_to_the_feedback

from scoring.assessment import individual as assessments
from scoring.consensus import workspace as consensus
from scoring.core import access, auth
from scoring.core.errors import StaleWrite
from scoring.intake import eligibility
from scoring.year.framework import load_framework
from workbench_tools.demo import DEMO_YEAR

FRAMEWORK = load_framework(DEMO_YEAR)
ADMIN = "kvalitetsenheten@demo.stockholm.se"


def test_opening_consensus_locks_the_individual_assessments(demo_store):
    cid, lead = ready(demo_store)
    assert consensus.workspace(demo_store, lead, cid).individual == {}  # nothing shown before it opens
    version = consensus.open_consensus(demo_store, lead, cid, 0)
    work = consensus.workspace(demo_store, lead, cid)
    assert work.phase == "konsensus" and work.version == version == 1
    assert len(work.examiners) >= 3 and work.source_findings
    statuses = {r[0] for r in demo_store.fetchall("SELECT status FROM assessments WHERE contribution_id = ?", [cid])}
    assert statuses == {"last"}
    aid = demo_store.fetchone("SELECT id FROM assessments WHERE contribution_id = ? LIMIT 1", [cid])[0]
    with pytest.raises(assessments.AssessmentError, match="Konsensus har inletts"):
        assessments.reopen(demo_store, lead, aid, "ändra")


def test_consensus_cannot_open_before_everyone_has_submitted(demo_store):
    cid, email = demo_store.fetchone(
        "SELECT c.id, u.email FROM contributions c JOIN assignments s ON s.contribution_id = c.id"
        " JOIN teams t ON t.id = s.team_id JOIN users u ON u.id = t.coordinator_id"
        " WHERE c.phase = 'individuell_bedomning' AND EXISTS (SELECT 1 FROM team_members m"
        "  LEFT JOIN assessments a ON a.examiner_id = m.user_id AND a.contribution_id = c.id"
        "  WHERE m.team_id = t.id AND coalesce(a.status, '') <> 'inlamnad') ORDER BY c.id LIMIT 1")
    with pytest.raises(consensus.ConsensusError, match="Alla i laget har inte lämnat in"):
        consensus.open_consensus(demo_store, auth.user_by_email(demo_store, email), cid, 0)


def test_only_the_coordinator_of_the_team_and_the_admin_lead(demo_store):
    cid, lead = ready(demo_store)
    member = auth.User(*demo_store.fetchone(
        "SELECT u.id, u.email, u.name, u.role FROM assignments s JOIN team_members m ON m.team_id = s.team_id"
        " JOIN teams t ON t.id = s.team_id JOIN users u ON u.id = m.user_id"
        " WHERE s.contribution_id = ? AND u.id <> t.coordinator_id LIMIT 1", [cid]))
    other_lead = auth.User(*demo_store.fetchone(
        "SELECT u.id, u.email, u.name, u.role FROM teams t JOIN users u ON u.id = t.coordinator_id"
        " WHERE t.coordinator_id <> ? LIMIT 1", [lead.id]))
    for outsider in (member, other_lead, auth.user_by_email(demo_store, "jury@demo.stockholm.se")):
        with pytest.raises(access.AccessDenied):
            consensus.workspace(demo_store, outsider, cid)
        with pytest.raises(access.AccessDenied):
            consensus.open_consensus(demo_store, outsider, cid, 0)
    admin = auth.user_by_email(demo_store, ADMIN)
    assert consensus.workspace(demo_store, admin, cid).contribution_id == cid


def test_every_score_change_keeps_before_after_who_when_and_why(demo_store):
    cid, lead = ready(demo_store)
    version = consensus.open_consensus(demo_store, lead, cid, 0)
    area = FRAMEWORK.areas[0]
    code = area.criteria[0].code
    version = consensus.set_score(demo_store, lead, cid, version, area.code, code, 60)
    with pytest.raises(consensus.ConsensusError, match="Skälet till ändringen saknas"):
        consensus.set_score(demo_store, lead, cid, version, area.code, code, 70)
    version = consensus.set_score(demo_store, lead, cid, version, area.code, code, 70, "Fråga 2 visar mer.")
    with pytest.raises(consensus.ConsensusError, match="skalan"):
        consensus.set_score(demo_store, lead, cid, version, area.code, code, 72, "x")
    changes = consensus.workspace(demo_store, lead, cid).score_changes
    assert [(c["score_before"], c["score_after"], c["reason"], c["changed_by"]) for c in changes] == [
        (None, 60, "Konsensus", lead.name), (60, 70, "Fråga 2 visar mer.", lead.name)]
    assert all(c["changed_at"] is not None for c in changes)


def test_two_people_on_different_areas_do_not_collide_but_on_the_same_area_do(demo_store):
    cid, lead = ready(demo_store)
    admin = auth.user_by_email(demo_store, ADMIN)
    version = consensus.open_consensus(demo_store, lead, cid, 0)
    first, second = FRAMEWORK.areas[0], FRAMEWORK.areas[1]
    # Both read the same version; the admin agrees a score in the first area.
    consensus.set_score(demo_store, admin, cid, version, first.code, first.criteria[0].code, 50)
    # The coordinator's save in the second area goes through on top of it.
    after = consensus.set_score(demo_store, lead, cid, version, second.code, second.criteria[0].code, 60)
    assert after == version + 2
    scores = consensus.workspace(demo_store, lead, cid).scores
    assert scores[first.code][first.criteria[0].code] == 50 and scores[second.code][second.criteria[0].code] == 60
    # In the first area the same old version is refused, with what was saved meanwhile.
    with pytest.raises(StaleWrite) as caught:
        consensus.set_rationale(demo_store, lead, cid, version, first.code, "Samordnarens text")
    assert caught.value.current_version == version + 2
    assert any(admin.email in c and f"konsensuspoäng {first.code}" in c for c in caught.value.changes)
    # A step that rests on all of it is refused after any change.
    with pytest.raises(StaleWrite):
        consensus.advance(demo_store, lead, cid, version + 1)


def test_a_stale_save_by_a_second_person_is_refused_with_what_changed(demo_store):
    cid, lead = ready(demo_store)
    admin = auth.user_by_email(demo_store, ADMIN)
    version = consensus.open_consensus(demo_store, lead, cid, 0)
    area = FRAMEWORK.areas[0]
    # Both read version 1; the admin saves first.
    consensus.set_rationale(demo_store, admin, cid, version, area.code, "Kvalitetsenhetens text")
    with pytest.raises(StaleWrite) as caught:
        consensus.set_rationale(demo_store, lead, cid, version, area.code, "Samordnarens text")
    assert caught.value.current_version == version + 1
    assert any(admin.email in c and "motivering" in c for c in caught.value.changes)
    assert consensus.workspace(demo_store, lead, cid).area_rationales[area.code] == "Kvalitetsenhetens text"


def test_what_was_saved_meanwhile_reads_with_names_fields_values_and_stockholm_time(demo_store):
    cid, lead = ready(demo_store)
    admin = auth.user_by_email(demo_store, ADMIN)
    version = consensus.open_consensus(demo_store, lead, cid, 0)
    area = FRAMEWORK.areas[0]
    criterion = area.criteria[0]
    before = dt.datetime.now(dt.UTC)
    version = consensus.set_score(demo_store, admin, cid, version, area.code, criterion.code, 65)
    version = consensus.set_rationale(demo_store, admin, cid, version, area.code, "Kvalitetsenhetens text")
    consensus.add_finding(demo_store, admin, cid, version, area_code=None, kind="styrka", text="Ett nyckeltema.")
    saved = consensus.saved_meanwhile(demo_store, lead, cid, 1)
    assert [(s.who, s.what, s.value) for s in saved] == [
        (admin.name, f"Konsensuspoäng {area.title}: {criterion.title}", "65 poäng"),
        (admin.name, f"Motivering {area.title}", "Kvalitetsenhetens text"),
        (admin.name, "Nyckeltema (ny)", "Ett nyckeltema."),
    ]
    stockholm = before.astimezone(ZoneInfo("Europe/Stockholm")).replace(tzinfo=None)
    assert abs(saved[0].when - stockholm) < dt.timedelta(minutes=1)
    assert consensus.saved_meanwhile(demo_store, lead, cid, version + 1) == []


def test_actions_outside_their_phase_are_refused(demo_store):
    cid, lead = ready(demo_store)
    with pytest.raises(consensus.ConsensusError, match="fasen individuell bedömning"):
        consensus.set_score(demo_store, lead, cid, 0, FRAMEWORK.areas[0].code, FRAMEWORK.areas[0].criteria[0].code, 50)
    version = consensus.open_consensus(demo_store, lead, cid, 0)
    with pytest.raises(consensus.ConsensusError, match="platsbesök"):
        consensus.save_visit(demo_store, lead, cid, version, date=dt.date(2026, 9, 1), participants="", documents={})
    with pytest.raises(consensus.ConsensusError, match="återkoppling klar"):
        consensus.submit_proposal(demo_store, lead, cid, version, "inget", "Nej")
    with pytest.raises(consensus.ConsensusError, match="Det återstår"):
        consensus.advance(demo_store, lead, cid, version)


def test_the_gates_from_consensus_to_proposal(demo_store):
    cid, lead = ready(demo_store)
    version = consensus.open_consensus(demo_store, lead, cid, 0)
    work = consensus.workspace(demo_store, lead, cid)
    problems = consensus.problems_before(work, FRAMEWORK, "platsbesok")
    assert any("konsensuspoäng saknas" in p for p in problems) and any("minst en styrka" in p for p in problems)
    version = agree_everything(demo_store, lead, cid, version)
    assert consensus.problems_before(consensus.workspace(demo_store, lead, cid), FRAMEWORK, "platsbesok") == []
    version = consensus.advance(demo_store, lead, cid, version)
    work = consensus.workspace(demo_store, lead, cid)
    assert work.phase == "platsbesok" and work.site_visit.questions
    assert {q["source"] for q in work.site_visit.questions} >= {"konsensus"}
    assert set(consensus.problems_before(work, FRAMEWORK, "slutlig_konsensus")) >= {
        "Datum för platsbesöket saknas.", "Deltagare i platsbesöket saknas."}
    with pytest.raises(consensus.ConsensusError, match="Dokumentlistan"):
        consensus.save_visit(demo_store, lead, cid, version, date=None, participants="", documents={"Okänt": "sedd"})
    version = consensus.save_visit(demo_store, lead, cid, version, date=dt.date(2026, 9, 22), participants="Laget",
                                   documents={d: "sedd" for d in FRAMEWORK.site_visit_documents})
    questions = [{**q, "outcome": "bekraftad"} for q in work.site_visit.questions]
    questions[0]["outcome"] = "ny_information"
    version = consensus.save_questions(demo_store, lead, cid, version, questions)
    version = consensus.advance(demo_store, lead, cid, version)
    assert consensus.workspace(demo_store, lead, cid).phase == "slutlig_konsensus"
    # After the visit a changed finding needs its reason and keeps before/after.
    finding = consensus.workspace(demo_store, lead, cid).findings[0]
    with pytest.raises(consensus.ConsensusError, match="Skälet till ändringen efter platsbesöket saknas"):
        consensus.update_finding(demo_store, lead, cid, version, finding.id, text="Ny lydelse.")
    version = consensus.update_finding(demo_store, lead, cid, version, finding.id, text="Ny lydelse.",
                                       reason="Bekräftat vid besöket.")
    change = consensus.workspace(demo_store, lead, cid).finding_changes[-1]
    assert (change["text_before"], change["text_after"], change["reason"]) == (
        finding.text, "Ny lydelse.", "Bekräftat vid besöket.")
    with pytest.raises(consensus.ConsensusError, match="Nyckeltemana ska vara 3–5 styrkor"):
        consensus.advance(demo_store, lead, cid, version)
    for kind in ("styrka", "utvecklingsomrade"):
        for n in range(3):
            version = consensus.add_finding(demo_store, lead, cid, version, area_code=None, kind=kind, text=f"Tema {n}")
    version = consensus.advance(demo_store, lead, cid, version)
    assert consensus.workspace(demo_store, lead, cid).phase == "aterkoppling_klar"
    version = consensus.submit_proposal(demo_store, lead, cid, version, "utmarkelse", "Lärande i alla delar.")
    work = consensus.workspace(demo_store, lead, cid)
    assert work.phase == "forslag_lamnat" and work.proposal["proposal"] == "utmarkelse"


@pytest.mark.parametrize("facts, proposal, message", [
    ({"previous_year_deficit": True}, "utmarkelse", "kan inte få utmärkelsen"),
    ({"employees_including_manager": 2}, "hedersomnamnande", "får inte delta"),
    ({"basic_control": eligibility.BasicControl()}, "utmarkelse", "grundläggande kontrollen är inte klar"),
    # An honourable mention, which also carries prize money, needs the same complete control (2026).
    ({"basic_control": eligibility.BasicControl()}, "hedersomnamnande", "grundläggande kontrollen är inte klar"),
])
def test_the_proposal_respects_eligibility(demo_store, facts, proposal, message):
    cid, lead = ready(demo_store)
    admin = auth.user_by_email(demo_store, ADMIN)
    current = eligibility.register(demo_store, admin, cid)[0]
    eligibility.record(demo_store, admin, cid, eligibility.Facts(**{**current.__dict__, **facts}))
    version = through_to_the_feedback(demo_store, lead, cid)
    with pytest.raises(consensus.ConsensusError, match=message):
        consensus.submit_proposal(demo_store, lead, cid, version, proposal, "Motivering")
    # "Inget förslag" is always possible.
    consensus.submit_proposal(demo_store, lead, cid, version, "inget", "Verksamheten uppfyller inte villkoren.")
    assert consensus.workspace(demo_store, lead, cid).proposal["proposal"] == "inget"


def test_agreement_for_the_contribution_and_the_year(demo_store):
    cid, lead = ready(demo_store)
    version = consensus.open_consensus(demo_store, lead, cid, 0)
    agree_everything(demo_store, lead, cid, version)
    result = consensus.contribution_agreement(consensus.workspace(demo_store, lead, cid))
    assert result["alpha"] is not None and -1 <= result["alpha"] <= 1
    assert set(result["deviations"]) == set(consensus.workspace(demo_store, lead, cid).examiners)
    admin = auth.user_by_email(demo_store, ADMIN)
    year = consensus.year_agreement(demo_store, admin, DEMO_YEAR)
    assert any(c["alpha"] == pytest.approx(result["alpha"]) for c in year["contributions"])
    with pytest.raises(access.AccessDenied):
        consensus.year_agreement(demo_store, lead, DEMO_YEAR)

"""Which pages each role gets and which contributions each person may read."""

from __future__ import annotations

import pytest
from helpers import team_of

from scoring.core import access, auth
from scoring.jury import members
from scoring.teams import conflicts
from scoring.year import contributions
from workbench_tools.demo import DEMO_YEAR


def _user(store, email):
    return auth.user_by_email(store, email)


def _team_units(store, user):
    return {
        r[0]
        for r in store.fetchall(
            "SELECT c.id FROM contributions c JOIN assignments a ON a.contribution_id = c.id"
            " JOIN team_members m ON m.team_id = a.team_id WHERE m.user_id = ?",
            [user.id],
        )
    }


@pytest.mark.parametrize(
    ("email", "pages", "label"),
    [
        ("kvalitetsenheten@demo.stockholm.se", ["start", "aretsgang", "ar", "skriv_anvisningar", "anmalningar", "intag", "granskning", "behorighet", "examinatorer", "lag", "konsensus", "rapporter", "aterbesok", "mallar", "beredning", "beslut", "resultat", "arkiv", "bidrag", "anvisningar",
          "konton", "utskick", "logg", "meddelanden"],
         "Kvalitetsenheten"),
        ("erik.lind@demo.stockholm.se", ["start", "bedomning", "bidrag", "anvisningar", "meddelanden"], "Examinator"),
        ("lisa.berg@demo.stockholm.se", ["start", "bedomning", "konsensus", "rapporter", "aterbesok", "bidrag", "anvisningar",
                                         "meddelanden"], "Lagsamordnare"),
        ("beredning@demo.stockholm.se", ["start", "beredning", "arkiv", "anvisningar", "meddelanden"], "Beredningsgrupp"),
        ("jury@demo.stockholm.se", ["start", "beredning", "beslut", "arkiv", "anvisningar", "meddelanden"], "Domarkommittén"),
    ],
)
def test_pages_per_role(demo_store, email, pages, label):
    user = _user(demo_store, email)
    assert access.page_keys(demo_store, user, DEMO_YEAR) == pages
    assert access.role_label(demo_store, user, DEMO_YEAR) == label


def test_an_examiner_reads_only_the_team_contributions(demo_store):
    examiner = _user(demo_store, "erik.lind@demo.stockholm.se")
    visible = set(access.visible_contribution_ids(demo_store, examiner, DEMO_YEAR))
    assert visible == _team_units(demo_store, examiner) and len(visible) == 2
    others = {r[0] for r in demo_store.fetchall("SELECT id FROM contributions")} - visible
    assert others
    for cid in others:
        with pytest.raises(access.AccessDenied):
            contributions.contribution_content(demo_store, examiner, cid)
    for cid in visible:
        if access.needs_declaration(demo_store, examiner, cid):
            with pytest.raises(access.DeclarationRequired):
                contributions.contribution_content(demo_store, examiner, cid)
            conflicts.declare(demo_store, examiner, cid, has_conflict=False, confidentiality_accepted=True)
        assert contributions.contribution_content(demo_store, examiner, cid)["answers"]
    listed = {c["id"] for c in contributions.contributions_for(demo_store, examiner, DEMO_YEAR)}
    assert listed == visible


def test_a_declared_conflict_removes_the_contribution(demo_store):
    examiner = _user(demo_store, "erik.lind@demo.stockholm.se")
    cid = access.visible_contribution_ids(demo_store, examiner, DEMO_YEAR)[0]
    with demo_store.write(examiner.email) as uow:
        uow.execute(
            "INSERT INTO conflict_declarations (contribution_id, user_id, has_conflict,"
            " confidentiality_accepted) VALUES (?, ?, TRUE, TRUE)", [cid, examiner.id])
    assert cid not in access.visible_contribution_ids(demo_store, examiner, DEMO_YEAR)


def test_admin_sees_all_and_the_jury_sees_only_proposed(demo_store):
    admin = _user(demo_store, "kvalitetsenheten@demo.stockholm.se")
    jury = _user(demo_store, "jury@demo.stockholm.se")
    beredning = _user(demo_store, "beredning@demo.stockholm.se")
    all_ids = [r[0] for r in demo_store.fetchall("SELECT id FROM contributions WHERE year = ? ORDER BY id",
                                                 [DEMO_YEAR])]
    assert access.visible_contribution_ids(demo_store, admin, DEMO_YEAR) == all_ids
    # The candidates: proposed for an award or an honourable mention ("inget förslag" is no candidate).
    proposed = [r[0] for r in demo_store.fetchall(
        "SELECT p.contribution_id FROM proposals p JOIN contributions c ON c.id = p.contribution_id"
        " WHERE c.year = ? AND p.proposal <> 'inget' ORDER BY 1", [DEMO_YEAR])]
    assert access.visible_contribution_ids(demo_store, jury, DEMO_YEAR) == proposed
    unproposed = [r[0] for r in demo_store.fetchall(
        "SELECT id FROM contributions c WHERE year = ? AND NOT EXISTS (SELECT 1 FROM proposals p"
        " WHERE p.contribution_id = c.id) ORDER BY id", [DEMO_YEAR])]
    with demo_store.write("lag") as uow:
        uow.execute("INSERT INTO proposals (contribution_id, proposal, motivation, submitted_by)"
                    " VALUES (?, 'utmarkelse', 'Motivering', 'lag')", [unproposed[0]])
    assert access.visible_contribution_ids(demo_store, beredning, DEMO_YEAR) == sorted([*proposed, unproposed[0]])
    # A jury member sees a new candidate only after declaring on it.
    assert access.visible_contribution_ids(demo_store, jury, DEMO_YEAR) == []
    members.declare(demo_store, jury, DEMO_YEAR, {unproposed[0]: False})
    assert access.visible_contribution_ids(demo_store, jury, DEMO_YEAR) == sorted([*proposed, unproposed[0]])
    with pytest.raises(access.AccessDenied):
        contributions.contribution_content(demo_store, jury, unproposed[1])


def test_progress_views_are_for_their_roles_only(demo_store):
    examiner = _user(demo_store, "erik.lind@demo.stockholm.se")
    coordinator = _user(demo_store, "lisa.berg@demo.stockholm.se")
    admin = _user(demo_store, "kvalitetsenheten@demo.stockholm.se")
    with pytest.raises(access.AccessDenied):
        contributions.team_progress(demo_store, examiner, DEMO_YEAR)
    with pytest.raises(access.AccessDenied):
        contributions.year_status(demo_store, coordinator, DEMO_YEAR)
    team = contributions.team_progress(demo_store, coordinator, DEMO_YEAR)
    assert {r["examiner"] for r in team} == team_of(demo_store, coordinator.email)["members"]
    status = contributions.year_status(demo_store, admin, DEMO_YEAR)
    assert status["contributions"] == 9 and status["teams"] == 5
    assert status["assessments_submitted"] + status["assessments_draft"] <= status["assessments_expected"]

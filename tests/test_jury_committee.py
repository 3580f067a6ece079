"""Who goes to the jury, and the jury as people (issue 17, item 6): only proposals for an
award or an honourable mention reach the preparatory group and the jury; the jury cannot
give more than a team proposed without a recorded reason; the members, with their chair,
declare conflicts before seeing the candidates, and a member with a conflict is recused."""

from __future__ import annotations

import io

import pytest
from docx import Document
from helpers import PREPARATORY, ready, through_to_the_feedback
from seeds import Y2026, says

from scoring.consensus import workspace as consensus
from scoring.core import access, auth
from scoring.jury import members
from scoring.jury import shortlist as jury
from scoring.reports import documents as reports
from workbench_tools.demo import DEMO_YEAR

ADMIN = "kvalitetsenheten@demo.stockholm.se"
CHAIR = "jury@demo.stockholm.se"
MEMBER = "helena.ahlstrom@demo.stockholm.se"  # socialdirektör in the demo, not yet declared


def _proposed(store, kind: str) -> int:
    return store.fetchone("SELECT contribution_id FROM proposals WHERE proposal = ?", [kind])[0]


def test_no_proposal_does_not_reach_the_preparatory_group_or_the_jury(demo_store):
    says(Y2026, "De bidrag som examinatorslagen föreslår ska få en Kvalitets-utmärkelse eller ett hedersomnämnande "
                "går vidare till en beredningsgrupp.")
    nothing, award = _proposed(demo_store, "inget"), _proposed(demo_store, "utmarkelse")
    for email in (PREPARATORY, CHAIR):
        user = auth.user_by_email(demo_store, email)
        assert access.visible_contribution_ids(demo_store, user, DEMO_YEAR) == [award]
        with pytest.raises(access.AccessDenied):
            consensus.workspace(demo_store, user, nothing, individual=False)
    with pytest.raises(access.AccessDenied):
        jury.decide(demo_store, auth.user_by_email(demo_store, CHAIR), nothing, "ingen", "")
    # The office's shortlist holds the same candidates; and only they must be decided to end the year.
    assert [c.contribution_id for c in jury.shortlist(demo_store, auth.user_by_email(demo_store, ADMIN),
                                                      DEMO_YEAR)] == [award]


def test_the_jury_gives_more_than_the_team_proposed_only_with_a_reason(demo_store):
    cid, lead = ready(demo_store)
    version = through_to_the_feedback(demo_store, lead, cid)
    consensus.submit_proposal(demo_store, lead, cid, version, "hedersomnamnande", "Ett tydligt ledarskap.")
    chair = auth.user_by_email(demo_store, CHAIR)
    members.declare(demo_store, chair, DEMO_YEAR, {c["contribution_id"]: False
                                                   for c in members.to_declare(demo_store, chair, DEMO_YEAR)})
    with pytest.raises(jury.JuryError, match="Laget föreslog hedersomnämnande.*bara med ett skäl"):
        jury.decide(demo_store, chair, cid, "utmarkelse", "Föredömligt lärande.")
    assert demo_store.fetchone("SELECT count(*) FROM decisions WHERE contribution_id = ?", [cid])[0] == 0
    jury.decide(demo_store, chair, cid, "utmarkelse", "Föredömligt lärande.",
                "Juryn såg vid jämförelsen att verksamheten håller samma nivå som årets bästa.")
    assert demo_store.fetchone("SELECT deviation_reason FROM decisions WHERE contribution_id = ?", [cid])[0] \
        .startswith("Juryn såg vid jämförelsen")
    # Less than proposed, or nothing, needs no reason.
    jury.decide(demo_store, chair, _proposed(demo_store, "utmarkelse"), "hedersomnamnande", "Ett gott exempel.")


def test_the_members_with_their_chair_declare_before_seeing_the_candidates_and_are_recused(demo_store):
    says(Y2026, "Domarkommittén, som består av förvaltnings- och bolagschefer samt representanter för organisationer "
                "eller högskola, beslutar om vilka verksamheter som får utmärkelsen eller hedersomnämnandet.")
    says(Y2026, "Ordförande i kommittén är stadsdirektören i Stockholms stad.")
    admin, chair = auth.user_by_email(demo_store, ADMIN), auth.user_by_email(demo_store, CHAIR)
    listed = members.members(demo_store, admin, DEMO_YEAR)
    assert [(m["name"], m["is_chair"]) for m in listed] == [("Birgitta Stadsdirektör", True),
                                                             ("Helena Ahlström", False)]
    member = auth.user_by_email(demo_store, MEMBER)
    award = _proposed(demo_store, "utmarkelse")
    # Before declaring: no candidates, no dossier, no decision.
    for call in (lambda: jury.shortlist(demo_store, member, DEMO_YEAR),
                 lambda: reports.jury_dossier(demo_store, member, DEMO_YEAR),
                 lambda: jury.decide(demo_store, member, award, "ingen", "")):
        with pytest.raises(access.AccessDenied):
            call()
    # A candidate of her own förvaltning is offered as a conflict.
    unit, organisation = demo_store.fetchone("SELECT u.name, u.organisation FROM contributions c JOIN units u"
                                             " ON u.id = c.unit_id WHERE c.id = ?", [award])
    members.add_member(demo_store, admin, DEMO_YEAR, MEMBER, organisation, False)
    pending = members.to_declare(demo_store, member, DEMO_YEAR)
    assert [(p["unit"], p["suggested_conflict"]) for p in pending] == [(unit, True)]
    with pytest.raises(members.JuryMemberError, match="varje kandidat"):
        members.declare(demo_store, member, DEMO_YEAR, {})
    members.declare(demo_store, member, DEMO_YEAR, {award: True}, "Enheten hör till min förvaltning.")
    assert [c.contribution_id for c in jury.shortlist(demo_store, member, DEMO_YEAR)] == [award]
    with pytest.raises(jury.JuryError, match="jäv"):
        jury.decide(demo_store, member, award, "utmarkelse", "Motivering.")
    jury.decide(demo_store, chair, award, "utmarkelse", "Ett systematiskt kvalitetsarbete i alla led.")
    recorded = demo_store.fetchone("SELECT members, recused FROM decisions WHERE contribution_id = ?", [award])
    assert "Helena Ahlström" in recorded[1] and "Helena Ahlström" not in recorded[0]
    # The minutes say so.
    minutes = Document(io.BytesIO(reports.jury_minutes(demo_store, chair, DEMO_YEAR)[1]))
    text = "\n".join(p.text for p in minutes.paragraphs)
    assert "Birgitta Stadsdirektör, Stadsledningskontoret (ordförande)" in text
    assert "Deltog inte i beslutet på grund av jäv: Helena Ahlström." in text
    assert "Deltog i beslutet: Birgitta Stadsdirektör." in text


def test_only_a_jury_account_is_listed_and_only_the_office_lists(demo_store):
    admin = auth.user_by_email(demo_store, ADMIN)
    with pytest.raises(members.JuryMemberError, match="inget konto för domarkommittén"):
        members.add_member(demo_store, admin, DEMO_YEAR, "erik.lind@demo.stockholm.se", "Trafikkontoret", False)
    with pytest.raises(access.AccessDenied):
        members.add_member(demo_store, auth.user_by_email(demo_store, CHAIR), DEMO_YEAR, MEMBER, "", True)
    members.add_member(demo_store, admin, DEMO_YEAR, MEMBER, "Socialförvaltningen", True)  # a new chair
    chairs = [m["name"] for m in members.members(demo_store, admin, DEMO_YEAR) if m["is_chair"]]
    assert chairs == ["Helena Ahlström"]

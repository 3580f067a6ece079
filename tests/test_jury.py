"""Jury preparation: shortlist figures, calibration with a known severe team, stability,
decisions and the year's lock, the archive's return rules, pseudonyms."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest

from scoring.assessment import individual as assessments
from scoring.consensus import workspace as consensus
from scoring.core import access, auth
from scoring.intake import eligibility
from scoring.jury import members
from scoring.jury import shortlist as jury
from scoring.teams import conflicts
from scoring.year.framework import load_framework
from workbench_tools.demo import DEMO_YEAR
from workbench_tools.synthetic import build_year

FRAMEWORK = load_framework(DEMO_YEAR)


@pytest.fixture
def year(empty_store):
    admin_id = build_year(empty_store, 8)
    admin = auth.User(admin_id, "admin@syntet.se", "Admin Syntet", "admin")
    return empty_store, admin


def test_shortlist_figures_match_hand_computed_values(year):
    store, admin = year
    cid = store.fetchone("SELECT min(contribution_id) FROM proposals WHERE proposal <> 'inget'")[0]
    rows = store.fetchall("SELECT area_code, criterion_code, score FROM consensus_scores WHERE contribution_id = ?",
                          [cid])
    by_area: dict[str, list[int]] = {}
    for area, _, score in rows:
        by_area.setdefault(area, []).append(score)
    # Equal criterion weights in 2026: an area is the mean of its criteria on the scale.
    expected_profile = {a: FRAMEWORK.scale.snap(statistics.fmean(v)) for a, v in by_area.items()}
    candidate = next(c for c in jury.shortlist(store, admin, DEMO_YEAR) if c.contribution_id == cid)
    assert candidate.profile == expected_profile
    assert candidate.total == round(statistics.fmean(expected_profile.values()), 1)
    individual = store.fetchall(
        "SELECT aa.area_code, aa.area_score FROM assessments a JOIN assessment_areas aa ON aa.assessment_id = a.id"
        " WHERE a.contribution_id = ?", [cid])
    ranges = {}
    for area, score in individual:
        ranges.setdefault(area, []).append(score)
    assert candidate.spread == max(max(v) - min(v) for v in ranges.values())
    # The candidates only ("inget förslag" does not reach the jury); 2026 has no classes, so they
    # come by proposal, highest total first within each.
    listed = jury.shortlist(store, admin, DEMO_YEAR)
    candidates = store.fetchone("SELECT count(*) FROM proposals WHERE proposal <> 'inget'")[0]
    assert len(listed) == candidates < 8
    order = {"utmarkelse": 0, "hedersomnamnande": 1}
    assert [(order[c.proposal], -c.total) for c in listed] == sorted((order[c.proposal], -c.total) for c in listed)


def test_calibration_finds_the_severe_team_and_adjusts_without_applying(year):
    store, admin = year
    severe = store.fetchone("SELECT id, name FROM teams ORDER BY id LIMIT 1")
    with store.write("test") as uow:  # every contribution alike, and this team scores 15 points below the others
        uow.execute("UPDATE consensus_scores SET score = 50 + (contribution_id % 3) * 5")
        uow.execute("UPDATE consensus_scores SET score = score - 15 WHERE contribution_id IN"
                    " (SELECT contribution_id FROM assignments WHERE team_id = ?)", [severe[0]])
    result = jury.calibrate(store, admin, DEMO_YEAR)
    teams = {t["team"]: t for t in result.teams}
    assert min(teams.values(), key=lambda t: t["leniency"])["team"] == severe[1]
    assert teams[severe[1]]["leniency"] < -5 and teams[severe[1]]["calibrated"]
    severe_ids = {r[0] for r in store.fetchall("SELECT contribution_id FROM assignments WHERE team_id = ?",
                                               [severe[0]])}
    for row in result.ranking:
        if row["contribution_id"] in severe_ids:
            assert row["adjusted"] > row["raw"] and row["adjusted_rank"] <= row["raw_rank"]
    # The shortlist still shows the raw consensus.
    raw = {c.contribution_id: c.total for c in jury.shortlist(store, admin, DEMO_YEAR)}
    assert all(raw[r["contribution_id"]] == r["raw"] for r in result.ranking)


def test_a_team_with_one_contribution_is_not_calibrated(year):
    store, admin = year
    lone = store.fetchone("SELECT team_id FROM assignments GROUP BY team_id ORDER BY team_id LIMIT 1")[0]
    with store.write("test") as uow:
        moved = uow.fetchone("SELECT min(contribution_id) FROM assignments WHERE team_id = ?", [lone])[0]
        other = uow.fetchone("SELECT min(id) FROM teams WHERE id <> ?", [lone])[0]
        uow.execute("UPDATE assignments SET team_id = ? WHERE contribution_id = ?", [other, moved])
    team = next(t for t in jury.calibrate(store, admin, DEMO_YEAR).teams
                if t["team"] == store.fetchone("SELECT name FROM teams WHERE id = ?", [lone])[0])
    assert team["contributions"] == 1 and not team["calibrated"] and team["leniency"] is None


def test_rank_stability_under_other_weightings(year):
    store, admin = year
    ids = [r[0] for r in store.fetchall("SELECT id FROM contributions ORDER BY id")]
    first, second = ids[0], ids[1]
    area_a, area_b = FRAMEWORK.areas[0].code, FRAMEWORK.areas[1].code
    with store.write("test") as uow:  # two candidates whose order depends on the weighting of two areas
        uow.execute("UPDATE consensus_scores SET score = 60 WHERE contribution_id IN (?, ?)", [first, second])
        uow.execute("UPDATE consensus_scores SET score = 95 WHERE contribution_id = ? AND area_code = ?",
                    [first, area_a])
        uow.execute("UPDATE consensus_scores SET score = 90 WHERE contribution_id = ? AND area_code = ?",
                    [second, area_b])
        uow.execute("UPDATE consensus_scores SET score = 30 WHERE contribution_id NOT IN (?, ?)", [first, second])
    result = jury.calibrate(store, admin, DEMO_YEAR, weightings={
        "A dubbelt": {area_a: 2.0}, "B dubbelt": {area_b: 2.0}})
    stability = {s["contribution_id"]: s for s in result.stability}
    assert (stability[first]["best"], stability[first]["worst"]) == (1, 2)
    assert (stability[second]["best"], stability[second]["worst"]) == (1, 2)
    assert all(s["best"] >= 3 for cid, s in stability.items() if cid not in (first, second))


def _jury(store):
    """A member of the year's jury committee who has declared no conflicts."""
    admin = auth.user_by_email(store, "admin@syntet.se")  # the generated year's office
    auth.create_account(store, admin, email="jury@syntet.se", name="Juryn", role="domarkommitte", password=None)
    judge = auth.user_by_email(store, "jury@syntet.se")
    members.add_member(store, admin, DEMO_YEAR, judge.email, "Stadsledningskontoret", True)
    members.declare(store, judge, DEMO_YEAR, {c["contribution_id"]: False
                                              for c in members.to_declare(store, judge, DEMO_YEAR)})
    return judge


def test_decisions_lock_the_year_when_all_are_decided(year):
    store, admin = year
    judge = _jury(store)
    proposed = jury.undecided(store, judge, DEMO_YEAR)
    assert proposed
    with pytest.raises(access.AccessDenied):
        jury.decide(store, admin, proposed[0], "ingen", "")
    with pytest.raises(jury.JuryError, match="motivering"):
        jury.decide(store, judge, proposed[0], "hedersomnamnande", "  ")
    with pytest.raises(jury.JuryError, match="saknar beslut"):
        jury.lock_year(store, judge, DEMO_YEAR)
    for cid in proposed:  # a class may end without an award: "ingen" for all
        jury.decide(store, judge, cid, "ingen", "")
    jury.lock_year(store, judge, DEMO_YEAR)
    with pytest.raises(jury.JuryError, match="låst"):
        jury.decide(store, judge, proposed[0], "hedersomnamnande", "Ändrat")
    lead = auth.User(*store.fetchone("SELECT u.id, u.email, u.name, u.role FROM teams t JOIN users u"
                                     " ON u.id = t.coordinator_id LIMIT 1"))
    cid = store.fetchone("SELECT contribution_id FROM assignments WHERE team_id = (SELECT id FROM teams"
                         " WHERE coordinator_id = ?)", [lead.id])[0]
    with pytest.raises(consensus.ConsensusError, match="låst"):
        consensus.set_rationale(store, lead, cid, 1, FRAMEWORK.areas[0].code, "efteråt")
    conflicts.declare(store, lead, cid, has_conflict=False, confidentiality_accepted=True)
    with pytest.raises(assessments.AssessmentError, match="låst"):
        assessments.set_note(store, lead, cid, 0, 1, "efteråt")
    archived = jury.archive(store, admin)
    assert len(archived) == 8 and {r["decision"] for r in archived if r["decision"]} == {"ingen"}
    assert sum(r["decision"] is not None for r in archived) == len(proposed)  # the candidates, and only they


def test_an_award_needs_eligibility(year):
    store, admin = year
    judge = _jury(store)
    cid = next(c.contribution_id for c in jury.shortlist(store, judge, DEMO_YEAR) if c.proposal == "utmarkelse")
    with pytest.raises(jury.JuryError, match="grundläggande kontrollen är inte gjord"):
        jury.decide(store, judge, cid, "utmarkelse", "Motivering")  # the basic control is not done


def test_the_archive_decides_when_a_unit_may_return(demo_store):
    admin = auth.user_by_email(demo_store, "kvalitetsenheten@demo.stockholm.se")
    cid, unit_id = demo_store.fetchone("SELECT id, unit_id FROM contributions ORDER BY id LIMIT 1")
    facts = eligibility.register(demo_store, admin, cid)[0]
    # A winner sits out two award years; an honourable mention may come back the next year.
    for earlier_year, decision, allowed in ((2025, "utmarkelse", False), (2024, "utmarkelse", False),
                                            (2023, "utmarkelse", True), (2025, "hedersomnamnande", True)):
        with demo_store.write("test") as uow:
            uow.execute("DELETE FROM decisions WHERE contribution_id IN (SELECT id FROM contributions WHERE year < ?)",
                        [DEMO_YEAR])
            old = uow.fetchone("INSERT INTO contributions (year, unit_id, phase) VALUES (?, ?,"
                               " 'forslag_lamnat') RETURNING id", [earlier_year, unit_id])[0]
            uow.execute("INSERT INTO decisions (contribution_id, decision, decided_by, decided_at)"
                        " VALUES (?, ?, 'juryn', ?)", [old, decision, dt.datetime(earlier_year, 11, 20)])
        result = eligibility.record(demo_store, admin, cid, facts)
        assert (result.status != eligibility.MAY_NOT) is allowed, (earlier_year, decision, result.reasons)


def test_pseudonyms_hide_names_until_the_year_is_locked(year):
    store, admin = year
    auth.create_account(store, admin, email="b@syntet.se", name="Beredning", role="beredningsgrupp", password=None)
    preparer = auth.user_by_email(store, "b@syntet.se")
    jury.set_pseudonymised(store, admin, DEMO_YEAR, True)
    names = [c.name for c in jury.shortlist(store, preparer, DEMO_YEAR)]
    assert all(n.startswith("Kandidat ") for n in names) and len(set(names)) == len(names)
    assert not any(c.name.startswith("Kandidat") for c in jury.shortlist(store, admin, DEMO_YEAR))
    with pytest.raises(access.AccessDenied):
        jury.set_pseudonymised(store, preparer, DEMO_YEAR, False)

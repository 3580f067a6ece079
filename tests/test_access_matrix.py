"""The access matrix, generated from the permission table: every permission × every role.

Each permission in ``access.PERMISSIONS`` has a probe here, a core call that the
permission guards, and an expected set of roles written out by hand. For every role the
probe's outcome, ``access.can`` and the expectation must agree. A probe that is refused
for a reason of the award's rules (``Refused``) got past the access check; any other
exception fails the test.
"""

from __future__ import annotations

import ast
import datetime as dt

import pytest
from corpus import build
from helpers import ROOT, score_everything, team_of

from scoring.assessment import individual as assessments
from scoring.consensus import workspace as consensus
from scoring.core import access, audit, auth, backup
from scoring.core.errors import Refused
from scoring.feedback import results, visits
from scoring.intake import eligibility
from scoring.intake import review as intake_store
from scoring.jury import members, motivations
from scoring.jury import shortlist as jury
from scoring.mail import outbox, reminders, templates
from scoring.reports import documents as reports
from scoring.reports.templates import FEEDBACK
from scoring.teams import assignment as teams
from scoring.teams import conflicts, examiners
from scoring.year import contributions, framework_store, years
from scoring.year.framework import load_framework

YEAR = 2026
ACTORS = ("admin", "examinator", "lagsamordnare", "annat_lag", "beredningsgrupp", "domarkommitte")
TEAM = {"examinator", "lagsamordnare"}
ABOVE = {"beredningsgrupp", "domarkommitte"}
EVERYONE = set(ACTORS)

# Who may, written out by hand: the table in the policy must say the same.
EXPECTED: dict[str, set[str]] = {
    "year.status": {"admin"},
    "year.agreement": {"admin"},
    "year.lock": {"admin", "domarkommitte"},
    "year.setup": {"admin"},
    "settings.change": {"admin"},
    "accounts.manage": {"admin"},
    "audit.read": {"admin"},
    "backup.download": {"admin"},
    "intake.manage": {"admin"},
    "eligibility.read": {"admin"} | TEAM,
    "eligibility.record": {"admin"},
    "examiners.manage": {"admin"},
    "teams.manage": {"admin"},
    "conflicts.declare": TEAM,
    "conflicts.review": {"admin"},
    "team.progress": {"lagsamordnare"},
    "contribution.see": {"admin"} | TEAM,
    "contribution.read": {"admin"} | TEAM,
    "assessment.own": TEAM,
    "assessment.progress": TEAM | {"annat_lag"},
    "assessments.read": {"admin"} | TEAM,
    "assessments.drafts": {"admin"},
    "assessment.reopen": {"admin", "lagsamordnare"},
    "consensus.lead": {"admin", "lagsamordnare"},
    "consensus.results": {"admin"} | ABOVE,
    "report.write": {"admin", "lagsamordnare"},
    "reports.settings": {"admin"},
    "reports.templates": {"admin"},
    "reports.final": {"admin"},
    "scores.workbook": {"admin"},
    "dossier.read": {"admin"} | ABOVE,
    "dossier.prepare": {"admin", "beredningsgrupp"},
    "jury.shortlist": {"admin"} | ABOVE,
    "archive.read": {"admin"} | ABOVE,
    "jury.pseudonyms": {"admin"},
    "jury.real_names": {"admin"},
    "jury.members": {"admin"},
    "jury.declare": {"domarkommitte"},
    "jury.decide": {"domarkommitte"},
    "mail.outbox": {"admin"},
    "mail.templates": {"admin"},
    "mail.reminders": {"admin"},
    "mail.own": EVERYONE,
    "frameworks.edit": {"admin"},
    # The pages of the menu.
    "page.start": EVERYONE,
    "page.aretsgang": {"admin"},
    "page.ar": {"admin"},
    "page.anmalningar": {"admin"},
    "page.intag": {"admin"},
    "page.aterbesok": {"admin", "lagsamordnare"},
    "page.resultat": {"admin"},
    "feedback.manage": {"admin", "lagsamordnare"},
    "feedback.override": {"admin"},
    "results.make": {"admin"},
    "page.granskning": {"admin"},
    "page.behorighet": {"admin"},
    "page.examinatorer": {"admin"},
    "page.lag": {"admin"},
    "page.bedomning": TEAM | {"annat_lag"},
    "page.konsensus": {"admin", "lagsamordnare"},
    "page.rapporter": {"admin", "lagsamordnare"},
    "page.mallar": {"admin"},
    "page.beredning": {"admin"} | ABOVE,
    "page.beslut": {"admin", "domarkommitte"},
    "page.arkiv": {"admin"} | ABOVE,
    "page.bidrag": {"admin"} | TEAM | {"annat_lag"},
    "page.anvisningar": EVERYONE,
    "page.skriv_anvisningar": {"admin"},
    "page.konton": {"admin"},
    "page.utskick": {"admin"},
    "page.logg": {"admin"},
    "page.meddelanden": EVERYONE,
}


def _user(store, user_id: int) -> auth.User:
    return auth.user_by_email(store, store.fetchone("SELECT email FROM users WHERE id = ?", [user_id])[0])


class World:
    """The demo year seen from one team: its contribution, another team's, a proposed one."""

    def __init__(self, store):
        self.store = store
        admin = auth.user_by_email(store, "kvalitetsenheten@demo.stockholm.se")
        examiner = auth.user_by_email(store, "erik.lind@demo.stockholm.se")
        team = team_of(store, examiner.email)
        coordinator_id = store.fetchone("SELECT coordinator_id FROM teams WHERE id = ?", [team["id"]])[0]
        assert coordinator_id != examiner.id
        coordinator = _user(store, coordinator_id)
        other = _user(store, store.fetchone(
            "SELECT m.user_id FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.team_id <> ?"
            " AND m.user_id <> t.coordinator_id ORDER BY m.user_id LIMIT 1", [team["id"]])[0])
        self.actors = {"admin": admin, "examinator": examiner, "lagsamordnare": coordinator, "annat_lag": other,
                       "beredningsgrupp": auth.user_by_email(store, "beredning@demo.stockholm.se"),
                       "domarkommitte": auth.user_by_email(store, "jury@demo.stockholm.se")}
        self.team_id = team["id"]
        # The team's own contribution, not yet proposed, and another team's proposed one.
        # (the one where a teammate has already handed in, so visibility after submitting can be probed)
        self.own = store.fetchone(
            "SELECT s.contribution_id FROM assignments s WHERE s.team_id = ? AND NOT EXISTS"
            " (SELECT 1 FROM proposals p WHERE p.contribution_id = s.contribution_id) ORDER BY (SELECT count(*)"
            " FROM assessments a WHERE a.contribution_id = s.contribution_id AND a.status = 'inlamnad') DESC, 1"
            " LIMIT 1", [team["id"]])[0]
        # A candidate: proposed for an award or an honourable mention ("inget förslag" reaches no jury).
        self.proposed = store.fetchone(
            "SELECT p.contribution_id FROM proposals p JOIN assignments s ON s.contribution_id = p.contribution_id"
            " WHERE s.team_id <> ? AND p.proposal <> 'inget' ORDER BY 1 LIMIT 1", [team["id"]])[0]
        for user in (examiner, coordinator):
            if access.needs_declaration(store, user, self.own):
                conflicts.declare(store, user, self.own, has_conflict=False, confidentiality_accepted=True)
        # A teammate's draft on the own contribution: only the office may see it.
        self.drafter = _user(store, store.fetchone(
            "SELECT m.user_id FROM team_members m LEFT JOIN assessments a ON a.examiner_id = m.user_id"
            " AND a.contribution_id = ? WHERE m.team_id = ? AND m.user_id NOT IN (?, ?)"
            " AND coalesce(a.status, 'utkast') = 'utkast' ORDER BY m.user_id LIMIT 1",
            [self.own, team["id"], examiner.id, coordinator_id])[0])
        draft = store.fetchone("SELECT status FROM assessments WHERE contribution_id = ? AND examiner_id = ?",
                               [self.own, self.drafter.id])
        if draft is None:
            if access.needs_declaration(store, self.drafter, self.own):
                conflicts.declare(store, self.drafter, self.own, has_conflict=False, confidentiality_accepted=True)
            area = load_framework(YEAR).areas[0]
            assessments.set_criterion_score(store, self.drafter, self.own, 0, area.code, area.criteria[0].code, 50)
        else:
            assert draft[0] == "utkast", "the demo's drafter must still be drafting"
        # Names hidden from those above the teams, as the office can choose.
        jury.set_pseudonymised(store, admin, YEAR, True)
        data, _ = build(load_framework(YEAR), "rubriker")
        self.intake_id = intake_store.upload(store, admin, YEAR, "matris.docx", data)

    def probes(self):
        s, own, proposed = self.store, self.own, self.proposed

        def sees_a_teammates_draft(u):
            return any(r["examiner_id"] == self.drafter.id and r["status"] == "utkast"
                       for r in assessments.visible_assessments(s, u, own))

        def sees_real_names(u):
            names = {c.contribution_id: c.name for c in jury.shortlist(s, u, YEAR)}
            return not names[proposed].startswith("Kandidat ")

        return {
            "year.status": lambda u: contributions.year_status(s, u, YEAR),
            "year.agreement": lambda u: consensus.year_agreement(s, u, YEAR),
            "year.lock": lambda u: jury.lock_year(s, u, YEAR),  # refused: decisions are missing
            "year.setup": lambda u: years.update_schedule(s, u, YEAR, 0, {}),  # refused: version 0 is stale
            "settings.change": lambda u: consensus.set_spread_threshold(s, u, 1),  # refused: out of range
            "accounts.manage": lambda u: auth.accounts(s, u),
            "audit.read": lambda u: audit.entries(s, u, limit=1),
            "backup.download": lambda u: backup.download(s, u),
            "intake.manage": lambda u: intake_store.review(s, u, self.intake_id),
            "eligibility.read": lambda u: eligibility.register(s, u, own),
            "eligibility.record": lambda u: eligibility.record(s, u, own, eligibility.Facts()),
            "examiners.manage": lambda u: examiners.registry(s, u),
            "teams.manage": lambda u: teams.teams_of_year(s, u, YEAR),
            "conflicts.declare": lambda u: conflicts.declare(s, u, own, has_conflict=False,
                                                             confidentiality_accepted=False),  # refused: unconfirmed
            "conflicts.review": lambda u: conflicts.declared_conflicts(s, u, YEAR),
            "team.progress": lambda u: contributions.team_progress(s, u, YEAR),
            "contribution.see": lambda u: access.require_contribution(s, u, own),
            "contribution.read": lambda u: contributions.contribution_content(s, u, own),
            "assessment.own": lambda u: assessments.own_assessment(s, u, own),
            "assessment.progress": lambda u: contributions.my_progress(s, u, YEAR),
            "assessments.read": lambda u: assessments.visible_assessments(s, u, own),
            "assessments.drafts": sees_a_teammates_draft,
            "assessment.reopen": lambda u: assessments.team_assessments(s, u, own),
            "consensus.lead": lambda u: consensus.workspace(s, u, own),
            "consensus.results": lambda u: consensus.workspace(s, u, proposed, individual=False),
            "report.write": lambda u: reports.feedback_report(s, u, own),
            "reports.settings": lambda u: reports.show_scores(s, u, YEAR, False),
            "reports.templates": lambda u: reports.reset_template(s, u, FEEDBACK),
            "reports.final": lambda u: reports.final_reports(s, u, YEAR),
            "scores.workbook": lambda u: reports.scores_workbook(s, u, YEAR),
            "dossier.read": lambda u: reports.jury_dossier(s, u, YEAR),
            "dossier.prepare": lambda u: motivations.save_draft(s, u, proposed, "", 0),  # refused: empty
            "jury.shortlist": lambda u: jury.shortlist(s, u, YEAR),
            "archive.read": lambda u: jury.archive(s, u),
            "jury.pseudonyms": lambda u: jury.set_pseudonymised(s, u, YEAR, True),
            "jury.real_names": sees_real_names,
            "jury.members": lambda u: members.add_member(s, u, YEAR, "nobody@stad.se", "", False),  # refused: no account
            "jury.declare": lambda u: members.to_declare(s, u, YEAR),
            "jury.decide": lambda u: jury.decide(s, u, proposed, "okänt", ""),  # refused: no such decision
            "mail.outbox": lambda u: outbox.messages(s, u),
            "mail.templates": lambda u: templates.templates(s, u),
            "mail.reminders": lambda u: reminders.plan(s, u, YEAR, "individuell_bedomning"),
            "mail.own": lambda u: outbox.sent_to_me(s, u),
            "frameworks.edit": lambda u: framework_store.copy_framework(s, u, 2026, 2026),  # refused: a shipped year
            "feedback.manage": lambda u: visits.visit(s, u, own),
            "feedback.override": lambda u: visits.hand_over(s, u, own, 0, on=dt.date(2026, 11, 30), how="Med e-post",
                                                            override_reason="Skäl"),  # refused: not decided yet
            "results.make": lambda u: results.results(s, u, YEAR),  # refused: the year has not ended
        }

    def question(self, permission: str) -> dict:
        """What ``can`` is asked for a permission: the contribution its probe touches, the year."""
        entry = access.PERMISSIONS[permission]
        asks = {}
        if "contribution" in entry.needs:
            asks["contribution_id"] = self.proposed if permission == "consensus.results" else self.own
        asks["year"] = YEAR
        return asks


def reached(probe, user) -> bool:
    """True when the call got past the access check; AccessDenied is False; anything but a
    refusal by the award's rules is a failure of the test."""
    try:
        outcome = probe(user)
    except access.AccessDenied:
        return False
    except Refused:
        return True
    return outcome if isinstance(outcome, bool) else True


def test_every_permission_in_the_table_has_an_expectation_and_every_page_a_key():
    assert set(EXPECTED) == set(access.PERMISSIONS)
    # The router registers exactly the policy's pages (read from its source: importing
    # app.py would run it).
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    pages = next(ast.literal_eval(node.value) for node in tree.body
                 if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "PAGES")
    assert set(pages) == set(access.PAGES)


@pytest.mark.parametrize("permission", sorted(access.PERMISSIONS))
def test_every_role_gets_exactly_what_the_permission_allows(demo_store, permission):
    world = World(demo_store)
    probe = world.probes().get(permission)
    if not permission.startswith("page."):
        assert probe is not None, f"{permission} has no probe"
    leaks, refusals = [], []
    for actor in ACTORS:
        user = world.actors[actor]
        expected = actor in EXPECTED[permission]
        allowed = access.can(demo_store, user, permission, **world.question(permission))
        outcomes = [allowed] if probe is None else [allowed, reached(probe, user)]
        if any(outcomes) and not expected:
            leaks.append((actor, outcomes))
        if not all(outcomes) and expected:
            refusals.append((actor, outcomes))
    assert leaks == [] and refusals == []


def test_the_menu_is_the_pages_the_policy_allows(demo_store):
    world = World(demo_store)
    for actor, user in world.actors.items():
        assert set(access.page_keys(demo_store, user, YEAR)) == {
            p.removeprefix("page.") for p, who in EXPECTED.items() if p.startswith("page.") and actor in who}


def test_teammates_stay_hidden_until_one_has_submitted(demo_store):
    world = World(demo_store)
    drafter, own = world.drafter, world.own
    submitted_by_others = {r[0] for r in demo_store.fetchall(
        "SELECT examiner_id FROM assessments WHERE contribution_id = ? AND status IN ('inlamnad', 'last')"
        " AND examiner_id <> ?", [own, drafter.id])}
    assert submitted_by_others, "the demo team must have handed in some work"
    # Drafting: only one's own work.
    assert {r["examiner_id"] for r in assessments.visible_assessments(demo_store, drafter, own)} == {drafter.id}
    version = assessments.own_assessment(demo_store, drafter, own).version
    assessments.submit(demo_store, drafter, own, score_everything(demo_store, drafter, own, version))
    # Handed in: the teammates' submitted work too, never a draft.
    seen = assessments.visible_assessments(demo_store, drafter, own)
    assert {r["examiner_id"] for r in seen} == submitted_by_others | {drafter.id}
    assert all(r["status"] in ("inlamnad", "last") for r in seen)

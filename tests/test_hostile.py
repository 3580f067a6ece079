"""Hostile text everywhere a person types: markup, scripts, Jinja, SQL, control characters and very
long text are stored exactly, shown literally on the screens, and refused when too long with
nothing stored. (Bad files and imports: test_intake, test_scorebook, test_teams, test_backup,
test_reports; login, lockout and expiry: test_auth, test_browser.)"""

from __future__ import annotations

import re

import pytest
from helpers import login, not_started, ready

from scoring.assessment import individual as assessments
from scoring.consensus import workspace as consensus
from scoring.core import auth
from scoring.core.text import escape_markdown
from scoring.jury import shortlist as jury
from scoring.teams import conflicts
from scoring.year.framework import load_framework
from workbench_tools.demo import DEMO_YEAR

FRAMEWORK = load_framework(DEMO_YEAR)
AREA = FRAMEWORK.areas[0]
HOSTILE = [
    "<script>alert('x')</script> <img src=x onerror=alert(1)>",
    "**fet** _kursiv_ [länk](javascript:alert(1)) # Rubrik | a | b |",
    "{{ enhet }} {% for x in y %}{% endfor %} {#kommentar#}",
    "'; DROP TABLE findings; -- \" OR 1=1",
    "=HYPERLINK(\"http://x\") @SUM(1) +1 -1",
    "Rad ett\nRad två\tflik \u202eomvänd\u202c ✓ 🌱 Ünïcödé",
]
# What must never reach a screen's markdown unescaped.
RAW_MARKUP = ["**fet**", "[länk](", "<script", "<img", "# Rubrik"]


def test_hostile_text_is_stored_exactly_in_an_assessment(demo_store):
    user, cid = not_started(demo_store)
    version = 0
    for n, text in enumerate(HOSTILE):
        version = assessments.add_finding(demo_store, user, cid, version, area_code=AREA.code, kind="styrka",
                                          text=text, examples=text)
        version = assessments.set_note(demo_store, user, cid, version, AREA.questions[0].number, text)
        version = assessments.set_site_visit_questions(demo_store, user, cid, version, AREA.code, [text])
        work = assessments.own_assessment(demo_store, user, cid)
        assert work.areas[AREA.code].findings[n].text == text == work.areas[AREA.code].findings[n].examples
        assert work.notes[AREA.questions[0].number] == text
        assert work.areas[AREA.code].site_visit_questions == [text]
    assert demo_store.fetchone("SELECT count(*) FROM findings")[0] > len(HOSTILE)  # the table is still there


def test_hostile_text_is_stored_exactly_in_consensus_and_decisions(demo_store):
    cid, lead = ready(demo_store)
    version = consensus.open_consensus(demo_store, lead, cid, 0)
    for text in HOSTILE:
        version = consensus.add_finding(demo_store, lead, cid, version, area_code=AREA.code, kind="styrka", text=text)
        version = consensus.set_rationale(demo_store, lead, cid, version, AREA.code, text)
        work = consensus.workspace(demo_store, lead, cid)
        assert work.findings[-1].text == text and work.area_rationales[AREA.code] == text
    judge = auth.user_by_email(demo_store, "jury@demo.stockholm.se")
    proposed = jury.undecided(demo_store, judge, DEMO_YEAR)[0]
    jury.decide(demo_store, judge, proposed, "hedersomnamnande", HOSTILE[0] + HOSTILE[2])
    assert demo_store.fetchone("SELECT motivation FROM decisions WHERE contribution_id = ?", [proposed])[0] == \
        HOSTILE[0] + HOSTILE[2]


def test_too_long_text_is_refused_with_its_length_and_nothing_is_stored(demo_store):
    user, cid = not_started(demo_store)
    version = assessments.add_finding(demo_store, user, cid, 0, area_code=AREA.code, kind="styrka", text="Kort.")
    huge = "å" * 1_000_001
    attempts = [
        (lambda: assessments.add_finding(demo_store, user, cid, version, area_code=AREA.code, kind="styrka",
                                         text=huge), "Iakttagelsen har 1000001 tecken; högst 5000"),
        (lambda: assessments.set_note(demo_store, user, cid, version, AREA.questions[0].number, huge),
         "Anteckningen har 1000001 tecken"),
        (lambda: assessments.set_site_visit_questions(demo_store, user, cid, version, AREA.code, [huge]),
         "längre än 1000 tecken"),
    ]
    for attempt, message in attempts:
        with pytest.raises(assessments.AssessmentError, match=message):
            attempt()
    work = assessments.own_assessment(demo_store, user, cid)
    assert work.version == version and [f.text for f in work.areas[AREA.code].findings] == ["Kort."]
    other, other_cid = not_started(demo_store, exclude={user.id})
    with pytest.raises(ValueError, match="högst 2000"):
        conflicts.declare(demo_store, other, other_cid, has_conflict=True, confidentiality_accepted=True,
                          note="x" * 2001)
    judge = auth.user_by_email(demo_store, "jury@demo.stockholm.se")
    proposed = jury.undecided(demo_store, judge, DEMO_YEAR)[0]
    with pytest.raises(jury.JuryError, match="högst 5000"):
        jury.decide(demo_store, judge, proposed, "hedersomnamnande", "x" * 5001)
    assert demo_store.fetchone("SELECT count(*) FROM decisions WHERE contribution_id = ?", [proposed])[0] == 0


def _shown(at) -> list[str]:
    """Every piece of markdown the page hands the browser, labels included."""
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success", "warning",
                                  "error") for e in getattr(at, kind)]
    return [str(p) for p in parts] + [e.label for e in at.expander]


def test_the_assessment_page_shows_hostile_findings_literally(demo_path, demo_store):
    user, cid = not_started(demo_store)
    text = " ".join(HOSTILE[:3])
    assessments.add_finding(demo_store, user, cid, 0, area_code=AREA.code, kind="styrka", text=text)
    at = login(user.email)
    at.switch_page("app_pages/assessment.py")
    # The page's choice is bound to the query by the name it shows.
    at.query_params["bidrag"] = demo_store.fetchone(
        "SELECT u.name FROM contributions c JOIN units u ON u.id = c.unit_id WHERE c.id = ?", [cid])[0]
    at.query_params["omrade"] = AREA.code
    at.run()
    assert not at.exception
    shown = _shown(at)
    unescaped = [re.sub(r"\\.", "", s) for s in shown]  # what markdown would still act on
    assert not [s for s in unescaped if any(raw in s for raw in RAW_MARKUP)]
    # It is there, escaped in the expander's title, and exact in the field that edits it.
    assert any(escape_markdown(text[:40]) in s for s in shown)
    assert text in [t.value for t in at.text_area]

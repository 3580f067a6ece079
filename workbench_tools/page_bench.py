"""Page reruns measured with AppTest, each as a ratio to a hello-world AppTest rerun.

A rerun is what every click costs on the server, so this is the figure that decides
whether the workbench feels fast.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from streamlit.testing.v1 import AppTest

from scoring.assessment import individual as assessments
from scoring.core import auth
from scoring.core.store import forget_store, get_store
from scoring.intake import review as intake_store
from scoring.teams import assignment as teams
from scoring.teams import conflicts
from scoring.year.framework import load_framework
from workbench_tools import demo
from workbench_tools.bench import _median_pair, full_contribution
from workbench_tools.synthetic import build_year

ROOT = Path(__file__).resolve().parent.parent
# Building the pages' data outside a script run makes Streamlit warn about a missing
# ScriptRunContext on every cached call; harmless here, and it buries the table.
# (A filter, not a level: Streamlit resets its loggers' levels when its config loads.)
logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
    lambda record: "missing ScriptRunContext" not in record.getMessage())
HELLO = "import streamlit as st\nst.title('Hej')\nst.write('Examinatorsstöd')\n"



def _assessment_year(path: Path) -> tuple[str, int]:
    """The demo year plus a 90 000-character contribution fully assessed by one examiner."""
    store = get_store(str(path))
    demo.build_demo(store)
    admin = auth.user_by_email(store, demo.OTHER_ACCOUNTS[0][0])
    intake_id = intake_store.upload(store, admin, demo.DEMO_YEAR, "Fullt bidrag.docx", full_contribution(),
                                    received_at=dt.datetime(demo.DEMO_YEAR, 5, 6, 8))  # before the deadline
    cid = intake_store.accept(store, admin, intake_id, intake_store.review(store, admin, intake_id).version,
                              unit_name="Enheten med fullt bidrag", organisation="Stadsledningskontoret",
                              note="Mätning: tas emot med sina fynd.")
    # The team with room for one more contribution, and one of its examiners.
    team_id, email = store.fetchone(
        "SELECT t.id, u.email FROM teams t JOIN team_members m ON m.team_id = t.id JOIN users u ON u.id = m.user_id"
        " WHERE u.id <> t.coordinator_id ORDER BY (SELECT count(*) FROM assignments s WHERE s.team_id = t.id), u.id"
        " LIMIT 1")
    examiner = auth.user_by_email(store, email)
    teams.assign(store, admin, cid, team_id, "Mätning")
    conflicts.declare(store, examiner, cid, has_conflict=False, confidentiality_accepted=True)
    framework = load_framework(demo.DEMO_YEAR)
    passages = list(assessments.passages(store, examiner, cid))
    version = 0
    for n, area in enumerate(framework.areas):
        for criterion in area.criteria:
            version = assessments.set_criterion_score(store, examiner, cid, version, area.code, criterion.code, 55)
        for i, kind in enumerate(("styrka", "styrka", "utvecklingsomrade", "utvecklingsomrade")):
            version = assessments.add_finding(
                store, examiner, cid, version, area_code=area.code, kind=kind,
                text=f"Iakttagelse {i + 1} om {area.title.lower()}: arbetssättet följs upp men det framgår inte hur.",
                examples="Ett exempel ur bidraget.", questions=[area.questions[i % len(area.questions)].number],
                anchors=passages[n * 10 + i: n * 10 + i + 2])
        version = assessments.set_site_visit_questions(store, examiner, cid, version, area.code,
                                                       ["Hur följs det upp?", "Vem deltar?"])
        for question in area.questions:
            version = assessments.set_note(store, examiner, cid, version, question.number, "Anteckning.")
    return examiner.email, cid


@contextlib.contextmanager
def _temporary_database() -> Iterator[Path]:
    """A fresh database file that the app under AppTest uses (WORKBENCH_DB), removed after."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.duckdb"
        previous = os.environ.get("WORKBENCH_DB")
        os.environ["WORKBENCH_DB"] = str(path)
        try:
            yield path
        finally:
            forget_store(str(path))
            if previous is None:
                os.environ.pop("WORKBENCH_DB", None)
            else:
                os.environ["WORKBENCH_DB"] = previous


def _rerun_ratio(store, user: auth.User, page: str, title: str, quick: bool, prepare=None) -> dict:
    """A logged-in rerun of one page against the hello-world rerun, as medians of several."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["session_token"] = auth.create_session(store, user)
    at.run()
    at.switch_page(page).run()
    if prepare:
        prepare(at)
    if at.exception:
        raise RuntimeError(f"sidan {title} gick inte att köra: {at.exception}")
    hello = AppTest.from_string(HELLO)
    hello.run()
    seconds, baseline = _median_pair(at.run, hello.run, 5 if quick else 15)
    return {"ratio": round(seconds / baseline, 2), "seconds": round(seconds, 4), "baseline_seconds": round(baseline, 4)}


def figure_page_assessment(quick: bool) -> dict:
    with _temporary_database() as path:
        email, cid = _assessment_year(path)
        store = get_store(str(path))
        return _rerun_ratio(store, auth.user_by_email(store, email), "app_pages/assessment.py", "Bedömning", quick,
                            prepare=lambda at: at.selectbox(key="bidrag").set_value(cid).run())


def _shortlist_ratio(contributions: int, quick: bool) -> dict:
    """A rerun of Beredning on a generated finished year, against the hello-world rerun."""
    with _temporary_database() as path:
        store = get_store(str(path))
        admin = auth.User(build_year(store, contributions), "admin@syntet.se", "Admin Syntet", "admin")
        return {**_rerun_ratio(store, admin, "app_pages/shortlist.py", "Beredning", quick), "contributions": contributions}


def figure_page_full_year(quick: bool) -> dict:
    return _shortlist_ratio(60, quick)


def figure_page_10x(quick: bool) -> dict:
    return _shortlist_ratio(600, quick)


def figure_page_intake_review(quick: bool) -> dict:
    """Granska fil with a 90 000-character file waiting, in a generated year of 60 contributions:
    the file's passages beside the questionnaire, against the hello-world rerun."""
    with _temporary_database() as path:
        store = get_store(str(path))
        admin = auth.User(build_year(store, 60), "admin@syntet.se", "Admin Syntet", "admin")
        intake_id = intake_store.upload(store, admin, 2026, "Fullt bidrag.docx", full_contribution(),
                                        received_at=dt.datetime(2026, 5, 6, 8))  # before the deadline
        passages = len(intake_store.review(store, admin, intake_id).blocks)

        def drawn(at) -> None:  # measured only once the whole split is on the page
            if not any(m.value.startswith(":blue-badge[Fråga 19]") for m in at.markdown):
                raise RuntimeError("Granska fil visar inte uppdelningen")

        return {**_rerun_ratio(store, admin, "app_pages/intake_review.py", "Granska fil", quick, prepare=drawn),
                "passages": passages}


def figure_page_consensus(quick: bool) -> dict:
    """Konsensus for a team's coordinator at a generated year of 60 contributions, with the
    measured contribution back in its consensus meeting: every form open for editing."""
    with _temporary_database() as path:
        store = get_store(str(path))
        build_year(store, 60, in_consensus=1)
        coordinator = auth.user_by_email(store, "examinator0@syntet.se")  # leads Lag 1
        cid = store.fetchone("SELECT s.contribution_id FROM assignments s JOIN teams t ON t.id = s.team_id"
                             " WHERE t.name = 'Lag 1' ORDER BY 1 LIMIT 1")[0]
        conflicts.declare(store, coordinator, cid, has_conflict=False, confidentiality_accepted=True)
        return {**_rerun_ratio(store, coordinator, "app_pages/consensus.py", "Konsensus", quick,
                               prepare=lambda at: at.selectbox(key="konsensus_bidrag").set_value(cid).run()),
                "contributions": 60}

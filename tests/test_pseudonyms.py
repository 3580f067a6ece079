"""Pseudonyms mean no names: with the setting on, the preparatory group and the jury find no
unit, förvaltning, examiner or team name on any page they open — text, tables, charts,
labels — nor in the dossier they download, until the year is ended. The teams' own texts
that name them are shown with the names replaced."""

from __future__ import annotations

import io
import json
import re

import pytest
from docx import Document
from google.protobuf import text_format
from helpers import ADMIN, APP, JURY, PREPARATORY, jury_declared, page_file, ready, through_to_the_feedback
from streamlit.testing.v1 import AppTest

from scoring.consensus import workspace as consensus
from scoring.core import access, auth
from scoring.jury import shortlist as jury
from scoring.reports import documents as reports
from scoring.year import progress
from workbench_tools.demo import DEMO_PASSWORD, DEMO_YEAR


def _names(store) -> dict[str, set[str]]:
    """Every name of the year the workbench holds."""
    return {
        "unit": {r[0] for r in store.fetchall("SELECT u.name FROM contributions c JOIN units u ON u.id = c.unit_id"
                                              " WHERE c.year = ?", [DEMO_YEAR])},
        "organisation": {r[0] for r in store.fetchall(
            "SELECT u.organisation FROM contributions c JOIN units u ON u.id = c.unit_id WHERE c.year = ?",
            [DEMO_YEAR])},
        "examiner": {r[0] for r in store.fetchall(
            "SELECT name FROM users WHERE id IN (SELECT user_id FROM examiners UNION SELECT user_id FROM team_members)")},
        "team": {r[0] for r in store.fetchall("SELECT name FROM teams WHERE year = ?", [DEMO_YEAR])},
    }


def _name_the_names(store) -> tuple[str, str]:
    """A team finishes its work and writes its motivation as teams do: naming the unit and
    one of its own examiners."""
    cid, lead = ready(store)
    version = through_to_the_feedback(store, lead, cid)
    unit = store.fetchone("SELECT u.name FROM contributions c JOIN units u ON u.id = c.unit_id WHERE c.id = ?",
                          [cid])[0]
    examiner = store.fetchone("SELECT u.name FROM assignments s JOIN team_members m ON m.team_id = s.team_id"
                              " JOIN users u ON u.id = m.user_id WHERE s.contribution_id = ? ORDER BY u.id LIMIT 1",
                              [cid])[0]
    motivation = f"{unit} visar ett systematiskt arbete; {examiner} såg det själv på platsbesöket."
    consensus.submit_proposal(store, lead, cid, version, "hedersomnamnande", motivation)
    return unit, examiner


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def everything_on_the_screen(at: AppTest) -> str:
    """Every element's content as Streamlit sends it, tables as their cells, charts as their data."""
    parts = []
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        if node.type in ("dataframe", "table"):
            parts.append(node.value.to_csv())
        elif node.type == "plotly_chart":
            parts.append(json.dumps(json.loads(proto.spec), ensure_ascii=False))
        else:
            parts.append(text_format.MessageToString(proto, as_utf8=True))
    return "\n".join(parts)


def _dossier_text(store, user) -> str:
    document = Document(io.BytesIO(reports.jury_dossier(store, user, DEMO_YEAR)[1]))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _found(text: str, names: dict[str, set[str]]) -> list[str]:
    return sorted(f"{kind}: {name}" for kind, group in names.items() for name in group if name in text)


@pytest.mark.parametrize("email", [PREPARATORY, JURY])
def test_with_pseudonyms_no_page_or_download_names_a_unit_or_an_examiner(demo_store, email):
    unit, examiner = _name_the_names(demo_store)
    admin, viewer = auth.user_by_email(demo_store, ADMIN), auth.user_by_email(demo_store, email)
    jury.set_pseudonymised(demo_store, admin, DEMO_YEAR, True)
    if email == JURY:
        jury_declared(demo_store, viewer)
    names = _names(demo_store)
    candidates = jury.shortlist(demo_store, viewer, DEMO_YEAR)
    # An ended year's results are in the archive by name; a unit that took part then is no secret.
    archived = {r[field] for r in jury.archive(demo_store, viewer) for field in ("unit", "organisation")}

    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.text_input[0].input(email)
    at.text_input[1].input(DEMO_PASSWORD)
    at.button[0].click().run()
    opened = []
    for key in access.page_keys(demo_store, viewer, DEMO_YEAR):
        at.switch_page(page_file(key)).run()
        assert not at.exception, (key, at.exception)
        if key == "beredning":  # every proposal, and the first four side by side
            at.multiselect(key="beredning_forslag").set_value([]).run()
            at.multiselect(key="jamfor").set_value([c.contribution_id for c in candidates][:4]).run()
            assert not at.exception
        screen = everything_on_the_screen(at)
        allowed = archived if key == "arkiv" else set()
        assert [f for f in _found(screen, names) if f.split(": ", 1)[1] not in allowed] == [], key
        opened.append(key)
        if key == "beredning":
            # The calibration's tables and chart were on it, with the pseudonyms in their place.
            assert all(re.search(label, screen) for label in (r"Examinatorslag \d", r"Examinator \d", "Kandidat A"))
    assert {"start", "beredning", "arkiv", "anvisningar"} <= set(opened)

    dossier = _dossier_text(demo_store, viewer)
    assert _found(dossier, names) == []
    # The motivation that named them is there, with the pseudonyms in their place.
    label = next(c.name for c in candidates if c.motivation.startswith("Kandidat"))
    assert f"{label} visar ett systematiskt arbete; Examinator " in dossier
    # The year's scores in Excel are the office's only.
    with pytest.raises(access.AccessDenied):
        reports.scores_workbook(demo_store, viewer, DEMO_YEAR)

    # The office reads every name; once the year is ended, so does everyone.
    assert unit in _dossier_text(demo_store, admin) and examiner in _dossier_text(demo_store, admin)
    judge = auth.user_by_email(demo_store, JURY)
    jury_declared(demo_store, judge)
    for proposed in jury.undecided(demo_store, judge, DEMO_YEAR):
        jury.decide(demo_store, judge, proposed, "ingen", "")
    for unfinished, _, _ in progress.unfinished(demo_store, DEMO_YEAR):
        progress.excuse(demo_store, admin, unfinished, "Hann inte bli klart i demoåret.")
    jury.lock_year(demo_store, judge, DEMO_YEAR)
    assert unit in _dossier_text(demo_store, viewer)
    assert {c.name for c in jury.shortlist(demo_store, viewer, DEMO_YEAR)} <= names["unit"]


def test_names_in_a_teams_text_are_replaced_longest_first(demo_store):
    admin, viewer = auth.user_by_email(demo_store, ADMIN), auth.user_by_email(demo_store, PREPARATORY)
    jury.set_pseudonymised(demo_store, admin, DEMO_YEAR, True)
    names = jury.mask(demo_store, viewer, DEMO_YEAR)
    unit = next(iter(_names(demo_store)["unit"]))
    assert unit.upper() not in names.text(f"Om {unit.upper()}: bra.")
    assert names.text("Ingen nämns här.") == "Ingen nämns här."
    assert jury.mask(demo_store, admin, DEMO_YEAR).text(unit) == unit

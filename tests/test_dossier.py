"""The jury dossier serves the jury's task (issue 17, item 7): exactly the candidates the jury
decides, a ranking first (by class where the year has classes), each candidate on a page of
its own, the site visit summarised, only the disagreements the team left open, and the draft
motivation the preparatory group edits and downloads. Beslut groups its candidates the same way."""

from __future__ import annotations

import io

import pytest
from docx import Document
from docx.oxml.ns import qn
from helpers import PREPARATORY, login, ready, texts, through_to_the_feedback
from seeds import Y2012, Y2026, says

from scoring.consensus import workspace as consensus
from scoring.core import auth
from scoring.core.errors import StaleWrite
from scoring.intake import eligibility
from scoring.jury import members, motivations
from scoring.jury import shortlist as jury
from scoring.reports import documents as reports
from scoring.year.framework import load_framework
from workbench_tools.demo import DEMO_YEAR
from workbench_tools.synthetic import build_year

ADMIN = "kvalitetsenheten@demo.stockholm.se"
JURY = "jury@demo.stockholm.se"


def _document(data: bytes):
    return Document(io.BytesIO(data))


def _text(document) -> str:
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _second_candidate(store) -> str:
    """The demo's ready contribution taken through to an honourable-mention proposal."""
    cid, lead = ready(store)
    version = through_to_the_feedback(store, lead, cid)
    consensus.submit_proposal(store, lead, cid, version, "hedersomnamnande", "Ett tydligt ledarskap.")
    return store.fetchone("SELECT u.name FROM contributions c JOIN units u ON u.id = c.unit_id WHERE c.id = ?",
                          [cid])[0]


def test_the_dossier_holds_exactly_the_candidates_ranked_first_each_on_its_own_page(demo_store):
    says(Y2026, "De bidrag som examinatorslagen föreslår ska få en Kvalitets-utmärkelse eller ett hedersomnämnande "
                "går vidare till en beredningsgrupp.")
    says(Y2026, "Beredningsgruppen har till uppgift att sammanställa och bereda de bidrag som går till "
                "domarkommittén.")
    admin = auth.user_by_email(demo_store, ADMIN)
    mention = _second_candidate(demo_store)
    award, not_proposed = (demo_store.fetchone(
        "SELECT u.name FROM proposals p JOIN contributions c ON c.id = p.contribution_id JOIN units u"
        " ON u.id = c.unit_id WHERE p.proposal = ?", [kind])[0] for kind in ("utmarkelse", "inget"))
    document = _document(reports.jury_dossier(demo_store, admin, DEMO_YEAR)[1])
    text = _text(document)
    assert award in text and mention in text and not_proposed not in text
    assert "Inga förslag" not in text  # no empty class while a unit waits on Beslut: 2026 has no classes
    # The ranking comes first: one table per group, in the order of the proposals.
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:3] == ["Rangordning", "Föreslagna för utmärkelse", "Föreslagna för hedersomnämnande"]
    ranking = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert ranking[0] == ["Plats", "Kandidat", "Lagets förslag", "Totalt", "Grundläggande kontroll"]
    assert ranking[1][:3] == ["1", award, "Utmärkelse"] and ranking[1][4] == eligibility.MAY_TAKE_PART
    # Each candidate starts on a new page.
    for name in (award, mention):
        heading = next(p for p in document.paragraphs if p.text == name and p.style.name == "Heading 1")
        assert heading._p.pPr.find(qn("w:pageBreakBefore")) is not None
    # The site visit in a few lines.
    assert "Platsbesök 17 september 2026. Deltagare: Examinatorslaget, verksamhetens chef och två medarbetare." \
        in text
    # Only the disagreement the team left open, not every area that once had a spread.
    assert "laget överlämnar frågan till juryn" in text
    assert "Laget gick igenom svaren fråga för fråga" not in text


def test_the_dossier_ranks_per_class_where_the_year_has_classes(empty_store):
    says(Y2012, "De verksamheter som deltar i Kvalitetsutmärkelsen bedöms i olika klasser enligt följande")
    admin_id = build_year(empty_store, 12, year=2012)
    admin = auth.User(admin_id, "admin@syntet.se", "Admin Syntet", "admin")
    framework = load_framework(2012)
    context = reports.dossier_context(empty_store, admin, 2012)
    assert context["har_klasser"]
    names = [c.name for c in framework.classes]
    assert [g["namn"] for g in context["grupper"]] == [n for n in names if n in {g["namn"] for g in context["grupper"]}]
    for group in context["grupper"]:
        totals = [r["totalt"] for r in group["rangordning"]]
        assert totals == sorted(totals, reverse=True) and [r["plats"] for r in group["rangordning"]] == list(
            range(1, len(totals) + 1))
        assert all(k["klass"] == group["namn"] for k in group["kandidater"])
    candidates = empty_store.fetchone("SELECT count(*) FROM proposals WHERE proposal <> 'inget'")[0]
    assert sum(len(g["kandidater"]) for g in context["grupper"]) == candidates
    document = _document(reports.jury_dossier(empty_store, admin, 2012)[1])
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 2"][:len(context["grupper"])] == \
        [g["namn"] for g in context["grupper"]]


def test_an_unregistered_basic_control_shows_as_not_assessed_in_the_dossier(demo_store):
    admin = auth.user_by_email(demo_store, ADMIN)
    with demo_store.write("test") as uow:
        uow.execute("UPDATE contributions SET eligibility = NULL")
    context = reports.dossier_context(demo_store, admin, DEMO_YEAR)
    assert {k["behorighet"] for g in context["grupper"] for k in g["kandidater"]} == {eligibility.NOT_ASSESSED}


def test_the_preparatory_group_edits_the_draft_motivation_and_the_dossier_prints_it(demo_store):
    preparer = auth.user_by_email(demo_store, PREPARATORY)
    cid = jury.shortlist(demo_store, preparer, DEMO_YEAR)[0].contribution_id
    text, version = motivations.draft(demo_store, preparer, cid)
    assert version == 0 and text.startswith("Verksamheten tilldelas Stockholms stads kvalitetsutmärkelse 2026.")
    saved = motivations.save_draft(demo_store, preparer, cid, "Juryns utkast: lärande i alla led.", version)
    assert motivations.draft(demo_store, preparer, cid) == ("Juryns utkast: lärande i alla led.", saved)
    with pytest.raises(StaleWrite):
        motivations.save_draft(demo_store, preparer, cid, "Ett annat utkast.", version)
    assert "Juryns utkast: lärande i alla led." in _text(_document(reports.jury_dossier(demo_store, preparer,
                                                                                       DEMO_YEAR)[1]))
    judge = auth.user_by_email(demo_store, JURY)
    with pytest.raises(Exception, match="beredningsgruppen och Kvalitetsenheten"):
        motivations.save_draft(demo_store, judge, cid, "Juryn skriver själv.", saved)


def test_the_preparatory_group_downloads_and_edits_on_beredning(demo_store):
    at = login(PREPARATORY)
    at.switch_page("app_pages/shortlist.py").run()
    assert not at.exception
    assert "Ladda ner juryunderlaget (Word)" in [b.label for b in at.get("download_button")]
    cid = jury.shortlist(demo_store, auth.user_by_email(demo_store, PREPARATORY), DEMO_YEAR)[0].contribution_id
    assert at.selectbox(key="utkast_kandidat").value == cid
    at.text_area(key=f"utkast_{cid}_0").input("Beredningens utkast till motivering.")
    at.button(key=f"utkast_{cid}_0_save").click().run()
    assert not at.exception
    assert demo_store.fetchone("SELECT text FROM draft_motivations WHERE contribution_id = ?", [cid])[0] == \
        "Beredningens utkast till motivering."


def test_beslut_groups_its_candidates_as_the_dossier_does(demo_store):
    mention = _second_candidate(demo_store)
    judge = auth.user_by_email(demo_store, JURY)
    members.declare(demo_store, judge, DEMO_YEAR, {c["contribution_id"]: False
                                                   for c in members.to_declare(demo_store, judge, DEMO_YEAR)})
    at = login(JURY)
    at.switch_page("app_pages/decisions.py").run()
    assert not at.exception
    groups = [g["namn"] for g in reports.dossier_context(demo_store, judge, DEMO_YEAR)["grupper"]]
    assert [s.value for s in at.header] == groups == ["Föreslagna för utmärkelse",
                                                         "Föreslagna för hedersomnämnande"]
    assert mention in texts(at)

"""Award years true to the city's documents (issue 17, items 1–4): competition classes only
where a year has them, each year's appendix rule, the rules quoted whole, and criteria that
cover what the programme asks. Every test quotes the sentence of the seed it rests on."""

from __future__ import annotations

import io
import re

import docx
import pytest
from corpus import build, chars, content, hand_written
from helpers import ADMIN, EXAMINER, login, texts
from seeds import PROGRAMME, PROGRAMME_2012, Y2012, Y2024, Y2026, plain, says, seed_text

from scoring.core import access, auth
from scoring.core.store import Store
from scoring.intake import review as intake_store
from scoring.intake.document import take_in
from scoring.reports import documents as reports
from scoring.year import contributions
from scoring.year.framework import load_framework

F2026, F2024, F2012 = (load_framework(y) for y in (2026, 2024, 2012))


def findings(report) -> list[str]:
    return [f.text for f in report.findings]


def with_appendix(data: bytes, heading: str, lines: list[str]) -> bytes:
    """The file with one more appendix at its end."""
    document = docx.Document(io.BytesIO(data))
    document.add_heading(heading, 1)
    for line in lines:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- 1. competition classes -----------------------------------------------------------------


def test_only_2012_has_competition_classes():
    says(Y2012, "De verksamheter som deltar i Kvalitetsutmärkelsen bedöms i olika klasser enligt följande")
    assert [c.name for c in F2012.classes] == ["Förskola", "Skola", "Äldreomsorg", "Annan vård och omsorg",
                                               "Andra verksamheter"]
    for name in (Y2026, Y2024):
        text = seed_text(name)
        if text is not None:  # neither instruction names a class
            assert "tavlingsklass" not in plain(text) and "klasser" not in plain(text)
    assert F2026.classes == () and F2024.classes == () and not F2026.has_classes


@pytest.mark.parametrize("year", [2024, 2026])
def test_anvisningar_shows_no_competition_classes_for_2024_and_2026(demo_path, year):
    at = login(ADMIN)
    at.switch_page("app_pages/framework.py").run()
    at.selectbox[0].set_value(year).run()
    assert not at.exception
    assert "Tävlingsklasser" not in [s.value for s in at.header]
    at.selectbox[0].set_value(2012).run()
    assert "Tävlingsklasser" in [s.value for s in at.header] and "- Annan vård och omsorg" in " ".join(
        m.value for m in at.markdown)


def test_intake_takes_a_class_only_where_the_year_has_classes(demo_store):
    admin = auth.user_by_email(demo_store, ADMIN)
    data, _ = build(F2026, "rubriker")
    intake_id = intake_store.upload(demo_store, admin, 2026, "x.docx", data)
    version = intake_store.review(demo_store, admin, intake_id).version
    with pytest.raises(intake_store.IntakeError, match="2026 har inga tävlingsklasser"):
        intake_store.accept(demo_store, admin, intake_id, version, unit_name="X", organisation="Utbildningsförvaltningen", note="Sent", class_code="skola")
    cid = intake_store.accept(demo_store, admin, intake_id, version, unit_name="X", organisation="Utbildningsförvaltningen", note="Sent")
    assert demo_store.fetchone("SELECT class_code FROM contributions WHERE id = ?", [cid])[0] is None
    with demo_store.write("test") as uow:
        uow.execute("INSERT INTO award_years (year) VALUES (2012)")
    data, _ = build(F2012, "rubriker", content=content(F2012, appendix=False))
    intake_id = intake_store.upload(demo_store, admin, 2012, "y.docx", data)
    version = intake_store.review(demo_store, admin, intake_id).version
    with pytest.raises(intake_store.IntakeError, match="Välj en tävlingsklass"):
        intake_store.accept(demo_store, admin, intake_id, version, unit_name="Y", organisation="Utbildningsförvaltningen", note="Sent")
    intake_store.accept(demo_store, admin, intake_id, version, unit_name="Y", organisation="Utbildningsförvaltningen", note="Sent", class_code="skola")


def test_the_feedback_report_has_no_class_line_without_classes(demo_store):
    from helpers import finished

    cid, lead = finished(demo_store)
    document = docx.Document(io.BytesIO(reports.feedback_report(demo_store, lead, cid)[1]))
    header = document.paragraphs[2].text
    assert "Tävlingsklass" not in header and header.endswith("Kvalitetsutmärkelsen 2026")


def test_migration_010_clears_the_invented_classes_of_2024_and_2026(tmp_path, monkeypatch):
    import shutil

    from scoring.core import store as store_module

    migrations = store_module.MIGRATIONS_DIR
    older = tmp_path / "migrations"
    older.mkdir()
    for path in sorted(migrations.glob("00[1-6]_*.sql")):
        shutil.copy(path, older / path.name)
    monkeypatch.setattr(store_module, "MIGRATIONS_DIR", older)
    old = Store(tmp_path / "före.duckdb")
    with old.write("test") as uow:
        for year, code in ((2012, "skola"), (2024, "skola"), (2026, "forskola")):
            uow.execute("INSERT INTO contributions (year, unit_id, class_code) VALUES (?, 1, ?)", [year, code])
    old.close()
    monkeypatch.setattr(store_module, "MIGRATIONS_DIR", migrations)
    migrated = Store(tmp_path / "före.duckdb")
    assert migrated.fetchall("SELECT year, class_code FROM contributions ORDER BY year") == [
        (2012, "skola"), (2024, None), (2026, None)]
    migrated.close()


# --- 2. appendices and the limit ----------------------------------------------------------------


def test_2026_excludes_only_the_plan_and_flags_and_counts_any_other_appendix():
    says(Y2026, "Totalt får ert bidrag bestå av max 90 000 tecken, exklusive blanksteg, inledning och bilaga med "
                "verksamhetsplan 2026. Övriga bilagor får inte användas.")
    data, _ = build(F2026, "rubriker")
    plain_file = take_in(data, "x.docx", F2026).report
    assert findings(plain_file) == [] and "verksamhetsplan" in plain_file.appendix_chars
    extra = ["Organisationsschema: rektor, två biträdande rektorer och sex arbetslag."]
    report = take_in(with_appendix(data, "Bilaga 2: Organisationsschema", extra), "x.docx", F2026).report
    assert report.chars_counted == plain_file.chars_counted + chars("Bilaga 2: Organisationsschema", *extra)
    assert any("inte är tillåten (”Bilaga 2: Organisationsschema”)" in t and "bara bilagan Verksamhetsplan 2026" in t
               for t in findings(report))
    # A subheading in an answer that names the plan does not start the appendix: the answer goes on.
    rows = [("h1", "Från uppföljning till utveckling"), ("h2", "18."), ("p", "Vi prioriterar tryggheten."),
            ("bold", "Verksamhetsplanens mål"), ("p", "Målet om trygghet står under mål 1 i planen.")]
    split = take_in(hand_written(rows), "x.docx", F2026)
    last = split.blocks[-1]
    assert split.places[last.id].question == 18 and not split.report.appendix_chars


def test_2024_allows_no_appendix():
    says(Y2024, "Bilagor far inte anvandas.")
    data, _ = build(F2024, "rubriker", content=content(F2024, appendix=False))
    clean = take_in(data, "x.docx", F2024).report
    report = take_in(with_appendix(data, "Bilaga 1: Verksamhetsplan", ["Mål 1."]), "x.docx", F2024).report
    assert report.chars_counted == clean.chars_counted + chars("Bilaga 1: Verksamhetsplan", "Mål 1.")
    assert any("bilagor får inte användas" in t for t in findings(report))


def test_2012_lists_its_own_appendices_and_counts_them():
    says(Y2012, "Bilaga 2 Checklista för kvalitetsarbete. (Checklistan klargör sambanden mellan verksamhetens alla "
                "delar i kvalitetssystemet. Checklistan kan ses som ett stöd, men behöver inte skickas in.)")
    data, _ = build(F2012, "rubriker", content=content(F2012, appendix=False))
    clean = take_in(data, "x.docx", F2012).report
    report = take_in(with_appendix(data, "Bilaga 2 Checklista för kvalitetsarbete", ["Mål – arbetssätt."]),
                     "x.docx", F2012).report
    assert report.appendix_chars == {"checklista": chars("Bilaga 2 Checklista för kvalitetsarbete",
                                                         "Mål – arbetssätt.")}
    assert report.chars_counted > clean.chars_counted and not any("Bilaga" in t for t in findings(report))


def test_the_plan_as_a_file_of_its_own_is_accepted_and_examiners_read_it(demo_store):
    says(Y2026, "Till det skriftliga bidraget ska verksamheten även bifoga sin verksamhetsplan för 2026.")
    says(Y2026, "Hänvisa även till under vilka mål detta beskrivs i bilaga Verksamhetsplan 2026.")
    admin = auth.user_by_email(demo_store, ADMIN)
    data, _ = build(F2026, "rubriker", content=content(F2026, appendix=False))
    intake_id = intake_store.upload(demo_store, admin, 2026, "utan plan.docx", data)
    assert "Bilagan Verksamhetsplan 2026 saknas: den finns inte i filen eller som egen fil." in findings(
        intake_store.review(demo_store, admin, intake_id).report)
    plan = docx.Document()
    plan.add_heading("Verksamhetsplan 2026", 1)
    plan.add_paragraph("Mål 1: Alla elever ska känna sig trygga. Förväntat resultat: 95 % trygga.")
    buffer = io.BytesIO()
    plan.save(buffer)
    with pytest.raises(intake_store.IntakeError, match="tar inte emot|PDF-kopia"):
        intake_store.attach(demo_store, admin, intake_id, kind="pdf_kopia", filename="x.pdf", data=b"%PDF-1.4")
    intake_store.attach(demo_store, admin, intake_id, kind="bilaga", appendix_code="verksamhetsplan",
                        filename="Verksamhetsplan 2026.docx", data=buffer.getvalue())
    review = intake_store.review(demo_store, admin, intake_id)
    assert findings(review.report) == []
    cid = intake_store.accept(demo_store, admin, intake_id, review.version, unit_name="Skolan",
                              organisation="Utbildningsförvaltningen", note="Sent")
    team_id = demo_store.fetchone("SELECT m.team_id FROM team_members m JOIN users u ON u.id = m.user_id"
                                  " WHERE u.email = ?", [EXAMINER])[0]
    with demo_store.write("test") as uow:
        uow.execute("INSERT INTO assignments (contribution_id, team_id, assigned_by) VALUES (?, ?, 'test')",
                    [cid, team_id])
    examiner = auth.user_by_email(demo_store, EXAMINER)
    from scoring.teams import conflicts

    conflicts.declare(demo_store, examiner, cid, has_conflict=False, confidentiality_accepted=True)
    shown = contributions.contribution_content(demo_store, examiner, cid)["appendix_files"]
    assert [f["filename"] for f in shown] == ["Verksamhetsplan 2026.docx"]
    assert "Mål 1: Alla elever ska känna sig trygga" in shown[0]["paragraphs"][1]["text"]
    assert intake_store.attachment_file(demo_store, examiner, shown[0]["id"])[1] == buffer.getvalue()
    outsider = auth.user_by_email(demo_store, "lisa.berg@demo.stockholm.se")
    with pytest.raises(access.AccessDenied):
        intake_store.attachment_file(demo_store, outsider, shown[0]["id"])


# --- 3. rules copied exactly -------------------------------------------------------------------


SEED_OF = {2026: Y2026, 2024: Y2024, 2012: Y2012}


@pytest.mark.parametrize("year", [2012, 2024, 2026])
def test_every_rule_text_is_quoted_from_the_seed(year):
    framework = load_framework(year)
    quoted = [framework.character_limit.rule_text, *framework.eligibility.rule_texts]
    quoted += [framework.submission_rule_text] if framework.submission_rule_text else []
    for part in (framework.presentation_text, framework.picture, framework.images_in_text):
        if part is not None:
            quoted.append(part.rule_text)
    quoted += [line for c in framework.concepts for line in c.text.split("\n")]
    if framework.goal_chain_checklist:
        quoted += [framework.goal_chain_checklist.intro, *(c.guidance for c in framework.goal_chain_checklist.columns)]
    for text in quoted:
        says(SEED_OF[year], text)


def test_the_2024_texts_are_whole():
    rule = says(Y2024, "Används en ordlista (vilket rekommenderas) så läggs denna in i tävlingsbidraget under rubriken "
                       "Ordlista.")
    assert rule in F2024.character_limit.rule_text
    fallback = says(Y2024, "Följer inte bilden dessa kriterier väljs en bild från stadens mediabank.")
    assert F2024.picture.rule_text.endswith(fallback) and F2024.picture.if_not_met == fallback
    says(Y2024, "Bidraget ska skickas in i både Word- och PDF-format.")
    assert F2024.submission_formats == ("docx", "pdf")


@pytest.mark.parametrize("framework", [F2024, F2026])
def test_pictures_in_the_text_and_the_send_back_within_one_to_two_working_days(framework):
    says(Y2026, "Inkomna bidrag där bilder innehåller textstycken kommer skickas tillbaka med ändringsbegäran. "
                "En ändringsbegäran måste åtgärdas inom 1-2 arbetsdagar.")
    rule = framework.images_in_text
    assert rule.change_request_working_days == (1, 2) and not rule.text_in_images_allowed
    # The intake's finding for a picture that holds a text passage quotes the year's rule.
    from scoring.intake.document import _picture_findings
    from scoring.intake.docx_reader import Facts

    passage = {"number": 1, "where": "under fråga 3", "passage": True, "passage_chars": 240, "chars": 260,
               "status": "läst"}
    found = [f.text for f in _picture_findings(framework, [passage], 1, Facts())]
    assert any("ändringsbegäran, som måste åtgärdas inom 1–2 arbetsdagar" in t for t in found), found


def test_2024_asks_for_a_pdf_copy_and_takes_it_as_a_file(demo_store):
    admin = auth.user_by_email(demo_store, ADMIN)
    with demo_store.write("test") as uow:
        uow.execute("INSERT INTO award_years (year) VALUES (2024) ON CONFLICT DO NOTHING")
    data, _ = build(F2024, "rubriker", content=content(F2024, appendix=False))
    intake_id = intake_store.upload(demo_store, admin, 2024, "bidrag.docx", data)
    missing = "PDF-kopian av bidraget saknas. Bidraget ska skickas in i både Word- och PDF-format."
    assert missing in findings(intake_store.review(demo_store, admin, intake_id).report)
    with pytest.raises(intake_store.IntakeError, match="ska vara en PDF"):
        intake_store.attach(demo_store, admin, intake_id, kind="pdf_kopia", filename="bidrag.docx", data=data)
    intake_store.attach(demo_store, admin, intake_id, kind="pdf_kopia", filename="bidrag.pdf", data=b"%PDF-1.7\n")
    assert missing not in findings(intake_store.review(demo_store, admin, intake_id).report)


def test_concepts_and_the_checklist_on_anvisningar_and_beside_the_reading_pane(demo_path, demo_store):
    says(Y2026, "I bilaga 1 finns beskrivningar av begrepp som används i stadens ledning och styrning.")
    says(Y2024, "I bilaga 1 och 2 finns beskrivningar av begrepp som används i stadens ledning och uppföljning "
                "samt stödfrågor för målkedjan.")
    assert [c.term for c in F2026.concepts][:3] == ["Integrerad ledning och styrning, ILS", "Mål", "Förväntat resultat"]
    assert [c.title for c in F2024.goal_chain_checklist.columns][0] == "Resultat och analys 2023"
    at = login(ADMIN)
    at.switch_page("app_pages/framework.py").run()
    assert "**Synpunkter och klagomål**" in texts(at)
    at.selectbox[0].set_value(2024).run()
    assert not at.exception and "Checklista med stödfrågor för målkedjan" in texts(at)
    at = login(EXAMINER)
    at.switch_page("app_pages/assessment.py").run()
    assert not at.exception
    assert "Anvisningarnas begrepp" in [e.label for e in at.expander]  # 2026: Bilaga 1, no checklist


# --- 4. criteria --------------------------------------------------------------------------------


def _cited(framework, words: str):
    return [c for a in framework.areas for c in a.criteria if any(words in s for s in c.sources)]


def test_complaints_handling_is_assessed_in_2024_and_2026():
    says(PROGRAMME, "För att stärka medborgarperspektivet i verksamheten ska en systematisk hantering av synpunkter "
                    "och klagomål finnas i alla verksamheter.")
    for framework in (F2024, F2026):
        assert [c.title for c in _cited(framework, "Synpunkter och klagomål")] == ["Synpunkter och klagomål"]


def test_the_effect_for_the_target_groups_is_in_the_arbetssatt_descriptors():
    says(Y2026, "Fastna inte i beskrivning av att ni gör utan fokusera på hur ni gör och vad det får för effekt för "
                "de verksamheten finns till för.")
    assert all("målgrupperna" in band.arbetssatt for band in F2026.scale.bands)


def test_question_14c_the_economic_result_and_the_goal_chain_have_their_criteria():
    says(Y2026, "Samarbete, hur ni delar erfarenheter och insikter med andra utanför er egen verksamhet samt hur ni "
                "sedan omsätter eventuella lärdomar i ert arbete.")
    assert [c.code for c in _cited(F2026, "fråga 14 c")] == ["samarbete_larande"]
    says(Y2026, "Ert prognostiserade ekonomiska resultat, i förhållande till budget för innevarande år samt de tre "
                "senaste årens resultat.")
    economic = _cited(F2026, "fråga 14 a") + _cited(F2024, "fråga 15")
    assert [c.kind for c in economic] == ["resultat", "resultat"]
    says(Y2026, "Hänvisa även till under vilka mål detta beskrivs i bilaga Verksamhetsplan 2026.")
    chain = next(c for c in _cited(F2026, "frågorna 18–19"))
    assert chain.code == "malkedja" and "Verksamhetsplan 2026" in chain.description


def test_2012s_criteria_cite_the_2012_programme():
    says(PROGRAMME_2012, "Stadens kvalitetsgarantier och synpunkts- och klagomålshantering är viktiga för den "
                         "invånarnära relationen.")
    assert set(F2012.sources) == {"003", "004"}
    sources = [s for a in F2012.areas for c in a.criteria for s in c.sources]
    assert all(re.match(r"00[34]:", s) for s in sources) and any(s.startswith("004") for s in sources)


def test_anvisningar_states_the_area_weights_and_that_the_scale_is_a_proposal(demo_path):
    at = login(ADMIN)
    at.switch_page("app_pages/framework.py").run()
    weights = next(d.value for d in at.dataframe if "Andel av totalen" in d.value.columns)
    assert list(weights["Frågeområde"]) == [a.title for a in F2026.areas] and set(weights["Vikt"]) == {1.0}
    assert any("Arbetsverktygets förslag" in w.value for w in at.warning)
    assert not F2026.scale.confirmed

"""Feedback reports and the jury dossier: content per area, no names, literal text, the gate,
the template check, batch and the year's Excel."""

from __future__ import annotations

import dataclasses
import io
import zipfile

import openpyxl
import pytest
from docx import Document
from helpers import edited_template, finished

from scoring.consensus import workspace as consensus
from scoring.core import access, auth
from scoring.jury import shortlist as jury
from scoring.reports import documents as reports
from scoring.reports.templates import DOSSIER, FEEDBACK, TEMPLATE_DIR
from scoring.year.framework import load_framework
from workbench_tools.demo import DEMO_YEAR

FRAMEWORK = load_framework(DEMO_YEAR)
ADMIN = "kvalitetsenheten@demo.stockholm.se"
HOSTILE = "Lärande {{ enhet }} {% for x in y %} <script>alert(1)</script> & \x0b\"citat\" ’ ü"


def paragraphs(data: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(data)).paragraphs]


def test_the_report_holds_every_area_with_its_consensus_findings(demo_store):
    cid, lead = finished(demo_store)
    name, data = reports.feedback_report(demo_store, lead, cid)
    work = consensus.workspace(demo_store, lead, cid)
    text = paragraphs(data)
    assert name.endswith(".docx") and work.unit in name
    assert text[0] == "Återkopplingsrapport" and text[1] == work.unit
    for area in FRAMEWORK.areas:
        start = text.index(area.title)
        section = text[start:]
        strengths = section[section.index("Styrkor") + 1:section.index("Utvecklingsområden")]
        assert strengths == [f.text for f in work.area_findings(area.code, "styrka")]
    for theme in work.area_findings(None, "utvecklingsomrade"):
        assert theme.text in text
    document = Document(io.BytesIO(data))
    assert {p.style.name for p in document.paragraphs} >= {"Title", "Heading 1", "Heading 2", "List Bullet"}
    footer_xml = document.sections[0].footer._element.xml
    assert "PAGE" in footer_xml and "NUMPAGES" in footer_xml


def test_no_examiner_names_and_scores_only_when_the_year_says_so(demo_store):
    cid, lead = finished(demo_store)
    data = reports.feedback_report(demo_store, lead, cid)[1]
    whole = "\n".join(paragraphs(data))
    names = [r[0] for r in demo_store.fetchall("SELECT name FROM users WHERE role = 'examinator'")]
    assert not [n for n in names if n in whole]
    assert "av 100 poäng" not in whole
    reports.show_scores(demo_store, auth.user_by_email(demo_store, ADMIN), DEMO_YEAR, True)
    assert "av 100 poäng" in "\n".join(paragraphs(reports.feedback_report(demo_store, lead, cid)[1]))


def test_hostile_text_appears_literally(demo_store):
    cid, lead = finished(demo_store)
    work = consensus.workspace(demo_store, lead, cid)
    finding = work.area_findings(FRAMEWORK.areas[0].code, "styrka")[0]
    with demo_store.write("test") as uow:  # text as it could have been stored during consensus
        uow.execute("UPDATE consensus_findings SET text = ? WHERE id = ?", [HOSTILE, finding.id])
        uow.execute("UPDATE units SET name = ? WHERE id = (SELECT unit_id FROM contributions WHERE id = ?)",
                    ["Enheten <b>&</b> {{ ar }}", cid])
    data = reports.feedback_report(demo_store, lead, cid)[1]
    text = paragraphs(data)
    assert reports.clean(HOSTILE) in text
    assert "Enheten <b>&</b> {{ ar }}" in text
    assert "\x0b" not in "".join(text)


def test_the_quality_gate_names_what_to_fix_and_where(demo_store):
    cid, lead = finished(demo_store)
    work = consensus.workspace(demo_store, lead, cid)
    assert reports.quality_gate(work) == []
    # The gate reads only the workspace: the same consensus with one area's improvements
    # gone and one strength badly worded, as a team could leave it.
    area, worded = FRAMEWORK.areas[1], FRAMEWORK.areas[2]
    strength = work.area_findings(worded.code, "styrka")[0]
    findings = [dataclasses.replace(f, text="Verksamheten bör mäta mer. " + "x" * 500) if f.id == strength.id else f
                for f in work.findings if not (f.area_code == area.code and f.kind == "utvecklingsomrade")]
    problems = reports.quality_gate(dataclasses.replace(work, findings=findings))
    messages = [p.message for p in problems]
    assert f"{area.title}: minst en utvecklingsområde behövs." in messages
    assert [p.area_code for p in problems if p.message.startswith(area.title)] == [area.code]
    wording = [p for p in problems if p.area_code == worded.code]
    assert any("”bör”" in p.message for p in wording) and any("tecken" in p.message for p in wording)


def test_the_phase_gate_and_the_report_gate_share_their_rules(demo_store):
    """Before the feedback and before a final report the same rule answers in the same words."""
    cid, lead = finished(demo_store)
    work = consensus.workspace(demo_store, lead, cid)
    area = FRAMEWORK.areas[0]
    gap = dataclasses.replace(work, findings=[f for f in work.findings if not (
        f.area_code == area.code and f.kind == "styrka") and not (f.area_code is None and f.kind == "styrka")])
    before_feedback = set(consensus.problems_before(gap, FRAMEWORK, "aterkoppling_klar"))
    report = {p.message for p in reports.quality_gate(gap)}
    shared = {f"{area.title}: minst en styrka behövs.", "Nyckeltemana ska vara 3–5 styrkor; nu 0."}
    assert shared <= before_feedback and shared <= report


def test_a_report_before_final_consensus_is_not_final(demo_store):
    cid, email = demo_store.fetchone(
        "SELECT c.id, u.email FROM contributions c JOIN assignments s ON s.contribution_id = c.id"
        " JOIN teams t ON t.id = s.team_id JOIN users u ON u.id = t.coordinator_id WHERE c.phase = 'konsensus'")
    lead = auth.user_by_email(demo_store, email)
    problems = reports.quality_gate(consensus.workspace(demo_store, lead, cid))
    assert problems[0].message == "Slutlig konsensus efter platsbesöket är inte nådd ännu."
    with pytest.raises(reports.ReportError, match="kan inte bli slutlig"):
        reports.mark_final(demo_store, lead, cid)


@pytest.mark.parametrize("replace, message", [
    ({"{{ enhet }}": "{{ enhetsnamn }}"}, "Okänt fält ”enhetsnamn”"),
    ({"{{ enhet }}": "Enheten"}, "Fältet ”enhet” saknas"),
    ({"{%p endfor %}": "{%p endfr %}"}, "syntaxfel"),
    ({"{{ forvaltning }}": "{{ forvaltning }"}, "syntaxfel"),
])
def test_the_template_check_speaks_of_fields_and_word_text(replace, message):
    problems = reports.check_template(FEEDBACK, edited_template(replace))
    assert problems and message in problems[0]
    assert "<w:" not in " ".join(problems)  # never XML


def test_the_template_check_accepts_the_shipped_templates_and_refuses_non_word():
    for name in (FEEDBACK, DOSSIER):
        assert reports.check_template(name, (TEMPLATE_DIR / f"{name}.docx").read_bytes()) == []
    assert reports.check_template(FEEDBACK, b"") == ["Filen är tom."]
    assert reports.check_template(FEEDBACK, b"%PDF-1.4") == ["Filen är inte ett Word-dokument (.docx)."]


def test_an_uploaded_template_is_used_and_can_be_reset(demo_store):
    cid, lead = finished(demo_store)
    admin = auth.user_by_email(demo_store, ADMIN)
    changed = edited_template({"Om bedömningen": "Så gick bedömningen till"})
    with pytest.raises(access.AccessDenied):
        reports.save_template(demo_store, lead, FEEDBACK, changed)
    with pytest.raises(reports.ReportError, match="används inte"):
        reports.save_template(demo_store, admin, FEEDBACK, edited_template({"{{ enhet }}": "{{ x }}"}))
    reports.save_template(demo_store, admin, FEEDBACK, changed)
    assert "Så gick bedömningen till" in paragraphs(reports.feedback_report(demo_store, lead, cid)[1])
    reports.reset_template(demo_store, admin, FEEDBACK)
    assert "Om bedömningen" in paragraphs(reports.feedback_report(demo_store, lead, cid)[1])


def test_the_batch_gives_every_final_report_in_a_zip(demo_store):
    admin = auth.user_by_email(demo_store, ADMIN)
    seen = []
    files = reports.final_reports(demo_store, admin, DEMO_YEAR, lambda n, total, unit: seen.append((n, total)))
    finals = demo_store.fetchone("SELECT count(*) FROM reports WHERE final")[0]
    assert len(files) == finals and seen[-1] == (finals, finals)
    with zipfile.ZipFile(io.BytesIO(reports.zip_files(files))) as archive:
        assert archive.namelist() == [name for name, _ in files]
    _, lead = finished(demo_store)
    with pytest.raises(access.AccessDenied):
        reports.final_reports(demo_store, lead, DEMO_YEAR)


def test_pdf_needs_libreoffice_and_says_so(monkeypatch):
    monkeypatch.setattr(reports.shutil, "which", lambda name: None)
    with pytest.raises(reports.ReportError, match="LibreOffice"):
        reports.to_pdf([("a.docx", b"PK")])


def test_the_years_scores_in_excel_are_made_for_people(demo_store):
    admin = auth.user_by_email(demo_store, ADMIN)
    with demo_store.write(ADMIN) as uow:  # a decision of the jury, to see it in the export
        cid = demo_store.fetchone("SELECT contribution_id FROM proposals ORDER BY contribution_id LIMIT 1")[0]
        uow.execute("INSERT INTO decisions (contribution_id, decision, motivation, decided_by) VALUES (?, ?, ?, ?)",
                    [cid, "utmarkelse", "Ett föredöme i hela staden.", "jury@demo.stockholm.se"])
    book = openpyxl.load_workbook(io.BytesIO(reports.scores_workbook(demo_store, admin, DEMO_YEAR)))
    assert book.sheetnames == ["Totalt per bidrag", "Individuella poäng", "Individuella områden",
                               "Utkast (ej inlämnade)", "Konsensuspoäng", "Konsensus per område", "Faser och förslag"]
    for sheet in book.worksheets:  # a bold header that stays in view, with filters and set widths
        assert all(c.font.b for c in sheet[1]) and sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
        assert sheet.column_dimensions["A"].width >= 8
    submitted = demo_store.fetchone("SELECT count(*) FROM assessment_areas x JOIN assessments a ON a.id = x.assessment_id"
                                    " WHERE a.status IN ('inlamnad', 'last')")[0]
    assert book["Individuella områden"].max_row == submitted + 1
    statuses = {row[2] for row in book["Individuella poäng"].iter_rows(min_row=2, values_only=True)}
    drafts = {row[2] for row in book["Utkast (ej inlämnade)"].iter_rows(min_row=2, values_only=True)}
    assert statuses <= {"Inlämnad", "Låst"} and statuses and drafts == {"Utkast"}
    totals = {row[0]: row for row in book["Totalt per bidrag"].iter_rows(min_row=2, values_only=True)}
    contributions = demo_store.fetchone("SELECT count(*) FROM contributions WHERE year = ?", [DEMO_YEAR])[0]
    assert len(totals) == contributions and any(isinstance(r[2], float | int) for r in totals.values())
    assert sum(r[4] for r in totals.values()) == demo_store.fetchone(
        "SELECT count(*) FROM assessments WHERE status IN ('inlamnad', 'last')")[0]
    rationales = [row[3] for row in book["Konsensus per område"].iter_rows(min_row=2, values_only=True)]
    assert any(rationales)
    phases = {row[0]: row for row in book["Faser och förslag"].iter_rows(min_row=2, values_only=True)}
    assert len(phases) == contributions and "Förslag lämnat" in {r[4] for r in phases.values()}
    unit = demo_store.fetchone("SELECT u.name FROM contributions c JOIN units u ON u.id = c.unit_id WHERE c.id = ?",
                               [cid])[0]
    assert phases[unit][8:] == ("Utmärkelse", "Ett föredöme i hela staden.")


def _dossier_text(store, user) -> str:
    document = Document(io.BytesIO(reports.jury_dossier(store, user, DEMO_YEAR)[1]))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_the_dossier_follows_the_pseudonym_setting_for_the_preparatory_group_and_the_jury(demo_store):
    admin = auth.user_by_email(demo_store, ADMIN)
    above = [auth.user_by_email(demo_store, e) for e in ("beredning@demo.stockholm.se", "jury@demo.stockholm.se")]
    proposed = demo_store.fetchall(
        "SELECT u.name, u.organisation FROM proposals p JOIN contributions c ON c.id = p.contribution_id"
        " JOIN units u ON u.id = c.unit_id WHERE c.year = ? AND p.proposal <> 'inget'", [DEMO_YEAR])
    assert proposed
    jury.set_pseudonymised(demo_store, admin, DEMO_YEAR, True)
    for user in above:
        text = _dossier_text(demo_store, user)
        for unit, organisation in proposed:
            assert unit not in text and organisation not in text
        # The same letters the shortlist shows them.
        shown = {c.name for c in jury.shortlist(demo_store, user, DEMO_YEAR) if c.proposal != "inget"}
        assert shown and all(name.startswith("Kandidat ") and name in text for name in shown)
    # The office always reads the names, and with the setting off so does everyone.
    assert all(unit in _dossier_text(demo_store, admin) for unit, _ in proposed)
    jury.set_pseudonymised(demo_store, admin, DEMO_YEAR, False)
    assert all(unit in _dossier_text(demo_store, above[1]) for unit, _ in proposed)

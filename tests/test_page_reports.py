"""AppTest: Rapporter and Rapportmallar."""

from __future__ import annotations

from helpers import ADMIN, edited_template, finished, login, texts

from scoring.core.text import escape_markdown
from scoring.reports import documents as reports
from scoring.reports.templates import FEEDBACK


def test_the_coordinator_sees_the_gate_and_marks_the_report_final(demo_store):
    cid, lead = finished(demo_store)
    with demo_store.write("test") as uow:
        uow.execute("UPDATE reports SET final = FALSE WHERE contribution_id = ?", [cid])
    at = login(lead.email)
    at.switch_page("app_pages/reports.py").run()
    at.selectbox(key="rapport_bidrag").set_value(cid).run()
    assert not at.exception
    assert "Kvalitetskontrollen är klar" in texts(at)
    # A dialog asks first and says what "final" means; "Avbryt" leaves the report a draft.
    next(b for b in at.button if b.label == "Markera rapporten som slutlig").click().run()
    assert "Det går inte att ta tillbaka" in texts(at) and "Konsensus låses inte" in texts(at)
    at.button(key="report_final_dialog_cancel").click().run()
    assert not reports.report_status(demo_store, 2026)[cid]["final"]
    assert not any(b.label == "Markera som slutlig" for b in at.button)
    next(b for b in at.button if b.label == "Markera rapporten som slutlig").click().run()
    confirm = at.button(key="report_final_dialog_confirm")
    assert confirm.label == "Markera som slutlig" and confirm.proto.type == "primary"
    confirm.click().run()
    assert not at.exception
    assert reports.report_status(demo_store, 2026)[cid]["final"]
    assert "Rapporten är slutlig" in texts(at)
    assert [b.label for b in at.get("download_button")] == ["Ladda ner rapporten (Word)"]


def test_problems_are_listed_with_the_way_to_fix_them(demo_store):
    cid, email = demo_store.fetchone(
        "SELECT c.id, u.email FROM contributions c JOIN assignments s ON s.contribution_id = c.id"
        " JOIN teams t ON t.id = s.team_id JOIN users u ON u.id = t.coordinator_id WHERE c.phase = 'konsensus'")
    at = login(email)
    at.switch_page("app_pages/reports.py").run()
    at.selectbox(key="rapport_bidrag").set_value(cid).run()
    assert "saker återstår" in at.warning[0].value
    assert "- Slutlig konsensus efter platsbesöket är inte nådd ännu" in texts(at)
    assert [link.label for link in at.get("page_link")][-1] == "Rätta i Konsensus"
    assert not any(b.label == "Markera rapporten som slutlig" for b in at.button)


def test_the_admin_batch_and_year_documents(demo_store):
    at = login(ADMIN)
    at.switch_page("app_pages/reports.py").run()
    assert not at.exception
    # The batch names every report it leaves out, and why.
    finals = {cid for cid, r in reports.report_status(demo_store, 2026).items() if r["final"]}
    units = demo_store.fetchall("SELECT c.id, u.name FROM contributions c JOIN units u ON u.id = c.unit_id"
                                " WHERE c.year = 2026")
    left_out = next(w.value for w in at.warning if w.value.startswith("Inte med när alla slutliga"))
    for cid, unit in units:
        assert (escape_markdown(unit) in left_out) == (cid not in finals)
    assert escape_markdown("konsensus är inte öppnad (bidraget är i fasen tilldelad)") in left_out
    assert escape_markdown("rapporten är inte markerad som slutlig; ") in left_out
    next(b for b in at.button if b.label == "Ta fram alla slutliga rapporter").click().run()
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert {"Ladda ner alla (zip)", "Juryunderlag (Word)", "Årets poäng (Excel)"} <= set(labels)
    at.toggle[0].set_value(True).run()
    assert demo_store.setting("report_scores_2026") == "1"


def test_a_bad_template_is_refused_and_a_good_one_tried_then_used(demo_store):
    at = login(ADMIN)
    at.switch_page("app_pages/templates.py").run()
    assert not at.exception and at.title[0].value == "Rapportmallar"
    at.get("file_uploader")[0].set_value(("mall.docx", edited_template({"{{ enhet }}": "{{ namn }}"}),
                                          "application/octet-stream")).run()
    assert "Okänt fält ”namn”" in texts(at)
    at.get("file_uploader")[0].set_value(("mall.docx", edited_template({"Om bedömningen": "Så gick det till"}),
                                          "application/octet-stream")).run()
    assert "är kontrollerad" in texts(at)
    next(b for b in at.button if b.label == "Använd mallen").click().run()
    assert demo_store.fetchone("SELECT count(*) FROM report_templates WHERE active AND name = ?", [FEEDBACK])[0] == 1

"""AppTest: the Bedömning page as an examiner and as a coordinator."""

from __future__ import annotations

from helpers import FRAMEWORK, login, not_started, score_everything, texts

from scoring.assessment import individual as assessments
from scoring.core import auth

PAGE = "app_pages/assessment.py"


def open_page(store, user, cid):
    at = login(user.email)
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    at.selectbox(key="bidrag").set_value(cid).run()
    assert not at.exception, at.exception
    return at


def key(cid: int, name: str) -> str:
    return f"bedomning_w{cid}_{name}"


def test_the_examiner_sees_only_the_team_and_the_answer_beside_the_form(demo_store):
    user, cid = not_started(demo_store)
    at = open_page(demo_store, user, cid)
    team = {r[0] for r in demo_store.fetchall(
        "SELECT s.contribution_id FROM assignments s JOIN team_members m ON m.team_id = s.team_id"
        " WHERE m.user_id = ?", [user.id])}
    assert set(at.selectbox(key="bidrag").options) == {
        r[0] for r in demo_store.fetchall(
            "SELECT u.name FROM contributions c JOIN units u ON u.id = c.unit_id"
            f" WHERE c.id IN ({','.join(map(str, team))})")}
    text = texts(at)
    area = FRAMEWORK.areas[0]
    assert f"### {area.questions[0].number}. " in text and "Fråga 1 ¶1" in text
    assert "Min bedömning: **Ej påbörjad**" in text
    # Nothing of a teammate's work is on the page before one's own is submitted.
    others = demo_store.fetchall(
        "SELECT f.text FROM findings f JOIN assessments a ON a.id = f.assessment_id WHERE a.contribution_id = ?",
        [cid])
    assert all(t not in text for (t,) in others)


def test_scoring_a_criterion_saves_and_updates_the_area_score(demo_store):
    user, cid = not_started(demo_store)
    at = open_page(demo_store, user, cid)
    area = FRAMEWORK.areas[0]
    first = area.criteria[0].code
    at.button_group(key=key(cid, f"band_{area.code}_{first}")).set_value("50-65").run()
    assert list(at.button_group(key=key(cid, f"value_{area.code}_{first}")).options) == \
        ["50", "55", "60", "65"]
    at.button_group(key=key(cid, f"value_{area.code}_{first}")).set_value(60).run()
    assert not at.exception
    work = assessments.own_assessment(demo_store, user, cid)
    assert work.areas[area.code].criteria == {first: 60}
    assert at.metric[0].value == "60"
    # Choosing another band clears the value until one is picked inside it.
    at.button_group(key=key(cid, f"band_{area.code}_{first}")).set_value("70-85").run()
    assert assessments.own_assessment(demo_store, user, cid).areas[area.code].criteria == {}


def test_switching_area_never_clears_the_last_areas_scores(demo_store):
    """Found by the year's browser test under load: while the page was still drawing the next
    area, Streamlit replayed the previous area's widget callbacks with reset values and saved
    scores were cleared. Only the area on the screen saves."""
    user, cid = not_started(demo_store)
    at = open_page(demo_store, user, cid)
    first, second = FRAMEWORK.areas[0], FRAMEWORK.areas[1]
    criterion = first.criteria[0].code
    at.button_group(key=key(cid, f"band_{first.code}_{criterion}")).set_value("50-65").run()
    at.button_group(key=key(cid, f"value_{first.code}_{criterion}")).set_value(60).run()
    # The area changes in the same message that carries the old area's band, reset.
    at.button_group(key="omrade").set_value(second.code)
    at.button_group(key=key(cid, f"band_{first.code}_{criterion}")).set_value(None)
    at.run()
    assert not at.exception
    assert assessments.own_assessment(demo_store, user, cid).areas[first.code].criteria == {criterion: 60}


def test_a_finding_is_added_with_its_warnings(demo_store):
    user, cid = not_started(demo_store)
    at = open_page(demo_store, user, cid)
    area = FRAMEWORK.areas[0]
    p = key(cid, f"new_{area.code}_")
    at.radio(key=p + "kind").set_value("utvecklingsomrade")
    at.text_area(key=p + "text").input("Verksamheten bör följa upp resultaten.")
    at.multiselect(key=p + "questions").select(area.questions[0].number)
    anchors = at.multiselect(key=p + "anchors")
    anchors.select(anchors.options[0])
    at.button(key=f"FormSubmitter:{p}form-Lägg till").click().run()
    assert not at.exception
    [finding] = assessments.own_assessment(demo_store, user, cid).areas[area.code].findings
    assert finding.kind == "utvecklingsomrade" and finding.questions == [area.questions[0].number]
    assert len(finding.anchors) == 1
    assert at.text_area(key=p + "text").value == ""  # the form is cleared only after a successful save
    warnings = [w.value for w in at.warning]
    assert any("”bör”" in w for w in warnings)
    assert any(f"Fråga {area.questions[1].number} har ingen iakttagelse" in w for w in warnings)
    # An empty finding is refused with a message and the typed examples stay.
    at.text_area(key=p + "examples").input("Exemplet finns kvar")
    at.button(key=f"FormSubmitter:{p}form-Lägg till").click().run()
    assert "Iakttagelsen är tom" in at.error[0].value
    assert at.text_area(key=p + "examples").value == "Exemplet finns kvar"


def test_a_passage_is_chosen_as_evidence_where_it_is_read(demo_store):
    user, cid = not_started(demo_store)
    at = open_page(demo_store, user, cid)
    area = FRAMEWORK.areas[0]
    p = key(cid, f"new_{area.code}_")
    passages = assessments.passages(demo_store, user, cid)
    block_id, passage = next((b, q) for b, q in passages.items() if q["question_number"] == area.questions[1].number)
    # The evidence list names each passage by question and paragraph and how it begins.
    options = at.multiselect(key=p + "anchors").options
    assert f"{passage['label']}: {assessments.quote(passage, 140)}" in options
    assert all(o.startswith("Fråga ") and ": " in o for o in options)
    use = at.button(key=key(cid, f"use_{area.code}_{block_id}"))
    assert use.label == "Använd som belägg"
    use.click().run()
    assert not at.exception
    assert at.multiselect(key=p + "anchors").value == [block_id]
    assert at.multiselect(key=p + "questions").value == [passage["question_number"]]
    assert at.button(key=key(cid, f"use_{area.code}_{block_id}")).label == \
        f"Belägg för ny iakttagelse ({passage['label']})"
    assert passage["label"] in at.toast[0].value
    # Pointed at again, it is no longer evidence (the question stays chosen).
    at.button(key=key(cid, f"use_{area.code}_{block_id}")).click().run()
    assert at.multiselect(key=p + "anchors").value == []
    assert at.button(key=key(cid, f"use_{area.code}_{block_id}")).label == "Använd som belägg"
    # A submitted assessment offers no choosing.
    score_everything(demo_store, user, cid, assessments.own_assessment(demo_store, user, cid).version)
    assessments.submit(demo_store, user, cid, assessments.own_assessment(demo_store, user, cid).version)
    at = open_page(demo_store, user, cid)
    assert not any(b.label == "Använd som belägg" for b in at.button)


def test_editing_a_finding_and_notes_autosave(demo_store):
    user, cid = not_started(demo_store)
    version = assessments.add_finding(demo_store, user, cid, 0, area_code="malgrupp", kind="styrka", text="Först")
    fid = assessments.own_assessment(demo_store, user, cid).areas["malgrupp"].findings[0].id
    at = open_page(demo_store, user, cid)
    at.text_area(key=key(cid, f"f{fid}_text")).input("Ändrad i sidan").run()
    at.text_area(key=key(cid, "note_1")).input("Privat anteckning").run()
    at.text_area(key=key(cid, "svq_malgrupp")).input("Hur?\nVarför?").run()
    work = assessments.own_assessment(demo_store, user, cid)
    assert work.areas["malgrupp"].findings[0].text == "Ändrad i sidan"
    assert work.notes == {1: "Privat anteckning"}
    assert work.areas["malgrupp"].site_visit_questions == ["Hur?", "Varför?"]
    assert work.version == version + 3


def test_a_save_from_a_stale_window_is_refused_visibly(demo_store):
    user, cid = not_started(demo_store)
    at = open_page(demo_store, user, cid)
    # Another tab saves the same note after this window was opened.
    assessments.set_note(demo_store, user, cid, 0, 1, "från den andra fliken")
    at.run()
    assert any("sparats i ett annat fönster" in w.value for w in at.warning)
    at.text_area(key=key(cid, "note_1")).input("härifrån").run()
    assert "Din senaste ändring är inte sparad" in at.error[0].value
    assert "anteckning fråga 1" in texts(at)
    assert assessments.own_assessment(demo_store, user, cid).notes == {1: "från den andra fliken"}
    next(b for b in at.button if b.label == "Spara min ändring ändå").click().run()
    work = assessments.own_assessment(demo_store, user, cid)
    assert work.notes == {1: "härifrån"}
    assert not at.error


def test_a_save_of_another_part_goes_through_and_says_others_saved(demo_store):
    user, cid = not_started(demo_store)
    at = open_page(demo_store, user, cid)
    assessments.set_note(demo_store, user, cid, 0, 2, "från den andra fliken")
    at.run()
    at.text_area(key=key(cid, "note_1")).input("härifrån").run()
    assert not at.error
    assert assessments.own_assessment(demo_store, user, cid).notes == {1: "härifrån", 2: "från den andra fliken"}
    assert any("Under tiden sparades 1 ändring i andra delar" in i.value for i in at.info)


def test_submit_is_offered_when_everything_is_scored_and_then_locks(demo_store):
    user, cid = not_started(demo_store)
    at = open_page(demo_store, user, cid)
    submit = next(b for b in at.button if b.label == "Lämna in bedömningen")
    assert submit.disabled and "Kvar att poängsätta" in texts(at)
    score_everything(demo_store, user, cid, 0)
    at = open_page(demo_store, user, cid)
    # The button only asks: the dialog says what will be locked; "Avbryt" leaves all as it was.
    next(b for b in at.button if b.label == "Lämna in bedömningen").click().run()
    assert not at.exception
    assert assessments.own_assessment(demo_store, user, cid).status == "utkast"
    assert "poängen, iakttagelserna, frågorna inför platsbesöket och dina anteckningar" in texts(at)
    at.button(key="bedomning_submit_dialog_cancel").click().run()
    assert assessments.own_assessment(demo_store, user, cid).status == "utkast"
    assert not any(b.label == "Lämna in" for b in at.button)
    assert not at.text_area(key=key(cid, "svq_malgrupp")).disabled
    next(b for b in at.button if b.label == "Lämna in bedömningen").click().run()
    confirm = at.button(key="bedomning_submit_dialog_confirm")
    assert confirm.label == "Lämna in" and confirm.proto.type == "primary"
    confirm.click().run()
    assert not at.exception
    assert assessments.own_assessment(demo_store, user, cid).status == "inlamnad"
    assert not any(b.label == "Lämna in" for b in at.button)
    assert "låst för konsensus" in texts(at)
    assert at.text_area(key=key(cid, "svq_malgrupp")).disabled


def test_the_coordinator_reopens_a_submitted_assessment(demo_store):
    user, cid = not_started(demo_store)
    score_everything(demo_store, user, cid, 0)
    assessments.submit(demo_store, user, cid, assessments.own_assessment(demo_store, user, cid).version)
    coordinator = auth.User(*demo_store.fetchone(
        "SELECT u.id, u.email, u.name, u.role FROM assignments s JOIN teams t ON t.id = s.team_id"
        " JOIN users u ON u.id = t.coordinator_id WHERE s.contribution_id = ?", [cid]))
    at = open_page(demo_store, coordinator, cid)
    if "Jäv och sekretess" in texts(at):
        at.radio[0].set_value("Jag har inget jäv och behandlar bidraget konfidentiellt")
        at.button(key=f"FormSubmitter:declare_{cid}-Skicka deklarationen").click().run()
    form_select = next(s for s in at.selectbox if s.label == "Öppna en inlämnad bedömning igen")
    form_select.set_value(assessments.own_assessment(demo_store, user, cid).id)
    next(t for t in at.text_area if t.label.startswith("Varför?")).input("Komplettera")
    at.button(key=f"FormSubmitter:reopen_{cid}-Öppna igen").click().run()
    assert not at.exception
    work = assessments.own_assessment(demo_store, user, cid)
    assert work.status == "utkast" and work.reopened_reason == "Komplettera"
    at = open_page(demo_store, user, cid)
    assert "har öppnat bedömningen igen: Komplettera" in texts(at)


def test_an_undeclared_examiner_gets_the_declaration_first(demo_store):
    email, cid = demo_store.fetchone(
        "SELECT u.email, s.contribution_id FROM assignments s JOIN team_members m ON m.team_id = s.team_id"
        " JOIN users u ON u.id = m.user_id WHERE NOT EXISTS (SELECT 1 FROM conflict_declarations d"
        " WHERE d.user_id = u.id AND d.contribution_id = s.contribution_id) ORDER BY 2 LIMIT 1")
    at = open_page(demo_store, auth.user_by_email(demo_store, email), cid)
    assert "Jäv och sekretess" in texts(at) and "### 1." not in texts(at)


def test_a_draft_left_in_a_closed_tab_starts_the_field_and_is_dropped_once_saved(demo_store):
    from scoring.core import drafts
    user, cid = not_started(demo_store)
    assessments.add_finding(demo_store, user, cid, 0, area_code="malgrupp", kind="styrka", text="Först")
    fid = assessments.own_assessment(demo_store, user, cid).areas["malgrupp"].findings[0].id
    drafts.save_draft(demo_store, user, f"bedomning:{cid}:note_1", "Halvskriven anteckning", "")
    drafts.save_draft(demo_store, user, f"bedomning:{cid}:f{fid}_text", "Först, och sedan mer", "Först")
    at = open_page(demo_store, user, cid)
    assert at.text_area(key=key(cid, "note_1")).value == "Halvskriven anteckning"
    assert at.text_area(key=key(cid, f"f{fid}_text")).value == "Först, och sedan mer"
    assert assessments.own_assessment(demo_store, user, cid).notes == {}  # a draft is not the saved text
    at.text_area(key=key(cid, "note_1")).input("Halvskriven anteckning, klar").run()
    assert assessments.own_assessment(demo_store, user, cid).notes == {1: "Halvskriven anteckning, klar"}
    # The draft typed before is replaced by the saved text: nothing left to restore for the note.
    at.run()
    assert drafts.draft_for(demo_store, user, f"bedomning:{cid}:note_1") is None
    assert drafts.draft_for(demo_store, user, f"bedomning:{cid}:f{fid}_text") is not None

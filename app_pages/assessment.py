"""Bedömning: the examiner's individual assessment, the answer on the left, the work on the right."""

import streamlit as st

from app_pages import assessment_parts as parts
from app_pages import draft_field
from app_pages.common import confirm_button, confirm_dialog, declaration_form, show_concepts_and_checklist
from app_pages.reading import show_answer, show_appendices, show_block, show_notes
from scoring.assessment import guidance
from scoring.assessment import individual as assessments
from scoring.core.store import get_store
from scoring.core.text import count, escape_markdown, local_time_text
from scoring.intake import review as intake_store
from scoring.jury import shortlist as jury
from scoring.teams import conflicts
from scoring.year import contributions, phases
from scoring.year.framework import load_framework

store = get_store()
user = st.session_state["current_user"]
year = st.session_state["current_year"]

st.title("Bedömning")
if year is None:
    st.info("Inget utmärkelseår är upplagt ännu.")
    st.stop()
visible = contributions.contributions_for(store, user, year)
if not visible:
    st.info("Du har inga tilldelade bidrag ännu.")
    st.stop()
framework = load_framework(year)
names = {c["id"]: c["unit"] for c in visible}
phase_labels = {c["id"]: c["phase_label"] for c in visible}
top = st.columns([2, 3])
cid = top[0].selectbox("Bidrag", list(names), format_func=names.get, key="bidrag", bind="query-params")
area_titles = {a.code: a.title for a in framework.areas}
area_code = top[1].segmented_control("Frågeområde", list(area_titles), format_func=area_titles.get,
                                     key=parts.AREA_KEY, bind="query-params", required=True, wrap=True,
                                     default=framework.areas[0].code) or framework.areas[0].code
if conflicts.needs_declaration(store, user, cid):
    declaration_form(store, user, cid, names[cid])
    st.stop()

work = assessments.own_assessment(store, user, cid)
parts.SAVES.start(cid, work.version)
editable = work.editable
area = framework.area(area_code)
area_work = work.areas.get(area_code, assessments.AreaWork(area_code))

# --- status and the outcome of the last save --------------------------------------
status = phases.assessment_label(work.status)
saved = f" · senast sparad {local_time_text(work.updated_at)}" if work.updated_at else ""
st.caption(f"{escape_markdown(names[cid])} · Fas: {phase_labels[cid]} · Min bedömning: **{status}**{saved} "
           "· Allt sparas när du lämnar ett fält eller gör ett val.")
if work.reopened_reason and editable:
    st.info(f"{escape_markdown(work.reopened_by or 'Lagsamordnaren')} har öppnat bedömningen igen: "
            f"{escape_markdown(work.reopened_reason)}", icon=":material/undo:")
if work.status in phases.SUBMITTED:
    st.success("Bedömningen är inlämnad och låst för konsensus." if work.status == "inlamnad"
               else "Konsensus har inletts; bedömningen är låst.", icon=":material/lock:")
parts.SAVES.show_outcome(cid, work.version, editable)
if done := st.session_state.pop("bedomning_import_done", None):
    st.success(f"{escape_markdown(done)} är importerad.")

# --- reading pane and the area's assessment ---------------------------------------
content = contributions.contribution_content(store, user, cid)
passages = assessments.passages(store, user, cid)
labels = {b: p["label"] for b, p in passages.items()}
area_passages = {b: p for b, p in passages.items() if p["question_number"] in {q.number for q in area.questions}}
# Two panes that scroll on their own, so the answer stays in view while scoring; each as high
# as the window below Streamlit's header (a fixed height taller than a laptop's window would
# need the page scrolled to reach each pane's end: three scrollbars).
st.html(f"<style>{parts.PANE_STYLE}</style>")
read_column, assess_column = st.columns([5, 4], gap="large")
read = read_column.container(height=parts.PANE_HEIGHT, border=False, key=parts.READ_PANE)
assess = assess_column.container(height=parts.PANE_HEIGHT, border=False, key=parts.ASSESS_PANE)
with read:
    search = st.text_input("Sök i bidraget", key=f"{parts.widget_prefix(cid)}search", placeholder="Ord eller fras")
    if search.strip():
        needle = search.strip().lower()
        hits = [p for p in passages.values() if needle in p["text"].lower()]
        st.caption(f"{len(hits)} träffar" + (" (de 15 första)" if len(hits) > 15 else ""))
        for hit in hits[:15]:
            st.markdown(f"**{hit['label']}** ({escape_markdown(framework.area_of_question(hit['question_number']).title) if hit['question_number'] else 'Inledning'}): "
                        f"{escape_markdown(assessments.quote(hit, 160))}")
    for earlier in jury.earlier_feedback(store, user, cid):
        with st.expander(f"Tidigare återkoppling: {earlier['year']} ({earlier['decision'].lower()})"):
            st.caption("Utvecklingsområden från förra gången, och avsnitt i årets bidrag som verkar ta upp dem.")
            for item in earlier["improvements"]:
                where = ", ".join(item["addressed_in"]) or "inget avsnitt hittat"
                st.markdown(f"- {escape_markdown(item['text'])} :gray[→ {where}]")
    with st.expander("Inledning"):
        fields = [f for s in framework.introduction.sections for f in s.fields]
        st.dataframe([{"Uppgift": f.label, "Värde": content["intro"].get(f.key, "–")} for f in fields],
                      hide_index=True, width="stretch")
        for block in content["intro_blocks"]:
            show_block(block, labels.get(block["block_id"]), content["picture_files"])
        show_notes(content["intro_blocks"])
    # The plan (question 18 refers to it) and any other appendix, in the file or sent beside it.
    show_appendices(framework, content, lambda attachment_id: intake_store.attachment_file(store, user, attachment_id))
    if framework.concepts or framework.goal_chain_checklist:
        with st.expander("Anvisningarnas begrepp" + (" och checklista" if framework.goal_chain_checklist else "")):
            show_concepts_and_checklist(framework, compact=True)
    st.header(area.title)
    if area.ingress:
        with st.expander("Anvisningarnas ingress till området"):
            st.caption(area.ingress)
    if editable:
        st.caption("Under varje avsnitt: **Använd som belägg** väljer det för en ny iakttagelse.")
    evidence = parts.evidence_button(cid, area, area_passages) if editable else None
    for question in area.questions:
        show_answer(question, content["answers"].get(question.number, []), labels, content["picture_files"],
                    beside=evidence)

with assess:
    st.header("Poäng")
    parts.criteria(framework, area, area_work, cid, editable)
    left, right = st.columns(2)
    left.metric(f"Poäng för {area.title}", "–" if area_work.score is None else area_work.score,
                help="Viktat medelvärde av bedömningsgrunderna, avrundat till skalan.")
    right.metric("Styrkor / utvecklingsområden",
                 f"{area_work.count('styrka')} / {area_work.count('utvecklingsomrade')}")
    area_warnings = guidance.score_warnings(framework.scale, area_work.score, area_work.count("styrka"),
                                            area_work.count("utvecklingsomrade"))
    area_warnings += guidance.uncovered_questions(area, [f.questions for f in area_work.findings])
    parts.show_warnings(area_warnings)
    for kind, heading in (("styrka", "Styrkor"), ("utvecklingsomrade", "Utvecklingsområden")):
        st.header(heading)
        found = [f for f in area_work.findings if f.kind == kind]
        if not found:
            st.caption("Inga ännu.")
        for finding in found:
            parts.finding_editor(area, finding, area_passages, cid, editable)
    if editable:
        parts.new_finding_form(area, area_passages, cid)
    st.header("Inför platsbesöket")
    svq_key = f"{parts.widget_prefix(cid)}svq_{area_code}"
    saved_questions = "\n".join(area_work.site_visit_questions)
    draft_field.setdefault(svq_key, parts.draft_name(cid, f"svq_{area_code}"), saved_questions)

    def save_questions(a=area_code, k=svq_key):
        return parts.on_screen(a) and parts.save(cid, assessments.set_site_visit_questions, a,
                                                 st.session_state[k].splitlines())
    st.text_area("Vad vill du kontrollera eller få förtydligat? En fråga per rad.", key=svq_key, height="content",
                 disabled=not editable, on_change=save_questions)
    draft_field.companion(svq_key, parts.draft_name(cid, f"svq_{area_code}"), saved_questions, save_questions,
                          disabled=not editable)
    with st.expander("Mina anteckningar per fråga (syns bara för dig)"):
        for question in area.questions:
            note_key = f"{parts.widget_prefix(cid)}note_{question.number}"
            draft_field.setdefault(note_key, parts.draft_name(cid, f"note_{question.number}"),
                                   work.notes.get(question.number, ""))

            def save_note(n=question.number, k=note_key, a=area_code):
                return parts.on_screen(a) and parts.save(cid, assessments.set_note, n, st.session_state[k])
            st.text_area(f"Fråga {question.number}", key=note_key, height=68, disabled=not editable,
                         on_change=save_note)
            draft_field.companion(note_key, parts.draft_name(cid, f"note_{question.number}"),
                                  work.notes.get(question.number, ""), save_note, disabled=not editable)

# --- the whole assessment ---------------------------------------------------------
st.divider()
profile, finish = st.columns([3, 2], gap="large")
with profile:
    st.markdown("**Min profil över områdena**")
    st.vega_lite_chart({
        "data": {"values": [{"Område": a.title, "Poäng": (work.areas.get(a.code) or assessments.AreaWork(a.code)).score}
                            for a in framework.areas]},
        "mark": {"type": "bar", "color": "#0b5394"},
        "encoding": {"y": {"field": "Område", "type": "nominal", "sort": None, "title": None,
                           "axis": {"labelLimit": 220, "labelOverlap": False}},
                     "x": {"field": "Poäng", "type": "quantitative", "scale": {"domain": [0, 100]}}},
        "height": 36 * len(framework.areas)}, width="stretch")
with finish:
    if editable:
        missing = assessments.missing_scores(framework, work)
        all_warnings = sum(len(guidance.wording_warnings(f.text)) for a in work.areas.values() for f in a.findings)
        if missing:
            st.caption(f"Kvar att poängsätta: {count(len(missing), 'bedömningsgrund', 'bedömningsgrunder')}.")
        elif all_warnings:
            st.caption(f"{all_warnings} formuleringar har tips. Du kan ändå lämna in.")
        confirm_button(parts.SUBMIT_DIALOG, "Lämna in bedömningen", type="primary", disabled=bool(missing),
                       icon=":material/send:")
        confirm_dialog(parts.SUBMIT_DIALOG, "Lämna in bedömningen?", parts.submit_consequences(names[cid]),
                       "Lämna in", lambda: parts.save(cid, assessments.submit))
    with st.expander("Arbeta offline i Excel"):
        parts.scorebook_section(cid, names[cid], editable)
    if assessments.may_reopen(store, user, cid):
        with st.expander("Lagets bedömningar (samordnare)"):
            parts.team_section(cid)

"""Bidrag: the contributions this person may read, and the chosen one's answers."""

import streamlit as st

from app_pages.common import declaration_form
from app_pages.reading import show_answer, show_appendices, show_block, show_notes
from scoring.core.store import get_store
from scoring.intake import review as intake_store
from scoring.teams import conflicts
from scoring.year import contributions
from scoring.year.framework import load_framework

store = get_store()
user = st.session_state["current_user"]
year = st.session_state["current_year"]

st.title("Bidrag")
if year is None:
    st.info("Inget utmärkelseår är upplagt ännu.")
    st.stop()

visible = contributions.contributions_for(store, user, year)
if not visible:
    st.info("Du har inga bidrag att läsa ännu.")
    st.stop()

framework = load_framework(year)
st.dataframe(
    [{"Verksamhet": c["unit"], "Förvaltning/bolag": c["organisation"],
      **({"Tävlingsklass": c["class_name"]} if framework.has_classes else {}),
      "Examinatorslag": c["team"] or "–", "Fas": c["phase_label"]} for c in visible],
    hide_index=True, width="stretch",
)

names = {c["id"]: c["unit"] for c in visible}
chosen = st.selectbox("Läs bidrag", list(names), format_func=names.get, key="read_contribution")
if conflicts.needs_declaration(store, user, chosen):
    declaration_form(store, user, chosen, names[chosen])
    st.stop()
content = contributions.contribution_content(store, user, chosen)
if content["filename"]:
    # Read only when clicked: the file is not needed on every rerun.
    st.download_button("Ladda ner originalfilen", lambda: intake_store.original_file(store, user, chosen)[1],
                       file_name=content["filename"], icon=":material/download:",
                       mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")


tabs = st.tabs(["Inledning"] + [area.title for area in framework.areas])
with tabs[0]:
    fields = [f for s in framework.introduction.sections for f in s.fields]
    st.dataframe([{"Uppgift": f.label, "Värde": content["intro"].get(f.key, "–")} for f in fields],
                 hide_index=True, width="stretch")
    for block in content["intro_blocks"]:
        show_block(block, picture_files=content["picture_files"])
    show_notes(content["intro_blocks"])
    show_appendices(framework, content, lambda attachment_id: intake_store.attachment_file(store, user, attachment_id))
for tab, area in zip(tabs[1:], framework.areas, strict=True):
    with tab:
        for question in area.questions:
            show_answer(question, content["answers"].get(question.number, []), picture_files=content["picture_files"])

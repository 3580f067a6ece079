"""Bidrag: the contributions this person may read, and the chosen one's answers."""

import json

import streamlit as st

from scoring import conflicts, contributions, intake_store
from scoring.framework import load_framework
from scoring.store import get_store
from scoring.text import escape_markdown

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

st.dataframe(
    [{"Verksamhet": c["unit"], "Förvaltning/bolag": c["organisation"], "Tävlingsklass": c["class_name"],
      "Examinatorslag": c["team"] or "–", "Fas": c["phase_label"]} for c in visible],
    hide_index=True, width="stretch",
)

names = {c["id"]: c["unit"] for c in visible}
chosen = st.selectbox("Läs bidrag", list(names), format_func=names.get, key="read_contribution")
if conflicts.needs_declaration(store, user, chosen):
    with st.form(f"declare_{chosen}", border=True):
        st.subheader("Jäv och sekretess")
        st.markdown(
            f"Innan du läser **{escape_markdown(names[chosen])}**: bekräfta att du inte har jäv – att du inte "
            "arbetar eller har arbetat där, inte har verksamhetens chef som chef och inte på annat sätt står "
            "verksamheten nära – och att du behandlar bidraget och bedömningen konfidentiellt."
        )
        choice = st.radio("Din deklaration", ["Jag har inget jäv och behandlar bidraget konfidentiellt",
                                              "Jag har jäv"], index=None)
        note = st.text_area("Om du har jäv: vad gäller det?", height=80)
        if st.form_submit_button("Skicka deklarationen", type="primary"):
            try:
                conflicts.declare(store, user, chosen, has_conflict=choice == "Jag har jäv",
                                  confidentiality_accepted=choice is not None and choice != "Jag har jäv",
                                  note=note)
            except ValueError as exc:
                st.error(str(exc))
            else:
                st.rerun()
    st.stop()
content = contributions.contribution_content(store, user, chosen)
framework = load_framework(year)
if content["filename"]:
    # Read only when clicked: the file is not needed on every rerun.
    st.download_button("Ladda ner originalfilen", lambda: intake_store.original_file(store, user, chosen)[1],
                       file_name=content["filename"], icon=":material/download:",
                       mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")


def show_block(block: dict) -> None:
    if block["kind"] == "tabell":
        rows = json.loads(block["text"])
        st.dataframe([dict(zip(rows[0], r, strict=False)) for r in rows[1:]], hide_index=True)
    elif block["kind"] != "rubrik":
        st.markdown(escape_markdown(block["text"]))


tabs = st.tabs(["Inledning"] + [area.title for area in framework.areas])
with tabs[0]:
    fields = [f for s in framework.introduction.sections for f in s.fields]
    st.dataframe([{"Uppgift": f.label, "Värde": content["intro"].get(f.key, "–")} for f in fields],
                 hide_index=True, width="stretch")
    for block in content["intro_blocks"]:
        show_block(block)
for tab, area in zip(tabs[1:], framework.areas, strict=True):
    with tab:
        for question in area.questions:
            st.markdown(f"##### {question.number}. {escape_markdown(question.text)}")
            answer_blocks = content["answers"].get(question.number, [])
            if not answer_blocks:
                st.warning("Frågan är inte besvarad.")
            current_part = None
            for block in answer_blocks:
                if block["part_label"] and block["part_label"] != current_part:
                    current_part = block["part_label"]
                    part = next((p for p in question.parts if p.label == current_part), None)
                    st.markdown(f"**{current_part}. {escape_markdown(part.text) if part else ''}**")
                show_block(block)

"""Intag (Kvalitetsenheten): upload contributions and see every file's check status."""

import streamlit as st

from scoring.core.store import get_store
from scoring.core.text import escape_markdown
from scoring.intake import review as intake_store

store = get_store()
user = st.session_state["current_user"]
year = st.session_state["current_year"]

st.title("Intag av bidrag")
if year is None:
    st.info("Lägg upp ett utmärkelseår först.")
    st.stop()

st.caption(
    "Läs in bidragen som Word-filer (.docx). Varje fil delas upp i frågor och kontrolleras direkt: "
    "antal tecken enligt årets regel, obesvarade frågor, kvarlämnade ingresser och bilagor. "
    "Granska sedan varje fil innan den blir ett bidrag."
)
uploader_key = f"uploads_{st.session_state.get('upload_round', 0)}"
files = st.file_uploader("Välj en eller flera filer", accept_multiple_files=True, key=uploader_key)
if files and st.button(f"Läs in {len(files)} fil{'er' if len(files) > 1 else ''}", type="primary"):
    bar = st.progress(0.0)
    outcomes = []
    for index, file in enumerate(files):
        bar.progress(index / len(files), text=f"Läser {escape_markdown(file.name)} …")
        try:
            intake_store.upload(store, user, year, file.name, file.getvalue())
        except intake_store.IntakeError as exc:
            outcomes.append(("fel", escape_markdown(str(exc))))
        else:
            outcomes.append(("ok", f"{escape_markdown(file.name)} är inläst och väntar på granskning."))
    bar.progress(1.0, text="Klart")
    st.session_state["upload_outcomes"] = outcomes
    st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1  # empties the picker
    st.rerun()

for level, message in st.session_state.pop("upload_outcomes", []):
    (st.success if level == "ok" else st.error)(message)

rows = intake_store.intake_list(store, user, year)
st.subheader("Årets filer")
if not rows:
    st.info("Inga filer är inlästa ännu.")
    st.stop()
status_label = {"granskas": "Granskas", "godkand": "Godkänt bidrag", "avvisad": "Avvisad"}
st.dataframe(
    [{
        "Fil": r["filename"],
        "Verksamhet": r["unit"] or r["unit_name"] or "–",
        "Tecken": r["chars"],
        "Gräns": r["limit"],
        "Över gränsen": r["over_limit"],
        "Fel": r["errors"],
        "Varningar": r["warnings"],
        "Obesvarade frågor": ", ".join(map(str, r["unanswered"])) or "–",
        "Status": status_label[r["status"]],
        "Grundläggande kontroll": r["eligibility"] or ("ej registrerad" if r["status"] == "godkand" else "–"),
    } for r in rows],
    column_config={"Över gränsen": st.column_config.CheckboxColumn()},
    hide_index=True, width="stretch",
)
waiting = [r for r in rows if r["status"] == "granskas"]
if waiting:
    names = {r["id"]: r["filename"] for r in waiting}
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    chosen = left.selectbox("Granska", list(names), format_func=names.get, key="intake_to_review")
    if right.button("Öppna granskningen", width="stretch"):
        st.session_state["review_intake_id"] = chosen
        st.switch_page("app_pages/intake_review.py")

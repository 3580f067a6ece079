"""Examinatorer (Kvalitetsenheten): the registry, imported from CSV or Excel and edited here."""

import streamlit as st

from app_pages.swedish import upload_help
from scoring.core import organisations, tables
from scoring.core.store import get_store
from scoring.core.text import count, escape_markdown
from scoring.teams import examiners

store = get_store()
user = st.session_state["current_user"]

st.title("Examinatorer")
rows = examiners.registry(store, user)
with st.expander("Importera från CSV eller Excel", icon=":material/upload:", expanded=not rows):
    st.caption("Första raden ska vara rubriker: Namn, E-post, Förvaltning/bolag, Arbetsplats, "
               "Tidigare arbetsplatser, Chefens e-post, Kompetenser, År som examinator, Ny. "
               "Rader med fel rapporteras; de andra läses in. Finns examinatorn redan uppdateras uppgifterna.")
    key = f"examiner_file_{st.session_state.get('examiner_round', 0)}"
    file = st.file_uploader("Fil", type=["csv", "xlsx", "txt"], key=key)
    st.caption(upload_help("CSV, Excel eller text"))
    if file and st.button("Importera", type="primary"):
        try:
            result = examiners.import_examiners(store, user, file.name, file.getvalue())
        except tables.TableError as exc:
            st.session_state["examiner_import"] = ("fel", [str(exc)])
        else:
            lines = [f"{count(len(result.added), 'ny', 'nya')} och {len(result.updated)} uppdaterade examinatorer."]
            if result.note:
                lines.append(result.note)
            st.session_state["examiner_import"] = ("ok", lines + result.problems)
        st.session_state["examiner_round"] = st.session_state.get("examiner_round", 0) + 1
        st.rerun()

if outcome := st.session_state.pop("examiner_import", None):
    level, lines = outcome
    (st.success if level == "ok" else st.error)(escape_markdown(lines[0]))
    for line in lines[1:]:
        st.warning(escape_markdown(line))

if not rows:
    st.info("Registret är tomt. Importera examinatorerna från en fil.")
    st.stop()
st.caption(f"{count(len(rows), 'examinator', 'examinatorer')}, varav {sum(r['is_new'] for r in rows)} nya. "
           "Ändra direkt i tabellen och spara; tidigare arbetsplatser skiljs med semikolon.")
EDITABLE = {"Förvaltning/bolag": "organisation", "Arbetsplats": "workplace",
            "Tidigare arbetsplatser": "former_workplaces", "Chefens e-post": "manager_email",
            "Kompetenser": "competences", "År som examinator": "years_as_examiner", "Ny": "is_new"}
editor_key = f"registry_{st.session_state.get('registry_round', 0)}"
st.data_editor(
    [{"Namn": r["name"], "E-post": r["email"], "Förvaltning/bolag": r["organisation"],
      "Arbetsplats": r["workplace"] or "", "Tidigare arbetsplatser": r["former_workplaces"] or "",
      "Chefens e-post": r["manager_email"] or "", "Kompetenser": r["competences"] or "",
      "År som examinator": r["years_as_examiner"], "Ny": r["is_new"]} for r in rows],
    column_config={
        "Namn": st.column_config.TextColumn(disabled=True),
        "E-post": st.column_config.TextColumn(disabled=True),
        "Förvaltning/bolag": st.column_config.SelectboxColumn(options=list(organisations.organisations()),
                                                              required=True),
        "År som examinator": st.column_config.NumberColumn(min_value=0, max_value=50, step=1),
        "Ny": st.column_config.CheckboxColumn(),
    },
    hide_index=True, width="stretch", key=editor_key,
)
edited = st.session_state.get(editor_key, {}).get("edited_rows", {})
if st.button("Spara ändringar", disabled=not edited):
    problems = []
    for row_index, change in edited.items():
        row = rows[int(row_index)]
        try:
            examiners.update_examiner(store, user, row["id"], {EDITABLE[k]: v for k, v in change.items()})
        except ValueError as exc:
            problems.append(f"{row['name']}: {exc}")
    st.session_state["examiner_import"] = ("ok", ["Ändringarna är sparade."] + problems)
    st.session_state["registry_round"] = st.session_state.get("registry_round", 0) + 1
    st.rerun()

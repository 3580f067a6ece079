"""Intresseanmälningar (Kvalitetsenheten): the units that announced they will take part,
by hand or from the survey tool's export, and what the year then needs."""

import streamlit as st

from app_pages.swedish import upload_help
from scoring.core import organisations, tables
from scoring.core.errors import Refused
from scoring.core.store import get_store
from scoring.core.text import count, escape_markdown, swedish_date
from scoring.intake import registrations
from scoring.year.framework import load_framework
from scoring.year.years import framework_deadline

store = get_store()
user = st.session_state["current_user"]
year = st.session_state["current_year"]

st.title("Intresseanmälningar")
if year is None:
    st.info("Lägg upp ett utmärkelseår först.")
    st.page_link("app_pages/years.py", label="Utmärkelseår", icon=":material/calendar_month:")
    st.stop()
due = framework_deadline(load_framework(year), "intresseanmalan")
st.caption("Verksamheter som har anmält att de tänker delta (anmälan är inte bindande)"
           + (f"; sista dag enligt anvisningarna var {swedish_date(due)}." if due else "."))
# Messages go in a container that is always there, so the tabs below keep their place
# (and the tab the user is on) whether or not there is a message.
with st.container():
    for level, message in st.session_state.pop("registration_outcomes", []):
        {"ok": st.success, "fel": st.error, "varning": st.warning}[level](message)

rows = registrations.registrations(store, user, year)
need = registrations.estimate(store, user, year)
c1, c2, c3, c4 = st.columns(4)
c1.metric("Anmälda verksamheter", need.registrations)
c2.metric("Examinatorslag som behövs", f"{need.teams_fewest}–{need.teams_most}" if need.registrations else "–",
          help="Ett lag tar ett eller två bidrag.")
c3.metric("Examinatorer som behövs", f"{need.examiners_fewest}–{need.examiners_most}" if need.registrations else "–",
          help="Tre eller fyra examinatorer per lag: färre om lagen tar två bidrag var, fler om varje bidrag får "
               "ett eget lag.")
c4.metric("Examinatorer i registret", need.in_registry)
if need.registrations and need.in_registry < need.examiners_fewest:
    st.warning(f"Registret har {need.in_registry} examinatorer; anmälningarna kräver minst {need.examiners_fewest}.")

# Keyed tabs keep the one the user is on across reruns (a message above them, a new row).
listed, add_tab, import_tab, edit_tab = st.tabs(["Anmälda", "Lägg till", "Importera", "Ändra eller ta bort"],
                                                key="registration_tabs", on_change="rerun")


def done(level: str, message: str) -> None:
    st.session_state["registration_outcomes"] = [(level, message)]
    st.rerun()


with listed:
    if not rows:
        st.info("Inga intresseanmälningar ännu. Lägg till för hand eller importera enkätverktygets export.")
    else:
        missing = [r["unit_name"] for r in rows if r["contribution_id"] is None]
        if missing and registrations.contribution_deadline_passed(year):
            st.warning(f"{count(len(missing), 'verksamhet', 'verksamheter')} har anmält intresse men inte skickat "
                       f"något bidrag: {escape_markdown(', '.join(missing))}.", icon=":material/schedule:")
        st.dataframe([{
            "Verksamhet": r["unit_name"], "Bidrag": r["phase_label"] or "Inte inkommet",
            "Förvaltning/bolag": r["organisation"], "Kontaktperson": r["contact_name"] or "",
            "E-post": r["contact_email"] or "", "Telefon": r["contact_phone"] or "", "Anteckning": r["note"] or "",
            "Källa": r["source"]} for r in rows], hide_index=True, width="stretch")


def entry_form(key: str, current: dict | None, submit: str) -> registrations.Registration | None:
    current = current or {}
    names = list(organisations.organisations())
    with st.form(key, clear_on_submit=current == {}):
        left, right = st.columns(2)
        unit = left.text_input("Verksamhet", value=current.get("unit_name", ""))
        organisation = right.selectbox("Förvaltning eller bolag", names, placeholder="Välj ur stadens lista",
                                       index=names.index(current["organisation"]) if current.get("organisation") in names
                                       else None)
        contact = left.text_input("Kontaktperson", value=current.get("contact_name") or "")
        email = right.text_input("E-post", value=current.get("contact_email") or "")
        phone = left.text_input("Telefon", value=current.get("contact_phone") or "")
        note = right.text_input("Anteckning", value=current.get("note") or "")
        if st.form_submit_button(submit, type="primary"):
            return registrations.Registration(unit, organisation or "", contact, email, phone, note)
    return None


with add_tab:
    entry = entry_form("registration_add", None, "Lägg till")
    if entry:
        try:
            registrations.add(store, user, year, entry)
        except Refused as exc:
            st.error(escape_markdown(str(exc)))
        else:
            done("ok", f"{entry.unit_name.strip()} är registrerad.")

with import_tab:
    st.caption(f"Exportera svaren från enkätverktyget som CSV eller Excel. Första raden ska vara rubriker, till "
               f"exempel {registrations.EXAMPLE_HEADINGS}. Rader med fel rapporteras och de andra läses in; "
               "en verksamhet som redan är anmäld uppdateras.")
    upload_key = f"registration_file_{st.session_state.get('registration_round', 0)}"
    file = st.file_uploader("Fil", type=["csv", "xlsx", "txt"], key=upload_key)
    st.caption(upload_help("CSV, Excel eller text"))
    if file and st.button("Importera", type="primary"):
        st.session_state["registration_round"] = st.session_state.get("registration_round", 0) + 1
        try:
            result = registrations.import_file(store, user, year, file.name, file.getvalue())
        except tables.TableError as exc:
            done("fel", str(exc))
        else:
            outcomes = [("ok", f"{count(len(result.added), 'ny anmälan', 'nya anmälningar')} och "
                               f"{len(result.updated)} uppdaterade från {file.name}.")]
            outcomes += [("varning", line) for line in ([result.note] if result.note else []) + result.problems]
            st.session_state["registration_outcomes"] = outcomes
            st.rerun()

with edit_tab:
    if not rows:
        st.caption("Inget att ändra ännu.")
    else:
        by_id = {r["id"]: r for r in rows}
        chosen = st.selectbox("Anmälan", list(by_id), format_func=lambda i: by_id[i]["unit_name"], key="registration_edit")
        entry = entry_form(f"registration_edit_{chosen}", by_id[chosen], "Spara ändringen")
        if entry:
            try:
                registrations.update(store, user, chosen, entry)
            except Refused as exc:
                st.error(escape_markdown(str(exc)))
            else:
                done("ok", f"{entry.unit_name.strip()} är ändrad.")
        if by_id[chosen]["contribution_id"] is None and st.button("Ta bort anmälan", icon=":material/delete:"):
            try:
                registrations.remove(store, user, chosen)
            except Refused as exc:
                st.error(escape_markdown(str(exc)))
            else:
                done("ok", f"{by_id[chosen]['unit_name']} är borttagen.")

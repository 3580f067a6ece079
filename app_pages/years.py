"""Utmärkelseår (Kvalitetsenheten): set up a year from its framework (a shipped file or one
the office wrote on Skriv anvisningar), its schedule, and which year everybody works in."""

import datetime as dt

import streamlit as st

from scoring.core.errors import Refused, StaleWrite
from scoring.core.store import get_store
from scoring.core.text import escape_markdown, swedish_date
from scoring.year import framework_store as frameworks
from scoring.year import years
from scoring.year.framework import load_framework

store = get_store()
user = st.session_state["current_user"]

st.title("Utmärkelseår")
st.caption("Ett år bygger på årets anvisningar (frågor, regler och sista dagar för verksamheterna) och på "
           "Kvalitetsenhetens eget schema för bedömningen. Datumen kontrolleras: de ska ligga i rätt ordning, "
           "inom året och efter sista dag för bidragen.")
if notice := st.session_state.pop("years_notice", None):
    st.success(escape_markdown(notice))


def schedule_inputs(prefix: str, year: int, current: dict[str, dt.date]) -> dict[str, dt.date | None]:
    """One date field per milestone, two columns, limited to the year."""
    chosen = {}
    columns = st.columns(2)
    for index, (key, label) in enumerate(years.SCHEDULE_LABELS.items()):
        chosen[key] = columns[index % 2].date_input(
            label, value=current.get(key), min_value=dt.date(year, 1, 1), max_value=dt.date(year, 12, 31),
            format="YYYY-MM-DD", key=f"{prefix}_{key}")
    return chosen


existing = years.all_years(store)
if existing:
    st.header("Årets och tidigare år")
    st.dataframe([{"År": r["year"], "Fas": r["phase_label"], "Bidrag": r["contributions"],
                   "Aktuellt år": "Ja" if r["current"] else "", "Låst": "Ja" if r["locked"] else ""}
                  for r in existing], hide_index=True, width="content")

available = {c.year: c.label for c in frameworks.available_frameworks(store) if not c.award_year_exists}
with st.expander("Lägg upp ett nytt år", icon=":material/add:", expanded=not existing):
    st.caption("Ett år läggs upp från anvisningar som levererats som fil eller som Kvalitetsenheten skrivit själv.")
    st.page_link("app_pages/framework_editor.py", label="Skriv anvisningar för ett nytt år",
                 icon=":material/edit_calendar:")
    if not available:
        st.info("Alla år som har anvisningar är redan upplagda.")
    else:
        new_year = st.selectbox("Anvisningar", list(available), index=len(available) - 1,
                                format_func=available.get, key="new_year")
        framework = load_framework(new_year)
        deadlines = "; ".join(f"{d.label}: {swedish_date(d.date)}" for d in framework.deadlines)
        st.caption(f"Verksamheternas datum enligt anvisningarna: {escape_markdown(deadlines)}.")
        with st.form(f"create_{new_year}"):
            st.markdown("**Kvalitetsenhetens schema** (kan fyllas i eller ändras senare)")
            ceremony = years.framework_deadline(framework, "utdelning")
            dates = schedule_inputs(f"create_{new_year}", new_year, {"utdelning": ceremony} if ceremony else {})
            current = st.checkbox("Gör det till aktuellt år (det år alla arbetar i)", value=True)
            if st.form_submit_button("Lägg upp året", type="primary"):
                try:
                    years.create(store, user, new_year, {k: v for k, v in dates.items() if v}, make_current=current)
                except Refused as exc:
                    st.error(escape_markdown(str(exc)))
                else:
                    st.session_state["years_notice"] = f"{framework.title} är upplagt."
                    st.rerun()

if existing:
    st.header("Schema")
    shown = st.selectbox("År", [r["year"] for r in existing], key="schedule_year")
    dates, current_version = years.schedule(store, shown)
    # The form saves with the version this window read, so another admin's save meanwhile
    # is refused with what changed instead of being overwritten or silently dropped.
    read_key = f"schedule_read_{shown}"
    version = st.session_state.setdefault(read_key, current_version)
    row = next(r for r in existing if r["year"] == shown)
    with st.form(f"schedule_{shown}_{version}"):
        chosen = schedule_inputs(f"schedule_{shown}_{version}", shown, dates)
        if st.form_submit_button("Spara schemat", type="primary", disabled=row["locked"]):
            try:
                saved = years.update_schedule(store, user, shown, version, {k: v for k, v in chosen.items() if v})
            except StaleWrite as exc:
                st.error(escape_markdown(str(exc)))
                if exc.changes:
                    st.markdown("**Sparat under tiden:**  \n" + "  \n".join(escape_markdown(c) for c in exc.changes))
            except Refused as exc:
                st.error(escape_markdown(str(exc)))
            else:
                st.session_state[read_key] = saved
                st.session_state["years_notice"] = f"Schemat för {shown} är sparat."
                st.rerun()
    if version != current_version and st.button("Visa det sparade schemat", icon=":material/sync:"):
        del st.session_state[read_key]
        st.rerun()
    if not row["current"] and st.button(f"Gör {shown} till aktuellt år", icon=":material/event_available:"):
        try:
            years.make_current(store, user, shown)
        except Refused as exc:
            st.error(escape_markdown(str(exc)))
        else:
            st.session_state["years_notice"] = f"{shown} är nu aktuellt år."
            st.rerun()

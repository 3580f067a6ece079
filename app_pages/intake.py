"""Intag (Kvalitetsenheten): read in contributions, see every file's checks, send a
contribution back for changes and take in its corrected version."""

import datetime as dt

import streamlit as st

from app_pages import intake_changes
from app_pages.swedish import upload_help
from scoring.core.store import get_store
from scoring.core.text import count, escape_markdown, swedish_date
from scoring.intake import review as intake_store
from scoring.year import calendar
from scoring.year.framework import load_framework
from scoring.year.years import framework_deadline

store = get_store()
user = st.session_state["current_user"]
year = st.session_state["current_year"]

st.title("Intag av bidrag")
if year is None:
    st.info("Lägg upp ett utmärkelseår först.")
    st.page_link("app_pages/years.py", label="Utmärkelseår", icon=":material/calendar_month:")
    st.stop()
deadline = framework_deadline(load_framework(year), "bidrag")
st.caption(
    "Läs in bidragen som Word-filer (.docx). Varje fil delas upp i frågor och kontrolleras direkt: "
    "antal tecken enligt årets regel, obesvarade frågor, kvarlämnade ingresser och bilagor. "
    "Granska sedan varje fil innan den blir ett bidrag."
    + (f" Sista dag för bidragen: {swedish_date(deadline)} kl. 24.00." if deadline else "")
)
files_tab, changes_tab = st.tabs(["Filer", "Ändringsbegäranden"], key="intake_tabs", on_change="rerun")

with files_tab:
    uploader_key = f"uploads_{st.session_state.get('upload_round', 0)}"
    files = st.file_uploader("Välj en eller flera filer", accept_multiple_files=True, key=uploader_key)
    st.caption(upload_help("Word (.docx)"))
    now = calendar.stockholm(dt.datetime.now(dt.UTC).replace(tzinfo=None))
    day_col, time_col = st.columns(2)
    arrived_day = day_col.date_input("Filerna kom in (datum)", value=now.date(), max_value=now.date(),
                                     format="YYYY-MM-DD", key="arrived_day")
    arrived_time = time_col.time_input("Klockan", value=now.time().replace(second=0, microsecond=0),
                                       key="arrived_time", step=dt.timedelta(minutes=15))
    st.caption("Ange när filerna kom till Kvalitetsenheten, om de kom tidigare än nu (till exempel med e-post): "
               "det avgör om ett bidrag är sent.")
    if files and st.button(f"Läs in {count(len(files), 'fil', 'filer')}", type="primary"):
        received = calendar.utc_from_stockholm(arrived_day, arrived_time)
        bar = st.progress(0.0)
        outcomes = []
        for index, file in enumerate(files):
            bar.progress(index / len(files), text=f"Läser {escape_markdown(file.name)} …")
            try:
                intake_store.upload(store, user, year, file.name, file.getvalue(), received_at=received)
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
    st.header("Årets filer")
    if not rows:
        st.info("Inga filer är inlästa ännu.")
    else:
        status_label = {"granskas": "Granskas", "godkand": "Godkänt bidrag", "avvisad": "Avvisad"}
        # What decides the next step first (status, eligibility, lateness, problems), so a laptop
        # shows it without scrolling sideways; the file's name and details after.
        st.dataframe(
            [{
                "Verksamhet": r["unit"] or r["unit_name"] or "–",
                "Status": status_label[r["status"]] + (" (rättad version)" if r["replaces_contribution_id"] else ""),
                "Grundläggande kontroll": r["eligibility"] or ("ej registrerad" if r["status"] == "godkand" else "–"),
                "Sent": r["late"],
                "Över gränsen": r["over_limit"],
                "Fel": r["errors"],
                "Varningar": r["warnings"],
                "Obesvarade frågor": ", ".join(map(str, r["unanswered"])) or "–",
                "Tecken": r["chars"],
                "Inkom": f"{calendar.stockholm(r['received_at']):%Y-%m-%d %H:%M}",
                "Fil": r["filename"],
            } for r in rows],
            column_config={"Över gränsen": st.column_config.CheckboxColumn(),
                           "Sent": st.column_config.CheckboxColumn()},
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
        intake_changes.versions_section(rows)

with changes_tab:
    intake_changes.requests_section(year)

"""Återbesök (lagsamordnare, Kvalitetsenheten): the feedback visit after the ceremony and
the written report handed over."""

import datetime as dt

import streamlit as st

from app_pages import draft_field
from scoring.core import access
from scoring.core.errors import Refused, StaleWrite
from scoring.core.store import get_store
from scoring.core.text import escape_markdown, swedish_date
from scoring.feedback import invites, visits
from scoring.year import calendar

store = get_store()
user = st.session_state["current_user"]
year = st.session_state["current_year"]

st.title("Återbesök")
if year is None:
    st.info("Inget utmärkelseår är upplagt ännu.")
    st.stop()
ceremony = visits.ceremony(store, year)
st.caption("Återkopplingen ges först muntligt vid ett återbesök efter utdelningen och lämnas sedan skriftligt i "
           "återkopplingsrapporten." + (f" Utdelningen är {swedish_date(ceremony)}." if ceremony else ""))
with st.container():  # always there, so what follows keeps its place
    if notice := st.session_state.pop("visit_notice", None):
        st.success(escape_markdown(notice))
rows = visits.visits(store, user, year)
if not rows:
    st.info("Återbesöken bokas när domarkommittén har fattat sina beslut och året är avslutat.")
    st.stop()
st.dataframe([{
    "Bidrag": v.unit, "Lag": v.team or "–", "Fas": v.phase_label,
    "Återbesök": f"{v.date:%Y-%m-%d} {v.starts:%H:%M}, {v.place}" if v.date and v.starts else "–",
    "Genomfört": f"{v.held_on:%Y-%m-%d}" if v.held_on else "–", "Rapport slutlig": "Ja" if v.report_final else "Nej",
    "Överlämnad": f"{v.handed_over_on:%Y-%m-%d} ({v.handed_over_how})" if v.handed_over_on else "–",
} for v in rows], hide_index=True, width="stretch")

by_id = {v.contribution_id: v for v in rows}
cid = st.selectbox("Bidrag", list(by_id), format_func=lambda i: by_id[i].unit, key="visit_contribution")
chosen = by_id[cid]
read_key = f"visit_read_{cid}"  # the version this window read: a save over someone else's is refused
version = st.session_state.setdefault(read_key, chosen.version)


def saved(message: str, new_version: int) -> None:
    st.session_state[read_key] = new_version
    st.session_state["visit_notice"] = message
    st.rerun()


def refused(exc: Refused) -> None:
    st.error(escape_markdown(str(exc)))
    if isinstance(exc, StaleWrite):
        st.session_state.pop(read_key, None)
        if exc.changes:
            st.markdown("**Sparat under tiden:**  \n" + "  \n".join(escape_markdown(c) for c in exc.changes))


book_col, after_col = st.columns(2, gap="large")
with book_col, st.form(f"book_{cid}_{version}"):
    st.markdown("**Boka återbesöket**")
    day_col, start_col, end_col = st.columns([2, 1, 1])
    day = day_col.date_input("Datum", value=chosen.date or (ceremony + dt.timedelta(days=7) if ceremony else None),
                             format="YYYY-MM-DD")
    starts = start_col.time_input("Från", value=chosen.starts or dt.time(9, 0), step=dt.timedelta(minutes=15))
    ends = end_col.time_input("Till", value=chosen.ends or dt.time(11, 0), step=dt.timedelta(minutes=15))
    place = st.text_input("Plats", value=chosen.place)
    team = st.text_input("Från laget", value=chosen.team_participants)
    unit = st.text_input("Från verksamheten", value=chosen.unit_participants)
    if ceremony and day and day <= ceremony:
        st.warning(f"Återbesöket brukar ligga efter utdelningen ({swedish_date(ceremony)}).")
    if st.form_submit_button("Spara bokningen", type="primary"):
        try:
            new = visits.book(store, user, cid, version, date=day, starts=starts, ends=ends, place=place,
                              team_participants=team, unit_participants=unit)
        except Refused as exc:
            refused(exc)
        else:
            saved(f"Återbesöket hos {chosen.unit} är bokat {swedish_date(day)} kl. {starts:%H:%M}.", new)
if chosen.date and chosen.starts:
    book_col.download_button("Kalenderinbjudan (.ics) till laget och verksamheten",
                             lambda: invites.feedback_visit_invite(store, user, cid)[1],
                             file_name=f"Återbesök {chosen.unit}.ics", mime="text/calendar", icon=":material/event:")

with after_col:
    notes_key, notes_field = f"held_{cid}_{version}_notes", f"aterbesok:{cid}"
    draft_field.setdefault(notes_key, notes_field, chosen.notes or "")
    with st.form(f"held_{cid}_{version}"):
        st.markdown("**Återbesöket är genomfört**")
        held = st.date_input("Genomfört", value=chosen.held_on or chosen.date, max_value=calendar.today(),
                             format="YYYY-MM-DD")
        notes = st.text_area("Anteckningar från återbesöket", height=90, key=notes_key)
        if st.form_submit_button("Spara"):
            try:
                new = visits.record_held(store, user, cid, version, held_on=held, notes=notes)
            except Refused as exc:
                refused(exc)
            else:
                saved(f"Återbesöket hos {chosen.unit} är genomfört.", new)
    draft_field.companion(notes_key, notes_field, chosen.notes or "")
    with st.form(f"handover_{cid}_{version}"):
        st.markdown("**Rapporten är överlämnad**")
        on = st.date_input("Överlämnad", value=chosen.handed_over_on or calendar.today(),
                           max_value=calendar.today(), format="YYYY-MM-DD")
        how = st.selectbox("Hur", visits.HANDOVER_WAYS,
                           index=visits.HANDOVER_WAYS.index(chosen.handed_over_how)
                           if chosen.handed_over_how in visits.HANDOVER_WAYS else 0)
        override = ""
        if access.can(store, user, "feedback.override"):
            override = st.text_input("Skäl att lämna över före utdelningen eller återbesöket (bara vid behov)")
        if not chosen.report_final:
            st.caption("Återkopplingsrapporten måste vara markerad som slutlig (sidan Rapporter).")
        if st.form_submit_button("Spara"):
            try:
                new = visits.hand_over(store, user, cid, version, on=on, how=how, override_reason=override)
            except Refused as exc:
                refused(exc)
            else:
                saved(f"Rapporten till {chosen.unit} är överlämnad.", new)

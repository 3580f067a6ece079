"""Arkiv: earlier, locked award years: who took part, what the teams proposed, what the jury decided."""

import streamlit as st

from scoring.core.store import get_store
from scoring.jury import shortlist as jury
from scoring.year import phases
from scoring.year.framework import available_years, load_framework

store = get_store()
user = st.session_state["current_user"]

st.title("Arkiv")
rows = jury.archive(store, user)
if not rows:
    st.info("Inga avslutade år ännu. Ett år hamnar här när juryn har fattat alla beslut.")
    st.stop()
known = set(available_years())
years = sorted({r["year"] for r in rows}, reverse=True)
year = st.selectbox("År", years, key="arkiv_ar")
classes = load_framework(year).class_name if year in known else (lambda code: code)
st.dataframe([{"Verksamhet": r["unit"], "Förvaltning/bolag": r["organisation"], "Tävlingsklass": classes(r["class_code"]),
               "Lagets förslag": phases.Proposal.labels().get(r["proposal"], "–"), "Beslut": phases.Decision.labels().get(r["decision"], "–"),
               "Motivering": r["motivation"] or ""} for r in rows if r["year"] == year], hide_index=True, width="stretch")
st.caption("Arkivet används i den grundläggande kontrollen: en verksamhet som fått utmärkelsen står över två år, "
           "ett hedersomnämnande hindrar inte att delta nästa år. Examinatorer som bedömer en återkommande "
           "verksamhet ser dess tidigare utvecklingsområden på sidan Bedömning.")

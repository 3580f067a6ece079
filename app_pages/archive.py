"""Arkiv: earlier, locked award years: who took part, what the teams proposed, what the jury decided."""

import streamlit as st

from scoring.core.store import get_store
from scoring.jury import shortlist as jury
from scoring.year import phases
from scoring.year.framework import FrameworkError, load_framework

store = get_store()
user = st.session_state["current_user"]

st.title("Arkiv")
rows = jury.archive(store, user)
if not rows:
    st.info("Inga avslutade år ännu. Ett år hamnar här när juryn har fattat alla beslut.")
    st.stop()
years = sorted({r["year"] for r in rows}, reverse=True)
year = st.selectbox("År", years, key="arkiv_ar")
try:
    framework = load_framework(year)
except FrameworkError:  # an archived year whose instructions are no longer here
    framework = None
with_classes = framework is not None and framework.has_classes
st.dataframe([{"Verksamhet": r["unit"], "Förvaltning/bolag": r["organisation"],
               **({"Tävlingsklass": framework.class_name(r["class_code"])} if with_classes else {}),
               "Lagets förslag": phases.Proposal.labels().get(r["proposal"], "–"), "Beslut": phases.Decision.labels().get(r["decision"], "–"),
               "Motivering": r["motivation"] or ""} for r in rows if r["year"] == year], hide_index=True, width="stretch")
st.caption("Arkivet används i den grundläggande kontrollen: en verksamhet som fått utmärkelsen står över två år, "
           "ett hedersomnämnande hindrar inte att delta nästa år. Examinatorer som bedömer en återkommande "
           "verksamhet ser dess tidigare utvecklingsområden på sidan Bedömning.")

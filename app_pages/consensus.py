"""Konsensus: the coordinator turns the team's assessments into one, visits the unit and proposes."""

import streamlit as st

from app_pages import consensus_parts as parts
from app_pages import consensus_visit as visit
from app_pages.common import declaration_form, show_stale
from scoring.assessment import individual as assessments
from scoring.consensus import workspace as consensus
from scoring.core import access
from scoring.core.store import get_store
from scoring.core.text import escape_markdown
from scoring.teams import conflicts
from scoring.year import contributions
from scoring.year.contributions import ASSESSMENT_STATUS, PHASES
from scoring.year.framework import load_framework

store = get_store()
user = st.session_state["current_user"]
year = st.session_state["current_year"]

st.title("Konsensus")
if year is None:
    st.info("Inget utmärkelseår är upplagt ännu.")
    st.stop()
led = [c for c in contributions.contributions_for(store, user, year) if access.leads(store, user, c["id"])]
if not led:
    st.info("Du leder inget lags konsensus i år.")
    st.stop()
framework = load_framework(year)
names = {c["id"]: c["unit"] for c in led}
cid = st.selectbox("Bidrag", list(names), format_func=names.get, key="konsensus_bidrag", bind="query-params")
if conflicts.needs_declaration(store, user, cid):
    declaration_form(store, user, cid, names[cid])
    st.stop()

work = consensus.workspace(store, user, cid)
version_key = parts.version_key(cid)
if version_key not in st.session_state:
    st.session_state[version_key] = work.version
    parts.forget_widgets(cid)
phase_keys = list(PHASES)[1:]
st.markdown(" → ".join(f"**:blue[{PHASES[p]}]**" if p == work.phase else f":gray[{PHASES[p]}]" for p in phase_keys))
show_stale(cid, parts.reload_saved)
if st.session_state.get("stale", {}).get("cid") != cid and work.version != st.session_state[version_key]:
    st.warning("Någon annan har sparat i konsensus sedan du öppnade sidan.", icon=":material/sync_problem:")
    st.button("Visa det sparade", on_click=parts.reload_saved, args=(cid,))
if error := st.session_state.pop("save_error", None):
    st.error(error)

if work.phase in ("tilldelad", "individuell_bedomning"):
    rows = assessments.team_assessments(store, user, cid)
    st.dataframe([{"Examinator": r["examiner"], "Individuell bedömning": ASSESSMENT_STATUS[r["status"]]}
                  for r in rows], hide_index=True, width="stretch")
    waiting = [r["examiner"] for r in rows if r["status"] not in assessments.SUBMITTED]
    st.caption("När alla har lämnat in öppnar du konsensus. Då låses de individuella bedömningarna och laget "
               "ser varandras poäng och iakttagelser." + (f" Väntar på: {', '.join(waiting)}." if waiting else ""))
    st.button("Öppna konsensus", type="primary", disabled=bool(waiting), on_click=parts.save,
              args=(cid, consensus.open_consensus))
    st.stop()

editing = work.phase in consensus.EDIT_PHASES
next_phase = consensus.NEXT_PHASE.get(work.phase)
# Always the same box, so the tabs below keep their place when the phase moves on.
with st.container(border=True):
    left, right = st.columns([3, 1])
    if next_phase:
        problems = consensus.problems_before(work, framework, next_phase)
        if problems:
            left.markdown(f"**Kvar innan {PHASES[next_phase].lower()}** ({len(problems)})")
            with left.expander("Visa vad som återstår"):
                st.markdown("\n".join(f"- {escape_markdown(p)}" for p in problems))
        else:
            left.markdown(f"**Klart för {PHASES[next_phase].lower()}.**")
        right.button(f"Gå vidare: {PHASES[next_phase].lower()}", type="primary", disabled=bool(problems),
                     on_click=parts.save, args=(cid, consensus.advance), width="stretch")
    elif work.phase == "aterkoppling_klar":
        left.markdown("**Nästa steg:** lämna lagets förslag under fliken Förslag.")
    else:
        left.markdown("**Förslaget är lämnat** till beredningsgruppen.")

labels = ["Poäng", "Iakttagelser", "Nyckelteman", "Platsbesök", "Samstämmighet", "Ändringar", "Förslag"]
tabs = dict(zip(labels, st.tabs(labels), strict=True))
with tabs["Poäng"]:
    parts.scores_tab(framework, work, editing)
with tabs["Iakttagelser"]:
    parts.findings_tab(framework, work, editing)
with tabs["Nyckelteman"]:
    parts.key_themes_tab(work, editing)
with tabs["Platsbesök"]:
    visit.site_visit_tab(framework, work)
with tabs["Samstämmighet"]:
    visit.agreement_tab(store, user, work)
with tabs["Ändringar"]:
    parts.changes_tab(framework, work)
with tabs["Förslag"]:
    visit.proposal_tab(store, user, work)

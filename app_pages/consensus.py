"""Konsensus: the coordinator turns the team's assessments into one, visits the unit and proposes."""

import streamlit as st

from app_pages import consensus_parts as parts
from app_pages import consensus_steps as steps
from app_pages import consensus_visit as visit
from app_pages.common import declaration_form
from scoring.assessment import individual as assessments
from scoring.consensus import workspace as consensus
from scoring.core import access
from scoring.core.store import get_store
from scoring.core.text import escape_markdown
from scoring.teams import conflicts
from scoring.year import contributions, phases
from scoring.year.framework import load_framework

store = get_store()
user = st.session_state["current_user"]
year = st.session_state["current_year"]

st.title("Konsensus")
if year is None:
    st.info("Inget utmärkelseår är upplagt ännu.")
    st.stop()
led = [c for c in contributions.contributions_for(store, user, year)
       if access.can(store, user, "consensus.lead", contribution_id=c["id"])]
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
parts.SAVES.start(cid, work.version)
phase_keys = list(phases.ContributionPhase)[1:]
st.markdown(" → ".join(f"**:blue[{phases.ContributionPhase(p).label}]**" if p == work.phase else f":gray[{phases.ContributionPhase(p).label}]" for p in phase_keys))
parts.SAVES.show_behind(cid, work.version, editable=not work.year_locked)
steps.confirm_if_asked(work)

if work.phase in phases.INDIVIDUAL_OPEN:
    parts.SAVES.show_messages(parts.TOP, cid)
    rows = assessments.team_assessments(store, user, cid)
    st.dataframe([{"Examinator": r["examiner"], "Individuell bedömning": phases.assessment_label(r["status"])}
                  for r in rows], hide_index=True, width="stretch")
    waiting = [r["examiner"] for r in rows if r["status"] not in phases.SUBMITTED]
    st.caption("När alla har lämnat in öppnar du konsensus. Då låses de individuella bedömningarna och laget "
               "ser varandras poäng och iakttagelser." + (f" Väntar på: {', '.join(waiting)}." if waiting else ""))
    st.button("Öppna konsensus", type="primary", disabled=bool(waiting), on_click=steps.ask, args=("open", cid))
    st.stop()

editing = work.editing
next_phase = consensus.NEXT_PHASE.get(work.phase) if not work.year_locked else None
# Always the same box, so the page below keeps its place when the phase moves on.
with st.container(border=True):
    left, right = st.columns([3, 1])
    if next_phase:
        problems = consensus.problems_before(work, framework, next_phase)
        if problems:
            left.markdown(f"**Kvar innan {phases.ContributionPhase(next_phase).label.lower()}** ({len(problems)})")
            with left.expander("Visa vad som återstår"):
                st.markdown("\n".join(f"- {escape_markdown(p)}" for p in problems))
        else:
            left.markdown(f"**Klart för {phases.ContributionPhase(next_phase).label.lower()}.**")
        right.button(f"Gå vidare: {phases.ContributionPhase(next_phase).label.lower()}", type="primary",
                     disabled=bool(problems), on_click=steps.ask, args=("advance", cid), width="stretch")
    elif work.year_locked:
        left.markdown(f"**Året är avslutat.** Konsensus visas som den blev; inget kan ändras. Fas: {work.phase_label}.")
    elif work.phase == "aterkoppling_klar":
        left.markdown("**Nästa steg:** lämna lagets förslag under fliken Förslag.")
    elif work.phase in phases.AFTER_THE_JURY:
        left.markdown(f"**Juryn har beslutat.** Fas: {work.phase_label}. Återbesöket och rapporten: sidan Återbesök.")
    else:
        left.markdown("**Förslaget är lämnat** till beredningsgruppen.")
    parts.SAVES.show_messages(parts.TOP, cid)

# Keyed and tracked: the open tab survives a message appearing or going, and only the
# open tab's content is drawn (the others cost nothing on a rerun).
DRAW = {
    "Poäng": lambda: parts.scores_tab(framework, work, editing),
    "Iakttagelser": lambda: parts.findings_tab(framework, work, editing),
    "Nyckelteman": lambda: parts.key_themes_tab(work, editing),
    "Platsbesök": lambda: visit.site_visit_tab(framework, work),
    "Samstämmighet": lambda: visit.agreement_tab(store, user, work),
    "Ändringar": lambda: parts.changes_tab(framework, work),
    "Förslag": lambda: visit.proposal_tab(store, user, work),
}
for label, tab in zip(parts.TABS, st.tabs(parts.TABS, key=parts.TAB_KEY, on_change="rerun"), strict=True):
    if tab.open:
        with tab:
            parts.SAVES.show_messages(label, cid)
            DRAW[label]()

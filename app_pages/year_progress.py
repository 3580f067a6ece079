"""Årets gång (Kvalitetsenheten): every stage of the year in order, how far it has come,
what is late, what blocks the next step, and the year's phase."""

import streamlit as st

from scoring.core.errors import Refused
from scoring.core.store import get_store
from scoring.core.text import escape_markdown
from scoring.year import progress
from scoring.year.framework import load_framework

PAGE_FILES = {
    "anmalningar": ("app_pages/registrations.py", "Intresseanmälningar"),
    "intag": ("app_pages/intake.py", "Intag"),
    "behorighet": ("app_pages/eligibility.py", "Grundläggande kontroll"),
    "lag": ("app_pages/teams.py", "Lag och tilldelning"),
    "konsensus": ("app_pages/consensus.py", "Konsensus"),
    "rapporter": ("app_pages/reports.py", "Rapporter"),
    "beredning": ("app_pages/shortlist.py", "Beredning"),
    "beslut": ("app_pages/decisions.py", "Beslut"),
    "ar": ("app_pages/years.py", "Utmärkelseår"),
    "aterbesok": ("app_pages/feedback_visits.py", "Återbesök"),
}
STATE_BADGE = {"klar": ":green-badge[Klar]", "pågår": ":blue-badge[Pågår]", "försenad": ":red-badge[Försenad]",
               "ej påbörjad": ":gray-badge[Ej påbörjad]", "–": ""}

store = get_store()
user = st.session_state["current_user"]
year = st.session_state["current_year"]

st.title("Årets gång")
if year is None:
    st.info("Inget utmärkelseår är upplagt ännu.")
    st.page_link("app_pages/years.py", label="Lägg upp året", icon=":material/calendar_month:")
    st.stop()
if notice := st.session_state.pop("progress_notice", None):
    st.success(escape_markdown(notice))



def excuse_form(left_behind: list[tuple[int, str, str]]) -> None:
    """Contributions the year cannot end without, unless the office says why."""
    st.warning("Året kan avslutas först när varje bidrag har lagets förslag, eller när Kvalitetsenheten har "
               "skrivit varför ett bidrag inte blir klart: " + ", ".join(escape_markdown(u) for _, u, _ in left_behind)
               + ".", icon=":material/flag:")
    names = {cid: unit for cid, unit, _ in left_behind}
    with st.form("excuse"):
        chosen = st.selectbox("Bidrag", list(names), format_func=names.get)
        reason = st.text_input("Varför avslutas året utan att bidraget är klart?",
                               placeholder="Till exempel: verksamheten drog tillbaka sitt bidrag")
        if st.form_submit_button("Spara förklaringen"):
            try:
                progress.excuse(store, user, chosen, reason)
            except Refused as exc:
                st.error(escape_markdown(str(exc)))
            else:
                st.session_state["progress_notice"] = f"{names[chosen]}: förklaringen är sparad."
                st.rerun()


status = progress.phase_status(store, user, year)
with st.container(border=True):
    left, right = st.columns([3, 2], vertical_alignment="center")
    left.markdown(f"**{load_framework(year).title}** · Årets fas: **{status.current.label}**")
    if status.following is not None:
        if status.problems:
            left.caption(f"Innan året kan gå vidare till {status.following.label.lower()}:")
            for problem in status.problems:
                left.markdown(f"- {escape_markdown(problem)}")
        else:
            left.caption(f"Inget hindrar att året går vidare till {status.following.label.lower()}.")
        if right.button(f"Gå vidare: {status.following.label}", type="primary", disabled=bool(status.problems),
                        icon=":material/arrow_forward:"):
            try:
                progress.advance(store, user, year)
            except Refused as exc:
                st.error(escape_markdown(str(exc)))
            else:
                st.session_state["progress_notice"] = f"Året är nu i fasen {status.following.label.lower()}."
                st.rerun()
    else:
        left.caption("Domarkommittén avslutar året när alla förslag har fått sitt beslut.")
    right.page_link("app_pages/years.py", label="Ändra schemat", icon=":material/edit_calendar:")
    if progress.near_the_end(store, year) and (left_behind := progress.unfinished(store, year)):
        excuse_form(left_behind)

for stage in progress.overview(store, user, year):
    with st.container(border=True):
        title, amount, state, link = st.columns([4, 3, 2, 3], vertical_alignment="center")
        title.markdown(f"**{stage.title}**  \n:gray[{escape_markdown(stage.when)}]")
        if stage.total:
            amount.progress(min(1.0, stage.done / stage.total), text=f"{stage.done} av {stage.total}")
        elif stage.done is not None:
            amount.markdown(f"{stage.done}")
        state.markdown(STATE_BADGE[stage.state])
        if stage.page in PAGE_FILES:
            path, label = PAGE_FILES[stage.page]
            link.page_link(path, label=label, icon=":material/arrow_outward:")
        for note in stage.notes:
            st.caption(escape_markdown(note))
        for blocker in stage.blockers:
            st.warning(escape_markdown(blocker), icon=":material/block:")
        if len(stage.per_team) > 1:
            with st.expander("Per bidrag" if "Bidrag" in stage.per_team[0] else "Per lag"):
                st.dataframe(stage.per_team, hide_index=True, width="stretch")

"""Start: what this person should do now, the year's phase and its dates."""


import streamlit as st

from scoring.core import access
from scoring.core.store import get_store
from scoring.core.text import days_left, escape_markdown, swedish_date
from scoring.jury import shortlist as jury
from scoring.teams import assignment as teams
from scoring.teams import conflicts
from scoring.year import calendar, contributions, phases, years
from scoring.year.framework import load_framework

store = get_store()
user = st.session_state["current_user"]
year = st.session_state["current_year"]
today = calendar.today()  # Stockholm's date: the server's clock runs in UTC

st.title(f"Välkommen, {escape_markdown(user.name.split()[0])}")
if year is None:
    if access.can(store, user, "year.setup"):
        st.info("Inget utmärkelseår är upplagt ännu. Börja med att lägga upp året och dess schema.")
        st.page_link("app_pages/years.py", label="Lägg upp året", icon=":material/calendar_month:")
    else:
        st.info("Inget utmärkelseår är upplagt ännu. Kvalitetsenheten lägger upp året.")
    st.stop()

framework = load_framework(year)
st.caption(f"{framework.title} · Fas: {phases.YearPhase(years.phase(store, year)).label}")
coordinator = access.can(store, user, "team.progress", year=year)
main, side = st.columns([3, 2], gap="large")

with main:
    if access.can(store, user, "assessment.progress"):
        st.header("Mina bidrag")
        mine = contributions.my_progress(store, user, year)
        due = years.schedule_date(store, year, "individuell_bedomning")
        if not mine:
            st.info("Du har inga tilldelade bidrag ännu. Du får ett meddelande när ditt lag har fått sina bidrag.")
        else:
            # Locked in consensus is handed in too: only a draft or nothing yet is still to do.
            todo = [m for m in mine if m["status"] not in phases.SUBMITTED]
            if todo:
                when = ""
                if due:
                    late = ("säg till Kvalitetsenheten om laget behöver mer tid." if coordinator
                            else "hör av dig till din lagsamordnare om du behöver mer tid.")
                    when = (f" Sista dag var {swedish_date(due)}; {late}"
                            if due < today else f" Den ska vara inlämnad {swedish_date(due)} ({days_left(due, today)}).")
                st.info(f"**Nu:** gör din individuella bedömning av {escape_markdown(todo[0]['unit'])}.{when}",
                        icon=":material/edit_note:")
            elif coordinator:
                st.success("Du har lämnat in dina bedömningar. När hela laget har lämnat in kallar du till konsensus.")
            else:
                st.success("Du har lämnat in alla dina bedömningar. Lagsamordnaren kallar till konsensus.")
            for m in mine:
                with st.container(border=True):
                    left, right = st.columns([3, 2])
                    left.markdown(f"**{escape_markdown(m['unit'])}**  \n:gray[{m['phase_label']}]")
                    right.markdown(f"Min bedömning: **{m['status_label']}**")
                    right.progress(m["areas_scored"] / m["areas_total"],
                                   text=f"{m['areas_scored']} av {m['areas_total']} områden bedömda")
                    left.page_link("app_pages/assessment.py", label="Öppna bedömningen", icon=":material/rate_review:",
                                   query_params={"bidrag": m["unit"]})
        if coordinator:
            st.header("Mitt lag")
            progress = contributions.team_progress(store, user, year)
            table: dict[str, dict[str, str]] = {}
            for row in progress:
                table.setdefault(row["examiner"], {"Examinator": row["examiner"]})[row["unit"]] = row["status_label"]
            st.caption("Som lagsamordnare ser du hur långt lagets examinatorer har kommit, inte deras bedömningar."
                       + (f" Sista dag för individuell bedömning: {swedish_date(due)}." if due else ""))
            st.dataframe(list(table.values()), hide_index=True, width="stretch")
            st.page_link("app_pages/consensus.py", label="Till konsensus", icon=":material/handshake:")
    elif access.can(store, user, "year.status"):
        status = contributions.year_status(store, user, year)
        st.header("Årets läge")
        # Two by two, the count of submitted assessments first: four in a row cut "15 av 33" to
        # "15 av…" on a laptop.
        c1, c2 = st.columns(2)
        c3, c4 = st.columns(2)
        c1.metric("Bedömningar inlämnade", f"{status['assessments_submitted']} av {status['assessments_expected']}")
        c2.metric("Bidrag", status["contributions"])
        c3.metric("Examinatorslag", status["teams"])
        c4.metric("Examinatorer i lag", f"{status['examiners']} av {status['examiners_in_registry']}",
                  help="Av examinatorerna i registret (sidan Examinatorer).")
        free = teams.without_team(store, user, year)
        if free["contributions"]:
            st.warning("Bidrag utan examinatorslag: "
                       + ", ".join(escape_markdown(c["unit"]) for c in free["contributions"]) + ".",
                       icon=":material/group_off:")
        if free["examiners"]:
            st.info("Examinatorer i registret utan lag: "
                    + ", ".join(escape_markdown(e["name"]) for e in free["examiners"]) + ".",
                    icon=":material/person_off:")
        if free["contributions"] or free["examiners"]:
            st.page_link("app_pages/teams.py", label="Till Lag och tilldelning", icon=":material/groups:")
        st.page_link("app_pages/year_progress.py", label="Årets gång: alla steg, vad som är sent och vad som hindrar",
                     icon=":material/timeline:")
        for row in conflicts.declared_conflicts(store, user, year):
            st.warning(f"{escape_markdown(row['examiner'])} har anmält jäv mot {escape_markdown(row['unit'])}. "
                       "Se Lag och tilldelning.",
                       icon=":material/report:")
        left, right = st.columns(2)
        left.markdown("**Bidrag per fas**")
        left.dataframe([{"Fas": k, "Antal": v} for k, v in status["by_phase"].items()],
                       hide_index=True, width="stretch")
        if status["by_class"]:  # only a year with competition classes
            right.markdown("**Bidrag per tävlingsklass**")
            right.dataframe([{"Tävlingsklass": k, "Antal": v} for k, v in status["by_class"].items()],
                            hide_index=True, width="stretch")
    elif not access.can(store, user, "jury.shortlist", year=year):
        # A jury member sees the candidates only after declaring conflicts of interest.
        st.header("Kandidater")
        st.info("Lämna din jävsdeklaration på sidan Beslut innan du ser kandidaterna.")
        st.page_link("app_pages/decisions.py", label="Till Beslut", icon=":material/gavel:")
    else:
        # As on Beredning: with the pseudonym setting on, no unit's name.
        candidates = jury.shortlist(store, user, year)
        st.header("Kandidater från examinatorslagen")
        if not candidates:
            st.info("Inga kandidater ännu. Bidrag visas här när ett lag har föreslagit dem för utmärkelse eller "
                    "hedersomnämnande efter konsensus och platsbesök.")
        else:
            st.dataframe([{"Bidrag": c.name, **({"Tävlingsklass": c.class_name} if c.class_name else {}),
                           "Lagets förslag": phases.Proposal.labels()[c.proposal], "Fas": c.phase}
                          for c in candidates], hide_index=True, width="stretch")

with side:
    st.header("Viktiga datum")
    upcoming = years.next_milestone(store, year, today)
    for milestone in years.milestones(store, year):
        when = f"{swedish_date(milestone.date)} – {milestone.label}"
        if milestone.date < today:
            st.markdown(f":gray[{when}]")
        elif milestone == upcoming:
            st.markdown(f"**{when}** ({days_left(milestone.date, today)})")
        else:
            st.markdown(when)

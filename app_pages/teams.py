"""Lag och tilldelning (Kvalitetsenheten): propose teams, adjust them, follow progress."""

import streamlit as st

from app_pages import teams_parts
from scoring.core.store import get_store
from scoring.core.text import count, escape_markdown, swedish_date
from scoring.teams import assignment as teams
from scoring.teams import conflicts
from scoring.year import contributions, years

store = get_store()
user = st.session_state["current_user"]
year = st.session_state["current_year"]

st.title("Lag och tilldelning")
if year is None:
    st.info("Lägg upp ett utmärkelseår först.")
    st.stop()
with st.container():  # always there, so the tabs keep their place and the chosen tab
    if notice := st.session_state.pop("teams_notice", None):
        st.success(escape_markdown(notice))

current = teams.teams_of_year(store, user, year)
declared = conflicts.declared_conflicts(store, user, year)
free = teams.without_team(store, user, year)
waiting = len(free["contributions"]) + len(free["examiners"])
# Keyed tabs keep the one the user is on across reruns; the counts are inside the tabs.
proposal_tab, teams_tab, free_tab, progress_tab, conflict_tab = st.tabs(
    ["Förslag", "Lagen", "Utan lag", "Framsteg", "Anmälda jäv"], key="teams_tabs", on_change="rerun")

with proposal_tab:
    st.caption(
        f"Verktyget föreslår lag om {teams.MIN_SIZE}–{teams.MAX_SIZE} examinatorer med en lagsamordnare och "
        f"{teams.MIN_LOAD}–{teams.MAX_LOAD} bidrag per lag, utan jäv, med blandade förvaltningar och "
        "kompetenser och med nya examinatorer spridda över lagen."
    )
    if st.button("Ta fram ett förslag", icon=":material/auto_awesome:"):
        try:
            st.session_state["team_proposal"] = teams.propose_for_year(store, user, year)
        except teams.TeamError as exc:
            st.error(escape_markdown(str(exc)))
    proposal = st.session_state.get("team_proposal")
    if proposal:
        for line in proposal.summary:
            st.markdown(f"- {escape_markdown(line)}")
        with st.expander(f"Undvikna jäv ({len(proposal.conflicts_avoided)})"):
            for line in proposal.conflicts_avoided:
                st.markdown(f"- {escape_markdown(line)}")
        columns = st.columns(3)
        for index, team in enumerate(proposal.teams):
            with columns[index % 3].container(border=True):
                st.markdown(f"**{escape_markdown(team.name)}**")
                st.markdown("  \n".join(
                    f"{'★ ' if m == team.coordinator else ''}{escape_markdown(m.name)} – {escape_markdown(m.organisation)}{' (ny)' if m.is_new else ''}"
                    for m in team.members))
                st.markdown("Bidrag: " + "; ".join(escape_markdown(u.name) for u in team.units))
                st.caption(escape_markdown(" ".join(team.notes)))
        if st.button("Använd förslaget" if proposal.replaces_all else "Lägg till de föreslagna lagen", type="primary"):
            try:
                teams.apply(store, user, year, proposal)
            except teams.TeamError as exc:
                st.error(escape_markdown(str(exc)))
            else:
                del st.session_state["team_proposal"]
                st.session_state["teams_notice"] = "Lagen är bildade och bidragen tilldelade."
                st.rerun()

with teams_tab:
    if not current:
        st.info("Inga lag är bildade ännu. Ta fram ett förslag.")
    else:
        st.caption(f"{count(len(current), 'lag', 'lag')}. ★ = lagsamordnare, (ny) = ny examinator i år.")
    columns = st.columns(3)
    for index, team in enumerate(current):
        with columns[index % 3].container(border=True):
            st.markdown(f"**{escape_markdown(team['name'])}**")
            st.markdown("  \n".join(
                f"{'★ ' if m['id'] == team['coordinator_id'] else ''}{escape_markdown(m['name'])} – {escape_markdown(m['organisation'])}"
                f"{' (ny)' if m['is_new'] else ''}" for m in team["members"]))
            st.markdown("Bidrag: " + ("; ".join(escape_markdown(c["unit"]) for c in team["contributions"]) or "–"))
    if current:
        st.header("Ändra för hand")
        st.caption("Varje ändring kräver en motivering som sparas. Jäv och lagens storlek kontrolleras.")
        team_names = {t["id"]: t["name"] for t in current}
        people = {m["id"]: m["name"] for t in current for m in t["members"]}
        people |= {e.id: e.name for e in conflicts.load_examiners(store) if e.id not in people}
        units = {c["id"]: c["unit"] for t in current for c in t["contributions"]}
        units |= {u.contribution_id: u.name for u in conflicts.load_units(store, year) if u.contribution_id not in units}
        move_col, coordinator_col, assign_col = st.columns(3, gap="medium")
        actions = [
            (move_col, "move", "Flytta examinator", people, "Examinator", {None: "Inget lag"} | team_names,
             lambda a, b, why, _: teams.move_examiner(store, user, a, b, why)),
            (coordinator_col, "coordinator", "Byt lagsamordnare", team_names, "Lag", people,
             lambda a, b, why, _: teams.set_coordinator(store, user, a, b, why)),
            (assign_col, "assign", "Flytta bidrag", units, "Bidrag", team_names,
             lambda a, b, why, over: teams.assign(store, user, a, b, why, over_load=over)),
        ]
        for column, key, title, first, first_label, second, run in actions:
            with column, st.form(f"team_{key}"):
                st.markdown(f"**{title}**")
                a = st.selectbox(first_label, list(first), format_func=first.get)
                b = st.selectbox("Till" if key != "coordinator" else "Ny lagsamordnare", list(second),
                                 format_func=second.get)
                over = key == "assign" and st.checkbox(
                    f"Över den vanliga belastningen ({teams.MAX_LOAD} bidrag per lag)",
                    help="För ett bidrag som kommer sent, när inget lag har plats; motivera varför.")
                why = st.text_input("Motivering")
                if st.form_submit_button("Spara"):
                    try:
                        run(a, b, why, over)
                    except teams.TeamError as exc:
                        st.error(escape_markdown(str(exc)))
                    else:
                        st.session_state["teams_notice"] = f"{title}: sparat."
                        st.rerun()

with free_tab:
    teams_parts.without_team_section(year, free)

with progress_tab:
    due = years.schedule_date(store, year, "individuell_bedomning")
    if due:
        st.caption(f"Individuella bedömningar ska vara inlämnade {swedish_date(due)}. ★ = lagsamordnare.")
    rows = contributions.year_progress(store, user, year)
    if not rows:
        st.info("Inga lag är bildade ännu.")
    else:
        table: dict[tuple, dict] = {}
        for row in rows:
            entry = table.setdefault((row["team"], row["unit"]), {"Lag": row["team"], "Bidrag": row["unit"]})
            entry[row["examiner"] + (" ★" if row["coordinator"] else "")] = row["status_label"]
        for team_name in dict.fromkeys(r["team"] for r in rows):
            st.markdown(f"**{escape_markdown(team_name)}**")
            st.dataframe([{k: v for k, v in e.items() if k != "Lag"} for (t, _), e in table.items() if t == team_name],
                         hide_index=True, width="stretch")

with conflict_tab:
    if declared:
        st.caption(f"{count(len(declared), 'anmält jäv', 'anmälda jäv')}.")
    if not declared:
        st.caption("Ingen examinator har anmält jäv.")
    for row in declared:
        st.warning(f"{escape_markdown(row['examiner'])} ({escape_markdown(row['team'] or 'inget lag')}) har anmält jäv mot "
                   f"{escape_markdown(row['unit'])}: {escape_markdown(row['note'] or '')}. Examinatorn ser inte längre bidraget; ersätt vid behov under Lagen.")

"""Lag och tilldelning's piece for what has no team yet: contributions and examiners by
name, and a new team for them (a late contribution, examiners who joined later).

Not a page itself: the router registers pages by file, and this file is not among them.
"""

from __future__ import annotations

import streamlit as st

from scoring.core.store import get_store
from scoring.core.text import count, escape_markdown
from scoring.teams import assignment as teams


def without_team_section(year: int, free: dict[str, list[dict]]) -> None:
    store, user = get_store(), st.session_state["current_user"]
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown(f"**Bidrag utan lag ({len(free['contributions'])})**")
        if not free["contributions"]:
            st.caption("Alla bidrag har ett lag.")
        for row in free["contributions"]:
            st.markdown(f"- {escape_markdown(row['unit'])}" + (" :orange-badge[kom in sent]" if row["late"] else ""))
        if free["contributions"]:
            st.caption("Ge bidraget till ett lag under Lagen (Flytta bidrag), eller bilda ett nytt lag här.")
    with right:
        st.markdown(f"**Examinatorer utan lag ({len(free['examiners'])})**")
        if not free["examiners"]:
            st.caption("Alla examinatorer i registret är med i ett lag.")
        for row in free["examiners"]:
            st.markdown(f"- {escape_markdown(row['name'])} :gray[{escape_markdown(row['organisation'])}]")
    if not free["examiners"]:
        return
    st.header("Bilda ett nytt lag")
    people = {r["id"]: r["name"] for r in free["examiners"]}
    with st.form("new_team"):
        name_col, people_col = st.columns([1, 2])
        name = name_col.text_input("Lagets namn", key="new_team_name")
        members = people_col.multiselect("Examinatorer", list(people), format_func=people.get,
                                         placeholder=f"Välj {teams.MIN_SIZE}–{teams.MAX_SIZE} examinatorer")
        coordinator = name_col.selectbox("Lagsamordnare", list(people), format_func=people.get, index=None,
                                         placeholder="Välj bland lagets examinatorer")
        why = people_col.text_input("Motivering", placeholder="Till exempel: bidraget kom in sent", key="new_team_reason")
        if st.form_submit_button("Bilda laget", type="primary"):
            try:
                if coordinator is None:
                    raise teams.TeamError("Välj lagsamordnare.")
                teams.create_team(store, user, year, name, members, coordinator, why)
            except teams.TeamError as exc:
                st.error(escape_markdown(str(exc)))
            else:
                st.session_state["teams_notice"] = (f"{name.strip()} är bildat med "
                                                    f"{count(len(members), 'examinator', 'examinatorer')}.")
                st.rerun()

"""The consensus page's site visit, agreement and proposal tabs. Not a page itself."""

from __future__ import annotations

import functools

import plotly.graph_objects as go
import streamlit as st

from app_pages import consensus_steps as steps
from app_pages import draft_field
from app_pages.consensus_parts import SAVES, prefix, save
from scoring.consensus import workspace as consensus
from scoring.core import access
from scoring.core.store import get_store
from scoring.core.text import decimal, escape_markdown
from scoring.feedback import invites
from scoring.intake import eligibility
from scoring.year import phases
from scoring.year.framework import Framework

NO_OUTCOME = "–"


def site_visit_tab(framework: Framework, work: consensus.Workspace) -> None:
    if work.phase == "konsensus":
        st.info("Platsbesöket förbereds när konsensus är klar: då föreslås frågor utifrån konsensus, "
                "sammanslagna med examinatorernas egna.")
        return
    editing = work.phase == "platsbesok" and not work.year_locked
    visit, p = work.site_visit, f"{prefix(work.contribution_id)}visit_"
    if visit.date:
        store, user = get_store(), st.session_state["current_user"]
        st.download_button("Kalenderinbjudan (.ics) till laget och verksamheten",
                           lambda: invites.site_visit_invite(store, user, work.contribution_id)[1],
                           file_name=f"Platsbesök {work.unit}.ics", mime="text/calendar", icon=":material/event:")
    with st.form(p + "details"):
        left, starts, ends, right = st.columns([2, 1, 1, 4])
        left.date_input("Datum", value=visit.date, key=p + "date", format="YYYY-MM-DD", disabled=not editing)
        starts.time_input("Från", value=visit.starts, key=p + "starts", step=900, disabled=not editing)
        ends.time_input("Till", value=visit.ends, key=p + "ends", step=900, disabled=not editing)
        right.text_input("Deltagare", value=visit.participants, key=p + "participants", disabled=not editing,
                         placeholder="Examinatorer och verksamhetens företrädare")
        st.markdown("**Dokument att ha tillgång till vid besöket**")
        for index, document in enumerate(framework.site_visit_documents):
            state = visit.documents.get(document)
            st.radio(document, list(consensus.DOCUMENT_STATES), format_func=consensus.DOCUMENT_STATES.get,
                     index=list(consensus.DOCUMENT_STATES).index(state) if state else None, horizontal=True,
                     key=f"{p}doc{index}", disabled=not editing)
        st.caption("Laget får datum och tid med e-post och en kalenderinbjudan när besöket bokas eller flyttas.")
        st.form_submit_button("Spara uppgifterna", disabled=not editing, on_click=_save_details,
                              args=(work.contribution_id, framework, p))
    titles = {a.code: a.title for a in framework.areas}
    outcomes = [NO_OUTCOME, *consensus.OUTCOMES]
    with st.form(p + "questions"):
        st.markdown(f"**Frågor** ({len(visit.questions)}): förtydliga utvecklingsområden, verifiera styrkor.")
        for q in visit.questions:
            qp = f"{p}q{q['id']}_"
            with st.container(border=True):
                st.caption(f"{titles.get(q['area_code'], q['area_code'])} · {escape_markdown(q['source'])}")
                st.text_area("Fråga", value=q["text"], key=qp + "text", height=68, disabled=not editing)
                left, right = st.columns([2, 3])
                left.radio("Utfall", outcomes, index=outcomes.index(q["outcome"] or NO_OUTCOME),
                           format_func=lambda o: consensus.OUTCOMES.get(o, o), horizontal=True, key=qp + "outcome",
                           disabled=not editing)
                right.text_input("Anteckning", value=q["notes"], key=qp + "notes", disabled=not editing)
                st.checkbox("Ta bort frågan", key=qp + "remove", disabled=not editing)
        st.markdown("**Ny fråga**")
        left, right = st.columns([1, 3])
        left.selectbox("Frågeområde", list(titles), format_func=titles.get, key=p + "new_area", disabled=not editing)
        right.text_input("Fråga", key=p + "new_text", disabled=not editing)
        st.form_submit_button("Spara frågorna", type="primary", disabled=not editing, on_click=_save_questions,
                              args=(work, p))


def _save_details(cid: int, framework: Framework, p: str) -> None:
    documents = {d: st.session_state[f"{p}doc{i}"] for i, d in enumerate(framework.site_visit_documents)
                 if st.session_state.get(f"{p}doc{i}")}
    save(cid, consensus.save_visit, date=st.session_state[p + "date"], starts=st.session_state[p + "starts"],
         ends=st.session_state[p + "ends"], participants=st.session_state[p + "participants"], documents=documents,
         confirm="Platsbesökets uppgifter är sparade.")


def _save_questions(work: consensus.Workspace, p: str) -> None:
    s = st.session_state
    edited = []
    for q in work.site_visit.questions:
        qp = f"{p}q{q['id']}_"
        if s.get(qp + "remove"):
            continue
        outcome = s.get(qp + "outcome")
        edited.append({**q, "text": s.get(qp + "text", q["text"]), "notes": s.get(qp + "notes", q["notes"]),
                       "outcome": None if outcome in (None, NO_OUTCOME) else outcome})
    if (s.get(p + "new_text") or "").strip():
        edited.append({"area_code": s[p + "new_area"], "text": s[p + "new_text"], "source": "lagt till"})
    if save(work.contribution_id, consensus.save_questions, edited, confirm="Frågorna är sparade."):
        s[p + "new_text"] = ""


def agreement_tab(store, user, work: consensus.Workspace) -> None:
    result = consensus.contribution_agreement(work)
    left, right = st.columns([1, 2])
    value = result["alpha"]
    left.metric("Krippendorffs alfa", decimal(value, 2),
                help="Samstämmighet mellan examinatorernas poäng per bedömningsgrund (intervallskala): 1 = helt "
                     "samstämmiga, 0 = som slumpen. Under 0,67 är skäl att diskutera hur skalan används.")
    if value is None:
        left.caption("Går inte att beräkna: det behövs minst två examinatorer med poäng som varierar.")
    deviations = result["deviations"]
    if deviations:
        names = list(deviations)
        figure = go.Figure(go.Bar(x=[deviations[n]["signed"] for n in names], y=names, orientation="h",
                                  marker_color=["#0058a1" if deviations[n]["signed"] >= 0 else "#b45f06" for n in names]))
        figure.update_layout(height=60 + 40 * len(names), margin={"l": 10, "r": 10, "t": 30, "b": 10},
                             title="Avvikelse från konsensus (poäng, + = generösare)", xaxis_title=None)
        right.plotly_chart(figure, width="stretch", config={"displayModeBar": False})
        st.dataframe([{"Examinator": n, "Medelavvikelse": decimal(d["signed"]),
                       "Medel absolut avvikelse": decimal(d["absolute"]), "Bedömningsgrunder": d["criteria"]}
                      for n, d in deviations.items()], hide_index=True, width="stretch")
    else:
        right.caption("Avvikelserna visas när laget har satt konsensuspoäng.")
    if access.can(store, user, "year.agreement"):
        year_overview(store, user, work.year)


def year_overview(store, user, year: int) -> None:
    st.header("Årets samstämmighet")
    overview = consensus.year_agreement(store, user, year)
    fmt = functools.partial(decimal, digits=2)  # an undefined alpha reads as a dash
    left, right = st.columns(2)
    left.dataframe([{"Lag": t["team"], "Alfa": fmt(t["alpha"])} for t in overview["teams"]], hide_index=True,
                   width="stretch")
    right.dataframe([{"Bidrag": c["unit"], "Lag": c["team"], "Examinatorer": c["examiners"], "Alfa": fmt(c["alpha"])}
                     for c in overview["contributions"]], hide_index=True, width="stretch")
    st.dataframe([{"Examinator": e["examiner"], "Medelavvikelse från konsensus": decimal(e["signed"]),
                   "Medel absolut": decimal(e["absolute"]), "Bidrag": e["contributions"]}
                  for e in overview["examiners"]], hide_index=True, width="stretch")
    threshold = st.number_input("Gräns för stor spridning (poäng)", 5, 100, consensus.spread_threshold(store), 5)
    if threshold != consensus.spread_threshold(store):
        consensus.set_spread_threshold(store, user, int(threshold))
        st.rerun()


def proposal_tab(store, user, work: consensus.Workspace) -> None:
    result = eligibility.register(store, user, work.contribution_id)[1]
    st.markdown(f"Grundläggande kontroll: **{escape_markdown(result.status)}**"
                + (f" – {escape_markdown(' '.join(result.reasons))}" if result.reasons else "")
                + (f" Saknas: {escape_markdown(', '.join(result.missing))}." if result.missing else ""))
    if work.proposal:
        st.success(f"Lagets förslag: **{phases.Proposal.labels()[work.proposal['proposal']]}** "
                   f"({escape_markdown(work.proposal['submitted_by'])}).  \n"
                   f"{escape_markdown(work.proposal['motivation'])}")
    if work.phase != "aterkoppling_klar" or work.year_locked:
        if not work.proposal:
            st.info("Förslaget lämnas när slutlig konsensus är klar och återkopplingen är skriven.")
        return
    p = f"{prefix(work.contribution_id)}proposal_"
    field = f"konsensus:{work.contribution_id}:proposal"
    draft_field.setdefault(p + "motivation", field, "")
    with st.form(p + "form"):
        st.radio("Lagets förslag", list(phases.Proposal.labels()), format_func=phases.Proposal.labels().get, key=p + "choice",
                 index=None)
        st.text_area("Motivering till beredningsgruppen", key=p + "motivation")
        st.form_submit_button("Lämna förslaget", type="primary", on_click=_propose, args=(work.contribution_id, p))
    draft_field.companion(p + "motivation", field, "")


def _propose(cid: int, p: str) -> None:
    """Asks first: the proposal cannot be changed once handed in."""
    choice = st.session_state[p + "choice"]
    if choice is None:
        SAVES.fail("Välj utmärkelse, hedersomnämnande eller inget förslag.")
        return
    if not (st.session_state[p + "motivation"] or "").strip():
        SAVES.fail("Skriv en motivering till beredningsgruppen.")
        return
    steps.ask("proposal", cid, choice=choice, motivation=st.session_state[p + "motivation"])

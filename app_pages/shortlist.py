"""Beredning: the candidates (by class where the year has classes), charts, side-by-side
comparison, calibration, and the jury dossier with its draft motivations."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app_pages.shortlist_dossier import dossier_tab
from scoring.core import access
from scoring.core.store import get_store
from scoring.core.text import decimal, escape_markdown
from scoring.jury import shortlist as jury
from scoring.year import phases
from scoring.year.framework import load_framework

store = get_store()
user = st.session_state["current_user"]
year = st.session_state["current_year"]

st.title("Beredning")
if year is None:
    st.info("Inget utmärkelseår är upplagt ännu.")
    st.stop()
framework = load_framework(year)
candidates = jury.shortlist(store, user, year)
if not candidates:
    st.info("Inga kandidater ännu: bara bidrag som lagen föreslår för utmärkelse eller hedersomnämnande "
            "går vidare till beredningsgruppen och juryn.")
    st.stop()
if jury.names_hidden(store, user, year):
    st.caption("Bidragen visas utan namn tills juryn har fattat sina beslut.")

classes = {c.code: c.name for c in framework.classes}
# A class filter only where the year has competition classes (2012); 2024 and 2026 have none.
left, middle, right = st.columns([2, 2, 1]) if classes else (None, *st.columns([3, 1]))
chosen_class = left.selectbox("Tävlingsklass", ["alla", *classes], format_func=lambda c: classes.get(c, "Alla klasser"),
                              key="beredning_klass", bind="query-params") if classes else "alla"
candidate_proposals = {k: v for k, v in phases.Proposal.labels().items() if k in access.CANDIDATE_PROPOSALS}
proposals = middle.multiselect("Lagets förslag", list(candidate_proposals), format_func=candidate_proposals.get,
                               placeholder="Alla förslag", key="beredning_forslag")
order = right.selectbox("Sortera", ["Totalt", "Spridning", "Namn"])
shown = [c for c in candidates if (chosen_class == "alla" or c.class_code == chosen_class)
         and (not proposals or c.proposal in proposals)]
key = {"Totalt": lambda c: -(c.total or 0), "Spridning": lambda c: -c.spread, "Namn": lambda c: c.name}[order]
shown.sort(key=key)
areas = {a.code: a.title for a in framework.areas}

tab_list, tab_compare, tab_calibration, tab_dossier = st.tabs(["Kandidater", "Jämför", "Kalibrering", "Juryunderlag"])
with tab_list:
    st.dataframe(pd.DataFrame([{
        "Bidrag": c.name, **({"Klass": c.class_name} if classes else {}), "Lag": c.team, "Totalt": decimal(c.total),
        **{areas[a]: v for a, v in c.profile.items()}, "Förslag": phases.Proposal.labels().get(c.proposal, "–"),
        "Grundläggande kontroll": c.eligibility, "Spridning": c.spread, "Fas": c.phase,
        "Beslut": phases.Decision.labels().get(c.decision, "–")} for c in shown]), hide_index=True, width="stretch")
    st.caption("Totalt = medel av konsensuspoängen per frågeområde. Spridning = största skillnaden mellan "
               "examinatorernas poäng i något område.")
    charts = st.columns(2)
    profile = go.Figure([go.Scatter(x=list(areas.values()), y=[c.profile[a] for a in areas], name=c.name,
                                    mode="lines+markers") for c in shown[:8]])
    profile.update_layout(title="Områdesprofiler (högst åtta)", height=340, yaxis_range=[0, 100],
                          margin={"l": 10, "r": 10, "t": 40, "b": 10})
    charts[0].plotly_chart(profile, width="stretch", config={"displayModeBar": False})
    groups = jury.candidate_groups(framework, candidates)
    distribution = go.Figure([go.Box(y=[c.total for c in g.candidates if c.total is not None], name=g.name[:24],
                                     boxpoints="all") for g in groups])
    distribution.update_layout(title="Fördelning per klass" if classes else "Fördelning per förslag", height=340,
                               showlegend=False,
                               margin={"l": 10, "r": 10, "t": 40, "b": 10})
    charts[1].plotly_chart(distribution, width="stretch", config={"displayModeBar": False})

with tab_compare:
    names = {c.contribution_id: c.name for c in shown}
    picked = st.multiselect("Välj två till fyra bidrag", list(names), format_func=names.get, max_selections=4,
                            key="jamfor", placeholder="Välj bidrag")
    if len(picked) >= 2:
        compared = jury.compare(store, user, year, picked)
        columns = st.columns(len(compared))
        for column, item in zip(columns, compared, strict=True):
            c = item["candidate"]
            column.markdown(f"**{escape_markdown(c.name)}**  \n"
                            + (f"{c.class_name} · " if c.class_name else "") + f"totalt {decimal(c.total)}")
            column.dataframe([{"Område": areas[a], "Poäng": v} for a, v in c.profile.items()], hide_index=True)
            column.markdown("**Nyckelteman**\n" + "\n".join(f"- \\+ {escape_markdown(t)}" for t in item["themes"]["styrka"])
                            + "\n" + "\n".join(f"- △ {escape_markdown(t)}" for t in item["themes"]["utvecklingsomrade"]))
        for code, title in areas.items():
            with st.expander(title):
                for column, item in zip(st.columns(len(compared)), compared, strict=True):
                    found = item["areas"][code]
                    column.markdown("\n".join([f"- \\+ {escape_markdown(t)}" for t in found["styrka"]]
                                              + [f"- △ {escape_markdown(t)}" for t in found["utvecklingsomrade"]])
                                    or ":gray[Inga iakttagelser]")
    else:
        st.caption("Välj minst två bidrag.")

with tab_calibration:
    result = jury.calibrate(store, user, year)
    st.markdown(
        "Lagen bedömer olika strängt. Här jämförs varje lags konsensuspoäng med årets medel "
        f"({decimal(result.year_mean)} poäng)" if result.year_mean is not None else "Inga färdiga konsensuspoäng ännu.")
    st.caption("Ett lags stränghet = lagets medel minus årets medel; den justerade poängen drar bort den. Ett lag "
               f"med färre än {jury.MIN_FOR_CALIBRATION} bidrag justeras inte: underlaget är för tunt för att skilja "
               "lagets stränghet från bidragens nivå. Justeringen visas bara som jämförelse; besluten vilar på de "
               "verkliga konsensuspoängen och underlaget.")
    if result.teams and result.year_mean is not None:
        level = go.Figure(go.Bar(x=[t["team"] for t in result.teams], y=[t["mean"] for t in result.teams],
                                 marker_color="#0058a1"))
        level.add_hline(y=result.year_mean, line_dash="dash", annotation_text="årets medel")
        level.update_layout(title="Lagens nivå mot årets", height=300, yaxis_range=[0, 100],
                            margin={"l": 10, "r": 10, "t": 40, "b": 10})
        st.plotly_chart(level, width="stretch", config={"displayModeBar": False})
    st.dataframe([{"Lag": t["team"], "Bidrag": t["contributions"], "Medel": decimal(t["mean"]),
                   "Stränghet": decimal(t["leniency"]) if t["calibrated"] else "för tunt underlag"} for t in result.teams],
                 hide_index=True, width="stretch")
    st.dataframe([{"Rang": r["raw_rank"], "Bidrag": r["unit"], "Konsensus": decimal(r["raw"]), "Justerad": decimal(r["adjusted"]), "Justerad rang": r["adjusted_rank"],
                   "Bästa–sämsta rang": f"{s['best']}–{s['worst']}"}
                  for r, s in zip(result.ranking, result.stability, strict=True)], hide_index=True, width="stretch")
    st.caption("Bästa–sämsta rang: hur placeringen rör sig med justeringen och när varje frågeområde i tur och "
               "ordning väger dubbelt.")
    if result.examiners:
        with st.expander("Examinatorernas stränghet (individuell poäng mot konsensus)"):
            st.dataframe([{"Examinator": e["examiner"], "Medelavvikelse": decimal(e["leniency"]), "Bedömningsgrunder": e["criteria"]}
                          for e in result.examiners], hide_index=True, width="stretch")
    if access.can(store, user, "jury.pseudonyms"):
        hidden = jury.pseudonymised(store, year)
        if st.toggle("Visa bidragen utan namn för beredningsgruppen och juryn", value=hidden) != hidden:
            jury.set_pseudonymised(store, user, year, not hidden)
            st.rerun()

with tab_dossier:
    dossier_tab(store, user, year, framework, candidates)

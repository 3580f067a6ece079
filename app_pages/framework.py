"""Anvisningar: an award year's questionnaire, criteria, scale and rules."""

import streamlit as st

from scoring.core.text import escape_markdown, swedish_date
from scoring.year.framework import available_years, load_framework

years_available = available_years()
current = st.session_state.get("current_year")
st.title("Anvisningar")
year = st.columns([1, 4])[0].selectbox(
    "Utmärkelseår", years_available,
    index=years_available.index(current) if current in years_available else len(years_available) - 1,
)
framework = load_framework(year)

questions_tab, criteria_tab, rules_tab = st.tabs(["Frågeformulär", "Bedömningsgrunder och skala", "Regler och datum"])

with questions_tab:
    st.caption(framework.character_limit.rule_text)
    for area in framework.areas:
        st.subheader(area.title)
        if area.ingress:
            with st.expander("Ingress"):
                st.markdown(area.ingress.replace("\n", "\n\n"))
        if area.lead:
            st.markdown(f"*{area.lead}*")
        if area.note:
            st.caption(area.note)
        for q in area.questions:
            st.markdown(f"**{q.number}.** {q.text}")
            for part in q.parts:
                st.markdown(f"&nbsp;&nbsp;&nbsp;&nbsp;{part.label}. {part.text}")

with criteria_tab:
    kinds = {"arbetssatt": "Arbetssätt", "resultat": "Resultat"}
    for area in framework.areas:
        st.subheader(area.title)
        st.dataframe(
            [{"Bedömningsgrund": c.title, "Slag": kinds[c.kind], "Vad en stark verksamhet visar": c.description,
              "Vikt": c.weight, "Källa": "; ".join(c.sources)} for c in area.criteria],
            hide_index=True, width="stretch",
        )
    st.subheader(f"Skala: {escape_markdown(framework.scale.name)}")
    st.caption(
        f"Poäng {framework.scale.min}–{framework.scale.max} i steg om {framework.scale.step}. "
        "Områdets poäng är det viktade medelvärdet av bedömningsgrundernas poäng."
    )
    st.dataframe(
        [{"Band": f"{b.min}–{b.max}", "Nivå": b.label, "Arbetssätt": b.arbetssatt, "Resultat": b.resultat}
         for b in framework.scale.bands],
        hide_index=True, width="stretch",
    )

with rules_tab:
    left, right = st.columns(2)
    with left:
        st.subheader("Viktiga datum")
        for d in framework.deadlines:
            st.markdown(f"- **{swedish_date(d.date)}** – {d.label}")
        st.subheader("Vem kan delta")
        for rule in framework.eligibility.rule_texts:
            st.markdown(f"- {rule}")
        st.subheader("Tävlingsklasser")
        for c in framework.classes:
            st.markdown(f"- {escape_markdown(c.name)}" + (f" ({c.description})" if c.description else ""))
    with right:
        st.subheader("Omfång")
        st.markdown(framework.character_limit.rule_text)
        if framework.presentation_text:
            st.markdown(f"**Presentationstext:** {framework.presentation_text.rule_text}")
        if framework.picture:
            st.markdown(f"**Bild:** {framework.picture.rule_text}")
        st.subheader("Dokument till platsbesöket")
        for doc in framework.site_visit_documents:
            st.markdown(f"- {doc}")

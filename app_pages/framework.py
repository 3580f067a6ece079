"""Anvisningar: an award year's questionnaire, criteria, scale, rules, concepts and checklist."""

import streamlit as st

from app_pages.common import show_concepts_and_checklist
from scoring.core.store import get_store
from scoring.core.text import escape_markdown, swedish_date
from scoring.year import framework_store
from scoring.year.framework import load_framework

store = get_store()
choices = {c.year: c for c in framework_store.available_frameworks(store)}
years_available = list(choices)
current = st.session_state.get("current_year")
st.title("Anvisningar")
year = st.columns([1, 4])[0].selectbox(
    "Utmärkelseår", years_available,
    index=years_available.index(current) if current in years_available else len(years_available) - 1,
)
framework = load_framework(year)
if choices[year].origin != "fil":
    st.caption(f"Anvisningarna för {year} är skrivna av Kvalitetsenheten i Examinatorsstöd.")

questions_tab, criteria_tab, rules_tab, support_tab = st.tabs(
    ["Frågeformulär", "Bedömningsgrunder och skala", "Regler och datum", "Begrepp och stöd"])

with questions_tab:
    st.caption(framework.character_limit.rule_text)
    for area in framework.areas:
        st.header(area.title)
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
    st.markdown("**Frågeområdenas vikt i bidragets totalpoäng**")
    st.dataframe([{"Frågeområde": a.title, "Vikt": a.weight,
                   "Andel av totalen": f"{a.weight / sum(x.weight for x in framework.areas):.0%}"}
                  for a in framework.areas], hide_index=True, width="stretch")
    st.caption("Totalpoängen är frågeområdenas poäng vägda med vikterna. Anvisningarna anger inga vikter; "
               "lika vikt är arbetsverktygets utgångspunkt, som Kvalitetsenheten kan ändra för ett nytt år.")
    for area in framework.areas:
        st.header(area.title)
        st.dataframe(
            [{"Bedömningsgrund": c.title, "Slag": kinds[c.kind], "Vad en stark verksamhet visar": c.description,
              "Vikt": c.weight, "Källa": "; ".join(c.sources)} for c in area.criteria],
            hide_index=True, width="stretch",
        )
    st.header(f"Skala: {escape_markdown(framework.scale.name)}")
    if framework.scale.note and not framework.scale.confirmed:
        st.warning(escape_markdown(framework.scale.note), icon=":material/info:")
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
        st.header("Viktiga datum")
        for d in framework.deadlines:
            st.markdown(f"- **{swedish_date(d.date)}** – {d.label}")
        st.header("Vem kan delta")
        for rule in framework.eligibility.rule_texts:
            st.markdown(f"- {rule}")
        if framework.eligibility.honourable_mention_earliest_return_years is None:
            st.caption("Anvisningarna säger inget om när en verksamhet med hedersomnämnande får delta igen; "
                       "Kvalitetsenheten beslutar det för året.")
        if framework.classes:
            st.header("Tävlingsklasser")
            for c in framework.classes:
                st.markdown(f"- {escape_markdown(c.name)}" + (f" ({c.description})" if c.description else ""))
    with right:
        st.header("Bidraget")
        if framework.submission_rule_text:
            st.markdown(framework.submission_rule_text)
        st.markdown(framework.character_limit.rule_text)
        if framework.appendices:
            st.markdown("**Bilagor:** " + "; ".join(
                f"{a.title} ({'krävs' if a.required else 'frivillig'}, "
                f"{'räknas' if a.counted else 'räknas inte'} in i teckenantalet"
                f"{', kan skickas som egen fil' if a.separate_file else ''})" for a in framework.appendices))
        if framework.images_in_text:
            st.markdown(f"**Bilder i texten:** {framework.images_in_text.rule_text}")
        if framework.presentation_text:
            st.markdown(f"**Presentationstext:** {framework.presentation_text.rule_text}")
        if framework.picture:
            st.markdown(f"**Bild:** {framework.picture.rule_text}")
        st.header("Dokument till platsbesöket")
        for doc in framework.site_visit_documents:
            st.markdown(f"- {doc}")

with support_tab:
    if not show_concepts_and_checklist(framework):
        st.info(f"Anvisningarna för {year} har inga begreppsförklaringar eller checklistor.")

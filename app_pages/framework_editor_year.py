"""*Skriv anvisningar*: the tabs for the year's dates and classes, who may take part, and
the scale and concepts. Not a page itself."""

from __future__ import annotations

import streamlit as st

from app_pages.framework_editor_parts import BUDGET_RULES, _codes
from app_pages.framework_form import Form
from scoring.year.framework_store import slug


def dates_and_classes_tab(form: Form, data: dict) -> None:
    st.markdown("**Viktiga datum**")
    st.caption("Koderna bidrag, protokollsutdrag och grundlaggande_kontroll används i kontrollerna; behåll dem.")
    for d, deadline in enumerate(data["deadlines"]):
        path = f"deadlines.{d}"
        cols = st.columns([2, 4, 2, 1], vertical_alignment="bottom")
        with cols[0]:
            form.date(deadline, "date", "Datum", path)
        with cols[1]:
            form.text(deadline, "label", "Vad", path)
        with cols[2]:
            form.text(deadline, "code", "Kod", path)
        with cols[3]:
            form.remove_button(data["deadlines"], d, path)
    form.add_button(data["deadlines"], {"code": slug("datum", _codes(data["deadlines"])), "label": "Nytt datum",
                                        "date": f"{data['year']}-06-01"}, "deadlines", "Lägg till datum")
    st.markdown("**Tävlingsklasser**")
    st.caption("Lämna listan tom om årets anvisningar inte har tävlingsklasser: då finns inget klassval i intaget, "
               "och beredningen och juryunderlaget ordnas efter lagens förslag.")
    for c, item in enumerate(data["classes"]):
        path = f"classes.{c}"
        cols = st.columns([3, 4, 1], vertical_alignment="bottom")
        with cols[0]:
            form.text(item, "name", "Klass", path)
        with cols[1]:
            form.text(item, "description", "Beskrivning", path)
        with cols[2]:
            form.remove_button(data["classes"], c, path)
    form.add_button(data["classes"], {"code": slug("klass", _codes(data["classes"])), "name": "Ny klass",
                                      "description": ""}, "classes", "Lägg till tävlingsklass")
    form.lines(data, "site_visit_documents", "Dokument till platsbesöket, ett per rad", "", height=120)


def eligibility_tab(form: Form, data: dict) -> None:
    rules = data["eligibility"]
    path = "eligibility"
    cols = st.columns(3)
    with cols[0]:
        key = form.start(f"{path}.no_minimum", rules.get("min_employees") is None)
        if st.checkbox("Inget krav på antal medarbetare", key=key):
            rules["min_employees"] = None
        else:
            rules.setdefault("min_employees", 5)
            rules["min_employees"] = rules["min_employees"] or 5
            form.number(rules, "min_employees", "Minst antal medarbetare", path, minimum=1)
        form.check(rules, "employees_include_manager", "Chefen räknas med", path)
    with cols[1]:
        form.number(rules, "min_city_share_percent", "Minsta andel från staden (%)", path, minimum=0)
        form.number(rules, "winner_earliest_return_years", "År innan en vinnare får delta igen", path, minimum=1,
                    help="3 betyder: vinnare 2023 får delta igen 2026.")
    with cols[2]:
        key = form.start(f"{path}.hm_open", rules.get("honourable_mention_earliest_return_years") is None)
        if st.checkbox("Anvisningarna säger inget om när ett hedersomnämnande får delta igen", key=key):
            rules["honourable_mention_earliest_return_years"] = None
        else:
            rules["honourable_mention_earliest_return_years"] = rules.get(
                "honourable_mention_earliest_return_years") or 1
            form.number(rules, "honourable_mention_earliest_return_years", "År innan ett hedersomnämnande får delta "
                        "igen", path, minimum=1)
    form.select(rules, "budget_rule", "Ekonomi", path, BUDGET_RULES)
    cols = st.columns(2)
    with cols[0]:
        form.check(rules, "manager_with_full_responsibility", "Chef med verksamhets-, budget- och personalansvar krävs",
                   path)
        form.check(rules, "business_plan_with_goals", "Verksamhetsplan med mål krävs", path)
        form.check(rules, "protocol_extract_required", "Protokollsutdrag från nämnd eller styrelse krävs", path)
    with cols[1]:
        form.check(rules, "basic_control_required", "Grundläggande kontroll krävs", path)
        form.check(rules, "honourable_mention_same_control_as_award",
                   "Hedersomnämnande kräver samma kontroll som utmärkelse", path)
    form.lines(rules, "rule_texts", "Reglerna som de står i anvisningarna, en per rad", path, height=160)


def scale_and_concepts_tab(form: Form, data: dict) -> None:
    scale = data["scale"]
    st.markdown("**Poängskalan**")
    form.text(scale, "name", "Skalans namn", "scale")
    form.text(scale, "note", "Anmärkning som visas med skalan", "scale", long=True, height=70)
    form.check(scale, "confirmed", "Kvalitetsenheten har bekräftat skalan för året", "scale")
    for b, band in enumerate(scale["bands"]):
        path = f"scale.bands.{b}"
        with st.expander(f"Band {band['min']}–{band['max']}: {band['label']}", key=form.key(path)):
            form.text(band, "label", "Nivå", path)
            form.text(band, "arbetssatt", "Arbetssätt", path, long=True, height=80)
            form.text(band, "resultat", "Resultat", path, long=True, height=80)
    st.markdown("**Begrepp (visas på Anvisningar och bredvid läsrutan)**")
    form.text(data, "concepts_title", "Rubrik", "")
    for c, concept in enumerate(data["concepts"]):
        path = f"concepts.{c}"
        cols = st.columns([6, 1], vertical_alignment="bottom")
        with cols[0]:
            form.text(concept, "term", "Begrepp", path)
            form.text(concept, "text", "Förklaring", path, long=True, height=80)
        with cols[1]:
            form.remove_button(data["concepts"], c, path)
    form.add_button(data["concepts"], {"term": "Nytt begrepp", "text": "Förklaring."}, "concepts", "Lägg till begrepp")
    if data.get("goal_chain_checklist"):
        st.caption(f"Checklistan ”{data['goal_chain_checklist']['title']}” följer med; ändra den i YAML-filen.")

"""*Skriv anvisningar*: the tabs that edit a year's framework, one function per tab, each
editing the draft in place through ``Form``. Not a page itself."""

from __future__ import annotations

import streamlit as st

from app_pages.framework_form import Form
from scoring.year.framework_store import slug

KINDS = {"arbetssatt": "Arbetssätt", "resultat": "Resultat"}
BUDGET_RULES = {"deficit_blocks_award": "Underskott hindrar utmärkelsen (men inte deltagande)",
                "balanced_forecast_required": "Prognos i balans krävs för att delta"}


def _codes(items: list[dict], field: str = "code") -> set[str]:
    return {i.get(field) for i in items}


def _parts_of(question: dict) -> list[str]:
    return [p["text"] for p in question.get("parts") or []]


def areas_tab(form: Form, data: dict) -> None:
    st.caption("Frågorna numreras 1, 2, 3 … i ordning när du sparar; delfrågorna a, b, c …")
    number = 0
    areas = data["areas"]
    for a, area in enumerate(areas):
        path = f"areas.{a}"
        first = number + 1
        number += len(area["questions"])
        with st.expander(f"{area['title'] or 'Nytt frågeområde'} · frågorna {first}–{number}", key=form.key(path)):
            left, right = st.columns([4, 1])
            with left:
                form.text(area, "title", "Frågeområde", path)
            with right:
                form.number(area, "weight", "Vikt i totalen", path, minimum=0.0, step=0.5)
            form.text(area, "ingress", "Ingress", path, long=True, height=120)
            form.text(area, "lead", "Inledande uppmaning (t.ex. ”Beskriv verksamhetens … utifrån …”)", path)
            form.text(area, "note", "Anmärkning", path)
            st.markdown("**Frågor**")
            for q, question in enumerate(area["questions"]):
                qpath = f"{path}.questions.{q}"
                cols = st.columns([6, 4, 1], vertical_alignment="bottom")
                with cols[0]:
                    form.text(question, "text", f"Fråga {first + q}", qpath, long=True, height=80)
                with cols[1]:
                    key = form.start(f"{qpath}.parts", "\n".join(_parts_of(question)))
                    lines = [t.strip() for t in st.text_area("Delfrågor, en per rad", key=key, height=80).splitlines()]
                    question["parts"] = [{"label": "", "text": t} for t in lines if t]
                with cols[2]:
                    form.remove_button(area["questions"], q, qpath)
            form.add_button(area["questions"], {"number": 0, "text": "Ny fråga", "parts": []}, f"{path}.questions",
                            "Lägg till fråga")
            st.markdown("**Bedömningsgrunder**")
            for c, criterion in enumerate(area["criteria"]):
                cpath = f"{path}.criteria.{c}"
                with st.container(border=True):
                    cols = st.columns([4, 2, 1, 1], vertical_alignment="bottom")
                    with cols[0]:
                        form.text(criterion, "title", "Bedömningsgrund", cpath)
                    with cols[1]:
                        form.select(criterion, "kind", "Slag", cpath, KINDS)
                    with cols[2]:
                        form.number(criterion, "weight", "Vikt", cpath, minimum=0.0, step=0.5)
                    with cols[3]:
                        form.remove_button(area["criteria"], c, cpath)
                    form.text(criterion, "description", "Vad en stark verksamhet visar (beskrivning)", cpath,
                              long=True, height=80)
                    form.lines(criterion, "sources", "Källor, en per rad (”kod: avsnitt”)", cpath, height=68,
                               help="Koden är en av anvisningarnas källor, t.ex. 001 (se fliken Fil och historik).")
            source = next(iter(data.get("sources") or {"X": ""}))
            form.add_button(area["criteria"], {
                "code": slug("ny bedomningsgrund", _codes(area["criteria"])), "title": "Ny bedömningsgrund",
                "kind": "arbetssatt", "description": "Beskriv vad en stark verksamhet visar.", "weight": 1.0,
                "sources": [f"{source}: {area['title']}"]}, f"{path}.criteria", "Lägg till bedömningsgrund")
            form.remove_button(areas, a, path, "Ta bort frågeområdet")
    source = next(iter(data.get("sources") or {"X": ""}))
    form.add_button(areas, {
        "code": slug("nytt omrade", _codes(areas)), "title": "Nytt frågeområde", "ingress": "", "lead": "", "note": "",
        "weight": 1.0, "questions": [{"number": 0, "text": "Ny fråga", "parts": []}],
        "criteria": [{"code": "arbetssatt", "title": "Arbetssätt", "kind": "arbetssatt", "weight": 1.0,
                      "description": "Beskriv vad en stark verksamhet visar.", "sources": [f"{source}: nytt område"]}],
    }, "areas", "Lägg till frågeområde")


def intro_tab(form: Form, data: dict) -> None:
    intro = data["introduction"]
    form.text(intro, "title", "Rubrik", "introduction")
    for s, section in enumerate(intro["sections"]):
        path = f"introduction.sections.{s}"
        with st.expander(section["title"] or "Nytt avsnitt", key=form.key(path)):
            form.text(section, "title", "Avsnittets rubrik", path)
            form.text(section, "note", "Anmärkning (t.ex. ”(Om annan än ovan)”)", path)
            form.text(section, "text", "Text", path, long=True, height=80)
            form.lines(section, "items", "Punkter, en per rad", path)
            st.markdown("**Uppgifter som verksamheten fyller i**")
            for f, field in enumerate(section["fields"]):
                cols = st.columns([5, 1], vertical_alignment="bottom")
                with cols[0]:
                    form.text(field, "label", f"Uppgift {f + 1}", f"{path}.fields.{f}")
                with cols[1]:
                    form.remove_button(section["fields"], f, f"{path}.fields.{f}")
            taken = {x["key"] for x in (y for sec in intro["sections"] for y in sec["fields"])}
            form.add_button(section["fields"], {"key": slug("uppgift", taken), "label": "Ny uppgift"},
                            f"{path}.fields", "Lägg till uppgift")


def rules_tab(form: Form, data: dict) -> None:
    limit = data["character_limit"]
    st.markdown("**Omfång**")
    cols = st.columns(3)
    with cols[0]:
        form.number(limit, "max_chars", "Högst antal tecken", "character_limit", minimum=1, step=1000)
    with cols[1]:
        form.check(limit, "count_spaces", "Blanksteg räknas", "character_limit")
    with cols[2]:
        key = form.start("character_limit.inledning", "inledning" in (limit.get("excluded_parts") or []))
        limit["excluded_parts"] = ["inledning"] if st.checkbox("Inledningen räknas inte", key=key) else []
    form.text(limit, "rule_text", "Regeltext (som i anvisningarna)", "character_limit", long=True, height=80)
    form.check(data, "ingress_must_be_removed", "Ingresserna ska tas bort ur bidraget", "")
    key = form.start("pdf", "pdf" in data.get("submission_formats", []))
    data["submission_formats"] = ["docx", "pdf"] if st.checkbox("Bidraget skickas även som PDF-kopia", key=key) \
        else ["docx"]
    form.text(data, "submission_rule_text", "Regeltext om hur bidraget skickas in", "", long=True, height=70)
    st.markdown("**Bilagor**")
    form.check(data, "other_appendices_allowed", "Andra bilagor än dessa får användas", "")
    for b, appendix in enumerate(data["appendices"]):
        path = f"appendices.{b}"
        with st.container(border=True):
            cols = st.columns([3, 1, 1, 1, 1], vertical_alignment="bottom")
            with cols[0]:
                form.text(appendix, "title", "Bilaga", path)
            with cols[1]:
                form.check(appendix, "required", "Krävs", path)
            with cols[2]:
                form.check(appendix, "counted", "Räknas", path, help="Räknas in i teckenantalet")
            with cols[3]:
                form.check(appendix, "separate_file", "Egen fil", path, help="Får skickas som egen fil")
            with cols[4]:
                form.remove_button(data["appendices"], b, path)
            form.lines(appendix, "heading_words", "Ord i rubriken som visar bilagan (skilda med ;)", path, sep=";")
    form.add_button(data["appendices"], {"code": slug("bilaga", _codes(data["appendices"])), "title": "Ny bilaga",
                                         "required": False, "counted": True, "heading_words": ["bilaga"],
                                         "separate_file": True}, "appendices", "Lägg till bilaga")
    st.markdown("**Bilder**")
    images = form.optional(data, "images_in_text", "Regel för bilder i texten", "images_in_text", {
        "text_in_images_allowed": False, "change_request_working_days": [1, 2], "rule_text": ""})
    if images:
        cols = st.columns(3)
        with cols[0]:
            form.check(images, "text_in_images_allowed", "Text i bilderna tillåten", "images_in_text")
        days = images["change_request_working_days"]
        key_low = form.start("images_in_text.low", int(days[0]))
        key_high = form.start("images_in_text.high", int(days[1]))
        low = cols[1].number_input("Ändringsbegäran: arbetsdagar minst", key=key_low, min_value=0, step=1)
        high = cols[2].number_input("… och högst", key=key_high, min_value=0, step=1)
        images["change_request_working_days"] = [low, high]
        form.text(images, "rule_text", "Regeltext", "images_in_text", long=True, height=80)
    picture = form.optional(data, "picture", "Bild som skickas med bidraget", "picture", {
        "width": 1920, "height": 1200, "orientation": "liggande", "text_allowed": False, "consent_required": True,
        "rule_text": "", "if_not_met": ""})
    if picture:
        cols = st.columns(3)
        with cols[0]:
            form.number(picture, "width", "Bredd (pixlar)", "picture", minimum=1)
        with cols[1]:
            form.number(picture, "height", "Höjd (pixlar)", "picture", minimum=1)
        with cols[2]:
            form.select(picture, "orientation", "Format", "picture", {"liggande": "Liggande", "stående": "Stående"})
        form.text(picture, "rule_text", "Regeltext", "picture", long=True, height=80)
        form.text(picture, "if_not_met", "Om bilden inte följer reglerna", "picture")
    presentation = form.optional(data, "presentation_text", "Presentationstext", "presentation_text", {
        "max_chars": 1000, "count_spaces": False, "rule_text": ""})
    if presentation:
        form.number(presentation, "max_chars", "Högst antal tecken", "presentation_text", minimum=1, step=100)
        form.text(presentation, "rule_text", "Regeltext", "presentation_text", long=True, height=80)

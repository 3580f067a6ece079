"""Granska fil's pieces: the arrival time, the split editor, accepting or rejecting one
file, and accepting several at once.

Not a page itself: the router registers pages by file, and this file is not among them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import streamlit as st

from scoring.core import organisations
from scoring.core.errors import Refused
from scoring.core.store import get_store
from scoring.core.text import escape_markdown
from scoring.intake import registrations
from scoring.intake import review as intake_store
from scoring.intake.document import OTHER_APPENDIX
from scoring.year import calendar
from scoring.year.framework import Framework, load_framework

SECTIONS = {"inledning": "Inledning", "fraga": "Fråga", "presentation": "Presentationstext",
            "ovrigt": "Hör inte till någon fråga"}
ROLES = {"svar": "Text", "rubrik": "Rubrik", "fragetext": "Frågetext", "ingress": "Ingress",
         "instruktion": "Anvisning", "falt": "Uppgift", "ovrigt": "Text", "innehall": "Innehållsförteckning"}
KINDS = {"tabell": "Tabell", "bild": "Bild", "innehall": "Innehållsförteckning"}
FRAMES = {"textruta": "Textruta", "formular": "Formulärcell"}
NOTE_HELP = "Krävs när filen kom in sent eller har fynd: varför tas den ändå emot? Anteckningen sparas."


def arrival_form(review: intake_store.Review) -> None:
    """Correct when the file reached the office (it may have come by e-mail earlier)."""
    store, user = get_store(), st.session_state["current_user"]
    local = calendar.stockholm(review.received_at)
    with st.popover("Ändra när filen kom in", icon=":material/schedule:"), st.form(f"arrival_{review.id}"):
        day = st.date_input("Datum", value=local.date(), max_value=dt.date.today(), format="YYYY-MM-DD")
        time = st.time_input("Klockan", value=local.time().replace(second=0, microsecond=0),
                             step=dt.timedelta(minutes=15))
        if st.form_submit_button("Spara"):
            try:
                intake_store.set_received_at(store, user, review.id, review.version,
                                             calendar.utc_from_stockholm(day, time))
            except Refused as exc:
                st.error(escape_markdown(str(exc)))
            else:
                st.rerun()


def _places(framework: Framework) -> dict[tuple[str, str | None], str]:
    """Where a block may go: each section, and each of the year's appendices as a place of
    its own; any other appendix is "annan bilaga"."""
    places = {(k, None): v for k, v in SECTIONS.items()}
    places |= {("bilaga", a.code): f"Bilaga: {a.title}" for a in framework.appendices}
    places[("bilaga", OTHER_APPENDIX)] = "Bilaga: annan bilaga"
    return places


def _place_label(places: dict, place) -> str:
    return places[("bilaga", place.appendix or OTHER_APPENDIX)] if place.section == "bilaga" \
        else SECTIONS[place.section]


def split_editor(review: intake_store.Review, framework: Framework) -> None:
    store, user = get_store(), st.session_state["current_user"]
    places = _places(framework)
    st.header("Uppdelning")
    st.caption("Rätta en felaktig uppdelning genom att ändra del, fråga eller delfråga för ett stycke; "
               "spara sedan. Varje stycke behåller sitt id.")
    blocks = review.blocks
    editor_key = f"split_{review.id}_{review.version}"
    st.data_editor(
        [{"Id": b.id, "Slag": FRAMES.get(b.frame) or (ROLES[review.places[b.id].text_kind] if b.kind == "stycke"
                                                       else KINDS.get(b.kind, b.kind)),
          "Text": (b.text[:140] + " …") if len(b.text) > 140 else b.text,
          "Del": _place_label(places, review.places[b.id]), "Fråga": review.places[b.id].question,
          "Delfråga": review.places[b.id].part} for b in blocks],
        column_config={
            "Id": st.column_config.TextColumn(disabled=True, width="small"),
            "Slag": st.column_config.TextColumn(disabled=True, width="small"),
            "Text": st.column_config.TextColumn(disabled=True, width="large"),
            "Del": st.column_config.SelectboxColumn(options=list(places.values()), required=True),
            "Fråga": st.column_config.SelectboxColumn(options=[q.number for q in framework.questions()]),
            "Delfråga": st.column_config.SelectboxColumn(options=["a", "b", "c"]),
        },
        hide_index=True, width="stretch", height=420, key=editor_key,
    )
    edited = st.session_state.get(editor_key, {}).get("edited_rows", {})
    if st.button("Spara rättelser", disabled=not edited):
        by_label = {v: k for k, v in places.items()}
        changes = {}
        for row, change in edited.items():
            update = {}
            if "Del" in change:
                update["section"], appendix = by_label[change["Del"]]
                if appendix:
                    update["appendix"] = appendix
            if "Fråga" in change:
                update["question"], update["section"] = change["Fråga"], "fraga"
            if "Delfråga" in change:
                update["part"] = change["Delfråga"] or None
            changes[blocks[int(row)].id] = update
        try:
            intake_store.correct(store, user, review.id, review.version, changes)
        except Refused as exc:
            st.error(escape_markdown(str(exc)))
        else:
            st.rerun()


def _accepted(message: str) -> None:
    st.session_state["upload_outcomes"] = [("ok", message)]
    st.switch_page("app_pages/intake.py")


def decision_forms(review: intake_store.Review, framework: Framework) -> None:
    store, user = get_store(), st.session_state["current_user"]
    st.header("Godkänn eller avvisa")
    accept_col, reject_col = st.columns([3, 2], gap="large")
    with accept_col, st.form("accept"):
        if review.replaces:
            st.markdown(f"Den rättade filen ersätter texten i **{escape_markdown(review.replaces['unit'])}**; "
                        "den tidigare filen finns kvar som version.")
            unit_name = organisation = class_code = ""
            registration = None
        else:
            unit_name = st.text_input("Verksamhetens namn", value=review.report.intro_fields.get("unit_name")
                                      or Path(review.filename).stem, key=f"accept_unit_{review.id}")
            names = list(organisations.organisations())
            organisation = st.selectbox("Förvaltning eller bolag", names, index=None,
                                        placeholder="Välj ur stadens lista", key=f"accept_organisation_{review.id}")
            class_code = st.selectbox("Tävlingsklass", [c.code for c in framework.classes],
                                      format_func=framework.class_name, index=None, placeholder="Välj tävlingsklass",
                                      key=f"accept_class_{review.id}") if framework.has_classes else None
            candidates = registrations.open_for_link(store, user, review.year)
            options = {r["id"]: r["unit_name"] for r in candidates}
            guess = registrations.best_match(candidates, unit_name)
            registration = st.selectbox("Intresseanmälan", list(options), format_func=options.get,
                                        index=list(options).index(guess) if guess in options else None,
                                        placeholder="Ingen anmälan" if not options else "Välj anmälan (valfritt)",
                                        key=f"accept_registration_{review.id}")
        note = st.text_area("Anteckning" + (" (krävs)" if review.needs_note else " (valfri)"), height=80,
                            help=NOTE_HELP)
        label = "Godkänn som ny version" if review.replaces else "Godkänn bidraget"
        if st.form_submit_button(label, type="primary"):
            try:
                intake_store.accept(store, user, review.id, review.version, unit_name=unit_name,
                                    organisation=organisation or "", class_code=class_code or None,
                                    registration_id=registration, note=note)
            except Refused as exc:
                st.error(escape_markdown(str(exc)))
            else:
                _accepted(f"{review.replaces['unit']} har fått en ny version." if review.replaces
                          else f"{unit_name} är godkänt som bidrag.")
    with reject_col, st.form("reject"):
        reason = st.text_area("Varför avvisas filen?", height=100)
        if st.form_submit_button("Avvisa filen"):
            try:
                intake_store.reject(store, user, review.id, reason)
            except Refused as exc:
                st.error(escape_markdown(str(exc)))
            else:
                st.rerun()


def accept_many_section(year: int, waiting: list[dict]) -> None:
    """Several reviewed files in one table: name, organisation, class, registration, note."""
    store, user = get_store(), st.session_state["current_user"]
    framework = load_framework(year)
    new = [r for r in waiting if not r["replaces_contribution_id"]]
    if not new:
        st.info("Bara rättade versioner väntar; granska dem en och en.")
        return
    st.caption("Fyll i verksamhet, förvaltning eller bolag" + (" och tävlingsklass" if framework.has_classes else "")
               + " för de filer som ska bli bidrag, "
               "kryssa i Godkänn och spara. Filer som kom in sent eller har fynd behöver en anteckning. "
               "En fil som inte går igenom stoppar inte de andra.")
    candidates = registrations.open_for_link(store, user, year)
    by_name = {r["unit_name"]: r["id"] for r in candidates}
    classes = {framework.class_name(c.code): c.code for c in framework.classes}
    rows = []
    for r in new:
        unit = r["unit_name"] or Path(r["filename"]).stem
        guess = registrations.best_match(candidates, unit)
        registered = next((c for c in candidates if c["id"] == guess), None)
        rows.append({"Godkänn": False, "Fil": r["filename"], "Verksamhet": unit,
                     "Förvaltning/bolag": registered["organisation"] if registered else None,
                     **({"Tävlingsklass": None} if framework.has_classes else {}),
                     "Intresseanmälan": registered["unit_name"] if registered else None,
                     "Sent": r["late"], "Fynd": r["errors"] + r["warnings"], "Anteckning": ""})
    key = f"accept_many_{'_'.join(str(r['id']) for r in new)}"
    edited = st.data_editor(rows, key=key, hide_index=True, width="stretch", disabled=["Fil", "Sent", "Fynd"],
                            column_config={
                                "Godkänn": st.column_config.CheckboxColumn(width="small"),
                                "Förvaltning/bolag": st.column_config.SelectboxColumn(
                                    options=list(organisations.organisations())),
                                "Tävlingsklass": st.column_config.SelectboxColumn(options=list(classes)),
                                "Intresseanmälan": st.column_config.SelectboxColumn(options=list(by_name)),
                                "Sent": st.column_config.CheckboxColumn(width="small"),
                            })
    chosen = [(r, row) for r, row in zip(new, edited, strict=True) if row["Godkänn"]]
    if st.button(f"Godkänn {len(chosen)} markerade", type="primary", disabled=not chosen):
        outcomes = intake_store.accept_many(store, user, [{
            "intake_id": r["id"], "version": r["version"], "unit_name": row["Verksamhet"] or "",
            "organisation": row["Förvaltning/bolag"] or "", "class_code": classes.get(row.get("Tävlingsklass")),
            "registration_id": by_name.get(row["Intresseanmälan"]), "note": row["Anteckning"] or ""}
            for r, row in chosen])
        names = {r["id"]: r["filename"] for r in new}
        messages = [("ok" if error is None else "fel",
                     f"{names[i]}: godkänt som bidrag." if error is None else f"{names[i]}: {error}")
                    for i, error in outcomes]
        st.session_state["upload_outcomes"] = messages
        st.rerun()

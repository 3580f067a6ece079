"""Granska fil (Kvalitetsenheten): the split beside the questionnaire, corrections, acceptance."""

from pathlib import Path

import streamlit as st

from app_pages.intake_files import files_editor
from scoring.core.store import get_store
from scoring.core.text import escape_markdown
from scoring.intake import review as intake_store
from scoring.intake.document import OTHER_APPENDIX
from scoring.year.framework import load_framework

SECTIONS = {"inledning": "Inledning", "fraga": "Fråga", "presentation": "Presentationstext",
            "ovrigt": "Hör inte till någon fråga"}
ROLES = {"svar": "Text", "rubrik": "Rubrik", "fragetext": "Frågetext", "ingress": "Ingress",
         "instruktion": "Anvisning", "falt": "Uppgift", "ovrigt": "Text"}
LEVEL_ICON = {"fel": ":material/error:", "varning": ":material/warning:", "info": ":material/info:"}

store = get_store()
user = st.session_state["current_user"]
year = st.session_state["current_year"]

st.title("Granska fil")
waiting = [r for r in intake_store.intake_list(store, user, year) if r["status"] == "granskas"] if year else []
if not waiting:
    st.info("Inga filer väntar på granskning. Läs in bidrag under Intag.")
    st.stop()
names = {r["id"]: r["filename"] for r in waiting}
preferred = st.session_state.get("review_intake_id")
intake_id = st.columns([2, 3])[0].selectbox("Fil", list(names), format_func=names.get,
                                            index=list(names).index(preferred) if preferred in names else 0)
st.session_state["review_intake_id"] = intake_id
review = intake_store.review(store, user, intake_id)
framework = load_framework(review.year)
report = review.report
# Each of the year's appendices is a place of its own; any other appendix is "annan bilaga".
APPENDICES = {("bilaga", a.code): f"Bilaga: {a.title}" for a in framework.appendices}
APPENDICES[("bilaga", OTHER_APPENDIX)] = "Bilaga: annan bilaga"
PLACES = {**{(k, None): v for k, v in SECTIONS.items()}, **APPENDICES}


def place_label(place) -> str:
    return PLACES[("bilaga", place.appendix or OTHER_APPENDIX)] if place.section == "bilaga" \
        else SECTIONS[place.section]

questionnaire, checks = st.columns([3, 2], gap="large")
with questionnaire:
    st.subheader("Frågeformuläret")
    st.dataframe(
        [{"Fråga": q["number"], "Område": framework.area(q["area"]).title, "Besvarad": q["answered"],
          "Tecken": q["chars"], "Säkerhet": q["confidence"], "Hittad genom": q["how"]} for q in report.questions],
        column_config={"Säkerhet": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1),
                       "Besvarad": st.column_config.CheckboxColumn()},
        hide_index=True, width="stretch", height=400,
    )
with checks:
    st.subheader("Kontroller")
    room = report.limit - report.chars_counted
    st.metric("Tecken utan blanksteg", f"{report.chars_counted:,}".replace(",", " "),
              help=framework.character_limit.rule_text)
    st.caption((f"{room:,} kvar till gränsen {report.limit:,}." if room >= 0
                else f"{-room:,} för mycket; gränsen är {report.limit:,}.").replace(",", " ")
               + " Per område: " + ", ".join(f"{framework.area(a).title} {n:,}".replace(",", " ")
                                             for a, n in report.chars_by_area.items()) + ".")
    if not report.findings:
        st.success("Inga fynd: alla frågor är besvarade och bidraget håller sig inom reglerna.")
    for finding in report.findings:
        st.markdown(f"{LEVEL_ICON[finding.level]} {escape_markdown(finding.text)}")

st.subheader("Uppdelning")
st.caption("Rätta en felaktig uppdelning genom att ändra del, fråga eller delfråga för ett stycke; "
           "spara sedan. Varje stycke behåller sitt id.")
blocks = review.blocks
editor_key = f"split_{intake_id}_{review.version}"
st.data_editor(
    [{"Id": b.id, "Slag": ROLES[review.places[b.id].text_kind] if b.kind == "stycke" else b.kind.capitalize(),
      "Text": (b.text[:140] + " …") if len(b.text) > 140 else b.text,
      "Del": place_label(review.places[b.id]), "Fråga": review.places[b.id].question,
      "Delfråga": review.places[b.id].part} for b in blocks],
    column_config={
        "Id": st.column_config.TextColumn(disabled=True, width="small"),
        "Slag": st.column_config.TextColumn(disabled=True, width="small"),
        "Text": st.column_config.TextColumn(disabled=True, width="large"),
        "Del": st.column_config.SelectboxColumn(options=list(PLACES.values()), required=True),
        "Fråga": st.column_config.SelectboxColumn(options=[q.number for q in framework.questions()]),
        "Delfråga": st.column_config.SelectboxColumn(options=["a", "b", "c"]),
    },
    hide_index=True, width="stretch", height=420, key=editor_key,
)
edited = st.session_state.get(editor_key, {}).get("edited_rows", {})
if st.button("Spara rättelser", disabled=not edited):
    by_label = {v: k for k, v in PLACES.items()}
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
        intake_store.correct(store, user, intake_id, review.version, changes)
    except intake_store.IntakeError as exc:
        st.error(str(exc))
    else:
        st.rerun()

files_editor(review, framework)

st.subheader("Godkänn eller avvisa")
accept_col, reject_col = st.columns([3, 2], gap="large")
with accept_col, st.form("accept"):
    unit_name = st.text_input("Verksamhetens namn", value=report.intro_fields.get("unit_name")
                              or Path(review.filename).stem)
    organisation = st.text_input("Förvaltning eller bolag")
    class_code = st.selectbox("Tävlingsklass", [c.code for c in framework.classes], format_func=framework.class_name,
                              index=None, placeholder="Välj tävlingsklass") if framework.has_classes else None
    if st.form_submit_button("Godkänn bidraget", type="primary"):
        try:
            intake_store.accept(store, user, intake_id, review.version, unit_name=unit_name,
                                organisation=organisation, class_code=class_code or "")
        except intake_store.IntakeError as exc:
            st.error(str(exc))
        else:
            st.session_state["upload_outcomes"] = [("ok", f"{unit_name} är godkänt som bidrag.")]
            st.switch_page("app_pages/intake.py")
with reject_col, st.form("reject"):
    reason = st.text_area("Varför avvisas filen?", height=100)
    if st.form_submit_button("Avvisa filen"):
        try:
            intake_store.reject(store, user, intake_id, reason)
        except intake_store.IntakeError as exc:
            st.error(str(exc))
        else:
            st.rerun()

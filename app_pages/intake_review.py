"""Granska fil (Kvalitetsenheten): the split beside the questionnaire, corrections, and
taking the file in as a contribution (or as the new version of one)."""

import streamlit as st

from app_pages import intake_review_parts as parts
from app_pages.intake_files import files_editor
from app_pages.intake_pictures import show_pictures
from scoring.core.store import get_store
from scoring.core.text import escape_markdown
from scoring.intake import review as intake_store
from scoring.year import calendar
from scoring.year.framework import load_framework

LEVEL_ICON = {"fel": ":material/error:", "varning": ":material/warning:", "info": ":material/info:"}

store = get_store()
user = st.session_state["current_user"]
year = st.session_state["current_year"]

st.title("Granska fil")
with st.container():  # always there, so the tabs below keep their place
    for level, message in st.session_state.pop("upload_outcomes", []):
        (st.success if level == "ok" else st.error)(message)
waiting = [r for r in intake_store.intake_list(store, user, year) if r["status"] == "granskas"] if year else []
if not waiting:
    st.info("Inga filer väntar på granskning. Läs in bidrag under Intag.")
    st.page_link("app_pages/intake.py", label="Intag", icon=":material/upload_file:")
    st.stop()
one_tab, many_tab = st.tabs(["En fil", "Godkänn flera"], key="review_tabs", on_change="rerun")
with many_tab:
    parts.accept_many_section(year, waiting)

with one_tab:
    names = {r["id"]: r["filename"] + (" (rättad version)" if r["replaces_contribution_id"] else "") for r in waiting}
    preferred = st.session_state.get("review_intake_id")
    intake_id = st.columns([2, 3])[0].selectbox("Fil", list(names), format_func=names.get,
                                                index=list(names).index(preferred) if preferred in names else 0)
    st.session_state["review_intake_id"] = intake_id
    review = intake_store.review(store, user, intake_id)
    framework = load_framework(review.year)
    report = review.report
    if review.replaces:
        st.info(f"Rättad version av **{escape_markdown(review.replaces['unit'])}**. Ändringsbegäran: "
                f"{escape_markdown(review.replaces['reason'] or '')}", icon=":material/history:")
    arrived = f"Inkom {calendar.stockholm(review.received_at):%Y-%m-%d %H:%M}"
    arrived_col, change_col = st.columns([4, 1], vertical_alignment="center")
    if review.late:
        arrived_col.warning(f"{arrived}, efter sista dag för bidragen. Kvalitetsenheten avgör om bidraget ändå tas "
                            "emot; skriv i så fall varför i anteckningen.", icon=":material/schedule:")
    else:
        arrived_col.caption(arrived + ".")
    with change_col:
        parts.arrival_form(review)
    if review.facts.unaccepted_changes:
        st.warning("Filen har spårade ändringar som inte är godkända. Uppdelningen och teckenantalet visar texten "
                   "som om ändringarna vore godkända (infogad text räknas, borttagen inte).", icon=":material/edit_note:")

    questionnaire, checks = st.columns([3, 2], gap="large")
    with questionnaire:
        st.header("Frågeformuläret")
        st.dataframe(
            [{"Fråga": q["number"], "Område": framework.area(q["area"]).title, "Besvarad": q["answered"],
              "Tecken": q["chars"], "Tecken i bilder": q.get("picture_chars", 0), "Säkerhet": q["confidence"],
              "Hittad genom": q["how"]} for q in report.questions],
            column_config={"Säkerhet": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1),
                           "Besvarad": st.column_config.CheckboxColumn()},
            hide_index=True, width="stretch", height=400,
        )
    with checks:
        st.header("Kontroller")
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

    show_pictures(store, user, review)
    parts.split_editor(review, framework)
    files_editor(review, framework)
    parts.decision_forms(review, framework)

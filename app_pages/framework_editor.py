"""Skriv anvisningar (Kvalitetsenheten): a new year's instructions, copied from an earlier
year and edited here, checked field by field when saved, kept with their history, and
downloaded or uploaded as a YAML file. Frozen once the year's first contribution is
accepted: a later change needs a reason."""

import copy

import streamlit as st

from app_pages.common import forget_widgets
from app_pages.framework_editor_parts import areas_tab, intro_tab, rules_tab
from app_pages.framework_editor_year import dates_and_classes_tab, eligibility_tab, scale_and_concepts_tab
from app_pages.framework_form import Form
from app_pages.swedish import upload_help
from scoring.core.errors import StaleWrite
from scoring.core.store import get_store
from scoring.core.text import escape_markdown, local_time_text
from scoring.year import framework_store as frameworks
from scoring.year.framework import where

store = get_store()
user = st.session_state["current_user"]

st.title("Skriv anvisningar")
st.caption("Varje år har egna anvisningar. Börja från ett tidigare år, ändra frågeområden, frågor, regler, datum, "
           "tävlingsklasser och bedömningsgrunder här, och spara: allt kontrolleras med samma regler som de "
           "levererade åren, och varje fel visas med sitt fält. Det sparade årets anvisningar används av intaget, "
           "bedömningen, rapporterna och juryunderlaget. De levererade åren (filerna) ändras inte här. "
           "Året läggs sedan upp, med Kvalitetsenhetens schema, på sidan Utmärkelseår.")
st.page_link("app_pages/years.py", label="Utmärkelseår: lägg upp året", icon=":material/calendar_month:")

choices = frameworks.available_frameworks(store)
with st.expander("Börja från ett tidigare år", expanded=not frameworks.stored_years(store)), \
        st.form("copy_framework"):
    left, right = st.columns([3, 1])
    labels = {c.year: c.label for c in choices}
    source = left.selectbox("Kopiera anvisningarna från", list(labels), format_func=labels.get, index=len(labels) - 1)
    new_year = right.number_input("Nytt år", min_value=2000, max_value=2100, value=max(labels) + 1)
    if st.form_submit_button("Kopiera", type="primary"):
        try:
            frameworks.copy_framework(store, user, source, int(new_year))
        except frameworks.FrameworkEditError as exc:
            st.error(escape_markdown(str(exc)))
        else:
            st.session_state["framework_year"] = int(new_year)
            st.rerun()

stored = frameworks.stored_years(store)
if not stored:
    st.info("Kvalitetsenheten har inte skrivit några anvisningar ännu. Kopiera ett tidigare år för att börja.")
    st.stop()
if st.session_state.get("framework_year") not in stored:
    st.session_state["framework_year"] = stored[-1]
year = st.selectbox("Anvisningar att redigera", stored, key="framework_year")
data, version = frameworks.stored_data(store, user, year)
prefix = f"fwe_{year}_"
held = st.session_state.get(f"framework_draft_{year}")
if held is None:  # this window starts from what is stored, and keeps its edits until saved or let go
    forget_widgets(prefix)
    held = st.session_state[f"framework_draft_{year}"] = {"version": version, "data": copy.deepcopy(data)}
draft = held["data"]
form = Form(prefix)


def let_go() -> None:
    st.session_state.pop(f"framework_draft_{year}", None)
    forget_widgets(prefix)


if held["version"] != version:
    st.warning(f"Någon annan har sparat anvisningarna för {year} sedan du började (version {version}, du utgick "
               f"från version {held['version']}). Dina ändringar är kvar här men inte sparade.",
               icon=":material/sync_problem:")
    st.button("Släpp mina ändringar och visa det sparade", on_click=let_go)

frozen = frameworks.is_frozen(store, year)
if frozen:
    st.warning(f"Anvisningarna för {year} är låsta: årets första bidrag är godkänt. En ändring kräver ett skäl, "
               "som sparas i historiken och loggen.", icon=":material/lock:")
history = frameworks.history(store, user, year)
copied_from = next((h["summary"] for h in history if h["version"] == 1), "")
old_year = int(copied_from.split()[-1]) if copied_from.startswith("Kopia av ") else None
if old_year and (mentions := frameworks.mentions_of_year(data, old_year)):
    st.info(f"{len(mentions)} texter nämner fortfarande {old_year} (titeln och datumen är flyttade till {year}): "
            + "; ".join(where(m) for m in mentions[:8]) + (" …" if len(mentions) > 8 else ""),
            icon=":material/edit_note:")
actions = st.container(border=True)

tabs = st.tabs(["Frågeområden", "Inledning", "Regler", "Datum och klasser", "Behörighet", "Skala och begrepp",
                "Fil och historik"])
with tabs[0]:
    form.text(draft, "title", "Titel", "")
    areas_tab(form, draft)
with tabs[1]:
    intro_tab(form, draft)
with tabs[2]:
    rules_tab(form, draft)
with tabs[3]:
    dates_and_classes_tab(form, draft)
with tabs[4]:
    eligibility_tab(form, draft)
with tabs[5]:
    scale_and_concepts_tab(form, draft)
with tabs[6]:
    st.download_button("Ladda ner som YAML", frameworks.as_yaml(store, user, year), file_name=f"anvisningar-{year}.yaml",
                       mime="application/x-yaml", icon=":material/download:")
    with st.form("upload_yaml", clear_on_submit=True):
        upload = st.file_uploader("Ladda upp en ändrad YAML-fil", type=["yaml", "yml"])
        st.caption(upload_help("YAML"))
        reason = st.text_input("Skäl (krävs när anvisningarna är låsta)") if frozen else ""
        if st.form_submit_button("Ladda upp") and upload is not None:
            try:
                frameworks.upload_yaml(store, user, year, upload.getvalue(), held["version"], reason)
            except frameworks.FrameworkEditError as exc:
                st.error(escape_markdown(str(exc)))
                for error in exc.errors:
                    st.markdown(f"- {escape_markdown(str(error))}")
            except StaleWrite as exc:
                st.error(escape_markdown(str(exc)))
            else:
                let_go()
                st.rerun()
    key = form.start("sources", "\n".join(f"{k}: {v}" for k, v in draft["sources"].items()))
    text = st.text_area("Källor som bedömningsgrunderna hänvisar till (”kod: titel”, en per rad)", key=key, height=90)
    draft["sources"] = {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in text.splitlines())
                        if k.strip()}
    st.markdown("**Historik**")
    st.dataframe([{"Version": h["version"], "Av": h["changed_by"], "När": local_time_text(h["changed_at"]), "Ändrat": h["summary"],
                   "Skäl": h["reason"] or ""} for h in history], hide_index=True, width="stretch")

with actions:
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    reason = left.text_input("Skäl till ändringen (krävs: anvisningarna är låsta)", key=f"reason_{year}") \
        if frozen else ""
    left.caption(f"Version {held['version']}. Ändringarna sparas först när du klickar Spara.")
    if right.button("Spara anvisningarna", type="primary", icon=":material/save:", key="save_framework"):
        try:
            frameworks.save_framework(store, user, year, frameworks.renumbered(draft), held["version"], reason)
        except frameworks.FrameworkEditError as exc:
            st.error(escape_markdown(str(exc)))
            for error in exc.errors:
                st.markdown(f"- {escape_markdown(str(error))}")
        except StaleWrite as exc:
            st.error(escape_markdown(str(exc)))
        else:
            let_go()
            st.toast("Anvisningarna är sparade.")
            st.rerun()

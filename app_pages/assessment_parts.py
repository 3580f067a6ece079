"""The assessment page's pieces: saving, criteria, findings, offline scorebook, team status.

Not a page itself. Every widget saves on change through ``save``, which passes the
version this window last read; a refused stale save is kept for the page to show.
"""

from __future__ import annotations

import streamlit as st

from app_pages import common
from app_pages.swedish import upload_help
from scoring.assessment import guidance, scorebook
from scoring.assessment import individual as assessments
from scoring.assessment.individual import AreaWork, AssessmentError
from scoring.core.errors import Refused
from scoring.core.store import get_store
from scoring.core.text import escape_markdown
from scoring.year import phases
from scoring.year.framework import Area, Framework

SAVES = common.VersionedSaves("bedomning", "Bedömningen har sparats i ett annat fönster sedan du öppnade den.")
AREA_KEY = "omrade"  # the question area on the screen


def on_screen(area_code: str) -> bool:
    """Whether a change comes from the area on the screen. When a person switches areas while
    the page is still drawing, Streamlit can replay the callbacks of the previous area's widgets
    (their copies still on the page) with reset values, which would clear saved scores; only the
    area shown saves."""
    return st.session_state.get(AREA_KEY, area_code) == area_code


def widget_prefix(cid: int) -> str:
    return SAVES.widget_prefix(cid)


def save(cid: int, change, *args, **kwargs) -> bool:
    """Run one core change with this window's version; keep a refusal for the page."""
    return SAVES.save(cid, change, *args, **kwargs)


def criteria(framework: Framework, area: Area, work: AreaWork, cid: int, editable: bool) -> None:
    """Per criterion: a band (descriptors in view), then a value inside it."""
    scale = framework.scale
    kinds = sorted({c.kind for c in area.criteria})
    with st.expander("Skalans band och beskrivningar"):
        st.dataframe([{"Band": b.code, "Nivå": b.label,
                       **{("Arbetssätt" if k == "arbetssatt" else "Resultat"): getattr(b, k) for k in kinds}}
                      for b in scale.bands], hide_index=True, width="stretch")
    for criterion in area.criteria:
        value = work.criteria.get(criterion.code)
        band_key = f"{widget_prefix(cid)}band_{area.code}_{criterion.code}"
        value_key = f"{widget_prefix(cid)}value_{area.code}_{criterion.code}"
        if band_key not in st.session_state:
            st.session_state[band_key] = scale.band_for(value).code if value is not None else None
            st.session_state[value_key] = value
        with st.container(border=True):
            st.markdown(f"**{escape_markdown(criterion.title)}** :gray[· "
                        f"{'arbetssätt' if criterion.kind == 'arbetssatt' else 'resultat'}]")
            st.caption(criterion.description)
            band_code = st.segmented_control(
                "Band", [b.code for b in scale.bands], key=band_key, disabled=not editable,
                on_change=_band_changed, args=(cid, area.code, criterion.code, scale, band_key, value_key))
            if band_code:
                band = next(b for b in scale.bands if b.code == band_code)
                st.caption(f"**{band.label}.** {getattr(band, criterion.kind)}")
                st.segmented_control(
                    "Poäng i bandet", [v for v in scale.values() if band.min <= v <= band.max], key=value_key,
                    disabled=not editable, on_change=_value_changed,
                    args=(cid, area.code, criterion.code, value_key))


def _band_changed(cid: int, area_code: str, criterion_code: str, scale, band_key: str, value_key: str) -> None:
    if not on_screen(area_code):
        return
    # A value outside the new band goes; the examiner picks one inside it. A value that
    # fits stays: Streamlit can report a band "changed" that the examiner never touched
    # (a stale widget state arriving after a rerun), and that must not clear a score.
    value = st.session_state.get(value_key)
    band = next((b for b in scale.bands if b.code == st.session_state.get(band_key)), None)
    if value is not None and (band is None or not band.min <= value <= band.max):
        st.session_state[value_key] = None
        save(cid, assessments.set_criterion_score, area_code, criterion_code, None)


def _value_changed(cid: int, area_code: str, criterion_code: str, value_key: str) -> None:
    if not on_screen(area_code):
        return
    save(cid, assessments.set_criterion_score, area_code, criterion_code, st.session_state[value_key])


def show_warnings(warnings: list[guidance.Warning]) -> None:
    for warning in warnings:
        st.warning(escape_markdown(warning.message), icon=":material/lightbulb:")


def finding_editor(area: Area, finding: assessments.Finding, passages: dict, cid: int, editable: bool) -> None:
    p = f"{widget_prefix(cid)}f{finding.id}_"
    defaults = {"text": finding.text, "examples": finding.examples, "questions": finding.questions,
                "anchors": [a for a in finding.anchors if a in passages]}
    for name, value in defaults.items():
        st.session_state.setdefault(p + name, value)
    warnings = guidance.wording_warnings(finding.text)
    title = escape_markdown(finding.text if len(finding.text) < 90 else finding.text[:88] + "…")
    with st.expander(("⚠ " if warnings else "") + title):
        st.text_area("Iakttagelse", key=p + "text", disabled=not editable, on_change=_finding_changed,
                     args=(cid, finding.id, p, area.code))
        show_warnings(warnings)
        st.text_area("Exempel (valfritt)", key=p + "examples", height=68, disabled=not editable,
                     on_change=_finding_changed, args=(cid, finding.id, p, area.code))
        st.multiselect("Gäller fråga", [q.number for q in area.questions], key=p + "questions",
                       placeholder="Välj fråga", disabled=not editable, on_change=_finding_changed, args=(cid, finding.id, p, area.code))
        st.multiselect("Stöds av avsnitt", list(passages), key=p + "anchors", format_func=lambda b: passages[b]["label"],
                       placeholder="Välj avsnitt i svaret", disabled=not editable, on_change=_finding_changed, args=(cid, finding.id, p, area.code))
        for block_id in finding.anchors:
            if block_id in passages:
                st.markdown(f"> {escape_markdown(assessments.quote(passages[block_id]))}  \n"
                            f"> :gray[{passages[block_id]['label']}]")
        if editable:
            st.button("Ta bort iakttagelsen", key=p + "delete", icon=":material/delete:",
                      on_click=save, args=(cid, assessments.delete_finding, finding.id))


def _finding_changed(cid: int, finding_id: int, p: str, area_code: str) -> None:
    if not on_screen(area_code):
        return
    s = st.session_state
    save(cid, assessments.update_finding, finding_id, text=s[p + "text"], examples=s[p + "examples"],
         questions=s[p + "questions"], anchors=s[p + "anchors"])


def new_finding_form(area: Area, passages: dict, cid: int) -> None:
    p = f"{widget_prefix(cid)}new_{area.code}_"
    with st.form(p + "form", border=True):
        st.markdown("**Ny iakttagelse**")
        st.radio("Typ", list(phases.FindingKind.labels()), format_func=phases.FindingKind.labels().get, key=p + "kind", horizontal=True)
        st.text_area("Iakttagelse", key=p + "text", placeholder="En tanke, högst 500 tecken: vad visar bidraget?")
        st.text_area("Exempel (valfritt)", key=p + "examples", height=68)
        st.multiselect("Gäller fråga", [q.number for q in area.questions], key=p + "questions",
                       placeholder="Välj fråga")
        st.multiselect("Stöds av avsnitt", list(passages), key=p + "anchors", placeholder="Välj avsnitt i svaret",
                       format_func=lambda b: f"{passages[b]['label']}: {assessments.quote(passages[b], 60)}")
        st.form_submit_button("Lägg till", icon=":material/add:", on_click=_add_finding, args=(cid, area.code, p))


def _add_finding(cid: int, area_code: str, p: str) -> None:
    s = st.session_state
    if save(cid, assessments.add_finding, area_code=area_code, kind=s[p + "kind"], text=s[p + "text"],
            examples=s[p + "examples"], questions=s[p + "questions"], anchors=s[p + "anchors"]):
        for name, empty in (("text", ""), ("examples", ""), ("questions", []), ("anchors", [])):
            s[p + name] = empty


def scorebook_section(cid: int, unit: str, editable: bool) -> None:
    store, user = get_store(), st.session_state["current_user"]
    st.download_button("Ladda ner som Excel", lambda: scorebook.export(store, user, cid), icon=":material/download:",
                       file_name=f"Bedömning {unit}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    if not editable:
        return
    upload = st.file_uploader("Importera en bedömningsbok (.xlsx)", type=None, key=f"{widget_prefix(cid)}import")
    st.caption(upload_help("Excel"))
    if upload is None:
        return
    data = upload.getvalue()
    replace = st.session_state.get("bedomning_import_confirmed") == upload.file_id
    try:
        scorebook.import_file(store, user, cid, upload.name, data, replace_newer=replace)
    except scorebook.NewerWork as exc:
        st.warning(escape_markdown(str(exc)))
        if st.button("Ersätt med filens innehåll", key="confirm_import"):
            st.session_state["bedomning_import_confirmed"] = upload.file_id
            st.rerun()
    except Refused as exc:
        st.error(escape_markdown(str(exc)))
    else:
        SAVES.reload(cid)
        st.session_state["bedomning_import_done"] = upload.name
        st.rerun()


def team_section(cid: int) -> None:
    """For the coordinator: the team's status on this contribution, and reopening."""
    store, user = get_store(), st.session_state["current_user"]
    rows = assessments.team_assessments(store, user, cid)
    st.dataframe([{"Examinator": r["examiner"], "Status": phases.assessment_label(r["status"]),
                   "Öppnad igen": r["reopened_reason"] or ""} for r in rows], hide_index=True, width="stretch")
    submitted = {r["id"]: r["examiner"] for r in rows if r["status"] == "inlamnad"}
    if not submitted:
        return
    with st.form(f"reopen_{cid}"):
        chosen = st.selectbox("Öppna en inlämnad bedömning igen", list(submitted), format_func=submitted.get)
        reason = st.text_area("Varför? Examinatorn ser motiveringen.", height=68)
        if st.form_submit_button("Öppna igen"):
            try:
                assessments.reopen(store, user, chosen, reason)
            except AssessmentError as exc:
                st.error(escape_markdown(str(exc)))
            else:
                st.rerun()

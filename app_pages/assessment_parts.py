"""The assessment page's pieces: saving, criteria, findings, offline scorebook, team status.

Not a page itself. Every widget saves on change through ``save``, which passes the
version this window last read; a refused stale save is kept for the page to show.
"""

from __future__ import annotations

import streamlit as st

from app_pages import common, draft_field
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
SUBMIT_DIALOG = "bedomning_submit_dialog"
READ_PANE, ASSESS_PANE = "bedomning_read_pane", "bedomning_assess_pane"
PANE_HEIGHT = 700  # pixels, where the style below does not apply
# Streamlit gives the pane and its wrapper a fixed height and flex basis of PANE_HEIGHT.
PANE_STYLE = "".join(f"[data-testid=stLayoutWrapper]:has(> .st-key-{key}), .st-key-{key} "
                     "{ flex: 0 0 max(24rem, calc(100vh - 5rem)) !important; height: max(24rem, calc(100vh - 5rem))"
                     " !important; min-height: 0 !important; }"
                     for key in (READ_PANE, ASSESS_PANE)) + (
    # Less empty space above the title, so more of the panes shows at first on a laptop.
    "[data-testid=stMainBlockContainer] { padding-top: 3.5rem; }")


def submit_consequences(unit: str) -> str:
    """What handing in locks, as the core does it (the submit transition and ``reopen``)."""
    return (f"Din bedömning av **{escape_markdown(unit)}** låses: poängen, iakttagelserna, frågorna inför "
            "platsbesöket och dina anteckningar kan inte längre ändras. Du ser sedan lagkamraternas inlämnade "
            "bedömningar.\n\nLagsamordnaren kan öppna bedömningen igen med en motivering, men bara tills "
            "konsensus har inletts.")


def on_screen(area_code: str) -> bool:
    """Whether a change comes from the area on the screen. When a person switches areas while
    the page is still drawing, Streamlit can replay the callbacks of the previous area's widgets
    (their copies still on the page) with reset values, which would clear saved scores; only the
    area shown saves."""
    return st.session_state.get(AREA_KEY, area_code) == area_code


def widget_prefix(cid: int) -> str:
    return SAVES.widget_prefix(cid)


def draft_name(cid: int, field: str) -> str:
    """The name of a field's draft (scoring.core.drafts): per person, so the contribution and
    the field are enough."""
    return f"bedomning:{cid}:{field}"


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
    defaults = {"questions": finding.questions, "anchors": [a for a in finding.anchors if a in passages]}
    for name, value in defaults.items():
        st.session_state.setdefault(p + name, value)
    for name in ("text", "examples"):
        draft_field.setdefault(p + name, draft_name(cid, f"f{finding.id}_{name}"), getattr(finding, name))
    warnings = guidance.wording_warnings(finding.text)
    title = escape_markdown(finding.text if len(finding.text) < 90 else finding.text[:88] + "…")
    with st.expander(("⚠ " if warnings else "") + title):
        st.text_area("Iakttagelse", key=p + "text", disabled=not editable, on_change=_finding_changed,
                     args=(cid, finding.id, p, area.code))
        draft_field.companion(p + "text", draft_name(cid, f"f{finding.id}_text"), finding.text,
                              _finding_changed, (cid, finding.id, p, area.code), disabled=not editable)
        show_warnings(warnings)
        st.text_area("Exempel (valfritt)", key=p + "examples", height=68, disabled=not editable,
                     on_change=_finding_changed, args=(cid, finding.id, p, area.code))
        draft_field.companion(p + "examples", draft_name(cid, f"f{finding.id}_examples"), finding.examples,
                              _finding_changed, (cid, finding.id, p, area.code), disabled=not editable)
        st.multiselect("Gäller fråga", [q.number for q in area.questions], key=p + "questions",
                       placeholder="Välj fråga", disabled=not editable, on_change=_finding_changed, args=(cid, finding.id, p, area.code))
        st.multiselect("Stöds av avsnitt", list(passages), key=p + "anchors", format_func=lambda b: passage_choice(passages[b]),
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


def passage_choice(passage: dict) -> str:
    """A passage in a list of evidence: where it is and how it begins, so it is known without looking."""
    return f"{passage['label']}: {assessments.quote(passage, 140)}"


def new_finding_prefix(cid: int, area_code: str) -> str:
    return f"{widget_prefix(cid)}new_{area_code}_"


def evidence_button(cid: int, area: Area, passages: dict):
    """For the reading pane: under each passage of the area, a button that makes it (or stops
    it being) evidence for the new finding, so a passage is chosen where it is read."""
    p = new_finding_prefix(cid, area.code)

    def button(block: dict) -> None:
        passage = passages.get(block["block_id"])
        if passage is None:
            return
        chosen = passage["block_id"] in st.session_state.get(p + "anchors", [])
        st.button(f"Belägg för ny iakttagelse ({passage['label']})" if chosen else "Använd som belägg",
                  key=f"{widget_prefix(cid)}use_{area.code}_{passage['block_id']}", type="tertiary",
                  icon=":material/check_box:" if chosen else ":material/add_link:",
                  help="Ta bort avsnittet ur den nya iakttagelsens belägg" if chosen else
                  "Välj avsnittet som belägg i formuläret Ny iakttagelse",
                  on_click=_toggle_evidence, args=(p, passage))

    return button


def _toggle_evidence(p: str, passage: dict) -> None:
    s = st.session_state
    anchors = list(s.get(p + "anchors", []))
    if passage["block_id"] in anchors:
        anchors.remove(passage["block_id"])
    else:
        anchors.append(passage["block_id"])
        questions = list(s.get(p + "questions", []))
        if passage["question_number"] not in questions:  # the finding concerns the passage's question
            s[p + "questions"] = [*questions, passage["question_number"]]
        st.toast(f"{passage['label']} är valt som belägg under Ny iakttagelse.", icon=":material/add_link:")
    s[p + "anchors"] = anchors


def new_finding_form(area: Area, passages: dict, cid: int) -> None:
    p = new_finding_prefix(cid, area.code)
    for name in ("text", "examples"):
        draft_field.setdefault(p + name, draft_name(cid, f"new_{area.code}_{name}"), "")
    with st.form(p + "form", border=True):
        st.markdown("**Ny iakttagelse**")
        st.radio("Typ", list(phases.FindingKind.labels()), format_func=phases.FindingKind.labels().get, key=p + "kind", horizontal=True)
        st.text_area("Iakttagelse", key=p + "text", placeholder="En tanke, högst 500 tecken: vad visar bidraget?")
        st.text_area("Exempel (valfritt)", key=p + "examples", height=68)
        st.multiselect("Gäller fråga", [q.number for q in area.questions], key=p + "questions",
                       placeholder="Välj fråga")
        st.multiselect("Stöds av avsnitt", list(passages), key=p + "anchors", placeholder="Välj avsnitt i svaret",
                       format_func=lambda b: passage_choice(passages[b]))
        st.form_submit_button("Lägg till", icon=":material/add:", on_click=_add_finding, args=(cid, area.code, p))
    # Outside the form: a form holds a component's values back until it is submitted.
    for name in ("text", "examples"):
        draft_field.companion(p + name, draft_name(cid, f"new_{area.code}_{name}"), "")


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

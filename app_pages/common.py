"""Pieces several pages show the same way: a contribution's text and the declaration form.

Not a page itself: the router registers pages by file, and this file is not among them.
"""

from __future__ import annotations

import json

import streamlit as st

from scoring.core.store import get_store
from scoring.core.text import escape_markdown
from scoring.teams import conflicts
from scoring.year.framework import Question

NO_CONFLICT = "Jag har inget jäv och behandlar bidraget konfidentiellt"
CONFLICT = "Jag har jäv"


def show_block(block: dict, label: str | None = None) -> None:
    """One passage of the unit's answer; tables as tables, the anchor label beside it."""
    if block["kind"] == "tabell":
        rows = json.loads(block["text"])
        st.dataframe([dict(zip(rows[0], r, strict=False)) for r in rows[1:]], hide_index=True)
        if label:
            st.caption(label)
    elif block["kind"] != "rubrik":
        suffix = f" :gray[{label}]" if label else ""
        st.markdown(escape_markdown(block["text"]) + suffix)


def show_answer(question: Question, blocks: list[dict], labels: dict[str, str] | None = None) -> None:
    """A question with the unit's answer, part by part."""
    st.markdown(f"##### {question.number}. {escape_markdown(question.text)}")
    if not blocks:
        st.warning("Frågan är inte besvarad.")
    current_part = None
    for block in blocks:
        if block["part_label"] and block["part_label"] != current_part:
            current_part = block["part_label"]
            part = next((p for p in question.parts if p.label == current_part), None)
            st.markdown(f"**{current_part}. {escape_markdown(part.text) if part else ''}**")
        show_block(block, (labels or {}).get(block["block_id"]))


def forget_widgets(prefix: str) -> None:
    """Drop widget values under a key prefix so they are read again from the store."""
    for key in [k for k in st.session_state if str(k).startswith(prefix)]:
        del st.session_state[key]


def versioned_save(version_key: str, change, subject_id: int, *args, stale_errors=(), errors=(), **kwargs) -> bool:
    """Run one core change with the version this window read.

    A stale refusal (its exception has ``changes``) is kept under "stale" for the page to
    show, with what is needed to retry; any other refusal under "save_error".
    """
    store, user = get_store(), st.session_state["current_user"]
    try:
        st.session_state[version_key] = change(store, user, subject_id, st.session_state[version_key], *args, **kwargs)
    except stale_errors as exc:
        st.session_state["stale"] = {"cid": subject_id, "message": str(exc), "changes": exc.changes,
                                     "retry": (change, args, kwargs), "version_key": version_key,
                                     "current_version": exc.current_version}
        return False
    except errors as exc:
        st.session_state["save_error"] = str(exc)
        return False
    st.session_state.pop("stale", None)
    return True


def show_stale(subject_id: int, reload) -> None:
    """The refused stale save: what was saved meanwhile, and the two ways on."""
    stale = st.session_state.get("stale")
    if not stale or stale["cid"] != subject_id:
        return
    with st.container(border=True):
        st.error(stale["message"], icon=":material/sync_problem:")
        if stale["changes"]:
            st.markdown("**Sparat under tiden:**  \n" + "  \n".join(escape_markdown(c) for c in stale["changes"][-8:]))
        left, right = st.columns(2)
        left.button("Spara min ändring ändå", on_click=retry_stale, args=(stale,), type="primary")
        right.button("Visa det sparade (min ändring släpps)", on_click=reload, args=(subject_id,))


def retry_stale(stale: dict) -> None:
    st.session_state.pop("stale", None)
    st.session_state[stale["version_key"]] = stale["current_version"]
    change, args, kwargs = stale["retry"]
    store, user = get_store(), st.session_state["current_user"]
    try:
        st.session_state[stale["version_key"]] = change(store, user, stale["cid"], stale["current_version"],
                                                        *args, **kwargs)
    except ValueError as exc:
        st.session_state["save_error"] = str(exc)


def declaration_form(store, user, contribution_id: int, unit: str) -> None:
    """The conflict and confidentiality declaration an examiner gives before reading."""
    with st.form(f"declare_{contribution_id}", border=True):
        st.subheader("Jäv och sekretess")
        st.markdown(
            f"Innan du läser **{escape_markdown(unit)}**: bekräfta att du inte har jäv – att du inte "
            "arbetar eller har arbetat där, inte har verksamhetens chef som chef och inte på annat sätt står "
            "verksamheten nära – och att du behandlar bidraget och bedömningen konfidentiellt."
        )
        choice = st.radio("Din deklaration", [NO_CONFLICT, CONFLICT], index=None)
        note = st.text_area("Om du har jäv: vad gäller det?", height=80)
        if st.form_submit_button("Skicka deklarationen", type="primary"):
            try:
                conflicts.declare(store, user, contribution_id, has_conflict=choice == CONFLICT,
                                  confidentiality_accepted=choice is not None and choice != CONFLICT, note=note)
            except ValueError as exc:
                st.error(str(exc))
            else:
                st.rerun()

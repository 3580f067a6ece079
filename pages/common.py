"""Pieces several pages show the same way: a contribution's text and the declaration form.

Not a page itself: the router registers pages by file, and this file is not among them.
"""

from __future__ import annotations

import json

import streamlit as st

from scoring import conflicts
from scoring.framework import Question
from scoring.text import escape_markdown

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

"""Granska fil's part for the files that come beside the contribution: an appendix sent as
a file of its own (the 2026 Verksamhetsplan) and the PDF copy a year asks for (2024).

Not a page itself.
"""

from __future__ import annotations

import streamlit as st

from app_pages.swedish import upload_help
from scoring.core.store import get_store
from scoring.core.text import escape_markdown
from scoring.intake import review as intake_store


def files_editor(review, framework) -> None:
    store, user = get_store(), st.session_state["current_user"]
    separate = [a for a in framework.appendices if a.separate_file]
    pdf_copy = "pdf" in framework.submission_formats
    if not separate and not pdf_copy:
        return
    st.header("Filer som hör till bidraget")
    wanted = [a.title for a in separate] + (["en PDF-kopia av bidraget"] if pdf_copy else [])
    st.caption(f"Lägg till {' och '.join(wanted)} om det kom som en egen fil."
               + (f" {framework.submission_rule_text}" if pdf_copy and framework.submission_rule_text else ""))
    for item in intake_store.attachments(store, user, intake_id=review.id):
        left, right = st.columns([4, 1])
        what = framework.appendix(item["appendix_code"]).title if item["kind"] == "bilaga" else "PDF-kopia"
        left.markdown(f":material/attach_file: **{escape_markdown(what)}**: {escape_markdown(item['filename'])} "
                      f"({item['bytes'] / 1000:.0f} kB)")
        if right.button("Ta bort", key=f"remove_attachment_{item['id']}"):
            intake_store.remove_attachment(store, user, item["id"])
            st.rerun()
    kinds = {f"bilaga:{a.code}": f"Bilaga: {a.title}" for a in separate}
    if pdf_copy:
        kinds["pdf_kopia:"] = "PDF-kopia av bidraget"
    with st.form(f"attach_{review.id}", clear_on_submit=True):
        left, right = st.columns([2, 3])
        kind = left.selectbox("Vad är filen?", list(kinds), format_func=kinds.get)
        upload = right.file_uploader("Fil (Word eller PDF)", type=["docx", "pdf"])
        right.caption(upload_help("Word eller PDF"))
        if st.form_submit_button("Lägg till filen"):
            if upload is None:
                st.error("Välj en fil.")
            else:
                what, code = kind.split(":")
                try:
                    intake_store.attach(store, user, review.id, kind=what, filename=upload.name,
                                        data=upload.getvalue(), appendix_code=code or None)
                except intake_store.IntakeError as exc:
                    st.error(escape_markdown(str(exc)))
                else:
                    st.rerun()

"""The contribution's own text on screen: its answers part by part, tables, pictures in place,
text boxes, notes and appendices. Shared by the pages that read a contribution; not a page."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from scoring.core.text import escape_markdown
from scoring.year.contributions import table_records
from scoring.year.framework import Question

NOTE_KINDS = {"fotnot": "Fotnot", "slutnot": "Slutnot"}


def show_block(block: dict, label: str | None = None, picture_files: dict[str, bytes] | None = None) -> None:
    """One passage of the unit's answer; tables as tables, pictures in place, a text box
    in a frame, the anchor label beside it."""
    if block.get("frame") == "textruta" and block["kind"] != "rubrik":
        with st.container(border=True):
            _show_block(block, label, picture_files)
    else:
        _show_block(block, label, picture_files)


def _show_block(block: dict, label: str | None, picture_files: dict[str, bytes] | None) -> None:
    if block["kind"] == "tabell":
        st.dataframe(table_records(block["text"]), hide_index=True)
        if label:
            st.caption(label)
    elif block["kind"] != "rubrik" and block["text"]:
        suffix = f" :gray[{label}]" if label else ""
        marks = "".join(f" :gray[[{n['number']}]]" for n in block.get("notes") or [])
        st.markdown(escape_markdown(block["text"]).replace("\n", "  \n") + marks + suffix)
    for picture in block.get("pictures") or []:
        show_picture(picture, (picture_files or {}).get(picture["part"]))


def show_picture(picture: dict, data: bytes | None) -> None:
    """A picture as the unit placed it, or a plain note when the browser cannot show its format."""
    caption = f"Bild {picture['number']}"
    if picture.get("chars"):
        caption += f" · {picture['chars']} tecken text i bilden"
    try:
        if data is None:
            raise ValueError(picture["part"])
        st.image(data, caption=caption, width="content")
    except Exception:  # EMF, WMF and damaged pictures: the browser cannot show them
        st.caption(f":material/image: {caption}: bilden kan inte visas här (format som EMF eller WMF); "
                   "den finns i originalfilen.")


def show_notes(blocks: list[dict]) -> None:
    """The footnotes and endnotes of a question's answer, under it, numbered as in the file."""
    notes = [n for b in blocks for n in b.get("notes") or []]
    if notes:
        st.caption("  \n".join(f"[{n['number']}] {NOTE_KINDS.get(n['kind'], 'Not')}: {escape_markdown(n['text'])}"
                                for n in notes))


def show_answer(question: Question, blocks: list[dict], labels: dict[str, str] | None = None,
                picture_files: dict[str, bytes] | None = None,
                beside: Callable[[dict], None] | None = None) -> None:
    """A question with the unit's answer, part by part, and its notes under it. ``beside(block)``
    draws what a page offers for each passage right under it (Bedömning: use it as evidence)."""
    st.markdown(f"### {question.number}. {escape_markdown(question.text)}")
    if not blocks:
        st.warning("Frågan är inte besvarad.")
    current_part, box = None, None
    for block in blocks:
        if block["part_label"] and block["part_label"] != current_part:
            current_part, box = block["part_label"], None
            part = next((p for p in question.parts if p.label == current_part), None)
            st.markdown(f"**{current_part}. {escape_markdown(part.text) if part else ''}**")
        if block.get("frame") != "textruta":
            box = None
            show_block(block, (labels or {}).get(block["block_id"]), picture_files)
            if beside:
                beside(block)
            continue
        box = box or st.container(border=True)  # one frame for the paragraphs of one text box
        with box:
            _show_block(block, (labels or {}).get(block["block_id"]), picture_files)
            if beside:
                beside(block)
    show_notes(blocks)


def show_appendices(framework, content: dict, download) -> None:
    """The contribution's appendices: those in the file, and those sent as files of their own
    (text shown for a Word file; ``download(attachment_id)`` gives the file as it came)."""
    titles = {a.code: a.title for a in framework.appendices}
    for code, blocks in content["appendix_blocks"].items():
        with st.expander(f"Bilaga: {titles.get(code, 'annan bilaga')} (i bidragets fil)"):
            for block in blocks:
                show_block(block, picture_files=content.get("picture_files"))
    for item in content["appendix_files"]:
        label = titles.get(item["appendix_code"], "PDF-kopia") if item["kind"] == "bilaga" else "PDF-kopia av bidraget"
        with st.expander(f"{label} (egen fil: {escape_markdown(item['filename'])})"):
            for part in item["paragraphs"] or []:
                if part.get("rows"):
                    st.dataframe(table_records(part["rows"]), hide_index=True)
                else:
                    st.markdown(escape_markdown(part["text"]))
            if item["paragraphs"] is None:
                st.caption("Filen är en PDF; ladda ner den för att läsa.")
            st.download_button("Ladda ner filen", lambda i=item["id"]: download(i)[1], file_name=item["filename"],
                               key=f"appendix_file_{item['id']}", icon=":material/download:")

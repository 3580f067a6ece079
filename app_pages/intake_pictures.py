"""Granska fil's pictures: each picture with where it stands and the text OCR read in it.

Not a page itself. Pictures holding a text passage come first, flagged: the instructions
send such contributions back for changes.
"""

from __future__ import annotations

import streamlit as st

from app_pages.reading import show_picture
from scoring.core.access import can
from scoring.core.errors import Refused
from scoring.core.text import count, escape_markdown
from scoring.intake import picture_settings
from scoring.intake import review as intake_store

SHOWN = 30  # pictures shown at once; a file with hundreds lists the rest by number
STATUS = {"läst": "läst med OCR", "ingen_ocr": "inte läst (OCR saknas)", "format": "formatet kan inte läsas",
          "för_liten": "för liten för text", "för_stor": "för stor att avkoda", "tidsgräns": "tidsgränsen nåddes",
          "trasig": "trasig", "oläst": "inte läst"}


def show_pictures(store, user, review: intake_store.Review) -> None:
    pictures = review.report.pictures
    if not pictures:
        return
    flagged = [p for p in pictures if p["passage"]]
    st.header("Bilder")
    st.caption(f"{count(len(pictures), 'bild', 'bilder')}, {len(flagged)} med textstycken. En bild räknas som textstycke när OCR "
               f"läser minst {picture_settings.passage_chars(store)} tecken löpande text i den "
               "(rader med fem ord eller fler); etiketter i ett diagram eller ett årshjul gör det inte.")
    if review.facts.ocr:
        st.warning(review.facts.ocr, icon=":material/visibility_off:")
    files = intake_store.picture_files(store, user, review.id, {p["part"] for p in pictures})
    ordered = flagged + [p for p in pictures if not p["passage"]]
    with st.expander(f"Visa bilderna och texten i dem ({len(pictures)})", expanded=bool(flagged)):
        for picture in ordered[:SHOWN]:
            image, text = st.columns([2, 3], gap="medium")
            with image:
                show_picture(picture, files.get(picture["part"]))
            with text:
                marker = ":red[**Textstycke**] · " if picture["passage"] else ""
                st.markdown(f"{marker}**Bild {picture['number']}** {escape_markdown(picture['where'])} · "
                            f"{STATUS.get(picture['status'], picture['status'])} · {picture['chars']} tecken")
                if picture["text"]:
                    st.code(picture["text"], language=None, wrap_lines=True)
        if len(ordered) > SHOWN:
            st.caption(f"Visar {SHOWN} av {len(ordered)} bilder. Övriga: "
                       + ", ".join(str(p["number"]) for p in ordered[SHOWN:]) + ".")
    if can(store, user, "settings.change"):
        with st.popover("Gräns för textstycke i bilder"):
            chars = st.number_input("Tecken löpande text", min_value=20, max_value=2000, step=10,
                                    value=picture_settings.passage_chars(store))
            if st.button("Spara gränsen"):
                try:
                    picture_settings.set_passage_chars(store, user, int(chars))
                except Refused as exc:
                    st.error(escape_markdown(str(exc)))
                else:
                    st.rerun()

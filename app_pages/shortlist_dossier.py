"""Beredning's dossier tab: the jury dossier to download, and the draft motivation of the
chosen candidate for the preparatory group to edit. Not a page itself."""

from __future__ import annotations

import streamlit as st

from app_pages import draft_field
from scoring.core import access
from scoring.core.errors import StaleWrite
from scoring.core.text import decimal, escape_markdown
from scoring.jury import motivations
from scoring.jury import shortlist as jury
from scoring.reports import documents as reports

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def dossier_tab(store, user, year: int, framework, candidates) -> None:
    st.caption("Juryunderlaget tar upp exakt kandidaterna som juryn ska besluta om"
               + (", per tävlingsklass" if framework.has_classes else ", ordnade efter lagens förslag")
               + ": först rangordningen, sedan varje kandidat på en egen sida med profil, nyckelteman, platsbesöket, "
                 "den grundläggande kontrollen, det laget lämnade öppet och utkastet till motivering.")
    if access.can(store, user, "dossier.read", year=year):
        # Built only when asked for: it reads every candidate's consensus.
        st.download_button("Ladda ner juryunderlaget (Word)", lambda: reports.jury_dossier(store, user, year)[1],
                           file_name=f"Juryunderlag {year}.docx", mime=DOCX, icon=":material/download:",
                           key="dossier_download", type="primary")
    groups = jury.candidate_groups(framework, candidates)
    names = {c.contribution_id: f"{g.name}: {c.name} · totalt {decimal(c.total)}" for g in groups for c in g.candidates}
    cid = st.selectbox("Utkast till motivering för", list(names), format_func=names.get, key="utkast_kandidat")
    if cid is None:
        return
    text, version = motivations.draft(store, user, cid)
    editable = access.can(store, user, "dossier.prepare") and not jury.is_locked(store, year)
    st.caption("Arbetsverktygets förslag, byggt av lagets nyckelteman (inte sparat ännu)." if version == 0
               else f"Beredningsgruppens utkast, version {version}.")
    key = f"utkast_{cid}_{version}"
    field = f"motivering:{cid}"
    draft_field.setdefault(key, field, text)
    edited = st.text_area("Utkast till motivering", key=key, height=140, disabled=not editable,
                          label_visibility="collapsed")
    draft_field.companion(key, field, text, disabled=not editable)
    if editable and st.button("Spara utkastet", key=f"{key}_save", disabled=edited == text and version > 0):
        try:
            motivations.save_draft(store, user, cid, edited, version)
        except StaleWrite as exc:
            st.error(f"{escape_markdown(str(exc))} Sparat under tiden: " + escape_markdown("; ".join(exc.changes)))
        except motivations.MotivationError as exc:
            st.error(escape_markdown(str(exc)))
        else:
            st.rerun()

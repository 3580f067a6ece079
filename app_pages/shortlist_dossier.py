"""Beredning's dossier tab: the jury dossier to download, and each candidate's draft
motivation for the preparatory group to edit. Not a page itself."""

from __future__ import annotations

import streamlit as st

from scoring.core import access
from scoring.core.errors import StaleWrite
from scoring.core.text import escape_markdown
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
        st.download_button("Ladda ner juryunderlaget (Word)", lambda: reports.jury_dossier(store, user, year)[1],
                           file_name=f"Juryunderlag {year}.docx", mime=DOCX, icon=":material/download:",
                           key="dossier_download", type="primary")
    editable = access.can(store, user, "dossier.prepare") and not jury.is_locked(store, year)
    for group in jury.candidate_groups(framework, candidates):
        st.subheader(group.name)
        for candidate in group.candidates:
            text, version = motivations.draft(store, user, candidate.contribution_id)
            key = f"utkast_{candidate.contribution_id}_{version}"
            with st.expander(f"{candidate.name} · totalt {candidate.total}", key=f"utkast_box_{candidate.contribution_id}"):
                st.caption("Utkast till motivering" + (" (arbetsverktygets förslag, inte sparat ännu)"
                                                       if version == 0 else f" (version {version})"))
                edited = st.text_area("Utkast till motivering", value=text, key=key, height=120,
                                      disabled=not editable, label_visibility="collapsed")
                if editable and st.button("Spara utkastet", key=f"{key}_save", disabled=edited == text and version > 0):
                    try:
                        motivations.save_draft(store, user, candidate.contribution_id, edited, version)
                    except StaleWrite as exc:
                        st.error(f"{exc} Sparat under tiden: " + escape_markdown("; ".join(exc.changes)))
                    except motivations.MotivationError as exc:
                        st.error(str(exc))
                    else:
                        st.rerun()

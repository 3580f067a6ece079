"""Beslut: the jury committee decides per candidate, grouped as in the dossier; members
declare conflicts of interest first; when all are decided the year ends."""

import streamlit as st

from app_pages import decisions_parts as parts
from app_pages.common import confirm_button, confirm_dialog
from scoring.core import access
from scoring.core.store import get_store
from scoring.core.text import decimal, escape_markdown
from scoring.jury import members
from scoring.jury import shortlist as jury
from scoring.reports import documents as reports
from scoring.year import phases
from scoring.year.framework import load_framework

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
END_YEAR_DIALOG = "end_year_dialog"
store = get_store()
user = st.session_state["current_user"]
year = st.session_state["current_year"]

st.title("Beslut")
if year is None:
    st.info("Inget utmärkelseår är upplagt ännu.")
    st.stop()
framework = load_framework(year)
locked = jury.is_locked(store, year)
if locked:
    st.success(f"Kvalitetsutmärkelsen {year} är avslutad. Besluten och rapporterna finns i arkivet.",
               icon=":material/lock:")
parts.members_section(store, user, year, locked)
if not access.can(store, user, "jury.shortlist", year=year):
    if access.can(store, user, "jury.declare", year=year):
        parts.declaration_form(store, user, year)
    else:
        st.info("Du är inte registrerad som ledamot i årets domarkommitté. Kontakta Kvalitetsenheten.")
    st.stop()
proposed = jury.shortlist(store, user, year)
if not proposed:
    st.info("Inga kandidater att besluta om ännu.")
    st.stop()
judge = access.can(store, user, "jury.decide", year=year) and not locked
st.caption("Juryn beslutar per kandidat. Den kan ge mindre än laget föreslog, eller inget, men mer än något lag "
           "föreslog bara med ett skäl, som protokollet visar. En ledamot med jäv deltar inte i beslutet om den "
           "kandidaten. När alla är beslutade avslutas året och allt blir skrivskyddat.")
for group in jury.candidate_groups(framework, proposed):
    st.header(escape_markdown(group.name))
    for candidate in group.candidates:
        with st.container(border=True):
            st.markdown(f"**{escape_markdown(candidate.name)}** · totalt {decimal(candidate.total)} · lagets förslag: "
                        f"{phases.Proposal.labels().get(candidate.proposal)} · grundläggande kontroll: "
                        f"{candidate.eligibility}")
            st.caption(escape_markdown(candidate.motivation))
            recused = members.recused(store, candidate.contribution_id)
            if recused:
                st.caption("Jäv, deltar inte i beslutet: " + escape_markdown(", ".join(recused)))
            if candidate.decision:
                st.markdown(f"Beslut: **{phases.Decision.labels()[candidate.decision]}**")
            if judge:
                parts.decision_form(store, user, candidate)
may_end = access.can(store, user, "year.lock") and not locked
blockers = jury.year_end_blockers(store, user, year) if may_end else []
if blockers:
    st.warning("Året kan inte avslutas ännu. " + escape_markdown(" ".join(blockers)), icon=":material/block:")
if may_end:
    confirm_button(END_YEAR_DIALOG, "Avsluta året", type="primary", disabled=bool(blockers))
    # What jury.lock_year does: the year is locked for good (there is no way to open it again).
    confirm_dialog(END_YEAR_DIALOG, f"Avsluta Kvalitetsutmärkelsen {year}?",
                   f"Året {year} låses för alla och kan inte öppnas igen: bedömningar, konsensus, "
                   "domarkommitténs beslut och schemat blir skrivskyddade. Varje bidrag med lagets förslag "
                   "räknas som beslutat; ett bidrag som inte gick vidare till juryn får ingen utmärkelse."
                   "\n\nÅret hamnar i arkivet, resultaten tas fram och återbesöken kan bokas.",
                   "Avsluta och lås året", lambda: jury.lock_year(store, user, year))
downloads = st.columns(2)
if access.can(store, user, "dossier.read", year=year):
    downloads[0].download_button("Juryunderlag (Word)", lambda: reports.jury_dossier(store, user, year)[1],
                                 file_name=f"Juryunderlag {year}.docx", icon=":material/download:", mime=DOCX)
downloads[1].download_button("Protokoll (Word)", lambda: reports.jury_minutes(store, user, year)[1],
                             file_name=f"Domarkommitténs protokoll {year}.docx", icon=":material/download:",
                             mime=DOCX)

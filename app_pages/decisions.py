"""Beslut: the jury decides per proposed contribution; when all are decided the year ends."""

import streamlit as st

from scoring.core import access
from scoring.core.store import get_store
from scoring.core.text import escape_markdown
from scoring.jury import shortlist as jury
from scoring.reports import documents as reports
from scoring.year import phases

store = get_store()
user = st.session_state["current_user"]
year = st.session_state["current_year"]

st.title("Beslut")
if year is None:
    st.info("Inget utmärkelseår är upplagt ännu.")
    st.stop()
locked = jury.is_locked(store, year)
proposed = [c for c in jury.shortlist(store, user, year) if c.proposal]
if locked:
    st.success(f"Kvalitetsutmärkelsen {year} är avslutad. Besluten och rapporterna finns i arkivet.",
               icon=":material/lock:")
if not proposed:
    st.info("Inga förslag att besluta om ännu.")
    st.stop()
judge = access.can(store, user, "jury.decide") and not locked
st.caption("Juryn beslutar per föreslaget bidrag. En klass kan sluta utan utmärkelse. När alla är beslutade "
           "avslutas året och allt blir skrivskyddat.")
for candidate in proposed:
    with st.container(border=True):
        st.markdown(f"**{escape_markdown(candidate.name)}** · {candidate.class_name} · totalt {candidate.total} · "
                    f"lagets förslag: {phases.Proposal.labels().get(candidate.proposal)} · {candidate.eligibility}")
        st.caption(escape_markdown(candidate.motivation))
        if candidate.decision:
            st.markdown(f"Beslut: **{phases.Decision.labels()[candidate.decision]}**")
        if not judge:
            continue
        key = f"beslut_{candidate.contribution_id}"
        with st.form(key):
            choice = st.radio("Juryns beslut", list(phases.Decision.labels()), format_func=phases.Decision.labels().get, horizontal=True,
                              index=list(phases.Decision.labels()).index(candidate.decision) if candidate.decision else None)
            motivation = st.text_area("Juryns motivering (publiceras)", height=90)
            if st.form_submit_button("Spara beslutet"):
                try:
                    if choice is None:
                        raise jury.JuryError("Välj ett beslut.")
                    jury.decide(store, user, candidate.contribution_id, choice, motivation)
                except jury.JuryError as exc:
                    st.error(escape_markdown(str(exc)))
                else:
                    st.rerun()
may_end = access.can(store, user, "year.lock") and not locked
blockers = jury.year_end_blockers(store, user, year) if may_end else []
if blockers:
    st.warning("Året kan inte avslutas ännu. " + escape_markdown(" ".join(blockers)), icon=":material/block:")
if may_end and st.button("Avsluta året", type="primary", disabled=bool(blockers)):
    try:
        jury.lock_year(store, user, year)
    except jury.JuryError as exc:
        st.error(escape_markdown(str(exc)))
    else:
        st.rerun()
if access.can(store, user, "dossier.read"):
    st.download_button("Juryunderlag (Word)", lambda: reports.jury_dossier(store, user, year)[1],
                       file_name=f"Juryunderlag {year}.docx", icon=":material/download:",
                       mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")

"""Rapporter: feedback reports per contribution, their quality gate, and the year's documents."""

import streamlit as st

from app_pages.common import confirm_button, confirm_dialog
from scoring.consensus import workspace as consensus
from scoring.core import access
from scoring.core.store import get_store
from scoring.core.text import count, escape_markdown
from scoring.reports import documents as reports
from scoring.year import contributions, phases

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FINAL_DIALOG = "report_final_dialog"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

store = get_store()
user = st.session_state["current_user"]
year = st.session_state["current_year"]

st.title("Rapporter")
if year is None:
    st.info("Inget utmärkelseår är upplagt ännu.")
    st.stop()
led = [c for c in contributions.contributions_for(store, user, year)
       if access.can(store, user, "report.write", contribution_id=c["id"])]
status = reports.report_status(store, year)

if led:
    names = {c["id"]: c["unit"] for c in led}
    cid = st.selectbox("Återkopplingsrapport för", list(names), format_func=names.get, key="rapport_bidrag",
                       bind="query-params")
    work = consensus.workspace(store, user, cid, individual=False)
    final = status.get(cid, {}).get("final")
    problems = reports.quality_gate(work)
    left, right = st.columns([3, 2], gap="large")
    with left:
        if final:
            st.success(f"Rapporten är slutlig ({escape_markdown(status[cid]['finalized_by'])}).",
                       icon=":material/task_alt:")
        elif problems:
            remaining = count(len(problems), "sak", "saker")
            st.warning(f"{remaining} återstår innan rapporten kan bli slutlig.", icon=":material/rule:")
            for problem in problems:
                st.markdown(f"- {escape_markdown(problem.message)}")
            area_names = {p.area_code for p in problems}
            st.page_link("app_pages/consensus.py", label="Rätta i Konsensus", icon=":material/edit:",
                         query_params={"konsensus_bidrag": names[cid]})
            if area_names - {None}:
                st.caption("Iakttagelserna ändras under fliken Iakttagelser, nyckeltemana under Nyckelteman.")
        else:
            st.info("Kvalitetskontrollen är klar: rapporten kan markeras som slutlig.", icon=":material/task_alt:")
            confirm_button(FINAL_DIALOG, "Markera rapporten som slutlig", type="primary")
            # What "final" does in the core: the mark cannot be taken back, the report joins the
            # year's final reports and may be handed over; consensus itself stays open.
            confirm_dialog(FINAL_DIALOG, "Markera rapporten som slutlig?",
                           f"Återkopplingsrapporten för **{escape_markdown(work.unit)}** blir slutlig. Det går "
                           "inte att ta tillbaka. Den kommer med bland årets slutliga rapporter som "
                           "Kvalitetsenheten tar fram, och den kan lämnas över till verksamheten.\n\n"
                           "Konsensus låses inte: rapporten byggs av konsensus, så en senare ändring där syns "
                           "i rapporten.",
                           "Markera som slutlig", lambda: reports.mark_final(store, user, cid))
    with right:
        st.markdown(f"**{escape_markdown(work.unit)}** · {phases.ContributionPhase(work.phase).label}")
        st.caption("Rapporten byggs av konsensus efter platsbesöket: nyckelteman, styrkor och utvecklingsområden "
                   "per frågeområde. Examinatorernas namn står inte i den.")
        st.download_button("Ladda ner rapporten (Word)" if final else "Ladda ner utkastet (Word)",
                           lambda: reports.feedback_report(store, user, cid)[1], icon=":material/download:",
                           file_name=f"Återkopplingsrapport {year} {reports.safe_filename(work.unit)}.docx",
                           mime=DOCX, key="download_report")

if access.can(store, user, "reports.final"):
    st.divider()
    st.header("Årets rapporter och underlag")
    finals = [cid for cid, r in status.items() if r["final"]]
    c1, c2 = st.columns(2)
    c1.metric("Slutliga återkopplingsrapporter", f"{len(finals)} av {len(contributions.contributions_for(store, user, year))}")
    shown = reports.scores_shown(store, year)
    if c2.toggle("Visa poäng i återkopplingsrapporterna", value=shown) != shown:
        reports.show_scores(store, user, year, not shown)
        st.rerun()
    pdf_possible = reports.libreoffice() is not None
    with_pdf = st.checkbox("Ta med PDF", value=False, disabled=not pdf_possible,
                           help=None if pdf_possible else "LibreOffice är inte installerat.")
    if not pdf_possible:
        st.caption("PDF kräver LibreOffice, som inte är installerat på servern. Word-filerna kan sparas som PDF i Word.")
    if left_out := reports.left_out_of_batch(store, user, year):
        st.warning(f"Inte med när alla slutliga rapporter tas fram ({count(len(left_out), 'bidrag', 'bidrag')}):  \n"
                   + "  \n".join(f"{escape_markdown(unit)}: {escape_markdown(why)}" for unit, why in left_out),
                   icon=":material/playlist_remove:")
    if st.button("Ta fram alla slutliga rapporter", icon=":material/folder_zip:", disabled=not finals):
        bar = st.progress(0.0, text="Rapporterna skapas …")
        files = reports.final_reports(store, user, year, lambda n, total, unit: bar.progress(
            n / total, text=f"{n} av {total}: {escape_markdown(unit)}"))
        if with_pdf:
            bar.progress(1.0, text="PDF skapas …")
            try:
                files += reports.to_pdf(files)
            except reports.ReportError as exc:
                st.error(escape_markdown(str(exc)))
        st.session_state["report_zip"] = reports.zip_files(files)
        bar.progress(1.0, text=f"{count(len(finals), 'rapport', 'rapporter')} klara.")
    if "report_zip" in st.session_state:
        st.download_button("Ladda ner alla (zip)", st.session_state["report_zip"], file_name=f"Rapporter {year}.zip",
                           mime="application/zip", icon=":material/download:")
    left, right = st.columns(2)
    left.download_button("Juryunderlag (Word)", lambda: reports.jury_dossier(store, user, year)[1],
                         file_name=f"Juryunderlag {year}.docx", mime=DOCX, icon=":material/gavel:")
    right.download_button("Årets poäng (Excel)", lambda: reports.scores_workbook(store, user, year),
                          file_name=f"Poäng {year}.xlsx", mime=XLSX, icon=":material/table:")
elif not led:
    st.info("Du leder inget lags konsensus i år.")

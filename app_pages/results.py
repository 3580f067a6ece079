"""Resultat (Kvalitetsenheten): after the jury — diplomas for every participating unit, the
results for the city's website, the prize recipients, and the next year started from this one."""

import streamlit as st

from scoring.core.errors import Refused
from scoring.core.store import get_store
from scoring.core.text import count, escape_markdown
from scoring.feedback import results
from scoring.reports import documents as reports
from scoring.year import next_year, years
from scoring.year.framework import load_framework

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

store = get_store()
user = st.session_state["current_user"]
year = st.session_state["current_year"]

st.title("Resultat")
if year is None:
    st.info("Inget utmärkelseår är upplagt ännu.")
    st.stop()
with st.container():
    if notice := st.session_state.pop("results_notice", None):
        st.success(escape_markdown(notice))
ended = [r["year"] for r in years.all_years(store) if r["locked"]]
if not ended:
    st.info("Resultaten tas fram när domarkommittén har avslutat året.")
    st.stop()
shown = st.selectbox("År", ended, key="results_year")
found = results.results(store, user, shown)
by_result = {label: sum(r.label == label for r in found) for label in results.RESULT_LABELS.values()}
c1, c2, c3 = st.columns(3)
for column, (label, number) in zip((c1, c2, c3), by_result.items(), strict=True):
    column.metric(label, number)

st.header("Diplom")
st.caption("Ett diplom per deltagande verksamhet, med resultatet och juryns motivering. Mallen ändras under "
           "Rapportmallar som de andra mallarna.")
if st.button(f"Gör {count(len(found), 'diplom', 'diplom')}", icon=":material/workspace_premium:"):
    bar = st.progress(0.0, text="Diplomen görs …")
    files = results.diplomas(store, user, shown, progress=lambda n, total, unit: bar.progress(
        n / total, text=f"{n} av {total}: {escape_markdown(unit)}"))
    st.session_state["diplomas"] = (shown, reports.zip_files(files), len(files))
if (made := st.session_state.get("diplomas")) and made[0] == shown:
    left, right = st.columns(2)
    left.download_button(f"Ladda ner {made[2]} diplom (zip)", made[1], file_name=f"Diplom {shown}.zip",
                         mime="application/zip", icon=":material/download:")
    if reports.libreoffice():
        if right.button("Gör PDF också"):
            pdfs = reports.to_pdf(results.diplomas(store, user, shown))
            st.session_state["diploma_pdfs"] = (shown, reports.zip_files(pdfs))
    else:
        right.caption("PDF kräver LibreOffice på servern; Word-filerna går att spara som PDF i Word.")
if (pdfs := st.session_state.get("diploma_pdfs")) and pdfs[0] == shown:
    st.download_button("Ladda ner diplomen som PDF (zip)", pdfs[1], file_name=f"Diplom {shown} PDF.zip",
                       mime="application/zip", icon=":material/picture_as_pdf:")

st.header("Årets resultat")
with_classes = load_framework(shown).has_classes  # 2024 and 2026 have none
st.dataframe([{"Verksamhet": r.unit, "Resultat": r.label, "Förvaltning eller bolag": r.organisation,
               **({"Tävlingsklass": r.class_name} if with_classes else {}), "Juryns motivering": r.motivation}
              for r in found], hide_index=True, width="stretch")
left, right = st.columns(2)
left.download_button("Resultat och prispengar (Excel)", lambda: results.results_workbook(store, user, shown),
                     file_name=f"Resultat {shown}.xlsx", mime=XLSX, icon=":material/table:")
right.download_button("Text till stadens webbplats", lambda: results.website_text(store, user, shown),
                      file_name=f"Kvalitetsutmärkelsen {shown}.txt", mime="text/plain", icon=":material/article:")

with st.form(f"prizes_{shown}"):
    st.markdown("**Prispengar** (summan står inte i anvisningarna; Kvalitetsenheten anger den)")
    award_col, mention_col = st.columns(2)
    amounts = {}
    for column, result in zip((award_col, mention_col), results.PRIZE_RESULTS, strict=True):
        amounts[result] = column.number_input(f"{results.RESULT_LABELS[result]} (kr)", min_value=0, step=1000,
                                              value=results.prize_amount(store, shown, result))
    if st.form_submit_button("Spara summorna"):
        try:
            results.set_prize_amounts(store, user, shown, {k: (int(v) if v is not None else None)
                                                           for k, v in amounts.items()})
        except Refused as exc:
            st.error(escape_markdown(str(exc)))
        else:
            st.session_state["results_notice"] = "Summorna är sparade."
            st.rerun()
recipients = results.prize_recipients(store, user, shown)
if recipients:
    st.dataframe([{"Verksamhet": p["unit"], "Förvaltning eller bolag": p["organisation"], "Resultat": p["result"],
                   "Summa (kr)": p["amount"] if p["amount"] is not None else "ej angiven"} for p in recipients],
                 hide_index=True, width="stretch")

st.header("Nästa år")
following = next_year.next_year_choices(store, shown)
if not following:
    st.info(f"Året efter {shown} är redan upplagt.")
else:
    with st.form("next_year"):
        new = st.selectbox("Nästa år", list(following), format_func=following.get, key="next_year_choice")
        st.caption(f"Examinatorsregistret följer med (de som var med {shown} får ett år till som examinator), "
                   "liksom årets inställningar och Kvalitetsenhetens mallar. "
                   f"{shown} finns kvar i arkivet, skrivskyddat. Schemat fyller du i under Utmärkelseår.")
        if st.form_submit_button("Starta nästa år", type="primary"):
            try:
                carried = next_year.start_next_year(store, user, shown, new)
            except Refused as exc:
                st.error(escape_markdown(str(exc)))
            else:
                st.session_state["results_notice"] = (
                    f"{load_framework(new).title} är startat och är nu aktuellt år; "
                    f"{count(carried['examiners'], 'examinator', 'examinatorer')} fick ett år till."
                    + (f" Anvisningarna är en kopia av {shown}: ändra dem under Skriv anvisningar innan det första "
                       "bidraget tas emot." if carried["framework_copied"] else ""))
                st.rerun()

"""Intag's pieces for requests for changes and a contribution's versions.

Not a page itself: the router registers pages by file, and this file is not among them.
"""

from __future__ import annotations

import streamlit as st

from app_pages.swedish import upload_help
from scoring.core.errors import Refused
from scoring.core.store import get_store
from scoring.core.text import escape_markdown, swedish_date
from scoring.intake import changes
from scoring.mail import notices
from scoring.year import calendar


def requests_section(year: int) -> None:
    store, user = get_store(), st.session_state["current_user"]
    for level, message in st.session_state.pop("change_outcomes", []):
        (st.success if level == "ok" else st.error)(message)
    st.caption("Anvisningarna säger att bidrag där bilderna innehåller text skickas tillbaka, och att "
               "verksamheten då har en till två arbetsdagar på sig att rätta. Sista dagen räknas i svenska "
               "arbetsdagar (helger och helgdagar räknas inte). Ett bidrag kan skickas tillbaka tills någon har "
               "börjat bedöma det.")
    open_col, send_col = st.columns([3, 2], gap="large")
    with send_col, st.form("change_request", clear_on_submit=True):
        st.markdown("**Skicka tillbaka ett bidrag**")
        options = {c["id"]: c["unit"] for c in changes.correctable(store, user, year)}
        chosen = st.selectbox("Bidrag", list(options), format_func=options.get, index=None,
                              placeholder="Välj bidrag" if options else "Inga bidrag kan skickas tillbaka nu")
        reason = st.text_area("Vad ska verksamheten ändra?", height=100)
        days = st.radio("Tid att rätta", changes.WORKING_DAYS, index=1, horizontal=True,
                        format_func=lambda d: f"{d} arbetsdag{'ar' if d > 1 else ''}")
        if st.form_submit_button("Skicka tillbaka", type="primary"):
            try:
                if chosen is None:
                    raise Refused("Välj vilket bidrag som ska skickas tillbaka.")
                request_id = changes.request_changes(store, user, chosen, reason, days)
            except Refused as exc:
                st.session_state["change_outcomes"] = [("fel", str(exc))]
            else:
                due = next(r["due_date"] for r in changes.requests(store, user, year) if r["id"] == request_id)
                contact = notices.contact_of(store, chosen)
                told = (f" Kontaktpersonen ({contact}) får begäran per e-post." if contact else
                        " Intresseanmälan har ingen e-postadress: meddela verksamheten själv.")
                st.session_state["change_outcomes"] = [
                    ("ok", f"{options[chosen]} är tillbakaskickat; den rättade versionen ska vara inne senast "
                           f"{swedish_date(due)}.{told}")]
            st.rerun()
    with open_col:
        rows = changes.requests(store, user, year)
        if not rows:
            st.info("Inga bidrag har skickats tillbaka.")
            return
        st.dataframe([{"Bidrag": r["unit"], "Status": r["status_label"] + (" – försenad" if r["overdue"] else ""),
                       "Senast": f"{r['due_date']:%Y-%m-%d}", "Skäl": r["reason"],
                       "Kontakt": " ".join(filter(None, [r["contact_name"], r["contact_email"]])) or "–"}
                      for r in rows], hide_index=True, width="stretch")
        waiting = {r["id"]: r for r in rows if r["status"] == "skickad"}
        if waiting:
            correction_form(waiting)


def correction_form(waiting: dict[int, dict]) -> None:
    store, user = get_store(), st.session_state["current_user"]
    st.markdown("**Läs in den rättade versionen**")
    chosen = st.selectbox("Ändringsbegäran", list(waiting), key="correction_request",
                          format_func=lambda i: f"{waiting[i]['unit']} (senast {waiting[i]['due_date']:%Y-%m-%d})")
    key = f"correction_{st.session_state.get('correction_round', 0)}"
    file = st.file_uploader("Rättad fil (.docx)", key=key)
    st.caption(upload_help("Word"))
    left, right = st.columns(2)
    if file and left.button("Läs in rättad version", type="primary"):
        st.session_state["correction_round"] = st.session_state.get("correction_round", 0) + 1
        try:
            intake_id = changes.upload_correction(store, user, chosen, file.name, file.getvalue())
        except Refused as exc:
            st.session_state["change_outcomes"] = [("fel", str(exc))]
            st.rerun()
        st.session_state["review_intake_id"] = intake_id
        st.session_state["upload_outcomes"] = [("ok", f"{file.name} är inläst som rättad version av "
                                                      f"{waiting[chosen]['unit']} och väntar på granskning.")]
        st.switch_page("app_pages/intake_review.py")
    with right.popover("Återkalla begäran"):
        why = st.text_input("Varför?", key="withdraw_reason")
        if st.button("Återkalla", key="withdraw"):
            try:
                changes.withdraw(store, user, chosen, why)
            except Refused as exc:
                st.error(escape_markdown(str(exc)))
            else:
                st.session_state["change_outcomes"] = [("ok", f"Ändringsbegäran för {waiting[chosen]['unit']} "
                                                              "är återkallad.")]
                st.rerun()


def versions_section(rows: list[dict]) -> None:
    """Contributions with more than one accepted file: each version, what changed, the files."""
    store, user = get_store(), st.session_state["current_user"]
    corrected = sorted({r["contribution_id"] for r in rows if r["replaces_contribution_id"] and r["contribution_id"]})
    for contribution_id in corrected:
        found = changes.versions(store, user, contribution_id)
        unit = next(r["unit"] for r in rows if r["contribution_id"] == contribution_id)
        with st.expander(f"{escape_markdown(unit)}: {len(found)} versioner", icon=":material/history:"):
            for version in found:
                left, right = st.columns([3, 1], vertical_alignment="center")
                left.markdown(f"**Version {version.number}**: {escape_markdown(version.filename)} · inkom "
                              f"{calendar.stockholm(version.received_at):%Y-%m-%d %H:%M} · "
                              f"{version.chars:,} tecken".replace(",", " "))
                if version.note:
                    left.caption(f"Anteckning: {escape_markdown(version.note)}")
                right.download_button("Ladda ner", lambda i=version.intake_id: changes.version_file(store, user, i)[1],
                                      file_name=version.filename, key=f"version_{version.intake_id}",
                                      icon=":material/download:")
            for change in changes.differences(store, user, contribution_id):
                st.markdown(f"**Från version {change['from']} till {change['to']}:** "
                            f"{change['chars'][0]:,} → {change['chars'][1]:,} tecken".replace(",", " "))
                st.dataframe([{"Område": title, "Före": before, "Efter": after, "Skillnad": after - before}
                              for title, before, after in change["areas"]], hide_index=True, width="stretch")
                for text in change["findings_gone"]:
                    st.caption(f"Åtgärdat: {escape_markdown(text)}")
                for text in change["findings_new"]:
                    st.caption(f"Nytt fynd: {escape_markdown(text)}")

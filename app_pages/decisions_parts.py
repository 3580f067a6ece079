"""Beslut's pieces: the jury's member list, a member's declaration of conflicts, and the
decision form. Not a page itself."""

from __future__ import annotations

import streamlit as st

from app_pages import draft_field
from scoring.core import access, drafts
from scoring.core.text import escape_markdown
from scoring.jury import members
from scoring.jury import shortlist as jury
from scoring.year import phases

CONFLICT = "Jäv"
NO_CONFLICT = "Inget jäv"


def members_section(store, user, year: int, locked: bool) -> None:
    """The year's members with the chair; the office adds and removes them."""
    manage = access.can(store, user, "jury.members") and not locked
    if not (manage or access.can(store, user, "jury.declare", year=year)):
        return
    people = members.members(store, user, year)
    names = jury.mask(store, user, year)  # with pseudonyms on, no förvaltning that could name a candidate
    with st.expander(f"Domarkommitténs ledamöter ({len(people)})", expanded=manage and not people):
        if people:
            st.dataframe([{"Ledamot": p["name"], "Förvaltning/organisation": names.organisation(p["organisation"] or "") or "–",
                           "Ordförande": "ja" if p["is_chair"] else "", "Jävsdeklaration": "lämnad" if p["declared"]
                           else "inte lämnad", "Jäv mot": p["conflicts"] or ""} for p in people],
                         hide_index=True, width="stretch")
        else:
            st.caption("Inga ledamöter registrerade ännu.")
        if not manage:
            return
        with st.form("jury_member", clear_on_submit=True):
            email, organisation, chair = st.columns([3, 3, 1], vertical_alignment="bottom")
            email = email.text_input("Ledamotens e-post (konto för domarkommittén)")
            organisation = organisation.text_input("Förvaltning, bolag eller organisation ledamoten leder")
            chair = chair.checkbox("Ordförande")
            if st.form_submit_button("Lägg till eller ändra"):
                try:
                    members.add_member(store, user, year, email, organisation, chair)
                except members.JuryMemberError as exc:
                    st.error(escape_markdown(str(exc)))
                else:
                    st.rerun()
        names = {p["user_id"]: p["name"] for p in people}
        if names:
            left, right = st.columns([3, 1], vertical_alignment="bottom")
            gone = left.selectbox("Ta bort ledamot", list(names), format_func=names.get, index=None,
                                  placeholder="Välj ledamot")
            if right.button("Ta bort", disabled=gone is None):
                members.remove_member(store, user, year, gone)
                st.rerun()


def declaration_form(store, user, year: int) -> None:
    """Before seeing the candidates: conflict or none on each, like the examiners."""
    pending = members.to_declare(store, user, year)
    st.header("Jävsdeklaration")
    if not pending:
        st.info("Det finns inga kandidater att ta ställning till ännu.")
        return
    st.markdown("Innan du ser kandidaterna: ta ställning till jäv för var och en. Du har jäv om kandidaten hör till "
                "en förvaltning eller ett bolag du leder, eller om du på annat sätt står verksamheten nära. Du deltar "
                "inte i beslutet om en kandidat du har jäv mot, och protokollet visar det. Kandidater från din egen "
                "förvaltning är förvalda som jäv.")
    with st.form("jury_declaration"):
        choices = {}
        for item in pending:
            choices[item["contribution_id"]] = st.radio(
                f"{escape_markdown(item['unit'])} ({escape_markdown(item['organisation'])})", [NO_CONFLICT, CONFLICT], horizontal=True,
                index=1 if item["suggested_conflict"] else None, key=f"jury_conflict_{item['contribution_id']}")
        note = st.text_area("Anteckning (frivillig)", height=70)
        if st.form_submit_button("Skicka deklarationen", type="primary"):
            try:
                if None in choices.values():
                    raise members.JuryMemberError("Ta ställning till jäv för varje kandidat i listan.")
                members.declare(store, user, year, {cid: v == CONFLICT for cid, v in choices.items()}, note)
            except members.JuryMemberError as exc:
                st.error(escape_markdown(str(exc)))
            else:
                st.rerun()


def decision_form(store, user, candidate) -> None:
    if members.has_conflict(store, user, candidate.contribution_id):
        st.caption("Du har anmält jäv mot kandidaten och deltar inte i beslutet.")
        return
    labels = phases.Decision.labels()
    motivation_key, field = f"beslut_{candidate.contribution_id}_motivering", f"jurybeslut:{candidate.contribution_id}"
    draft_field.setdefault(motivation_key, field, "")
    with st.form(f"beslut_{candidate.contribution_id}"):
        choice = st.radio("Juryns beslut", list(labels), format_func=labels.get, horizontal=True,
                          index=list(labels).index(candidate.decision) if candidate.decision else None)
        motivation = st.text_area("Juryns motivering (publiceras)", height=90, key=motivation_key)
        # Only an award for a proposed honourable mention goes beyond the team's proposal.
        reason = st.text_input("Skäl, om juryn beslutar om utmärkelse (laget föreslog hedersomnämnande; skälet står "
                               "i protokollet)") if candidate.proposal != "utmarkelse" else ""
        if st.form_submit_button("Spara beslutet"):
            try:
                if choice is None:
                    raise jury.JuryError("Välj ett beslut.")
                jury.decide(store, user, candidate.contribution_id, choice, motivation, reason)
            except jury.JuryError as exc:
                st.error(escape_markdown(str(exc)))
            else:
                drafts.clear_draft(store, user, field)
                st.rerun()
    draft_field.companion(motivation_key, field, "")

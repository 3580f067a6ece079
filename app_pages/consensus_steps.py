"""The consensus page's steps that cannot be undone (opening consensus, moving on a phase,
handing in the team's proposal), each confirmed in a dialog that says what locks.

Not a page itself. A button only asks (a flag in the session); the dialog opens from the
flag on the next run, as AppTest and the browser both can follow.
"""

from __future__ import annotations

import streamlit as st

from app_pages.consensus_parts import TOP, save
from scoring.consensus import workspace as consensus
from scoring.core.text import escape_markdown
from scoring.year import phases

ASKED = "konsensus_bekrafta"
UNDONE = "Steget går inte att ångra."


def ask(step: str, cid: int, **data) -> None:
    """A button's callback: open the confirmation for ``step`` on this run."""
    st.session_state[ASKED] = {"step": step, "cid": cid, **data}


def _forget() -> None:
    st.session_state.pop(ASKED, None)


def _open_consensus(work) -> tuple:
    return ("Öppna konsensus?", [
        "Lagets individuella bedömningar låses: examinatorerna kan inte längre ändra sina poäng, iakttagelser, "
        "anteckningar eller frågor till platsbesöket, och ingen bedömning kan öppnas igen.",
        "Laget ser varandras poäng och iakttagelser.",
        "Alla i laget utan jäv får ett e-postmeddelande om att konsensus är öppnad.",
    ], "Öppna konsensus", consensus.open_consensus, (), TOP, "Konsensus är öppnad. De individuella bedömningarna är låsta.")


# What each phase step locks, as the core's phase rules make it (CONSENSUS_EDITABLE, the
# site visit's saves only in platsbesök, the proposal only in återkoppling klar).
LOCKS = {
    phases.P.PLATSBESOK: [
        "Konsensuspoäng, motiveringar och iakttagelser låses under platsbesöket. De kan ändras igen i slutlig "
        "konsensus; en ändrad poäng eller en ändrad iakttagelse i ett frågeområde kräver då ett skäl.",
    ],
    phases.P.SLUTLIG_KONSENSUS: [
        "Platsbesökets uppgifter och frågor låses: datum, tid, deltagare, dokument, utfall och anteckningar kan "
        "inte längre ändras.",
        "Konsensus öppnas för ändringar efter platsbesöket; en ändrad poäng eller en ändrad iakttagelse i ett "
        "frågeområde kräver ett skäl.",
    ],
    phases.P.ATERKOPPLING_KLAR: [
        "Konsensus låses för gott: poäng, motiveringar, iakttagelser och nyckelteman kan inte längre ändras.",
        "Därefter lämnar laget sitt förslag till beredningsgruppen under fliken Förslag.",
    ],
}


def _advance(work) -> tuple:
    to = consensus.NEXT_PHASE[work.phase]
    locks = list(LOCKS[to])
    if to == phases.P.PLATSBESOK and not work.site_visit.questions:
        locks.append("Frågor till platsbesöket föreslås utifrån konsensus och examinatorernas egna frågor.")
    return (f"Gå vidare till {to.label.lower()}?", locks, f"Gå vidare: {to.label.lower()}", consensus.advance, (),
            TOP, f"Bidraget har gått vidare till {to.label.lower()}.")


def _proposal(work, choice: str, motivation: str) -> tuple:
    label = phases.Proposal.labels()[choice]
    return ("Lämna lagets förslag?", [
        f"Förslaget **{escape_markdown(label)}** lämnas med motiveringen till beredningsgruppen.",
        "Förslaget och motiveringen kan inte ändras efteråt, och lagets konsensus är avslutad.",
    ], "Lämna förslaget", consensus.submit_proposal, (choice, motivation), "Förslag",
        "Lagets förslag är lämnat till beredningsgruppen.")


STEPS = {"open": _open_consensus, "advance": _advance, "proposal": _proposal}


def confirm_if_asked(work) -> None:
    """The dialog for the step asked for on this contribution, if any."""
    asked = st.session_state.get(ASKED)
    if not asked or asked["cid"] != work.contribution_id:
        return
    data = {k: v for k, v in asked.items() if k not in ("step", "cid")}
    title, locks, button, change, args, where, done = STEPS[asked["step"]](work, **data)

    @st.dialog(title, on_dismiss=_forget)
    def dialog() -> None:
        st.markdown(f"**{escape_markdown(work.unit)}**. Det här händer:")
        st.markdown("\n".join(f"- {consequence}" for consequence in locks))
        st.markdown(f"**{UNDONE}**")
        left, right = st.columns(2)
        if left.button(button, type="primary", key="konsensus_bekrafta_ja", width="stretch"):
            _forget()
            save(work.contribution_id, change, *args, where=where, confirm=done)
            st.rerun()
        if right.button("Avbryt", key="konsensus_bekrafta_nej", width="stretch"):
            _forget()
            st.rerun()

    dialog()

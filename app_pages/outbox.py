"""Utskick (Kvalitetsenheten): every message the workbench has sent or tried to send, searchable,
with the server's answer; reminders and who gets them; the Swedish templates."""

import streamlit as st

from app_pages import outbox_parts
from scoring.core.errors import Refused
from scoring.core.store import get_store
from scoring.core.text import escape_markdown
from scoring.mail import outbox, smtp, templates
from scoring.year import phases

store = get_store()
user = st.session_state["current_user"]
year = st.session_state["current_year"]

st.title("Utskick")
server = outbox.server_line()
if smtp.configured():
    st.caption(f"E-postserver: {escape_markdown(server)}")
else:
    st.warning(escape_markdown(server) + " Meddelandena sparas här som inte skickade.", icon=":material/mail_lock:")
totals = outbox.counts(store, user)
columns = st.columns(len(totals))
for column, status in zip(columns, phases.MailStatus, strict=True):
    column.metric(status.label, totals[status.value])

box_tab, reminders_tab, templates_tab = st.tabs(["Utkorgen", "Påminnelser", "Mallar"], key="outbox_tabs",
                                                on_change="rerun")

with box_tab:
    if notice := st.session_state.pop("outbox_notice", None):
        (st.success if notice[0] == "ok" else st.error)(escape_markdown(notice[1]))
    search, status, kind = st.columns([3, 2, 2])
    text = search.text_input("Sök", placeholder="Mottagare, ämne, text eller varför", key="outbox_search")
    statuses = {None: "Alla", **phases.MailStatus.labels()}
    chosen_status = status.selectbox("Status", list(statuses), format_func=statuses.get, key="outbox_status")
    kinds = {None: "Alla", **{k: v.title for k, v in templates.KINDS.items()}}
    chosen_kind = kind.selectbox("Slag", list(kinds), format_func=kinds.get, key="outbox_kind")
    rows = outbox.messages(store, user, outbox.Search(text, chosen_status, chosen_kind))
    if not rows:
        st.info("Inga meddelanden" + (" som matchar." if text or chosen_status or chosen_kind else " ännu."))
    else:
        st.dataframe([{"Skrivet": outbox_parts.when(r["created_at"]), "Status": r["status_label"],
                       "Till": r["recipient"], "Ämne": r["subject"], "Varför": r["why"], "Försök": r["attempts"],
                       "Nästa försök": outbox_parts.when(r["next_attempt_at"]) or "–",
                       "Serverns svar": r["server_answer"] or "", "Bilagor": ", ".join(r["attachments"])}
                      for r in rows], hide_index=True, width="stretch")
        shown = {r["id"]: r for r in rows}
        picked = st.selectbox("Visa meddelande", list(shown), key="outbox_pick",
                              format_func=lambda i: f"{shown[i]['subject']} – {shown[i]['recipient']}")
        row = shown[picked]
        with st.container(border=True):
            outbox_parts.message(row, "outbox")
            if row["status"] in (phases.MailStatus.MISSLYCKAT, phases.MailStatus.EJ_SKICKAT):
                label = "Försök igen" if row["status"] == phases.MailStatus.MISSLYCKAT else "Skicka nu"
                if st.button(label, icon=":material/send:", disabled=not smtp.configured(), key="outbox_retry"):
                    try:
                        outbox.retry(store, user, picked)
                    except Refused as exc:
                        st.session_state["outbox_notice"] = ("fel", str(exc))
                    else:
                        st.session_state["outbox_notice"] = ("ok", "Meddelandet skickas i bakgrunden; uppdatera "
                                                                   "sidan om en stund för serverns svar.")
                    st.rerun()
    st.button("Uppdatera", icon=":material/refresh:", key="outbox_refresh")

with reminders_tab:
    outbox_parts.reminders_tab(year)

with templates_tab:
    outbox_parts.templates_tab()

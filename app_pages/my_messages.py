"""Mina meddelanden: what the workbench has sent to the person logged in."""

import streamlit as st

from app_pages import outbox_parts
from scoring.core.store import get_store
from scoring.core.text import escape_markdown
from scoring.mail import outbox

store = get_store()
user = st.session_state["current_user"]

st.title("Mina meddelanden")
st.caption(f"Meddelanden som Examinatorsstöd har skickat till {escape_markdown(user.email)}: inbjudan, lag och "
           "bidrag, påminnelser och besök. Kvalitetsenheten kan stoppa påminnelser till dig om du behöver.")
rows = outbox.sent_to_me(store, user)
if not rows:
    st.info("Inga meddelanden har skickats till dig.")
for row in rows:
    with st.expander(f"{outbox_parts.when(row['created_at'])} · {escape_markdown(row['subject'])} · "
                     f"{row['status_label']}"):
        outbox_parts.message(row, "mine")

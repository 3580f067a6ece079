"""Välj lösenord: the one-time link of an invitation, for someone who is not logged in."""

import streamlit as st

from scoring.core import auth, password_links
from scoring.core.store import get_store
from scoring.core.text import escape_markdown

store = get_store()
token = st.query_params.get(password_links.QUERY_PARAMETER, "")

st.title("Välj lösenord")
st.caption("Stockholms stads kvalitetsutmärkelse – Examinatorsstöd")
left, _ = st.columns([2, 3])
with left:
    try:
        holder = password_links.holder(store, token)
    except auth.AuthError as exc:
        st.error(escape_markdown(str(exc)))
        if st.button("Till inloggningen", icon=":material/login:"):
            st.query_params.clear()
            st.rerun()
        st.stop()
    st.markdown(f"Kontot: **{escape_markdown(holder.email)}**")
    with st.form("set_password"):
        password = st.text_input(f"Nytt lösenord (minst {auth.MIN_PASSWORD_LENGTH} tecken)", type="password",
                                 autocomplete="new-password")
        repeated = st.text_input("Samma lösenord igen", type="password", autocomplete="new-password")
        submitted = st.form_submit_button("Spara lösenordet och logga in", type="primary")
    if submitted:
        try:
            user = password_links.redeem(store, token, password, repeated)
        except auth.AuthError as exc:
            st.error(escape_markdown(str(exc)))
        else:
            session = auth.create_session(store, user)
            st.session_state["session_token"] = session
            st.session_state["cookie_handoff"] = True  # the router hands the browser its cookie, as after a login
            st.query_params.clear()
            st.rerun()

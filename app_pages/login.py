"""Logga in: local account or, when configured, the city's OIDC login."""

import streamlit as st

from scoring.core import auth
from scoring.core.store import get_store
from scoring.core.text import escape_markdown
from workbench_tools import demo

store = get_store()

st.title("Examinatorsstöd")
st.caption("Stockholms stads kvalitetsutmärkelse – stöd för examinatorer, beredningsgrupp och domarkommitté")

if notice := st.session_state.pop("notice", None):
    st.info(escape_markdown(notice))

left, _ = st.columns([2, 3])
with left:
    try:
        oidc = "auth" in st.secrets
    except Exception:
        oidc = False
    if oidc:
        st.button("Logga in med stadens konto", type="primary", on_click=st.login,
                  icon=":material/badge:", width="stretch")
        st.divider()
        st.caption("Eller med lokalt konto:")
    with st.form("login"):
        email = st.text_input("E-postadress", autocomplete="username")
        password = st.text_input("Lösenord", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Logga in", type="secondary" if oidc else "primary")
    if submitted:
        if not email.strip() or not password:
            st.error("Fyll i både e-postadress och lösenord.")
        else:
            try:
                address = st.context.ip_address  # None on this machine; a stand-in under AppTest
                user = auth.authenticate(store, email, password, source=address if isinstance(address, str) else None)
            except auth.AuthError as exc:
                st.error(escape_markdown(str(exc)))
                if oidc and isinstance(exc, auth.LoginLocked):
                    st.info("Inloggning med stadens konto fungerar som vanligt.")
            else:
                token = auth.create_session(store, user)
                st.session_state["session_token"] = token
                st.session_state["cookie_handoff"] = True  # the router hands the browser its cookie
                st.rerun()

    if demo.is_demo(store):
        with st.expander("Demoinloggningar", icon=":material/info:"):
            st.caption(f"Det här är en demodatabas. Lösenord för alla konton: `{demo.DEMO_PASSWORD}`")
            logins = demo.demo_logins(store)
            st.table({"Roll": [r for r, _ in logins], "E-post": [e for _, e in logins]})

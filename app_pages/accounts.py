"""Konton (Kvalitetsenheten): the workbench's accounts, new accounts, unlocking."""

import streamlit as st

from scoring.core import auth
from scoring.core.store import get_store, utcnow
from scoring.core.text import escape_markdown

store = get_store()
admin = st.session_state["current_user"]

st.title("Konton")
if notice := st.session_state.pop("accounts_notice", None):
    st.success(escape_markdown(notice))
users = auth.accounts(store, admin)
now = utcnow()
st.dataframe(
    [{"Namn": u["name"], "E-post": u["email"], "Roll": auth.ROLES[u["role"]],
      "Inloggning": "Lösenord" if u["has_password"] else "Stadens konto (OIDC)",
      "Status": "Låst" if u["locked_until"] and u["locked_until"] > now else ("Aktiv" if u["active"] else "Inaktiv")}
     for u in users],
    hide_index=True, width="stretch",
)

left, right = st.columns(2, gap="large")
with left:
    st.header("Nytt konto")
    with st.form("new_account", clear_on_submit=True):
        name = st.text_input("Namn")
        email = st.text_input("E-postadress")
        role = st.selectbox("Roll", list(auth.ROLES), format_func=auth.ROLES.get,
                            help="En lagsamordnare är en examinator som leder ett lag; det anges när lagen bildas.")
        oidc_only = st.checkbox("Loggar in med stadens konto (inget lösenord)")
        password = st.text_input(f"Lösenord (minst {auth.MIN_PASSWORD_LENGTH} tecken)", type="password")
        if st.form_submit_button("Skapa konto", type="primary"):
            try:
                auth.create_account(store, admin, email=email, name=name, role=role,
                                    password=None if oidc_only else password)
            except auth.AuthError as exc:
                st.error(escape_markdown(str(exc)))
            else:
                st.session_state["accounts_notice"] = f"Kontot för {name} är skapat."
                st.rerun()
with right:
    locked = [u for u in users if u["locked_until"] and u["locked_until"] > now]
    st.header("Låsta konton")
    if not locked:
        st.caption("Inga konton är låsta.")
    for u in locked:
        if st.button(f"Lås upp {escape_markdown(u['email'])}", key=f"unlock_{u['id']}"):
            auth.unlock_account(store, admin, u["id"])
            st.rerun()

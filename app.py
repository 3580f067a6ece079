"""Examinatorsstöd: the router.

Works out who is logged in, registers only the pages that person's role may use, and
runs the chosen page. Rules live in ``scoring``; this file only wires them to the screen.
"""

from __future__ import annotations

import streamlit as st

from scoring.core import access, auth
from scoring.core.store import get_store
from scoring.year import phases, years

st.set_page_config(page_title="Examinatorsstöd", page_icon=":material/workspace_premium:", layout="wide")

PAGES = {
    "start": ("app_pages/start.py", "Start", ":material/home:"),
    "intag": ("app_pages/intake.py", "Intag", ":material/upload_file:"),
    "granskning": ("app_pages/intake_review.py", "Granska fil", ":material/fact_check:"),
    "behorighet": ("app_pages/eligibility.py", "Grundläggande kontroll", ":material/verified:"),
    "examinatorer": ("app_pages/examiners.py", "Examinatorer", ":material/badge:"),
    "lag": ("app_pages/teams.py", "Lag och tilldelning", ":material/groups:"),
    "bedomning": ("app_pages/assessment.py", "Bedömning", ":material/rate_review:"),
    "konsensus": ("app_pages/consensus.py", "Konsensus", ":material/handshake:"),
    "rapporter": ("app_pages/reports.py", "Rapporter", ":material/summarize:"),
    "mallar": ("app_pages/templates.py", "Rapportmallar", ":material/edit_document:"),
    "beredning": ("app_pages/shortlist.py", "Beredning", ":material/leaderboard:"),
    "beslut": ("app_pages/decisions.py", "Beslut", ":material/gavel:"),
    "arkiv": ("app_pages/archive.py", "Arkiv", ":material/inventory_2:"),
    "bidrag": ("app_pages/contributions.py", "Bidrag", ":material/description:"),
    "anvisningar": ("app_pages/framework.py", "Anvisningar", ":material/menu_book:"),
    "nytt_ar": ("app_pages/framework_editor.py", "Nytt utmärkelseår", ":material/edit_calendar:"),
    "konton": ("app_pages/accounts.py", "Konton", ":material/group:"),
    "logg": ("app_pages/audit.py", "Händelselogg", ":material/history:"),
}
# The menu's sections, in the order of the year's work.
SECTIONS = {
    "Året": ["start", "intag", "granskning", "behorighet", "examinatorer", "lag"],
    "Bedömning och återkoppling": ["bedomning", "konsensus", "rapporter", "mallar", "bidrag"],
    "Juryn": ["beredning", "beslut", "arkiv"],
    "Stöd": ["anvisningar", "nytt_ar", "konton", "logg"],
}
SESSION_ROUTE = "/workbench/session"
LOGOUT_ROUTE = "/workbench/logout"


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml at all
        return False


def session_cookie() -> str | None:
    try:
        return st.context.cookies.get(auth.COOKIE_NAME)
    except Exception:  # no browser connection (AppTest)
        return None


def post_to_route(route: str, body: str = "") -> None:
    """Let the browser call one of the app's own routes (only a route can set cookies)."""
    st.html(
        f"<script>fetch('{route}', {{method: 'POST', body: '{body}', credentials: 'same-origin'}});"
        "</script>",
        unsafe_allow_javascript=True,
    )


def log_out(store) -> None:
    token = st.session_state.get("session_token")
    if token:
        auth.end_session(store, token)
    st.session_state.clear()
    st.session_state["clear_cookie"] = True
    if oidc_configured() and st.user.is_logged_in:
        st.logout()
    st.rerun()


def current_user(store) -> auth.User | None:
    token = st.session_state.get("session_token") or auth.unsign(store, session_cookie())
    if token:
        try:
            user = auth.session_user(store, token)
        except auth.SessionExpired:
            st.session_state.clear()
            st.session_state["notice"] = "Du har varit inaktiv en stund och har loggats ut. Logga in igen."
            st.session_state["clear_cookie"] = True
            if oidc_configured() and st.user.is_logged_in:
                st.logout()
            return None
        if user is not None:
            st.session_state["session_token"] = token
            return user
        st.session_state.pop("session_token", None)
    if oidc_configured() and st.user.is_logged_in:
        user = auth.user_by_email(store, str(st.user.get("email", "")))
        if user is None:
            st.error(
                f"Kontot {st.user.get('email', '')} har ingen behörighet i Examinatorsstöd. "
                "Kontakta Kvalitetsenheten."
            )
            st.button("Logga ut", on_click=st.logout)
            st.stop()
        token = auth.create_session(store, user)
        st.session_state["session_token"] = token
        st.session_state["cookie_handoff"] = auth.issue_handoff(token)
        return user
    return None


def sidebar(store, user: auth.User, year: int | None) -> None:
    with st.sidebar:
        st.markdown(f"**{user.name}**  \n{access.role_label(store, user, year)}")
        if year is not None:
            st.caption(f"Kvalitetsutmärkelsen {year} · {phases.YearPhase(years.phase(store, year)).label}")
        if st.button("Logga ut", icon=":material/logout:", width="stretch"):
            log_out(store)


store = get_store()
if st.session_state.pop("clear_cookie", False):
    post_to_route(LOGOUT_ROUTE)
user = current_user(store)
if user is None:
    st.session_state.pop("current_user", None)
    page = st.navigation([st.Page("app_pages/login.py", title="Logga in", icon=":material/login:")])
else:
    handoff = st.session_state.pop("cookie_handoff", None)
    if handoff:
        post_to_route(SESSION_ROUTE, handoff)
    year = years.current_year(store)
    st.session_state["current_user"] = user
    st.session_state["current_year"] = year
    sidebar(store, user, year)
    allowed = access.page_keys(store, user, year)
    sections = {
        title: [st.Page(PAGES[key][0], title=PAGES[key][1], icon=PAGES[key][2],
                        url_path=None if key == "start" else key, default=key == "start")
                for key in keys if key in allowed]
        for title, keys in SECTIONS.items()
    }
    # Every page in view: Streamlit would otherwise fold a long menu behind "View more".
    page = st.navigation({title: pages for title, pages in sections.items() if pages}, expanded=True)
page.run()

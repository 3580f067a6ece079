"""Examinatorsstöd: the router.

Works out who is logged in, registers only the pages that person's role may use, and
runs the chosen page. Rules live in ``scoring``; this file only wires them to the screen.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from app_pages import swedish
from app_pages.common import accessible_style
from scoring.core import access, auth, password_links
from scoring.core.store import get_store
from scoring.core.text import escape_markdown
from scoring.mail import sender
from scoring.year import phases, years

# An emoji icon is drawn in the page (a :material: icon would be fetched from Google, which
# the security policy refuses).
st.set_page_config(page_title="Examinatorsstöd", page_icon="🏅", layout="wide")
swedish.use_swedish_defaults()
accessible_style()

PAGES = {
    "start": ("app_pages/start.py", "Start", ":material/home:"),
    "aretsgang": ("app_pages/year_progress.py", "Årets gång", ":material/timeline:"),
    "ar": ("app_pages/years.py", "Utmärkelseår", ":material/calendar_month:"),
    "skriv_anvisningar": ("app_pages/framework_editor.py", "Skriv anvisningar", ":material/edit_calendar:"),
    "anmalningar": ("app_pages/registrations.py", "Intresseanmälningar", ":material/how_to_reg:"),
    "intag": ("app_pages/intake.py", "Intag", ":material/upload_file:"),
    "granskning": ("app_pages/intake_review.py", "Granska fil", ":material/fact_check:"),
    "behorighet": ("app_pages/eligibility.py", "Grundläggande kontroll", ":material/verified:"),
    "examinatorer": ("app_pages/examiners.py", "Examinatorer", ":material/badge:"),
    "lag": ("app_pages/teams.py", "Lag och tilldelning", ":material/groups:"),
    "bedomning": ("app_pages/assessment.py", "Bedömning", ":material/rate_review:"),
    "konsensus": ("app_pages/consensus.py", "Konsensus", ":material/handshake:"),
    "rapporter": ("app_pages/reports.py", "Rapporter", ":material/summarize:"),
    "aterbesok": ("app_pages/feedback_visits.py", "Återbesök", ":material/event_available:"),
    "mallar": ("app_pages/templates.py", "Rapportmallar", ":material/edit_document:"),
    "beredning": ("app_pages/shortlist.py", "Beredning", ":material/leaderboard:"),
    "beslut": ("app_pages/decisions.py", "Beslut", ":material/gavel:"),
    "resultat": ("app_pages/results.py", "Resultat", ":material/emoji_events:"),
    "arkiv": ("app_pages/archive.py", "Arkiv", ":material/inventory_2:"),
    "bidrag": ("app_pages/contributions.py", "Bidrag", ":material/description:"),
    "anvisningar": ("app_pages/framework.py", "Anvisningar", ":material/menu_book:"),
    "konton": ("app_pages/accounts.py", "Konton", ":material/group:"),
    "utskick": ("app_pages/outbox.py", "Utskick", ":material/outgoing_mail:"),
    "logg": ("app_pages/audit.py", "Händelselogg", ":material/history:"),
    "meddelanden": ("app_pages/my_messages.py", "Mina meddelanden", ":material/mail:"),
}
# The menu's sections, in the order of the year's work.
SECTIONS = {
    "Året": ["start", "aretsgang", "ar", "skriv_anvisningar", "anmalningar", "intag", "granskning", "behorighet",
             "examinatorer", "lag"],
    "Bedömning och återkoppling": ["bedomning", "konsensus", "rapporter", "aterbesok", "mallar", "bidrag"],
    "Juryn": ["beredning", "beslut", "resultat", "arkiv"],
    "Stöd": ["anvisningar", "meddelanden", "konton", "utskick", "logg"],
}
SESSION_ROUTE = "/workbench/session"
LOGOUT_ROUTE = "/workbench/logout"
HANDOFF_SCRIPT = "/workbench/handoff.js"  # served by serve.py; see scoring/core/web.py


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml at all
        return False


def cookie(name: str) -> str | None:
    """A cookie the browser sent when it opened this session."""
    try:
        value = st.context.cookies.get(auth.cookie_name(name))
    except Exception:  # no browser connection (AppTest)
        return None
    return value if isinstance(value, str) else None


def post_to_route(route: str, code: str = "") -> None:
    """Let the browser call one of the app's own routes (only a route can set cookies),
    through the site's own script: the page's security policy runs no inline script."""
    st.html(f'<script src="{HANDOFF_SCRIPT}" data-route="{route}" data-code="{code}"></script>',
            unsafe_allow_javascript=True)


def hand_off_cookie(token: str) -> None:
    """The session cookie for the browser that logged in: a one-time code bound to its nonce.
    Without a nonce (cookies blocked) the login holds in this tab only."""
    if nonce := cookie(auth.NONCE_COOKIE):
        post_to_route(SESSION_ROUTE, auth.issue_handoff(token, nonce))


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
    token = st.session_state.get("session_token") or auth.unsign(store, cookie(auth.COOKIE_NAME))
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
                f"Kontot {escape_markdown(str(st.user.get('email', '')))} har ingen behörighet i Examinatorsstöd. "
                "Kontakta Kvalitetsenheten."
            )
            st.button("Logga ut", on_click=st.logout)
            st.stop()
        token = auth.create_session(store, user)
        st.session_state["session_token"] = token
        st.session_state["cookie_handoff"] = True
        return user
    return None


def requested_path() -> str:
    """The page path this run was asked for (Streamlit keeps it only in its run context)."""
    ctx = get_script_run_ctx()
    return (ctx.pages_manager.intended_page_name or "").strip("/") if ctx else ""


def answer_unknown_path(pages: list, page, title: str) -> list:
    """A path no registered page has (an old link, a page not open to this role) gets a
    hidden page of its own, so Streamlit never shows its English "Page not found"."""
    known = {p.url_path for p in pages}
    path = requested_path()
    if path and path not in known and "/" not in path:
        # Kept for the session: a rerun (a form sent, a button) asks for the page by its hash alone.
        st.session_state["unknown_path"] = path
    path = st.session_state.get("unknown_path")
    if not path or path in known:
        return pages
    return [*pages, st.Page(page, title=title, url_path=path, visibility="hidden")]


def sidebar(store, user: auth.User, year: int | None) -> None:
    with st.sidebar:
        st.markdown(f"**{escape_markdown(user.name)}**  \n{access.role_label(store, user, year)}")
        if year is not None:
            st.caption(f"Kvalitetsutmärkelsen {year} · {phases.YearPhase(years.phase(store, year)).label}")
        if st.button("Logga ut", icon=":material/logout:", width="stretch"):
            log_out(store)


store = get_store()
store.refresh()  # on PostgreSQL: notice what other server processes wrote since the last run
sender.ensure_running(store)  # the outbox is sent from a thread of its own, never by a page
if st.session_state.pop("clear_cookie", False):
    post_to_route(LOGOUT_ROUTE)
user = current_user(store)
if user is None:
    st.session_state.pop("current_user", None)
    if password_links.QUERY_PARAMETER in st.query_params:  # the link of an invitation: choose a password
        script, title, icon = "app_pages/set_password.py", "Välj lösenord", ":material/key:"
    else:  # a link to a page opens the login first, then the page
        script, title, icon = "app_pages/login.py", "Logga in", ":material/login:"
    page = st.navigation(answer_unknown_path([st.Page(script, title=title, icon=icon)], script, title))
else:
    if st.session_state.pop("cookie_handoff", False):
        hand_off_cookie(st.session_state["session_token"])
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
    sections = {title: pages for title, pages in sections.items() if pages}
    listed = [p for pages in sections.values() for p in pages]
    if extra := answer_unknown_path(listed, swedish.page_missing, "Sidan finns inte")[len(listed):]:
        sections[next(iter(sections))] = [*sections[next(iter(sections))], *extra]
    # Every page in view: Streamlit would otherwise fold a long menu behind "View more".
    page = st.navigation(sections, expanded=True)
page.run()

"""ASGI entry: Streamlit's app, the routes that set and clear the login cookie, and what
every response carries (scoring/core/web.py).

``streamlit run serve.py`` (what ``make run`` does) finds ``app`` below and serves it.
A Streamlit script cannot send Set-Cookie headers, so after a login the page loads a small
script of this site that posts a one-time code here, and gets the signed, HttpOnly
session cookie back.

The store is opened before anything is served: a second server on the same database
stops here with a message saying so, instead of showing every visitor a traceback.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from scoring.core import auth, config, web
from scoring.core.store import StoreUnavailable, get_store

MAX_AGE_SECONDS = 12 * 3600  # the server-side idle limit ends a session sooner
HANDOFF_SCRIPT_ROUTE = "/workbench/handoff.js"

try:
    get_store()
except StoreUnavailable as exc:
    print(f"\nExaminatorsstöd startar inte. {exc}\n", file=sys.stderr)
    raise SystemExit(2) from None


async def set_session_cookie(request: Request) -> Response:
    if refused := web.refusal(request):
        return refused
    code = str((await web.json_body(request)).get("code", ""))[:200]
    token = auth.redeem_handoff(code, request.cookies.get(auth.cookie_name(auth.NONCE_COOKIE)))
    if token is None:
        return Response("Ogiltig eller förbrukad kod.", status_code=400)
    response = Response(status_code=204)
    response.set_cookie(
        auth.cookie_name(),
        auth.sign(get_store(), token),
        max_age=MAX_AGE_SECONDS,
        httponly=True,
        samesite="strict",
        secure=config.cookie_secure(),
    )
    return response


async def clear_session_cookie(request: Request) -> Response:
    if refused := web.refusal(request):
        return refused
    response = Response(status_code=204)
    response.delete_cookie(auth.cookie_name(), httponly=True, samesite="strict", secure=config.cookie_secure())
    return response


async def handoff_script(request: Request) -> Response:
    # Kept by the browser for an hour: the next login runs it without fetching it first.
    return Response(web.HANDOFF_SCRIPT, media_type="text/javascript", headers={"Cache-Control": "max-age=3600"})


def show_failure(exc: Exception) -> bool:
    """What a person sees when a page fails: a Swedish sentence. The traceback is in the
    server's log (Streamlit writes it there before asking this), never on the screen."""
    logging.getLogger("examinatorsstod").error("Sidan kunde inte visas: %s", type(exc).__name__)
    st.error("Något gick fel, och sidan kunde inte visas. Felet är sparat i serverns logg. Försök igen om en "
             "stund; händer det igen, kontakta Kvalitetsenheten.", icon=":material/error:")
    return True


app = st.App(
    "app.py",
    routes=[
        Route("/workbench/session", set_session_cookie, methods=["POST"]),
        Route("/workbench/logout", clear_session_cookie, methods=["POST"]),
        Route(HANDOFF_SCRIPT_ROUTE, handoff_script, methods=["GET"]),
    ],
    middleware=[Middleware(
        web.Guard,
        script_hashes=web.inline_script_hashes((Path(st.__file__).parent / "static" / "index.html").read_text()),
        open_store=get_store,
    )],
    on_script_error=show_failure,
)

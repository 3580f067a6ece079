"""ASGI entry: Streamlit's app plus the two routes that set and clear the login cookie.

``streamlit run serve.py`` (what ``make run`` does) finds ``app`` below and serves it.
A Streamlit script cannot send Set-Cookie headers, so after a login the page posts a
one-time code here and gets the signed, HttpOnly session cookie back.
"""

from __future__ import annotations

import streamlit as st
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from scoring.core import auth, config
from scoring.core.store import get_store

MAX_AGE_SECONDS = 12 * 3600  # the server-side idle limit ends a session sooner


async def set_session_cookie(request: Request) -> Response:
    code = (await request.body()).decode("ascii", "replace")[:200]
    token = auth.redeem_handoff(code)
    if token is None:
        return Response("Ogiltig eller förbrukad kod.", status_code=400)
    response = Response(status_code=204)
    response.set_cookie(
        auth.COOKIE_NAME,
        auth.sign(get_store(), token),
        max_age=MAX_AGE_SECONDS,
        httponly=True,
        samesite="strict",
        secure=config.cookie_secure(),
    )
    return response


async def clear_session_cookie(request: Request) -> Response:
    response = Response(status_code=204)
    response.delete_cookie(auth.COOKIE_NAME, httponly=True, samesite="strict")
    return response


app = st.App(
    "app.py",
    routes=[
        Route("/workbench/session", set_session_cookie, methods=["POST"]),
        Route("/workbench/logout", clear_session_cookie, methods=["POST"]),
    ],
)

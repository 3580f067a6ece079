"""What the web server puts around the app (serve.py wires it; no page sees it).

- Every response carries the security headers: a Content-Security-Policy that lets only
  this site frame the app (``frame-ancestors 'self'``) and run only its own scripts,
  ``X-Content-Type-Options``, ``Referrer-Policy``, and ``Strict-Transport-Security`` when
  the cookies are Secure (served over HTTPS).
- A browser that loads the app gets a nonce cookie (HttpOnly, SameSite=Strict). A login's
  one-time code is bound to the nonce the page was opened with, so a code obtained in one
  browser is refused from any other.
- The cookie routes answer only the app's own page: a same-origin request (``Origin`` and,
  where the browser sends it, ``Sec-Fetch-Site``), with the JSON body the page sends. A
  cross-site form cannot send JSON, and a cross-site script cannot without a preflight
  that nothing here answers.
- The health check opens the store: a server without its database is not healthy.

Only Starlette's plain ASGI pieces are used here; the core never imports Streamlit.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from collections.abc import Callable
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from scoring.core import auth, config

HEALTH_PATH = "/_stcore/health"
NONCE_MAX_AGE_SECONDS = 12 * 3600
MAX_BODY_BYTES = 2_000
# The page's part of the cookie hand-off: a constant script from this site (so the policy
# needs no inline scripts of ours); the code and the route ride in its data attributes.
HANDOFF_SCRIPT = """\
// Examinatorsstöd: hands the login's one-time code to the app's own route for the cookie.
(function () {
  var script = document.currentScript;
  fetch(script.dataset.route, {
    method: "POST",
    credentials: "same-origin",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify({code: script.dataset.code || ""})
  });
})();
"""


def inline_script_hashes(html: str) -> list[str]:
    """CSP hashes of the inline scripts of a page (Streamlit's index has one)."""
    bodies = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, flags=re.S)
    return [f"'sha256-{base64.b64encode(hashlib.sha256(b.encode()).digest()).decode()}'" for b in bodies]


def content_security_policy(script_hashes: list[str]) -> str:
    """What Streamlit needs and no more: its own scripts and its components' modules, inline styles (its components
    style themselves), images and fonts from itself or data:, its websocket; framing only
    by this site."""
    return "; ".join([
        "default-src 'self'",
        # blob: is how Streamlit's own component API (st.components.v2) loads a component's
        # module; a blob URL can only be made by a script already running on this page.
        "script-src " + " ".join(["'self'", *script_hashes, "blob:"]),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "media-src 'self' data: blob:",
        "worker-src 'self' blob:",
        "frame-src 'self' blob: data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ])


def security_headers(script_hashes: list[str]) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": content_security_policy(script_hashes),
        "X-Frame-Options": "SAMEORIGIN",  # for browsers that predate frame-ancestors
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }
    if config.cookie_secure():
        headers["Strict-Transport-Security"] = "max-age=31536000"
    return headers


def nonce_cookie_header() -> str:
    parts = [f"{auth.cookie_name(auth.NONCE_COOKIE)}={secrets.token_urlsafe(24)}", "Path=/",
             f"Max-Age={NONCE_MAX_AGE_SECONDS}", "HttpOnly", "SameSite=Strict"]
    if config.cookie_secure():
        parts.append("Secure")
    return "; ".join(parts)


class Guard:
    """ASGI middleware: security headers on every response, the nonce cookie with the app's
    page, and a health check that opens the store."""

    def __init__(self, app, script_hashes: list[str] = (), open_store: Callable[[], object] | None = None) -> None:
        self.app = app
        self.script_hashes = list(script_hashes)
        self.open_store = open_store

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = security_headers(self.script_hashes)
        request = Request(scope)
        if scope["path"] == HEALTH_PATH and self.open_store is not None:
            problem = await _store_problem(self.open_store)
            if problem:
                response = PlainTextResponse(f"Databasen går inte att öppna: {problem}", status_code=503,
                                             headers=headers)
                await response(scope, receive, send)
                return
        wants_nonce = scope["method"] == "GET" and auth.cookie_name(auth.NONCE_COOKIE) not in request.cookies

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                for name, value in headers.items():
                    response_headers[name] = value
                if wants_nonce and response_headers.get("content-type", "").startswith("text/html"):
                    response_headers.append("set-cookie", nonce_cookie_header())
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _store_problem(open_store: Callable[[], object]) -> str | None:
    from starlette.concurrency import run_in_threadpool

    def check() -> None:
        open_store().fetchone("SELECT 1")

    try:
        await run_in_threadpool(check)
    except Exception as exc:  # any failure to reach the store makes the server unhealthy
        return type(exc).__name__
    return None


def refusal(request: Request) -> Response | None:
    """Why a request to a cookie route is refused, or None when it is the app's own page."""
    site = request.headers.get("sec-fetch-site")
    origin = request.headers.get("origin")
    if (site is not None and site != "same-origin") or origin is None or \
            urlsplit(origin).netloc != request.headers.get("host"):
        return PlainTextResponse("Begäran kommer inte från Examinatorsstöds egen sida.", status_code=403)
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        return PlainTextResponse("Fel innehållstyp; sidan skickar JSON.", status_code=415)
    return None


async def json_body(request: Request) -> dict:
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return {}
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}

"""What the web server puts around the app, in this process: the headers with and without
HTTPS, the nonce cookie with the app's page only, the health check that opens the store,
and the cookie routes' refusals. (Against the running server: test_security_server.)"""

from __future__ import annotations

import base64
import hashlib

from starlette.applications import Starlette
from starlette.responses import HTMLResponse, PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from scoring.core import auth, web


def _client(open_store=None) -> TestClient:
    async def page(request):
        return HTMLResponse("<p>sidan</p>")

    async def health(request):
        return PlainTextResponse("ok")

    async def data(request):
        return PlainTextResponse("data")

    app = Starlette(routes=[Route("/", page), Route(web.HEALTH_PATH, health), Route("/data", data)])
    return TestClient(web.Guard(app, ["'sha256-abc'"], open_store), base_url="http://127.0.0.1:8501")


def test_strict_transport_security_only_over_https(monkeypatch):
    assert "Strict-Transport-Security" not in _client().get("/").headers
    monkeypatch.setenv("WORKBENCH_COOKIE_SECURE", "1")
    response = _client().get("/")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    # Over HTTPS the cookies carry the __Host- prefix, which no sibling site can set.
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"__Host-{auth.NONCE_COOKIE}=") and "Secure" in cookie and "Path=/" in cookie
    assert auth.cookie_name() == f"__Host-{auth.COOKIE_NAME}"


def test_the_nonce_comes_with_the_page_once_and_with_nothing_else():
    client = _client()
    first = client.get("/")
    assert f"{auth.NONCE_COOKIE}=" in first.headers["set-cookie"] and "HttpOnly" in first.headers["set-cookie"]
    assert "SameSite=Strict" in first.headers["set-cookie"]
    assert "set-cookie" not in client.get("/").headers  # the browser has it now
    assert "set-cookie" not in _client().get("/data").headers
    policy = first.headers["Content-Security-Policy"]
    assert "script-src 'self' 'sha256-abc'" in policy and "frame-ancestors 'self'" in policy


def test_the_health_check_opens_the_store():
    class Broken:
        def fetchone(self, sql):
            raise OSError("disken är borta")

    assert _client(lambda: Broken()).get(web.HEALTH_PATH).status_code == 503
    refused = _client(lambda: (_ for _ in ()).throw(RuntimeError("ingen databas"))).get(web.HEALTH_PATH)
    assert refused.status_code == 503 and refused.text.startswith("Databasen går inte att öppna")
    assert refused.headers["X-Content-Type-Options"] == "nosniff"

    class Fine:
        def fetchone(self, sql):
            return (1,)

    assert _client(lambda: Fine()).get(web.HEALTH_PATH).text == "ok"


def test_inline_script_hashes_are_those_of_the_inline_scripts_only():
    html = '<script>window.x = 1</script><script type="module" src="./a.js"></script>'
    digest = base64.b64encode(hashlib.sha256(b"window.x = 1").digest()).decode()
    assert web.inline_script_hashes(html) == [f"'sha256-{digest}'"]

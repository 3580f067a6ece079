"""Against the running server, as an attacker would try it: parallel logins, a file that
would stall the server while an examiner keeps saving, the session route forged from another
origin and with a code from another browser, framing, the headers on every response, a
second server on the same database, and a failing page. (The same rules in the core:
test_login_throttle, test_intake_isolated, test_web.)"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, Server, free_port, log_in, wait_for_app
from helpers import ADMIN, ROOT, paragraph_bomb
from playwright.sync_api import expect, sync_playwright

from scoring.core.auth import COOKIE_NAME, NONCE_COOKIE
from scoring.core.store import Store
from scoring.year.framework import load_framework
from workbench_tools.demo import DEMO_PASSWORD, DEMO_YEAR

pytestmark = pytest.mark.browser
FRAMEWORK = load_framework(DEMO_YEAR)
AREA = FRAMEWORK.areas[0]
MAX_FAILED = 3
TABS = 6
# The hostile file reaches the reader (its paragraph count alone would refuse it at once),
# so the child works until its time or memory runs out while the examiner saves.
SERVER_ENV = {"WORKBENCH_MAX_FAILED_LOGINS": str(MAX_FAILED), "WORKBENCH_INTAKE_MAX_PARAGRAPHS": "100000000",
              "WORKBENCH_INTAKE_SECONDS": "10", "WORKBENCH_OCR_SECONDS": "0"}


@pytest.fixture(scope="module")
def site(demo_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("security")
    database = folder / "demo.duckdb"
    shutil.copy(demo_template, database)
    store = Store(database)  # read what the tests need before the server owns the file
    examiner, unit = store.fetchone(
        "SELECT u.email, n.name FROM assignments s JOIN teams t ON t.id = s.team_id"
        " JOIN team_members m ON m.team_id = s.team_id JOIN users u ON u.id = m.user_id"
        " JOIN contributions c ON c.id = s.contribution_id JOIN units n ON n.id = c.unit_id"
        " WHERE u.id <> t.coordinator_id AND c.phase IN ('tilldelad', 'individuell_bedomning')"
        " AND NOT EXISTS (SELECT 1 FROM assessments a WHERE a.examiner_id = u.id AND a.contribution_id = c.id)"
        " ORDER BY c.id, u.id LIMIT 1")
    victim = store.fetchone("SELECT email FROM users WHERE role = 'beredningsgrupp' LIMIT 1")[0]
    store.close()
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        server = Server(database, folder / "server.log", env=SERVER_ENV)
        try:
            yield {"server": server, "browser": chromium, "database": database, "examiner": examiner, "unit": unit,
                   "victim": victim, "folder": folder}
        finally:
            server.stop()
            chromium.close()


def _context(site):
    return site["browser"].new_context(viewport={"width": 1400, "height": 1000}, locale="sv-SE")


def _request(url: str, *, method: str = "GET", headers: dict | None = None, body: bytes | None = None):
    """(status, headers, body) of one plain HTTP request, refusals included."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.headers, refused.read()


# --- 1. parallel logins -------------------------------------------------------------------


def test_parallel_logins_check_no_more_passwords_than_the_limit_and_the_lock_holds(site):
    """Six wrong passwords for one account sent at the same moment from six tabs: three are
    checked, three are refused unchecked; then the right password is refused too."""
    server, email = site["server"], site["victim"]
    context = _context(site)
    tabs = []
    for _ in range(TABS):
        tab = context.new_page()
        tab.goto(server.url)
        tab.get_by_label("E-postadress").fill(email)
        tab.get_by_label("Lösenord").fill("fel-lösenord-123")
        tab.get_by_label("Lösenord").press("Tab")
        tabs.append(tab)
    at = tabs[0].evaluate("Date.now()") + 1500
    for tab in tabs:  # every tab presses the button at the same moment of the one clock they share
        tab.evaluate("""at => setTimeout(() => [...document.querySelectorAll('button')]
                          .find(b => b.innerText.trim() === 'Logga in').click(), at - Date.now())""", at)
    answers = []
    for tab in tabs:
        alert = tab.get_by_test_id("stAlert").first
        expect(alert).to_be_visible(timeout=60_000)
        answers.append(alert.inner_text())
    checked = [a for a in answers if "Fel e-postadress" in a or a.startswith("För många")]
    refused = [a for a in answers if "tillfälligt spärrad" in a]
    assert len(checked) == MAX_FAILED and len(refused) == TABS - MAX_FAILED, answers
    page = context.new_page()
    page.goto(server.url)
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in", exact=True).click()
    expect(page.get_by_text("Inloggning med lösenord är tillfälligt spärrad")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", name="Välkommen")).to_have_count(0)
    context.close()


# --- 2. a file that would stall the server ----------------------------------------------


def test_a_hostile_file_is_refused_while_another_examiner_keeps_saving(site, tmp_path):
    server = site["server"]
    bomb = tmp_path / "**stor**.docx"
    bomb.write_bytes(paragraph_bomb(30_000_000))  # 300 KB; took 213 s and 3.9 GB inside the server
    examiner = _context(site).new_page()
    log_in(examiner, server.url, site["examiner"], DEMO_PASSWORD)
    examiner.goto(f"{server.url}/bedomning?bidrag={site['unit']}")
    wait_for_app(examiner)
    if examiner.get_by_role("button", name="Skicka deklarationen").count():
        examiner.get_by_text("Jag har inget jäv och behandlar bidraget konfidentiellt").click()
        examiner.get_by_role("button", name="Skicka deklarationen").click()
    counts = examiner.get_by_test_id("stMetric").filter(has_text="Styrkor / utvecklingsområden")
    expect(counts).to_contain_text("0 / 0", timeout=30_000)
    saved = [0]

    def save() -> float:
        """Add a strength and wait until the page counts it: one save, as the examiner sees it."""
        form = examiner.get_by_test_id("stForm").filter(has=examiner.locator(f"[class*='new_{AREA.code}_kind']"))
        expect(form).to_have_count(1, timeout=30_000)
        form.get_by_text("Styrka", exact=True).click()
        form.get_by_label("Iakttagelse").fill(f"Styrka nummer {saved[0] + 1} i området.")
        started = time.monotonic()
        form.get_by_role("button", name="Lägg till").click()
        expect(counts).to_contain_text(f"{saved[0] + 1} / 0", timeout=60_000)
        took = time.monotonic() - started
        saved[0] += 1
        wait_for_app(examiner)  # the rerun that counted it has ended: the next form is the new one
        return took

    alone = [save() for _ in range(3)]

    admin = _context(site).new_page()
    log_in(admin, server.url, ADMIN, DEMO_PASSWORD)
    admin.goto(f"{server.url}/intag")
    wait_for_app(admin)
    admin.locator("input[type=file]").set_input_files(str(bomb))
    admin.get_by_role("button", name="Läs in 1 fil").click()
    refusal = admin.get_by_text(re.compile(r"^\*\*stor\*\*\.docx: filen .* togs inte emot"))
    expect(admin.get_by_text("Läser **stor**.docx")).to_be_visible(timeout=30_000)
    meanwhile = []
    while not refusal.count():
        meanwhile.append(save())
    reading_still = len(meanwhile) - 1  # the last save may have ended after the refusal came
    expect(refusal).to_be_visible()
    # The name is shown as typed, not as bold.
    expect(admin.locator("strong", has_text="stor")).to_have_count(0)
    assert reading_still >= 3, (alone, meanwhile)
    # Saves went on at their pace while the file was read: the worst of them within a few
    # times the slowest alone (inside the server the reading held everything for minutes).
    assert statistics.median(meanwhile) <= 5 * max(alone), (alone, meanwhile)
    admin.context.close()
    examiner.context.close()


# --- 3. the session route ---------------------------------------------------------------


def test_the_session_route_refuses_foreign_origins_other_content_and_other_browsers(site):
    server = site["server"]
    route = server.url + "/workbench/session"
    good = {"Origin": server.url, "Content-Type": "application/json"}
    body = json.dumps({"code": "x"}).encode()
    for headers, status in (
        ({**good, "Origin": "http://angripare.example"}, 403),
        ({**good, "Origin": "http://127.0.0.1:1"}, 403),
        ({"Content-Type": "application/json"}, 403),  # no Origin at all
        ({**good, "Sec-Fetch-Site": "same-site"}, 403),
        ({**good, "Content-Type": "text/plain"}, 415),  # what a cross-site form can send
        ({**good, "Content-Type": "application/x-www-form-urlencoded"}, 415),
        (good, 400),  # the app's own request, with a code that is nobody's
    ):
        assert _request(route, method="POST", headers=headers, body=body)[0] == status, headers

    # The attack: someone logs in as themselves, keeps their one-time code from reaching
    # the server, and makes the victim's browser redeem it.
    attacker = _context(site)
    codes = []

    def keep_the_code(route_call):
        codes.append(json.loads(route_call.request.post_data)["code"])
        route_call.abort()

    attacker_page = attacker.new_page()
    attacker_page.route("**/workbench/session", keep_the_code)
    attacker_page.goto(server.url)
    attacker_page.get_by_label("E-postadress").fill(site["examiner"])
    attacker_page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    attacker_page.get_by_role("button", name="Logga in", exact=True).click()
    expect(attacker_page.get_by_role("heading", name="Välkommen")).to_be_visible(timeout=30_000)
    for _ in range(100):
        if codes:
            break
        attacker_page.wait_for_timeout(100)
    assert codes, "the login handed no code to the browser"
    victim = _context(site)
    page = victim.new_page()
    page.goto(server.url)
    expect(page.get_by_label("E-postadress")).to_be_visible(timeout=30_000)
    assert NONCE_COOKIE in {c["name"] for c in victim.cookies()}
    # From a page of another origin on the same site (the same host, another port), posting
    # what a form can post: the browser sends its Origin, and the route refuses.
    with _attacker_site() as elsewhere:
        page.goto(elsewhere)
        with page.expect_response(route) as sent:
            page.evaluate("""([route, code]) => fetch(route, {method: 'POST', mode: 'no-cors', credentials: 'include',
                headers: {'Content-Type': 'text/plain'}, body: JSON.stringify({code})})""", [route, codes[0]])
        assert sent.value.status == 403
    # Even from the app's own origin, in the victim's browser the code is not theirs.
    page.goto(server.url)
    wait_for_app(page)
    answer = page.evaluate("""([route, code]) => fetch(route, {method: 'POST', credentials: 'same-origin',
        headers: {'Content-Type': 'application/json'}, body: JSON.stringify({code})}).then(r => r.status)""",
                           [route, codes[0]])
    assert answer == 400
    assert COOKIE_NAME not in {c["name"] for c in victim.cookies()}
    page.reload()
    expect(page.get_by_label("E-postadress")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", name="Välkommen")).to_have_count(0)
    # In the browser that asked for it, the same code works.
    attacker_page.unroute("**/workbench/session")
    answer = attacker_page.evaluate("""([route, code]) => fetch(route, {method: 'POST', credentials: 'same-origin',
        headers: {'Content-Type': 'application/json'}, body: JSON.stringify({code})}).then(r => r.status)""",
                                    [route, codes[0]])
    assert answer == 204 and COOKIE_NAME in {c["name"] for c in attacker.cookies()}
    attacker.close()
    victim.close()


@contextlib.contextmanager
def _attacker_site():
    """Another origin on the same host: a page anyone could put up."""
    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            body = b"<!doctype html><p>Vinn en resa!</p>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


# --- 4. headers, and Streamlit under the policy --------------------------------------------


def test_every_response_carries_the_security_headers(site):
    server = site["server"]
    index = _request(server.url + "/")[2].decode()
    script = re.search(r'src="\./(static/js/[^"]+\.js)"', index).group(1)
    responses = {
        "page": _request(server.url + "/"),
        "a page's path": _request(server.url + "/konton"),
        "script": _request(f"{server.url}/{script}"),
        "health": _request(server.url + "/_stcore/health"),
        "hand-off script": _request(server.url + "/workbench/handoff.js"),
        "refused route": _request(server.url + "/workbench/session", method="POST", body=b"{}"),
        "missing": _request(server.url + "/_stcore/finns-inte"),
    }
    for what, (status, headers, _) in responses.items():
        policy = headers.get("Content-Security-Policy", "")
        assert "frame-ancestors 'self'" in policy and "script-src 'self'" in policy, (what, status)
        assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0], what
        assert headers.get("X-Content-Type-Options") == "nosniff", what
        assert headers.get("Referrer-Policy") == "same-origin", what
        assert headers.get("X-Frame-Options") == "SAMEORIGIN", what
        assert "Strict-Transport-Security" not in headers, what  # plain HTTP here; see test_web
    assert responses["health"][0] == 200 and responses["refused route"][0] == 403


def test_streamlit_works_under_the_policy_and_other_origins_cannot_frame_it(site):
    server = site["server"]
    context = _context(site)
    page = context.new_page()
    violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
    page.on("pageerror", lambda e: violations.append(str(e)))
    log_in(page, server.url, ADMIN, DEMO_PASSWORD)
    # Charts (plotly), tables, uploads, forms, the login cookie's hand-off script.
    for path, heading in (("beredning", "Beredning"), ("intag", "Intag av bidrag"), ("lag", "Lag och tilldelning"),
                          ("logg", "Händelselogg")):
        page.goto(f"{server.url}/{path}")
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible(timeout=30_000)
        wait_for_app(page)
    page.goto(f"{server.url}/beredning")
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=30_000)
    assert COOKIE_NAME in {c["name"] for c in context.cookies()}
    assert violations == []

    framing = context.new_page()
    with _attacker_site() as elsewhere:
        framing.goto(elsewhere)
        with framing.expect_console_message(lambda m: "frame-ancestors" in m.text, timeout=30_000):
            framing.evaluate("""url => { const frame = document.createElement('iframe');
                frame.src = url; frame.width = 800; frame.height = 600; document.body.append(frame); }""", server.url)
        assert framing.frame_locator("iframe").locator("[data-testid=stApp]").count() == 0
    context.close()


# --- 5. a second server, and a failing page -------------------------------------------------


def test_a_second_server_on_the_same_database_refuses_to_start(site):
    port = free_port()
    second = subprocess.run(
        [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env={**os.environ, "WORKBENCH_DB": str(site["database"])},
        capture_output=True, text=True, timeout=120)
    output = second.stdout + second.stderr
    assert second.returncode != 0
    assert "Examinatorsstöd startar inte." in output and "används redan av en annan process" in output
    assert str(site["database"]) in output and "Traceback" not in output
    # The first server is untouched and healthy: its health check reaches its database.
    assert _request(site["server"].url + "/_stcore/health")[:1] == (200,)


def test_a_failing_page_shows_a_swedish_sentence_and_the_log_keeps_the_details(site, tmp_path):
    database = tmp_path / "trasig.duckdb"
    store = Store(database)
    store._connection.execute("DROP TABLE settings")  # the login page reads the settings first
    store.close()
    server = Server(database, tmp_path / "server.log")
    try:
        context = _context(site)
        page = context.new_page()
        page.goto(server.url)
        expect(page.get_by_text("Något gick fel, och sidan kunde inte visas.")).to_be_visible(timeout=30_000)
        shown = page.get_by_test_id("stMain").inner_text()
        assert "settings" not in shown and "Catalog" not in shown and "Traceback" not in shown
        assert not page.get_by_test_id("stException").count()
        context.close()
    finally:
        server.stop()
    log = (tmp_path / "server.log").read_text()
    assert "Catalog Error" in log and "settings" in log

"""Chromium: log in as people do, keep the login across reloads, see only one's own pages."""

from __future__ import annotations

import shutil
import time

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, Server, free_port, log_in, pick, screenshot, wait_for_app
from helpers import team_of
from oidc_provider_mock import User, run_server_in_thread
from playwright.sync_api import expect, sync_playwright

from scoring.core.auth import COOKIE_NAME
from scoring.core.store import Store
from workbench_tools.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

EXAMINER = "erik.lind@demo.stockholm.se"


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server(demo_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    database = folder / "demo.duckdb"
    shutil.copy(demo_template, database)
    store = Store(database)  # read what the tests expect before the server owns the file
    expected = team_of(store, EXAMINER)
    store.close()
    running = Server(database, folder / "server.log")
    running.examiner_team = expected
    yield running
    running.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="sv-SE")
    yield context.new_page()
    context.close()


def test_examiner_logs_in_and_sees_the_assigned_contributions(server, page):
    log_in(page, server.url, EXAMINER, DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Välkommen, Erik")).to_be_visible()
    main = page.get_by_test_id("stMain")
    for unit in server.examiner_team["units"]:
        expect(main.get_by_text(unit, exact=True)).to_be_visible()
    for unit in server.examiner_team["other_units"]:
        expect(main.get_by_text(unit)).to_have_count(0)
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_text("Bidrag")).to_be_visible()
    expect(nav.get_by_text("Konton")).to_have_count(0)
    screenshot(page, "examiner-start")


def test_login_survives_reload_and_a_new_tab_with_an_httponly_cookie(server, page):
    log_in(page, server.url, EXAMINER, DEMO_PASSWORD)
    cookies = _wait_for_cookie(page)
    assert cookies[COOKIE_NAME]["httpOnly"] and cookies[COOKIE_NAME]["sameSite"] == "Strict"
    page.reload()
    expect(page.get_by_role("heading", name="Välkommen, Erik")).to_be_visible(timeout=30_000)
    second = page.context.new_page()
    second.goto(server.url + "/bidrag")
    expect(second.get_by_role("heading", name="Bidrag")).to_be_visible(timeout=30_000)
    # The cookie is only a key: tampered with, it is worth nothing.
    page.context.clear_cookies()
    page.context.add_cookies([{**cookies[COOKIE_NAME], "value": "x" + cookies[COOKIE_NAME]["value"]}])
    page.reload()
    expect(page.get_by_label("E-postadress")).to_be_visible(timeout=30_000)


def _wait_for_cookie(page) -> dict:
    """The page posts its one-time code right after login; wait for the cookie it brings."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        cookies = {c["name"]: c for c in page.context.cookies()}
        if COOKIE_NAME in cookies:
            return cookies
        page.wait_for_timeout(100)
    raise AssertionError("no session cookie was set")


def test_a_direct_url_to_another_roles_page_shows_nothing_of_it(server, page):
    log_in(page, server.url, EXAMINER, DEMO_PASSWORD)
    page.goto(server.url + "/konton")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Sidan finns inte")).to_be_visible()
    expect(page.get_by_text("Nytt konto")).to_have_count(0)
    expect(page.get_by_role("heading", name="Konton")).to_have_count(0)


def test_without_login_a_direct_url_shows_the_login_form(server, page):
    for path in ("/bidrag", "/konton", "/anvisningar"):
        page.goto(server.url + path)
        expect(page.get_by_label("E-postadress")).to_be_visible(timeout=30_000)
        expect(page.get_by_role("heading", name="Bidrag")).to_have_count(0)


def test_admin_reaches_accounts_and_logout_ends_the_session(server, page):
    log_in(page, server.url, "kvalitetsenheten@demo.stockholm.se", DEMO_PASSWORD)
    page.get_by_test_id("stSidebarNav").get_by_text("Konton").click()
    expect(page.get_by_role("heading", name="Konton", exact=True)).to_be_visible(timeout=30_000)
    screenshot(page, "admin-accounts")
    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_label("E-postadress")).to_be_visible(timeout=30_000)
    page.reload()
    expect(page.get_by_label("E-postadress")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", name="Välkommen")).to_have_count(0)


def test_wrong_password_says_so(server, page):
    page.goto(server.url)
    page.get_by_label("E-postadress").fill(EXAMINER)
    page.get_by_label("Lösenord").fill("fel-lösenord")
    page.get_by_role("button", name="Logga in", exact=True).click()
    expect(page.get_by_text("Fel e-postadress eller lösenord.")).to_be_visible(timeout=30_000)


@pytest.fixture(scope="module")
def oidc_server(demo_template, tmp_path_factory):
    users = [
        User(sub="lisa", claims={"email": "lisa.berg@demo.stockholm.se", "name": "Lisa Berg"}),
        User(sub="okand", claims={"email": "okand@stockholm.se", "name": "Okänd"}),
    ]
    with run_server_in_thread(port=0, user_claims=users) as provider:
        folder = tmp_path_factory.mktemp("oidc")
        database = folder / "demo.duckdb"
        shutil.copy(demo_template, database)
        port = free_port()
        secrets = folder / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            'cookie_secret = "en-hemlighet-bara-for-testet-0123456789"\n'
            'client_id = "examinatorsstod"\n'
            'client_secret = "hemligt"\n'
            f'server_metadata_url = "http://127.0.0.1:{provider.server_port}/.well-known/openid-configuration"\n',
            encoding="utf-8",
        )
        running = Server(database, folder / "server.log", port=port, extra=["--secrets.files", str(secrets)])
        yield running
        running.stop()


def _oidc_login(page, url: str, subject: str) -> None:
    page.goto(url)
    page.get_by_role("button", name="Logga in med stadens konto").click()
    page.get_by_role("button", name=subject, exact=True).click()


def test_oidc_login_maps_the_email_to_a_role(oidc_server, page):
    _oidc_login(page, oidc_server.url, "lisa")
    expect(page.get_by_role("heading", name="Välkommen, Lisa")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stSidebar").get_by_text("Lagsamordnare")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="Välkommen, Lisa")).to_be_visible(timeout=30_000)
    screenshot(page, "oidc-coordinator-start")


def test_oidc_login_without_an_account_is_refused(oidc_server, page):
    _oidc_login(page, oidc_server.url, "okand")
    expect(page.get_by_text("har ingen behörighet i Examinatorsstöd")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", name="Välkommen")).to_have_count(0)


def test_admin_uploads_a_contribution_and_accepts_it(server, page, tmp_path):
    from corpus import build, legacy_doc

    from scoring.year.framework import load_framework

    data, _ = build(load_framework(2026), "autonumrering")
    good = tmp_path / "Förskolan Lyktan.docx"
    good.write_bytes(data)
    bad = tmp_path / "gammal.doc"
    bad.write_bytes(legacy_doc())
    log_in(page, server.url, "kvalitetsenheten@demo.stockholm.se", DEMO_PASSWORD)
    page.goto(server.url + "/intag")
    page.locator("input[type=file]").set_input_files([str(good), str(bad)])
    page.get_by_role("button", name="Läs in 2 filer").click()
    expect(page.get_by_text("Förskolan Lyktan.docx är inläst och väntar på granskning.")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("gammal.doc: filen är i det gamla Word-formatet")).to_be_visible()
    screenshot(page, "admin-intake")
    page.get_by_role("button", name="Öppna granskningen").click()
    expect(page.get_by_role("heading", name="Granska fil")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Inga fynd")).to_be_visible()
    screenshot(page, "admin-review")
    pick(page, page.get_by_test_id("stSelectbox").filter(has_text="Förvaltning eller bolag"),
         "Norrmalms stadsdelsförvaltning")
    # 2026 names no competition classes: there is none to choose.
    expect(page.get_by_test_id("stSelectbox").filter(has_text="Tävlingsklass")).to_have_count(0)
    # Read in today, after the year's deadline: the office takes it in with a note.
    expect(page.get_by_text("efter sista dag för bidragen")).to_be_visible()
    page.get_by_role("textbox", name="Anteckning (krävs)").fill("Kom in sent med Kvalitetsenhetens godkännande.")
    page.get_by_role("button", name="Godkänn bidraget").click()
    expect(page.get_by_text("Skolan i Testby är godkänt som bidrag.")).to_be_visible(timeout=30_000)


ROLE_LOGINS = {
    "kvalitetsenheten@demo.stockholm.se": {"start", "aretsgang", "ar", "skriv_anvisningar", "anmalningar", "intag",
                                           "granskning", "behorighet", "examinatorer", "lag",
                                           "konsensus", "rapporter", "aterbesok", "mallar", "beredning", "beslut",
                                           "resultat", "arkiv",
                                           "bidrag", "anvisningar", "konton", "logg"},
    EXAMINER: {"start", "bedomning", "bidrag", "anvisningar"},
    "beredning@demo.stockholm.se": {"start", "beredning", "arkiv", "anvisningar"},
    "jury@demo.stockholm.se": {"start", "beredning", "beslut", "arkiv", "anvisningar"},
}
PAGE_HEADINGS = {
    "aretsgang": "Årets gång", "ar": "Utmärkelseår", "anmalningar": "Intresseanmälningar",
    "intag": "Intag av bidrag", "granskning": "Granska fil", "behorighet": "Grundläggande kontroll",
    "examinatorer": "Examinatorer", "lag": "Lag och tilldelning", "bidrag": "Bidrag", "bedomning": "Bedömning",
    "konsensus": "Konsensus", "rapporter": "Rapporter", "mallar": "Rapportmallar", "beredning": "Beredning",
    "beslut": "Beslut", "arkiv": "Arkiv", "aterbesok": "Återbesök", "resultat": "Resultat",
    "anvisningar": "Anvisningar", "skriv_anvisningar": "Skriv anvisningar", "konton": "Konton",
    "logg": "Händelselogg",
}


@pytest.mark.parametrize("email", list(ROLE_LOGINS))
def test_direct_urls_open_only_the_roles_pages(server, page, email):
    log_in(page, server.url, email, DEMO_PASSWORD)
    nav = page.get_by_test_id("stSidebarNav")
    for key, heading in PAGE_HEADINGS.items():
        page.goto(f"{server.url}/{key}")
        wait_for_app(page)
        if key in ROLE_LOGINS[email]:
            expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible(timeout=30_000)
        else:
            expect(page.get_by_role("heading", name="Sidan finns inte")).to_be_visible(timeout=30_000)
            expect(page.get_by_role("heading", name=heading, exact=True)).to_have_count(0)
            expect(nav.get_by_text(heading, exact=True)).to_have_count(0)


def test_the_office_writes_a_new_years_questionnaire(server, page):
    """Kvalitetsenheten copies 2026 into 2027, rewords question 1 and saves; Anvisningar shows it."""
    question = "Beskriv hur ni tar reda på vad era målgrupper behöver, och vad ni gör med det."
    log_in(page, server.url, "kvalitetsenheten@demo.stockholm.se", DEMO_PASSWORD)
    page.goto(server.url + "/skriv_anvisningar")
    expect(page.get_by_role("heading", name="Skriv anvisningar")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Kopiera").click()
    expect(page.get_by_text("Version 1. Ändringarna sparas först när du klickar Spara.")).to_be_visible(
        timeout=30_000)
    page.get_by_text("Målgrupp · frågorna 1–4").click()
    field = page.get_by_label("Fråga 1", exact=True)
    field.fill(question)
    field.press("Tab")
    wait_for_app(page)
    screenshot(page, "skriv-anvisningar")
    page.get_by_role("button", name="Spara anvisningarna").click()
    expect(page.get_by_text("Version 2. Ändringarna sparas först när du klickar Spara.")).to_be_visible(
        timeout=30_000)
    page.goto(server.url + "/anvisningar")
    wait_for_app(page)
    picker = page.get_by_test_id("stSelectbox").filter(has_text="Utmärkelseår").locator("input")
    picker.click()
    page.get_by_role("option", name="2027", exact=True).click()
    expect(page.get_by_text(question)).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", name="Tävlingsklasser")).to_have_count(0)
    screenshot(page, "anvisningar-2027")

"""Chromium: Streamlit's own English is gone. The walk over every page in the menu as every
role scans each page (test_browser_a11y.py walks once for axe and for this); here the scan's
own pattern, and a link to a page that answers in Swedish through the login."""

from __future__ import annotations

import shutil

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, PATTERN, Server, english_on, wait_for_app
from helpers import ADMIN, EXAMINER
from playwright.sync_api import expect, sync_playwright

from workbench_tools.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(demo_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("swedish")
    database = folder / "demo.duckdb"
    shutil.copy(demo_template, database)
    running = Server(database, folder / "server.log")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield {"server": running, "browser": chromium}
        finally:
            running.stop()
            chromium.close()


def test_the_pattern_finds_the_english_it_is_meant_to():
    assert PATTERN.search("Drag and drop files here") and PATTERN.search("25MB per file")
    assert PATTERN.search("Status None") and PATTERN.search("YYYY-MM-DD")
    assert not PATTERN.search("Uploaded Nonesuch Searchable Limiter")


@pytest.mark.parametrize(("email", "path", "heading"), [
    (ADMIN, "/konton", "Konton"),             # a page of the role: opened after the login
    (EXAMINER, "/konton", "Sidan finns inte"),  # another role's page: Swedish, no English dialog
])
def test_a_link_to_a_page_opens_the_login_and_then_the_page(site, email, path, heading):
    server = site["server"]
    context = site["browser"].new_context(viewport={"width": 1366, "height": 768}, locale="sv-SE")
    page = context.new_page()
    try:
        page.goto(server.url + path)
        wait_for_app(page)
        page.get_by_label("E-postadress").fill(email)
        page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Logga in", exact=True).click()
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible(timeout=30_000)
        assert english_on(page) == [] and page.locator("[role=dialog]").count() == 0
    finally:
        context.close()

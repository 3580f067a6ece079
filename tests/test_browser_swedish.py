"""Chromium: every page in the menu, as every role, shows none of Streamlit's own English.

One server on a copy of the demo year; one browser context per role. On each page the
visible text and the words a screen reader or a tooltip gives (title, aria-label,
placeholder) are scanned for the English that Streamlit's widgets bring with them.
"""

from __future__ import annotations

import re
import shutil

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, Server, log_in, wait_for_app
from helpers import ADMIN, COORDINATOR, EXAMINER, JURY, PREPARATORY
from playwright.sync_api import expect, sync_playwright

from workbench_tools.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

ROLES = {"admin": ADMIN, "examinator": EXAMINER, "lagsamordnare": COORDINATOR,
         "beredningsgrupp": PREPARATORY, "domarkommitte": JURY}
# Streamlit's default English as it appears in 1.67's widgets (file uploader, multiselect,
# date input, data table toolbar, navigation), matched as whole words.
ENGLISH = ["Drag and drop", "Browse files", "Upload", "Add files", "Limit", "per file", "Select all",
           "None", "NaN", "Page not found", "Download as CSV", "Search", "Fullscreen", "Show/hide columns",
           "YYYY", "yyyy", "MM/DD", "No results", "Clear all", "Choose an option", "Select...", "No options"]
PATTERN = re.compile("|".join(rf"(?<![\w/]){re.escape(w)}(?![\w])" for w in ENGLISH))
ATTRIBUTES = "title, aria-label, placeholder"
# The text a person sees (not text hidden or drawn at size 0) and the attribute values of what
# is shown (and of every field: a placeholder shows in an empty one).
SCAN = """() => {
  const seen = el => el.checkVisibility() && parseFloat(getComputedStyle(el).fontSize) > 0;
  const parts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (parent && !['SCRIPT', 'STYLE'].includes(parent.tagName) && seen(parent)) parts.push(node.textContent);
  }
  for (const el of document.body.querySelectorAll('[title], [aria-label], [placeholder]')) {
    if (!seen(el) && !el.matches('input, textarea')) continue;
    for (const name of ['title', 'aria-label', 'placeholder']) {
      const value = el.getAttribute(name);
      if (value) parts.push(value);
    }
  }
  return parts.join('\\n');
}"""


@pytest.fixture(scope="module")
def server(demo_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("swedish")
    database = folder / "demo.duckdb"
    shutil.copy(demo_template, database)
    running = Server(database, folder / "server.log")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def english_on(page) -> list[str]:
    return sorted({m.group(0) for m in PATTERN.finditer(page.evaluate(SCAN))})


def menu_paths(page, base_url: str) -> list[str]:
    links = page.get_by_test_id("stSidebarNav").locator("a")
    return [href.removeprefix(base_url) for href in
            (links.nth(i).get_attribute("href") for i in range(links.count())) if href]


def test_the_pattern_finds_the_english_it_is_meant_to():
    assert PATTERN.search("Drag and drop files here") and PATTERN.search("25MB per file")
    assert PATTERN.search("Status None") and PATTERN.search("YYYY-MM-DD")
    assert not PATTERN.search("Uploaded Nonesuch Searchable Limiter")


@pytest.mark.parametrize("role", list(ROLES))
def test_no_page_shows_streamlits_english(server, browser, role):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="sv-SE")
    page = context.new_page()
    try:
        log_in(page, server.url, ROLES[role], DEMO_PASSWORD)
        found = {}
        paths = menu_paths(page, server.url)
        assert len(paths) >= 3, paths
        for path in paths:  # through the menu, as people move (quicker than loading each page afresh)
            link = page.locator(f'[data-testid=stSidebarNavLink][href="{server.url}{path}"]')
            link.click()
            expect(link).to_have_attribute("aria-current", "page", timeout=30_000)
            wait_for_app(page)
            if words := english_on(page):
                found[path or "/"] = words
        # A path no page has (an old link, a page of another role) answers in Swedish.
        page.goto(server.url + "/konton" if role != "admin" else server.url + "/finns_inte")
        wait_for_app(page)
        expect(page.get_by_role("heading", name="Sidan finns inte")).to_be_visible()
        if words := english_on(page):
            found["sidan finns inte"] = words
        assert not found, f"Streamlits engelska som {role}: {found}"
    finally:
        context.close()


def test_a_link_to_a_page_opens_the_login_and_then_the_page(server, browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="sv-SE")
    page = context.new_page()
    try:
        page.goto(server.url + "/konton")
        wait_for_app(page)
        page.get_by_label("E-postadress").fill(ADMIN)
        page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Logga in", exact=True).click()
        expect(page.get_by_role("heading", name="Konton")).to_be_visible(timeout=30_000)
        assert english_on(page) == [] and page.locator("[role=dialog]").count() == 0
    finally:
        context.close()

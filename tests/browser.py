"""Helpers for the Chromium tests: a real server on a free port, and Playwright."""

from __future__ import annotations

import re
from pathlib import Path

from helpers import ROOT
from playwright.sync_api import expect

from scoring.core.auth import COOKIE_NAME
from workbench_tools.server_year import ServerProcess, free_port  # noqa: F401 - the tests take free_port from here

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts"


class Server(ServerProcess):
    """``streamlit run serve.py`` against a given database file, as ``make run`` starts it
    (``env`` may name another database: WORKBENCH_DATABASE_URL)."""

    def __init__(self, database: Path, log: Path, port: int | None = None, extra: list[str] = (),
                 env: dict[str, str] | None = None):
        super().__init__({"WORKBENCH_DB": str(database), **(env or {})}, log, port, extra=list(extra))


def wait_for_app(page) -> None:
    """Wait until Streamlit has finished the current run."""
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=30_000)


def log_in(page, base_url: str, email: str, password: str) -> None:
    """Log in, and wait until the browser holds the session cookie (it arrives just after the
    start page: a page opened sooner would find no login)."""
    page.goto(base_url)
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in", exact=True).click()
    page.get_by_role("heading", name="Välkommen").wait_for(timeout=30_000)
    wait_for_cookie(page)


def wait_for_cookie(page) -> None:
    """Wait until the browser holds the session cookie (it arrives just after the start page)."""
    wait_for_app(page)
    for _ in range(300):
        if any(c["name"] == COOKIE_NAME for c in page.context.cookies()):
            return
        page.wait_for_timeout(100)
    raise AssertionError("no session cookie after logging in")


def screenshot(page, name: str) -> None:
    wait_for_app(page)
    page.wait_for_timeout(500)  # let tables and charts paint
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def by_key(page, key: str):
    """The widget Streamlit gave this key (it carries the class st-key-<key>)."""
    return page.locator(f".st-key-{key}")


def form_with(page, key: str):
    """The form holding the widget with this key (forms carry no key class of their own)."""
    return page.get_by_test_id("stForm").filter(has=by_key(page, key))


def pick(page, selectbox, option: str) -> None:
    """Choose an option in a Streamlit selectbox (typing narrows a long list)."""
    field = selectbox.locator("input")
    expect(field).to_have_count(1, timeout=30_000)  # a redraw briefly shows the old copy beside the new
    field.click()
    field.fill(option)
    match = page.get_by_role("option", name=option, exact=True)
    try:
        match.click(timeout=5_000)
    except Exception:  # the list closed under a rerun: the filter still holds the one match
        field.click()
        field.fill(option)
        field.press("Enter")


def open_assessment(page, base_url: str, unit: str) -> None:
    """Bedömning on a contribution, declaring first if the page asks."""
    page.goto(f"{base_url}/bedomning?bidrag={unit}")
    wait_for_app(page)
    if page.get_by_role("button", name="Skicka deklarationen").count():
        page.get_by_text("Jag har inget jäv och behandlar bidraget konfidentiellt").click()
        page.get_by_role("button", name="Skicka deklarationen").click()
        wait_for_app(page)


NOTES = "Mina anteckningar per fråga (syns bara för dig)"


def write_note(page, question: str, text: str, open_notes: bool = True) -> None:
    """Type a private note on a question and leave the field (which saves it)."""
    if open_notes:
        page.get_by_text(NOTES).click()
    field = page.get_by_label(question, exact=True)
    field.fill(text)
    field.press("Tab")
    wait_for_app(page)


# Streamlit's default English as it appears in 1.67's widgets (file uploader, multiselect,
# date input, data table toolbar, navigation), matched as whole words.
ENGLISH = ["Drag and drop", "Browse files", "Upload", "Add files", "Limit", "per file", "Select all",
           "None", "NaN", "Page not found", "Download as CSV", "Search", "Fullscreen", "Show/hide columns",
           "YYYY", "yyyy", "MM/DD", "No results", "Clear all", "Choose an option", "Select...", "No options",
           "to apply", "to submit form"]
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


def english_on(page) -> list[str]:
    return sorted({m.group(0) for m in PATTERN.finditer(page.evaluate(SCAN))})

"""Chromium: two tabs of one examiner never overwrite each other silently. (Scoring a whole
contribution, autosave over a reload and submitting run in test_browser_year.)"""

from __future__ import annotations

import shutil

import pytest
from browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    NOTES,
    Server,
    english_on,
    log_in,
    open_assessment,
    screenshot,
    wait_for_app,
    write_note,
)
from playwright.sync_api import expect, sync_playwright

from scoring.core.store import Store
from scoring.year.framework import load_framework
from workbench_tools.demo import DEMO_PASSWORD, DEMO_YEAR

pytestmark = pytest.mark.browser
FRAMEWORK = load_framework(DEMO_YEAR)


@pytest.fixture(scope="module")
def setup(demo_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser-assessment")
    database = folder / "demo.duckdb"
    shutil.copy(demo_template, database)
    store = Store(database)
    # An examiner (not the coordinator) with a contribution not yet started or declared.
    email, cid, unit = store.fetchone(
        "SELECT u.email, s.contribution_id, n.name FROM assignments s JOIN teams t ON t.id = s.team_id"
        " JOIN team_members m ON m.team_id = s.team_id JOIN users u ON u.id = m.user_id"
        " JOIN contributions c ON c.id = s.contribution_id JOIN units n ON n.id = c.unit_id"
        " WHERE u.id <> t.coordinator_id AND NOT EXISTS (SELECT 1 FROM conflict_declarations d"
        "  WHERE d.user_id = u.id AND d.contribution_id = s.contribution_id) ORDER BY s.contribution_id, u.name LIMIT 1")
    other_unit = store.fetchone(
        "SELECT n.name FROM assignments s JOIN team_members m ON m.team_id = s.team_id JOIN users u ON u.id = m.user_id"
        " JOIN contributions c ON c.id = s.contribution_id JOIN units n ON n.id = c.unit_id"
        " WHERE u.email = ? AND s.contribution_id <> ? LIMIT 1", [email, cid])[0]
    store.close()
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        server = Server(database, folder / "server.log")
        try:
            yield {"server": server, "browser": chromium, "email": email, "cid": cid, "unit": unit,
                   "other_unit": other_unit}
        finally:
            server.stop()
            chromium.close()


def criterion_box(page, title: str):
    # The innermost block holding the criterion's title is its bordered container.
    return page.locator("[data-testid=stVerticalBlock]").filter(has=page.get_by_text(title, exact=True)).last


def test_a_second_tab_never_overwrites_silently(setup):
    server, email, unit = setup["server"], setup["email"], setup["other_unit"]
    context = setup["browser"].new_context(viewport={"width": 1500, "height": 1100}, locale="sv-SE")
    first = context.new_page()
    log_in(first, server.url, email, DEMO_PASSWORD)
    open_assessment(first, server.url, unit)
    second = context.new_page()
    second.goto(f"{server.url}/bedomning?bidrag={unit}")
    wait_for_app(second)
    question = f"Fråga {FRAMEWORK.areas[0].questions[0].number}"
    for tab, text in ((second, "Från den andra fliken."), (first, "Från den första fliken.")):
        write_note(tab, question, text)
    expect(first.get_by_text("Din senaste ändring är inte sparad", exact=False)).to_be_visible(timeout=30_000)
    expect(first.get_by_text("Sparat under tiden:")).to_be_visible()
    screenshot(first, "assessment-stale-save")
    first.get_by_role("button", name="Spara min ändring ändå").click()
    wait_for_app(first)
    expect(first.get_by_text("Din senaste ändring är inte sparad", exact=False)).to_have_count(0)
    second.reload()
    wait_for_app(second)
    second.get_by_text(NOTES).click()
    expect(second.get_by_label(question, exact=True)).to_have_value("Från den första fliken.")
    context.close()


def test_text_typed_and_not_left_survives_a_reload(setup):
    """A note typed and never left is kept as a draft while typing; after a reload it is back in
    its field, says so, and leaving the field saves it. Typing not yet kept asks before leaving."""
    server, email, unit = setup["server"], setup["email"], setup["unit"]
    context = setup["browser"].new_context(viewport={"width": 1366, "height": 768}, locale="sv-SE")
    page = context.new_page()
    log_in(page, server.url, email, DEMO_PASSWORD)
    open_assessment(page, server.url, unit)
    question = f"Fråga {FRAMEWORK.areas[0].questions[0].number}"
    page.get_by_text(NOTES).click()
    field = page.get_by_label(question, exact=True)
    field.click()
    field.press_sequentially("Skrivet men aldrig lämnat.")
    assert english_on(page) == []  # no "Press Ctrl+Enter to apply" under the field being typed in
    expect(page.get_by_text("Utkast sparat", exact=False)).to_be_visible(timeout=30_000)
    page.reload()
    wait_for_app(page)
    page.get_by_text(NOTES).click()
    field = page.get_by_label(question, exact=True)
    expect(field).to_have_value("Skrivet men aldrig lämnat.")
    expect(page.get_by_text("Återställt utkast från", exact=False)).to_be_visible()
    field.click()
    field.press("Tab")
    expect(page.get_by_text("Sparat", exact=True)).to_be_visible(timeout=30_000)
    # Saved for real: a new page load shows the text with no draft to restore.
    page.reload()
    wait_for_app(page)
    page.get_by_text(NOTES).click()
    wait_for_app(page)
    screenshot(page, "draft-after-save-reload")
    field = page.get_by_label(question, exact=True)
    expect(field).to_have_value("Skrivet men aldrig lämnat.")
    expect(page.get_by_text("Sparat", exact=True)).to_be_visible()
    expect(page.get_by_text("Återställt utkast från", exact=False)).to_have_count(0)

    # Typed and not yet kept anywhere: leaving the page asks first.
    field.click()
    field.press("End")
    field.press_sequentially(" Mer.")
    with page.expect_event("dialog") as asked:
        page.close(run_before_unload=True)
    assert asked.value.type == "beforeunload"
    asked.value.dismiss()
    context.close()

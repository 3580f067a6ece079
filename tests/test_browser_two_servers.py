"""Two server processes on one PostgreSQL database, as behind a sticky proxy: a save in one is
seen in the other on its next rerun, a stale save from the other is refused, every page works
on both."""

from __future__ import annotations

import pytest
from browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    NOTES,
    Server,
    log_in,
    open_assessment,
    screenshot,
    wait_for_app,
    write_note,
)
from playwright.sync_api import expect, sync_playwright
from test_browser import EXAMINER, PAGE_HEADINGS, ROLE_LOGINS

from scoring.core.store_postgres import PostgresStore
from scoring.year.framework import load_framework
from workbench_tools.demo import DEMO_PASSWORD, DEMO_YEAR

pytestmark = pytest.mark.browser
FRAMEWORK = load_framework(DEMO_YEAR)


@pytest.fixture(scope="module")
def setup(postgres_cluster, postgres_demo, tmp_path_factory):
    folder = tmp_path_factory.mktemp("two-servers")
    url = postgres_cluster.new_database(template=postgres_demo)
    store = PostgresStore(url)
    # An examiner (not the coordinator) with a contribution not yet declared.
    email, unit = store.fetchone(
        "SELECT u.email, n.name FROM assignments s JOIN teams t ON t.id = s.team_id"
        " JOIN team_members m ON m.team_id = s.team_id JOIN users u ON u.id = m.user_id"
        " JOIN contributions c ON c.id = s.contribution_id JOIN units n ON n.id = c.unit_id"
        " WHERE u.id <> t.coordinator_id AND NOT EXISTS (SELECT 1 FROM conflict_declarations d"
        "  WHERE d.user_id = u.id AND d.contribution_id = s.contribution_id) ORDER BY s.contribution_id, u.name LIMIT 1")
    store.close()
    env = {"WORKBENCH_DATABASE_URL": url}
    servers = []
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for name in ("first", "second"):
                servers.append(Server(folder / "unused.duckdb", folder / f"{name}.log", env=env))
            yield {"servers": servers, "browser": chromium, "email": email, "unit": unit}
        finally:
            for server in servers:
                server.stop()
            chromium.close()
            postgres_cluster.drop_database(url)
    assert not (folder / "unused.duckdb").exists()  # neither server touched a DuckDB file


def _logged_in_context(setup, email: str):
    context = setup["browser"].new_context(viewport={"width": 1500, "height": 1100}, locale="sv-SE")
    page = context.new_page()
    log_in(page, setup["servers"][0].url, email, DEMO_PASSWORD)
    return context, page


def test_a_save_in_one_server_is_seen_in_the_other_and_a_stale_save_is_refused(setup):
    first_server, second_server = setup["servers"]
    context, first = _logged_in_context(setup, setup["email"])
    unit = setup["unit"]
    open_assessment(first, first_server.url, unit)
    # The same login (the session lives in the shared database) on the other server process.
    second = context.new_page()
    second.goto(f"{second_server.url}/bedomning?bidrag={unit}")
    wait_for_app(second)
    expect(second.get_by_role("heading", name="Bedömning", exact=True)).to_be_visible(timeout=30_000)
    question = f"Fråga {FRAMEWORK.areas[0].questions[0].number}"
    for tab, text in ((second, "Från den andra servern."), (first, "Från den första servern.")):
        write_note(tab, question, text)
    # The first server read its version before the second server's save: refused, and it says so.
    expect(first.get_by_text("Din senaste ändring är inte sparad", exact=False)).to_be_visible(timeout=30_000)
    expect(first.get_by_text("Sparat under tiden:")).to_be_visible()
    first.get_by_text("Sparat under tiden:").scroll_into_view_if_needed()
    screenshot(first, "two-servers-stale-save")
    # The first server's next rerun shows what the second server saved.
    first.reload()
    wait_for_app(first)
    first.get_by_text(NOTES).click()
    expect(first.get_by_label(question, exact=True)).to_have_value("Från den andra servern.")
    # And the other way round: a save on the first server, seen on the second.
    write_note(first, question, "Rättat på den första servern.", open_notes=False)
    expect(first.get_by_text("Din senaste ändring är inte sparad", exact=False)).to_have_count(0)
    second.reload()
    wait_for_app(second)
    second.get_by_text(NOTES).click()
    expect(second.get_by_label(question, exact=True)).to_have_value("Rättat på den första servern.")
    context.close()


@pytest.mark.parametrize("email", ["kvalitetsenheten@demo.stockholm.se", EXAMINER])
def test_every_page_works_on_both_servers(setup, email):
    context, page = _logged_in_context(setup, email)
    pages = [key for key in PAGE_HEADINGS if key in ROLE_LOGINS[email]]
    for index, key in enumerate(pages):
        server = setup["servers"][index % 2]  # alternate: each page on one of the two processes
        page.goto(f"{server.url}/{key}")
        wait_for_app(page)
        expect(page.get_by_role("heading", name=PAGE_HEADINGS[key], exact=True)).to_be_visible(timeout=30_000)
        expect(page.get_by_test_id("stException")).to_have_count(0)
    context.close()

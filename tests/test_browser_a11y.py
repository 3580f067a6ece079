"""Chromium: axe-core over every page in the menu, as every role (WCAG 2.1 AA).

One server and one browser for the module; each role logs in once and walks its menu by
clicking (the page is not reloaded, so axe is injected once per role). What axe finds is
either the workbench's own making, which must be none, or Streamlit's own markup, listed
below by rule and by the Streamlit element it sits in. The list must stay true: a new
finding fails, and so does an allowed one that no longer occurs (Streamlit fixed it).
"""

from __future__ import annotations

import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser import CHROMIUM, CHROMIUM_ARGS, Server, log_in, wait_for_app
from helpers import ADMIN, EXAMINER, JURY, PREPARATORY
from playwright.sync_api import expect, sync_playwright

from scoring.core import access, auth
from scoring.core.store import Store
from scoring.teams import conflicts
from workbench_tools.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

# Streamlit's own markup that axe finds fault with: (rule, the Streamlit element it sits in).
STREAMLIT_OWNED = {
    # The menu's <ul> holds a <div> per section, so its <li> have no list parent.
    ("list", "[data-testid=stSidebarNavItems]"),
    ("listitem", "[data-testid=stSidebarNavItems]"),
    # The file uploader's drop zone is role=presentation yet carries an aria-label.
    ("presentation-role-conflict", "[data-testid=stFileUploaderDropzone]"),
    # A disabled selectbox greys its value; WCAG 1.4.3 asks no contrast of inactive controls,
    # but axe cannot tell (the value is drawn outside the disabled input).
    ("color-contrast", "[data-testid=stSelectbox]:has(input:disabled)"),
    # The table grid's row-number column has an empty header cell.
    ("empty-table-header", "[data-testid=stDataFrame]"),
}
# WCAG 2.0/2.1 A and AA, and the heading outline (a best practice in axe, asked for by the issue).
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
               "resultTypes": ["violations"]}
# For each failing node: the allowed Streamlit element it sits in, if any.
OWNER_OF_NODES = """([targets, owners]) => targets.map(t => {
    const node = document.querySelector(t);
    return node ? owners.find(o => node.closest(o)) ?? null : null;
})"""


@pytest.fixture(scope="module")
def walk(demo_template, tmp_path_factory):
    """Every role's menu walked once: {role: {page: [(rule, impact, owner, html), ...]}}."""
    folder = tmp_path_factory.mktemp("browser-a11y")
    database = folder / "demo.duckdb"
    shutil.copy(demo_template, database)
    store = Store(database)
    coordinator = store.fetchone(
        "SELECT c.email FROM teams t JOIN team_members m ON m.team_id = t.id JOIN users e ON e.id = m.user_id"
        " JOIN users c ON c.id = t.coordinator_id WHERE e.email = ?", [EXAMINER])[0]
    roles = {"kvalitetsenheten": ADMIN, "examinator": EXAMINER, "lagsamordnare": coordinator,
             "beredningsgrupp": PREPARATORY, "domarkommitte": JURY}
    # Declared, so Bedömning shows the assessment itself rather than the declaration form.
    for email in (EXAMINER, coordinator):
        user = auth.user_by_email(store, email)
        for (cid,) in store.fetchall("SELECT s.contribution_id FROM assignments s JOIN team_members m"
                                     " ON m.team_id = s.team_id WHERE m.user_id = ?", [user.id]):
            if access.needs_declaration(store, user, cid):
                conflicts.declare(store, user, cid, has_conflict=False, confidentiality_accepted=True)
    store.close()
    owners = sorted({owner for _, owner in STREAMLIT_OWNED})
    axe = Axe()
    found: dict[str, dict[str, list[tuple]]] = {}
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        server = Server(database, folder / "server.log")
        try:
            for role, email in roles.items():
                context = chromium.new_context(viewport={"width": 1366, "height": 768}, locale="sv-SE")
                page = context.new_page()
                log_in(page, server.url, email, DEMO_PASSWORD)
                page.evaluate(axe.axe_script)  # the script is kept: the menu changes pages without a reload
                links = page.locator("[data-testid=stSidebarNav] a")
                addresses = links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
                assert len(addresses) >= 5, f"{role} har bara {addresses} i menyn"
                found[role] = {}
                for address in addresses:
                    page.locator(f"[data-testid=stSidebarNav] a[href='{address}']").click()
                    page.wait_for_url(address)
                    wait_for_app(page)
                    expect(page.locator("[data-stale=true]")).to_have_count(0)
                    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
                    nodes = []
                    for violation in result["violations"]:
                        targets = [n["target"][0] for n in violation["nodes"]]
                        for node, owner in zip(violation["nodes"], page.evaluate(OWNER_OF_NODES, [targets, owners]),
                                               strict=True):
                            if (violation["id"], owner) not in STREAMLIT_OWNED:
                                owner = None
                            nodes.append((violation["id"], violation["impact"], owner,
                                          node["html"][:160], node.get("failureSummary", "")[:240]))
                    found[role][address.removeprefix(server.url) or "/"] = nodes
                context.close()
        finally:
            server.stop()
            chromium.close()
    return found


def test_every_page_as_every_role_has_no_violations_of_the_workbenchs_own(walk):
    ours = [f"{role} · {title}: {rule} ({impact}) {html} — {summary}"
            for role, pages in walk.items() for title, nodes in pages.items()
            for rule, impact, owner, html, summary in nodes if owner is None]
    assert not ours, "\n".join(ours)
    # Every role's whole menu was checked, the office's longest of all.
    assert len(walk["kvalitetsenheten"]) > max(len(pages) for role, pages in walk.items() if role != "kvalitetsenheten")


def test_the_list_of_streamlits_own_violations_is_still_true(walk):
    seen = {(rule, owner) for pages in walk.values() for nodes in pages.values()
            for rule, _, owner, _, _ in nodes if owner is not None}
    assert seen == STREAMLIT_OWNED, f"inte längre sedda: {STREAMLIT_OWNED - seen}"

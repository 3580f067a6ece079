"""Chromium: a coordinator takes a demo contribution from submitted assessments through
consensus and the site visit to the team's proposal."""

from __future__ import annotations

import json
import shutil

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, Server, log_in, screenshot, wait_for_app
from playwright.sync_api import expect, sync_playwright

from scoring import consensus
from scoring.consensus_rules import agenda
from scoring.demo import DEMO_PASSWORD, DEMO_YEAR
from scoring.framework import load_framework
from scoring.store import Store

pytestmark = pytest.mark.browser
FRAMEWORK = load_framework(DEMO_YEAR)


@pytest.fixture(scope="module")
def setup(demo_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser-consensus")
    database = folder / "demo.duckdb"
    shutil.copy(demo_template, database)
    store = Store(database)
    # A contribution whose team has all submitted, and its coordinator.
    cid, unit, email = store.fetchone(
        "SELECT c.id, n.name, u.email FROM contributions c JOIN units n ON n.id = c.unit_id"
        " JOIN assignments s ON s.contribution_id = c.id JOIN teams t ON t.id = s.team_id"
        " JOIN users u ON u.id = t.coordinator_id WHERE c.phase = 'individuell_bedomning' AND NOT EXISTS"
        " (SELECT 1 FROM team_members m LEFT JOIN assessments a ON a.examiner_id = m.user_id"
        "  AND a.contribution_id = c.id WHERE m.team_id = t.id AND coalesce(a.status, '') <> 'inlamnad')"
        " ORDER BY c.id LIMIT 1")
    # The individual scores, to know which areas will need a rationale.
    individual = [{code: {"criteria": json.loads(c), "score": s}
                   for code, c, s in store.fetchall(
                       "SELECT area_code, criterion_scores, area_score FROM assessment_areas WHERE assessment_id = ?",
                       [aid])}
                  for (aid,) in store.fetchall("SELECT id FROM assessments WHERE contribution_id = ?", [cid])]
    items = agenda(FRAMEWORK, individual, consensus.DEFAULT_SPREAD_THRESHOLD)
    store.close()
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        server = Server(database, folder / "server.log")
        try:
            yield {"server": server, "browser": chromium, "email": email, "cid": cid, "unit": unit, "agenda": items}
        finally:
            server.stop()
            chromium.close()


def by_key(page, key: str):
    return page.locator(f".st-key-{key}")


def form_with(page, key: str):
    """The form holding the widget with this key (forms carry no key class of their own)."""
    return page.get_by_test_id("stForm").filter(has=by_key(page, key))


def go_on(page, label: str) -> None:
    page.get_by_role("button", name=f"Gå vidare: {label}").click()
    wait_for_app(page)
    expect(page.get_by_text(label.capitalize(), exact=True).first).to_be_visible(timeout=30_000)


def test_a_coordinator_runs_consensus_site_visit_and_proposal(setup):
    server, cid = setup["server"], setup["cid"]
    context = setup["browser"].new_context(viewport={"width": 1500, "height": 1200}, locale="sv-SE")
    page = context.new_page()
    log_in(page, server.url, setup["email"], DEMO_PASSWORD)
    page.goto(f"{server.url}/konsensus?konsensus_bidrag={setup['unit']}")
    wait_for_app(page)
    page.get_by_role("button", name="Öppna konsensus").click()
    wait_for_app(page)
    expect(page.get_by_role("tab", name="Poäng")).to_be_visible(timeout=30_000)
    screenshot(page, "consensus-agenda")

    # Scores: the median offered for every criterion, a rationale where the area is flagged.
    for item in setup["agenda"]:
        expander = page.get_by_test_id("stExpander").filter(has_text=FRAMEWORK.area(item.area_code).title).first
        if not by_key(page, f"k{cid}_score_{item.area_code}_{next(iter(item.criteria))}_value").is_visible():
            expander.locator("summary").click()
        for code, spread in item.criteria.items():
            prefix = f"k{cid}_score_{item.area_code}_{code}_"
            by_key(page, prefix + "value").click()
            page.get_by_role("option", name=str(spread.median_offer), exact=True).click()
            form_with(page, prefix + "value").get_by_role("button", name="Spara").click()
            wait_for_app(page)
        if item.flagged:
            field = by_key(page, f"k{cid}_why_{item.area_code}_").locator("textarea")
            field.fill("Laget enades efter att ha gått igenom svaren fråga för fråga.")
            field.press("Tab")
            wait_for_app(page)

    # Findings: one merged group of each kind per area.
    page.get_by_role("tab", name="Iakttagelser").click()
    for area in FRAMEWORK.areas:
        by_key(page, f"k{cid}_findings_area").get_by_role("radio", name=area.title, exact=True).click()
        wait_for_app(page)
        for kind in ("styrka", "utvecklingsomrade"):
            first_group = page.locator(f'[class*="st-key-k{cid}_g{area.code}_{kind}_"]').first
            first_group.locator("xpath=ancestor::*[@data-testid='stForm'][1]").get_by_role(
                "button", name="Ta med i konsensus").click()
            wait_for_app(page)
    screenshot(page, "consensus-findings")
    go_on(page, "platsbesök")

    # The site visit: date, participants, every document, an outcome for every question.
    page.get_by_role("tab", name="Platsbesök").click()
    details = form_with(page, f"k{cid}_visit_participants")
    details.get_by_role("spinbutton", name="year, Datum").click()
    page.keyboard.type("20260922")
    details.get_by_label("Deltagare").fill("Laget och verksamhetens ledningsgrupp")
    for document in FRAMEWORK.site_visit_documents:
        details.get_by_role("radiogroup", name=document).get_by_text("Sedd", exact=True).click()
    details.get_by_role("button", name="Spara uppgifterna").click()
    wait_for_app(page)
    questions = form_with(page, f"k{cid}_visit_new_text")
    for option in questions.get_by_text("Bekräftad", exact=True).all():
        option.click()
    questions.get_by_role("button", name="Spara frågorna").click()
    wait_for_app(page)
    screenshot(page, "consensus-site-visit")
    go_on(page, "slutlig konsensus")

    # Final consensus: a changed score needs its reason; then the key themes.
    page.get_by_role("tab", name="Poäng").click()
    first = setup["agenda"][0]
    code, spread = next(iter(first.criteria.items()))
    prefix = f"k{cid}_score_{first.area_code}_{code}_"
    if not by_key(page, prefix + "value").is_visible():
        page.get_by_test_id("stExpander").filter(has_text=FRAMEWORK.area(first.area_code).title).first.locator(
            "summary").click()
    changed = spread.median_offer + 5 if spread.median_offer < 100 else spread.median_offer - 5
    by_key(page, prefix + "value").click()
    page.get_by_role("option", name=str(changed), exact=True).click()
    form_with(page, prefix + "value").get_by_role("button", name="Spara").click()
    wait_for_app(page)
    expect(page.get_by_text("Skälet till ändringen saknas.")).to_be_visible()
    by_key(page, prefix + "value").click()
    page.get_by_role("option", name=str(changed), exact=True).click()
    by_key(page, prefix + "reason").locator("input").fill("Platsbesöket visade uppföljning i hela verksamheten.")
    form_with(page, prefix + "value").get_by_role("button", name="Spara").click()
    wait_for_app(page)
    page.get_by_role("tab", name="Ändringar").click()
    # The table draws on a canvas; its accessible cells carry the text.
    expect(page.locator("td[data-testid^=glide-cell]", has_text="Platsbesöket visade uppföljning")).to_have_count(1)

    page.get_by_role("tab", name="Nyckelteman").click()
    form = form_with(page, f"k{cid}_theme_text")
    for kind in ("Styrka", "Utvecklingsområde"):
        for n in range(3):
            form.get_by_text(kind, exact=True).click()
            form.get_by_label("Nytt nyckeltema").fill(f"{kind} nummer {n + 1} för hela bidraget.")
            form.get_by_role("button", name="Lägg till").click()
            wait_for_app(page)
    go_on(page, "återkoppling klar")

    page.get_by_role("tab", name="Förslag").click()
    proposal = form_with(page, f"k{cid}_proposal_motivation")
    proposal.get_by_text("Utmärkelse", exact=True).click()
    proposal.get_by_label("Motivering till beredningsgruppen").fill("Systematiskt och lärande i alla områden.")
    proposal.get_by_role("button", name="Lämna förslaget").click()
    wait_for_app(page)
    expect(page.get_by_text("Lagets förslag:")).to_contain_text("Utmärkelse", timeout=30_000)
    expect(page.get_by_text("Förslag lämnat", exact=True).first).to_be_visible()
    screenshot(page, "consensus-proposal")
    context.close()

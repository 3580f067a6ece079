"""Chromium: the preparatory group filters a class and compares two candidates; the jury decides."""

from __future__ import annotations

import shutil

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, Server, log_in, screenshot, wait_for_app
from playwright.sync_api import expect, sync_playwright

from scoring.demo import DEMO_PASSWORD, DEMO_YEAR
from scoring.framework import load_framework
from scoring.store import Store

pytestmark = pytest.mark.browser


def test_preparation_comparison_and_decisions(demo_template, tmp_path):
    database = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, database)
    store = Store(database)
    proposed = store.fetchall(
        "SELECT n.name, c.class_code FROM proposals p JOIN contributions c ON c.id = p.contribution_id"
        " JOIN units n ON n.id = c.unit_id WHERE c.year = ? ORDER BY c.id", [DEMO_YEAR])
    store.close()
    framework = load_framework(DEMO_YEAR)
    server = Server(database, tmp_path / "server.log")
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1500, "height": 1100})
            page = context.new_page()
            log_in(page, server.url, "beredning@demo.stockholm.se", DEMO_PASSWORD)
            page.goto(f"{server.url}/beredning")
            wait_for_app(page)
            # Every proposal, not only awards and honourable mentions.
            page.locator(".st-key-beredning_forslag").get_by_role("button", name="Clear all").click()
            wait_for_app(page)
            page.locator(".st-key-beredning_klass").click()
            page.get_by_role("option", name=framework.class_name(proposed[0][1])).click()
            wait_for_app(page)
            screenshot(page, "shortlist-class")
            page.locator(".st-key-beredning_klass").click()
            page.get_by_role("option", name="Alla klasser").click()
            wait_for_app(page)
            page.get_by_role("tab", name="Jämför").click()
            picker = page.locator(".st-key-jamfor")
            for unit, _ in proposed[:2]:
                picker.click()
                page.get_by_role("option", name=unit).click()
                wait_for_app(page)
            expect(page.get_by_text("Nyckelteman").first).to_be_visible(timeout=30_000)
            screenshot(page, "shortlist-compare")
            context.close()

            context = browser.new_context(viewport={"width": 1500, "height": 1100})
            page = context.new_page()
            log_in(page, server.url, "jury@demo.stockholm.se", DEMO_PASSWORD)
            page.goto(f"{server.url}/beslut")
            wait_for_app(page)
            forms = page.get_by_test_id("stForm")
            for index in range(forms.count()):
                form = page.get_by_test_id("stForm").nth(index)
                form.get_by_text("Ingen utmärkelse", exact=True).click()
                form.get_by_role("button", name="Spara beslutet").click()
                wait_for_app(page)
            page.get_by_role("button", name="Avsluta året").click()
            wait_for_app(page)
            expect(page.get_by_text(f"Kvalitetsutmärkelsen {DEMO_YEAR} är avslutad")).to_be_visible(timeout=30_000)
            screenshot(page, "decisions-locked")
            browser.close()
    finally:
        server.stop()

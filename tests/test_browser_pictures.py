"""Chromium: the office reviews a file with pictures (each with the text OCR read in it, the
text passage flagged), accepts it, and an examiner-eyed reading shows the pictures in place
and the footnotes under their question."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, Server, log_in, screenshot, wait_for_app
from corpus_word import ITEMS, with_pictures
from helpers import ADMIN
from playwright.sync_api import expect, sync_playwright

from scoring.core import auth
from scoring.core.store import Store
from scoring.intake import review as intake_store
from workbench_tools.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_pictures_and_their_text_on_the_review_screen_and_in_the_reading_pane(demo_template, tmp_path):
    database = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, database)
    store = Store(database)  # files taken in through the core, before the server owns the database
    admin = auth.user_by_email(store, ADMIN)
    on_time = dt.datetime(2026, 5, 6, 8)  # before the deadline: this test is about pictures
    intake_store.upload(store, admin, 2026, "Bildskolan.docx", with_pictures()[0], received_at=on_time)
    notes = intake_store.upload(store, admin, 2026, "Notskolan.docx", ITEMS["textrutor_och_fotnoter"]()[0],
                                received_at=on_time)
    intake_store.accept(store, admin, notes, intake_store.review(store, admin, notes).version,
                        unit_name="Notskolan", organisation="Utbildningsförvaltningen")
    store.close()
    server = Server(database, tmp_path / "server.log")
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="sv-SE").new_page()
            log_in(page, server.url, ADMIN, DEMO_PASSWORD)
            page.get_by_role("link", name="Granska fil").click()
            main = page.get_by_test_id("stMain")
            expect(main.get_by_text("Textstycke", exact=True)).to_be_visible(timeout=30_000)
            expect(main.get_by_text("Elevrådet träffar rektor", exact=False).first).to_be_visible()
            pictures = main.locator("[data-testid=stImage] img")
            expect(pictures).to_have_count(4)  # the EMF is named, not shown
            assert page.evaluate("() => [...document.querySelectorAll('[data-testid=stImage] img')]"
                                 ".every(i => i.complete && i.naturalWidth > 0)")
            main.get_by_text("Bild 4", exact=True).first.scroll_into_view_if_needed()
            screenshot(page, "pictures-01-review")
            page.get_by_role("link", name="Bidrag").click()
            expect(page.get_by_role("heading", name="Bidrag")).to_be_visible()
            wait_for_app(page)
            page.get_by_test_id("stSelectbox").last.click()
            page.get_by_role("option", name="Notskolan").click()
            page.get_by_role("tab", name="Målgrupp").click()
            note = main.get_by_text("[1] Fotnot: Brukarrådet består av sex vårdnadshavare", exact=False)
            expect(note).to_be_visible(timeout=30_000)
            note.scroll_into_view_if_needed()
            screenshot(page, "pictures-02-notes")
            page.get_by_role("tab", name="Chef- och ledarskap").click()
            box = main.get_by_text("Tre steg: lyssna, besluta och följa upp.")
            expect(box).to_be_visible()
            box.scroll_into_view_if_needed()
            screenshot(page, "pictures-03-text-box")
            browser.close()
    finally:
        server.stop()

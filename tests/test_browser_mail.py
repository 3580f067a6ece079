"""Chromium: the office sends a reminder from Årets gång and finds it sent in Utskick, while
a real SMTP server (aiosmtpd on 127.0.0.1) receives it."""

from __future__ import annotations

import shutil

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, Server, log_in, screenshot, wait_for_app
from helpers import ADMIN
from mail_server import running
from playwright.sync_api import expect, sync_playwright

from scoring.core.store import Store
from workbench_tools.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser
SUBJECT = "Påminnelse: individuell bedömning senast 28 augusti 2026"


def test_the_office_sends_a_reminder_and_sees_it_in_the_outbox(demo_template, tmp_path, monkeypatch):
    database = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, database)
    store = Store(database)
    not_done = store.fetchone(
        "SELECT count(DISTINCT e.id) FROM assignments s JOIN team_members m ON m.team_id = s.team_id"
        " JOIN users e ON e.id = m.user_id LEFT JOIN assessments a ON a.contribution_id = s.contribution_id"
        " AND a.examiner_id = e.id LEFT JOIN conflict_declarations d ON d.contribution_id = s.contribution_id"
        " AND d.user_id = e.id WHERE NOT coalesce(d.has_conflict, FALSE)"
        " AND coalesce(a.status, '') NOT IN ('inlamnad', 'last')")[0]
    store.close()
    with running(monkeypatch) as mailbox, sync_playwright() as pw:
        server = Server(database, tmp_path / "server.log")  # the server gets the mail settings
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = chromium.new_page(viewport={"width": 1366, "height": 768}, locale="sv-SE")
            log_in(page, server.url, ADMIN, DEMO_PASSWORD)
            page.goto(f"{server.url}/aretsgang")
            button = page.get_by_role("button", name=f"Skicka påminnelse nu ({not_done})")
            button.wait_for(timeout=30_000)
            button.click()
            expect(page.get_by_text(f"Påminnelse skickas till {not_done} personer")).to_be_visible(timeout=30_000)
            expect(page.get_by_role("button", name="Skicka påminnelse nu (0)").first).to_be_visible()
            screenshot(page, "mail-01-reminder-sent")
            mailbox.wait_for(not_done)  # the app's sender delivered them in the background
            assert {m["Subject"] for m in mailbox.messages} == {SUBJECT}
            page.goto(f"{server.url}/utskick")
            wait_for_app(page)
            page.get_by_label("Sök").fill("Påminnelse")
            page.get_by_label("Sök").press("Enter")
            wait_for_app(page)
            # The message shown below the list (the list's own cells are drawn on a canvas; their
            # text stands in a table for screen readers that is not always on screen).
            expect(page.locator("strong").filter(has_text=SUBJECT).first).to_be_visible(timeout=30_000)
            expect(page.locator("[role=gridcell]").filter(has_text=SUBJECT).first).to_be_attached()
            sent = page.get_by_test_id("stMetric").filter(has=page.get_by_text("Skickat", exact=True))
            expect(sent.get_by_test_id("stMetricValue")).to_have_text(str(not_done))
            # The message shown below the list: sent, with the server's answer in the list above.
            expect(page.get_by_text(", skickat ").first).to_be_visible()
            screenshot(page, "mail-02-outbox")
        finally:
            chromium.close()
            server.stop()

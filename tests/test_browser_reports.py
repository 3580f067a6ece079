"""Chromium: a coordinator downloads the demo unit's feedback report, and it is a real Word document."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, Server, log_in, screenshot, wait_for_app
from docx import Document
from playwright.sync_api import sync_playwright

from scoring import reports
from scoring.demo import DEMO_PASSWORD, DEMO_YEAR
from scoring.framework import load_framework
from scoring.store import Store

pytestmark = pytest.mark.browser


def test_a_coordinator_downloads_the_feedback_report(demo_template, tmp_path):
    database = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, database)
    store = Store(database)
    unit, email = store.fetchone(
        "SELECT n.name, u.email FROM reports r JOIN contributions c ON c.id = r.contribution_id"
        " JOIN units n ON n.id = c.unit_id JOIN assignments s ON s.contribution_id = c.id"
        " JOIN teams t ON t.id = s.team_id JOIN users u ON u.id = t.coordinator_id WHERE r.final LIMIT 1")
    store.close()
    server = Server(database, tmp_path / "server.log")
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True).new_page()
            log_in(page, server.url, email, DEMO_PASSWORD)
            page.goto(f"{server.url}/rapporter?rapport_bidrag={unit}")
            wait_for_app(page)
            page.get_by_text("Rapporten är slutlig").wait_for(timeout=30_000)
            screenshot(page, "report-page")
            with page.expect_download() as download:
                page.get_by_role("button", name="Ladda ner rapporten (Word)").click()
            data = Path(download.value.path()).read_bytes()
            assert download.value.suggested_filename == f"Återkopplingsrapport {DEMO_YEAR} {unit}.docx"
            browser.close()
    finally:
        server.stop()
    text = [p.text for p in Document(io.BytesIO(data)).paragraphs]
    assert text[:2] == ["Återkopplingsrapport", unit]
    assert all(area.title in text for area in load_framework(DEMO_YEAR).areas)
    if reports.libreoffice():  # look at it as the unit will: a PDF with pages
        [(name, pdf)] = reports.to_pdf([("rapport.docx", data)])
        pages = re.search(rb"/Type\s*/Pages.*?/Count\s+(\d+)", pdf, re.S)
        assert pdf.startswith(b"%PDF") and pages and int(pages.group(1)) >= 2

"""AppTest: the admin's Händelselogg: filters, the table, the export and the backup download."""

from __future__ import annotations

import io
import zipfile

from helpers import ADMIN, login

from scoring.core import backup


def test_the_log_filters_by_person_and_action_and_offers_the_export(demo_path, demo_store):
    at = login(ADMIN)
    at.switch_page("app_pages/audit.py").run()
    assert not at.exception and at.title[0].value == "Händelselogg"
    everything = len(at.dataframe[0].value)
    at.selectbox(key="audit_action").select("godkänn bidrag").run()
    table = at.dataframe[0].value
    accepted = demo_store.fetchone("SELECT count(*) FROM audit_log WHERE action = 'godkänn bidrag'")[0]
    assert len(table) == accepted < everything and set(table["Vad"]) == {"godkänn bidrag"}
    assert f"**{accepted} händelser**" in [m.value for m in at.markdown]
    # The values read as text, not JSON.
    assert any(v.startswith("inläst fil: ") for v in table["Efter"]) and not any("intake_id" in v for v in table["Efter"])
    assert all(v.startswith("Bidrag: ") for v in table["Gäller"])
    assert at.get("download_button")
    # A unit's name finds what happened to it, by name: its contribution and each examiner's assessment.
    at.selectbox(key="audit_action").select("Alla").run()
    at.text_input(key="audit_text").input("Hjulstaskolan").run()
    about = set(at.dataframe[0].value["Gäller"])
    assert "Bidrag: Hjulstaskolan" in about and any(a.startswith("Bedömning: Erik Lind om Hjulstaskolan") for a in about)
    assert all("Hjulstaskolan" in row for row in at.dataframe[0].value[["Gäller", "Före", "Efter"]].sum(axis=1))
    at.text_input(key="audit_text").input("ingen sådan text finns").run()
    assert not at.dataframe and "Inga händelser matchar urvalet." in [i.value for i in at.info]


def test_the_backup_button_gives_a_zip_with_its_manifest(demo_path, demo_store):
    at = login(ADMIN)
    at.switch_page("app_pages/audit.py").run()
    at.button[0].click().run()
    assert not at.exception
    name, data = at.session_state["backup_file"]
    assert name.endswith(".zip")
    assert backup.MANIFEST in zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert demo_store.fetchone("SELECT count(*) FROM audit_log WHERE action = 'laddade ned säkerhetskopia'")[0] == 1

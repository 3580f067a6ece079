"""AppTest: the office's pages for a real year — Utmärkelseår, Årets gång,
Intresseanmälningar — and the new parts of Intag, Granska fil and Lag och tilldelning."""

from __future__ import annotations

import datetime as dt

import pytest
from corpus import build
from helpers import ADMIN, login, texts

from scoring.core import auth
from scoring.core.text import escape_markdown
from scoring.intake import changes
from scoring.intake import review as intake
from scoring.year import years
from scoring.year.framework import load_framework

PASSWORD = "ett-långt-lösenord"
F2026 = load_framework(2026)


@pytest.fixture
def first_admin(empty_store):
    with empty_store.write("kommandoraden") as uow:
        auth.add_user(uow, email="vera.holm@stockholm.se", name="Vera Holm", role="admin", password=PASSWORD)
    return empty_store


def test_an_empty_database_leads_the_first_admin_to_set_up_the_year(first_admin):
    at = login("vera.holm@stockholm.se", PASSWORD)
    assert "Börja med att lägga upp året" in at.info[0].value
    at.switch_page("app_pages/years.py").run()
    assert not at.exception and at.title[0].value == "Utmärkelseår"
    assert at.selectbox(key="new_year").value == 2026
    prefix = "create_2026"
    assert at.date_input(key=f"{prefix}_utdelning").value == dt.date(2026, 11, 24)  # from the instructions
    at.date_input(key=f"{prefix}_individuell_bedomning").set_value(dt.date(2026, 9, 30))
    at.date_input(key=f"{prefix}_konsensus").set_value(dt.date(2026, 9, 1))
    at.button(key="FormSubmitter:create_2026-Lägg upp året").click().run()
    assert escape_markdown("Konsensus klar (1 september 2026) ligger före") in at.error[0].value
    assert years.all_years(first_admin) == []
    at.date_input(key=f"{prefix}_konsensus").set_value(dt.date(2026, 10, 9))
    at.button(key="FormSubmitter:create_2026-Lägg upp året").click().run()
    assert not at.exception and at.success[0].value == escape_markdown("Kvalitetsutmärkelsen 2026 är upplagt.")
    assert years.current_year(first_admin) == 2026
    assert years.schedule(first_admin, 2026)[0]["konsensus"] == dt.date(2026, 10, 9)
    # The schedule is edited with the version read; a save made meanwhile is refused.
    dates, version = years.schedule(first_admin, 2026)
    years.update_schedule(first_admin, auth.user_by_email(first_admin, "vera.holm@stockholm.se"), 2026, version,
                          {**dates, "domarkommitte": dt.date(2026, 11, 5)})
    at.date_input(key=f"schedule_2026_{version}_beredning").set_value(dt.date(2026, 10, 30))
    at.button(key=f"FormSubmitter:schedule_2026_{version}-Spara schemat").click().run()
    assert "har ändrats av någon annan" in at.error[0].value
    assert "beredning" not in years.schedule(first_admin, 2026)[0]


def test_registrations_page_adds_imports_and_estimates(first_admin):
    admin = auth.user_by_email(first_admin, "vera.holm@stockholm.se")
    years.create(first_admin, admin, 2026)
    at = login("vera.holm@stockholm.se", PASSWORD)
    at.switch_page("app_pages/registrations.py").run()
    assert not at.exception and at.title[0].value == "Intresseanmälningar"
    form = "registration_add"
    unit = next(t for t in at.text_input if t.label == "Verksamhet")
    unit.input("Förskolan Ugglan")
    at.button(key=f"FormSubmitter:{form}-Lägg till").click().run()
    assert "förvaltning eller bolag" in at.error[0].value.lower()
    next(t for t in at.text_input if t.label == "Verksamhet").input("Förskolan Ugglan")
    next(s for s in at.selectbox if s.label == "Förvaltning eller bolag").set_value("Södermalms stadsdelsförvaltning")
    at.button(key=f"FormSubmitter:{form}-Lägg till").click().run()
    assert at.success[0].value == "Förskolan Ugglan är registrerad."
    export = ("Verksamhet;Förvaltning/bolag;Kontaktperson\nHjulstaskolan;Utbildningsförvaltningen;Bo\n"
              "Solskolan;Okänd förvaltning;Cia\n").encode()
    at.get("file_uploader")[0].set_value(("enkät.csv", export, "text/csv")).run()
    next(b for b in at.button if b.label == "Importera").click().run()
    assert not at.exception
    assert at.success[0].value == "1 ny anmälan och 0 uppdaterade från enkät.csv."
    assert at.warning[0].value.startswith("Rad 3 (Solskolan): Okänd förvaltning eller bolag")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Anmälda verksamheter"] == "2" and metrics["Examinatorer som behövs"] == "3–8"
    table = at.dataframe[0].value
    assert table["Verksamhet"].tolist() == ["Förskolan Ugglan", "Hjulstaskolan"]
    assert table["Bidrag"].tolist() == ["Inte inkommet"] * 2


def test_years_progress_page_shows_stages_and_the_gate(demo_path):
    at = login(ADMIN)
    at.switch_page("app_pages/year_progress.py").run()
    assert not at.exception and at.title[0].value == "Årets gång"
    page = texts(at)
    for stage in ("Intresseanmälan", "Bidragen kommer in", "Ändringsbegäranden", "Grundläggande kontroll",
                  "Examinatorer och lag", "Individuell bedömning", "Konsensus", "Domarkommitténs beslut"):
        assert f"**{stage}**" in page
    assert "individuella bedömningar är inte inlämnade" in page
    advance = next(b for b in at.button if b.label.startswith("Gå vidare"))
    assert advance.label == "Gå vidare: Konsensus och platsbesök" and advance.disabled


def test_intake_page_sends_a_contribution_back_and_reads_in_the_corrected_version(demo_path, demo_store):
    admin = auth.user_by_email(demo_store, ADMIN)
    data, _ = build(F2026, "rubriker")
    intake_id = intake.upload(demo_store, admin, 2026, "Ny.docx", data, received_at=dt.datetime(2026, 5, 6, 8))
    cid = intake.accept(demo_store, admin, intake_id, 1, unit_name="Nya skolan", organisation="Utbildningsförvaltningen")
    at = login(ADMIN)
    at.switch_page("app_pages/intake.py").run()
    assert not at.exception
    assert "Sent" in at.dataframe[0].value.columns and at.dataframe[0].value["Sent"].any()  # the demo's late one
    form = "change_request"
    next(s for s in at.selectbox if s.label == "Bidrag").set_value(cid)
    next(t for t in at.text_area if t.label == "Vad ska verksamheten ändra?").input("Bilden innehåller text.")
    at.button(key=f"FormSubmitter:{form}-Skicka tillbaka").click().run()
    assert not at.exception and at.success[0].value.startswith("Nya skolan är tillbakaskickat")
    request = changes.open_requests(demo_store, admin, 2026)[0]
    assert request["contribution_id"] == cid and "den rättade versionen ska vara inne senast" in at.success[0].value
    corrected, _ = build(F2026, "fetstil")
    uploader = next(u for u in at.get("file_uploader") if u.label == "Rättad fil (.docx)")
    uploader.set_value(("Ny rättad.docx", corrected, "application/octet-stream")).run()
    next(b for b in at.button if b.label == "Läs in rättad version").click().run()
    assert not at.exception and at.title[0].value == "Granska fil"
    assert "Rättad version av **Nya skolan**" in at.info[0].value


def test_review_page_asks_for_a_note_for_a_late_file(demo_path, demo_store):
    admin = auth.user_by_email(demo_store, ADMIN)
    data, _ = build(F2026, "fetstil")
    intake_id = intake.upload(demo_store, admin, 2026, "Sen.docx", data, received_at=dt.datetime(2026, 5, 8, 9))
    at = login(ADMIN)
    at.switch_page("app_pages/intake_review.py").run()
    assert "efter sista dag för bidragen" in at.warning[0].value
    at.selectbox(key=f"accept_organisation_{intake_id}").set_value("Utbildningsförvaltningen")
    at.button(key="FormSubmitter:accept-Godkänn bidraget").click().run()
    assert escape_markdown("kom in efter sista dag (7 maj 2026): skriv en anteckning") in at.error[0].value
    next(t for t in at.text_area if t.label.startswith("Anteckning")).input("Förseningen var anmäld.")
    at.button(key="FormSubmitter:accept-Godkänn bidraget").click().run()
    assert not at.exception and at.title[0].value == "Intag av bidrag"
    assert demo_store.fetchone("SELECT accept_note FROM intake_files WHERE id = ?", [intake_id])[0] == \
        "Förseningen var anmäld."


def test_teams_page_lists_what_has_no_team_and_forms_a_new_team(demo_path, demo_store):
    from scoring.teams import examiners

    admin = auth.user_by_email(demo_store, ADMIN)
    examiners.import_examiners(demo_store, admin, "nya.csv", (
        "Namn;E-post;Förvaltning/bolag\nAda Ny;ada@stad.se;Serviceförvaltningen\nBo Ny;bo@stad.se;Kulturförvaltningen\n"
        "Cia Ny;cia@stad.se;Miljöförvaltningen\n").encode())
    at = login(ADMIN)
    at.switch_page("app_pages/teams.py").run()
    assert not at.exception
    assert "Examinatorer utan lag (3)" in texts(at)
    ids = {e.name: e.id for e in [auth.user_by_email(demo_store, f"{n}@stad.se") for n in ("ada", "bo", "cia")]}
    at.text_input(key="new_team_name").input("Lag Sent")
    next(m for m in at.multiselect if m.label == "Examinatorer").set_value(list(ids.values()))
    next(s for s in at.selectbox if s.label == "Lagsamordnare").set_value(ids["Ada Ny"])
    at.text_input(key="new_team_reason").input("Sent bidrag")
    at.button(key="FormSubmitter:new_team-Bilda laget").click().run()
    assert not at.exception and at.success[0].value == escape_markdown("Lag Sent är bildat med 3 examinatorer.")
    assert "Examinatorer utan lag (0)" in texts(at)

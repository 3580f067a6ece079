"""Chromium: a real award year from an empty database, through the screens alone.

The first admin is made with `python -m scoring users add`, as the README's "Running it for
real" says. Then, on the screens: the year and its schedule, three registrations of interest
(one imported), the contributions taken in (one sent back and corrected, one late), the
examiners imported, teams formed, the late contribution given to a new team, and all of it
on Årets gång. Every step leaves a screenshot (test-artifacts/new-year-NN-*.png).
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, Server, log_in, pick, screenshot, wait_for_app
from corpus import build, content
from helpers import ROOT
from playwright.sync_api import expect, sync_playwright

from scoring.year.framework import load_framework

pytestmark = pytest.mark.browser
F2026 = load_framework(2026)
ADMIN, PASSWORD = "vera.holm@stockholm.se", "ett-långt-lösenord"
UNITS = {"Förskolan Ugglan": ("Södermalms stadsdelsförvaltning", "rubriker"),
         "Hjulstaskolan": ("Utbildningsförvaltningen", "fetstil"),
         "Hemtjänsten Farsta": ("Farsta stadsdelsförvaltning", "autonumrering")}
EXAMINERS = [("Lisa Berg", "Kulturförvaltningen"), ("Erik Lind", "Trafikkontoret"),
             ("Sara Nilsson", "Norrmalms stadsdelsförvaltning"), ("Ahmed Yusuf", "Stadsledningskontoret"),
             ("Maria Holm", "Socialförvaltningen"), ("Johan Ek", "Fastighetskontoret")]
LATER = [("Anna Svensson", "Idrottsförvaltningen"), ("Fatima Khalil", "Bromma stadsdelsförvaltning"),
         ("Peter Andersson", "Stockholm Exergi AB")]


def _file(folder, name: str, layout: str, **options):
    text = content(F2026, **options)
    text = dataclasses.replace(text, unit_name=name, intro_fields={**text.intro_fields, "unit_name": name})
    path = folder / f"{name}{'' if not options else ' rättad'}.docx"
    path.write_bytes(build(F2026, layout, content=text)[0])
    return path


def _examiner_csv(folder, name: str, people) -> str:
    path = folder / name
    lines = ["Namn;E-post;Förvaltning/bolag;År som examinator"]
    lines += [f"{n};{n.lower().replace(' ', '.').replace('å', 'a').replace('ä', 'a')}@stad.se;{o};{i % 3}"
              for i, (n, o) in enumerate(people)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    folder = tmp_path_factory.mktemp("new-year")
    database = folder / "workbench.duckdb"
    subprocess.run([sys.executable, "-m", "scoring", "users", "add", "--email", ADMIN, "--name", "Vera Holm",
                    "--role", "admin", "--password", PASSWORD], cwd=ROOT, check=True,
                   env={**os.environ, "WORKBENCH_DB": str(database)}, capture_output=True)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        server = Server(database, folder / "server.log")
        context = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="sv-SE")
        page = context.new_page()
        try:
            log_in(page, server.url, ADMIN, PASSWORD)
            yield {"page": page, "url": server.url, "folder": folder}
        finally:
            context.close()
            server.stop()
            chromium.close()


def step(page, number: int, name: str) -> None:
    screenshot(page, f"new-year-{number:02d}-{name}")


def go(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)


def set_date(page, label: str, value: str) -> None:
    """Type a date into a Streamlit date field: year, month and day are segments of one field."""
    field = page.get_by_test_id("stDateInput").filter(has=page.get_by_text(label, exact=True))
    field.get_by_role("spinbutton", name=f"year, {label}").click()
    page.keyboard.type(value.replace("-", ""))
    page.keyboard.press("Escape")  # the calendar that opened while typing would cover the page
    expect(field.locator("input[type=date]")).to_have_value(value)


def upload(page, url: str, files: list, arrived: str | None) -> None:
    go(page, url + "/intag")
    if arrived:
        set_date(page, "Filerna kom in (datum)", arrived)
    page.locator("input[type=file]").first.set_input_files([str(f) for f in files])
    page.get_by_role("button", name=re.compile(r"^Läs in \d fil")).click()
    for file in files:
        expect(page.get_by_text(f"{file.name} är inläst och väntar på granskning.")).to_be_visible(timeout=30_000)


def accept(page, url: str, filename: str, unit: str, organisation: str, note: str | None = None) -> None:
    go(page, url + "/granskning")
    pick(page, page.get_by_test_id("stSelectbox").filter(has=page.get_by_text("Fil", exact=True)), filename)
    expect(page.get_by_label("Verksamhetens namn")).to_have_value(unit, timeout=30_000)
    pick(page, page.get_by_test_id("stSelectbox").filter(has_text="Förvaltning eller bolag"), organisation)
    # The registration of interest is found by the unit's name.
    expect(page.get_by_role("combobox", name="Intresseanmälan")).to_have_value(unit)
    if note:
        page.get_by_role("textbox", name="Anteckning (krävs)").fill(note)
    page.get_by_role("button", name="Godkänn bidraget").click()
    expect(page.get_by_text(f"{unit} är godkänt som bidrag.")).to_be_visible(timeout=30_000)


def test_a_real_year_from_an_empty_database(office):
    page, url, folder = office["page"], office["url"], office["folder"]
    # 1. The year and its schedule.
    expect(page.get_by_text("Börja med att lägga upp året")).to_be_visible()
    page.get_by_role("link", name="Lägg upp året").click()
    expect(page.get_by_role("heading", name="Utmärkelseår")).to_be_visible(timeout=30_000)
    set_date(page, "Individuella bedömningar inlämnade", "2026-08-28")
    set_date(page, "Konsensus klar", "2026-09-11")
    step(page, 1, "utmarkelsear")
    page.get_by_role("button", name="Lägg upp året").click()
    expect(page.get_by_text("Kvalitetsutmärkelsen 2026 är upplagt.")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Kvalitetsutmärkelsen 2026 · Intag av bidrag")).to_be_visible()

    # 2. Registrations of interest: two by hand, one from the survey tool's export.
    go(page, url + "/anmalningar")
    for name in list(UNITS)[:2]:
        page.get_by_role("tab", name="Lägg till").click()
        form = page.get_by_test_id("stForm").filter(has_text="Kontaktperson").first
        form.get_by_label("Verksamhet").fill(name)
        pick(page, form.get_by_test_id("stSelectbox"), UNITS[name][0])
        form.get_by_role("button", name="Lägg till").click()
        expect(page.get_by_text(f"{name} är registrerad.")).to_be_visible(timeout=30_000)
    export = folder / "enkät.csv"
    export.write_text("Verksamhet;Förvaltning/bolag;Kontaktperson;E-post\n"
                      "Hemtjänsten Farsta;Farsta stadsdelsförvaltning;Omar Berg;omar.berg@stad.se\n", encoding="utf-8")
    page.get_by_role("tab", name="Importera").click()
    expect(page.get_by_role("tab", name="Importera")).to_have_attribute("aria-selected", "true")
    wait_for_app(page)  # the tab draws in a rerun: a file set before it ends is drawn over
    expect(page.locator("input[type=file]")).to_have_count(1)
    page.locator("input[type=file]").set_input_files(str(export))
    wait_for_app(page)
    page.get_by_role("button", name="Importera").click()
    expect(page.get_by_text("1 ny anmälan och 0 uppdaterade från enkät.csv.")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stMetric").filter(has_text="Anmälda verksamheter")).to_contain_text("3")
    step(page, 2, "intresseanmalningar")

    # 3. Two contributions arrive on time; the office takes them in.
    ugglan = _file(folder, "Förskolan Ugglan", "rubriker")
    hjulsta = _file(folder, "Hjulstaskolan", "fetstil")
    upload(page, url, [ugglan, hjulsta], arrived="2026-05-06")
    step(page, 3, "intag")
    for name in list(UNITS)[:2]:
        accept(page, url, f"{name}.docx", name, UNITS[name][0])
    step(page, 4, "godkanda")

    # 4. One is sent back for changes and its corrected version taken in as a new version.
    go(page, url + "/intag")
    page.get_by_role("tab", name="Ändringsbegäranden").click()
    form = page.get_by_test_id("stForm").filter(has_text="Skicka tillbaka ett bidrag")
    pick(page, form.get_by_test_id("stSelectbox"), "Hjulstaskolan")
    form.get_by_label("Vad ska verksamheten ändra?").fill("Bilden på sidan 3 innehåller text; skriv texten i svaret.")
    form.get_by_role("button", name="Skicka tillbaka").click()
    wait_for_app(page)
    page.get_by_role("tab", name="Ändringsbegäranden").click()
    expect(page.get_by_text(re.compile("Hjulstaskolan är tillbakaskickat; den rättade versionen ska vara inne senast")))\
        .to_be_visible(timeout=30_000)
    page.get_by_role("tab", name="Ändringsbegäranden").click()
    step(page, 5, "andringsbegaran")
    corrected = _file(folder, "Hjulstaskolan", "autonumrering", seed=2)
    page.get_by_test_id("stFileUploader").filter(has_text="Rättad fil").locator("input[type=file]") \
        .set_input_files(str(corrected))
    page.get_by_role("button", name="Läs in rättad version").click()
    expect(page.get_by_test_id("stTabs").get_by_text("Rättad version av")).to_be_visible(timeout=30_000)
    step(page, 6, "rattad-version")
    page.get_by_role("button", name="Godkänn som ny version").click()
    expect(page.get_by_text("Hjulstaskolan har fått en ny version.")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Hjulstaskolan: 2 versioner")).to_be_visible()

    # 5. Examiners imported, teams proposed and used.
    go(page, url + "/examinatorer")
    page.locator("input[type=file]").set_input_files(_examiner_csv(folder, "examinatorer.csv", EXAMINERS))
    page.get_by_role("button", name="Importera").click()
    expect(page.get_by_text("6 nya och 0 uppdaterade examinatorer.")).to_be_visible(timeout=30_000)
    go(page, url + "/lag")
    page.get_by_role("button", name="Ta fram ett förslag").click()
    expect(page.get_by_text(re.compile("2 bidrag fördelade på 2 lag"))).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Använd förslaget").click()
    expect(page.get_by_text("Lagen är bildade och bidragen tilldelade.")).to_be_visible(timeout=30_000)
    step(page, 7, "lag")

    # 6. The third contribution arrives after the deadline; the office takes it in with a note.
    farsta = _file(folder, "Hemtjänsten Farsta", "autonumrering")
    upload(page, url, [farsta], arrived=None)  # read in today, long after 7 May
    go(page, url + "/granskning")
    expect(page.get_by_text("efter sista dag för bidragen")).to_be_visible(timeout=30_000)
    accept(page, url, "Hemtjänsten Farsta.docx", "Hemtjänsten Farsta", UNITS["Hemtjänsten Farsta"][0],
           note="Förvaltningen anmälde förseningen i förväg; Kvalitetsenheten tar emot bidraget.")

    # 7. Three more examiners, a new team for the late contribution.
    go(page, url + "/examinatorer")
    page.locator("summary", has_text="Importera från CSV eller Excel").click()  # folded once the registry has rows
    page.locator("input[type=file]").set_input_files(_examiner_csv(folder, "fler.csv", LATER))
    page.get_by_role("button", name="Importera").click()
    expect(page.get_by_text("3 nya och 0 uppdaterade examinatorer.")).to_be_visible(timeout=30_000)
    go(page, url)
    expect(page.get_by_text("Bidrag utan examinatorslag: Hemtjänsten Farsta.")).to_be_visible(timeout=30_000)
    go(page, url + "/lag")
    page.get_by_role("tab", name="Utan lag").click()
    expect(page.get_by_text("Examinatorer utan lag (3)")).to_be_visible()
    form = page.get_by_test_id("stForm").filter(has_text="Bilda laget")
    form.get_by_label("Lagets namn").fill("Lag Sent")
    members = form.get_by_test_id("stMultiSelect")
    for name, _ in LATER:
        pick(page, members, name)
    pick(page, form.get_by_test_id("stSelectbox"), LATER[0][0])
    form.get_by_label("Motivering").fill("Bidraget kom in sent; tre nya examinatorer tar det.")
    form.get_by_role("button", name="Bilda laget").click()
    expect(page.get_by_text("Lag Sent är bildat med 3 examinatorer.")).to_be_visible(timeout=30_000)
    page.get_by_role("tab", name=re.compile("^Lagen")).click()
    move = page.get_by_test_id("stForm").filter(has_text="Flytta bidrag")
    expect(move.get_by_role("combobox", name="Till")).to_have_count(1, timeout=30_000)  # a rerun's old copy gone
    pick(page, move.get_by_test_id("stSelectbox").filter(has_text="Bidrag"), "Hemtjänsten Farsta")
    pick(page, move.get_by_test_id("stSelectbox").filter(has_text="Till"), "Lag Sent")
    move.get_by_label("Motivering").fill("Kom in sent.")
    move.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Flytta bidrag: sparat.")).to_be_visible(timeout=30_000)
    step(page, 8, "lag-sent")

    # 8. All of it on Årets gång; the year can move on to individual assessment.
    go(page, url + "/aretsgang")
    expect(page.get_by_text("Kom in efter sista dag: Hemtjänsten Farsta.")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("3 verksamheter har anmält intresse.")).to_be_visible()
    expect(page.get_by_text("9 examinatorer i registret, 9 av dem i lag.")).to_be_visible()
    step(page, 9, "arets-gang")
    page.get_by_role("button", name="Gå vidare: Individuell bedömning").click()
    expect(page.get_by_text("Året är nu i fasen individuell bedömning.")).to_be_visible(timeout=30_000)
    step(page, 10, "arets-gang-bedomning")

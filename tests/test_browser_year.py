"""Chromium: the whole award year in one run, as the people click through it.

The office takes in a new contribution, gives it to a team of three and registers its basic
control; the three examiners assess it; the coordinator reaches consensus, records the site
visit, finishes the report and downloads it; the preparatory group looks at the candidates,
edits a draft motivation and downloads the dossier; the jury declares its conflicts, decides
and ends the year.
Every step leaves a screenshot in test-artifacts/ (year-NN-*.png).
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, Server, by_key, form_with, log_in, pick, screenshot, wait_for_app
from corpus import build
from docx import Document
from playwright.sync_api import expect, sync_playwright

from scoring.core.store import Store
from scoring.core.text import count
from scoring.reports import documents as reports
from scoring.year.framework import load_framework
from workbench_tools.demo import DEMO_PASSWORD, DEMO_YEAR

pytestmark = pytest.mark.browser
FRAMEWORK = load_framework(DEMO_YEAR)
ADMIN = "kvalitetsenheten@demo.stockholm.se"
UNIT = "Skolan i Testby"  # the unit name inside the generated contribution
TEAM = "Lag Reimersholme"
# Typed by an examiner: it must show as text and never run.
HOSTILE = "Målen följs upp <img src=x onerror=\"window.__pwned=1\"> <script>window.__pwned=1</script> **fet**"


def step(page, number: int, name: str) -> None:
    screenshot(page, f"year-{number:02d}-{name}")


def new_page(browser, email: str):
    context = browser.new_context(viewport={"width": 1500, "height": 1100}, locale="sv-SE", accept_downloads=True)
    page = context.new_page()
    page.add_init_script("window.__pwned = undefined;")
    log_in(page, SERVER_URL[0], email, DEMO_PASSWORD)
    return page


SERVER_URL: list[str] = []
CID_KEY: list[str] = []


@pytest.fixture(scope="module")
def year(demo_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser-year")
    database = folder / "demo.duckdb"
    shutil.copy(demo_template, database)
    store = Store(database)
    team = store.fetchall(
        "SELECT u.email, u.id = t.coordinator_id FROM teams t JOIN team_members m ON m.team_id = t.id"
        " JOIN users u ON u.id = m.user_id WHERE t.name = ? ORDER BY u.id", [TEAM])
    # The id the new contribution will get: the consensus page's widgets are keyed by it.
    next_id = store.fetchone("SELECT last_value + 1 FROM duckdb_sequences() WHERE sequence_name = 'seq_contributions'")[0]
    store.close()
    assert len(team) == 3
    contribution = folder / f"{UNIT}.docx"
    contribution.write_bytes(build(FRAMEWORK, "autonumrering")[0])
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        server = Server(database, folder / "server.log")
        SERVER_URL[:] = [server.url]
        try:
            yield {"browser": chromium, "url": server.url, "file": contribution, "cid_key": f"konsensus_w{next_id}",
                   "cid": next_id,
                   "examiners": [email for email, _ in team], "coordinator": next(e for e, lead in team if lead)}
        finally:
            server.stop()
            chromium.close()


def admin_takes_in_and_assigns(y) -> None:
    page = new_page(y["browser"], ADMIN)
    page.goto(y["url"] + "/intag")
    page.locator("input[type=file]").set_input_files([str(y["file"])])
    page.get_by_role("button", name="Läs in 1 fil").click()
    expect(page.get_by_text(f"{UNIT}.docx är inläst och väntar på granskning.")).to_be_visible(timeout=30_000)
    step(page, 1, "intag")
    page.get_by_role("button", name="Öppna granskningen").click()
    expect(page.get_by_role("heading", name="Granska fil")).to_be_visible(timeout=30_000)
    pick(page, page.get_by_test_id("stSelectbox").filter(has_text="Förvaltning eller bolag"),
         "Norrmalms stadsdelsförvaltning")
    # 2026 has no competition classes: nothing to choose.
    expect(page.get_by_test_id("stSelectbox").filter(has_text="Tävlingsklass")).to_have_count(0)
    page.get_by_role("textbox", name="Anteckning (krävs)").fill("Kom in efter sista dag; Kvalitetsenheten tar emot det.")
    step(page, 2, "granskning")
    page.get_by_role("button", name="Godkänn bidraget").click()
    expect(page.get_by_text(f"{UNIT} är godkänt som bidrag.")).to_be_visible(timeout=30_000)

    page.goto(y["url"] + "/lag")
    wait_for_app(page)
    open_tab(page, re.compile("^Lagen"))
    form = page.get_by_test_id("stForm").filter(has_text="Flytta bidrag")
    pick(page, form.get_by_test_id("stSelectbox").filter(has_text="Bidrag"), UNIT)
    pick(page, form.get_by_test_id("stSelectbox").filter(has_text="Till"), TEAM)
    form.get_by_label("Motivering").fill("Kom in efter den första tilldelningen; laget har plats.")
    form.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Flytta bidrag: sparat.")).to_be_visible(timeout=30_000)
    open_tab(page, re.compile("^Lagen"))
    expect(page.get_by_text(re.compile(f"Bidrag: .*{UNIT}"))).to_be_visible()
    step(page, 3, "tilldelning")
    admin_registers_the_basic_control(y, page)
    page.context.close()


def admin_registers_the_basic_control(y, page) -> None:
    """An award or an honourable mention needs a complete basic control (2026)."""
    page.goto(y["url"] + "/behorighet")
    wait_for_app(page)
    pick(page, by_key(page, "eligibility_contribution"), UNIT)
    expect(page.get_by_text("Ej bedömd", exact=True)).to_be_visible(timeout=30_000)
    form = form_with(page, f"m_{y['cid']}")
    # The number of employees comes from the contribution's own administrative details.
    employees = page.get_by_role("spinbutton", name="Antal anställda inklusive chef")
    expect(employees).to_have_count(1, timeout=30_000)
    expect(employees).to_have_value("23")
    for key, answer in (("m", "Ja"), ("p", "Ja"), ("d1", "Nej"), ("d2", "Nej")):
        by_key(page, f"{key}_{y['cid']}").get_by_text(answer, exact=True).click()
    for label, day in (("Protokollsutdraget kom in (datum)", "20260605"),
                       ("Förvaltningens svar kom in (datum)", "20260615")):
        form.get_by_role("spinbutton", name=f"year, {label}").click()
        page.keyboard.type(day)
    form.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Får delta", exact=True)).to_be_visible(timeout=30_000)


def examiner_assesses(y, email: str, number: int, first: bool) -> None:
    page = new_page(y["browser"], email)
    page.goto(f"{y['url']}/bedomning?bidrag={UNIT}")
    wait_for_app(page)
    page.get_by_text("Jag har inget jäv och behandlar bidraget konfidentiellt").click()
    page.get_by_role("button", name="Skicka deklarationen").click()
    expect(page.get_by_text("Min bedömning: Ej påbörjad")).to_be_visible(timeout=30_000)
    remaining = sum(len(a.criteria) for a in FRAMEWORK.areas)
    counts = page.get_by_test_id("stMetric").filter(has_text="Styrkor / utvecklingsområden")
    for area in FRAMEWORK.areas:
        page.get_by_role("radio", name=area.title, exact=True).click()
        expect(page.get_by_role("heading", name=area.title, exact=True)).to_be_visible(timeout=30_000)
        expect(counts).to_contain_text("0 / 0", timeout=30_000)
        for criterion in area.criteria:
            box = page.locator("[data-testid=stVerticalBlock]").filter(
                has=page.get_by_text(criterion.title, exact=True)).last
            choose(box.get_by_role("radio", name="50-65"))
            choose(box.get_by_role("radio", name="60", exact=True))
            # Saved when the page's own count of unscored criteria says so (the last one: the
            # submit button comes alive), not when some rerun happens to have finished.
            remaining -= 1
            if remaining:
                expect(page.get_by_text(f"Kvar att poängsätta: {count(remaining, 'bedömningsgrund', 'bedömningsgrunder')}.")).to_be_visible(
                    timeout=30_000)
            else:
                expect(page.get_by_role("button", name="Lämna in bedömningen")).to_be_enabled(timeout=30_000)
        for kind, text in (("Styrka", f"Arbetssätten i {area.title.lower()} följs upp och förbättras."),
                           ("Utvecklingsområde", f"Det framgår inte hur resultaten i {area.title.lower()} "
                                                 "jämförs över tid.")):
            if first and kind == "Styrka" and area is FRAMEWORK.areas[0]:
                text = HOSTILE
            # This area's form (while a rerun finishes, the last area's may still be on the page).
            form = page.get_by_test_id("stForm").filter(has=page.locator(f"[class*='new_{area.code}_kind']"))
            expect(form).to_have_count(1, timeout=30_000)  # a moved form's old copy goes when the rerun ends
            finding = form.get_by_label("Iakttagelse")
            expect(finding).to_have_count(1, timeout=30_000)  # and so does a redrawn field's
            form.get_by_text(kind, exact=True).click()
            finding.fill(text)
            form.get_by_role("button", name="Lägg till").click()
            expect(counts).to_contain_text("1 / 0" if kind == "Styrka" else "1 / 1", timeout=30_000)
        if first and area is FRAMEWORK.areas[0]:
            expect(page.get_by_text("Målen följs upp <img src=x").first).to_be_visible()
    if first:  # typed and left, then a reload: still there
        questions = page.get_by_label("Vad vill du kontrollera eller få förtydligat? En fråga per rad.")
        questions.fill("Hur används resultaten i planeringen?")
        questions.press("Tab")
        wait_for_app(page)
        page.reload()
        wait_for_app(page)
        expect(page.get_by_label("Vad vill du kontrollera eller få förtydligat? En fråga per rad.")).to_have_value(
            "Hur används resultaten i planeringen?", timeout=30_000)
    page.get_by_role("button", name="Lämna in bedömningen").click()
    confirm_in_dialog(page, "Lämna in", "dina anteckningar kan inte längre ändras")
    expect(page.get_by_text("Bedömningen är inlämnad och låst för konsensus.")).to_be_visible(timeout=30_000)
    step(page, number, "bedomning-inlamnad")
    assert page.evaluate("window.__pwned") is None
    page.context.close()


def confirm_in_dialog(page, button: str, says: str) -> None:
    """Confirm a step that cannot be undone in its dialog, which says what will be locked."""
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(says, timeout=30_000)
    dialog.get_by_role("button", name=button, exact=True).click()
    expect(page.get_by_role("dialog")).to_have_count(0, timeout=30_000)
    wait_for_app(page)


def open_tab(page, name) -> None:
    """Open a tab once the page shows one set of tabs (a redraw briefly shows two)."""
    tab = page.get_by_role("tab", name=name)
    expect(tab).to_have_count(1, timeout=30_000)
    tab.click()


def choose(radio) -> None:
    """Click a radio until the page shows it chosen: a click that lands while a rerun redraws
    the group is lost in the browser (the server never hears of it), so look, and click again."""
    for _ in range(3):
        expect(radio).to_have_count(1, timeout=30_000)  # a redrawn group's old copy is gone
        radio.click()
        try:
            expect(radio).to_be_checked(timeout=10_000)
            return
        except AssertionError:
            continue
    expect(radio).to_be_checked()


def confirm(page, label: str) -> None:
    """Confirm a step that cannot be undone in the dialog that says what it locks."""
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Steget går inte att ångra", timeout=30_000)
    dialog.get_by_role("button", name=label).click()
    expect(dialog).to_have_count(0, timeout=30_000)
    wait_for_app(page)


def go_on(page, label: str) -> None:
    page.get_by_role("button", name=f"Gå vidare: {label}").click()
    confirm(page, f"Gå vidare: {label}")
    expect(page.get_by_text(label.capitalize(), exact=True).first).to_be_visible(timeout=30_000)


def area_summary(page, area):
    """An area's line on the agenda: flagged or not, it starts with the area's title."""
    return page.locator("summary", has_text=re.compile(rf"{re.escape(area.title)} · (stor|ingen stor) spridning"))


def open_area(page, area) -> None:
    """Unfold an area on the agenda (by its own label: other boxes mention area names too)."""
    area_summary(page, area).click()
    expect(by_key(page, f"{CID_KEY[0]}_score_{area.code}_{area.criteria[0].code}_value")).to_be_visible()
    wait_for_app(page)  # the area draws in a rerun: a choice made before it ends is drawn over


def coordinator_reaches_consensus(y, page, cid_key: str) -> None:
    page.goto(f"{y['url']}/konsensus?konsensus_bidrag={UNIT}")
    wait_for_app(page)
    page.get_by_role("button", name="Öppna konsensus").click()
    confirm(page, "Öppna konsensus")
    expect(page.get_by_role("tab", name="Poäng")).to_be_visible(timeout=30_000)
    step(page, 7, "konsensus-agenda")
    # Everyone gave 60 everywhere: no spread, so no rationale is needed; agree each at 60.
    for area in FRAMEWORK.areas:
        if not by_key(page, f"{cid_key}_score_{area.code}_{area.criteria[0].code}_value").is_visible():
            open_area(page, area)
        for n, criterion in enumerate(area.criteria):
            prefix = f"{cid_key}_score_{area.code}_{criterion.code}_"
            pick(page, by_key(page, prefix + "value"), "60")
            form_with(page, prefix + "value").get_by_role("button", name="Spara").click()
            # Saved when the area says so (the rerun may start a moment after the click).
            box = page.get_by_test_id("stExpander").filter(has=area_summary(page, area))
            expect(box.get_by_text(f"Överens om {n + 1} av {len(area.criteria)} bedömningsgrunder.")).to_be_visible(
                timeout=30_000)
    open_tab(page, "Iakttagelser")
    for area in FRAMEWORK.areas:
        by_key(page, f"{cid_key}_findings_area").get_by_role("radio", name=area.title, exact=True).click()
        adopted = page.get_by_role("textbox", name="Konsensus", exact=True)
        expect(adopted).to_have_count(0, timeout=30_000)  # this area's page, nothing adopted yet
        if area is FRAMEWORK.areas[0]:  # the hostile finding is listed as text in its group
            # (The Poäng tab, hidden now, lists the examiners' findings too.)
            shown = page.get_by_text("<script>window.__pwned=1</script>", exact=False).locator("visible=true")
            expect(shown.first).to_be_visible()
            step(page, 8, "konsensus-iakttagelser")
        for number, kind in enumerate(("styrka", "utvecklingsomrade"), start=1):
            group = page.locator(f'[class*="st-key-{cid_key}_g{area.code}_{kind}_"]').first
            group.locator("xpath=ancestor::*[@data-testid='stForm'][1]").get_by_role(
                "button", name="Ta med i konsensus").click()
            expect(adopted).to_have_count(number, timeout=30_000)
    go_on(page, "platsbesök")

    open_tab(page, "Platsbesök")
    details = form_with(page, f"{cid_key}_visit_participants")
    details.get_by_role("spinbutton", name="year, Datum").click()
    page.keyboard.type("20260922")
    details.get_by_label("Deltagare").fill("Laget, rektor och två lärare")
    for document in FRAMEWORK.site_visit_documents:
        details.get_by_role("radiogroup", name=document).get_by_text("Sedd", exact=True).click()
    details.get_by_role("button", name="Spara uppgifterna").click()
    wait_for_app(page)
    questions = form_with(page, f"{cid_key}_visit_new_text")
    for option in questions.get_by_text("Bekräftad", exact=True).all():
        option.click()
    questions.get_by_role("button", name="Spara frågorna").click()
    wait_for_app(page)
    step(page, 9, "platsbesok")
    go_on(page, "slutlig konsensus")

    # After the visit a changed score needs its reason, and the change is traced.
    open_tab(page, "Poäng")
    area, criterion = FRAMEWORK.areas[0], FRAMEWORK.areas[0].criteria[0]
    prefix = f"{cid_key}_score_{area.code}_{criterion.code}_"
    if not by_key(page, prefix + "value").is_visible():
        open_area(page, area)
    pick(page, by_key(page, prefix + "value"), "65")
    form_with(page, prefix + "value").get_by_role("button", name="Spara").click()
    wait_for_app(page)
    expect(page.get_by_text("Skälet till ändringen saknas.")).to_be_visible()
    pick(page, by_key(page, prefix + "value"), "65")
    by_key(page, prefix + "reason").locator("input").fill("Platsbesöket visade uppföljning i hela skolan.")
    form_with(page, prefix + "value").get_by_role("button", name="Spara").click()
    wait_for_app(page)
    open_tab(page, "Ändringar")
    expect(page.locator("td[data-testid^=glide-cell]", has_text="Platsbesöket visade uppföljning")).to_have_count(1, timeout=30_000)

    open_tab(page, "Nyckelteman")
    form = form_with(page, f"{cid_key}_theme_text")
    themes = {"Styrka": ["Tydliga mål som alla känner till.", "Resultaten följs upp varje termin.",
                         "Eleverna är delaktiga i utvecklingen."],
              "Utvecklingsområde": ["Det framgår inte hur resultaten jämförs med andra skolor.",
                                    "Det framgår inte hur vårdnadshavarna är delaktiga.",
                                    "Resultaten redovisas inte uppdelade på kön."]}
    for (kind, texts), heading in zip(themes.items(), ("Styrkor", "Utvecklingsområden"), strict=True):
        for number, text in enumerate(texts, start=1):
            expect(form).to_have_count(1, timeout=30_000)
            form.get_by_text(kind, exact=True).click()
            form.get_by_label("Nytt nyckeltema").fill(text)
            form.get_by_role("button", name="Lägg till").click()
            expect(page.get_by_role("heading", name=f"{heading} ({number})")).to_be_visible(timeout=30_000)
    go_on(page, "återkoppling klar")
    open_tab(page, "Förslag")
    proposal = form_with(page, f"{cid_key}_proposal_motivation")
    proposal.get_by_text("Hedersomnämnande", exact=True).click()
    proposal.get_by_label("Motivering till beredningsgruppen").fill("Tydliga mål och uppföljning; lärandet "
                                                                    "över tid är ännu under uppbyggnad.")
    proposal.get_by_role("button", name="Lämna förslaget").click()
    confirm(page, "Lämna förslaget")
    expect(page.get_by_text("Lagets förslag:")).to_contain_text("Hedersomnämnande", timeout=30_000)
    step(page, 10, "forslag")
    assert page.evaluate("window.__pwned") is None


def coordinator_finishes_the_report(y, page) -> bytes:
    page.goto(f"{y['url']}/rapporter?rapport_bidrag={UNIT}")
    wait_for_app(page)
    # The dialog's "Avbryt" leaves the report a draft; asked again, it is confirmed.
    page.get_by_role("button", name="Markera rapporten som slutlig").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Det går inte att ta tillbaka", timeout=30_000)
    dialog.get_by_role("button", name="Avbryt").click()
    expect(page.get_by_role("dialog")).to_have_count(0, timeout=30_000)
    wait_for_app(page)
    expect(page.get_by_text("Rapporten är slutlig")).to_have_count(0)
    page.get_by_role("button", name="Markera rapporten som slutlig").click()
    confirm_in_dialog(page, "Markera som slutlig", "Det går inte att ta tillbaka")
    expect(page.get_by_text("Rapporten är slutlig")).to_be_visible(timeout=30_000)
    step(page, 11, "rapport")
    with page.expect_download() as download:
        page.get_by_role("button", name="Ladda ner rapporten (Word)").click()
    assert download.value.suggested_filename == f"Återkopplingsrapport {DEMO_YEAR} {UNIT}.docx"
    return Path(download.value.path()).read_bytes()


def preparatory_group_looks(y) -> None:
    page = new_page(y["browser"], "beredning@demo.stockholm.se")
    page.goto(f"{y['url']}/beredning")
    wait_for_app(page)
    # The table draws on a canvas; its accessible cells carry the text.
    expect(page.locator("td[data-testid^=glide-cell]", has_text=UNIT)).to_have_count(1, timeout=30_000)
    expect(page.locator(".st-key-beredning_klass")).to_have_count(0)  # no classes in 2026: no class filter
    step(page, 12, "beredning")
    open_tab(page, "Jämför")
    picker = page.locator(".st-key-jamfor")
    picker.click()
    page.get_by_role("option", name=UNIT).click()
    wait_for_app(page)
    picker.click()
    page.get_by_role("option").first.click()
    wait_for_app(page)
    expect(page.get_by_text("Nyckelteman").first).to_be_visible(timeout=30_000)
    step(page, 13, "jamforelse")
    # The dossier: the draft motivation is the preparatory group's to edit, then to download.
    page.keyboard.press("Escape")  # the picker's open list hides the tabs from the page
    page.get_by_role("tab", name="Juryunderlag").click()
    pick(page, by_key(page, "utkast_kandidat"), f"Föreslagna för hedersomnämnande: {UNIT} · totalt 60,0")
    draft = by_key(page, f"utkast_{y['cid']}_0").locator("textarea")
    draft.fill("Skolan i Testby tilldelas ett hedersomnämnande för tydliga mål som hela skolan följer upp.")
    draft.press("Tab")
    by_key(page, f"utkast_{y['cid']}_0_save").get_by_role("button").click()
    expect(by_key(page, f"utkast_{y['cid']}_1")).to_have_count(1, timeout=30_000)
    with page.expect_download() as download:
        page.get_by_role("button", name="Ladda ner juryunderlaget (Word)").click()
    dossier = "\n".join(p.text for p in Document(download.value.path()).paragraphs)
    assert UNIT in dossier and "för tydliga mål som hela skolan följer upp" in dossier
    step(page, 14, "juryunderlag")
    page.context.close()


def jury_decides(y) -> None:
    page = new_page(y["browser"], "jury@demo.stockholm.se")
    page.goto(f"{y['url']}/beslut")
    wait_for_app(page)
    # A new candidate since the chair last declared: conflicts first, then the candidates.
    expect(page.get_by_role("heading", name="Jävsdeklaration")).to_be_visible(timeout=30_000)
    page.get_by_role("radiogroup", name=re.compile(UNIT)).get_by_text("Inget jäv", exact=True).click()
    page.get_by_role("button", name="Skicka deklarationen").click()
    expect(page.get_by_role("heading", name="Föreslagna för hedersomnämnande")).to_be_visible(timeout=30_000)
    forms = page.get_by_test_id("stForm")
    count = forms.count()
    for index in range(count):  # every other proposal: no award this year
        form = forms.nth(index)
        form.get_by_text("Ingen utmärkelse", exact=True).click()
        form.get_by_role("button", name="Spara beslutet").click()
        expect(page.get_by_text("Beslut: Ingen utmärkelse")).to_have_count(index + 1, timeout=30_000)
    # Ours gets its honourable mention (a decision can change until the year ends).
    ours = page.get_by_text(f"{UNIT} · totalt", exact=False).first.locator(
        "xpath=ancestor::*[.//*[@data-testid='stForm']][1]").get_by_test_id("stForm")
    ours.get_by_text("Hedersomnämnande", exact=True).click()
    ours.get_by_label("Juryns motivering (publiceras)").fill("För tydliga mål som hela skolan följer upp.")
    ours.get_by_role("button", name="Spara beslutet").click()
    wait_for_app(page)
    expect(page.get_by_text("Beslut: Hedersomnämnande")).to_have_count(1, timeout=30_000)
    step(page, 15, "beslut")
    # The demo's other teams have not all made their proposals: the year waits for the office.
    expect(page.get_by_text("Året kan inte avslutas ännu")).to_be_visible(timeout=30_000)
    end = page.get_by_role("button", name="Avsluta året")
    expect(end).to_be_disabled()
    office_excuses_the_unfinished(y)
    page.goto(f"{y['url']}/beslut")
    wait_for_app(page)
    expect(page.get_by_text("Året kan inte avslutas ännu")).to_have_count(0, timeout=30_000)
    end = page.get_by_role("button", name="Avsluta året")
    expect(end).to_be_enabled(timeout=30_000)
    end.click()
    confirm_in_dialog(page, "Avsluta och lås året", "kan inte öppnas igen")
    expect(page.get_by_text(f"Kvalitetsutmärkelsen {DEMO_YEAR} är avslutad")).to_be_visible(timeout=30_000)
    step(page, 17, "aret-avslutat")
    page.context.close()


def office_excuses_the_unfinished(y) -> None:
    """On Årets gång the office writes why each unfinished contribution may stay so."""
    page = new_page(y["browser"], ADMIN)
    page.goto(f"{y['url']}/aretsgang")
    wait_for_app(page)
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Spara förklaringen"))
    expect(form).to_have_count(1, timeout=30_000)
    for _ in range(30):
        if not form.count():
            break
        unit = form.get_by_role("combobox", name="Bidrag").input_value()
        form.get_by_label("Varför avslutas året utan att bidraget är klart?").fill("Laget hann inte klart i år.")
        form.get_by_role("button", name="Spara förklaringen").click()
        # Saved when the list of what the year waits for no longer names the unit (the form
        # goes with the last one).
        waiting_for = page.get_by_text(re.compile("Året kan avslutas först när.*" + re.escape(unit)))
        expect(waiting_for).to_have_count(0, timeout=30_000)
    expect(form).to_have_count(0)
    step(page, 16, "forklaringar")
    page.context.close()


def coordinator_gives_the_feedback(y) -> None:
    """After the ceremony: the feedback visit booked (with its invitation), held, and the
    final report handed over, on Återbesök."""
    page = new_page(y["browser"], y["coordinator"])
    page.goto(f"{y['url']}/aterbesok")
    wait_for_app(page)
    pick(page, by_key(page, "visit_contribution"), UNIT)
    expect(by_key(page, "visit_contribution").get_by_role("combobox")).to_have_value(UNIT, timeout=30_000)
    wait_for_app(page)
    booking = page.get_by_test_id("stForm").filter(has_text="Boka återbesöket")
    booking.get_by_label("Plats").fill("Skolan i Testby, personalrummet")
    booking.get_by_label("Från laget").fill("Lagsamordnaren och en examinator")
    booking.get_by_label("Från verksamheten").fill("Rektor och två lärare")
    booking.get_by_role("button", name="Spara bokningen").click()
    expect(page.get_by_text(f"Återbesöket hos {UNIT} är bokat")).to_be_visible(timeout=30_000)
    with page.expect_download() as download:
        page.get_by_role("button", name="Kalenderinbjudan (.ics) till laget och verksamheten").click()
    invite = Path(download.value.path()).read_text(encoding="utf-8")
    assert "BEGIN:VEVENT" in invite and "TZID=Europe/Stockholm" in invite and "Skolan i Testby" in invite
    # Each save redraws the forms under a new version: fill them once the rerun has ended.
    wait_for_app(page)
    held = page.get_by_test_id("stForm").filter(has_text="Återbesöket är genomfört")
    expect(held).to_have_count(1, timeout=30_000)
    held.get_by_label("Anteckningar från återbesöket").fill("Rektorn vill sprida arbetet med målen.")
    held.get_by_role("button", name="Spara").click()
    expect(page.get_by_text(f"Återbesöket hos {UNIT} är genomfört.")).to_be_visible(timeout=30_000)
    expect(page.locator("td[data-testid^=glide-cell]", has_text="Återbesök genomfört")).to_have_count(
        1, timeout=30_000)  # the table is drawn before the forms: wait for this rerun to end
    wait_for_app(page)
    handover = page.get_by_test_id("stForm").filter(has_text="Rapporten är överlämnad")
    expect(handover).to_have_count(1, timeout=30_000)
    handover.get_by_role("button", name="Spara").click()
    expect(page.get_by_text(f"Rapporten till {UNIT} är överlämnad.")).to_be_visible(timeout=30_000)
    step(page, 18, "aterbesok")
    page.context.close()


def office_makes_the_diplomas_and_starts_the_next_year(y) -> None:
    page = new_page(y["browser"], ADMIN)
    page.goto(f"{y['url']}/resultat")
    wait_for_app(page)
    page.get_by_role("button", name=re.compile(r"^Gör \d+ diplom$")).click()
    zipped = page.get_by_role("button", name=re.compile(r"^Ladda ner \d+ diplom \(zip\)$"))
    expect(zipped).to_be_visible(timeout=60_000)
    with page.expect_download() as download:
        zipped.click()
    with zipfile.ZipFile(download.value.path()) as archive:
        names = archive.namelist()
    made = int(re.search(r"\d+", zipped.inner_text()).group())
    assert len(names) == made and any(UNIT in name for name in names)
    step(page, 19, "diplom")
    # The next year, from the ended one: its instructions start as a copy of this year's.
    page.get_by_role("button", name="Starta nästa år").click()
    expect(page.get_by_text("är startat och är nu aktuellt år")).to_be_visible(timeout=30_000)
    expect(page.get_by_text(f"Anvisningarna är en kopia av {DEMO_YEAR}", exact=False)).to_be_visible()
    expect(page.get_by_test_id("stSidebar").get_by_text(f"Kvalitetsutmärkelsen {DEMO_YEAR + 1}",
                                                          exact=False)).to_be_visible(timeout=30_000)
    step(page, 20, "nasta-ar")
    page.context.close()


def test_the_whole_year_in_a_browser(year):
    admin_takes_in_and_assigns(year)
    for number, email in enumerate(year["examiners"]):
        examiner_assesses(year, email, 4 + number, first=number == 0)
    page = new_page(year["browser"], year["coordinator"])
    CID_KEY[:] = [year["cid_key"]]
    coordinator_reaches_consensus(year, page, year["cid_key"])
    report = coordinator_finishes_the_report(year, page)
    page.context.close()
    preparatory_group_looks(year)
    jury_decides(year)
    coordinator_gives_the_feedback(year)
    office_makes_the_diplomas_and_starts_the_next_year(year)

    text = [p.text for p in Document(io.BytesIO(report)).paragraphs]
    assert text[:2] == ["Återkopplingsrapport", UNIT]
    assert all(area.title in text for area in FRAMEWORK.areas)
    assert "Tydliga mål som alla känner till." in text
    if reports.libreoffice():  # as the unit will read it: a PDF with pages
        [(_, pdf)] = reports.to_pdf([("rapport.docx", report)])
        pages = re.search(rb"/Type\s*/Pages.*?/Count\s+(\d+)", pdf, re.S)
        assert pdf.startswith(b"%PDF") and pages and int(pages.group(1)) >= 2

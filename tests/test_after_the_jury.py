"""After the jury: ending the year deliberately, the feedback visit and the report handed
over, calendar invitations, diplomas, the year's results and the next year."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import icalendar
import openpyxl
import pytest
from docx import Document
from helpers import jury_declared, jury_member

from scoring.__main__ import main
from scoring.assessment import individual as assessments
from scoring.consensus import workspace as consensus
from scoring.core import access, auth
from scoring.core.text import escape_markdown
from scoring.feedback import invites, results, visits
from scoring.intake import eligibility
from scoring.jury import shortlist as jury
from scoring.teams import assignment as teams
from scoring.teams import examiners
from scoring.year import next_year, phases, progress, years
from workbench_tools.synthetic import build_year

P = phases.ContributionPhase
CEREMONY = dt.date(2026, 11, 24)        # the 2026 instructions' ceremony
VISIT = dt.date(2026, 11, 30)           # a Monday after it
HOSTILE = '<b>Skolan & "Co"</b> {{ ar }}'


@pytest.fixture
def year(empty_store):
    """A generated year of four proposed contributions, decided by a jury of one."""
    admin_id = build_year(empty_store, 4)
    admin = auth.User(admin_id, "admin@syntet.se", "Admin Syntet", "admin")
    auth.create_account(empty_store, admin, email="jury@syntet.se", name="Juryn", role="domarkommitte", password=None)
    judge = auth.user_by_email(empty_store, "jury@syntet.se")
    jury_member(empty_store, admin, judge)
    # The office's basic control is complete for every unit: an honourable mention needs it too.
    complete = eligibility.Facts(
        employees_including_manager=8, manager_with_full_responsibility=True, business_plan_with_goals=True,
        previous_year_deficit=False, forecast_deficit=False, protocol_extract_received=dt.date(2026, 6, 1),
        basic_control=eligibility.BasicControl(dt.date(2026, 6, 15), {"Underskott?": "Nej."}, ""))
    for (cid,) in empty_store.fetchall("SELECT id FROM contributions WHERE year = 2026"):
        eligibility.record(empty_store, admin, cid, complete)
    with empty_store.write("test") as uow:  # a unit whose name is markup must stay text everywhere
        uow.execute("UPDATE units SET name = ? WHERE id = (SELECT min(unit_id) FROM contributions)", [HOSTILE])
    return empty_store, admin, judge


def _decide_all(store, judge, decision: str = "hedersomnamnande") -> list[int]:
    jury_declared(store, judge)  # the jury declares conflicts before it reads the candidates
    decided = jury.undecided(store, judge, 2026)
    for cid in decided:
        jury.decide(store, judge, cid, decision, "För ett engagerat arbete med målgruppernas behov.")
    return decided


def _lead(store, cid: int) -> auth.User:
    return auth.User(*store.fetchone(
        "SELECT u.id, u.email, u.name, u.role FROM assignments s JOIN teams t ON t.id = s.team_id"
        " JOIN users u ON u.id = t.coordinator_id WHERE s.contribution_id = ?", [cid]))


def test_the_year_ends_only_when_every_contribution_is_finished_or_excused(year):
    store, admin, judge = year
    assert progress.near_the_end(store, 2026)  # proposals are in: the stragglers are shown
    _decide_all(store, judge)
    stuck = store.fetchone("SELECT min(id) FROM contributions")[0]
    with store.write("test") as uow:  # one team never got further than consensus
        uow.execute("UPDATE contributions SET phase = 'konsensus' WHERE id = ?", [stuck])
    with pytest.raises(jury.JuryError, match="inte klara och saknar Kvalitetsenhetens förklaring"):
        jury.lock_year(store, judge, 2026)
    unit = store.fetchone("SELECT u.name FROM contributions c JOIN units u ON u.id = c.unit_id WHERE c.id = ?",
                          [stuck])[0]
    assert unit in " ".join(jury.year_end_blockers(store, admin, 2026))  # the office sees which
    assert jury.year_end_blockers(store, judge, 2026) == [
        "1 bidrag är inte klara och saknar Kvalitetsenhetens förklaring på Årets gång."]  # the jury how many
    with pytest.raises(access.AccessDenied):
        progress.excuse(store, judge, stuck, "Drog tillbaka")
    with pytest.raises(phases.TransitionRefused, match="Skriv varför"):
        progress.excuse(store, admin, stuck, "  ")
    progress.excuse(store, admin, stuck, "Verksamheten drog tillbaka sitt bidrag.")
    assert jury.year_end_blockers(store, judge, 2026) == []
    jury.lock_year(store, judge, 2026)
    phases_now = dict(store.fetchall("SELECT id, phase FROM contributions"))
    assert phases_now.pop(stuck) == "konsensus"
    assert set(phases_now.values()) == {"beslutad"}  # the decisions are final for everyone else
    assert years.phase(store, 2026) == "avslutat"


def test_an_ended_years_screens_are_read_only_in_view(year):
    store, admin, judge = year
    _decide_all(store, judge)
    jury.lock_year(store, judge, 2026)
    cid = store.fetchone("SELECT min(id) FROM contributions")[0]
    lead = _lead(store, cid)
    assert not consensus.workspace(store, lead, cid).editing
    from scoring.teams import conflicts

    conflicts.declare(store, lead, cid, has_conflict=False, confidentiality_accepted=True)
    assert not assessments.own_assessment(store, lead, cid).editable


def test_the_year_follows_the_work_from_individual_assessment_to_consensus(demo_store):
    admin = auth.user_by_email(demo_store, "kvalitetsenheten@demo.stockholm.se")
    assert years.phase(demo_store, 2026) == "bedomning"
    left = progress.individual_work(demo_store, 2026)
    for _, unit, name, status in left:
        if status in phases.SUBMITTED:
            continue
        examiner = auth.user_by_email(demo_store, demo_store.fetchone("SELECT email FROM users WHERE name = ?",
                                                                      [name])[0])
        cid = demo_store.fetchone("SELECT c.id FROM contributions c JOIN units u ON u.id = c.unit_id"
                                  " WHERE u.name = ?", [unit])[0]
        from helpers import score_everything

        from scoring.teams import conflicts

        if access.needs_declaration(demo_store, examiner, cid):
            conflicts.declare(demo_store, examiner, cid, has_conflict=False, confidentiality_accepted=True)
        work = assessments.own_assessment(demo_store, examiner, cid)
        assert years.phase(demo_store, 2026) == "bedomning"  # not before the last one is in
        assessments.submit(demo_store, examiner, cid, score_everything(demo_store, examiner, cid, work.version))
    assert years.phase(demo_store, 2026) == "konsensus"
    moved = demo_store.fetchone("SELECT actor FROM audit_log WHERE action = 'året går vidare med arbetet'")
    assert moved is not None and admin is not None


def test_the_feedback_visit_then_the_report_not_before_the_ceremony_or_the_visit(year):
    store, admin, judge = year
    _decide_all(store, judge)
    jury.lock_year(store, judge, 2026)
    cid = store.fetchone("SELECT min(id) FROM contributions")[0]
    lead = _lead(store, cid)
    other = _lead(store, store.fetchone("SELECT max(id) FROM contributions")[0])
    if other.id != lead.id:
        with pytest.raises(access.AccessDenied):
            visits.book(store, other, cid, 0, date=VISIT, starts=dt.time(9), ends=dt.time(11), place="x",
                        team_participants="x", unit_participants="x")
    with pytest.raises(visits.VisitError, match="sluta efter"):
        visits.book(store, lead, cid, 0, date=VISIT, starts=dt.time(11), ends=dt.time(9), place="Skolan",
                    team_participants="Laget", unit_participants="Rektor")
    with pytest.raises(visits.VisitError, match="Juldagen"):
        visits.book(store, lead, cid, 0, date=dt.date(2026, 12, 25), starts=dt.time(9), ends=dt.time(11),
                    place="Skolan", team_participants="Laget", unit_participants="Rektor")
    version = visits.book(store, lead, cid, 0, date=VISIT, starts=dt.time(9), ends=dt.time(11, 30), place="Skolan",
                          team_participants="Hela laget", unit_participants="Rektor och två lärare")
    assert visits.visit(store, lead, cid).phase == "aterbesok_bokat"
    # The report is not handed over before the visit …
    with pytest.raises(phases.TransitionRefused, match="Återbesöket är inte genomfört"):
        visits.hand_over(store, lead, cid, version, on=dt.date(2026, 12, 1), how="Med e-post")
    with pytest.raises(access.AccessDenied):  # … unless the office overrides, with a reason
        visits.hand_over(store, lead, cid, version, on=dt.date(2026, 12, 1), how="Med e-post", override_reason="x")
    version = visits.record_held(store, lead, cid, version, held_on=VISIT, notes="Bra samtal.")
    # … nor on or before the ceremony.
    with pytest.raises(phases.TransitionRefused, match="efter utdelningen \\(24 november 2026\\)"):
        visits.hand_over(store, lead, cid, version, on=CEREMONY, how="Vid återbesöket")
    version = visits.hand_over(store, lead, cid, version, on=VISIT, how="Vid återbesöket")
    done = visits.visit(store, lead, cid)
    assert (done.phase, done.handed_over_on, done.handed_over_how) == ("rapport_overlamnad", VISIT, "Vid återbesöket")
    # The office hands another report over early, with its reason; a report not final never goes.
    early = store.fetchone("SELECT max(id) FROM contributions")[0]
    visits.hand_over(store, admin, early, 0, on=dt.date(2026, 11, 20), how="Med e-post",
                     override_reason="Verksamheten flyttar; rapporten behövs före utdelningen.")
    assert visits.visit(store, admin, early).phase == "rapport_overlamnad"
    third = sorted(r[0] for r in store.fetchall("SELECT id FROM contributions"))[1]
    with store.write("test") as uow:
        uow.execute("UPDATE reports SET final = FALSE WHERE contribution_id = ?", [third])
    with pytest.raises(phases.TransitionRefused, match="inte markerad som slutlig"):
        visits.hand_over(store, admin, third, 0, on=VISIT, how="Med e-post", override_reason="Skäl")
    stages = {s.key: s for s in progress.overview(store, admin, 2026, today=dt.date(2026, 12, 3))}
    assert (stages["overlamnad"].done, stages["overlamnad"].total) == (2, 4)
    assert "Inte bokade" in stages["aterbesok"].notes[0]


def test_calendar_invitations_are_in_stockholm_time_with_the_team_and_the_unit(year):
    store, admin, judge = year
    _decide_all(store, judge)
    jury.lock_year(store, judge, 2026)
    cid = store.fetchone("SELECT min(id) FROM contributions")[0]
    with store.write("test") as uow:  # the unit's contact, from its registration of interest
        uow.execute("INSERT INTO registrations (year, unit_name, organisation, contact_name, contact_email, source,"
                    " contribution_id, created_by, created_at) VALUES (2026, 'x', 'y', 'Rektor Ro', 'ro@skolan.se',"
                    " 'för hand', ?, 'test', now())", [cid])
    lead = _lead(store, cid)
    visits.book(store, lead, cid, 0, date=VISIT, starts=dt.time(9), ends=dt.time(11, 30), place="Skolans aula",
                team_participants="Laget", unit_participants="Rektor")
    name, data = invites.feedback_visit_invite(store, lead, cid)
    calendar = icalendar.Calendar.from_ical(data)
    event = next(c for c in calendar.walk("VEVENT"))
    assert event.decoded("dtstart") == dt.datetime(2026, 11, 30, 9, 0, tzinfo=event.decoded("dtstart").tzinfo)
    assert str(event.decoded("dtstart").tzinfo) == "Europe/Stockholm" and b"TZID:Europe/Stockholm" in data
    assert event.decoded("dtend").hour == 11 and event.decoded("dtend").minute == 30
    assert event["location"] == "Skolans aula" and HOSTILE in str(event["summary"])
    attendees = {str(a).removeprefix("mailto:") for a in event.get("attendee")}
    team = {r[0] for r in store.fetchall("SELECT u.email FROM assignments s JOIN team_members m ON m.team_id ="
                                         " s.team_id JOIN users u ON u.id = m.user_id WHERE s.contribution_id = ?",
                                         [cid])}
    assert attendees == team | {"ro@skolan.se"} and name.endswith(".ics")
    _, site = invites.site_visit_invite(store, lead, cid)
    whole_day = next(c for c in icalendar.Calendar.from_ical(site).walk("VEVENT"))
    assert whole_day.decoded("dtstart") == dt.date(2026, 9, 15)


def test_diplomas_one_per_unit_with_its_result_and_names_as_text(year, tmp_path, capsys):
    store, admin, judge = year
    decided = _decide_all(store, judge, "ingen")
    jury.decide(store, judge, decided[0], "hedersomnamnande", "För elevernas inflytande.")
    with pytest.raises(results.ResultsError, match="inte avslutat"):
        results.diplomas(store, admin, 2026)
    jury.lock_year(store, judge, 2026)
    files = results.diplomas(store, admin, 2026)
    assert len(files) == 4  # every participating unit, not only the winners
    texts = {name: "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs) for name, data in files}
    honoured = next(t for t in texts.values() if "hedersomnämnande" in t)
    assert "För elevernas inflytande." in honoured
    assert sum("har deltagit i Stockholms stads kvalitetsutmärkelse 2026" in t for t in texts.values()) == 3
    assert any(HOSTILE in t for t in texts.values())  # the markup and the braces are literal text
    with pytest.raises(access.AccessDenied):
        results.diplomas(store, judge, 2026)
    out = tmp_path / "diplom"
    assert main(["diplomas", "--year", "2026", "--out", str(out)]) == 0
    assert len(list(out.glob("*.docx"))) == 4 and "4 diplom för 2026" in capsys.readouterr().out
    assert main(["diplomas", "--year", "2026", "--out", str(out)]) == 1  # never over earlier files


def test_the_results_for_the_website_and_the_prize_recipients(year):
    store, admin, judge = year
    decided = _decide_all(store, judge, "ingen")
    jury.decide(store, judge, decided[1], "hedersomnamnande", "För ett lärande arbetssätt.")
    jury.lock_year(store, judge, 2026)
    found = results.results(store, admin, 2026)
    assert [r.result for r in found] == ["hedersomnamnande", "deltagit", "deltagit", "deltagit"]
    text = results.website_text(store, admin, 2026)
    assert text.index("Hedersomnämnande") < text.index("Deltagande verksamheter")
    assert "För ett lärande arbetssätt." in text and HOSTILE in text
    assert results.prize_recipients(store, admin, 2026)[0]["amount"] is None  # not in the instructions
    results.set_prize_amounts(store, admin, 2026, {"hedersomnamnande": 25_000})
    with pytest.raises(results.ResultsError):
        results.set_prize_amounts(store, admin, 2026, {"hedersomnamnande": -1})
    book = openpyxl.load_workbook(io.BytesIO(results.results_workbook(store, admin, 2026)))
    prizes = list(book["Prispengar"].iter_rows(values_only=True))
    assert prizes[1][2:] == ("Hedersomnämnande", 25_000) and len(prizes) == 2
    rows = list(book["Resultat"].iter_rows(values_only=True))
    # 2026 has no competition classes: no empty class column.
    assert rows[0] == ("Verksamhet", "Förvaltning eller bolag", "Resultat", "Juryns motivering")
    assert len(rows) == 5 and book["Resultat"].freeze_panes == "A2"


def test_the_next_year_carries_the_registry_and_the_settings_over_once(empty_store):
    with empty_store.write("kommandoraden") as uow:
        auth.add_user(uow, email="vera@stad.se", name="Vera", role="admin", password="ett-långt-lösenord")
    admin = auth.user_by_email(empty_store, "vera@stad.se")
    years.create(empty_store, admin, 2012)
    examiners.import_examiners(empty_store, admin, "x.csv", (
        "Namn;E-post;Förvaltning/bolag;År som examinator\nAda;ada@stad.se;Socialförvaltningen;0\n"
        "Bo;bo@stad.se;Kulturförvaltningen;4\nCia;cia@stad.se;Miljöförvaltningen;1\n").encode())
    ada, bo = (auth.user_by_email(empty_store, e) for e in ("ada@stad.se", "bo@stad.se"))
    teams.create_team(empty_store, admin, 2012, "Lag Ett", [ada.id, bo.id], bo.id, "Årets lag")
    from scoring.reports import documents

    documents.show_scores(empty_store, admin, 2012, True)
    with pytest.raises(years.YearError, match="inte avslutat"):
        next_year.start_next_year(empty_store, admin, 2012, 2024)
    auth.create_account(empty_store, admin, email="jury@stad.se", name="Jury", role="domarkommitte", password=None)
    jury.lock_year(empty_store, auth.user_by_email(empty_store, "jury@stad.se"), 2012)
    carried = next_year.start_next_year(empty_store, admin, 2012, 2024)
    assert carried["examiners"] == 2 and years.current_year(empty_store) == 2024
    assert documents.scores_shown(empty_store, 2024)
    registry = {r["name"]: (r["years_as_examiner"], r["is_new"]) for r in examiners.registry(empty_store, admin)}
    assert registry == {"Ada": (1, False), "Bo": (5, False), "Cia": (1, False)}
    next_year.start_next_year(empty_store, admin, 2012, 2026)  # a second start from 2012 counts nothing again
    assert {r["name"]: r["years_as_examiner"] for r in examiners.registry(empty_store, admin)}["Bo"] == 5
    assert years.is_locked(empty_store, 2012)


def test_diplomas_zip_and_the_template_is_checked_like_the_others(year):
    store, admin, judge = year
    _decide_all(store, judge)
    jury.lock_year(store, judge, 2026)
    from scoring.reports import documents
    from scoring.reports.templates import DIPLOMA

    archive = zipfile.ZipFile(io.BytesIO(documents.zip_files(results.diplomas(store, admin, 2026))))
    assert len(archive.namelist()) == 4
    assert documents.check_template(DIPLOMA, documents.template(store, DIPLOMA)) == []
    wrong = documents.check_template(DIPLOMA, documents.template(store, "aterkopplingsrapport"))
    assert any("Okänt fält ”omraden”" in problem for problem in wrong)


# --- the pages ---------------------------------------------------------------------------------


def _at(store, email: str):
    from helpers import APP
    from streamlit.testing.v1 import AppTest

    user = auth.user_by_email(store, email)
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["session_token"] = auth.create_session(store, user)
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_feedback_visit_page_books_records_and_hands_over(year, monkeypatch):
    store, admin, judge = year
    monkeypatch.setenv("WORKBENCH_DB", store.path)
    _decide_all(store, judge)
    jury.lock_year(store, judge, 2026)
    cid = store.fetchone("SELECT min(id) FROM contributions")[0]
    lead = _lead(store, cid)
    at = _at(store, lead.email)
    at.switch_page("app_pages/feedback_visits.py").run()
    assert not at.exception and at.title[0].value == "Återbesök"
    assert at.dataframe[0].value["Fas"].tolist()[0] == "Beslutad"
    at.selectbox(key="visit_contribution").set_value(cid).run()
    next(d for d in at.date_input if d.label == "Datum").set_value(VISIT)
    for label, value in (("Plats", "Skolans aula"), ("Från laget", "Hela laget"), ("Från verksamheten", "Rektor")):
        next(t for t in at.text_input if t.label == label).input(value)
    next(b for b in at.button if b.label == "Spara bokningen").click().run()
    assert not at.exception and at.success[0].value.startswith(
        escape_markdown(f"Återbesöket hos {HOSTILE} är bokat 30 november 2026"))
    assert [b.label for b in at.get("download_button")] == ["Kalenderinbjudan (.ics) till laget och verksamheten"]
    next(d for d in at.date_input if d.label == "Överlämnad").set_value(dt.date(2026, 12, 1))
    at.button(key=next(b.key for b in at.button if b.key and b.key.startswith("FormSubmitter:handover_"))).click().run()
    assert "Återbesöket är inte genomfört" in at.error[0].value
    assert "Skäl att lämna över" not in " ".join(t.label for t in at.text_input)  # only the office overrides
    at.button(key=next(b.key for b in at.button if b.key and b.key.startswith("FormSubmitter:held_"))).click().run()
    assert not at.exception and "är genomfört" in at.success[0].value
    next(d for d in at.date_input if d.label == "Överlämnad").set_value(dt.date(2026, 12, 1))
    at.button(key=next(b.key for b in at.button if b.key and b.key.startswith("FormSubmitter:handover_"))).click().run()
    assert not at.exception and "är överlämnad" in at.success[0].value
    assert visits.visit(store, lead, cid).phase == "rapport_overlamnad"


def test_the_results_page_makes_diplomas_lists_and_starts_no_year_without_instructions(year, monkeypatch):
    store, admin, judge = year
    monkeypatch.setenv("WORKBENCH_DB", store.path)
    at = _at(store, admin.email)
    at.switch_page("app_pages/results.py").run()
    assert "när domarkommittén har avslutat året" in at.info[0].value
    _decide_all(store, judge)
    jury.lock_year(store, judge, 2026)
    at.run()
    assert not at.exception
    next(b for b in at.button if b.label.startswith("Gör 4 diplom")).click().run()
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert "Ladda ner 4 diplom (zip)" in labels and "Text till stadens webbplats" in labels
    assert at.dataframe[0].value["Verksamhet"].tolist()[0] == HOSTILE
    assert "Tävlingsklass" not in at.dataframe[0].value.columns  # 2026 has no competition classes
    # 2027 has no instructions yet: it is offered as a copy of 2026's, for the office to edit.
    assert at.selectbox(key="next_year_choice").options == ["2027: en kopia av 2026 års anvisningar, att ändra under "
                                                             "Skriv anvisningar"]

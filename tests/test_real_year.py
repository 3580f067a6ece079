"""A real year from an empty database: setting up the year and its schedule, registrations
of interest, late files, requests for changes with their versions, teams mid-year, and the
year's progress and gates."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from corpus import build, content

from scoring.__main__ import main
from scoring.core import auth
from scoring.core.errors import StaleWrite
from scoring.intake import changes, registrations
from scoring.intake import review as intake
from scoring.intake.registrations import Registration
from scoring.teams import assignment as teams
from scoring.teams import examiners
from scoring.year import calendar, phases, progress, years
from scoring.year.framework import load_framework

F2026 = load_framework(2026)
ON_TIME = dt.datetime(2026, 5, 6, 8, 0)            # UTC; 6 May in Stockholm
LAST_MINUTE = dt.datetime(2026, 5, 7, 21, 50)       # UTC; 23.50 on 7 May in Stockholm
JUST_LATE = dt.datetime(2026, 5, 7, 22, 5)          # UTC; 00.05 on 8 May in Stockholm


@pytest.fixture
def office(empty_store):
    """An empty database with only the first admin, as `users add` makes it."""
    with empty_store.write("kommandoraden") as uow:
        auth.add_user(uow, email="vera.holm@stockholm.se", name="Vera Holm", role="admin", password="ett-långt-lösenord")
    return empty_store, auth.user_by_email(empty_store, "vera.holm@stockholm.se")


def _year(store, admin, schedule=None):
    years.create(store, admin, 2026, schedule or {"individuell_bedomning": dt.date(2026, 8, 28)})


def _file(name: str = "Skolan i Testby", layout: str = "rubriker", **options) -> bytes:
    text = content(F2026, **options)
    text = dataclasses.replace(text, unit_name=name, intro_fields={**text.intro_fields, "unit_name": name})
    return build(F2026, layout, content=text)[0]


def _contribution(store, admin, name: str, layout: str = "rubriker", received=ON_TIME, note: str = "") -> int:
    intake_id = intake.upload(store, admin, 2026, f"{name}.docx", _file(name, layout), received_at=received)
    read = intake.review(store, admin, intake_id)
    return intake.accept(store, admin, intake_id, read.version, unit_name=name, organisation="Utbildningsförvaltningen",
                         note=note or ("Tas emot." if read.needs_note else ""))


# --- working days --------------------------------------------------------------------------


@pytest.mark.parametrize("start, days, due, why", [
    (dt.date(2026, 11, 27), 1, dt.date(2026, 11, 30), "Friday + 1 skips the weekend"),
    (dt.date(2026, 5, 13), 1, dt.date(2026, 5, 15), "Ascension Day (14 May 2026) is a holiday"),
    (dt.date(2026, 5, 13), 2, dt.date(2026, 5, 18), "… and the weekend after it"),
    (dt.date(2026, 6, 18), 1, dt.date(2026, 6, 22), "Midsummer Eve (19 June 2026) is a day off"),
    (dt.date(2027, 6, 4), 1, dt.date(2027, 6, 7), "National Day 2027 is on a Sunday: no effect"),
    (dt.date(2025, 6, 5), 1, dt.date(2025, 6, 9), "National Day (6 June 2025, a Friday) is a holiday"),
    (dt.date(2026, 12, 23), 2, dt.date(2026, 12, 29), "Christmas Eve, Christmas Day, Boxing Day, the weekend"),
])
def test_due_dates_count_swedish_working_days(start, days, due, why):
    assert calendar.add_working_days(start, days) == due, why


def test_holidays_have_their_swedish_names():
    assert calendar.holiday_name(dt.date(2026, 5, 14)) == "Kristi himmelsfärdsdag"
    assert calendar.holiday_name(dt.date(2026, 6, 19)) == "Midsommarafton"
    assert calendar.holiday_name(dt.date(2026, 6, 6)) == "Nationaldagen"
    assert calendar.holiday_name(dt.date(2026, 6, 17)) is None


# --- the year and its schedule ------------------------------------------------------------------


def test_the_first_admin_creates_the_year_and_makes_it_current(office):
    store, admin = office
    assert years.current_year(store) is None and years.frameworks_for_new_years(store) == [2012, 2024, 2026]
    _year(store, admin, {"individuell_bedomning": dt.date(2026, 8, 28), "utdelning": dt.date(2026, 11, 24)})
    assert years.current_year(store) == 2026 and years.frameworks_for_new_years(store) == [2012, 2024]
    assert years.schedule(store, 2026)[0]["individuell_bedomning"] == dt.date(2026, 8, 28)
    # The schedule's ceremony replaces the framework's own line, never both.
    ceremony = [m for m in years.milestones(store, 2026) if m.key == "utdelning"]
    assert [(m.date, m.source) for m in ceremony] == [(dt.date(2026, 11, 24), "schema")]
    with pytest.raises(years.YearError, match="finns redan"):
        _year(store, admin)


@pytest.mark.parametrize("schedule, message", [
    ({"konsensus": dt.date(2026, 8, 1), "individuell_bedomning": dt.date(2026, 8, 28)},
     "Konsensus klar \\(1 augusti 2026\\) ligger före individuella bedömningar inlämnade"),
    ({"domarkommitte": dt.date(2027, 1, 10)}, "ligger inte i år 2026"),
    ({"individuell_bedomning": dt.date(2026, 5, 7)}, "måste ligga efter sista dag för bidragen \\(7 maj 2026\\)"),
    ({"platsbesok_fran": dt.date(2026, 9, 20), "platsbesok": dt.date(2026, 9, 1)}, "Platsbesöken klara"),
    ({"okand": dt.date(2026, 9, 1)}, "Okänd milstolpe 'okand'"),
])
def test_a_bad_schedule_is_refused_naming_the_date(office, schedule, message):
    store, admin = office
    with pytest.raises(years.YearError, match=message):
        years.create(store, admin, 2026, schedule)
    assert years.all_years(store) == []  # nothing half written


def test_two_admins_editing_the_schedule_the_later_stale_save_is_refused(office):
    store, admin = office
    _year(store, admin)
    dates, version = years.schedule(store, 2026)
    years.update_schedule(store, admin, 2026, version, {**dates, "konsensus": dt.date(2026, 9, 11)})
    with pytest.raises(StaleWrite) as refused:
        years.update_schedule(store, admin, 2026, version, {**dates, "konsensus": dt.date(2026, 9, 18)})
    assert any("ändra schema" in change for change in refused.value.changes)
    assert years.schedule(store, 2026)[0]["konsensus"] == dt.date(2026, 9, 11)


def test_the_command_line_creates_lists_and_switches_years(empty_store, tmp_path, capsys):
    schedule = tmp_path / "schema.yaml"
    schedule.write_text("individuell_bedomning: 2026-08-28\nkonsensus: 2026-09-11\n", encoding="utf-8")
    assert main(["year", "create", "--year", "2026", "--schedule", str(schedule)]) == 0
    assert main(["year", "create", "--year", "2024"]) == 0
    out = capsys.readouterr().out
    assert "2 datum i schemat" in out and "Aktuellt år är fortfarande 2026" in out
    assert main(["year", "current", "2024"]) == 0
    assert main(["year", "list"]) == 0
    listing = capsys.readouterr().out
    assert "* 2024" in listing and "  2026" in listing
    bad = tmp_path / "fel.yaml"
    bad.write_text("konsensus: 11 september\n", encoding="utf-8")
    assert main(["year", "create", "--year", "2012", "--schedule", str(bad)]) == 1
    assert "är inget datum" in capsys.readouterr().err
    assert main(["year", "current", "1999"]) == 1


# --- registrations ---------------------------------------------------------------------------------


def test_registrations_by_hand_and_import_with_bad_rows_named(office):
    store, admin = office
    _year(store, admin)
    registrations.add(store, admin, 2026, Registration("Förskolan Ugglan", "Södermalms stadsdelsförvaltning",
                                                       "Ann Ek", "ann.ek@stad.se"))
    with pytest.raises(registrations.RegistrationError, match="redan anmält"):
        registrations.add(store, admin, 2026, Registration(" förskolan  ugglan ", "Södermalms stadsdelsförvaltning"))
    with pytest.raises(registrations.RegistrationError, match="Menade du Södermalms stadsdelsförvaltning"):
        registrations.add(store, admin, 2026, Registration("Förskolan Räven", "Södermalms stadsdelsförvaltnin"))
    export = ("Verksamhet;Förvaltning/bolag;Kontaktperson;E-post\n"
              "Hjulstaskolan;Utbildningsförvaltningen;Bo Ek;bo.ek@stad.se\n"
              ";Utbildningsförvaltningen;Ingen;x@stad.se\n"
              "Solskolan;Utbildningsförvaltninge;Cia;cia@stad.se\n"
              "Månskolan;Utbildningsförvaltningen;Dan;inte-en-adress\n"
              "Förskolan Ugglan;Södermalms stadsdelsförvaltning;Ann Ek;ann.ny@stad.se\n"
              "Hjulstaskolan;Utbildningsförvaltningen;Bo Ek;bo.ek@stad.se\n").encode("cp1252")
    result = registrations.import_file(store, admin, 2026, "enkät.csv", export)
    assert result.added == ["Hjulstaskolan"] and result.updated == ["Förskolan Ugglan"]
    assert "Windows-1252" in result.note
    assert [p.split(":")[0] for p in result.problems] == ["Rad 3", "Rad 4 (Solskolan)", "Rad 5 (Månskolan)",
                                                         "Rad 7 (Hjulstaskolan)"]
    assert "Menade du Utbildningsförvaltningen" in result.problems[1]
    rows = {r["unit_name"]: r for r in registrations.registrations(store, admin, 2026)}
    assert set(rows) == {"Förskolan Ugglan", "Hjulstaskolan"} and rows["Förskolan Ugglan"]["contact_email"] == "ann.ny@stad.se"
    with pytest.raises(Exception, match="kolumn saknas: Förvaltning/bolag"):
        registrations.import_file(store, admin, 2026, "fel.csv", b"Verksamhet;Telefon\nA;1\n")


@pytest.mark.parametrize("registered, fewest, most", [(0, 0, 0), (1, 3, 4), (7, 12, 28), (30, 45, 120)])
def test_the_estimate_of_examiners_follows_from_teams_of_three_or_four(office, registered, fewest, most):
    store, admin = office
    _year(store, admin)
    for n in range(registered):
        registrations.add(store, admin, 2026, Registration(f"Enhet {n}", "Socialförvaltningen"))
    examiners.import_examiners(store, admin, "x.csv", "Namn;E-post;Förvaltning/bolag\nAda;ada@stad.se;Socialförvaltningen\n"
                               .encode())
    estimate = registrations.estimate(store, admin, 2026)
    assert (estimate.registrations, estimate.examiners_fewest, estimate.examiners_most) == (registered, fewest, most)
    assert estimate.in_registry == 1


def test_a_contribution_is_linked_to_its_registration_and_the_missing_are_listed(office):
    store, admin = office
    _year(store, admin)
    for name in ("Skolan i Testby", "Skolan i Annanby"):
        registrations.add(store, admin, 2026, Registration(name, "Utbildningsförvaltningen"))
    data, _ = build(F2026, "rubriker")
    intake_id = intake.upload(store, admin, 2026, "testby.docx", data, received_at=ON_TIME)
    candidates = registrations.open_for_link(store, admin, 2026)
    guess = registrations.best_match(candidates, "Skolan i Testby")
    assert next(r["unit_name"] for r in candidates if r["id"] == guess) == "Skolan i Testby"
    cid = intake.accept(store, admin, intake_id, 1, unit_name="Skolan i Testby", organisation="Utbildningsförvaltningen",
                        registration_id=guess)
    assert [r["unit_name"] for r in registrations.missing(store, admin, 2026)] == ["Skolan i Annanby"]
    assert next(r for r in registrations.registrations(store, admin, 2026) if r["contribution_id"] == cid)
    with pytest.raises(registrations.RegistrationError, match="skickat sitt bidrag"):
        registrations.remove(store, admin, guess)


# --- intake as the office runs it -------------------------------------------------------------------------


def test_arrival_after_midnight_stockholm_time_is_late_and_needs_the_offices_note(office):
    store, admin = office
    _year(store, admin)
    data, _ = build(F2026, "rubriker")
    on_time = intake.upload(store, admin, 2026, "a.docx", data, received_at=LAST_MINUTE)
    late = intake.upload(store, admin, 2026, "b.docx", build(F2026, "fetstil")[0], received_at=JUST_LATE)
    assert not intake.review(store, admin, on_time).late and intake.review(store, admin, late).late
    assert [r["late"] for r in intake.intake_list(store, admin, 2026)] == [False, True]
    with pytest.raises(intake.IntakeError, match="kom in efter sista dag \\(7 maj 2026\\): skriv en anteckning"):
        intake.accept(store, admin, late, 1, unit_name="B", organisation="Utbildningsförvaltningen")
    cid = intake.accept(store, admin, late, 1, unit_name="B", organisation="Utbildningsförvaltningen",
                        note="Förseningen var anmäld i förväg.")
    assert store.fetchone("SELECT late FROM contributions WHERE id = ?", [cid])[0] is True
    assert store.fetchone("SELECT accept_note FROM intake_files WHERE id = ?", [late])[0] == "Förseningen var anmäld i förväg."
    # The office corrects when a file came (it arrived by e-mail the day before it was read in).
    other = intake.upload(store, admin, 2026, "c.docx", build(F2026, "autonumrering")[0], received_at=JUST_LATE)
    intake.set_received_at(store, admin, other, 1, ON_TIME)
    assert not intake.review(store, admin, other).late


def test_the_organisation_comes_from_the_citys_list_and_findings_need_a_note(office):
    store, admin = office
    _year(store, admin)
    data, _ = build(F2026, "rubriker")
    intake_id = intake.upload(store, admin, 2026, "a.docx", data, received_at=ON_TIME)
    with pytest.raises(intake.IntakeError, match="Menade du Utbildningsförvaltningen"):
        intake.accept(store, admin, intake_id, 1, unit_name="A", organisation="Utbildningsförvaltninge")
    assert store.fetchone("SELECT count(*) FROM contributions")[0] == 0
    bad = _file("B", skip={7})
    with_findings = intake.upload(store, admin, 2026, "b.docx", bad, received_at=ON_TIME)
    assert intake.review(store, admin, with_findings).needs_note
    with pytest.raises(intake.IntakeError, match="har fynd som inte är åtgärdade"):
        intake.accept(store, admin, with_findings, 1, unit_name="B", organisation="Utbildningsförvaltningen")


def test_several_files_are_accepted_at_once_and_one_refusal_stops_none_of_the_others(office):
    store, admin = office
    _year(store, admin)
    ids = [intake.upload(store, admin, 2026, f"{n}.docx", build(F2026, layout)[0], received_at=ON_TIME)
           for n, layout in enumerate(("rubriker", "fetstil", "autonumrering"))]
    outcomes = intake.accept_many(store, admin, [
        {"intake_id": ids[0], "version": 1, "unit_name": "Ett", "organisation": "Utbildningsförvaltningen"},
        {"intake_id": ids[1], "version": 1, "unit_name": "Två", "organisation": ""},
        {"intake_id": ids[2], "version": 1, "unit_name": "Tre", "organisation": "Socialförvaltningen"}])
    assert [(i, e is None) for i, e in outcomes] == [(ids[0], True), (ids[1], False), (ids[2], True)]
    assert "förvaltning eller bolag" in outcomes[1][1]
    assert sorted(r[0] for r in store.fetchall("SELECT u.name FROM contributions c JOIN units u ON u.id = c.unit_id")) \
        == ["Ett", "Tre"]


def test_a_contribution_sent_back_is_corrected_as_a_new_version_and_both_are_kept(office):
    store, admin = office
    _year(store, admin)
    cid = _contribution(store, admin, "Skolan i Testby", "rubriker")
    request = changes.request_changes(store, admin, cid, "Bilden på sidan 3 innehåller text.", 2,
                                      today=dt.date(2026, 5, 13))
    row = changes.requests(store, admin, 2026, today=dt.date(2026, 5, 19))[0]
    # Two working days from Wednesday 13 May: Ascension Day and the weekend do not count.
    assert row["due_date"] == dt.date(2026, 5, 18) and row["overdue"] and row["status"] == "skickad"
    with pytest.raises(changes.ChangeError, match="väntar på svar"):
        changes.request_changes(store, admin, cid, "Igen", 1)
    with pytest.raises(changes.ChangeError, match="1 eller 2 arbetsdagar"):
        changes.request_changes(store, admin, _contribution(store, admin, "Annan"), "x", 3)
    data, _ = build(F2026, "fetstil")
    corrected = changes.upload_correction(store, admin, request, "Testby rättad.docx", data)
    with pytest.raises(intake.IntakeError, match="väntar redan på granskning"):
        changes.upload_correction(store, admin, request, "igen.docx", build(F2026, "autonumrering")[0])
    read = intake.review(store, admin, corrected)
    assert read.replaces["contribution_id"] == cid and not read.late
    assert intake.accept(store, admin, corrected, read.version, note="Rättad.") == cid
    found = changes.versions(store, admin, cid)
    assert [v.filename for v in found] == ["Skolan i Testby.docx", "Testby rättad.docx"]
    assert changes.version_file(store, admin, found[1].intake_id) == ("Testby rättad.docx", data)
    assert store.fetchone("SELECT filename FROM contributions WHERE id = ?", [cid])[0] == "Testby rättad.docx"
    difference = changes.differences(store, admin, cid)[0]
    assert difference["chars"] == (found[0].chars, found[1].chars) and len(difference["areas"]) == len(F2026.areas)
    assert changes.requests(store, admin, 2026)[0]["status"] == "besvarad"
    assert store.fetchone("SELECT count(*) FROM contributions")[0] == 2  # the same contribution, not a new one


def test_a_contribution_under_assessment_cannot_be_sent_back(demo_store):
    admin = auth.user_by_email(demo_store, "kvalitetsenheten@demo.stockholm.se")
    started = demo_store.fetchone("SELECT id FROM contributions WHERE phase = 'individuell_bedomning' LIMIT 1")[0]
    with pytest.raises(changes.ChangeError, match="har redan börjat"):
        changes.request_changes(demo_store, admin, started, "Bilden innehåller text.")
    assert started not in {c["id"] for c in changes.correctable(demo_store, admin, 2026)}


# --- teams mid-year and the year's progress ------------------------------------------------------------------------


def test_a_late_contribution_gets_a_new_team_over_the_usual_load_with_a_reason(demo_store):
    admin = auth.user_by_email(demo_store, "kvalitetsenheten@demo.stockholm.se")
    cid = _contribution(demo_store, admin, "Sena skolan", received=JUST_LATE, note="Sent men godkänt.")
    free = teams.without_team(demo_store, admin, 2026)
    assert [c["unit"] for c in free["contributions"]] == ["Sena skolan"] and free["contributions"][0]["late"]
    full = next(t for t in teams.teams_of_year(demo_store, admin, 2026) if len(t["contributions"]) == teams.MAX_LOAD)
    with pytest.raises(teams.TeamError, match="över den vanliga belastningen"):
        teams.assign(demo_store, admin, cid, full["id"], "Kom in sent")
    teams.assign(demo_store, admin, cid, full["id"], "Kom in sent; laget har tid", over_load=True)
    assert len(next(t for t in teams.teams_of_year(demo_store, admin, 2026) if t["id"] == full["id"])["contributions"]) == 3
    # Three examiners who joined later form a new team for another late contribution.
    examiners.import_examiners(demo_store, admin, "nya.csv", (
        "Namn;E-post;Förvaltning/bolag\nAda Ny;ada@stad.se;Serviceförvaltningen\nBo Ny;bo@stad.se;Kulturförvaltningen\n"
        "Cia Ny;cia@stad.se;Miljöförvaltningen\n").encode())
    new = {e["name"]: e["id"] for e in teams.without_team(demo_store, admin, 2026)["examiners"]}
    assert set(new) == {"Ada Ny", "Bo Ny", "Cia Ny"}
    with pytest.raises(teams.TeamError, match="Lagsamordnaren måste vara med"):
        teams.create_team(demo_store, admin, 2026, "Lag Sent", [new["Ada Ny"]], new["Bo Ny"], "Sent bidrag")
    team_id = teams.create_team(demo_store, admin, 2026, "Lag Sent", list(new.values()), new["Ada Ny"], "Sent bidrag")
    with pytest.raises(teams.TeamError, match="Redan med i ett lag: Ada Ny"):
        teams.create_team(demo_store, admin, 2026, "Lag Sent 2", [new["Ada Ny"]], new["Ada Ny"], "x")
    other = _contribution(demo_store, admin, "Ännu senare skolan", received=JUST_LATE, note="Sent.")
    teams.assign(demo_store, admin, other, team_id, "Det nya laget tar det")
    assert teams.without_team(demo_store, admin, 2026) == {"contributions": [], "examiners": []}


def test_after_work_started_a_proposal_covers_only_what_has_no_team(demo_store):
    admin = auth.user_by_email(demo_store, "kvalitetsenheten@demo.stockholm.se")
    before = {t["id"]: sorted(m["id"] for m in t["members"]) for t in teams.teams_of_year(demo_store, admin, 2026)}
    _contribution(demo_store, admin, "Sena skolan", received=JUST_LATE, note="Sent men godkänt.")
    examiners.import_examiners(demo_store, admin, "nya.csv", (
        "Namn;E-post;Förvaltning/bolag\nAda Ny;ada@stad.se;Serviceförvaltningen\nBo Ny;bo@stad.se;Kulturförvaltningen\n"
        "Cia Ny;cia@stad.se;Miljöförvaltningen\n").encode())
    proposal = teams.propose_for_year(demo_store, admin, 2026)
    assert not proposal.replaces_all and "bara bidragen utan lag" in proposal.summary[0]
    assert [[u.name for u in t.units] for t in proposal.teams] == [["Sena skolan"]]
    assert {m.name for m in proposal.teams[0].members} == {"Ada Ny", "Bo Ny", "Cia Ny"}
    assert proposal.teams[0].name not in {t["name"] for t in teams.teams_of_year(demo_store, admin, 2026)}
    teams.apply(demo_store, admin, 2026, proposal)
    after = {t["id"]: sorted(m["id"] for m in t["members"]) for t in teams.teams_of_year(demo_store, admin, 2026)}
    assert {k: v for k, v in after.items() if k in before} == before and len(after) == len(before) + 1


def test_the_years_gates_name_what_is_left_and_the_phase_moves_one_step_at_a_time(office):
    store, admin = office
    _year(store, admin)
    status = progress.phase_status(store, admin, 2026)
    assert status.current == phases.YearPhase.INTAG and status.following == phases.YearPhase.BEDOMNING
    assert status.problems == ["Inga bidrag är godkända ännu."]
    _contribution(store, admin, "Skolan i Testby")
    intake.upload(store, admin, 2026, "väntar.docx", build(F2026, "fetstil")[0], received_at=ON_TIME)
    problems = progress.phase_status(store, admin, 2026).problems
    assert problems == ["1 fil väntar på granskning: väntar.docx.", "1 bidrag saknar examinatorslag: Skolan i Testby."]
    with pytest.raises(phases.TransitionRefused) as refused:
        progress.advance(store, admin, 2026)
    assert refused.value.problems == problems
    assert years.phase(store, 2026) == "intag"
    with pytest.raises(phases.TransitionRefused), store.write("test") as uow:  # no skipping a phase
        phases.transition(uow, phases.YEAR, 2026, phases.YearPhase.BEREDNING)


def test_the_years_progress_shows_each_stage_with_its_late_ones(demo_store):
    admin = auth.user_by_email(demo_store, "kvalitetsenheten@demo.stockholm.se")
    stages = {s.key: s for s in progress.overview(demo_store, admin, 2026, today=dt.date(2026, 9, 1))}
    assert list(stages)[:4] == ["anmalan", "bidrag", "andringar", "kontroll"]
    assert stages["anmalan"].done == 10
    assert stages["bidrag"].done == 9 and "Hemtjänsten Farsta" in " ".join(stages["bidrag"].notes)
    assert "Fritidsgården Vinden" in " ".join(stages["bidrag"].notes)  # registered, never sent anything
    assert (stages["andringar"].done, stages["andringar"].total, stages["andringar"].state) == (1, 1, "klar")
    individual = stages["individuell"]
    assert individual.state == "försenad" and individual.done < individual.total
    assert "Inte inlämnade efter sista dag" in individual.notes[0] and len(individual.per_team) > 1
    assert stages["lag"].done == stages["lag"].total == 9 and not stages["lag"].blockers
    assert [s.key for s in stages.values()][-4:] == ["beslut", "utdelning", "aterbesok", "overlamnad"]

"""A new year's questionnaire written by the office, not a developer: copied from an earlier
year and edited on *Skriv anvisningar*, validated by the same model as the shipped files,
stored with its history, downloaded and uploaded as YAML, frozen once the year's first
contribution is accepted, and checked by ``python -m scoring frameworks``."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys

import pytest
import yaml
from corpus import build
from docx import Document
from helpers import ADMIN, ROOT, login, score_everything, through_to_the_feedback
from seeds import Y2026, says

from scoring.assessment import individual as assessments
from scoring.consensus import workspace as consensus
from scoring.core import access, auth
from scoring.core.store import Store
from scoring.intake import eligibility
from scoring.intake import review as intake_store
from scoring.reports import documents as reports
from scoring.teams import assignment as teams
from scoring.teams import conflicts
from scoring.year import framework_store, years
from scoring.year.framework import load_framework

NEW_Q1 = "Beskriv hur ni tar reda på målgruppernas behov och hur ni använder det ni får veta."
NEW_Q5 = "Beskriv hur du som chef ser till att alla medarbetare förstår verksamhetens syfte och mål."


def _admin(store):
    return auth.user_by_email(store, ADMIN)


def _editor(year: int | None = None):
    at = login(ADMIN)
    at.switch_page("app_pages/framework_editor.py").run()
    assert not at.exception, at.exception
    return at


def _intake_and_accept(store, admin, year: int, name: str) -> int:
    data, _ = build(load_framework(year), "rubriker")
    intake_id = intake_store.upload(store, admin, year, f"{name}.docx", data)
    review = intake_store.review(store, admin, intake_id)
    assert [q["number"] for q in review.report.questions if q["answered"]] == list(range(1, 20))
    assert [f.text for f in review.report.findings] == []
    return intake_store.accept(store, admin, intake_id, review.version, unit_name=name,
                               organisation="Norrmalms stadsdelsförvaltning", note="Kom in sent.")


def test_a_2027_year_made_on_the_screen_from_2026_runs_through_the_year(demo_store):
    says(Y2026, "Kvalitetsutmärkelsen 2026")
    admin = _admin(demo_store)
    at = _editor()
    assert "Kvalitetsenheten har inte skrivit några anvisningar ännu" in at.info[0].value
    at.selectbox[0].set_value(2026)
    at.number_input[0].set_value(2027)
    at.button(key="FormSubmitter:copy_framework-Kopiera").click().run()
    assert not at.exception
    # Two questions changed; 2026 has no competition classes, nor has 2027.
    at.text_area(key="fwe_2027_areas.0.questions.0.text").input(NEW_Q1)
    at.text_area(key="fwe_2027_areas.1.questions.0.text").input(NEW_Q5)
    at.button(key="save_framework").click().run()
    assert not at.exception and not at.error
    framework = load_framework(2027)  # found in the store, as every later step finds it
    assert framework.question(1).text == NEW_Q1 and framework.question(5).text == NEW_Q5
    assert framework.question(2) == load_framework(2026).question(2) and framework.classes == ()
    assert framework.deadline("bidrag") == dt.date(2027, 5, 7)
    assert [h["version"] for h in framework_store.history(demo_store, admin, 2027)] == [2, 1]
    # The year runs on it: intake, teams, assessment, consensus, report, proposal and dossier.
    with demo_store.write(ADMIN) as uow:
        years.create_year(uow, 2027)
    cid = _intake_and_accept(demo_store, admin, 2027, "Skolan 2027")
    assert demo_store.fetchone("SELECT class_code FROM contributions WHERE id = ?", [cid])[0] is None
    blocks = demo_store.fetchall("SELECT DISTINCT question_number FROM contribution_blocks WHERE contribution_id = ?"
                                 " AND section = 'fraga' AND role = 'svar'", [cid])
    assert {b[0] for b in blocks} == set(range(1, 20))
    teams.apply(demo_store, admin, 2027, teams.propose_for_year(demo_store, admin, 2027), reason="2027")
    team = demo_store.fetchall("SELECT u.email, u.id = t.coordinator_id FROM assignments s JOIN teams t"
                               " ON t.id = s.team_id JOIN team_members m ON m.team_id = t.id JOIN users u"
                               " ON u.id = m.user_id WHERE s.contribution_id = ?", [cid])
    for email, _ in team:
        examiner = auth.user_by_email(demo_store, email)
        conflicts.declare(demo_store, examiner, cid, has_conflict=False, confidentiality_accepted=True)
        version = score_everything(demo_store, examiner, cid, 0, value=70)
        for area in framework.areas:
            for kind, text in (("styrka", f"Arbetet i {area.title.lower()} följs upp."),
                               ("utvecklingsomrade", f"Det framgår inte hur resultaten i {area.title.lower()} "
                                                     "jämförs över tid.")):
                version = assessments.add_finding(demo_store, examiner, cid, version, area_code=area.code,
                                                  kind=kind, text=text)
        assessments.submit(demo_store, examiner, cid, version)
    lead = auth.user_by_email(demo_store, next(email for email, leads in team if leads))
    version = through_to_the_feedback(demo_store, lead, cid)
    report = Document(io.BytesIO(reports.feedback_report(demo_store, lead, cid)[1]))
    header = report.paragraphs[2].text
    assert header.endswith("Kvalitetsutmärkelsen 2027") and "Tävlingsklass" not in header
    eligibility.record(demo_store, admin, cid, eligibility.Facts(
        employees_including_manager=20, manager_with_full_responsibility=True, business_plan_with_goals=True,
        previous_year_deficit=False, forecast_deficit=False, protocol_extract_received=dt.date(2027, 6, 1),
        basic_control=eligibility.BasicControl(dt.date(2027, 6, 15))))
    consensus.submit_proposal(demo_store, lead, cid, version, "utmarkelse", "Systematiskt och lärande.")
    dossier = reports.dossier_context(demo_store, admin, 2027)
    assert not dossier["har_klasser"]
    assert [(g["namn"], [k["enhet"] for k in g["kandidater"]]) for g in dossier["grupper"]] == [
        ("Föreslagna för utmärkelse", ["Skolan 2027"])]


def test_a_bad_edit_is_refused_with_the_field_named_and_nothing_stored(demo_store):
    admin = _admin(demo_store)
    framework_store.copy_framework(demo_store, admin, 2026, 2027)
    stored = demo_store.fetchone("SELECT data, version FROM frameworks WHERE year = 2027")
    at = _editor()
    at.text_input(key="fwe_2027_areas.0.title").input("")
    at.text_area(key="fwe_2027_areas.2.questions.1.text").input(" ")
    at.button(key="save_framework").click().run()
    assert not at.exception
    assert at.error[0].value.replace("\\", "") == "Anvisningarna sparades inte: 2 fel."
    shown = "\n".join(m.value for m in at.markdown).replace("\\", "")
    assert "frågeområde 1 › titel (areas.0.title): får inte vara tomt" in shown
    assert "frågeområde 3 › fråga 2 (areas.2.questions.1): en fråga utan delfrågor behöver en text" in shown
    assert demo_store.fetchone("SELECT data, version FROM frameworks WHERE year = 2027") == stored
    assert len(framework_store.history(demo_store, admin, 2027)) == 1
    # The same in the core, for a question with neither text nor parts.
    data, version = framework_store.stored_data(demo_store, admin, 2027)
    data["character_limit"]["max_chars"] = 0
    data["deadlines"][0]["date"] = "7 maj"
    with pytest.raises(framework_store.FrameworkEditError) as refused:
        framework_store.save_framework(demo_store, admin, 2027, data, version)
    assert [str(e) for e in refused.value.errors] == [
        "teckengräns › högsta antal tecken (character_limit.max_chars): ska vara större än 0",
        "datum 1 › datum (deadlines.0.date): ska vara ett datum (ÅÅÅÅ-MM-DD)"]
    assert demo_store.fetchone("SELECT data, version FROM frameworks WHERE year = 2027") == stored


def test_the_frozen_year_refuses_silent_changes(demo_store):
    admin = _admin(demo_store)
    framework_store.copy_framework(demo_store, admin, 2026, 2027)
    with demo_store.write(ADMIN) as uow:
        years.create_year(uow, 2027)
    _intake_and_accept(demo_store, admin, 2027, "Första bidraget")
    assert framework_store.is_frozen(demo_store, 2027)
    data, version = framework_store.stored_data(demo_store, admin, 2027)
    data["character_limit"]["max_chars"] = 80000
    with pytest.raises(framework_store.FrameworkEditError, match="låsta.*Ange ett skäl"):
        framework_store.save_framework(demo_store, admin, 2027, data, version)
    assert load_framework(2027).character_limit.max_chars == 90000
    at = _editor()
    assert any("är låsta" in w.value for w in at.warning)
    new = framework_store.save_framework(demo_store, admin, 2027, data, version, "Nämnden beslutade en lägre gräns.")
    assert load_framework(2027).character_limit.max_chars == 80000
    latest = framework_store.history(demo_store, admin, 2027)[0]
    assert (latest["version"], latest["reason"], latest["summary"]) == (new, "Nämnden beslutade en lägre gräns.",
                                                                        "character_limit")
    entry = demo_store.fetchone("SELECT after_value FROM audit_log WHERE entity = 'frameworks' ORDER BY id DESC"
                                " LIMIT 1")[0]
    assert json.loads(entry)["reason"] == "Nämnden beslutade en lägre gräns." and json.loads(entry)["frozen"]


def test_yaml_download_and_upload(demo_store):
    admin = _admin(demo_store)
    framework_store.copy_framework(demo_store, admin, 2026, 2027)
    text = framework_store.as_yaml(demo_store, admin, 2027)
    data = yaml.safe_load(text)
    assert data["year"] == 2027 and data["title"] == "Kvalitetsutmärkelsen 2027"
    data["classes"] = [{"code": "alla", "name": "Alla verksamheter", "description": ""}]
    version = framework_store.upload_yaml(demo_store, admin, 2027, yaml.safe_dump(data, allow_unicode=True), 1)
    assert version == 2 and [c.name for c in load_framework(2027).classes] == ["Alla verksamheter"]
    with pytest.raises(framework_store.FrameworkEditError, match=r"inte giltig YAML \(rad 3\)"):
        framework_store.upload_yaml(demo_store, admin, 2027, "year: 2027\ntitle: [oavslutad\n", version)
    data["year"] = 2028
    with pytest.raises(framework_store.FrameworkEditError, match="anger året 2028 men gäller 2027"):
        framework_store.upload_yaml(demo_store, admin, 2027, yaml.safe_dump(data, allow_unicode=True), version)
    with pytest.raises(access.AccessDenied):
        framework_store.as_yaml(demo_store, auth.user_by_email(demo_store, "erik.lind@demo.stockholm.se"), 2027)


def test_the_frameworks_for_a_new_year_are_the_shipped_files_and_the_offices(demo_store):
    admin = _admin(demo_store)
    with pytest.raises(framework_store.FrameworkEditError, match="levererade anvisningar"):
        framework_store.copy_framework(demo_store, admin, 2024, 2026)
    framework_store.copy_framework(demo_store, admin, 2012, 2030)
    choices = {c.year: c for c in framework_store.available_frameworks(demo_store)}
    assert [(y, c.origin) for y, c in choices.items()] == [(2012, "fil"), (2024, "fil"), (2026, "fil"),
                                                           (2030, "kvalitetsenheten")]
    assert choices[2030].has_classes and choices[2026].award_year_exists and not choices[2030].award_year_exists
    assert load_framework(2030).title == "Kvalitetsutmärkelsen 2030"
    assert framework_store.mentions_of_year(framework_store.stored_data(demo_store, admin, 2030)[0], 2012)
    # One place makes an award year (Utmärkelseår): it offers the office's year beside the files.
    assert 2030 in years.frameworks_for_new_years(demo_store) and 2026 not in years.frameworks_for_new_years(demo_store)
    years.create(demo_store, admin, 2030, {}, make_current=False)
    assert 2030 not in years.frameworks_for_new_years(demo_store)


def test_the_command_line_checks_the_stored_years_too(tmp_path):
    path = tmp_path / "kontroll.duckdb"
    store = Store(path)
    with store.write("test") as uow:
        auth.add_user(uow, email="a@stad.se", name="A", role="admin", password="ett långt lösenord")
    admin = auth.user_by_email(store, "a@stad.se")
    framework_store.copy_framework(store, admin, 2026, 2027)
    framework_store.copy_framework(store, admin, 2026, 2028)
    with store.write("test") as uow:  # a stored year damaged outside the workbench
        uow.execute("UPDATE frameworks SET data = json_object('year', 2028) WHERE year = 2028")
    store.close()
    run = subprocess.run([sys.executable, "-m", "scoring", "frameworks"], cwd=ROOT, capture_output=True, text=True,
                         env={"WORKBENCH_DB": str(path), "PATH": "/usr/bin:/bin"})
    assert "2026 (fil): 4 frågeområden, 19 frågor" in run.stdout
    assert "2027 (Kvalitetsenheten): 4 frågeområden, 19 frågor, högst 90000 tecken, inga tävlingsklasser" in run.stdout
    assert run.returncode == 1 and "Anvisningarna för 2028 i databasen är felaktiga" in run.stderr
    assert "titel (title): saknas" in run.stderr

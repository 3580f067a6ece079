"""Intake in the store: upload, duplicates, corrections, acceptance, and who may do it."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest
from corpus import build, legacy_doc
from helpers import ROOT

from scoring.core import access, auth
from scoring.core.errors import StaleWrite
from scoring.intake import review as intake_store
from scoring.year.framework import load_framework

F2026 = load_framework(2026)
ON_TIME = dt.datetime(2026, 5, 6, 8, 0)  # before the 2026 deadline (7 May), in UTC


@pytest.fixture
def admin(demo_store):
    return auth.user_by_email(demo_store, "kvalitetsenheten@demo.stockholm.se")


def _counts(store):
    return {t: store.fetchone(f"SELECT count(*) FROM {t}")[0]
            for t in ("intake_files", "contributions", "contribution_blocks", "units")}


def test_upload_review_accept_makes_a_readable_contribution(demo_store, admin):
    data, _ = build(F2026, "fetstil")
    intake_id = intake_store.upload(demo_store, admin, 2026, "Skolan i Testby.docx", data, received_at=ON_TIME)
    review = intake_store.review(demo_store, admin, intake_id)
    assert review.status == "granskas" and review.report.intro_fields["unit_name"] == "Skolan i Testby"
    cid = intake_store.accept(demo_store, admin, intake_id, review.version, unit_name="Skolan i Testby",
                              organisation="Utbildningsförvaltningen")
    row = demo_store.records("SELECT c.phase, c.filename, u.name, c.checks FROM contributions c"
                             " JOIN units u ON u.id = c.unit_id WHERE c.id = ?", [cid])[0]
    assert (row["phase"], row["name"]) == ("inkommet", "Skolan i Testby")
    assert json.loads(row["checks"])["chars_counted"] == review.report.chars_counted
    questions = {r[0] for r in demo_store.fetchall(
        "SELECT DISTINCT question_number FROM contribution_blocks WHERE contribution_id = ? AND role = 'svar'"
        " AND section = 'fraga'", [cid])}
    assert questions == set(range(1, 20))
    assert intake_store.original_file(demo_store, admin, cid) == ("Skolan i Testby.docx", data)
    with pytest.raises(intake_store.IntakeError, match="redan hanterad"):
        intake_store.accept(demo_store, admin, intake_id, review.version + 1, unit_name="X", organisation="Y")


def test_the_same_file_twice_is_recognised(demo_store, admin):
    data, _ = build(F2026, "rubriker")
    intake_store.upload(demo_store, admin, 2026, "första.docx", data)
    before = _counts(demo_store)
    with pytest.raises(intake_store.IntakeError, match="andra.docx: samma fil är redan inläst \\(som första.docx\\)"):
        intake_store.upload(demo_store, admin, 2026, "andra.docx", data)
    assert _counts(demo_store) == before


def test_a_bad_file_stores_nothing(demo_store, admin):
    before = _counts(demo_store)
    audit = demo_store.fetchone("SELECT count(*) FROM audit_log")[0]
    with pytest.raises(intake_store.IntakeError, match="gamla.doc: filen är i det gamla Word-formatet"):
        intake_store.upload(demo_store, admin, 2026, "gamla.doc", legacy_doc())
    assert _counts(demo_store) == before
    assert demo_store.fetchone("SELECT count(*) FROM audit_log")[0] == audit


def test_corrections_move_blocks_and_a_stale_version_is_refused(demo_store, admin):
    data, _ = build(F2026, "rubriker")
    intake_id = intake_store.upload(demo_store, admin, 2026, "x.docx", data)
    review = intake_store.review(demo_store, admin, intake_id)
    block = next(i for i, p in review.places.items() if p.question == 2 and p.text_kind == "svar")
    intake_store.correct(demo_store, admin, intake_id, review.version, {block: {"question": 3}})
    after = intake_store.review(demo_store, admin, intake_id)
    assert after.places[block].question == 3 and after.places[block].area == "malgrupp"
    assert after.matches[3].how == "rättad för hand" and after.matches[3].confidence == 1.0
    with pytest.raises(StaleWrite, match="har ändrats av någon annan"):
        intake_store.correct(demo_store, admin, intake_id, review.version, {block: {"question": 4}})
    with pytest.raises(intake_store.IntakeError, match="ingen delfråga 'x'"):
        intake_store.correct(demo_store, admin, intake_id, after.version, {block: {"question": 12, "part": "x"}})
    intake_store.correct(demo_store, admin, intake_id, after.version, {block: {"section": "ovrigt"}})
    final = intake_store.review(demo_store, admin, intake_id)
    assert block in final.report.unplaced


@pytest.mark.parametrize("email", ["erik.lind@demo.stockholm.se", "lisa.berg@demo.stockholm.se",
                                   "beredning@demo.stockholm.se", "jury@demo.stockholm.se"])
def test_only_the_admin_takes_in_files(demo_store, email):
    user = auth.user_by_email(demo_store, email)
    data, _ = build(F2026, "rubriker")
    with pytest.raises(access.AccessDenied):
        intake_store.upload(demo_store, user, 2026, "x.docx", data)
    with pytest.raises(access.AccessDenied):
        intake_store.intake_list(demo_store, user, 2026)


def test_examiners_download_only_their_team_originals(demo_store):
    examiner = auth.user_by_email(demo_store, "erik.lind@demo.stockholm.se")
    mine = access.visible_contribution_ids(demo_store, examiner, 2026)
    declared = next(c for c in mine if not access.needs_declaration(demo_store, examiner, c))
    name, data = intake_store.original_file(demo_store, examiner, declared)
    assert name.endswith(".docx") and data.startswith(b"PK")
    other = demo_store.fetchone(f"SELECT min(id) FROM contributions WHERE id NOT IN ({','.join('?' * len(mine))})",
                                mine)[0]
    with pytest.raises(access.AccessDenied):
        intake_store.original_file(demo_store, examiner, other)


def test_cli_intake_prints_text_and_json(tmp_path):
    good, _ = build(F2026, "autonumrering")
    (tmp_path / "bra.docx").write_bytes(good)
    (tmp_path / "gammal.doc").write_bytes(legacy_doc())
    run = subprocess.run([sys.executable, "-m", "scoring", "intake", str(tmp_path / "bra.docx"),
                          str(tmp_path / "gammal.doc"), "--year", "2026", "--json"],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 1  # one file could not be read
    result = json.loads(run.stdout)
    assert [r["file"] for r in result] == ["bra.docx", "gammal.doc"]
    assert set(result[0]) == {"file", "year", "questions", "chars_counted", "limit", "over_limit",
                              "chars_by_area", "findings", "pictures", "error"}
    assert [q["number"] for q in result[0]["questions"]] == list(range(1, 20))
    assert set(result[0]["questions"][0]) == {"number", "area", "chars", "answered", "confidence"}
    assert result[0]["limit"] == 90000 and result[0]["error"] is None and result[0]["over_limit"] is False
    assert "gamla Word-formatet" in result[1]["error"]
    text = subprocess.run([sys.executable, "-m", "scoring", "intake", str(tmp_path / "bra.docx"), "--year", "2026"],
                          cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "Tecken utan blanksteg:" in text and "automatisk numrering" in text


def test_an_analysis_stored_before_the_rename_still_loads():
    raw = json.dumps({"blocks": [], "matches": {}, "places": {"b1": {"section": "fraga", "role": "svar", "question": 2}}})
    assert intake_store._load(raw)[1]["b1"].text_kind == "svar"

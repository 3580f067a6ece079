"""The offline Excel scorebook: exact round trip, newer work, and bad files."""

from __future__ import annotations

import io

import openpyxl
import pytest
from helpers import not_started, score_everything

from scoring.assessment import individual as assessments
from scoring.assessment import scorebook
from scoring.assessment.individual import AssessmentError
from scoring.assessment.scorebook import NewerWork, ScorebookError

HOSTILE = "=HYPERLINK(\"http://x\")<b>{{ namn }}</b> & 'citat'"


def filled(store):
    user, cid = not_started(store)
    version = score_everything(store, user, cid, 0, 55)
    passages = list(assessments.passages(store, user, cid))
    version = assessments.add_finding(store, user, cid, version, area_code="malgrupp", kind="styrka",
                                      text=HOSTILE, examples="Rad ett\nRad två", questions=[1, 2],
                                      anchors=passages[3:5])
    version = assessments.add_finding(store, user, cid, version, area_code="medarbetarskap",
                                      kind="utvecklingsomrade", text="Det framgår inte hur.")
    version = assessments.set_note(store, user, cid, version, 4, "+46 är inte en formel")
    version = assessments.set_site_visit_questions(store, user, cid, version, "malgrupp", ["-Hur?", "Varför?"])
    return user, cid, version


def test_round_trip_is_exact(demo_store):
    user, cid, _ = filled(demo_store)
    before = assessments.own_assessment(demo_store, user, cid)
    data = scorebook.export(demo_store, user, cid)
    book = openpyxl.load_workbook(io.BytesIO(data))
    texts = [c for row in book["Iakttagelser"].iter_rows() for c in row if c.value == HOSTILE]
    assert texts and all(c.data_type == "s" for c in texts)  # written as text, never a formula
    for name in ("Poäng", "Iakttagelser"):  # a header that stays in view, with filters
        assert book[name].freeze_panes == "A2" and book[name].auto_filter.ref == book[name].dimensions
    scorebook.import_file(demo_store, user, cid, "bok.xlsx", data)
    after = assessments.own_assessment(demo_store, user, cid)
    assert after.areas == before.areas and after.notes == before.notes
    assert after.version == before.version + 1
    assert scorebook.read("bok.xlsx", scorebook.export(demo_store, user, cid), cid, user.email)[0].areas == \
        scorebook.read("bok.xlsx", data, cid, user.email)[0].areas


def test_edits_made_in_excel_come_back(demo_store):
    user, cid, _ = filled(demo_store)
    book = openpyxl.load_workbook(io.BytesIO(scorebook.export(demo_store, user, cid)))
    points = book["Poäng"]
    points["E2"] = 80
    book["Iakttagelser"].append([None, "uppfoljning_utveckling", "", "Styrka", "Ny styrka från Excel", None, "13", None])
    buffer = io.BytesIO()
    book.save(buffer)
    scorebook.import_file(demo_store, user, cid, "bok.xlsx", buffer.getvalue())
    work = assessments.own_assessment(demo_store, user, cid)
    assert work.areas[points["A2"].value].criteria[points["C2"].value] == 80
    new = work.areas["uppfoljning_utveckling"].findings
    assert [(f.text, f.questions) for f in new] == [("Ny styrka från Excel", [13])]


def test_anchors_read_as_question_and_paragraph_both_ways(demo_store):
    user, cid, _ = filled(demo_store)
    passages = assessments.passages(demo_store, user, cid)
    anchored = list(passages)[3:5]
    book = openpyxl.load_workbook(io.BytesIO(scorebook.export(demo_store, user, cid)))
    rows = [[c.value for c in row] for row in book["Iakttagelser"].iter_rows(min_row=2)]
    written = next(row[7] for row in rows if row[4] == HOSTILE)
    assert written == ", ".join(passages[b]["label"] for b in anchored)
    assert written.startswith("Fråga ") and "¶" in written and not any(b in written for b in anchored)
    # An examiner points the finding at another passage by its label in Excel.
    other = next(b for b in passages if b not in anchored and passages[b]["question_number"] == 2)
    row = next(r for r in book["Iakttagelser"].iter_rows(min_row=2) if r[4].value == HOSTILE)
    row[7].value = f"{passages[anchored[0]]['label']},{passages[other]['label']}"
    buffer = io.BytesIO()
    book.save(buffer)
    scorebook.import_file(demo_store, user, cid, "bok.xlsx", buffer.getvalue())
    finding = next(f for f in assessments.own_assessment(demo_store, user, cid).areas["malgrupp"].findings
                   if f.text == HOSTILE)
    assert finding.anchors == [anchored[0], other]
    row[7].value = "Fråga 99 ¶1"
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ScorebookError, match="avsnittet ”Fråga 99 ¶1” finns inte i bidraget"):
        scorebook.import_file(demo_store, user, cid, "bok.xlsx", buffer.getvalue(), replace_newer=True)


def test_an_import_over_newer_work_asks_first(demo_store):
    user, cid, version = filled(demo_store)
    data = scorebook.export(demo_store, user, cid)
    assessments.set_note(demo_store, user, cid, version, 1, "skrivet efter exporten")
    with pytest.raises(NewerWork, match="ändrats efter att filen exporterades"):
        scorebook.import_file(demo_store, user, cid, "bok.xlsx", data)
    assert assessments.own_assessment(demo_store, user, cid).notes[1] == "skrivet efter exporten"
    scorebook.import_file(demo_store, user, cid, "bok.xlsx", data, replace_newer=True)
    assert 1 not in assessments.own_assessment(demo_store, user, cid).notes


def _edited(store, user, cid, edit) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(scorebook.export(store, user, cid)))
    edit(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("edit, message", [
    (lambda b: b["Poäng"].__setitem__("E2", 42), "42 finns inte på skalan"),
    (lambda b: b["Poäng"].__setitem__("E2", "högt"), "rad 2"),
    (lambda b: b["Poäng"].__setitem__("E2", "=40+5"), "cell E2: en formel"),
    (lambda b: b["Iakttagelser"].__setitem__("D2", "Beröm"), "”Styrka” eller ”Utvecklingsområde”"),
    (lambda b: b["Iakttagelser"].__setitem__("G2", "ett, två"), "frågenummer"),
    (lambda b: b.remove(b["Anteckningar"]), "Fliken ”Anteckningar” saknas"),
    (lambda b: b["Poäng"].__setitem__("A1", "Kod"), "rubrikraden har ändrats"),
    (lambda b: b["Om filen"].__setitem__("B5", "fem"), "versionsnumret"),
])
def test_bad_edits_are_refused_and_nothing_changes(demo_store, edit, message):
    user, cid, _ = filled(demo_store)
    before = assessments.own_assessment(demo_store, user, cid)
    data = _edited(demo_store, user, cid, edit)
    with pytest.raises(AssessmentError, match=message):
        scorebook.import_file(demo_store, user, cid, "bok.xlsx", data)
    after = assessments.own_assessment(demo_store, user, cid)
    assert (after.areas, after.notes, after.version) == (before.areas, before.notes, before.version)


@pytest.mark.parametrize("data, message", [
    (b"", "tom"),
    (b"%PDF-1.7 ...", "inte en Excel-fil"),
    (b"\xd0\xcf\x11\xe0" + b"\0" * 100, "gamla Excel-formatet"),
    (b"PK\x03\x04trasig", "går inte att läsa"),
    (b"x" * (scorebook.MAX_FILE_BYTES + 1), "högst 5 MB"),
])
def test_wrong_files_are_refused(demo_store, data, message):
    user, cid, _ = filled(demo_store)
    with pytest.raises(ScorebookError, match=message):
        scorebook.import_file(demo_store, user, cid, "fil.xlsx", data)


def test_another_examiners_or_contributions_file_is_refused(demo_store):
    user, cid, _ = filled(demo_store)
    data = scorebook.export(demo_store, user, cid)
    other, other_cid = not_started(demo_store, exclude={user.id})
    with pytest.raises(ScorebookError, match="annan examinators"):
        scorebook.read("bok.xlsx", data, cid, other.email)
    with pytest.raises(ScorebookError, match="annat bidrag"):
        scorebook.read("bok.xlsx", data, cid + 1000, user.email)
    plain = io.BytesIO()
    openpyxl.Workbook().save(plain)
    with pytest.raises(ScorebookError, match="ingen bedömningsbok"):
        scorebook.read("bok.xlsx", plain.getvalue(), cid, user.email)


def test_a_submitted_assessment_takes_no_import(demo_store):
    user, cid, version = filled(demo_store)
    data = scorebook.export(demo_store, user, cid)
    assessments.submit(demo_store, user, cid, version)
    with pytest.raises(ScorebookError, match="inlämnad och låst"):
        scorebook.import_file(demo_store, user, cid, "bok.xlsx", data)

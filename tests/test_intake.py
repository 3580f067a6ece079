"""Intake: the corpus of contributions written in different ways, the checks, bad files."""

from __future__ import annotations

import pytest
from corpus import (
    body_chars,
    broken_zip,
    build,
    content,
    damaged_document_xml,
    hand_written,
    intro_and_appendix_chars,
    legacy_doc,
    password_protected,
    zip_bomb,
    zip_without_document,
)

from scoring.intake.document import take_in
from scoring.intake.docx_reader import UnreadableFile
from scoring.year.framework import load_framework
from workbench_tools.docx_builder import LAYOUTS

F2026 = load_framework(2026)


def findings(result) -> list[str]:
    return [f.text for f in result.report.findings]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_question_is_found_and_counted_exactly(layout):
    data, c = build(F2026, layout)
    result = take_in(data, f"{layout}.docx", F2026)
    report = result.report
    assert [q["number"] for q in report.questions if q["answered"]] == list(range(1, 20))
    assert all(q["confidence"] >= 0.8 for q in report.questions), report.questions
    total, text = body_chars(data)
    intro, appendix = intro_and_appendix_chars(F2026, c)
    # 2026 excludes the Inledning and the appendix; headers and footers are never counted.
    assert report.chars_counted == total - intro - appendix
    assert sum(report.chars_by_area.values()) == report.chars_counted
    assert report.appendix_found and not report.over_limit
    assert findings(result) == []
    assert report.intro_fields == {"unit_name": "Skolan i Testby", "manager_name": "Anna Rektor", "employees": "23"}
    assert all("Sida 1 av 30" not in b.text and "Skolan i Testby" not in b.text[:len("Kvalitetsutmärkelsen")]
               for b in result.blocks)


def test_answers_land_under_their_question_and_part():
    data, c = build(F2026, "fraga_i_text")
    result = take_in(data, "x.docx", F2026)
    by_block = {b.id: b for b in result.blocks}
    answer_12b = [by_block[i].text for i, p in result.places.items() if p.question == 12 and p.part == "b"
                  and p.text_kind == "svar"]
    assert answer_12b == c.answers[(12, "b")]
    table = next(b for b in result.blocks if b.kind == "tabell")
    assert result.places[table.id].question == 19 and table.rows[1] == ["Nöjda (%)", "78", "81", "84"]


def test_question_text_left_out_and_custom_localised_styles():
    data, _ = build(F2026, "egna_stilar", copy_question_text=False)
    report = take_in(data, "x.docx", F2026).report
    assert all(q["answered"] for q in report.questions)
    assert {q["how"] for q in report.questions} == {"nummer"}


def test_swedish_word_style_names_are_headings():
    document_bytes = hand_written([("h1", "Målgrupp"), ("h2", "1. Beskriv vilka metoder"), ("p", "Vi gör enkäter.")])
    import io

    import docx as python_docx
    document = python_docx.Document(io.BytesIO(document_bytes))
    document.styles["Heading 2"].name = "Rubrik 2"
    document.styles["Heading 1"].name = "Rubrik 1"
    out = io.BytesIO()
    document.save(out)
    result = take_in(out.getvalue(), "x.docx", F2026)
    assert [b.heading_level for b in result.blocks[:2]] == [1, 2]
    assert result.matches[1].how in ("nummer", "nummer och frågetext")


def test_reworded_questions_without_numbers_are_matched_by_text():
    rows = [("h1", "Chef- och ledarskap")]
    for q in F2026.area("chef_ledarskap").questions:
        rows += [("h2", q.text.replace("Beskriv hur du som chef", "Hur jag som chef")), ("p", "Svar. " * 20)]
    result = take_in(hand_written(rows), "x.docx", F2026)
    for number in (5, 6, 7, 8):
        assert result.matches[number].how == "frågetext utan nummer"
        assert 0.6 <= result.matches[number].confidence < 0.9
    assert [q["number"] for q in result.report.questions if q["answered"]] == [5, 6, 7, 8]


def test_two_questions_answered_together():
    rows = [("h1", "Målgrupp"), ("h2", "Fråga 1"), ("p", "Enkäter och samtal."), ("bold", "Fråga 2 och 3"),
            ("p", "Brukarråd och bemötandeplan."), ("h2", "4."), ("p", "Jämlikhet.")]
    result = take_in(hand_written(rows), "x.docx", F2026)
    answered = {q["number"]: q["answered"] for q in result.report.questions}
    assert answered[2] and answered[3] and answered[1] and answered[4]
    assert "Frågorna 2 och 3 är besvarade tillsammans." in findings(result)


def test_numbered_lists_inside_answers_are_not_questions():
    rows = [("h1", "Målgrupp"), ("h2", "1. Beskriv vilka metoder"), ("p", "Vi gör tre saker:"),
            ("p", "1. Vi frågar eleverna varje vecka."), ("p", "2. Vi har elevråd.")]
    result = take_in(hand_written(rows), "x.docx", F2026)
    assert [q["number"] for q in result.report.questions if q["answered"]] == [1]
    assert "Frågorna 2–19 hittades inte i bidraget." in findings(result)  # one sentence, not eighteen


def test_ingress_left_in_unanswered_missing_appendix_and_stray_text():
    c = content(F2026, skip={7}, appendix=False)
    data, _ = build(F2026, "rubriker", content=c, keep_ingress=True)
    result = take_in(data, "x.docx", F2026)
    texts = findings(result)
    assert "Fråga 7 är inte besvarad." in texts
    assert "Bilagan Verksamhetsplan 2026 saknas: den finns inte i filen eller som egen fil." in texts
    assert any(t.startswith("Ingressen till Målgrupp finns kvar i bidraget (4 stycken") for t in texts)
    assert len([t for t in texts if t.startswith("Ingressen")]) == 4
    rows = [("h1", "Målgrupp"), ("p", "Här berättar vi allmänt om oss."), ("h2", "1."), ("p", "Svar.")]
    stray = take_in(hand_written(rows), "y.docx", F2026)
    assert any(t.startswith("Text som inte hör till någon fråga: 1 stycken under Målgrupp") for t in findings(stray))


def test_over_the_limit_is_named_with_the_excess():
    c = content(F2026, quality="stark")
    c.answers[(1, None)] += ["Vi beskriver vårt arbete utförligt och konkret. " * 40] * 50
    data, _ = build(F2026, "rubriker", content=c)
    report = take_in(data, "x.docx", F2026).report
    assert report.over_limit and report.chars_counted > 90_000
    excess = report.chars_counted - 90_000
    assert any(f.text.endswith(f"alltså {excess:,} tecken för mycket.".replace(",", "\u00a0"))
               for f in report.findings)


def test_2024_counts_everything_and_checks_the_presentation_text():
    f2024 = load_framework(2024)
    c = content(f2024)
    data, _ = build(f2024, "rubriker", content=c)
    report = take_in(data, "x.docx", f2024).report
    assert len(report.questions) == 22 and all(q["answered"] for q in report.questions)
    total, _ = body_chars(data)
    assert report.chars_counted == total  # 2024 excludes nothing but spaces
    assert "Ingen presentationstext finns i filen; den kan ha skickats separat." in [f.text for f in report.findings]
    rows = [("h1", "Presentationstext"), ("p", "Hög kvalitet hos oss är trygghet. " * 40), ("h1", "Målgrupp"),
            ("h2", "1."), ("p", "Svar.")]
    long_text = take_in(hand_written(rows), "p.docx", f2024).report
    assert long_text.presentation_chars > 1000
    assert any(f.text.startswith("Presentationstexten har") and "högst 1\u00a0000" in f.text for f in long_text.findings)


def test_2012_has_24_questions_in_eight_areas():
    f2012 = load_framework(2012)
    data, _ = build(f2012, "fetstil", content=content(f2012))
    report = take_in(data, "x.docx", f2012).report
    assert [q["number"] for q in report.questions if q["answered"]] == list(range(1, 25))
    assert len(report.chars_by_area) == 8


def test_paragraph_ids_are_stable_for_the_same_file():
    data, _ = build(F2026, "rubriker")
    first = take_in(data, "x.docx", F2026)
    second = take_in(data, "x.docx", F2026)
    assert [(b.id, b.text) for b in first.blocks] == [(b.id, b.text) for b in second.blocks]
    assert len({b.id for b in first.blocks}) == len(first.blocks)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "filen är tom"),
        (legacy_doc(), "gamla Word-formatet (.doc)"),
        (password_protected(), "lösenordsskyddad"),
        (broken_zip(), "trasig"),
        (b"%PDF-1.7\n...", "är en PDF"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "inte en Word-fil"),
        (zip_without_document(), "inget Word-dokument"),
        (damaged_document_xml(), "skadat"),
    ],
)
def test_bad_files_are_refused_with_a_swedish_reason_naming_the_file(data, reason):
    with pytest.raises(UnreadableFile) as caught:
        take_in(data, "bidrag från Enheten.docx", F2026)
    assert str(caught.value).startswith("bidrag från Enheten.docx: ") and reason in str(caught.value)


def test_size_limits_are_configurable_and_bombs_are_refused_unopened(monkeypatch):
    data, _ = build(F2026, "rubriker")
    monkeypatch.setenv("WORKBENCH_MAX_UPLOAD_MB", "0.01")
    with pytest.raises(UnreadableFile, match="gränsen är 0 MB|gränsen är"):
        take_in(data, "stor.docx", F2026)
    monkeypatch.setenv("WORKBENCH_MAX_UPLOAD_MB", "20")
    monkeypatch.setenv("WORKBENCH_MAX_UNPACKED_MB", "30")
    bomb = zip_bomb(60)
    assert len(bomb) < 1_000_000
    with pytest.raises(UnreadableFile, match="packas upp till 60 MB"):
        take_in(bomb, "bomb.docx", F2026)

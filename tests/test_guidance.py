"""The warning rules, each with cases that must and must not warn."""

from __future__ import annotations

import pytest

from scoring.assessment import guidance
from scoring.year.framework import load_framework

FRAMEWORK = load_framework(2026)


def codes(warnings) -> set[str]:
    return {w.code for w in warnings}


@pytest.mark.parametrize("text", [
    "Verksamheten bör analysera resultaten.", "Ni borde följa upp.", "Enheten ska ta fram en plan.",
    "Det MÅSTE finnas mål.", "Vi rekommenderar en analys.", "Analys rekommenderas.",
])
def test_prescriptive_words_warn(text):
    assert codes(guidance.wording_warnings(text)) == {"foreskrivande"}


@pytest.mark.parametrize("text", [
    "Resultaten är bra.", "Uppföljningen är dålig.", "Ett utmärkt exempel.", "Analysen är otillräcklig.",
    "Dåliga trender redovisas.",
])
def test_judgmental_words_warn(text):
    assert codes(guidance.wording_warnings(text)) == {"vardeladdat"}


@pytest.mark.parametrize("text", [
    "Verksamheten skapar förutsättningar för delaktighet.",    # "skapar" is not "ska"
    "Brandskyddet följs upp varje år.",                         # "Brand" is not "bra"
    "Det framgår inte hur resultaten används i planeringen.",
    "Bordet i personalrummet används för APT.",                 # "Bordet" is not "borde"
])
def test_ordinary_wording_does_not_warn(text):
    assert guidance.wording_warnings(text) == []


def test_the_warning_names_the_words_found():
    [warning] = guidance.wording_warnings("Ni bör och BÖR och måste.")
    assert "”bör”, ”måste”" in warning.message


def test_length_over_500_characters_warns_and_500_does_not():
    assert guidance.wording_warnings("a" * 500) == []
    [warning] = guidance.wording_warnings("a" * 501)
    assert warning.code == "for_lang" and "501 tecken" in warning.message


@pytest.mark.parametrize("score, strengths, improvements, expected", [
    (None, 0, 0, set()),
    (50, 0, 0, {"poang_utan_iakttagelser"}),
    (80, 1, 2, {"hog_poang_fler_utvecklingsomraden"}),
    (95, 1, 3, {"hog_poang_fler_utvecklingsomraden"}),
    (80, 2, 2, set()),
    (65, 1, 3, set()),                                # band 50-65 is not high
    (20, 2, 0, {"lag_poang_inga_utvecklingsomraden"}),
    (5, 1, 0, {"lag_poang_inga_utvecklingsomraden"}),
    (30, 1, 0, set()),                                # band 30-45 is not low
    (20, 0, 1, set()),
])
def test_score_and_findings_agreement(score, strengths, improvements, expected):
    assert codes(guidance.score_warnings(FRAMEWORK.scale, score, strengths, improvements)) == expected


def test_questions_without_a_finding_are_named():
    area = FRAMEWORK.areas[0]
    numbers = [q.number for q in area.questions]
    warnings = guidance.uncovered_questions(area, [[numbers[0]], [numbers[0], numbers[1]]])
    assert [w.message for w in warnings] == [f"Fråga {n} har ingen iakttagelse." for n in numbers[2:]]
    assert guidance.uncovered_questions(area, [numbers]) == []

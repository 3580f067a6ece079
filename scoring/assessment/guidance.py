"""Gentle warnings on an assessment: the faults examiner guidelines catch in feedback.

Nothing here blocks a save or a submit; each rule returns warnings the page shows
beside the work. The same wording rules are the quality gate of feedback reports.
"""

from __future__ import annotations

import dataclasses
import re

from scoring.year.framework import Area, Scale

MAX_STATEMENT_CHARS = 500

# Feedback describes what the contribution shows; it neither prescribes nor grades.
PRESCRIPTIVE_WORDS = ("bör", "borde", "ska", "skall", "måste", "rekommenderar", "rekommenderas",
                      "rekommendera", "rekommenderade")
JUDGMENTAL_WORDS = ("bra", "dålig", "dåligt", "dåliga", "utmärkt", "utmärkta", "otillräcklig",
                    "otillräckligt", "otillräckliga")


def _word_pattern(words: tuple[str, ...]) -> re.Pattern:
    # \w is Unicode-aware, so "skapa" and "brandskydd" never match "ska" and "bra".
    return re.compile(r"(?<!\w)(" + "|".join(words) + r")(?!\w)", re.IGNORECASE)


_PRESCRIPTIVE = _word_pattern(PRESCRIPTIVE_WORDS)
_JUDGMENTAL = _word_pattern(JUDGMENTAL_WORDS)


@dataclasses.dataclass(frozen=True)
class Warning:
    code: str
    message: str


def _quoted(words: list[str]) -> str:
    unique = list(dict.fromkeys(w.lower() for w in words))
    return ", ".join(f"”{w}”" for w in unique)


def wording_warnings(text: str) -> list[Warning]:
    """Prescriptive or judgmental words, and statements over the guideline's length."""
    warnings = []
    prescriptive = _PRESCRIPTIVE.findall(text)
    if prescriptive:
        warnings.append(Warning(
            "foreskrivande",
            f"Föreskrivande ord: {_quoted(prescriptive)}. Beskriv vad bidraget visar eller saknar, "
            "inte vad verksamheten ska göra."))
    judgmental = _JUDGMENTAL.findall(text)
    if judgmental:
        warnings.append(Warning(
            "vardeladdat",
            f"Värderande ord: {_quoted(judgmental)}. Beskriv vad som gör arbetssättet starkt eller "
            "svagt i stället för att betygsätta det."))
    length = len(text.strip())
    if length > MAX_STATEMENT_CHARS:
        warnings.append(Warning(
            "for_lang",
            f"{length} tecken: en iakttagelse bör rymmas i {MAX_STATEMENT_CHARS} tecken och "
            "uttrycka en tanke. Dela upp den eller flytta detaljer till exemplen."))
    return warnings


def score_warnings(scale: Scale, area_score: int | None, strengths: int, improvements: int) -> list[Warning]:
    """Where an area's score and its findings tell different stories."""
    if area_score is None:
        return []
    if strengths + improvements == 0:
        return [Warning("poang_utan_iakttagelser",
                        "Området har en poäng men inga iakttagelser. Skriv vad poängen vilar på.")]
    band_index = scale.bands.index(scale.band_for(area_score))
    warnings = []
    if band_index >= len(scale.bands) - 2 and improvements > strengths:
        warnings.append(Warning(
            "hog_poang_fler_utvecklingsomraden",
            f"Poängen {area_score} ligger i ett högt band men området har fler utvecklingsområden "
            f"({improvements}) än styrkor ({strengths})."))
    if band_index < 2 and improvements == 0:
        warnings.append(Warning(
            "lag_poang_inga_utvecklingsomraden",
            f"Poängen {area_score} ligger i ett lågt band men området har inget utvecklingsområde."))
    return warnings


def uncovered_questions(area: Area, findings_questions: list[list[int]]) -> list[Warning]:
    """Questions of the area that no finding touches."""
    touched = {n for numbers in findings_questions for n in numbers}
    return [
        Warning("fraga_utan_iakttagelse", f"Fråga {q.number} har ingen iakttagelse.")
        for q in area.questions if q.number not in touched
    ]

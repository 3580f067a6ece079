"""Consensus arithmetic: spread flags, agenda order, median offer, rationale rule, grouping, alpha."""

from __future__ import annotations

import pytest

from scoring.consensus.rules import (
    ConsensusFinding,
    SourceFinding,
    agenda,
    alpha,
    deviations,
    flag_reasons,
    group_findings,
    proposed_questions,
    rationale_needed,
    spread,
)
from scoring.year.framework import load_framework

FRAMEWORK = load_framework(2026)
SCALE = FRAMEWORK.scale


@pytest.mark.parametrize("scores, flagged, bands, rng", [
    ([50, 55, 60], False, 1, 10),        # one band, range 10
    ([50, 60, 70], True, 2, 20),         # range reaches 20
    ([45, 50], True, 2, 5),              # different bands though close
    ([70, 75, 85], False, 1, 15),
    ([30], False, 1, 0),
])
def test_spread_flags_range_or_bands(scores, flagged, bands, rng):
    result = spread(SCALE, scores, 20)
    assert (result.flagged, result.bands, result.range) == (flagged, bands, rng)


def test_spread_statistics_and_median_offer():
    result = spread(SCALE, [50, 60, 75, None], 20)
    assert result.scores == (50, 60, 75)
    assert result.mean == pytest.approx(61.6667, abs=1e-3)
    assert result.stdev == pytest.approx(12.583, abs=1e-3)
    assert result.median_offer == 60
    # An even count: the median 62.5 is offered on the scale (half rounds up).
    assert spread(SCALE, [55, 70], 20).median_offer == 65
    assert spread(SCALE, [], 20).median_offer is None


def _individual(per_area: dict[str, list[dict[str, int]]]) -> list[dict]:
    examiners = len(next(iter(per_area.values())))
    result = []
    for i in range(examiners):
        scores = {}
        for code, rows in per_area.items():
            scores[code] = {"criteria": rows[i], "score": FRAMEWORK.area_score_for(code, rows[i])}
        result.append(scores)
    return result


def test_agenda_lists_flagged_areas_first_largest_disagreement_first():
    codes = [a.code for a in FRAMEWORK.areas]
    crit = {a.code: [c.code for c in a.criteria] for a in FRAMEWORK.areas}
    calm = lambda code, v: [{c: v for c in crit[code]}] * 3  # noqa: E731
    per_area = {
        codes[0]: calm(codes[0], 55),
        codes[1]: [{c: 50 for c in crit[codes[1]]}, {c: 55 for c in crit[codes[1]]}, {c: 70 for c in crit[codes[1]]}],
        codes[2]: [{c: 40 for c in crit[codes[2]]}, {c: 80 for c in crit[codes[2]]}, {c: 60 for c in crit[codes[2]]}],
        codes[3]: calm(codes[3], 35),
    }
    order = [item.area_code for item in agenda(FRAMEWORK, _individual(per_area), 20)]
    assert order == [codes[2], codes[1], codes[0], codes[3]]


def test_a_flag_names_the_criteria_that_carry_it_with_their_spread():
    area = FRAMEWORK.areas[0]
    codes = [c.code for c in area.criteria]
    titles = {c.code: c.title for c in area.criteria}
    # Criterion 0 spreads 25 points, criterion 1 only 5 but across a band border, criterion 2 is calm.
    rows = [{codes[0]: 40, codes[1]: 45, codes[2]: 55}, {codes[0]: 65, codes[1]: 50, codes[2]: 55}]
    [item] = [i for i in agenda(FRAMEWORK, _individual({area.code: rows}), 20) if i.area_code == area.code]
    assert item.flagged and item.area.range < 20
    reasons = flag_reasons(item, titles)
    assert reasons[0] == f"{titles[codes[0]]} (25 p över 2 band)"
    assert reasons[1] == f"{titles[codes[1]]} (5 p över 2 band)"
    assert not any(titles[codes[2]] in r for r in reasons)
    calm = [{c: 55 for c in codes}] * 2
    [quiet] = [i for i in agenda(FRAMEWORK, _individual({area.code: calm}), 20) if i.area_code == area.code]
    assert flag_reasons(quiet, titles) == []


def test_rationale_needed_where_flagged_or_far_from_the_mean():
    area = FRAMEWORK.areas[0]
    codes = [c.code for c in area.criteria]
    rows = [{codes[0]: 50, codes[1]: 50, codes[2]: 50}, {codes[0]: 55, codes[1]: 55, codes[2]: 55}]
    [item] = [i for i in agenda(FRAMEWORK, _individual({area.code: rows}), 20) if i.area_code == area.code]
    assert not item.flagged
    needs_area, far = rationale_needed(item, {codes[0]: 55, codes[1]: 75, codes[2]: 80}, 20)
    # Mean 52.5: 75 is 22.5 away (needs one), 55 is not; 80 too.
    assert not needs_area and far == [codes[1], codes[2]]
    assert rationale_needed(item, {codes[0]: 70}, 20) == (False, [])


def test_near_duplicates_are_grouped_with_who_and_where():
    findings = [
        SourceFinding(1, "Anna", "malgrupp", "styrka", "Verksamheten följer systematiskt upp brukarnas synpunkter.",
                      (1,), ("b0015",)),
        SourceFinding(2, "Erik", "malgrupp", "styrka", "Brukarnas synpunkter följs systematiskt upp av verksamheten.",
                      (2,), ("b0016",)),
        SourceFinding(3, "Sara", "malgrupp", "styrka", "Lokalerna är ljusa och nyrenoverade.", (), ()),
        SourceFinding(4, "Sara", "malgrupp", "utvecklingsomrade",
                      "Verksamheten följer systematiskt upp brukarnas synpunkter.", (), ()),
    ]
    groups = group_findings(findings)
    merged = next(g for g in groups if len(g.members) == 2)
    assert {m.id for m in merged.members} == {1, 2}
    assert merged.contributors == ["Anna", "Erik"]
    assert merged.anchors == ["b0015", "b0016"] and merged.questions == [1, 2]
    # Same text but another kind is never merged; an unrelated text stands alone.
    assert sorted(len(g.members) for g in groups) == [1, 1, 2]


@pytest.mark.parametrize("data, expected", [
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability", the example with
    # missing values; interval alpha as published with the krippendorff package: 0.811.
    ([[None, None, None, None, None, 3, 4, 1, 2, 1, 1, 3, 3, None, 3],
      [1, None, 2, 1, 3, 3, 4, 3, None, None, None, None, None, None, None],
      [None, None, 2, 1, 3, 4, 4, None, 2, 1, 1, 3, 3, None, 4]], 0.811),
    ([[10, 20, 30, 40], [10, 20, 30, 40]], 1.0),
])
def test_alpha_against_known_values(data, expected):
    assert alpha(data) == pytest.approx(expected, abs=1e-3)


def test_alpha_is_undefined_without_two_raters_or_variation():
    assert alpha([[50, 60, 70]]) is None
    assert alpha([[50, 50], [50, 50]]) is None


def test_deviation_from_consensus_is_signed_and_absolute():
    result = deviations({"A": {"x": 60, "y": 40}, "B": {"x": 50, "y": None}}, {"x": 50, "y": 50})
    assert result["A"] == {"signed": 0.0, "absolute": 10.0, "criteria": 2}
    assert result["B"] == {"signed": 0.0, "absolute": 0.0, "criteria": 1}


def test_site_visit_questions_clarify_improvements_verify_strengths_and_keep_the_examiners_own():
    area = FRAMEWORK.areas[0].code
    findings = [ConsensusFinding(1, area, "utvecklingsomrade", "Det framgår inte hur."),
                ConsensusFinding(2, area, "styrka", "Delaktighet är stark.", contributors=("A", "B")),
                ConsensusFinding(3, area, "styrka", "Tydliga mål.", contributors=("A",)),
                ConsensusFinding(4, area, "styrka", "Fjärde.")]
    own = [{"area_code": area, "text": "Hur följs synpunkterna upp?", "examiner": "Sara"},
           {"area_code": area, "text": "Förtydliga: Det framgår inte hur. Hur ser det ut i praktiken?",
            "examiner": "Erik"}]
    questions = proposed_questions(FRAMEWORK, findings, own)
    texts = [q["text"] for q in questions]
    assert texts[0].startswith("Förtydliga: Det framgår inte hur.")
    assert texts[1].startswith("Verifiera: Delaktighet är stark.")  # backed by two examiners first
    assert len([q for q in questions if q["source"] == "konsensus"]) == 3
    assert [q["source"] for q in questions if q["source"] != "konsensus"] == ["Sara"]  # Erik's duplicates one

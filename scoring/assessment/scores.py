"""The examiners' individual scores and findings, each read in one place for everyone who
needs them.

Consensus compares them, the year's agreement measures them, the jury's shortlist shows
their spread and the office's workbook lists them; each used to read the JSON columns
and reshape them itself.
"""

from __future__ import annotations

import dataclasses
import json

from scoring.year import phases


@dataclasses.dataclass
class Finding:
    """One examiner's strength or area for improvement, with what it rests on."""

    id: int
    area_code: str
    kind: str
    text: str
    examples: str = ""
    questions: list[int] = dataclasses.field(default_factory=list)
    anchors: list[str] = dataclasses.field(default_factory=list)


def individual_findings(reader, assessment_ids: list[int]) -> dict[int, list[Finding]]:
    """The findings of these assessments, by assessment, in the order written."""
    result: dict[int, list[Finding]] = {aid: [] for aid in assessment_ids}
    if not assessment_ids:
        return result
    for aid, fid, code, kind, text, examples, questions, anchors in reader.fetchall(
            "SELECT assessment_id, id, area_code, kind, text, examples, question_numbers, anchors FROM findings"
            f" WHERE assessment_id IN ({', '.join('?' * len(assessment_ids))}) ORDER BY assessment_id, id",
            list(assessment_ids)):
        result[aid].append(Finding(fid, code, kind, text, examples or "", json.loads(questions) if questions else [],
                                   json.loads(anchors) if anchors else []))
    return result


@dataclasses.dataclass(frozen=True)
class AreaScores:
    criteria: dict[str, int]
    score: int | None
    site_visit_questions: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class IndividualScores:
    assessment_id: int
    contribution_id: int
    examiner_id: int
    examiner: str
    status: str
    areas: dict[str, AreaScores]

    def for_agenda(self) -> dict[str, dict]:
        """The shape the consensus agenda reads: area -> {"criteria", "score"}."""
        return {code: {"criteria": a.criteria, "score": a.score} for code, a in self.areas.items()}


def individual_scores(reader, *, year: int | None = None, contribution_id: int | None = None,
                      examiner_id: int | None = None, submitted_only: bool = True) -> list[IndividualScores]:
    """Every assessment's scores of a year or of one contribution (of one examiner), in
    contribution and examiner order.

    ``reader`` is the store or a unit of work (anything with ``fetchall``). Callers check
    access first.
    """
    if (year is None) == (contribution_id is None):
        raise TypeError("give a year or a contribution")
    where = "c.year = ?" if year is not None else "a.contribution_id = ?"
    params: list = [year if year is not None else contribution_id]
    if examiner_id is not None:
        where += " AND a.examiner_id = ?"
        params.append(examiner_id)
    status = (" AND a.status IN (" + ", ".join(f"'{s.value}'" for s in sorted(phases.SUBMITTED)) + ")"
              if submitted_only else "")
    rows = reader.fetchall(
        "SELECT a.id, a.contribution_id, a.examiner_id, u.name, a.status, aa.area_code, aa.criterion_scores,"
        " aa.area_score, aa.site_visit_questions FROM assessments a JOIN users u ON u.id = a.examiner_id"
        + (" JOIN contributions c ON c.id = a.contribution_id" if year is not None else "")
        + " LEFT JOIN assessment_areas aa ON aa.assessment_id = a.id"
        f" WHERE {where}{status} ORDER BY a.contribution_id, u.name, aa.area_code", params)
    result: dict[int, IndividualScores] = {}
    for aid, cid, examiner_id, name, state, area, criteria, score, questions in rows:
        entry = result.setdefault(aid, IndividualScores(aid, cid, examiner_id, name, state, {}))
        if area is not None:
            entry.areas[area] = AreaScores(json.loads(criteria) if criteria else {}, score,
                                           tuple(json.loads(questions)) if questions else ())
    return list(result.values())

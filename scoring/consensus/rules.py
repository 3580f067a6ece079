"""Consensus without the store: spread, agenda, median offer, rationale rule, grouping of
near-duplicate findings, agreement, proposed site-visit questions, and the named rules a
consensus must meet before the site visit, before the feedback and before a final report."""

from __future__ import annotations

import dataclasses
import statistics
from collections.abc import Callable

import krippendorff
import numpy as np
from rapidfuzz import fuzz

from scoring.assessment.guidance import wording_warnings
from scoring.core.text import count
from scoring.year.framework import Framework, Scale
from scoring.year.phases import FINAL_CONSENSUS, ContributionPhase, FindingKind

DEFAULT_SPREAD_THRESHOLD = 20
KEY_THEMES = (3, 5)           # strengths and areas for improvement among the key themes, each
SIMILARITY_THRESHOLD = 70
QUESTIONS_PER_AREA = 3


@dataclasses.dataclass(frozen=True)
class Spread:
    scores: tuple[int, ...]
    mean: float | None
    median_offer: int | None
    range: int
    stdev: float
    bands: int
    flagged: bool


def spread(scale: Scale, scores: list[int | None], threshold: int = DEFAULT_SPREAD_THRESHOLD) -> Spread:
    """How far a set of individual scores lies apart, and whether that needs a discussion.

    Flagged when the range reaches the threshold or the scores fall in different bands.
    The median is offered snapped to the scale; it is never applied by itself.
    """
    values = tuple(s for s in scores if s is not None)
    if not values:
        return Spread((), None, None, 0, 0.0, 0, False)
    low, high = min(values), max(values)
    bands = len({scale.band_for(v).code for v in values})
    return Spread(
        scores=values,
        mean=statistics.fmean(values),
        median_offer=scale.snap(statistics.median(values)),
        range=high - low,
        stdev=statistics.stdev(values) if len(values) > 1 else 0.0,
        bands=bands,
        flagged=(high - low) >= threshold or bands > 1,
    )


@dataclasses.dataclass(frozen=True)
class AreaAgenda:
    area_code: str
    title: str
    area: Spread
    criteria: dict[str, Spread]

    @property
    def flagged(self) -> bool:
        return self.area.flagged or any(c.flagged for c in self.criteria.values())


def agenda(framework: Framework, individual: list[dict], threshold: int = DEFAULT_SPREAD_THRESHOLD) -> list[AreaAgenda]:
    """The areas in discussion order: flagged first, largest disagreement first.

    ``individual`` holds one dict per examiner: {area_code: {"criteria": {code: score}, "score": int}}.
    """
    items = []
    for area in framework.areas:
        area_scores = [a.get(area.code, {}).get("score") for a in individual]
        criteria = {
            c.code: spread(framework.scale, [a.get(area.code, {}).get("criteria", {}).get(c.code) for a in individual],
                           threshold)
            for c in area.criteria
        }
        items.append(AreaAgenda(area.code, area.title, spread(framework.scale, area_scores, threshold), criteria))
    order = {a.code: i for i, a in enumerate(framework.areas)}
    return sorted(items, key=lambda a: (not a.flagged,
                                        -max([a.area.range, *(c.range for c in a.criteria.values())]),
                                        order[a.area_code]))


def flag_reasons(item: AreaAgenda, titles: dict[str, str]) -> list[str]:
    """What flags an area, in Swedish: each flagged criterion (``titles``: code -> title)
    with its spread, e.g. "Tydlig riktning (25 p)" or "Uppföljning (10 p över 2 band)",
    then the area's own score where that is flagged. Empty when nothing is."""
    reasons = [f"{titles.get(code, code)} ({_spread_text(s)})" for code, s in item.criteria.items() if s.flagged]
    if item.area.flagged:
        reasons.append(f"områdespoängen ({_spread_text(item.area)})")
    return reasons


def _spread_text(s: Spread) -> str:
    return f"{s.range} p" + (f" över {s.bands} band" if s.bands > 1 else "")


def rationale_needed(item: AreaAgenda, consensus: dict[str, int | None],
                     threshold: int = DEFAULT_SPREAD_THRESHOLD) -> tuple[bool, list[str]]:
    """(area needs a rationale, criteria needing one): flagged areas, and criteria whose
    consensus lies more than the threshold from the individual mean."""
    far = [code for code, s in item.criteria.items()
           if consensus.get(code) is not None and s.mean is not None and abs(consensus[code] - s.mean) > threshold]
    return item.flagged, far


# --- findings ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SourceFinding:
    id: int
    examiner: str
    area_code: str
    kind: str
    text: str
    questions: tuple[int, ...] = ()
    anchors: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class ConsensusFinding:
    """A finding the team agreed: an area's (``area_code``) or a key theme (None)."""

    id: int
    area_code: str | None
    kind: str
    text: str
    examples: str = ""
    contributors: tuple[str, ...] = ()
    anchors: tuple[str, ...] = ()
    question_numbers: tuple[int, ...] = ()
    source_findings: tuple[int, ...] = ()
    is_key_theme: bool = False


@dataclasses.dataclass(frozen=True)
class FindingGroup:
    area_code: str
    kind: str
    text: str
    members: tuple[SourceFinding, ...]

    @property
    def contributors(self) -> list[str]:
        return sorted({m.examiner for m in self.members})

    @property
    def anchors(self) -> list[str]:
        return list(dict.fromkeys(a for m in self.members for a in m.anchors))

    @property
    def questions(self) -> list[int]:
        return sorted({q for m in self.members for q in m.questions})


def similarity(a: str, b: str) -> float:
    # token_set_ratio ignores word order and extra words, as two examiners phrasing the
    # same observation differently tend to differ.
    return fuzz.token_set_ratio(a.lower(), b.lower())


def group_findings(findings: list[SourceFinding], threshold: float = SIMILARITY_THRESHOLD) -> list[FindingGroup]:
    """Near-duplicates per area and kind, grouped (single link); the proposed text is the
    member most similar to the others."""
    groups: list[FindingGroup] = []
    keyed: dict[tuple[str, str], list[SourceFinding]] = {}
    for finding in findings:
        keyed.setdefault((finding.area_code, finding.kind), []).append(finding)
    for (area_code, kind), items in keyed.items():
        parent = list(range(len(items)))
        for i in range(len(items)):
            for j in range(i + 1, len(items)):
                if similarity(items[i].text, items[j].text) >= threshold:
                    parent[_root(parent, j)] = _root(parent, i)
        clusters: dict[int, list[SourceFinding]] = {}
        for i, item in enumerate(items):
            clusters.setdefault(_root(parent, i), []).append(item)
        for members in clusters.values():
            central = max(members, key=lambda m: sum(similarity(m.text, o.text) for o in members))
            groups.append(FindingGroup(area_code, kind, central.text, tuple(members)))
    return sorted(groups, key=lambda g: (g.area_code, g.kind, -len(g.members)))


def _root(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


# --- agreement -----------------------------------------------------------------


def alpha(matrix: list[list[float | None]]) -> float | None:
    """Krippendorff's alpha (interval) over raters × units; None where it is undefined
    (fewer than two raters or units with two values, or no variation at all)."""
    data = np.array([[np.nan if v is None else float(v) for v in row] for row in matrix], dtype=float)
    if data.ndim != 2 or data.shape[0] < 2:
        return None
    pairable = (np.sum(~np.isnan(data), axis=0) >= 2).sum()
    values = data[~np.isnan(data)]
    if pairable < 1 or len(values) < 2 or np.all(values == values[0]):
        return None
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="interval"))


def deviations(individual: dict[str, dict[str, int]], consensus: dict[str, int]) -> dict[str, dict[str, float]]:
    """Per examiner: mean signed and mean absolute difference from consensus over the
    criteria both have scored (positive = more lenient than the team)."""
    result = {}
    for examiner, scores in individual.items():
        diffs = [scores[k] - consensus[k] for k in scores if consensus.get(k) is not None and scores[k] is not None]
        if diffs:
            result[examiner] = {"signed": statistics.fmean(diffs), "absolute": statistics.fmean(abs(d) for d in diffs),
                                "criteria": len(diffs)}
    return result


# --- site visit ----------------------------------------------------------------


def proposed_questions(framework: Framework, consensus_findings: list[ConsensusFinding], examiner_questions: list[dict],
                       per_area: int = QUESTIONS_PER_AREA) -> list[dict]:
    """Questions for the site visit: clarify each improvement area, verify significant
    strengths (about ``per_area`` per area from consensus), then the examiners' own that
    are not already covered."""
    questions = []
    for area in framework.areas:
        own = [f for f in consensus_findings if f.area_code == area.code]
        improvements = [f for f in own if f.kind == FindingKind.UTVECKLINGSOMRADE]
        # Strengths backed by more examiners count as more significant.
        strengths = sorted((f for f in own if f.kind == FindingKind.STYRKA), key=lambda f: -len(f.contributors))
        picked = (improvements + strengths)[:max(per_area, len(improvements))]
        for f in picked:
            text = (f"Förtydliga: {f.text} Hur ser det ut i praktiken?" if f.kind == FindingKind.UTVECKLINGSOMRADE
                    else f"Verifiera: {f.text} Visa gärna ett exempel.")
            questions.append({"area_code": area.code, "text": text, "source": "konsensus"})
        for q in examiner_questions:
            if q["area_code"] != area.code:
                continue
            if all(similarity(q["text"], other["text"]) < SIMILARITY_THRESHOLD
                   for other in questions if other["area_code"] == area.code):
                questions.append({"area_code": area.code, "text": q["text"], "source": q["examiner"]})
    return questions


# --- the named rules a consensus must meet ------------------------------------------------
# The phase gates before the site visit and before the feedback, and the report's quality
# gate, are made of these; each rule is written once, with one wording.


@dataclasses.dataclass(frozen=True)
class Problem:
    message: str
    area_code: str | None = None   # where to fix it: an area's findings, or the key themes (None)

    def __str__(self) -> str:
        return self.message


def criteria_scored(work, framework: Framework) -> list[Problem]:
    """Every criterion has its consensus score."""
    problems = []
    for area in framework.areas:
        agreed = work.scores.get(area.code, {})
        unscored = [c.title for c in area.criteria if agreed.get(c.code) is None]
        if unscored:
            problems.append(Problem(f"{area.title}: konsensuspoäng saknas för {', '.join(unscored)}.", area.code))
    return problems


def spread_explained(work, framework: Framework) -> list[Problem]:
    """A wide spread, or a consensus far from the examiners' mean, has its rationale."""
    problems = []
    for item in agenda(framework, list(work.individual.values()), work.threshold):
        area = framework.area(item.area_code)
        needs_area, far = rationale_needed(item, work.scores.get(area.code, {}), work.threshold)
        if needs_area and not work.area_rationales.get(area.code):
            problems.append(Problem(f"{area.title}: området har stor spridning och behöver en motivering.",
                                    area.code))
        for code in far:
            if not work.criterion_rationales.get(area.code, {}).get(code):
                title = next(c.title for c in area.criteria if c.code == code)
                problems.append(Problem(f"{area.title}: konsensus för {title} skiljer sig mer än {work.threshold} "
                                        "poäng från medelvärdet och behöver en motivering.", area.code))
    return problems


def strength_and_improvement_per_area(work, framework: Framework) -> list[Problem]:
    """Each area has at least one strength and one area for improvement."""
    return [Problem(f"{area.title}: minst en {kind.label.lower()} behövs.", area.code)
            for area in framework.areas for kind in FindingKind
            if not work.area_findings(area.code, kind)]


def key_themes_counted(work, framework: Framework) -> list[Problem]:
    """Three to five key themes of each kind."""
    low, high = KEY_THEMES
    problems = []
    for kind in FindingKind:
        count = len(work.area_findings(None, kind))
        if not low <= count <= high:
            problems.append(Problem(f"Nyckeltemana ska vara {low}–{high} {kind.plural}; nu {count}."))
    return problems


def site_visit_recorded(work, framework: Framework) -> list[Problem]:
    """The visit's date, participants, documents and every question's outcome."""
    visit, problems = work.site_visit, []
    if not visit.date:
        problems.append(Problem("Datum för platsbesöket saknas."))
    if not visit.participants.strip():
        problems.append(Problem("Deltagare i platsbesöket saknas."))
    unticked = [d for d in framework.site_visit_documents if d not in visit.documents]
    if unticked:
        problems.append(Problem("1 dokument är inte markerat som sett eller saknat." if len(unticked) == 1 else
                                f"{len(unticked)} dokument är inte markerade som sedda eller saknade."))
    open_questions = [q for q in visit.questions if not q.get("outcome")]
    if open_questions:
        problems.append(Problem(f"{count(len(open_questions), 'fråga saknar', 'frågor saknar')} utfall."))
    return problems


def final_consensus_reached(work, framework: Framework) -> list[Problem]:
    if work.phase in FINAL_CONSENSUS:
        return []
    return [Problem("Slutlig konsensus efter platsbesöket är inte nådd ännu.")]


def findings_worded(work, framework: Framework) -> list[Problem]:
    """No empty finding, and each follows the writing guidance."""
    problems = []
    for finding in work.findings:
        where = framework.area(finding.area_code).title if finding.area_code else "Nyckeltema"
        if not finding.text.strip():
            problems.append(Problem(f"{where}: en iakttagelse är tom.", finding.area_code))
        for warning in wording_warnings(finding.text):
            short = finding.text if len(finding.text) <= 60 else finding.text[:59] + "…"
            problems.append(Problem(f"{where}: ”{short}” – {warning.message}", finding.area_code))
    return problems


Rule = Callable[..., list[Problem]]
# What must hold before the contribution moves on to a phase, and before a report is final.
BEFORE_PHASE: dict[str, tuple[Rule, ...]] = {
    ContributionPhase.PLATSBESOK: (criteria_scored, spread_explained, strength_and_improvement_per_area),
    ContributionPhase.SLUTLIG_KONSENSUS: (site_visit_recorded,),
    ContributionPhase.ATERKOPPLING_KLAR: (criteria_scored, spread_explained, strength_and_improvement_per_area,
                                          key_themes_counted),
}
REPORT_FINAL: tuple[Rule, ...] = (final_consensus_reached, key_themes_counted, strength_and_improvement_per_area,
                                  findings_worded)


def check(rules: tuple[Rule, ...], work, framework: Framework) -> list[Problem]:
    return [problem for rule in rules for problem in rule(work, framework)]

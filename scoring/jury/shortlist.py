"""Jury preparation: the candidates (contributions proposed for an award or an honourable
mention), grouped by class where the year has classes and by proposal where it has none,
comparison, calibration across teams, the jury's decisions, the year's lock and archive,
and a pseudonymised view.

Decisions rest on the raw consensus; calibration is shown beside it and never applied.
"""

from __future__ import annotations

import dataclasses
import json
import re
import statistics

from scoring.assessment.individual import passages
from scoring.assessment.scores import individual_scores
from scoring.consensus.rules import agenda
from scoring.core import access
from scoring.core.auth import User
from scoring.core.errors import Refused
from scoring.core.store import Store, set_setting, utcnow
from scoring.core.text import count
from scoring.intake import eligibility
from scoring.jury import members
from scoring.jury.pseudonyms import SHOWN, Mask, year_mask
from scoring.year import phases, progress
from scoring.year.framework import Framework, load_framework
from scoring.year.years import is_locked  # noqa: F401 - part of this module's interface

MIN_FOR_CALIBRATION = 2
MAX_MOTIVATION_CHARS = 5_000


class JuryError(Refused):
    """A refused jury action; Swedish message."""


def pseudonymised(store: Store, year: int) -> bool:
    return store.setting(f"pseudonymise_{year}", "0") == "1" and not is_locked(store, year)


def names_hidden(store: Store, user: User, year: int) -> bool:
    """Whether this viewer sees "Kandidat A" instead of the units' names this year."""
    return pseudonymised(store, year) and not access.can(store, user, "jury.real_names")


def pseudonyms(store: Store, year: int) -> dict[int, str]:
    """"Kandidat A", "Kandidat B" … for the year's candidates, in the order they arrived:
    the same letters on every screen and in the dossier."""
    ids = [r[0] for r in store.fetchall(
        "SELECT c.id FROM contributions c JOIN proposals p ON p.contribution_id = c.id WHERE c.year = ?"
        " AND p.proposal IN ('utmarkelse', 'hedersomnamnande') ORDER BY c.id", [year])]
    return {cid: _pseudonym(index) for index, cid in enumerate(ids)}


def mask(store: Store, user: User, year: int) -> Mask:
    """How this viewer sees the year's names: as they are, or replaced by pseudonyms on every
    screen, chart, table and download until the year is ended."""
    if not names_hidden(store, user, year):
        return SHOWN
    return store.cached(("name_mask", year), lambda: year_mask(store, year, pseudonyms(store, year)))


def set_pseudonymised(store: Store, user: User, year: int, on: bool) -> None:
    access.require(store, user, "jury.pseudonyms")
    with store.write(user.email) as uow:
        set_setting(uow, f"pseudonymise_{year}", "1" if on else "0")


@dataclasses.dataclass(frozen=True)
class Candidate:
    contribution_id: int
    name: str                       # the unit, or "Kandidat A" in the pseudonymised view
    organisation: str
    class_code: str | None          # None where the year has no competition classes
    class_name: str
    team: str
    phase: str
    profile: dict[str, int | None]  # area code -> consensus area score
    total: float | None             # mean of the area scores
    proposal: str | None
    motivation: str
    eligibility: str
    spread: int                     # largest individual range over the areas
    decision: str | None


def _year_rows(store: Store, year: int) -> list[dict]:
    """Everything the shortlist needs about every contribution of the year, in a few queries;
    kept until the next write, since it is the same on every rerun."""
    def compute() -> list[dict]:
        framework = load_framework(year)
        rows = store.records(
            "SELECT c.id, n.name AS unit, n.organisation, c.class_code, c.phase, c.eligibility, t.name AS team,"
            " p.proposal, p.motivation, d.decision FROM contributions c JOIN units n ON n.id = c.unit_id"
            " LEFT JOIN assignments s ON s.contribution_id = c.id LEFT JOIN teams t ON t.id = s.team_id"
            " LEFT JOIN proposals p ON p.contribution_id = c.id LEFT JOIN decisions d ON d.contribution_id = c.id"
            " WHERE c.year = ? ORDER BY c.id", [year])
        scores: dict[int, dict[str, dict[str, int]]] = {}
        for cid, area, criterion, score in store.fetchall(
                "SELECT s.contribution_id, s.area_code, s.criterion_code, s.score FROM consensus_scores s"
                " JOIN contributions c ON c.id = s.contribution_id WHERE c.year = ? AND s.score IS NOT NULL", [year]):
            scores.setdefault(cid, {}).setdefault(area, {})[criterion] = score
        statuses = eligibility.year_statuses(store, year)
        individual: dict[int, dict[int, dict]] = {}
        for work in individual_scores(store, year=year):
            individual.setdefault(work.contribution_id, {})[work.assessment_id] = work.for_agenda()
        for row in rows:
            cid = row["id"]
            row["criteria"] = scores.get(cid, {})
            row["profile"] = {a.code: framework.area_score_for(a.code, row["criteria"].get(a.code, {}))
                              for a in framework.areas}
            row["total"] = framework.total_for(row["profile"])
            items = agenda(framework, list(individual.get(cid, {}).values()))
            row["spread"] = max((i.area.range for i in items), default=0)
            row["individual"] = individual.get(cid, {})
            row["eligibility_status"] = statuses[cid]
        return rows
    return store.cached(("jury_year", year), compute)


PROPOSAL_ORDER = {"utmarkelse": 0, "hedersomnamnande": 1}


def shortlist(store: Store, user: User, year: int) -> list[Candidate]:
    """The year's candidates the user may see, with consensus and proposal: by class and
    total where the year has classes, by proposal and total where it has none."""
    access.require(store, user, "jury.shortlist", year=year)
    framework = load_framework(year)
    visible = set(access.visible_contribution_ids(store, user, year))
    names = mask(store, user, year)
    result = []
    for row in (r for r in _year_rows(store, year)
                if r["id"] in visible and r["proposal"] in access.CANDIDATE_PROPOSALS):
        result.append(Candidate(
            row["id"], names.unit(row["id"], row["unit"]), names.organisation(row["organisation"]),
            row["class_code"], framework.class_name(row["class_code"]), names.team(row["team"]),
            phases.ContributionPhase(row["phase"]).label, row["profile"], row["total"], row["proposal"],
            names.text(row["motivation"] or ""), row["eligibility_status"], row["spread"], row["decision"]))
    return [c for group in candidate_groups(framework, result) for c in group.candidates]


@dataclasses.dataclass(frozen=True)
class Group:
    """Candidates the jury reads together: a competition class, or one kind of proposal."""

    name: str
    candidates: list[Candidate]


def candidate_groups(framework: Framework, candidates: list[Candidate]) -> list[Group]:
    """By class where the year has classes, by the team's proposal where it has none;
    highest total first within each; only groups that have candidates."""
    def ranked(items: list[Candidate]) -> list[Candidate]:
        return sorted(items, key=lambda c: (-(c.total or 0), c.name))
    if framework.has_classes:
        groups = [Group(c.name, ranked([k for k in candidates if k.class_code == c.code])) for c in framework.classes]
    else:
        groups = [Group(f"Föreslagna för {label.lower()}", ranked([k for k in candidates if k.proposal == code]))
                  for code, label in phases.Proposal.labels().items() if code in PROPOSAL_ORDER]
    return [g for g in groups if g.candidates]


def _pseudonym(index: int) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return f"Kandidat {letters[index % 26]}{index // 26 or ''}"


# --- calibration -------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Calibration:
    year_mean: float | None
    teams: list[dict]          # team, contributions, mean, leniency, calibrated (enough data)
    examiners: list[dict]      # examiner id, mean signed deviation from consensus, criteria
    ranking: list[dict]        # contribution, raw total, adjusted total, raw rank, adjusted rank
    stability: list[dict]      # contribution, rank range over weightings and adjustment


def calibrate(store: Store, user: User, year: int, weightings: dict[str, dict[str, float]] | None = None) -> Calibration:
    """Team and examiner leniency, and the ranking raw and adjusted, with its stability."""
    access.require(store, user, "jury.shortlist", year=year)
    if weightings is None:  # the page's question: the same until something is written
        hidden = names_hidden(store, user, year)
        return store.cached(("calibration", year, user.id, hidden), lambda: _calibrate(store, user, year, None))
    return _calibrate(store, user, year, weightings)


def _calibrate(store: Store, user: User, year: int, weightings: dict[str, dict[str, float]] | None) -> Calibration:
    framework = load_framework(year)
    # Only finished consensus counts: a proposal exists once the team is done.
    rows = [r for r in _year_rows(store, year) if r["total"] is not None and r["proposal"]]
    year_mean = statistics.fmean(r["total"] for r in rows) if rows else None
    by_team: dict[str, list[float]] = {}
    for r in rows:
        by_team.setdefault(r["team"] or "–", []).append(r["total"])
    teams = []
    for team, totals in sorted(by_team.items()):
        enough = len(totals) >= MIN_FOR_CALIBRATION
        teams.append({"team": team, "contributions": len(totals), "mean": round(statistics.fmean(totals), 1),
                      "leniency": round(statistics.fmean(totals) - year_mean, 1) if enough else None,
                      "calibrated": enough})
    leniency = {t["team"]: t["leniency"] or 0.0 for t in teams}
    deviations: dict[int, list[float]] = {}
    for r in rows:
        for aid, areas in r["individual"].items():
            for area, work in areas.items():
                for criterion, value in work["criteria"].items():
                    agreed = r["criteria"].get(area, {}).get(criterion)
                    if agreed is not None:
                        deviations.setdefault(aid, []).append(value - agreed)
    names = mask(store, user, year)
    examiners = sorted(({**e, "examiner": names.examiner(e["examiner"])} for e in _examiner_leniency(store, deviations)),
                       key=lambda e: e["examiner"])
    teams = [{**t, "team": names.team(t["team"])} for t in teams]
    # Team levels use every finished consensus; the ranking shows only the candidates one may see.
    candidates = {c.contribution_id for c in shortlist(store, user, year)}
    rows = [r for r in rows if r["id"] in candidates]
    raw = sorted(rows, key=lambda r: -r["total"])
    adjusted = sorted(rows, key=lambda r: -(r["total"] - leniency[r["team"] or "–"]))
    raw_rank = {r["id"]: i + 1 for i, r in enumerate(raw)}
    adjusted_rank = {r["id"]: i + 1 for i, r in enumerate(adjusted)}
    ranking = [{"contribution_id": r["id"], "unit": names.unit(r["id"], r["unit"]), "team": names.team(r["team"]), "raw": r["total"],
                "adjusted": round(r["total"] - leniency[r["team"] or "–"], 1),
                "raw_rank": raw_rank[r["id"]], "adjusted_rank": adjusted_rank[r["id"]]} for r in raw]
    scenarios = [adjusted_rank] + [_ranks(framework, rows, w) for w in (weightings or default_weightings(framework)).values()]
    stability = [{"contribution_id": r["id"], "unit": names.unit(r["id"], r["unit"]), "raw_rank": raw_rank[r["id"]],
                  "best": min(s[r["id"]] for s in scenarios + [raw_rank]),
                  "worst": max(s[r["id"]] for s in scenarios + [raw_rank])} for r in raw]
    return Calibration(year_mean, teams, examiners, ranking, stability)


def _examiner_leniency(store: Store, deviations: dict[int, list[float]]) -> list[dict]:
    if not deviations:
        return []
    names = dict(store.fetchall(
        f"SELECT a.id, u.name FROM assessments a JOIN users u ON u.id = a.examiner_id"
        f" WHERE a.id IN ({','.join('?' * len(deviations))})", list(deviations)))
    per_examiner: dict[str, list[float]] = {}
    for aid, diffs in deviations.items():
        per_examiner.setdefault(names[aid], []).extend(diffs)
    return [{"examiner": e, "leniency": round(statistics.fmean(d), 1), "criteria": len(d)}
            for e, d in sorted(per_examiner.items())]


def default_weightings(framework: Framework) -> dict[str, dict[str, float]]:
    """Other reasonable weightings of the areas: each area counted double in turn."""
    return {f"{area.title} dubbelt": {a.code: 2.0 if a.code == area.code else 1.0 for a in framework.areas}
            for area in framework.areas}


def _ranks(framework: Framework, rows: list[dict], weights: dict[str, float]) -> dict[int, int]:
    def weighted(r: dict) -> float:
        parts = [(r["profile"][a.code], weights.get(a.code, 1.0)) for a in framework.areas
                 if r["profile"][a.code] is not None]
        return sum(v * w for v, w in parts) / sum(w for _, w in parts)
    ordered = sorted(rows, key=lambda r: -weighted(r))
    return {r["id"]: i + 1 for i, r in enumerate(ordered)}


# --- decisions, lock and archive -----------------------------------------------------


DECISION_RANK = {"ingen": 0, "hedersomnamnande": 1, "utmarkelse": 2}
PROPOSAL_RANK = {"inget": 0, "hedersomnamnande": 1, "utmarkelse": 2}


def decide(store: Store, user: User, contribution_id: int, decision: str, motivation: str,
           deviation_reason: str = "") -> None:
    """The jury's decision on one candidate, recorded by a member without a conflict on it.

    The jury may give less than the team proposed, or nothing; to give more than any team
    proposed (an award where the team proposed an honourable mention) it records why. The
    decision keeps who took part and who was recused.
    """
    row = store.fetchone("SELECT year FROM contributions WHERE id = ?", [contribution_id])
    if row is None:
        raise JuryError("Bidraget finns inte.")
    year = row[0]
    access.require(store, user, "jury.decide", year=year)
    access.require_contribution(store, user, contribution_id)
    if is_locked(store, year):
        raise JuryError(f"Året {year} är avslutat och låst; besluten kan inte ändras.")
    if decision not in phases.Decision.labels():
        raise JuryError("Välj utmärkelse, hedersomnämnande eller ingen utmärkelse.")
    if members.has_conflict(store, user, contribution_id):
        raise JuryError("Du har anmält jäv mot kandidaten och deltar inte i beslutet om den.")
    text = (motivation or "").strip()
    reason = (deviation_reason or "").strip()
    if decision != "ingen" and not text:
        raise JuryError("Skriv juryns motivering; den publiceras med beslutet.")
    for what, value in (("Motiveringen", text), ("Skälet", reason)):
        if len(value) > MAX_MOTIVATION_CHARS:
            raise JuryError(f"{what} har {len(value)} tecken; högst {MAX_MOTIVATION_CHARS} går att spara.")
    proposal = store.fetchone("SELECT proposal FROM proposals WHERE contribution_id = ?", [contribution_id])[0]
    beyond = DECISION_RANK[decision] > PROPOSAL_RANK[proposal]
    if beyond and not reason:
        raise JuryError(f"Laget föreslog {phases.Proposal(proposal).label.lower()}. Juryn kan besluta om "
                        f"{phases.Decision(decision).label.lower()} bara med ett skäl, som sparas i protokollet.")
    result = eligibility.current_result(store, contribution_id)[1]
    refusal = eligibility.may_receive(load_framework(year), result, decision)
    if refusal:
        raise JuryError(refusal)
    taking_part = members.taking_part(store, year, contribution_id)
    recused = members.recused(store, contribution_id)
    with store.write(user.email) as uow:
        before = uow.fetchone("SELECT decision FROM decisions WHERE contribution_id = ?", [contribution_id])
        uow.execute("INSERT INTO decisions (contribution_id, decision, motivation, decided_by, decided_at,"
                    " deviation_reason, members, recused) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (contribution_id) DO UPDATE SET"
                    " decision = excluded.decision, motivation = excluded.motivation, decided_by = excluded.decided_by,"
                    " decided_at = excluded.decided_at, deviation_reason = excluded.deviation_reason,"
                    " members = excluded.members, recused = excluded.recused",
                    [contribution_id, decision, text, user.name, utcnow(), reason if beyond else None,
                     json.dumps(taking_part, ensure_ascii=False), json.dumps(recused, ensure_ascii=False)])
        uow.audit("juryns beslut", "decisions", contribution_id, before and before[0],
                  {"decision": decision, "beyond_proposal": beyond, "reason": reason if beyond else None,
                   "recused": recused})


def minutes(store: Store, user: User, year: int) -> dict:
    """The jury's minutes: the members with the chair, and per group each candidate's
    decision, motivation, why it went beyond the proposal, who took part and who was recused."""
    access.require(store, user, "jury.shortlist", year=year)
    framework = load_framework(year)
    rows = {r["contribution_id"]: r for r in store.records(
        "SELECT d.contribution_id, d.decision, d.motivation, d.deviation_reason, d.members, d.recused, d.decided_by,"
        " d.decided_at FROM decisions d JOIN contributions c ON c.id = d.contribution_id WHERE c.year = ?", [year])}
    groups = []
    for group in candidate_groups(framework, shortlist(store, user, year)):
        items = []
        for c in group.candidates:
            row = rows.get(c.contribution_id)
            items.append({
                "name": c.name, "proposal": phases.Proposal.labels().get(c.proposal, ""),
                "decision": phases.Decision(row["decision"]).label if row else "Inget beslut ännu",
                "motivation": (row or {}).get("motivation") or "",
                "deviation_reason": (row or {}).get("deviation_reason") or "",
                "taking_part": json.loads(row["members"]) if row and row["members"] else [],
                "recused": json.loads(row["recused"]) if row and row["recused"] else members.recused(
                    store, c.contribution_id),
                "decided_by": (row or {}).get("decided_by") or "",
            })
        groups.append({"name": group.name, "candidates": items})
    people = store.records("SELECT u.name, m.organisation, m.is_chair FROM jury_members m JOIN users u"
                           " ON u.id = m.user_id WHERE m.year = ? ORDER BY m.is_chair DESC, u.name", [year])
    return {"year": year, "members": people, "groups": groups}


def undecided(store: Store, user: User, year: int) -> list[int]:
    return [c.contribution_id for c in shortlist(store, user, year) if c.decision is None]


def year_end_blockers(store: Store, user: User, year: int) -> list[str]:
    """Why the year cannot end yet, in words for the one who asks: the office sees which units
    are unfinished, the jury only how many (the names may be pseudonymised for it)."""
    access.require(store, user, "jury.shortlist", year=year)
    left = len(undecided(store, user, year))
    problems = [f"{count(left, 'kandidat', 'kandidater')} saknar beslut."] if left else []
    if access.can(store, user, "year.setup"):
        return problems + progress.year_end_problems(store, year)
    unfinished = len(progress.unfinished(store, year))
    if unfinished:
        problems.append(f"{unfinished} bidrag är inte klara och saknar Kvalitetsenhetens förklaring på Årets gång.")
    return problems


def lock_year(store: Store, user: User, year: int) -> None:
    """End the year: every proposed contribution decided; from now on the year is read-only."""
    access.require(store, user, "year.lock")
    with store.write(user.email) as uow:
        try:
            phases.transition(uow, phases.YEAR, year, phases.YearPhase.AVSLUTAT, also={"locked": True},
                              action="året avslutat")
        except phases.TransitionRefused as refused:
            raise JuryError(" ".join(refused.problems) or str(refused)) from None
        # The jury's decisions are final: every proposal is decided (no proposal for the jury
        # counts as no award), and the feedback visits can be booked.
        for (cid,) in uow.fetchall("SELECT id FROM contributions WHERE year = ? AND phase = 'forslag_lamnat'", [year]):
            phases.transition(uow, phases.CONTRIBUTION, cid, phases.P.BESLUTAD, action="beslutad")


@phases.gate(phases.YEAR, "all_decided")
def _all_decided(uow, year: int, context: object) -> list[str]:
    left = uow.fetchone(
        "SELECT count(*) FROM proposals p JOIN contributions c ON c.id = p.contribution_id"
        " LEFT JOIN decisions d ON d.contribution_id = p.contribution_id WHERE c.year = ? AND d.decision IS NULL"
        " AND p.proposal IN ('utmarkelse', 'hedersomnamnande')", [year])[0]
    return ([f"{count(left, 'kandidat', 'kandidater')} saknar beslut."] if left else []) + progress.year_end_problems(uow, year)


def archive(store: Store, user: User) -> list[dict]:
    """Past and locked years: participants, proposals and decisions."""
    access.require(store, user, "archive.read")
    return store.records(
        "SELECT c.year, n.name AS unit, n.organisation, c.class_code, p.proposal, d.decision, d.motivation"
        " FROM contributions c JOIN units n ON n.id = c.unit_id JOIN award_years y ON y.year = c.year"
        " LEFT JOIN proposals p ON p.contribution_id = c.id LEFT JOIN decisions d ON d.contribution_id = c.id"
        " WHERE y.locked ORDER BY c.year DESC, n.name")


def compare(store: Store, user: User, year: int, contribution_ids: list[int]) -> list[dict]:
    """2–4 candidates side by side: profile, key themes, and findings per area."""
    access.require(store, user, "jury.shortlist", year=year)
    if not 2 <= len(contribution_ids) <= 4:
        raise JuryError("Välj två till fyra bidrag att jämföra.")
    candidates = {c.contribution_id: c for c in shortlist(store, user, year)}
    missing = [cid for cid in contribution_ids if cid not in candidates]
    if missing:
        raise access.AccessDenied("Du har inte behörighet till alla valda bidrag.")
    placeholders = ",".join("?" * len(contribution_ids))
    findings: dict[int, list[tuple]] = {}
    names = mask(store, user, year)
    for cid, area, kind, text in store.fetchall(
            f"SELECT contribution_id, area_code, kind, text FROM consensus_findings WHERE contribution_id IN"
            f" ({placeholders}) ORDER BY id", contribution_ids):
        findings.setdefault(cid, []).append((area, kind, names.text(text)))
    result = []
    for cid in contribution_ids:
        own = findings.get(cid, [])
        result.append({
            "candidate": candidates[cid],
            "themes": {k: [t for a, kk, t in own if a is None and kk == k] for k in ("styrka", "utvecklingsomrade")},
            "areas": {a.code: {k: [t for aa, kk, t in own if aa == a.code and kk == k]
                               for k in ("styrka", "utvecklingsomrade")} for a in load_framework(year).areas},
        })
    return result


# --- returning units -------------------------------------------------------------------

ADDRESSED_SHARE = 0.5
# Words that say nothing about the topic of a finding.
_STOP = {"det", "framgår", "inte", "hur", "och", "att", "som", "för", "med", "eller", "till", "saknas", "sällan",
         "verksamheten", "finns", "också", "deras", "detta", "dessa", "inom", "över"}


def _stems(text: str) -> set[str]:
    """Content words cut to five letters: a rough Swedish stem (resultaten, resultat → resul)."""
    return {w[:5] for w in re.findall(r"\w+", text.lower()) if len(w) >= 4 and w not in _STOP}


def earlier_feedback(store: Store, user: User, contribution_id: int) -> list[dict]:
    """For those reading a returning unit: each earlier year's decision and improvement areas
    (the consensus after the site visit), with the passages of the new contribution that
    seem to take them up (text similarity; a pointer to read, not a verdict)."""
    access.require_readable(store, user, contribution_id)
    unit_id, year = store.fetchone("SELECT unit_id, year FROM contributions WHERE id = ?", [contribution_id])
    earlier = store.fetchall(
        "SELECT c.id, c.year, d.decision FROM contributions c LEFT JOIN decisions d ON d.contribution_id = c.id"
        " WHERE c.unit_id = ? AND c.year < ? ORDER BY c.year DESC", [unit_id, year])
    if not earlier:
        return []
    current = passages(store, user, contribution_id)
    result = []
    for old_id, old_year, decision in earlier:
        improvements = []
        for area, text in store.fetchall(
                "SELECT area_code, text FROM consensus_findings WHERE contribution_id = ? AND kind = 'utvecklingsomrade'"
                " ORDER BY area_code NULLS FIRST, id", [old_id]):
            wanted = _stems(text)
            scored = sorted(((len(wanted & _stems(p["text"])) / max(1, len(wanted)), p["label"])
                             for p in current.values()), key=lambda x: -x[0])
            improvements.append({"text": text, "key_theme": area is None,
                                 "addressed_in": [label for score, label in scored[:3] if score >= ADDRESSED_SHARE]})
        result.append({"year": old_year, "decision": phases.Decision.labels().get(decision, "inget beslut registrerat"),
                       "improvements": improvements})
    return result

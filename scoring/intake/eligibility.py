"""Eligibility and the basic control: may the unit take part, and may it receive the award?

The rules come from the year's framework; earlier decisions come from the store, so a
winner waits and an honourable mention may come back as that year's rules say.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from scoring.core import access
from scoring.core.auth import User
from scoring.core.store import Store
from scoring.year.framework import Framework, load_framework

MAY_TAKE_PART = "får delta"
NO_AWARD = "får delta men kan inte få utmärkelsen"
MAY_NOT = "får inte delta"


@dataclasses.dataclass
class Facts:
    """What the office knows about the unit; None means not yet known."""

    employees_including_manager: int | None = None
    manager_with_full_responsibility: bool | None = None
    business_plan_with_goals: bool | None = None
    city_share_rule_applies: bool = False  # bought places, or an independent school/preschool
    city_share_percent: float | None = None
    previous_year_deficit: bool | None = None
    forecast_deficit: bool | None = None
    protocol_extract_date: dt.date | None = None
    basic_control_answered: bool | None = None


@dataclasses.dataclass
class Result:
    status: str
    reasons: list[str]
    missing: list[str]


def evaluate(framework: Framework, facts: Facts, earlier: list[tuple[int, str]]) -> Result:
    """``earlier`` lists (year, decision) for the same unit in earlier award years."""
    rules = framework.eligibility
    year = framework.year
    blocking: list[str] = []
    no_award: list[str] = []
    missing: list[str] = []
    if rules.min_employees is not None:
        if facts.employees_including_manager is None:
            missing.append("antal anställda")
        else:
            counted = facts.employees_including_manager - (0 if rules.employees_include_manager else 1)
            if counted < rules.min_employees:
                how = "inklusive" if rules.employees_include_manager else "exklusive"
                blocking.append(f"Verksamheten har {counted} medarbetare {how} chef; minst {rules.min_employees} krävs.")
    for required, value, text, missing_text in (
        (rules.manager_with_full_responsibility, facts.manager_with_full_responsibility,
         "Verksamheten saknar en chef med verksamhets-, budget- och personalansvar.", "chefens ansvar"),
        (rules.business_plan_with_goals, facts.business_plan_with_goals,
         "Verksamheten saknar en verksamhetsplan med mål.", "verksamhetsplan med mål"),
    ):
        if required:
            if value is None:
                missing.append(missing_text)
            elif not value:
                blocking.append(text)
    if facts.city_share_rule_applies:
        if facts.city_share_percent is None:
            missing.append("andel platser eller barn/elever från Stockholms stad")
        elif facts.city_share_percent < rules.min_city_share_percent:
            blocking.append(
                f"Bara {facts.city_share_percent:g} % av platserna eller barnen/eleverna kommer från Stockholms stad; "
                f"minst {rules.min_city_share_percent} % krävs."
            )
    if rules.budget_rule == "deficit_blocks_award":
        if facts.previous_year_deficit is None or facts.forecast_deficit is None:
            missing.append("föregående års resultat och årets prognos")
        if facts.previous_year_deficit:
            no_award.append("Föregående års ekonomiska resultat visar underskott.")
        if facts.forecast_deficit:
            no_award.append("Innevarande års prognos visar underskott.")
    elif facts.forecast_deficit is None:
        missing.append("årets prognos")
    elif facts.forecast_deficit:
        blocking.append("Innevarande års prognos är inte i balans; det krävs för att delta.")
    for earlier_year, decision in sorted(earlier):
        if decision == "utmarkelse":
            first = earlier_year + rules.winner_earliest_return_years
            label = "utmärkelsen"
        elif decision == "hedersomnamnande":
            first = earlier_year + rules.honourable_mention_earliest_return_years
            label = "ett hedersomnämnande"
        else:
            continue
        if year < first:
            blocking.append(f"Verksamheten fick {label} {earlier_year} och kan delta igen tidigast {first}.")
    if rules.protocol_extract_required:
        deadline = next((d.date for d in framework.deadlines if d.code == "protokollsutdrag"), None)
        if facts.protocol_extract_date is None:
            missing.append("protokollsutdrag")
        elif deadline and facts.protocol_extract_date > deadline:
            blocking.append(
                f"Protokollsutdraget är daterat {facts.protocol_extract_date.isoformat()}, efter sista dag "
                f"{deadline.isoformat()}."
            )
    if rules.basic_control_required and not facts.basic_control_answered:
        missing.append("svar på grundläggande kontroll")
    status = MAY_NOT if blocking else NO_AWARD if no_award else MAY_TAKE_PART
    return Result(status, blocking + no_award, missing)


def earlier_decisions(store: Store, unit_id: int, year: int) -> list[tuple[int, str]]:
    return [
        (r[0], r[1])
        for r in store.fetchall(
            "SELECT c.year, d.decision FROM decisions d JOIN contributions c ON c.id = d.contribution_id"
            " WHERE c.unit_id = ? AND c.year < ?",
            [unit_id, year],
        )
    ]


def _facts_from_json(raw: dict) -> Facts:
    data = dict(raw)
    if data.get("protocol_extract_date"):
        data["protocol_extract_date"] = dt.date.fromisoformat(data["protocol_extract_date"])
    return Facts(**data)


def register(store: Store, user: User, contribution_id: int) -> tuple[Facts, Result]:
    """The contribution's recorded facts and what they mean, recomputed from the rules."""
    access.require(store, user, "eligibility.read", contribution_id=contribution_id)
    row = store.fetchone("SELECT year, unit_id, eligibility FROM contributions WHERE id = ?", [contribution_id])
    facts = _facts_from_json(json.loads(row[2])["facts"]) if row[2] else Facts()
    return facts, evaluate(load_framework(row[0]), facts, earlier_decisions(store, row[1], row[0]))


def record(store: Store, user: User, contribution_id: int, facts: Facts) -> Result:
    access.require(store, user, "eligibility.record")
    row = store.fetchone("SELECT year, unit_id, eligibility FROM contributions WHERE id = ?", [contribution_id])
    result = evaluate(load_framework(row[0]), facts, earlier_decisions(store, row[1], row[0]))
    payload = {"facts": dataclasses.asdict(facts), "result": dataclasses.asdict(result)}
    with store.write(user.email) as uow:
        uow.execute("UPDATE contributions SET eligibility = ?, version = version + 1 WHERE id = ?",
                    [json.dumps(payload, ensure_ascii=False, default=str), contribution_id])
        uow.audit("registrera behörighet", "contributions", contribution_id,
                  json.loads(row[2]) if row[2] else None, payload)
    return result


def statuses(store: Store, user: User, year: int) -> dict[int, str]:
    """Each visible contribution's recorded result, or "ej registrerad"."""
    ids = access.visible_contribution_ids(store, user, year)
    rows = store.fetchall("SELECT id, eligibility FROM contributions WHERE year = ?", [year])
    return {cid: json.loads(raw)["result"]["status"] if raw else "ej registrerad"
            for cid, raw in rows if cid in ids}

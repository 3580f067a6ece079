"""Eligibility and the basic control: may the unit take part, and may it receive the award?

The rules come from the year's framework; earlier decisions come from the store, so a
winner waits and an honourable mention may come back as that year's rules say. Where the
year's instructions are silent (when a 2012 honourable mention may return) the office
decides, with no default. Nothing registered is "ej bedömd", never "får delta".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from scoring.core import access
from scoring.core.auth import User
from scoring.core.errors import Refused
from scoring.core.store import Store, set_setting
from scoring.year.framework import Framework, load_framework

NOT_ASSESSED = "ej bedömd"
INCOMPLETE = "ej klar"
MAY_TAKE_PART = "får delta"
NO_AWARD = "får delta men kan inte få utmärkelsen"
MAY_NOT = "får inte delta"
MAX_TEXT = 5_000


class EligibilityError(Refused):
    """A refused registration or setting; Swedish message."""


@dataclasses.dataclass
class BasicControl:
    """The förvaltning's answers to the basic control (grundläggande kontroll)."""

    answered_on: dt.date | None = None        # when the answers came in, against the deadline
    answers: dict[str, str] = dataclasses.field(default_factory=dict)  # question -> answer
    note: str = ""


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
    # Judged by when it reached the office, as the instructions say when it is to be sent.
    protocol_extract_received: dt.date | None = None
    basic_control: BasicControl = dataclasses.field(default_factory=BasicControl)


@dataclasses.dataclass
class Result:
    status: str               # NOT_ASSESSED, INCOMPLETE, MAY_NOT, NO_AWARD or MAY_TAKE_PART
    reasons: list[str]
    missing: list[str]
    notes: list[str] = dataclasses.field(default_factory=list)  # dates past a deadline: for the office
    preliminary: str = ""     # what the facts known so far say, while something is missing

    @property
    def complete(self) -> bool:
        return self.status in (MAY_TAKE_PART, NO_AWARD, MAY_NOT) and not self.missing


def _late(what: str, day: dt.date | None, deadline: dt.date | None) -> list[str]:
    if day and deadline and day > deadline:
        return [f"{what} kom in {day.isoformat()}, efter sista dag {deadline.isoformat()}. Anvisningarna säger "
                "inte vad en sen inlämning leder till; Kvalitetsenheten bedömer det."]
    return []


def evaluate(framework: Framework, facts: Facts, earlier: list[tuple[int, str]], *, recorded: bool = True,
             honourable_mention_return: int | None = None) -> Result:
    """``earlier`` lists (year, decision) for the same unit in earlier award years;
    ``honourable_mention_return`` is the office's setting where the year says nothing."""
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
    mention_years = rules.honourable_mention_earliest_return_years or honourable_mention_return
    for earlier_year, decision in sorted(earlier):
        if decision == "utmarkelse":
            first = earlier_year + rules.winner_earliest_return_years
            label = "utmärkelsen"
        elif decision == "hedersomnamnande":
            if mention_years is None:
                missing.append(f"Kvalitetsenhetens beslut om när en verksamhet med hedersomnämnande får delta igen "
                               f"(verksamheten fick ett {earlier_year}; anvisningarna för {year} säger inget)")
                continue
            first = earlier_year + mention_years
            label = "ett hedersomnämnande"
        else:
            continue
        if year < first:
            blocking.append(f"Verksamheten fick {label} {earlier_year} och kan delta igen tidigast {first}.")
    notes: list[str] = []
    if rules.protocol_extract_required:
        if facts.protocol_extract_received is None:
            missing.append("protokollsutdrag")
        notes += _late("Protokollsutdraget", facts.protocol_extract_received, framework.deadline("protokollsutdrag"))
    if rules.basic_control_required:
        if facts.basic_control.answered_on is None:
            missing.append("svar på grundläggande kontroll")
        notes += _late("Svaren på grundläggande kontroll", facts.basic_control.answered_on,
                       framework.deadline("grundlaggande_kontroll"))
    preliminary = MAY_NOT if blocking else NO_AWARD if no_award else MAY_TAKE_PART
    if not recorded:
        return Result(NOT_ASSESSED, [], missing, [], "")
    status = preliminary if preliminary == MAY_NOT or not missing else INCOMPLETE
    return Result(status, blocking + no_award, missing, notes, preliminary)


def may_receive(framework: Framework, result: Result, outcome: str) -> str | None:
    """Why the basic control does not allow a proposal or decision, or None when it does.

    An award needs a complete control with "får delta"; an honourable mention, which also
    carries prize money, the same unless the year says otherwise, and then only not "får
    inte delta". No proposal and no award need nothing.
    """
    if outcome in ("inget", "ingen"):
        return None
    if result.status == MAY_NOT:
        return "Verksamheten får inte delta enligt den grundläggande kontrollen: " + " ".join(result.reasons)
    same_as_award = outcome == "utmarkelse" or framework.eligibility.honourable_mention_same_control_as_award
    if not same_as_award:
        return None
    what = "utmärkelsen" if outcome == "utmarkelse" else "ett hedersomnämnande"
    if result.status == NOT_ASSESSED:
        return f"Den grundläggande kontrollen är inte gjord; Kvalitetsenheten behöver registrera den innan {what} " \
               "kan föreslås eller beslutas."
    if result.status == INCOMPLETE:
        return (f"Den grundläggande kontrollen är inte klar (saknas: {', '.join(result.missing)}); den behöver vara "
                f"klar innan {what} kan föreslås eller beslutas.")
    if result.status == NO_AWARD:
        return f"Verksamheten kan inte få {what}: " + " ".join(result.reasons)
    return None


def earlier_decisions(store: Store, unit_id: int, year: int) -> list[tuple[int, str]]:
    return [
        (r[0], r[1])
        for r in store.fetchall(
            "SELECT c.year, d.decision FROM decisions d JOIN contributions c ON c.id = d.contribution_id"
            " WHERE c.unit_id = ? AND c.year < ?",
            [unit_id, year],
        )
    ]


def _date(value: object) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None


def _facts_from_json(raw: dict) -> Facts:
    data = dict(raw)
    # Registered before the control recorded its answers: the extract's date was its receipt.
    received = data.pop("protocol_extract_received", None) or data.pop("protocol_extract_date", None)
    data.pop("basic_control_answered", None)
    control = data.pop("basic_control", None) or {}
    known = {f.name for f in dataclasses.fields(Facts)}
    facts = Facts(**{k: v for k, v in data.items() if k in known})
    facts.protocol_extract_received = _date(received)
    facts.basic_control = BasicControl(_date(control.get("answered_on")), dict(control.get("answers") or {}),
                                       control.get("note") or "")
    return facts


# --- the office's settings for the year -------------------------------------------------


def honourable_mention_return(store: Store, year: int) -> int | None:
    """The office's decision for a year whose instructions say nothing; None until made."""
    value = store.setting(f"hedersomnamnande_ater_{year}")
    return int(value) if value else None


def set_honourable_mention_return(store: Store, user: User, year: int, years: int) -> None:
    access.require(store, user, "eligibility.record")
    if load_framework(year).eligibility.honourable_mention_earliest_return_years is not None:
        raise EligibilityError(f"Anvisningarna för {year} säger redan när ett hedersomnämnande får delta igen.")
    if not 1 <= years <= 10:
        raise EligibilityError("Ange ett antal år mellan 1 och 10.")
    with store.write(user.email) as uow:
        set_setting(uow, f"hedersomnamnande_ater_{year}", str(years))


def basic_control_questions(store: Store, year: int) -> list[str]:
    """The questions the förvaltningar answer in the year's basic control. The instructions
    say only that they concern economy and results, among other things: the office writes them."""
    value = store.setting(f"grundlaggande_kontroll_fragor_{year}")
    return json.loads(value) if value else []


def set_basic_control_questions(store: Store, user: User, year: int, questions: list[str]) -> None:
    access.require(store, user, "eligibility.record")
    cleaned = [q.strip() for q in questions if q.strip()]
    if any(len(q) > 1_000 for q in cleaned):
        raise EligibilityError("En fråga får ha högst 1 000 tecken.")
    with store.write(user.email) as uow:
        set_setting(uow, f"grundlaggande_kontroll_fragor_{year}", json.dumps(cleaned, ensure_ascii=False))


# --- the register --------------------------------------------------------------------------


def register(store: Store, user: User, contribution_id: int) -> tuple[Facts, Result]:
    """The contribution's recorded facts and what they mean, recomputed from the rules."""
    access.require(store, user, "eligibility.read", contribution_id=contribution_id)
    return current_result(store, contribution_id)


def current_result(store: Store, contribution_id: int) -> tuple[Facts, Result]:
    """``register`` for callers that have already checked access (a list of candidates):
    recomputed, as the archive and the office's settings may have changed since."""
    def compute() -> tuple[Facts, Result]:
        row = store.fetchone("SELECT year, unit_id, eligibility FROM contributions WHERE id = ?", [contribution_id])
        facts = _facts_from_json(json.loads(row[2])["facts"]) if row[2] else Facts()
        return facts, evaluate(load_framework(row[0]), facts, earlier_decisions(store, row[1], row[0]),
                               recorded=row[2] is not None,
                               honourable_mention_return=honourable_mention_return(store, row[0]))
    return store.cached(("eligibility", contribution_id), compute)


def record(store: Store, user: User, contribution_id: int, facts: Facts) -> Result:
    access.require(store, user, "eligibility.record")
    control = facts.basic_control
    if len(control.note) > MAX_TEXT or any(len(a) > MAX_TEXT for a in control.answers.values()):
        raise EligibilityError(f"Ett svar eller en anteckning får ha högst {MAX_TEXT} tecken.")
    row = store.fetchone("SELECT year, unit_id, eligibility FROM contributions WHERE id = ?", [contribution_id])
    result = evaluate(load_framework(row[0]), facts, earlier_decisions(store, row[1], row[0]),
                      honourable_mention_return=honourable_mention_return(store, row[0]))
    payload = {"facts": dataclasses.asdict(facts), "result": dataclasses.asdict(result)}
    with store.write(user.email) as uow:
        uow.execute("UPDATE contributions SET eligibility = ?, version = version + 1 WHERE id = ?",
                    [json.dumps(payload, ensure_ascii=False, default=str), contribution_id])
        uow.audit("registrera behörighet", "contributions", contribution_id,
                  json.loads(row[2]) if row[2] else None, payload)
    return result


def year_statuses(store: Store, year: int) -> dict[int, str]:
    """Every contribution's result as it stands, in two queries (callers check access): what
    the shortlist shows, recomputed like ``register`` since the archive may have changed."""
    framework = load_framework(year)
    mention = honourable_mention_return(store, year)
    earlier: dict[int, list[tuple[int, str]]] = {}
    for unit_id, earlier_year, decision in store.fetchall(
            "SELECT c.unit_id, c.year, d.decision FROM decisions d JOIN contributions c ON c.id = d.contribution_id"
            " WHERE c.year < ? AND c.unit_id IN (SELECT unit_id FROM contributions WHERE year = ?)", [year, year]):
        earlier.setdefault(unit_id, []).append((earlier_year, decision))
    result = {}
    for cid, unit_id, raw in store.fetchall("SELECT id, unit_id, eligibility FROM contributions WHERE year = ?",
                                            [year]):
        facts = _facts_from_json(json.loads(raw)["facts"]) if raw else Facts()
        result[cid] = evaluate(framework, facts, earlier.get(unit_id, []), recorded=raw is not None,
                               honourable_mention_return=mention).status
    return result


def status_of(raw: str | None) -> str:
    """The recorded result of a stored register, "ej bedömd" when nothing is registered."""
    return json.loads(raw)["result"]["status"] if raw else NOT_ASSESSED


def statuses(store: Store, user: User, year: int) -> dict[int, str]:
    """Each visible contribution's recorded result, or "ej bedömd"."""
    ids = access.visible_contribution_ids(store, user, year)
    rows = store.fetchall("SELECT id, eligibility FROM contributions WHERE year = ?", [year])
    return {cid: status_of(raw) for cid, raw in rows if cid in ids}

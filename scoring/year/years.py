"""Award years in the store: setting one up, its schedule, which year is current, its phase.

A year is made from the framework of the same year (its questionnaire and rules) and the
office's own schedule: the dates of the assessment that the city's instructions leave to
the office. The dates are checked against each other, against the year and against the
framework's deadline for contributions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from scoring.core import access, versions
from scoring.core.auth import User
from scoring.core.errors import Refused
from scoring.core.store import Store, UnitOfWork, set_setting
from scoring.core.text import swedish_date
from scoring.year import phases
from scoring.year.framework import Framework, FrameworkError, load_framework

# The office's milestones, in the order the year runs through them.
SCHEDULE_LABELS = {
    "individuell_bedomning": "Individuella bedömningar inlämnade",
    "konsensus": "Konsensus klar",
    "platsbesok_fran": "Platsbesöken börjar",
    "platsbesok": "Platsbesöken klara",
    "slutlig_konsensus": "Slutlig konsensus och återkopplingsrapporter klara",
    "forslag": "Lagens förslag inlämnade",
    "beredning": "Beredningsgruppens underlag klart",
    "domarkommitte": "Domarkommitténs möte",
    "utdelning": "Utdelningsceremoni",
    "aterbesok": "Återbesöken genomförda",
}
# Milestones that the framework may already date; the schedule's date then replaces it.
FRAMEWORK_DATED = ("utdelning",)


class YearError(Refused):
    """A year or a schedule that cannot be stored; the message names what is wrong."""


@dataclasses.dataclass(frozen=True)
class Milestone:
    date: dt.date
    label: str
    source: str  # "anvisningar" (the framework) or "schema" (the office's schedule)
    key: str = ""


# --- checking a schedule -------------------------------------------------------------


def framework_deadline(framework: Framework, code: str) -> dt.date | None:
    """The date of one of the framework's deadlines (``bidrag``, ``utdelning`` …), if it has it."""
    return next((d.date for d in framework.deadlines if d.code == code), None)


def schedule_problems(framework: Framework, schedule: dict[str, dt.date]) -> list[str]:
    """Everything wrong with a schedule, in Swedish; empty when it can be stored."""
    problems = [f"Okänd milstolpe {key!r}; de som finns är {', '.join(SCHEDULE_LABELS)}."
                for key in schedule if key not in SCHEDULE_LABELS]
    year = framework.year
    dated = [(key, schedule[key]) for key in SCHEDULE_LABELS if schedule.get(key) is not None]
    for key, day in dated:
        if not isinstance(day, dt.date):
            problems.append(f"{SCHEDULE_LABELS[key]}: {day!r} är inget datum.")
        elif day.year != year:
            problems.append(f"{SCHEDULE_LABELS[key]} ({swedish_date(day)}) ligger inte i år {year}.")
    dated = [(k, d) for k, d in dated if isinstance(d, dt.date)]
    for (first, first_day), (later, later_day) in zip(dated, dated[1:], strict=False):
        if later_day < first_day:
            problems.append(f"{SCHEDULE_LABELS[later]} ({swedish_date(later_day)}) ligger före "
                            f"{SCHEDULE_LABELS[first].lower()} ({swedish_date(first_day)}).")
    arrival = framework_deadline(framework, "bidrag")
    start = next(((k, d) for k, d in dated), None)
    if arrival and start and start[1] <= arrival:
        problems.append(f"{SCHEDULE_LABELS[start[0]]} ({swedish_date(start[1])}) måste ligga efter sista dag för "
                        f"bidragen ({swedish_date(arrival)}).")
    return problems


def parse_schedule(raw: dict) -> dict[str, dt.date]:
    """A schedule from a file or a form: keys to dates written YYYY-MM-DD."""
    parsed: dict[str, dt.date] = {}
    problems = []
    for key, value in (raw or {}).items():
        if value in (None, ""):
            continue
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            parsed[str(key)] = value
            continue
        try:
            parsed[str(key)] = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            label = SCHEDULE_LABELS.get(str(key), str(key))
            problems.append(f"{label}: {value!r} är inget datum (skriv ÅÅÅÅ-MM-DD).")
    if problems:
        raise YearError(" ".join(problems))
    return parsed


def _stored(schedule: dict[str, dt.date]) -> str:
    return json.dumps({k: schedule[k].isoformat() for k in SCHEDULE_LABELS if schedule.get(k)})


# --- setting up -------------------------------------------------------------------------


def frameworks_for_new_years(store: Store) -> list[int]:
    """Years with a framework and no award year yet: a shipped file or one the office wrote."""
    from scoring.year import framework_store  # it reads award years from here

    return [c.year for c in framework_store.available_frameworks(store) if not c.award_year_exists]


def create_year(uow: UnitOfWork, year: int, schedule: dict[str, dt.date] | None = None) -> None:
    """Store a new award year; its framework must exist and its schedule must hold."""
    try:
        framework = load_framework(year)
    except FrameworkError as exc:
        raise YearError(f"Det finns inga giltiga anvisningar för {year}: {exc}") from None
    if uow.fetchone("SELECT 1 FROM award_years WHERE year = ?", [year]):
        raise YearError(f"Utmärkelseåret {year} finns redan.")
    schedule = dict(schedule or {})
    problems = schedule_problems(framework, schedule)
    if problems:
        raise YearError(" ".join(problems))
    payload = _stored(schedule)
    uow.execute("INSERT INTO award_years (year, schedule) VALUES (?, ?)", [year, payload])
    uow.audit("skapa utmärkelseår", "award_years", year, None, {"schedule": json.loads(payload)})


def set_current_year(uow: UnitOfWork, year: int) -> None:
    if not uow.fetchone("SELECT 1 FROM award_years WHERE year = ?", [year]):
        raise YearError(f"Utmärkelseåret {year} finns inte; lägg upp det först.")
    set_setting(uow, "current_year", str(year))


def create(store: Store, user: User, year: int, schedule: dict[str, dt.date] | None = None, *,
           make_current: bool = True) -> None:
    """The office sets up a year (and usually makes it the one everybody works in)."""
    access.require(store, user, "year.setup")
    with store.write(user.email) as uow:
        create_year(uow, year, schedule)
        if make_current:
            set_current_year(uow, year)


def make_current(store: Store, user: User, year: int) -> None:
    access.require(store, user, "year.setup")
    with store.write(user.email) as uow:
        set_current_year(uow, year)


def update_schedule(store: Store, user: User, year: int, expected_version: int,
                    schedule: dict[str, dt.date]) -> int:
    """Replace a year's schedule with the version read; a stale save is refused with what changed."""
    access.require(store, user, "year.setup")
    framework = load_framework(year)
    problems = schedule_problems(framework, schedule)
    if problems:
        raise YearError(" ".join(problems))
    with store.write(user.email) as uow:
        row = uow.fetchone("SELECT schedule, version FROM award_years WHERE year = ?", [year])
        if row is None:
            raise YearError(f"Utmärkelseåret {year} finns inte.")
        before, current = json.loads(row[0] or "{}"), row[1]
        versions.require_fresh(uow, entity="award_years", entity_id=year, current=current, expected=expected_version,
                               parts=["schema"], message=f"Schemat för {year} har ändrats av någon annan sedan du "
                               "öppnade det. Ladda om och gör ändringen igen.")
        payload = _stored(schedule)
        uow.execute("UPDATE award_years SET schedule = ?, version = ? WHERE year = ?", [payload, current + 1, year])
        uow.audit("ändra schema", "award_years", year,
                  *versions.entry({"before": before, "schedule": json.loads(payload)}, current, current + 1, "schema"))
    return current + 1


# --- reading ----------------------------------------------------------------------------


def current_year(store: Store) -> int | None:
    value = store.setting("current_year")
    if value is not None:
        return int(value)
    row = store.cached(("latest_year",), lambda: store.fetchone("SELECT max(year) FROM award_years"))
    return row[0] if row else None


def current_framework(store: Store) -> Framework | None:
    year = current_year(store)
    return load_framework(year) if year is not None else None


def all_years(store: Store) -> list[dict]:
    """Every award year, newest first, with its phase and how many contributions it has."""
    current = current_year(store)
    rows = store.records(
        "SELECT y.year, y.phase, y.locked, y.version, (SELECT count(*) FROM contributions c WHERE c.year = y.year)"
        " AS contributions FROM award_years y ORDER BY y.year DESC")
    for row in rows:
        row["phase_label"] = phases.YearPhase(row["phase"]).label
        row["current"] = row["year"] == current
    return rows


def phase(store: Store, year: int) -> str:
    row = store.cached(("year_phase", year),
                       lambda: store.fetchone("SELECT phase FROM award_years WHERE year = ?", [year]))
    return row[0] if row else "intag"


def schedule(store: Store, year: int) -> tuple[dict[str, dt.date], int]:
    """The office's schedule and the version it was read at."""
    row = store.cached(("schedule", year),
                       lambda: store.fetchone("SELECT schedule, version FROM award_years WHERE year = ?", [year]))
    if row is None:
        return {}, 0
    return {k: dt.date.fromisoformat(v) for k, v in json.loads(row[0] or "{}").items()}, row[1]


def milestones(store: Store, year: int) -> list[Milestone]:
    """The framework's deadlines and the office's schedule, in date order."""
    framework = load_framework(year)
    dates, _ = schedule(store, year)
    items = [Milestone(d.date, d.label, "anvisningar", d.code) for d in framework.deadlines
             if not (d.code in FRAMEWORK_DATED and d.code in dates)]
    items += [Milestone(day, SCHEDULE_LABELS[key], "schema", key) for key, day in dates.items()]
    return sorted(items, key=lambda m: m.date)


def schedule_date(store: Store, year: int, key: str) -> dt.date | None:
    dates, _ = schedule(store, year)
    if key in dates:
        return dates[key]
    return framework_deadline(load_framework(year), key) if key in FRAMEWORK_DATED else None


def next_milestone(store: Store, year: int, today: dt.date) -> Milestone | None:
    upcoming = [m for m in milestones(store, year) if m.date >= today]
    return upcoming[0] if upcoming else None


def is_locked(store: Store, year: int) -> bool:
    """A year the jury has ended is read-only."""
    row = store.cached(("year_locked", year), lambda: store.fetchone(
        "SELECT locked FROM award_years WHERE year = ?", [year]))
    return bool(row and row[0])

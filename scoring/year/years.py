"""Award years in the store: which year is current, its phase and its schedule."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from scoring.core.errors import Refused
from scoring.core.store import Store, UnitOfWork, set_setting
from scoring.year import phases
from scoring.year.framework import Framework, load_framework

# The office's own milestones for the assessment, beside the framework's deadlines.
SCHEDULE_LABELS = {
    "individuell_bedomning": "Individuella bedömningar inlämnade",
    "konsensus": "Konsensus klar",
    "platsbesok": "Platsbesök genomförda",
    "forslag": "Lagens förslag inlämnade",
    "domarkommitte": "Domarkommitténs möte",
}


@dataclasses.dataclass(frozen=True)
class Milestone:
    date: dt.date
    label: str
    source: str  # "anvisningar" (the framework) or "schema" (the office's schedule)


def create_year(uow: UnitOfWork, year: int, schedule: dict[str, dt.date] | None = None) -> None:
    load_framework(year)  # refuse a year that has no valid framework file
    unknown = set(schedule or {}) - set(SCHEDULE_LABELS)
    if unknown:
        raise Refused(f"Okända milstolpar i schemat: {', '.join(sorted(unknown))}")
    payload = json.dumps({k: v.isoformat() for k, v in (schedule or {}).items()})
    uow.execute("INSERT INTO award_years (year, schedule) VALUES (?, ?)", [year, payload])
    uow.audit("skapa utmärkelseår", "award_years", year, None, {"schedule": payload})


def set_current_year(uow: UnitOfWork, year: int) -> None:
    set_setting(uow, "current_year", str(year))


def set_phase(uow: UnitOfWork, year: int, phase: str) -> None:
    """Move the year on to a later phase, through the year's state machine."""
    phases.transition(uow, phases.YEAR, year, phase, action="byt fas")


def current_year(store: Store) -> int | None:
    value = store.setting("current_year")
    if value is not None:
        return int(value)
    row = store.cached(("latest_year",), lambda: store.fetchone("SELECT max(year) FROM award_years"))
    return row[0] if row else None


def current_framework(store: Store) -> Framework | None:
    year = current_year(store)
    return load_framework(year) if year is not None else None


def phase(store: Store, year: int) -> str:
    row = store.cached(("year_phase", year),
                       lambda: store.fetchone("SELECT phase FROM award_years WHERE year = ?", [year]))
    return row[0] if row else "intag"


def milestones(store: Store, year: int) -> list[Milestone]:
    """The framework's deadlines and the office's schedule, in date order."""
    framework = load_framework(year)
    items = [Milestone(d.date, d.label, "anvisningar") for d in framework.deadlines]
    row = store.fetchone("SELECT schedule FROM award_years WHERE year = ?", [year])
    schedule = json.loads(row[0]) if row and row[0] else {}
    for key, value in schedule.items():
        items.append(Milestone(dt.date.fromisoformat(value), SCHEDULE_LABELS[key], "schema"))
    return sorted(items, key=lambda m: m.date)


def schedule_date(store: Store, year: int, key: str) -> dt.date | None:
    row = store.fetchone("SELECT schedule FROM award_years WHERE year = ?", [year])
    schedule = json.loads(row[0]) if row and row[0] else {}
    return dt.date.fromisoformat(schedule[key]) if key in schedule else None


def next_milestone(store: Store, year: int, today: dt.date) -> Milestone | None:
    upcoming = [m for m in milestones(store, year) if m.date >= today]
    return upcoming[0] if upcoming else None


def is_locked(store: Store, year: int) -> bool:
    """A year the jury has ended is read-only."""
    row = store.cached(("year_locked", year), lambda: store.fetchone(
        "SELECT locked FROM award_years WHERE year = ?", [year]))
    return bool(row and row[0])

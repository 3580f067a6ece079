"""Starting the next year from an ended one.

The new year gets its own framework and schedule; it carries over the office's settings
for the year (scores in the reports, pseudonyms, prize sums …) and the examiner registry,
where everyone who was in a team gets one more year of experience and is no longer new.
The office's templates are not per year and simply stay. The ended year stays read-only in
the archive, where the new year's basic control and the returning units' earlier feedback
read it.
"""

from __future__ import annotations

import datetime as dt

from scoring.core import access
from scoring.core.auth import User
from scoring.core.store import Store, set_setting
from scoring.year import years


def start_next_year(store: Store, user: User, from_year: int, new_year: int,
                    schedule: dict[str, dt.date] | None = None) -> dict:
    """Create ``new_year`` from ``from_year`` and make it current; returns what was carried over."""
    access.require(store, user, "year.setup")
    if not years.is_locked(store, from_year):
        raise years.YearError(f"Året {from_year} är inte avslutat; domarkommittén avslutar det först.")
    if new_year <= from_year:
        raise years.YearError(f"Nästa år måste komma efter {from_year}.")
    with store.write(user.email) as uow:
        years.create_year(uow, new_year, schedule)
        suffix = f"_{from_year}"
        carried = {}
        for key, value in uow.fetchall("SELECT key, value FROM settings WHERE key LIKE ? ORDER BY key",
                                       [f"%{suffix}"]):
            if key.startswith("experience_counted"):
                continue
            new_key = key[: -len(suffix)] + f"_{new_year}"
            set_setting(uow, new_key, value)
            carried[new_key] = value
        counted = uow.fetchone("SELECT value FROM settings WHERE key = ?", [f"experience_counted_{from_year}"])
        served = [r[0] for r in uow.fetchall(
            "SELECT DISTINCT m.user_id FROM team_members m JOIN teams t ON t.id = m.team_id WHERE t.year = ?",
            [from_year])]
        if not counted:  # once per ended year, however many years are started from it
            for user_id in served:
                before = uow.fetchone("SELECT years_as_examiner, is_new FROM examiners WHERE user_id = ?", [user_id])
                if before is None:
                    continue
                uow.execute("UPDATE examiners SET years_as_examiner = years_as_examiner + 1, is_new = FALSE"
                            " WHERE user_id = ?", [user_id])
                uow.audit("ett år till som examinator", "examiners", user_id,
                          {"years": before[0], "new": before[1]}, {"years": before[0] + 1, "new": False,
                                                                   "year": from_year})
            set_setting(uow, f"experience_counted_{from_year}", "1")
        years.set_current_year(uow, new_year)
        uow.audit("starta nästa år", "award_years", new_year, {"from": from_year},
                  {"settings": carried, "examiners": len(served)})
    return {"settings": carried, "examiners": 0 if counted else len(served)}

"""Starting the next year from an ended one.

The new year gets its own framework and schedule: a shipped file or the office's own
instructions for it, or, when there are none yet, a copy of the ended year's that the
office edits on Skriv anvisningar before the first contribution arrives (framework_store); it carries over the office's settings
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
from scoring.year import framework_store, years


def next_year_choices(store: Store, from_year: int) -> dict[int, str]:
    """The years that may follow ``from_year``, with how each gets its instructions: those
    that have instructions and no award year yet, and the year after, copied if it has none."""
    used = {r[0] for r in store.fetchall("SELECT year FROM award_years")}
    choices = {c.year: c.label for c in framework_store.available_frameworks(store)
               if c.year > from_year and not c.award_year_exists}
    if from_year + 1 not in used and not framework_store.has_framework(store, from_year + 1):
        choices[from_year + 1] = f"{from_year + 1}: en kopia av {from_year} års anvisningar, att ändra under " \
                                 "Skriv anvisningar"
    return dict(sorted(choices.items()))


def start_next_year(store: Store, user: User, from_year: int, new_year: int,
                    schedule: dict[str, dt.date] | None = None) -> dict:
    """Create ``new_year`` from ``from_year`` and make it current; returns what was carried over
    (``framework_copied``: the new year had no instructions and got a copy of ``from_year``'s)."""
    access.require(store, user, "year.setup")
    if not years.is_locked(store, from_year):
        raise years.YearError(f"Året {from_year} är inte avslutat; domarkommittén avslutar det först.")
    if new_year <= from_year:
        raise years.YearError(f"Nästa år måste komma efter {from_year}.")
    if store.fetchone("SELECT 1 FROM award_years WHERE year = ?", [new_year]):
        raise years.YearError(f"Utmärkelseåret {new_year} finns redan.")
    framework_copied = not framework_store.has_framework(store, new_year)
    if framework_copied:  # its own transaction: the copy is the office's draft even if the year is not made
        framework_store.copy_framework(store, user, from_year, new_year)
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
    return {"settings": carried, "examiners": 0 if counted else len(served), "framework_copied": framework_copied}

"""Names for a viewer who may not see them: while a year's pseudonym setting is on, the
preparatory group and the jury read "Kandidat A" for a unit, "Examinatorslag 1" for a team
and "Examinator 1" for an examiner, and the same replacements wherever a team's own text
(a motivation, a finding, a rationale) mentions a name the workbench knows.

Only names the workbench holds can be replaced; a nickname a team writes is not found.
"""

from __future__ import annotations

import dataclasses
import re

from scoring.core.store import Store

UNNAMED_UNIT = "verksamheten"
UNNAMED_ORGANISATION = "förvaltningen"


@dataclasses.dataclass(frozen=True)
class Mask:
    """How names are shown to one viewer: as they are (``hidden`` False) or replaced."""

    hidden: bool = False
    units: dict[int, str] = dataclasses.field(default_factory=dict)        # contribution -> "Kandidat A"
    teams: dict[str, str] = dataclasses.field(default_factory=dict)        # team name -> "Examinatorslag 1"
    examiners: dict[str, str] = dataclasses.field(default_factory=dict)    # examiner name -> "Examinator 1"
    replacements: tuple[tuple[re.Pattern, str], ...] = ()                  # names in free text

    def unit(self, contribution_id: int, name: str) -> str:
        return self.units.get(contribution_id, UNNAMED_UNIT) if self.hidden else name

    def organisation(self, name: str) -> str:
        return "" if self.hidden else name

    def team(self, name: str | None) -> str:
        if not self.hidden or not name:
            return name or ""
        return self.teams.get(name, "Examinatorslag")

    def examiner(self, name: str) -> str:
        return self.examiners.get(name, "Examinator") if self.hidden else name

    def text(self, text: str) -> str:
        if not self.hidden or not text:
            return text
        for pattern, replacement in self.replacements:
            text = pattern.sub(replacement, text)
        return text


SHOWN = Mask()


def year_mask(store: Store, year: int, candidates: dict[int, str]) -> Mask:
    """The replacements for a year: ``candidates`` are the pseudonyms of the proposed
    contributions; a unit not among them is "verksamheten" in any text."""
    units = store.fetchall(
        "SELECT c.id, u.name, u.organisation FROM contributions c JOIN units u ON u.id = c.unit_id"
        " WHERE c.year = ? ORDER BY c.id", [year])
    teams = [r[0] for r in store.fetchall("SELECT name FROM teams WHERE year = ? ORDER BY id", [year])]
    # Everyone in the registry or on a team, this year or another: each has a name to hide.
    examiners = [r[0] for r in store.fetchall(
        "SELECT name FROM users WHERE id IN (SELECT user_id FROM examiners UNION SELECT user_id FROM team_members)"
        " ORDER BY id")]
    team_labels = {name: f"Examinatorslag {n}" for n, name in enumerate(teams, start=1)}
    examiner_labels = {name: f"Examinator {n}" for n, name in enumerate(examiners, start=1)}
    names = {name: candidates.get(cid, UNNAMED_UNIT) for cid, name, _ in units}
    names |= {organisation: UNNAMED_ORGANISATION for _, _, organisation in units if organisation}
    names |= team_labels | examiner_labels
    # Longest first, so "Förskolan Lyktan Norr" is replaced before "Förskolan Lyktan".
    replacements = tuple(
        (re.compile(r"(?<!\w)" + re.escape(name) + r"(?!\w)", re.IGNORECASE), label)
        for name, label in sorted(names.items(), key=lambda item: -len(item[0])) if name.strip())
    return Mask(True, dict(candidates), team_labels, examiner_labels, replacements)

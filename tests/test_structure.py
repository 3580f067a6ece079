"""The shape the year's rules live in, checked in the source: one place for phase changes,
one for access, one for the consensus rules."""

from __future__ import annotations

import re

import pytest
from helpers import ROOT

SOURCES = sorted(p for folder in ("scoring", "app_pages", "workbench_tools") for p in (ROOT / folder).rglob("*.py"))
SOURCES.append(ROOT / "app.py")
MACHINE_TABLES = r"(contributions|assessments|award_years|intake_files|change_requests)"
ROLE_NAMES = r"(admin|examinator|lagsamordnare|beredningsgrupp|domarkommitte)"


def _hits(pattern: str, allowed: set[str]) -> list[str]:
    found = []
    for path in SOURCES:
        name = path.relative_to(ROOT).as_posix()
        if name in allowed:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(pattern, line):
                found.append(f"{name}:{number}: {line.strip()}")
    return found


def test_no_phase_or_status_is_written_outside_the_state_machine():
    assert _hits(rf"UPDATE {MACHINE_TABLES}\s+SET\s+(phase|status|locked)\b", {"scoring/year/phases.py"}) == []


def test_no_role_is_compared_outside_the_access_policy():
    compared = rf"\.role\s*(==|!=|in\b|not in\b)|(==|!=)\s*\"{ROLE_NAMES}\"|\"{ROLE_NAMES}\"\s*(==|!=)"
    assert _hits(compared, {"scoring/core/access.py"}) == []
    # Nor a private copy of the admin check.
    assert _hits(r"def _require_admin|def _require\(user", set()) == []


@pytest.mark.parametrize("wording", ["minst en {", "Nyckeltemana ska vara", "konsensuspoäng saknas",
                                     "Datum för platsbesöket saknas"])
def test_each_consensus_rule_is_worded_once(wording):
    assert [h.split(":")[0] for h in _hits(re.escape(wording), set())] == ["scoring/consensus/rules.py"]

"""The city's förvaltningar and bolag (data/organisations.yaml): the one list every form
and import chooses from, so that a misspelt name cannot defeat the conflict rules."""

from __future__ import annotations

from functools import lru_cache

import yaml
from rapidfuzz import fuzz, process

from scoring.core.config import PROJECT_DIR


@lru_cache(maxsize=1)
def organisations() -> tuple[str, ...]:
    data = yaml.safe_load((PROJECT_DIR / "data" / "organisations.yaml").read_text(encoding="utf-8"))
    return tuple(data["forvaltningar"] + data["bolag"])


def match_organisation(name: str) -> tuple[str | None, str | None]:
    """The known organisation a name means, or (None, a suggestion)."""
    cleaned = " ".join((name or "").split())
    for known in organisations():
        if known.lower() == cleaned.lower():
            return known, None
    hit = process.extractOne(cleaned, organisations(), scorer=fuzz.WRatio, score_cutoff=80) if cleaned else None
    return None, hit[0] if hit else None


def unknown_organisation(name: str) -> str:
    """The Swedish answer to a name that is not on the city's list, with a suggestion."""
    _, suggestion = match_organisation(name)
    hint = f" Menade du {suggestion}?" if suggestion else ""
    shown = " ".join((name or "").split())
    return (f"okänd förvaltning eller bolag {shown!r}.{hint}" if shown
            else "förvaltning eller bolag saknas.")

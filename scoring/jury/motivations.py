"""The preparatory group's draft of the jury's motivation, per candidate.

"Beredningsgruppen har till uppgift att sammanställa och bereda de bidrag som går till
domarkommittén." (2026) The workbench offers a first draft built from the team's key
strengths; the preparatory group edits it, and the dossier prints their text. Each save
carries the version it read, so two people editing the same draft never overwrite each
other silently.
"""

from __future__ import annotations

from scoring.core import access, versions
from scoring.core.auth import User
from scoring.core.errors import Refused
from scoring.core.store import Store, utcnow

MAX_CHARS = 5_000


class MotivationError(Refused):
    """A refused draft; Swedish message."""


def generated(proposal: str | None, year: int, strengths: list[str]) -> str:
    """A first draft in the manner of the city's published motivations: 3–4 key strengths.
    No name: the preparatory group may be reading pseudonyms."""
    themes = [s.strip().rstrip(".") for s in strengths[:4] if s.strip()]
    if not themes:
        return ""
    body = "; ".join(t[0].lower() + t[1:] if t[:2] != t[:2].upper() else t for t in themes)
    prize = "ett hedersomnämnande" if proposal == "hedersomnamnande" else "Stockholms stads kvalitetsutmärkelse"
    return (f"Verksamheten tilldelas {prize} {year}. Verksamheten visar ett systematiskt kvalitetsarbete där "
            f"juryn särskilt vill lyfta fram: {body}.")


def draft(store: Store, user: User, contribution_id: int) -> tuple[str, int]:
    """(the draft, its version): the saved text, or the generated one at version 0."""
    access.require(store, user, "dossier.read", contribution_id=contribution_id)
    access.require_contribution(store, user, contribution_id)

    def compute() -> tuple[str, int]:
        row = store.fetchone("SELECT text, version FROM draft_motivations WHERE contribution_id = ?",
                             [contribution_id])
        if row:
            return row[0], row[1]
        year, proposal = store.fetchone("SELECT c.year, p.proposal FROM contributions c LEFT JOIN proposals p"
                                        " ON p.contribution_id = c.id WHERE c.id = ?", [contribution_id])
        strengths = [r[0] for r in store.fetchall(
            "SELECT text FROM consensus_findings WHERE contribution_id = ? AND area_code IS NULL"
            " AND kind = 'styrka' ORDER BY id", [contribution_id])]  # the key themes
        return generated(proposal, year, strengths), 0
    return store.cached(("draft_motivation", contribution_id), compute)


def save_draft(store: Store, user: User, contribution_id: int, text: str, expected_version: int) -> int:
    """Store the preparatory group's draft; returns the new version."""
    access.require(store, user, "dossier.prepare")
    access.require_contribution(store, user, contribution_id)
    text = (text or "").strip()
    if not text:
        raise MotivationError("Utkastet är tomt.")
    if len(text) > MAX_CHARS:
        raise MotivationError(f"Utkastet har {len(text)} tecken; högst {MAX_CHARS} går att spara.")
    with store.write(user.email) as uow:
        row = uow.fetchone("SELECT text, version FROM draft_motivations WHERE contribution_id = ?", [contribution_id])
        current = row[1] if row else 0
        versions.require_fresh(uow, entity="draft_motivations", entity_id=contribution_id, current=current,
                               expected=expected_version, parts=[versions.WHOLE],
                               message="Någon annan har sparat utkastet sedan du öppnade det (version {current}). "
                                       "Ladda om och gör ändringen igen.")
        uow.execute("INSERT INTO draft_motivations (contribution_id, text, version, updated_by, updated_at)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (contribution_id) DO UPDATE SET text = excluded.text,"
                    " version = excluded.version, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                    [contribution_id, text, current + 1, user.email, utcnow()])
        uow.audit("utkast till motivering", "draft_motivations", contribution_id,
                  *versions.entry({"before": row[0] if row else None, "text": text}, current, current + 1))
    return current + 1

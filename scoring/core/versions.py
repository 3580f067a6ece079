"""One versioned save: write with the version you read; a stale one is refused with what
changed meanwhile, but only when it touches the same part.

A versioned record (an assessment, a consensus, an intake file) counts its saves. Each
save names the part it changes (an area, the site visit, ``WHOLE`` for a step that
depends on everything) and its audit entry records the new version and the part. A save
from an older version goes through when no save since touched its part, so two
coordinators agreeing different areas of one consensus do not stop each other.
"""

from __future__ import annotations

from collections.abc import Iterable

from scoring.core.errors import StaleWrite
from scoring.core.store import UnitOfWork

WHOLE = "*"


def entry(detail: object, old_version: int, new_version: int, part: str = WHOLE) -> tuple[dict, dict]:
    """The before and after of a versioned save, for its audit entry.

    A change describes itself as a dict; its "before" goes to the before side.
    """
    detail = dict(detail) if isinstance(detail, dict) else {"detail": detail}
    before = {"version": old_version}
    if "before" in detail:
        before["value"] = detail.pop("before")
    return before, {"version": new_version, "part": part, **detail}


def saved_since(uow: UnitOfWork, entity: str, entity_id: object, version: int) -> list[tuple[str, str | None]]:
    """('HH:MM:SS who: action', part) for each save of the record after ``version``."""
    rows = uow.fetchall(
        "SELECT at_time, actor, action, json_extract_string(after_value, '$.part') FROM audit_log"
        " WHERE entity = ? AND entity_id = ? AND CAST(json_extract(after_value, '$.version') AS INTEGER) > ?"
        " ORDER BY at_time, id",
        [entity, str(entity_id), version])
    return [(f"{at:%H:%M:%S} {actor}: {action}", part) for at, actor, action, part in rows]


def require_fresh(uow: UnitOfWork, *, entity: str, entity_id: object, current: int, expected: int,
                  parts: Iterable[str], message: str) -> None:
    """Refuse with ``StaleWrite`` when a save since ``expected`` touched one of ``parts``.

    ``message`` may use {current} and {expected}. A part of ``WHOLE`` on either side, or
    a save that named no part, conflicts with everything; so does a version that moved
    without an audited save (nothing tells what changed).
    """
    if current == expected:
        return
    since = saved_since(uow, entity, entity_id, expected)
    wanted = set(parts)
    clash = expected > current or not since or any(
        part is None or part == WHOLE or WHOLE in wanted or part in wanted for _, part in since)
    if clash:
        raise StaleWrite(message.format(current=current, expected=expected), current, [c for c, _ in since])

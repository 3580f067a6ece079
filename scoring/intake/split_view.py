"""The split of a file under review as the office reads it beside the questionnaire.

Passages are numbered in document order (¶1, ¶2, …) so that the file's text and the
questionnaire can name the same passage; runs of passages under one place are shown
together; and a passage is moved by choosing a place for it, which becomes a change for
``review.correct``. No Streamlit here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from scoring.intake.document import OTHER_APPENDIX, Place
from scoring.intake.docx_reader import Block
from scoring.year.framework import Framework

SECTION_LABELS = {"inledning": "Inledning", "presentation": "Presentationstext", "ovrigt": "Hör inte till någon fråga"}

PlaceKey = tuple  # ("fraga", question, part) · ("inledning",) · ("bilaga", code) · …


@dataclasses.dataclass(frozen=True)
class Target:
    """A place a passage can be moved to: its label on the screen and the change it makes."""

    key: str
    label: str
    change: dict


def place_key(place: Place) -> PlaceKey:
    if place.section == "fraga":
        return ("fraga", place.question, place.part)
    if place.section == "bilaga":
        return ("bilaga", place.appendix or OTHER_APPENDIX)
    return (place.section,)


def place_label(framework: Framework, key: PlaceKey) -> str:
    """'Fråga 3 a', 'Inledning', 'Bilaga: Verksamhetsplan 2026', 'Hör inte till någon fråga'."""
    if key[0] == "fraga":
        if key[1] is None:
            return "Frågedelen, utan fråga"
        return f"Fråga {key[1]}" + (f" {key[2]}" if key[2] else "")
    if key[0] == "bilaga":
        appendix = framework.appendix(key[1]) if key[1] != OTHER_APPENDIX else None
        return f"Bilaga: {appendix.title}" if appendix else "Bilaga: annan bilaga"
    return SECTION_LABELS.get(key[0], key[0])


def _target_key(key: PlaceKey) -> str:
    return ":".join(str(part) for part in key if part is not None)


def targets(framework: Framework) -> dict[str, Target]:
    """Every place a passage may go, in the questionnaire's order: each question (and each of
    its parts), then the introduction, the presentation text, the appendices and "none"."""
    out: dict[str, Target] = {}

    def add(key: PlaceKey, change: dict, suffix: str = "") -> None:
        out[_target_key(key)] = Target(_target_key(key), place_label(framework, key) + suffix, change)

    for area in framework.areas:
        for question in area.questions:
            whole = " (hela frågan)" if question.parts else ""
            add(("fraga", question.number, None), {"section": "fraga", "question": question.number, "part": None},
                f"{whole} · {area.title}")
            for part in question.parts:
                add(("fraga", question.number, part.label),
                    {"section": "fraga", "question": question.number, "part": part.label}, f" · {area.title}")
    add(("inledning",), {"section": "inledning"})
    add(("presentation",), {"section": "presentation"})
    for appendix in framework.appendices:
        add(("bilaga", appendix.code), {"section": "bilaga", "appendix": appendix.code})
    add(("bilaga", OTHER_APPENDIX), {"section": "bilaga", "appendix": OTHER_APPENDIX})
    add(("ovrigt",), {"section": "ovrigt"})
    return out


def target_of(place: Place) -> str:
    """The target a passage stands at now."""
    return _target_key(place_key(place))


def numbers(blocks: Iterable[Block]) -> dict[str, int]:
    """Each passage's number in document order, from 1."""
    return {block.id: n for n, block in enumerate(blocks, start=1)}


def runs(blocks: list[Block], places: dict[str, Place]) -> list[tuple[PlaceKey, list[Block]]]:
    """The file in document order, cut where the place changes: each run is shown under one label."""
    out: list[tuple[PlaceKey, list[Block]]] = []
    for block in blocks:
        key = place_key(places[block.id])
        if out and out[-1][0] == key:
            out[-1][1].append(block)
        else:
            out.append((key, [block]))
    return out


def passages_by_place(blocks: list[Block], places: dict[str, Place]) -> dict[PlaceKey, list[int]]:
    """The numbers of the passages at each place, in document order."""
    out: dict[PlaceKey, list[int]] = {}
    for n, block in enumerate(blocks, start=1):
        out.setdefault(place_key(places[block.id]), []).append(n)
    return out


def ranges(passages: list[int]) -> str:
    """'¶3–¶7, ¶12': the passages, with consecutive ones as a range."""
    parts, start = [], None
    for i, n in enumerate(passages):
        if start is None:
            start = n
        if i + 1 == len(passages) or passages[i + 1] != n + 1:
            parts.append(f"¶{start}" if start == n else f"¶{start}–¶{n}")
            start = None
    return ", ".join(parts)


def moves(framework: Framework, places: dict[str, Place], block_ids: Iterable[str], target: str) -> dict[str, dict]:
    """The change that moves the passages to the target, for ``review.correct``; passages
    already there are left out (moving a passage where it stands is no change)."""
    chosen = targets(framework).get(target)
    if chosen is None:
        raise KeyError(target)
    return {block_id: dict(chosen.change) for block_id in block_ids if target_of(places[block_id]) != target}

"""Intake in the store: upload, review, correct, accept. Only the admin may do any of it."""

from __future__ import annotations

import dataclasses
import hashlib
import json

from scoring.core import access, versions
from scoring.core.auth import User
from scoring.core.errors import Refused
from scoring.core.store import Store, UnitOfWork
from scoring.intake import picture_settings, pictures
from scoring.intake.document import SECTIONS, Match, Place, Report, evaluate, take_in
from scoring.intake.docx_reader import Block, Facts, Picture, UnreadableFile
from scoring.year import phases
from scoring.year.framework import load_framework


class IntakeError(Refused):
    """A refused upload or correction; the message is Swedish and names the file."""


@dataclasses.dataclass
class Review:
    id: int
    year: int
    filename: str
    status: str
    version: int
    blocks: list[Block]
    places: dict[str, Place]
    matches: dict[int, Match]
    report: Report
    contribution_id: int | None
    facts: Facts = dataclasses.field(default_factory=Facts)
    pictures: list[Picture] = dataclasses.field(default_factory=list)


def _dump(blocks, places, matches, facts: Facts | None = None, pictures: list[Picture] = ()) -> str:
    return json.dumps({
        "blocks": [dataclasses.asdict(b) for b in blocks],
        "places": {k: dataclasses.asdict(v) for k, v in places.items()},
        "matches": {str(k): dataclasses.asdict(v) for k, v in matches.items()},
        "facts": dataclasses.asdict(facts or Facts()),
        "pictures": [dataclasses.asdict(p) for p in pictures],
    }, ensure_ascii=False)


def _load(raw: str) -> tuple[list[Block], dict[str, Place], dict[int, Match]]:
    data = json.loads(raw)
    return (
        [Block(**b) for b in data["blocks"]],
        # Analyses stored before the field was renamed call it "role".
        {k: Place(**{("text_kind" if f == "role" else f): x for f, x in v.items()}) for k, v in data["places"].items()},
        {int(k): Match(**v) for k, v in data["matches"].items()},
    )


def _load_file_facts(raw: str) -> tuple[Facts, list[Picture]]:
    """The file's facts and pictures; analyses stored before they were read have neither."""
    data = json.loads(raw)
    return Facts(**data.get("facts", {})), [Picture(**p) for p in data.get("pictures", [])]


def _summary(report: Report) -> str:
    """What the intake list shows, kept beside the analysis so the list never re-reads it."""
    return json.dumps({
        "unit_name": report.intro_fields.get("unit_name"),
        "chars": report.chars_counted,
        "limit": report.limit,
        "over_limit": report.over_limit,
        "errors": sum(f.level == "fel" for f in report.findings),
        "warnings": sum(f.level == "varning" for f in report.findings),
        "unanswered": [q["number"] for q in report.questions if not q["answered"]],
    }, ensure_ascii=False)


def upload(store: Store, user: User, year: int, filename: str, data: bytes) -> int:
    """Take in one file for review; refuses unreadable files and duplicates, storing nothing."""
    access.require(store, user, "intake.manage")
    framework = load_framework(year)
    digest = hashlib.sha256(data).hexdigest()
    existing = store.fetchone(
        "SELECT filename FROM intake_files WHERE year = ? AND file_sha256 = ? AND status <> 'avvisad'",
        [year, digest],
    )
    if existing:
        raise IntakeError(f"{filename}: samma fil är redan inläst (som {existing[0]}).")
    try:
        result = take_in(data, filename, framework)
    except UnreadableFile as exc:
        raise IntakeError(str(exc)) from None
    with store.write(user.email) as uow:
        intake_id = uow.fetchone(
            "INSERT INTO intake_files (year, filename, file_sha256, data, analysis, summary, uploaded_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [year, filename, digest, data, _dump(result.blocks, result.places, result.matches, result.facts,
                                                 result.pictures),
             _summary(result.report), user.email],
        )[0]
        uow.audit("läs in bidragsfil", "intake_files", intake_id, None,
                  {"filename": filename, "sha256": digest, "chars": result.report.chars_counted})
    return intake_id


def intake_list(store: Store, user: User, year: int) -> list[dict]:
    access.require(store, user, "intake.manage")
    rows = store.records(
        "SELECT i.id, i.filename, i.status, i.uploaded_at, i.contribution_id, i.summary, u.name AS unit,"
        " c.eligibility FROM intake_files i LEFT JOIN contributions c ON c.id = i.contribution_id"
        " LEFT JOIN units u ON u.id = c.unit_id WHERE i.year = ? ORDER BY i.id",
        [year],
    )
    for row in rows:
        row.update(json.loads(row.pop("summary")))
        eligibility = json.loads(row.pop("eligibility")) if row["eligibility"] else None
        row["eligibility"] = eligibility["result"]["status"] if eligibility else None
    return rows


def review(store: Store, user: User, intake_id: int) -> Review:
    access.require(store, user, "intake.manage")
    row = store.records(
        "SELECT id, year, filename, status, version, analysis, contribution_id FROM intake_files WHERE id = ?",
        [intake_id],
    )
    if not row:
        raise IntakeError(f"Ingen inläst fil med nummer {intake_id}.")
    row = row[0]
    blocks, places, matches = _load(row["analysis"])
    facts, pictures = _load_file_facts(row["analysis"])
    report = evaluate(load_framework(row["year"]), blocks, places, matches, facts, pictures,
                      picture_settings.passage_chars(store))
    return Review(row["id"], row["year"], row["filename"], row["status"], row["version"],
                  blocks, places, matches, report, row["contribution_id"], facts, pictures)


def correct(store: Store, user: User, intake_id: int, version: int, changes: dict[str, dict]) -> None:
    """Move blocks to another section, question or part. ``changes`` maps block id to
    any of ``section``, ``question``, ``part``. A stale version is refused."""
    current = review(store, user, intake_id)
    if current.status != "granskas":
        raise IntakeError(f"{current.filename} är redan {phases.IntakeStatus(current.status).label.lower()}.")
    framework = load_framework(current.year)
    numbers = {q.number for q in framework.questions()}
    before = {}
    for block_id, change in changes.items():
        place = current.places.get(block_id)
        if place is None:
            raise IntakeError(f"Stycket {block_id} finns inte i {current.filename}.")
        before[block_id] = dataclasses.asdict(place)
        section = change.get("section", place.section)
        if section not in SECTIONS:
            raise IntakeError(f"Okänd del {section!r} för stycket {block_id}.")
        question = change.get("question", place.question)
        if section == "fraga":
            if question not in numbers:
                raise IntakeError(f"Stycket {block_id}: ange en fråga mellan 1 och {max(numbers)}.")
            part = change.get("part", place.part if question == place.question else None)
            labels = {p.label for p in framework.question(question).parts}
            if part is not None and part not in labels:
                raise IntakeError(f"Stycket {block_id}: fråga {question} har ingen delfråga {part!r}.")
            current.places[block_id] = Place("fraga", "svar" if place.text_kind in ("ovrigt", "falt") else place.text_kind,
                                             framework.area_of_question(question).code, question, part)
            current.matches[question] = Match(question, 1.0, "rättad för hand")
        else:
            current.places[block_id] = Place(section, "svar" if section != "ovrigt" else "ovrigt")
    report = evaluate(framework, current.blocks, current.places, current.matches, current.facts, current.pictures,
                      picture_settings.passage_chars(store))
    with store.write(user.email) as uow:
        stored = uow.fetchone("SELECT version FROM intake_files WHERE id = ?", [intake_id])[0]
        # The whole split is written from what this window read, so any save since is a clash.
        versions.require_fresh(uow, entity="intake_files", entity_id=intake_id, current=stored, expected=version,
                               parts=[versions.WHOLE], message=f"{current.filename} har ändrats av någon annan "
                               "sedan du öppnade den. Ladda om sidan och gör rättelsen igen.")
        uow.execute("UPDATE intake_files SET analysis = ?, summary = ?, version = ? WHERE id = ?",
                    [_dump(current.blocks, current.places, current.matches, current.facts, current.pictures),
                     _summary(report), stored + 1,
                     intake_id])
        uow.audit("rätta uppdelning", "intake_files", intake_id, *versions.entry(
            {"before": before, "places": {k: dataclasses.asdict(current.places[k]) for k in changes}},
            stored, stored + 1))


def accept(store: Store, user: User, intake_id: int, version: int, *, unit_name: str,
           organisation: str, class_code: str, unit_id: int | None = None) -> int:
    """Make the reviewed file a contribution of the year; returns its id."""
    current = review(store, user, intake_id)
    framework = load_framework(current.year)
    if current.status != "granskas":
        raise IntakeError(f"{current.filename} är redan hanterad.")
    if not unit_name.strip() or not organisation.strip():
        raise IntakeError("Ange verksamhetens namn och förvaltning eller bolag.")
    if class_code not in {c.code for c in framework.classes}:
        raise IntakeError("Välj en tävlingsklass.")
    report = current.report
    checks = {
        "chars_counted": report.chars_counted, "limit": report.limit, "over_limit": report.over_limit,
        "chars_by_area": report.chars_by_area, "questions": report.questions,
        "findings": [dataclasses.asdict(f) for f in report.findings],
        "presentation_chars": report.presentation_chars, "images": report.images,
        "pictures": report.pictures, "unaccepted_changes": current.facts.unaccepted_changes,
    }
    with store.write(user.email) as uow:
        stored = uow.fetchone("SELECT version FROM intake_files WHERE id = ?", [intake_id])[0]
        versions.require_fresh(uow, entity="intake_files", entity_id=intake_id, current=stored, expected=version,
                               parts=[versions.WHOLE],
                               message=f"{current.filename} har ändrats sedan du öppnade den. Ladda om sidan.")
        if unit_id is None:
            unit_id = uow.fetchone(
                "INSERT INTO units (name, organisation, workplace) VALUES (?, ?, ?) RETURNING id",
                [unit_name.strip(), organisation.strip(), unit_name.strip()],
            )[0]
        data = uow.fetchone("SELECT data, file_sha256 FROM intake_files WHERE id = ?", [intake_id])
        contribution_id = uow.fetchone(
            "INSERT INTO contributions (year, unit_id, class_code, filename, file_sha256, original_file,"
            " intro, checks) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [current.year, unit_id, class_code, current.filename, data[1], data[0],
             json.dumps(report.intro_fields, ensure_ascii=False), json.dumps(checks, ensure_ascii=False)],
        )[0]
        _store_blocks(uow, contribution_id, current.blocks, current.places, report.pictures)
        phases.transition(uow, phases.INTAKE, intake_id, phases.IntakeStatus.GODKAND,
                          also={"contribution_id": contribution_id}, action="godkänd fil")
        uow.audit("godkänn bidrag", "contributions", contribution_id, None,
                  {"intake_id": intake_id, "unit_id": unit_id, "class_code": class_code})
    return contribution_id


def _store_blocks(uow: UnitOfWork, contribution_id: int, blocks: list[Block], places: dict[str, Place],
                  pictures: list[dict]) -> None:
    rows = []
    pictures_of: dict[str, list[dict]] = {}
    for picture in pictures:  # what the reading pane needs to show each picture in place
        pictures_of.setdefault(picture["block_id"], []).append(
            {k: picture[k] for k in ("id", "number", "part", "status", "chars", "passage")})
    for block in blocks:
        place = places[block.id]
        section = {"presentation": "inledning"}.get(place.section, place.section)
        intro_section = "presentation" if place.section == "presentation" else place.intro_section
        kind = "rubrik" if place.text_kind == "rubrik" else block.kind
        text = json.dumps(block.rows, ensure_ascii=False) if block.kind == "tabell" else block.text
        rows.append([contribution_id, block.id, block.ordinal, section, intro_section, place.question,
                     place.part, kind, text, place.text_kind, block.images,
                     json.dumps(block.notes, ensure_ascii=False) if block.notes else None,
                     json.dumps(pictures_of[block.id], ensure_ascii=False) if block.id in pictures_of else None,
                     block.frame])
    uow.cursor.executemany(
        "INSERT INTO contribution_blocks (contribution_id, block_id, ordinal, section, intro_section,"
        " question_number, part_label, kind, text, role, images, notes, pictures, frame)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def reject(store: Store, user: User, intake_id: int, reason: str) -> None:
    access.require(store, user, "intake.manage")
    if not reason.strip():
        raise IntakeError("Ange varför filen avvisas.")
    with store.write(user.email) as uow:
        phases.transition(uow, phases.INTAKE, intake_id, phases.IntakeStatus.AVVISAD, action="avvisa bidragsfil",
                          detail={"reason": reason})


def original_file(store: Store, user: User, contribution_id: int) -> tuple[str, bytes]:
    """The file as the unit sent it, for those who may read the contribution."""
    access.require_readable(store, user, contribution_id)
    row = store.fetchone("SELECT filename, original_file FROM contributions WHERE id = ?", [contribution_id])
    if row is None or row[1] is None:
        raise IntakeError("Originalfilen finns inte sparad för det här bidraget.")
    return row[0], bytes(row[1])


def picture_files(store: Store, user: User, intake_id: int, parts: set[str]) -> dict[str, bytes]:
    """Pictures of a file under review by their member in it (the parts its review lists)."""
    access.require(store, user, "intake.manage")
    row = store.fetchone("SELECT data FROM intake_files WHERE id = ?", [intake_id]) if parts else None
    return pictures.picture_files(bytes(row[0]), parts) if row else {}

"""Intake in the store: upload, review, correct, accept. Only the admin may do any of it."""

from __future__ import annotations

import dataclasses
import hashlib
import json

from scoring.core import access, versions
from scoring.core.auth import User
from scoring.core.errors import Refused
from scoring.core.store import Store, UnitOfWork, utcnow
from scoring.intake.document import (
    OTHER_APPENDIX,
    SECTIONS,
    Match,
    Place,
    Report,
    evaluate,
    max_unpacked_bytes,
    max_upload_bytes,
    take_in,
)
from scoring.intake.docx_reader import Block, UnreadableFile, check_container, read_blocks
from scoring.year import phases
from scoring.year.framework import Framework, load_framework

ATTACHMENT_KINDS = {"bilaga": "Bilaga", "pdf_kopia": "PDF-kopia"}


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


def _dump(blocks, places, matches) -> str:
    return json.dumps({
        "blocks": [dataclasses.asdict(b) for b in blocks],
        "places": {k: dataclasses.asdict(v) for k, v in places.items()},
        "matches": {str(k): dataclasses.asdict(v) for k, v in matches.items()},
    }, ensure_ascii=False)


def _load(raw: str) -> tuple[list[Block], dict[str, Place], dict[int, Match]]:
    data = json.loads(raw)
    return (
        [Block(**b) for b in data["blocks"]],
        # Analyses stored before the field was renamed call it "role".
        {k: Place(**{("text_kind" if f == "role" else f): x for f, x in v.items()}) for k, v in data["places"].items()},
        {int(k): Match(**v) for k, v in data["matches"].items()},
    )


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
            [year, filename, digest, data, _dump(result.blocks, result.places, result.matches),
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
    framework = load_framework(row["year"])
    blocks, places, matches = _load(row["analysis"])
    if framework.appendices:
        # Analyses stored before appendices were told apart name none: the year's first.
        for place in places.values():
            if place.section == "bilaga" and place.appendix is None:
                place.appendix = framework.appendices[0].code
    report = _evaluate(store, framework, intake_id, blocks, places, matches)
    return Review(row["id"], row["year"], row["filename"], row["status"], row["version"],
                  blocks, places, matches, report, row["contribution_id"])


def _evaluate(store: Store, framework: Framework, intake_id: int, blocks, places, matches) -> Report:
    """The checks, knowing the appendices and the PDF copy that came as files of their own."""
    kinds = store.fetchall("SELECT kind, appendix_code FROM attachments WHERE intake_id = ?", [intake_id])
    return evaluate(framework, blocks, places, matches,
                    separate_appendices={code for kind, code in kinds if kind == "bilaga"},
                    pdf_copy=any(kind == "pdf_kopia" for kind, _ in kinds))


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
        appendix = None
        if section == "bilaga":
            codes = [a.code for a in framework.appendices]
            appendix = change.get("appendix", place.appendix if place.section == "bilaga" else None) or (
                codes[0] if codes else OTHER_APPENDIX)
            if appendix not in [*codes, OTHER_APPENDIX]:
                raise IntakeError(f"Stycket {block_id}: året har ingen bilaga {appendix!r}.")
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
            current.places[block_id] = Place(section, "svar" if section != "ovrigt" else "ovrigt", appendix=appendix)
    report = _evaluate(store, framework, intake_id, current.blocks, current.places, current.matches)
    with store.write(user.email) as uow:
        stored = uow.fetchone("SELECT version FROM intake_files WHERE id = ?", [intake_id])[0]
        # The whole split is written from what this window read, so any save since is a clash.
        versions.require_fresh(uow, entity="intake_files", entity_id=intake_id, current=stored, expected=version,
                               parts=[versions.WHOLE], message=f"{current.filename} har ändrats av någon annan "
                               "sedan du öppnade den. Ladda om sidan och gör rättelsen igen.")
        uow.execute("UPDATE intake_files SET analysis = ?, summary = ?, version = ? WHERE id = ?",
                    [_dump(current.blocks, current.places, current.matches), _summary(report), stored + 1,
                     intake_id])
        uow.audit("rätta uppdelning", "intake_files", intake_id, *versions.entry(
            {"before": before, "places": {k: dataclasses.asdict(current.places[k]) for k in changes}},
            stored, stored + 1))


def accept(store: Store, user: User, intake_id: int, version: int, *, unit_name: str,
           organisation: str, class_code: str | None = None, unit_id: int | None = None) -> int:
    """Make the reviewed file a contribution of the year; returns its id. A year with
    competition classes needs one; a year without has none."""
    current = review(store, user, intake_id)
    framework = load_framework(current.year)
    if current.status != "granskas":
        raise IntakeError(f"{current.filename} är redan hanterad.")
    if not unit_name.strip() or not organisation.strip():
        raise IntakeError("Ange verksamhetens namn och förvaltning eller bolag.")
    class_code = class_code or None
    if framework.has_classes and class_code not in {c.code for c in framework.classes}:
        raise IntakeError("Välj en tävlingsklass.")
    if not framework.has_classes and class_code is not None:
        raise IntakeError(f"Kvalitetsutmärkelsen {current.year} har inga tävlingsklasser.")
    report = current.report
    checks = {
        "chars_counted": report.chars_counted, "limit": report.limit, "over_limit": report.over_limit,
        "chars_by_area": report.chars_by_area, "questions": report.questions,
        "findings": [dataclasses.asdict(f) for f in report.findings],
        "presentation_chars": report.presentation_chars, "images": report.images,
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
        _store_blocks(uow, contribution_id, current.blocks, current.places)
        uow.execute("UPDATE attachments SET contribution_id = ? WHERE intake_id = ?", [contribution_id, intake_id])
        phases.transition(uow, phases.INTAKE, intake_id, phases.IntakeStatus.GODKAND,
                          also={"contribution_id": contribution_id}, action="godkänd fil")
        uow.audit("godkänn bidrag", "contributions", contribution_id, None,
                  {"intake_id": intake_id, "unit_id": unit_id, "class_code": class_code})
    return contribution_id


def _store_blocks(uow: UnitOfWork, contribution_id: int, blocks: list[Block], places: dict[str, Place]) -> None:
    rows = []
    for block in blocks:
        place = places[block.id]
        section = {"presentation": "inledning"}.get(place.section, place.section)
        intro_section = "presentation" if place.section == "presentation" else place.intro_section
        kind = "rubrik" if place.text_kind == "rubrik" else block.kind
        text = json.dumps(block.rows, ensure_ascii=False) if block.kind == "tabell" else block.text
        rows.append([contribution_id, block.id, block.ordinal, section, intro_section, place.question,
                     place.part, kind, text, place.text_kind, block.images, place.appendix])
    uow.cursor.executemany(
        "INSERT INTO contribution_blocks (contribution_id, block_id, ordinal, section, intro_section,"
        " question_number, part_label, kind, text, role, images, appendix_code)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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


# --- appendices and copies that come as files of their own --------------------------------


def _file_text(data: bytes, filename: str) -> list[dict] | None:
    """A Word file's paragraphs and tables, to read on the screen; None for a PDF."""
    if data.startswith(b"%PDF"):
        return None
    check_container(data, filename, max_upload_bytes(), max_unpacked_bytes())
    return [{"kind": b.kind, "text": b.text, "rows": b.rows} for b in read_blocks(data, filename) if b.text or b.rows]


def attach(store: Store, user: User, intake_id: int, *, kind: str, filename: str, data: bytes,
           appendix_code: str | None = None) -> int:
    """Keep a file that belongs to the contribution under review: an appendix the year lets
    come as a file of its own (the 2026 Verksamhetsplan), or the PDF copy the year asks for
    (2024). Refused with the reason, storing nothing."""
    current = review(store, user, intake_id)
    framework = load_framework(current.year)
    if current.status != "granskas":
        raise IntakeError(f"{current.filename} är redan hanterad; filer läggs till innan bidraget godkänns.")
    if kind == "bilaga":
        appendix = framework.appendix(appendix_code or "")
        if appendix is None or not appendix.separate_file:
            allowed = [a.title for a in framework.appendices if a.separate_file]
            raise IntakeError(f"{filename}: " + (f"som egen fil tas bara {' och '.join(allowed)} emot." if allowed
                                                 else f"Kvalitetsutmärkelsen {current.year} tar inte emot bilagor "
                                                      "som egna filer."))
    elif kind == "pdf_kopia":
        if "pdf" not in framework.submission_formats:
            raise IntakeError(f"{filename}: Kvalitetsutmärkelsen {current.year} ber inte om en PDF-kopia.")
        if not data.startswith(b"%PDF"):
            raise IntakeError(f"{filename}: PDF-kopian ska vara en PDF-fil.")
        appendix_code = None
    else:
        raise IntakeError(f"Okänt slag av fil: {kind!r}.")
    if not data:
        raise IntakeError(f"{filename}: filen är tom.")
    if len(data) > max_upload_bytes():
        raise IntakeError(f"{filename}: filen är {len(data) / 1e6:.1f} MB; gränsen är {max_upload_bytes() / 1e6:.0f} MB.")
    if kind == "bilaga" and not (data.startswith(b"%PDF") or data.startswith(b"PK")):
        raise IntakeError(f"{filename}: bilagan ska vara en Word-fil (.docx) eller en PDF.")
    try:
        text = _file_text(data, filename)
    except UnreadableFile as exc:
        raise IntakeError(str(exc)) from None
    digest = hashlib.sha256(data).hexdigest()
    with store.write(user.email) as uow:
        if uow.fetchone("SELECT 1 FROM attachments WHERE intake_id = ? AND file_sha256 = ?", [intake_id, digest]):
            raise IntakeError(f"{filename}: samma fil är redan tillagd.")
        attachment_id = uow.fetchone(
            "INSERT INTO attachments (intake_id, kind, appendix_code, filename, file_sha256, data, paragraphs,"
            " uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [intake_id, kind, appendix_code, filename, digest, data,
             None if text is None else json.dumps(text, ensure_ascii=False), user.email, utcnow()])[0]
        uow.audit("lägg till fil", "attachments", attachment_id, None,
                  {"intake_id": intake_id, "kind": kind, "appendix": appendix_code, "filename": filename,
                   "sha256": digest})
    return attachment_id


def remove_attachment(store: Store, user: User, attachment_id: int) -> None:
    """Take away a file added by mistake, while its contribution is still under review."""
    access.require(store, user, "intake.manage")
    with store.write(user.email) as uow:
        row = uow.fetchone("SELECT a.filename, a.kind, a.intake_id, i.status FROM attachments a"
                           " JOIN intake_files i ON i.id = a.intake_id WHERE a.id = ?", [attachment_id])
        if row is None:
            raise IntakeError("Filen finns inte.")
        if row[3] != "granskas":
            raise IntakeError(f"{row[0]} hör till ett bidrag som redan är hanterat och tas inte bort.")
        uow.execute("DELETE FROM attachments WHERE id = ?", [attachment_id])
        uow.audit("ta bort fil", "attachments", attachment_id,
                  {"filename": row[0], "kind": row[1], "intake_id": row[2]}, None)


def attachments(store: Store, user: User, *, intake_id: int | None = None,
                contribution_id: int | None = None) -> list[dict]:
    """The files of their own of an intake file (the office) or of a contribution (its readers)."""
    if contribution_id is not None:
        access.require_readable(store, user, contribution_id)
        where, key = "contribution_id = ?", contribution_id
    else:
        access.require(store, user, "intake.manage")
        where, key = "intake_id = ?", intake_id
    rows = store.records(f"SELECT id, kind, appendix_code, filename, paragraphs, octet_length(data) AS bytes"
                         f" FROM attachments WHERE {where} ORDER BY id", [key])
    for row in rows:
        row["paragraphs"] = json.loads(row["paragraphs"]) if row["paragraphs"] else None
    return rows


def attachment_file(store: Store, user: User, attachment_id: int) -> tuple[str, bytes]:
    """A file of its own, as it came, for those who may read its contribution."""
    row = store.fetchone("SELECT contribution_id, filename, data FROM attachments WHERE id = ?", [attachment_id])
    if row is None:
        raise IntakeError("Filen finns inte.")
    if row[0] is None:
        access.require(store, user, "intake.manage")
    else:
        access.require_readable(store, user, row[0])
    return row[1], bytes(row[2])

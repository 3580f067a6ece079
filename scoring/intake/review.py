"""Intake in the store: upload, review, correct, accept. Only the admin may do any of it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json

from scoring.core import access, versions
from scoring.core.auth import User
from scoring.core.errors import Refused
from scoring.core.organisations import match_organisation, unknown_organisation
from scoring.core.store import Store, UnitOfWork, utcnow
from scoring.core.text import decimal, swedish_date
from scoring.intake import isolated, picture_settings, pictures, registrations
from scoring.intake.document import OTHER_APPENDIX, SECTIONS, Match, Place, Report, evaluate, max_upload_bytes
from scoring.intake.docx_reader import Block, Facts, Picture, UnreadableFile
from scoring.mail import notices
from scoring.year import calendar, phases
from scoring.year.framework import Framework, load_framework
from scoring.year.years import framework_deadline

MAX_NOTE_CHARS = 2_000
ATTACHMENT_KINDS = {"bilaga": "Bilaga", "pdf_kopia": "PDF-kopia"}
# A contribution may still be exchanged for a corrected version until someone assesses it.
CORRECTABLE = frozenset({phases.P.INKOMMET, phases.P.TILLDELAD})


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
    received_at: dt.datetime
    late: bool                        # arrived after the framework's deadline for contributions
    replaces: dict | None = None      # for a corrected version: the contribution and the request
    facts: Facts = dataclasses.field(default_factory=Facts)
    pictures: list[Picture] = dataclasses.field(default_factory=list)

    @property
    def needs_note(self) -> bool:
        """Taking this file in asks for the office's note: it is late or has findings."""
        return self.late or any(f.level in ("fel", "varning") for f in self.report.findings)


def _dump(blocks, places, matches, facts: Facts | None = None, pictures: list[Picture] = ()) -> str:
    return json.dumps({
        "blocks": [dataclasses.asdict(b) for b in blocks],
        "places": {k: dataclasses.asdict(v) for k, v in places.items()},
        "matches": {str(k): dataclasses.asdict(v) for k, v in matches.items()},
        "facts": dataclasses.asdict(facts or Facts()),
        "pictures": [dataclasses.asdict(p) for p in pictures],
    }, ensure_ascii=False)


def _load(raw: str | dict) -> tuple[list[Block], dict[str, Place], dict[int, Match]]:
    data = json.loads(raw) if isinstance(raw, str) else raw
    return (
        [Block(**b) for b in data["blocks"]],
        # Analyses stored before the field was renamed call it "role".
        {k: Place(**{("text_kind" if f == "role" else f): x for f, x in v.items()}) for k, v in data["places"].items()},
        {int(k): Match(**v) for k, v in data["matches"].items()},
    )


def _load_file_facts(raw: str | dict) -> tuple[Facts, list[Picture]]:
    """The file's facts and pictures; analyses stored before they were read have neither."""
    data = json.loads(raw) if isinstance(raw, str) else raw
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


def upload(store: Store, user: User, year: int, filename: str, data: bytes, *,
           received_at: dt.datetime | None = None, change_request_id: int | None = None) -> int:
    """Take in one file for review; refuses unreadable files and duplicates, storing nothing.

    ``received_at`` (naive UTC) is when the file reached the office, if earlier than now;
    ``change_request_id`` makes it the corrected version a request for changes asked for.
    """
    access.require(store, user, "intake.manage")
    framework = load_framework(year)
    received_at = received_at or utcnow()
    if received_at > utcnow() + dt.timedelta(minutes=5):
        raise IntakeError(f"{filename}: tiden då filen kom in ligger i framtiden.")
    replaces = None
    if change_request_id is not None:
        request = store.fetchone(
            "SELECT r.contribution_id, r.status, c.year FROM change_requests r JOIN contributions c"
            " ON c.id = r.contribution_id WHERE r.id = ?", [change_request_id])
        if request is None or request[2] != year:
            raise IntakeError("Ändringsbegäran finns inte för det här året.")
        if request[1] != phases.ChangeRequestStatus.SKICKAD:
            raise IntakeError(f"Ändringsbegäran är redan {phases.ChangeRequestStatus(request[1]).label.lower()}.")
        waiting = store.fetchone("SELECT filename FROM intake_files WHERE change_request_id = ? AND status = 'granskas'",
                                 [change_request_id])
        if waiting:
            raise IntakeError(f"En rättad version ({waiting[0]}) väntar redan på granskning; granska eller avvisa den först.")
        replaces = request[0]
    digest = hashlib.sha256(data).hexdigest()
    existing = store.fetchone(
        "SELECT filename FROM intake_files WHERE year = ? AND file_sha256 = ? AND status <> 'avvisad'",
        [year, digest],
    )
    if existing:
        raise IntakeError(f"{filename}: samma fil är redan inläst (som {existing[0]}).")
    try:
        result = isolated.take_in(data, filename, framework)  # in a child process, within limits
    except UnreadableFile as exc:
        raise IntakeError(str(exc)) from None
    with store.write(user.email) as uow:
        intake_id = uow.fetchone(
            "INSERT INTO intake_files (year, filename, file_sha256, data, analysis, summary, uploaded_by,"
            " received_at, replaces_contribution_id, change_request_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [year, filename, digest, data, _dump(result.blocks, result.places, result.matches, result.facts,
                                                 result.pictures),
             _summary(result.report), user.email, received_at, replaces, change_request_id],
        )[0]
        uow.audit("läs in bidragsfil", "intake_files", intake_id, None,
                  {"filename": filename, "sha256": digest, "chars": result.report.chars_counted,
                   "received_at": received_at.isoformat(timespec="minutes"),
                   **({"corrects_contribution": replaces} if replaces else {})})
    return intake_id


def _late(year: int, received_at: dt.datetime) -> bool:
    deadline = framework_deadline(load_framework(year), "bidrag")
    return deadline is not None and calendar.after_deadline(received_at, deadline)


def intake_list(store: Store, user: User, year: int) -> list[dict]:
    """Every file read in for the year, newest version last, with its checks and status."""
    access.require(store, user, "intake.manage")
    rows = store.records(
        "SELECT i.id, i.filename, i.status, i.version, i.uploaded_at, i.received_at, i.contribution_id, i.summary,"
        " i.replaces_contribution_id, i.change_request_id, coalesce(u.name, ru.name) AS unit, c.eligibility"
        " FROM intake_files i LEFT JOIN contributions c ON c.id = i.contribution_id"
        " LEFT JOIN units u ON u.id = c.unit_id"
        " LEFT JOIN contributions rc ON rc.id = i.replaces_contribution_id LEFT JOIN units ru ON ru.id = rc.unit_id"
        " WHERE i.year = ? ORDER BY i.id",
        [year],
    )
    for row in rows:
        row.update(json.loads(row.pop("summary")))
        eligibility = json.loads(row.pop("eligibility")) if row["eligibility"] else None
        row["eligibility"] = eligibility["result"]["status"] if eligibility else None
        row["late"] = row["replaces_contribution_id"] is None and _late(year, row["received_at"])
    return rows


def review(store: Store, user: User, intake_id: int) -> Review:
    access.require(store, user, "intake.manage")
    row = store.records(
        "SELECT i.id, i.year, i.filename, i.status, i.version, i.analysis, i.contribution_id, i.received_at,"
        " i.replaces_contribution_id, i.change_request_id, u.name AS replaces_unit, r.reason AS request_reason"
        " FROM intake_files i LEFT JOIN contributions c ON c.id = i.replaces_contribution_id"
        " LEFT JOIN units u ON u.id = c.unit_id LEFT JOIN change_requests r ON r.id = i.change_request_id"
        " WHERE i.id = ?",
        [intake_id],
    )
    if not row:
        raise IntakeError(f"Ingen inläst fil med nummer {intake_id}.")
    row = row[0]
    framework = load_framework(row["year"])
    analysis = json.loads(row["analysis"])  # parsed once: a full file's analysis is large
    blocks, places, matches = _load(analysis)
    if framework.appendices:
        # Analyses stored before appendices were told apart name none: the year's first.
        for place in places.values():
            if place.section == "bilaga" and place.appendix is None:
                place.appendix = framework.appendices[0].code
    facts, pictures_read = _load_file_facts(analysis)
    report = _evaluate(store, framework, intake_id, blocks, places, matches, facts, pictures_read)
    replaces = None
    if row["replaces_contribution_id"] is not None:
        replaces = {"contribution_id": row["replaces_contribution_id"], "unit": row["replaces_unit"],
                    "change_request_id": row["change_request_id"], "reason": row["request_reason"]}
    return Review(row["id"], row["year"], row["filename"], row["status"], row["version"],
                  blocks, places, matches, report, row["contribution_id"], row["received_at"],
                  replaces is None and _late(row["year"], row["received_at"]), replaces, facts, pictures_read)


def _evaluate(store: Store, framework: Framework, intake_id: int, blocks, places, matches, facts: Facts,
              pictures_read: list[Picture]) -> Report:
    """The checks, knowing the appendices and the PDF copy that came as files of their own."""
    kinds = store.fetchall("SELECT kind, appendix_code FROM attachments WHERE intake_id = ?", [intake_id])
    return evaluate(framework, blocks, places, matches, facts, pictures_read, picture_settings.passage_chars(store),
                    separate_appendices={code for kind, code in kinds if kind == "bilaga"},
                    pdf_copy=any(kind == "pdf_kopia" for kind, _ in kinds))


def set_received_at(store: Store, user: User, intake_id: int, version: int, received_at: dt.datetime) -> int:
    """Correct when a file reached the office (it may have come by e-mail before it was read in)."""
    current = review(store, user, intake_id)
    if current.status != "granskas":
        raise IntakeError(f"{current.filename} är redan hanterad.")
    if received_at > utcnow() + dt.timedelta(minutes=5):
        raise IntakeError("Tiden då filen kom in kan inte ligga i framtiden.")
    with store.write(user.email) as uow:
        stored = uow.fetchone("SELECT version FROM intake_files WHERE id = ?", [intake_id])[0]
        versions.require_fresh(uow, entity="intake_files", entity_id=intake_id, current=stored, expected=version,
                               parts=[versions.WHOLE], message=f"{current.filename} har ändrats sedan du öppnade "
                               "den. Ladda om sidan.")
        uow.execute("UPDATE intake_files SET received_at = ?, version = ? WHERE id = ?",
                    [received_at, stored + 1, intake_id])
        uow.audit("ändra ankomsttid", "intake_files", intake_id, *versions.entry(
            {"before": current.received_at.isoformat(timespec="minutes"),
             "received_at": received_at.isoformat(timespec="minutes")}, stored, stored + 1))
    return stored + 1


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
    report = _evaluate(store, framework, intake_id, current.blocks, current.places, current.matches, current.facts,
                       current.pictures)
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


def _checks(report: Report, facts: Facts) -> dict:
    return {
        "chars_counted": report.chars_counted, "limit": report.limit, "over_limit": report.over_limit,
        "chars_by_area": report.chars_by_area, "questions": report.questions,
        "findings": [dataclasses.asdict(f) for f in report.findings],
        "presentation_chars": report.presentation_chars, "images": report.images,
        "pictures": report.pictures, "unaccepted_changes": facts.unaccepted_changes,
    }


def accept(store: Store, user: User, intake_id: int, version: int, *, unit_name: str = "",
           organisation: str = "", class_code: str | None = None, registration_id: int | None = None,
           note: str = "") -> int:
    """Make the reviewed file a contribution of the year, or the new version of the
    contribution it corrects; returns the contribution's id. A year with competition
    classes needs one; a year without has none.

    A file that arrived after the deadline or still has findings is taken in only with the
    office's note, which is kept.
    """
    current = review(store, user, intake_id)
    framework = load_framework(current.year)
    if current.status != "granskas":
        raise IntakeError(f"{current.filename} är redan hanterad.")
    note = (note or "").strip()
    if current.needs_note and not note:
        why = []
        if current.late:
            deadline = framework_deadline(framework, "bidrag")
            why.append(f"kom in efter sista dag ({swedish_date(deadline)})")
        if any(f.level in ("fel", "varning") for f in current.report.findings):
            why.append("har fynd som inte är åtgärdade")
        raise IntakeError(f"{current.filename} {' och '.join(why)}: skriv en anteckning om varför filen ändå tas emot.")
    if len(note) > MAX_NOTE_CHARS:
        raise IntakeError(f"Anteckningen har {len(note)} tecken; högst {MAX_NOTE_CHARS} går att spara.")
    if current.replaces:
        return _accept_correction(store, user, current, version, note)
    unit_name = " ".join((unit_name or "").split())
    if not unit_name:
        raise IntakeError("Ange verksamhetens namn.")
    if not (organisation or "").strip():
        raise IntakeError("Välj förvaltning eller bolag ur stadens lista.")
    known, _ = match_organisation(organisation)
    if known is None:
        message = unknown_organisation(organisation or "")
        raise IntakeError(message[0].upper() + message[1:])
    class_code = class_code or None
    if framework.has_classes and class_code not in {c.code for c in framework.classes}:
        raise IntakeError("Välj en tävlingsklass.")
    if not framework.has_classes and class_code is not None:
        raise IntakeError(f"Kvalitetsutmärkelsen {current.year} har inga tävlingsklasser.")
    with store.write(user.email) as uow:
        _require_version(uow, current, version)
        unit_id = _unit(uow, unit_name, known)
        data = uow.fetchone("SELECT data, file_sha256 FROM intake_files WHERE id = ?", [intake_id])
        contribution_id = uow.fetchone(
            "INSERT INTO contributions (year, unit_id, class_code, filename, file_sha256, original_file,"
            " intro, checks, received_at, late) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [current.year, unit_id, class_code, current.filename, data[1], data[0],
             json.dumps(current.report.intro_fields, ensure_ascii=False),
             json.dumps(_checks(current.report, current.facts), ensure_ascii=False), current.received_at, current.late],
        )[0]
        _store_blocks(uow, contribution_id, current.blocks, current.places, current.report.pictures)
        uow.execute("UPDATE attachments SET contribution_id = ? WHERE intake_id = ?", [contribution_id, intake_id])
        phases.transition(uow, phases.INTAKE, intake_id, phases.IntakeStatus.GODKAND,
                          also={"contribution_id": contribution_id, "accept_note": note or None}, action="godkänd fil",
                          detail={"note": note} if note else None)
        if registration_id is not None:
            registrations.link(uow, registration_id, contribution_id, current.year)
        uow.audit("godkänn bidrag", "contributions", contribution_id, None,
                  {"intake_id": intake_id, "unit": unit_name, "organisation": known, "class_code": class_code,
                   "late": current.late, **({"note": note} if note else {})})
    return contribution_id


def _require_version(uow: UnitOfWork, current: Review, version: int) -> None:
    stored = uow.fetchone("SELECT version FROM intake_files WHERE id = ?", [current.id])[0]
    versions.require_fresh(uow, entity="intake_files", entity_id=current.id, current=stored, expected=version,
                           parts=[versions.WHOLE],
                           message=f"{current.filename} har ändrats sedan du öppnade den. Ladda om sidan.")


def _unit(uow: UnitOfWork, name: str, organisation: str) -> int:
    """The unit by that name in that organisation (a returning unit keeps its history), or a new one."""
    for unit_id, known in uow.fetchall("SELECT id, name FROM units WHERE organisation = ? ORDER BY id",
                                       [organisation]):
        if " ".join(known.split()).casefold() == name.casefold():
            return unit_id
    return uow.fetchone("INSERT INTO units (name, organisation, workplace) VALUES (?, ?, ?) RETURNING id",
                        [name, organisation, name])[0]


def _accept_correction(store: Store, user: User, current: Review, version: int, note: str) -> int:
    """The corrected file becomes the contribution's text; the earlier file stays as its first version."""
    contribution_id = current.replaces["contribution_id"]
    with store.write(user.email) as uow:
        _require_version(uow, current, version)
        phase, before_checks, filename = uow.fetchone(
            "SELECT phase, checks, filename FROM contributions WHERE id = ?", [contribution_id])
        if phases.ContributionPhase(phase) not in CORRECTABLE:
            raise IntakeError("Den individuella bedömningen har redan börjat; bidraget kan inte längre bytas ut. "
                              "Avvisa den rättade filen eller be lagsamordnaren om råd.")
        data = uow.fetchone("SELECT data, file_sha256 FROM intake_files WHERE id = ?", [current.id])
        checks = _checks(current.report, current.facts)
        uow.execute("UPDATE contributions SET filename = ?, file_sha256 = ?, original_file = ?, intro = ?, checks = ?,"
                    " version = version + 1 WHERE id = ?",
                    [current.filename, data[1], data[0], json.dumps(current.report.intro_fields, ensure_ascii=False),
                     json.dumps(checks, ensure_ascii=False), contribution_id])
        uow.execute("DELETE FROM contribution_blocks WHERE contribution_id = ?", [contribution_id])
        _store_blocks(uow, contribution_id, current.blocks, current.places, current.report.pictures)
        # Files of their own sent with the corrected version join the contribution too.
        uow.execute("UPDATE attachments SET contribution_id = ? WHERE intake_id = ?", [contribution_id, current.id])
        phases.transition(uow, phases.INTAKE, current.id, phases.IntakeStatus.GODKAND,
                          also={"contribution_id": contribution_id, "accept_note": note or None},
                          action="godkänd rättad version", detail={"note": note} if note else None)
        if current.replaces["change_request_id"] is not None:
            phases.transition(uow, phases.CHANGE_REQUEST, current.replaces["change_request_id"],
                              phases.ChangeRequestStatus.BESVARAD,
                              also={"answered_intake_id": current.id, "closed_at": utcnow()},
                              action="rättad version inkommen")
            notices.correction_arrived(uow, current.replaces["change_request_id"], current.received_at)
        before = json.loads(before_checks or "{}")
        uow.audit("ny version av bidrag", "contributions", contribution_id,
                  {"filename": filename, "chars": before.get("chars_counted")},
                  {"filename": current.filename, "chars": checks["chars_counted"], "intake_id": current.id})
    return contribution_id


def accept_many(store: Store, user: User, items: list[dict]) -> list[tuple[int, str | None]]:
    """Accept several reviewed files at once: each is its own unit of work, so one refusal
    leaves the others accepted. Returns (intake id, the refusal or None) per file."""
    outcomes = []
    for item in items:
        try:
            accept(store, user, item["intake_id"], item["version"], unit_name=item.get("unit_name", ""),
                   organisation=item.get("organisation", ""), class_code=item.get("class_code"),
                   registration_id=item.get("registration_id"), note=item.get("note", ""))
        except Refused as exc:
            outcomes.append((item["intake_id"], str(exc)))
        else:
            outcomes.append((item["intake_id"], None))
    return outcomes


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
                     block.frame, place.appendix])
    uow.cursor.executemany(
        "INSERT INTO contribution_blocks (contribution_id, block_id, ordinal, section, intro_section,"
        " question_number, part_label, kind, text, role, images, notes, pictures, frame, appendix_code)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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


# --- appendices and copies that come as files of their own --------------------------------


def _file_text(data: bytes, filename: str, framework: Framework) -> list[dict] | None:
    """A Word file's paragraphs and tables, to read on the screen; None for a PDF. Read in a
    child process within the limits, like every upload."""
    if data.startswith(b"%PDF"):
        return None
    result = isolated.take_in(data, filename, framework)
    return [{"kind": b.kind, "text": b.text, "rows": b.rows} for b in result.blocks if b.text or b.rows]


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
        raise IntakeError(f"{filename}: filen är {decimal(len(data) / 1e6)} MB; gränsen är {max_upload_bytes() / 1e6:.0f} MB.")
    if kind == "bilaga" and not (data.startswith(b"%PDF") or data.startswith(b"PK")):
        raise IntakeError(f"{filename}: bilagan ska vara en Word-fil (.docx) eller en PDF.")
    try:
        text = _file_text(data, filename, framework)
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

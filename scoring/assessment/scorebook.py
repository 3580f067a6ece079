"""The offline scorebook: one's assessment of a contribution as an Excel file, and back.

The round trip is exact: every text is written as a literal string (never a formula),
and reading it back gives the same scores, findings, notes and site-visit questions.
An import over work saved after the export is refused unless the examiner confirms.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from scoring.assessment import individual as assessments
from scoring.assessment.individual import AreaWork, Assessment, AssessmentError
from scoring.assessment.scores import Finding
from scoring.core.auth import User
from scoring.core.store import Store
from scoring.core.text import append_literal, decimal
from scoring.year import calendar, phases
from scoring.year.framework import load_framework

MAX_FILE_BYTES = 5_000_000
MAX_UNPACKED_BYTES = 50_000_000
MAX_ROWS = 2_000
MARKER = "Examinatorsstöd – bedömningsbok"
SHEETS = {
    "Poäng": ["Områdeskod", "Frågeområde", "Grundkod", "Bedömningsgrund", "Poäng"],
    "Iakttagelser": ["Id", "Områdeskod", "Frågeområde", "Typ", "Iakttagelse", "Exempel", "Frågor", "Avsnitt"],
    "Anteckningar": ["Fråga", "Frågetext", "Anteckning"],
    "Platsbesök": ["Områdeskod", "Frågeområde", "Fråga inför platsbesöket"],
}
KIND_BY_LABEL = {kind.label: kind.value for kind in phases.FindingKind}


class ScorebookError(AssessmentError):
    """The file cannot be imported; the message names what is wrong and where."""


class NewerWork(ScorebookError):
    """Work was saved after the file was exported; replacing it needs a confirmation."""


def export(store: Store, user: User, contribution_id: int) -> bytes:
    work = assessments.own_assessment(store, user, contribution_id)
    year, unit = store.fetchone(
        "SELECT c.year, u.name FROM contributions c JOIN units u ON u.id = c.unit_id WHERE c.id = ?",
        [contribution_id])
    framework = load_framework(year)
    # Anchors as the examiner reads them beside the answer ("Fråga 1 ¶1"), not as block ids.
    labels = {block_id: p["label"] for block_id, p in assessments.passages(store, user, contribution_id).items()}
    book = openpyxl.Workbook()
    about = book.active
    about.title = "Om filen"
    for row in ([MARKER, ""], ["Bidrag", contribution_id], ["Verksamhet", unit], ["Examinator", user.email],
                ["Version", work.version], ["Exporterad", f"{calendar.stockholm(dt.datetime.now(dt.UTC).replace(tzinfo=None)):%Y-%m-%d %H:%M}"],
                ["", ""],
                ["Så här", "Ändra poäng, iakttagelser, anteckningar och platsbesöksfrågor på flikarna och "
                           "importera filen på sidan Bedömning. Låt kolumnerna Id, Områdeskod och Grundkod vara. "
                           "Avsnitt skrivs som i läsrutan, till exempel ”Fråga 1 ¶2”, åtskilda med komma."]):
        append_literal(about, row)
    sheets = {name: book.create_sheet(name) for name in SHEETS}
    for name, sheet in sheets.items():
        sheet.append(SHEETS[name])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"  # the header stays in view
    for area in framework.areas:
        area_work = work.areas.get(area.code, AreaWork(area.code))
        for criterion in area.criteria:
            append_literal(sheets["Poäng"], [area.code, area.title, criterion.code, criterion.title,
                                       area_work.criteria.get(criterion.code)])
        for f in area_work.findings:
            append_literal(sheets["Iakttagelser"], [f.id, area.code, area.title, phases.FindingKind(f.kind).label, f.text, f.examples,
                                              ", ".join(map(str, f.questions)),
                                                    ", ".join(labels.get(a, a) for a in f.anchors)])
        for question in area_work.site_visit_questions:
            append_literal(sheets["Platsbesök"], [area.code, area.title, question])
        for q in area.questions:
            append_literal(sheets["Anteckningar"], [q.number, q.text, work.notes.get(q.number, "")])
    for sheet in book.worksheets:
        for index, width in enumerate((14, 30, 16, 60, 40, 40, 12, 24), start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        if sheet is not about:
            sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _open(filename: str, data: bytes):
    if not data:
        raise ScorebookError(f"{filename}: filen är tom.")
    if len(data) > MAX_FILE_BYTES:
        raise ScorebookError(f"{filename}: filen är {decimal(len(data) / 1e6)} MB; en bedömningsbok är högst "
                             f"{MAX_FILE_BYTES // 1_000_000} MB.")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ScorebookError(f"{filename}: gamla Excel-formatet (.xls) går inte att läsa; spara som .xlsx.")
    if not data.startswith(b"PK"):
        raise ScorebookError(f"{filename}: filen är inte en Excel-fil (.xlsx).")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(m.file_size for m in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise ScorebookError(f"{filename}: filen packas upp till mer än {MAX_UNPACKED_BYTES // 1_000_000} MB.")
        return openpyxl.load_workbook(io.BytesIO(data), read_only=False, data_only=False)
    except ScorebookError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise ScorebookError(f"{filename}: Excel-filen går inte att läsa.") from None


def _rows(book, name: str) -> list[tuple[int, list]]:
    if name not in book.sheetnames:
        raise ScorebookError(f"Fliken ”{name}” saknas. Använd en fil som exporterats från Examinatorsstöd.")
    sheet = book[name]
    if sheet.max_row > MAX_ROWS:
        raise ScorebookError(f"Fliken ”{name}” har {sheet.max_row} rader; högst {MAX_ROWS} går att läsa.")
    header = [c.value for c in sheet[1]][: len(SHEETS.get(name, []))]
    if name in SHEETS and header != SHEETS[name]:
        raise ScorebookError(f"Fliken ”{name}”: rubrikraden har ändrats. Den ska vara: {', '.join(SHEETS[name])}.")
    rows = []
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.data_type == "f":
                raise ScorebookError(f"Fliken ”{name}”, cell {cell.coordinate}: en formel går inte att importera. "
                                     "Skriv värdet i stället.")
        values = [c.value for c in row]
        if any(v not in (None, "") for v in values):
            rows.append((row[0].row, values))
    return rows


def _text(value) -> str:
    return "" if value is None else str(value)


def _numbers(value, where: str) -> list[int]:
    text = _text(value).replace(";", ",")
    try:
        return [int(float(p)) for p in text.split(",") if p.strip()]
    except ValueError:
        raise ScorebookError(f"{where}: ”{text}” ska vara frågenummer åtskilda med komma.") from None


def _anchor_id(written: str, anchor_ids: dict[str, str], where: str) -> str:
    """A passage's block id from its label; a block id itself (files written before labels) stays."""
    if written in anchor_ids:
        return anchor_ids[written]
    if written in anchor_ids.values():
        return written
    raise ScorebookError(f"{where}: avsnittet ”{written}” finns inte i bidraget. Skriv avsnitten som "
                         "på sidan Bedömning, till exempel ”Fråga 1 ¶2”, åtskilda med komma.")


def read(filename: str, data: bytes, contribution_id: int, examiner_email: str,
         anchor_ids: dict[str, str] | None = None) -> tuple[Assessment, int]:
    """The assessment content in a scorebook file, and the version it was exported at.
    ``anchor_ids`` maps the passages' labels ("Fråga 1 ¶1") to their block ids; without it the
    column "Avsnitt" is read as it stands."""
    book = _open(filename, data)
    if "Om filen" not in book.sheetnames or book["Om filen"]["A1"].value != MARKER:
        raise ScorebookError(f"{filename}: filen är ingen bedömningsbok från Examinatorsstöd.")
    about = {row[0]: row[1] for _, row in _rows(book, "Om filen") if row and len(row) > 1}
    if about.get("Bidrag") != contribution_id:
        raise ScorebookError(f"{filename}: filen gäller ett annat bidrag ({about.get('Verksamhet', '?')}).")
    if str(about.get("Examinator", "")).lower() != examiner_email.lower():
        raise ScorebookError(f"{filename}: filen är en annan examinators bedömning ({about.get('Examinator')}).")
    version = about.get("Version")
    if not isinstance(version, int):
        raise ScorebookError(f"{filename}: versionsnumret på fliken ”Om filen” saknas eller har ändrats.")
    content = Assessment(contribution_id, 0)
    for number, row in _rows(book, "Poäng"):
        code, criterion, value = _text(row[0]), _text(row[2]), row[4]
        if value in (None, ""):
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ScorebookError(f"Fliken ”Poäng”, rad {number}: ”{value}” är inget heltal på skalan.")
        content.area(code).criteria[criterion] = value
    for number, row in _rows(book, "Iakttagelser"):
        where = f"Fliken ”Iakttagelser”, rad {number}"
        kind = KIND_BY_LABEL.get(_text(row[3]).strip())
        if kind is None:
            raise ScorebookError(f"{where}: typen ska vara ”Styrka” eller ”Utvecklingsområde”.")
        finding_id = row[0] if isinstance(row[0], int) else None
        anchors = [a.strip() for a in _text(row[7]).split(",") if a.strip()]
        if anchor_ids is not None:
            anchors = [_anchor_id(a, anchor_ids, where) for a in anchors]
        code = _text(row[1])
        content.area(code).findings.append(Finding(
            finding_id or 0, code, kind, _text(row[4]), _text(row[5]), _numbers(row[6], where), anchors))
    for number, row in _rows(book, "Anteckningar"):
        if row[2] not in (None, ""):
            question = row[0]
            if not isinstance(question, int):
                raise ScorebookError(f"Fliken ”Anteckningar”, rad {number}: frågenumret saknas.")
            content.notes[question] = _text(row[2])
    for _, row in _rows(book, "Platsbesök"):
        if row[2] not in (None, ""):
            content.area(_text(row[0])).site_visit_questions.append(_text(row[2]))
    return content, version


def import_file(store: Store, user: User, contribution_id: int, filename: str, data: bytes, *,
                replace_newer: bool = False) -> int:
    """Replace the draft with the file's content; returns the new version."""
    anchor_ids = {p["label"]: block_id for block_id, p in assessments.passages(store, user, contribution_id).items()}
    content, file_version = read(filename, data, contribution_id, user.email, anchor_ids)
    current = assessments.own_assessment(store, user, contribution_id)
    if not current.editable:
        raise ScorebookError("Bedömningen är inlämnad och låst; en fil kan inte importeras över den.")
    if current.version > file_version and not replace_newer:
        raise NewerWork(
            f"Bedömningen har ändrats efter att filen exporterades (filen har version {file_version}, "
            f"det sparade är version {current.version}). Importen ersätter de senare ändringarna.")
    return assessments.replace_content(store, user, contribution_id, current.version, content)

"""Feedback reports and the jury dossier in Word, rendered with docxtpl from templates the
office edits; their quality gate; the template check; batch and PDF.

Rendering always autoescapes and uses StrictUndefined: a unit's text containing ``{{ }}``,
``<`` or ``&`` appears literally, and a template asking for a field that does not exist
fails loudly instead of leaving a blank.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import jinja2
import openpyxl
from docx import Document
from docxtpl import DocxTemplate

from scoring.assessment.scores import individual_scores
from scoring.consensus import rules
from scoring.consensus import workspace as consensus
from scoring.consensus.rules import Problem
from scoring.core import access
from scoring.core.auth import User
from scoring.core.errors import Refused
from scoring.core.store import Store, set_setting, utcnow
from scoring.core.text import append_literal, count, finish_sheet, swedish_date
from scoring.jury import motivations
from scoring.jury import shortlist as jury
from scoring.reports.templates import DIPLOMA, DOSSIER, FEEDBACK, TEMPLATE_DIR
from scoring.year import calendar, phases
from scoring.year.framework import load_framework

# Characters XML 1.0 does not allow; a pasted one would make Word refuse the whole file.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
FIELDS = {
    FEEDBACK: {
        "enhet": "verksamhetens namn", "forvaltning": "förvaltning eller bolag", "ar": "utmärkelseåret",
        "klass": "tävlingsklass", "datum": "rapportens datum", "antal_examinatorer": "antal examinatorer i laget",
        "platsbesok_datum": "platsbesökets datum",
        "nyckelteman": "nyckelteman: .styrkor och .utvecklingsomraden (listor av texter)",
        "omraden": "frågeområdena: .titel, .poang, .styrkor, .utvecklingsomraden",
        "visa_poang": "sant om årets inställning visar poäng i rapporten",
    },
    DOSSIER: {
        "ar": "utmärkelseåret", "datum": "underlagets datum",
        "har_klasser": "sant om året har tävlingsklasser",
        "grupper": "kandidaterna i grupper (tävlingsklasserna, eller förslagen när året saknar klasser): .namn, "
                   ".rangordning (.plats, .enhet, .forslag, .totalt, .behorighet) och .kandidater (.enhet, "
                   ".forvaltning, .klass, .forslag, .motivering, .behorighet, .totalt, .profil (.omrade, .poang), "
                   ".styrkor, .utvecklingsomraden, .platsbesok, .platsbesok_fragor, .oenigheter, .utkast_motivering)",
        "klasser": "samma som grupper (för mallar skrivna före grupperna)",
    },
}
FIELDS[DIPLOMA] = {
    "enhet": "verksamhetens namn", "forvaltning": "förvaltning eller bolag", "ar": "utmärkelseåret",
    "resultat": "deltagit, hedersomnämnande eller utmärkelse", "text": "meningen om vad verksamheten fått",
    "motivering": "juryns publicerade motivering (tom för deltagare)", "datum": "utdelningens datum",
}
REQUIRED = {FEEDBACK: {"enhet", "ar", "omraden", "nyckelteman"}, DOSSIER: {"grupper"}, DIPLOMA: {"enhet", "ar"}}


class ReportError(Refused):
    """A report that cannot be made or a template that cannot be used; Swedish message."""


def clean(text: str | None) -> str:
    return _INVALID_XML.sub("", text or "").replace("\r\n", "\n").replace("\n", " ").strip()


def environment() -> jinja2.Environment:
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)


def render(template: bytes, context: dict) -> bytes:
    document = DocxTemplate(io.BytesIO(template))
    document.render(context, environment(), autoescape=True)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- templates -----------------------------------------------------------------------


def template(store: Store, name: str) -> bytes:
    """The template in use: the office's uploaded one, else the one shipped."""
    row = store.cached(("report_template", name), lambda: store.fetchone(
        "SELECT data FROM report_templates WHERE name = ? AND active ORDER BY id DESC LIMIT 1", [name]))
    return row[0] if row else (TEMPLATE_DIR / f"{name}.docx").read_bytes()


def check_template(name: str, data: bytes) -> list[str]:
    """What is wrong with an uploaded template, in words the office can act on."""
    if name not in FIELDS:
        raise ReportError(f"Okänd mall: {name}.")
    if not data:
        return ["Filen är tom."]
    if not data.startswith(b"PK"):
        return ["Filen är inte ett Word-dokument (.docx)."]
    try:
        lines = _template_lines(data)
    except (KeyError, ValueError, zipfile.BadZipFile):
        return ["Filen går inte att läsa som Word-dokument."]
    try:
        environment().parse("\n".join(lines))
        used = DocxTemplate(io.BytesIO(data)).get_undeclared_template_variables(environment())
    except jinja2.TemplateSyntaxError as exc:
        start = max((exc.lineno or 1) - 2, 0)
        # The paragraphs around the error, as the office sees them in Word.
        around = " … ".join(t for t in (re.sub(r"<[^>]+>", "", line).strip() for line in lines[start:start + 3]) if t)
        return [f"Mallen har ett syntaxfel ({_swedish_syntax(exc.message)}) vid texten: ”{around}”."]
    problems = [f"Okänt fält ”{f}”. Fälten som finns: {', '.join(sorted(FIELDS[name]))}."
                for f in sorted(used - set(FIELDS[name]))]
    problems += [f"Fältet ”{f}” saknas; mallen måste visa {FIELDS[name][f]}." for f in sorted(REQUIRED[name] - used)]
    if not problems:
        try:
            render(data, sample_context(name))
        except jinja2.TemplateError as exc:
            problems.append(f"Mallen går inte att fylla med exempeldata: {exc}.")
    return problems


def _template_lines(data: bytes) -> list[str]:
    """The body's XML prepared as docxtpl prepares it, one paragraph per line."""
    document = DocxTemplate(io.BytesIO(data))
    document.init_docx()
    xml = document.patch_xml(document.xml_to_string(document.docx.element.body))
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", xml).splitlines()


def _swedish_syntax(message: str | None) -> str:
    message = message or ""
    unknown = re.search(r"unknown tag '(\w+)'", message)
    if unknown:
        return f"okänd tagg ”{unknown.group(1)}”, kanske felstavad"
    if "end of template" in message.lower():
        return "ett block öppnas men stängs aldrig, t.ex. for utan endfor"
    return "taggarna {{ }} och {% %} är inte hela"


def _retire_template(uow, name: str) -> dict:
    """Stop using the uploaded template in use (if any); what it was, for the log."""
    before = uow.fetchone("SELECT uploaded_by, uploaded_at FROM report_templates WHERE name = ? AND active", [name])
    uow.execute("UPDATE report_templates SET active = FALSE WHERE name = ?", [name])
    return {"uploaded_by": before[0], "uploaded_at": before[1]} if before else {"default": True}


def save_template(store: Store, user: User, name: str, data: bytes) -> None:
    """Store a checked template and use it from now on."""
    access.require(store, user, "reports.templates")
    problems = check_template(name, data)
    if problems:
        raise ReportError("Mallen används inte: " + " ".join(problems))
    with store.write(user.email) as uow:
        before = _retire_template(uow, name)
        uow.execute("INSERT INTO report_templates (name, data, uploaded_by, uploaded_at, active)"
                    " VALUES (?, ?, ?, ?, TRUE)", [name, data, user.email, utcnow()])
        uow.audit("ny rapportmall", "report_templates", name, before, {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()})


def reset_template(store: Store, user: User, name: str) -> None:
    access.require(store, user, "reports.templates")
    with store.write(user.email) as uow:
        uow.audit("standardmall", "report_templates", name, _retire_template(uow, name), {"default": True})


def sample_context(name: str) -> dict:
    area = {"titel": "Målgrupp", "poang": 55, "styrkor": ["Verksamheten tar systematiskt reda på behov."],
            "utvecklingsomraden": ["Det framgår inte hur resultaten används."]}
    if name == DIPLOMA:
        return {"enhet": "Exempelenheten", "forvaltning": "Exempelförvaltningen", "ar": 2026,
                "resultat": "utmärkelse", "text": "tilldelas Stockholms stads kvalitetsutmärkelse 2026",
                "motivering": "För ett lärande kvalitetsarbete.", "datum": "24 november 2026"}
    if name == FEEDBACK:
        return {"enhet": "Exempelenheten", "forvaltning": "Exempelförvaltningen", "ar": 2026, "klass": "Förskola",
                "datum": "1 november 2026", "antal_examinatorer": 4, "platsbesok_datum": "22 september 2026",
                "nyckelteman": {"styrkor": ["Tydliga mål"], "utvecklingsomraden": ["Uppföljning"]},
                "omraden": [area], "visa_poang": True}
    candidate = {"enhet": "Exempelenheten", "forvaltning": "Exempelförvaltningen", "klass": "", "forslag": "Utmärkelse",
                 "motivering": "Lärande i alla delar.", "behorighet": "får delta", "totalt": 55,
                 "profil": [{"omrade": "Målgrupp", "poang": 55}], "styrkor": ["Tydliga mål"],
                 "utvecklingsomraden": ["Uppföljning"], "platsbesok": "Platsbesök 22 september 2026.",
                 "platsbesok_fragor": [], "oenigheter": [], "utkast_motivering": "Utkast."}
    groups = [{"namn": "Föreslagna för utmärkelse", "kandidater": [candidate], "rangordning": [
        {"plats": 1, "enhet": "Exempelenheten", "forslag": "Utmärkelse", "totalt": 55, "behorighet": "får delta"}]}]
    return {"ar": 2026, "datum": "1 november 2026", "har_klasser": False, "grupper": groups, "klasser": groups}


# --- the feedback report ---------------------------------------------------------------


def quality_gate(work: consensus.Workspace) -> list[Problem]:
    """What keeps the report from being final: the named rules of a final report."""
    return rules.check(rules.REPORT_FINAL, work, load_framework(work.year))


def scores_shown(store: Store, year: int) -> bool:
    return store.setting(f"report_scores_{year}", "0") == "1"


def show_scores(store: Store, user: User, year: int, on: bool) -> None:
    """The year's setting: feedback reports with or without the consensus scores (admin)."""
    access.require(store, user, "reports.settings")
    with store.write(user.email) as uow:
        set_setting(uow, f"report_scores_{year}", "1" if on else "0")


def feedback_context(store: Store, work: consensus.Workspace) -> dict:
    framework = load_framework(work.year)
    visit = work.site_visit.date
    return {
        "enhet": clean(work.unit), "forvaltning": clean(work.organisation), "ar": work.year,
        "klass": framework.class_name(work.class_code), "datum": swedish_date(calendar.today()),  # "" without classes
        "antal_examinatorer": len(work.examiners), "platsbesok_datum": swedish_date(visit) if visit else "",
        "nyckelteman": {"styrkor": [clean(f.text) for f in work.area_findings(None, "styrka")],
                        "utvecklingsomraden": [clean(f.text) for f in work.area_findings(None, "utvecklingsomrade")]},
        "omraden": [{
            "titel": area.title,
            "poang": framework.area_score_for(area.code, work.scores.get(area.code, {})) or "",
            "styrkor": [clean(f.text) for f in work.area_findings(area.code, "styrka")],
            "utvecklingsomraden": [clean(f.text) for f in work.area_findings(area.code, "utvecklingsomrade")],
        } for area in framework.areas],
        "visa_poang": scores_shown(store, work.year),
    }


def feedback_report(store: Store, user: User, contribution_id: int) -> tuple[str, bytes]:
    """(file name, .docx) of a contribution's feedback report, final or draft."""
    access.require(store, user, "report.write", contribution_id=contribution_id)
    work = consensus.workspace(store, user, contribution_id, individual=False)
    return (f"Återkopplingsrapport {work.year} {safe_filename(work.unit)}.docx",
            render(template(store, FEEDBACK), feedback_context(store, work)))


def safe_filename(name: str) -> str:
    return re.sub(r"[^\w\- åäöÅÄÖ,.]", "_", name).strip() or "bidrag"


def mark_final(store: Store, user: User, contribution_id: int) -> None:
    access.require(store, user, "report.write", contribution_id=contribution_id)
    work = consensus.workspace(store, user, contribution_id, individual=False)
    problems = quality_gate(work)
    if problems:
        raise ReportError(f"Rapporten kan inte bli slutlig ännu: {count(len(problems), 'sak', 'saker')} återstår.")
    with store.write(user.email) as uow:
        uow.execute("INSERT INTO reports (contribution_id, final, finalized_by, finalized_at) VALUES (?, TRUE, ?, ?)"
                    " ON CONFLICT (contribution_id) DO UPDATE SET final = TRUE, finalized_by = excluded.finalized_by,"
                    " finalized_at = excluded.finalized_at", [contribution_id, user.name, utcnow()])
        uow.audit("rapporten slutlig", "reports", contribution_id, None, {"final": True})


def report_status(store: Store, year: int) -> dict[int, dict]:
    return {r["contribution_id"]: r for r in store.records(
        "SELECT r.contribution_id, r.final, r.finalized_by, r.finalized_at FROM reports r"
        " JOIN contributions c ON c.id = r.contribution_id WHERE c.year = ?", [year])}


def final_reports(store: Store, user: User, year: int, progress: Callable[[int, int, str], None] | None = None,
                  ) -> list[tuple[str, bytes]]:
    """Every final report of the year (the admin), rendered one by one with progress."""
    access.require(store, user, "reports.final")
    ids = [cid for cid, r in report_status(store, year).items() if r["final"]]
    blob = template(store, FEEDBACK)
    result = []
    for n, cid in enumerate(sorted(ids), start=1):
        work = consensus.workspace(store, user, cid, individual=False)
        result.append((f"Återkopplingsrapport {year} {safe_filename(work.unit)}.docx",
                       render(blob, feedback_context(store, work))))
        if progress:
            progress(n, len(ids), work.unit)
    return result


def left_out_of_batch(store: Store, user: User, year: int) -> list[tuple[str, str]]:
    """(unit, why) for every contribution of the year whose report the batch leaves out."""
    access.require(store, user, "reports.final")
    final = {cid for cid, r in report_status(store, year).items() if r["final"]}
    left_out = []
    for cid, unit, phase, opened in store.fetchall(
            "SELECT c.id, u.name, c.phase, EXISTS (SELECT 1 FROM consensus k WHERE k.contribution_id = c.id)"
            " FROM contributions c JOIN units u ON u.id = c.unit_id WHERE c.year = ? ORDER BY u.name", [year]):
        if cid in final:
            continue
        where = phases.ContributionPhase(phase).label.lower()
        if not opened:
            left_out.append((unit, f"konsensus är inte öppnad (bidraget är i fasen {where})"))
            continue
        problems = quality_gate(consensus.workspace(store, user, cid, individual=False))
        left_out.append((unit, "rapporten är inte markerad som slutlig" + (
            f"; {count(len(problems), 'sak', 'saker')} återstår, först: {problems[0]}" if problems else
            "; den kan markeras som slutlig")))
    return left_out


def zip_files(files: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
    return buffer.getvalue()


def libreoffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(files: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """PDFs of .docx files through LibreOffice; ReportError when it is not installed."""
    program = libreoffice()
    if program is None:
        raise ReportError("PDF kräver LibreOffice, som inte är installerat på servern. Word-filerna går att "
                          "spara som PDF i Word.")
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for name, data in files:
            path = Path(folder) / name
            path.write_bytes(data)
            paths.append(path)
        subprocess.run([program, "--headless", "--convert-to", "pdf", "--outdir", folder, *map(str, paths)],
                       check=True, capture_output=True, timeout=300,
                       env={"HOME": folder, "PATH": "/usr/bin:/bin"})
        return [(p.with_suffix(".pdf").name, p.with_suffix(".pdf").read_bytes()) for p in paths]


# --- the jury dossier --------------------------------------------------------------------


def dossier_context(store: Store, user: User, year: int) -> dict:
    """The jury dossier's content, as this viewer may see it: exactly the candidates the
    jury decides, grouped by class (or by proposal where the year has no classes), each
    group's ranking first. With the pseudonym setting on, the preparatory group and the
    jury read "Kandidat A", no organisation, and the teams' texts with the names the
    workbench knows replaced, exactly as on their screens."""
    access.require(store, user, "dossier.read", year=year)
    framework = load_framework(year)
    names = jury.mask(store, user, year)
    groups = []
    for group in jury.candidate_groups(framework, jury.shortlist(store, user, year)):
        ranking, candidates = [], []
        for place, candidate in enumerate(group.candidates, start=1):
            ranking.append({"plats": place, "enhet": clean(candidate.name),
                            "forslag": phases.Proposal(candidate.proposal).label,
                            "totalt": candidate.total if candidate.total is not None else "–",
                            "behorighet": candidate.eligibility})
            candidates.append(_dossier_candidate(store, user, framework, candidate, names))
        groups.append({"namn": group.name, "rangordning": ranking, "kandidater": candidates})
    return {"ar": year, "datum": swedish_date(calendar.today()), "har_klasser": framework.has_classes,
            "grupper": groups, "klasser": groups}


def _dossier_candidate(store: Store, user: User, framework, candidate, names: jury.Mask) -> dict:
    # The results only: those above the teams never read an examiner's own work.
    work = consensus.workspace(store, user, candidate.contribution_id, individual=False)
    profile = [{"omrade": a.title, "poang": framework.area_score_for(a.code, work.scores.get(a.code, {})) or "–"}
               for a in framework.areas]
    rationales = dict(store.fetchall("SELECT area_code, rationale FROM consensus_areas WHERE contribution_id = ?"
                                     " AND left_open", [candidate.contribution_id]))
    open_issues = [clean(f"{framework.area(code).title}: "
                         f"{names.text(rationales.get(code) or '') or 'laget lämnade ingen motivering.'}")
                   for code in (a.code for a in framework.areas) if code in work.left_open]
    summary, questions = site_visit_summary(work, names)
    return {
        "enhet": clean(candidate.name), "forvaltning": clean(candidate.organisation), "klass": candidate.class_name,
        "forslag": phases.Proposal(candidate.proposal).label, "motivering": clean(candidate.motivation),
        "behorighet": candidate.eligibility, "totalt": candidate.total if candidate.total is not None else "–",
        "profil": profile, "styrkor": [clean(names.text(f.text)) for f in work.area_findings(None, "styrka")],
        "utvecklingsomraden": [clean(names.text(f.text)) for f in work.area_findings(None, "utvecklingsomrade")],
        "platsbesok": summary, "platsbesok_fragor": questions, "oenigheter": open_issues,
        "utkast_motivering": clean(names.text(motivations.draft(store, user, candidate.contribution_id)[0])),
    }


def site_visit_summary(work: consensus.Workspace, names: jury.Mask = jury.SHOWN) -> tuple[str, list[str]]:
    """The site visit in a few lines: when, who, the documents, how the questions came out;
    and the questions that were not confirmed or brought new information, with the notes."""
    visit = work.site_visit
    if not visit.date and not visit.questions:
        return "Platsbesöket är inte registrerat.", []
    outcomes = {key: sum(q.get("outcome") == key for q in visit.questions) for key in consensus.OUTCOMES}
    missing = [d for d, state in visit.documents.items() if state == "saknas"]
    parts = [f"Platsbesök {swedish_date(visit.date)}." if visit.date else "Platsbesöket saknar datum."]
    if visit.participants:
        parts.append(f"Deltagare: {names.text(visit.participants)}.")
    parts.append(f"Dokument: {sum(s == 'sedd' for s in visit.documents.values())} sedda"
                 + (f", saknades: {', '.join(missing)}." if missing else "."))
    parts.append(f"Frågor: {outcomes['bekraftad']} bekräftade, {outcomes['ej_bekraftad']} inte bekräftade, "
                 f"{outcomes['ny_information']} med ny information.")
    notable = [f"{consensus.OUTCOMES[q['outcome']]}: {q['text']}" + (f" – {q['notes']}" if q.get("notes") else "")
               for q in visit.questions if q.get("outcome") in ("ej_bekraftad", "ny_information")]
    return clean(" ".join(parts)), [clean(names.text(n)) for n in notable]


def jury_minutes(store: Store, user: User, year: int) -> tuple[str, bytes]:
    """The jury's minutes in Word: the members and the chair, and per candidate the decision,
    the motivation, why it went beyond the team's proposal, who took part and who was recused."""
    content = jury.minutes(store, user, year)
    document = Document()
    document.add_heading(f"Domarkommitténs protokoll – Kvalitetsutmärkelsen {year}", level=0)
    document.add_paragraph(swedish_date(calendar.today()))
    document.add_heading("Ledamöter", level=1)
    for person in content["members"]:
        document.add_paragraph(clean(person["name"] + (f", {person['organisation']}" if person["organisation"] else "")
                                     + (" (ordförande)" if person["is_chair"] else "")), style="List Bullet")
    for group in content["groups"]:
        document.add_heading(clean(group["name"]), level=1)
        for item in group["candidates"]:
            document.add_heading(clean(item["name"]), level=2)
            document.add_paragraph(clean(f"Lagets förslag: {item['proposal']}. Beslut: {item['decision']}."))
            if item["motivation"]:
                document.add_paragraph(clean(f"Motivering: {item['motivation']}"))
            if item["deviation_reason"]:
                document.add_paragraph(clean(f"Skäl till att beslutet går längre än lagets förslag: "
                                             f"{item['deviation_reason']}"))
            if item["taking_part"]:
                document.add_paragraph(clean("Deltog i beslutet: " + ", ".join(item["taking_part"]) + "."))
            if item["recused"]:
                document.add_paragraph(clean("Deltog inte i beslutet på grund av jäv: "
                                             + ", ".join(item["recused"]) + "."))
    buffer = io.BytesIO()
    document.save(buffer)
    return f"Domarkommitténs protokoll {year}.docx", buffer.getvalue()


def jury_dossier(store: Store, user: User, year: int) -> tuple[str, bytes]:
    access.require(store, user, "dossier.read", year=year)
    return (f"Juryunderlag {year}.docx", render(template(store, DOSSIER), dossier_context(store, user, year)))


# --- the year's scores in Excel ------------------------------------------------------------


def scores_workbook(store: Store, user: User, year: int) -> bytes:
    """The year's scores for people to read in Excel: one sheet per view, submitted work apart
    from drafts, Swedish words for every status, the rationales, a total per contribution and
    the jury's decisions; each sheet with a bold header that stays in view, filters and widths."""
    access.require(store, user, "scores.workbook")
    framework = load_framework(year)
    areas = {a.code: a for a in framework.areas}
    criteria = {(a.code, c.code): c.title for a in framework.areas for c in a.criteria}
    status_label = phases.AssessmentStatus.labels()
    book = openpyxl.Workbook()
    sheets = {}
    for index, (name, header) in enumerate((
            ("Totalt per bidrag", ["Bidrag", "Lag", "Konsensus totalt", "Individuellt totalt (medel)",
                                   "Inlämnade bedömningar", "Utkast"]),
            ("Individuella poäng", ["Bidrag", "Examinator", "Status", "Frågeområde", "Bedömningsgrund", "Poäng"]),
            ("Individuella områden", ["Bidrag", "Examinator", "Status", "Frågeområde", "Områdespoäng",
                                      "Bidragets totalpoäng"]),
            ("Utkast (ej inlämnade)", ["Bidrag", "Examinator", "Status", "Frågeområde", "Bedömningsgrund", "Poäng"]),
            ("Konsensuspoäng", ["Bidrag", "Frågeområde", "Bedömningsgrund", "Poäng", "Motivering"]),
            ("Konsensus per område", ["Bidrag", "Frågeområde", "Områdespoäng", "Motivering för området"]),
            ("Faser och förslag", ["Bidrag", "Förvaltning/bolag", "Tävlingsklass", "Lag", "Fas", "Lagets förslag",
                                   "Förslagets motivering", "Rapport slutlig", "Juryns beslut",
                                   "Beslutets motivering"]))):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = name
        sheet.append(header)
        sheets[name] = sheet
    units = dict(store.fetchall("SELECT c.id, n.name FROM contributions c JOIN units n ON n.id = c.unit_id"
                                " WHERE c.year = ?", [year]))
    teams = dict(store.fetchall("SELECT s.contribution_id, t.name FROM assignments s JOIN teams t ON t.id = s.team_id"
                                " WHERE t.year = ?", [year]))
    work_by_unit = sorted(individual_scores(store, year=year, submitted_only=False),
                          key=lambda w: (units[w.contribution_id], w.examiner))
    individual_totals: dict[str, list[float]] = {}
    drafts: dict[str, int] = {}
    for work in work_by_unit:
        unit, status = units[work.contribution_id], work.status
        submitted = status in phases.SUBMITTED
        total = framework.total_for({area: s.score for area, s in work.areas.items()})
        if submitted and total is not None:
            individual_totals.setdefault(unit, []).append(total)
        elif not submitted:
            drafts[unit] = drafts.get(unit, 0) + 1
        scores_sheet = sheets["Individuella poäng" if submitted else "Utkast (ej inlämnade)"]
        for area, area_scores in sorted(work.areas.items()):
            title = areas[area].title if area in areas else area
            for criterion, value in area_scores.criteria.items():
                append_literal(scores_sheet, [unit, work.examiner, status_label.get(status, status), title,
                                              criteria.get((area, criterion), criterion), value])
            if submitted:
                append_literal(sheets["Individuella områden"],
                               [unit, work.examiner, status_label.get(status, status), title, area_scores.score, total])
    consensus_scores: dict[str, dict[str, dict[str, int]]] = {}
    for unit, area, criterion, value, why in store.fetchall(
            "SELECT n.name, s.area_code, s.criterion_code, s.score, s.rationale FROM consensus_scores s"
            " JOIN contributions c ON c.id = s.contribution_id JOIN units n ON n.id = c.unit_id WHERE c.year = ?"
            " ORDER BY n.name, s.area_code", [year]):
        append_literal(sheets["Konsensuspoäng"], [unit, areas[area].title if area in areas else area,
                                                  criteria.get((area, criterion), criterion), value, why or ""])
        if value is not None:
            consensus_scores.setdefault(unit, {}).setdefault(area, {})[criterion] = value
    rationales = {(units.get(cid), area): text for cid, area, text in store.fetchall(
        "SELECT contribution_id, area_code, rationale FROM consensus_areas WHERE rationale IS NOT NULL")}
    consensus_totals = {}
    for unit, by_area in consensus_scores.items():
        profile = {}
        for area, values in by_area.items():
            profile[area] = framework.area_score_for(area, values)
            append_literal(sheets["Konsensus per område"], [unit, areas[area].title if area in areas else area,
                                                            profile[area], rationales.get((unit, area), "")])
        consensus_totals[unit] = framework.total_for(profile)
    for cid, unit in sorted(units.items(), key=lambda item: item[1]):
        mine = individual_totals.get(unit, [])
        append_literal(sheets["Totalt per bidrag"], [
            unit, teams.get(cid, ""), consensus_totals.get(unit),
            round(sum(mine) / len(mine), 1) if mine else None, len(mine), drafts.get(unit, 0)])
    decision_label = phases.Decision.labels()
    for row in store.fetchall(
            "SELECT n.name, n.organisation, c.class_code, t.name, c.phase, p.proposal, p.motivation, r.final,"
            " d.decision, d.motivation"
            " FROM contributions c JOIN units n ON n.id = c.unit_id LEFT JOIN assignments s ON s.contribution_id = c.id"
            " LEFT JOIN teams t ON t.id = s.team_id LEFT JOIN proposals p ON p.contribution_id = c.id"
            " LEFT JOIN reports r ON r.contribution_id = c.id LEFT JOIN decisions d ON d.contribution_id = c.id"
            " WHERE c.year = ? ORDER BY n.name", [year]):
        unit, organisation, class_code, team, phase, proposal, motivation, final, decision, why = row
        append_literal(sheets["Faser och förslag"], [
            unit, organisation, framework.class_name(class_code), team or "", phases.ContributionPhase(phase).label,
            phases.Proposal.labels().get(proposal, ""), motivation or "", "ja" if final else "nej",
            decision_label.get(decision, ""), why or ""])
    for sheet in sheets.values():
        finish_sheet(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

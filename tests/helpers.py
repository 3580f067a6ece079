"""Helpers the tests share: logins, demo accounts, and finding or preparing a contribution
in a given state through the core's own commands."""

from __future__ import annotations

import ast
import datetime as dt
import io
import zipfile
from pathlib import Path

from docx import Document
from streamlit.testing.v1 import AppTest

from scoring.assessment import individual as assessments
from scoring.consensus import workspace as consensus
from scoring.consensus.rules import agenda, group_findings
from scoring.core import access, auth
from scoring.core.store import Store
from scoring.reports.templates import FEEDBACK, TEMPLATE_DIR
from scoring.teams import conflicts
from scoring.year.framework import load_framework
from workbench_tools import demo

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORK = load_framework(demo.DEMO_YEAR)

APP = str(ROOT / "app.py")


ADMIN = "kvalitetsenheten@demo.stockholm.se"


EXAMINER = "erik.lind@demo.stockholm.se"


COORDINATOR = "lisa.berg@demo.stockholm.se"


PREPARATORY = "beredning@demo.stockholm.se"


JURY = "jury@demo.stockholm.se"


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success",
                                  "warning", "error") for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def login(email: str, password: str = demo.DEMO_PASSWORD) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.text_input[0].input(email)
    at.text_input[1].input(password)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def ready(store):
    """A contribution whose whole team has submitted, and its coordinator."""
    cid, email = store.fetchone(
        "SELECT c.id, u.email FROM contributions c JOIN assignments s ON s.contribution_id = c.id"
        " JOIN teams t ON t.id = s.team_id JOIN users u ON u.id = t.coordinator_id"
        " WHERE c.phase = 'individuell_bedomning' AND NOT EXISTS (SELECT 1 FROM team_members m"
        "  LEFT JOIN assessments a ON a.examiner_id = m.user_id AND a.contribution_id = c.id"
        "  WHERE m.team_id = t.id AND coalesce(a.status, '') <> 'inlamnad') ORDER BY c.id LIMIT 1")
    return cid, auth.user_by_email(store, email)


def agree_everything(store, lead, cid, version):
    """Medians, rationales and one merged finding of each kind per area: what a gate needs."""
    work = consensus.workspace(store, lead, cid)
    for item in agenda(FRAMEWORK, list(work.individual.values()), work.threshold):
        for code, spread in item.criteria.items():
            version = consensus.set_score(store, lead, cid, version, item.area_code, code, spread.median_offer)
        version = consensus.set_rationale(store, lead, cid, version, item.area_code, "Enades.")
    taken = set()
    for group in group_findings(work.source_findings):
        if (group.area_code, group.kind) not in taken:
            version = consensus.add_finding(store, lead, cid, version, area_code=group.area_code, kind=group.kind,
                                            text=group.text, sources=list(group.members))
            taken.add((group.area_code, group.kind))
    return version


def not_started(store, *, exclude: set[int] = frozenset()):
    """A team member and a contribution of their team they have not started; declared."""
    row = store.fetchone(
        "SELECT u.email, s.contribution_id FROM assignments s JOIN team_members m ON m.team_id = s.team_id"
        " JOIN users u ON u.id = m.user_id JOIN teams t ON t.id = s.team_id"
        " WHERE u.id <> t.coordinator_id AND NOT EXISTS (SELECT 1 FROM assessments a"
        "   WHERE a.contribution_id = s.contribution_id AND a.examiner_id = u.id)"
        f" AND u.id NOT IN ({','.join(map(str, exclude)) or '-1'}) ORDER BY s.contribution_id, u.id LIMIT 1")
    user = auth.user_by_email(store, row[0])
    if access.needs_declaration(store, user, row[1]):
        conflicts.declare(store, user, row[1], has_conflict=False, confidentiality_accepted=True)
    return user, row[1]


def score_everything(store, user, cid, version: int, value: int = 50) -> int:
    for area in FRAMEWORK.areas:
        for criterion in area.criteria:
            version = assessments.set_criterion_score(store, user, cid, version, area.code, criterion.code, value)
    return version


def finished(store):
    """The demo contribution whose consensus is done and report final, and its coordinator."""
    cid, email = store.fetchone(
        "SELECT r.contribution_id, u.email FROM reports r JOIN assignments s ON s.contribution_id = r.contribution_id"
        " JOIN teams t ON t.id = s.team_id JOIN users u ON u.id = t.coordinator_id WHERE r.final LIMIT 1")
    return cid, auth.user_by_email(store, email)


def edited_template(replace: dict[str, str]) -> bytes:
    document = Document(TEMPLATE_DIR / f"{FEEDBACK}.docx")
    for paragraph in document.paragraphs:
        for old, new in replace.items():
            if old in paragraph.text:
                for run in paragraph.runs:
                    run.text = run.text.replace(old, new)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def team_of(store: Store, email: str) -> dict:
    """The demo team of an examiner, read from the store: members and units by name."""
    team_id = store.fetchone(
        "SELECT m.team_id FROM team_members m JOIN users u ON u.id = m.user_id WHERE u.email = ?", [email])[0]
    members = {r[0] for r in store.fetchall(
        "SELECT u.name FROM team_members m JOIN users u ON u.id = m.user_id WHERE m.team_id = ?", [team_id])}
    units = sorted(r[0] for r in store.fetchall(
        "SELECT u.name FROM assignments a JOIN contributions c ON c.id = a.contribution_id"
        " JOIN units u ON u.id = c.unit_id WHERE a.team_id = ?", [team_id]))
    others = sorted(r[0] for r in store.fetchall(
        "SELECT u.name FROM assignments a JOIN contributions c ON c.id = a.contribution_id"
        " JOIN units u ON u.id = c.unit_id WHERE a.team_id <> ?", [team_id]))
    return {"id": team_id, "members": members, "units": units, "other_units": others}



def through_to_the_feedback(store, lead, cid) -> int:
    """Take a contribution whose team has handed in through consensus, the site visit and
    the key themes to "återkoppling klar", as a coordinator does; returns the version."""
    version = consensus.open_consensus(store, lead, cid, 0)
    version = agree_everything(store, lead, cid, version)
    version = consensus.advance(store, lead, cid, version)
    visit = consensus.workspace(store, lead, cid).site_visit
    version = consensus.save_visit(store, lead, cid, version, date=dt.date(2026, 9, 22), participants="Laget",
                                   documents={d: "sedd" for d in FRAMEWORK.site_visit_documents})
    version = consensus.save_questions(store, lead, cid, version, [{**q, "outcome": "bekraftad"} for q in visit.questions])
    version = consensus.advance(store, lead, cid, version)
    for kind in ("styrka", "utvecklingsomrade"):
        for n in range(3):
            version = consensus.add_finding(store, lead, cid, version, area_code=None, kind=kind, text=f"Tema {n}")
    return consensus.advance(store, lead, cid, version)


def paragraph_bomb(paragraphs: int) -> bytes:
    """A small .docx whose main document is nothing but empty paragraphs: 30 million of them
    pack into about 300 KB and unpack to under 200 MB, within the unpacked-size cap."""
    buffer = io.BytesIO()
    Document().save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for item in source.infolist():
            if item.filename != "word/document.xml":
                bomb.writestr(item, source.read(item))
        with bomb.open("word/document.xml", "w") as part:
            part.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                       b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
            chunk = b"<w:p/>" * 100_000
            for _ in range(paragraphs // 100_000):
                part.write(chunk)
            part.write(b"<w:p/>" * (paragraphs % 100_000) + b"</w:body></w:document>")
    return out.getvalue()


def page_file(key: str) -> str:
    """A page's file, from the router's own table (app.py is a script: read, not imported)."""
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    table = next(n.value for n in tree.body if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "PAGES")
    return str(ROOT / ast.literal_eval(table)[key][0])


def jury_declared(store: Store, judge: auth.User, year: int = 2026) -> None:
    """``judge`` has declared no conflict on every candidate so far (as on Beslut), so the
    jury may read and decide them (issue 17: declarations before the candidates)."""
    from scoring.jury import members

    members.declare(store, judge, year, {c["contribution_id"]: False for c in members.to_declare(store, judge, year)})


def jury_member(store: Store, admin: auth.User, judge: auth.User, year: int = 2026) -> None:
    """``judge`` listed as the year's (only) jury member, the chair, and declared."""
    from scoring.jury import members

    members.add_member(store, admin, year, judge.email, "", True)
    jury_declared(store, judge, year)

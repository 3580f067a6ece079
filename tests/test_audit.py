"""The audit log: every write operation of scoring/ logs who, when, what, before and after;
the admin's view filters and exports it."""

from __future__ import annotations

import ast
import datetime as dt
import functools
import io
import random
import re
import sys
from pathlib import Path

import openpyxl
import pytest
from mail_server import running

import scoring
from scoring.assessment import individual as assessments
from scoring.assessment import scorebook
from scoring.consensus import workspace as consensus
from scoring.core import access, audit, auth, backup, drafts, password_links
from scoring.core.store import Store, UnitOfWork
from scoring.core.store_postgres import PostgresCursor
from scoring.feedback import results, visits
from scoring.intake import changes, eligibility, picture_settings, registrations
from scoring.intake import review as intake_store
from scoring.jury import members as jury_members
from scoring.jury import motivations
from scoring.jury import shortlist as jury
from scoring.mail import notices, outbox, reminders
from scoring.mail import templates as mail_templates
from scoring.reports import documents as reports
from scoring.reports.templates import FEEDBACK
from scoring.teams import assignment as teams
from scoring.teams import conflicts, examiners
from scoring.year import framework_store, next_year, progress, years
from scoring.year.framework import load_framework
from workbench_tools.demo import DEMO_PASSWORD, DEMO_YEAR, UNITS, build_demo, contribution_file

SCORING = Path(scoring.__file__).parent
# Modules that only fill a database for a demo, a benchmark or the load test, or are the command line.
# The command line is not an operation; the demo and benchmark builders live outside scoring/.
NOT_OPERATIONS = {"__main__"}
# A session's last_seen is touched every 30 seconds while someone works; logging each touch
# would bury the log. Logins, logouts and expiries are logged.
UNLOGGED_TABLES = {"core.auth.session_user": {"sessions"},
                   # A draft is kept every second or so while someone types; the field's own save
                   # is logged when it is left (scoring/core/drafts.py).
                   "core.drafts.save_draft": {"drafts"}, "core.drafts.clear_draft": {"drafts"}}
# Operations that only ever write unlogged tables: called in the year of work, never logged.
NEVER_LOGGED = {"core.drafts.save_draft", "core.drafts.clear_draft"}
FRAMEWORK = load_framework(DEMO_YEAR)
ADMIN = "kvalitetsenheten@demo.stockholm.se"
EXAMINER = "erik.lind@demo.stockholm.se"


def write_operations() -> tuple[set[str], set[str]]:
    """(operations, helpers) found in the source: a function that opens a write transaction
    (store.write; a file's or a pipe's write is none) or changes a record through a versioned
    _modify, or takes a unit of work and changes rows.
    Private helpers taking a unit of work are parts of their caller's change."""
    operations, helpers = set(), set()
    for path in SCORING.rglob("*.py"):
        module = ".".join(path.relative_to(SCORING).with_suffix("").parts)
        if path.stem in NOT_OPERATIONS:
            continue
        text = path.read_text(encoding="utf-8")
        for node in ast.parse(text).body:
            if not isinstance(node, ast.FunctionDef) or node.name == "_modify":
                continue
            source = ast.get_source_segment(text, node)
            takes_uow = [a.arg for a in node.args.args][:1] == ["uow"]
            if takes_uow and node.name.startswith("_") and re.search(r"\b(INSERT|UPDATE|DELETE)\b", source):
                helpers.add(f"{module}.{node.name}")
            elif re.search(r"\bstore\.write\(", source) or "_modify(" in source or (
                    takes_uow and re.search(r"\b(INSERT|UPDATE|DELETE)\b", source)):
                operations.add(f"{module}.{node.name}")
    return operations, helpers


def _state(reader) -> dict:
    return {t: v for t, v in backup.fingerprints(reader).items() if t != "audit_log"}


def _audit_rows(reader, after_id: int) -> list[tuple]:
    return reader.execute("SELECT actor, action, entity, before_value, after_value, at_time FROM audit_log"
                          " WHERE id > ? ORDER BY id", [after_id]).fetchall()


def _last_id(reader) -> int:
    return reader.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0]


_readers: dict[int, object] = {}


def _reader(store: Store):
    """A cursor outside the store's units of work, to read the tables before and after a call."""
    if store.dialect == "duckdb":
        return store._connection.cursor()
    if id(store) not in _readers:  # one connection per store, taken from its pool for the whole test
        _readers[id(store)] = PostgresCursor(store._pool.getconn())
    return _readers[id(store)]


class Recorder:
    """Wraps every write operation: a call that changed any table must have added audit rows."""

    # Each operation is checked on its first calls (the demo year calls some of them hundreds
    # of times, and reading every table around each call is most of this test's time); an
    # operation that has not yet logged anything stays checked on every call.
    SAMPLES = 25

    def __init__(self) -> None:
        self.logged: dict[str, int] = {}
        self.calls: dict[str, int] = {}
        self.failures: list[str] = []

    def wrap(self, name: str, function):
        recorder = self

        @functools.wraps(function)
        def recorded(*args, **kwargs):
            first = args[0] if args else None
            recorder.calls[name] = recorder.calls.get(name, 0) + 1
            if recorder.calls[name] > recorder.SAMPLES and name in recorder.logged:
                return function(*args, **kwargs)
            if isinstance(first, UnitOfWork):
                reader, actor = first.cursor, first.actor
            elif isinstance(first, Store):
                reader = _reader(first)
                user = args[1] if len(args) > 1 and isinstance(args[1], auth.User) else None
                actor = user.email if user else None
            else:
                return function(*args, **kwargs)
            before_state, before_id = _state(reader), _last_id(reader)
            try:
                return function(*args, **kwargs)
            finally:  # also after an exception: some write first, then say no (a lockout, an expiry)
                recorder.check(name, reader, actor, before_state, before_id)

        return recorded

    def check(self, name: str, reader, actor: str | None, before_state: dict, before_id: int) -> None:
        changed = {t for t, v in _state(reader).items() if before_state.get(t) != v}
        changed -= UNLOGGED_TABLES.get(name, set())
        rows = _audit_rows(reader, before_id)
        if changed and not rows:
            self.failures.append(f"{name} changed {sorted(changed)} without an audit entry")
        for who, what, entity, before, after, at in rows:
            if not (who and what and entity and at):
                self.failures.append(f"{name}: incomplete entry {who, what, entity, at}")
            if before is None and after is None:
                self.failures.append(f"{name}: '{what}' logs neither before nor after")
            if actor and who != actor:
                self.failures.append(f"{name}: logged as {who}, done by {actor}")
        if rows:
            self.logged[name] = self.logged.get(name, 0) + 1


@pytest.fixture
def recorder(monkeypatch):
    operations, _ = write_operations()
    rec = Recorder()
    for name in operations:
        module_name, function_name = name.rsplit(".", 1)
        original = getattr(sys.modules[f"scoring.{module_name}"], function_name)
        wrapped = rec.wrap(name, original)
        # Also where another module imported it by name.
        for module in [m for n, m in sys.modules.items() if n.startswith("scoring")]:
            for attribute, value in list(vars(module).items()):
                if value is original:
                    monkeypatch.setattr(module, attribute, wrapped)
    return rec


def test_the_source_scan_finds_the_write_operations():
    operations, helpers = write_operations()
    assert {"assessment.individual.add_finding", "consensus.workspace.set_score", "jury.shortlist.decide",
            "core.auth.add_user", "core.store.set_setting", "core.backup.download", "reports.documents.show_scores",
            "intake.review.accept"} <= operations
    assert {"intake.review._store_blocks", "consensus.workspace._store_visit"} <= helpers
    # A helper writes only inside its module's operations, which are checked.
    for helper in helpers:
        module, name = helper.rsplit(".", 1)
        source = (SCORING / (module.replace(".", "/") + ".py")).read_text(encoding="utf-8")
        callers = [node.name for node in ast.walk(ast.parse(source))
                   if isinstance(node, ast.FunctionDef) and node.name != name and any(
                       isinstance(c, ast.Call) and getattr(c.func, "id", None) == name for c in ast.walk(node))]
        assert callers, helper


def _year_of_work(store: Store, mailbox) -> str:
    """Every write operation once, on the demo year and beyond it, as the screens call them;
    returns the token of a password link that was used."""
    build_demo(store)
    admin, judge = auth.user_by_email(store, ADMIN), auth.user_by_email(store, "jury@demo.stockholm.se")
    # Accounts, logins, lockout, sessions.
    auth.create_account(store, admin, email="ny@stad.se", name="Ny Person", role="beredningsgrupp",
                        password="ett långt lösenord")
    with store.write("kommandoraden") as uow:
        auth.set_password(uow, auth.user_by_email(store, "ny@stad.se").id, "ett annat långt lösenord")
    for _ in range(5):
        with pytest.raises(auth.AuthError):
            auth.authenticate(store, "ny@stad.se", "fel lösenord")
    auth.unlock_account(store, admin, auth.user_by_email(store, "ny@stad.se").id)
    with pytest.raises(auth.AuthError):
        auth.authenticate(store, ADMIN, "fel")
    auth.authenticate(store, ADMIN, DEMO_PASSWORD)
    token = auth.create_session(store, admin)
    auth.sign(store, token)
    with pytest.raises(auth.SessionExpired):
        auth.session_user(store, token, now=auth.utcnow() + dt.timedelta(days=1))
    auth.end_session(store, auth.create_session(store, admin))
    # Examiner registry, intake, teams.
    examiners.import_examiners(store, admin, "lista.csv", (
        "Namn;E-post;Förvaltning/bolag;Arbetsplats;Kompetenser;År som examinator;Ny\n"
        "Ada Ny;ada.ny@stad.se;Serviceförvaltningen;Enhet A;analys;0;ja\n").encode())
    ada = auth.user_by_email(store, "ada.ny@stad.se")
    examiners.update_examiner(store, admin, ada.id, {"competences": "analys, skola"})
    unit = UNITS[0]
    first = intake_store.upload(store, admin, DEMO_YEAR, "Ny enhet.docx", contribution_file(
        FRAMEWORK, unit, random.Random(1), "rubriker"))
    review = intake_store.review(store, admin, first)
    block = next(b.id for b in review.blocks if review.places[b.id].question == 1)
    intake_store.correct(store, admin, first, review.version, {block: {"question": 2}})
    plan = intake_store.attach(store, admin, first, kind="bilaga", appendix_code="verksamhetsplan",
                               filename="Verksamhetsplan.pdf", data=b"%PDF-1.4\n% planen\n")
    intake_store.remove_attachment(store, admin, plan)
    intake_store.attach(store, admin, first, kind="bilaga", appendix_code="verksamhetsplan",
                        filename="Verksamhetsplan 2026.pdf", data=b"%PDF-1.4\n% planen, igen\n")
    second = intake_store.upload(store, admin, DEMO_YEAR, "Fel fil.docx", contribution_file(
        FRAMEWORK, unit, random.Random(2), "rubriker"))
    intake_store.reject(store, admin, second, "Fel år")
    # The office's own year: the schedule, registrations, when a file arrived, a request withdrawn.
    dates, version = years.schedule(store, DEMO_YEAR)
    years.update_schedule(store, admin, DEMO_YEAR, version, {**dates, "beredning": dt.date(2026, 10, 16)})
    years.make_current(store, admin, DEMO_YEAR)
    registered = registrations.add(store, admin, DEMO_YEAR, registrations.Registration("Ny enhet", "Socialförvaltningen"))
    registrations.update(store, admin, registered, registrations.Registration("Ny enhet", "Socialförvaltningen",
                                                                              note="Ringde"))
    gone = registrations.add(store, admin, DEMO_YEAR, registrations.Registration("Borta", "Socialförvaltningen"))
    registrations.remove(store, admin, gone)
    intake_store.set_received_at(store, admin, first, intake_store.review(store, admin, first).version,
                                 dt.datetime(2026, 5, 6, 8, 0))
    cid = intake_store.accept(store, admin, first, intake_store.review(store, admin, first).version,
                              unit_name="Ny enhet", organisation="Socialförvaltningen",
                              registration_id=registered, note="Tas emot med sina fynd.")
    request = changes.request_changes(store, admin, cid, "Bilden innehåller text.", 1)
    changes.withdraw(store, admin, request, "Fel bidrag")
    teams.create_team(store, admin, DEMO_YEAR, "Lag Sent", [ada.id], ada.id, "Examinator som kom till sent")
    year_teams = teams.teams_of_year(store, admin, DEMO_YEAR)
    roomy = next(t for t in year_teams if len(t["contributions"]) < 2)
    teams.assign(store, admin, cid, roomy["id"], "Kom in sent")
    teams.set_coordinator(store, admin, roomy["id"], next(m["id"] for m in roomy["members"]
                                                         if m["id"] != roomy["coordinator_id"]), "Byte")
    teams.move_examiner(store, admin, ada.id, roomy["id"], "Ny i laget")
    # One examiner's assessment, every kind of change.
    examiner = auth.User(ada.id, ada.email, ada.name, "examinator")
    conflicts.declare(store, examiner, cid, has_conflict=False, confidentiality_accepted=True)
    area = FRAMEWORK.areas[0]
    v = assessments.set_criterion_score(store, examiner, cid, 0, area.code, area.criteria[0].code, 40)
    v = assessments.add_finding(store, examiner, cid, v, area_code=area.code, kind="styrka", text="Tydligt mål.")
    fid = assessments.own_assessment(store, examiner, cid).areas[area.code].findings[0].id
    v = assessments.update_finding(store, examiner, cid, v, fid, text="Mycket tydligt mål.")
    v = assessments.set_note(store, examiner, cid, v, 1, "Fråga om målen.")
    v = assessments.set_site_visit_questions(store, examiner, cid, v, area.code, ["Hur följs målen upp?"])
    v = assessments.delete_finding(store, examiner, cid, v, fid)
    scorebook.import_file(store, examiner, cid, "bok.xlsx", scorebook.export(store, examiner, cid))
    for a in FRAMEWORK.areas:
        for c in a.criteria:
            v = assessments.own_assessment(store, examiner, cid).version
            assessments.set_criterion_score(store, examiner, cid, v, a.code, c.code, 60)
    assessments.submit(store, examiner, cid, assessments.own_assessment(store, examiner, cid).version)
    assessment_id = store.fetchone("SELECT id FROM assessments WHERE contribution_id = ? AND examiner_id = ?",
                                   [cid, ada.id])[0]
    assessments.reopen(store, admin, assessment_id, "Komplettera")
    # E-mail: the office's templates and reminders, the outbox sent, a failure retried, a password link.
    version = mail_templates.save(store, admin, "ateroppnad", 0, "Öppnad", "Hej {{ namn }}!")
    mail_templates.reset(store, admin, "ateroppnad", version)
    reminders.set_days_before(store, admin, 7)
    reminders.stop(store, admin, ada.id, "Ledig")
    reminders.resume(store, admin, ada.id)
    reminders.send_now(store, admin, DEMO_YEAR, "individuell_bedomning")
    reminders.send_due(store, DEMO_YEAR, dt.date(2026, 9, 8), "kommandoraden")
    mailbox.refuse = "550 Nej"
    failed = notices.invite_again(store, admin, ada.id)
    outbox.deliver(store, only=[failed])  # one message is enough, and the walk fingerprints every write
    mailbox.refuse = None
    outbox.retry(store, admin, failed)
    outbox.deliver(store, only=[failed])
    with store.write("kommandoraden") as uow:
        token, _ = password_links.issue(uow, ada.id)
    password_links.redeem(store, token, "ett tredje långt lösenord", "ett tredje långt lösenord")
    # Consensus edits on the demo's open consensus, and the year's settings.
    open_cid = store.fetchone("SELECT contribution_id FROM consensus c JOIN contributions k ON k.id ="
                              " c.contribution_id WHERE k.phase = 'konsensus'")[0]
    work = consensus.workspace(store, admin, open_cid)
    v = consensus.add_finding(store, admin, open_cid, work.version, area_code=area.code, kind="styrka", text="A")
    new = max(f.id for f in consensus.workspace(store, admin, open_cid).findings)
    v = consensus.update_finding(store, admin, open_cid, v, new, text="B")
    v = consensus.delete_finding(store, admin, open_cid, v, new)
    consensus.set_left_open(store, admin, open_cid, v, area.code, True)
    consensus.set_spread_threshold(store, admin, 25)
    eligibility.set_basic_control_questions(store, admin, DEMO_YEAR, ["Visar bokslutet ett underskott?"])
    eligibility.set_honourable_mention_return(store, admin, 2012, 1)
    # A new year's framework, copied and changed.
    framework_store.copy_framework(store, admin, DEMO_YEAR, 2031)
    data, version = framework_store.stored_data(store, admin, 2031)
    data["areas"][0]["questions"][0]["text"] = "Beskriv hur ni tar reda på målgruppernas behov."
    framework_store.save_framework(store, admin, 2031, data, version)
    # The jury committee and the preparatory group's draft.
    other = auth.user_by_email(store, "helena.ahlstrom@demo.stockholm.se")
    jury_members.declare(store, other, DEMO_YEAR, {c["contribution_id"]: c["suggested_conflict"]
                                                   for c in jury_members.to_declare(store, other, DEMO_YEAR)})
    jury_members.remove_member(store, admin, DEMO_YEAR, other.id)
    jury_members.add_member(store, admin, DEMO_YEAR, other.email, "Socialförvaltningen", False)
    preparer = auth.user_by_email(store, "beredning@demo.stockholm.se")
    candidate = jury.shortlist(store, preparer, DEMO_YEAR)[0].contribution_id
    motivations.save_draft(store, preparer, candidate, "Utkast från beredningen.", 0)
    picture_settings.set_passage_chars(store, admin, 150)
    reports.show_scores(store, admin, DEMO_YEAR, True)
    reports.save_template(store, admin, FEEDBACK, reports.template(store, FEEDBACK))
    reports.reset_template(store, admin, FEEDBACK)
    jury.set_pseudonymised(store, admin, DEMO_YEAR, True)
    backup.download(store, admin)
    # The jury decides and ends the year; the office says why the unfinished ones need not be.
    for proposed in jury.undecided(store, judge, DEMO_YEAR):
        jury.decide(store, judge, proposed, "ingen", "")
    for cid_left, _, _ in progress.unfinished(store, DEMO_YEAR):
        progress.excuse(store, admin, cid_left, "Hann inte bli klart i demoåret")
    jury.lock_year(store, judge, DEMO_YEAR)
    # After the jury: a feedback visit and the report handed over, the prize sums, the diplomas.
    final_cid = store.fetchone("SELECT contribution_id FROM reports WHERE final")[0]
    lead = auth.User(*store.fetchone("SELECT u.id, u.email, u.name, u.role FROM assignments s JOIN teams t"
                                     " ON t.id = s.team_id JOIN users u ON u.id = t.coordinator_id"
                                     " WHERE s.contribution_id = ?", [final_cid]))
    v = visits.book(store, lead, final_cid, 0, date=dt.date(2026, 11, 30), starts=dt.time(9), ends=dt.time(11),
                    place="Verksamheten", team_participants="Laget", unit_participants="Chefen")
    v = visits.record_held(store, lead, final_cid, v, held_on=dt.date(2026, 11, 30), notes="Bra samtal")
    visits.hand_over(store, lead, final_cid, v, on=dt.date(2026, 12, 1), how="Vid återbesöket")
    results.set_prize_amounts(store, admin, DEMO_YEAR, {"utmarkelse": 50_000, "hedersomnamnande": 25_000})
    drafts.save_draft(store, lead, "bedomning:1:note_1", "Påbörjad tanke", "")
    drafts.clear_draft(store, lead, "bedomning:1:note_1")
    # The next year, from the ended one: it has no instructions yet, so it starts with a copy.
    assert next_year.start_next_year(store, admin, DEMO_YEAR, DEMO_YEAR + 1)["framework_copied"]
    return token


def test_every_write_operation_is_logged_with_who_what_before_and_after(empty_store, recorder, monkeypatch):
    with running(monkeypatch) as mailbox:
        token = _year_of_work(empty_store, mailbox)
    operations, _ = write_operations()
    assert recorder.failures == []
    assert sorted(operations - NEVER_LOGGED - set(recorder.logged)) == []  # each was called and logged at least once
    assert set(recorder.calls) >= NEVER_LOGGED
    everything = " ".join(str(v) for row in empty_store.fetchall("SELECT * FROM audit_log") for v in row)
    secret = empty_store.setting("cookie_secret")
    assert "$argon2" not in everything and secret not in everything and "långt lösenord" not in everything
    assert token not in everything and mailbox.messages


def test_the_admin_filters_and_exports_the_log(demo_store):
    admin = auth.user_by_email(demo_store, ADMIN)
    examiner = auth.User(*demo_store.fetchone("SELECT id, email, name, role FROM users WHERE role = 'examinator'"
                                              " ORDER BY id LIMIT 1"))
    with pytest.raises(access.AccessDenied):
        audit.entries(demo_store, examiner)
    everything = audit.count(demo_store, admin)
    mine = audit.Filter(actor=ADMIN, action="godkänn bidrag")
    rows = audit.entries(demo_store, admin, mine)
    assert rows and len(rows) == audit.count(demo_store, admin, mine) < everything
    assert {(r["actor"], r["action"], r["entity"]) for r in rows} == {(ADMIN, "godkänn bidrag", "contributions")}
    assert [r["id"] for r in rows] == sorted((r["id"] for r in rows), reverse=True)
    choices = audit.choices(demo_store, admin)
    assert ADMIN in choices["actor"] and "godkänn bidrag" in choices["action"]
    # A search for a unit finds what happened to it, named (not only where its name was logged);
    # dates in Stockholm time.
    found = audit.entries(demo_store, admin, audit.Filter(text="hjulsta"), limit=None)
    assert all("Hjulsta" in r["about"] + r["before"] + r["after"] for r in found)
    assert {"contributions", "assessments", "intake_files"} <= {r["entity"] for r in found}
    assert any(r["entity"] == "assessments" and "Hjulsta" not in (r["after_value"] or "") for r in found)
    today = rows[0]["at_time"].date()
    assert audit.count(demo_store, admin, audit.Filter(since=today + dt.timedelta(days=1))) == 0
    assert audit.count(demo_store, admin, audit.Filter(until=today)) == everything
    # A hostile value is exported as text, never as a formula.
    with demo_store.write(ADMIN) as uow:
        uow.audit("prov", "settings", "x", None, "=HYPERLINK(\"http://x\")")
    book = openpyxl.load_workbook(io.BytesIO(audit.workbook(demo_store, admin, audit.Filter(action="prov"))))
    sheet = book["Händelselogg"]
    assert [c.value for c in sheet[1]] == list(audit.COLUMNS.values())
    assert sheet["F2"].value == '=HYPERLINK("http://x")' and sheet["F2"].data_type == "s"
    assert sheet["A1"].font.b and sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:F2"


def test_the_log_names_who_and_what(demo_store):
    admin = auth.user_by_email(demo_store, ADMIN)
    team = audit.entries(demo_store, admin, audit.Filter(action="bilda lag"), limit=1)[0]
    name, coordinator = demo_store.fetchone(
        "SELECT t.name, u.name FROM teams t JOIN users u ON u.id = t.coordinator_id WHERE t.id = ?",
        [int(team["entity_id"])])
    assert team["about"] == f"Lag: {name}" and team["who"] == "Vera Holm"
    assert f"lagsamordnare: {coordinator}" in team["after"] and "coordinator" not in team["after"]
    score = audit.entries(demo_store, admin, audit.Filter(entity="assessments", actor=EXAMINER), limit=1)[0]
    assert score["about"].startswith("Bedömning: Erik Lind om ")
    opened = audit.entries(demo_store, admin, audit.Filter(action="bedömningen inlämnad"), limit=1)[0]
    assert "status: Inlämnad" in opened["after"] and "status: Utkast" in opened["before"]  # labels, not codes
    declared = audit.entries(demo_store, admin, audit.Filter(entity="conflict_declarations"), limit=1)[0]
    assert "person: " in declared["after"] and "jäv: nej" in declared["after"]
    # A person's name finds what they did.
    by_name = audit.entries(demo_store, admin, audit.Filter(text="erik lind"), limit=None)
    assert len(by_name) > audit.count(demo_store, admin, audit.Filter(actor=EXAMINER)) > 0
    assert all("Erik Lind" in r["who"] + r["about"] + r["before"] + r["after"] for r in by_name)


def test_a_stockholm_evening_is_that_day():
    assert audit.local_time(dt.datetime(2026, 11, 23, 22, 30)) == dt.datetime(2026, 11, 23, 23, 30)
    assert audit.local_time(dt.datetime(2026, 6, 30, 22, 30)) == dt.datetime(2026, 7, 1, 0, 30)

"""E-mail against a real SMTP server the test starts (aiosmtpd on 127.0.0.1): every kind of
message arrives with the right recipients, subject, text and attachment; a server that
refuses or is down leaves the message failed in the outbox until a retry sends it; reminders
reach only those not done, once per deadline; names and reasons stay literal."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from aiosmtpd.smtp import AuthResult
from corpus import build
from helpers import ADMIN, FRAMEWORK, agree_everything, ready
from icalendar import Calendar
from mail_server import BASE_URL, FROM, REPLY_TO, free_port, running

from scoring.__main__ import main
from scoring.assessment import individual as assessments
from scoring.consensus import workspace as consensus
from scoring.core import auth, password_links
from scoring.core.errors import StaleWrite
from scoring.core.store import utcnow
from scoring.feedback import invites, visits
from scoring.intake import changes, registrations
from scoring.intake import review as intake
from scoring.mail import notices, outbox, reminders, sender, smtp, templates
from scoring.teams import assignment as teams
from scoring.teams import examiners
from scoring.year import phases

YEAR = 2026
HOSTILE = "Ada <script>alert(1)</script> {{ 7*7 }} ${namn} %s"
INDIVIDUAL_DEADLINE = dt.date(2026, 8, 28)   # the demo's schedule


@pytest.fixture
def mailbox(monkeypatch):
    with running(monkeypatch) as box:
        yield box


def admin_of(store):
    return auth.user_by_email(store, ADMIN)


def row_of(store, message_id: int) -> dict:
    return store.records("SELECT * FROM outbox WHERE id = ?", [message_id])[0]


def text(message) -> str:
    """The message's plain text (the part beside any attachment)."""
    return message.get_body(("plain",)).get_content()


def no_contribution_text(store, messages) -> None:
    """No message carries a passage of any contribution."""
    passages = [r[0][:60] for r in store.fetchall("SELECT text FROM contribution_blocks WHERE kind = 'stycke'"
                                                  " AND length(text) > 60")]
    for message in messages:
        body = text(message) if hasattr(message, "get_content") else message
        assert not [p for p in passages if p in body]


def import_examiner(store, name: str, email: str, organisation: str = "Idrottsförvaltningen") -> auth.User:
    examiners.import_examiners(store, admin_of(store), "lista.csv",
                               f"Namn;E-post;Förvaltning/bolag\n{name};{email};{organisation}\n".encode())
    return auth.user_by_email(store, email)


# --- each kind of message -----------------------------------------------------------------------------


def test_an_imported_examiner_is_invited_and_the_link_sets_a_password_once(demo_store, mailbox):
    import_examiner(demo_store, HOSTILE, "ada.ny@stad.se")
    [delivery] = outbox.deliver(demo_store)
    assert delivery.sent and delivery.answer.startswith("250 2.0.0 Mottaget")
    [message] = mailbox.messages
    assert mailbox.envelopes == [["ada.ny@stad.se"]]
    [to] = message["To"].addresses
    assert (to.addr_spec, to.display_name) == ("ada.ny@stad.se", HOSTILE)
    assert (message["From"], message["Reply-To"]) == (FROM, REPLY_TO)
    assert message["Subject"] == "Välkommen som examinator i Kvalitetsutmärkelsen 2026"
    assert message["Auto-Submitted"] == "auto-generated"
    body = text(message)
    assert body.startswith(f"Hej {HOSTILE}!\n") and f"Examinatorsstöd: {BASE_URL}/" in body
    token = re.search(rf"{re.escape(BASE_URL)}/\?losenord=(\S+)", body).group(1)
    assert re.search(r"gäller till \d+ \w+ 2026 kl\. \d\d\.\d\d\.", body)
    # The stored text never holds a working link; the store keeps only the link's hash.
    stored = demo_store.fetchone("SELECT body, status FROM outbox WHERE recipient = 'ada.ny@stad.se'")
    assert stored[1] == "skickat" and token not in stored[0] and outbox.LINK_PLACEHOLDER in stored[0]
    assert token not in str(demo_store.fetchall("SELECT * FROM password_links"))
    assert password_links.holder(demo_store, token).email == "ada.ny@stad.se"
    with pytest.raises(auth.AuthError, match="inte lika"):
        password_links.redeem(demo_store, token, "ett långt lösenord", "ett annat lösenord")
    with pytest.raises(auth.AuthError, match="minst 10 tecken"):
        password_links.redeem(demo_store, token, "kort", "kort")
    user = password_links.redeem(demo_store, token, "ett långt lösenord", "ett långt lösenord")
    assert auth.authenticate(demo_store, "ada.ny@stad.se", "ett långt lösenord").id == user.id
    with pytest.raises(auth.AuthError, match="redan använd"):
        password_links.redeem(demo_store, token, "ett tredje lösenord", "ett tredje lösenord")


def test_a_link_expires_and_a_new_invitation_replaces_the_old_link(demo_store, mailbox):
    ada = import_examiner(demo_store, "Ada Ny", "ada.ny@stad.se")
    outbox.deliver(demo_store)
    first = re.search(r"losenord=(\S+)", text(mailbox.messages[0])).group(1)
    notices.invite_again(demo_store, admin_of(demo_store), ada.id)
    outbox.deliver(demo_store)
    second = re.search(r"losenord=(\S+)", text(mailbox.messages[1])).group(1)
    with pytest.raises(auth.AuthError, match="slutat gälla"):
        password_links.holder(demo_store, first)
    assert password_links.holder(demo_store, second).user_id == ada.id
    later = utcnow() + dt.timedelta(hours=73)
    with pytest.raises(auth.AuthError, match="slutat gälla"):
        password_links.redeem(demo_store, second, "ett långt lösenord", "ett långt lösenord", now=later)
    with pytest.raises(auth.AuthError, match="inte giltig"):
        password_links.holder(demo_store, "påhittad")


def test_an_examiner_moved_into_a_team_hears_its_contributions_and_deadline(demo_store, mailbox):
    admin = admin_of(demo_store)
    ada = import_examiner(demo_store, "Ada Ny", "ada.ny@stad.se")
    team_id, team = demo_store.fetchone("SELECT t.id, t.name FROM teams t WHERE t.year = ? AND (SELECT count(*) FROM"
                                        " team_members m WHERE m.team_id = t.id) < 4 ORDER BY t.id LIMIT 1", [YEAR])
    teams.move_examiner(demo_store, admin, ada.id, team_id, "Förstärkning")
    outbox.deliver(demo_store)
    [message] = [m for m in mailbox.to("ada.ny@stad.se") if "examinatorslag" in m["Subject"]]
    assert len(mailbox.messages) == 2  # the invitation and this; nobody else in the team is told
    assert message["Subject"] == f"Ditt examinatorslag {team} har fått sina bidrag"
    units = sorted(r[0] for r in demo_store.fetchall(
        "SELECT u.name FROM assignments s JOIN contributions c ON c.id = s.contribution_id JOIN units u"
        " ON u.id = c.unit_id WHERE s.team_id = ?", [team_id]))
    body = text(message)
    assert notices.units_text(sorted(units, key=str.lower)) in body
    assert "senast 28 augusti 2026" in body and f"{BASE_URL}/" in body
    no_contribution_text(demo_store, mailbox.messages)


def test_a_reopened_assessment_tells_the_examiner_the_reason_literally(demo_store, mailbox):
    cid, lead = ready(demo_store)
    aid, email = demo_store.fetchone("SELECT a.id, u.email FROM assessments a JOIN users u ON u.id = a.examiner_id"
                                     " WHERE a.contribution_id = ? AND a.examiner_id <> ? ORDER BY a.id LIMIT 1",
                                     [cid, lead.id])
    reason = "Fråga 7 saknar <b>iakttagelser</b> {% if true %}x{% endif %} & 100 %"
    assessments.reopen(demo_store, lead, aid, reason)
    outbox.deliver(demo_store)
    [message] = mailbox.messages
    unit = demo_store.fetchone("SELECT u.name FROM contributions c JOIN units u ON u.id = c.unit_id WHERE c.id = ?",
                               [cid])[0]
    assert mailbox.envelopes == [[email]] and message["Subject"] == f"Din bedömning av {unit} är öppnad igen"
    body = text(message)
    assert f"\n{reason}\n" in body and f"{lead.name} har öppnat" in body and f"{BASE_URL}/bedomning" in body


def test_consensus_opened_and_the_site_visit_reach_the_team_with_a_calendar_invitation(demo_store, mailbox):
    cid, lead = ready(demo_store)
    team = {r[0] for r in demo_store.fetchall(
        "SELECT u.email FROM assignments s JOIN team_members m ON m.team_id = s.team_id JOIN users u"
        " ON u.id = m.user_id WHERE s.contribution_id = ?", [cid])}
    version = consensus.open_consensus(demo_store, lead, cid, 0)
    outbox.deliver(demo_store)
    unit = consensus.workspace(demo_store, lead, cid).unit
    assert sorted(e[0] for e in mailbox.envelopes) == sorted(team)
    assert {m["Subject"] for m in mailbox.messages} == {f"Konsensus för {unit} har börjat"}
    assert all("klar 11 september 2026" in text(m) for m in mailbox.messages)
    version = consensus.advance(demo_store, lead, cid, agree_everything(demo_store, lead, cid, version))
    documents = {d: "sedd" for d in FRAMEWORK.site_visit_documents}
    version = consensus.save_visit(demo_store, lead, cid, version, date=dt.date(2026, 9, 22), starts=dt.time(9),
                                   ends=dt.time(12), participants="Laget", documents=documents)
    outbox.deliver(demo_store)
    visits = [m for m in mailbox.messages if m["Subject"] == f"Platsbesök hos {unit} 22 september 2026"]
    assert sorted(str(m["To"].addresses[0].addr_spec) for m in visits) == sorted(team)
    body = text(visits[0])
    assert "bokat 22 september 2026 kl. 09.00–12.00" in body
    [ics] = [part for part in visits[0].iter_attachments()]
    assert ics.get_filename() == "platsbesok.ics" and ics.get_content_type() == "text/calendar"
    [event] = Calendar.from_ical(ics.get_payload(decode=True)).walk("VEVENT")
    start = event.decoded("dtstart")
    assert (start.replace(tzinfo=None), str(start.tzinfo)) == (dt.datetime(2026, 9, 22, 9), "Europe/Stockholm")
    assert event.decoded("dtend").hour == 12 and str(event["summary"]).startswith(f"Platsbesök: {unit} (")
    assert ics.get_payload(decode=True).replace(b"\r\n ", b"").split(b"DTSTAMP")[0] == invites.site_visit_file(
        demo_store, cid).replace(b"\r\n ", b"").split(b"DTSTAMP")[0]  # the file the consensus screen offers
    # Saving other details books nothing new; moving the visit sends the moved event.
    version = consensus.save_visit(demo_store, lead, cid, version, date=dt.date(2026, 9, 22), starts=dt.time(9),
                                   ends=dt.time(12), participants="Laget och rektorn", documents=documents)
    assert outbox.deliver(demo_store) == []
    consensus.save_visit(demo_store, lead, cid, version, date=dt.date(2026, 9, 24), participants="Laget",
                         documents=documents)
    outbox.deliver(demo_store)
    moved = [m for m in mailbox.messages if "24 september" in m["Subject"]]
    assert len(moved) == len(team)
    [moved_event] = Calendar.from_ical(next(moved[0].iter_attachments()).get_payload(decode=True)).walk("VEVENT")
    assert moved_event["uid"] == event["uid"] and moved_event["sequence"] > event["sequence"]
    assert moved_event.decoded("dtstart") == dt.date(2026, 9, 24)  # no time: a whole-day event
    no_contribution_text(demo_store, mailbox.messages)
    scores = {str(s) for (s,) in demo_store.fetchall("SELECT DISTINCT score FROM consensus_scores WHERE"
                                                     " contribution_id = ? AND score IS NOT NULL", [cid])}
    assert not any(re.search(rf"\b{s}\b", text(m)) for m in mailbox.messages for s in scores if int(s) > 31)


def test_booking_the_feedback_visit_sends_its_calendar_invitation_and_moving_it_sends_the_moved_one(demo_store,
                                                                                                  mailbox):
    cid, lead = ready(demo_store)
    with demo_store.write("test") as uow:  # the jury has decided (the demo year is not ended)
        uow.execute("UPDATE contributions SET phase = 'beslutad' WHERE id = ?", [cid])
    booking = {"starts": dt.time(13), "ends": dt.time(15), "place": "Skolans aula", "team_participants": "Laget",
               "unit_participants": "Rektor"}
    version = visits.book(demo_store, lead, cid, 0, date=dt.date(2026, 11, 5), **booking)
    outbox.deliver(demo_store)
    team = [m[1] for m in notices._team_of_contribution(demo_store, cid)]
    assert sorted(e[0] for e in mailbox.envelopes) == sorted(team) and len(team) > 2
    assert "kl. 13.00–15.00" in text(mailbox.messages[0])
    attachment = next(mailbox.messages[0].iter_attachments())
    assert attachment.get_filename() == "aterbesok.ics" and attachment.get_content_type() == "text/calendar"
    [event] = Calendar.from_ical(attachment.get_payload(decode=True)).walk("VEVENT")
    start = event.decoded("dtstart")
    assert (start.replace(tzinfo=None), str(start.tzinfo)) == (dt.datetime(2026, 11, 5, 13), "Europe/Stockholm")
    assert str(event["location"]) == "Skolans aula" and str(event["summary"]).startswith("Återbesök: ")
    _, offered = invites.feedback_visit_invite(demo_store, lead, cid)  # what Återbesök offers for download
    [offered_event] = Calendar.from_ical(offered).walk("VEVENT")
    assert (offered_event["uid"], offered_event["sequence"]) == (event["uid"], event["sequence"])
    # New participants only: nothing is sent. A new day: the moved event, same UID, higher SEQUENCE.
    version = visits.book(demo_store, lead, cid, version, date=dt.date(2026, 11, 5),
                          **{**booking, "team_participants": "Laget och samordnaren"})
    assert outbox.deliver(demo_store) == []
    visits.book(demo_store, lead, cid, version, date=dt.date(2026, 11, 6), **booking)
    outbox.deliver(demo_store)
    moved = [m for m in mailbox.messages if "6 november" in m["Subject"]]
    assert len(moved) == len(team)
    [moved_event] = Calendar.from_ical(next(moved[0].iter_attachments()).get_payload(decode=True)).walk("VEVENT")
    assert moved_event["uid"] == event["uid"] and moved_event["sequence"] > event["sequence"]
    no_contribution_text(demo_store, mailbox.messages)


def test_the_units_contact_gets_the_send_back_and_the_confirmation(demo_store, mailbox):
    admin = admin_of(demo_store)
    registration = next(r for r in registrations.registrations(demo_store, admin, YEAR) if r["contribution_id"] is None)
    data, _ = build(FRAMEWORK, "rubriker")
    intake_id = intake.upload(demo_store, admin, YEAR, "Vinden.docx", data, received_at=dt.datetime(2026, 5, 6, 8))
    cid = intake.accept(demo_store, admin, intake_id, 1, unit_name=registration["unit_name"],
                        organisation=registration["organisation"],
                        registration_id=registration["id"], note="Tas emot.")
    reason = "Bilden på sidan 3 innehåller text: <img> & {{ bild }}"
    request = changes.request_changes(demo_store, admin, cid, reason, 1, today=dt.date(2026, 5, 8))
    outbox.deliver(demo_store)
    [message] = mailbox.messages
    contact = (registration["contact_email"], registration["contact_name"])
    assert (message["To"].addresses[0].addr_spec, message["To"].addresses[0].display_name) == contact
    assert message["Subject"] == "Kvalitetsutmärkelsen 2026: ert bidrag behöver rättas senast 11 maj 2026"
    assert f"\n{reason}\n" in text(message) and "(1 arbetsdagar)" in text(message)
    assert "http" not in text(message)  # the unit has no login: no link
    corrected, _ = build(FRAMEWORK, "fetstil")
    new = changes.upload_correction(demo_store, admin, request, "Vinden rättad.docx", corrected,
                                    received_at=dt.datetime(2026, 5, 11, 8, 15))
    intake.accept(demo_store, admin, new, intake.review(demo_store, admin, new).version, note="Rättad.")
    outbox.deliver(demo_store)
    confirmation = mailbox.messages[1]
    assert confirmation["Subject"] == "Kvalitetsutmärkelsen 2026: vi har tagit emot er rättade version"
    assert f"från {registration['unit_name']} (11 maj 2026 kl. 10.15)" in text(confirmation)


# --- failures and retries --------------------------------------------------------------------------------------


def _one_invitation(store) -> int:
    import_examiner(store, "Ada Ny", "ada.ny@stad.se")
    return store.fetchone("SELECT max(id) FROM outbox")[0]


def test_a_refusing_server_leaves_the_message_failed_and_a_retry_sends_it(demo_store, mailbox):
    admin = admin_of(demo_store)
    message_id = _one_invitation(demo_store)
    mailbox.refuse = "550 5.1.1 Ingen sådan mottagare"
    [delivery] = outbox.deliver(demo_store)
    row = row_of(demo_store, message_id)
    assert not delivery.sent and row["status"] == "misslyckat" and row["attempts"] == 1
    assert "550 5.1.1 Ingen sådan mottagare" in row["server_answer"] and row["next_attempt_at"] is None
    assert mailbox.messages == []
    assert outbox.deliver(demo_store, now=utcnow() + dt.timedelta(days=1)) == []  # a refusal is not retried alone
    logged = demo_store.fetchone("SELECT actor, action FROM audit_log WHERE entity = 'outbox' ORDER BY id DESC LIMIT 1")
    assert logged == (outbox.SENDER, "e-post misslyckades")
    mailbox.refuse = None
    outbox.retry(demo_store, admin, message_id)
    [delivery] = outbox.deliver(demo_store)
    assert delivery.sent and len(mailbox.messages) == 1
    row = row_of(demo_store, message_id)
    assert (row["status"], row["attempts"]) == ("skickat", 2) and row["server_answer"].startswith("250")
    with pytest.raises(outbox.OutboxError, match="redan skickat"):
        outbox.retry(demo_store, admin, message_id)


def test_a_temporary_refusal_is_tried_again_after_a_pause(demo_store, mailbox):
    message_id = _one_invitation(demo_store)
    mailbox.refuse = "451 4.3.0 Försök senare"
    now = utcnow()
    outbox.deliver(demo_store, now=now)
    row = row_of(demo_store, message_id)
    assert row["status"] == "misslyckat" and row["next_attempt_at"] == now + dt.timedelta(minutes=1)
    mailbox.refuse = None
    assert outbox.deliver(demo_store, now=now + dt.timedelta(seconds=30)) == []
    [delivery] = outbox.deliver(demo_store, now=now + dt.timedelta(minutes=2))
    assert delivery.sent and row_of(demo_store, message_id)["status"] == "skickat"


def test_a_server_that_is_down_leaves_the_message_failed_until_it_is_back(demo_store, mailbox, monkeypatch):
    message_id = _one_invitation(demo_store)
    live_port = smtp.settings().port
    monkeypatch.setenv("WORKBENCH_SMTP_PORT", str(free_port()))  # nobody listens there
    now = utcnow()
    [delivery] = outbox.deliver(demo_store, now=now)
    row = row_of(demo_store, message_id)
    assert not delivery.sent and row["status"] == "misslyckat" and "svarar inte" in row["server_answer"]
    monkeypatch.setenv("WORKBENCH_SMTP_PORT", str(live_port))
    [delivery] = outbox.deliver(demo_store, now=now + dt.timedelta(minutes=2))
    assert delivery.sent and len(mailbox.messages) == 1


def test_the_server_login_is_used_and_a_wrong_password_is_reported(demo_store, monkeypatch):
    def check(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=(auth_data.login, auth_data.password) == (b"utskick", b"hemligt"), handled=False)

    with running(monkeypatch, authenticator=check, auth_require_tls=False) as box:
        monkeypatch.setenv("WORKBENCH_SMTP_USER", "utskick")
        monkeypatch.setenv("WORKBENCH_SMTP_PASSWORD", "fel")
        message_id = _one_invitation(demo_store)
        [failed] = outbox.deliver(demo_store)
        assert not failed.sent and failed.answer.startswith("535") and box.messages == []
        monkeypatch.setenv("WORKBENCH_SMTP_PASSWORD", "hemligt")
        outbox.retry(demo_store, admin_of(demo_store), message_id)
        [sent] = outbox.deliver(demo_store)
        assert sent.sent and len(box.messages) == 1
        assert "hemligt" not in str(demo_store.fetchall("SELECT * FROM audit_log"))


def test_without_a_mail_server_nothing_is_sent_and_the_outbox_says_so(demo_store, monkeypatch):
    admin = admin_of(demo_store)
    message_id = _one_invitation(demo_store)
    row = row_of(demo_store, message_id)
    assert row["status"] == "ej_skickat" and "Ingen e-postserver" in row["server_answer"]
    assert outbox.deliver(demo_store) == []
    with pytest.raises(reminders.ReminderError, match="Ingen e-postserver"):
        reminders.send_now(demo_store, admin, YEAR, "individuell_bedomning")
    with pytest.raises(outbox.OutboxError, match="Ingen e-postserver"):
        outbox.retry(demo_store, admin, message_id)
    assert "Ingen e-postserver är inställd" in outbox.server_line()
    with running(monkeypatch) as box:  # the office sets one up and sends it after all
        outbox.retry(demo_store, admin, message_id)
        outbox.deliver(demo_store)
        assert box.envelopes == [["ada.ny@stad.se"]]


def test_bad_settings_are_named(monkeypatch):
    monkeypatch.setenv("WORKBENCH_SMTP_HOST", "smtp.stad.se")
    monkeypatch.setenv("WORKBENCH_SMTP_SECURITY", "tls")
    with pytest.raises(smtp.MailSettingsError, match="WORKBENCH_SMTP_SECURITY"):
        smtp.settings()
    monkeypatch.setenv("WORKBENCH_SMTP_SECURITY", "ssl")
    with pytest.raises(smtp.MailSettingsError, match="WORKBENCH_MAIL_FROM saknas"):
        smtp.settings()
    monkeypatch.setenv("WORKBENCH_MAIL_FROM", "noreply@stockholm.se")
    assert smtp.settings().port == 465 and smtp.configured()
    monkeypatch.setenv("WORKBENCH_SMTP_PORT", "tjugofem")
    with pytest.raises(smtp.MailSettingsError, match="WORKBENCH_SMTP_PORT"):
        smtp.settings()


def test_a_line_break_in_a_name_never_becomes_a_header(demo_store, mailbox):
    import_examiner(demo_store, "Eva", "eva@stad.se")
    with demo_store.write(ADMIN) as uow:  # a name that came in some other way than the import's checks
        uow.execute("UPDATE outbox SET recipient_name = 'Eva\r\nBcc: spion@example.com' WHERE recipient = 'eva@stad.se'")
    outbox.deliver(demo_store)
    [message] = mailbox.messages
    assert mailbox.envelopes == [["eva@stad.se"]] and message["Bcc"] is None
    assert message["To"].addresses[0].display_name == "Eva Bcc: spion@example.com"


# --- reminders ----------------------------------------------------------------------------------------------------


def _not_submitted(store) -> dict[str, set[str]]:
    expected: dict[str, set[str]] = {}
    for email, unit in store.fetchall(
            "SELECT e.email, u.name FROM assignments s JOIN contributions c ON c.id = s.contribution_id JOIN units u"
            " ON u.id = c.unit_id JOIN team_members m ON m.team_id = s.team_id JOIN users e ON e.id = m.user_id"
            " LEFT JOIN assessments a ON a.contribution_id = c.id AND a.examiner_id = e.id LEFT JOIN"
            " conflict_declarations d ON d.contribution_id = c.id AND d.user_id = e.id WHERE c.year = ? AND"
            " NOT coalesce(d.has_conflict, FALSE) AND coalesce(a.status, '') NOT IN ('inlamnad', 'last')", [YEAR]):
        expected.setdefault(email, set()).add(unit)
    return expected


def test_reminders_reach_only_those_not_done_and_never_twice_for_a_deadline(demo_store, mailbox):
    admin = admin_of(demo_store)
    expected = _not_submitted(demo_store)
    assert 2 < len(expected) < demo_store.fetchone("SELECT count(*) FROM team_members")[0]
    stopped = sorted(expected)[0]
    reminders.stop(demo_store, admin, auth.user_by_email(demo_store, stopped).id, "Föräldraledig")
    # Five days before the deadline by default: not yet ten days before.
    assert reminders.send_due(demo_store, YEAR, INDIVIDUAL_DEADLINE - dt.timedelta(days=10), "test") == []
    sent = reminders.send_due(demo_store, YEAR, INDIVIDUAL_DEADLINE - dt.timedelta(days=3), "test")
    assert {p.email for _, p in sent} == set(expected) - {stopped}
    outbox.deliver(demo_store)
    assert sorted(e[0] for e in mailbox.envelopes) == sorted(set(expected) - {stopped})
    for message in mailbox.messages:
        address = message["To"].addresses[0].addr_spec
        assert message["Subject"] == "Påminnelse: individuell bedömning senast 28 augusti 2026"
        body = text(message)
        assert all(unit in body for unit in expected[address]) and "(om 3 dagar)" in body
        assert f"{BASE_URL}/bedomning" in body
    # Never twice for the same deadline: not the next day, not by the office's button.
    assert reminders.send_due(demo_store, YEAR, INDIVIDUAL_DEADLINE - dt.timedelta(days=2), "test") == []
    assert reminders.send_now(demo_store, admin, YEAR, "individuell_bedomning") == []
    plan = reminders.plan(demo_store, admin, YEAR, "individuell_bedomning")
    assert plan.due == [] and {p.email for p in plan.recipients if p.stopped} == {stopped}
    # Resumed: the person gets the one reminder they have not had.
    reminders.resume(demo_store, admin, auth.user_by_email(demo_store, stopped).id)
    assert [p.email for p in reminders.send_now(demo_store, admin, YEAR, "individuell_bedomning")] == [stopped]


def test_the_consensus_reminder_goes_to_the_coordinators_of_unfinished_consensus(demo_store, mailbox):
    expected = {r[0] for r in demo_store.fetchall(
        "SELECT u.email FROM contributions c JOIN assignments s ON s.contribution_id = c.id JOIN teams t"
        " ON t.id = s.team_id JOIN users u ON u.id = t.coordinator_id WHERE c.year = ? AND c.phase IN"
        " ('tilldelad', 'individuell_bedomning', 'konsensus')", [YEAR])}
    sent = reminders.send_due(demo_store, YEAR, dt.date(2026, 9, 9), "test")
    assert {key for key, _ in sent} == {"konsensus"} and {p.email for _, p in sent} == expected
    outbox.deliver(demo_store)
    assert {m["Subject"] for m in mailbox.messages} == {"Påminnelse: konsensus klar senast 11 september 2026"}


def test_the_command_line_sends_what_is_due_and_lists_the_outbox(demo_path, demo_store, mailbox, capsys):
    assert main(["mail", "send-reminders", "--year", "2026", "--today", "2026-08-25"]) == 0
    printed = capsys.readouterr().out
    assert printed.count("Påminnelse (individuell bedömning) till") == len(_not_submitted(demo_store))
    assert printed.count("skickat: ") == len(mailbox.messages) == len(_not_submitted(demo_store))
    assert main(["mail", "send-reminders", "--year", "2026", "--today", "2026-08-26"]) == 0
    assert "redan fått sin påminnelse" in capsys.readouterr().out and len(mailbox.messages) == len(_not_submitted(
        demo_store))
    assert main(["mail", "send-reminders", "--year", "2026", "--today", "2026-07-01"]) == 0
    assert "Inga påminnelser är aktuella" in capsys.readouterr().out
    assert main(["mail", "outbox", "--status", "skickat"]) == 0
    listed = capsys.readouterr().out
    assert listed.count("Påminnelse: individuell bedömning senast 28 augusti 2026") == len(mailbox.messages)
    assert main(["mail", "send-reminders", "--year", "2026", "--today", "28/8"]) == 2


def test_the_apps_sender_sends_in_the_background(demo_store, mailbox):
    assert sender.ensure_running(demo_store)
    try:
        ada = import_examiner(demo_store, "Ada Ny", "ada.ny@stad.se")
        mailbox.wait_for(1)
    finally:
        sender.stop(demo_store)
    assert mailbox.envelopes == [[ada.email]]
    assert demo_store.fetchone("SELECT status FROM outbox WHERE recipient = ?", [ada.email])[0] == "skickat"


# --- the office's templates ------------------------------------------------------------------------------------------


def test_the_office_edits_a_template_checked_and_previewed(demo_store, mailbox):
    admin = admin_of(demo_store)
    kind = templates.KINDS["ateroppnad"]
    with pytest.raises(templates.TemplateProblem, match=r"okänt fält \{\{ betyg \}\}"):
        templates.save(demo_store, admin, "ateroppnad", 0, "Öppnad", "Hej {{ namn }}, {{ betyg }}")
    with pytest.raises(templates.TemplateProblem, match="går inte att läsa"):
        templates.save(demo_store, admin, "ateroppnad", 0, "Öppnad", "Hej {{ namn ")
    with pytest.raises(templates.TemplateProblem):
        templates.check(kind, "Öppnad", "{{ namn.__class__.__mro__ }}")
    subject, body = templates.check(kind, "Öppnad: {{ bidrag }}", "Hej {{ namn }}!\n{{ orsak }}\n{{ lank }}")
    assert subject == "Öppnad: Förskolan Solen och Hemtjänsten Farsta" and body.startswith("Hej Erik Lind!")
    version = templates.save(demo_store, admin, "ateroppnad", 0, "Öppnad: {{ bidrag }}",
                             "Hej {{ namn }}!\n{{ orsak }}\n{{ lank }}")
    with pytest.raises(StaleWrite):
        templates.save(demo_store, admin, "ateroppnad", 0, "X", "Y {{ namn }}")
    cid, lead = ready(demo_store)
    aid = demo_store.fetchone("SELECT id FROM assessments WHERE contribution_id = ? AND examiner_id <> ? LIMIT 1",
                              [cid, lead.id])[0]
    assessments.reopen(demo_store, lead, aid, "Komplettera")
    outbox.deliver(demo_store)
    assert mailbox.messages[0]["Subject"].startswith("Öppnad: ") and "Komplettera" in text(mailbox.messages[0])
    templates.reset(demo_store, admin, "ateroppnad", version)
    assert templates.current(demo_store, "ateroppnad")[:2] == (kind.subject, kind.body)


def test_a_template_that_fails_on_real_values_never_stops_the_change(demo_store, mailbox):
    admin = admin_of(demo_store)
    templates.save(demo_store, admin, "ateroppnad", 0, "Öppnad", "{{ orsak[10] }}")  # fine on the sample, not on "Kort"
    cid, lead = ready(demo_store)
    aid = demo_store.fetchone("SELECT id FROM assessments WHERE contribution_id = ? AND examiner_id <> ? LIMIT 1",
                              [cid, lead.id])[0]
    assessments.reopen(demo_store, lead, aid, "Kort")
    assert demo_store.fetchone("SELECT status FROM assessments WHERE id = ?", [aid])[0] == "utkast"
    outbox.deliver(demo_store)
    [message] = mailbox.messages
    assert message["Subject"].endswith("är öppnad igen") and "\nKort\n" in text(message)
    assert "standardtexten" in demo_store.fetchone("SELECT why FROM outbox ORDER BY id DESC LIMIT 1")[0]


def test_every_default_template_renders_its_sample():
    for kind in templates.KINDS.values():
        subject, body = templates.check(kind, kind.subject, kind.body)
        assert subject and "{{" not in subject + body and "{%" not in body


def test_the_states_of_a_message_are_the_machines():
    assert phases.MAIL.table == "outbox"
    assert (phases.MailStatus.SKICKAT, phases.MailStatus.VANTAR) not in phases.MAIL.steps

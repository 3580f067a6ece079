"""AppTest: Utskick, Mina meddelanden, Välj lösenord, and the reminder on Årets gång."""

from __future__ import annotations

import re

import pytest
from helpers import ADMIN, APP, EXAMINER, login, texts
from mail_server import running
from streamlit.testing.v1 import AppTest

from scoring.core import auth, password_links
from scoring.mail import outbox, sender


def shown(text: str) -> str:
    """Text as the reader sees it (without the escapes that keep markdown literal)."""
    return re.sub(r"\\(.)", r"\1", text)


@pytest.fixture
def mailbox(demo_store, monkeypatch):
    with running(monkeypatch) as box:
        yield box
        sender.stop(demo_store)  # the app started it; it must be done before the store closes


def test_outbox_page_lists_searches_and_shows_a_message(demo_path):
    at = login(ADMIN)
    at.switch_page("app_pages/outbox.py").run()
    assert not at.exception and at.title[0].value == "Utskick"
    assert "Ingen e-postserver är inställd" in shown(at.warning[0].value)
    assert {m.label for m in at.metric} == {"Väntar", "Skickat", "Misslyckades", "Inte skickat: ingen e-postserver"}
    frame = at.dataframe[0].value
    assert len(frame) > 20 and set(frame["Status"]) == {"Inte skickat: ingen e-postserver"}
    next(t for t in at.text_input if t.label == "Sök").input("Platsbesök").run()
    frame = at.dataframe[0].value
    assert len(frame) > 1 and all(s.startswith("Platsbesök hos ") for s in frame["Ämne"])
    assert all(a == "platsbesok.ics" for a in frame["Bilagor"])
    # The chosen message as it was written, its calendar file, and no way to send it without a server.
    assert at.code[0].value.startswith("Hej ") and "kalenderinbjudan" in at.code[0].value
    assert any(shown(b.label) == "Bilaga: platsbesok.ics" for b in at.get("download_button"))
    assert next(b for b in at.button if b.label == "Skicka nu").disabled


def test_templates_tab_previews_and_names_a_bad_field(demo_path, demo_store):
    at = login(ADMIN)
    at.switch_page("app_pages/outbox.py").run()
    next(s for s in at.selectbox if s.label == "Meddelande").set_value("ateroppnad").run()
    body = next(t for t in at.text_area if t.label == "Text")
    assert "{{ orsak }}" in body.value
    body.input("Hej {{ namn }}, {{ betyg }}").run()
    assert "okänt fält {{ betyg }}" in shown(texts(at))
    next(b for b in at.button if b.label == "Spara mallen").click().run()
    assert demo_store.fetchone("SELECT count(*) FROM mail_templates")[0] == 0
    body = next(t for t in at.text_area if t.label == "Text")
    body.input("Hej {{ namn }}!\n{{ orsak }}").run()
    assert [c.value for c in at.code][-1] == "Hej Erik Lind!\nBedöm fråga 7 utifrån bedömningsgrunderna."
    next(b for b in at.button if b.label == "Spara mallen").click().run()
    assert not at.exception and "Mallen är sparad." in shown(texts(at))
    assert demo_store.fetchone("SELECT body FROM mail_templates WHERE kind = 'ateroppnad'")[0] == \
        "Hej {{ namn }}!\n{{ orsak }}"


def test_reminders_tab_stops_reminders_for_someone_with_a_reason(demo_path, demo_store):
    erik = auth.user_by_email(demo_store, EXAMINER)
    at = login(ADMIN)
    at.switch_page("app_pages/outbox.py").run()
    next(s for s in at.selectbox if s.label == "Person").set_value(erik.id)
    next(b for b in at.button if b.label == "Stoppa påminnelser").click().run()
    assert "Skriv varför" in shown(texts(at))
    next(t for t in at.text_input if t.label == "Varför påminnelserna stoppas").input("Föräldraledig")
    next(b for b in at.button if b.label == "Stoppa påminnelser").click().run()
    assert not at.exception and "Påminnelserna är stoppade för Erik Lind" in shown(texts(at))
    assert demo_store.fetchone("SELECT reason FROM reminder_stops WHERE user_id = ?", [erik.id])[0] == "Föräldraledig"
    people = next(d.value for d in at.dataframe if "Namn" in d.value.columns)
    assert people[people["Namn"] == "Erik Lind"]["Påminnelser"].item() == "stoppade: Föräldraledig"


def test_the_reminder_button_on_the_years_progress_sends_to_those_not_done(demo_path, demo_store, mailbox):
    at = login(ADMIN)
    at.switch_page("app_pages/year_progress.py").run()
    button = next(b for b in at.button if b.key == "remind_individuell_bedomning")
    waiting = int(button.label.removeprefix("Skicka påminnelse nu (").removesuffix(")"))
    assert waiting > 2 and not button.disabled
    button.click().run()
    assert not at.exception and f"Påminnelse skickas till {waiting} personer" in shown(at.success[0].value)
    mailbox.wait_for(waiting)
    assert {m["Subject"] for m in mailbox.messages} == {"Påminnelse: individuell bedömning senast 28 augusti 2026"}
    assert next(b for b in at.button if b.key == "remind_individuell_bedomning").label == "Skicka påminnelse nu (0)"


def test_an_examiner_sees_what_was_sent_to_them(demo_path, demo_store):
    at = login(EXAMINER)
    at.switch_page("app_pages/my_messages.py").run()
    assert not at.exception and at.title[0].value == "Mina meddelanden"
    labels = [e.label for e in at.expander]
    assert any("Välkommen som examinator" in label for label in labels)
    assert any("har fått sina bidrag" in label for label in labels)
    mine = outbox.sent_to_me(demo_store, auth.user_by_email(demo_store, EXAMINER))
    assert len(labels) == len(mine) and all(r["recipient"] == EXAMINER for r in mine)


def test_the_link_of_an_invitation_sets_the_password_and_logs_in(demo_path, demo_store):
    erik = auth.user_by_email(demo_store, EXAMINER)
    with demo_store.write("test") as uow:
        token, _ = password_links.issue(uow, erik.id)
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params[password_links.QUERY_PARAMETER] = token
    at.run()
    assert not at.exception and at.title[0].value == "Välj lösenord" and EXAMINER in shown(texts(at))
    at.text_input[0].input("ett nytt långt lösenord")
    at.text_input[1].input("ett annat långt lösenord")
    at.button[0].click().run()
    assert "inte lika" in shown(at.error[0].value)
    at.text_input[1].input("ett nytt långt lösenord")
    at.button[0].click().run()
    assert not at.exception and at.title[0].value == "Välkommen, Erik"
    assert auth.authenticate(demo_store, EXAMINER, "ett nytt långt lösenord").id == erik.id
    used = AppTest.from_file(APP, default_timeout=30)
    used.query_params[password_links.QUERY_PARAMETER] = token
    used.run()
    assert "redan använd" in shown(used.error[0].value)

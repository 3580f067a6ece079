"""AppTest: the Konsensus page as a coordinator and as the admin."""

from __future__ import annotations

from helpers import ADMIN, login, ready, texts

from scoring.consensus import workspace as consensus
from scoring.core import auth
from scoring.year.framework import load_framework

PAGE = "app_pages/consensus.py"


def open_page(user_email: str, cid: int):
    at = login(user_email)
    at.switch_page(PAGE).run()
    at.selectbox(key="konsensus_bidrag").set_value(cid).run()
    assert not at.exception, at.exception
    return at


def test_the_coordinator_sees_only_what_they_lead_and_opens_consensus(demo_store):
    cid, lead = ready(demo_store)
    at = open_page(lead.email, cid)
    led = {r[0] for r in demo_store.fetchall(
        "SELECT n.name FROM assignments s JOIN teams t ON t.id = s.team_id JOIN contributions c"
        " ON c.id = s.contribution_id JOIN units n ON n.id = c.unit_id WHERE t.coordinator_id = ?", [lead.id])}
    assert set(at.selectbox(key="konsensus_bidrag").options) == led
    button = next(b for b in at.button if b.label == "Öppna konsensus")
    assert not button.disabled
    button.click().run()
    assert not at.exception
    assert consensus.workspace(demo_store, lead, cid).phase == "konsensus"
    assert [t.label for t in at.tabs] == ["Poäng", "Iakttagelser", "Nyckelteman", "Platsbesök", "Samstämmighet",
                                          "Ändringar", "Förslag"]
    assert "Kvar innan platsbesök" in texts(at)


def test_a_score_is_agreed_and_a_stale_window_is_refused(demo_store):
    cid, lead = ready(demo_store)
    consensus.open_consensus(demo_store, lead, cid, 0)
    at = open_page(lead.email, cid)
    area = load_framework(consensus.workspace(demo_store, lead, cid).year).areas[0]
    criterion = area.criteria[0]
    p = f"konsensus_w{cid}_score_{area.code}_{criterion.code}_"
    at.selectbox(key=p + "value").set_value(60)
    at.button(key=f"FormSubmitter:{p}form-Spara").click().run()
    assert not at.exception
    assert consensus.workspace(demo_store, lead, cid).scores[area.code][criterion.code] == 60
    # The admin saves meanwhile; this window's next save is refused and says so.
    admin = auth.user_by_email(demo_store, ADMIN)
    consensus.set_rationale(demo_store, admin, cid, consensus.workspace(demo_store, admin, cid).version,
                            area.code, "Från Kvalitetsenheten")
    at.run()
    assert any("Någon annan har sparat" in w.value for w in at.warning)
    at.selectbox(key=p + "value").set_value(65)
    at.text_input(key=p + "reason").input("Omprövat")
    at.button(key=f"FormSubmitter:{p}form-Spara").click().run()
    assert "Din ändring är inte sparad" in at.error[0].value
    assert consensus.workspace(demo_store, lead, cid).scores[area.code][criterion.code] == 60
    next(b for b in at.button if b.label == "Spara min ändring ändå").click().run()
    assert consensus.workspace(demo_store, lead, cid).scores[area.code][criterion.code] == 65


def test_the_admin_sees_the_year_agreement(demo_store):
    cid, lead = ready(demo_store)
    consensus.open_consensus(demo_store, lead, cid, 0)
    at = open_page(ADMIN, cid)
    assert "Årets samstämmighet" in texts(at)
    assert any(m.label == "Krippendorffs alfa" for m in at.metric)
    at.number_input[0].set_value(30).run()
    assert consensus.spread_threshold(demo_store) == 30

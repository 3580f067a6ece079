"""AppTest: the Konsensus page as a coordinator and as the admin."""

from __future__ import annotations

from helpers import ADMIN, agree_everything, login, ready, texts, through_to_the_feedback

from scoring.consensus import workspace as consensus
from scoring.consensus.rules import agenda
from scoring.core import auth
from scoring.core.text import escape_markdown
from scoring.year.framework import load_framework

PAGE = "app_pages/consensus.py"
TAB = "konsensus_flik"
TABS = ["Poäng", "Iakttagelser", "Nyckelteman", "Platsbesök", "Samstämmighet", "Ändringar", "Förslag"]


def open_page(user_email: str, cid: int):
    at = login(user_email)
    at.switch_page(PAGE).run()
    at.selectbox(key="konsensus_bidrag").set_value(cid).run()
    assert not at.exception, at.exception
    return at


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def in_dialog(at) -> str:
    """The title and text of the open confirmation dialog ('' when none is open)."""
    dialogs = at.get("dialog")  # a dialog is drawn in the event block, apart from the page
    assert len(dialogs) <= 1
    return "\n".join([dialogs[0].proto.dialog.title, *(m.value for m in dialogs[0].markdown)]) if dialogs else ""


def test_opening_consensus_asks_first_and_says_what_locks(demo_store):
    cid, lead = ready(demo_store)
    at = open_page(lead.email, cid)
    led = {r[0] for r in demo_store.fetchall(
        "SELECT n.name FROM assignments s JOIN teams t ON t.id = s.team_id JOIN contributions c"
        " ON c.id = s.contribution_id JOIN units n ON n.id = c.unit_id WHERE t.coordinator_id = ?", [lead.id])}
    assert set(at.selectbox(key="konsensus_bidrag").options) == led
    assert not button(at, "Öppna konsensus").disabled
    button(at, "Öppna konsensus").click().run()
    # Only asked: the dialog says what locks, and nothing has happened yet.
    said = in_dialog(at)
    assert said.startswith("Öppna konsensus?")
    assert "individuella bedömningar låses" in said and "kan inte längre ändra" in said
    assert "Steget går inte att ångra" in said
    assert consensus.workspace(demo_store, lead, cid).phase == "individuell_bedomning"
    at.button(key="konsensus_bekrafta_nej").click().run()
    assert not in_dialog(at)
    assert consensus.workspace(demo_store, lead, cid).phase == "individuell_bedomning"
    button(at, "Öppna konsensus").click().run()
    at.button(key="konsensus_bekrafta_ja").click().run()
    assert not at.exception
    assert consensus.workspace(demo_store, lead, cid).phase == "konsensus"
    assert not in_dialog(at)
    assert [t.label for t in at.tabs] == TABS
    assert "Kvar innan platsbesök" in texts(at)
    assert any("Konsensus är öppnad" in s.value for s in at.success)


def test_moving_on_a_phase_asks_first(demo_store):
    cid, lead = ready(demo_store)
    agree_everything(demo_store, lead, cid, consensus.open_consensus(demo_store, lead, cid, 0))
    at = open_page(lead.email, cid)
    button(at, "Gå vidare: platsbesök").click().run()
    assert "låses under platsbesöket" in in_dialog(at)
    assert consensus.workspace(demo_store, lead, cid).phase == "konsensus"
    at.button(key="konsensus_bekrafta_ja").click().run()
    assert consensus.workspace(demo_store, lead, cid).phase == "platsbesok"
    assert any("gått vidare till platsbesök" in s.value for s in at.success)


def test_the_tab_stays_where_it_was_and_the_message_shows_in_it(demo_store):
    cid, lead = ready(demo_store)
    consensus.open_consensus(demo_store, lead, cid, 0)
    at = open_page(lead.email, cid)
    at.session_state[TAB] = "Nyckelteman"
    at.run()
    p = f"konsensus_w{cid}_theme_"
    # Only the open tab is drawn: the scores' forms are not on the page.
    assert not [s for s in at.selectbox if "_score_" in (s.key or "")]
    assert [e.label for e in at.expander] == ["Visa vad som återstår"]  # no area of the Poäng tab
    at.text_area(key=p + "text").input("Tydliga mål som alla känner till.")
    at.button(key=f"FormSubmitter:{p}form-Lägg till").click().run()
    assert not at.exception
    assert at.session_state[TAB] == "Nyckelteman"
    themes = at.tabs[TABS.index("Nyckelteman")]
    assert [s.value for s in themes.success] == [escape_markdown("Nyckeltemat är sparat.")]
    assert "Styrkor (1)" in [h.value for h in themes.header]
    # A refusal shows in the same tab too, and the tab still stays.
    at.button(key=f"FormSubmitter:{p}form-Lägg till").click().run()
    assert at.session_state[TAB] == "Nyckelteman"
    assert [e.value for e in at.tabs[TABS.index("Nyckelteman")].error] == [escape_markdown("Texten saknas.")]
    assert not at.success  # the confirmation went with the next action


def test_a_flagged_area_names_the_criteria_that_carry_the_flag(demo_store):
    cid, lead = ready(demo_store)
    admin = auth.user_by_email(demo_store, ADMIN)
    consensus.set_spread_threshold(demo_store, admin, 5)  # the demo's scores then spread enough to flag
    consensus.open_consensus(demo_store, lead, cid, 0)
    work = consensus.workspace(demo_store, lead, cid)
    framework = load_framework(work.year)
    items = agenda(framework, list(work.individual.values()), work.threshold)
    flagged = next(i for i in items if any(c.flagged for c in i.criteria.values()))
    area = framework.area(flagged.area_code)
    at = open_page(lead.email, cid)
    label = next(e.label for e in at.expander if area.title in e.label and e.label.startswith("⚑"))
    for criterion in area.criteria:
        spread = flagged.criteria[criterion.code]
        assert (f"{criterion.title} ({spread.range} p" in label) == spread.flagged
    assert f"spridning {flagged.area.range} p" not in label  # no longer the area's own spread under the flag


def test_a_score_is_agreed_and_a_stale_window_names_who_saved_what(demo_store):
    cid, lead = ready(demo_store)
    consensus.open_consensus(demo_store, lead, cid, 0)
    at = open_page(lead.email, cid)
    area = load_framework(consensus.workspace(demo_store, lead, cid).year).areas[0]
    criterion = area.criteria[0]
    at.session_state[f"konsensus_w{cid}_agenda_{area.code}"] = True  # unfold the area
    at.run()
    p = f"konsensus_w{cid}_score_{area.code}_{criterion.code}_"
    at.selectbox(key=p + "value").set_value(60)
    at.button(key=f"FormSubmitter:{p}form-Spara").click().run()
    assert not at.exception
    assert consensus.workspace(demo_store, lead, cid).scores[area.code][criterion.code] == 60
    assert [s.value for s in at.tabs[0].success] == [escape_markdown("Konsensuspoängen 60 är sparad.")]
    # The admin saves meanwhile; this window's next save is refused and says who saved what.
    admin = auth.user_by_email(demo_store, ADMIN)
    consensus.set_rationale(demo_store, admin, cid, consensus.workspace(demo_store, admin, cid).version,
                            area.code, "Från Kvalitetsenheten")
    at.run()
    assert any("Någon annan har sparat" in w.value for w in at.warning)
    at.selectbox(key=p + "value").set_value(65)
    at.text_input(key=p + "reason").input("Omprövat")
    at.button(key=f"FormSubmitter:{p}form-Spara").click().run()
    box = at.tabs[0]
    assert box.error[0].value.startswith(f"{escape_markdown(admin.name)} har sparat samma del")
    assert "Din ändring är inte sparad" in box.error[0].value
    meanwhile = next(m.value for m in box.markdown if m.value.startswith("**Sparat under tiden**"))
    assert "i dag kl. " in meanwhile and f"**{escape_markdown(admin.name)}**" in meanwhile
    assert escape_markdown(f"Motivering {area.title}") + ": Från Kvalitetsenheten" in meanwhile
    assert consensus.workspace(demo_store, lead, cid).scores[area.code][criterion.code] == 60
    # The safe choice is the primary one.
    assert at.button(key="konsensus_ladda_om").proto.type == "primary"
    assert at.button(key="konsensus_spara_anda").proto.type != "primary"
    at.button(key="konsensus_spara_anda").click().run()
    assert consensus.workspace(demo_store, lead, cid).scores[area.code][criterion.code] == 65
    assert [s.value for s in at.tabs[0].success] == [escape_markdown("Konsensuspoängen 65 är sparad.")]
    assert not at.tabs[0].error
    assert at.session_state[TAB] == "Poäng"


def test_the_proposal_is_handed_in_only_when_confirmed(demo_store):
    cid, lead = ready(demo_store)
    through_to_the_feedback(demo_store, lead, cid)
    at = open_page(lead.email, cid)
    at.session_state[TAB] = "Förslag"
    at.run()
    p = f"konsensus_w{cid}_proposal_"
    at.radio(key=p + "choice").set_value("hedersomnamnande")
    at.text_area(key=p + "motivation").input("Tydliga mål och uppföljning.")
    at.button(key=f"FormSubmitter:{p}form-Lämna förslaget").click().run()
    assert "**Hedersomnämnande**" in in_dialog(at) and "kan inte ändras efteråt" in in_dialog(at)
    at.button(key="konsensus_bekrafta_nej").click().run()
    assert consensus.workspace(demo_store, lead, cid).proposal is None
    at.button(key=f"FormSubmitter:{p}form-Lämna förslaget").click().run()
    at.button(key="konsensus_bekrafta_ja").click().run()
    assert not at.exception
    assert consensus.workspace(demo_store, lead, cid).proposal["proposal"] == "hedersomnamnande"
    assert at.session_state[TAB] == "Förslag"
    assert escape_markdown("Lagets förslag är lämnat till beredningsgruppen.") in [
        s.value for s in at.tabs[TABS.index("Förslag")].success]


def test_the_admin_sees_the_year_agreement(demo_store):
    cid, lead = ready(demo_store)
    consensus.open_consensus(demo_store, lead, cid, 0)
    at = open_page(ADMIN, cid)
    at.session_state[TAB] = "Samstämmighet"
    at.run()
    assert "Årets samstämmighet" in texts(at)
    assert any(m.label == "Krippendorffs alfa" for m in at.metric)
    at.number_input[0].set_value(30).run()
    assert consensus.spread_threshold(demo_store) == 30

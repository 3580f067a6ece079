"""AppTest: every page, as each role that may open it, and the login screen."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import (
    ADMIN,
    APP,
    COORDINATOR,
    EXAMINER,
    JURY,
    PREPARATORY,
    login,
    score_everything,
    team_of,
    texts,
)
from streamlit.testing.v1 import AppTest

from scoring.assessment import individual as assessments
from scoring.core import access, auth
from scoring.core.text import escape_markdown
from scoring.teams import conflicts
from scoring.year import contributions
from workbench_tools import demo


def test_login_page_shows_the_form_and_demo_logins(demo_path):
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Examinatorsstöd"
    assert [t.label for t in at.text_input] == ["E-postadress", "Lösenord"]
    assert any("demo-kvalitet-2026" in c.value for c in at.caption)


def test_wrong_password_and_empty_fields_are_refused(demo_path):
    at = login(EXAMINER, "fel-lösenord")
    assert at.error[0].value == escape_markdown("Fel e-postadress eller lösenord.")
    assert "Välkommen" not in texts(at)
    at.text_input[0].input("")
    at.button[0].click().run()
    assert at.error[0].value == "Fyll i både e-postadress och lösenord."


def test_no_demo_logins_in_a_real_database(empty_store):
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    assert not at.exception and not at.expander


def test_examiner_start_page(demo_store):
    team = team_of(demo_store, EXAMINER)
    at = login(EXAMINER)
    assert at.title[0].value == "Välkommen, Erik"
    text = texts(at)
    assert "Mina bidrag" in text and "Mitt lag" not in text and "Viktiga datum" in text
    for unit in team["units"]:
        assert f"**{escape_markdown(unit)}**" in text
    for unit in team["other_units"]:
        assert escape_markdown(unit) not in text
    todo = [m for m in contributions.my_progress(demo_store, auth.user_by_email(demo_store, EXAMINER), demo.DEMO_YEAR)
            if m["status"] not in ("inlamnad", "last")]
    assert todo, "the demo leaves Erik work to do"
    assert f"gör din individuella bedömning av {escape_markdown(todo[0]['unit'])}" in at.info[0].value


def test_an_examiner_whose_work_is_locked_in_consensus_is_not_told_to_assess_it(demo_store):
    """Regression: a locked assessment was counted as still to do."""
    cid = demo_store.fetchone("SELECT id FROM contributions WHERE phase = 'konsensus' ORDER BY id LIMIT 1")[0]
    member = auth.user_by_email(demo_store, demo_store.fetchone(
        "SELECT u.email FROM assignments s JOIN teams t ON t.id = s.team_id JOIN team_members m ON m.team_id = t.id"
        " JOIN users u ON u.id = m.user_id WHERE s.contribution_id = ? AND u.id <> t.coordinator_id"
        " ORDER BY u.id LIMIT 1", [cid])[0])
    # Everything else the examiner has is handed in, through the screens' own commands.
    for row in contributions.my_progress(demo_store, member, demo.DEMO_YEAR):
        if row["status"] not in ("inlamnad", "last"):
            if access.needs_declaration(demo_store, member, row["id"]):
                conflicts.declare(demo_store, member, row["id"], has_conflict=False, confidentiality_accepted=True)
            version = assessments.own_assessment(demo_store, member, row["id"]).version
            assessments.submit(demo_store, member, row["id"], score_everything(demo_store, member, row["id"], version))
    statuses = {r["id"]: r["status"] for r in contributions.my_progress(demo_store, member, demo.DEMO_YEAR)}
    assert statuses[cid] == "last" and set(statuses.values()) <= {"inlamnad", "last"}
    at = login(member.email)
    assert "gör din individuella bedömning" not in texts(at)
    assert "lämnat in alla" in at.success[0].value


def test_coordinator_start_page_shows_team_progress(demo_store):
    at = login(COORDINATOR)
    assert "Mitt lag" in texts(at)
    assert set(at.dataframe[0].value["Examinator"]) == team_of(demo_store, COORDINATOR)["members"]
    assert "Lagsamordnare" in "\n".join(m.value for m in at.sidebar.markdown)


def test_admin_start_page_shows_the_year(demo_path):
    at = login(ADMIN)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Bidrag"] == "9" and metrics["Examinatorslag"] == "5"
    assert metrics["Bedömningar inlämnade"].endswith("av 33")


@pytest.mark.parametrize("email", [PREPARATORY, JURY])
def test_preparatory_group_and_jury_start_pages(demo_store, email):
    # Only contributions proposed for an award or an honourable mention reach them (2026: "De bidrag som
    # examinatorslagen föreslår ska få en Kvalitetsutmärkelse eller ett hedersomnämnande går vidare till en
    # beredningsgrupp."); "inget förslag" does not.
    candidates = {r[0] for r in demo_store.fetchall(
        "SELECT u.name FROM proposals p JOIN contributions c ON c.id = p.contribution_id"
        " JOIN units u ON u.id = c.unit_id WHERE c.year = ? AND p.proposal <> 'inget'", [demo.DEMO_YEAR])}
    not_proposed = {r[0] for r in demo_store.fetchall(
        "SELECT u.name FROM proposals p JOIN contributions c ON c.id = p.contribution_id"
        " JOIN units u ON u.id = c.unit_id WHERE c.year = ? AND p.proposal = 'inget'", [demo.DEMO_YEAR])}
    at = login(email)
    assert candidates and not_proposed and set(at.dataframe[0].value["Bidrag"]) == candidates
    assert "Tävlingsklass" not in at.dataframe[0].value.columns  # 2026 has no competition classes
    with demo_store.write("test") as uow:
        uow.execute("DELETE FROM proposals")
    at = login(email)
    assert "Inga kandidater ännu" in at.info[0].value


def test_a_jury_member_declares_before_seeing_the_candidates(demo_store):
    at = login("helena.ahlstrom@demo.stockholm.se")  # listed by the office, not yet declared
    assert "Lämna din jävsdeklaration" in texts(at) and not at.dataframe
    at.switch_page("app_pages/decisions.py").run()
    assert not at.exception and "Jävsdeklaration" in texts(at)
    assert not any(r.label == "Juryns beslut" for r in at.radio)

def test_contributions_page_shows_only_the_team_and_reads_answers(demo_store):
    team = team_of(demo_store, EXAMINER)
    examiner = auth.user_by_email(demo_store, EXAMINER)
    for cid in access.visible_contribution_ids(demo_store, examiner, demo.DEMO_YEAR):
        if access.needs_declaration(demo_store, examiner, cid):
            conflicts.declare(demo_store, examiner, cid, has_conflict=False, confidentiality_accepted=True)
    at = login(EXAMINER)
    at.switch_page("app_pages/contributions.py").run()
    assert not at.exception
    assert at.title[0].value == "Bidrag"
    assert sorted(at.dataframe[0].value["Verksamhet"].tolist()) == team["units"]
    assert sorted(at.selectbox(key="read_contribution").options) == team["units"]
    text = texts(at)
    assert "### 1. Beskriv vilka metoder eller arbetssätt" in text
    for unit in team["other_units"]:
        assert escape_markdown(unit) not in text
    last = at.selectbox(key="read_contribution").options[-1]
    ids = {r[1]: r[0] for r in demo_store.fetchall(
        "SELECT c.id, u.name FROM contributions c JOIN units u ON u.id = c.unit_id")}
    at.selectbox(key="read_contribution").set_value(ids[last]).run()
    assert at.dataframe[1].value["Värde"].tolist()[0] == last


def test_an_examiner_declares_before_reading_and_a_conflict_removes_the_contribution(demo_store):
    undeclared = demo_store.fetchone(
        "SELECT u.email FROM team_members m JOIN users u ON u.id = m.user_id WHERE NOT EXISTS"
        " (SELECT 1 FROM conflict_declarations d WHERE d.user_id = u.id) ORDER BY u.id LIMIT 1")[0]
    at = login(undeclared)
    at.switch_page("app_pages/contributions.py").run()
    assert "Jäv och sekretess" in texts(at) and "### 1." not in texts(at)
    first = at.selectbox(key="read_contribution").value
    send = f"FormSubmitter:declare_{first}-Skicka deklarationen"
    at.button(key=send).click().run()  # sent without choosing
    assert "Bekräfta att du behandlar bidraget konfidentiellt" in at.error[0].value
    at.radio[0].set_value("Jag har jäv")
    at.text_area[0].input("Min syster är chef där.")
    at.button(key=send).click().run()
    assert not at.exception
    assert first not in (at.selectbox(key="read_contribution").options if at.selectbox else [])
    assert demo_store.fetchone("SELECT count(*) FROM conflict_declarations WHERE has_conflict")[0] == 1


def test_framework_page_for_every_year(demo_path):
    at = login(JURY)
    at.switch_page("app_pages/framework.py").run()
    assert not at.exception and at.title[0].value == "Anvisningar"
    assert at.selectbox[0].value == 2026
    text = texts(at)
    assert "Från uppföljning till utveckling" in text and "90 000 tecken" in text
    at.selectbox[0].select(2012).run()
    assert "Vision och värdegrund" in texts(at)
    at.selectbox[0].select(2024).run()
    assert "1920x1200" in texts(at)


def test_accounts_page_creates_accounts_and_names_bad_input(demo_path, demo_store):
    at = login(ADMIN)
    at.switch_page("app_pages/accounts.py").run()
    assert not at.exception and at.title[0].value == "Konton"
    form = {t.label.split(" (")[0]: t for t in at.text_input}
    form["Namn"].input("Nora Ny")
    form["E-postadress"].input("nora.ny@stad.se")
    form["Lösenord"].input("kort")
    at.button(key="FormSubmitter:new_account-Skapa konto").click().run()
    assert "minst 10 tecken" in at.error[0].value
    assert demo_store.fetchone("SELECT count(*) FROM users WHERE email = 'nora.ny@stad.se'")[0] == 0
    form = {t.label.split(" (")[0]: t for t in at.text_input}
    form["Namn"].input("Nora Ny")
    form["E-postadress"].input("nora.ny@stad.se")
    form["Lösenord"].input("ett-långt-lösenord")
    at.button(key="FormSubmitter:new_account-Skapa konto").click().run()
    assert at.success[0].value == escape_markdown("Kontot för Nora Ny är skapat.")
    assert "nora.ny@stad.se" in at.dataframe[0].value["E-post"].tolist()


@pytest.mark.parametrize(
    ("email", "page", "leak"),
    [
        (EXAMINER, "app_pages/accounts.py", "Nytt konto"),
        (PREPARATORY, "app_pages/contributions.py", "Läs bidrag"),
        (JURY, "app_pages/accounts.py", "Nytt konto"),
        (COORDINATOR, "app_pages/accounts.py", "Nytt konto"),
        (EXAMINER, "app_pages/intake.py", "Intag av bidrag"),
        (JURY, "app_pages/intake_review.py", "Granska fil"),
        (COORDINATOR, "app_pages/eligibility.py", "Grundläggande kontroll"),
    ],
)
def test_a_page_the_role_may_not_use_shows_nothing_of_it(demo_path, email, page, leak):
    at = login(email)
    # The router never registers it for this role, so there is nothing to switch to.
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(page)
    assert leak not in texts(at)
    assert not any(leak in b.label for b in at.button)


def test_logout_returns_to_the_login_page(demo_path):
    at = login(EXAMINER)
    at.sidebar.button[0].click().run()
    assert at.title[0].value == "Examinatorsstöd"
    assert [t.label for t in at.text_input] == ["E-postadress", "Lösenord"]


def _good_and_bad_files():
    from corpus import build, legacy_doc

    from scoring.year.framework import load_framework

    data, _ = build(load_framework(2026), "rubriker")
    return [("Skolan i Testby.docx", data, "application/octet-stream"),
            ("gammal.doc", legacy_doc(), "application/msword")]


def test_intake_page_reads_many_files_and_names_the_bad_one(demo_path):
    at = login(ADMIN)
    at.switch_page("app_pages/intake.py").run()
    assert not at.exception and at.title[0].value == "Intag av bidrag"
    at.get("file_uploader")[0].set_value(_good_and_bad_files()).run()
    at.button[0].click().run()
    assert not at.exception
    assert at.success[0].value == escape_markdown("Skolan i Testby.docx") + " är inläst och väntar på granskning."
    assert at.error[0].value.startswith(escape_markdown("gammal.doc: filen är i det gamla Word-formatet"))
    table = at.dataframe[0].value
    assert table["Fil"].tolist()[-1] == "Skolan i Testby.docx"
    assert table["Status"].tolist()[-1] == "Granskas" and table["Fel"].tolist()[-1] == 0


def test_review_page_accepts_a_file_as_a_contribution(demo_path, demo_store):
    from scoring.core import auth
    from scoring.intake import review as intake_store

    admin = auth.user_by_email(demo_store, ADMIN)
    intake_id = intake_store.upload(demo_store, admin, 2026, _good_and_bad_files()[0][0], _good_and_bad_files()[0][1],
                                    received_at=dt.datetime(2026, 5, 6, 8, 0))
    at = login(ADMIN)
    at.switch_page("app_pages/intake_review.py").run()
    assert not at.exception and at.title[0].value == "Granska fil"
    questionnaire = [m.value for m in at.markdown if m.value.startswith("### ")]
    assert all(f"**{n}.**" in "\n".join(questionnaire) for n in range(1, 20))  # the questionnaire, area by area
    assert "Inga fynd" in at.success[0].value
    assert at.text_input(key=f"accept_unit_{intake_id}").value == "Skolan i Testby"
    at.button(key="FormSubmitter:accept-Godkänn bidraget").click().run()
    assert "förvaltning eller bolag" in at.error[0].value
    at.selectbox(key=f"accept_organisation_{intake_id}").set_value("Utbildningsförvaltningen")
    assert not any(s.label == "Tävlingsklass" for s in at.selectbox)  # 2026 has no competition classes
    at.button(key="FormSubmitter:accept-Godkänn bidraget").click().run()
    assert not at.exception
    status = demo_store.fetchone("SELECT status, contribution_id FROM intake_files WHERE id = ?", [intake_id])
    assert status[0] == "godkand" and status[1] is not None


def test_eligibility_page_records_and_explains(demo_path, demo_store):
    with demo_store.write("test") as uow:  # the demo has registered every unit; start from none
        uow.execute("UPDATE contributions SET eligibility = NULL")
    at = login(ADMIN)
    at.switch_page("app_pages/eligibility.py").run()
    assert not at.exception and at.title[0].value == "Grundläggande kontroll"
    assert "Ej bedömd" in [i.value for i in at.info]  # nothing registered is never "får delta"
    cid = at.selectbox(key="eligibility_contribution").value
    at.radio(key=f"m_{cid}").set_value("Nej")
    at.button(key=f"FormSubmitter:facts_{cid}-Spara").click().run()
    assert not at.exception
    assert escape_markdown("saknar en chef med verksamhets-, budget- och personalansvar") in texts(at)
    assert demo_store.fetchone("SELECT eligibility IS NOT NULL FROM contributions WHERE id = ?", [cid])[0]


def test_contributions_page_offers_the_original_file(demo_path):
    at = login(EXAMINER)
    at.switch_page("app_pages/contributions.py").run()
    assert [b.label for b in at.get("download_button")] == ["Ladda ner originalfilen"]


def test_examiners_page_imports_and_reports_bad_rows(demo_path):
    at = login(ADMIN)
    at.switch_page("app_pages/examiners.py").run()
    assert not at.exception and at.title[0].value == "Examinatorer"
    assert any(c.value.startswith("18 examinatorer, varav") for c in at.caption)
    csv = ("Namn;E-post;Förvaltning/bolag\nNy Person;ny.person@stad.se;Trafikkontoret\n"
           "Fel Person;;Trafikkontoret\n").encode()
    at.get("file_uploader")[0].set_value(("lista.csv", csv, "text/csv")).run()
    at.button[0].click().run()
    assert not at.exception
    assert at.success[0].value == escape_markdown("1 ny och 0 uppdaterade examinatorer.")
    assert at.warning[0].value == escape_markdown("Rad 3 (Fel Person): e-postadress saknas.")


def test_teams_page_proposes_explains_and_refuses_to_replace_started_work(demo_path):
    at = login(ADMIN)
    at.switch_page("app_pages/teams.py").run()
    assert not at.exception and at.title[0].value == "Lag och tilldelning"
    at.button[0].click().run()  # Ta fram ett förslag: work has started and every contribution has a team
    assert "Alla bidrag har redan ett lag" in at.error[0].value
    move = at.button(key="FormSubmitter:team_move-Spara")
    move.click().run()
    assert "Ange varför" in at.error[0].value

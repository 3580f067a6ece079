"""AppTest: Beredning, Beslut and Arkiv, and earlier feedback for a returning unit."""

from __future__ import annotations

from helpers import login, texts
from seeds import Y2012, says

from scoring.core import auth
from scoring.jury import shortlist as jury
from scoring.year import progress
from scoring.year.framework import load_framework
from workbench_tools.demo import DEMO_YEAR
from workbench_tools.synthetic import build_year

PREPARATORY = "beredning@demo.stockholm.se"
JURY = "jury@demo.stockholm.se"
ADMIN = "kvalitetsenheten@demo.stockholm.se"


def test_the_shortlist_without_classes_lists_the_candidates_and_compares(demo_store):
    # 2026 names no competition classes: no class filter, the candidates ordered by proposal.
    at = login(PREPARATORY)
    at.switch_page("app_pages/shortlist.py").run()
    assert not at.exception and at.title[0].value == "Beredning"
    candidates = demo_store.fetchall(
        "SELECT n.name, p.proposal FROM proposals p JOIN contributions c ON c.id = p.contribution_id"
        " JOIN units n ON n.id = c.unit_id WHERE c.year = ? AND p.proposal <> 'inget'", [DEMO_YEAR])
    assert set(at.dataframe[0].value["Bidrag"]) == {name for name, _ in candidates}
    assert "Klass" not in at.dataframe[0].value.columns
    assert not [s for s in at.selectbox if s.key == "beredning_klass"]
    at.multiselect(key="beredning_forslag").set_value(["utmarkelse"]).run()
    assert set(at.dataframe[0].value["Bidrag"]) == {name for name, p in candidates if p == "utmarkelse"}
    at.multiselect(key="beredning_forslag").set_value([]).run()
    with demo_store.write("test") as uow:  # a second candidate, to compare two
        uow.execute("INSERT INTO proposals (contribution_id, proposal, motivation, submitted_by) SELECT id,"
                    " 'hedersomnamnande', 'Motivering', 'test' FROM contributions WHERE year = ? AND id NOT IN"
                    " (SELECT contribution_id FROM proposals) ORDER BY id LIMIT 1", [DEMO_YEAR])
    at = login(PREPARATORY)
    at.switch_page("app_pages/shortlist.py").run()
    ids = [c.contribution_id for c in jury.shortlist(demo_store, auth.user_by_email(demo_store, PREPARATORY),
                                                     DEMO_YEAR)][:2]
    at.multiselect(key="jamfor").set_value(ids).run()
    assert not at.exception
    assert "Nyckelteman" in texts(at)


def test_the_shortlist_with_classes_filters_by_class(empty_store):
    # 2012: "De verksamheter som deltar i Kvalitetsutmärkelsen bedöms i olika klasser enligt följande"
    says(Y2012, "De verksamheter som deltar i Kvalitetsutmärkelsen bedöms i olika klasser enligt följande")
    admin_id = build_year(empty_store, 10, year=2012)
    with empty_store.write("test") as uow:
        auth.set_password(uow, admin_id, "ett långt lösenord")
    at = login("admin@syntet.se", "ett långt lösenord")
    at.switch_page("app_pages/shortlist.py").run()
    assert not at.exception
    shown = at.dataframe[0].value
    assert "Klass" in shown.columns
    first_class = next(c for c in load_framework(2012).classes if c.name in set(shown["Klass"]))
    at.selectbox(key="beredning_klass").set_value(first_class.code).run()
    assert set(at.dataframe[0].value["Klass"]) == {first_class.name}


def test_the_jury_decides_and_ends_the_year(demo_store):
    at = login(JURY)
    at.switch_page("app_pages/decisions.py").run()
    assert not at.exception and at.title[0].value == "Beslut"
    judge = auth.user_by_email(demo_store, JURY)
    for cid in jury.undecided(demo_store, judge, DEMO_YEAR):
        form = f"beslut_{cid}"
        radio = next(r for r in at.radio if r.form_id == form)
        radio.set_value("ingen")
        at.button(key=f"FormSubmitter:{form}-Spara beslutet").click().run()
        assert not at.exception
    assert jury.undecided(demo_store, judge, DEMO_YEAR) == []
    # The demo year still has contributions without a proposal: the jury is told how many
    # (not which: the names may be pseudonymised), and cannot end the year before the office
    # has said why they may stay unfinished.
    unfinished = progress.unfinished(demo_store, DEMO_YEAR)
    assert unfinished
    at.run()
    assert f"{len(unfinished)} bidrag är inte klara" in at.warning[0].value
    assert unfinished[0][1] not in at.warning[0].value
    assert next(b for b in at.button if b.label == "Avsluta året").disabled
    office = auth.user_by_email(demo_store, ADMIN)
    for cid, _, _ in unfinished:
        progress.excuse(demo_store, office, cid, "Enheten drog tillbaka sitt bidrag.")
    at.run()
    assert not at.warning
    # A dialog says what ending the year locks; "Avbryt" leaves the year open.
    next(b for b in at.button if b.label == "Avsluta året").click().run()
    assert "låses för alla och kan inte öppnas igen" in texts(at)
    at.button(key="end_year_dialog_cancel").click().run()
    assert not jury.is_locked(demo_store, DEMO_YEAR)
    assert "låses för alla" not in texts(at)
    next(b for b in at.button if b.label == "Avsluta året").click().run()
    confirm = at.button(key="end_year_dialog_confirm")
    assert confirm.label == "Avsluta och lås året" and confirm.proto.type == "primary"
    confirm.click().run()
    assert not at.exception
    assert jury.is_locked(demo_store, DEMO_YEAR)
    assert "är avslutad" in texts(at)


def test_the_archive_lists_earlier_years(demo_store):
    at = login(ADMIN)
    at.switch_page("app_pages/archive.py").run()
    assert not at.exception
    archived = demo_store.fetchone("SELECT n.name FROM contributions c JOIN units n ON n.id = c.unit_id"
                                   " WHERE c.year < ?", [DEMO_YEAR])[0]
    assert archived in list(at.dataframe[0].value["Verksamhet"])


def test_an_examiner_sees_the_earlier_feedback_of_a_returning_unit(demo_store):
    cid, email = demo_store.fetchone(
        "SELECT c.id, u.email FROM contributions c JOIN assignments s ON s.contribution_id = c.id"
        " JOIN team_members m ON m.team_id = s.team_id JOIN users u ON u.id = m.user_id"
        " JOIN conflict_declarations d ON d.contribution_id = c.id AND d.user_id = u.id"
        " WHERE c.year = ? AND c.unit_id IN (SELECT unit_id FROM contributions WHERE year < ?) LIMIT 1",
        [DEMO_YEAR, DEMO_YEAR])
    at = login(email)
    at.switch_page("app_pages/assessment.py").run()
    at.selectbox(key="bidrag").set_value(cid).run()
    assert any(e.label.startswith("Tidigare återkoppling: 2024") for e in at.expander)
    earlier = demo_store.fetchone("SELECT text FROM consensus_findings f JOIN contributions c ON c.id = f.contribution_id"
                                  " WHERE c.year < ? LIMIT 1", [DEMO_YEAR])[0]
    assert earlier.split()[0] in texts(at)

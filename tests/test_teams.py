"""Examiner registry import, conflict rules, and the team proposal and its changes."""

from __future__ import annotations

import io
import random

import openpyxl
import pytest

from scoring.core import access, auth, organisations, tables
from scoring.teams import assignment as teams
from scoring.teams import examiners
from scoring.teams.conflicts import Examiner, Unit, conflicts, load_examiners, load_units

HEAD = "Namn;E-post;Förvaltning/bolag;Arbetsplats;Kompetenser;År som examinator;Ny\n"


@pytest.fixture
def admin(demo_store):
    return auth.user_by_email(demo_store, "kvalitetsenheten@demo.stockholm.se")


def test_csv_import_keeps_good_rows_and_names_each_bad_one(demo_store, admin):
    text = HEAD + (
        "Ada Ny;ada.ny@stad.se;Socialförvaltningen;Enhet A;socialtjänst, analys;0;ja\n"
        "Utan Post;;Trafikkontoret;;;2;\n"
        "Bo Dubbel;ada.ny@stad.se;Trafikkontoret;;;1;\n"
        "Cia Okänd;cia@stad.se;Socialförvaltninge;;;3;\n"
        "Dan Fel;dan@stad.se;Miljöförvaltningen;;;många;\n"
        "Eva Formel;eva@stad.se;Kulturförvaltningen;=HYPERLINK(\"http://x\");kultur;4;nej\n"
    )
    result = examiners.import_examiners(demo_store, admin, "examinatorer.csv", text.encode("utf-8"))
    assert sorted(result.added) == ["ada.ny@stad.se", "eva@stad.se"]
    assert result.problems == [
        "Rad 3 (Utan Post): e-postadress saknas.",
        "Rad 4 (Bo Dubbel): e-postadressen ada.ny@stad.se finns redan på rad 2.",
        "Rad 5 (Cia Okänd): okänd förvaltning eller bolag 'Socialförvaltninge'. Menade du Socialförvaltningen?",
        "Rad 6 (Dan Fel): år som examinator ska vara ett tal, inte 'många'.",
    ]
    rows = {r["email"]: r for r in examiners.registry(demo_store, admin)}
    assert rows["ada.ny@stad.se"]["is_new"] and rows["ada.ny@stad.se"]["organisation"] == "Socialförvaltningen"
    assert rows["eva@stad.se"]["workplace"] == '=HYPERLINK("http://x")'  # kept as text, never evaluated
    assert not rows["eva@stad.se"]["is_new"]


def test_windows_1252_csv_and_a_second_import_updates(demo_store, admin):
    text = HEAD + "Åsa Öberg;asa@stad.se;Äldreförvaltningen;Hemtjänst;äldreomsorg;2;nej\n"
    result = examiners.import_examiners(demo_store, admin, "gammal.csv", text.encode("cp1252"))
    assert result.added == ["asa@stad.se"] and "Windows-1252" in result.note
    assert {r["name"] for r in examiners.registry(demo_store, admin)} >= {"Åsa Öberg"}
    again = examiners.import_examiners(demo_store, admin, "ny.csv", text.replace(";2;", ";3;").encode("utf-8"))
    assert again.updated == ["asa@stad.se"] and again.added == []
    assert next(r for r in examiners.registry(demo_store, admin) if r["email"] == "asa@stad.se")["years_as_examiner"] == 3


def test_excel_import(demo_store, admin):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Namn", "E-post", "Förvaltning", "Kompetens", "År som examinator", "Ny"])
    sheet.append(["Gun Excel", "gun@stad.se", "Trafikkontoret", "trafik", 5, "nej"])
    sheet.append(["Hans Tom", None, "Trafikkontoret", None, None, None])
    out = io.BytesIO()
    book.save(out)
    result = examiners.import_examiners(demo_store, admin, "lista.xlsx", out.getvalue())
    assert result.added == ["gun@stad.se"] and result.problems == ["Rad 3 (Hans Tom): e-postadress saknas."]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "filen är tom"),
        (b"Namn;Telefon\nA;1\n", "kolumn saknas: E-post, Förvaltning/bolag"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "gamla Excel-formatet"),
        (b"PK\x03\x04trasig", "Excel-filen går inte att läsa"),
        (b"x" * 6_000_000, "större än 5 MB"),
    ],
)
def test_unreadable_imports_change_nothing(demo_store, admin, data, message):
    before = demo_store.fetchone("SELECT count(*) FROM examiners")[0]
    with pytest.raises(tables.TableError, match=message):
        examiners.import_examiners(demo_store, admin, "fil.csv", data)
    assert demo_store.fetchone("SELECT count(*) FROM examiners")[0] == before


def test_only_the_admin_imports_or_edits(demo_store):
    examiner = auth.user_by_email(demo_store, "erik.lind@demo.stockholm.se")
    with pytest.raises(access.AccessDenied):
        examiners.import_examiners(demo_store, examiner, "x.csv", HEAD.encode())
    with pytest.raises(access.AccessDenied):
        examiners.update_examiner(demo_store, examiner, examiner.id, {"competences": "x"})


def test_edit_checks_the_organisation(demo_store, admin):
    erik = auth.user_by_email(demo_store, "erik.lind@demo.stockholm.se")
    examiners.update_examiner(demo_store, admin, erik.id, {"organisation": "trafikkontoret", "competences": "analys"})
    row = next(r for r in examiners.registry(demo_store, admin) if r["id"] == erik.id)
    assert row["organisation"] == "Trafikkontoret"
    with pytest.raises(ValueError, match="Okänd förvaltning"):
        examiners.update_examiner(demo_store, admin, erik.id, {"organisation": "Månförvaltningen"})


# --- conflict rules -----------------------------------------------------------------------

UNIT = Unit(1, "Förskolan Solrosen", "Södermalms stadsdelsförvaltning", "Förskolan Solrosen", "chef@stad.se")


@pytest.mark.parametrize(
    ("examiner", "codes"),
    [
        (Examiner(1, "A", "a@stad.se", "Södermalms stadsdelsförvaltning"), ["samma_organisation"]),
        (Examiner(2, "B", "b@stad.se", "Trafikkontoret", workplace="förskolan  solrosen"), ["samma_arbetsplats"]),
        (Examiner(3, "C", "c@stad.se", "Trafikkontoret", former_workplaces=("Förskolan Solrosen",)),
         ["tidigare_arbetsplats"]),
        (Examiner(4, "D", "d@stad.se", "Trafikkontoret", manager_email="chef@stad.se"), ["chefsrelation"]),
        (Examiner(5, "E", "chef@stad.se", "Trafikkontoret"), ["chefsrelation"]),
        (Examiner(6, "F", "f@stad.se", "Trafikkontoret", workplace="Annan förskola"), []),
    ],
)
def test_conflict_rules(examiner, codes):
    assert conflicts(examiner, UNIT) == codes


def test_a_rule_can_be_switched_off_in_data(monkeypatch):
    monkeypatch.setattr("scoring.teams.conflicts.rules", lambda: {"samma_arbetsplats": "arbetar där"})
    assert conflicts(Examiner(1, "A", "a@stad.se", "Södermalms stadsdelsförvaltning"), UNIT) == []


# --- the proposal --------------------------------------------------------------------------


def _random_year(seed: int, n_examiners: int, n_units: int):
    rng = random.Random(seed)
    orgs = organisations.organisations()[:12]
    skills = ["analys", "ekonomi", "skola", "förskola", "äldreomsorg", "socialtjänst", "kultur", "miljö"]
    people = [Examiner(i, f"E{i}", f"e{i}@stad.se", rng.choice(orgs), workplace=f"Arbetsplats {i}",
                       competences=tuple(rng.sample(skills, 2)), years_as_examiner=rng.choice([0, 0, 1, 3, 6]),
                       is_new=rng.random() < 0.3) for i in range(n_examiners)]
    units = [Unit(100 + j, f"Enhet {j}", rng.choice(orgs), class_code=rng.choice(["skola", "forskola", "andra"]))
             for j in range(n_units)]
    return people, units


@pytest.mark.parametrize(("seed", "n_examiners", "n_units"), [(1, 18, 9), (2, 40, 14), (3, 120, 60), (4, 13, 7)])
def test_the_proposal_has_no_conflicts_right_sizes_and_load(seed, n_examiners, n_units):
    people, units = _random_year(seed, n_examiners, n_units)
    proposal = teams.propose(people, units)
    placed = [e for t in proposal.teams for e in t.members]
    assert len(placed) == len({e.id for e in placed})  # nobody twice
    assert sorted(u.contribution_id for t in proposal.teams for u in t.units) == sorted(u.contribution_id for u in units)
    for team in proposal.teams:
        assert teams.MIN_LOAD <= len(team.units) <= teams.MAX_LOAD
        assert teams.MIN_SIZE <= len(team.members) <= teams.MAX_SIZE, team.notes
        assert team.coordinator in team.members and not team.coordinator.is_new or all(m.is_new for m in team.members)
        for member in team.members:
            for unit in team.units:
                assert conflicts(member, unit) == []
    expected_avoided = sum(bool(conflicts(e, u)) for e in people for u in units)
    assert len(proposal.conflicts_avoided) == expected_avoided
    assert proposal.summary[0].startswith(f"{n_units} bidrag fördelade på {len(proposal.teams)} lag")


def test_new_examiners_are_spread_and_organisations_mixed():
    people, units = _random_year(5, 40, 14)
    proposal = teams.propose(people, units)
    new_per_team = [sum(e.is_new for e in t.members) for t in proposal.teams]
    assert max(new_per_team) - min(new_per_team) <= 2
    assert all(sum(not e.is_new for e in t.members) >= 1 for t in proposal.teams)


def test_too_few_examiners_is_explained():
    people, units = _random_year(6, 5, 6)
    with pytest.raises(teams.TeamError, match="För få examinatorer: 6 bidrag kräver minst 3 lag och 9 examinatorer"):
        teams.propose(people, units)


def test_manual_changes_keep_rules_and_reasons(demo_store, admin):
    team_rows = teams.teams_of_year(demo_store, admin, 2026)
    small = next(t for t in team_rows if len(t["members"]) == 3)
    big = next(t for t in team_rows if len(t["members"]) == 4 and t["id"] != small["id"])
    mover = next(m for m in big["members"] if m["id"] != big["coordinator_id"])
    with pytest.raises(teams.TeamError, match="Ange varför"):
        teams.move_examiner(demo_store, admin, mover["id"], small["id"], " ")
    units = {u.contribution_id: u for u in load_units(demo_store, 2026)}
    people = {e.id: e for e in load_examiners(demo_store)}
    clash = [u for c in small["contributions"] if (u := units[c["id"]]) and conflicts(people[mover["id"]], u)]
    if clash:
        with pytest.raises(teams.TeamError, match="Går inte"):
            teams.move_examiner(demo_store, admin, mover["id"], small["id"], "byte")
    else:
        teams.move_examiner(demo_store, admin, mover["id"], small["id"], "jämnare lag")
        now_in_small = next(t for t in teams.teams_of_year(demo_store, admin, 2026) if t["id"] == small["id"])
        assert mover["name"] in {m["name"] for m in now_in_small["members"]}
        reasons = [r[0] for r in demo_store.fetchall("SELECT after_value FROM audit_log WHERE action = 'flytta examinator'")]
        assert any("jämnare lag" in r for r in reasons)
    full = next(t for t in teams.teams_of_year(demo_store, admin, 2026) if len(t["contributions"]) == 2)
    spare = next(t for t in team_rows if t["id"] != full["id"])["contributions"][0]["id"]
    with pytest.raises(teams.TeamError, match="redan 2 bidrag"):
        teams.assign(demo_store, admin, spare, full["id"], "test")


def test_a_known_conflict_blocks_a_manual_move(demo_store, admin):
    people = load_examiners(demo_store)
    units = load_units(demo_store, 2026)
    team_rows = teams.teams_of_year(demo_store, admin, 2026)
    for person in people:
        for team in team_rows:
            for c in team["contributions"]:
                unit = next(u for u in units if u.contribution_id == c["id"])
                if conflicts(person, unit) and person.id not in {m["id"] for m in team["members"]}:
                    with pytest.raises(teams.TeamError, match="arbetar i samma förvaltning"):
                        teams.move_examiner(demo_store, admin, person.id, team["id"], "prov")
                    return
    pytest.fail("the demo year has no conflict to test against")


def test_once_work_has_started_a_proposal_never_reshuffles_the_teams(demo_store, admin):
    before = {t["id"]: ([m["id"] for m in t["members"]], [c["id"] for c in t["contributions"]])
              for t in teams.teams_of_year(demo_store, admin, 2026)}
    with pytest.raises(teams.TeamError, match="Alla bidrag har redan ett lag"):
        teams.propose_for_year(demo_store, admin, 2026)
    everything = teams.propose(load_examiners(demo_store), load_units(demo_store, 2026))
    with pytest.raises(teams.TeamError, match="redan påbörjats"):
        teams.apply(demo_store, admin, 2026, everything)
    after = {t["id"]: ([m["id"] for m in t["members"]], [c["id"] for c in t["contributions"]])
             for t in teams.teams_of_year(demo_store, admin, 2026)}
    assert after == before

"""The demo year and the command line that builds it and manages accounts."""

from __future__ import annotations

import subprocess
import sys

from helpers import ROOT

from scoring.__main__ import main
from scoring.core import auth
from scoring.year.framework import load_framework
from workbench_tools import demo


def test_demo_year_has_what_every_page_needs(demo_store):
    framework = load_framework(demo.DEMO_YEAR)
    classes = {r[0] for r in demo_store.fetchall("SELECT DISTINCT class_code FROM contributions")}
    assert demo_store.fetchone("SELECT count(*) FROM contributions")[0] >= 8
    assert classes == ({c.code for c in framework.classes} or {None})  # 2026 has no competition classes
    teams = demo_store.records(
        "SELECT t.id, t.coordinator_id, count(m.user_id) AS size,"
        " bool_or(m.user_id = t.coordinator_id) AS coordinator_is_member"
        " FROM teams t JOIN team_members m ON m.team_id = t.id GROUP BY ALL")
    assert len(teams) >= 4
    assert all(3 <= t["size"] <= 4 and t["coordinator_is_member"] for t in teams)
    loads = [r[0] for r in demo_store.fetchall("SELECT count(*) FROM assignments GROUP BY team_id")]
    assert all(1 <= n <= 2 for n in loads)
    roles = {r[0] for r in demo_store.fetchall("SELECT DISTINCT role FROM users")}
    assert roles == set(auth.ROLES)
    statuses = {r[0] for r in demo_store.fetchall("SELECT DISTINCT status FROM assessments")}
    assert statuses == {"utkast", "inlamnad", "last"}
    reopened = demo_store.fetchone("SELECT count(*) FROM assessments WHERE status = 'utkast'"
                                   " AND reopened_reason IS NOT NULL")[0]
    not_started = demo_store.fetchone(
        "SELECT count(*) FROM assignments s JOIN team_members m ON m.team_id = s.team_id WHERE NOT EXISTS"
        " (SELECT 1 FROM assessments a WHERE a.contribution_id = s.contribution_id AND a.examiner_id = m.user_id)")[0]
    assert reopened >= 1 and not_started >= 1
    anchored = demo_store.fetchone("SELECT count(*) FROM findings WHERE json_array_length(anchors) > 0")[0]
    assert anchored > 0
    # Every question of every contribution has an answer, and quality varies by unit.
    answered = demo_store.fetchall(
        "SELECT contribution_id, count(DISTINCT question_number) FROM contribution_blocks"
        " WHERE section = 'fraga' GROUP BY 1")
    assert all(n == len(framework.questions()) for _, n in answered)
    lengths = [r[0] for r in demo_store.fetchall(
        "SELECT sum(length(text)) FROM contribution_blocks GROUP BY contribution_id")]
    assert max(lengths) > 1.5 * min(lengths)


def test_demo_logins_work_with_the_printed_password(demo_store):
    for _, email in demo.demo_logins(demo_store):
        assert auth.authenticate(demo_store, email, demo.DEMO_PASSWORD).email == email


def test_demo_refuses_a_database_with_real_data(empty_store):
    with empty_store.write("admin") as uow:
        auth.add_user(uow, email="vera@stad.se", name="Vera", role="admin", password="ett-långt-lösenord")
    try:
        demo.build_demo(empty_store)
    except demo.DemoError as exc:
        assert "riktiga data" in str(exc)
    else:
        raise AssertionError("the demo was built over real data")
    assert not demo.is_demo(empty_store)


def test_cli_users_add_and_list(empty_store, capsys):
    code = main(["users", "add", "--email", "Vera.Holm@stad.se", "--name", "Vera Holm",
                 "--role", "admin", "--password", "ett-långt-lösenord"])
    assert code == 0 and "vera.holm@stad.se" in capsys.readouterr().out
    assert auth.authenticate(empty_store, "vera.holm@stad.se", "ett-långt-lösenord").role == "admin"
    assert main(["users", "add", "--email", "vera.holm@stad.se", "--name", "V", "--role", "admin",
                 "--password", "ett-långt-lösenord"]) == 1
    assert "finns redan" in capsys.readouterr().err
    assert main(["users", "list"]) == 0 and "Kvalitetsenheten" in capsys.readouterr().out
    assert main(["users", "set-password", "--email", "vera.holm@stad.se", "--password", "ett-nytt-lösenord"]) == 0
    assert auth.authenticate(empty_store, "vera.holm@stad.se", "ett-nytt-lösenord").role == "admin"
    assert main(["users", "set-password", "--email", "vera.holm@stad.se", "--password", "kort"]) == 1
    assert not demo.is_demo(empty_store)


def test_cli_demo_builds_once_and_prints_logins(empty_store, capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert demo.DEMO_PASSWORD in out and "kvalitetsenheten@demo.stockholm.se" in out
    assert main(["demo"]) == 1 and "redan" in capsys.readouterr().err
    assert main(["demo", "--logins-only"]) == 0 and "Lagsamordnare" in capsys.readouterr().out


def test_cli_help_lists_subcommands_and_frameworks_check():
    result = subprocess.run([sys.executable, "-m", "scoring", "--help"], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    for command in ("demo", "users", "frameworks"):
        assert command in result.stdout
    result = subprocess.run([sys.executable, "-m", "scoring", "frameworks"], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    assert "2026 (fil): 4 frågeområden, 19 frågor, högst 90000 tecken, inga tävlingsklasser" in result.stdout
    assert "2012 (fil): 8 frågeområden, 24 frågor, högst 85000 tecken, 5 tävlingsklasser" in result.stdout

"""The store: migrations, transactions, audit and concurrent writers."""

from __future__ import annotations

import threading

import pytest

from scoring.core.store import MIGRATIONS_DIR, Store


def test_migrations_apply_once_and_are_recorded(tmp_path):
    path = tmp_path / "w.duckdb"
    store = Store(path)
    versions = sorted(int(p.name[:3]) for p in MIGRATIONS_DIR.glob("[0-9][0-9][0-9]_*.sql"))
    assert store.applied_migrations() == versions
    assert store.migrate() == []
    store.close()
    reopened = Store(path)
    assert reopened.migrate() == [] and reopened.applied_migrations() == versions
    tables = {r[0] for r in reopened.fetchall("SELECT table_name FROM information_schema.tables")}
    for table in ("users", "sessions", "award_years", "units", "contributions", "contribution_blocks",
                  "examiners", "teams", "team_members", "assignments", "conflict_declarations",
                  "assessments", "assessment_areas", "findings", "consensus_scores", "consensus_findings",
                  "score_changes", "site_visits", "proposals", "decisions", "audit_log", "schema_migrations"):
        assert table in tables
    reopened.close()


def test_a_failing_write_leaves_nothing_half_done(empty_store):
    with pytest.raises(empty_store.IntegrityError), empty_store.write("tester") as uow:
        uow.execute("INSERT INTO units (name, organisation) VALUES ('Enhet A', 'Förvaltning')")
        uow.audit("skapa", "units", 1)
        uow.execute("INSERT INTO users (email, name, role) VALUES ('a@b.se', 'A', 'admin')")
        uow.execute("INSERT INTO users (email, name, role) VALUES ('a@b.se', 'B', 'admin')")
    assert empty_store.fetchone("SELECT count(*) FROM units")[0] == 0
    assert empty_store.fetchone("SELECT count(*) FROM users")[0] == 0
    assert empty_store.fetchone("SELECT count(*) FROM audit_log")[0] == 0


def test_an_exception_in_the_caller_rolls_back(empty_store):
    with pytest.raises(RuntimeError), empty_store.write("tester") as uow:
        uow.execute("INSERT INTO units (name, organisation) VALUES ('Enhet A', 'Förvaltning')")
        raise RuntimeError("avbrutet")
    assert empty_store.fetchone("SELECT count(*) FROM units")[0] == 0


def test_audit_records_actor_and_values(empty_store):
    with empty_store.write("vera@stad.se") as uow:
        uow.audit("ändra", "units", 7, {"name": "Före"}, {"name": "Efter"})
    row = empty_store.records("SELECT actor, action, entity, entity_id, before_value, after_value FROM audit_log")[0]
    assert row["actor"] == "vera@stad.se" and row["entity_id"] == "7"
    assert '"Före"' in row["before_value"] and '"Efter"' in row["after_value"]


def test_concurrent_writers_on_one_row_lose_nothing(empty_store):
    with empty_store.write("tester") as uow:
        uow.execute("INSERT INTO settings VALUES ('counter', '0')")

    def bump():
        for _ in range(25):
            with empty_store.write("tester") as uow:
                value = int(uow.fetchone("SELECT value FROM settings WHERE key = 'counter'")[0])
                uow.execute("UPDATE settings SET value = ? WHERE key = 'counter'", [str(value + 1)])

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert empty_store.setting("counter") == "200"

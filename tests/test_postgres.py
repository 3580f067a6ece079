"""PostgreSQL: the same store for several server processes — placeholders, values as DuckDB
gives them, the read cache across processes, stale saves refused across processes, backup
and restore with PostgreSQL's own tools."""

from __future__ import annotations

import json
import threading

import pytest

from scoring.assessment import individual as assessments
from scoring.core import auth, backup
from scoring.core.errors import StaleWrite
from scoring.core.store import forget_store, set_setting
from scoring.core.store_postgres import PostgresStore, redacted, translate


def test_placeholders_become_psycopgs_outside_quotes_only():
    assert translate("SELECT ? WHERE a LIKE '%?%' AND b = ?") == "SELECT %s WHERE a LIKE '%%?%%' AND b = %s"
    assert translate('SELECT "odd?name" FROM t WHERE x = ?') == 'SELECT "odd?name" FROM t WHERE x = %s'
    assert translate("SELECT 'it''s ?' , ?") == "SELECT 'it''s ?' , %s"


def test_the_password_never_shows_in_the_stores_name():
    assert redacted("postgresql://vera:hemligt@db.stad.se:5432/examinator") == \
        "postgresql://vera:***@db.stad.se:5432/examinator"
    assert redacted("postgresql://postgres@127.0.0.1:5432/x") == "postgresql://postgres@127.0.0.1:5432/x"


@pytest.fixture
def two_processes(postgres_cluster):
    """Two stores on one database, as two server processes have: separate pools and caches."""
    url = postgres_cluster.new_database(template="migrated")
    first, second = PostgresStore(url), PostgresStore(url)
    yield first, second
    first.close()
    second.close()
    postgres_cluster.drop_database(url)


def test_values_come_back_as_duckdb_gives_them(two_processes):
    store, _ = two_processes
    with store.write("test") as uow:
        uow.audit("prov", "units", 1, None, {"a": "å", "n": 2})
        uow.execute("INSERT INTO settings VALUES ('x', '50%')")
    row = store.records("SELECT after_value, CAST(after_value AS VARCHAR) AS text FROM audit_log")[0]
    assert row["after_value"] == '{"a": "å", "n": 2}' and isinstance(row["text"], str)
    total, mean = store.fetchone("SELECT sum(id), avg(id) FROM audit_log")
    assert (total, mean) == (1, 1.0) and isinstance(total, int) and isinstance(mean, float)
    assert store.fetchone("SELECT value FROM settings WHERE value LIKE '%\\%' ESCAPE '\\'")[0] == "50%"


def test_a_write_in_one_process_reaches_the_others_cache_on_its_next_run(two_processes):
    first, second = two_processes
    assert second.setting("tema") is None  # now cached in the second process
    with first.write("test") as uow:
        set_setting(uow, "tema", "mörk")
    second.refresh()  # what app.py does at the start of every page run
    assert second.setting("tema") == "mörk"


def test_the_migrations_run_once_when_two_processes_start_together(postgres_cluster):
    url = postgres_cluster.new_database()
    stores, errors = [], []

    def start():
        try:
            stores.append(PostgresStore(url))
        except Exception as exc:  # the assertion below names it
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        versions = stores[0].applied_migrations()
        assert versions[0] == 0 and len(versions) == len(set(versions))
    finally:
        for store in stores:
            store.close()
        postgres_cluster.drop_database(url)


def test_a_stale_save_from_another_process_is_refused(postgres_cluster, postgres_demo):
    url = postgres_cluster.new_database(template=postgres_demo)
    first, second = PostgresStore(url), PostgresStore(url)
    try:
        email, contribution_id, version = first.fetchone(
            "SELECT u.email, a.contribution_id, a.version FROM assessments a JOIN users u ON u.id = a.examiner_id"
            " WHERE a.status = 'utkast' ORDER BY a.id LIMIT 1")
        examiner = auth.user_by_email(first, email)
        assert assessments.own_assessment(second, examiner, contribution_id).version == version  # read in both
        saved = assessments.set_note(first, examiner, contribution_id, version, 1, "från första servern")
        with pytest.raises(StaleWrite):
            assessments.set_note(second, examiner, contribution_id, version, 1, "från andra servern")
        second.refresh()
        assert assessments.own_assessment(second, examiner, contribution_id).version == saved == version + 1
    finally:
        first.close()
        second.close()
        postgres_cluster.drop_database(url)


def test_backup_and_restore_with_postgresqls_own_tools(postgres_cluster, postgres_demo, tmp_path):
    url = postgres_cluster.new_database(template=postgres_demo)
    store = PostgresStore(url)
    try:
        manifest = backup.create(store, tmp_path / "kopia")
        assert manifest["database"] == "postgresql" and (tmp_path / "kopia" / "database.dump").is_file()
        assert manifest["tables"]["audit_log"]["rows"] > 0
        with store.write("test") as uow:  # after the copy: gone once restored
            uow.execute("DELETE FROM findings")
        with pytest.raises(backup.BackupError, match="används"):
            backup.restore(tmp_path / "kopia", url)  # the store (the app) still holds the database
        store.close()
        forget_store(url)
        result = backup.restore(tmp_path / "kopia", url)
        assert result["kept"] and result["tables"] == len(manifest["tables"])
        restored = PostgresStore(url)
        try:
            assert restored.fetchone("SELECT count(*) FROM findings")[0] == manifest["tables"]["findings"]["rows"]
            assert restored.fetchone("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1")[0] == \
                "återställde från säkerhetskopia"
        finally:
            restored.close()
        postgres_cluster.drop_database(postgres_cluster.url(result["kept"]))
    finally:
        store.close()
        postgres_cluster.drop_database(url)


def test_a_tampered_postgresql_copy_is_refused_and_nothing_changes(postgres_cluster, postgres_demo, tmp_path):
    url = postgres_cluster.new_database(template=postgres_demo)
    store = PostgresStore(url)
    manifest = backup.create(store, tmp_path / "kopia")
    store.close()
    manifest["tables"]["users"]["rows"] += 1
    (tmp_path / "kopia" / "manifest.json").write_text(json.dumps(manifest))
    try:
        with pytest.raises(backup.BackupError, match="users"):
            backup.restore(tmp_path / "kopia", url)
        with pytest.raises(backup.BackupError, match="tagen från PostgreSQL"):
            backup.restore(tmp_path / "kopia", tmp_path / "x.duckdb")
        again = PostgresStore(url)
        assert again.fetchone("SELECT count(*) FROM users")[0] == manifest["tables"]["users"]["rows"] - 1
        again.close()
    finally:
        postgres_cluster.drop_database(url)


def test_only_one_process_sends_the_mail(two_processes):
    first, second = two_processes
    assert first.is_mail_sender() and first.is_mail_sender()  # keeps the lock
    assert not second.is_mail_sender()
    first.close()  # the sending process stops: the other takes over at its next round
    assert second.is_mail_sender()


def test_a_corrected_text_read_in_one_process_reaches_the_others_reading_pane(postgres_cluster, postgres_demo):
    from scoring.year import contributions

    url = postgres_cluster.new_database(template=postgres_demo)
    first, second = PostgresStore(url), PostgresStore(url)
    try:
        cid = first.fetchone("SELECT min(id) FROM contributions")[0]
        before = contributions.answer_blocks(second, cid)  # kept in the second process
        with first.write("test") as uow:  # what taking in a corrected file does, in short
            uow.execute("UPDATE contribution_blocks SET text = 'rättad text' WHERE contribution_id = ?", [cid])
            uow.execute("UPDATE contributions SET version = version + 1 WHERE id = ?", [cid])
        second.refresh()
        after = contributions.answer_blocks(second, cid)
        assert before[0]["text"] != "rättad text" and after[0]["text"] == "rättad text"
    finally:
        first.close()
        second.close()
        postgres_cluster.drop_database(url)


def test_an_unreachable_database_is_named_without_its_password():
    from scoring.core.store import StoreUnavailable, open_store
    from workbench_tools.postgres_cluster import free_port

    with pytest.raises(StoreUnavailable) as refused:
        open_store(f"postgresql://vera:hemligt@127.0.0.1:{free_port()}/examinatorsstod")
    assert "går inte att nå" in str(refused.value) and "WORKBENCH_DATABASE_URL" in str(refused.value)
    assert "hemligt" not in str(refused.value)


def test_a_duckdb_copy_is_not_read_into_postgresql(demo_path, postgres_cluster, tmp_path):
    from scoring.core.store import get_store

    backup.create(get_store(str(demo_path)), tmp_path / "kopia")
    url = postgres_cluster.new_database(template="migrated")
    try:
        with pytest.raises(backup.BackupError, match="DuckDB-fil"):
            backup.restore(tmp_path / "kopia", url)
    finally:
        postgres_cluster.drop_database(url)

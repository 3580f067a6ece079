"""Backup and restore: a round trip that loses nothing, taken while people write, refused
cleanly when the copy is bad or the app still runs."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import threading
import zipfile

import duckdb
import pytest
from helpers import ROOT, not_started

from scoring.assessment import individual as assessments
from scoring.core import auth, backup
from scoring.core.store import forget_store


def _tables_equal(left: str, right: str) -> None:
    """Every row of every table, both ways (a multiset comparison)."""
    connection = duckdb.connect()
    connection.execute(f"ATTACH '{left}' AS a (READ_ONLY)")
    connection.execute(f"ATTACH '{right}' AS b (READ_ONLY)")
    names = [r[0] for r in connection.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'a' ORDER BY 1").fetchall()]
    assert names == [r[0] for r in connection.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'b' ORDER BY 1").fetchall()]
    for name in names:
        for one, other in (("a", "b"), ("b", "a")):
            extra = connection.execute(f'SELECT count(*) FROM (SELECT * FROM {one}."{name}" EXCEPT ALL'
                                       f' SELECT * FROM {other}."{name}")').fetchone()[0]
            assert extra == 0, f"{name}: {extra} rows only in {one}"
    connection.close()
    return names


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_round_trip_loses_nothing(demo_store, demo_path, tmp_path):
    manifest = backup.create(demo_store, tmp_path / "kopia")
    assert manifest["tables"]["contributions"]["rows"] > 0 and manifest["tables"]["audit_log"]["rows"] > 0
    # The original as it was when copied, and the copy restored into a fresh file.
    forget_store(str(demo_path))
    restored = tmp_path / "aterstalld.duckdb"
    result = backup.restore(tmp_path / "kopia", restored)
    assert result["kept"] is None and result["tables"] == len(manifest["tables"])
    connection = duckdb.connect(str(restored))
    assert connection.execute("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1").fetchone() == (
        "återställde från säkerhetskopia",)
    connection.execute("DELETE FROM audit_log WHERE action = 'återställde från säkerhetskopia'")
    # Sequences continue where they were: a new row gets the next id, not 1.
    assert connection.execute("SELECT nextval('seq_contributions')").fetchone()[0] > manifest["tables"][
        "contributions"]["rows"]
    connection.close()
    names = _tables_equal(str(demo_path), str(restored))
    assert "contribution_blocks" in names and "report_templates" in names and len(names) >= 25


def test_the_admins_download_restores_over_the_old_database_and_keeps_it(demo_store, demo_path, tmp_path):
    admin = auth.user_by_email(demo_store, "kvalitetsenheten@demo.stockholm.se")
    name, data = backup.download(demo_store, admin)
    assert name.endswith(".zip") and zipfile.ZipFile(io.BytesIO(data)).read(backup.MANIFEST)
    assert demo_store.fetchone("SELECT actor FROM audit_log WHERE action = 'laddade ned säkerhetskopia'") == (
        admin.email,)
    archive = tmp_path / name
    archive.write_bytes(data)
    with demo_store.write("test") as uow:  # a change after the copy, which the restore takes back
        uow.execute("DELETE FROM decisions")
        uow.execute("UPDATE units SET name = 'Ändrad efteråt'")
    forget_store(str(demo_path))
    before = _digest(demo_path)
    result = backup.restore(archive, demo_path)
    assert _digest(tmp_path / result["kept"].split("/")[-1]) == before
    connection = duckdb.connect(str(demo_path))
    assert connection.execute("SELECT count(*) FROM units WHERE name = 'Ändrad efteråt'").fetchone()[0] == 0
    assert connection.execute("SELECT count(*) FROM decisions").fetchone()[0] > 0
    connection.close()


def test_a_backup_taken_while_examiners_save_is_one_moment(demo_store, tmp_path):
    user, cid = not_started(demo_store)
    stop = threading.Event()
    saved = []

    def keep_saving():
        version = 0
        while not stop.is_set():
            version = assessments.set_note(demo_store, user, cid, version, 1, f"Anteckning {version}")
            saved.append(version)

    writer = threading.Thread(target=keep_saving)
    writer.start()
    try:
        while len(saved) < 5:
            threading.Event().wait(0.01)
        backup.create(demo_store, tmp_path / "kopia")
    finally:
        stop.set()
        writer.join()
    backup.restore(tmp_path / "kopia", tmp_path / "kopia.duckdb")
    connection = duckdb.connect(str(tmp_path / "kopia.duckdb"))
    version, note = connection.execute(
        "SELECT a.version, n.note FROM assessments a JOIN question_notes n ON n.assessment_id = a.id"
        " WHERE a.contribution_id = ? AND a.examiner_id = ?", [cid, user.id]).fetchone()
    logged = connection.execute(
        "SELECT max(CAST(json_extract(after_value, '$.version') AS INTEGER)) FROM audit_log"
        " WHERE entity = 'assessments' AND entity_id = (SELECT CAST(id AS VARCHAR) FROM assessments"
        " WHERE contribution_id = ? AND examiner_id = ?)", [cid, user.id]).fetchone()[0]
    # The data and its log agree: the copy holds no half-finished save.
    assert 1 <= version <= len(saved) and logged == version and note == f"Anteckning {version - 1}"


def _unchanged_after(source, database, message: str) -> None:
    before = _digest(database)
    with pytest.raises(backup.BackupError, match=message):
        backup.restore(source, database)
    assert _digest(database) == before
    assert not database.with_name(database.name + ".aterstalls").exists()


def test_a_bad_copy_is_refused_and_the_database_is_untouched(demo_store, demo_path, tmp_path):
    backup.create(demo_store, tmp_path / "kopia")
    forget_store(str(demo_path))
    _unchanged_after(tmp_path / "saknas", demo_path, "finns inte")
    (tmp_path / "text.zip").write_text("inte en zip")
    _unchanged_after(tmp_path / "text.zip", demo_path, "varken en mapp eller en zip-fil")
    (tmp_path / "tom").mkdir()
    _unchanged_after(tmp_path / "tom", demo_path, "manifest.json saknas")
    with zipfile.ZipFile(tmp_path / "farlig.zip", "w") as archive:
        archive.writestr("../utanfor.txt", "x")
    _unchanged_after(tmp_path / "farlig.zip", demo_path, "hör till en kopia")
    # A copy whose data no longer matches its manifest (a table file swapped).
    (tmp_path / "kopia" / "units.parquet").write_bytes((tmp_path / "kopia" / "decisions.parquet").read_bytes())
    _unchanged_after(tmp_path / "kopia", demo_path, "Kopian")
    (tmp_path / "kopia" / backup.MANIFEST).write_text("{inte json")
    _unchanged_after(tmp_path / "kopia", demo_path, "skadad")


def test_a_backup_never_goes_into_a_folder_that_holds_something(demo_store, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "viktig.txt").write_text("behåll")
    with pytest.raises(backup.BackupError, match="inte tom"):
        backup.create(demo_store, tmp_path / "full")
    assert (tmp_path / "full" / "viktig.txt").read_text() == "behåll"


def test_the_command_line_backs_up_and_refuses_to_restore_under_a_running_app(demo_path, tmp_path):
    run = [sys.executable, "-m", "scoring"]
    env = {"WORKBENCH_DB": str(demo_path), "PATH": "/usr/bin:/bin"}
    made = subprocess.run([*run, "backup", str(tmp_path / "kopia")], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert made.returncode == 0 and "tabeller" in made.stdout, made.stderr
    # Another process owns the database, as the app does while it runs.
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]);"
                               " print('klar', flush=True); time.sleep(60)", str(demo_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "klar"
        before = _digest(demo_path)
        refused = subprocess.run([*run, "restore", str(tmp_path / "kopia")], cwd=ROOT, env=env,
                                 capture_output=True, text=True, timeout=120)
        assert refused.returncode == 1 and "Stoppa appen" in refused.stderr
        assert _digest(demo_path) == before
    finally:
        holder.kill()
        holder.wait()
    restored = subprocess.run([*run, "restore", str(tmp_path / "kopia")], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=120)
    assert restored.returncode == 0 and "alla kontrollerade" in restored.stdout, restored.stderr

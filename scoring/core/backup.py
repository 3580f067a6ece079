"""Backup and restore of the whole store.

On PostgreSQL the same is done with its own tools (``backup_postgres``). On DuckDB, a
backup is DuckDB's own EXPORT DATABASE (schema, sequences at their current values, one
Parquet file per table) plus a manifest with every table's row count and fingerprint.
It is taken inside one transaction while the store's write lock is held, so a backup made
while people work is one consistent moment. Only the process that owns the database can
read it, so a running app makes its backups itself (the admin's download); the command
line makes them when the app is stopped.

Restore builds a new database beside the old one, checks every table against the
manifest, and only then swaps the files, keeping the old one: a failed restore changes
nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
import zipfile
from pathlib import Path

import duckdb

from scoring.core import access, config
from scoring.core.auth import User
from scoring.core.store import Store, utcnow

MANIFEST = "manifest.json"
FORMAT = "examinatorsstod-backup-1"
MAX_ZIP_BYTES = 2 * 1024**3


class BackupError(Exception):
    """A backup or restore that cannot be done; the message is Swedish and says why."""


def tables(connection: duckdb.DuckDBPyConnection) -> list[str]:
    if getattr(connection, "dialect", None) == "postgresql":
        from scoring.core import backup_postgres

        return backup_postgres.tables(connection)
    return [r[0] for r in connection.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
        " AND schema_name = 'main' ORDER BY 1").fetchall()]


def fingerprints(connection: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    """Row count and an order-independent hash of every row, per table (one query)."""
    if getattr(connection, "dialect", None) == "postgresql":
        from scoring.core import backup_postgres

        return backup_postgres.fingerprints(connection)
    names = tables(connection)
    if not names:
        return {}
    sql = " UNION ALL ".join(
        f"SELECT '{t}', count(*), coalesce(sum(hash(\"{t}\")::HUGEINT), 0)::VARCHAR FROM \"{t}\"" for t in names)
    return {t: {"rows": rows, "fingerprint": digest} for t, rows, digest in connection.execute(sql).fetchall()}


def create(store: Store, folder: str | Path) -> dict:
    """Write a backup into ``folder`` (created; must not hold anything yet). Returns the manifest."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"Mappen {folder} är inte tom. Välj en ny mapp för säkerhetskopian.")
    folder.mkdir(parents=True, exist_ok=True)
    if store.dialect == "postgresql":
        from scoring.core import backup_postgres

        try:
            found = backup_postgres.dump(store, folder)
        except (backup_postgres.ToolMissing, RuntimeError) as exc:
            raise BackupError(f"Säkerhetskopian gick inte att ta: {exc}") from None
        manifest = {"format": FORMAT, "database": "postgresql", "created_at": utcnow().isoformat(timespec="seconds"),
                    "source": store.path, "tables": found}
        (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        return manifest
    with store.snapshot() as cursor:  # no write can land between export and manifest
        path = str(folder.resolve()).replace("'", "''")
        cursor.execute(f"EXPORT DATABASE '{path}' (FORMAT parquet)")
        manifest = {"format": FORMAT, "created_at": utcnow().isoformat(timespec="seconds"),
                    "source": store.path, "tables": fingerprints(cursor)}
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def download(store: Store, user: User) -> tuple[str, bytes]:
    """A backup as one zip file, for the admin's download while the app runs."""
    access.require(store, user, "backup.download")
    actor = user.email
    with tempfile.TemporaryDirectory(prefix="backup-") as tmp:
        create(store, Path(tmp) / "kopia")
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for file in sorted((Path(tmp) / "kopia").iterdir()):
                archive.write(file, file.name)
    stamp = dt.datetime.now().strftime("%Y-%m-%d-%H%M")
    with store.write(actor) as uow:  # who took a copy of the confidential material
        uow.audit("laddade ned säkerhetskopia", "database", None, None, {"bytes": len(out.getvalue())})
    return f"examinatorsstod-sakerhetskopia-{stamp}.zip", out.getvalue()


def _read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder} är ingen säkerhetskopia från Examinatorsstöd: {MANIFEST} saknas.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise BackupError(f"{MANIFEST} i {folder} går inte att läsa; kopian är skadad.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not isinstance(
            manifest.get("tables"), dict):
        raise BackupError(f"{MANIFEST} i {folder} har fel format; kopian är inte från den här versionen.")
    needed = ("database.dump",) if manifest.get("database") == "postgresql" else ("schema.sql", "load.sql")
    for name in needed:
        if not (folder / name).is_file():
            raise BackupError(f"Kopian i {folder} är ofullständig: {name} saknas.")
    return manifest


def _unpack(source: Path, into: Path) -> Path:
    if source.is_dir():
        return source
    if not source.is_file():
        raise BackupError(f"{source} finns inte.")
    if not zipfile.is_zipfile(source):
        raise BackupError(f"{source.name} är varken en mapp eller en zip-fil med en säkerhetskopia.")
    with zipfile.ZipFile(source) as archive:
        members = archive.infolist()
        if sum(m.file_size for m in members) > MAX_ZIP_BYTES:
            raise BackupError(f"{source.name} packas upp till mer än 2 GB; det är ingen säkerhetskopia härifrån.")
        for member in members:
            if "/" in member.filename or "\\" in member.filename or member.filename.startswith("."):
                raise BackupError(f"{source.name} innehåller {member.filename!r}, som inte hör till en kopia.")
        archive.extractall(into)
    return into


def restore(source: str | Path, database: str | Path) -> dict:
    """Replace ``database`` (a DuckDB file or a postgresql:// address) with the backup in
    ``source`` (a folder or the admin's zip).

    The app must be stopped. The old file (database) is kept beside the new one.
    """
    if config.is_postgres(str(database)):
        return _restore_postgres(Path(source), str(database))
    source, database = Path(source), Path(database)
    with tempfile.TemporaryDirectory(prefix="restore-") as tmp:
        folder = _unpack(source, Path(tmp) / "kopia")
        manifest = _read_manifest(folder)
        if manifest.get("database") == "postgresql":
            raise BackupError("Kopian är tagen från PostgreSQL och kan bara läsas in där (WORKBENCH_DATABASE_URL).")
        if database.exists():
            try:
                duckdb.connect(str(database)).close()
            except duckdb.IOException as exc:
                if "lock" in str(exc).lower():
                    raise BackupError(f"Databasen {database} används (troligen av appen). "
                                      "Stoppa appen innan du återställer.") from None
                raise
        fresh = database.with_name(database.name + ".aterstalls")
        for leftover in (fresh, Path(str(fresh) + ".wal")):
            leftover.unlink(missing_ok=True)
        try:
            connection = duckdb.connect(str(fresh))
            try:
                path = str(folder.resolve()).replace("'", "''")
                connection.execute(f"IMPORT DATABASE '{path}'")
                found = fingerprints(connection)
                if found == manifest["tables"]:
                    connection.execute(
                        "INSERT INTO audit_log (at_time, actor, action, entity, entity_id, after_value)"
                        " VALUES (?, 'kommandoraden', 'återställde från säkerhetskopia', 'database', NULL, ?)",
                        [utcnow(), json.dumps({"kopia": manifest["created_at"], "fil": source.name})])
            finally:
                connection.close()
        except duckdb.Error as exc:
            fresh.unlink(missing_ok=True)
            raise BackupError(f"Kopian går inte att läsa in: {exc}") from None
        if found != manifest["tables"]:
            fresh.unlink(missing_ok=True)
            differing = sorted(t for t in set(found) | set(manifest["tables"])
                               if found.get(t) != manifest["tables"].get(t))
            raise BackupError("Kopian stämmer inte med sin förteckning (tabeller: "
                              f"{', '.join(differing)}); inget är ändrat.")
    kept = None
    if database.exists():
        kept = database.with_name(f"{database.name}.fore-aterstallning-{dt.datetime.now():%Y%m%d-%H%M%S}")
        database.rename(kept)
        wal = Path(str(database) + ".wal")
        if wal.exists():
            wal.rename(Path(str(kept) + ".wal"))
    fresh.rename(database)
    return {"tables": len(manifest["tables"]), "rows": sum(t["rows"] for t in manifest["tables"].values()),
            "kept": str(kept) if kept else None}



def _restore_postgres(source: Path, url: str) -> dict:
    from scoring.core import backup_postgres

    with tempfile.TemporaryDirectory(prefix="restore-") as tmp:
        folder = _unpack(source, Path(tmp) / "kopia")
        manifest = _read_manifest(folder)
        if manifest.get("database") != "postgresql":
            raise BackupError("Kopian är tagen från en DuckDB-fil och kan bara läsas in i en sådan (WORKBENCH_DB).")
        try:
            return backup_postgres.restore(folder, url, manifest["tables"],
                                           {"kopia": manifest["created_at"], "fil": source.name})
        except (ValueError, RuntimeError, backup_postgres.ToolMissing) as exc:
            raise BackupError(str(exc)) from None

"""Backup and restore on PostgreSQL, with PostgreSQL's own tools and the same manifest check.

A backup is ``pg_dump --format=custom`` taken in an exported snapshot, and the manifest's
row counts and fingerprints are read in that same snapshot: the copy and its manifest are one
moment even while people work (PostgreSQL needs no write lock for it). Restore reads the dump
into a new database beside the old one with ``pg_restore``, checks every table against the
manifest, and only then renames the databases, keeping the old one: a failed restore changes
nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg.conninfo import conninfo_to_dict

DUMP = "database.dump"


class ToolMissing(RuntimeError):
    pass


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parent.parent.name))
    if not versions:
        raise ToolMissing(f"{name} saknas; installera PostgreSQL-klienten (Debians paket postgresql-client).")
    return str(versions[-1])


def _environment(url: str) -> dict:
    # The address (password included) goes to the tools through their environment, never
    # on a command line that `ps` shows.
    info = conninfo_to_dict(url)
    names = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD",
             "dbname": "PGDATABASE", "sslmode": "PGSSLMODE"}
    return {**os.environ, **{names[k]: str(v) for k, v in info.items() if k in names and v is not None}}


def tables(cursor) -> list[str]:
    return [r[0] for r in cursor.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        " AND table_type = 'BASE TABLE' ORDER BY 1").fetchall()]


def fingerprints(cursor) -> dict[str, dict]:
    """Row count and an order-independent digest of every row, per table (one query)."""
    names = tables(cursor)
    if not names:
        return {}
    sql = " UNION ALL ".join(
        f"SELECT '{t}', count(*), coalesce(md5(string_agg(md5(r::text), '' ORDER BY md5(r::text))), '')"
        f" FROM \"{t}\" r" for t in names)
    return {t: {"rows": rows, "fingerprint": digest} for t, rows, digest in cursor.execute(sql).fetchall()}


def dump(store, folder: Path) -> dict[str, dict]:
    """Write the dump into ``folder``; returns the fingerprints of the same moment."""
    with store.snapshot() as cursor:
        snapshot = cursor.execute("SELECT pg_export_snapshot()").fetchone()[0]
        found = fingerprints(cursor)
        done = subprocess.run(
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
             f"--file={folder / DUMP}"], env=_environment(store.url), capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "pg_dump misslyckades")
    return found


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _admin(url: str, sql: str, params: list | None = None) -> list[tuple]:
    """A statement in the server's maintenance database (a database cannot rename itself)."""
    with psycopg.connect(_with_database(url, "postgres"), autocommit=True) as connection:
        result = connection.execute(sql, params)
        return result.fetchall() if result.description else []


def restore(folder: Path, url: str, expected: dict, audit_entry: dict) -> dict:
    """Restore the dump in ``folder`` into the database at ``url``; raises ValueError naming the
    tables that differ from ``expected``, RuntimeError when the database is in use."""
    name = urlsplit(url).path.lstrip("/")
    if not name:
        raise RuntimeError("Adressen i WORKBENCH_DATABASE_URL saknar databasens namn.")
    exists = bool(_admin(url, "SELECT 1 FROM pg_database WHERE datname = %s", [name]))
    if exists and _in_use(url, name):
        raise RuntimeError(f"Databasen {name} används (troligen av appen). Stoppa appen innan du återställer.")
    fresh = f"{name}_aterstalls"
    _admin(url, f'DROP DATABASE IF EXISTS "{fresh}"')
    _admin(url, f'CREATE DATABASE "{fresh}" TEMPLATE template0 ENCODING \'UTF8\'')
    fresh_url = _with_database(url, fresh)
    try:
        done = subprocess.run([_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
                               f"--dbname={fresh}", str(folder / DUMP)],
                              env=_environment(fresh_url), capture_output=True, text=True)
        if done.returncode != 0:
            raise ValueError(f"Kopian går inte att läsa in: {done.stderr.strip().splitlines()[-1]}")
        with psycopg.connect(fresh_url, autocommit=True, cursor_factory=psycopg.ClientCursor) as connection:
            cursor = connection.cursor()
            found = fingerprints(_Plain(cursor))
            if found != expected:
                differing = sorted(t for t in set(found) | set(expected) if found.get(t) != expected.get(t))
                raise ValueError("Kopian stämmer inte med sin förteckning (tabeller: "
                                 f"{', '.join(differing)}); inget är ändrat.")
            cursor.execute("INSERT INTO audit_log (at_time, actor, action, entity, entity_id, after_value)"
                           " VALUES (timezone('UTC', now()), 'kommandoraden', 'återställde från säkerhetskopia',"
                           " 'database', NULL, %s)", [psycopg.types.json.Json(audit_entry)])
            cursor.execute("UPDATE store_generation SET n = n + 1")
    except BaseException:
        _admin(url, f'DROP DATABASE IF EXISTS "{fresh}"')
        raise
    kept = None
    if exists:
        kept = f"{name}_fore_aterstallning_{dt.datetime.now():%Y%m%d_%H%M%S}"
        _admin(url, f'ALTER DATABASE "{name}" RENAME TO "{kept}"')
    _admin(url, f'ALTER DATABASE "{fresh}" RENAME TO "{name}"')
    return {"tables": len(expected), "rows": sum(t["rows"] for t in expected.values()), "kept": kept}


def _in_use(url: str, name: str, patience: float = 5.0) -> bool:
    """Whether anything is connected to the database. A server process that has just stopped
    is still listed for a moment (its backend ends after the client), so wait a little."""
    deadline = time.monotonic() + patience
    while _admin(url, "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [name])[0][0]:
        if time.monotonic() > deadline:
            return True
        time.sleep(0.2)
    return False


class _Plain:
    """A psycopg cursor answering ``execute(...).fetchall()`` as the store's cursors do."""

    def __init__(self, cursor) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params=None):
        self._cursor.execute(sql, params)
        return self._cursor

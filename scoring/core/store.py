"""The store: one DuckDB file behind a small interface.

DuckDB lets one process own the file. This process keeps one connection, hands out a
cursor per unit of work (a cursor must not cross threads), and serialises every write
through one process-wide lock, because concurrent updates of a row would otherwise
fail with "Conflict on update". Each write is an explicit transaction that also
records its audit entry, so a failed write leaves nothing behind, audit included.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from scoring.core import config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def utcnow() -> dt.datetime:
    """Naive UTC timestamp: DuckDB TIMESTAMP columns carry no zone."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


class UnitOfWork:
    """One write transaction: run statements and record what changed."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection, actor: str) -> None:
        self.cursor = cursor
        self.actor = actor
        # Run once the transaction has committed (never after a rollback): e.g. waking
        # the mail sender for a message this unit of work queued.
        self.after_commit: list[Callable[[], None]] = []

    def execute(self, sql: str, params: list | tuple | None = None) -> duckdb.DuckDBPyConnection:
        return self.cursor.execute(sql, params or [])

    def fetchone(self, sql: str, params: list | tuple | None = None) -> tuple | None:
        return self.cursor.execute(sql, params or []).fetchone()

    def fetchall(self, sql: str, params: list | tuple | None = None) -> list[tuple]:
        return self.cursor.execute(sql, params or []).fetchall()

    def audit(
        self,
        action: str,
        entity: str,
        entity_id: object = None,
        before: Any = None,
        after: Any = None,
    ) -> None:
        self.cursor.execute(
            "INSERT INTO audit_log (at_time, actor, action, entity, entity_id, before_value,"
            " after_value) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                utcnow(),
                self.actor,
                action,
                entity,
                None if entity_id is None else str(entity_id),
                _json(before),
                _json(after),
            ],
        )


class StoreUnavailable(RuntimeError):
    """The database file cannot be opened; the message is Swedish and names file and holder."""


def _open(path: str) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(path)
    except duckdb.IOException as exc:
        if "lock" not in str(exc).lower():
            raise
        holder = re.search(r"PID (\d+)", str(exc))
        who = f" (process {holder.group(1)})" if holder else ""
        raise StoreUnavailable(
            f"Databasen {path} används redan av en annan process{who}: en annan server för Examinatorsstöd "
            "eller kommandoraden. En databasfil kan bara ha en server i taget. Stoppa den andra processen, "
            "ange en annan databas med WORKBENCH_DB, eller kör flera servrar på PostgreSQL "
            "(WORKBENCH_DATABASE_URL).") from None


class Store:
    dialect = "duckdb"
    # What a broken constraint raises, for the few callers that tell it apart.
    IntegrityError: type[Exception] = duckdb.ConstraintException

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._connection = _open(self.path)
        self._write_lock = threading.RLock()
        self._cursor_lock = threading.Lock()
        # Results that never change once written (a contribution's text), kept per process.
        self.memo: dict = {}
        # Read results valid until the next committed write (see ``cached``).
        self._generation = 0
        self._cache: dict = {}
        self.migrate()

    # --- units of work ---------------------------------------------------------

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        with self._cursor_lock:
            return self._connection.cursor()

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        cursor = self._cursor()
        try:
            yield cursor
        finally:
            cursor.close()

    @contextmanager
    def write(self, actor: str, cached_reads_unchanged: bool = False) -> Iterator[UnitOfWork]:
        """One transaction. ``cached_reads_unchanged``: the change touches no table any cached
        read uses (a draft), so the cache of every process stays valid."""
        with self._write_lock:
            cursor = self._cursor()
            try:
                cursor.execute("BEGIN TRANSACTION")
                uow = UnitOfWork(cursor, actor)
                try:
                    yield uow
                except BaseException:
                    cursor.execute("ROLLBACK")
                    raise
                cursor.execute("COMMIT")
                if not cached_reads_unchanged:
                    self._generation += 1
            finally:
                cursor.close()
        for callback in uow.after_commit:
            callback()

    @contextmanager
    def snapshot(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only transaction while no write can land: one consistent moment (backups)."""
        with self._write_lock, self.read() as cursor:
            cursor.execute("BEGIN TRANSACTION")
            try:
                yield cursor
            finally:
                cursor.execute("ROLLBACK")

    def fetchall(self, sql: str, params: list | tuple | None = None) -> list[tuple]:
        with self.read() as cur:
            return cur.execute(sql, params or []).fetchall()

    def fetchone(self, sql: str, params: list | tuple | None = None) -> tuple | None:
        with self.read() as cur:
            return cur.execute(sql, params or []).fetchone()

    def records(self, sql: str, params: list | tuple | None = None) -> list[dict]:
        with self.read() as cur:
            result = cur.execute(sql, params or [])
            names = [d[0] for d in result.description]
            return [dict(zip(names, row, strict=True)) for row in result.fetchall()]

    def close(self) -> None:
        self._connection.close()

    # --- migrations ------------------------------------------------------------

    def applied_migrations(self) -> list[int]:
        return [row[0] for row in self.fetchall("SELECT version FROM schema_migrations ORDER BY 1")]

    def migrate(self) -> list[int]:
        """Apply every numbered migration not yet applied, each in its own transaction."""
        with self._write_lock:
            self._connection.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
            )
            done = set(self.applied_migrations())
            applied = []
            for version, name, statements in migration_files(self.dialect):
                if version in done:
                    continue
                with self.write("system") as uow:
                    for statement in statements:
                        uow.execute(statement)
                    uow.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [version, name, utcnow()])
                applied.append(version)
            return applied

    def refresh(self) -> None:
        """Notice writes made by other processes (none can write a DuckDB file this process holds)."""

    def is_mail_sender(self) -> bool:
        """Whether this process sends the outbox (the only process on a DuckDB file always does)."""
        return True

    # --- settings ----------------------------------------------------------------

    def cached(self, key: tuple, compute: Callable[[], Any]) -> Any:
        """``compute()``, reused until the next committed write.

        Each page asks the same small questions (who may see what, which year, which
        phase) on every rerun; a DuckDB query costs a millisecond or more, so the answers
        are kept until something is written. This process is the file's only writer, so
        the write counter tells exactly when an answer may have changed. Callers must not
        mutate what they get back.
        """
        generation = self._generation
        hit = self._cache.get(key)
        if hit is not None and hit[0] == generation:
            return hit[1]
        value = compute()
        if len(self._cache) > 10_000:
            self._cache.clear()
        # Stored under the generation read before computing: a write that lands meanwhile
        # makes the entry stale at once.
        self._cache[key] = (generation, value)
        return value

    def setting(self, key: str, default: str | None = None) -> str | None:
        row = self.cached(("setting", key), lambda: self.fetchone("SELECT value FROM settings WHERE key = ?", [key]))
        return row[0] if row else default


# Settings whose value must never reach the log (it is exported).
SECRET_SETTINGS = {"cookie_secret"}


def set_setting(uow: UnitOfWork, key: str, value: str) -> None:
    before = uow.fetchone("SELECT value FROM settings WHERE key = ?", [key])
    uow.execute(
        "INSERT INTO settings VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )
    if key in SECRET_SETTINGS:
        uow.audit("ändra inställning", "settings", key, before and "(hemlig)", "(hemlig)")
    else:
        uow.audit("ändra inställning", "settings", key, before and before[0], value)


def migration_files(dialect: str) -> list[tuple[int, str, list[str]]]:
    """The migrations in order as (version, name, statements); a dialect's own files (its
    compatibility layer, version 0) come first."""
    own = sorted((MIGRATIONS_DIR / dialect).glob("[0-9][0-9][0-9]_*.sql")) if dialect != "duckdb" else []
    shared = sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9]_*.sql"))
    return [(int(path.name[:3]), path.stem, _statements(path.read_text(encoding="utf-8"))) for path in own + shared]


def _statements(sql: str) -> list[str]:
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    # A function body between $$ … $$ keeps its own semicolons.
    parts, statement, quoted = [], [], False
    for piece in re.split(r"(\$\$|;)", "\n".join(lines)):
        if piece == "$$":
            quoted = not quoted
        if piece == ";" and not quoted:
            parts.append("".join(statement).strip())
            statement = []
        else:
            statement.append(piece)
    parts.append("".join(statement).strip())
    return [part for part in parts if part]


_stores: dict[str, Store] = {}
_stores_lock = threading.Lock()


def open_store(location: str | Path) -> Store:
    """A store on a DuckDB file, or on PostgreSQL for a postgresql:// address."""
    if config.is_postgres(str(location)):
        from scoring.core.store_postgres import PostgresStore  # psycopg only where PostgreSQL is used

        return PostgresStore(str(location))
    return Store(location)


def get_store(path: str | None = None) -> Store:
    """The process-wide store for a location (default: WORKBENCH_DATABASE_URL, else WORKBENCH_DB)."""
    path = path or config.database_location()
    with _stores_lock:
        store = _stores.get(path)
        if store is None:
            store = _stores[path] = open_store(path)
        return store


def forget_store(path: str) -> None:
    """Close and drop the process-wide store for a path (tests, restore)."""
    with _stores_lock:
        store = _stores.pop(path, None)
    if store is not None:
        store.close()

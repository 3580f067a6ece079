"""The same store on PostgreSQL, for several server processes on one database.

Set ``WORKBENCH_DATABASE_URL=postgresql://…`` and every process opens this store instead of
the DuckDB file. The rest of the workbench does not know the difference:

- The SQL is written once, with DuckDB's ``?`` placeholders; they are turned into psycopg's
  here, and the few DuckDB types and functions the SQL uses exist in PostgreSQL through the
  compatibility migration (``migrations/postgresql/000_compatibility.sql``).
- Writes are serialised across all processes by one transaction-level advisory lock, just
  as DuckDB serialises them through its one writer: a versioned save reads the version it
  checks after every earlier write has committed, so a stale save is refused here too.
- Each committed write counts up ``store_generation`` in the same transaction. Every page
  run starts with ``refresh()``, which reads that counter, so a process's read cache is
  dropped as soon as another process has written — a save in one server is seen in the
  other on its next rerun.
- Values come back as DuckDB gives them: JSON as text, whole numbers as ``int``.
"""

from __future__ import annotations

import contextlib
import functools
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg.adapt import Loader
from psycopg.types.string import TextLoader
from psycopg_pool import ConnectionPool, PoolTimeout

from scoring.core.store import Store, StoreUnavailable, UnitOfWork, migration_files, utcnow

# pg_advisory_xact_lock key of the one writer: "EXAM" in ASCII.
WRITE_LOCK_KEY = 0x4558414D
# Session lock held by the one process that sends the outbox, so that no mail goes twice.
SENDER_LOCK_KEY = WRITE_LOCK_KEY + 1
# A cache entry is trusted this long without asking the database, outside a page run
# (command line, sender thread); a page run always asks first.
REFRESH_SECONDS = 1.0


class _NumericLoader(Loader):
    """numeric as DuckDB gives it: sum() of whole numbers an int, avg() a float."""

    def load(self, data: Any) -> int | float:
        text = bytes(data).decode()
        return float(text) if ("." in text or "e" in text.lower() or text in ("NaN", "Infinity", "-Infinity")) \
            else int(text)


def _configure(connection: psycopg.Connection) -> None:
    for name in ("json", "jsonb"):
        connection.adapters.register_loader(name, TextLoader)
    connection.adapters.register_loader("numeric", _NumericLoader)


@functools.lru_cache(maxsize=4096)
def translate(sql: str) -> str:
    """DuckDB's ``?`` placeholders as psycopg's ``%s`` (and a literal ``%`` doubled), outside quotes."""
    out = []
    for piece in re.split(r"('(?:[^']|'')*'|\"(?:[^\"]|\"\")*\")", sql):
        if piece.startswith(("'", '"')):
            out.append(piece.replace("%", "%%"))
        else:
            out.append(piece.replace("%", "%%").replace("?", "%s"))
    return "".join(out)


def redacted(url: str) -> str:
    """The address without its password, for messages, logs and the backup manifest."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    return urlunsplit(parts._replace(netloc=netloc[0].split(":", 1)[0] + ":***@" + netloc[1]))


class PostgresCursor:
    """What the workbench asks of a DuckDB cursor, on a psycopg connection."""

    dialect = "postgresql"

    def __init__(self, connection: psycopg.Connection) -> None:
        self.connection = connection
        self._cursor = connection.cursor()

    def execute(self, sql: str, params: list | tuple | None = None) -> PostgresCursor:
        self._cursor.execute(translate(sql), list(params or ()))
        return self

    def executemany(self, sql: str, rows: list) -> PostgresCursor:
        self._cursor.executemany(translate(sql), rows)
        return self

    def fetchone(self) -> tuple | None:
        return self._cursor.fetchone()

    def fetchall(self) -> list[tuple]:
        return self._cursor.fetchall()

    @property
    def description(self):
        return self._cursor.description

    def close(self) -> None:
        self._cursor.close()


class PostgresStore(Store):
    dialect = "postgresql"
    IntegrityError = psycopg.errors.IntegrityError

    def __init__(self, url: str, max_connections: int = 20) -> None:
        self.url = url
        self.path = redacted(url)  # the store's name in messages; never the password
        try:
            psycopg.connect(url, connect_timeout=10).close()  # a clear answer before the pool retries quietly
            self._pool = ConnectionPool(
                url, min_size=1, max_size=max_connections, open=True, timeout=30, configure=_configure,
                kwargs={"autocommit": True, "cursor_factory": psycopg.ClientCursor,
                        # Timestamps are naive UTC, as in the DuckDB file; a lock wait ends with an error, not a hang.
                        "options": "-c TimeZone=UTC -c lock_timeout=60s"})
            self._pool.wait(timeout=15)
        except (psycopg.Error, PoolTimeout) as exc:
            raise StoreUnavailable(f"Databasen {self.path} går inte att nå ({str(exc).splitlines()[0]}). "
                                   "Kontrollera WORKBENCH_DATABASE_URL och att PostgreSQL är igång.") from None
        self._write_lock = threading.RLock()
        self._local = threading.local()
        self._sender_lock = threading.Lock()
        self._sender_connection: psycopg.Connection | None = None
        self.memo: dict = {}
        self._generation = -1
        self._checked_at = 0.0
        self._cache: dict = {}
        self.migrate()
        self.refresh()

    # --- units of work ---------------------------------------------------------

    @contextmanager
    def read(self) -> Iterator[PostgresCursor]:
        with self._pool.connection() as connection:
            cursor = PostgresCursor(connection)
            try:
                yield cursor
            finally:
                cursor.close()

    @contextmanager
    def write(self, actor: str, cached_reads_unchanged: bool = False) -> Iterator[UnitOfWork]:
        outer: UnitOfWork | None = getattr(self._local, "uow", None)
        if outer is not None:
            # A write inside a write on this thread: a savepoint of the same transaction, since
            # a second connection would wait for the advisory lock this thread already holds.
            inner = UnitOfWork(outer.cursor, actor)
            with outer.cursor.connection.transaction():
                yield inner
            outer.after_commit.extend(inner.after_commit)
            return
        with self._write_lock, self._pool.connection() as connection:
            cursor = PostgresCursor(connection)
            try:
                with connection.transaction():
                    cursor.execute("SELECT pg_advisory_xact_lock(?)", [WRITE_LOCK_KEY])
                    uow = self._local.uow = UnitOfWork(cursor, actor)
                    yield uow
                    generation = self._generation if cached_reads_unchanged else cursor.execute(
                        "UPDATE store_generation SET n = n + 1 RETURNING n").fetchone()[0]
            finally:
                self._local.uow = None
                cursor.close()
            self._generation = max(self._generation, generation)
        for callback in uow.after_commit:
            callback()

    @contextmanager
    def snapshot(self) -> Iterator[PostgresCursor]:
        """One consistent moment for reading everything (PostgreSQL needs no lock for it)."""
        with self._pool.connection() as connection, connection.transaction():
            connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor = PostgresCursor(connection)
            try:
                yield cursor
            finally:
                cursor.close()

    def close(self) -> None:
        with self._sender_lock:
            if self._sender_connection is not None and not self._sender_connection.closed:
                # Released now, not when the server notices the closed connection: the next
                # process takes over sending at its next round.
                with contextlib.suppress(psycopg.Error):
                    self._sender_connection.execute("SELECT pg_advisory_unlock_all()")
                self._sender_connection.close()
        self._pool.close()

    def is_mail_sender(self) -> bool:
        """Only one server process sends the outbox: the one holding a session lock. When it
        stops, its connection closes, and another process takes over at its next round."""
        with self._sender_lock:
            if self._sender_connection is not None and not self._sender_connection.closed:
                return True
            try:
                connection = psycopg.connect(self.url, autocommit=True)
            except psycopg.Error:
                return False
            if connection.execute("SELECT pg_try_advisory_lock(%s)", [SENDER_LOCK_KEY]).fetchone()[0]:
                self._sender_connection = connection
                return True
            connection.close()
            return False

    # --- migrations and the cache ----------------------------------------------

    def migrate(self) -> list[int]:
        """All pending migrations in one transaction, under the writers' lock: two processes
        starting at once apply them once."""
        applied = []
        with self._write_lock, self._pool.connection() as connection, connection.transaction():
            cursor = PostgresCursor(connection)
            cursor.execute("SELECT pg_advisory_xact_lock(?)", [WRITE_LOCK_KEY])
            cursor.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                           " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)")
            done = {row[0] for row in cursor.execute("SELECT version FROM schema_migrations").fetchall()}
            for version, name, statements in migration_files(self.dialect):
                if version in done:
                    continue
                for statement in statements:
                    cursor.execute(statement)
                cursor.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [version, name, utcnow()])
                applied.append(version)
            if applied:
                cursor.execute("UPDATE store_generation SET n = n + 1")
        return applied

    def refresh(self) -> None:
        """Read the database's write counter: what another process wrote drops this one's cache."""
        generation = self.fetchone("SELECT n FROM store_generation WHERE id = 1")[0]
        self._checked_at = time.monotonic()
        if generation != self._generation:
            self._generation = generation

    def cached(self, key: tuple, compute):
        if time.monotonic() - self._checked_at > REFRESH_SECONDS:
            self.refresh()
        return super().cached(key, compute)

"""A throwaway PostgreSQL cluster for the suite and the benchmark: Debian's server, a free
port on 127.0.0.1, a data folder under /tmp, stopped and removed at the end.

Each test gets a database of its own, copied from a template (CREATE DATABASE … TEMPLATE),
which takes a fraction of the time of running the migrations again. Durability is switched
off (fsync, synchronous commit): nothing here outlives the run.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg


def _bin_dir() -> Path:
    """Debian's server programs (pg_ctl is not on PATH there; /usr/lib/postgresql/<major>/bin is)."""
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(os.path.realpath(on_path)).parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name))
    if not versions:
        raise RuntimeError("PostgreSQL saknas: `make test` installerar Debians paket postgresql.")
    return versions[-1].parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresCluster:
    def __init__(self) -> None:
        self.bin = _bin_dir()
        # Under /tmp itself, not pytest's folder (mode 700): the server's user must reach it.
        self.folder = folder = Path(tempfile.mkdtemp(prefix="pg-suite-"))
        self.data = folder / "data"
        self.port = free_port()
        self._names = itertools.count(1)
        # PostgreSQL refuses to run as root; the suite runs as root on CI, so the server runs
        # as Debian's postgres user, which owns the folder.
        self._as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as_user:
            shutil.chown(folder, "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        self._run("pg_ctl", "-D", str(self.data), "-w", "-t", "60", "-l", str(folder / "server.log"), "-o",
                  f"-p {self.port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                  "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300", "start")

    def _run(self, program: str, *args: str) -> None:
        subprocess.run([*self._as_user, str(self.bin / program), *args], check=True, capture_output=True,
                       cwd=self.folder)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(sql)

    def new_database(self, template: str | None = None, name: str | None = None) -> str:
        name = name or f"t{os.getpid()}_{next(self._names)}"
        self.admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

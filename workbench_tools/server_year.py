"""A year big enough for the server load test, and the server processes to load.

The demo year, plus as many teams of four examiners as the load needs, each with a
contribution of its own. Everything goes through the core as the office does it: the
contribution's Word file through intake, the examiners from the registry's workbook with
a password each, the team, the assignment and each examiner's declaration. So every
simulated examiner logs in with a real account and scores a real contribution's text.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import random
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import openpyxl

from scoring.core import auth
from scoring.core.store import Store, open_store
from scoring.intake import review as intake_store
from scoring.teams import assignment as teams
from scoring.teams import conflicts, examiners
from scoring.year.framework import load_framework
from workbench_tools import demo
from workbench_tools.server_load import Login, assessable_logins

ROOT = Path(__file__).resolve().parent.parent
TEAM_SIZE = 4
EXAMINER_ORGANISATION = "Kulturförvaltningen"  # no load unit belongs to it: no conflicts of interest
REASON = "Lasttest mot servern"


def build_load_year(location: Path | str, examiners_wanted: int, seed: int = 22) -> list[Login]:
    """A new database at ``location`` (a DuckDB file or an empty PostgreSQL database) with at
    least ``examiners_wanted`` examiners ready to score; their logins (all with the demo
    password), the demo's own examiners first."""
    store = open_store(str(location))
    try:
        demo.build_demo(store)
        admin = auth.user_by_email(store, demo.OTHER_ACCOUNTS[0][0])
        missing = examiners_wanted - len(assessable_logins(store, demo.DEMO_PASSWORD, demo.DEMO_YEAR))
        if missing > 0:
            _add_teams(store, admin, -(-missing // TEAM_SIZE), random.Random(seed))
        return assessable_logins(store, demo.DEMO_PASSWORD, demo.DEMO_YEAR)[:examiners_wanted]
    finally:
        store.close()


def _add_teams(store: Store, admin: auth.User, count: int, rng: random.Random) -> None:
    framework = load_framework(demo.DEMO_YEAR)
    people = [(f"Lastexaminator {t + 1}-{m + 1}", f"lastexaminator.{t + 1}.{m + 1}@demo.stockholm.se")
              for t in range(count) for m in range(TEAM_SIZE)]
    examiners.import_examiners(store, admin, "lastexaminatorer.xlsx", _workbook(people))
    with store.write(demo.ACTOR) as uow:  # as `users set-password` does
        for _, email in people:
            auth.set_password(uow, auth.user_by_email(store, email).id, demo.DEMO_PASSWORD)
    for t in range(count):
        model = demo.UNITS[t % len(demo.UNITS)]
        unit = dataclasses.replace(model, name=f"Lastenheten {t + 1}")
        intake_id = intake_store.upload(store, admin, demo.DEMO_YEAR, f"{unit.name}.docx",
                                        demo.contribution_file(framework, unit, rng))
        read = intake_store.review(store, admin, intake_id)
        cid = intake_store.accept(store, admin, intake_id, read.version, unit_name=unit.name,
                                  organisation=unit.organisation, note=REASON if read.needs_note else "")
        members = [auth.user_by_email(store, email) for _, email in people[t * TEAM_SIZE:(t + 1) * TEAM_SIZE]]
        team_id = teams.create_team(store, admin, demo.DEMO_YEAR, f"Lastlaget {t + 1}", [m.id for m in members],
                                    members[0].id, REASON)
        teams.assign(store, admin, cid, team_id, REASON)
        for member in members:
            conflicts.declare(store, member, cid, has_conflict=False, confidentiality_accepted=True)


def _workbook(people: list[tuple[str, str]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Namn", "E-post", "Förvaltning/bolag", "Arbetsplats", "Kompetenser", "År som examinator", "Ny"])
    for name, email in people:
        sheet.append([name, email, EXAMINER_ORGANISATION, "Lastavdelningen", "kvalitet", 2, "Nej"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """``streamlit run serve.py`` as ``make run`` starts it, on 127.0.0.1; ready when
    ``/_stcore/health`` answers (which opens the store)."""

    def __init__(self, env: dict[str, str], log: Path, port: int | None = None, timeout: float = 60,
                 extra: list[str] = (), script: str = "serve.py") -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = open(log, "w")  # noqa: SIM115 - closed in stop()
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true", *extra],
            cwd=ROOT, env={**os.environ, **env}, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._log.close()
                raise RuntimeError(f"servern stannade; se {log}")
            with contextlib.suppress(OSError), urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"servern startade inte på {timeout:.0f} s; se {log}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


def start_server(db_env: dict[str, str], log: Path, port: int | None = None) -> ServerProcess:
    """One server on the database the environment names: ``WORKBENCH_DB=...`` for a DuckDB
    file, ``WORKBENCH_DATABASE_URL=postgresql://...`` when several processes serve one year."""
    return ServerProcess(db_env, log, port)

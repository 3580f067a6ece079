"""The load client against a real server: three examiners on Bedömning through Streamlit's
websocket, and every save the page acknowledged is in the store afterwards."""

from __future__ import annotations

import shutil

import pytest
from browser import Server

from scoring.assessment import individual as assessments
from scoring.core import auth
from scoring.core.store import Store
from workbench_tools import server_load
from workbench_tools.demo import DEMO_PASSWORD, DEMO_YEAR
from workbench_tools.server_browser import LoadClientError, check_url


@pytest.fixture(scope="module")
def loaded(demo_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("server-load")
    database = folder / "demo.duckdb"
    shutil.copy(demo_template, database)
    store = Store(database)
    logins = server_load.assessable_logins(store, DEMO_PASSWORD, DEMO_YEAR)[:3]
    store.close()
    server = Server(database, folder / "server.log")
    try:
        # A count, not a time: on a busy machine the same interactions just take longer.
        result = server_load.run(server.url, logins, seconds=180, think=(0.1, 0.4), each=7)
    finally:
        server.stop()  # DuckDB: one process owns the file, so the check reads it after
    store = Store(database)
    yield store, logins, result
    store.close()


def test_every_interaction_ends_in_its_own_finished_run(loaded):
    _, logins, result = loaded
    print(f"\n{result.interactions} interactions, {result.summary()}")
    assert len(logins) == 3 and len({login.email for login in logins}) == 3
    assert result.errors == []
    assert all(s.ready for s in result.sessions)
    assert all(len(s.interactions) >= 7 for s in result.sessions)
    assert all(i.ok and i.seconds > 0 for s in result.sessions for i in s.interactions)
    kinds = {i.kind for s in result.sessions for i in s.interactions}
    assert {"band", "poäng", "område", "ny iakttagelse"} <= kinds


def test_what_the_page_acknowledged_is_stored(loaded):
    store, _, result = loaded
    assert sum(len(s.scores) for s in result.sessions) > 0
    assert sum(len(s.findings) + len(s.unplaced) for s in result.sessions) > 0
    assert server_load.verify(store, result.sessions) == 0
    # Checked directly too: the first session's scores are its own assessment's.
    session = next(s for s in result.sessions if s.scores)
    work = assessments.own_assessment(store, auth.user_by_email(store, session.login.email),
                                      session.login.contribution_id)
    for (area, criterion), value in session.scores.items():
        assert work.areas[area].criteria[criterion] == value


def test_the_check_finds_a_lost_save(loaded):
    store, _, result = loaded
    session = next(s for s in result.sessions if s.findings)
    finding_id = next(iter(session.findings))
    with store.write("test") as uow:
        uow.execute("UPDATE findings SET text = 'skrivet över' WHERE id = ?", [finding_id])
    assert server_load.verify(store, result.sessions) >= 1


@pytest.mark.parametrize("url", ["http://localhost:8501", "http://10.0.0.5:8501", "https://127.0.0.1:8501",
                                 "http://127.0.0.1", "http://example.org:80"])
def test_only_this_machine_is_loaded(url):
    with pytest.raises(LoadClientError):
        check_url(url)
    login = server_load.Login("a@b.se", "x" * 12, 1, "Enhet", DEMO_YEAR)
    with pytest.raises(LoadClientError):
        server_load.run(url, [login], seconds=1)


def test_the_load_is_bounded():
    login = server_load.Login("a@b.se", "x" * 12, 1, "Enhet", DEMO_YEAR)
    with pytest.raises(LoadClientError):
        server_load.run("http://127.0.0.1:8501", [login] * (server_load.MAX_SESSIONS + 1), seconds=1)
    with pytest.raises(LoadClientError):
        server_load.run("http://127.0.0.1:8501", [login], seconds=server_load.MAX_SECONDS + 1)


@pytest.fixture(scope="module")
def loaded_on_postgres(postgres_cluster, postgres_demo, tmp_path_factory):
    """The same load on two server processes sharing one PostgreSQL database."""
    from scoring.core.store_postgres import PostgresStore

    folder = tmp_path_factory.mktemp("server-load-pg")
    url = postgres_cluster.new_database(template=postgres_demo)
    store = PostgresStore(url)
    logins = server_load.assessable_logins(store, DEMO_PASSWORD, DEMO_YEAR)[:4]
    servers = [Server(folder / "unused.duckdb", folder / f"server-{n}.log", env={"WORKBENCH_DATABASE_URL": url})
               for n in range(2)]
    try:
        result = server_load.run([s.url for s in servers], logins, seconds=180, think=(0.1, 0.4), each=6)
    finally:
        for server in servers:
            server.stop()
    yield store, servers, result  # PostgreSQL: the check may read while the servers run, here after
    store.close()
    postgres_cluster.drop_database(url)


def test_two_processes_on_postgresql_lose_nothing(loaded_on_postgres):
    store, servers, result = loaded_on_postgres
    assert result.errors == [] and all(s.ready for s in result.sessions)
    assert {s.server for s in result.sessions} == {s.url for s in servers}  # both processes served
    assert all(len(s.interactions) >= 6 for s in result.sessions)
    assert sum(len(s.scores) for s in result.sessions) > 0
    assert server_load.verify(store, result.sessions) == 0

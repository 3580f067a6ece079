"""Shared fixtures: a demo database built once per run and copied per test."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from scoring.core.store import Store, forget_store, get_store
from workbench_tools import demo

ROOT = Path(__file__).resolve().parent.parent
# No test reaches a real mail server: only the ones a test starts itself (tests/mail_server.py).
for _name in [n for n in os.environ if n.startswith(("WORKBENCH_SMTP_", "WORKBENCH_MAIL_"))]:
    del os.environ[_name]


@pytest.fixture(autouse=True)
def _isolated_database(tmp_path, monkeypatch):
    """No test ever touches data/workbench.duckdb."""
    monkeypatch.setenv("WORKBENCH_DB", str(tmp_path / "isolated.duckdb"))


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo-template") / "demo.duckdb"
    store = Store(path)
    demo.build_demo(store)
    store.close()
    return path


@pytest.fixture
def demo_path(demo_template, tmp_path, monkeypatch) -> Path:
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, path)
    monkeypatch.setenv("WORKBENCH_DB", str(path))
    yield path
    forget_store(str(path))


@pytest.fixture
def demo_store(database, request, monkeypatch) -> Store:
    if database == "postgresql":
        return _postgres_store(request, monkeypatch, request.getfixturevalue("postgres_demo"))
    return get_store(str(request.getfixturevalue("demo_path")))


@pytest.fixture
def empty_store(database, request, tmp_path, monkeypatch) -> Store:
    if database == "postgresql":
        yield _postgres_store(request, monkeypatch, "migrated")
        return
    path = tmp_path / "empty.duckdb"
    monkeypatch.setenv("WORKBENCH_DB", str(path))
    yield get_store(str(path))
    forget_store(str(path))




# --- PostgreSQL: the store, core and load tests run on both databases ------------------------

# Modules whose tests of `empty_store` / `demo_store` run once on each database.
BOTH_DATABASES = {"test_store", "test_load", "test_access_matrix", "test_phases", "test_assessments",
                  "test_consensus", "test_after_the_jury", "test_teams", "test_jury",
                  "test_intake_store", "test_real_year", "test_postgres", "test_drafts"}


def pytest_generate_tests(metafunc):
    if "database" in metafunc.fixturenames and metafunc.module.__name__.rsplit(".", 1)[-1] in BOTH_DATABASES:
        metafunc.parametrize("database", ["duckdb", "postgresql"])


@pytest.fixture
def database() -> str:
    return "duckdb"


@pytest.fixture(scope="session")
def postgres_cluster():
    from workbench_tools.postgres_cluster import PostgresCluster

    cluster = PostgresCluster()
    url = cluster.new_database(name="migrated")
    from scoring.core.store_postgres import PostgresStore

    PostgresStore(url).close()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def postgres_demo(postgres_cluster) -> str:
    """A demo database on PostgreSQL, built once per run, to copy per test."""
    from scoring.core.store_postgres import PostgresStore

    url = postgres_cluster.new_database(template="migrated", name="demo")
    store = PostgresStore(url)
    demo.build_demo(store)
    store.close()
    return "demo"


def _postgres_store(request, monkeypatch, template: str) -> Store:
    cluster = request.getfixturevalue("postgres_cluster")
    url = cluster.new_database(template=template)
    monkeypatch.setenv("WORKBENCH_DATABASE_URL", url)
    request.addfinalizer(lambda: (forget_store(url), cluster.drop_database(url)))
    return get_store(url)

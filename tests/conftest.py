"""Shared fixtures: a demo database built once per run and copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scoring import demo
from scoring.store import Store, forget_store, get_store

ROOT = Path(__file__).resolve().parent.parent


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
def demo_store(demo_path) -> Store:
    return get_store(str(demo_path))


@pytest.fixture
def empty_store(tmp_path, monkeypatch) -> Store:
    path = tmp_path / "empty.duckdb"
    monkeypatch.setenv("WORKBENCH_DB", str(path))
    yield get_store(str(path))
    forget_store(str(path))


def team_of(store: Store, email: str) -> dict:
    """The demo team of an examiner, read from the store: members and units by name."""
    team_id = store.fetchone(
        "SELECT m.team_id FROM team_members m JOIN users u ON u.id = m.user_id WHERE u.email = ?", [email])[0]
    members = {r[0] for r in store.fetchall(
        "SELECT u.name FROM team_members m JOIN users u ON u.id = m.user_id WHERE m.team_id = ?", [team_id])}
    units = sorted(r[0] for r in store.fetchall(
        "SELECT u.name FROM assignments a JOIN contributions c ON c.id = a.contribution_id"
        " JOIN units u ON u.id = c.unit_id WHERE a.team_id = ?", [team_id]))
    others = sorted(r[0] for r in store.fetchall(
        "SELECT u.name FROM assignments a JOIN contributions c ON c.id = a.contribution_id"
        " JOIN units u ON u.id = c.unit_id WHERE a.team_id <> ?", [team_id]))
    return {"id": team_id, "members": members, "units": units, "other_units": others}

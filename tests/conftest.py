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
def demo_store(demo_path) -> Store:
    return get_store(str(demo_path))


@pytest.fixture
def empty_store(tmp_path, monkeypatch) -> Store:
    path = tmp_path / "empty.duckdb"
    monkeypatch.setenv("WORKBENCH_DB", str(path))
    yield get_store(str(path))
    forget_store(str(path))



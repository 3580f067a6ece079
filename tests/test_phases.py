"""The year's state machines: allowed steps only, gates that hold, audit, and the database's
own check on the stored strings."""

from __future__ import annotations

import re
import shutil

import pytest
from helpers import ROOT, ready

from scoring.core import store as store_module
from scoring.core.store import Store
from scoring.year import phases

SCORING = ROOT / "scoring"


def test_each_machine_names_only_its_own_states_and_registered_gates():
    for machine in phases.MACHINES:
        for before, after in machine.steps:
            assert machine.states(before) and machine.states(after)
    # Every gate a step names is defined by the module that owns the step.
    import scoring.assessment.individual  # noqa: F401
    import scoring.consensus.workspace  # noqa: F401
    import scoring.feedback.visits  # noqa: F401
    import scoring.jury.shortlist  # noqa: F401
    import scoring.year.progress  # noqa: F401
    named = {(m.table, g) for m in phases.MACHINES for g in m.steps.values() if g}
    assert named <= set(phases.GATES)


def test_labels_and_groups_are_defined_once_and_in_order():
    p = phases.ContributionPhase
    assert [m.value for m in p][:3] == ["inkommet", "tilldelad", "individuell_bedomning"]
    assert p.from_on(p.FORSLAG_LAMNAT) == {p.FORSLAG_LAMNAT, p.BESLUTAD, p.ATERBESOK_BOKAT, p.ATERBESOK_GENOMFORT,
                                            p.RAPPORT_OVERLAMNAD} == phases.PROPOSED
    assert p.from_on("slutlig_konsensus") == phases.FINAL_CONSENSUS
    assert phases.assessment_label(None) == "Ej påbörjad" and phases.assessment_label("last") == "Låst"
    assert phases.FindingKind.UTVECKLINGSOMRADE.plural == "utvecklingsområden"


def test_a_step_the_machine_does_not_allow_is_refused_and_leaves_nothing(demo_store):
    cid, lead = ready(demo_store)
    refused = pytest.raises(phases.TransitionRefused, match="kan inte gå från individuell bedömning till förslag lämnat")
    with refused, demo_store.write("test") as uow:
        phases.transition(uow, phases.CONTRIBUTION, cid, phases.P.FORSLAG_LAMNAT)
    assert demo_store.fetchone("SELECT phase FROM contributions WHERE id = ?", [cid])[0] == "individuell_bedomning"


def test_a_gate_that_finds_work_left_refuses_with_what_is_left(demo_store):
    cid, lead = ready(demo_store)
    with demo_store.write("test") as uow:
        phases.transition(uow, phases.CONTRIBUTION, cid, phases.P.KONSENSUS)  # the whole team has handed in
    with pytest.raises(phases.TransitionRefused) as refused, demo_store.write("test") as uow:
        from scoring.consensus import workspace as consensus
        from scoring.year.framework import load_framework

        work = consensus.workspace(demo_store, lead, cid)
        phases.transition(uow, phases.CONTRIBUTION, cid, phases.P.PLATSBESOK,
                          context=(work, load_framework(work.year)))
    assert any("konsensuspoäng saknas" in p for p in refused.value.problems)
    assert demo_store.fetchone("SELECT phase FROM contributions WHERE id = ?", [cid])[0] == "konsensus"


def test_a_step_writes_the_row_and_its_audit_entry_in_one_unit(demo_store):
    cid, _ = ready(demo_store)
    with demo_store.write("någon@stad.se") as uow:
        before = phases.transition(uow, phases.CONTRIBUTION, cid, phases.P.KONSENSUS, action="konsensus öppnad")
    assert before == phases.P.INDIVIDUELL_BEDOMNING
    actor, action, entity, old, new = demo_store.fetchone(
        "SELECT actor, action, entity, before_value, after_value FROM audit_log ORDER BY id DESC LIMIT 1")
    assert (actor, action, entity) == ("någon@stad.se", "konsensus öppnad", "contributions")
    assert '"individuell_bedomning"' in old and '"konsensus"' in new


def test_only_from_skips_a_row_in_another_state(demo_store):
    cid, _ = ready(demo_store)
    with demo_store.write("test") as uow:
        assert phases.transition(uow, phases.CONTRIBUTION, cid, phases.P.TILLDELAD,
                                 only_from=(phases.P.INKOMMET,)) is None


@pytest.mark.parametrize("table, column, key", [("contributions", "phase", "id"), ("award_years", "phase", "year"),
                                                ("assessments", "status", "id")])
def test_the_database_refuses_a_state_outside_the_machine(demo_store, table, column, key):
    with pytest.raises(demo_store.IntegrityError), demo_store.write("test") as uow:
        uow.execute(f"UPDATE {table} SET {column} = 'påhittad' WHERE {key} = (SELECT min({key}) FROM {table})")


def test_the_constraint_lists_exactly_the_machines_values(empty_store):
    migrations = sorted((SCORING / "core" / "migrations").glob("*.sql"), reverse=True)
    for machine in (phases.CONTRIBUTION, phases.YEAR, phases.CHANGE_REQUEST):
        # The table as the latest migration that (re)creates it defines it.
        migration = next(text for text in (p.read_text(encoding="utf-8") for p in migrations)
                         if f"CREATE TABLE {machine.table} (" in text)
        listed = re.search(rf"{machine.column} VARCHAR NOT NULL DEFAULT '\w+' CHECK \({machine.column} IN \(([^)]*)\)",
                           migration[migration.index(f"CREATE TABLE {machine.table} ("):])
        assert re.findall(r"'(\w+)'", listed.group(1)) == [m.value for m in machine.states]


def test_migration_006_keeps_the_rows_of_an_older_database(tmp_path, monkeypatch):
    older = tmp_path / "migrations"
    older.mkdir()
    for path in sorted((SCORING / "core" / "migrations").glob("00[1-5]_*.sql")):
        shutil.copy(path, older / path.name)
    monkeypatch.setattr(store_module, "MIGRATIONS_DIR", older)
    path = tmp_path / "äldre.duckdb"
    old = Store(path)
    with old.write("test") as uow:
        uow.execute("INSERT INTO award_years (year, phase) VALUES (2026, 'bedomning')")
        # 2012: a year with competition classes (migration 010 clears the invented ones of 2024 and 2026)
        uow.execute("INSERT INTO contributions (year, unit_id, class_code, phase) VALUES (2012, 1, 'skola', 'konsensus')")
    old.close()
    monkeypatch.setattr(store_module, "MIGRATIONS_DIR", SCORING / "core" / "migrations")
    migrated = Store(path)
    assert 6 in migrated.applied_migrations()
    assert migrated.fetchall("SELECT year, phase FROM award_years") == [(2026, "bedomning")]
    assert migrated.fetchall("SELECT year, class_code, phase FROM contributions") == [(2012, "skola", "konsensus")]
    with migrated.write("test") as uow:  # the sequence behind the ids carries on
        uow.execute("INSERT INTO contributions (year, unit_id, class_code) VALUES (2012, 1, 'skola')")
    assert migrated.fetchall("SELECT id, phase FROM contributions ORDER BY id") == [(1, "konsensus"), (2, "inkommet")]
    migrated.close()

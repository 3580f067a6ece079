"""The load test: 50 examiners saving drafts at the same time through the page's core calls."""

from __future__ import annotations

import pytest

from workbench_tools import load


@pytest.fixture(scope="module", params=["duckdb", "postgresql"])
def crowd(request, tmp_path_factory):
    from scoring.core.store import Store

    if request.param == "postgresql":
        from scoring.core.store_postgres import PostgresStore

        cluster = request.getfixturevalue("postgres_cluster")
        url = cluster.new_database(template="migrated")
        request.addfinalizer(lambda: cluster.drop_database(url))
        store = PostgresStore(url)
    else:
        store = Store(tmp_path_factory.mktemp("last") / "last.duckdb")
    people = load.prepare(store, 50)
    result = load.run(store, people, seconds=10, think=(0.3, 1.0))
    yield store, people, result
    store.close()


def test_fifty_sessions_lose_and_mix_up_nothing(crowd):
    store, people, result = crowd
    print(f"\n{result.sessions} sessions, {result.saves} saves, p50 {result.p50_ms} ms, p95 {result.p95_ms} ms")
    assert result.errors == [] and result.stale_refusals == 0
    assert result.lost_writes == 0 and result.mixed_up == 0
    assert result.sessions == 50 and all(len(s.versions) + s.unchanged >= 3 for s in people)
    # Every acknowledged save is one audited version, none skipped or doubled.
    for session in people:
        assert session.versions == list(range(1, len(session.versions) + 1))
    unchanged = sum(s.unchanged for s in people)  # a score saved again as it was writes nothing
    assert store.fetchone("SELECT count(*) FROM audit_log WHERE entity = 'assessments'")[0] == result.saves - unchanged


def test_the_check_finds_a_lost_and_a_mixed_up_write(crowd):
    store, people, _ = crowd
    first, second = [s for s in people if s.findings][:2]
    lost_note = next(s for s in people if s.notes)
    with store.write("test") as uow:
        question = next(iter(lost_note.notes))
        uow.execute("UPDATE question_notes SET note = 'skrivet över' WHERE question_number = ? AND assessment_id ="
                    " (SELECT id FROM assessments WHERE examiner_id = ?)", [question, lost_note.user.id])
        moved = next(iter(first.findings))
        uow.execute("UPDATE findings SET assessment_id = (SELECT id FROM assessments WHERE examiner_id = ?)"
                    " WHERE id = ?", [second.user.id, moved])
    lost, mixed = load.verify(store, people)
    assert lost >= 2 and mixed >= 1


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert load.percentile(values, 0.95) == 95.0 and load.percentile([3.0], 0.95) == 3.0

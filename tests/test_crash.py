"""Crash safety: kill the workbench process (SIGKILL) during a stream of saves, start it again,
and find every save it had acknowledged."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

from helpers import ROOT

from scoring.core.store import Store

HERE = os.path.dirname(__file__)


def _kill_during_saves(path, round_number: int, acknowledged_before_kill: int) -> list[dict]:
    writer = subprocess.Popen([sys.executable, os.path.join(HERE, "crash_writer.py"), str(path), str(round_number)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    acks = []
    try:
        assert json.loads(writer.stdout.readline()) == {"ready": True}, writer.stderr.read()
        while len(acks) < acknowledged_before_kill:
            line = writer.stdout.readline()
            assert line, writer.stderr.read()
            acks.append(json.loads(line))
        os.kill(writer.pid, signal.SIGKILL)  # mid-stream: it is saving the next one right now
        writer.wait(timeout=30)
        # Lines it printed between our last read and the kill were acknowledged too.
        acks += [json.loads(line) for line in writer.stdout.read().splitlines() if line.strip()]
    finally:
        if writer.poll() is None:
            writer.kill()
        writer.stdout.close()
        writer.stderr.close()
    assert writer.returncode == -signal.SIGKILL
    return acks


def test_every_acknowledged_save_survives_sigkill(tmp_path):
    path = tmp_path / "krasch.duckdb"
    acks = []
    for round_number, count in enumerate((40, 25, 60)):
        acks += _kill_during_saves(path, round_number, count)
    store = Store(path)  # the restart: DuckDB replays its write-ahead log
    try:
        stored = {(email, text) for email, text in store.fetchall(
            "SELECT u.email, f.text FROM findings f JOIN assessments a ON a.id = f.assessment_id"
            " JOIN users u ON u.id = a.examiner_id")}
        missing = [a for a in acks if (a["email"], a["text"]) not in stored]
        assert len(acks) >= 125 and missing == []
        # At most the one save in flight per kill landed without its acknowledgement reaching us.
        assert len(stored) - len(acks) <= 3
        # No half-written save: each assessment's version, its findings and its log agree.
        for email, version, findings, logged in store.fetchall(
                "SELECT u.email, a.version, (SELECT count(*) FROM findings f WHERE f.assessment_id = a.id),"
                " (SELECT max(CAST(json_extract(after_value, '$.version') AS INTEGER)) FROM audit_log l"
                "  WHERE l.entity = 'assessments' AND l.entity_id = CAST(a.id AS VARCHAR))"
                " FROM assessments a JOIN users u ON u.id = a.examiner_id"):
            acknowledged = max(a["version"] for a in acks if a["email"] == email)
            assert version == findings == logged and version >= acknowledged
    finally:
        store.close()

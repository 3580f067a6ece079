"""The load test: many examiners saving drafts at once through the calls the Bedömning page makes.

Each session is one examiner working on their own assessment. A save is what the page does:
read the assessment (the window's version), then one small versioned write with that
version. Every write the core acknowledged (returned a new version) is remembered, and
at the end the store must hold each of them: the last value of every score and note,
exactly the findings added and not deleted with their last text, nothing of one examiner
in another's assessment, and an audit entry for every acknowledged version.
"""

from __future__ import annotations

import math
import random
import statistics
import threading
import time
from dataclasses import dataclass, field

from scoring.assessment import individual as assessments
from scoring.core.auth import User
from scoring.core.errors import StaleWrite
from scoring.core.store import Store
from scoring.year.framework import load_framework

YEAR = 2026
TEAM_SIZE = 5


@dataclass
class Session:
    user: User
    contribution_id: int
    # What the core acknowledged, per key: the value the store must hold at the end.
    scores: dict[tuple[str, str], int] = field(default_factory=dict)
    notes: dict[int, str] = field(default_factory=dict)
    findings: dict[int, str] = field(default_factory=dict)
    versions: list[int] = field(default_factory=list)
    unchanged: int = 0  # acknowledged saves that found the value already stored (no new version)
    latencies: list[float] = field(default_factory=list)
    stale: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class Result:
    sessions: int
    saves: int
    seconds: float
    p50_ms: float
    p95_ms: float
    max_ms: float
    lost_writes: int
    mixed_up: int
    stale_refusals: int
    errors: list[str]


def prepare(store: Store, sessions: int) -> list[Session]:
    """An empty store filled with ``sessions`` examiners in teams, each declared on one contribution."""
    teams = -(-sessions // TEAM_SIZE)
    with store.write("lasttest") as uow:
        uow.execute("INSERT INTO award_years (year, phase) VALUES (?, 'bedomning')", [YEAR])
        uow.execute("INSERT INTO settings VALUES ('current_year', ?)", [str(YEAR)])
        people = []
        for t in range(teams):
            unit = uow.fetchone("INSERT INTO units (name, organisation) VALUES (?, 'Lastförvaltningen') RETURNING id",
                                [f"Enhet {t + 1}"])[0]
            cid = uow.fetchone("INSERT INTO contributions (year, unit_id, phase) VALUES"
                               " (?, ?, 'tilldelad') RETURNING id", [YEAR, unit])[0]
            members = []
            for m in range(min(TEAM_SIZE, sessions - t * TEAM_SIZE)):
                email = f"examinator{t * TEAM_SIZE + m}@last.se"
                uid = uow.fetchone("INSERT INTO users (email, name, role) VALUES (?, ?, 'examinator') RETURNING id",
                                   [email, f"Examinator {t * TEAM_SIZE + m}"])[0]
                members.append(uid)
                people.append(Session(User(uid, email, f"Examinator {t * TEAM_SIZE + m}", "examinator"), cid))
            team = uow.fetchone("INSERT INTO teams (year, name, coordinator_id) VALUES (?, ?, ?) RETURNING id",
                                [YEAR, f"Lag {t + 1}", members[0]])[0]
            for uid in members:
                uow.execute("INSERT INTO team_members VALUES (?, ?)", [team, uid])
                uow.execute("INSERT INTO conflict_declarations (contribution_id, user_id, has_conflict,"
                            " confidentiality_accepted) VALUES (?, ?, FALSE, TRUE)", [cid, uid])
            uow.execute("INSERT INTO assignments (contribution_id, team_id, assigned_by) VALUES (?, ?, 'lasttest')",
                        [cid, team])
    return people


def existing(store: Store) -> list[Session]:
    """The sessions of a store prepared earlier (after a restart)."""
    return [Session(User(uid, email, name, "examinator"), cid) for uid, email, name, cid in store.fetchall(
        "SELECT u.id, u.email, u.name, d.contribution_id FROM users u JOIN conflict_declarations d"
        " ON d.user_id = u.id WHERE u.email LIKE '%@last.se' ORDER BY u.id")]


def _save_once(store: Store, session: Session, rng: random.Random, framework, n: int) -> None:
    """One save as the page makes it: read the window's version, then write with it."""
    user, cid = session.user, session.contribution_id
    current = assessments.own_assessment(store, user, cid)
    tag = f"[{user.email} #{n}]"
    area = rng.choice(framework.areas)
    choice = rng.random()

    def save(change, *args, **kwargs) -> None:
        start = time.perf_counter()
        version = change(store, user, cid, current.version, *args, **kwargs)
        session.latencies.append(time.perf_counter() - start)
        if version == current.version:  # a save that changed nothing makes no new version
            session.unchanged += 1
        else:
            session.versions.append(version)

    try:
        if choice < 0.35:
            criterion = rng.choice(area.criteria).code
            value = rng.choice(range(0, 101, 5))
            save(assessments.set_criterion_score, area.code, criterion, value)
            session.scores[(area.code, criterion)] = value
        elif choice < 0.6:
            question = rng.choice(area.questions).number
            save(assessments.set_note, question, f"Anteckning {tag}")
            session.notes[question] = f"Anteckning {tag}"
        elif choice < 0.85 or not session.findings:
            save(assessments.add_finding, area_code=area.code, kind="styrka", text=f"Iakttagelse {tag}")
            # The page shows the new finding on its next rerun; that read tells its id.
            newest = max(f.id for a in assessments.own_assessment(store, user, cid).areas.values()
                         for f in a.findings if f.id not in session.findings)
            session.findings[newest] = f"Iakttagelse {tag}"
        elif choice < 0.95:
            fid = rng.choice(list(session.findings))
            save(assessments.update_finding, fid, text=f"Ändrad {tag}")
            session.findings[fid] = f"Ändrad {tag}"
        else:
            fid = rng.choice(list(session.findings))
            save(assessments.delete_finding, fid)
            del session.findings[fid]
    except StaleWrite:
        session.stale += 1
    except Exception as exc:  # reported, never hidden: the load test counts every failure
        session.errors.append(f"{user.email}: {type(exc).__name__}: {exc}")


def run(store: Store, people: list[Session], seconds: float, think: tuple[float, float] = (0.05, 0.5),
        seed: int = 50) -> Result:
    """Every session saves, pauses a moment (a person typing), and saves again, until time is up."""
    framework = load_framework(YEAR)
    deadline = time.perf_counter() + seconds
    start_together = threading.Barrier(len(people))

    def work(index: int, session: Session) -> None:
        rng = random.Random(seed * 1000 + index)
        start_together.wait()
        time.sleep(rng.uniform(0, think[1]))  # people do not all press save in the same millisecond
        n = 0
        while time.perf_counter() < deadline:
            _save_once(store, session, rng, framework, n)
            n += 1
            time.sleep(rng.uniform(*think))

    threads = [threading.Thread(target=work, args=(i, s)) for i, s in enumerate(people)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    lost, mixed = verify(store, people)
    latencies = sorted(x for s in people for x in s.latencies)
    return Result(
        sessions=len(people), saves=len(latencies), seconds=round(elapsed, 1),
        p50_ms=round(1000 * statistics.median(latencies), 1) if latencies else 0.0,
        p95_ms=round(1000 * percentile(latencies, 0.95), 1) if latencies else 0.0,
        max_ms=round(1000 * latencies[-1], 1) if latencies else 0.0,
        lost_writes=lost, mixed_up=mixed, stale_refusals=sum(s.stale for s in people),
        errors=[e for s in people for e in s.errors])


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def verify(store: Store, people: list[Session]) -> tuple[int, int]:
    """(lost writes, mixed-up writes): what was acknowledged and is missing, or landed elsewhere."""
    lost = mixed = 0
    for session in people:
        work = assessments.own_assessment(store, session.user, session.contribution_id)
        for (area, criterion), value in session.scores.items():
            lost += work.areas.get(area) is None or work.areas[area].criteria.get(criterion) != value
        for question, text in session.notes.items():
            lost += work.notes.get(question) != text
        stored = {f.id: f.text for a in work.areas.values() for f in a.findings}
        lost += sum(1 for fid, text in session.findings.items() if stored.get(fid) != text)
        lost += len(set(stored) - set(session.findings))  # a deleted one back, or one nobody added
        own = f"[{session.user.email} #"
        texts = list(stored.values()) + list(work.notes.values())
        mixed += sum(1 for text in texts if own not in text)
        logged = {r[0] for r in store.fetchall(
            "SELECT CAST(json_extract(after_value, '$.version') AS INTEGER) FROM audit_log"
            " WHERE entity = 'assessments' AND entity_id = ?", [str(work.id)])} if work.id else set()
        lost += len(set(session.versions) - logged)
        lost += len(session.versions) != len(set(session.versions))  # two saves acknowledged as one version
    return lost, mixed

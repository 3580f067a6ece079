"""A generated award year of any size, written straight to the store, for the benchmark.

Everything a finished year holds: teams, submitted (locked) assessments with findings,
consensus scores and findings with key themes, site visits, proposals and final reports.
Generation is not what is measured, so rows go in with bulk inserts.
"""

from __future__ import annotations

import datetime as dt
import json
import random

import pandas as pd

from scoring.core.store import Store
from scoring.year import years
from scoring.year.framework import load_framework
from workbench_tools.demo_text import FINDINGS, KEY_THEMES

TEAM_SIZE = 4


def build_year(store: Store, contributions: int, year: int = 2026, seed: int = 60, in_consensus: int = 0) -> int:
    """Fill an empty store with a finished year of ``contributions`` units; returns the admin's id.
    The first ``in_consensus`` contributions are still in their consensus meeting (Lag 1 has the first)."""
    rng = random.Random(seed)
    framework = load_framework(year)
    teams = max(1, contributions // 2)
    with store.write("syntetiskt år") as uow:
        years.create_year(uow, year)
        years.set_current_year(uow, year)
        admin = uow.fetchone("INSERT INTO users (email, name, role) VALUES ('admin@syntet.se', 'Admin Syntet',"
                             " 'admin') RETURNING id")[0]
        examiner_rows = [(f"examinator{i}@syntet.se", f"Examinator {i}", "examinator")
                         for i in range(teams * TEAM_SIZE)]
        uow.cursor.executemany("INSERT INTO users (email, name, role) VALUES (?, ?, ?)", examiner_rows)
        examiners = [r[0] for r in uow.fetchall("SELECT id FROM users WHERE role = 'examinator' ORDER BY id")]
        for t in range(teams):
            members = examiners[t * TEAM_SIZE:(t + 1) * TEAM_SIZE]
            team_id = uow.fetchone("INSERT INTO teams (year, name, coordinator_id) VALUES (?, ?, ?) RETURNING id",
                                   [year, f"Lag {t + 1}", members[0]])[0]
            uow.cursor.executemany("INSERT INTO team_members VALUES (?, ?)", [(team_id, m) for m in members])
        team_ids = [r[0] for r in uow.fetchall("SELECT id FROM teams ORDER BY id")]
        classes = [c.code for c in framework.classes] or [None]  # a year may have no classes
        criteria = [(a.code, c.code) for a in framework.areas for c in a.criteria]
        assessments, areas, findings, c_scores, c_findings, visits, proposals, final = ([] for _ in range(8))
        assessment_id = 0  # the synthetic year is written into an empty store
        for n in range(contributions):
            unit = uow.fetchone("INSERT INTO units (name, organisation) VALUES (?, ?) RETURNING id",
                                [f"Enhet {n + 1:03d}", f"Förvaltning {n % 14 + 1}"])[0]
            cid = uow.fetchone(
                "INSERT INTO contributions (year, unit_id, class_code, phase) VALUES (?, ?, ?, ?) RETURNING id",
                [year, unit, classes[n % len(classes)], "konsensus" if n < in_consensus else "forslag_lamnat"])[0]
            team = team_ids[n % len(team_ids)]
            uow.execute("INSERT INTO assignments (contribution_id, team_id, assigned_by) VALUES (?, ?, 'syntet')",
                        [cid, team])
            level = rng.choice((25, 40, 55, 70))
            truth = {key: rng.randint(-2, 2) * 5 for key in criteria}
            consensus = {key: max(0, min(100, level + truth[key])) for key in criteria}
            for member in examiners[team_ids.index(team) * TEAM_SIZE:(team_ids.index(team) + 1) * TEAM_SIZE]:
                assessment_id += 1
                assessments.append((assessment_id, cid, member))
                for area in framework.areas:
                    scores = {c.code: max(0, min(100, consensus[(area.code, c.code)] + rng.choice((-5, 0, 5))))
                              for c in area.criteria}
                    areas.append((assessment_id, area.code, json.dumps(scores),
                                  framework.area_score_for(area.code, scores)))
                    for kind in ("styrka", "utvecklingsomrade"):
                        findings.append((assessment_id, area.code, kind, rng.choice(FINDINGS[kind]),
                                         json.dumps([area.questions[0].number])))
            for (area_code, criterion), score in consensus.items():
                c_scores.append((cid, area_code, criterion, score))
            for area in framework.areas:
                for kind in ("styrka", "utvecklingsomrade"):
                    for text in rng.sample(FINDINGS[kind], 2):
                        c_findings.append((cid, area.code, kind, text, False))
            for kind, texts in KEY_THEMES.items():
                c_findings += [(cid, None, kind, text, True) for text in texts]
            visits.append((cid, dt.date(year, 9, 15), "Laget"))
            proposals.append((cid, rng.choice(("utmarkelse", "hedersomnamnande", "inget")), "Motivering."))
            final.append((cid,))
        # A generated year is created as it ends: every assessment locked in consensus.
        _bulk(uow, "assessments (id, contribution_id, examiner_id)", assessments, extra="'last', current_timestamp",
              extra_column="status, submitted_at")
        _bulk(uow, "assessment_areas (assessment_id, area_code, criterion_scores, area_score)", areas)
        _bulk(uow, "findings (assessment_id, area_code, kind, text, question_numbers)", findings)
        _bulk(uow, "consensus_scores (contribution_id, area_code, criterion_code, score)", c_scores)
        _bulk(uow, "consensus_findings (contribution_id, area_code, kind, text, is_key_theme)", c_findings)
        _bulk(uow, "site_visits (contribution_id, visit_date, participants)", visits)
        _bulk(uow, "proposals (contribution_id, proposal, motivation)", proposals, extra="'syntet'",
              extra_column="submitted_by")
        _bulk(uow, "reports (contribution_id)", final)
        uow.execute("UPDATE reports SET final = TRUE, finalized_by = 'syntet'")
        _bulk(uow, "consensus (contribution_id)", final)
        uow.execute("UPDATE consensus SET version = 1")
    return admin


def _bulk(uow, target: str, rows: list[tuple], extra: str | None = None, extra_column: str | None = None) -> None:
    """Insert many rows at once through a DataFrame (executemany runs one statement per row)."""
    if not rows:
        return
    table, columns = target.split(" ", 1)
    names = [c.strip() for c in columns.strip("()").split(",")]
    target_columns = ", ".join(names) + (f", {extra_column}" if extra_column else "")
    if not hasattr(uow.cursor, "register"):  # PostgreSQL: psycopg sends executemany's rows in one pipeline
        values = ", ".join("?" * len(names)) + (f", {extra}" if extra else "")
        uow.cursor.executemany(f"INSERT INTO {table} ({target_columns}) VALUES ({values})", rows)
        return
    frame = pd.DataFrame(rows, columns=names)
    uow.cursor.register("bulk_rows", frame)
    select = ", ".join(names) + (f", {extra}" if extra else "")
    uow.execute(f"INSERT INTO {table} ({target_columns}) SELECT {select} FROM bulk_rows")
    uow.cursor.unregister("bulk_rows")

"""A generated award year of any size, written straight to the store, for the benchmark.

Everything a finished year holds: teams, submitted (locked) assessments with findings,
consensus scores and findings with key themes, site visits, proposals and final reports.
Generation is not what is measured, so rows go in with bulk inserts.
"""

from __future__ import annotations

import datetime as dt
import json
import random

from scoring import years
from scoring.demo_text import FINDINGS, KEY_THEMES
from scoring.framework import load_framework
from scoring.store import Store

TEAM_SIZE = 4


def build_year(store: Store, contributions: int, year: int = 2026, seed: int = 60) -> int:
    """Fill an empty store with a finished year of ``contributions`` units; returns the admin's id."""
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
        classes = [c.code for c in framework.classes]
        criteria = [(a.code, c.code) for a in framework.areas for c in a.criteria]
        assessments, areas, findings, c_scores, c_findings, visits, proposals, final = ([] for _ in range(8))
        assessment_id = uow.fetchone("SELECT nextval('seq_assessments')")[0]
        for n in range(contributions):
            unit = uow.fetchone("INSERT INTO units (name, organisation) VALUES (?, ?) RETURNING id",
                                [f"Enhet {n + 1:03d}", f"Förvaltning {n % 14 + 1}"])[0]
            cid = uow.fetchone(
                "INSERT INTO contributions (year, unit_id, class_code, phase) VALUES (?, ?, ?, 'forslag_lamnat')"
                " RETURNING id", [year, unit, classes[n % len(classes)]])[0]
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
        uow.cursor.executemany("INSERT INTO assessments (id, contribution_id, examiner_id, status, submitted_at)"
                               " VALUES (?, ?, ?, 'last', current_timestamp)", assessments)
        uow.execute("SELECT setval('seq_assessments', ?)", [assessment_id])
        uow.cursor.executemany("INSERT INTO assessment_areas (assessment_id, area_code, criterion_scores, area_score)"
                               " VALUES (?, ?, ?, ?)", areas)
        uow.cursor.executemany("INSERT INTO findings (assessment_id, area_code, kind, text, question_numbers)"
                               " VALUES (?, ?, ?, ?, ?)", findings)
        uow.cursor.executemany("INSERT INTO consensus_scores (contribution_id, area_code, criterion_code, score)"
                               " VALUES (?, ?, ?, ?)", c_scores)
        uow.cursor.executemany("INSERT INTO consensus_findings (contribution_id, area_code, kind, text, is_key_theme)"
                               " VALUES (?, ?, ?, ?, ?)", c_findings)
        uow.cursor.executemany("INSERT INTO site_visits (contribution_id, visit_date, participants) VALUES (?, ?, ?)",
                               visits)
        uow.cursor.executemany("INSERT INTO proposals (contribution_id, proposal, motivation, submitted_by)"
                               " VALUES (?, ?, ?, 'syntet')", proposals)
        uow.cursor.executemany("INSERT INTO reports (contribution_id, final, finalized_by) VALUES (?, TRUE, 'syntet')",
                               final)
        uow.cursor.executemany("INSERT INTO consensus (contribution_id, version) VALUES (?, 1)",
                               [(cid,) for (cid,) in final])
    return admin

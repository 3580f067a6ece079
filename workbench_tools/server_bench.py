"""The figure ``server_peak``: what one real server process holds, measured through its websocket.

The load ramps up in steps of concurrent examiners, each clicking at a person's pace on
Bedömning (server_load.py). Sessions already working keep working while the next ones log
in; each step is measured over a window once all its sessions are in. p50/p95 per step are
given as ratios to one examiner alone in the same run, and the peak is the highest rate of
interactions per second measured with p95 at most 1 s, with the examiners active then.

``servers`` may name several processes (sessions spread round robin, each sticking to its
own): the same figure for two processes on one shared database.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from scoring.core.store import open_store
from workbench_tools import server_load, server_year
from workbench_tools.server_load import Login

P95_LIMIT_MS = 1000.0
REQUIRED = (1, 25, 50, 100)
STEPS = (5, 10, 15, 20)  # between one and 25: where one process's p95 passes 1 s on a 2-core machine
BEYOND = (150, 200)  # measured only while p95 stays within the limit
QUICK = (1, 10, 25)


async def measure_levels(servers: list[str], logins: list[Login], levels: list[int], window: float,
                         think: tuple[float, float], required: tuple[int, ...]) -> tuple[list[dict], server_load.Result]:
    """Ramp through ``levels`` of concurrent sessions; one summary per measured level."""
    server_load.check_bounds(servers, max(levels), window * len(levels) + 600)
    stop = asyncio.Event()
    running: list[server_load.Examiner] = []
    tasks = []
    summaries: list[dict] = []
    began = time.perf_counter()
    result = server_load.Result([], 0.0)
    try:
        for level in levels:
            if level > len(logins):
                break
            new = await server_load.start_sessions(logins[len(running):level], servers, first=len(running))
            running += new
            result.sessions = [e.session for e in running]
            tasks += [asyncio.create_task(server_load.work(e, float("inf"), think, stop)) for e in new]
            await asyncio.sleep(min(3.0, think[1]))  # let the newcomers' first clicks spread out
            start = time.perf_counter()
            await asyncio.sleep(window)
            summary = {"examiners": sum(e.session.ready for e in running), **result.summary(start, time.perf_counter())}
            summaries.append(summary)
            over = summary["p95_ms"] is None or summary["p95_ms"] > P95_LIMIT_MS
            if over and level >= max(required):
                break
    finally:
        stop.set()
        await asyncio.gather(*tasks)
    result.seconds = time.perf_counter() - began
    return summaries, result


def peak(summaries: list[dict]) -> dict:
    within = [s for s in summaries if s["p95_ms"] is not None and s["p95_ms"] <= P95_LIMIT_MS]
    best = max(within, key=lambda s: s["per_second"], default=None)
    return {"per_second": best["per_second"] if best else 0.0, "examiners": best["examiners"] if best else 0}


def figure_server_peak(quick: bool, servers: list[str] | None = None,
                       start_servers: Callable[[str, int], tuple[list[str], Callable[[], None]]] | None = None,
                       think: tuple[float, float] = server_load.PERSON_THINK, database: str | None = None) -> dict:
    """Build a year, start the server(s), ramp the load, stop, and check every acknowledged save.

    ``database`` is where the year is built (default: a DuckDB file in a temporary folder; a
    postgresql:// address for several processes). ``start_servers(database, examiners) ->
    (urls, stop)`` may start something else than one process (two on PostgreSQL); given
    ``servers``, they are used as they are (their store is not checked then)."""
    levels = sorted(set(QUICK if quick else REQUIRED + STEPS + BEYOND))
    window = 10.0 if quick else 30.0
    folder = Path(tempfile.mkdtemp(prefix="server-peak-"))
    database = database or str(folder / "year.duckdb")
    try:
        logins = server_year.build_load_year(database, max(levels))
        stop = None
        if servers is None:
            servers, stop = (start_servers or _one_process)(database, len(logins))
        try:
            summaries, result = asyncio.run(measure_levels(servers, logins, levels, window, think,
                                                           QUICK if quick else REQUIRED))
        finally:
            if stop:
                stop()
        lost = None
        if stop:
            store = open_store(database)
            try:
                lost = server_load.verify(store, result.sessions)
            finally:
                store.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    alone = summaries[0]
    for s in summaries:
        s["p50_ratio"] = round(s["p50_ms"] / alone["p50_ms"], 2) if s["p50_ms"] else None
        s["p95_ratio"] = round(s["p95_ms"] / alone["p95_ms"], 2) if s["p95_ms"] else None
    return {"levels": summaries, "peak": peak(summaries), "servers": len(servers), "think_seconds": list(think),
            "window_seconds": window, "interactions": result.interactions, "errors": len(result.errors),
            "error_samples": result.errors[:5], "lost": lost}


def _one_process(database: str, _examiners: int) -> tuple[list[str], Callable[[], None]]:
    server = server_year.start_server({"WORKBENCH_DB": database}, Path(database).with_suffix(".log"))
    return [server.url], server.stop


def figure_server_peak_postgres(quick: bool, processes: int = 2) -> dict:
    """The same ramp against two server processes on one PostgreSQL database (a throwaway
    cluster of Debian's server), the sessions spread over them and sticking to their own."""
    from workbench_tools.postgres_cluster import PostgresCluster

    cluster = PostgresCluster()
    logs = Path(tempfile.mkdtemp(prefix="server-peak-pg-"))
    try:
        url = cluster.new_database(name="year")

        def start(location: str, _examiners: int) -> tuple[list[str], Callable[[], None]]:
            started = [server_year.start_server({"WORKBENCH_DATABASE_URL": location}, logs / f"server-{n}.log")
                       for n in range(processes)]
            return [s.url for s in started], lambda: [s.stop() for s in started]

        return figure_server_peak(quick, start_servers=start, database=url)
    finally:
        cluster.stop()
        shutil.rmtree(logs, ignore_errors=True)


def compare(one: dict, several: dict) -> dict:
    """p95 of the several processes against one process at the same count of examiners
    (the highest count both measured)."""
    p95_one = {s["examiners"]: s["p95_ms"] for s in one["levels"] if s["p95_ms"]}
    p95_several = {s["examiners"]: s["p95_ms"] for s in several["levels"] if s["p95_ms"]}
    common = sorted(set(p95_one) & set(p95_several))
    if not common:
        return {"examiners": None, "ratio": None}
    at = common[-1]
    return {"examiners": at, "ratio": round(p95_several[at] / p95_one[at], 2), "p95_one_ms": p95_one[at],
            "p95_several_ms": p95_several[at]}


def lines(r: dict) -> list[str]:
    """The figure in the benchmark's table, in Swedish."""
    where = "PostgreSQL" if r.get("postgres") else "DuckDB"
    out = [f"Servertopp ({r['servers']} {'process' if r['servers'] == 1 else 'processer'} på {where}, betänketid {r['think_seconds'][0]:g}–{r['think_seconds'][1]:g} s, "
           f"mätfönster {r['window_seconds']:g} s): {r['interactions']} interaktioner, fel {r['errors']}, "
           f"förlorade sparningar {r['lost']}.",
           "| examinatorer | interaktioner/s | p50 ms | p95 ms | p50 mot en | p95 mot en |", "|---|---|---|---|---|---|"]
    for s in r["levels"]:
        out.append(f"| {s['examiners']} | {s['per_second']} | {s['p50_ms']} | {s['p95_ms']} | {s['p50_ratio']}× | "
                   f"{s['p95_ratio']}× |")
    p = r["peak"]
    out.append(f"Högsta takt med p95 ≤ 1 s: {p['per_second']} interaktioner/s med {p['examiners']} aktiva examinatorer.")
    return out

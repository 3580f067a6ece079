"""The benchmark: every figure as a ratio to a baseline measured in the same run.

These machines are noisy, so each figure is the median of several runs, and its
baseline is measured alternately with it.
"""

from __future__ import annotations

import gc
import io
import json
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable

from docxtpl import DocxTemplate

from scoring.consensus import workspace as consensus
from scoring.core.auth import User
from scoring.core.store import Store
from scoring.intake import isolated
from scoring.intake import pictures as ocr
from scoring.intake.document import take_in
from scoring.intake.docx_reader import count_chars, read_paragraph_texts
from scoring.reports import documents as reports
from scoring.reports.templates import FEEDBACK
from scoring.year.framework import load_framework
from workbench_tools import load, picture_maker
from workbench_tools.demo import UNITS
from workbench_tools.demo_text import answer
from workbench_tools.docx_builder import ContributionText, build_contribution
from workbench_tools.synthetic import build_year


def _median_pair(work: Callable[[], object], baseline: Callable[[], object], runs: int) -> tuple[float, float]:
    work()
    baseline()  # warm both up: imports, caches
    work_times, base_times = [], []
    for _ in range(runs):
        start = time.perf_counter()
        baseline()
        base_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        work()
        work_times.append(time.perf_counter() - start)
    return statistics.median(work_times), statistics.median(base_times)


def full_contribution(target_chars: int = 90_000, year: int = 2026) -> bytes:
    """A generated contribution of about ``target_chars`` counted characters."""
    framework = load_framework(year)
    rng = random.Random(90_000)
    answers: dict = {}
    fill = {"mg": UNITS[0].target_group, "vh": UNITS[0].name, "med": UNITS[0].staff}
    keys = [(q.number, p) for a in framework.areas for q in a.questions for p in ([x.label for x in q.parts] or [None])]
    total = 0
    while total < target_chars:
        for key in keys:
            area = framework.area_of_question(key[0]).code
            paragraphs = answer(rng, area, "stark", fill)
            answers.setdefault(key, []).extend(paragraphs)
            total += sum(count_chars(p) for p in paragraphs)
            if total >= target_chars:
                break
    content = ContributionText(UNITS[0].name, {"unit_name": UNITS[0].name}, ["Om verksamheten."], answers,
                               appendix=["Mål 1."])
    return build_contribution(framework, content)


def figure_intake(quick: bool) -> dict:
    framework = load_framework(2026)
    data = full_contribution()
    chars = take_in(data, "bench.docx", framework).report.chars_counted
    seconds, baseline = _median_pair(lambda: take_in(data, "bench.docx", framework),
                                     lambda: read_paragraph_texts(data), 3 if quick else 9)
    return {"ratio": round(seconds / baseline, 2), "seconds": round(seconds, 4),
            "baseline_seconds": round(baseline, 4), "chars": chars}


def figure_intake_isolated(quick: bool) -> dict:
    """The same intake as the server does it, in a child process within the limits, against
    the same reading in this process: what the isolation costs."""
    framework = load_framework(2026)
    data = full_contribution()
    seconds, baseline = _median_pair(lambda: isolated.take_in(data, "bench.docx", framework),
                                     lambda: take_in(data, "bench.docx", framework), 3 if quick else 9)
    return {"ratio": round(seconds / baseline, 2), "seconds": round(seconds, 4), "baseline_seconds": round(baseline, 4)}


def _contribution_with_pictures(pictures: list[bytes]) -> bytes:
    """The 90,000-character contribution with pictures in the answers, one per question in turn."""
    import docx as python_docx

    document = python_docx.Document(io.BytesIO(full_contribution()))
    answers = [p for p in document.paragraphs if len(p.text) > 200]
    for i, picture in enumerate(pictures):
        answers[(i * 7) % len(answers)].add_run().add_picture(io.BytesIO(picture), width=python_docx.shared.Cm(8))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _ocr_pictures() -> list[bytes]:
    return [picture_maker.wheel_picture(), picture_maker.chart_picture(), picture_maker.photo_picture(),
            picture_maker.text_picture(), picture_maker.chart_picture((60, 70, 75), "Trygghet (%)")]


def figure_intake_ocr(quick: bool) -> dict:
    """A contribution with five pictures, OCR included, against Tesseract (the same engine and
    model, through tesserocr) reading the same five pictures alone."""
    import tesserocr
    from PIL import Image

    framework = load_framework(2026)
    pictures = _ocr_pictures()
    data = _contribution_with_pictures(pictures)

    def tesseract_alone() -> None:
        with tesserocr.PyTessBaseAPI(path=ocr.tessdata_dir(), lang="swe") as api:
            for picture in pictures:
                api.SetImage(Image.open(io.BytesIO(picture)).convert("L"))
                api.GetUTF8Text()

    seconds, baseline = _median_pair(lambda: take_in(data, "bench.docx", framework), tesseract_alone,
                                     2 if quick else 5)
    return {"ratio": round(seconds / baseline, 2), "seconds": round(seconds, 4), "baseline_seconds": round(baseline, 4),
            "seconds_per_picture": round(seconds / len(pictures), 3)}


def figure_intake_limits(quick: bool) -> dict:
    """Time and peak memory of the intake on a file of 200,000 empty paragraphs and on one with
    500 pictures (distinct labels, as in a long process chart), each in a process of its own."""
    import subprocess
    import sys

    results = {}
    for case in ("empty_paragraphs", "pictures"):
        run = subprocess.run([sys.executable, "-m", "workbench_tools.intake_limits", case] + (["--quick"] if quick else []),
                             capture_output=True, text=True, check=True)
        results[case] = json.loads(run.stdout)
    return {"seconds": results["pictures"]["seconds"], **results}


def figure_page_assessment(quick: bool) -> dict:
    # The screens need Streamlit, which the core never imports; their benchmarks live beside it.
    from workbench_tools.page_bench import figure_page_assessment as measure

    return measure(quick)


def figure_page_full_year(quick: bool) -> dict:
    from workbench_tools.page_bench import figure_page_full_year as measure

    return measure(quick)


def figure_page_10x(quick: bool) -> dict:
    from workbench_tools.page_bench import figure_page_10x as measure

    return measure(quick)


def figure_page_intake_review(quick: bool) -> dict:
    from workbench_tools.page_bench import figure_page_intake_review as measure

    return measure(quick)


def figure_page_consensus(quick: bool) -> dict:
    from workbench_tools.page_bench import figure_page_consensus as measure

    return measure(quick)


def figure_browser_click(quick: bool) -> dict:
    # Chromium against real server processes: Playwright, never imported by the core.
    from workbench_tools.browser_bench import figure_browser_click as measure

    return measure(quick)


def figure_server_peak(quick: bool) -> dict:
    # A real server process in a process of its own, loaded through its websocket.
    from workbench_tools.server_bench import figure_server_peak as measure

    return measure(quick)


def figure_server_peak_postgres(quick: bool) -> dict:
    from workbench_tools.server_bench import figure_server_peak_postgres as measure

    return {**measure(quick), "postgres": True}


def figure_concurrent_save_postgres(quick: bool) -> dict:
    """The concurrent-save load test on PostgreSQL (a throwaway cluster): the same 50 examiners,
    and the same check that no acknowledged save is lost or mixed up."""
    from scoring.core.store_postgres import PostgresStore
    from workbench_tools.postgres_cluster import PostgresCluster

    cluster = PostgresCluster()
    try:
        return _concurrent_saves(quick, lambda name: PostgresStore(cluster.new_database(name=name)))
    finally:
        cluster.stop()


def _synthetic_store(contributions: int):
    folder = tempfile.mkdtemp(prefix="bench-")
    store = Store(f"{folder}/bench.duckdb")
    admin_id = build_year(store, contributions)
    return store, User(admin_id, "admin@syntet.se", "Admin Syntet", "admin"), folder


def figure_report(quick: bool) -> dict:
    """One feedback report, read and rendered as the workbench does it, against docxtpl
    rendering the same context from the same template and nothing else."""
    store, admin, folder = _synthetic_store(2)
    try:
        cid = store.fetchone("SELECT min(id) FROM contributions")[0]
        blob = reports.template(store, FEEDBACK)
        context = reports.feedback_context(store, consensus.workspace(store, admin, cid))

        def bare() -> bytes:
            document = DocxTemplate(io.BytesIO(blob))
            document.render(context)
            out = io.BytesIO()
            document.save(out)
            return out.getvalue()

        seconds, baseline = _median_pair(lambda: reports.feedback_report(store, admin, cid), bare,
                                         3 if quick else 11)
    finally:
        store.close()
        shutil.rmtree(folder, ignore_errors=True)
    return {"ratio": round(seconds / baseline, 2), "seconds": round(seconds, 4), "baseline_seconds": round(baseline, 4)}


def figure_report_batch(quick: bool) -> dict:
    """Every final report of a 60-contribution year (the admin's batch), in seconds."""
    store, admin, folder = _synthetic_store(20 if quick else 60)
    try:
        start = time.perf_counter()
        files = reports.final_reports(store, admin, 2026)
        seconds = time.perf_counter() - start
    finally:
        store.close()
        shutil.rmtree(folder, ignore_errors=True)
    return {"seconds": round(seconds, 2), "reports": len(files)}


def figure_concurrent_save(quick: bool) -> dict:
    """50 examiners saving drafts at once (a save every 0.5–2.5 s each, far above a person's pace)
    for a minute; p95 of the saves against one examiner saving alone in the same run."""
    folder = tempfile.mkdtemp(prefix="bench-")
    try:
        return _concurrent_saves(quick, lambda name: Store(f"{folder}/{name}.duckdb"))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _concurrent_saves(quick: bool, new_store: Callable[[str], Store]) -> dict:
    alone = new_store("alone")
    single = load.run(alone, load.prepare(alone, 1), 3 if quick else 10, think=(0.01, 0.02))
    alone.close()
    crowd = new_store("crowd")
    many = load.run(crowd, load.prepare(crowd, 50), 8 if quick else 60, think=(0.5, 2.5))
    crowd.close()
    return {"ratio": round(many.p95_ms / single.p95_ms, 2), "seconds": round(many.p95_ms / 1000, 4),
            "baseline_seconds": round(single.p95_ms / 1000, 4), "p50_ms": many.p50_ms, "p95_ms": many.p95_ms,
            "max_ms": many.max_ms, "sessions": many.sessions, "saves": many.saves, "run_seconds": many.seconds,
            "lost_writes": many.lost_writes + single.lost_writes, "mixed_up": many.mixed_up,
            "stale_refusals": many.stale_refusals, "errors": len(many.errors) + len(single.errors)}


FIGURES: dict[str, tuple[str, Callable[[bool], dict]]] = {
    "intake": ("Intag av ett bidrag på 90 000 tecken, mot python-docx som bara läser styckena", figure_intake),
    "intake_ocr": ("Intag av ett bidrag med fem bilder, OCR inräknad, mot Tesseract som läser samma bilder",
                   figure_intake_ocr),
    "intake_limits": ("Intag av 200 000 tomma stycken och av 500 bilder: tid och största minne", figure_intake_limits),
    "report": ("En återkopplingsrapport, läst och fylld som verktyget gör, mot docxtpl som bara fyller samma "
               "mall med samma data", figure_report),
    "report_batch_seconds": ("Alla slutliga rapporter för ett år med 60 bidrag, sekunder", figure_report_batch),
    "concurrent_save": ("50 examinatorer sparar utkast samtidigt i en minut: p95 per sparning, mot en ensam "
                        "examinator", figure_concurrent_save),
    "intake_isolated": ("Samma intag i en egen process inom tids- och minnesgränserna, som servern gör det, mot "
                        "intaget i samma process", figure_intake_isolated),
    # Page figures last: they start Streamlit's runtime in this process.
    "page_assessment": ("Omkörning av sidan Bedömning med ett fullt bidrag och en full bedömning, "
                        "mot en hello world-sida i AppTest", figure_page_assessment),
    "page_full_year": ("Omkörning av sidan Beredning för ett år med 60 bidrag, mot hello world", figure_page_full_year),
    "page_10x": ("Omkörning av sidan Beredning för tio gånger så många bidrag (600), mot hello world",
                 figure_page_10x),
    "page_intake_review": ("Omkörning av sidan Granska fil med ett bidrag på 90 000 tecken att granska, i ett år "
                           "med 60 bidrag, mot hello world", figure_page_intake_review),
    "page_consensus": ("Omkörning av sidan Konsensus för lagsamordnaren, ett år med 60 bidrag, bidraget i konsensus, "
                       "mot hello world", figure_page_consensus),
    "browser_click": ("Klick tills sidan är klar i Chromium på Bedömning, Konsensus, Granska fil och Beredning med "
                      "ett fullt bidrag och ett genererat år med 60 bidrag, mot ett klick på en hello world-sida; "
                      "kvoten är den långsammaste sidans", figure_browser_click),
    "server_peak": ("En riktig serverprocess: examinatorer på sidan Bedömning genom webbsocketen, p50/p95 med 1, 25, "
                    "50 och 100 samtidiga mot en ensam, och högsta takt med p95 ≤ 1 s", figure_server_peak),
    "server_peak_postgres": ("Samma last mot två serverprocesser på en PostgreSQL-databas; p95 mot en process "
                             "med lika många examinatorer", figure_server_peak_postgres),
    "concurrent_save_postgres": ("Samma 50 samtidiga sparningar på PostgreSQL: p95 mot en ensam, förlorade och "
                                 "hamnade fel", figure_concurrent_save_postgres),
}
# Measured only when named: the 500 pictures take minutes of OCR.
ON_REQUEST = {"intake_limits"}
GOALS = {"intake": 2.0, "intake_ocr": 1.2, "page_assessment": 25.0, "report": 2.0, "page_full_year": 25.0, "page_10x": 40.0,
         "intake_isolated": 2.0, "page_consensus": 25.0, "browser_click": 4.0}
GOALS["page_intake_review"] = 25.0
SECONDS_GOALS = {"report_batch_seconds": 10.0}


def run(names: list[str], quick: bool) -> dict[str, dict]:
    unknown = [n for n in names if n not in FIGURES]
    if unknown:
        raise SystemExit(f"Okända mått: {', '.join(unknown)}. Finns: {', '.join(FIGURES)}.")
    results = {}
    for name in names or [n for n in FIGURES if n not in ON_REQUEST]:
        gc.collect()  # no figure pays for the garbage of the one before
        results[name] = FIGURES[name][1](quick)
    if "server_peak" in results and "server_peak_postgres" in results:
        from workbench_tools.server_bench import compare

        results["server_peak_postgres"]["against_one"] = compare(results["server_peak"], results["server_peak_postgres"])
    return results


SEPARATE_TABLES = {"server_peak", "server_peak_postgres", "concurrent_save_postgres"}  # figures with a table of their own below the main one
RATIO_FIGURES = ("intake", "intake_ocr", "report", "page_assessment", "page_full_year", "page_10x", "intake_isolated",
                 "page_consensus", "page_intake_review")


def as_json(results: dict[str, dict]) -> dict:
    """One key per figure: the ratio figures as {ratio, seconds, baseline_seconds}, the rest as numbers."""
    out: dict = {}
    for name in RATIO_FIGURES:
        if name in results:
            out[name] = {k: results[name][k] for k in ("ratio", "seconds", "baseline_seconds")}
    if "intake_ocr" in results:
        out["intake_ocr"]["seconds_per_picture"] = results["intake_ocr"]["seconds_per_picture"]
    if "intake_limits" in results:
        out["intake_limits"] = results["intake_limits"]
    if "report_batch_seconds" in results:
        out["report_batch_seconds"] = results["report_batch_seconds"]["seconds"]
    for name in ("server_peak", "server_peak_postgres", "concurrent_save_postgres", "browser_click"):
        if name in results:
            out[name] = results[name]
    if "concurrent_save" in results:
        r = results["concurrent_save"]
        out["concurrent_save_p95_ms"] = r["p95_ms"]
        out["lost_writes"] = r["lost_writes"]
        out["concurrent_save"] = r
    return out


def table(results: dict[str, dict]) -> str:
    lines = ["| mått | sekunder | baslinje (s) | kvot | mål |", "|---|---|---|---|---|"]
    for name, r in results.items():
        if name in SEPARATE_TABLES:
            continue
        if "ratio" not in r:
            goal = SECONDS_GOALS.get(name)
            lines.append(f"| {name} | {r['seconds']:.2f} | – | – | {'< ' + str(goal) + ' s' if goal else ''} |")
            continue
        goal = GOALS.get(name)
        lines.append(f"| {name} | {r['seconds']:.4f} | {r['baseline_seconds']:.4f} | {r['ratio']:.2f}× | "
                     f"{'≤ ' + str(goal) + '×' if goal else ''} |")
    if "intake_ocr" in results:
        lines.append("")
        lines.append(f"Intag med OCR: {results['intake_ocr']['seconds_per_picture']} s per bild.")
    if "intake_limits" in results:
        for case, r in results["intake_limits"].items():
            if isinstance(r, dict):
                lines.append(f"Intag, {case}: {r['seconds']} s, största minne {r['peak_mb']} MB ({r['detail']}).")
    if "concurrent_save" in results:
        lines += ["", _concurrent_line("Samtidiga sparningar", results["concurrent_save"])]
    if "browser_click" in results:
        from workbench_tools.browser_bench import lines as click_lines

        lines += ["", *click_lines(results["browser_click"])]
    from workbench_tools.server_bench import lines as server_lines

    for name in ("server_peak", "server_peak_postgres"):
        if name in results:
            lines += ["", *server_lines(results[name])]
    if (against := results.get("server_peak_postgres", {}).get("against_one")) and against["ratio"] is not None:
        lines.append(f"Två processer på PostgreSQL mot en process på DuckDB med {against['examiners']} examinatorer: "
                     f"p95 {against['p95_several_ms']} ms mot {against['p95_one_ms']} ms, kvot {against['ratio']}×.")
    if "concurrent_save_postgres" in results:
        lines += ["", _concurrent_line("Samtidiga sparningar på PostgreSQL", results["concurrent_save_postgres"])]
    return "\n".join(lines)


def _concurrent_line(title: str, r: dict) -> str:
    return (f"{title}: {r['sessions']} examinatorer, {r['saves']} sparningar på {r['run_seconds']} s; p50 "
            f"{r['p50_ms']} ms, p95 {r['p95_ms']} ms ({r['ratio']}× en ensam), max {r['max_ms']} ms; "
            f"förlorade {r['lost_writes']}, hamnade fel {r['mixed_up']}, fel {r['errors']}.")

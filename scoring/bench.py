"""The benchmark: every figure as a ratio to a baseline measured in the same run.

These machines are noisy, so each figure is the median of several runs, and its
baseline is measured alternately with it.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

from scoring.demo import UNITS
from scoring.demo_text import answer
from scoring.docx_builder import ContributionText, build_contribution
from scoring.docx_reader import count_chars, read_paragraph_texts
from scoring.framework import load_framework
from scoring.intake import take_in


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


def figure_page_assessment(quick: bool) -> dict:
    # The screens need Streamlit, which the core never imports; their benchmarks live beside it.
    from benchmarks.pages import figure_page_assessment as measure

    return measure(quick)


FIGURES: dict[str, tuple[str, Callable[[bool], dict]]] = {
    "intake": ("Intag av ett bidrag på 90 000 tecken, mot python-docx som bara läser styckena", figure_intake),
    "page_assessment": ("Omkörning av sidan Bedömning med ett fullt bidrag och en full bedömning, "
                        "mot en hello world-sida i AppTest", figure_page_assessment),
}
GOALS = {"intake": 2.0, "page_assessment": 25.0}


def run(names: list[str], quick: bool) -> dict[str, dict]:
    unknown = [n for n in names if n not in FIGURES]
    if unknown:
        raise SystemExit(f"Okända mått: {', '.join(unknown)}. Finns: {', '.join(FIGURES)}.")
    return {name: FIGURES[name][1](quick) for name in (names or list(FIGURES))}


def table(results: dict[str, dict]) -> str:
    lines = ["| mått | sekunder | baslinje (s) | kvot | mål |", "|---|---|---|---|---|"]
    for name, r in results.items():
        goal = GOALS.get(name)
        lines.append(f"| {name} | {r['seconds']:.4f} | {r['baseline_seconds']:.4f} | {r['ratio']:.2f}× | "
                     f"{'≤ ' + str(goal) + '×' if goal else ''} |")
    return "\n".join(lines)

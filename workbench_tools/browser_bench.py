"""Click-to-idle in headless Chromium on the heaviest screens, each as a ratio to a click on a
hello-world page served by the same Streamlit in the same run.

A click is timed from the pointer going down until Streamlit's status says the run is over
(``data-test-script-state=notRunning``, after it ran) and no element is left stale from the
run before: what a person waits for before the screen can be used again. The screens:

- Bedömning: an examiner switches question area on a 90 000-character contribution that is
  fully assessed;
- Granska fil: the office switches between two waiting 90 000-character files;
- Konsensus and Beredning: the office on a generated finished year of 60 contributions
  (switching contribution; sorting the candidates).

The clicks alternate between two choices, so each one changes what the screen shows; the
screens and the hello world take turns, so a busy moment of the machine falls on all of them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import statistics
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from scoring.core import auth
from scoring.core.store import Store, forget_store, get_store
from scoring.intake import review as intake_store
from scoring.year.framework import load_framework
from workbench_tools import demo
from workbench_tools.bench import full_contribution
from workbench_tools.server_year import ServerProcess
from workbench_tools.synthetic import build_year

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HELLO = "import streamlit as st\n\nst.title('Hej')\nif st.button('Klicka'):\n    st.write('Klickat')\n"
SYNTHETIC_ADMIN = "admin@syntet.se"
GOAL = 4.0
# Armed before a click: remembers when the pointer goes down, and whether the page's status
# has since shown a run.
ARM = """() => { window.__clicked = null; window.__ran = false;
    document.addEventListener('pointerdown', () => { window.__clicked ??= performance.now(); },
                              {capture: true, once: true});
    const app = document.querySelector('[data-testid=stApp]');
    window.__watch?.disconnect();
    window.__watch = new MutationObserver(() => {
        if (app.getAttribute('data-test-script-state') === 'running') window.__ran = true; });
    window.__watch.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']}); }"""
# Once the server has said the run is over: the milliseconds from the click until the screen
# shows it too (the status no longer running, nothing stale left from the run before). A run
# the status never showed (a fast one: React drew both states at once) is drawn within two frames.
IDLE = """() => new Promise(resolve => {
    const app = document.querySelector('[data-testid=stApp]');
    const idle = () => window.__ran && app.getAttribute('data-test-script-state') === 'notRunning'
        && !document.querySelector('[data-stale=true]');
    const done = () => { observer.disconnect(); resolve(performance.now() - window.__clicked); };
    const observer = new MutationObserver(() => { if (idle()) done(); });
    observer.observe(document.body, {attributes: true, childList: true, subtree: true});
    if (idle()) return done();
    requestAnimationFrame(() => requestAnimationFrame(() => {
        if (!window.__ran && !document.querySelector('[data-stale=true]')) done(); }));
})"""


def _run_finished(payload) -> bool:
    """A websocket frame from the server that ends a run (not one that ends early for a rerun)."""
    if isinstance(payload, str):
        return False
    message = ForwardMsg.FromString(payload)
    return (message.WhichOneof("type") == "script_finished"
            and message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN)


@dataclass
class Screen:
    title: str
    page: object  # a Playwright page, opened and idle
    click: Callable[[object, int], object]  # (page, round) -> the element to click
    times: list[float]


def _wait_idle(page) -> None:
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=120_000)
    page.locator("[data-stale=true]").first.wait_for(state="detached", timeout=120_000)


def _timed_click(page, target) -> float:
    """A fast run can pass without the page's status ever showing it running (React draws both
    states at once), so the end of the run is taken from the server's own message, and then
    the screen is waited for."""
    page.evaluate(ARM)
    with page.workbench_socket.expect_event("framereceived", predicate=_run_finished, timeout=120_000):
        target.click()
    return page.evaluate(IDLE)


def _other_option(page, label: str, pair: list[str]):
    """Open the selectbox ``label`` and return the one of ``pair`` it does not show (the click
    on the option is what is timed)."""
    box = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text(label, exact=True))
    field = box.locator("input")
    shown = box.inner_text() + " " + (field.input_value() or field.get_attribute("placeholder") or "")
    option = pair[1] if pair[0] in shown else pair[0]
    field.click()
    return page.get_by_role("option", name=option, exact=True)


def _log_in(page, url: str, email: str) -> None:
    page.goto(url)
    _wait_idle(page)
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in", exact=True).click()
    page.get_by_role("heading", name="Välkommen", exact=False).wait_for(timeout=120_000)
    _wait_idle(page)


def _assessment_database(path: Path) -> tuple[str, str, list[str]]:
    """The demo year, a fully assessed 90 000-character contribution and two such files waiting
    for review: the examiner's e-mail, the assessed unit and the waiting files' names."""
    from workbench_tools.page_bench import _assessment_year

    email, cid = _assessment_year(path)
    store = get_store(str(path))
    try:
        admin = auth.user_by_email(store, demo.OTHER_ACCOUNTS[0][0])
        files = []
        for n, chars in enumerate((90_000, 88_000), start=1):
            files.append(f"Fullt bidrag {n}.docx")
            intake_store.upload(store, admin, demo.DEMO_YEAR, files[-1], full_contribution(chars),
                                received_at=dt.datetime(demo.DEMO_YEAR, 5, 6, 8))
        unit = store.fetchone("SELECT n.name FROM contributions c JOIN units n ON n.id = c.unit_id WHERE c.id = ?",
                              [cid])[0]
        return email, unit, files
    finally:
        forget_store(str(path))


def _generated_year(path: Path, contributions: int) -> list[str]:
    """A generated finished year; the office can log in. The first two units' names."""
    store = Store(path)
    try:
        admin_id = build_year(store, contributions)
        with store.write(demo.ACTOR) as uow:
            auth.set_password(uow, admin_id, demo.DEMO_PASSWORD)
        return [r[0] for r in store.fetchall("SELECT name FROM units ORDER BY name LIMIT 2")]
    finally:
        store.close()


@contextlib.contextmanager
def _servers(folder: Path) -> Iterator[dict]:
    hello = folder / "hello.py"
    hello.write_text(HELLO, encoding="utf-8")
    started: list[ServerProcess] = []
    try:
        built = folder / "built.json"  # a kept folder (BROWSER_BENCH_FOLDER) is built once
        if not built.exists():
            email, unit, files = _assessment_database(folder / "assessment.duckdb")
            units = _generated_year(folder / "year.duckdb", 60)
            built.write_text(json.dumps([email, unit, files, units]), encoding="utf-8")
        email, unit, files, units = json.loads(built.read_text(encoding="utf-8"))
        for name, env, script in (("hello", {}, str(hello)),
                                  ("assessment", {"WORKBENCH_DB": str(folder / "assessment.duckdb")}, "serve.py"),
                                  ("year", {"WORKBENCH_DB": str(folder / "year.duckdb")}, "serve.py")):
            started.append(ServerProcess(env, folder / f"{name}.log", timeout=120, script=script))
        yield {"hello": started[0].url, "assessment": started[1].url, "year": started[2].url,
               "examiner": email, "unit": unit, "files": files, "units": units}
    finally:
        for server in started:
            server.stop()


def _screens(browser, s: dict) -> list[Screen]:
    areas = [a.title for a in load_framework(demo.DEMO_YEAR).areas[:2]]

    def open_page(url: str, email: str | None, path: str):
        page = browser.new_context(viewport={"width": 1366, "height": 768}, locale="sv-SE").new_page()
        page.on("websocket", lambda socket: setattr(page, "workbench_socket", socket))  # the newest: the page's own
        if email:
            _log_in(page, url, email)
        page.goto(url + path)
        _wait_idle(page)
        return page

    screens = [
        Screen("hello world", open_page(s["hello"], None, "/"),
               lambda page, n: page.get_by_role("button", name="Klicka"), []),
        Screen("Bedömning", open_page(s["assessment"], s["examiner"], "/bedomning?bidrag=" + s["unit"]),
               lambda page, n: page.get_by_role("radio", name=areas[n % 2], exact=True), []),
        Screen("Konsensus", open_page(s["year"], SYNTHETIC_ADMIN, "/konsensus"),
               lambda page, n: _other_option(page, "Bidrag", s["units"]), []),
        Screen("Granska fil", open_page(s["assessment"], demo.OTHER_ACCOUNTS[0][0], "/granskning"),
               lambda page, n: _other_option(page, "Fil", s["files"]), []),
        Screen("Beredning", open_page(s["year"], SYNTHETIC_ADMIN, "/beredning"),
               lambda page, n: _other_option(page, "Sortera", ["Totalt", "Spridning"]), []),
    ]
    return screens


def figure_browser_click(quick: bool) -> dict:
    from playwright.sync_api import sync_playwright

    rounds = 5 if quick else 15
    kept = os.environ.get("BROWSER_BENCH_FOLDER")
    with (contextlib.nullcontext(kept) if kept else tempfile.TemporaryDirectory(prefix="browser-click-")) as folder, \
            _servers(Path(folder)) as s, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            screens = _screens(browser, s)
            for n in range(-1, rounds):  # the first round warms up and is not counted
                for screen in screens:
                    try:
                        ms = _timed_click(screen.page, screen.click(screen.page, n))
                    except Exception as exc:
                        screen.page.screenshot(path=str(Path(folder) / f"failed-{screen.title}.png"))
                        raise RuntimeError(f"{screen.title}, klick {n + 2}: {exc}") from exc
                    _wait_idle(screen.page)
                    if n >= 0:
                        screen.times.append(ms)
        finally:
            browser.close()
    hello = statistics.median(screens[0].times)
    result = {"hello_p50_ms": round(hello), "rounds": rounds, "screens": {}}
    for screen in screens[1:]:
        p50 = statistics.median(screen.times)
        result["screens"][screen.title] = {"p50_ms": round(p50), "max_ms": round(max(screen.times)),
                                           "ratio": round(p50 / hello, 2)}
    worst = max(result["screens"].values(), key=lambda r: r["ratio"])
    # The figure's own ratio and seconds: the slowest screen's, so the table shows the one that decides.
    return {**result, "ratio": worst["ratio"], "seconds": round(worst["p50_ms"] / 1000, 4),
            "baseline_seconds": round(hello / 1000, 4)}


def lines(result: dict) -> list[str]:
    out = [f"Klick tills sidan är klar i Chromium (p50 av {result['rounds']} klick; hello world "
           f"{result['hello_p50_ms']} ms; mål ≤ {GOAL:g}×):"]
    for title, r in result["screens"].items():
        out.append(f"- {title}: p50 {r['p50_ms']} ms (högst {r['max_ms']} ms), {r['ratio']}× hello world"
                   + ("" if r["ratio"] <= GOAL else " — över målet"))
    return out


if __name__ == "__main__":
    import sys

    figure = figure_browser_click("--quick" in sys.argv)
    print("\n".join(lines(figure)))
    print(json.dumps(figure, ensure_ascii=False))

"""The load client for the real server: examiners on Bedömning, through Streamlit's websocket.

Each simulated session is one examiner in a browser tab (server_browser.py): it logs in
through the login form, opens Bedömning on its contribution, and then, at a person's pace,
sets scores (a band, then a value in it), switches question area, adds findings and edits
a finding's text. Each of those is one interaction, timed from the message sent to the end
of the run it caused. A save counts as acknowledged when its run finished without an error
on the page; at the end ``verify`` reads the store for each one (lost = 0).

Bounded: at most MAX_SESSIONS sessions and MAX_SECONDS of load, and only 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import random
import re
import statistics
import time
from dataclasses import dataclass, field

from scoring.assessment import individual as assessments
from scoring.core import auth
from scoring.core.store import Store
from scoring.year.framework import load_framework
from workbench_tools.load import percentile
from workbench_tools.server_browser import Browser, LoadClientError, Run, check_url, choose, click, text

MAX_SESSIONS = 400
MAX_SECONDS = 1800
PERSON_THINK = (2.0, 8.0)  # seconds between one person's clicks while scoring
PREFIX = "bedomning_w{cid}_"  # the page's widget keys (app_pages/assessment_parts.py)


@dataclass(frozen=True)
class Login:
    email: str
    password: str
    contribution_id: int
    unit: str
    year: int


@dataclass
class Interaction:
    kind: str
    started: float  # perf_counter when sent
    seconds: float
    ok: bool


@dataclass
class Session:
    login: Login
    server: str
    interactions: list[Interaction] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # What the page acknowledged, for the check against the store.
    scores: dict[tuple[str, str], int] = field(default_factory=dict)
    findings: dict[int, str] = field(default_factory=dict)  # finding id -> last text saved
    unplaced: list[str] = field(default_factory=list)  # added findings whose id the page did not tell
    ready: bool = False


def assessable_logins(store: Store, password: str, year: int | None = None) -> list[Login]:
    """Examiners with an editable assessment they have declared on: one login each (their
    first such contribution), for a store whose accounts all use ``password``."""
    rows = store.fetchall(
        "SELECT u.email, c.id, n.name, c.year FROM conflict_declarations d JOIN users u ON u.id = d.user_id"
        " JOIN contributions c ON c.id = d.contribution_id JOIN units n ON n.id = c.unit_id"
        " LEFT JOIN assessments a ON a.contribution_id = c.id AND a.examiner_id = u.id"
        " WHERE NOT d.has_conflict AND c.phase IN ('tilldelad', 'individuell_bedomning')"
        " AND coalesce(a.status, 'utkast') = 'utkast' AND u.active AND (? IS NULL OR c.year = ?)"
        " ORDER BY c.id, u.id", [year, year])
    seen: dict[str, Login] = {}
    for email, cid, unit, y in rows:
        seen.setdefault(email, Login(email, password, cid, unit, y))
    return list(seen.values())


class Examiner:
    """One session's behaviour on the page."""

    def __init__(self, session: Session, rng: random.Random) -> None:
        self.session, self.rng = session, rng
        self.browser = Browser(session.server)
        self.framework = load_framework(session.login.year)
        self.prefix = PREFIX.format(cid=session.login.contribution_id)
        self.area = self.framework.areas[0]
        self.run: Run | None = None
        self.count = 0

    async def start(self) -> None:
        """Log in and open Bedömning on the contribution (not measured: done before the load)."""
        login = self.session.login
        await self.browser.open()
        page = await self.browser.rerun()
        email, password = page.labelled("E-postadress"), page.labelled("Lösenord")
        submit = page.submit_button("login")
        if not (email and password and submit):
            raise LoadClientError("inloggningsformuläret syns inte")
        page = await self.browser.rerun([text(email, login.email), text(password, login.password), click(submit)])
        if "bedomning" not in self.browser.pages:
            raise LoadClientError(f"{login.email} kom inte in: {page.errors or 'ingen sida Bedömning'}")
        page = await self.browser.rerun(page="bedomning")
        chooser = page.widget_id("bidrag")
        if chooser is None:
            raise LoadClientError(f"{login.email}: sidan Bedömning visar inget bidrag att välja")
        page = await self.browser.rerun([text(chooser, login.unit)])
        if page.errors or page.widget_id(f"{self.prefix}new_{self.area.code}_text") is None:
            raise LoadClientError(f"{login.email}: bedömningen av {login.unit} går inte att redigera {page.errors}")
        self.run = page
        self.session.ready = True

    async def interact(self) -> None:
        """One thing a person does; a score is two clicks (the band, then the value)."""
        self.count += 1
        # Every examiner first scores, writes a finding and moves on to another area (a
        # person's first minutes on the page), then does what chance picks.
        choice = {1: 0.0, 2: 0.7, 3: 0.5}.get(self.count, self.rng.random())
        tag = f"[{self.session.login.email} #{self.count}]"
        if choice < 0.45:
            criterion = self.rng.choice(self.area.criteria).code
            key = f"{self.prefix}band_{self.area.code}_{criterion}"
            band = self._widget(key)
            if band is None:
                return
            if not await self._measure("band", [choose(band[0], self.rng.choice(band[1].options).content)]):
                return
            value = self._widget(f"{self.prefix}value_{self.area.code}_{criterion}")
            if value is None:
                return
            chosen = self.rng.choice(value[1].options).content
            if await self._measure("poäng", [choose(value[0], chosen)]):
                self.session.scores[(self.area.code, criterion)] = int(chosen)
        elif choice < 0.65:
            area = self.rng.choice([a for a in self.framework.areas if a.code != self.area.code])
            control = self._widget("omrade")
            if control and await self._measure("område", [choose(control[0], area.title)]):
                self.area = area
        elif choice < 0.85 or not self._finding_fields():
            p = f"{self.prefix}new_{self.area.code}_"
            field_id, submit = self.run.widget_id(p + "text"), self.run.submit_button(p + "form")
            if field_id and submit:
                finding = f"Iakttagelse {tag}"
                before = {fid for fid, _ in self._finding_fields()}
                if await self._measure("ny iakttagelse", [text(field_id, finding), click(submit)]):
                    # The new finding's editor appears on the page: that tells its id.
                    new = {fid for fid, _ in self._finding_fields()} - before
                    if len(new) == 1:
                        self.session.findings[new.pop()] = finding
                    else:
                        self.session.unplaced.append(finding)
        else:
            finding_id, (widget_id, _) = self.rng.choice(self._finding_fields())
            changed = f"Ändrad {tag}"
            if await self._measure("ändra iakttagelse", [text(widget_id, changed)]):
                self.session.findings[finding_id] = changed

    def _widget(self, key: str):
        widget_id = self.run.widget_id(key)
        if widget_id is None:
            self.session.errors.append(f"{self.session.login.email}: ingen widget {key}")
            return None
        return widget_id, self.run.widgets[widget_id][1]

    def _finding_fields(self) -> list[tuple[int, tuple[str, object]]]:
        pattern = re.compile(rf"-{re.escape(self.prefix)}f(\d+)_text$")
        return [(int(m.group(1)), (wid, element)) for wid, (_, element) in self.run.widgets.items()
                if (m := pattern.search(wid))]

    async def _measure(self, kind: str, states) -> bool:
        started = time.perf_counter()
        try:
            run = await self.browser.rerun(states)
        except (TimeoutError, LoadClientError, websockets_errors()) as exc:
            self.session.errors.append(f"{self.session.login.email}: {kind}: {type(exc).__name__}: {exc}")
            self.session.interactions.append(Interaction(kind, started, time.perf_counter() - started, False))
            raise
        ok = not run.errors
        self.session.errors += [f"{self.session.login.email}: {kind}: {e}" for e in run.errors]
        self.session.interactions.append(Interaction(kind, started, run.seconds, ok))
        self.run = run
        return ok


def websockets_errors() -> type[Exception]:
    import websockets.exceptions

    return websockets.exceptions.WebSocketException


async def work(examiner: Examiner, until: float, think: tuple[float, float], stop: asyncio.Event,
               most: int | None = None) -> None:
    """Think, act, until the time is up, ``most`` interactions are done or the run is stopped;
    a broken connection ends the session."""
    try:
        while examiner.session.ready and time.perf_counter() < until and not stop.is_set() and (
                most is None or examiner.count < most):
            pause = examiner.rng.uniform(*think)
            try:
                await asyncio.wait_for(stop.wait(), pause)
                break
            except TimeoutError:
                pass
            if time.perf_counter() >= until:
                break
            await examiner.interact()
    except (TimeoutError, LoadClientError, websockets_errors()):
        pass  # counted in _measure
    finally:
        await examiner.browser.close()


@dataclass
class Result:
    sessions: list[Session]
    seconds: float

    def latencies(self, since: float = 0.0, before: float = float("inf")) -> list[float]:
        return sorted(i.seconds for s in self.sessions for i in s.interactions if since <= i.started < before)

    @property
    def interactions(self) -> int:
        return sum(len(s.interactions) for s in self.sessions)

    @property
    def errors(self) -> list[str]:
        return [e for s in self.sessions for e in s.errors]

    def summary(self, since: float = 0.0, before: float = float("inf")) -> dict:
        values = self.latencies(since, before)
        span = min(before, time.perf_counter()) - since if before != float("inf") else self.seconds
        return {"interactions": len(values), "p50_ms": round(1000 * statistics.median(values), 1) if values else None,
                "p95_ms": round(1000 * percentile(values, 0.95), 1) if values else None,
                "per_second": round(len(values) / span, 2) if span > 0 else None}


def check_bounds(servers: list[str], sessions: int, seconds: float) -> None:
    for server in servers:
        check_url(server)
    if not 0 < sessions <= MAX_SESSIONS:
        raise LoadClientError(f"Högst {MAX_SESSIONS} sessioner, inte {sessions}.")
    if not 0 < seconds <= MAX_SECONDS:
        raise LoadClientError(f"Högst {MAX_SECONDS} sekunder, inte {seconds}.")


async def start_sessions(logins: list[Login], servers: list[str], first: int = 0, rng_seed: int = 22,
                         parallel: int = 8) -> list[Examiner]:
    """Log in sessions, spread round robin over the servers (each sticks to its own), a few at a time."""
    examiners = [Examiner(Session(login, servers[(first + n) % len(servers)]), random.Random(rng_seed * 1000 + first + n))
                 for n, login in enumerate(logins)]
    gate = asyncio.Semaphore(parallel)

    async def one(examiner: Examiner) -> None:
        async with gate:
            try:
                await examiner.start()
            except (TimeoutError, LoadClientError, websockets_errors(), OSError) as exc:
                examiner.session.errors.append(f"{examiner.session.login.email}: inloggning: {type(exc).__name__}: {exc}")
                await examiner.browser.close()

    await asyncio.gather(*(one(e) for e in examiners))
    return examiners


async def run_async(servers: list[str], logins: list[Login], seconds: float,
                    think: tuple[float, float] = PERSON_THINK, each: int | None = None) -> Result:
    check_bounds(servers, len(logins), seconds)
    examiners = await start_sessions(logins, servers)
    began = time.perf_counter()
    stop = asyncio.Event()
    await asyncio.gather(*(work(e, began + seconds, think, stop, each) for e in examiners))
    return Result([e.session for e in examiners], time.perf_counter() - began)


def run(servers: list[str] | str, logins: list[Login], seconds: float, think: tuple[float, float] = PERSON_THINK,
        each: int | None = None) -> Result:
    """N sessions (one per login) on the servers for ``seconds`` (or, with ``each``, until every
    session has done that many interactions, ``seconds`` at most); one event loop for all."""
    return asyncio.run(run_async([servers] if isinstance(servers, str) else servers, logins, seconds, think, each))


def verify(store: Store, sessions: list[Session]) -> int:
    """Acknowledged saves missing from the store: scores, added findings, edited texts."""
    lost = 0
    for session in sessions:
        user = auth.user_by_email(store, session.login.email)
        work_done = assessments.own_assessment(store, user, session.login.contribution_id)
        for (area, criterion), value in session.scores.items():
            lost += work_done.areas.get(area) is None or work_done.areas[area].criteria.get(criterion) != value
        stored = {f.id: f.text for a in work_done.areas.values() for f in a.findings}
        lost += sum(1 for fid, value in session.findings.items() if stored.get(fid) != value)
        lost += sum(1 for value in session.unplaced if value not in stored.values())
    return lost

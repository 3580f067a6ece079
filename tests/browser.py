"""Helpers for the Chromium tests: a real server on a free port, and Playwright."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from helpers import ROOT

from scoring.core.auth import COOKIE_NAME

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``streamlit run serve.py`` against a given database, as ``make run`` starts it."""

    def __init__(self, database: Path, log: Path, port: int | None = None, extra: list[str] = (),
                 env: dict[str, str] | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._log = open(log, "w")  # noqa: SIM115 - closed in stop()
        env = {**os.environ, "WORKBENCH_DB": str(database), **(env or {})}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true", *extra],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped; see {log}")
            with contextlib.suppress(OSError), urllib.request.urlopen(
                self.url + "/_stcore/health", timeout=2
            ) as response:
                if response.status == 200:
                    return
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"the server did not start in 60 s; see {log}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


def wait_for_app(page) -> None:
    """Wait until Streamlit has finished the current run."""
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=30_000)


def log_in(page, base_url: str, email: str, password: str) -> None:
    """Log in, and wait until the browser holds the session cookie (it arrives just after the
    start page: a page opened sooner would find no login)."""
    page.goto(base_url)
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in", exact=True).click()
    page.get_by_role("heading", name="Välkommen").wait_for(timeout=30_000)
    wait_for_app(page)
    for _ in range(300):
        if any(c["name"] == COOKIE_NAME for c in page.context.cookies()):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"no session cookie after logging in as {email}")


def screenshot(page, name: str) -> None:
    wait_for_app(page)
    page.wait_for_timeout(500)  # let tables and charts paint
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def by_key(page, key: str):
    """The widget Streamlit gave this key (it carries the class st-key-<key>)."""
    return page.locator(f".st-key-{key}")


def form_with(page, key: str):
    """The form holding the widget with this key (forms carry no key class of their own)."""
    return page.get_by_test_id("stForm").filter(has=by_key(page, key))


def pick(page, selectbox, option: str) -> None:
    """Choose an option in a Streamlit selectbox (typing narrows a long list)."""
    field = selectbox.locator("input")
    field.click()
    field.fill(option)
    match = page.get_by_role("option", name=option, exact=True)
    try:
        match.click(timeout=5_000)
    except Exception:  # the list closed under a rerun: the filter still holds the one match
        field.click()
        field.fill(option)
        field.press("Enter")

"""Names are text: a file, unit, examiner, team or account name someone typed is shown as
typed on every screen, never as markdown. One helper does it (scoring.core.text.escape_markdown);
the source check below finds a name put on a screen without it, and the AppTest walk opens
every page as every role on a year whose every name is markup."""

from __future__ import annotations

import ast
import dataclasses
import re

import pytest
from helpers import ADMIN, APP, EXAMINER, JURY, PREPARATORY, ROOT, page_file
from streamlit.testing.v1 import AppTest

from scoring.core import access, auth
from scoring.core.store import Store, forget_store, get_store
from scoring.core.text import escape_markdown
from scoring.teams import assignment
from workbench_tools import demo

PAGES = [*sorted((ROOT / "app_pages").glob("*.py")), ROOT / "app.py"]
# Streamlit calls whose text (or label) is rendered as markdown.
MARKDOWN_CALLS = {
    "markdown", "caption", "title", "header", "subheader", "info", "success", "warning", "error", "toast",
    "button", "download_button", "form_submit_button", "page_link", "expander", "popover", "checkbox", "toggle",
    "radio", "metric", "progress", "text_input", "text_area", "number_input", "selectbox", "multiselect", "tabs",
}
# What a name looks like in the source: the fields and variables that hold one, and refusals,
# whose messages name the file, unit or account they refuse.
NAMEISH = re.compile(r"\b(unit|units|unit_name|name|names|filename|examiner|examiners|team|team_name|email|"
                     r"organisation|coordinator|member|members|contributors|submitted_by|finalized_by|"
                     r"reopened_by|exc|message|notice|line|lines|problem|problems|reason|reasons|source)\b|\.name\b")
HELPER = "escape_markdown"


def _pieces(node: ast.expr):
    """The parts of a text argument that are not written in the source."""
    if isinstance(node, ast.Constant):
        return
    if isinstance(node, ast.JoinedStr):
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                yield from _pieces(value.value)
        return
    if isinstance(node, ast.BinOp):
        yield from _pieces(node.left)
        yield from _pieces(node.right)
        return
    if isinstance(node, ast.IfExp):
        yield from _pieces(node.body)
        yield from _pieces(node.orelse)
        return
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            yield from _pieces(value)
        return
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) in (HELPER, "len"):
        return
    if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "replace":  # f"{n:,}".replace(...)
        yield from _pieces(node.func.value)
        return
    if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "join" and node.args:
        inner = node.args[0]
        if isinstance(inner, ast.GeneratorExp | ast.ListComp):
            yield from _pieces(inner.elt)
            return
    yield node


def unescaped_names() -> list[str]:
    found = []
    for path in PAGES:
        source = path.read_text(encoding="utf-8")
        for call in ast.walk(ast.parse(source)):
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                    and call.func.attr in MARKDOWN_CALLS):
                continue
            texts = call.args[:1] + [k.value for k in call.keywords if k.arg in ("label", "body", "text")]
            for text in texts:
                for piece in _pieces(text):
                    segment = ast.get_source_segment(source, piece) or ""
                    if NAMEISH.search(segment):
                        found.append(f"{path.name}:{piece.lineno}: {segment}")
    return found


def test_every_name_on_a_screen_passes_the_one_helper():
    assert unescaped_names() == []


def test_the_source_check_finds_a_name_shown_raw(tmp_path, monkeypatch):
    page = tmp_path / "page.py"
    page.write_text('import streamlit as st\nst.success(f"{file.name} är inläst.")\n'
                    'st.error(str(exc))\nst.caption(escape_markdown(unit))\n', encoding="utf-8")
    monkeypatch.setattr(f"{__name__}.PAGES", [page])
    assert unescaped_names() == ["page.py:2: file.name", "page.py:3: str(exc)"]


# --- a year whose every name is markup ---------------------------------------------------

MARKS = {"unit": "**Fet**", "examiner": "_Kursiv_", "team": "[Länk](x)"}


@pytest.fixture(scope="module")
def marked_year(tmp_path_factory) -> Store:
    """The demo year built through the core, with markup in every unit, file, examiner and team name."""
    path = tmp_path_factory.mktemp("names") / "names.duckdb"
    patch = pytest.MonkeyPatch()
    patch.setattr(demo, "UNITS", [dataclasses.replace(u, name=f"{MARKS['unit']} {u.name}") for u in demo.UNITS])
    patch.setattr(demo, "EXAMINERS", [(f"{MARKS['examiner']} {e[0]}", *e[1:]) for e in demo.EXAMINERS])
    patch.setattr(assignment, "TEAM_NAMES", [f"{MARKS['team']} {n}" for n in assignment.TEAM_NAMES])
    try:
        store = Store(path)
        demo.build_demo(store)
        store.close()
    finally:
        patch.undo()
    return path


def shown_markdown(at: AppTest) -> list[str]:
    """Every text on the screen that Streamlit renders as markdown, labels and options included."""
    texts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success", "warning", "error"):
        texts += [str(e.value) for e in getattr(at, kind)]
    for kind in ("button", "checkbox", "toggle", "radio", "text_input", "text_area", "selectbox", "multiselect",
                 "expander", "tabs", "metric", "number_input"):
        texts += [str(e.label) for e in getattr(at, kind)]
    texts += [str(o) for r in at.radio for o in r.options]
    return texts


def _raw_markup(texts: list[str]) -> list[str]:
    unescaped = [re.sub(r"\\.", "", t) for t in texts]
    return [t for t, u in zip(texts, unescaped, strict=True)
            if any(mark.replace("\\", "") in u for mark in MARKS.values())]


ROLES = [ADMIN, EXAMINER, "lisa.berg@demo.stockholm.se", PREPARATORY, JURY]


@pytest.mark.parametrize("email", ROLES)
def test_every_page_shows_every_name_as_text(marked_year, tmp_path, monkeypatch, email):
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(marked_year.read_bytes())
    monkeypatch.setenv("WORKBENCH_DB", str(copy))
    store = get_store(str(copy))
    email = store.fetchone("SELECT email FROM users WHERE email LIKE ?", ["%" + email.split("@")[0] + "%"])[0]
    user = auth.user_by_email(store, email)
    keys = access.page_keys(store, user, demo.DEMO_YEAR)
    at = _login(email)
    seen_names = 0
    try:
        for key in keys:
            at.switch_page(page_file(key))
            at.run()
            assert not at.exception, (key, at.exception)
            texts = shown_markdown(at)
            assert _raw_markup(texts) == [], key
            seen_names += sum(escape_markdown(m) in t for t in texts for m in MARKS.values())
    finally:
        forget_store(str(copy))
    if email != PREPARATORY:  # the preparatory group's pages show names only in tables
        assert seen_names, "the walk saw no name at all"


def _login(email: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.text_input[0].input(email)
    at.text_input[1].input(demo.DEMO_PASSWORD)
    at.button[0].click().run()
    assert not at.exception and "Välkommen" in at.title[0].value, at.exception
    return at

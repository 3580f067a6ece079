"""Hostile files cannot stall the server: every upload is read in a child process, one at a
time, with a paragraph count before parsing, a memory cap and a time limit; a file over any
of them is refused in Swedish, naming it, and nothing is stored. (With the server running and
another examiner saving meanwhile: test_security_server.)"""

from __future__ import annotations

import dataclasses

import pytest
from corpus import build
from helpers import ADMIN, paragraph_bomb

from scoring.core import auth
from scoring.intake import isolated
from scoring.intake import review as intake_store
from scoring.intake.document import take_in
from scoring.intake.docx_reader import UnreadableFile
from scoring.year.framework import load_framework
from workbench_tools.demo import DEMO_YEAR

FRAMEWORK = load_framework(2026)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return paragraph_bomb(30_000_000)


def test_a_file_read_in_the_child_is_read_exactly_as_in_this_process():
    data, _ = build(FRAMEWORK, "autonumrering")
    here, there = take_in(data, "bidrag.docx", FRAMEWORK), isolated.take_in(data, "bidrag.docx", FRAMEWORK)
    assert dataclasses.asdict(there) == dataclasses.asdict(here)
    assert there.report.chars_counted > 0


def test_more_paragraphs_than_any_contribution_are_refused_before_parsing(demo_store, bomb):
    admin = auth.user_by_email(demo_store, ADMIN)
    before = demo_store.fetchone("SELECT count(*) FROM intake_files")[0]
    with pytest.raises(intake_store.IntakeError, match=r"^\*\*b\*\*\.docx: filen har mer än 500 000 stycken"):
        intake_store.upload(demo_store, admin, DEMO_YEAR, "**b**.docx", bomb)
    assert demo_store.fetchone("SELECT count(*) FROM intake_files")[0] == before


def test_a_file_that_needs_more_memory_than_the_cap_is_refused(monkeypatch, bomb):
    monkeypatch.setenv("WORKBENCH_INTAKE_MAX_PARAGRAPHS", "100000000")
    monkeypatch.setenv("WORKBENCH_INTAKE_MEMORY_MB", "300")
    with pytest.raises(UnreadableFile, match=r"^stor\.docx: filen behöver mer än 300 MB minne"):
        isolated.take_in(bomb, "stor.docx", FRAMEWORK)


def test_a_file_that_takes_longer_than_the_limit_is_refused_and_the_next_is_read(monkeypatch, bomb):
    monkeypatch.setenv("WORKBENCH_INTAKE_MAX_PARAGRAPHS", "100000000")
    monkeypatch.setenv("WORKBENCH_INTAKE_MEMORY_MB", "8000")
    monkeypatch.setenv("WORKBENCH_INTAKE_SECONDS", "2")
    monkeypatch.setenv("WORKBENCH_OCR_SECONDS", "0")  # the limit is the reading's plus its OCR's
    with pytest.raises(UnreadableFile, match=r"^långsam\.docx: filen tog mer än 2 sekunder att läsa"):
        isolated.take_in(bomb, "långsam.docx", FRAMEWORK)
    data, _ = build(FRAMEWORK, "rubriker")
    assert isolated.take_in(data, "nästa.docx", FRAMEWORK).report.chars_counted > 0


def test_a_lost_helper_is_started_again():
    data, _ = build(FRAMEWORK, "rubriker")
    isolated.take_in(data, "först.docx", FRAMEWORK)
    isolated._helper.kill()
    isolated._helper.wait()
    assert isolated.take_in(data, "sedan.docx", FRAMEWORK).report.chars_counted > 0


def test_files_that_are_no_word_files_keep_their_own_reasons():
    for data, reason in ((b"", "filen är tom"), (b"%PDF-1.7 ...", "filen är en PDF"), (b"PK\x03\x04trasig", "trasig")):
        with pytest.raises(UnreadableFile, match=reason):
            isolated.take_in(data, "fel.docx", FRAMEWORK)

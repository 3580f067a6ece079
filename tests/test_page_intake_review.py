"""Granska fil as a side-by-side review: the file's passages in full and in document order
beside the questionnaire, and a passage moved by choosing its question (stored; refused when
the split was saved over meanwhile)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from corpus import build
from helpers import ADMIN, login

from scoring.core import auth
from scoring.core.text import escape_markdown
from scoring.intake import review as intake_store
from scoring.intake import split_view
from scoring.intake.document import Place
from scoring.intake.docx_reader import Block
from scoring.year.framework import load_framework

F2026 = load_framework(2026)
ON_TIME = dt.datetime(2026, 5, 6, 8)  # before the 2026 deadline: these tests are about the split


# --- the core: numbers, runs, places to move to ----------------------------------------------


def test_passages_read_as_ranges_and_every_question_and_part_is_a_place_to_move_to():
    assert split_view.ranges([3, 4, 5, 7, 9, 10]) == "¶3–¶5, ¶7, ¶9–¶10"
    assert split_view.ranges([1]) == "¶1" and split_view.ranges([]) == ""
    targets = split_view.targets(F2026)
    assert targets["fraga:5"].label == "Fråga 5 · Chef- och ledarskap"
    assert targets["fraga:12"].label == "Fråga 12 (hela frågan) · Medarbetarskap"
    assert targets["fraga:12:b"].change == {"section": "fraga", "question": 12, "part": "b"}
    assert targets["bilaga:verksamhetsplan"].label == "Bilaga: Verksamhetsplan 2026"
    assert [k for k in targets if not k.startswith("fraga")] == [
        "inledning", "presentation", "bilaga:verksamhetsplan", "bilaga:ovrig", "ovrigt"]
    # Questions in the questionnaire's order, each before its parts.
    numbers = [int(k.split(":")[1]) for k in targets if k.startswith("fraga")]
    assert numbers == sorted(numbers) and set(numbers) == {q.number for q in F2026.questions()}


def test_runs_cut_where_the_place_changes_and_a_move_leaves_out_what_is_already_there():
    blocks = [Block(f"b{i}", i, "stycke", f"Text {i}") for i in range(1, 6)]
    places = {"b1": Place("inledning", "svar"), "b2": Place("fraga", "svar", "malgrupp", 1),
              "b3": Place("fraga", "svar", "malgrupp", 1), "b4": Place("fraga", "svar", "malgrupp", 2),
              "b5": Place("fraga", "svar", "malgrupp", 1)}
    assert [(key, [b.id for b in run]) for key, run in split_view.runs(blocks, places)] == [
        (("inledning",), ["b1"]), (("fraga", 1, None), ["b2", "b3"]), (("fraga", 2, None), ["b4"]),
        (("fraga", 1, None), ["b5"])]
    assert split_view.passages_by_place(blocks, places)[("fraga", 1, None)] == [2, 3, 5]
    assert split_view.moves(F2026, places, ["b2", "b4"], "fraga:2") == {
        "b2": {"section": "fraga", "question": 2, "part": None}}
    with pytest.raises(KeyError):
        split_view.moves(F2026, places, ["b2"], "fraga:99")


def test_a_table_reads_as_a_table_in_the_files_pane():
    from app_pages.intake_review_parts import _passage

    table = Block("b7", 7, "tabell", "", rows=[["Mål", "Utfall"], ["Nöjda elever", "92 %"], ["Närvaro"]])
    shown = _passage(table, Place("fraga", "svar", "malgrupp", 1), 7, [])
    assert shown.splitlines()[2:] == ["| Mål | Utfall |", "| --- | --- |", "| Nöjda elever | 92 % |", "| Närvaro |  |"]
    assert shown.startswith(":gray[¶7]")


# --- the page ---------------------------------------------------------------------------------


def _review_page(store, admin) -> tuple[int, intake_store.Review, object]:
    data, _ = build(F2026, "rubriker")
    intake_id = intake_store.upload(store, admin, 2026, "Skolan i Testby.docx", data, received_at=ON_TIME)
    at = login(ADMIN)
    at.switch_page("app_pages/intake_review.py").run()
    next(s for s in at.selectbox if s.label == "Fil").set_value(intake_id).run()
    assert not at.exception
    return intake_id, intake_store.review(store, admin, intake_id), at


def _file_pane(at) -> list[str]:
    """The file's runs of passages: each markdown that opens with its place's badge."""
    return [m.value for m in at.markdown if re.match(r":\w+-badge\[", m.value)]


def _question_line(at, number: int) -> str:
    return next(part for m in at.markdown if m.value.startswith("### ")
                for part in m.value.split("\n\n") if part.startswith(f"**{number}.**"))


def _move(at, intake_id: int, block_ids: list[str], target: str):
    at.multiselect(key=f"move_passages_{intake_id}").set_value(block_ids)
    at.selectbox(key=f"move_target_{intake_id}").set_value(target)
    return at.button(key=f"FormSubmitter:move_{intake_id}-Flytta").click().run()


def test_the_file_reads_in_full_in_document_order_beside_the_questionnaire(demo_path, demo_store):
    admin = auth.user_by_email(demo_store, ADMIN)
    intake_id, review, at = _review_page(demo_store, admin)
    runs = _file_pane(at)
    # Every passage once, numbered in document order, its text in full (not cut), under its place.
    passages = [p for run in runs for p in re.split(r"\n\n(?=:gray\[¶)", run.split("\n\n", 1)[1])]
    assert [int(re.match(r":gray\[¶(\d+)", p).group(1)) for p in passages] == list(range(1, len(review.blocks) + 1))
    for block, passage in zip(review.blocks, passages, strict=True):
        if block.kind == "tabell":  # a table as a table, every cell in it
            assert all(escape_markdown(cell) in passage for row in block.rows for cell in row)
            assert "| --- |" in passage
        else:
            assert escape_markdown(block.text) in passage
    longest = max(review.blocks, key=lambda b: len(b.text))
    assert len(longest.text) > 100 and escape_markdown(longest.text) in "\n".join(runs)
    question_3 = next(r for r in runs if r.startswith(":blue-badge[Fråga 3]"))
    assert [b.text for b in review.blocks if review.places[b.id].question == 3][-1] in question_3.replace("\\", "")
    assert runs[0].startswith(":gray-badge[Inledning]")
    assert any(r.startswith(":gray-badge[Målgrupp, utan fråga]") for r in runs)  # the area's heading
    # The questionnaire names the passages placed under each question.
    placed = split_view.passages_by_place(review.blocks, review.places)
    for question in F2026.questions():
        line = _question_line(at, question.number)
        assert escape_markdown(question.text) in line
        for part in question.parts:
            assert split_view.ranges(placed[("fraga", question.number, part.label)]) in line
        if not question.parts:
            assert split_view.ranges(placed[("fraga", question.number, None)]) in line
    # No table of ids to edit: the only way to move is to choose.
    assert not at.tabs[0].dataframe
    assert at.multiselect(key=f"move_passages_{intake_id}").options[0].startswith("¶1 · Inledning · ")


def test_moving_a_passage_to_another_question_is_stored_and_shown(demo_path, demo_store):
    admin = auth.user_by_email(demo_store, ADMIN)
    intake_id, review, at = _review_page(demo_store, admin)
    numbers = split_view.numbers(review.blocks)
    answer = next(b for b in review.blocks if review.places[b.id].question == 1 and review.places[b.id].text_kind == "svar")
    n = numbers[answer.id]
    _move(at, intake_id, [answer.id], "fraga:5")
    assert not at.exception and not at.error
    assert escape_markdown(f"¶{n} flyttade till Fråga 5.") in [s.value for s in at.success]
    stored = intake_store.review(demo_store, admin, intake_id)
    assert (stored.places[answer.id].question, stored.places[answer.id].area) == (5, "chef_ledarskap")
    assert stored.version == review.version + 1
    assert f"¶{n}" in _question_line(at, 5) and f"¶{n}" not in _question_line(at, 1)
    assert any(r.startswith(":blue-badge[Fråga 5]") and f"¶{n}]" in r.split("\n\n")[1] for r in _file_pane(at))
    # To a part of a question, and back where it stood is no change.
    _move(at, intake_id, [answer.id], "fraga:12:b")
    assert intake_store.review(demo_store, admin, intake_id).places[answer.id].part == "b"
    _move(at, intake_id, [answer.id], "fraga:12:b")
    assert escape_markdown(f"¶{n} står redan under Fråga 12 b.") == at.info[0].value
    assert intake_store.review(demo_store, admin, intake_id).version == review.version + 2


def test_a_move_on_a_split_saved_over_meanwhile_is_refused(demo_path, demo_store):
    admin = auth.user_by_email(demo_store, ADMIN)
    intake_id, review, at = _review_page(demo_store, admin)
    answers = [b for b in review.blocks if review.places[b.id].question == 2 and review.places[b.id].text_kind == "svar"]
    # Someone else moves another passage after this window showed the split.
    intake_store.correct(demo_store, admin, intake_id, review.version, {answers[0].id: {"section": "ovrigt"}})
    _move(at, intake_id, [answers[1].id], "fraga:7")
    assert "har ändrats av någon annan" in at.error[0].value
    stored = intake_store.review(demo_store, admin, intake_id)
    assert stored.places[answers[1].id].question == 2 and stored.version == review.version + 1
    # The page now shows the saved split (the other move included), and the same move goes through.
    assert any(r.startswith(":orange-badge[Hör inte till någon fråga]") for r in _file_pane(at))
    _move(at, intake_id, [answers[1].id], "fraga:7")
    assert not at.error
    assert intake_store.review(demo_store, admin, intake_id).places[answers[1].id].question == 7


def test_only_the_open_tab_is_drawn_and_approving_many_is_still_there(demo_path, demo_store):
    admin = auth.user_by_email(demo_store, ADMIN)
    intake_id, _, at = _review_page(demo_store, admin)
    assert not at.tabs[1].dataframe  # "Godkänn flera" is drawn when it is chosen
    at.session_state["review_tabs"] = "Godkänn flera"
    at.run()
    assert not at.exception
    assert at.tabs[1].dataframe[0].key == f"accept_many_{intake_id}"
    assert any(b.label == "Godkänn 0 markerade" for b in at.button)
    assert not _file_pane(at)  # the one file's review waits until its tab is chosen again

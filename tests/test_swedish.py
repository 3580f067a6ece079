"""Swedish as people read it: plurals, decimal commas, Stockholm time, sheets made for
people, and Streamlit's own words given in Swedish (AppTest)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from helpers import ADMIN, login

from app_pages import swedish
from scoring.core.text import count, decimal, finish_sheet, local_time_text


def test_counts_take_the_singular_for_one():
    assert count(1, "bedömningsgrund", "bedömningsgrunder") == "1 bedömningsgrund"
    assert count(3, "bedömningsgrund", "bedömningsgrunder") == "3 bedömningsgrunder"
    assert count(1, "fråga saknar", "frågor saknar") + " utfall" == "1 fråga saknar utfall"
    assert count(0, "fråga", "frågor") == "0 frågor"


def test_numbers_have_a_decimal_comma_and_a_real_minus():
    assert decimal(76.2) == "76,2" and decimal(60) == "60,0" and decimal(0.671, 2) == "0,67"
    assert decimal(-1.5) == "−1,5" and decimal(None) == "–"


def test_stored_times_read_in_stockholm_time():
    assert local_time_text(dt.datetime(2026, 11, 23, 22, 30)) == "2026-11-23 23:30"  # winter: UTC+1
    assert local_time_text(dt.datetime(2026, 6, 30, 22, 30)) == "2026-07-01 00:30"  # summer: UTC+2
    assert local_time_text(None) == ""


def test_a_finished_sheet_has_a_bold_frozen_header_with_filters_and_widths():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Bidrag", "Poäng"])
    sheet.append(["Förskolan Solrosen med ett mycket långt namn som fortsätter", 55])
    finish_sheet(sheet)
    saved = io.BytesIO()
    book.save(saved)
    sheet = openpyxl.load_workbook(io.BytesIO(saved.getvalue())).active
    assert sheet["A1"].font.b and sheet["B1"].font.b and not sheet["A2"].font.b
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:B2"
    assert sheet.column_dimensions["A"].width == 60 and sheet.column_dimensions["B"].width == 8


def test_the_uploaders_line_states_the_intakes_limit(monkeypatch):
    assert swedish.upload_help("Word (.docx)") == "Högst 20 MB per fil · Word (.docx)"
    monkeypatch.setenv("WORKBENCH_MAX_UPLOAD_MB", "15")
    assert swedish.upload_help() == "Högst 15 MB per fil"


def test_streamlits_widgets_get_swedish_defaults(demo_path):
    at = login(ADMIN)
    at.switch_page("app_pages/audit.py").run()
    assert not at.exception
    assert all(box.proto.placeholder == "Välj" for box in at.selectbox)
    assert at.dataframe[0].proto.placeholder == ""  # an empty cell stays empty, not "None"
    at.switch_page("app_pages/shortlist.py").run()
    boxes = at.multiselect
    assert boxes and all(b.proto.placeholder and not b.proto.placeholder.startswith("Choose") for b in boxes)
    assert all(b.proto.select_all == 0 for b in boxes)  # no English "Select all" row
    at.switch_page("app_pages/intake.py").run()
    assert "Högst 20 MB per fil · Word (.docx)" in [c.value for c in at.caption]


def test_start_counts_examiners_as_the_registry_does(demo_store):
    from scoring.core import auth
    from scoring.teams import examiners

    admin = auth.user_by_email(demo_store, ADMIN)
    with demo_store.write("test") as uow:  # an examiner who left: in a team still, no longer in the registry
        uow.execute("UPDATE users SET active = FALSE WHERE email = 'erik.lind@demo.stockholm.se'")
    registry = len(examiners.registry(demo_store, admin))
    in_teams = demo_store.fetchone(
        "SELECT count(DISTINCT m.user_id) FROM team_members m JOIN users u ON u.id = m.user_id WHERE u.active")[0]
    at = login(ADMIN)
    figure = next(m for m in at.metric if m.label == "Examinatorer i lag")
    assert figure.value == f"{in_teams} av {registry}" and registry == 17

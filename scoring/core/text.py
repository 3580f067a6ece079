"""Small text helpers shared by pages and reports."""

from __future__ import annotations

import datetime as dt
import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")
_MONTHS = [
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
]


def escape_markdown(text: str) -> str:
    """Text that Streamlit's markdown shows literally (no formatting, links or HTML)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def count(number: int, singular: str, plural: str) -> str:
    """'1 bedömningsgrund', '3 bedömningsgrunder': a number with its noun in the right form."""
    return f"{number} {singular if number == 1 else plural}"


def swedish_date(day: dt.date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def days_left(day: dt.date, today: dt.date) -> str:
    delta = (day - today).days
    if delta == 0:
        return "i dag"
    if delta == 1:
        return "i morgon"
    if delta > 0:
        return f"om {delta} dagar"
    return "passerat"


def append_literal(sheet, row: list) -> None:
    """Append a row to an openpyxl sheet with every text kept as text."""
    sheet.append(row)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            # A text starting with "=" would otherwise become a formula in Excel.
            cell.data_type = "s"


def finish_sheet(sheet, widths: tuple[int, ...] | None = None, header_row: int = 1) -> None:
    """A sheet made for people: a bold header that stays in view, filters on it, and column
    widths (given, or from the longest value up to 60 characters)."""
    from openpyxl.styles import Font  # only the exports need openpyxl
    from openpyxl.utils import get_column_letter

    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    if sheet.max_column and sheet.max_row >= header_row:
        sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(sheet.max_column)}{sheet.max_row}"
    for index, column in enumerate(sheet.iter_cols(min_row=header_row), start=1):
        if widths and index <= len(widths):
            width = widths[index - 1]
        else:
            width = min(60, max([8, *(len(str(c.value)) + 2 for c in column if c.value is not None)]))
        sheet.column_dimensions[get_column_letter(index)].width = width


def decimal(value: float | None, digits: int = 1) -> str:
    """A number as Swedes write it: 76,2 (a decimal comma, a minus sign), and – for none."""
    if value is None:
        return "–"
    text = f"{value:.{digits}f}".replace(".", ",")
    return text.replace("-", "−") if text.startswith("-") else text


def local_time_text(moment: dt.datetime | None) -> str:
    """A stored naive-UTC time as the office reads it, in Stockholm time: 2026-05-04 14:20."""
    if moment is None:
        return ""
    from zoneinfo import ZoneInfo  # noqa: PLC0415 - one use

    return f"{moment.replace(tzinfo=dt.UTC).astimezone(ZoneInfo('Europe/Stockholm')):%Y-%m-%d %H:%M}"

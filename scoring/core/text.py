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

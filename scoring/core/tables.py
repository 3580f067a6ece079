"""Reading a table a person sends in: CSV (UTF-8 or Windows-1252) or Excel, heading row
first. Imports (examiners, registrations of interest) read their files through here."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl

from scoring.core.errors import Refused

MAX_IMPORT_BYTES = 5_000_000
MAX_IMPORT_ROWS = 5_000


class TableError(Refused):
    """The whole file cannot be read; the message is Swedish and names the file."""


def _decode(data: bytes, filename: str) -> tuple[str, str | None]:
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        # Excel on Swedish Windows saves CSV as Windows-1252.
        return data.decode("cp1252", errors="replace"), f"{filename} var inte sparad som UTF-8 och lästes som Windows-1252."


def read_table(filename: str, data: bytes) -> tuple[list[list[str]], str | None]:
    """Rows of cell texts from a CSV or an Excel file, the heading row first."""
    if not data:
        raise TableError(f"{filename}: filen är tom.")
    if len(data) > MAX_IMPORT_BYTES:
        raise TableError(f"{filename}: filen är större än {MAX_IMPORT_BYTES // 1_000_000} MB.")
    if data.startswith(b"PK"):
        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError):
            raise TableError(f"{filename}: Excel-filen går inte att läsa.") from None
        sheet = book.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(["" if v is None else str(v).strip() for v in row])
            if len(rows) > MAX_IMPORT_ROWS + 1:
                break
        book.close()
        return rows, None
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise TableError(f"{filename}: gamla Excel-formatet (.xls) stöds inte; spara som .xlsx eller CSV.")
    if data.startswith(b"%PDF"):
        raise TableError(f"{filename}: en PDF går inte att importera; spara tabellen som .xlsx eller CSV.")
    text, note = _decode(data, filename)
    if "\x00" in text:
        raise TableError(f"{filename}: filen är varken CSV eller Excel.")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), dialect)]
    return rows[: MAX_IMPORT_ROWS + 1], note


def columns(filename: str, rows: list[list[str]], headings: dict[str, str], required: dict[str, str],
            example: str) -> dict[str, int]:
    """Which column holds which field, from the heading row; refuses a file without the
    required ones. ``headings`` maps a lower-case heading to a field; ``required`` maps a
    field to its Swedish name; ``example`` shows a good heading row."""
    if not rows:
        raise TableError(f"{filename}: filen innehåller inga rader.")
    found: dict[str, int] = {}
    for index, heading in enumerate(rows[0]):
        field = headings.get(" ".join(heading.split()).lower().rstrip(":"))
        if field and field not in found:
            found[field] = index
    missing = [label for field, label in required.items() if field not in found]
    if missing:
        raise TableError(f"{filename}: kolumn saknas: {', '.join(missing)}. Första raden ska vara rubriker, "
                         f"till exempel {example}.")
    if len(rows) > MAX_IMPORT_ROWS + 1:
        raise TableError(f"{filename}: högst {MAX_IMPORT_ROWS} rader per fil.")
    return found

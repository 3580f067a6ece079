"""The year's results once the jury has decided: a diploma for every participating unit,
the list of participants and results for the city's website, and the prize recipients for
the office's payment.

The instructions say every participant is named on the city's website and gets a diploma
for its engagement, and that recipients of the award or an honourable mention also get a
sum of money; the sum is not in the instructions, so it is the office's setting per year.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable

import openpyxl
from openpyxl.styles import Font

from scoring.core import access
from scoring.core.auth import User
from scoring.core.errors import Refused
from scoring.core.store import Store, set_setting
from scoring.core.text import append_literal, swedish_date
from scoring.reports import documents
from scoring.reports.templates import DIPLOMA
from scoring.year import years
from scoring.year.framework import load_framework
from scoring.year.years import is_locked

RESULT_LABELS = {"utmarkelse": "Utmärkelse", "hedersomnamnande": "Hedersomnämnande", "deltagit": "Deltagit"}
# The order results are listed in, on the website and in the payment list.
RESULT_ORDER = ("utmarkelse", "hedersomnamnande", "deltagit")
PRIZE_RESULTS = ("utmarkelse", "hedersomnamnande")


class ResultsError(Refused):
    """Results that cannot be made yet; the message says why."""


@dataclasses.dataclass(frozen=True)
class Result:
    contribution_id: int
    unit: str
    organisation: str
    class_name: str
    result: str            # utmarkelse / hedersomnamnande / deltagit
    motivation: str        # the jury's published motivation (award and honourable mention)

    @property
    def label(self) -> str:
        return RESULT_LABELS[self.result]


def results(store: Store, user: User, year: int) -> list[Result]:
    """Every participating unit of a decided year with its result, winners first."""
    access.require(store, user, "results.make")
    if not is_locked(store, year):
        raise ResultsError(f"Året {year} är inte avslutat: juryns beslut är inte slutliga ännu.")
    framework = load_framework(year)
    rows = store.fetchall(
        "SELECT c.id, u.name, u.organisation, c.class_code, d.decision, d.motivation FROM contributions c"
        " JOIN units u ON u.id = c.unit_id LEFT JOIN decisions d ON d.contribution_id = c.id"
        " WHERE c.year = ? AND NOT EXISTS (SELECT 1 FROM year_end_exceptions x WHERE x.contribution_id = c.id)"
        " ORDER BY lower(u.name)", [year])
    found = [Result(cid, unit, organisation, framework.class_name(class_code),
                    decision if decision in PRIZE_RESULTS else "deltagit",
                    (motivation or "").strip() if decision in PRIZE_RESULTS else "")
             for cid, unit, organisation, class_code, decision, motivation in rows]
    return sorted(found, key=lambda r: (RESULT_ORDER.index(r.result), r.unit.lower()))


# --- diplomas ----------------------------------------------------------------------------------


def diploma_text(result: str, year: int) -> str:
    return {"utmarkelse": f"tilldelas Stockholms stads kvalitetsutmärkelse {year}",
            "hedersomnamnande": f"tilldelas hedersomnämnande i Stockholms stads kvalitetsutmärkelse {year}",
            "deltagit": f"har deltagit i Stockholms stads kvalitetsutmärkelse {year} och får diplom för sitt "
                        "engagemang inom kvalitetsutveckling"}[result]


def diploma_context(result: Result, year: int, ceremony: str) -> dict:
    return {"enhet": documents.clean(result.unit), "forvaltning": documents.clean(result.organisation), "ar": year,
            "resultat": result.label.lower(), "text": diploma_text(result.result, year),
            "motivering": documents.clean(result.motivation), "datum": ceremony}


def diplomas(store: Store, user: User, year: int, progress: Callable[[int, int, str], None] | None = None,
             ) -> list[tuple[str, bytes]]:
    """One diploma (.docx) per participating unit, from the office's diploma template."""
    found = results(store, user, year)
    template = documents.template(store, DIPLOMA)
    day = years.schedule_date(store, year, "utdelning")
    ceremony = swedish_date(day) if day else str(year)
    files = []
    for n, result in enumerate(found, start=1):
        files.append((f"Diplom {year} {documents.safe_filename(result.unit)}.docx",
                      documents.render(template, diploma_context(result, year, ceremony))))
        if progress:
            progress(n, len(found), result.unit)
    return files


# --- the list for the website and the payments ---------------------------------------------------


def website_text(store: Store, user: User, year: int) -> str:
    """Plain text for the city's website: winners with the jury's motivation, then everyone."""
    found = results(store, user, year)
    lines = [f"Kvalitetsutmärkelsen {year}", ""]
    for result in RESULT_ORDER:
        group = [r for r in found if r.result == result]
        if not group:
            continue
        lines.append({"utmarkelse": "Utmärkelse", "hedersomnamnande": "Hedersomnämnande",
                      "deltagit": "Deltagande verksamheter"}[result])
        for r in group:
            lines.append(f"- {r.unit}, {r.organisation}")
            if r.motivation:
                lines.append(f"  {r.motivation}")
        lines.append("")
    return "\n".join(lines).strip() + "\n"


def prize_amount(store: Store, year: int, result: str) -> int | None:
    value = store.setting(f"prize_{result}_{year}")
    return int(value) if value else None


def set_prize_amounts(store: Store, user: User, year: int, amounts: dict[str, int | None]) -> None:
    """The office's sums (kronor) for the award and the honourable mention this year."""
    access.require(store, user, "results.make")
    for result, amount in amounts.items():
        if result not in PRIZE_RESULTS:
            raise ResultsError(f"Okänt resultat {result!r}.")
        if amount is not None and not 0 <= amount <= 10_000_000:
            raise ResultsError("Ange summan i kronor, mellan 0 och 10 000 000.")
    with store.write(user.email) as uow:
        for result, amount in amounts.items():
            set_setting(uow, f"prize_{result}_{year}", "" if amount is None else str(amount))


def prize_recipients(store: Store, user: User, year: int) -> list[dict]:
    """Award and honourable mention recipients with the sum each gets, for the office's payment."""
    return [{"unit": r.unit, "organisation": r.organisation, "result": r.label,
             "amount": prize_amount(store, year, r.result)}
            for r in results(store, user, year) if r.result in PRIZE_RESULTS]


def results_workbook(store: Store, user: User, year: int) -> bytes:
    """The results for the website and the payment list, one sheet each, text kept as text."""
    found = results(store, user, year)
    book = openpyxl.Workbook()
    with_classes = load_framework(year).has_classes  # a column only for a year with classes
    sheets = [
        ("Resultat", ["Verksamhet", "Förvaltning eller bolag"] + (["Tävlingsklass"] if with_classes else [])
         + ["Resultat", "Juryns motivering"],
         [[r.unit, r.organisation] + ([r.class_name] if with_classes else []) + [r.label, r.motivation]
          for r in found]),
        ("Prispengar", ["Verksamhet", "Förvaltning eller bolag", "Resultat", "Summa (kr)"],
         [[p["unit"], p["organisation"], p["result"], p["amount"] if p["amount"] is not None else "ej angiven"]
          for p in prize_recipients(store, user, year)]),
    ]
    book.remove(book.active)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            append_literal(sheet, row)
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        for column, width in zip("ABCDE", (40, 40, 18, 18, 80), strict=False):
            sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

"""Award years the office writes on the screen, stored in the database with their history.

A new year starts as a copy of an earlier year's framework (a shipped file or another
stored year) and is edited on *Skriv anvisningar*. Every save is validated by the same
model as the shipped files (``Framework``); an invalid one is refused with each error
named by its field and nothing is stored. Each version is kept. Once the year's first
contribution is accepted the framework is frozen: a change after that needs a reason,
which the history and the log keep. The shipped years stay files.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import re

import yaml
from pydantic import ValidationError

from scoring.core import access, versions
from scoring.core.auth import User
from scoring.core.errors import Refused
from scoring.core.store import Store, get_store, utcnow
from scoring.year.framework import (
    FRAMEWORK_DIR,
    FieldError,
    Framework,
    FrameworkError,
    _load_scale_data,
    _read_yaml,
    available_years,
    field_errors,
    is_shipped,
    load_framework,
)

MAX_REASON = 1_000


class FrameworkEditError(Refused):
    """A refused edit of a stored framework; ``errors`` names each field that is wrong."""

    def __init__(self, message: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.errors = list(errors or [])


@dataclasses.dataclass(frozen=True)
class FrameworkChoice:
    """A framework a new award year can be made from or copied from."""

    year: int
    title: str
    origin: str              # "fil" (shipped) or "kvalitetsenheten" (written on the screen)
    areas: int
    questions: int
    has_classes: bool
    award_year_exists: bool  # an award year already uses it

    @property
    def label(self) -> str:
        who = "levererad fil" if self.origin == "fil" else "skriven av Kvalitetsenheten"
        return f"{self.year}: {self.title} ({who}, {self.questions} frågor)"


# --- reading ---------------------------------------------------------------------------


def stored_years(store: Store) -> list[int]:
    return [r[0] for r in store.cached(("stored_framework_years",), lambda: store.fetchall(
        "SELECT year FROM frameworks ORDER BY year"))]


def has_framework(store: Store, year: int) -> bool:
    """Whether the year has instructions: a shipped file or the office's own."""
    return is_shipped(year) or store.fetchone("SELECT 1 FROM frameworks WHERE year = ?", [year]) is not None


def stored_framework(year: int, store: Store | None = None) -> Framework | None:
    """The office's framework for a year, validated; None when there is none.

    Without a store, the process's store (WORKBENCH_DB): ``load_framework`` asks here for
    any year that has no shipped file.
    """
    store = store or get_store()

    def compute() -> Framework | None:
        row = store.fetchone("SELECT data FROM frameworks WHERE year = ?", [year])
        if row is None:
            return None
        try:
            return Framework.model_validate(json.loads(row[0]))
        except ValidationError as exc:  # saved valid; only a changed model can make it invalid
            raise FrameworkError(f"Anvisningarna för {year} i databasen är felaktiga: "
                                 + "; ".join(str(e) for e in field_errors(exc))) from None
    return store.cached(("stored_framework", year), compute)


def available_frameworks(store: Store) -> list[FrameworkChoice]:
    """Every framework there is: the shipped files and the office's stored years, by year.

    What a new award year is created from (issue 15) and what a new framework is copied
    from; a stored year that no longer validates is left out (``check_stored`` names it).
    """
    used = {r[0] for r in store.fetchall("SELECT year FROM award_years")}
    choices = []
    for year in sorted(set(available_years()) | set(stored_years(store))):
        try:
            framework = load_framework(year) if is_shipped(year) else stored_framework(year, store)
        except FrameworkError:
            continue
        choices.append(FrameworkChoice(year, framework.title, "fil" if is_shipped(year) else "kvalitetsenheten",
                                       len(framework.areas), len(framework.questions()), framework.has_classes,
                                       year in used))
    return choices


def check_stored(store: Store) -> list[tuple[int, Framework | FrameworkError]]:
    """Each stored year validated again (``python -m scoring frameworks``)."""
    result = []
    for year in stored_years(store):
        try:
            result.append((year, stored_framework(year, store)))
        except FrameworkError as exc:
            result.append((year, exc))
    return result


def stored_data(store: Store, user: User, year: int) -> tuple[dict, int]:
    """(the framework as data, its version) for editing."""
    access.require(store, user, "frameworks.edit")
    row = store.fetchone("SELECT data, version FROM frameworks WHERE year = ?", [year])
    if row is None:
        raise FrameworkEditError(f"Det finns inga anvisningar för {year} skrivna av Kvalitetsenheten.")
    return json.loads(row[0]), row[1]


def is_frozen(store: Store, year: int) -> bool:
    """Frozen once the year's first contribution is accepted."""
    return store.fetchone("SELECT count(*) FROM contributions WHERE year = ?", [year])[0] > 0


def history(store: Store, user: User, year: int) -> list[dict]:
    access.require(store, user, "frameworks.edit")
    return store.records(
        "SELECT version, changed_by, changed_at, reason, summary FROM framework_versions WHERE year = ?"
        " ORDER BY version DESC", [year])


def version_data(store: Store, user: User, year: int, version: int) -> dict:
    access.require(store, user, "frameworks.edit")
    row = store.fetchone("SELECT data FROM framework_versions WHERE year = ? AND version = ?", [year, version])
    if row is None:
        raise FrameworkEditError(f"Version {version} av anvisningarna för {year} finns inte.")
    return json.loads(row[0])


# --- validation ----------------------------------------------------------------------------


def validate(data: object, year: int) -> Framework:
    """The same model as the shipped files; every error named by its field."""
    if not isinstance(data, dict):
        raise FrameworkEditError("Anvisningarna har fel form: de ska vara en samling fält.")
    try:
        framework = Framework.model_validate(data)
    except FrameworkError as exc:  # a named scale that is missing
        raise FrameworkEditError(str(exc)) from None
    except ValidationError as exc:
        errors = field_errors(exc)
        raise FrameworkEditError(f"Anvisningarna sparades inte: {len(errors)} fel.", errors) from None
    if framework.year != year:
        raise FrameworkEditError(
            f"Anvisningarna anger året {framework.year} men gäller {year}.",
            [FieldError("year", "år", f"ska vara {year}")])
    return framework


def renumbered(data: dict) -> dict:
    """The questions numbered 1, 2, 3 … in the order of the areas, and the parts a, b, c …:
    the questionnaire is numbered in order, so the screen never asks for numbers."""
    data = copy.deepcopy(data)
    number = 0
    for area in data.get("areas") or []:
        for question in area.get("questions") or []:
            number += 1
            question["number"] = number
            for index, part in enumerate(question.get("parts") or []):
                part["label"] = chr(ord("a") + index)
    return data


def slug(text: str, taken: set[str] = frozenset()) -> str:
    """A code from a title (Målgrupp → malgrupp), unique among ``taken``."""
    base = re.sub(r"[^a-z0-9]+", "_", text.lower().translate(str.maketrans("åäöéü", "aaoeu"))).strip("_")[:40]
    base = base or "kod"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    return candidate


def mentions_of_year(data: dict, year: int) -> list[str]:
    """Paths of texts that still name ``year`` (after a copy, for the office to check)."""
    found: list[str] = []

    def walk(value: object, path: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{path}.{index}")
        elif isinstance(value, str) and re.search(rf"\b{year}\b", value):
            found.append(path)

    walk({k: v for k, v in data.items() if k not in ("year", "sources")}, "")
    return found


# --- writing --------------------------------------------------------------------------------


def _source_data(store: Store, year: int) -> dict:
    """A framework as plain data (dates as text, the scale written out), to copy."""
    if is_shipped(year):
        raw = _read_yaml(FRAMEWORK_DIR / f"{year}.yaml")
        if isinstance(raw, dict) and isinstance(raw.get("scale"), str):
            raw["scale"] = _load_scale_data(raw["scale"])
        return Framework.model_validate(raw).model_dump(mode="json")
    framework = stored_framework(year, store)
    if framework is None:
        raise FrameworkEditError(f"Det finns inga anvisningar för {year} att kopiera.")
    return framework.model_dump(mode="json")


def _moved(day: str, years: int) -> str:
    date = dt.date.fromisoformat(day)
    try:
        return date.replace(year=date.year + years).isoformat()
    except ValueError:  # 29 February
        return date.replace(year=date.year + years, day=28).isoformat()


def copy_framework(store: Store, user: User, source_year: int, new_year: int) -> int:
    """A new year's framework as a copy of ``source_year``'s; returns its version (1).

    The title and the deadlines move to the new year; every other text stays as it was,
    and ``mentions_of_year`` lists those that still name the old year.
    """
    access.require(store, user, "frameworks.edit")
    if not 2000 <= new_year <= 2100:
        raise FrameworkEditError("Ange ett år mellan 2000 och 2100.")
    if is_shipped(new_year):
        raise FrameworkEditError(f"{new_year} har redan levererade anvisningar (en fil); de ändras inte här.")
    if store.fetchone("SELECT 1 FROM frameworks WHERE year = ?", [new_year]):
        raise FrameworkEditError(f"Det finns redan anvisningar för {new_year}; öppna dem i stället.")
    data = _source_data(store, source_year)
    data["year"] = new_year
    data["title"] = data["title"].replace(str(source_year), str(new_year))
    for deadline in data.get("deadlines", []):
        deadline["date"] = _moved(deadline["date"], new_year - source_year)
    framework = validate(data, new_year)
    payload = json.dumps(framework.model_dump(mode="json"), ensure_ascii=False)
    now = utcnow()
    with store.write(user.email) as uow:
        uow.execute("INSERT INTO frameworks (year, data, based_on, version, created_by, created_at, updated_by,"
                    " updated_at) VALUES (?, ?, ?, 1, ?, ?, ?, ?)",
                    [new_year, payload, source_year, user.email, now, user.email, now])
        uow.execute("INSERT INTO framework_versions (year, version, data, changed_by, changed_at, reason, summary)"
                    " VALUES (?, 1, ?, ?, ?, NULL, ?)",
                    [new_year, payload, user.name, now, f"Kopia av {source_year}"])
        uow.audit("nya anvisningar", "frameworks", new_year, None,
                  {"version": 1, "part": versions.WHOLE, "based_on": source_year})
    return 1


def _changed_fields(before: dict, after: dict) -> list[str]:
    """The top-level fields a save changed, and per area which (for the history)."""
    changed = []
    for key in after:
        if key == "areas":
            old = {a.get("code"): a for a in before.get("areas", [])}
            for area in after["areas"]:
                if old.get(area.get("code")) != area:
                    changed.append(f"areas.{area.get('code')}")
            if [a.get("code") for a in before.get("areas", [])] != [a.get("code") for a in after["areas"]]:
                changed.append("areas")
        elif before.get(key) != after.get(key):
            changed.append(key)
    return changed


def save_framework(store: Store, user: User, year: int, data: dict, expected_version: int,
                   reason: str = "") -> int:
    """Validate and store a new version; returns it. Nothing is stored when it is refused:
    invalid data (each error named by field), a stale version, or a frozen year without a reason."""
    access.require(store, user, "frameworks.edit")
    framework = validate(data, year)
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise FrameworkEditError(f"Skälet har {len(reason)} tecken; högst {MAX_REASON} går att spara.")
    canonical = framework.model_dump(mode="json")
    payload = json.dumps(canonical, ensure_ascii=False)
    with store.write(user.email) as uow:
        row = uow.fetchone("SELECT data, version FROM frameworks WHERE year = ?", [year])
        if row is None:
            raise FrameworkEditError(f"Det finns inga anvisningar för {year} skrivna av Kvalitetsenheten; "
                                     "kopiera ett år först.")
        before, current = json.loads(row[0]), row[1]
        versions.require_fresh(uow, entity="frameworks", entity_id=year, current=current,
                               expected=expected_version, parts=[versions.WHOLE],
                               message=f"Anvisningarna för {year} har sparats av någon annan sedan du öppnade dem "
                                       "(version {current}). Ladda om och gör ändringen igen.")
        changed = _changed_fields(before, canonical)
        if not changed:
            return current
        frozen = uow.fetchone("SELECT count(*) FROM contributions WHERE year = ?", [year])[0] > 0
        if frozen and not reason:
            raise FrameworkEditError(
                f"Anvisningarna för {year} är låsta: årets första bidrag är godkänt. Ange ett skäl till "
                "ändringen; det sparas i historiken och loggen.")
        now = utcnow()
        uow.execute("UPDATE frameworks SET data = ?, version = ?, updated_by = ?, updated_at = ? WHERE year = ?",
                    [payload, current + 1, user.email, now, year])
        uow.execute("INSERT INTO framework_versions (year, version, data, changed_by, changed_at, reason, summary)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [year, current + 1, payload, user.name, now, reason or None, ", ".join(changed)])
        uow.audit("ändra anvisningar", "frameworks", year, *versions.entry(
            {"changed": changed, "reason": reason or None, "frozen": frozen}, current, current + 1))
    return current + 1


# --- YAML, to download and upload ----------------------------------------------------------------


def as_yaml(store: Store, user: User, year: int) -> str:
    data, version = stored_data(store, user, year)
    header = (f"# Kvalitetsutmärkelsen {year}: anvisningarna som Kvalitetsenheten skrivit (version {version}).\n"
              "# Ändra och ladda upp igen på sidan Skriv anvisningar; filen kontrolleras fält för fält.\n")
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def from_yaml(text: str | bytes) -> dict:
    """Parse an uploaded file; a refusal names the line."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise FrameworkEditError("Filen är inte sparad som UTF-8.") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (rad {mark.line + 1})" if mark else ""
        raise FrameworkEditError(f"Filen är inte giltig YAML{where}.") from None
    if not isinstance(data, dict):
        raise FrameworkEditError("Filen är tom eller har fel form: den ska vara en samling fält.")
    if isinstance(data.get("scale"), str):
        try:
            data["scale"] = _load_scale_data(data["scale"])
        except FrameworkError as exc:
            raise FrameworkEditError(str(exc)) from None
    return data


def upload_yaml(store: Store, user: User, year: int, text: str | bytes, expected_version: int,
                reason: str = "") -> int:
    return save_framework(store, user, year, from_yaml(text), expected_version, reason)

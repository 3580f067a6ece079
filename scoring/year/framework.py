"""Award-year frameworks: one YAML file per shipped year, validated with pydantic.

A year the office writes on the screen is stored in the database
(``scoring.year.framework_store``) and validated by the same model; ``load_framework``
finds either. Nothing here names a year.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
FRAMEWORK_DIR = DATA_DIR / "frameworks"
SCALE_DIR = DATA_DIR / "scales"


class FrameworkError(ValueError):
    """A framework or scale file is missing or invalid; the message is Swedish."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# A code is stored in the database (an area's, a criterion's): lower-case letters, digits, _.
Code = Annotated[str, Field(pattern=r"^[a-z0-9_]+$", min_length=1, max_length=60)]
Text = Annotated[str, Field(min_length=1)]


class Band(_Strict):
    code: str
    min: int
    max: int
    label: str
    arbetssatt: str
    resultat: str


class Scale(_Strict):
    code: str
    name: str
    min: int
    max: int
    step: int = Field(gt=0)
    bands: tuple[Band, ...] = Field(min_length=1)
    # The city's documents give no scale: the shipped one is the workbench's proposal until
    # the office confirms or replaces it (``confirmed``), and ``note`` says so on the screens.
    note: str = ""
    confirmed: bool = False

    @model_validator(mode="after")
    def _bands_cover_scale(self) -> Scale:
        expected = self.min
        for band in self.bands:
            if band.min != expected or band.max < band.min:
                raise ValueError(
                    f"banden måste täcka skalan utan glapp: bandet {band.code} "
                    f"borde börja på {expected}"
                )
            expected = band.max + self.step
        if expected - self.step != self.max:
            raise ValueError(f"sista bandet måste sluta på {self.max}")
        return self

    def values(self) -> list[int]:
        return list(range(self.min, self.max + 1, self.step))

    def band_for(self, score: float) -> Band:
        for band in self.bands:
            if score <= band.max + self.step / 2:
                return band
        return self.bands[-1]

    def snap(self, value: float) -> int:
        """Round to the nearest allowed value on the scale."""
        # Half rounds up (Python's round() would round 47.5 down to 45).
        snapped = math.floor(value / self.step + 0.5) * self.step
        return int(min(self.max, max(self.min, snapped)))


class QuestionPart(_Strict):
    label: Annotated[str, Field(pattern=r"^[a-z]$")]
    text: Text


class Question(_Strict):
    number: int = Field(gt=0)
    text: str
    parts: tuple[QuestionPart, ...] = ()

    @model_validator(mode="after")
    def _has_text(self) -> Question:
        if not self.text.strip() and not self.parts:
            raise ValueError("en fråga utan delfrågor behöver en text")
        labels = [p.label for p in self.parts]
        if labels != [chr(ord("a") + i) for i in range(len(labels))]:
            raise ValueError(f"delfrågorna ska heta a, b, c … i ordning; fick {labels}")
        return self

    @property
    def full_text(self) -> str:
        pieces = [self.text] + [f"{p.label}. {p.text}" for p in self.parts]
        return " ".join(p for p in pieces if p)


class Criterion(_Strict):
    code: Code
    title: Text
    kind: Literal["arbetssatt", "resultat"]
    description: Text
    weight: float = Field(default=1.0, gt=0)
    sources: tuple[Text, ...] = Field(min_length=1)


class Area(_Strict):
    code: Code
    title: Text
    ingress: str = ""
    lead: str = ""
    note: str = ""
    # The area's weight in a contribution's total; the documents give none, so 1 each by default.
    weight: float = Field(default=1.0, gt=0)
    questions: tuple[Question, ...] = Field(min_length=1)
    criteria: tuple[Criterion, ...] = Field(min_length=1)


class Field_(_Strict):
    key: Code
    label: Text


class IntroSection(_Strict):
    code: Code
    title: Text
    note: str = ""
    text: str = ""
    fields: tuple[Field_, ...] = ()
    items: tuple[str, ...] = ()


class Introduction(_Strict):
    title: Text
    sections: tuple[IntroSection, ...]


class CharacterLimit(_Strict):
    max_chars: int = Field(gt=0)
    count_spaces: bool
    # Parts outside the count besides spaces; an appendix says itself whether it counts.
    excluded_parts: tuple[Literal["inledning"], ...] = ()
    rule_text: Text


class PresentationText(_Strict):
    max_chars: int = Field(gt=0)
    count_spaces: bool
    rule_text: Text


class Picture(_Strict):
    """The picture sent beside the contribution (2024)."""

    width: int = Field(gt=0)
    height: int = Field(gt=0)
    orientation: Literal["liggande", "stående"]
    text_allowed: bool
    consent_required: bool
    rule_text: Text
    if_not_met: str = ""  # what happens when the picture breaks the rule, in the year's words


class ImagesInText(_Strict):
    """Pictures inside the contribution: allowed as illustration; text in them sends it back."""

    text_in_images_allowed: bool
    change_request_working_days: tuple[int, int]  # the request must be acted on within (min, max)
    rule_text: Text

    @model_validator(mode="after")
    def _days_in_order(self) -> ImagesInText:
        low, high = self.change_request_working_days
        if not 0 < low <= high:
            raise ValueError("arbetsdagarna ska vara två heltal större än 0, det lägsta först")
        return self


class Deadline(_Strict):
    code: Code
    date: dt.date
    label: Text


class Eligibility(_Strict):
    min_employees: int | None
    employees_include_manager: bool
    manager_with_full_responsibility: bool
    business_plan_with_goals: bool
    min_city_share_percent: int
    budget_rule: Literal["deficit_blocks_award", "balanced_forecast_required"]
    winner_earliest_return_years: int = Field(ge=1)
    # None where the year's instructions say nothing: then the office decides (no default).
    honourable_mention_earliest_return_years: int | None = Field(ge=1)
    protocol_extract_required: bool
    basic_control_required: bool
    # An honourable mention also carries prize money: it needs the same control as an award
    # unless the year says otherwise.
    honourable_mention_same_control_as_award: bool = True
    rule_texts: tuple[Text, ...]


class CompetitionClass(_Strict):
    code: Code
    name: Text
    description: str = ""


class Appendix(_Strict):
    """An appendix the year allows, how it is recognised and whether it counts."""

    code: Code
    title: Text
    required: bool
    counted: bool                                   # its characters count towards the limit
    heading_words: tuple[Text, ...] = Field(min_length=1)  # a heading naming the appendix holds one
    separate_file: bool = True                      # it may come as a file of its own


class Concept(_Strict):
    term: Text
    text: Text


class ChecklistColumn(_Strict):
    title: Text
    guidance: Text


class Checklist(_Strict):
    """The goal-chain checklist (2024, Bilaga 2): a support, not something to send in."""

    title: Text
    intro: str = ""
    columns: tuple[ChecklistColumn, ...] = Field(min_length=1)


class Framework(_Strict):
    year: int = Field(ge=2000, le=2100)
    title: Text
    sources: dict[str, str]
    # "docx" always; "pdf" beside it where the year asks for a PDF copy too (2024).
    submission_formats: tuple[Literal["docx", "pdf"], ...] = Field(min_length=1)
    submission_rule_text: str = ""
    character_limit: CharacterLimit
    ingress_must_be_removed: bool
    presentation_text: PresentationText | None = None
    picture: Picture | None = None
    images_in_text: ImagesInText | None = None
    deadlines: tuple[Deadline, ...]
    eligibility: Eligibility
    site_visit_documents: tuple[str, ...]
    # Competition classes exist only where the year's instructions name them (2012).
    classes: tuple[CompetitionClass, ...] = ()
    introduction: Introduction
    appendices: tuple[Appendix, ...] = ()
    other_appendices_allowed: bool
    concepts_title: str = ""
    concepts: tuple[Concept, ...] = ()
    goal_chain_checklist: Checklist | None = None
    scale: Scale
    area_score_rule: Literal["weighted_mean"]
    areas: tuple[Area, ...] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _resolve_named_scale(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("scale"), str):
            data = dict(data)
            data["scale"] = _load_scale_data(data["scale"])
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Framework:
        numbers = [q.number for q in self.questions()]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(
                f"frågorna måste vara numrerade 1, 2, 3 … i ordning; fick {numbers}"
            )
        if "docx" not in self.submission_formats:
            raise ValueError("bidraget tas in som Word-fil: submission_formats måste innehålla docx")
        for codes, what in (
            ([a.code for a in self.areas], "frågeområdenas koder"),
            ([c.code for c in self.classes], "tävlingsklassernas koder"),
            ([d.code for d in self.deadlines], "datumens koder"),
            ([a.code for a in self.appendices], "bilagornas koder"),
            ([f.key for s in self.introduction.sections for f in s.fields], "inledningens fält"),
        ):
            if len(codes) != len(set(codes)):
                raise ValueError(f"{what} måste vara unika")
        for area in self.areas:
            crit = [c.code for c in area.criteria]
            if len(crit) != len(set(crit)):
                raise ValueError(f"bedömningsgrunderna i {area.code} måste ha unika koder")
            for criterion in area.criteria:
                for source in criterion.sources:
                    if source.split(":")[0] not in self.sources:
                        raise ValueError(
                            f"bedömningsgrunden {area.code}.{criterion.code} hänvisar "
                            f"till okänd källa {source!r}"
                        )
        return self

    # --- lookups -------------------------------------------------------------

    def questions(self) -> list[Question]:
        return [q for area in self.areas for q in area.questions]

    def question(self, number: int) -> Question:
        for q in self.questions():
            if q.number == number:
                return q
        raise KeyError(number)

    def area(self, code: str) -> Area:
        for area in self.areas:
            if area.code == code:
                return area
        raise KeyError(code)

    def area_of_question(self, number: int) -> Area:
        for area in self.areas:
            if any(q.number == number for q in area.questions):
                return area
        raise KeyError(number)

    @property
    def has_classes(self) -> bool:
        return bool(self.classes)

    def class_name(self, code: str | None) -> str:
        """The class's name; empty where the year has no classes (or the code is not one)."""
        for c in self.classes:
            if c.code == code:
                return c.name
        return ""

    def deadline(self, code: str) -> dt.date | None:
        return next((d.date for d in self.deadlines if d.code == code), None)

    def appendix(self, code: str) -> Appendix | None:
        return next((a for a in self.appendices if a.code == code), None)

    def total_for(self, profile: dict[str, int | None]) -> float | None:
        """A contribution's total: the area scores' mean, weighted by the areas' weights."""
        weighted = [(profile[a.code], a.weight) for a in self.areas if profile.get(a.code) is not None]
        if not weighted:
            return None
        return round(sum(s * w for s, w in weighted) / sum(w for _, w in weighted), 1)

    def area_score_for(self, area_code: str, criterion_scores: dict[str, float]) -> int | None:
        """The area's score from its criteria scores: the weighted mean, on the scale.

        Unscored criteria are left out; None when none is scored.
        """
        area = self.area(area_code)
        weighted = [
            (criterion_scores[c.code], c.weight)
            for c in area.criteria
            if criterion_scores.get(c.code) is not None
        ]
        if not weighted:
            return None
        total = sum(w for _, w in weighted)
        return self.scale.snap(sum(s * w for s, w in weighted) / total)


# --- errors in the office's words ------------------------------------------------------

# Swedish names of the fields, for messages that say where an error is.
FIELD_NAMES = {
    "year": "år", "title": "titel", "sources": "källor", "submission_formats": "format",
    "submission_rule_text": "regeln om format", "character_limit": "teckengräns", "max_chars": "högsta antal tecken",
    "count_spaces": "räkna blanksteg", "excluded_parts": "undantaget från räkningen", "rule_text": "regeltext",
    "ingress_must_be_removed": "ingressen ska tas bort", "presentation_text": "presentationstext",
    "picture": "bild", "images_in_text": "bilder i texten", "deadlines": "datum", "date": "datum", "label": "text",
    "eligibility": "behörighet", "site_visit_documents": "dokument till platsbesöket", "classes": "tävlingsklass",
    "introduction": "inledning", "sections": "avsnitt", "fields": "fält", "appendices": "bilaga",
    "other_appendices_allowed": "andra bilagor tillåtna", "concepts": "begrepp", "goal_chain_checklist": "checklista",
    "scale": "skala", "bands": "band", "areas": "frågeområde", "questions": "fråga", "parts": "delfråga",
    "criteria": "bedömningsgrund", "text": "text", "number": "nummer", "code": "kod", "name": "namn",
    "description": "beskrivning", "weight": "vikt", "kind": "slag", "ingress": "ingress", "lead": "inledande text",
    "note": "anmärkning", "heading_words": "rubrikord", "change_request_working_days": "arbetsdagar",
    "min_employees": "minsta antal medarbetare", "winner_earliest_return_years": "år innan en vinnare får delta igen",
    "honourable_mention_earliest_return_years": "år innan ett hedersomnämnande får delta igen",
    "min_city_share_percent": "andel från staden", "rule_texts": "regeltexter", "width": "bredd",
    "height": "höjd", "term": "begrepp", "columns": "kolumn", "guidance": "stödtext", "items": "punkt",
    "concepts_title": "rubrik för begreppen", "if_not_met": "om bilden inte följer reglerna",
}
_MESSAGES = {
    "missing": "saknas", "string_type": "ska vara text", "int_parsing": "ska vara ett heltal",
    "int_type": "ska vara ett heltal", "int_from_float": "ska vara ett heltal", "float_parsing": "ska vara ett tal",
    "float_type": "ska vara ett tal", "bool_parsing": "ska vara ja eller nej", "bool_type": "ska vara ja eller nej",
    "date_parsing": "ska vara ett datum (ÅÅÅÅ-MM-DD)", "date_from_datetime_parsing": "ska vara ett datum (ÅÅÅÅ-MM-DD)",
    "date_type": "ska vara ett datum (ÅÅÅÅ-MM-DD)", "extra_forbidden": "är inte ett känt fält",
    "tuple_type": "ska vara en lista", "list_type": "ska vara en lista", "dict_type": "har fel form",
    "model_type": "har fel form", "string_pattern_mismatch": "får bara innehålla små bokstäver a–z, siffror och _",
}


@dataclasses.dataclass(frozen=True)
class FieldError:
    """One validation error: where (the path and its Swedish name) and what is wrong."""

    path: str        # areas.0.questions.1.text
    where: str       # frågeområde 1 › fråga 2 › text
    message: str

    def __str__(self) -> str:
        return f"{self.where} ({self.path}): {self.message}" if self.path else f"{self.where}: {self.message}"


def _swedish_message(item: dict) -> str:
    kind, ctx = item["type"], item.get("ctx") or {}
    if kind == "value_error":
        return str(item["msg"]).removeprefix("Value error, ")
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        word = {"greater_than": "större än", "greater_than_equal": "minst", "less_than": "mindre än",
                "less_than_equal": "högst"}[kind]
        bound = next(iter(ctx.values()), "")
        return f"ska vara {word} {bound}"
    if kind == "too_short":
        return "får inte vara tomt" if ctx.get("min_length", 1) <= 1 else f"behöver minst {ctx['min_length']}"
    if kind == "string_too_short":
        return "får inte vara tomt"
    if kind == "literal_error":
        return f"ska vara något av: {ctx.get('expected', '')}"
    return _MESSAGES.get(kind, str(item["msg"]))


def where(loc: list[str | int] | str) -> str:
    """A field's place in Swedish: areas.0.questions.1.text → frågeområde 1 › fråga 2 › text."""
    parts = [int(p) if isinstance(p, str) and p.isdigit() else p
             for p in (loc.split(".") if isinstance(loc, str) else loc)]
    names: list[str] = []
    for part in parts:
        if isinstance(part, int):
            if names:
                names[-1] = f"{names[-1]} {part + 1}"
        elif part:
            names.append(FIELD_NAMES.get(part, part))
    return " › ".join(names) or "anvisningarna"


def field_errors(error: ValidationError) -> list[FieldError]:
    """Every error of a validation, each named by its field in Swedish and by its path."""
    result = []
    for item in error.errors():
        loc = [p for p in item["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        result.append(FieldError(".".join(str(p) for p in loc), where(loc), _swedish_message(item)))
    return result


def _describe(error: ValidationError) -> str:
    return "; ".join(f"fältet {e.path}: {e.message}" if e.path else e.message for e in field_errors(error))
def _read_yaml(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FrameworkError(f"Filen {path.name} finns inte.") from None
    except UnicodeDecodeError:
        raise FrameworkError(f"Filen {path.name} är inte sparad som UTF-8.") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (rad {mark.line + 1})" if mark else ""
        raise FrameworkError(f"Filen {path.name} är inte giltig YAML{where}.") from None


def _load_scale_data(name: str) -> dict:
    path = SCALE_DIR / f"{name}.yaml"
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise FrameworkError(f"Skalfilen {path.name} är tom eller har fel form.")
    return data


def load_framework_file(path: Path) -> Framework:
    """Load and validate one framework file; errors name the file and the field."""
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise FrameworkError(f"Filen {path.name} är tom eller har fel form.")
    try:
        return Framework.model_validate(data)
    except FrameworkError as exc:
        raise FrameworkError(f"{path.name}: {exc}") from None
    except ValidationError as exc:
        raise FrameworkError(f"Filen {path.name} är felaktig: {_describe(exc)}") from None


def available_years(directory: Path = FRAMEWORK_DIR) -> list[int]:
    """The years shipped as files (the office's own years: ``framework_store.available_frameworks``)."""
    return sorted(int(p.stem) for p in directory.glob("*.yaml") if p.stem.isdigit())


@lru_cache(maxsize=64)
def is_shipped(year: int, directory: Path = FRAMEWORK_DIR) -> bool:
    """Whether the year comes as a file; asked on every framework lookup, so kept."""
    return (directory / f"{year}.yaml").is_file()


@lru_cache(maxsize=32)
def _load_shipped(year: int, directory: Path) -> Framework:
    framework = load_framework_file(directory / f"{year}.yaml")
    if framework.year != year:
        raise FrameworkError(
            f"Filen {year}.yaml anger året {framework.year}; filnamn och år måste stämma."
        )
    return framework


def load_framework(year: int, directory: Path = FRAMEWORK_DIR) -> Framework:
    """The year's framework: its shipped file, else the one the office wrote on the screen."""
    if directory != FRAMEWORK_DIR or is_shipped(year, directory):
        return _load_shipped(year, directory)
    # Imported here: the stored years live in the database, which this module otherwise never needs.
    from scoring.year import framework_store

    stored = framework_store.stored_framework(year)
    if stored is None:
        raise FrameworkError(f"Filen {year}.yaml finns inte, och Kvalitetsenheten har inte skrivit "
                             f"anvisningar för {year}.")
    return stored


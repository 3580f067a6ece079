"""Award-year frameworks: one YAML file per year, validated with pydantic.

A new award year is a new file in ``data/frameworks/``; nothing here names a year.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
FRAMEWORK_DIR = DATA_DIR / "frameworks"
SCALE_DIR = DATA_DIR / "scales"


class FrameworkError(ValueError):
    """A framework or scale file is missing or invalid; the message is Swedish."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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
    bands: tuple[Band, ...]

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
    label: str
    text: str


class Question(_Strict):
    number: int = Field(gt=0)
    text: str
    parts: tuple[QuestionPart, ...] = ()

    @property
    def full_text(self) -> str:
        pieces = [self.text] + [f"{p.label}. {p.text}" for p in self.parts]
        return " ".join(p for p in pieces if p)


class Criterion(_Strict):
    code: str
    title: str
    kind: Literal["arbetssatt", "resultat"]
    description: str
    weight: float = Field(default=1.0, gt=0)
    sources: tuple[str, ...] = Field(min_length=1)


class Area(_Strict):
    code: str
    title: str
    ingress: str = ""
    lead: str = ""
    note: str = ""
    questions: tuple[Question, ...] = Field(min_length=1)
    criteria: tuple[Criterion, ...] = Field(min_length=1)


class Field_(_Strict):
    key: str
    label: str


class IntroSection(_Strict):
    code: str
    title: str
    note: str = ""
    text: str = ""
    fields: tuple[Field_, ...] = ()
    items: tuple[str, ...] = ()


class Introduction(_Strict):
    title: str
    sections: tuple[IntroSection, ...]


class CharacterLimit(_Strict):
    max_chars: int = Field(gt=0)
    count_spaces: bool
    excluded_parts: tuple[Literal["inledning", "bilaga"], ...] = ()
    rule_text: str


class PresentationText(_Strict):
    max_chars: int = Field(gt=0)
    count_spaces: bool
    rule_text: str


class Picture(_Strict):
    width: int
    height: int
    orientation: str
    text_allowed: bool
    consent_required: bool
    rule_text: str


class Deadline(_Strict):
    code: str
    date: dt.date
    label: str


class Eligibility(_Strict):
    min_employees: int | None
    employees_include_manager: bool
    manager_with_full_responsibility: bool
    business_plan_with_goals: bool
    min_city_share_percent: int
    budget_rule: Literal["deficit_blocks_award", "balanced_forecast_required"]
    winner_earliest_return_years: int
    honourable_mention_earliest_return_years: int
    protocol_extract_required: bool
    basic_control_required: bool
    rule_texts: tuple[str, ...]


class CompetitionClass(_Strict):
    code: str
    name: str
    description: str = ""


class Appendix(_Strict):
    code: str
    title: str
    required: bool
    counted: bool


class Framework(_Strict):
    year: int = Field(ge=2000, le=2100)
    title: str
    sources: dict[str, str]
    submission_formats: tuple[Literal["docx", "pdf"], ...]
    character_limit: CharacterLimit
    ingress_must_be_removed: bool
    presentation_text: PresentationText | None = None
    picture: Picture | None = None
    deadlines: tuple[Deadline, ...]
    eligibility: Eligibility
    site_visit_documents: tuple[str, ...]
    classes: tuple[CompetitionClass, ...] = Field(min_length=1)
    introduction: Introduction
    appendices: tuple[Appendix, ...] = ()
    other_appendices_allowed: bool
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
        for codes, what in (
            ([a.code for a in self.areas], "frågeområdenas koder"),
            ([c.code for c in self.classes], "tävlingsklassernas koder"),
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

    def class_name(self, code: str) -> str:
        for c in self.classes:
            if c.code == code:
                return c.name
        return code

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


def _describe(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "(filen)"
        lines.append(f"fältet {where}: {item['msg']}")
    return "; ".join(lines)


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
    return sorted(int(p.stem) for p in directory.glob("*.yaml") if p.stem.isdigit())


@lru_cache(maxsize=32)
def load_framework(year: int, directory: Path = FRAMEWORK_DIR) -> Framework:
    framework = load_framework_file(directory / f"{year}.yaml")
    if framework.year != year:
        raise FrameworkError(
            f"Filen {year}.yaml anger året {framework.year}; filnamn och år måste stämma."
        )
    return framework

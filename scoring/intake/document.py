"""Intake: a contribution's Word file → its structure for an award year, and the checks.

``split`` decides for every block where it belongs (Inledning, a question and part, the
appendix, or nowhere) and how sure each question match is; ``evaluate`` counts
characters by the year's rule and writes the findings. They are separate so the admin's
corrections are counted and checked the same way as the automatic split.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re

from rapidfuzz import fuzz, process

from scoring.core.text import count
from scoring.intake.docx_reader import KIND_NAMES, Block, Facts, Picture, check_container, read_document
from scoring.intake.pictures import read_text
from scoring.year.framework import Framework, Question

SECTIONS = ("inledning", "fraga", "bilaga", "presentation", "ovrigt")
_NUMBER = r"\d{1,2}(?:\.\d{1,2})?(?!\d)"  # "7", or "2.3" for area 2, its question 3
_JOIN = r"(?:,|och|&|\+|–|-|—|samt|till)"
_QUESTION = re.compile(
    rf"^\s*(?P<fraga>fråg(?:a|orna|or)\s*(?:nr\.?|nummer)?\s*)?"
    rf"(?P<numbers>{_NUMBER}(?:\s*[.)]?\s*{_JOIN}\s*(?:fråg(?:a|an|orna)\s*)?{_NUMBER})*)"
    r"\s*(?P<part>[a-cA-C](?![a-zåäöA-ZÅÄÖ0-9]))?\s*(?P<punct>[.):])?\s*",
    re.IGNORECASE,
)
_NUMBER_OR_RANGE = re.compile(rf"({_NUMBER})|(–|—|-|till)")
_PART = re.compile(r"^\s*(?:\d{1,2}(?:\.\d{1,2})?\s*)?(?P<part>[a-cA-C])\s*[.):]\s*")
_QUESTION_VERBS = ("beskriv", "redovisa", "redogör", "analysera", "utifrån", "välj", "ge exempel", "hur ", "vilka")
_BROKEN_WORD = re.compile(r"(\w)-\n(\w)")
_FORM_HEADERS = {"fråga", "frågor", "svar", "ert svar", "svar:", "fråga:", "frågeområde", "nr"}
SHORT = 400  # longer paragraphs are answers, never headings
OTHER_APPENDIX = "ovrig"  # an appendix the year does not list
# Characters of running text that make a picture's text a passage; the office may change it.
PICTURE_PASSAGE_CHARS = 100


@functools.lru_cache(maxsize=8192)  # each block's text is compared by several recognisers
def _norm(text: str) -> str:
    if "-\n" in text:  # a word broken at a line end when copied from the PDF ("be-\nskriv") is one again
        text = _BROKEN_WORD.sub(r"\1\2", text)
    return " ".join(text.split()).lower()


@dataclasses.dataclass
class Place:
    """Where one block belongs."""

    section: str
    text_kind: str      # what the text is: svar, rubrik, fragetext, ingress, falt, ovrigt
    area: str | None = None
    question: int | None = None
    part: str | None = None
    intro_section: str | None = None
    appendix: str | None = None  # in an appendix: the year's appendix code, or OTHER_APPENDIX


@dataclasses.dataclass
class Match:
    """How a question was found in the file."""

    number: int
    confidence: float
    how: str
    joint_with: list[int] = dataclasses.field(default_factory=list)

    @property
    def label(self) -> str:
        return "säker" if self.confidence >= 0.9 else "trolig" if self.confidence >= 0.7 else "osäker"


@dataclasses.dataclass
class Finding:
    level: str  # "fel", "varning" or "info"
    text: str


@dataclasses.dataclass
class Report:
    chars_counted: int
    limit: int
    over_limit: bool
    chars_by_area: dict[str, int]
    questions: list[dict]
    intro_fields: dict[str, str]
    presentation_chars: int | None
    appendix_found: bool
    images: int
    unplaced: list[str]
    findings: list[Finding]
    # Every picture with where it stands and what OCR read in it; ``passage`` marks one
    # that holds a text passage (the send-back for changes cites these).
    pictures: list[dict] = dataclasses.field(default_factory=list)
    # Characters per appendix found in the file: the year's appendix code, or the heading of
    # an appendix the year does not list.
    appendix_chars: dict[str, int] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class IntakeResult:
    filename: str
    year: int
    blocks: list[Block]
    places: dict[str, Place]
    matches: dict[int, Match]
    report: Report
    facts: Facts = dataclasses.field(default_factory=Facts)
    pictures: list[Picture] = dataclasses.field(default_factory=list)


# --- splitting ---------------------------------------------------------------------------


class _Splitter:
    def __init__(self, framework: Framework) -> None:
        self.f = framework
        self.questions = {q.number: q for q in framework.questions()}
        self.area_of = {q.number: a.code for a in framework.areas for q in a.questions}
        self.area_titles = {_norm(a.title): a.code for a in framework.areas}
        self.question_texts = {n: _norm(q.full_text) for n, q in self.questions.items()}
        intro_titles = {"inledning": None}
        for section in framework.introduction.sections:
            intro_titles[_norm(section.title)] = section.code
        self.intro_titles = intro_titles
        self.appendix_titles = {_norm(a.title): a.code for a in framework.appendices}
        self.appendix_words = [(a.code, [_norm(w) for w in a.heading_words]) for a in framework.appendices]
        self.ingress = {
            _norm(line): area.code
            for area in framework.areas
            for line in area.ingress.split("\n")
            if len(line) > 40
        }
        lengths = [len(t) for t in self.ingress] or [0]
        # Only paragraphs of about an ingress paragraph's length can be one.
        self.ingress_length = (int(min(lengths) * 0.8), int(max(lengths) * 1.2))
        self.instructions = {
            _norm(t): area.code for area in framework.areas for t in (area.lead, area.note) if t
        }
        self.field_labels = {
            _norm(f.label): f.key for s in framework.introduction.sections for f in s.fields
        }
        # An ingress copied line by line from the PDF: each line is a piece of the whole text.
        self.ingress_whole = {area.code: _norm(area.ingress) for area in framework.areas if area.ingress}
        self.ingress_words = {code: set(text.split()) for code, text in self.ingress_whole.items()}
        self.any_ingress_word = set().union(*self.ingress_words.values())
        self.area_numbers = [[q.number for q in a.questions] for a in framework.areas]

    def numbers(self, text: str) -> list[int] | None:
        """The questions a label names: "7", "2.3" (area 2, question 3), "3 och 4", "3–5"."""
        found: list[int] = []
        span = False
        for number, dash in _NUMBER_OR_RANGE.findall(text):
            if dash:
                span = True
                continue
            if "." in number:
                area, index = (int(x) for x in number.split("."))
                if not (1 <= area <= len(self.area_numbers) and 1 <= index <= len(self.area_numbers[area - 1])):
                    return None
                value = self.area_numbers[area - 1][index - 1]
            else:
                value = int(number)
            if value not in self.questions:
                return None
            if span and found and found[-1] < value:
                found += range(found[-1] + 1, value + 1)
            elif value not in found:
                found.append(value)
            span = False
        return found or None

    def looks_like_question(self, text: str) -> bool:
        """A table cell that asks one of the year's questions (a questionnaire laid out as a form)."""
        if not text or len(text) > SHORT:
            return False
        m = _QUESTION.match(text)
        if m and self.numbers(m["numbers"]):
            rest = _norm(text[m.end():])
            if m["fraga"] or not rest or rest.startswith(_QUESTION_VERBS):
                return True
            number = self.numbers(m["numbers"])[0]
            return fuzz.token_set_ratio(rest, self.question_texts[number]) >= 70
        # A few words are a subset of some question's words; only a sentence can be a question.
        return len(text.split()) >= 5 and process.extractOne(
            _norm(text), self.question_texts, scorer=fuzz.token_set_ratio, score_cutoff=85) is not None

    def ingress_of(self, block: Block, after: str | None = None) -> str | None:
        """The area whose ingress (the city's intro text) this paragraph is, whole or a line of it.

        ``after`` is the area of an ingress line just before: a short last line goes with it."""
        if block.kind != "stycke":
            return None
        if after and len(block.text) < 30:
            return after if _norm(block.text) in self.ingress_whole[after] else None
        if len(block.text) < 30:
            return None
        text = _norm(block.text)
        words = set(text.split())
        if len(words) < 5:
            return None
        # Cheap first: most of the words must be an ingress's own before texts are compared.
        if len(words & self.any_ingress_word) < 0.7 * len(words):
            return None
        candidates = [code for code, vocabulary in self.ingress_words.items()
                      if len(words & vocabulary) >= 0.7 * len(words)]
        if not candidates:
            return None
        whole = self.known_text(block, self.ingress, self.ingress_length)
        if whole is not None:
            return whole
        for code in candidates:
            if len(words & self.ingress_words[code]) >= 0.9 * len(words) and fuzz.partial_ratio(
                    text, self.ingress_whole[code]) >= 90:
                return code
        return None

    # Each recogniser returns None when the block is not what it looks for.

    def intro_heading(self, block: Block) -> tuple[str | None] | None:
        if len(block.text) > 60 or block.kind != "stycke":
            return None
        text = _norm(block.text.rstrip(":"))
        hit = process.extractOne(text, list(self.intro_titles), scorer=fuzz.ratio, score_cutoff=88)
        return (self.intro_titles[hit[0]],) if hit else None

    def area_heading(self, block: Block) -> str | None:
        if len(block.text) > 80 or block.kind != "stycke":
            return None
        text = _norm(re.sub(r"^(frågeområde\s*\d*[:.]?|\d+\.|[a-h]\.)\s*", "", block.text, flags=re.I))
        hit = process.extractOne(text, list(self.area_titles), scorer=fuzz.ratio, score_cutoff=90)
        return self.area_titles[hit[0]] if hit else None

    def appendix_heading(self, block: Block) -> str | None:
        """The appendix a heading opens: the year's appendix it names, OTHER_APPENDIX for any
        other "Bilaga …", None when it opens none. A heading that is only an appendix's title
        ("Verksamhetsplan 2026") opens it too; a word inside an answer's subheading does not."""
        if len(block.text) > 80 or not (block.heading_level or block.bold):
            return None
        text = _norm(block.text)
        if text.startswith("bilaga"):
            return next((code for code, words in self.appendix_words if any(w in text for w in words)),
                        OTHER_APPENDIX)
        hit = process.extractOne(text, list(self.appendix_titles), scorer=fuzz.ratio, score_cutoff=85)
        return self.appendix_titles[hit[0]] if hit else None

    def question_marker(self, block: Block, last: int) -> Match | None:
        if block.kind != "stycke":
            return None
        heading = bool(block.heading_level or block.bold)
        cell = block.frame == "formular"  # a question's own cell in a form laid out as a table
        m = _QUESTION.match(block.text)
        # A long paragraph is an answer, unless it is a long question copied whole.
        if len(block.text) > SHORT and not self._copied_question(block, m):
            return None
        rest = _norm(block.text[m.end():]) if m else ""
        if m and (m["fraga"] or m["punct"] or m["part"] or heading or (cell and not rest)):
            numbers = self.numbers(m["numbers"])
            if numbers is None:
                return None
            if len(numbers) > 1 and not (m["fraga"] or heading or cell):
                return None
            similarity = fuzz.token_set_ratio(rest, self.question_texts[numbers[0]]) if rest else 0
            if not (heading or m["fraga"] or not rest or rest.startswith(_QUESTION_VERBS) or similarity >= 70):
                return None
            if numbers[0] < last and not (heading and similarity >= 70):
                return None
            joint = numbers[1:]
            if similarity >= 70:
                return Match(numbers[0], 0.98, "nummer och frågetext", joint)
            return Match(numbers[0], 0.9 if heading or cell or m["fraga"] else 0.8, "nummer", joint)
        if block.list_label and block.list_label.isdigit() and not block.list_level:
            number = int(block.list_label)
            if number not in self.questions or number < last:
                return None
            text = _norm(block.text)
            similarity = fuzz.token_set_ratio(text, self.question_texts[number])
            if heading or text.startswith(_QUESTION_VERBS) or similarity >= 70:
                return Match(number, 0.95 if similarity >= 70 else 0.85, "automatisk numrering")
            return None
        if heading or (cell and len(block.text) <= 300 and len(block.text.split()) >= 5):
            hit = process.extractOne(
                _norm(block.text), self.question_texts, scorer=fuzz.token_set_ratio,
                score_cutoff=80 if heading else 85,
            )
            if hit and hit[2] >= last:
                return Match(hit[2], round(hit[1] / 100 * 0.85, 2), "frågetext utan nummer")
        return None

    def _copied_question(self, block: Block, m: re.Match | None) -> bool:
        numbers = self.numbers(m["numbers"]) if m else None
        return numbers is not None and fuzz.token_set_ratio(
            _norm(block.text[m.end():]), self.question_texts[numbers[0]]) >= 85

    def part_marker(self, block: Block, question: Question | None) -> str | None:
        if question is None or not question.parts or block.kind != "stycke":
            return None
        labels = {p.label for p in question.parts}
        m = _PART.match(block.text)
        if m and m["part"].lower() in labels:
            return m["part"].lower()
        if block.list_label and block.list_label.lower() in labels and len(block.text) <= SHORT:
            return block.list_label.lower()
        if len(block.text) <= SHORT:
            for part in question.parts:
                if fuzz.ratio(_norm(block.text), _norm(part.text)) >= 85:
                    return part.label
        return None

    def known_text(self, block: Block, table: dict[str, str], lengths: tuple[int, int] = (20, 2000)) -> str | None:
        if block.kind != "stycke" or not lengths[0] <= len(block.text) <= lengths[1]:
            return None
        hit = process.extractOne(_norm(block.text), list(table), scorer=fuzz.ratio, score_cutoff=85)
        return table[hit[0]] if hit else None

    def field(self, block: Block) -> tuple[str, str] | None:
        if ":" not in block.text or len(block.text) > 300:
            return None
        label, value = block.text.split(":", 1)
        hit = process.extractOne(_norm(label), list(self.field_labels), scorer=fuzz.ratio, score_cutoff=85)
        return (self.field_labels[hit[0]], value.strip()) if hit else None


def split(framework: Framework, blocks: list[Block],
          splitter: _Splitter | None = None) -> tuple[dict[str, Place], dict[int, Match]]:
    s = splitter or _Splitter(framework)
    places: dict[str, Place] = {}
    matches: dict[int, Match] = {}
    section, intro_section, area, question, part = "inledning", None, None, None, None
    last = 0
    just_marked = False
    after_ingress = None  # the area whose ingress the last block was
    appendix = None
    for block in blocks:
        if block.kind == "innehall":  # a table of contents: neither headings nor answer text
            places[block.id] = Place(section, "innehall", area, question, part,
                                     intro_section if section == "inledning" else None, appendix)
            continue
        opens = s.appendix_heading(block) if (section == "bilaga" or question is not None or area is not None) \
            else None
        if opens is not None:
            # Each appendix heading starts the next appendix; nothing returns to the questions.
            section, appendix = "bilaga", opens
            places[block.id] = Place("bilaga", "rubrik", appendix=appendix)
            continue
        if section == "bilaga":
            places[block.id] = Place("bilaga", "svar", appendix=appendix)
            continue
        if block.frame == "formular" and _norm(block.text) in _FORM_HEADERS:
            places[block.id] = Place(section, "rubrik", area, question, part)
            continue
        if framework.presentation_text and "presentation" in block.text.lower()[:40] and (
            block.heading_level or block.bold
        ):
            section, question, part = "presentation", None, None
            places[block.id] = Place("presentation", "rubrik")
            continue
        intro = s.intro_heading(block) if (block.heading_level or block.bold or len(block.text) < 40) else None
        if intro is not None and question is None:
            section, intro_section = "inledning", intro[0]
            places[block.id] = Place("inledning", "rubrik", intro_section=intro_section)
            continue
        area_code = s.area_heading(block)
        if area_code is not None:
            section, area, question, part = "fraga", area_code, None, None
            places[block.id] = Place("fraga", "rubrik", area=area)
            continue
        # An ingress left in, whatever style it wears (a heading-based one would look like a question).
        if section == "fraga" and (ingress_area := s.ingress_of(block, after_ingress)):
            places[block.id] = Place("fraga", "ingress", ingress_area, question, part)
            after_ingress = ingress_area
            continue
        after_ingress = None
        marker = s.question_marker(block, last)
        if marker is not None and marker.number != question:
            question, part, last = marker.number, None, marker.number
            area, section = s.area_of[question], "fraga"
            matches[question] = marker
            for joint in marker.joint_with:
                matches[joint] = Match(joint, marker.confidence, f"besvarad tillsammans med fråga {question}")
            places[block.id] = Place("fraga", "rubrik", area=area, question=question)
            m = _QUESTION.match(block.text)
            if m and m["part"]:
                part = m["part"].lower()
                places[block.id].part = part
            just_marked = True
            continue
        if section == "fraga":
            current = s.questions.get(question) if question else None
            label = s.part_marker(block, current)
            if label is not None:
                part = label
                long_answer = len(block.text) > 200 and fuzz.partial_ratio(
                    _norm(block.text), _norm(next(p.text for p in current.parts if p.label == label))
                ) < 70
                places[block.id] = Place("fraga", "svar" if long_answer else "rubrik", area, question, part)
                continue
            if just_marked and current and block.kind == "stycke" and len(block.text) <= SHORT and fuzz.token_set_ratio(
                _norm(block.text), s.question_texts[question]
            ) >= 85:
                places[block.id] = Place("fraga", "fragetext", area, question, part)
                continue
            just_marked = False
            if s.known_text(block, s.instructions, (20, 300)) is not None:
                places[block.id] = Place("fraga", "instruktion", area, question, part)
                continue
            if question is None:
                places[block.id] = Place("ovrigt", "ovrigt", area)
                continue
            places[block.id] = Place("fraga", "svar", area, question, part)
            continue
        if section == "presentation":
            places[block.id] = Place("presentation", "svar")
            continue
        field = s.field(block)
        places[block.id] = Place("inledning", "falt" if field else "svar", intro_section=intro_section)
    return places, matches


# --- counting and findings ------------------------------------------------------------------


def _fmt(n: int) -> str:
    return f"{n:,}".replace(",", "\u00a0")


def evaluate(framework: Framework, blocks: list[Block], places: dict[str, Place],
             matches: dict[int, Match], facts: Facts | None = None, pictures: list[Picture] = (),
             passage_chars: int = PICTURE_PASSAGE_CHARS, *,
             separate_appendices: frozenset[str] | set[str] = frozenset(), pdf_copy: bool | None = None) -> Report:
    """Count by the year's rule and write the findings.

    ``separate_appendices``: the year's appendices that came as files of their own;
    ``pdf_copy``: whether the PDF copy the year asks for has come (None: not known here).
    """
    rule = framework.character_limit
    excluded = set(rule.excluded_parts) | {"presentation"}
    counted_sections = {"fraga", "ovrigt", "bilaga"} | ({"inledning"} - excluded)
    # An appendix the year lists counts as the year says; any other appendix counts.
    uncounted_appendices = {a.code for a in framework.appendices if not a.counted}
    appendix_chars: dict[str, int] = {}
    other_appendix = None
    chars_by_area = {a.code: 0 for a in framework.areas}
    per_question: dict[int, int] = {}
    counted = 0
    presentation = 0
    has_presentation = False
    appendix_found = False
    intro_fields: dict[str, str] = {}
    ingress_by_area: dict[str, list[Block]] = {}
    unplaced: list[Block] = []
    splitter = _Splitter(framework)
    for block in blocks:
        place = places[block.id]
        chars = block.chars if rule.count_spaces is False else len(block.all_text)
        if place.section in counted_sections and not (
                place.section == "bilaga" and place.appendix in uncounted_appendices):
            counted += chars
        if place.section == "bilaga":
            if place.appendix == OTHER_APPENDIX and place.text_kind == "rubrik":
                other_appendix = block.text.strip()
            key = (other_appendix or "Bilaga") if place.appendix in (None, OTHER_APPENDIX) else place.appendix
            appendix_chars[key] = appendix_chars.get(key, 0) + chars
        if place.area in chars_by_area and place.section in ("fraga", "ovrigt"):
            chars_by_area[place.area] += chars
        if place.section == "fraga" and place.text_kind == "svar" and place.question:
            per_question[place.question] = per_question.get(place.question, 0) + chars
        if place.section == "presentation":
            has_presentation = True
            if place.text_kind == "svar":
                presentation += block.chars if not framework.presentation_text.count_spaces else len(block.all_text)
        if place.section == "bilaga":
            appendix_found = True
        if place.text_kind == "ingress":
            ingress_by_area.setdefault(place.area, []).append(block)
        if place.section == "ovrigt":
            unplaced.append(block)
        if place.text_kind == "falt" and (field := splitter.field(block)):
            intro_fields.setdefault(field[0], field[1])
        if block.kind == "tabell" and place.section == "inledning" and block.rows:
            for row in block.rows:
                if len(row) >= 2 and (hit := splitter.field(Block("", 0, "stycke", f"{row[0]}: {row[1]}"))):
                    intro_fields.setdefault(*hit)

    facts = facts or Facts()
    findings: list[Finding] = _file_findings(facts)
    excluded_words = [{"inledning": "inledningen"}[p] for p in rule.excluded_parts]
    excluded_words += [f"bilagan {a.title}" for a in framework.appendices if not a.counted]
    excluded_text = " och ".join(excluded_words)
    over = counted > rule.max_chars
    if over:
        findings.append(Finding("fel", (
            f"Bidraget har {_fmt(counted)} tecken utan blanksteg"
            + (f" ({excluded_text} oräknade)" if excluded_text else "")
            + f"; gränsen är {_fmt(rule.max_chars)}, alltså {_fmt(counted - rule.max_chars)} tecken för mycket."
        )))
    pictures_by_place = _pictures_in_place(framework, blocks, places, pictures, passage_chars)
    picture_chars: dict[int, int] = {}
    for picture in pictures_by_place:
        if picture["question"]:
            picture_chars[picture["question"]] = picture_chars.get(picture["question"], 0) + picture["chars"]
    questions, missing, unanswered, unsure = [], [], [], []
    for q in framework.questions():
        match = matches.get(q.number)
        joint_of = next((m.number for m in matches.values() if q.number in m.joint_with), None)
        answered = per_question.get(q.number, 0) > 0 or (
            joint_of is not None and per_question.get(joint_of, 0) > 0)
        questions.append({
            "number": q.number,
            "area": framework.area_of_question(q.number).code,
            "chars": per_question.get(q.number, 0),
            "picture_chars": picture_chars.get(q.number, 0),
            "answered": answered,
            "confidence": match.confidence if match else 0.0,
            "how": match.how if match else "hittades inte",
        })
        if match is None:
            missing.append(q.number)
        elif not answered:
            unanswered.append(q.number)
        elif match.confidence < 0.7:
            unsure.append((q.number, match.confidence))
    if missing:
        findings.append(Finding("fel", f"{_questions_text(missing)} hittades inte i bidraget."))
    if unanswered:
        findings.append(Finding("fel", f"{_questions_text(unanswered)} "
                                       f"{'är inte besvarad' if len(unanswered) == 1 else 'är inte besvarade'}."))
    for number, confidence in unsure:
        findings.append(Finding("varning", (
            f"Fråga {number} hittades bara genom frågetexten (säkerhet {confidence:.0%}); "
            "kontrollera uppdelningen."
        ).replace("\u00a0%", " %")))
    for match in sorted(matches.values(), key=lambda m: m.number):
        if match.joint_with:
            together = _numbers_text([match.number, *match.joint_with])
            findings.append(Finding("info", f"Frågorna {together} är besvarade tillsammans."))
    for code, ingress_blocks in ingress_by_area.items():
        area = framework.area(code)
        chars = sum(b.chars for b in ingress_blocks)
        rule_text = "den ska tas bort och räknas nu in i teckenantalet" if framework.ingress_must_be_removed \
            else "den räknas in i teckenantalet"
        findings.append(Finding("varning" if framework.ingress_must_be_removed else "info", (
            f"Ingressen till {area.title} finns kvar i bidraget ({len(ingress_blocks)} stycken, "
            f"{_fmt(chars)} tecken); {rule_text}."
        )))
    findings += _appendix_findings(framework, appendix_chars, set(separate_appendices))
    if pdf_copy is False and "pdf" in framework.submission_formats:
        findings.append(Finding("varning", "PDF-kopian av bidraget saknas. "
                                + (framework.submission_rule_text or "Året kräver bidraget även i PDF-format.")))
    if framework.presentation_text:
        limit = framework.presentation_text.max_chars
        if not has_presentation:
            findings.append(Finding("info", "Ingen presentationstext finns i filen; den kan ha skickats separat."))
        elif presentation > limit:
            findings.append(Finding("fel", (
                f"Presentationstexten har {_fmt(presentation)} tecken utan blanksteg; högst {_fmt(limit)} är tillåtet."
            )))
    if unplaced:
        where = {}
        for block in unplaced:
            title = framework.area(places[block.id].area).title if places[block.id].area else "bidraget"
            where.setdefault(title, []).append(block)
        for title, items in where.items():
            findings.append(Finding("varning", (
                f"Text som inte hör till någon fråga: {len(items)} stycken under {title} "
                f"({', '.join(b.id for b in items[:5])}{' …' if len(items) > 5 else ''})."
            )))
    images = sum(b.images for b in blocks)
    findings += _picture_findings(framework, pictures_by_place, images, facts)
    return Report(
        chars_counted=counted, limit=rule.max_chars, over_limit=over, chars_by_area=chars_by_area,
        questions=questions, intro_fields=intro_fields,
        presentation_chars=presentation if has_presentation else None,
        appendix_found=appendix_found, images=images, unplaced=[b.id for b in unplaced], findings=findings,
        pictures=pictures_by_place, appendix_chars=appendix_chars,
    )


def _appendix_findings(framework: Framework, appendix_chars: dict[str, int], separate: set[str]) -> list[Finding]:
    """What breaks the year's appendix rule: an appendix it does not allow (counted, and
    flagged), a required one that is neither in the file nor sent as a file of its own."""
    findings = []
    listed = {a.code: a for a in framework.appendices}
    for key, chars in appendix_chars.items():
        if key in listed or framework.other_appendices_allowed:
            continue
        allowed = (f"bara bilagan {' och '.join(a.title for a in framework.appendices)} är tillåten"
                   if framework.appendices else "bilagor får inte användas")
        findings.append(Finding("fel", (
            f"Bidraget har en bilaga som inte är tillåten (”{key}”): {allowed} enligt årets anvisningar. "
            f"Bilagans {_fmt(chars)} tecken räknas in i teckenantalet.")))
    for appendix in framework.appendices:
        if appendix.required and appendix.code not in appendix_chars and appendix.code not in separate:
            where = " eller som egen fil" if appendix.separate_file else ""
            findings.append(Finding("fel", f"Bilagan {appendix.title} saknas: den finns inte i filen{where}."))
    return findings


def _numbers_text(numbers: list[int]) -> str:
    """ "4–19", "2 och 3", "3, 5 och 7": runs of three or more as a span."""
    numbers = sorted(set(numbers))
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    pieces = []
    for run in runs:
        pieces += [f"{run[0]}–{run[-1]}"] if len(run) >= 3 else [str(n) for n in run]
    return pieces[0] if len(pieces) == 1 else ", ".join(pieces[:-1]) + " och " + pieces[-1]


def _questions_text(numbers: list[int]) -> str:
    return f"Fråga {numbers[0]}" if len(numbers) == 1 else f"Frågorna {_numbers_text(numbers)}"


def _file_findings(facts: Facts) -> list[Finding]:
    """What the file itself says: its kind, unaccepted changes, comments, placeholders."""
    findings = []
    if facts.kind in KIND_NAMES:
        findings.append(Finding("varning", (
            f"Filen är {KIND_NAMES[facts.kind]} med namnet .docx. Texten har lästs (inget i filen har körts), "
            "men Word öppnar den inte under det namnet. Be verksamheten spara den som Word-dokument: "
            "Arkiv → Spara som → Word-dokument (.docx).")))
    if facts.unaccepted_changes:
        kinds = [(facts.insertions, "infogning", "infogningar"), (facts.deletions, "borttagning", "borttagningar"),
                 (facts.moves, "flytt", "flyttar")]
        listed = ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in kinds if n)
        findings.append(Finding("varning", (
            f"Filen har spårade ändringar som inte är godkända ({listed}). Infogad text räknas, borttagen text "
            "och den gamla kopian av flyttad text räknas inte. Be verksamheten godkänna eller avvisa ändringarna.")))
    if facts.comments:
        findings.append(Finding("info", f"Filen har {facts.comments} "
                                        f"{'kommentar' if facts.comments == 1 else 'kommentarer'}; de räknas inte."))
    if facts.placeholders:
        findings.append(Finding("info", (
            f"{facts.placeholders} {'fält' if facts.placeholders > 1 else 'fält'} i mallen visar fortfarande sin "
            "platshållartext; den räknas inte som svar.")))
    return findings


_WHERE = {"inledning": "i inledningen", "bilaga": "i bilagan", "presentation": "i presentationstexten",
          "ovrigt": "utanför frågorna"}
_UNREAD = {"format": "formatet kan inte läsas (till exempel EMF eller WMF)", "tidsgräns": "tidsgränsen för OCR nåddes",
           "trasig": "bilden är trasig", "för_stor": "bilden är för stor att avkoda"}


def _pictures_in_place(framework: Framework, blocks: list[Block], places: dict[str, Place],
                       pictures: list[Picture], passage_chars: int) -> list[dict]:
    by_block = {b.id: b for b in blocks}
    rows = []
    for picture in pictures:
        if picture.block_id not in by_block:
            continue
        place = places[picture.block_id]
        question = place.question if place.section == "fraga" else None
        rows.append({
            "id": picture.id, "number": len(rows) + 1, "block_id": picture.block_id, "part": picture.part,
            "section": place.section, "question": question, "area": place.area, "status": picture.status,
            "chars": picture.chars, "passage_chars": picture.passage_chars, "text": picture.text,
            "passage": picture.status in ("läst", "tidsgräns") and picture.passage_chars >= passage_chars,
            "where": f"under fråga {question}" if question else _WHERE.get(place.section, "i bidraget"),
        })
    return rows


def _send_back_rule(framework: Framework) -> str:
    """The year's rule for pictures holding text, as the instructions word it (1–2 working days)."""
    rule = framework.images_in_text
    if rule is None or rule.text_in_images_allowed:
        return ""
    low, high = rule.change_request_working_days
    days = f"{low}–{high}" if low != high else str(low)
    return (" Enligt anvisningarna skickas ett bidrag där bilder innehåller textstycken tillbaka med "
            f"ändringsbegäran, som måste åtgärdas inom {days} arbetsdagar.")


def _picture_findings(framework: Framework, pictures: list[dict], images: int, facts: Facts) -> list[Finding]:
    findings = []
    send_back = _send_back_rule(framework)
    for picture in pictures:
        if picture["passage"]:
            findings.append(Finding("fel", (
                f"Bild {picture['number']} {picture['where']} innehåller ett textstycke "
                f"({_fmt(picture['passage_chars'])} tecken löpande text, {_fmt(picture['chars'])} tecken i hela "
                "bilden).") + (send_back or " Bidrag där bilder innehåller textstycken skickas tillbaka med "
                                            "ändringsbegäran.")))
    if facts.ocr and images:
        findings.append(Finding("varning", f"{facts.ocr} Granska {'bilden' if images == 1 else f'de {images} bilderna'} själv."))
    elif images and not pictures:
        # Drawings without a picture to read (or pictures not read): the office looks itself.
        findings.append(Finding("info", f"Bidraget innehåller {count(images, 'bild', 'bilder')}; kontrollera att de inte innehåller "
                                        f"textstycken.{send_back}"))
    unread: dict[str, list[str]] = {}
    for picture in pictures:
        if picture["status"] in _UNREAD:
            unread.setdefault(picture["status"], []).append(str(picture["number"]))
    for status, numbers in unread.items():
        findings.append(Finding("varning", (
            f"{'Bild' if len(numbers) == 1 else 'Bilderna'} {', '.join(numbers)} har inte lästs med OCR: "
            f"{_UNREAD[status]}. Granska {'den' if len(numbers) == 1 else 'dem'} själv.")))
    read = [p for p in pictures if p["status"] == "läst"]
    if read and not any(p["passage"] for p in pictures):
        carried = sum(p["chars"] for p in read)
        findings.append(Finding("info", (
            f"Bidraget har {images} {'bild' if images == 1 else 'bilder'}; OCR hittade inga textstycken i dem "
            f"({_fmt(carried)} tecken i etiketter och liknande).")))
    return findings


# --- the whole intake ---------------------------------------------------------------------


def max_upload_bytes() -> int:
    return int(float(os.environ.get("WORKBENCH_MAX_UPLOAD_MB", "20")) * 1_000_000)


def max_unpacked_bytes() -> int:
    return int(float(os.environ.get("WORKBENCH_MAX_UNPACKED_MB", "200")) * 1_000_000)


def take_in(data: bytes, filename: str, framework: Framework, *, read_pictures: bool = True,
            passage_chars: int = PICTURE_PASSAGE_CHARS) -> IntakeResult:
    """Read, split and check one file; raises UnreadableFile with a Swedish reason.

    A pure function of the bytes (the result is plain data that pickles), so it can run in
    a process of its own. ``read_pictures=False`` skips OCR (the pictures stay unread).
    """
    check_container(data, filename, max_upload_bytes(), max_unpacked_bytes())
    splitter = _Splitter(framework)
    document = read_document(data, filename, is_question=splitter.looks_like_question)
    if read_pictures:
        document.facts.ocr = read_text(data, document.pictures)
    places, matches = split(framework, document.blocks, splitter)
    report = evaluate(framework, document.blocks, places, matches, document.facts, document.pictures,
                      passage_chars)
    return IntakeResult(filename, framework.year, document.blocks, places, matches, report,
                        document.facts, document.pictures)


def as_json(result: IntakeResult) -> dict:
    """The command line's JSON shape."""
    report = result.report
    return {
        "file": result.filename,
        "year": result.year,
        "questions": [
            {k: q[k] for k in ("number", "area", "chars", "answered", "confidence")} for q in report.questions
        ],
        "chars_counted": report.chars_counted,
        "limit": report.limit,
        "over_limit": report.over_limit,
        "chars_by_area": report.chars_by_area,
        "findings": [f.text for f in report.findings],
        "pictures": [{k: p[k] for k in ("number", "question", "status", "chars", "passage_chars", "passage")}
                     for p in report.pictures],
        "error": None,
    }


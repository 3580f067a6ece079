"""Intake: a contribution's Word file → its structure for an award year, and the checks.

``split`` decides for every block where it belongs (Inledning, a question and part, the
appendix, or nowhere) and how sure each question match is; ``evaluate`` counts
characters by the year's rule and writes the findings. They are separate so the admin's
corrections are counted and checked the same way as the automatic split.
"""

from __future__ import annotations

import dataclasses
import os
import re

from rapidfuzz import fuzz, process

from scoring.intake.docx_reader import Block, check_container, read_blocks
from scoring.year.framework import Framework, Question

SECTIONS = ("inledning", "fraga", "bilaga", "presentation", "ovrigt")
_QUESTION = re.compile(
    r"^\s*(?P<fraga>fråg(?:a|orna)\s*(?:nr\.?\s*)?)?(?P<n1>\d{1,2})(?!\d)"
    r"(?:\s*(?:och|&|,|–|-|—|\+)\s*(?P<n2>\d{1,2})(?!\d))?"
    r"\s*(?P<part>[a-cA-C](?![a-zåäöA-ZÅÄÖ]))?\s*(?P<punct>[.):])?\s*",
    re.IGNORECASE,
)
_PART = re.compile(r"^\s*(?:\d{1,2}\s*)?(?P<part>[a-cA-C])\s*[.):]\s*")
_QUESTION_VERBS = ("beskriv", "redovisa", "redogör", "analysera", "utifrån", "välj", "ge exempel", "hur ", "vilka")
SHORT = 400  # longer paragraphs are answers, never headings
OTHER_APPENDIX = "ovrig"  # an appendix the year does not list


def _norm(text: str) -> str:
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
        headingish = bool(block.heading_level or block.bold)
        m = _QUESTION.match(block.text)
        # A long paragraph is an answer, unless it is a long question copied whole.
        if len(block.text) > SHORT and not self._copied_question(block, m):
            return None
        if m and (m["fraga"] or m["punct"] or m["part"] or headingish):
            numbers = [int(m["n1"])] + ([int(m["n2"])] if m["n2"] else [])
            if any(n not in self.questions for n in numbers):
                return None
            if m["n2"] and not (m["fraga"] or headingish):
                return None
            rest = _norm(block.text[m.end():])
            similarity = fuzz.token_set_ratio(rest, self.question_texts[numbers[0]]) if rest else 0
            if not (headingish or m["fraga"] or not rest or rest.startswith(_QUESTION_VERBS) or similarity >= 70):
                return None
            if numbers[0] < last and not (headingish and similarity >= 70):
                return None
            joint = list(range(numbers[0] + 1, numbers[-1] + 1)) if len(numbers) > 1 else []
            if similarity >= 70:
                return Match(numbers[0], 0.98, "nummer och frågetext", joint)
            return Match(numbers[0], 0.9 if headingish or m["fraga"] else 0.8, "nummer", joint)
        if block.list_label and block.list_label.isdigit() and not block.list_level:
            number = int(block.list_label)
            if number not in self.questions or number < last:
                return None
            text = _norm(block.text)
            similarity = fuzz.token_set_ratio(text, self.question_texts[number])
            if headingish or text.startswith(_QUESTION_VERBS) or similarity >= 70:
                return Match(number, 0.95 if similarity >= 70 else 0.85, "automatisk numrering")
            return None
        if headingish:
            hit = process.extractOne(
                _norm(block.text), self.question_texts, scorer=fuzz.token_set_ratio, score_cutoff=80
            )
            if hit and hit[2] >= last:
                return Match(hit[2], round(hit[1] / 100 * 0.85, 2), "frågetext utan nummer")
        return None

    def _copied_question(self, block: Block, m: re.Match | None) -> bool:
        number = int(m["n1"]) if m else None
        return number in self.questions and fuzz.token_set_ratio(
            _norm(block.text[m.end():]), self.question_texts[number]) >= 85

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


def split(framework: Framework, blocks: list[Block]) -> tuple[dict[str, Place], dict[int, Match]]:
    s = _Splitter(framework)
    places: dict[str, Place] = {}
    matches: dict[int, Match] = {}
    section, intro_section, area, question, part = "inledning", None, None, None, None
    last = 0
    just_marked = False
    appendix = None
    for block in blocks:
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
            ingress_area = s.known_text(block, s.ingress, s.ingress_length)
            if ingress_area is not None:
                places[block.id] = Place("fraga", "ingress", ingress_area, question, part)
                continue
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
             matches: dict[int, Match], separate_appendices: frozenset[str] | set[str] = frozenset(),
             pdf_copy: bool | None = None) -> Report:
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
        chars = block.chars if rule.count_spaces is False else len(block.text)
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
                presentation += block.chars if not framework.presentation_text.count_spaces else len(block.text)
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

    findings: list[Finding] = []
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
    questions = []
    for q in framework.questions():
        match = matches.get(q.number)
        joint_of = next((m.number for m in matches.values() if q.number in m.joint_with), None)
        answered = per_question.get(q.number, 0) > 0 or (
            joint_of is not None and per_question.get(joint_of, 0) > 0)
        questions.append({
            "number": q.number,
            "area": framework.area_of_question(q.number).code,
            "chars": per_question.get(q.number, 0),
            "answered": answered,
            "confidence": match.confidence if match else 0.0,
            "how": match.how if match else "hittades inte",
        })
        if match is None:
            findings.append(Finding("fel", f"Fråga {q.number} hittades inte i bidraget."))
        elif not answered:
            findings.append(Finding("fel", f"Fråga {q.number} är inte besvarad."))
        elif match.confidence < 0.7:
            findings.append(Finding("varning", (
                f"Fråga {q.number} hittades bara genom frågetexten (säkerhet {match.confidence:.0%}); "
                "kontrollera uppdelningen."
            ).replace("\u00a0%", " %")))
        if match and match.joint_with:
            together = " och ".join(str(n) for n in [q.number, *match.joint_with])
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
    if images:
        text = f"Bidraget innehåller {images} bilder; kontrollera att de inte innehåller textstycken."
        if framework.images_in_text and not framework.images_in_text.text_in_images_allowed:
            low, high = framework.images_in_text.change_request_working_days
            days = f"{low}–{high}" if low != high else str(low)
            text += (" Enligt anvisningarna skickas ett bidrag där bilder innehåller textstycken tillbaka med "
                     f"ändringsbegäran, som måste åtgärdas inom {days} arbetsdagar.")
        findings.append(Finding("info", text))
    return Report(
        chars_counted=counted, limit=rule.max_chars, over_limit=over, chars_by_area=chars_by_area,
        questions=questions, intro_fields=intro_fields,
        presentation_chars=presentation if has_presentation else None,
        appendix_found=appendix_found, images=images, unplaced=[b.id for b in unplaced], findings=findings,
        appendix_chars=appendix_chars,
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


# --- the whole intake ---------------------------------------------------------------------


def max_upload_bytes() -> int:
    return int(float(os.environ.get("WORKBENCH_MAX_UPLOAD_MB", "20")) * 1_000_000)


def max_unpacked_bytes() -> int:
    return int(float(os.environ.get("WORKBENCH_MAX_UNPACKED_MB", "200")) * 1_000_000)


def take_in(data: bytes, filename: str, framework: Framework) -> IntakeResult:
    """Read, split and check one file; raises UnreadableFile with a Swedish reason."""
    check_container(data, filename, max_upload_bytes(), max_unpacked_bytes())
    blocks = read_blocks(data, filename)
    places, matches = split(framework, blocks)
    return IntakeResult(filename, framework.year, blocks, places, matches,
                        evaluate(framework, blocks, places, matches))


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
        "error": None,
    }


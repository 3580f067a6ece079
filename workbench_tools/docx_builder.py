"""Write contributions as Word files, laid out the ways units really write them.

Used by the demo year, the benchmark and the intake tests, so that all of them go
through the same intake as a file a unit sends in.
"""

from __future__ import annotations

import dataclasses
import io

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Cm

from scoring.year.framework import Framework

LAYOUTS = ("rubriker", "egna_stilar", "fetstil", "fraga_i_text", "autonumrering")

# An answer is a list of paragraphs (str), tables (list of rows) and pictures (PNG/JPEG bytes).
Answer = list[str | list[list[str]] | bytes]


@dataclasses.dataclass
class ContributionText:
    unit_name: str
    intro_fields: dict[str, str]
    unit_information: list[str]
    answers: dict[tuple[int, str | None], Answer]  # (question number, part label or None)
    glossary: list[str] = dataclasses.field(default_factory=list)
    appendix: list[str] = dataclasses.field(default_factory=list)


def build_contribution(
    framework: Framework,
    content: ContributionText,
    *,
    layout: str = "rubriker",
    keep_ingress: bool = False,
    copy_question_text: bool = True,
    header_and_footer: bool = True,
) -> bytes:
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}")
    document = docx.Document()
    if layout == "egna_stilar":
        # A unit's own styles, named in Swedish and based on Word's headings.
        for name, base in (("Områdesrubrik", "Heading 1"), ("Frågerubrik", "Heading 2"), ("Delfråga", "Heading 3")):
            style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = document.styles[base]
    if header_and_footer:
        section = document.sections[0]
        section.header.paragraphs[0].text = f"{framework.title} – {content.unit_name}"
        section.footer.paragraphs[0].text = "Bidrag till Stockholms stads kvalitetsutmärkelse. Sida 1 av 30."

    def heading(text: str, level: int) -> None:
        if layout == "rubriker":
            document.add_heading(text, level)
        elif layout == "egna_stilar":
            document.add_paragraph(text, style=("Områdesrubrik", "Frågerubrik", "Delfråga")[min(level, 3) - 1])
        else:
            document.add_paragraph().add_run(text).bold = True

    def body(item: str | list[list[str]] | bytes) -> None:
        if isinstance(item, str):
            document.add_paragraph(item)
            return
        if isinstance(item, bytes):
            document.add_paragraph().add_run().add_picture(io.BytesIO(item), width=Cm(12))
            return
        table = document.add_table(rows=len(item), cols=len(item[0]))
        for r, row in enumerate(item):
            for c, value in enumerate(row):
                table.cell(r, c).text = value

    heading("Inledning", 1)
    heading("Administrativa uppgifter", 2)
    intro_labels = {f.key: f.label for s in framework.introduction.sections for f in s.fields}
    for key, value in content.intro_fields.items():
        document.add_paragraph(f"{intro_labels.get(key, key)}: {value}")
    if content.glossary:
        heading("Ordlista", 2)
        for line in content.glossary:
            document.add_paragraph(line)
    heading("Information om verksamheten", 2)
    for line in content.unit_information:
        document.add_paragraph(line)

    for area in framework.areas:
        heading(area.title, 1)
        if keep_ingress and area.ingress:
            for line in area.ingress.split("\n"):
                document.add_paragraph().add_run(line).italic = True
        for question in area.questions:
            _question_heading(document, layout, heading, question, copy_question_text)
            parts = [p.label for p in question.parts] or [None]
            for label in parts:
                if label is not None:
                    part = next(p for p in question.parts if p.label == label)
                    text = f"{label}) {part.text}" if copy_question_text else f"{label})"
                    if layout in ("rubriker", "egna_stilar"):
                        heading(text, 3)
                    elif layout == "fraga_i_text":
                        document.add_paragraph(f"{question.number} {text}")
                    else:
                        heading(text, 3)
                for item in content.answers.get((question.number, label), []):
                    body(item)

    if content.appendix:
        for appendix in framework.appendices[:1]:
            document.add_page_break()
            heading(f"Bilaga: {appendix.title}", 1)
        for line in content.appendix:
            document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _question_heading(document, layout, heading, question, copy_question_text) -> None:
    text = question.text if copy_question_text else ""
    if layout == "autonumrering":
        # The number exists only in Word's list numbering, not in the text.
        paragraph = document.add_paragraph(style="List Number")
        paragraph.add_run(text or "(se delfrågorna)").bold = True
    elif layout == "fraga_i_text":
        document.add_paragraph(f"Fråga {question.number}. {text}".strip())
    else:
        heading(f"{question.number}. {text}".strip(), 2)

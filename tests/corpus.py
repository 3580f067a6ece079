"""Contributions written the ways units write them, and the bad files users send.

Every file is made here, so each test knows exactly what the file holds.
"""

from __future__ import annotations

import io
import random
import zipfile

import docx

from scoring.year.framework import Framework
from workbench_tools.demo_text import answer
from workbench_tools.docx_builder import ContributionText, build_contribution


def content(framework: Framework, quality: str = "medel", skip: set[int] = frozenset(), seed: int = 1,
            appendix: bool = True) -> ContributionText:
    rng = random.Random(seed)
    fill = {"mg": "eleverna", "vh": "Skolan", "med": "lärarna"}
    answers = {}
    for area in framework.areas:
        for q in area.questions:
            if q.number in skip:
                continue
            for label in [p.label for p in q.parts] or [None]:
                answers[(q.number, label)] = answer(rng, area.code, quality, fill)
    first = framework.questions()[-1].number
    answers[(first, None) if not framework.question(first).parts else (first, "a")].append(
        [["År", "2023", "2024", "2025"], ["Nöjda (%)", "78", "81", "84"]])
    return ContributionText(
        unit_name="Skolan i Testby",
        intro_fields={"unit_name": "Skolan i Testby", "manager_name": "Anna Rektor", "employees": "23"},
        unit_information=["Skolan har 300 elever i årskurs 1–9."],
        answers=answers,
        glossary=["IUP: individuell utvecklingsplan."],
        appendix=["Mål 1: Alla elever når målen."] if appendix else [],
    )


def body_chars(data: bytes) -> tuple[int, str]:
    """An independent count: every character of the body (no headers/footers), and its text."""
    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts += [cell.text for cell in row.cells]
    text = "\n".join(texts)
    return len("".join(text.split())), text


def chars(*texts: str) -> int:
    return sum(len("".join(t.split())) for t in texts)


def intro_and_appendix_chars(framework: Framework, c: ContributionText) -> tuple[int, int]:
    labels = {f.key: f.label for s in framework.introduction.sections for f in s.fields}
    intro = chars("Inledning", "Administrativa uppgifter", "Information om verksamheten",
                  *(f"{labels[k]}: {v}" for k, v in c.intro_fields.items()), *c.unit_information)
    if c.glossary:
        intro += chars("Ordlista", *c.glossary)
    appendix = 0
    if c.appendix and framework.appendices:
        appendix = chars(f"Bilaga: {framework.appendices[0].title}", *c.appendix)
    return intro, appendix


def build(framework: Framework, layout: str, **options) -> tuple[bytes, ContributionText]:
    c = options.pop("content", None) or content(framework)
    return build_contribution(framework, c, layout=layout, **options), c


def hand_written(paragraphs: list[tuple[str, str]]) -> bytes:
    """A file from (kind, text) pairs: kind is "h1", "h2", "bold", "p" or "list"."""
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "SIDHUVUD SOM INTE RÄKNAS"
    for kind, text in paragraphs:
        if kind.startswith("h"):
            document.add_heading(text, int(kind[1]))
        elif kind == "bold":
            document.add_paragraph().add_run(text).bold = True
        elif kind == "list":
            document.add_paragraph(text, style="List Number")
        else:
            document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- bad files -------------------------------------------------------------------------

CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def legacy_doc() -> bytes:
    return CFB + b"\x00" * 512 + "WordDocument".encode("utf-16-le") + b"\x00" * 2048


def password_protected() -> bytes:
    return CFB + b"\x00" * 512 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 2048


def broken_zip() -> bytes:
    return b"PK\x03\x04" + b"\x13\x37" * 500


def zip_without_document() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hej.txt", "inte ett Word-dokument")
    return out.getvalue()


def zip_bomb(unpacked_mb: int) -> bytes:
    """A valid .docx whose one extra member unpacks to ``unpacked_mb`` MB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
        with z.open("word/media/bomb.bin", "w", force_zip64=True) as member:
            chunk = b"\x00" * 1_000_000
            for _ in range(unpacked_mb):
                member.write(chunk)
    return out.getvalue()


def damaged_document_xml() -> bytes:
    good = build_contribution.__globals__["docx"].Document()
    buffer = io.BytesIO()
    good.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                data = data[: len(data) // 2]  # cut off in the middle of the XML
            z.writestr(item, data)
    return out.getvalue()

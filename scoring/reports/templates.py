"""The default Word templates for the feedback report, the jury dossier and the diploma.

The office edits the templates in Word and uploads them (see ``reports.check_template``);
these functions only write the versions shipped in ``report_templates/``:
``python -m scoring templates --write`` recreates them. Template fields are Swedish, the
words the office sees in Word.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "report_templates"
FEEDBACK = "aterkopplingsrapport"
DOSSIER = "juryunderlag"
DIPLOMA = "diplom"
CITY_BLUE = RGBColor(0x00, 0x58, 0xA1)


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word fills in when it lays out the document."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == "1":
            element = OxmlElement("w:t")
            element.text = "1"
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {instruction} "
        run._r.append(element)


def _base(title_footer: str) -> Document:
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin, section.bottom_margin = Cm(2.2), Cm(2.2)
    styles = document.styles
    styles["Normal"].font.name = "Calibri"
    styles["Normal"].font.size = Pt(11)
    for name, size in (("Title", 24), ("Heading 1", 16), ("Heading 2", 13), ("Heading 3", 11)):
        styles[name].font.color.rgb = CITY_BLUE
        styles[name].font.size = Pt(size)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run(f"{title_footer} · Sida ")
    _field(footer, "PAGE")
    footer.add_run(" av ")
    _field(footer, "NUMPAGES")
    return document


def _tag(document: Document, text: str) -> None:
    """A paragraph holding only a docxtpl block tag ({%p ... %})."""
    document.add_paragraph(text)


def _bullets(document: Document, items: str) -> None:
    """A bulleted paragraph repeated for each text in the list field ``items``."""
    _tag(document, f"{{%p for text in {items} %}}")
    document.add_paragraph("{{ text }}", style="List Bullet")
    _tag(document, "{%p endfor %}")


def feedback_template() -> bytes:
    d = _base("Kvalitetsutmärkelsen {{ ar }} · Återkopplingsrapport")
    d.add_paragraph("Återkopplingsrapport", style="Title")
    d.add_paragraph("{{ enhet }}", style="Subtitle")
    # A year without competition classes (2024, 2026) leaves the class out.
    d.add_paragraph("{{ forvaltning }}{% if klass %} · Tävlingsklass: {{ klass }}{% endif %}"
                    " · Kvalitetsutmärkelsen {{ ar }}")
    d.add_heading("Om bedömningen", level=1)
    d.add_paragraph(
        "Tack för ert bidrag till Stockholms stads kvalitetsutmärkelse. Bidraget har bedömts av ett lag "
        "om {{ antal_examinatorer }} examinatorer, medarbetare i staden som har utbildats för uppdraget. "
        "Var och en bedömde först bidraget på egen hand utifrån anvisningarnas frågor och stadens "
        "program för kvalitetsutveckling. Laget enades sedan om en gemensam bedömning och besökte "
        "verksamheten {{ platsbesok_datum }} för att förtydliga och verifiera sina iakttagelser.")
    d.add_paragraph(
        "Återkopplingen beskriver vad bidraget visar: styrkor att bygga vidare på och utvecklingsområden "
        "där ert arbete kan bli mer systematiskt. Den är skriven för att ni ska kunna använda den i ert "
        "fortsatta förbättringsarbete.")
    d.add_heading("Sammanfattning", level=1)
    d.add_heading("Övergripande styrkor", level=2)
    _bullets(d, "nyckelteman.styrkor")
    d.add_heading("Övergripande utvecklingsområden", level=2)
    _bullets(d, "nyckelteman.utvecklingsomraden")
    _tag(d, "{%p for omrade in omraden %}")
    d.add_heading("{{ omrade.titel }}", level=1)
    _tag(d, "{%p if visa_poang %}")
    d.add_paragraph("Lagets bedömning: {{ omrade.poang }} av 100 poäng.")
    _tag(d, "{%p endif %}")
    d.add_heading("Styrkor", level=2)
    _bullets(d, "omrade.styrkor")
    d.add_heading("Utvecklingsområden", level=2)
    _bullets(d, "omrade.utvecklingsomraden")
    _tag(d, "{%p endfor %}")
    d.add_heading("Så kan ni använda återkopplingen", level=1)
    d.add_paragraph(
        "Gå igenom rapporten tillsammans i ledningsgruppen och med medarbetarna. Välj ut de "
        "utvecklingsområden som betyder mest för era målgrupper och för in dem i verksamhetsplanen, "
        "med mål, ansvar och uppföljning. Fortsätt att vårda styrkorna: de är ofta det bästa stödet "
        "när ni utvecklar resten. Kvalitetsenheten berättar gärna mer om stadens stöd för "
        "kvalitetsutveckling.")
    d.add_paragraph("Stockholm {{ datum }}")
    return _save(d)


def _table(document: Document, header: list[str], loop: str, cells: list[str]) -> None:
    """A table whose body row repeats for each item of ``loop`` ({%tr … %})."""
    table = document.add_table(rows=3, cols=len(header))
    table.style = "Light List Accent 1"
    for i, text in enumerate(header):
        table.cell(0, i).text = text
    table.cell(1, 0).text = f"{{%tr for {loop} %}}"
    for i, text in enumerate(cells):
        table.cell(2, i).text = text
    table.add_row().cells[0].text = "{%tr endfor %}"


def dossier_template() -> bytes:
    d = _base("Kvalitetsutmärkelsen {{ ar }} · Underlag till domarkommittén")
    d.add_paragraph("Underlag till domarkommittén", style="Title")
    d.add_paragraph("Kvalitetsutmärkelsen {{ ar }} · {{ datum }}", style="Subtitle")
    d.add_paragraph(
        "Underlaget tar upp exakt de kandidater som domarkommittén ska besluta om: de bidrag som "
        "examinatorslagen föreslår för en utmärkelse eller ett hedersomnämnande. Först rangordningen"
        "{% if har_klasser %} per tävlingsklass{% else %} per förslag{% endif %}, sedan varje kandidat på en egen "
        "sida: lagets konsensusprofil, nyckelteman, förslag och motivering, platsbesöket, den grundläggande "
        "kontrollen och det laget lämnade öppet. Utkastet till motivering är beredningsgruppens hjälp för juryns "
        "eget arbete.")
    d.add_heading("Rangordning", level=1)
    _tag(d, "{%p for grupp in grupper %}")
    d.add_heading("{{ grupp.namn }}", level=2)
    _table(d, ["Plats", "Kandidat", "Lagets förslag", "Totalt", "Grundläggande kontroll"], "rad in grupp.rangordning",
           ["{{ rad.plats }}", "{{ rad.enhet }}", "{{ rad.forslag }}", "{{ rad.totalt }}", "{{ rad.behorighet }}"])
    _tag(d, "{%p endfor %}")
    _tag(d, "{%p for grupp in grupper %}")
    _tag(d, "{%p for k in grupp.kandidater %}")
    heading = d.add_heading("{{ k.enhet }}", level=1)
    heading.paragraph_format.page_break_before = True  # each candidate on a page of its own
    d.add_paragraph("{{ grupp.namn }}{% if k.forvaltning %} · {{ k.forvaltning }}{% endif %} · Lagets förslag: "
                    "{{ k.forslag }} · Totalt: {{ k.totalt }} · Grundläggande kontroll: {{ k.behorighet }}")
    d.add_paragraph("Konsensusprofil", style="Heading 3")
    _table(d, ["Frågeområde", "Poäng"], "rad in k.profil", ["{{ rad.omrade }}", "{{ rad.poang }}"])
    d.add_paragraph("Lagets motivering", style="Heading 3")
    d.add_paragraph("{{ k.motivering }}")
    d.add_paragraph("Nyckelteman: styrkor", style="Heading 3")
    _bullets(d, "k.styrkor")
    d.add_paragraph("Nyckelteman: utvecklingsområden", style="Heading 3")
    _bullets(d, "k.utvecklingsomraden")
    d.add_paragraph("Platsbesöket", style="Heading 3")
    d.add_paragraph("{{ k.platsbesok }}")
    _bullets(d, "k.platsbesok_fragor")
    d.add_paragraph("Meningsskiljaktigheter som laget lämnade öppna", style="Heading 3")
    _bullets(d, "k.oenigheter")
    _tag(d, "{%p if not k.oenigheter %}")
    d.add_paragraph("Inga.")
    _tag(d, "{%p endif %}")
    d.add_paragraph("Utkast till motivering", style="Heading 3")
    d.add_paragraph("{{ k.utkast_motivering }}")
    _tag(d, "{%p endfor %}")
    _tag(d, "{%p endfor %}")
    return _save(d)


def diploma_template() -> bytes:
    """One page, landscape, centred: the unit, the year and what it received."""
    d = Document()
    section = d.sections[0]
    section.orientation = 1  # landscape
    section.page_height, section.page_width = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(3)
    section.top_margin, section.bottom_margin = Cm(3), Cm(2.5)
    styles = d.styles
    styles["Normal"].font.name = "Calibri"
    styles["Normal"].font.size = Pt(14)
    styles["Title"].font.size = Pt(40)
    styles["Title"].font.color.rgb = CITY_BLUE
    for text, style, size in (("Diplom", "Title", None), ("Stockholms stads kvalitetsutmärkelse {{ ar }}", None, 18),
                              ("{{ enhet }}", None, 28), ("{{ forvaltning }}", None, 14), ("{{ text }}", None, 16)):
        paragraph = d.add_paragraph(style=style) if style else d.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        if size:
            run.font.size = Pt(size)
        if text == "{{ enhet }}":
            run.bold = True
            run.font.color.rgb = CITY_BLUE
    _tag(d, "{%p if motivering %}")
    paragraph = d.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("{{ motivering }}").italic = True
    _tag(d, "{%p endif %}")
    paragraph = d.add_paragraph("Stockholm {{ datum }}")
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return _save(d)


def _save(document: Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write_defaults(directory: Path = TEMPLATE_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in ((FEEDBACK, feedback_template), (DOSSIER, dossier_template), (DIPLOMA, diploma_template)):
        path = directory / f"{name}.docx"
        path.write_bytes(build())
        written.append(path)
    return written

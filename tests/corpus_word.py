"""One contribution file per way units really write them (the intake issue's list), each
written as its editor writes the XML, with what the intake must find in it.

``ITEMS[name]()`` returns ``(data, expect)``: the file's bytes, and ``expect`` with the
questions that must be answered, the independent count per area (``counted``) and the
findings (exact texts, in order).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable

from word_xml import AUTHOR, PLACEHOLDER, WordFile, run, t, visible_chars

from scoring.year.framework import Question, load_framework
from workbench_tools import picture_maker

F2026 = load_framework(2026)
ALL = list(range(1, 20))
QUESTION_OF_AREA = {a.code: [q.number for q in a.questions] for a in F2026.areas}


@dataclasses.dataclass
class Expect:
    answered: list[int]
    counted: dict[str, int]
    findings: list[str]
    facts: dict = dataclasses.field(default_factory=dict)


def answer_text(number: int, label: str | None = None) -> str:
    return (f"Arbetslaget följer upp detta varje månad och justerar planeringen efter målgruppernas "
            f"synpunkter, senast i april (svar {number}{label or ''}).")


def heading_word(doc: WordFile, q: Question) -> None:
    doc.p(f"{q.number}. {q.text}".strip(), "Rubrik2")


def answer_word(doc: WordFile, q: Question, label: str | None) -> None:
    doc.p(answer_text(q.number, label))


def contribution(doc: WordFile, *, heading: Callable = heading_word, answer: Callable = answer_word,
                 styles: tuple[str, str, str] = ("Rubrik1", "Rubrik2", "Rubrik3"), intro: Callable | None = None,
                 before_questions: Callable | None = None, questions: list[int] = ALL,
                 google: bool = False) -> WordFile:
    """The Inledning, every area with its questions and answers, and the appendix."""
    h1, h2, h3 = styles
    doc.p("Inledning", h1, google=google)
    if intro:
        intro(doc)
    else:
        doc.p("Administrativa uppgifter", h2, google=google)
        doc.p("Verksamhetens namn: Skolan i Testby", google=google)
        doc.p("Verksamhetens chefs namn: Anna Rektor", google=google)
        doc.p("Information om verksamheten", h2, google=google)
        doc.p("Skolan har 300 elever i årskurs 1–9 och 40 medarbetare.", google=google)
    for area in F2026.areas:
        doc.area = area.code
        doc.p(area.title, h1, google=google)
        if before_questions:
            before_questions(doc, area)
        for q in area.questions:
            if q.number not in questions:
                continue
            heading(doc, q)
            for label in [p.label for p in q.parts] or [None]:
                if label:
                    part = next(p for p in q.parts if p.label == label)
                    doc.p(f"{label}) {part.text}", h3, google=google)
                answer(doc, q, label)
    doc.area = None
    doc.p("Bilaga: Verksamhetsplan 2026", h1, google=google)
    doc.p("Mål 1: Alla elever når kunskapskraven. Mål 2: Alla känner sig trygga.", google=google)
    return doc


def expect(doc: WordFile, findings: list[str], answered: list[int] = ALL, **facts) -> Expect:
    return Expect(answered, {a.code: doc.counted[a.code] for a in F2026.areas}, findings, facts)


# --- 1. a table of contents before the Inledning ----------------------------------------------


def _toc_entry(text: str, style: str, page: int, anchor: int) -> str:
    return (f'<w:p><w:pPr><w:pStyle w:val="{style}"/><w:tabs><w:tab w:val="right" w:leader="dot" w:pos="9062"/>'
            f'</w:tabs></w:pPr><w:hyperlink w:anchor="_Toc{anchor}" w:history="1">{run(text)}'
            '<w:r><w:tab/></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> PAGEREF _Toc{anchor} \\h </w:instrText></w:r>'
            f'<w:r><w:fldChar w:fldCharType="separate"/></w:r>{run(str(page))}'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:hyperlink></w:p>')


def _toc_entries(level1: str, level2: str) -> list[str]:
    entries = [("Inledning", level1), ("Administrativa uppgifter", level2)]
    for area in F2026.areas:
        entries.append((area.title, level1))
        entries += [(f"{q.number}. {q.text}"[:90], level2) for q in area.questions]
    entries.append(("Bilaga: Verksamhetsplan 2026", level1))
    return [_toc_entry(text, style, 2 + i // 3, 1000 + i) for i, (text, style) in enumerate(entries)]


def table_of_contents() -> tuple[bytes, Expect]:
    doc = WordFile()
    entries = _toc_entries("Innehll1", "Innehll2")
    begin = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve">'
             ' TOC \\o "1-3" \\h \\z \\u </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>')
    # Word starts the field in the first entry's paragraph and ends it in a paragraph of its own.
    entries[0] = entries[0].replace("<w:hyperlink", begin + "<w:hyperlink", 1)
    doc.raw('<w:sdt><w:sdtPr><w:id w:val="-1"/><w:docPartObj><w:docPartGallery w:val="Table of Contents"/>'
            '<w:docPartUnique/></w:docPartObj></w:sdtPr><w:sdtContent>'
            '<w:p><w:pPr><w:pStyle w:val="Innehllsfrteckningsrubrik"/></w:pPr>' + run("Innehåll") + "</w:p>"
            + "".join(entries) + '<w:p><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:sdtContent></w:sdt>')
    return contribution(doc).to_bytes(), expect(doc, [], toc=True)


# --- 2. tracked changes and comments --------------------------------------------------------------


def tracked_changes() -> tuple[bytes, Expect]:
    doc = WordFile()
    ids = iter(range(1, 100))

    def answer(doc: WordFile, q: Question, label: str | None) -> None:
        if q.number == 1:  # an insertion counts
            doc.p(runs=run("Vi frågar eleverna ") + f'<w:ins w:id="{next(ids)}" {AUTHOR}>{run("varje vecka ")}</w:ins>'
                  + run("om trivseln och lärandet."))
            doc.count("Vi frågar eleverna varje vecka om trivseln och lärandet.")
        elif q.number == 2:  # a deletion does not
            doc.p(runs=run("Brukarrådet ") + f'<w:del w:id="{next(ids)}" {AUTHOR}><w:r><w:delText xml:space="preserve">'
                  "som sällan träffas </w:delText></w:r></w:del>" + run("träffas varje månad."))
            doc.count("Brukarrådet träffas varje månad.")
        elif q.number == 3:  # text moved from here to question 4: only its new copy counts
            doc.p(runs=f'<w:moveFromRangeStart w:id="{next(ids)}" w:name="move1" {AUTHOR}/>'
                  f'<w:moveFrom w:id="{next(ids)}" {AUTHOR}>{run("Vi har en bemötandeplan. ")}</w:moveFrom>'
                  '<w:moveFromRangeEnd w:id="1"/>' + run("Alla nyanställda går en kurs i bemötande."))
            doc.count("Alla nyanställda går en kurs i bemötande.")
        elif q.number == 4:
            doc.p(runs=run("Vi arbetar med jämställdhet. ") + f'<w:moveToRangeStart w:id="{next(ids)}" w:name="move1" '
                  f'{AUTHOR}/><w:moveTo w:id="{next(ids)}" {AUTHOR}>{run("Vi har en bemötandeplan. ")}</w:moveTo>'
                  '<w:moveToRangeEnd w:id="3"/>')
            doc.count("Vi arbetar med jämställdhet. Vi har en bemötandeplan.")
        elif q.number == 5:  # a comment is never counted
            doc.p(runs=doc.comment("Chefen leder arbetsplatsträffar varje vecka.", "Stämmer detta verkligen?"))
            doc.count("Chefen leder arbetsplatsträffar varje vecka.")
        elif q.number == 6:  # a whole deleted paragraph, then the answer
            doc.raw(f'<w:p><w:pPr><w:rPr><w:del w:id="{next(ids)}" {AUTHOR}/></w:rPr></w:pPr>'
                    f'<w:del w:id="{next(ids)}" {AUTHOR}><w:r><w:delText>Ett stycke som togs bort.</w:delText></w:r>'
                    "</w:del></w:p>")
            answer_word(doc, q, label)
        elif q.number == 7:  # a whole inserted paragraph
            doc.raw(f'<w:p><w:pPr><w:rPr><w:ins w:id="{next(ids)}" {AUTHOR}/></w:rPr></w:pPr>'
                    f'<w:ins w:id="{next(ids)}" {AUTHOR}>{run("Ett nytt stycke om ledarskapet.")}</w:ins></w:p>')
            doc.count("Ett nytt stycke om ledarskapet.")
        else:
            answer_word(doc, q, label)

    contribution(doc, answer=answer)
    return doc.to_bytes(), expect(doc, [
        "Filen har spårade ändringar som inte är godkända (2 infogningar, 2 borttagningar, 1 flytt). Infogad text "
        "räknas, borttagen text och den gamla kopian av flyttad text räknas inte. Be verksamheten godkänna eller "
        "avvisa ändringarna.",
        "Filen har 1 kommentar; de räknas inte.",
    ], insertions=2, deletions=2, moves=1, comments=1)


# --- 3. content controls in a template the unit filled in --------------------------------------


_CONTROL_IDS = itertools.count(1000)


def _control(content: str, placeholder: bool, block: bool) -> str:
    props = (f'<w:sdtPr><w:id w:val="{next(_CONTROL_IDS)}"/><w:placeholder>'
             '<w:docPart w:val="DefaultPlaceholder_-1854013440"/></w:placeholder>'
             + ("<w:showingPlcHdr/>" if placeholder else "") + "<w:text/></w:sdtPr>")
    return f"<w:sdt>{props}<w:sdtEndPr/><w:sdtContent>{content}</w:sdtContent></w:sdt>"


def content_controls() -> tuple[bytes, Expect]:
    doc = WordFile()
    placeholder_run = f'<w:r><w:rPr><w:rStyle w:val="Platshllartext"/></w:rPr>{t(PLACEHOLDER)}</w:r>'

    def intro(doc: WordFile) -> None:
        doc.p("Administrativa uppgifter", "Rubrik2")
        doc.p(runs=run("Verksamhetens namn: ") + _control(run("Skolan i Testby"), False, False))
        doc.p(runs=run("Telefonnummer till chef: ") + _control(placeholder_run, True, False))

    def answer(doc: WordFile, q: Question, label: str | None) -> None:
        if q.number in (6, 7):  # still the template's placeholder
            doc.raw(_control(f"<w:p>{placeholder_run}</w:p>", True, True))
        else:
            doc.raw(_control(f"<w:p>{run(answer_text(q.number, label))}</w:p>", False, True))
            doc.count(answer_text(q.number, label))

    contribution(doc, answer=answer, intro=intro)
    return doc.to_bytes(), expect(doc, [
        "3 fält i mallen visar fortfarande sin platshållartext; den räknas inte som svar.",
        "Frågorna 6 och 7 är inte besvarade.",
    ], [n for n in ALL if n not in (6, 7)], placeholders=3)


# --- 4. a form: the question in one cell, the answer in the next -----------------------------------


def _cell(text: str) -> str:
    return f'<w:tc><w:tcPr><w:tcW w:w="4531" w:type="dxa"/></w:tcPr><w:p>{run(text) if text else ""}</w:p></w:tc>'


def form_layout() -> tuple[bytes, Expect]:
    doc = WordFile()
    doc.p("Inledning", "Rubrik1")
    doc.p("Verksamhetens namn: Skolan i Testby")
    for area in F2026.areas:
        doc.area = area.code
        doc.p(area.title, "Rubrik1")
        rows = [("Fråga", "Svar")]
        for q in area.questions:
            if not q.parts:
                rows.append((f"Fråga {q.number}. {q.text}", answer_text(q.number)))
                continue
            rows.append((f"Fråga {q.number}. {q.text}".strip(), ""))
            rows += [(f"{q.number} {p.label}) {p.text}", answer_text(q.number, p.label)) for p in q.parts]
        for row in rows:
            for cell in row:
                doc.count(cell)
        doc.raw('<w:tbl><w:tblPr><w:tblStyle w:val="Tabellrutnt"/><w:tblW w:w="0" w:type="auto"/></w:tblPr>'
                '<w:tblGrid><w:gridCol w:w="4531"/><w:gridCol w:w="4531"/></w:tblGrid>'
                + "".join(f"<w:tr>{_cell(a)}{_cell(b)}</w:tr>" for a, b in rows) + "</w:tbl>")
    doc.area = None
    doc.p("Bilaga: Verksamhetsplan 2026", "Rubrik1")
    doc.p("Mål 1: Alla elever når kunskapskraven.")
    return doc.to_bytes(), expect(doc, [])


# --- 5. text boxes, footnotes and endnotes ----------------------------------------------------------


FOOTNOTE = "Brukarrådet består av sex vårdnadshavare och två elever."
ENDNOTE = "Bemötandeplanen finns på skolans webbplats."
BOX = ["Ledarskapsmodellen", "Tre steg: lyssna, besluta och följa upp."]


def boxes_and_notes() -> tuple[bytes, Expect]:
    doc = WordFile()

    def answer(doc: WordFile, q: Question, label: str | None) -> None:
        if q.number == 2:
            doc.p(runs=run("Vi har brukarråd") + doc.footnote(FOOTNOTE) + run(" som träffas varje termin."))
            doc.count("Vi har brukarråd som träffas varje termin.")
        elif q.number == 3:
            doc.p(runs=run("Alla arbetar efter bemötandeplanen.") + doc.footnote(ENDNOTE, endnote=True))
            doc.count("Alla arbetar efter bemötandeplanen.")
        elif q.number == 8:
            doc.p(runs=run("Ledarskapet följs upp varje år.") + doc.text_box(BOX))
            doc.count("Ledarskapet följs upp varje år.")
        else:
            answer_word(doc, q, label)

    contribution(doc, answer=answer)
    return doc.to_bytes(), expect(doc, [], footnotes=1, endnotes=1, text_boxes=1)


# --- 6. other editors' files ------------------------------------------------------------------------


def google_docs() -> tuple[bytes, Expect]:
    doc = WordFile(producer="Google Docs", styles="google")
    doc.p("Bidrag till Kvalitetsutmärkelsen 2026", "Title", google=True)

    def heading(doc: WordFile, q: Question) -> None:
        doc.p(f"{q.number}. {q.text}".strip(), "Heading2", bold=True, google=True)

    def answer(doc: WordFile, q: Question, label: str | None) -> None:
        doc.p(answer_text(q.number, label), google=True)

    contribution(doc, heading=heading, answer=answer, styles=("Heading1", "Heading2", "Heading3"), google=True)
    return doc.to_bytes(), expect(doc, [], producer="Google Docs")


def libreoffice() -> tuple[bytes, Expect]:
    doc = WordFile(producer="LibreOffice/7.6.4.1$Linux_X86_64 LibreOffice_project/e19e193f88cd6c0525a17fb7a176ed8e6a3e2aa1",
                   styles="libreoffice")
    # LibreOffice writes its table of contents as a field over paragraphs of its own styles.
    entries = _toc_entries("Contents1", "Contents2")
    entries[0] = entries[0].replace(
        "<w:hyperlink", '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> TOC \\f \\o "1-9" \\h'
        '</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:hyperlink', 1)
    doc.raw('<w:p><w:pPr><w:pStyle w:val="ContentsHeading"/></w:pPr>' + run("Innehållsförteckning") + "</w:p>"
            + "".join(entries) + '<w:p><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')

    def answer(doc: WordFile, q: Question, label: str | None) -> None:
        doc.p(answer_text(q.number, label), "BodyText")

    contribution(doc, answer=answer, styles=("Heading1", "Heading2", "Heading2"))
    return doc.to_bytes(), expect(doc, [], producer="LibreOffice", toc=True)


def pages() -> tuple[bytes, Expect]:
    doc = WordFile(producer="Pages", styles="pages")
    doc.p("Skolan i Testby", "Title")

    def heading(doc: WordFile, q: Question) -> None:  # Pages has no list numbering in its export
        doc.p(f"Fråga {q.number}\t{q.text}".strip(), "Heading2")

    contribution(doc, heading=heading, styles=("Heading", "Heading2", "Heading3"))
    return doc.to_bytes(), expect(doc, [], producer="Pages")


# --- 7. numbering the unit chose, text copied from the PDF, questions answered together ---------


def _from_pdf(text: str) -> str:
    """A question copied from the PDF: line breaks mid-sentence, soft hyphens, a non-breaking space."""
    words = text.split(" ")
    if len(words) > 6:
        words[5] = words[5] + "\n"
    out = " ".join(words).replace("\n ", "\n")
    return out.replace("verksamheten", "verk\u00adsam\u00adheten").replace("Beskriv ", "Beskriv\u00a0", 1)


def area_dot_question() -> tuple[bytes, Expect]:
    doc = WordFile()
    positions = {q.number: (i, j) for i, a in enumerate(F2026.areas, 1) for j, q in enumerate(a.questions, 1)}

    def heading(doc: WordFile, q: Question) -> None:
        area, index = positions[q.number]
        label = f"Fråga\u00a0{area}.{index}" if q.number % 2 else f"{area}.{index}"
        doc.p(f"{label} {_from_pdf(q.text)}".strip(), "Rubrik2")

    contribution(doc, heading=heading)
    return doc.to_bytes(), expect(doc, [])


def answered_together() -> tuple[bytes, Expect]:
    doc = WordFile()
    together = {3: "3. och 4.", 5: "Fråga 5 & 6", 9: "Fråga 9–11", 15: "Frågorna 15 och 16"}
    skipped = {4, 6, 10, 11, 16}

    def heading(doc: WordFile, q: Question) -> None:
        if q.number in together:
            doc.p(together[q.number], "Rubrik2")
        else:
            heading_word(doc, q)

    contribution(doc, heading=heading, questions=[n for n in ALL if n not in skipped])
    return doc.to_bytes(), expect(doc, [
        "Frågorna 3 och 4 är besvarade tillsammans.", "Frågorna 5 och 6 är besvarade tillsammans.",
        "Frågorna 9–11 är besvarade tillsammans.", "Frågorna 15 och 16 är besvarade tillsammans.",
    ])


def _pdf_lines(text: str, width: int = 80) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + [line]


def ingress_in_custom_style() -> tuple[bytes, Expect]:
    doc = WordFile()
    kept: dict[str, list[str]] = {}

    def before_questions(doc: WordFile, area) -> None:
        if area.code == "malgrupp":  # copied from the PDF line by line, in the unit's own style
            kept[area.code] = [line for paragraph in area.ingress.split("\n") for line in _pdf_lines(paragraph)]
        elif area.code == "medarbetarskap":  # whole paragraphs in the same style
            kept[area.code] = area.ingress.split("\n")
        for line in kept.get(area.code, []):
            doc.p(line, "Ingresstext")

    contribution(doc, before_questions=before_questions)
    findings = [
        f"Ingressen till {F2026.area(code).title} finns kvar i bidraget ({len(lines)} stycken, "
        + f"{sum(visible_chars(x) for x in lines):,}".replace(",", "\u00a0")
        + " tecken); den ska tas bort och räknas nu in i teckenantalet." for code, lines in kept.items()]
    return doc.to_bytes(), expect(doc, findings)


# --- 8. a macro-enabled document or a template with a .docx name --------------------------------


def macro_document() -> tuple[bytes, Expect]:
    doc = WordFile(main_type="application/vnd.ms-word.document.macroEnabled.main+xml")
    doc.extra_parts["word/vbaProject.bin"] = (b"\xd0\xcf\x11\xe0" + b"\x00" * 60, "application/vnd.ms-office.vbaProject")
    doc.rels.append(("rIdVba", "http://schemas.microsoft.com/office/2006/relationships/vbaProject", "vbaProject.bin"))
    contribution(doc)
    return doc.to_bytes(), expect(doc, [
        "Filen är ett makroaktiverat Word-dokument (.docm) med namnet .docx. Texten har lästs (inget i filen har "
        "körts), men Word öppnar den inte under det namnet. Be verksamheten spara den som Word-dokument: Arkiv → "
        "Spara som → Word-dokument (.docx)."], kind="docm")


def template() -> tuple[bytes, Expect]:
    doc = WordFile(main_type="application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml")
    contribution(doc)
    return doc.to_bytes(), expect(doc, [
        "Filen är en Word-mall (.dotx) med namnet .docx. Texten har lästs (inget i filen har körts), men Word "
        "öppnar den inte under det namnet. Be verksamheten spara den som Word-dokument: Arkiv → Spara som → "
        "Word-dokument (.docx)."], kind="dotx")


# --- 9. pictures ------------------------------------------------------------------------------------


PICTURES = {1: ("wheel", 640, 640), 4: ("chart", 560, 380), 10: ("photo", 480, 320), 16: ("text", 828, 240),
            17: ("emf", 100, 100)}


def with_pictures() -> tuple[bytes, Expect]:
    """Five pictures: an årshjul, a diagram, a photo, a text passage (question 16) and an EMF."""
    doc = WordFile()
    makers = {"wheel": (picture_maker.wheel_picture, "png"), "chart": (picture_maker.chart_picture, "png"),
              "photo": (picture_maker.photo_picture, "jpeg"), "text": (picture_maker.text_picture, "png"),
              "emf": (picture_maker.emf_picture, "emf")}

    def answer(doc: WordFile, q: Question, label: str | None) -> None:
        answer_word(doc, q, label)
        if q.number in PICTURES and label in (None, "a"):
            kind, width, height = PICTURES[q.number]
            make, extension = makers[kind]
            doc.p(runs=doc.image(make(), extension, width, height))

    contribution(doc, answer=answer)
    return doc.to_bytes(), expect(doc, [])  # the picture findings depend on OCR; the test names them


# --- 10. findings that read well --------------------------------------------------------------------


def three_questions() -> tuple[bytes, Expect]:
    doc = WordFile()
    contribution(doc, questions=[1, 2, 3])
    return doc.to_bytes(), expect(doc, ["Frågorna 4–19 hittades inte i bidraget."], [1, 2, 3])


ITEMS: dict[str, Callable[[], tuple[bytes, Expect]]] = {
    "innehallsforteckning": table_of_contents,
    "sparade_andringar": tracked_changes,
    "innehallskontroller": content_controls,
    "formular": form_layout,
    "textrutor_och_fotnoter": boxes_and_notes,
    "google_docs": google_docs,
    "libreoffice": libreoffice,
    "pages": pages,
    "omrade_punkt_fraga": area_dot_question,
    "besvarade_tillsammans": answered_together,
    "ingress_egen_stil": ingress_in_custom_style,
    "makrodokument": macro_document,
    "mall": template,
    "bilder": with_pictures,
    "tre_fragor": three_questions,
}


def strict_ooxml() -> bytes:
    """A file saved as "Strict Open XML Document": the same package in the ISO namespaces."""
    data = contribution(WordFile()).to_bytes()
    import io
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            member = source.read(item.filename)
            if item.filename == "word/document.xml":
                member = member.replace(b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
                                        b"http://purl.oclc.org/ooxml/wordprocessingml/main")
            target.writestr(item, member)
    return out.getvalue()


def other_zip(members: dict[str, bytes]) -> bytes:
    """A zip with a .docx name that holds something else (Excel, OpenDocument, …)."""
    import io
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def wrong_main_type() -> bytes:
    """A package whose main part is declared with a type no Word file has."""
    doc = contribution(WordFile(main_type="application/xml"))
    return doc.to_bytes()

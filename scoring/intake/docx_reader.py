"""Read a Word file into a flat list of blocks, in document order, and what else it holds.

Works on the XML directly: python-docx's ``Paragraph.style`` is slow per call, so styles
are resolved once through a dict. Automatic list numbers exist only in numbering.xml,
so they are computed here. Page headers and footers live in other parts and are never
read. Refuses bad files before parsing them: wrong kind, legacy .doc, password
protection, broken or oversized zips.

What Word shows is what is read: tracked insertions count, deletions and the old copy of
moved text do not, comments never; a content control still showing its placeholder is
left empty; a table of contents is one block of its own; a text box is read once (Word
also stores an old-style copy as a fallback); footnotes and endnotes ride on the block
that refers to them. Everything here is a pure function of the file's bytes.
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from collections.abc import Callable

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.parser import parse_xml

from scoring.core.errors import Refused
from scoring.core.text import decimal

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_V = "{urn:schemas-microsoft-com:vml}"
_M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_HEADING_NAME = re.compile(
    r"^(?:heading|rubrik|überschrift|titre|title|titel)\s*([1-9])?$|^(subtitle|underrubrik)$", re.I)
_TOC_NAME = re.compile(r"^(?:toc|innehållsförteckning|contents|index|förteckning)\s*(?:[1-9]|heading|rubrik)?$"
                       r"|^toc heading$|^contents heading$", re.I)
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
# What a .docx name may hide: Word reads these only under their own extension.
_OTHER_MAIN_TYPES = {
    "application/vnd.ms-word.document.macroEnabled.main+xml": "docm",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": "dotx",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml": "dotm",
}
KIND_NAMES = {
    "docm": "ett makroaktiverat Word-dokument (.docm)",
    "dotx": "en Word-mall (.dotx)",
    "dotm": "en makroaktiverad Word-mall (.dotm)",
}
_PRODUCERS = (("google", "Google Docs"), ("libreoffice", "LibreOffice"), ("openoffice", "LibreOffice"),
              ("pages", "Pages"), ("microsoft", "Microsoft Word"), ("word", "Microsoft Word"))


class UnreadableFile(Refused):
    """The file cannot be taken in; the message is Swedish and names the reason."""


@dataclasses.dataclass
class Block:
    """One paragraph, table, picture-only paragraph or table of contents of the document body."""

    id: str
    ordinal: int
    kind: str  # "stycke", "tabell", "bild" or "innehall" (a table of contents)
    text: str
    heading_level: int | None = None
    bold: bool = False
    list_label: str | None = None  # the automatic number or letter, e.g. "7" or "a"
    list_level: int | None = None
    images: int = 0
    rows: list[list[str]] | None = None  # for tables
    notes: list[dict] = dataclasses.field(default_factory=list)  # {"kind", "number", "text"}
    pictures: list[str] = dataclasses.field(default_factory=list)  # picture ids, in order
    frame: str | None = None  # "textruta" (a text box) or "formular" (a cell of a form table)
    style: str | None = None  # the paragraph style's name

    @property
    def chars(self) -> int:
        """Characters excluding spaces, as the award's length rule counts them, notes included."""
        notes = sum(count_chars(n["text"]) for n in self.notes)
        if self.kind == "innehall":
            return 0  # Word makes it from the headings; it is not the unit's text
        if self.rows is not None:  # a table's cells, not the separators between them
            return sum(count_chars(cell) for row in self.rows for cell in row) + notes
        return count_chars(self.text) + notes

    @property
    def all_text(self) -> str:
        """The text with its notes, as the length rule with spaces counts it."""
        return "\n".join([self.text, *(n["text"] for n in self.notes)]) if self.kind != "innehall" else ""


@dataclasses.dataclass
class Picture:
    """One picture in the body; the OCR fields are filled by ``pictures.read_text``."""

    id: str
    block_id: str
    part: str  # the picture's member in the file, e.g. "word/media/image1.png"
    status: str = "oläst"  # oläst, läst, ingen_ocr, format, för_liten, för_stor, tidsgräns, trasig
    width: int | None = None
    height: int | None = None
    text: str = ""  # the words OCR read with confidence, line by line
    chars: int = 0  # their characters without spaces
    passage_chars: int = 0  # characters in lines of running text


@dataclasses.dataclass
class Facts:
    """What the file holds besides its text: kind, producer, unfinished edits."""

    kind: str = "docx"  # docx, docm, dotx, dotm
    producer: str | None = None
    insertions: int = 0
    deletions: int = 0
    moves: int = 0
    comments: int = 0
    placeholders: int = 0  # content controls still showing their placeholder text
    text_boxes: int = 0
    footnotes: int = 0
    endnotes: int = 0
    toc: bool = False
    ocr: str | None = None  # why pictures were not read, when they were not

    @property
    def unaccepted_changes(self) -> int:
        return self.insertions + self.deletions + self.moves


@dataclasses.dataclass
class ReadDocument:
    blocks: list[Block]
    pictures: list[Picture]
    facts: Facts


def count_chars(text: str) -> int:
    return len("".join(text.split()))


def check_container(data: bytes, filename: str, max_bytes: int, max_unpacked_bytes: int) -> None:
    """Refuse what is not a readable .docx, cheaply and before parsing any XML."""
    if not data:
        raise UnreadableFile(f"{filename}: filen är tom.")
    if len(data) > max_bytes:
        raise UnreadableFile(
            f"{filename}: filen är {decimal(len(data) / 1e6)} MB; gränsen är {max_bytes / 1e6:.0f} MB."
        )
    if data.startswith(_CFB_MAGIC):
        if _ENCRYPTED in data[:1_000_000] or _ENCRYPTED in data[-1_000_000:]:
            raise UnreadableFile(
                f"{filename}: filen är lösenordsskyddad. Be verksamheten skicka den utan lösenord."
            )
        raise UnreadableFile(
            f"{filename}: filen är i det gamla Word-formatet (.doc). Be om en .docx-fil "
            "(Spara som → Word-dokument)."
        )
    if data.startswith(b"%PDF"):
        raise UnreadableFile(f"{filename}: filen är en PDF. Bidraget ska lämnas som Word-fil (.docx).")
    if data.lstrip().startswith(b"{\\rtf"):
        raise UnreadableFile(f"{filename}: filen är en RTF-fil. Be om en .docx-fil (Spara som → Word-dokument).")
    if not data.startswith(b"PK"):
        raise UnreadableFile(f"{filename}: filen är inte en Word-fil (.docx).")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
            # Declared sizes bound what zipfile will ever unpack, so checking them refuses
            # a zip bomb without unpacking anything.
            unpacked = sum(m.file_size for m in members)
            small = {m.filename for m in members if m.file_size < 200}  # never unpack a large member here
            mimetype = archive.read("mimetype") if "mimetype" in small else b""
    except (zipfile.BadZipFile, OSError, EOFError):
        raise UnreadableFile(f"{filename}: filen är trasig (zip-arkivet går inte att läsa).") from None
    if "word/document.xml" not in names:
        raise UnreadableFile(f"{filename}: {_other_zip(names, mimetype)}")
    if unpacked > max_unpacked_bytes:
        raise UnreadableFile(
            f"{filename}: filen packas upp till {unpacked / 1e6:.0f} MB, mer än gränsen "
            f"{max_unpacked_bytes / 1e6:.0f} MB. Den tas inte emot."
        )


def _other_zip(names: set[str], mimetype: bytes) -> str:
    save_as = "Be verksamheten spara bidraget som Word-dokument (.docx)."
    if b"opendocument.text" in mimetype:
        return f"filen är ett OpenDocument-dokument (.odt). {save_as}"
    if "xl/workbook.xml" in names:
        return f"filen är en Excel-fil, inget Word-dokument. {save_as}"
    if "ppt/presentation.xml" in names:
        return f"filen är en PowerPoint-presentation, inget Word-dokument. {save_as}"
    return "filen är ett zip-arkiv men inget Word-dokument."


# --- styles and numbering -------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Style:
    name: str
    heading_level: int | None
    bold: bool
    num_id: str | None
    num_level: int
    toc: bool


def _style_table(document) -> dict[str, _Style]:
    raw: dict[str, dict] = {}
    for style in document.styles.element.iterchildren(W + "style"):
        style_id = style.get(W + "styleId")
        name_el = style.find(W + "name")
        based = style.find(W + "basedOn")
        ppr = style.find(W + "pPr")
        rpr = style.find(W + "rPr")
        outline = ppr.find(W + "outlineLvl") if ppr is not None else None
        num = ppr.find(W + "numPr") if ppr is not None else None
        bold_el = rpr.find(W + "b") if rpr is not None else None
        raw[style_id] = {
            "name": (name_el.get(W + "val") if name_el is not None else "") or style_id or "",
            "based": based.get(W + "val") if based is not None else None,
            "outline": _int(outline.get(W + "val")) if outline is not None else None,
            "bold": bold_el is not None and bold_el.get(W + "val") not in ("0", "false"),
            "num_id": _val(num, "numId"),
            "num_level": _int(_val(num, "ilvl")) or 0,
        }

    def level(style_id: str | None, depth: int = 0) -> int | None:
        entry = raw.get(style_id or "")
        if entry is None or depth > 10:
            return None
        match = _HEADING_NAME.match(entry["name"].strip())
        if match:
            return 2 if match.group(2) else int(match.group(1) or 1)
        if entry["outline"] is not None and entry["outline"] < 9:
            return entry["outline"] + 1
        return level(entry["based"], depth + 1)

    def inherited(style_id: str | None, key: str, depth: int = 0):
        entry = raw.get(style_id or "")
        if entry is None or depth > 10:
            return None
        return entry[key] if entry[key] else inherited(entry["based"], key, depth + 1)

    return {
        sid: _Style(e["name"], level(sid), bool(inherited(sid, "bold")), inherited(sid, "num_id"),
                    e["num_level"], bool(_TOC_NAME.match(e["name"].strip())))
        for sid, e in raw.items()
    }


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _val(parent, tag: str) -> str | None:
    if parent is None:
        return None
    el = parent.find(W + tag)
    return el.get(W + "val") if el is not None else None


class _Numbering:
    """Counts automatic list numbers as Word shows them (the common formats)."""

    def __init__(self, document) -> None:
        self._formats: dict[tuple[str, int], tuple[str, int]] = {}
        self._abstract_of: dict[str, str] = {}
        self._overrides: dict[tuple[str, int], int] = {}
        self._counters: dict[str, dict[int, int]] = {}
        try:
            numbering = document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            return
        for abstract in numbering.iterchildren(W + "abstractNum"):
            aid = abstract.get(W + "abstractNumId")
            for lvl in abstract.iterchildren(W + "lvl"):
                ilvl = _int(lvl.get(W + "ilvl")) or 0
                self._formats[(aid, ilvl)] = (_val(lvl, "numFmt") or "decimal", _int(_val(lvl, "start")) or 1)
        for num in numbering.iterchildren(W + "num"):
            num_id = num.get(W + "numId")
            self._abstract_of[num_id] = _val(num, "abstractNumId")
            for override in num.iterchildren(W + "lvlOverride"):
                start = override.find(W + "startOverride")
                if start is not None:
                    self._overrides[(num_id, _int(override.get(W + "ilvl")) or 0)] = _int(start.get(W + "val")) or 1

    def next_label(self, num_id: str, level: int) -> str | None:
        abstract = self._abstract_of.get(num_id)
        if abstract is None or num_id == "0":
            return None
        fmt, start = self._formats.get((abstract, level), ("decimal", 1))
        start = self._overrides.get((num_id, level), start)
        counters = self._counters.setdefault(abstract, {})
        counters[level] = counters.get(level, start - 1) + 1
        for deeper in [lv for lv in counters if lv > level]:
            del counters[deeper]  # a new item at this level restarts the levels below
        value = counters[level]
        if fmt in ("lowerLetter", "upperLetter"):
            letter = chr(ord("a") + (value - 1) % 26)
            return letter if fmt == "lowerLetter" else letter.upper()
        if fmt in ("decimal", "decimalZero"):
            return str(value)
        return None  # bullets and other formats carry no question number


# --- opening ---------------------------------------------------------------------------------


def _open(data: bytes, filename: str) -> tuple[docx.document.Document, str]:
    """python-docx's document and the file's kind; a .docm or .dotx is read as what it holds."""
    kind = "docx"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            types = archive.read("[Content_Types].xml")
            head = archive.open("word/document.xml").read(4000)
    except (KeyError, zipfile.BadZipFile, OSError, EOFError):
        raise UnreadableFile(f"{filename}: Word-dokumentet är skadat och går inte att läsa.") from None
    if b"purl.oclc.org/ooxml/wordprocessingml" in head:
        raise UnreadableFile(
            f"{filename}: filen är sparad som ”Strikt Open XML-dokument”, som inte kan läsas här. Be "
            "verksamheten spara den som vanligt Word-dokument (Spara som → Word-dokument (.docx)).")
    for content_type, other in _OTHER_MAIN_TYPES.items():
        if content_type.encode() in types:
            # Only the declared type differs; nothing in the file is run, macros included.
            kind, data = other, _with_main_type(data, content_type)
            break
    try:
        return docx.Document(io.BytesIO(data)), kind
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        if kind == "docx" and _MAIN.encode() not in types:
            raise UnreadableFile(
                f"{filename}: filen är inget Word-dokument som går att läsa (huvuddelen saknas eller har fel "
                "typ). Be verksamheten spara bidraget som Word-dokument (.docx).") from exc
        raise UnreadableFile(f"{filename}: Word-dokumentet är skadat och går inte att läsa.") from exc
    except Exception as exc:  # lxml XMLSyntaxError and kin: a damaged document part
        raise UnreadableFile(f"{filename}: Word-dokumentet är skadat och går inte att läsa.") from exc


def _with_main_type(data: bytes, content_type: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            member = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                member = member.replace(content_type.encode(), _MAIN.encode())
            target.writestr(item, member)
    return out.getvalue()


def _producer(document) -> str | None:
    """Which program wrote the file, from docProps/app.xml (Application) when present."""
    try:
        for rel in document.part.package.rels.values():
            if rel.reltype.endswith("/extended-properties"):
                root = parse_xml(rel.target_part.blob)
                application = " ".join(root.itertext()).lower()[:400]
                return next((name for key, name in _PRODUCERS if key in application), None)
    except Exception:  # an odd or damaged properties part names no producer, nothing more
        return None
    return None


def _part_xml(document, reltype_end: str):
    for rel in document.part.rels.values():
        if rel.reltype.endswith(reltype_end) and not rel.is_external:
            part = rel.target_part
            element = getattr(part, "element", None)
            return element if element is not None else parse_xml(part.blob)
    return None


# --- reading the body ------------------------------------------------------------------------


class _Reader:
    def __init__(self, document, is_question: Callable[[str], bool] | None) -> None:
        self.document = document
        self.styles = _style_table(document)
        self.numbering = _Numbering(document)
        self.is_question = is_question
        self.blocks: list[Block] = []
        self.pictures: list[Picture] = []
        self.facts = Facts()
        self.fields: list[dict] = []  # open complex fields: {"instr": str, "result": bool}
        self.toc_lines: list[str] = []
        self.images_by_rel = {rid: rel.target_ref for rid, rel in document.part.rels.items()
                              if rel.reltype.endswith("/image") and not rel.is_external}
        self.note_texts = {"fotnot": self._notes("/footnotes", "footnote"),
                           "slutnot": self._notes("/endnotes", "endnote")}
        self.note_numbers = {"fotnot": 0, "slutnot": 0}
        comments = _part_xml(document, "/comments")
        self.facts.comments = len(comments.findall(W + "comment")) if comments is not None else 0

    def _notes(self, reltype_end: str, tag: str) -> dict[str, str]:
        root = _part_xml(self.document, reltype_end)
        if root is None:
            return {}
        notes = {}
        for note in root.iterchildren(W + tag):
            if note.get(W + "type") in ("separator", "continuationSeparator", "continuationNotice"):
                continue
            texts = [self._plain_text(p) for p in note.iter(W + "p")]
            notes[note.get(W + "id")] = "\n".join(t for t in texts if t)
        return notes

    @staticmethod
    def _plain_text(p) -> str:
        """A note's paragraph: what Word shows, without its own reference mark."""
        parts = []
        for el in p.iter(W + "t", W + "tab", W + "br", W + "softHyphen", W + "noBreakHyphen"):
            if any(a.tag in (W + "del", W + "moveFrom", _MC + "Fallback") for a in el.iterancestors()):
                continue
            parts.append({W + "t": el.text or "", W + "softHyphen": "", W + "noBreakHyphen": "-"}.get(el.tag, " "))
        return _clean("".join(parts))

    # -- blocks

    def add(self, kind: str, text: str, **extra) -> Block:
        self.flush_toc()
        return self._add(kind, text, **extra)

    def _add(self, kind: str, text: str, **extra) -> Block:
        ordinal = len(self.blocks) + 1
        block = Block(id=f"b{ordinal:04d}", ordinal=ordinal, kind=kind, text=text, **extra)
        self.blocks.append(block)
        return block

    def flush_toc(self) -> None:
        if self.toc_lines:
            lines, self.toc_lines = self.toc_lines, []
            self.facts.toc = True
            self._add("innehall", "\n".join(lines))

    def walk(self, container, frame: str | None = None, in_toc: bool = False) -> None:
        for child in container.iterchildren():
            tag = child.tag
            if tag == W + "p":
                self.paragraph(child, frame, in_toc)
            elif tag == W + "tbl":
                self.table(child, frame)
            elif tag == W + "sdt":
                self.block_control(child, frame, in_toc)
            elif tag in (W + "customXml", W + "ins", W + "moveTo"):
                self.walk(child, frame, in_toc)
            elif tag == _MC + "AlternateContent":
                choice = child.find(_MC + "Choice")
                if choice is not None:
                    self.walk(choice, frame, in_toc)
        if frame is None:
            self.flush_toc()

    def block_control(self, sdt, frame: str | None, in_toc: bool) -> None:
        props = sdt.find(W + "sdtPr")
        content = sdt.find(W + "sdtContent")
        if content is None:
            return
        if props is not None and props.find(W + "showingPlcHdr") is not None:
            self.facts.placeholders += 1
            return  # the template's placeholder, not the unit's answer
        gallery = props.find(f"{W}docPartObj/{W}docPartGallery") if props is not None else None
        toc = gallery is not None and "contents" in (gallery.get(W + "val") or "").lower()
        self.walk(content, frame, in_toc or toc)

    def table(self, tbl, frame: str | None) -> None:
        rows_el = [tr for tr in tbl.iterchildren(W + "tr") if not _deleted_row(tr, self.facts)]
        if self.is_question is not None and frame is None and self._is_form(rows_el):
            self.flush_toc()
            for tr in rows_el:
                for tc in tr.iterchildren(W + "tc"):
                    self.walk(tc, "formular")
            return
        rows, notes, pictures, boxes = [], [], [], []
        for tr in rows_el:
            cells = []
            for tc in tr.iterchildren(W + "tc"):
                texts = []
                for p in tc.iter(W + "p"):
                    if _inside_nested_box(p, tc):
                        continue
                    read = self.read_paragraph(p)
                    texts.append(read.text)
                    notes += read.notes
                    pictures += read.pictures
                    boxes += read.boxes
                cells.append(" ".join(t for t in texts if t).strip())
            rows.append(cells)
        text = "\n".join(" | ".join(r) for r in rows)
        if not any(any(r) for r in rows) and not pictures:
            return
        block = self.add("tabell", text, rows=rows, notes=notes, images=len(pictures))
        self.attach_pictures(block, pictures)
        for box in boxes:
            self.walk(box, "textruta")

    def _is_form(self, rows_el) -> bool:
        """A questionnaire laid out as a table: some cell holds a question, a next one its answer."""
        for tr in rows_el[:60]:
            for tc in tr.iterchildren(W + "tc"):
                first = next((p for p in tc.iter(W + "p") if self._plain_text(p)), None)
                if first is not None and self.is_question(self._plain_text(first)):
                    return True
        return False

    def paragraph(self, p, frame: str | None, in_toc: bool) -> None:
        ppr = p.find(W + "pPr")
        style = self.styles.get(_val(ppr, "pStyle") or "Normal") or self.styles.get("Normal")
        read = self.read_paragraph(p)
        if in_toc or read.in_toc or (style is not None and style.toc):
            if read.text:
                self.toc_lines.append(read.text)
            return
        self.flush_toc()
        num = ppr.find(W + "numPr") if ppr is not None else None
        num_id = _val(num, "numId") or (style.num_id if style else None)
        label = level = None
        if num_id:
            level = _int(_val(num, "ilvl")) or (style.num_level if style and num is None else 0)
            # A numbered paragraph deleted whole (its mark too) no longer takes a number.
            deleted = not read.text and ppr is not None and ppr.find(f"{W}rPr/{W}del") is not None
            label = None if deleted else self.numbering.next_label(num_id, level)
        if read.text or read.pictures or read.notes:
            outline = _int(_val(ppr, "outlineLvl"))
            heading = style.heading_level if style else None
            if outline is not None and outline < 9:
                heading = outline + 1
            block = self.add(
                "stycke" if read.text else "bild",
                read.text,
                heading_level=heading,
                bold=read.bold(style),
                list_label=label,
                list_level=level if label else None,
                images=len(read.pictures),
                notes=read.notes,
                frame=frame,
                style=style.name if style else None,
            )
            self.attach_pictures(block, read.pictures)
        for box in read.boxes:
            self.walk(box, "textruta")

    def attach_pictures(self, block: Block, parts: list[str]) -> None:
        for part in parts:
            picture = Picture(f"bild{len(self.pictures) + 1}", block.id, part)
            self.pictures.append(picture)
            block.pictures.append(picture.id)

    def read_paragraph(self, p) -> _Paragraph:
        read = _Paragraph()
        self._collect(p, read)
        read.finish()
        return read

    def _collect(self, el, read: _Paragraph) -> None:
        for child in el.iterchildren():
            tag = child.tag
            if tag == W + "r":
                self._run(child, read)
            elif tag in (W + "hyperlink", W + "smartTag", W + "customXml", W + "fldSimple", W + "dir", W + "bdo"):
                if tag == W + "fldSimple" and (child.get(W + "instr") or "").strip().upper().startswith("TOC"):
                    read.in_toc = True
                self._collect(child, read)
            elif tag in (W + "ins", W + "moveTo"):
                if tag == W + "ins":
                    self.facts.insertions += 1
                self._collect(child, read)
            elif tag == W + "del":
                self.facts.deletions += 1
            elif tag == W + "moveFrom":
                self.facts.moves += 1  # the old copy of moved text; its new copy is in moveTo
            elif tag == W + "sdt":
                props = child.find(W + "sdtPr")
                content = child.find(W + "sdtContent")
                if props is not None and props.find(W + "showingPlcHdr") is not None:
                    self.facts.placeholders += 1
                elif content is not None:
                    self._collect(content, read)
            elif tag == _MC + "AlternateContent":
                choice = child.find(_MC + "Choice")
                if choice is not None:
                    self._collect(choice, read)
            elif tag in (_M + "oMath", _M + "oMathPara"):
                read.add("".join(t.text or "" for t in child.iter(_M + "t")), False)

    def _run(self, r, read: _Paragraph) -> None:
        rpr = r.find(W + "rPr")
        hidden = rpr is not None and (rpr.find(W + "vanish") is not None or rpr.find(W + "webHidden") is not None)
        bold = None
        if rpr is not None and (b := rpr.find(W + "b")) is not None:
            bold = b.get(W + "val") not in ("0", "false")
        for child in r.iterchildren():
            tag = child.tag
            if tag == W + "fldChar":
                kind = child.get(W + "fldCharType")
                if kind == "begin":
                    self.fields.append({"instr": "", "result": False})
                elif kind == "separate" and self.fields:
                    self.fields[-1]["result"] = True
                elif kind == "end" and self.fields:
                    self.fields.pop()
            elif tag == W + "instrText":
                if self.fields and not self.fields[-1]["result"]:
                    self.fields[-1]["instr"] += child.text or ""
            elif self.fields and not self.fields[-1]["result"]:
                continue  # inside a field's instruction: nothing there is shown
            elif tag == W + "t":
                if not hidden:
                    read.add(child.text or "", bold)
                    if any(f["instr"].strip().upper().startswith("TOC") for f in self.fields):
                        read.in_toc = True
            elif tag in (W + "tab", W + "ptab"):
                read.add(" ", None)
            elif tag in (W + "br", W + "cr"):
                read.add("\n", None)
            elif tag == W + "noBreakHyphen":
                read.add("-", bold)
            elif tag in (W + "footnoteReference", W + "endnoteReference"):
                kind = "fotnot" if tag == W + "footnoteReference" else "slutnot"
                text = self.note_texts[kind].get(child.get(W + "id"))
                if text is not None:
                    self.note_numbers[kind] += 1
                    self.facts.footnotes += kind == "fotnot"
                    self.facts.endnotes += kind == "slutnot"
                    read.notes.append({"kind": kind, "number": self.note_numbers[kind], "text": text})
            elif tag == W + "drawing":
                self._drawing(child, read)
            elif tag in (W + "pict", W + "object"):
                self._vml(child, read)
            elif tag == _MC + "AlternateContent":
                choice = child.find(_MC + "Choice")
                if choice is not None:
                    self._run_children_of(choice, read)

    def _run_children_of(self, choice, read: _Paragraph) -> None:
        for child in choice.iterchildren():
            if child.tag == W + "drawing":
                self._drawing(child, read)
            elif child.tag in (W + "pict", W + "object"):
                self._vml(child, read)

    def _drawing(self, drawing, read: _Paragraph) -> None:
        box = next(drawing.iter(W + "txbxContent"), None)
        if box is not None:
            self.facts.text_boxes += 1
            read.boxes.append(box)
            return
        for blip in drawing.iter(_A + "blip"):
            part = self.images_by_rel.get(blip.get(_R + "embed"))
            if part:
                read.pictures.append(_member(part))
                break

    def _vml(self, pict, read: _Paragraph) -> None:
        box = next(pict.iter(W + "txbxContent"), None)
        if box is not None:
            self.facts.text_boxes += 1
            read.boxes.append(box)
            return
        for image in pict.iter(_V + "imagedata"):
            part = self.images_by_rel.get(image.get(_R + "id"))
            if part:
                read.pictures.append(_member(part))
                break


class _Paragraph:
    """What one paragraph shows: text, whether all of it is bold, notes, pictures, text boxes."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.bolds: list[bool | None] = []
        self.notes: list[dict] = []
        self.pictures: list[str] = []
        self.boxes: list = []
        self.in_toc = False
        self.text = ""

    def add(self, text: str, bold: bool | None) -> None:
        self.pieces.append(text)
        if text.strip():
            self.bolds.append(bold)

    def finish(self) -> None:
        self.text = _clean("".join(self.pieces))

    def bold(self, style: _Style | None) -> bool:
        if not self.text or not self.bolds:
            return False
        style_bold = bool(style and style.bold)
        return all(style_bold if b is None else b for b in self.bolds)


def _clean(text: str) -> str:
    """What a reader sees: no soft hyphens or zero-width marks; line breaks kept as such."""
    if _INVISIBLE.search(text):
        text = _INVISIBLE.sub("", text)
    if "\n" not in text:
        return text.strip()
    return "\n".join(line.strip() for line in text.split("\n")).strip()


def _member(target_ref: str) -> str:
    """The zip member a relationship from word/document.xml points to."""
    if target_ref.startswith("/"):
        return target_ref.lstrip("/")
    parts: list[str] = ["word"]
    for piece in target_ref.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _deleted_row(tr, facts: Facts) -> bool:
    trpr = tr.find(W + "trPr")
    if trpr is not None and trpr.find(W + "del") is not None:
        facts.deletions += 1
        return True
    return False


def _inside_nested_box(p, cell) -> bool:
    """A paragraph of a text box anchored in the cell; it is read as the text box."""
    for ancestor in p.iterancestors():
        if ancestor is cell:
            return False
        if ancestor.tag in (W + "txbxContent", _MC + "Fallback"):
            return True
    return False


def read_document(data: bytes, filename: str = "bidrag.docx",
                  is_question: Callable[[str], bool] | None = None) -> ReadDocument:
    """The body's blocks, its pictures (not yet read) and the file's facts.

    ``is_question`` tells a questionnaire laid out as a table (question in one cell, answer
    in the next) from a table of figures: such a table is read cell by cell.
    """
    document, kind = _open(data, filename)
    reader = _Reader(document, is_question)
    reader.facts.kind = kind
    reader.facts.producer = _producer(document)
    try:
        reader.walk(document.element.body)
    except RecursionError:
        raise UnreadableFile(f"{filename}: Word-dokumentet är för djupt nästlat för att läsas.") from None
    return ReadDocument(reader.blocks, reader.pictures, reader.facts)


def read_blocks(data: bytes, filename: str = "bidrag.docx") -> list[Block]:
    return read_document(data, filename).blocks


def read_paragraph_texts(data: bytes) -> list[str]:
    """What merely opening the file and reading every paragraph costs (the benchmark baseline)."""
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]

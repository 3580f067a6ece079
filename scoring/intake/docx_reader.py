"""Read a Word file into a flat list of blocks, in document order.

Works on the XML directly: python-docx's ``Paragraph.style`` is slow per call, so styles
are resolved once through a dict. Automatic list numbers exist only in numbering.xml,
so they are computed here. Page headers and footers live in other parts and are never
read. Refuses bad files before parsing them: wrong kind, legacy .doc, password
protection, broken or oversized zips.
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile

import docx
from docx.opc.exceptions import PackageNotFoundError

from scoring.core.errors import Refused

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_HEADING_NAME = re.compile(r"^(?:heading|rubrik|überschrift|titre)\s*([1-9])$", re.I)


class UnreadableFile(Refused):
    """The file cannot be taken in; the message is Swedish and names the reason."""


@dataclasses.dataclass
class Block:
    """One paragraph, table or picture-only paragraph of the document body."""

    id: str
    ordinal: int
    kind: str  # "stycke", "tabell" or "bild"
    text: str
    heading_level: int | None = None
    bold: bool = False
    list_label: str | None = None  # the automatic number or letter, e.g. "7" or "a"
    list_level: int | None = None
    images: int = 0
    rows: list[list[str]] | None = None  # for tables

    @property
    def chars(self) -> int:
        """Characters excluding spaces, as the award's length rule counts them."""
        if self.rows is not None:  # a table's cells, not the separators between them
            return sum(count_chars(cell) for row in self.rows for cell in row)
        return count_chars(self.text)


def count_chars(text: str) -> int:
    return len("".join(text.split()))


def check_container(data: bytes, filename: str, max_bytes: int, max_unpacked_bytes: int) -> None:
    """Refuse what is not a readable .docx, cheaply and before parsing any XML."""
    if not data:
        raise UnreadableFile(f"{filename}: filen är tom.")
    if len(data) > max_bytes:
        raise UnreadableFile(
            f"{filename}: filen är {len(data) / 1e6:.1f} MB; gränsen är {max_bytes / 1e6:.0f} MB."
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
    if not data.startswith(b"PK"):
        raise UnreadableFile(f"{filename}: filen är inte en Word-fil (.docx).")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
            # Declared sizes bound what zipfile will ever unpack, so checking them refuses
            # a zip bomb without unpacking anything.
            unpacked = sum(m.file_size for m in members)
    except zipfile.BadZipFile:
        raise UnreadableFile(f"{filename}: filen är trasig (zip-arkivet går inte att läsa).") from None
    if "word/document.xml" not in names:
        raise UnreadableFile(f"{filename}: filen är ett zip-arkiv men inget Word-dokument.")
    if unpacked > max_unpacked_bytes:
        raise UnreadableFile(
            f"{filename}: filen packas upp till {unpacked / 1e6:.0f} MB, mer än gränsen "
            f"{max_unpacked_bytes / 1e6:.0f} MB. Den tas inte emot."
        )


@dataclasses.dataclass(frozen=True)
class _Style:
    heading_level: int | None
    bold: bool
    num_id: str | None
    num_level: int


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
            "name": name_el.get(W + "val") if name_el is not None else "",
            "based": based.get(W + "val") if based is not None else None,
            "outline": int(outline.get(W + "val")) if outline is not None else None,
            "bold": bold_el is not None and bold_el.get(W + "val") not in ("0", "false"),
            "num_id": _val(num, "numId"),
            "num_level": int(_val(num, "ilvl") or 0),
        }

    def level(style_id: str | None, depth: int = 0) -> int | None:
        entry = raw.get(style_id or "")
        if entry is None or depth > 10:
            return None
        match = _HEADING_NAME.match(entry["name"].strip())
        if match:
            return int(match.group(1))
        if entry["outline"] is not None and entry["outline"] < 9:
            return entry["outline"] + 1
        return level(entry["based"], depth + 1)

    def inherited(style_id: str | None, key: str, depth: int = 0):
        entry = raw.get(style_id or "")
        if entry is None or depth > 10:
            return None
        return entry[key] if entry[key] else inherited(entry["based"], key, depth + 1)

    return {
        sid: _Style(level(sid), bool(inherited(sid, "bold")), inherited(sid, "num_id"), e["num_level"])
        for sid, e in raw.items()
    }


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
                ilvl = int(lvl.get(W + "ilvl"))
                self._formats[(aid, ilvl)] = (_val(lvl, "numFmt") or "decimal", int(_val(lvl, "start") or 1))
        for num in numbering.iterchildren(W + "num"):
            num_id = num.get(W + "numId")
            self._abstract_of[num_id] = _val(num, "abstractNumId")
            for override in num.iterchildren(W + "lvlOverride"):
                start = override.find(W + "startOverride")
                if start is not None:
                    self._overrides[(num_id, int(override.get(W + "ilvl")))] = int(start.get(W + "val"))

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


def _paragraph_text(p) -> str:
    parts = []
    for el in p.iter(W + "t", W + "tab", W + "br", W + "cr"):
        parts.append(el.text or "" if el.tag == W + "t" else " ")
    return "".join(parts).strip()


def _is_bold(p, style: _Style | None) -> bool:
    runs = [r for r in p.iterchildren(W + "r") if r.find(W + "t") is not None and (r.findtext(W + "t") or "").strip()]
    if not runs:
        return False
    for run in runs:
        rpr = run.find(W + "rPr")
        b = rpr.find(W + "b") if rpr is not None else None
        if b is None:
            if not (style and style.bold):
                return False
        elif b.get(W + "val") in ("0", "false"):
            return False
    return True


def read_blocks(data: bytes, filename: str = "bidrag.docx") -> list[Block]:
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise UnreadableFile(f"{filename}: Word-dokumentet går inte att läsa ({type(exc).__name__}).") from None
    except Exception as exc:  # lxml XMLSyntaxError and kin: a damaged document part
        raise UnreadableFile(f"{filename}: Word-dokumentet är skadat och går inte att läsa.") from exc
    styles = _style_table(document)
    numbering = _Numbering(document)
    blocks: list[Block] = []

    def add(kind: str, text: str, **extra) -> None:
        ordinal = len(blocks) + 1
        blocks.append(Block(id=f"b{ordinal:04d}", ordinal=ordinal, kind=kind, text=text, **extra))

    def walk(container) -> None:
        for child in container.iterchildren():
            if child.tag == W + "p":
                paragraph(child)
            elif child.tag == W + "tbl":
                rows = [
                    [" ".join(_paragraph_text(p) for p in cell.iter(W + "p")).strip()
                     for cell in row.iterchildren(W + "tc")]
                    for row in child.iterchildren(W + "tr")
                ]
                text = "\n".join(" | ".join(r) for r in rows)
                add("tabell", text, rows=rows, images=len(list(child.iter(W + "drawing"))))
            elif child.tag == W + "sdt":
                content = child.find(W + "sdtContent")
                if content is not None:
                    walk(content)

    def paragraph(p) -> None:
        ppr = p.find(W + "pPr")
        style = styles.get(_val(ppr, "pStyle") or "Normal")
        text = _paragraph_text(p)
        images = len(list(p.iter(W + "drawing"))) + len(list(p.iter("{urn:schemas-microsoft-com:vml}imagedata")))
        num = ppr.find(W + "numPr") if ppr is not None else None
        num_id = _val(num, "numId") or (style.num_id if style else None)
        level = int(_val(num, "ilvl") or (style.num_level if style and num is None else 0))
        label = numbering.next_label(num_id, level) if num_id else None
        if not text and not images:
            return
        outline = _val(ppr, "outlineLvl")
        heading = style.heading_level if style else None
        if outline is not None and int(outline) < 9:
            heading = int(outline) + 1
        add(
            "stycke" if text else "bild",
            text,
            heading_level=heading,
            bold=_is_bold(p, style) if text else False,
            list_label=label,
            list_level=level if label else None,
            images=images,
        )

    walk(document.element.body)
    return blocks


def read_paragraph_texts(data: bytes) -> list[str]:
    """What merely opening the file and reading every paragraph costs (the benchmark baseline)."""
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]

"""Word files written as Word and other editors write their XML, for the intake corpus.

python-docx cannot write tracked changes, content controls, text boxes with their
fallback copy, footnotes or a table of contents, so these files are written by hand,
element by element as Word 365, Google Docs, LibreOffice and Pages save them.

Every piece of text is added through a method that also keeps an independent count of
what Word shows (characters without spaces, per question area): the tests compare the
intake's count with this one, never with the intake's own reading.
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from xml.sax.saxutils import escape

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NAMESPACES = (
    'xmlns:wpc="http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math" '
    'xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:wp14="http://schemas.microsoft.com/office/word/2010/wordprocessingDrawing" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:w10="urn:schemas-microsoft-com:office:word" '
    f'xmlns:w="{W_NS}" '
    'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" '
    'xmlns:wpg="http://schemas.microsoft.com/office/word/2010/wordprocessingGroup" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" '
    'mc:Ignorable="w14 wp14"'
)
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAIN_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
PLACEHOLDER = "Klicka eller tryck här för att ange text."
AUTHOR = 'w:author="Anna Rektor" w:date="2026-04-28T09:12:00Z"'


def visible_chars(text: str) -> int:
    """Characters without spaces as Word shows them: a soft hyphen shows only at a line end."""
    return len("".join(text.replace("\u00ad", "").split()))


def t(text: str) -> str:
    return f'<w:t xml:space="preserve">{escape(text)}</w:t>'


def run(text: str, bold: bool = False, italic: bool = False, google: bool = False) -> str:
    """A run; Google Docs writes every run's font and a bold as w:val="1"."""
    props = ""
    if google:
        props = ('<w:rFonts w:ascii="Arial" w:cs="Arial" w:eastAsia="Arial" w:hAnsi="Arial"/>'
                 + ('<w:b w:val="1"/>' if bold else "") + '<w:sz w:val="22"/><w:szCs w:val="22"/>')
    else:
        props = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
    pieces = []
    # Line breaks, soft hyphens and tabs are elements of their own in Word's XML.
    for i, line in enumerate(text.split("\n")):
        if i:
            pieces.append("<w:br/>")
        chunks = line.split("\u00ad")
        for j, chunk in enumerate(chunks):
            if j:
                pieces.append("<w:softHyphen/>")
            if chunk:
                pieces.append(t(chunk))
    return f"<w:r>{f'<w:rPr>{props}</w:rPr>' if props else ''}{''.join(pieces)}</w:r>"


class WordFile:
    """One .docx, written part by part; ``counted`` is the independent count per area."""

    def __init__(self, producer: str = "Microsoft Office Word", main_type: str = MAIN_TYPE,
                 styles: str = "word") -> None:
        self.producer = producer
        self.main_type = main_type
        self.style_set = styles
        self.body: list[str] = []
        self.footnotes: list[str] = []
        self.endnotes: list[str] = []
        self.comments: list[str] = []
        self.media: dict[str, bytes] = {}
        self.rels: list[tuple[str, str, str]] = []
        self.extra_parts: dict[str, tuple[bytes, str | None]] = {}
        self.counted: Counter = Counter()
        self.area: str | None = None  # the question area text is counted under, once inside one
        self.numbering = False
        self._ids = 100

    # -- counting

    def count(self, text: str) -> None:
        if self.area:
            self.counted[self.area] += visible_chars(text)

    def next_id(self) -> int:
        self._ids += 1
        return self._ids

    # -- paragraphs

    def p(self, text: str = "", style: str | None = None, *, bold: bool = False, italic: bool = False,
          runs: str | None = None, counted: bool = True, num: tuple[int, int] | None = None,
          google: bool = False) -> None:
        """A paragraph; ``runs`` gives its inner XML when it is more than plain text."""
        props = ""
        if style:
            props += f'<w:pStyle w:val="{style}"/>'
        if num:
            props += f'<w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr>'
        body = runs if runs is not None else (run(text, bold, italic, google) if text else "")
        self.body.append(f"<w:p>{f'<w:pPr>{props}</w:pPr>' if props else ''}{body}</w:p>")
        if counted and runs is None:
            self.count(text)

    def raw(self, xml: str) -> None:
        self.body.append(xml)

    # -- notes, comments, pictures

    def footnote(self, text: str, endnote: bool = False) -> str:
        """A note's text; returns the run that refers to it. The note's text is counted."""
        store = self.endnotes if endnote else self.footnotes
        kind = "endnote" if endnote else "footnote"
        note_id = len(store) + 1
        store.append(
            f'<w:{kind} w:id="{note_id}"><w:p><w:pPr><w:pStyle w:val="{kind.title()}Text"/></w:pPr>'
            f'<w:r><w:rPr><w:rStyle w:val="{kind.title()}Reference"/></w:rPr><w:{kind}Ref/></w:r>'
            f"{run(' ' + text)}</w:p></w:{kind}>")
        self.count(text)
        return (f'<w:r><w:rPr><w:rStyle w:val="{kind.title()}Reference"/></w:rPr>'
                f'<w:{kind}Reference w:id="{note_id}"/></w:r>')

    def comment(self, anchored: str, text: str) -> str:
        """Runs of ``anchored`` text with a comment on them; the comment is never counted."""
        cid = len(self.comments)
        self.comments.append(f'<w:comment w:id="{cid}" {AUTHOR} w:initials="AR"><w:p>{run(text)}</w:p></w:comment>')
        return (f'<w:commentRangeStart w:id="{cid}"/>{run(anchored)}<w:commentRangeEnd w:id="{cid}"/>'
                f'<w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr><w:commentReference w:id="{cid}"/></w:r>')

    def image(self, data: bytes, extension: str, width_px: int, height_px: int, name: str = "Bild") -> str:
        """A picture in line, as Word 365 writes it; returns the run."""
        number = len(self.media) + 1
        target = f"media/image{number}.{extension}"
        self.media[target] = data
        rid = f"rIdImg{number}"
        self.rels.append((rid, f"{REL}/image", target))
        cx, cy = width_px * 9525, height_px * 9525
        pid = self.next_id()
        return (
            f'<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">'
            f'<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
            f'<wp:docPr id="{pid}" name="{name} {number}"/><wp:cNvGraphicFramePr>'
            '<a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>'
            '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
            f'<pic:pic><pic:nvPicPr><pic:cNvPr id="{pid}" name="{name} {number}"/><pic:cNvPicPr/></pic:nvPicPr>'
            f'<pic:blipFill><a:blip r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
            f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
            '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>'
            "</a:graphicData></a:graphic></wp:inline></w:drawing></w:r>")

    def text_box(self, paragraphs: list[str]) -> str:
        """A floating text box as Word 2010+ writes it: a DrawingML shape in mc:Choice and the
        same text again in a VML text box in mc:Fallback. Counted once."""
        content = "".join(f"<w:p>{run(text)}</w:p>" for text in paragraphs)
        for text in paragraphs:
            self.count(text)
        pid = self.next_id()
        return (
            '<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
            '<wp:anchor distT="45720" distB="45720" distL="114300" distR="114300" simplePos="0" relativeHeight="1"'
            ' behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
            '<wp:positionH relativeFrom="column"><wp:posOffset>3200400</wp:posOffset></wp:positionH>'
            '<wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV>'
            f'<wp:extent cx="2360930" cy="1404620"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapSquare wrapText="bothSides"/>'
            f'<wp:docPr id="{pid}" name="Textruta {pid}"/><wp:cNvGraphicFramePr/>'
            '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
            '<wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="2360930" cy="1404620"/>'
            '</a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></wps:spPr>'
            f'<wps:txbx><w:txbxContent>{content}</w:txbxContent></wps:txbx><wps:bodyPr/></wps:wsp>'
            '</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>'
            '<mc:Fallback><w:pict><v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202"/>'
            f'<v:shape id="Textruta {pid}" o:spid="_x0000_s{pid}" type="#_x0000_t202" style="width:185.9pt;height:110.6pt">'
            f'<v:textbox><w:txbxContent>{content}</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>'
            "</mc:AlternateContent></w:r>")

    # -- the package

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("[Content_Types].xml", self._content_types())
            z.writestr("_rels/.rels", self._package_rels())
            z.writestr("docProps/app.xml", self._app())
            z.writestr("word/document.xml", self._document())
            z.writestr("word/styles.xml", STYLES[self.style_set])
            z.writestr("word/_rels/document.xml.rels", self._document_rels())
            if self.footnotes or self.endnotes:
                z.writestr("word/footnotes.xml", _notes("footnotes", "footnote", self.footnotes))
                z.writestr("word/endnotes.xml", _notes("endnotes", "endnote", self.endnotes))
            if self.comments:
                z.writestr("word/comments.xml", f'<w:comments {NAMESPACES}>{"".join(self.comments)}</w:comments>')
            if self.numbering:
                z.writestr("word/numbering.xml", NUMBERING)
            for target, data in self.media.items():
                z.writestr(f"word/{target}", data)
            for name, (data, _) in self.extra_parts.items():
                z.writestr(name, data)
        return out.getvalue()

    def _document(self) -> str:
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {NAMESPACES}><w:body>'
                + "".join(self.body)
                + '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1417" w:right="1417" w:bottom="1417"'
                ' w:left="1417" w:header="708" w:footer="708" w:gutter="0"/></w:sectPr></w:body></w:document>')

    def _content_types(self) -> str:
        overrides = [("/word/document.xml", self.main_type),
                     ("/word/styles.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"),
                     ("/docProps/app.xml", "application/vnd.openxmlformats-officedocument.extended-properties+xml")]
        if self.footnotes or self.endnotes:
            overrides += [("/word/footnotes.xml",
                           "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"),
                          ("/word/endnotes.xml",
                           "application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml")]
        if self.comments:
            overrides.append(("/word/comments.xml",
                              "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"))
        if self.numbering:
            overrides.append(("/word/numbering.xml",
                              "application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"))
        overrides += [(f"/{name}", ct) for name, (_, ct) in self.extra_parts.items() if ct]
        defaults = {"rels": "application/vnd.openxmlformats-package.relationships+xml", "xml": "application/xml",
                    "png": "image/png", "jpeg": "image/jpeg", "emf": "image/x-emf", "bin": "application/octet-stream"}
        return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                + "".join(f'<Default Extension="{e}" ContentType="{c}"/>' for e, c in defaults.items())
                + "".join(f'<Override PartName="{n}" ContentType="{c}"/>' for n, c in overrides)
                + "</Types>")

    def _package_rels(self) -> str:
        return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/>'
                f'<Relationship Id="rId2" Type="{REL}/extended-properties" Target="docProps/app.xml"/>'
                "</Relationships>")

    def _document_rels(self) -> str:
        rels = [("rIdStyles", f"{REL}/styles", "styles.xml")] + self.rels
        if self.footnotes or self.endnotes:
            rels += [("rIdFoot", f"{REL}/footnotes", "footnotes.xml"), ("rIdEnd", f"{REL}/endnotes", "endnotes.xml")]
        if self.comments:
            rels.append(("rIdComments", f"{REL}/comments", "comments.xml"))
        if self.numbering:
            rels.append(("rIdNumbering", f"{REL}/numbering", "numbering.xml"))
        return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                + "".join(f'<Relationship Id="{i}" Type="{t}" Target="{g}"/>' for i, t, g in rels)
                + "</Relationships>")

    def _app(self) -> str:
        return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
                f"<Application>{escape(self.producer)}</Application></Properties>")


def _notes(root: str, tag: str, notes: list[str]) -> str:
    separators = (f'<w:{tag} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{tag}>'
                  f'<w:{tag} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>'
                  f"</w:r></w:p></w:{tag}>")
    return f'<w:{root} {NAMESPACES}>{separators}{"".join(notes)}</w:{root}>'


def _style(style_id: str, name: str, based: str | None = None, outline: int | None = None, bold: bool = False,
           italic: bool = False, kind: str = "paragraph") -> str:
    return (f'<w:style w:type="{kind}" w:styleId="{style_id}"><w:name w:val="{name}"/>'
            + (f'<w:basedOn w:val="{based}"/>' if based else "")
            + (f'<w:pPr><w:outlineLvl w:val="{outline}"/></w:pPr>' if outline is not None else "")
            + ("<w:rPr>" + ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "") + "</w:rPr>"
               if bold or italic else "")
            + "</w:style>")


def _styles(*styles: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:styles {NAMESPACES}>'
            '<w:docDefaults><w:rPrDefault><w:rPr><w:lang w:val="sv-SE"/></w:rPr></w:rPrDefault></w:docDefaults>'
            + "".join(styles) + "</w:styles>")


_WORD_COMMON = (
    '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>',
    _style("Rubrik1", "heading 1", "Normal", 0, bold=True),
    _style("Rubrik2", "heading 2", "Normal", 1, bold=True),
    _style("Rubrik3", "heading 3", "Normal", 2, bold=True),
    _style("Innehll1", "toc 1", "Normal"),
    _style("Innehll2", "toc 2", "Normal"),
    _style("Innehllsfrteckningsrubrik", "TOC Heading", "Rubrik1", 9),
    _style("Fotnotstext", "footnote text", "Normal"),
    _style("Ingresstext", "Ingresstext", "Rubrik3", italic=True),
    _style("Platshllartext", "Placeholder Text", kind="character"),
)
STYLES = {
    # Swedish Word: style ids are the Swedish names, the names Word's own.
    "word": _styles(*_WORD_COMMON),
    "google": _styles(
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="normal"/></w:style>',
        _style("Title", "Title", "Normal"), _style("Heading1", "heading 1", "Normal", 0),
        _style("Heading2", "heading 2", "Normal", 1), _style("Heading3", "heading 3", "Normal", 2)),
    "libreoffice": _styles(
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>',
        _style("Heading", "Heading", "Normal"), _style("Heading1", "heading 1", "Heading", 0, bold=True),
        _style("Heading2", "heading 2", "Heading", 1, bold=True), _style("BodyText", "Body Text", "Normal"),
        _style("ContentsHeading", "Contents Heading", "Heading"), _style("Contents1", "Contents 1", "Normal"),
        _style("Contents2", "Contents 2", "Normal")),
    # Pages: its own names ("Heading", "Heading 2", "Body"), no outline levels, no numbering.
    "pages": _styles(
        '<w:style w:type="paragraph" w:default="1" w:styleId="Body"><w:name w:val="Body"/></w:style>',
        _style("Title", "Title", "Body"), _style("Heading", "Heading", "Body"),
        _style("Heading2", "Heading 2", "Body"), _style("Heading3", "Heading 3", "Body")),
}
NUMBERING = (
    f'<w:numbering {NAMESPACES}><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
    '<w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>'
    '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>')

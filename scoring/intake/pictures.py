"""The text in a contribution's pictures, read with Tesseract (Swedish) through tesserocr.

The instructions allow pictures that illustrate (an årshjul, a diagram of results) and
send back contributions whose pictures hold text passages. So every picture is read
with OCR: the words read with confidence and how many characters they make, and how
many of them stand in lines of running text (a passage) rather than short labels.

Bounded on purpose: each distinct picture is read once however often it appears, a
picture too small to hold a line or too large to decode is skipped and named, every
picture has a time limit and the whole file a budget; what is left unread is said so.
Where Tesseract or its Swedish data is missing, nothing is read and the reason is
returned; the intake goes on without it. A pure function of the file's bytes.
"""

from __future__ import annotations

import glob
import hashlib
import io
import os
import time
import warnings
import zipfile
from pathlib import Path

from scoring.intake.docx_reader import Picture, count_chars

MIN_SIDE = 24  # pixels: smaller pictures (icons, bullets) cannot hold a line of text
MAX_PIXELS = 40_000_000  # larger pictures are not decoded (a decompression bomb or a poster scan)
MIN_CONFIDENCE = 60  # Tesseract's word confidence, 0–100; below it a "word" is mostly noise
PASSAGE_LINE_WORDS = 5  # a line of this many words is running text, not a label
PICTURE_SECONDS = 20
# Formats Pillow decodes; Word's vector formats (EMF, WMF, SVG) are not read.
_READABLE = {"PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP"}


def tessdata_dir() -> str | None:
    """Where Tesseract's Swedish language data is; None when it is not installed."""
    candidates = [os.environ.get("WORKBENCH_TESSDATA"), os.environ.get("TESSDATA_PREFIX")]
    if os.environ.get("WORKBENCH_TESSDATA") is None:
        candidates += sorted(glob.glob("/usr/share/tesseract-ocr/*/tessdata"), reverse=True)
        candidates += ["/usr/share/tessdata", "/usr/local/share/tessdata"]
    for folder in filter(None, candidates):
        if (Path(folder) / "swe.traineddata").is_file():
            return folder
    return None


def unavailable() -> str | None:
    """Why pictures cannot be read here, in Swedish; None when they can."""
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return "OCR-biblioteket tesserocr är inte installerat, så bilderna har inte lästs."
    if tessdata_dir() is None:
        return ("Tesseract med svenska språkdata (Debian-paketen tesseract-ocr och tesseract-ocr-swe) är inte "
                "installerat på servern, så texten i bilderna har inte lästs.")
    return None


def ocr_seconds_budget() -> float:
    return float(os.environ.get("WORKBENCH_OCR_SECONDS", "300"))


class _Ocr:
    """One Tesseract engine for one file: the Swedish model is loaded once, not per picture."""

    def __init__(self) -> None:
        import tesserocr

        self.tesserocr = tesserocr
        self.api = tesserocr.PyTessBaseAPI(path=tessdata_dir(), lang="swe")

    def close(self) -> None:
        self.api.End()

    def read(self, image, timeout_ms: int) -> tuple[list[list[str]], bool]:
        """Lines of confidently read words, and whether the time limit cut the reading."""
        api, ril = self.api, self.tesserocr.RIL
        api.SetImage(image)
        if not api.Recognize(timeout=timeout_ms):
            return [], True
        lines: list[list[str]] = []
        iterator = api.GetIterator()
        if iterator is None:
            return [], False
        current: list[str] = []
        while True:
            if iterator.IsAtBeginningOf(ril.TEXTLINE) and current:
                lines.append(current)
                current = []
            word = (iterator.GetUTF8Text(ril.WORD) or "").strip()
            if word and iterator.Confidence(ril.WORD) >= MIN_CONFIDENCE and any(c.isalnum() for c in word):
                current.append(word)
            if not iterator.Next(ril.WORD):
                break
        if current:
            lines.append(current)
        return lines, False


def read_text(data: bytes, pictures: list[Picture], *, budget_seconds: float | None = None) -> str | None:
    """Fill in each picture's OCR fields; returns why nothing was read, or None."""
    if not pictures:
        return None
    reason = unavailable()
    if reason:
        for picture in pictures:
            picture.status = "ingen_ocr"
        return reason
    from PIL import Image

    budget = ocr_seconds_budget() if budget_seconds is None else budget_seconds
    deadline = time.monotonic() + budget
    done: dict[str, Picture] = {}  # by content hash: the same logo on every page is read once
    engine: _Ocr | None = None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for picture in pictures:
                try:
                    raw = archive.read(picture.part)
                except KeyError:
                    picture.status = "trasig"
                    continue
                digest = hashlib.sha256(raw).hexdigest()
                if digest in done:
                    _copy(done[digest], picture)
                    continue
                done[digest] = picture
                image = _decode(raw, picture, Image)
                if image is None:
                    continue
                left = deadline - time.monotonic()
                if left <= 0:
                    picture.status = "tidsgräns"
                    continue
                engine = engine or _Ocr()
                lines, cut = engine.read(image, int(min(left, PICTURE_SECONDS) * 1000))
                picture.status = "tidsgräns" if cut else "läst"
                picture.text = "\n".join(" ".join(line) for line in lines)
                picture.chars = count_chars(picture.text)
                picture.passage_chars = sum(count_chars("".join(line)) for line in lines
                                            if len(line) >= PASSAGE_LINE_WORDS)
    finally:
        if engine is not None:
            engine.close()
    return None


def _decode(raw: bytes, picture: Picture, Image):
    """The picture as a greyscale image on white, or None with the reason in its status."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw))
            picture.width, picture.height = image.size
            if image.format not in _READABLE:
                picture.status = "format"
                return None
            if image.width * image.height > MAX_PIXELS:
                picture.status = "för_stor"
                return None
            if min(image.size) < MIN_SIDE:
                picture.status = "för_liten"
                return None
            image.seek(0)
            if image.mode in ("RGBA", "LA", "P", "PA"):
                image = image.convert("RGBA")
                background = Image.new("RGBA", image.size, "white")
                image = Image.alpha_composite(background, image)
            return image.convert("L")
    except Exception:  # Pillow raises many kinds on a damaged or hostile picture
        picture.status = "format" if picture.width is None else "trasig"
        return None


def _copy(source: Picture, target: Picture) -> None:
    for name in ("status", "width", "height", "text", "chars", "passage_chars"):
        setattr(target, name, getattr(source, name))


def picture_files(data: bytes, parts: set[str]) -> dict[str, bytes]:
    """The pictures' bytes from the file by member, for showing them; missing ones left out."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            return {part: archive.read(part) for part in parts if part in names}
    except zipfile.BadZipFile:
        return {}

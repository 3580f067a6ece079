"""Pictures as units put them in contributions: an årshjul, a diagram of results, a photo,
a screenshot of a text passage, a vector picture Word keeps as EMF. For the intake's test
corpus, the demo and the benchmark; all drawn here, so each test knows what they hold.
"""

from __future__ import annotations

import io
import math
import random
import struct
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

_FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
          "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf")
PASSAGE = [
    "Varje vecka frågar vi eleverna hur de upplever undervisningen",
    "och tryggheten på skolan. Svaren sammanställs av arbetslaget",
    "och går direkt in i planeringen av nästa veckas lektioner.",
    "Elevrådet träffar rektor en gång i månaden för att följa upp",
    "de åtgärder vi har beslutat om och för att föreslå nya.",
]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "Maj", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dec"]


def font(size: int) -> ImageFont.ImageFont:
    for path in _FONTS:
        if Path(path).is_file():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def text_picture(lines: list[str] = PASSAGE, size: int = 24) -> bytes:
    """A screenshot of running text: what the instructions call a text passage in a picture."""
    face = font(size)
    image = Image.new("RGB", (60 + 16 * size * 2, 40 + int(size * 1.7) * len(lines)), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((30, 20 + int(size * 1.7) * i), line, fill="black", font=face)
    return _png(image)


def wheel_picture(title: str = "Årshjul") -> bytes:
    """An årshjul: a circle of months with one short label each, as the instructions allow."""
    image = Image.new("RGB", (640, 640), "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse((70, 70, 570, 570), outline="#0b5394", width=6)
    face = font(22)
    for i, month in enumerate(MONTHS):
        angle = math.tau * i / 12 - math.pi / 2
        draw.text((320 + 220 * math.cos(angle) - 20, 320 + 220 * math.sin(angle) - 12), month, fill="black", font=face)
    draw.text((265, 305), title, fill="#0b5394", font=font(26))
    return _png(image)


def chart_picture(values: tuple[int, ...] = (78, 81, 84), label: str = "Nöjda elever (%)") -> bytes:
    """A bar chart of results with its axis labels."""
    image = Image.new("RGB", (560, 380), "white")
    draw = ImageDraw.Draw(image)
    face = font(20)
    draw.line((60, 320, 520, 320), fill="black", width=2)
    for i, value in enumerate(values):
        x = 110 + i * 140
        draw.rectangle((x, 320 - value * 3, x + 80, 320), fill="#6fa8dc")
        draw.text((x + 15, 330), str(2023 + i), fill="black", font=face)
    draw.text((60, 20), label, fill="black", font=face)
    return _png(image)


def photo_picture(seed: int = 1, size: tuple[int, int] = (480, 320)) -> bytes:
    """A photo: soft shapes and noise, no text."""
    rng = random.Random(seed)
    image = Image.new("RGB", size, (rng.randrange(80, 200), rng.randrange(120, 200), rng.randrange(80, 160)))
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y, r = rng.randrange(size[0]), rng.randrange(size[1]), rng.randrange(10, 60)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def label_picture(text: str, size: tuple[int, int] = (220, 120)) -> bytes:
    """A small picture with one label (an icon or a box in a process chart)."""
    image = Image.new("RGB", size, "#fce5cd")
    ImageDraw.Draw(image).text((16, size[1] // 2 - 12), text, fill="black", font=font(20))
    return _png(image)


def emf_picture() -> bytes:
    """An Enhanced Metafile (a vector picture Word keeps from Visio or an old Office): a valid
    header and an end-of-file record, nothing a browser or OCR can read."""
    header = struct.pack("<II4i4i4sIIIHHIII2i2i", 1, 88, 0, 0, 100, 100, 0, 0, 2540, 2540, b" EMF", 0x10000,
                         108, 2, 0, 0, 0, 0, 0, 1024, 768, 320, 240)
    end = struct.pack("<IIIII", 14, 20, 0, 16, 20)
    return header + end

"""The city's documents a test rests on: ``says`` quotes a sentence of a seed and, where
the seeds are beside this checkout, checks that the seed really says it."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
Y2026 = "001_f2de4aef456ac377.txt"
Y2024 = "000_ae64aabca5042ea2.txt"  # OCR'd: most å ä ö lost
Y2012 = "003_81704a9b726e2ffa.txt"
PROGRAMME = "002_68696d816324380c.txt"
PROGRAMME_2012 = "004_2bf69ee563f8f9cb.txt"


def plain(text: str) -> str:
    """Lower case letters and digits only, no diacritics: survives line breaks, bullets and OCR."""
    text = unicodedata.normalize("NFKD", re.sub(r"-\s*\n\s*", "-", text).lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def seed_text(name: str) -> str | None:
    path = SEEDS / name
    return path.read_text(encoding="utf-8") if path.is_file() else None


def says(name: str, sentence: str) -> str:
    """The sentence, checked against the seed when the seeds are here; returned for use."""
    text = seed_text(name)
    if text is not None:
        wanted, seed = plain(sentence), plain(text)
        if name == Y2024:  # the OCR lost letters (ä → &, ö → 6 …): compare the words that survived
            words = [w for w in wanted.split() if w.isascii()]
            assert sum(w in seed.split() for w in words) >= 0.8 * len(words), sentence
        else:
            assert wanted in seed, f"{name} does not say: {sentence}"
    return sentence

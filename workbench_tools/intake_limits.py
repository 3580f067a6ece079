"""The intake on extreme files, in a process of its own so its peak memory is its own:
``python -m workbench_tools.intake_limits empty_paragraphs|pictures [--quick]`` prints
seconds and peak memory (MB) as JSON. Used by the benchmark's ``intake_limits`` figure."""

from __future__ import annotations

import io
import json
import resource
import sys
import time
import zipfile

from scoring.intake.document import take_in
from scoring.year.framework import load_framework
from workbench_tools import picture_maker
from workbench_tools.bench import full_contribution


def empty_paragraphs(count: int) -> bytes:
    """The full contribution with ``count`` empty paragraphs after its Inledning."""
    data = full_contribution()
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members = {i.filename: source.read(i.filename) for i in source.infolist()}
    xml = members["word/document.xml"]
    at = xml.index(b"<w:p>", xml.index(b"<w:body>"))
    members["word/document.xml"] = xml[:at] + b"<w:p/>" * count + xml[at:]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, member in members.items():
            target.writestr(name, member)
    return out.getvalue()


def many_pictures(count: int) -> bytes:
    import docx

    document = docx.Document(io.BytesIO(full_contribution()))
    answers = [p for p in document.paragraphs if len(p.text) > 200]
    for i in range(count):
        picture = picture_maker.label_picture(f"Steg {i + 1}")
        answers[i % len(answers)].add_run().add_picture(io.BytesIO(picture), width=docx.shared.Cm(4))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def main() -> None:
    case, quick = sys.argv[1], "--quick" in sys.argv
    if case == "empty_paragraphs":
        count = 20_000 if quick else 200_000
        data, detail = empty_paragraphs(count), f"{count} tomma stycken"
    else:
        count = 50 if quick else 500
        data, detail = many_pictures(count), f"{count} bilder"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    result = take_in(data, "gräns.docx", load_framework(2026))
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    read = sum(p["status"] == "läst" for p in result.report.pictures)
    print(json.dumps({"seconds": round(seconds, 2), "peak_mb": round(peak / 1024), "before_mb": round(before / 1024),
                      "file_mb": round(len(data) / 1e6, 1), "blocks": len(result.blocks),
                      "pictures_read": read, "detail": detail}))


if __name__ == "__main__":
    main()

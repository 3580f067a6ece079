"""Reading an uploaded file in a child process, within limits, so a hostile file cannot
stall the server everyone works in.

A 300 KB .docx can unpack to thirty million empty paragraphs; read inside the server it
held one core and the interpreter for minutes and needed gigabytes. Here the reading
(``document.take_in``, a pure function of the bytes and the year) happens in a child
process, one file at a time and at a lower priority than the server, and the file is
refused with a Swedish message naming it when it

- holds more paragraphs than any contribution could (counted in the unpacked XML before
  anything is parsed),
- needs more memory than the limit (the child's address space is capped), or
- takes longer than the time limit (the child is killed): the reading's own limit plus the
  time its OCR may take (``pictures.ocr_seconds_budget``, which bounds the OCR itself).

Meanwhile the server's own threads go on serving everyone else.

The children are forked by a small helper process (``python -m scoring.intake.isolated``)
that has the reader loaded and runs no threads, so a child starts in milliseconds; forking
the server itself (threads, an open database) would not be safe. The helper lives as long
as the server and ends when the server does (its input closes).
"""

from __future__ import annotations

import contextlib
import gc
import math
import os
import pickle
import re
import resource
import select
import signal
import struct
import subprocess
import sys
import threading
import time
import zipfile
from io import BytesIO

from scoring.core import config
from scoring.intake import pictures
from scoring.intake.docx_reader import UnreadableFile
from scoring.year.framework import Framework

_PARAGRAPH = re.compile(rb"<w:p[\s>/]")
_CHUNK = 1 << 20
_HEADER = struct.Struct(">Q")
# Time the helper may take beyond the child's own limit before the server gives up on it.
_HELPER_GRACE_SECONDS = 15
# One file is read at a time: on a two-core server one core stays with the people working.
_one_at_a_time = threading.Lock()
_helper: subprocess.Popen | None = None


def take_in(data: bytes, filename: str, framework: Framework):
    """``document.take_in`` in a child process within the limits; raises UnreadableFile."""
    global _helper
    seconds = config.intake_seconds() + math.ceil(pictures.ocr_seconds_budget())
    megabytes = config.intake_memory_mb()
    settings = {k: v for k, v in os.environ.items() if k.startswith("WORKBENCH_")}
    request = pickle.dumps((data, filename, framework, settings, seconds, megabytes))
    with _one_at_a_time:
        if _helper is None or _helper.poll() is not None:
            _helper = subprocess.Popen([sys.executable, "-m", "scoring.intake.isolated"], cwd=config.PROJECT_DIR,
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        try:
            _send(_helper.stdin, request)
            outcome, value = pickle.loads(_receive(_helper.stdout, seconds + _HELPER_GRACE_SECONDS))
        except (OSError, EOFError, TimeoutError, pickle.UnpicklingError):
            _helper.kill()  # started again for the next file
            _helper.wait()
            outcome, value = "timeout", None
    if outcome == "ok":
        return value
    if outcome == "timeout":
        raise UnreadableFile(
            f"{filename}: filen tog mer än {seconds} sekunder att läsa och togs inte emot. Ett vanligt "
            "bidrag läses på någon sekund; be verksamheten spara om det som ett nytt Word-dokument.")
    if outcome == "memory":
        raise UnreadableFile(
            f"{filename}: filen behöver mer än {megabytes} MB minne för att läsas och togs inte emot. Den "
            "innehåller troligen något annat än ett vanligt bidrag; be verksamheten spara om det som ett nytt "
            "Word-dokument.")
    raise UnreadableFile(value)


# --- the messages between server, helper and child ----------------------------------------


def _send(stream, payload: bytes) -> None:
    stream.write(_HEADER.pack(len(payload)) + payload)
    stream.flush()


def _receive(stream, seconds: float | None) -> bytes:
    """One message; EOFError when the other side has gone, TimeoutError after ``seconds``."""
    deadline = None if seconds is None else time.monotonic() + seconds
    descriptor = stream.fileno()

    def read(size: int) -> bytes:
        chunks, left = [], size
        while left:
            if deadline is not None:
                wait = deadline - time.monotonic()
                if wait <= 0 or not select.select([descriptor], [], [], wait)[0]:
                    raise TimeoutError
            chunk = os.read(descriptor, min(left, _CHUNK))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    (size,) = _HEADER.unpack(read(_HEADER.size))
    return read(size)


# --- the helper and its children ----------------------------------------------------------


def _serve() -> None:
    """The helper: one request at a time from the server, each read in a forked child."""
    _warm_up()
    while True:
        try:
            request = _receive(sys.stdin.buffer, None)
        except EOFError:
            return  # the server has gone
        _send(sys.stdout.buffer, _read_in_a_child(*pickle.loads(request)))


def _warm_up() -> None:
    """Read a small file once here, so every child starts with the reader loaded and its
    first-use work (styles, patterns, the year's questions) already done."""
    from docx import Document

    from scoring.intake.document import take_in as read
    from scoring.year.framework import available_years, load_framework

    buffer = BytesIO()
    document = Document()
    document.add_paragraph("Inledning")
    document.add_paragraph("1. Fråga")
    document.save(buffer)
    with contextlib.suppress(Exception):  # warming up only saves time; a child reads without it
        read(buffer.getvalue(), "uppvärmning.docx", load_framework(max(available_years())))
        pictures.unavailable()  # loads the OCR library, when there is one
    gc.freeze()  # what the children share is never touched by their collector (no copy on write)


def _read_in_a_child(data: bytes, filename: str, framework: Framework, settings: dict[str, str], seconds: int,
                     megabytes: int) -> bytes:
    readable, writable = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: read within the limits, answer, and leave without cleanup
        os.close(readable)
        try:
            answer = pickle.dumps(_read(data, filename, framework, settings, megabytes))
        except MemoryError:
            answer = pickle.dumps(("memory", None))
        with os.fdopen(writable, "wb") as out:
            out.write(answer)
        os._exit(0)
    os.close(writable)
    deadline, chunks = time.monotonic() + seconds, []
    try:
        while True:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([readable], [], [], wait)[0]:
                os.kill(pid, signal.SIGKILL)
                return pickle.dumps(("timeout", None))
            chunk = os.read(readable, _CHUNK)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(readable)
        os.waitpid(pid, 0)
    # A child that died without a word met the memory cap where Python could not say so.
    return b"".join(chunks) or pickle.dumps(("memory", None))


def _read(data: bytes, filename: str, framework: Framework, settings: dict[str, str], megabytes: int) -> tuple:
    from scoring.intake.document import take_in as read

    os.environ.update(settings)  # the server's settings now, not when the helper started
    os.nice(10)
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        if too_many := _too_many_paragraphs(data, filename):
            return "refused", too_many
        return "ok", read(data, filename, framework)
    except MemoryError:
        return "memory", None
    except UnreadableFile as exc:
        # lxml reports an allocation it was refused as an "unknown error" in a broken document.
        return ("memory", None) if _near(limit) else ("refused", str(exc))
    except Exception as exc:  # a reader bug must not pass for a bad file: name it
        return ("memory", None) if _near(limit) else ("refused", f"{filename}: filen kunde inte läsas "
                                                                  f"({type(exc).__name__}).")


def _near(limit: int) -> bool:
    """Whether this process came close to its memory cap (the peak resident size, in KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 > limit // 2


def _too_many_paragraphs(data: bytes, filename: str) -> str | None:
    """A refusal when the main document holds more paragraphs than the limit, counted while
    unpacking in pieces (nothing parsed, little memory); None otherwise, also when the file
    is no Word file at all (the reader then says what it is)."""
    limit = config.intake_max_paragraphs()
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive, archive.open("word/document.xml") as part:
            count, tail = 0, b""
            while chunk := part.read(_CHUNK):
                # A tag is five bytes: one begun in the last four of a piece is counted with the next.
                piece = tail + chunk
                count += len(_PARAGRAPH.findall(piece))
                tail = piece[-4:]
                if count > limit:
                    shown = f"{limit:,}".replace(",", " ")
                    return (f"{filename}: filen har mer än {shown} stycken; ett bidrag har några tusen. Den tas "
                            "inte emot. Be verksamheten spara om det som ett nytt Word-dokument.")
    except (zipfile.BadZipFile, KeyError, RuntimeError, OSError, EOFError, ValueError):
        return None
    return None


if __name__ == "__main__":
    _serve()

"""A real SMTP server for the tests (aiosmtpd on 127.0.0.1), which records what arrives
and can be told to refuse."""

from __future__ import annotations

import contextlib
import email
import socket
import time
from email import policy

from aiosmtpd.controller import Controller

FROM = "Kvalitetsutmärkelsen <kvalitetsutmarkelsen@stockholm.se>"
REPLY_TO = "kvalitetsutmarkelsen@stockholm.se"
BASE_URL = "https://examinatorsstod.example.se"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """aiosmtpd's handler: each message that arrives, parsed, with the envelope's recipients."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[list[str]] = []
        self.refuse: str | None = None       # e.g. "550 5.1.1 Ingen sådan mottagare"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        # Lines travel as CRLF; the tests read them as Python does.
        self.messages.append(email.message_from_bytes(envelope.content.replace(b"\r\n", b"\n"), policy=policy.default))
        self.envelopes.append(list(envelope.rcpt_tos))
        return "250 2.0.0 Mottaget som nummer " + str(len(self.messages))

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    def wait_for(self, count: int, seconds: float = 20) -> None:
        """Wait until ``count`` messages have arrived (a state, not a pause)."""
        deadline = time.monotonic() + seconds
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.messages)} of {count} messages arrived")
            time.sleep(0.05)


@contextlib.contextmanager
def running(environ, **settings):
    """A server on a free port, and the settings that point the workbench to it."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, **settings)
    controller.start()
    values = {"WORKBENCH_SMTP_HOST": "127.0.0.1", "WORKBENCH_SMTP_PORT": str(port), "WORKBENCH_SMTP_SECURITY": "none",
              "WORKBENCH_MAIL_FROM": FROM, "WORKBENCH_MAIL_REPLY_TO": REPLY_TO, "WORKBENCH_BASE_URL": BASE_URL}
    for key, value in values.items():
        environ.setenv(key, value)
    try:
        yield mailbox
    finally:
        controller.stop()

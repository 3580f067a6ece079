"""The city's mail server: its settings and the connection, through Python's smtplib.

Settings come from the environment (WORKBENCH_SMTP_HOST, _PORT, _SECURITY, _USER,
_PASSWORD, WORKBENCH_MAIL_FROM, WORKBENCH_MAIL_REPLY_TO). Without a host nothing is sent.
A send that fails raises ``SendFailed`` with the server's answer, and says whether trying
again later can help (a 4xx answer or no answer at all) or not (a 5xx refusal).
"""

from __future__ import annotations

import dataclasses
import os
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import parseaddr

from scoring.core.errors import Refused

SECURITY = ("none", "starttls", "ssl")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}
TIMEOUT_SECONDS = 30


class MailSettingsError(Refused):
    """A mail setting that cannot be used; the message names it."""


class SendFailed(Exception):
    """``temporary``: trying again later may help; ``connection``: no message can go now."""

    def __init__(self, answer: str, temporary: bool, connection: bool = False) -> None:
        super().__init__(answer)
        self.answer = answer
        self.temporary = temporary
        self.connection = connection


@dataclasses.dataclass(frozen=True)
class Settings:
    host: str
    port: int
    security: str
    user: str
    password: str = dataclasses.field(repr=False, default="")
    sender: str = ""
    reply_to: str = ""

    @property
    def configured(self) -> bool:
        return bool(self.host)

    def describe(self) -> str:
        """One line for the office (never the password)."""
        if not self.configured:
            return "Ingen e-postserver är inställd (WORKBENCH_SMTP_HOST): inget skickas."
        login = f", inloggning som {self.user}" if self.user else ""
        return f"{self.host}:{self.port} ({self.security}{login}), avsändare {self.sender}"


def settings() -> Settings:
    """The settings now in force; refuses with the setting's name when one is wrong."""
    host = os.environ.get("WORKBENCH_SMTP_HOST", "").strip()
    security = (os.environ.get("WORKBENCH_SMTP_SECURITY", "").strip().lower() or "starttls")
    if security not in SECURITY:
        raise MailSettingsError(f"WORKBENCH_SMTP_SECURITY ska vara none, starttls eller ssl, inte {security!r}.")
    raw_port = os.environ.get("WORKBENCH_SMTP_PORT", "").strip()
    try:
        port = int(raw_port) if raw_port else DEFAULT_PORTS[security]
    except ValueError:
        raise MailSettingsError(f"WORKBENCH_SMTP_PORT ska vara ett portnummer, inte {raw_port!r}.") from None
    sender = os.environ.get("WORKBENCH_MAIL_FROM", "").strip()
    if host and not sender:
        raise MailSettingsError("WORKBENCH_MAIL_FROM saknas: ange avsändaradressen, t.ex. "
                                "'Kvalitetsutmärkelsen <kvalitetsutmarkelsen@stockholm.se>'.")
    reply_to = os.environ.get("WORKBENCH_MAIL_REPLY_TO", "").strip()
    for name, value in (("WORKBENCH_MAIL_FROM", sender), ("WORKBENCH_MAIL_REPLY_TO", reply_to)):
        if value and "@" not in parseaddr(value)[1]:
            raise MailSettingsError(f"{name} är ingen e-postadress: {value!r}.")
    return Settings(host, port, security, os.environ.get("WORKBENCH_SMTP_USER", "").strip(),
                    os.environ.get("WORKBENCH_SMTP_PASSWORD", ""), sender, reply_to)


def configured() -> bool:
    try:
        return settings().configured
    except MailSettingsError:
        return False


def address(name: str, email: str) -> Address:
    """A header address; a name is one line (a line break in a name would start a new header)."""
    display = " ".join((name or "").split())
    local, _, domain = email.strip().rpartition("@")
    return Address(display_name=display, username=local, domain=domain)


class _Answers:
    """Keeps the server's answer to the message itself, which smtplib otherwise drops."""

    last_answer: tuple[int, bytes] | None = None

    def data(self, msg):  # noqa: D102 - smtplib's own method, recorded
        code, text = super().data(msg)
        self.last_answer = (code, text)
        return code, text


class _SMTP(_Answers, smtplib.SMTP):
    pass


class _SMTPSSL(_Answers, smtplib.SMTP_SSL):
    pass


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


class Connection:
    """One session with the server for a batch of messages; ``send`` per message."""

    def __init__(self, config: Settings) -> None:
        self.config = config
        self._smtp: _SMTP | _SMTPSSL | None = None

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _open(self) -> _SMTP | _SMTPSSL:
        c = self.config
        context = ssl.create_default_context()
        try:
            if c.security == "ssl":
                smtp = _SMTPSSL(c.host, c.port, timeout=TIMEOUT_SECONDS, context=context)
            else:
                smtp = _SMTP(c.host, c.port, timeout=TIMEOUT_SECONDS)
                if c.security == "starttls":
                    smtp.starttls(context=context)
            if c.user:
                smtp.login(c.user, c.password)
        except smtplib.SMTPResponseException as exc:
            raise SendFailed(f"{exc.smtp_code} {_text(exc.smtp_error)}", exc.smtp_code < 500, True) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise SendFailed(f"Servern {c.host}:{c.port} svarar inte: {exc}", True, True) from None
        return smtp

    def send(self, message: EmailMessage) -> str:
        """Send one message; returns the server's answer, or raises SendFailed."""
        if self._smtp is None:
            self._smtp = self._open()
        smtp = self._smtp
        try:
            smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            answers = [f"{code} {_text(text)}" for code, text in exc.recipients.values()]
            codes = [code for code, _ in exc.recipients.values()]
            raise SendFailed("Mottagaren avvisades: " + "; ".join(answers), all(c < 500 for c in codes)) from None
        except smtplib.SMTPResponseException as exc:
            raise SendFailed(f"{exc.smtp_code} {_text(exc.smtp_error)}", exc.smtp_code < 500) from None
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise SendFailed(f"Förbindelsen med {self.config.host} bröts: {exc}", True, True) from None
        code, text = smtp.last_answer or (250, b"OK")
        return f"{code} {_text(text)}"

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None

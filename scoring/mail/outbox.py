"""The outbox: every message the workbench sends, kept with why, when, and what the server said.

A change that should tell someone queues its message inside its own unit of work
(``queue``), so the message exists exactly when the change does. Sending happens later and
elsewhere (``deliver``: the background sender in the app, or the command line), never while
a page waits. A failed send stays in the outbox as failed, with the server's answer, and is
tried again after a pause that grows; a refusal (5xx) is tried again when the office asks.
Without a mail server configured a message is kept as not sent, and the outbox says so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from scoring.core import access, config, password_links
from scoring.core.auth import User
from scoring.core.errors import Refused
from scoring.core.store import Store, UnitOfWork, utcnow
from scoring.mail import smtp
from scoring.year import phases

S = phases.MailStatus
SENDER = "utskick"                     # the actor of the sender's entries in the log
# Minutes before the next attempt after the 1st, 2nd … failure; then the office decides.
RETRY_MINUTES = (1, 5, 15, 60, 180, 360, 720)
# Stand-ins kept in the stored text: the link itself is made as the message leaves, so no
# working link to set a password is ever stored (only its hash, in password_links).
LINK_PLACEHOLDER = "⟨engångslänk – skapas när meddelandet skickas⟩"
EXPIRY_PLACEHOLDER = "⟨tidpunkt – sätts när meddelandet skickas⟩"


class OutboxError(Refused):
    """An outbox action that cannot be done; the message says why."""


@dataclasses.dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclasses.dataclass(frozen=True)
class Delivery:
    message_id: int
    recipient: str
    subject: str
    sent: bool
    answer: str


# --- queueing, inside the change that causes it --------------------------------------------


def queue(uow: UnitOfWork, *, kind: str, why: str, recipient: str, recipient_name: str, subject: str, body: str,
          user_id: int | None = None, year: int | None = None, contribution_id: int | None = None,
          dedupe_key: str | None = None, password_link_user: int | None = None,
          attachments: tuple[Attachment, ...] = ()) -> int | None:
    """Put one message in the outbox; None when its dedupe key was already used (a reminder)."""
    if dedupe_key and uow.fetchone("SELECT 1 FROM outbox WHERE dedupe_key = ?", [dedupe_key]):
        return None
    status = S.VANTAR if smtp.configured() else S.EJ_SKICKAT
    message_id = uow.fetchone(
        "INSERT INTO outbox (kind, why, year, contribution_id, user_id, recipient, recipient_name, subject, body,"
        " dedupe_key, password_link_user, status, created_by, created_at, server_answer)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [kind, why, year, contribution_id, user_id, recipient, recipient_name, subject, body, dedupe_key,
         password_link_user, status.value, uow.actor, utcnow(),
         None if status is S.VANTAR else "Ingen e-postserver är inställd; meddelandet skickades inte."])[0]
    for attachment in attachments:
        uow.execute("INSERT INTO outbox_attachments VALUES (?, ?, ?, ?)",
                    [message_id, attachment.filename, attachment.content_type, attachment.data])
    uow.audit("köa e-post", "outbox", message_id, None,
              {"to": recipient, "subject": subject, "why": why, "kind": kind, "status": status.value,
               **({"attachments": [a.filename for a in attachments]} if attachments else {})})
    if status is S.VANTAR:
        from scoring.mail import sender  # the sender imports this module

        uow.after_commit.append(sender.wake)
    return message_id


# --- sending ----------------------------------------------------------------------------------


# Python's header folding drops the space between two encoded words (Swedish subjects come
# out "behöverrättas"), so headers are kept on one line, which RFC 5322 allows up to 998.
POLICY = policy.default.clone(max_line_length=998)


def _message(row: dict, attachments: list[tuple], settings: smtp.Settings, body: str) -> EmailMessage:
    message = EmailMessage(policy=POLICY)
    message["From"] = settings.sender
    message["To"] = smtp.address(row["recipient_name"] or "", row["recipient"])
    if settings.reply_to:
        message["Reply-To"] = settings.reply_to
    message["Subject"] = row["subject"]
    message["Date"] = formatdate(localtime=True)
    domain = settings.sender.rpartition("@")[2].strip("> ") or None
    message["Message-ID"] = make_msgid(idstring=f"utskick{row['id']}", domain=domain)
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies back to us
    message.set_content(body, cte="quoted-printable")
    for filename, content_type, data in attachments:
        maintype, subtype = content_type.split("/", 1)
        params = {"method": "PUBLISH"} if content_type == "text/calendar" else None
        message.add_attachment(bytes(data), maintype=maintype, subtype=subtype, filename=filename, params=params)
    return message


def _due(store: Store, now: dt.datetime, only: list[int] | None) -> list[dict]:
    where = "(status = 'vantar' OR (status = 'misslyckat' AND next_attempt_at <= ?))"
    params: list = [now]
    if only is not None:
        where += f" AND id IN ({', '.join('?' * len(only)) or 'NULL'})"
        params += only
    return store.records("SELECT id, recipient, recipient_name, subject, body, password_link_user, status, attempts"
                         f" FROM outbox WHERE {where} ORDER BY id", params)


def _with_link(store: Store, row: dict) -> str:
    """The body as it leaves: a fresh link to set a password where the text has its stand-in."""
    if row["password_link_user"] is None or LINK_PLACEHOLDER not in row["body"]:
        return row["body"]
    with store.write(SENDER) as uow:
        token, expires = password_links.issue(uow, row["password_link_user"])
    local = expires.replace(tzinfo=dt.UTC).astimezone(password_links.STOCKHOLM)
    return (row["body"].replace(LINK_PLACEHOLDER, password_links.link(token))
            .replace(EXPIRY_PLACEHOLDER, password_links.swedish_moment(local)))


def deliver(store: Store, *, now: dt.datetime | None = None, only: list[int] | None = None) -> list[Delivery]:
    """Send what is due (waiting, or failed and due again); returns what happened to each.

    The database is not held while the server answers: each result is written on its own.
    When the server cannot be reached at all, the rest wait for the next round.
    """
    settings = smtp.settings()
    if not settings.configured:
        return []
    now = now or utcnow()
    done: list[Delivery] = []
    with smtp.Connection(settings) as connection:
        for row in _due(store, now, only):
            attachments = store.fetchall("SELECT filename, content_type, data FROM outbox_attachments"
                                         " WHERE message_id = ? ORDER BY filename", [row["id"]])
            failure = None
            try:
                answer = connection.send(_message(row, attachments, settings, _with_link(store, row)))
            except smtp.SendFailed as exc:
                failure, answer = exc, exc.answer
            _record(store, row, now, answer, failure)
            done.append(Delivery(row["id"], row["recipient"], row["subject"], failure is None, answer))
            if failure is not None and failure.connection:
                break
    return done


def _record(store: Store, row: dict, now: dt.datetime, answer: str, failure: smtp.SendFailed | None) -> None:
    attempts = row["attempts"] + 1
    also: dict = {"attempts": attempts, "last_attempt_at": now, "server_answer": answer[:1000]}
    if failure is None:
        also |= {"sent_at": now, "next_attempt_at": None}
        to, action = S.SKICKAT, "e-post skickad"
    else:
        retry = failure.temporary and attempts <= len(RETRY_MINUTES)
        also["next_attempt_at"] = now + dt.timedelta(minutes=RETRY_MINUTES[attempts - 1]) if retry else None
        to, action = S.MISSLYCKAT, "e-post misslyckades"
    with store.write(SENDER) as uow:
        current = uow.fetchone("SELECT status FROM outbox WHERE id = ?", [row["id"]])[0]
        if current != row["status"]:
            return  # the office changed it meanwhile
        phases.transition(uow, phases.MAIL, row["id"], to, also=also, action=action,
                          detail={"to": row["recipient"], "attempt": attempts})


# --- the office's actions -------------------------------------------------------------------------


def retry(store: Store, user: User, message_id: int) -> None:
    """Send a failed or unsent message again at the next round (never while the page waits)."""
    access.require(store, user, "mail.outbox")
    if not smtp.configured():
        raise OutboxError("Ingen e-postserver är inställd (WORKBENCH_SMTP_HOST), så inget kan skickas.")
    with store.write(user.email) as uow:
        row = uow.fetchone("SELECT status, next_attempt_at FROM outbox WHERE id = ?", [message_id])
        if row is None:
            raise OutboxError("Meddelandet finns inte.")
        status = S(row[0])
        if status is S.SKICKAT:
            raise OutboxError("Meddelandet är redan skickat.")
        if status is S.VANTAR:
            raise OutboxError("Meddelandet väntar redan på att skickas.")
        if status is S.EJ_SKICKAT:
            phases.transition(uow, phases.MAIL, message_id, S.VANTAR, action="skicka e-post nu")
        else:
            uow.execute("UPDATE outbox SET next_attempt_at = ? WHERE id = ?", [utcnow(), message_id])
            uow.audit("försök skicka e-post igen", "outbox", message_id, {"next_attempt_at": row[1]},
                      {"next_attempt_at": "nu"})
        from scoring.mail import sender

        uow.after_commit.append(sender.wake)


@dataclasses.dataclass(frozen=True)
class Search:
    text: str = ""
    status: str | None = None
    kind: str | None = None
    user_id: int | None = None


def messages(store: Store, user: User, search: Search = Search(), limit: int = 500) -> list[dict]:
    """The outbox, newest first, searched in recipient, subject, text and why."""
    access.require(store, user, "mail.outbox")
    return _listing(store, search, limit)


def listing(store: Store, search: Search = Search(), limit: int = 500) -> list[dict]:
    """The outbox for the command line, which holds the database file itself (the app is stopped)."""
    return _listing(store, search, limit)


def _listing(store: Store, search: Search, limit: int) -> list[dict]:
    clauses, params = [], []
    if search.text.strip():
        clauses.append("(contains(lower(recipient || ' ' || coalesce(recipient_name, '') || ' ' || subject || ' '"
                       " || body || ' ' || why), ?))")
        params.append(search.text.strip().lower())
    for column, value in (("status", search.status), ("kind", search.kind), ("user_id", search.user_id)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    rows = store.records(
        "SELECT id, kind, why, year, user_id, recipient, recipient_name, subject, body, status, attempts, created_by,"
        " created_at, next_attempt_at, last_attempt_at, sent_at, server_answer,"
        " (SELECT list(filename ORDER BY filename) FROM outbox_attachments a WHERE a.message_id = o.id) AS attachments"
        f" FROM outbox o{where} ORDER BY id DESC LIMIT {int(limit)}", params)
    for row in rows:
        row["status_label"] = S(row["status"]).label
        row["attachments"] = row["attachments"] or []
    return rows


def counts(store: Store, user: User) -> dict[str, int]:
    access.require(store, user, "mail.outbox")
    found = dict(store.fetchall("SELECT status, count(*) FROM outbox GROUP BY status"))
    return {s.value: found.get(s.value, 0) for s in S}


def sent_to_me(store: Store, user: User, limit: int = 200) -> list[dict]:
    """What the workbench has sent to this person (their own account), newest first."""
    access.require(store, user, "mail.own")
    return _listing(store, Search(user_id=user.id), limit)


def attachment(store: Store, user: User, message_id: int, filename: str) -> bytes:
    """An attachment, for the office or for the person it was sent to."""
    row = store.fetchone("SELECT user_id FROM outbox WHERE id = ?", [message_id])
    if row is None:
        raise OutboxError("Meddelandet finns inte.")
    if row[0] != user.id:
        access.require(store, user, "mail.outbox")
    found = store.fetchone("SELECT data FROM outbox_attachments WHERE message_id = ? AND filename = ?",
                           [message_id, filename])
    if found is None:
        raise OutboxError(f"Bilagan {filename} finns inte.")
    return bytes(found[0])


def server_line() -> str:
    """The mail server as the office sees it, or why nothing is sent."""
    try:
        return smtp.settings().describe()
    except smtp.MailSettingsError as exc:
        return f"E-postinställningarna går inte att använda: {exc} Inget skickas."


def link(page: str = "") -> str:
    """A link into the workbench (it asks for a login like any visit)."""
    return f"{config.base_url()}/{page}" if page else f"{config.base_url()}/"

"""The app's background sender: a thread in the server process that sends the outbox.

A page never waits for the mail server. A change that queues a message wakes the sender
after its commit; besides, the sender looks every minute for failed messages due again,
and once a day (from 07.00 Stockholm time) sends the current year's reminders that are due,
as ``python -m scoring mail send-reminders`` does for a night job. Nothing runs without a
configured mail server.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading

import duckdb

from scoring.core.store import Store
from scoring.mail import outbox, reminders, smtp
from scoring.year import calendar, years

log = logging.getLogger(__name__)
POLL_SECONDS = 60
TIMEOUT_SECONDS = 60
REMINDER_HOUR = 7


@dataclasses.dataclass
class _Sender:
    wake: threading.Event = dataclasses.field(default_factory=threading.Event)
    stop: threading.Event = dataclasses.field(default_factory=threading.Event)
    thread: threading.Thread | None = None


_senders: dict[str, _Sender] = {}
_lock = threading.Lock()


def wake() -> None:
    """Ask the sender to look at the outbox now (cheap; called after a commit)."""
    for running in list(_senders.values()):
        running.wake.set()


def _daily_reminders(store: Store, done_for: dt.date | None) -> dt.date | None:
    now = dt.datetime.now(calendar.STOCKHOLM)
    today = now.date()
    if done_for == today or now.hour < REMINDER_HOUR:
        return done_for
    year = years.current_year(store)
    if year is not None:
        reminders.send_due(store, year, today, outbox.SENDER)
    return today


def _run(store: Store, me: _Sender) -> None:
    reminded: dt.date | None = None
    while not me.stop.is_set():
        me.wake.wait(POLL_SECONDS)
        me.wake.clear()
        if me.stop.is_set():
            return
        try:
            if not store.is_mail_sender():
                continue  # another server process on the same database sends
            reminded = _daily_reminders(store, reminded)
            for delivery in outbox.deliver(store):
                if not delivery.sent:
                    log.warning("e-post %s till %s misslyckades: %s", delivery.message_id, delivery.recipient,
                                delivery.answer)
        except (duckdb.ConnectionException, *_closed_store_errors()):
            return  # the store was closed (a restore, the end of a test): nothing more to send from it
        except Exception:  # a bad day must not end the sender; the outbox keeps every message
            log.exception("e-postutskicket misslyckades")


def _closed_store_errors() -> tuple[type[Exception], ...]:
    try:
        from psycopg_pool import PoolClosed
    except ImportError:
        return ()
    return (PoolClosed,)


def ensure_running(store: Store) -> bool:
    """Start the sender for this store once per process, if a mail server is configured."""
    if not smtp.configured():
        return False
    with _lock:
        running = _senders.get(store.path)
        if running is None or not running.thread.is_alive():
            running = _Sender()
            running.thread = threading.Thread(target=_run, args=(store, running), name="e-postutskick", daemon=True)
            _senders[store.path] = running
            running.thread.start()
            running.wake.set()
    return True


def stop(store: Store) -> None:
    """Stop this store's sender once it has finished what it is sending (before the store closes)."""
    with _lock:
        running = _senders.pop(store.path, None)
    if running is not None:
        running.stop.set()
        running.wake.set()
        running.thread.join(timeout=TIMEOUT_SECONDS)

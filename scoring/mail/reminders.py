"""Reminders before the deadlines of the office's schedule, to those not done.

Before the individual-assessment deadline: every examiner with an assessment not handed in.
Before the consensus deadline: the coordinators (or, in a team without one, the examiners)
of contributions whose consensus is not done. A reminder goes out a number of days before
the deadline (an office setting) and at most once per person and deadline: its key in the
outbox says so, whether the nightly job or the office's "send now" sent it. The office can
stop reminders for someone (leave, illness).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from scoring.core import access
from scoring.core.auth import User
from scoring.core.errors import Refused
from scoring.core.store import Store, UnitOfWork, set_setting, utcnow
from scoring.core.text import swedish_date
from scoring.mail import notices, smtp
from scoring.year import calendar, phases, years

DAYS_SETTING = "reminder_days_before"
DEFAULT_DAYS = 5
MAX_DAYS = 30


class ReminderError(Refused):
    """A reminder that cannot be sent; the message says why."""


@dataclasses.dataclass(frozen=True)
class Deadline:
    key: str           # the schedule's milestone
    kind: str          # the template
    title: str
    page: str          # where the link leads


DEADLINES = {d.key: d for d in (
    Deadline("individuell_bedomning", "paminnelse_individuell", "Individuell bedömning", "bedomning"),
    Deadline("konsensus", "paminnelse_konsensus", "Konsensus", "konsensus"),
)}


@dataclasses.dataclass
class Recipient:
    user_id: int
    email: str
    name: str
    units: list[str]
    reminded: bool = False     # already reminded for this deadline
    stopped: bool = False      # the office stopped reminders for this person

    @property
    def due(self) -> bool:
        return not (self.reminded or self.stopped)


# --- who is not done -------------------------------------------------------------------------------


def _not_done(reader, year: int, key: str) -> list[tuple[int, str, str, str]]:
    """(user id, e-mail, name, unit) for each piece of work not done before this deadline."""
    if key == "individuell_bedomning":
        submitted = ", ".join(f"'{s.value}'" for s in phases.SUBMITTED)
        return reader.fetchall(
            "SELECT e.id, e.email, e.name, u.name FROM assignments s JOIN contributions c ON c.id = s.contribution_id"
            " JOIN units u ON u.id = c.unit_id JOIN team_members m ON m.team_id = s.team_id"
            " JOIN users e ON e.id = m.user_id LEFT JOIN assessments a ON a.contribution_id = c.id"
            " AND a.examiner_id = e.id LEFT JOIN conflict_declarations d ON d.contribution_id = c.id"
            " AND d.user_id = e.id WHERE c.year = ? AND e.active AND NOT coalesce(d.has_conflict, FALSE)"
            f" AND coalesce(a.status, '') NOT IN ({submitted}) ORDER BY e.name, lower(u.name)", [year])
    done = ", ".join(f"'{p.value}'" for p in phases.P.from_on(phases.P.PLATSBESOK))
    # The coordinator leads consensus; a team without one hears it as a team.
    return reader.fetchall(
        "SELECT e.id, e.email, e.name, u.name FROM assignments s JOIN contributions c ON c.id = s.contribution_id"
        " JOIN units u ON u.id = c.unit_id JOIN teams t ON t.id = s.team_id JOIN team_members m ON m.team_id = t.id"
        " JOIN users e ON e.id = m.user_id WHERE c.year = ? AND e.active AND c.phase NOT IN"
        f" ({done}) AND (t.coordinator_id = e.id OR t.coordinator_id IS NULL) ORDER BY e.name, lower(u.name)",
        [year])


def dedupe_key(year: int, key: str, deadline: dt.date, user_id: int) -> str:
    return f"paminnelse:{year}:{key}:{deadline.isoformat()}:{user_id}"


def _recipients(reader, year: int, key: str, deadline: dt.date) -> list[Recipient]:
    people: dict[int, Recipient] = {}
    for user_id, email, name, unit in _not_done(reader, year, key):
        people.setdefault(user_id, Recipient(user_id, email, name, [])).units.append(unit)
    stopped = {r[0] for r in reader.fetchall("SELECT user_id FROM reminder_stops")}
    keys = {r[0] for r in reader.fetchall("SELECT dedupe_key FROM outbox WHERE dedupe_key LIKE ?",
                                          [f"paminnelse:{year}:{key}:{deadline.isoformat()}:%"])}
    for person in people.values():
        person.stopped = person.user_id in stopped
        person.reminded = dedupe_key(year, key, deadline, person.user_id) in keys
    return list(people.values())


def deadline_of(store: Store, year: int, key: str) -> dt.date | None:
    return years.schedule_date(store, year, key)


@dataclasses.dataclass(frozen=True)
class Plan:
    deadline: Deadline
    date: dt.date | None
    recipients: list[Recipient]

    @property
    def due(self) -> list[Recipient]:
        return [r for r in self.recipients if r.due]


def plan(store: Store, user: User, year: int, key: str) -> Plan:
    """Who a reminder for this deadline would go to now, and who already had one."""
    access.require(store, user, "mail.reminders")
    day = deadline_of(store, year, key)
    return Plan(DEADLINES[key], day, _recipients(store, year, key, day) if day else [])


# --- sending --------------------------------------------------------------------------------------------


def _queue(uow: UnitOfWork, year: int, key: str, deadline: dt.date, today: dt.date, why: str) -> list[Recipient]:
    meta = DEADLINES[key]
    sent = []
    for person in _recipients(uow, year, key, deadline):
        if person.due and notices.reminder(
                uow, meta.kind, year=year, deadline=deadline, today=today, units=person.units,
                to=(person.user_id, person.email, person.name), page=meta.page, why=why,
                dedupe_key=dedupe_key(year, key, deadline, person.user_id)):
            sent.append(person)
    return sent


def _require_server() -> None:
    if not smtp.configured():
        raise ReminderError("Ingen e-postserver är inställd (WORKBENCH_SMTP_HOST), så inga påminnelser skickas.")


def send_now(store: Store, user: User, year: int, key: str, today: dt.date | None = None) -> list[Recipient]:
    """The office's "send reminder now": to everyone not done who has not had one for this deadline."""
    access.require(store, user, "mail.reminders")
    _require_server()
    day = deadline_of(store, year, key)
    if day is None:
        raise ReminderError(f"Schemat har inget datum för {DEADLINES[key].title.lower()}; lägg in det under "
                            "Utmärkelseår först.")
    with store.write(user.email) as uow:
        return _queue(uow, year, key, day, today or calendar.today(),
                      f"Påminnelse inför {DEADLINES[key].title.lower()} {swedish_date(day)}, skickad av {user.name}")


def days_before(store: Store) -> int:
    return int(store.setting(DAYS_SETTING, str(DEFAULT_DAYS)))


def set_days_before(store: Store, user: User, days: int) -> None:
    access.require(store, user, "mail.reminders")
    if not 1 <= days <= MAX_DAYS:
        raise ReminderError(f"Ange 1–{MAX_DAYS} dagar före sista dag.")
    with store.write(user.email) as uow:
        set_setting(uow, DAYS_SETTING, str(days))


def due_today(store: Store, year: int, today: dt.date) -> list[tuple[str, dt.date]]:
    """The deadlines whose reminders are due on ``today``: from N days before until the day itself."""
    lead = dt.timedelta(days=days_before(store))
    found = []
    for key in DEADLINES:
        day = deadline_of(store, year, key)
        if day and day - lead <= today <= day:
            found.append((key, day))
    return found


def send_due(store: Store, year: int, today: dt.date, actor: str) -> list[tuple[str, Recipient]]:
    """What the nightly job (or the app's sender, once a day) sends: each due deadline's reminders."""
    _require_server()
    sent = []
    for key, day in due_today(store, year, today):
        with store.write(actor) as uow:
            why = f"Påminnelse inför {DEADLINES[key].title.lower()} {swedish_date(day)}"
            sent += [(key, person) for person in _queue(uow, year, key, day, today, why)]
    return sent


# --- stopping reminders for someone --------------------------------------------------------------------


def stop(store: Store, user: User, person_id: int, reason: str) -> None:
    access.require(store, user, "mail.reminders")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ReminderError("Skriv varför påminnelserna stoppas (det sparas).")
    with store.write(user.email) as uow:
        if uow.fetchone("SELECT 1 FROM reminder_stops WHERE user_id = ?", [person_id]):
            raise ReminderError("Påminnelserna är redan stoppade för den personen.")
        uow.execute("INSERT INTO reminder_stops VALUES (?, ?, ?, ?)", [person_id, reason, user.email, utcnow()])
        uow.audit("stoppa påminnelser", "reminder_stops", person_id, None, {"reason": reason})


def resume(store: Store, user: User, person_id: int) -> None:
    access.require(store, user, "mail.reminders")
    with store.write(user.email) as uow:
        row = uow.fetchone("SELECT reason FROM reminder_stops WHERE user_id = ?", [person_id])
        if row is None:
            raise ReminderError("Påminnelserna är inte stoppade för den personen.")
        uow.execute("DELETE FROM reminder_stops WHERE user_id = ?", [person_id])
        uow.audit("återuppta påminnelser", "reminder_stops", person_id, {"reason": row[0]}, None)


def people(store: Store, user: User) -> list[dict]:
    """The examiners with how they log in, whether reminders are stopped, and what was sent to them."""
    access.require(store, user, "mail.reminders")
    return store.records(
        "SELECT u.id, u.name, u.email, u.password_hash IS NOT NULL AS has_password, r.reason AS stopped_reason,"
        " (SELECT count(*) FROM outbox o WHERE o.user_id = u.id) AS messages,"
        " (SELECT max(o.created_at) FROM outbox o WHERE o.user_id = u.id AND o.kind = 'inbjudan') AS invited_at"
        " FROM examiners e JOIN users u ON u.id = e.user_id LEFT JOIN reminder_stops r ON r.user_id = u.id"
        " WHERE u.active ORDER BY lower(u.name)")

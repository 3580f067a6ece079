"""Calendar invitations (.ics) for the site visit and the feedback visit, to send to the
unit and the team. Written with the ``icalendar`` package in Europe/Stockholm time, with the
time zone's own definition inside the file so every calendar shows the right hour.

The file downloaded on the screen and the one the e-mail attaches (``scoring.mail.notices``)
are the same: one UID per visit, and a SEQUENCE that grows with each change of the booking, so
a calendar moves the event when the visit is rebooked instead of adding a second one."""

from __future__ import annotations

import datetime as dt

import icalendar

from scoring.core import access
from scoring.core.audit import STOCKHOLM
from scoring.core.auth import User
from scoring.core.errors import Refused
from scoring.core.store import Store, UnitOfWork

PRODUCT = "-//Stockholms stad//Examinatorsstöd//SV"
CONTENT_TYPE = "text/calendar"
Reader = Store | UnitOfWork  # the e-mail builds the file inside the change that books the visit


def _attendees(store: Reader, contribution_id: int) -> list[tuple[str, str]]:
    """(name, e-mail) of the team and of the unit's contact from its registration."""
    people = store.fetchall(
        "SELECT u.name, u.email FROM assignments s JOIN team_members m ON m.team_id = s.team_id"
        " JOIN users u ON u.id = m.user_id WHERE s.contribution_id = ? ORDER BY u.name", [contribution_id])
    contact = store.fetchone("SELECT contact_name, contact_email FROM registrations WHERE contribution_id = ?"
                             " AND contact_email <> ''", [contribution_id])
    return [*people, *([contact] if contact else [])]


def calendar_file(*, uid: str, summary: str, start: dt.datetime | dt.date, end: dt.datetime | dt.date,
                  location: str, description: str, attendees: list[tuple[str, str]],
                  stamp: dt.datetime | None = None, sequence: int = 0) -> bytes:
    """One event as an .ics file; datetimes are Stockholm time, a date is a whole day."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODUCT)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", stamp or dt.datetime.now(dt.UTC))
    if isinstance(start, dt.datetime):
        start, end = start.replace(tzinfo=STOCKHOLM), end.replace(tzinfo=STOCKHOLM)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    event.add("location", location)
    event.add("description", description)
    for name, email in attendees:
        address = icalendar.vCalAddress(f"mailto:{email}")
        address.params["cn"] = icalendar.vText(name)
        address.params["role"] = icalendar.vText("REQ-PARTICIPANT")
        event.add("attendee", address, encode=0)
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def feedback_visit_file(reader: Reader, contribution_id: int) -> bytes | None:
    """The booked feedback visit as an .ics file; None while it is not booked."""
    row = reader.fetchone("SELECT u.name, c.year, v.visit_date, v.starts_at, v.ends_at, v.place, v.team_participants,"
                          " v.unit_participants, v.version FROM contributions c JOIN units u ON u.id = c.unit_id"
                          " JOIN feedback_visits v ON v.contribution_id = c.id WHERE c.id = ?", [contribution_id])
    if row is None or row[2] is None or row[3] is None:
        return None
    unit, year, day, starts, ends, place, team_participants, unit_participants, version = row
    return calendar_file(
        uid=f"aterbesok-{contribution_id}-{year}@examinatorsstod",
        summary=f"Återbesök: {unit} (Kvalitetsutmärkelsen {year})",
        start=dt.datetime.combine(day, starts), end=dt.datetime.combine(day, ends), location=place or "",
        description=(f"Examinatorslaget ger sin återkoppling muntligt.\nFrån laget: {team_participants or ''}\n"
                     f"Från verksamheten: {unit_participants or ''}"),
        attendees=_attendees(reader, contribution_id), sequence=version)


def feedback_visit_invite(store: Store, user: User, contribution_id: int) -> tuple[str, bytes]:
    """The booked feedback visit as an .ics file, with its file name."""
    access.require(store, user, "feedback.manage", contribution_id=contribution_id)
    data = feedback_visit_file(store, contribution_id)
    if data is None:
        raise Refused("Återbesöket är inte bokat ännu.")
    unit = store.fetchone("SELECT u.name FROM contributions c JOIN units u ON u.id = c.unit_id WHERE c.id = ?",
                          [contribution_id])[0]
    return f"Återbesök {unit}.ics", data


def site_visit_file(reader: Reader, contribution_id: int) -> bytes | None:
    """The site visit as an .ics file (a whole day unless the team has set its hours); None
    while it has no date."""
    row = reader.fetchone("SELECT u.name, c.year, v.visit_date, v.starts_at, v.ends_at, v.participants, v.version"
                          " FROM contributions c JOIN units u ON u.id = c.unit_id LEFT JOIN site_visits v"
                          " ON v.contribution_id = c.id WHERE c.id = ?", [contribution_id])
    if row is None or row[2] is None:
        return None
    unit, year, day, starts, ends, participants, version = row
    if starts is None:
        start, end = day, day + dt.timedelta(days=1)
    else:  # without an end the visit is given the morning
        start = dt.datetime.combine(day, starts)
        end = dt.datetime.combine(day, ends) if ends and ends > starts else start + dt.timedelta(hours=3)
    return calendar_file(
        uid=f"platsbesok-{contribution_id}-{year}@examinatorsstod",
        summary=f"Platsbesök: {unit} (Kvalitetsutmärkelsen {year})", start=start, end=end,
        location=unit, description=f"Examinatorslagets platsbesök.\nDeltagare: {participants or 'laget'}",
        attendees=_attendees(reader, contribution_id), sequence=version or 0)


def site_visit_invite(store: Store, user: User, contribution_id: int) -> tuple[str, bytes]:
    """The site visit as an .ics file, with its file name."""
    access.require(store, user, "consensus.lead", contribution_id=contribution_id)
    data = site_visit_file(store, contribution_id)
    if data is None:
        raise Refused("Platsbesökets datum är inte bestämt ännu.")
    unit = store.fetchone("SELECT u.name FROM contributions c JOIN units u ON u.id = c.unit_id WHERE c.id = ?",
                          [contribution_id])[0]
    return f"Platsbesök {unit}.ics", data

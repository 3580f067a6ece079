"""Calendar invitations (.ics) for the site visit and the feedback visit, to send to the
unit and the team. Written with the ``icalendar`` package in Europe/Stockholm time, with the
time zone's own definition inside the file so every calendar shows the right hour."""

from __future__ import annotations

import datetime as dt

import icalendar

from scoring.core import access
from scoring.core.audit import STOCKHOLM
from scoring.core.auth import User
from scoring.core.errors import Refused
from scoring.core.store import Store
from scoring.feedback.visits import visit

PRODUCT = "-//Stockholms stad//Examinatorsstöd//SV"


def _attendees(store: Store, contribution_id: int) -> list[tuple[str, str]]:
    """(name, e-mail) of the team and of the unit's contact from its registration."""
    people = store.fetchall(
        "SELECT u.name, u.email FROM assignments s JOIN team_members m ON m.team_id = s.team_id"
        " JOIN users u ON u.id = m.user_id WHERE s.contribution_id = ? ORDER BY u.name", [contribution_id])
    contact = store.fetchone("SELECT contact_name, contact_email FROM registrations WHERE contribution_id = ?"
                             " AND contact_email <> ''", [contribution_id])
    return [*people, *([contact] if contact else [])]


def calendar_file(*, uid: str, summary: str, start: dt.datetime | dt.date, end: dt.datetime | dt.date,
                  location: str, description: str, attendees: list[tuple[str, str]],
                  stamp: dt.datetime | None = None) -> bytes:
    """One event as an .ics file; datetimes are Stockholm time, a date is a whole day."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODUCT)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = icalendar.Event()
    event.add("uid", uid)
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


def feedback_visit_invite(store: Store, user: User, contribution_id: int) -> tuple[str, bytes]:
    """The booked feedback visit as an .ics file."""
    booked = visit(store, user, contribution_id)
    if booked.date is None or booked.starts is None:
        raise Refused("Återbesöket är inte bokat ännu.")
    data = calendar_file(
        uid=f"aterbesok-{contribution_id}-{booked.year}@examinatorsstod",
        summary=f"Återbesök: {booked.unit} (Kvalitetsutmärkelsen {booked.year})",
        start=dt.datetime.combine(booked.date, booked.starts), end=dt.datetime.combine(booked.date, booked.ends),
        location=booked.place,
        description=(f"Examinatorslaget ger sin återkoppling muntligt.\nFrån laget: {booked.team_participants}\n"
                     f"Från verksamheten: {booked.unit_participants}"),
        attendees=_attendees(store, contribution_id))
    return f"Återbesök {booked.unit}.ics", data


def site_visit_invite(store: Store, user: User, contribution_id: int) -> tuple[str, bytes]:
    """The site visit (a whole day; the team agrees the hour with the unit) as an .ics file."""
    access.require(store, user, "consensus.lead", contribution_id=contribution_id)
    row = store.fetchone("SELECT u.name, c.year, v.visit_date, v.participants FROM contributions c"
                         " JOIN units u ON u.id = c.unit_id LEFT JOIN site_visits v ON v.contribution_id = c.id"
                         " WHERE c.id = ?", [contribution_id])
    if row is None or row[2] is None:
        raise Refused("Platsbesökets datum är inte bestämt ännu.")
    unit, year, day, participants = row
    data = calendar_file(
        uid=f"platsbesok-{contribution_id}-{year}@examinatorsstod",
        summary=f"Platsbesök: {unit} (Kvalitetsutmärkelsen {year})", start=day, end=day + dt.timedelta(days=1),
        location=unit, description=f"Examinatorslagets platsbesök.\nDeltagare: {participants or 'laget'}",
        attendees=_attendees(store, contribution_id))
    return f"Platsbesök {unit}.ics", data

"""Calendar invitations (.ics) for visits, built with the icalendar package.

A visit with a time is an event in Stockholm time (the file carries the zone's rules); one
without a time is a whole-day event. The event's UID stays the same for one visit, and its
SEQUENCE grows with each change, so a calendar moves the event when the visit is rebooked
instead of adding a second one.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

STOCKHOLM = ZoneInfo("Europe/Stockholm")
CONTENT_TYPE = "text/calendar"


def visit_event(*, uid: str, summary: str, day: dt.date, starts: dt.time | None = None,
                ends: dt.time | None = None, description: str = "", sequence: int = 0,
                now: dt.datetime | None = None) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Stockholms stad//Examinatorsstöd//SV")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", now or dt.datetime.now(dt.UTC))
    event.add("summary", summary)
    if description:
        event.add("description", description)
    if starts is not None:
        start = dt.datetime.combine(day, starts, tzinfo=STOCKHOLM)
        end = dt.datetime.combine(day, ends, tzinfo=STOCKHOLM) if ends and ends > starts else start + dt.timedelta(hours=3)
        event.add("dtstart", start)
        event.add("dtend", end)
    else:
        event.add("dtstart", day)
        event.add("dtend", day + dt.timedelta(days=1))
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def time_span(starts: dt.time | None, ends: dt.time | None) -> str:
    """'09.00–12.00' as Swedes write it, or '' without a time."""
    if starts is None:
        return ""
    return f"{starts:%H.%M}" + (f"–{ends:%H.%M}" if ends else "")

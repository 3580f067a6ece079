"""What the workbench tells people, one function per occasion.

Each is called by the change that causes it, with that change's unit of work, so the
message is queued in the same transaction: ``notices.assigned(uow, team_id)``. They read
what the message needs, render the office's template and put it in the outbox. No message
carries contribution text or scores; links lead to the workbench, which asks for a login.
"""

from __future__ import annotations

import datetime as dt
import json

from scoring.core import access, config
from scoring.core.audit import STOCKHOLM
from scoring.core.auth import User
from scoring.core.store import Store, UnitOfWork
from scoring.core.text import days_left, swedish_date
from scoring.feedback import invites
from scoring.mail import outbox, templates
from scoring.mail.outbox import Attachment

NOT_SET = "(inget datum i schemat)"


# --- what the messages are about --------------------------------------------------------------


def _schedule(uow: UnitOfWork, year: int) -> dict[str, dt.date]:
    row = uow.fetchone("SELECT schedule FROM award_years WHERE year = ?", [year])
    return {k: dt.date.fromisoformat(v) for k, v in json.loads((row and row[0]) or "{}").items()}


def _date(day: dt.date | None) -> str:
    return swedish_date(day) if day else NOT_SET


def _current_year(uow: UnitOfWork) -> int | None:
    row = uow.fetchone("SELECT value FROM settings WHERE key = 'current_year'")
    if row:
        return int(row[0])
    return uow.fetchone("SELECT max(year) FROM award_years")[0]


def _contribution(uow: UnitOfWork, contribution_id: int) -> dict:
    names = ("year", "unit", "team", "coordinator")
    row = uow.fetchone(
        "SELECT c.year, u.name, t.name, k.name FROM contributions c JOIN units u ON u.id = c.unit_id"
        " LEFT JOIN assignments s ON s.contribution_id = c.id LEFT JOIN teams t ON t.id = s.team_id"
        " LEFT JOIN users k ON k.id = t.coordinator_id WHERE c.id = ?", [contribution_id])
    facts = dict(zip(names, row, strict=True))
    facts["team"] = facts["team"] or "–"
    facts["coordinator"] = facts["coordinator"] or "lagsamordnaren"
    return facts


def _team_of_contribution(uow: UnitOfWork, contribution_id: int) -> list[tuple[int, str, str]]:
    """(id, e-mail, name) of the contribution's examiners, without those who declared a conflict."""
    return uow.fetchall(
        "SELECT u.id, u.email, u.name FROM assignments s JOIN team_members m ON m.team_id = s.team_id"
        " JOIN users u ON u.id = m.user_id LEFT JOIN conflict_declarations d ON d.contribution_id = s.contribution_id"
        " AND d.user_id = u.id WHERE s.contribution_id = ? AND u.active AND NOT coalesce(d.has_conflict, FALSE)"
        " ORDER BY u.name", [contribution_id])


def units_text(names: list[str]) -> str:
    """'A', 'A och B', 'A, B och C'."""
    names = list(names)
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " och " + names[-1]


def _send(uow: UnitOfWork, kind: str, context: dict, *, why: str, to: tuple[int | None, str, str],
          **extra) -> int | None:
    user_id, email, name = to
    try:
        subject, body = templates.rendered(uow, kind, context)
    except templates.TemplateProblem:
        # The office's wording failed on these values: the change must not fail for it.
        default = templates.KINDS[kind]
        subject, body = templates.render(default, default.subject, default.body, context)
        why += " (med standardtexten: Kvalitetsenhetens mall gick inte att använda)"
    return outbox.queue(uow, kind=kind, why=why, recipient=email, recipient_name=name, subject=subject,
                        body=body, user_id=user_id, **extra)


# --- to examiners ----------------------------------------------------------------------------------


def invited(uow: UnitOfWork, user_id: int) -> int | None:
    """An invitation to a new examiner: where the workbench is and how to log in (the city's
    account, or a one-time link to choose a password, made as the message leaves)."""
    email, name = uow.fetchone("SELECT email, name FROM users WHERE id = ?", [user_id])
    by_link = not config.oidc_configured()
    year = _current_year(uow)
    context = {"namn": name, "ar": year or "", "lank": outbox.link(),
               "losenordslank": outbox.LINK_PLACEHOLDER if by_link else "",
               "giltig_till": outbox.EXPIRY_PLACEHOLDER if by_link else ""}
    return _send(uow, "inbjudan", context, why="Inbjudan till en ny examinator", to=(user_id, email, name),
                 year=year, password_link_user=user_id if by_link else None)


def invite_again(store: Store, actor: User, user_id: int) -> int | None:
    """The office sends someone a new invitation (with a new link when links are used)."""
    access.require(store, actor, "accounts.manage")
    with store.write(actor.email) as uow:
        return invited(uow, user_id)


def assigned(uow: UnitOfWork, team_id: int, member_ids: list[int] | None = None) -> list[int]:
    """The team's examiners (or only ``member_ids``) learn which contributions the team assesses."""
    year, team, coordinator = uow.fetchone(
        "SELECT t.year, t.name, u.name FROM teams t LEFT JOIN users u ON u.id = t.coordinator_id WHERE t.id = ?",
        [team_id])
    units = [r[0] for r in uow.fetchall("SELECT u.name FROM assignments s JOIN contributions c ON c.id ="
                                        " s.contribution_id JOIN units u ON u.id = c.unit_id WHERE s.team_id = ?"
                                        " ORDER BY lower(u.name)", [team_id])]
    if not units:
        return []
    members = uow.fetchall("SELECT u.id, u.email, u.name FROM team_members m JOIN users u ON u.id = m.user_id"
                           " WHERE m.team_id = ? AND u.active ORDER BY u.name", [team_id])
    due = _schedule(uow, year).get("individuell_bedomning")
    sent = []
    for member in members:
        if member_ids is not None and member[0] not in member_ids:
            continue
        context = {"namn": member[2], "ar": year, "lag": team, "samordnare": coordinator or "lagsamordnaren",
                   "bidrag": units_text(units), "sista_dag": _date(due), "lank": outbox.link()}
        sent.append(_send(uow, "tilldelad", context, why=f"{team} har bidragen {units_text(units)}", to=member,
                          year=year))
    return [s for s in sent if s]


def reopened(uow: UnitOfWork, assessment_id: int, reason: str, by: str) -> int | None:
    cid, user_id, email, name = uow.fetchone(
        "SELECT a.contribution_id, u.id, u.email, u.name FROM assessments a JOIN users u ON u.id = a.examiner_id"
        " WHERE a.id = ?", [assessment_id])
    facts = _contribution(uow, cid)
    context = {"namn": name, "ar": facts["year"], "bidrag": facts["unit"], "orsak": reason, "av": by,
               "lank": outbox.link("bedomning")}
    return _send(uow, "ateroppnad", context, why=f"Bedömningen av {facts['unit']} öppnades igen av {by}",
                 to=(user_id, email, name), year=facts["year"], contribution_id=cid)


def consensus_opened(uow: UnitOfWork, contribution_id: int) -> list[int]:
    facts = _contribution(uow, contribution_id)
    due = _schedule(uow, facts["year"]).get("konsensus")
    sent = []
    for member in _team_of_contribution(uow, contribution_id):
        context = {"namn": member[2], "ar": facts["year"], "bidrag": facts["unit"], "lag": facts["team"],
                   "samordnare": facts["coordinator"], "sista_dag": _date(due), "lank": outbox.link()}
        sent.append(_send(uow, "konsensus_oppnad", context, why=f"Konsensus för {facts['unit']} öppnades",
                          to=member, year=facts["year"], contribution_id=contribution_id))
    return [s for s in sent if s]


def time_span(starts: dt.time | None, ends: dt.time | None) -> str:
    """'09.00–12.00' as Swedes write it, or '' without a time."""
    if starts is None:
        return ""
    return f"{starts:%H.%M}" + (f"–{ends:%H.%M}" if ends else "")


def _visit(uow: UnitOfWork, kind: str, contribution_id: int, day: dt.date, starts: dt.time | None,
           ends: dt.time | None, ics: bytes, filename: str, what: str) -> list[int]:
    facts = _contribution(uow, contribution_id)
    span = time_span(starts, ends)
    sent = []
    for member in _team_of_contribution(uow, contribution_id):
        context = {"namn": member[2], "ar": facts["year"], "bidrag": facts["unit"], "lag": facts["team"],
                   "samordnare": facts["coordinator"], "datum": swedish_date(day), "tid": span,
                   "har_tid": bool(span), "lank": outbox.link()}
        sent.append(_send(uow, kind, context, why=f"{what} hos {facts['unit']} bokat till {swedish_date(day)}"
                          + (f" kl. {span}" if span else ""), to=member, year=facts["year"],
                          contribution_id=contribution_id,
                          attachments=(Attachment(filename, invites.CONTENT_TYPE, ics),)))
    return [s for s in sent if s]


def site_visit_booked(uow: UnitOfWork, contribution_id: int) -> list[int]:
    """The team gets the site visit's day and time, with the calendar invitation the
    consensus screen offers (same event, so a moved visit moves in the calendar)."""
    day, starts, ends = uow.fetchone("SELECT visit_date, starts_at, ends_at FROM site_visits WHERE contribution_id = ?",
                                     [contribution_id])
    ics = invites.site_visit_file(uow, contribution_id)
    return _visit(uow, "platsbesok", contribution_id, day, starts, ends, ics, "platsbesok.ics", "Platsbesöket")


def feedback_visit_booked(uow: UnitOfWork, contribution_id: int) -> list[int]:
    """The team gets the feedback visit's day and time, with the calendar invitation the
    Återbesök screen offers. Called by ``feedback.visits.book`` when the visit is new or moved."""
    day, starts, ends = uow.fetchone("SELECT visit_date, starts_at, ends_at FROM feedback_visits"
                                     " WHERE contribution_id = ?", [contribution_id])
    ics = invites.feedback_visit_file(uow, contribution_id)
    return _visit(uow, "aterbesok", contribution_id, day, starts, ends, ics, "aterbesok.ics", "Återbesöket")


def reminder(uow: UnitOfWork, kind: str, *, year: int, deadline: dt.date, today: dt.date, to: tuple[int, str, str],
             units: list[str], dedupe_key: str, why: str, page: str) -> int | None:
    context = {"namn": to[2], "ar": year, "bidrag": units_text(units), "sista_dag": swedish_date(deadline),
               "dagar_kvar": days_left(deadline, today), "lank": outbox.link(page)}
    return _send(uow, kind, context, why=why, to=to, year=year, dedupe_key=dedupe_key)


# --- to the unit's contact -------------------------------------------------------------------------


def _contact(uow: UnitOfWork, contribution_id: int) -> tuple[str, str] | None:
    row = uow.fetchone("SELECT contact_email, contact_name FROM registrations WHERE contribution_id = ?"
                       " AND coalesce(contact_email, '') <> ''", [contribution_id])
    return (row[0], row[1] or "") if row else None


def changes_requested(uow: UnitOfWork, request_id: int) -> int | None:
    """The unit's contact (from the registration of interest) gets the request and its due date;
    None when the registration has no e-mail address."""
    cid, reason, days, due = uow.fetchone("SELECT contribution_id, reason, working_days, due_date FROM change_requests"
                                          " WHERE id = ?", [request_id])
    contact = _contact(uow, cid)
    if contact is None:
        return None
    facts = _contribution(uow, cid)
    context = {"kontaktperson": contact[1] or facts["unit"], "verksamhet": facts["unit"], "ar": facts["year"],
               "orsak": reason, "sista_dag": swedish_date(due), "arbetsdagar": days}
    return _send(uow, "andringsbegaran", context, why=f"Ändringsbegäran för {facts['unit']}",
                 to=(None, contact[0], contact[1]), year=facts["year"], contribution_id=cid)


def correction_arrived(uow: UnitOfWork, request_id: int, received_at: dt.datetime) -> int | None:
    """The unit's contact learns that the corrected version arrived and is taken in."""
    cid = uow.fetchone("SELECT contribution_id FROM change_requests WHERE id = ?", [request_id])[0]
    contact = _contact(uow, cid)
    if contact is None:
        return None
    facts = _contribution(uow, cid)
    local = received_at.replace(tzinfo=dt.UTC).astimezone(STOCKHOLM)
    context = {"kontaktperson": contact[1] or facts["unit"], "verksamhet": facts["unit"], "ar": facts["year"],
               "mottagen": f"{swedish_date(local.date())} kl. {local:%H.%M}"}
    return _send(uow, "rattad_version", context, why=f"Rättad version av {facts['unit']} mottagen",
                 to=(None, contact[0], contact[1]), year=facts["year"], contribution_id=cid)


def contact_of(store: Store, contribution_id: int) -> str | None:
    """The e-mail address notices to the unit go to, if the registration has one."""
    with store.read() as cursor:
        row = cursor.execute("SELECT contact_email FROM registrations WHERE contribution_id = ?"
                             " AND coalesce(contact_email, '') <> ''", [contribution_id]).fetchone()
    return row[0] if row else None

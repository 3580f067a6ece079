"""Utskick's pieces: one message shown as it was sent, the reminders (also on Årets gång),
the people, and the templates. Not a page itself."""

from __future__ import annotations

import streamlit as st

from scoring.core.errors import Refused
from scoring.core.store import get_store
from scoring.core.text import count, escape_markdown, swedish_date
from scoring.mail import notices, outbox, reminders, smtp, templates
from scoring.year import calendar


def when(moment) -> str:
    return f"{calendar.stockholm(moment):%Y-%m-%d %H:%M}" if moment else ""


def message(row: dict, key: str) -> None:
    """One message as it was sent: headers, the text exactly, the attachments."""
    st.markdown(f"**{escape_markdown(row['subject'])}**  \nTill: {escape_markdown(row['recipient_name'] or '')} "
                f"<{escape_markdown(row['recipient'])}> · skrivet {when(row['created_at'])} · "
                f"{row['status_label']}" + (f", skickat {when(row['sent_at'])}" if row["sent_at"] else ""))
    st.code(row["body"], language=None, wrap_lines=True)
    for filename in row["attachments"]:
        data = outbox.attachment(get_store(), st.session_state["current_user"], row["id"], filename)
        st.download_button(f"Bilaga: {escape_markdown(filename)}", data, file_name=filename,
                           key=f"{key}_{row['id']}_{filename}", icon=":material/attach_file:")


# --- reminders ------------------------------------------------------------------------------------


def _send_reminder(year: int, key: str) -> None:
    store, user = get_store(), st.session_state["current_user"]
    try:
        sent = reminders.send_now(store, user, year, key)
    except Refused as exc:
        st.session_state["reminder_notice"] = ("fel", str(exc))
    else:
        names = ", ".join(p.name for p in sent)
        st.session_state["reminder_notice"] = (
            "ok", f"Påminnelse skickas till {count(len(sent), 'person', 'personer')}: {names}. Se Utskick."
            if sent else "Ingen att påminna.")


def reminder_button(year: int, key: str) -> None:
    """'Send reminder now' for one deadline, with who it goes to and who already had one."""
    store, user = get_store(), st.session_state["current_user"]
    plan = reminders.plan(store, user, year, key)
    if plan.date is None:
        return
    waiting = plan.due
    already = [p for p in plan.recipients if p.reminded]
    stopped = [p for p in plan.recipients if p.stopped and not p.reminded]
    left, right = st.columns([3, 2], vertical_alignment="center")
    parts = []
    if already:
        parts.append(f"{count(len(already), 'har', 'har')} redan fått en påminnelse inför {swedish_date(plan.date)}")
    if stopped:
        parts.append(f"påminnelser är stoppade för {', '.join(escape_markdown(p.name) for p in stopped)}")
    if parts:
        left.caption("; ".join(parts).capitalize() + ".")
    server = smtp.configured()
    right.button(f"Skicka påminnelse nu ({len(waiting)})", key=f"remind_{key}", icon=":material/notifications:",
                 disabled=not (server and waiting), on_click=_send_reminder, args=(year, key),
                 help=None if server else "Ingen e-postserver är inställd, så inget kan skickas.")


def show_reminder_notice() -> None:
    if notice := st.session_state.pop("reminder_notice", None):
        (st.success if notice[0] == "ok" else st.error)(escape_markdown(notice[1]))


def reminders_tab(year: int | None) -> None:
    store, user = get_store(), st.session_state["current_user"]
    show_reminder_notice()
    days = st.columns([1, 2])[0].number_input("Påminnelser går ut så många dagar före sista dag", 1,
                                              reminders.MAX_DAYS, reminders.days_before(store), key="reminder_days")
    if days != reminders.days_before(store):
        reminders.set_days_before(store, user, int(days))
        st.rerun()
    st.caption("Varje person får högst en påminnelse per sista dag, vare sig den skickas av nattjobbet, av appen "
               "på morgonen eller med knappen här. De som är klara får ingen.")
    if year is not None:
        for key, deadline in reminders.DEADLINES.items():
            day = reminders.deadline_of(store, year, key)
            st.markdown(f"**{deadline.title}** – sista dag {swedish_date(day) if day else 'saknas i schemat'}")
            reminder_button(year, key)
    st.header("Personer")
    people = reminders.people(store, user)
    st.dataframe([{"Namn": p["name"], "E-post": p["email"], "Lösenord valt": "ja" if p["has_password"] else "nej",
                   "Inbjuden": when(p["invited_at"]) or "–", "Påminnelser": f"stoppade: {p['stopped_reason']}"
                   if p["stopped_reason"] else "på", "Meddelanden": p["messages"]} for p in people],
                 hide_index=True, width="stretch")
    if people:
        _person_form(people)


def _person_form(people: list[dict]) -> None:
    store, user = get_store(), st.session_state["current_user"]
    names = {p["id"]: f"{p['name']} ({p['email']})" for p in people}
    with st.form("person_mail"):
        chosen = st.selectbox("Person", list(names), format_func=names.get)
        reason = st.text_input("Varför påminnelserna stoppas", placeholder="t.ex. föräldraledig till oktober")
        stop, resume, invite = st.columns(3)
        actions = {"stop": stop.form_submit_button("Stoppa påminnelser"),
                   "resume": resume.form_submit_button("Återuppta påminnelser"),
                   "invite": invite.form_submit_button("Skicka ny inbjudan")}
    try:
        if actions["stop"]:
            reminders.stop(store, user, chosen, reason)
            st.session_state["reminder_notice"] = ("ok", f"Påminnelserna är stoppade för {names[chosen]}.")
        elif actions["resume"]:
            reminders.resume(store, user, chosen)
            st.session_state["reminder_notice"] = ("ok", f"Påminnelserna gäller igen för {names[chosen]}.")
        elif actions["invite"]:
            notices.invite_again(store, user, chosen)
            st.session_state["reminder_notice"] = ("ok", f"En ny inbjudan till {names[chosen]} ligger i utkorgen.")
        else:
            return
    except Refused as exc:
        st.session_state["reminder_notice"] = ("fel", str(exc))
    st.rerun()


# --- templates ---------------------------------------------------------------------------------------


def templates_tab() -> None:
    store, user = get_store(), st.session_state["current_user"]
    rows = {r["kind"].key: r for r in templates.templates(store, user)}
    chosen = st.selectbox("Meddelande", list(rows), key="template_kind",
                          format_func=lambda k: rows[k]["kind"].title + ("" if rows[k]["default"] else " (ändrad)"))
    row, kind = rows[chosen], rows[chosen]["kind"]
    st.caption(f"Går till {kind.to}. Fält: " + ", ".join(f"{{{{ {field} }}}} – {what}"
                                                         for field, what in kind.fields.items()))
    if notice := st.session_state.pop("template_notice", None):
        (st.success if notice[0] == "ok" else st.error)(escape_markdown(notice[1]))
    edit, preview = st.columns(2, gap="large")
    p = f"template_{chosen}_{row['version']}_"
    with edit:
        subject = st.text_input("Ämnesrad", value=row["subject"], key=p + "subject")
        body = st.text_area("Text", value=row["body"], height=360, key=p + "body")
        save, reset = st.columns(2)
        if save.button("Spara mallen", type="primary", key=p + "save"):
            _template_change(lambda: templates.save(store, user, chosen, row["version"], subject, body), "sparad")
        if reset.button("Tillbaka till standardtexten", key=p + "reset", disabled=row["default"]):
            _template_change(lambda: templates.reset(store, user, chosen, row["version"]), "återställd")
    with preview:
        st.markdown("**Förhandsgranskning** med påhittade uppgifter")
        try:
            sample_subject, sample_body = templates.check(kind, subject, body)
        except templates.TemplateProblem as exc:
            st.error(escape_markdown(str(exc)))
        else:
            st.markdown(f"Ämne: **{escape_markdown(sample_subject)}**")
            st.code(sample_body, language=None, wrap_lines=True)


def _template_change(change, done: str) -> None:
    try:
        change()
    except Refused as exc:
        st.session_state["template_notice"] = ("fel", str(exc))
    else:
        st.session_state["template_notice"] = ("ok", f"Mallen är {done}.")
    st.rerun()

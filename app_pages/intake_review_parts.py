"""Granska fil's pieces: the arrival time, the split beside the questionnaire, accepting or rejecting one
file, and accepting several at once.

Not a page itself: the router registers pages by file, and this file is not among them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import streamlit as st

from scoring.core import organisations
from scoring.core.errors import Refused
from scoring.core.store import get_store
from scoring.core.text import escape_markdown
from scoring.intake import registrations, split_view
from scoring.intake import review as intake_store
from scoring.year import calendar
from scoring.year.framework import Framework, load_framework

# How a passage that is not plain answer text is marked in the file's pane.
TEXT_KINDS = {"fragetext": "Frågetext", "ingress": "Ingress", "instruktion": "Anvisning", "falt": "Uppgift"}
FRAMES = {"textruta": "Textruta", "formular": "Formulärcell"}
BADGE_COLOURS = {"fraga": "blue", "inledning": "gray", "presentation": "gray", "bilaga": "violet", "ovrigt": "orange"}
PANE_HEIGHT = 480  # both panes scroll on their own and fit a laptop's window with the move control above
NOTE_HELP = "Krävs när filen kom in sent eller har fynd: varför tas den ändå emot? Anteckningen sparas."


def arrival_form(review: intake_store.Review) -> None:
    """Correct when the file reached the office (it may have come by e-mail earlier)."""
    store, user = get_store(), st.session_state["current_user"]
    local = calendar.stockholm(review.received_at)
    with st.popover("Ändra ankomsttid", icon=":material/schedule:"), st.form(f"arrival_{review.id}"):
        day = st.date_input("Datum", value=local.date(), max_value=calendar.today(), format="YYYY-MM-DD")
        time = st.time_input("Klockan", value=local.time().replace(second=0, microsecond=0),
                             step=dt.timedelta(minutes=15))
        if st.form_submit_button("Spara"):
            try:
                intake_store.set_received_at(store, user, review.id, review.version,
                                             calendar.utc_from_stockholm(day, time))
            except Refused as exc:
                st.error(escape_markdown(str(exc)))
            else:
                st.rerun()


def split_review(review: intake_store.Review, framework: Framework) -> None:
    """The file as the unit wrote it beside the questionnaire, and moving passages between them."""
    st.header("Uppdelning")
    st.caption("Till vänster bidraget som verksamheten skrev det, stycke för stycke; till höger frågeformuläret "
               "med de stycken som hamnat under varje fråga. Hamnade ett stycke fel: välj stycket och vart det "
               "ska, och flytta.")
    messages = st.container()  # above the panes, so a move's outcome shows where the move was made
    text = _split_text(review, framework)
    _move_form(review, framework, text, messages)
    file_pane, questionnaire_pane = st.columns(2, gap="medium")
    with file_pane:
        st.markdown("**Bidraget**")
        with st.container(height=PANE_HEIGHT, key="split_file_pane"):
            for run in text.runs:  # one markdown element per run keeps a 400-passage file quick to draw
                st.markdown(run)
    with questionnaire_pane:
        st.markdown("**Frågeformuläret**")
        with st.container(height=PANE_HEIGHT, key="split_questionnaire_pane"):
            _questionnaire(review, framework)


@dataclasses.dataclass
class _SplitText:
    """What the panes and the move control show of one version of a file's split."""

    key: tuple
    runs: list[str]             # the file's passages in document order, a run under one place at a time
    passage_labels: dict[str, str]  # block id -> "¶12 · Fråga 3 · Vi arbetar …"
    numbers: dict[str, int]


def _split_text(review: intake_store.Review, framework: Framework) -> _SplitText:
    """Built once per version of the split and kept for the session: a rerun for any other
    reason (a note typed, a file chosen in a form) sends the same text without building it."""
    key = (review.id, review.version, id(framework))
    cached = st.session_state.get(f"split_text_{review.id}")
    if cached is not None and cached.key == key:
        return cached
    numbers = split_view.numbers(review.blocks)
    labels = {}
    for block in review.blocks:
        where = split_view.place_label(framework, split_view.place_key(review.places[block.id]))
        text = " ".join(block.text.split())
        labels[block.id] = f"¶{numbers[block.id]} · {where} · {text[:70] + ' …' if len(text) > 70 else text}"
    built = _SplitText(key, _file_runs(review, framework, numbers), labels, numbers)
    st.session_state[f"split_text_{review.id}"] = built
    return built


def _move_form(review: intake_store.Review, framework: Framework, text: _SplitText, messages) -> None:
    store, user = get_store(), st.session_state["current_user"]
    # The version this window last showed, so a move made on a split someone has saved over
    # meanwhile is refused instead of being applied to what this window never showed.
    seen_key = f"split_seen_version_{review.id}"
    seen = st.session_state.get(seen_key, review.version)
    numbers = text.numbers
    targets = split_view.targets(framework)
    with st.form(f"move_{review.id}", clear_on_submit=True, border=False):
        chosen_col, target_col, button_col = st.columns([5, 3, 1], vertical_alignment="bottom")
        chosen = chosen_col.multiselect("Stycken att flytta", list(numbers), format_func=text.passage_labels.get,
                                        placeholder="Välj stycken, till exempel ¶12", select_all=False,
                                        key=f"move_passages_{review.id}")
        target = target_col.selectbox("Flytta till", list(targets), format_func=lambda k: targets[k].label, index=None,
                                      placeholder="Välj fråga eller del", key=f"move_target_{review.id}")
        moved = button_col.form_submit_button("Flytta", icon=":material/move_down:", width="stretch")
    with messages:
        if outcome := st.session_state.pop(f"split_moved_{review.id}", None):
            st.success(escape_markdown(outcome), icon=":material/check:")
    if moved:
        with messages:
            _move(store, user, review, framework, seen, chosen, target, numbers)
    st.session_state[seen_key] = review.version


def _move(store, user, review, framework, seen: int, chosen: list[str], target: str | None,
          numbers: dict[str, int]) -> None:
    if not chosen or target is None:
        st.error("Välj de stycken som ska flyttas och vart de ska.")
        return
    label = split_view.targets(framework)[target].label.split(" · ")[0]
    changes = split_view.moves(framework, review.places, chosen, target)
    passages = split_view.ranges(sorted(numbers[b] for b in chosen))
    if not changes:
        st.info(escape_markdown(f"{passages} står redan under {label}."))
        return
    try:
        intake_store.correct(store, user, review.id, seen, changes)
    except Refused as exc:
        st.error(escape_markdown(str(exc)) + " Uppdelningen nedan är den sparade.")
        return
    st.session_state[f"split_moved_{review.id}"] = f"{passages} flyttade till {label}."
    st.rerun()


def _file_runs(review: intake_store.Review, framework: Framework, numbers: dict[str, int]) -> list[str]:
    """Every passage in document order and in full, each run of passages under its place's badge."""
    pictures: dict[str, list[int]] = {}
    for picture in review.report.pictures:
        pictures.setdefault(picture["block_id"], []).append(picture["number"])
    runs = []
    for key, blocks in split_view.runs(review.blocks, review.places):
        label = split_view.place_label(framework, key)
        if key[:2] == ("fraga", None):  # an area's heading or introduction before its first question
            area = framework.area(review.places[blocks[0].id].area) if review.places[blocks[0].id].area else None
            label = f"{area.title}, utan fråga" if area else label
        colour = "orange" if _needs_a_look(key, blocks, review.places) else \
            "gray" if key[:2] == ("fraga", None) else BADGE_COLOURS.get(key[0], "gray")
        badge = f":{colour}-badge[{escape_markdown(label)}]"
        runs.append("\n\n".join([badge, *(_passage(b, review.places[b.id], numbers[b.id], pictures.get(b.id, []))
                                         for b in blocks)]))
    return runs


def _needs_a_look(key, blocks, places) -> bool:
    """Passages placed under no question: flagged when they hold answer text (headings and an
    area's introduction belong there)."""
    return key[0] == "ovrigt" or (key[:2] == ("fraga", None) and any(places[b.id].text_kind == "svar" for b in blocks))


def _passage(block, place, number: int, pictures: list[int]) -> str:
    marks = [f"¶{number}"] + [m for m in (FRAMES.get(block.frame), TEXT_KINDS.get(place.text_kind)) if m]
    head = f":gray[{' · '.join(marks)}]"
    text = escape_markdown(block.text).replace("\n", "  \n")
    if block.kind == "tabell" and block.rows:
        width = max(len(r) for r in block.rows)
        rows = [[escape_markdown(" ".join(c.split())) for c in r] + [""] * (width - len(r)) for r in block.rows]
        body = "\n".join(["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * width,
                          *("| " + " | ".join(r) + " |" for r in rows[1:])])
        return f"{head} :gray[Tabell]\n\n{body}"
    if block.kind == "innehall":
        body = f":gray[Innehållsförteckning: {text}]"
    elif place.text_kind == "rubrik" and text:
        body = f"**{text}**"
    elif place.text_kind in ("fragetext", "ingress", "instruktion") and text:
        body = f"*{text}*"
    else:
        body = text
    body += "".join(f" :gray[[{n['number']}]]" for n in block.notes)
    body += "".join(f" :gray[:material/image: Bild {n}]" for n in pictures)
    if block.images and not pictures:
        body += " :gray[:material/image: Bild]"
    notes = "".join(f"  \n:gray[[{n['number']}] {escape_markdown(n['text'])}]" for n in block.notes)
    return f"{head} {body}{notes}"


def _questionnaire(review: intake_store.Review, framework: Framework) -> None:
    """The year's questions per area, each with the passages placed under it, its characters and
    how the question was found; then the passages outside the questions."""
    placed = split_view.passages_by_place(review.blocks, review.places)
    found = {q["number"]: q for q in review.report.questions}
    for area in framework.areas:
        chars = review.report.chars_by_area.get(area.code, 0)
        markdown = [f"### {escape_markdown(area.title)} :gray[· {_chars(chars)}]"]
        for question in area.questions:
            markdown.append(_question_lines(question, found[question.number], placed))
        st.markdown("\n\n".join(markdown))
    outside = [(key, numbers) for key, numbers in placed.items() if key[0] != "fraga" or key[1] is None]
    if outside:
        blocks = {n: b for n, b in enumerate(review.blocks, start=1)}
        markdown = ["### Utanför frågorna"]
        for key, numbers in outside:
            label = escape_markdown(split_view.place_label(framework, key))
            colour = "orange" if _needs_a_look(key, [blocks[n] for n in numbers], review.places) else "gray"
            markdown.append(f":{colour}-badge[{label}] :gray[{split_view.ranges(numbers)}]")
        st.markdown("\n\n".join(markdown))


def _question_lines(question, found: dict, placed: dict) -> str:
    whole = placed.get(("fraga", question.number, None), [])
    facts = [split_view.ranges(whole)] if whole else []
    facts.append(_chars(found["chars"]))
    if found.get("picture_chars"):
        facts.append(f"{found['picture_chars']} tecken i bilder")
    facts.append(f"hittad genom {found['how']}, {round(found['confidence'] * 100)} %" if found["how"] != "hittades inte"
                 else "hittades inte i filen")
    status = ":gray[" + " · ".join(escape_markdown(f) for f in facts) + "]"
    if not found["answered"]:
        status = ":red[:material/error: Inte besvarad] " + status
    lines = [f"**{question.number}.** {escape_markdown(question.text)}  \n{status}"]
    for part in question.parts:
        numbers = placed.get(("fraga", question.number, part.label), [])
        where = f":gray[{split_view.ranges(numbers)}]" if numbers else ":red[Inga stycken]"
        lines.append(f"- **{part.label})** {escape_markdown(part.text)}  \n  {where}")
    return "\n".join(lines) if question.parts else lines[0]


def _chars(n: int) -> str:
    return f"{n:,} tecken".replace(",", " ")


def _accepted(message: str) -> None:
    st.session_state["upload_outcomes"] = [("ok", message)]
    st.switch_page("app_pages/intake.py")


def decision_forms(review: intake_store.Review, framework: Framework) -> None:
    store, user = get_store(), st.session_state["current_user"]
    st.header("Godkänn eller avvisa")
    accept_col, reject_col = st.columns([3, 2], gap="large")
    with accept_col, st.form("accept"):
        if review.replaces:
            st.markdown(f"Den rättade filen ersätter texten i **{escape_markdown(review.replaces['unit'])}**; "
                        "den tidigare filen finns kvar som version.")
            unit_name = organisation = class_code = ""
            registration = None
        else:
            unit_name = st.text_input("Verksamhetens namn", value=review.report.intro_fields.get("unit_name")
                                      or Path(review.filename).stem, key=f"accept_unit_{review.id}")
            names = list(organisations.organisations())
            organisation = st.selectbox("Förvaltning eller bolag", names, index=None,
                                        placeholder="Välj ur stadens lista", key=f"accept_organisation_{review.id}")
            class_code = st.selectbox("Tävlingsklass", [c.code for c in framework.classes],
                                      format_func=framework.class_name, index=None, placeholder="Välj tävlingsklass",
                                      key=f"accept_class_{review.id}") if framework.has_classes else None
            candidates = registrations.open_for_link(store, user, review.year)
            options = {r["id"]: r["unit_name"] for r in candidates}
            guess = registrations.best_match(candidates, unit_name)
            registration = st.selectbox("Intresseanmälan", list(options), format_func=options.get,
                                        index=list(options).index(guess) if guess in options else None,
                                        placeholder="Ingen anmälan" if not options else "Välj anmälan (valfritt)",
                                        key=f"accept_registration_{review.id}")
        note = st.text_area("Anteckning" + (" (krävs)" if review.needs_note else " (valfri)"), height=80,
                            help=NOTE_HELP)
        label = "Godkänn som ny version" if review.replaces else "Godkänn bidraget"
        if st.form_submit_button(label, type="primary"):
            try:
                intake_store.accept(store, user, review.id, review.version, unit_name=unit_name,
                                    organisation=organisation or "", class_code=class_code or None,
                                    registration_id=registration, note=note)
            except Refused as exc:
                st.error(escape_markdown(str(exc)))
            else:
                _accepted(f"{review.replaces['unit']} har fått en ny version." if review.replaces
                          else f"{unit_name} är godkänt som bidrag.")
    with reject_col, st.form("reject"):
        reason = st.text_area("Varför avvisas filen?", height=100)
        if st.form_submit_button("Avvisa filen"):
            try:
                intake_store.reject(store, user, review.id, reason)
            except Refused as exc:
                st.error(escape_markdown(str(exc)))
            else:
                st.rerun()


def accept_many_section(year: int, waiting: list[dict]) -> None:
    """Several reviewed files in one table: name, organisation, class, registration, note."""
    store, user = get_store(), st.session_state["current_user"]
    framework = load_framework(year)
    new = [r for r in waiting if not r["replaces_contribution_id"]]
    if not new:
        st.info("Bara rättade versioner väntar; granska dem en och en.")
        return
    st.caption("Fyll i verksamhet, förvaltning eller bolag" + (" och tävlingsklass" if framework.has_classes else "")
               + " för de filer som ska bli bidrag, "
               "kryssa i Godkänn och spara. Filer som kom in sent eller har fynd behöver en anteckning. "
               "En fil som inte går igenom stoppar inte de andra.")
    candidates = registrations.open_for_link(store, user, year)
    by_name = {r["unit_name"]: r["id"] for r in candidates}
    classes = {framework.class_name(c.code): c.code for c in framework.classes}
    rows = []
    for r in new:
        unit = r["unit_name"] or Path(r["filename"]).stem
        guess = registrations.best_match(candidates, unit)
        registered = next((c for c in candidates if c["id"] == guess), None)
        rows.append({"Godkänn": False, "Fil": r["filename"], "Verksamhet": unit,
                     "Förvaltning/bolag": registered["organisation"] if registered else None,
                     **({"Tävlingsklass": None} if framework.has_classes else {}),
                     "Intresseanmälan": registered["unit_name"] if registered else None,
                     "Sent": r["late"], "Fynd": r["errors"] + r["warnings"], "Anteckning": ""})
    key = f"accept_many_{'_'.join(str(r['id']) for r in new)}"
    edited = st.data_editor(rows, key=key, hide_index=True, width="stretch", disabled=["Fil", "Sent", "Fynd"],
                            column_config={
                                "Godkänn": st.column_config.CheckboxColumn(width="small"),
                                "Förvaltning/bolag": st.column_config.SelectboxColumn(
                                    options=list(organisations.organisations())),
                                "Tävlingsklass": st.column_config.SelectboxColumn(options=list(classes)),
                                "Intresseanmälan": st.column_config.SelectboxColumn(options=list(by_name)),
                                "Sent": st.column_config.CheckboxColumn(width="small"),
                            })
    chosen = [(r, row) for r, row in zip(new, edited, strict=True) if row["Godkänn"]]
    if st.button(f"Godkänn {len(chosen)} markerade", type="primary", disabled=not chosen):
        outcomes = intake_store.accept_many(store, user, [{
            "intake_id": r["id"], "version": r["version"], "unit_name": row["Verksamhet"] or "",
            "organisation": row["Förvaltning/bolag"] or "", "class_code": classes.get(row.get("Tävlingsklass")),
            "registration_id": by_name.get(row["Intresseanmälan"]), "note": row["Anteckning"] or ""}
            for r, row in chosen])
        names = {r["id"]: r["filename"] for r in new}
        messages = [("ok" if error is None else "fel",
                     f"{names[i]}: godkänt som bidrag." if error is None else f"{names[i]}: {error}")
                    for i, error in outcomes]
        st.session_state["upload_outcomes"] = messages
        st.rerun()

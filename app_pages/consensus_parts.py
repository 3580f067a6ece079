"""The consensus page's tabs: scores with spread, merged findings, key themes, changes.

Not a page itself. Every change goes through ``save`` with the version this window read.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import common
from scoring.assessment import guidance
from scoring.consensus import workspace as consensus
from scoring.consensus.rules import KEY_THEMES, agenda, group_findings, rationale_needed
from scoring.core.text import escape_markdown
from scoring.year import phases

SAVES = common.VersionedSaves("konsensus", "Någon annan har sparat i konsensus sedan du öppnade sidan.")


def prefix(cid: int) -> str:
    return SAVES.widget_prefix(cid)


def save(cid: int, change, *args, **kwargs) -> bool:
    return SAVES.save(cid, change, *args, **kwargs)


def scores_tab(framework, work: consensus.Workspace, editing: bool) -> None:
    items = agenda(framework, list(work.individual.values()), work.threshold)
    st.caption(f"Områden med stor spridning (minst {work.threshold} poäng eller olika band) står först, "
               "störst oenighet först. Medianen erbjuds men sätts aldrig av sig själv.")
    for item in items:
        area = framework.area(item.area_code)
        agreed = work.scores.get(area.code, {})
        needs_area, far = rationale_needed(item, agreed, work.threshold)
        flag = "⚑ " if item.flagged else ""
        # The label and the expanded state stay the same while the team works, so the
        # expander does not fold up under their hands.
        # Keyed, with its state kept: a message appearing above it must not fold it up either.
        with st.expander(f"{flag}{area.title} · spridning {item.area.range} p · {item.area.bands} band",
                         expanded=item.flagged, key=f"{prefix(work.contribution_id)}agenda_{area.code}",
                         on_change="rerun"):
            st.caption(f"Överens om {len(agreed)} av {len(area.criteria)} bedömningsgrunder.")
            table = {e: {c.title: work.individual[e].get(area.code, {}).get("criteria", {}).get(c.code)
                         for c in area.criteria} for e in work.examiners}
            frame = pd.DataFrame(table)
            stats = {c.title: item.criteria[c.code] for c in area.criteria}
            frame["Medel"] = [round(s.mean, 1) if s.mean is not None else None for s in stats.values()]
            frame["Median"] = [s.median_offer for s in stats.values()]
            frame["Spridning"] = [s.range for s in stats.values()]
            frame["Std"] = [round(s.stdev, 1) for s in stats.values()]
            frame["Antal band"] = [s.bands for s in stats.values()]
            frame["Konsensus"] = [str(agreed[c.code]) if c.code in agreed else "–" for c in area.criteria]
            st.dataframe(frame, width="stretch")
            for criterion in area.criteria:
                score_form(work, area, criterion, item.criteria[criterion.code], editing, criterion.code in far)
            rationale_field(work, area.code, None, "Motivering för området"
                            + (" (krävs: stor spridning)" if needs_area else ""), editing)
            if item.flagged:
                left_open_field(work, area.code, editing)
            examiners_findings(work, area.code)


def score_form(work, area, criterion, spread, editing: bool, needs_rationale: bool) -> None:
    agreed = work.scores.get(area.code, {}).get(criterion.code)
    p = f"{prefix(work.contribution_id)}score_{area.code}_{criterion.code}_"
    with st.form(p + "form", border=False):
        left, middle, right = st.columns([2, 3, 1], vertical_alignment="bottom")
        values = list(range(0, 101, 5))
        left.selectbox(f"{criterion.title}", values, key=p + "value", disabled=not editing,
                       index=values.index(agreed) if agreed in values else None,
                       placeholder=f"Välj (median {spread.median_offer})")
        middle.text_input("Skäl (krävs när en överenskommen poäng ändras)", key=p + "reason", disabled=not editing)
        right.form_submit_button("Spara", disabled=not editing, on_click=_save_score,
                                 args=(work.contribution_id, area.code, criterion.code, p))
    if needs_rationale:
        rationale_field(work, area.code, criterion.code,
                        f"Motivering för {criterion.title} (krävs: mer än {work.threshold} p från medelvärdet)", editing)


def _save_score(cid: int, area_code: str, criterion_code: str, p: str) -> None:
    value = st.session_state[p + "value"]
    if value is None:
        SAVES.fail("Välj en konsensuspoäng innan du sparar.")
        return
    if save(cid, consensus.set_score, area_code, criterion_code, value, st.session_state[p + "reason"]):
        st.session_state[p + "reason"] = ""


def rationale_field(work, area_code: str, criterion_code: str | None, label: str, editing: bool) -> None:
    key = f"{prefix(work.contribution_id)}why_{area_code}_{criterion_code or ''}"
    current = (work.area_rationales.get(area_code) if criterion_code is None
               else work.criterion_rationales.get(area_code, {}).get(criterion_code)) or ""
    st.session_state.setdefault(key, current)
    st.text_area(label, key=key, height=68, disabled=not editing,
                 on_change=lambda: save(work.contribution_id, consensus.set_rationale, area_code,
                                        st.session_state[key], criterion_code))


def left_open_field(work, area_code: str, editing: bool) -> None:
    """The team leaves the area's disagreement open: the jury's dossier lists it with the rationale."""
    key = f"{prefix(work.contribution_id)}open_{area_code}"
    st.session_state.setdefault(key, area_code in work.left_open)
    st.checkbox("Laget är inte överens: lämna oenigheten öppen till juryn (står i juryunderlaget med motiveringen)",
                key=key, disabled=not editing,
                on_change=lambda: save(work.contribution_id, consensus.set_left_open, area_code, st.session_state[key]))


# "+" at the start of a list item would open a nested list: escaped.
MARKS = {"styrka": "\\+", "utvecklingsomrade": "△"}


def examiners_findings(work, area_code: str) -> None:
    columns = st.columns(max(1, len(work.examiners)))
    for column, examiner in zip(columns, work.examiners, strict=False):
        own = [f for f in work.source_findings if f.examiner == examiner and f.area_code == area_code]
        items = [f"- {MARKS[f.kind]} {escape_markdown(f.text)}" for f in own]
        column.markdown(f"**{escape_markdown(examiner)}**\n\n" + ("\n".join(items) or ":gray[Inga iakttagelser]"))


def findings_tab(framework, work: consensus.Workspace, editing: bool) -> None:
    adopted = {sid for f in work.findings for sid in f.source_findings}
    groups = [g for g in group_findings(work.source_findings) if not {m.id for m in g.members} <= adopted]
    st.caption("\\+ styrka · △ utvecklingsområde. Examinatorernas iakttagelser grupperas när de liknar varandra; "
               "ta med en grupp, redigera texten, och den behåller vilka som bidrog och vilka avsnitt den vilar på.")
    area = framework.area(st.segmented_control("Frågeområde", [a.code for a in framework.areas],
                                               format_func=lambda c: framework.area(c).title, required=True,
                                               default=framework.areas[0].code,
                                               key=f"{prefix(work.contribution_id)}findings_area"))
    for kind, heading in (("styrka", "Styrkor"), ("utvecklingsomrade", "Utvecklingsområden")):
        st.header(heading)
        for finding in work.area_findings(area.code, kind):
            finding_form(work, finding, editing)
        for group in (g for g in groups if g.area_code == area.code and g.kind == kind):
            group_form(work, group, editing)


def _reason_input(work, key: str, key_theme: bool = False) -> None:
    if work.phase == "slutlig_konsensus" and not key_theme:
        st.text_input("Skäl till ändringen efter platsbesöket", key=key)


def finding_form(work, finding: dict, editing: bool) -> None:
    p = f"{prefix(work.contribution_id)}cf{finding.id}_"
    with st.form(p + "form", border=True):
        st.text_area("Konsensus", value=finding.text, key=p + "text", disabled=not editing)
        for warning in guidance.wording_warnings(finding.text):
            st.caption(f"💡 {escape_markdown(warning.message)}")
        st.caption("Från: " + (escape_markdown(", ".join(finding.contributors)) or "laget")
                   + (f" · frågor {', '.join(map(str, finding.question_numbers))}" if finding.question_numbers
                      else "") + (f" · {len(finding.anchors)} avsnitt" if finding.anchors else ""))
        _reason_input(work, p + "reason", key_theme=finding.area_code is None)
        left, right = st.columns(2)
        left.form_submit_button("Spara", disabled=not editing, on_click=_update, args=(work.contribution_id,
                                                                                      finding.id, p))
        right.form_submit_button("Ta bort", disabled=not editing, on_click=_delete,
                                 args=(work.contribution_id, finding.id, p))


def _update(cid: int, fid: int, p: str) -> None:
    save(cid, consensus.update_finding, fid, text=st.session_state[p + "text"],
         reason=st.session_state.get(p + "reason", ""))


def _delete(cid: int, fid: int, p: str) -> None:
    save(cid, consensus.delete_finding, fid, reason=st.session_state.get(p + "reason", ""))


def group_form(work, group, editing: bool) -> None:
    # Keyed by its first member, not its position: adopting one group must not hand its
    # text to the next.
    p = f"{prefix(work.contribution_id)}g{group.area_code}_{group.kind}_{min(m.id for m in group.members)}_"
    with st.form(p + "form"):
        st.markdown(f"**Förslag** från {escape_markdown(', '.join(group.contributors))} "
                    f"({len(group.members)} iakttagelse{'' if len(group.members) == 1 else 'r'})")
        for member in group.members:
            st.caption(f"{escape_markdown(member.examiner)}: {escape_markdown(member.text)}")
        st.text_area("Sammanslagen text", value=group.text, key=p + "text")
        _reason_input(work, p + "reason")
        st.form_submit_button("Ta med i konsensus", disabled=not editing, on_click=_adopt,
                              args=(work.contribution_id, group, p))


def _adopt(cid: int, group, p: str) -> None:
    save(cid, consensus.add_finding, area_code=group.area_code, kind=group.kind, text=st.session_state[p + "text"],
         sources=list(group.members), reason=st.session_state.get(p + "reason", ""))


def key_themes_tab(work: consensus.Workspace, editing: bool) -> None:
    low, high = KEY_THEMES
    st.caption(f"Bidragets nyckelteman: {low}–{high} styrkor och {low}–{high} utvecklingsområden som sammanfattar "
               "hela bidraget. De inleder återkopplingsrapporten.")
    for kind, heading in (("styrka", "Styrkor"), ("utvecklingsomrade", "Utvecklingsområden")):
        themes = work.area_findings(None, kind)
        st.header(f"{heading} ({len(themes)})")
        for theme in themes:
            finding_form(work, theme, editing)
    p = f"{prefix(work.contribution_id)}theme_"
    with st.form(p + "form", clear_on_submit=False):
        st.radio("Typ", list(phases.FindingKind.labels()), format_func=phases.FindingKind.labels().get, key=p + "kind", horizontal=True)
        st.text_area("Nytt nyckeltema", key=p + "text")
        st.form_submit_button("Lägg till", disabled=not editing, on_click=_add_theme, args=(work.contribution_id, p))


def _add_theme(cid: int, p: str) -> None:
    if save(cid, consensus.add_finding, area_code=None, kind=st.session_state[p + "kind"],
            text=st.session_state[p + "text"], reason=st.session_state.get(p + "reason", "")):
        st.session_state[p + "text"] = ""


def changes_tab(framework, work: consensus.Workspace) -> None:
    st.caption("Varje ändring av en konsensuspoäng och, efter platsbesöket, av en iakttagelse: före, efter, vem, "
               "när och varför.")
    titles = {(a.code, c.code): f"{a.title}: {c.title}" for a in framework.areas for c in a.criteria}
    st.dataframe([{"När": r["changed_at"], "Vem": r["changed_by"], "Bedömningsgrund":
                   titles.get((r["area_code"], r["criterion_code"]), r["criterion_code"]),
                   "Före": r["score_before"], "Efter": r["score_after"], "Skäl": r["reason"]}
                  for r in reversed(work.score_changes)], hide_index=True, width="stretch")
    if work.finding_changes:
        st.dataframe([{"När": r["changed_at"], "Vem": r["changed_by"], "Före": r["text_before"] or "(ny)",
                       "Efter": r["text_after"] or "(borttagen)", "Skäl": r["reason"]}
                      for r in reversed(work.finding_changes)], hide_index=True, width="stretch")

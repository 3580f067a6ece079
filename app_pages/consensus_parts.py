"""The consensus page's tabs: scores with spread, merged findings, key themes, changes.

Not a page itself. Every change goes through ``save`` with the version this window read.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from app_pages import common, draft_field
from scoring.assessment import guidance
from scoring.consensus import workspace as consensus
from scoring.consensus.rules import KEY_THEMES, agenda, flag_reasons, group_findings, rationale_needed
from scoring.core import audit
from scoring.core.store import get_store
from scoring.core.text import count, decimal, escape_markdown, local_time_text, swedish_date
from scoring.mail.notices import units_text
from scoring.year import phases

TABS = ("Poäng", "Iakttagelser", "Nyckelteman", "Platsbesök", "Samstämmighet", "Ändringar", "Förslag")
TAB_KEY = "konsensus_flik"   # not under the widget prefix: showing the saved version keeps the tab
TOP = "steget"               # the phase step above the tabs: its outcome shows there


def open_tab() -> str:
    return st.session_state.get(TAB_KEY) or TABS[0]


def in_area(area_code: str) -> str:
    """Where an area's saves answer: inside its box on the agenda, beside the form used."""
    return f"{TABS[0]} · {area_code}"


class ConsensusSaves(common.VersionedSaves):
    """Versioned saves that remember where on the page the action was taken (a tab, or the
    step above the tabs), so its confirmation, refusal or stale-save box shows right there."""

    WHERE = "konsensus_where"
    FLASH = "konsensus_flash"

    def save(self, subject_id: int, change, *args, where: str | None = None, confirm: str = "Sparat.",
             **kwargs) -> bool:
        where = st.session_state[self.WHERE] = where or open_tab()
        read = self.read_version(subject_id)
        try:
            saved = super().save(subject_id, change, *args, **kwargs)
        finally:
            st.session_state.pop(self.WHERE, None)
        if saved:
            others = st.session_state.pop(self._others, None)
            st.session_state[self.FLASH] = {"where": where, "cid": subject_id, "success": confirm,
                                            "others": others["count"] if others else 0}
        elif stale := st.session_state.get(self._stale):
            stale.update(where=where, read=read, confirm=confirm)
        return saved

    def retry(self, stale: dict) -> None:
        """Save this window's change after all, over what was saved meanwhile; it answers where it was made."""
        st.session_state.pop(self._stale, None)
        st.session_state[self.version_key(stale["cid"])] = stale["current_version"]
        change, args, kwargs = stale["retry"]
        self.save(stale["cid"], change, *args, where=stale.get("where"), confirm=stale.get("confirm", "Sparat."),
                  **kwargs)

    def fail(self, message: str, where: str | None = None) -> None:
        st.session_state[self.FLASH] = {"where": where or st.session_state.get(self.WHERE) or open_tab(),
                                        "error": message}

    def show_behind(self, subject_id: int, current_version: int, editable: bool) -> None:
        """Someone saved since this window read: said once, above the tabs."""
        stale = st.session_state.get(self._stale)
        if (editable and not (stale and stale["cid"] == subject_id)
                and current_version != self.read_version(subject_id)):
            st.warning(self.behind, icon=":material/sync_problem:")
            st.button("Visa det sparade", on_click=self.reload, args=(subject_id,), key="konsensus_visa_sparat")

    def show_messages(self, where: str, subject_id: int) -> None:
        """The outcome of the last action taken here: a confirmation, a refusal, or the box
        for a save refused because someone else saved the same part meanwhile."""
        stale = st.session_state.get(self._stale)
        if stale and stale["cid"] == subject_id and stale.get("where", TABS[0]) == where:
            self._stale_box(stale, subject_id)
        flash = st.session_state.get(self.FLASH)
        if not flash or flash["where"] != where:
            return
        del st.session_state[self.FLASH]
        if "error" in flash:
            st.error(escape_markdown(flash["error"]), icon=":material/error:")
        elif flash.get("cid") == subject_id:
            others = flash["others"]
            st.success(escape_markdown(flash["success"])
                       + (f" Under tiden sparades {count(others, 'ändring', 'ändringar')} i andra delar av "
                          "konsensus; de syns när du visar det sparade." if others else ""),
                       icon=":material/check_circle:")
            if others:
                st.button("Visa det sparade", on_click=self.reload, args=(subject_id,),
                          key=f"konsensus_visa_sparat_{where}")

    def _stale_box(self, stale: dict, subject_id: int) -> None:
        saved = consensus.saved_meanwhile(get_store(), st.session_state["current_user"], subject_id,
                                          stale.get("read", 0))
        people = list(dict.fromkeys(s.who for s in saved)) or ["Någon annan"]
        with st.container(border=True):
            st.error(f"{escape_markdown(units_text(people))} har sparat samma del av konsensus efter att du "
                     "öppnade sidan. Din ändring är inte sparad.", icon=":material/sync_problem:")
            if saved:
                today = audit.local_time(dt.datetime.now(dt.UTC).replace(tzinfo=None)).date()
                st.markdown("**Sparat under tiden**  \n" + "  \n".join(
                    f"{_when(s.when, today)} · **{escape_markdown(s.who)}** · {escape_markdown(s.what)}"
                    + (f": {escape_markdown(s.value)}" if s.value else "") for s in saved[-8:]))
            left, right = st.columns(2)
            left.button("Ladda om deras version", type="primary", on_click=self.reload, args=(subject_id,),
                        icon=":material/refresh:", key="konsensus_ladda_om",
                        help="Din ändring släpps. Du ser det som är sparat nu och kan göra om ändringen.")
            right.button("Spara min ändring ändå", on_click=self.retry, args=(stale,), key="konsensus_spara_anda",
                         help="Din ändring ersätter det de sparade.")


def _when(moment: dt.datetime, today: dt.date) -> str:
    return (f"i dag kl. {moment:%H.%M}" if moment.date() == today
            else f"{swedish_date(moment.date())} kl. {moment:%H.%M}")


SAVES = ConsensusSaves("konsensus", "Någon annan har sparat i konsensus sedan du öppnade sidan.")


def prefix(cid: int) -> str:
    return SAVES.widget_prefix(cid)


def save(cid: int, change, *args, **kwargs) -> bool:
    return SAVES.save(cid, change, *args, **kwargs)


def scores_tab(framework, work: consensus.Workspace, editing: bool) -> None:
    items = agenda(framework, list(work.individual.values()), work.threshold)
    st.caption(f"⚑ = stor spridning: en bedömningsgrund där poängen skiljer minst {work.threshold} poäng eller "
               "hamnar i olika band. Sådana områden står först, störst oenighet först. Medianen erbjuds men sätts "
               "aldrig av sig själv.")
    for item in items:
        area = framework.area(item.area_code)
        agreed = work.scores.get(area.code, {})
        needs_area, far = rationale_needed(item, agreed, work.threshold)
        # The label names what carries the flag; it and the expanded state stay the same
        # while the team works (the individual scores are locked), so nothing folds up under
        # their hands. Keyed, with its state kept: a message appearing above it must not fold
        # it up either. Only an open area draws its forms: a closed one costs one line.
        reasons = flag_reasons(item, {c.code: c.title for c in area.criteria})
        label = (f"⚑ {area.title} · stor spridning: {', '.join(reasons)}" if reasons
                 else f"{area.title} · ingen stor spridning (högst "
                      f"{max([item.area.range, *(c.range for c in item.criteria.values())])} p)")
        # The agenda's first area opens by itself if flagged: the team takes one area at a time.
        expander = st.expander(label, expanded=item is items[0] and item.flagged,
                               key=f"{prefix(work.contribution_id)}agenda_{area.code}", on_change="rerun")
        if not expander.open:
            continue
        with expander:
            SAVES.show_messages(in_area(area.code), work.contribution_id)
            st.caption(f"Överens om {len(agreed)} av {count(len(area.criteria), 'bedömningsgrund', 'bedömningsgrunder')}.")
            stats = [item.criteria[c.code] for c in area.criteria]
            # One frame built whole: adding columns one by one costs more than the rest of the area.
            columns = {e: [work.individual[e].get(area.code, {}).get("criteria", {}).get(c.code) for c in area.criteria]
                       for e in work.examiners}
            columns |= {"Medel": [decimal(s.mean) if s.mean is not None else None for s in stats],
                        "Median": [s.median_offer for s in stats], "Spridning": [s.range for s in stats],
                        "Band": [s.bands for s in stats],
                        "Konsensus": [str(agreed[c.code]) if c.code in agreed else "–" for c in area.criteria]}
            # The criteria that carry the flag are marked where they are named.
            frame = pd.DataFrame(columns, index=[("⚑ " if s.flagged else "") + c.title
                                                 for c, s in zip(area.criteria, stats, strict=True)])
            # Narrow columns (no standard deviation: no rule reads it): at 1366 px the
            # Konsensus column stays in view beside four examiners.
            st.dataframe(frame, width="stretch", column_config={
                "_index": st.column_config.TextColumn("Bedömningsgrund", width=200),
                **{name: st.column_config.Column(width=75 if name in work.examiners else 68) for name in frame.columns}})
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
        SAVES.fail("Välj en konsensuspoäng innan du sparar.", where=in_area(area_code))
        return
    if save(cid, consensus.set_score, area_code, criterion_code, value, st.session_state[p + "reason"],
            confirm=f"Konsensuspoängen {value} är sparad.", where=in_area(area_code)):
        st.session_state[p + "reason"] = ""


def rationale_field(work, area_code: str, criterion_code: str | None, label: str, editing: bool) -> None:
    key = f"{prefix(work.contribution_id)}why_{area_code}_{criterion_code or ''}"
    current = (work.area_rationales.get(area_code) if criterion_code is None
               else work.criterion_rationales.get(area_code, {}).get(criterion_code)) or ""
    field = f"konsensus:{work.contribution_id}:why_{area_code}_{criterion_code or ''}"
    draft_field.setdefault(key, field, current)

    def save_rationale() -> bool:
        return save(work.contribution_id, consensus.set_rationale, area_code, st.session_state[key], criterion_code,
                    confirm="Motiveringen är sparad.", where=in_area(area_code))
    st.text_area(label, key=key, height=68, disabled=not editing, on_change=save_rationale)
    draft_field.companion(key, field, current, save_rationale, disabled=not editing)


def left_open_field(work, area_code: str, editing: bool) -> None:
    """The team leaves the area's disagreement open: the jury's dossier lists it with the rationale."""
    key = f"{prefix(work.contribution_id)}open_{area_code}"
    st.session_state.setdefault(key, area_code in work.left_open)
    st.checkbox("Laget är inte överens: lämna oenigheten öppen till juryn (står i juryunderlaget med motiveringen)",
                key=key, disabled=not editing,
                on_change=lambda: save(work.contribution_id, consensus.set_left_open, area_code, st.session_state[key],
                                       confirm="Sparat: oenigheten lämnas öppen till juryn." if st.session_state[key]
                                       else "Sparat: oenigheten lämnas inte öppen.", where=in_area(area_code)))


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
    field = f"konsensus:{work.contribution_id}:cf{finding.id}"
    draft_field.setdefault(p + "text", field, finding.text)
    with st.form(p + "form", border=True):
        st.text_area("Konsensus", key=p + "text", disabled=not editing)
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
    draft_field.companion(p + "text", field, finding.text, disabled=not editing)


def _update(cid: int, fid: int, p: str) -> None:
    save(cid, consensus.update_finding, fid, text=st.session_state[p + "text"],
         reason=st.session_state.get(p + "reason", ""), confirm="Iakttagelsen är sparad.")


def _delete(cid: int, fid: int, p: str) -> None:
    save(cid, consensus.delete_finding, fid, reason=st.session_state.get(p + "reason", ""),
         confirm="Iakttagelsen är borttagen.")


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
         sources=list(group.members), reason=st.session_state.get(p + "reason", ""),
         confirm="Iakttagelsen är med i konsensus.")


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
            text=st.session_state[p + "text"], reason=st.session_state.get(p + "reason", ""),
            confirm="Nyckeltemat är sparat."):
        st.session_state[p + "text"] = ""


def changes_tab(framework, work: consensus.Workspace) -> None:
    st.caption("Varje ändring av en konsensuspoäng och, efter platsbesöket, av en iakttagelse: före, efter, vem, "
               "när och varför.")
    titles = {(a.code, c.code): f"{a.title}: {c.title}" for a in framework.areas for c in a.criteria}
    st.dataframe([{"När": local_time_text(r["changed_at"]), "Vem": r["changed_by"], "Bedömningsgrund":
                   titles.get((r["area_code"], r["criterion_code"]), r["criterion_code"]),
                   "Före": r["score_before"], "Efter": r["score_after"], "Skäl": r["reason"]}
                  for r in reversed(work.score_changes)], hide_index=True, width="stretch")
    if work.finding_changes:
        st.dataframe([{"När": local_time_text(r["changed_at"]), "Vem": r["changed_by"], "Före": r["text_before"] or "(ny)",
                       "Efter": r["text_after"] or "(borttagen)", "Skäl": r["reason"]}
                      for r in reversed(work.finding_changes)], hide_index=True, width="stretch")

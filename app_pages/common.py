"""Pieces several pages show the same way: a contribution's text and the declaration form.

Not a page itself: the router registers pages by file, and this file is not among them.
"""

from __future__ import annotations

import json

import streamlit as st

from scoring.core.errors import Refused, StaleWrite
from scoring.core.store import get_store
from scoring.core.text import escape_markdown
from scoring.teams import conflicts
from scoring.year.framework import Question

NO_CONFLICT = "Jag har inget jäv och behandlar bidraget konfidentiellt"
CONFLICT = "Jag har jäv"


NOTE_KINDS = {"fotnot": "Fotnot", "slutnot": "Slutnot"}


def show_block(block: dict, label: str | None = None, picture_files: dict[str, bytes] | None = None) -> None:
    """One passage of the unit's answer; tables as tables, pictures in place, a text box
    in a frame, the anchor label beside it."""
    if block.get("frame") == "textruta" and block["kind"] != "rubrik":
        with st.container(border=True):
            _show_block(block, label, picture_files)
    else:
        _show_block(block, label, picture_files)


def _show_block(block: dict, label: str | None, picture_files: dict[str, bytes] | None) -> None:
    if block["kind"] == "tabell":
        rows = json.loads(block["text"])
        st.dataframe([dict(zip(rows[0], r, strict=False)) for r in rows[1:]], hide_index=True)
        if label:
            st.caption(label)
    elif block["kind"] != "rubrik" and block["text"]:
        suffix = f" :gray[{label}]" if label else ""
        marks = "".join(f" :gray[[{n['number']}]]" for n in block.get("notes") or [])
        st.markdown(escape_markdown(block["text"]).replace("\n", "  \n") + marks + suffix)
    for picture in block.get("pictures") or []:
        show_picture(picture, (picture_files or {}).get(picture["part"]))


def show_picture(picture: dict, data: bytes | None) -> None:
    """A picture as the unit placed it, or a plain note when the browser cannot show its format."""
    caption = f"Bild {picture['number']}"
    if picture.get("chars"):
        caption += f" · {picture['chars']} tecken text i bilden"
    try:
        if data is None:
            raise ValueError(picture["part"])
        st.image(data, caption=caption, width="content")
    except Exception:  # EMF, WMF and damaged pictures: the browser cannot show them
        st.caption(f":material/image: {caption}: bilden kan inte visas här (format som EMF eller WMF); "
                   "den finns i originalfilen.")


def show_notes(blocks: list[dict]) -> None:
    """The footnotes and endnotes of a question's answer, under it, numbered as in the file."""
    notes = [n for b in blocks for n in b.get("notes") or []]
    if notes:
        st.caption("  \n".join(f"[{n['number']}] {NOTE_KINDS.get(n['kind'], 'Not')}: {escape_markdown(n['text'])}"
                                for n in notes))


def show_answer(question: Question, blocks: list[dict], labels: dict[str, str] | None = None,
                picture_files: dict[str, bytes] | None = None) -> None:
    """A question with the unit's answer, part by part, and its notes under it."""
    st.markdown(f"##### {question.number}. {escape_markdown(question.text)}")
    if not blocks:
        st.warning("Frågan är inte besvarad.")
    current_part, box = None, None
    for block in blocks:
        if block["part_label"] and block["part_label"] != current_part:
            current_part, box = block["part_label"], None
            part = next((p for p in question.parts if p.label == current_part), None)
            st.markdown(f"**{current_part}. {escape_markdown(part.text) if part else ''}**")
        if block.get("frame") != "textruta":
            box = None
            show_block(block, (labels or {}).get(block["block_id"]), picture_files)
            continue
        box = box or st.container(border=True)  # one frame for the paragraphs of one text box
        with box:
            _show_block(block, (labels or {}).get(block["block_id"]), picture_files)
    show_notes(blocks)


def forget_widgets(prefix: str) -> None:
    """Drop widget values under a key prefix so they are read again from the store."""
    for key in [k for k in st.session_state if str(k).startswith(prefix)]:
        del st.session_state[key]


class VersionedSaves:
    """Saving one record's changes from a page with the version this window read.

    Everything it keeps in the session is under the page's own name, so a refused save on
    one page never surfaces on another. A stale refusal (``StaleWrite``) is kept with what
    is needed to retry; any other refusal as the page's error.
    """

    def __init__(self, page: str, behind: str) -> None:
        self.page = page
        self.behind = behind  # what to say when another window has saved since this one read

    def version_key(self, subject_id: int) -> str:
        return f"{self.page}_version_{subject_id}"

    def widget_prefix(self, subject_id: int) -> str:
        return f"{self.page}_w{subject_id}_"

    @property
    def _stale(self) -> str:
        return f"{self.page}_stale"

    @property
    def _error(self) -> str:
        return f"{self.page}_error"

    @property
    def _others(self) -> str:
        return f"{self.page}_others"

    def start(self, subject_id: int, version: int) -> None:
        """Remember the version this window reads; the first time, widgets read the store."""
        if self.version_key(subject_id) not in st.session_state:
            st.session_state[self.version_key(subject_id)] = version
            self.forget_widgets(subject_id)

    def read_version(self, subject_id: int) -> int:
        return st.session_state[self.version_key(subject_id)]

    def forget_widgets(self, subject_id: int) -> None:
        forget_widgets(self.widget_prefix(subject_id))

    def reload(self, subject_id: int) -> None:
        """Show what is saved: this window's unsaved values are let go."""
        for key in (self._stale, self._others, self.version_key(subject_id)):
            st.session_state.pop(key, None)
        self.forget_widgets(subject_id)

    def fail(self, message: str) -> None:
        st.session_state[self._error] = message

    def save(self, subject_id: int, change, *args, **kwargs) -> bool:
        store, user = get_store(), st.session_state["current_user"]
        read = st.session_state[self.version_key(subject_id)]
        try:
            saved = change(store, user, subject_id, read, *args, **kwargs)
        except StaleWrite as exc:
            st.session_state[self._stale] = {"cid": subject_id, "message": str(exc), "changes": exc.changes,
                                             "retry": (change, args, kwargs), "current_version": exc.current_version}
            return False
        except Refused as exc:
            self.fail(str(exc))
            return False
        st.session_state[self.version_key(subject_id)] = saved
        st.session_state.pop(self._stale, None)
        st.session_state.pop(self._others, None)
        if saved > read + 1:  # saved on top of others' changes to other parts
            st.session_state[self._others] = {"cid": subject_id, "count": saved - read - 1}
        return True

    def retry(self, stale: dict) -> None:
        st.session_state.pop(self._stale, None)
        st.session_state[self.version_key(stale["cid"])] = stale["current_version"]
        change, args, kwargs = stale["retry"]
        self.save(stale["cid"], change, *args, **kwargs)

    def show_outcome(self, subject_id: int, current_version: int, editable: bool = True) -> None:
        """The refused stale save, others' saves meanwhile, and the last error."""
        stale = st.session_state.get(self._stale)
        if stale and stale["cid"] == subject_id:
            with st.container(border=True):
                st.error(escape_markdown(stale["message"]), icon=":material/sync_problem:")
                if stale["changes"]:
                    st.markdown("**Sparat under tiden:**  \n"
                                + "  \n".join(escape_markdown(c) for c in stale["changes"][-8:]))
                left, right = st.columns(2)
                left.button("Spara min ändring ändå", on_click=self.retry, args=(stale,), type="primary")
                right.button("Visa det sparade (min ändring släpps)", on_click=self.reload, args=(subject_id,))
        elif (others := st.session_state.get(self._others)) and others["cid"] == subject_id:
            count = others["count"]
            st.info(f"Sparat. Under tiden sparades {count} {'ändring' if count == 1 else 'ändringar'} i andra delar; "
                    "de syns när du visar det sparade.", icon=":material/sync:")
            st.button("Visa det sparade", on_click=self.reload, args=(subject_id,))
        elif editable and current_version != self.read_version(subject_id):
            st.warning(self.behind, icon=":material/sync_problem:")
            st.button("Visa det sparade", on_click=self.reload, args=(subject_id,))
        if error := st.session_state.pop(self._error, None):
            st.error(error)


def declaration_form(store, user, contribution_id: int, unit: str) -> None:
    """The conflict and confidentiality declaration an examiner gives before reading."""
    with st.form(f"declare_{contribution_id}", border=True):
        st.subheader("Jäv och sekretess")
        st.markdown(
            f"Innan du läser **{escape_markdown(unit)}**: bekräfta att du inte har jäv – att du inte "
            "arbetar eller har arbetat där, inte har verksamhetens chef som chef och inte på annat sätt står "
            "verksamheten nära – och att du behandlar bidraget och bedömningen konfidentiellt."
        )
        choice = st.radio("Din deklaration", [NO_CONFLICT, CONFLICT], index=None)
        note = st.text_area("Om du har jäv: vad gäller det?", height=80)
        if st.form_submit_button("Skicka deklarationen", type="primary"):
            try:
                conflicts.declare(store, user, contribution_id, has_conflict=choice == CONFLICT,
                                  confidentiality_accepted=choice is not None and choice != CONFLICT, note=note)
            except ValueError as exc:
                st.error(escape_markdown(str(exc)))
            else:
                st.rerun()


def show_concepts_and_checklist(framework, *, compact: bool = False) -> bool:
    """The year's concepts (Bilaga 1) and goal-chain checklist, as the instructions word them.
    Returns whether there was anything to show."""
    if framework.concepts:
        if not compact:
            st.subheader(framework.concepts_title or "Begrepp")
        for concept in framework.concepts:
            st.markdown(f"**{escape_markdown(concept.term)}**  \n"
                        + "  \n".join(escape_markdown(line) for line in concept.text.split("\n")))
    checklist = framework.goal_chain_checklist
    if checklist:
        st.markdown(f"**{escape_markdown(checklist.title)}**" if compact else f"### {escape_markdown(checklist.title)}")
        if checklist.intro:
            st.caption(checklist.intro)
        st.dataframe([{"Steg i målkedjan": c.title, "Stödfrågor": c.guidance} for c in checklist.columns],
                     hide_index=True, width="stretch")
    return bool(framework.concepts or checklist)


def show_appendices(framework, content: dict, download) -> None:
    """The contribution's appendices: those in the file, and those sent as files of their own
    (text shown for a Word file; ``download(attachment_id)`` gives the file as it came)."""
    titles = {a.code: a.title for a in framework.appendices}
    for code, blocks in content["appendix_blocks"].items():
        with st.expander(f"Bilaga: {titles.get(code, 'annan bilaga')} (i bidragets fil)"):
            for block in blocks:
                show_block(block, picture_files=content.get("picture_files"))
    for item in content["appendix_files"]:
        label = titles.get(item["appendix_code"], "PDF-kopia") if item["kind"] == "bilaga" else "PDF-kopia av bidraget"
        with st.expander(f"{label} (egen fil: {escape_markdown(item['filename'])})"):
            for part in item["paragraphs"] or []:
                if part.get("rows"):
                    rows = part["rows"]
                    st.dataframe([dict(zip(rows[0], r, strict=False)) for r in rows[1:]], hide_index=True)
                else:
                    st.markdown(escape_markdown(part["text"]))
            if item["paragraphs"] is None:
                st.caption("Filen är en PDF; ladda ner den för att läsa.")
            st.download_button("Ladda ner filen", lambda i=item["id"]: download(i)[1], file_name=item["filename"],
                               key=f"appendix_file_{item['id']}", icon=":material/download:")

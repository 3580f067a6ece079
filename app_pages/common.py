"""Pieces several pages show the same way: the declaration form, versioned saves, the year's
concepts and checklist. (The contribution's own text is in reading.py.)

Not a page itself: the router registers pages by file, and this file is not among them.
"""

from __future__ import annotations

import streamlit as st

from scoring.core.errors import Refused, StaleWrite
from scoring.core.store import get_store
from scoring.core.text import escape_markdown
from scoring.teams import conflicts

NO_CONFLICT = "Jag har inget jäv och behandlar bidraget konfidentiellt"
CONFLICT = "Jag har jäv"


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
        st.header("Jäv och sekretess")
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
            st.header(framework.concepts_title or "Begrepp")
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


def confirm_button(key: str, label: str, **button_kwargs) -> None:
    """A button that opens the confirm dialog named ``key`` (see ``confirm_dialog``). The dialog
    opens from a session flag, so it survives the page's reruns and tests can open it too."""
    st.button(label, key=f"{key}_open", on_click=st.session_state.__setitem__, args=(key, True), **button_kwargs)


def confirm_dialog(key: str, title: str, what_locks: str, confirm_label: str, action) -> None:
    """Ask before a step that cannot be undone: the dialog says what will be locked; the
    primary button runs ``action()`` (a refusal is shown in the dialog), "Avbryt" closes it."""
    if not st.session_state.get(key):
        return

    def close() -> None:
        st.session_state.pop(key, None)

    def body() -> None:
        st.markdown(what_locks)
        left, right = st.columns(2)
        if left.button(confirm_label, key=f"{key}_confirm", type="primary", width="stretch"):
            try:
                action()
            except Refused as exc:
                st.error(escape_markdown(str(exc)))
                return
            close()
            st.rerun()
        if right.button("Avbryt", key=f"{key}_cancel", width="stretch"):
            close()
            st.rerun()

    st.dialog(title, on_dismiss=close)(body)()


# Streamlit draws captions at 60 % opacity of the text colour: 3.9:1 on white, below the 4.5:1
# that WCAG 2.1 AA asks of text (and links in a caption fade with it). A grey of its own instead
# reaches 6:1 on white and 5.3:1 on the sidebar's grey.
ACCESSIBLE_STYLE = "<style>[data-testid=stCaptionContainer] { opacity: 1 !important; color: #5f6368 !important; }</style>"


def accessible_style() -> None:
    """The workbench's own corrections of Streamlit's look for accessibility, on every page."""
    st.html(ACCESSIBLE_STYLE)

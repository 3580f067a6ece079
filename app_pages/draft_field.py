"""Long text fields that lose nothing: what is typed is kept as a draft while it is typed.

A Streamlit text area sends its text to the server only when it is left; a reload, a closed
tab or a dropped connection before that lost the text. Beside each such field sits a small
companion (Streamlit's own custom-component API, ``st.components.v2``) that

- listens to the field's typing and, a second after the last key, keeps the text as the
  person's draft in the store (``scoring.core.drafts``), in a fragment so only the
  companion reruns;
- says beside the field whether the text is saved, kept as a draft, or not yet kept;
- warns before the page is left while typed text is not yet kept anywhere.

When the page is opened again, a field whose draft differs from the saved text starts from
the draft and says so; leaving the field (or its "Spara" link) saves it through the field's
own versioned save, which still refuses a stale write. A draft that equals the saved text has
done its work and is removed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from zoneinfo import ZoneInfo

import streamlit as st

from scoring.core import drafts
from scoring.core.errors import Refused
from scoring.core.store import get_store

STOCKHOLM = ZoneInfo("Europe/Stockholm")
DEBOUNCE_MS = 1000

_CSS = """
.draft-status { font-size: 0.8rem; color: #4a5056; min-height: 1.1rem; line-height: 1.1rem;
                margin-top: -0.6rem; font-family: "Source Sans", sans-serif; }
.draft-status[data-state="pending"] { color: #8a4b00; }
.draft-status[data-state="restored"] { color: #8a4b00; font-weight: 600; }
.draft-status button { font: inherit; color: #0058a1; background: none; border: none; padding: 0 0 0 .3rem;
                       text-decoration: underline; cursor: pointer; }
"""

# Runs in the page: finds its text area by the class Streamlit gives a keyed element, and
# listens by delegation on the document, since the text area is redrawn (an expander opened,
# a rerun) without the companion being remounted.
_JS = """
const registry = (window.__workbenchDrafts ||= { pending: new Set(), installed: false });
if (!registry.installed) {
  registry.installed = true;
  window.addEventListener('beforeunload', (event) => {
    if (registry.pending.size > 0) { event.preventDefault(); event.returnValue = ''; }
  });
}

export default function (component) {
  const { parentElement, data, setStateValue, setTriggerValue } = component;
  const status = parentElement.querySelector('.draft-status');
  const selector = `.${data.target} textarea`;
  const state = (parentElement.__draftState ||= { timer: null, sent: null, edited: false });
  state.data = data;
  if (state.sent === null) state.sent = data.kept;

  // The text area typed in; a redraw can leave an old copy of it in the page for a moment.
  const field = () => (state.textarea?.isConnected ? state.textarea : null) ?? document.querySelector(selector);
  const show = () => {
    const textarea = field();
    const text = textarea ? textarea.value : state.sent;
    const d = state.data;
    let label, kind;
    if (text !== state.sent) { kind = 'pending'; label = 'Inte sparat ännu'; }
    else if (d.restored && !state.edited) { kind = 'restored'; label = d.restored; }
    else if (text === d.saved) { kind = 'saved'; label = d.saved ? 'Sparat' : ''; }
    else { kind = 'draft'; label = d.draft_label || 'Utkast sparat'; }
    if (kind === 'pending') registry.pending.add(d.field); else registry.pending.delete(d.field);
    status.dataset.state = kind;
    status.textContent = label;
    if (kind === 'restored' && d.commit) {
      const save = document.createElement('button');
      save.type = 'button';
      save.textContent = 'Spara';
      save.onclick = () => setTriggerValue('commit', field()?.value ?? state.sent);
      status.appendChild(save);
    }
  };
  const keep = () => {
    state.timer = null;
    const textarea = field();
    if (!textarea || textarea.value === state.sent) { show(); return; }
    state.sent = textarea.value;
    setStateValue('draft', textarea.value);
  };
  const onInput = (event) => {
    if (!event.target.matches(selector)) return;
    state.textarea = event.target;
    state.edited = true;
    clearTimeout(state.timer);
    state.timer = setTimeout(keep, state.data.debounce_ms);
    show();
  };
  const onBlur = (event) => {
    if (!event.target.matches(selector)) return;
    // A restored draft that was not touched is saved on leaving the field, as typed text is.
    if (state.data.restored && state.data.commit && !state.edited) {
      setTriggerValue('commit', event.target.value);
    }
  };
  document.addEventListener('input', onInput, true);
  document.addEventListener('focusout', onBlur, true);
  // Typing can begin before this module has loaded: catch up with it.
  const typed = field();
  if (typed && typed.value !== state.sent && state.timer === null && !(state.data.restored && !state.edited)) {
    state.timer = setTimeout(keep, state.data.debounce_ms);
  }
  show();
  return () => {
    document.removeEventListener('input', onInput, true);
    document.removeEventListener('focusout', onBlur, true);
  };
}
"""

_companion = st.components.v2.component("workbench_draft", html='<div class="draft-status" aria-live="polite"></div>',
                                        css=_CSS, js=_JS)


def element_class(key: str) -> str:
    """The class Streamlit's frontend gives the element with this widget key."""
    return "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip())


def _user():
    return st.session_state["current_user"]


def _time(moment: dt.datetime) -> str:
    return moment.replace(tzinfo=dt.UTC).astimezone(STOCKHOLM).strftime("%H:%M")


def setdefault(key: str, field: str, saved: str) -> None:
    """Start the text area ``key`` from the person's draft of ``field`` if one differs from the
    saved text, else from the saved text. Only on the first drawing in this session: later the
    widget's own value is the truth."""
    if key in st.session_state:
        return
    draft = drafts.draft_for(get_store(), _user(), field)
    if draft is not None and draft.text != saved:
        st.session_state[key] = draft.text
        changed = "" if draft.based_on == saved else " Texten har sparats om sedan dess; jämför innan du sparar."
        st.session_state[_restored_key(key)] = f"Återställt utkast från {_time(draft.saved_at)}, inte sparat än.{changed}"
    else:
        st.session_state[key] = saved


def _restored_key(key: str) -> str:
    return f"{key}__draft_restored"


def companion(key: str, field: str, saved: str, on_commit: Callable | None = None, args: tuple = (),
              disabled: bool = False) -> None:
    """The draft keeper and status line for the text area ``key`` (drawn just before). Place it
    outside any st.form: a form holds back a component's values until it is submitted."""
    if disabled:
        return
    _companion_fragment(key, field, saved, on_commit, args)


@st.fragment
def _companion_fragment(key: str, field: str, saved: str, on_commit: Callable | None, args: tuple) -> None:
    if st.session_state.pop(_committed_key(key), False):
        st.rerun(scope="app")  # the field was saved from here: the whole page shows the new text
    draft = drafts.draft_for(get_store(), _user(), field)
    # Done with: the draft is the saved text, or the field was saved over it and this window
    # shows what was saved (the person left the field with that text).
    if draft is not None and (draft.text == saved or (draft.based_on != saved and st.session_state.get(key) == saved)):
        drafts.clear_draft(get_store(), _user(), field)
        draft = None
    restored = st.session_state.get(_restored_key(key))
    if restored and st.session_state.get(key) == saved:
        st.session_state.pop(_restored_key(key), None)
        restored = None
    kept = draft.text if draft is not None else saved
    if restored is None and st.session_state.get(key) not in (kept, saved):
        kept = st.session_state.get(key)  # typed and left in this session, not yet in the store
    data = {"target": element_class(key), "field": field, "saved": saved, "kept": kept,
            "restored": restored, "commit": on_commit is not None, "debounce_ms": DEBOUNCE_MS,
            "draft_label": f"Utkast sparat {_time(draft.saved_at)} · sparas när du lämnar fältet" if draft else None}
    ckey = "draft-" + re.sub("_{2,}", "_", key)  # a component's key may not hold "__"
    if refusal := st.session_state.pop(f"{ckey}__refusal", None):
        st.error(refusal, icon=":material/error:")
    _companion(key=ckey, data=data, height="content",
        on_draft_change=lambda: _draft_typed(ckey, field, saved),
        on_commit_change=lambda: _commit(ckey, key, on_commit, args))


def _draft_typed(ckey: str, field: str, saved: str) -> None:
    text = (st.session_state.get(ckey) or {}).get("draft")
    if not isinstance(text, str):
        return
    try:
        if text == saved:
            drafts.clear_draft(get_store(), _user(), field)
        else:
            drafts.save_draft(get_store(), _user(), field, text, saved)
    except Refused as refusal:
        st.session_state[f"{ckey}__refusal"] = str(refusal)


def _commit(ckey: str, key: str, on_commit: Callable | None, args: tuple) -> None:
    text = (st.session_state.get(ckey) or {}).get("commit")
    if not isinstance(text, str) or on_commit is None:
        return
    st.session_state[key] = text
    st.session_state.pop(_restored_key(key), None)
    on_commit(*args)
    st.session_state[_committed_key(key)] = True


def _committed_key(key: str) -> str:
    return f"{key}__draft_committed"

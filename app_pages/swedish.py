"""Streamlit's own words in Swedish, set once for every page by the router.

Streamlit 1.67 has no language setting. Where a widget has a parameter for its text, the
router gives it a Swedish default here (a page that passes its own value keeps it); where it
has none, a small style sheet replaces or hides the text. What each rule covers:

- selectbox/multiselect: ``placeholder`` (else "Choose an option"); multiselect
  ``select_all=False`` (else a "Select all" / "Select N matches" row in its list);
- dataframe/data_editor: ``placeholder=""`` leaves an empty cell empty (else "None");
- file uploader: its button says "Upload" and its size line "25MB per file" (no parameter):
  the style sheet writes "Välj fil" on the button and hides the line; ``upload_help`` gives
  the Swedish line with the real limit, which pages pass as the uploader's caption;
- the data table's toolbar (English tooltips "Search", "Download as CSV", "Fullscreen",
  "Show/hide columns"; no parameter): hidden;
- an empty date field shows react-aria's fixed "yyyy-mm-dd" (Streamlit pins it to en-US):
  the style sheet shows "åååå-mm-dd" instead.
- "Page not found" (a dialog in English) is avoided by the router, which answers a path it
  does not know with ``page_missing`` below.
"""

from __future__ import annotations

import functools

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from scoring.intake.document import max_upload_bytes

DEFAULTS: dict[str, dict[str, object]] = {
    "selectbox": {"placeholder": "Välj"},
    "multiselect": {"placeholder": "Välj en eller flera", "select_all": False},
    "dataframe": {"placeholder": ""},
    "data_editor": {"placeholder": ""},
}

STYLE = """<style>
/* File uploader: "Upload" -> "Välj fil"; the English size line is hidden (the page writes its own). */
/* (font-size 0, not display none: the button keeps a name for a screen reader.) */
[data-testid=stFileUploaderDropzone] button [data-testid=stMarkdownContainer] p { font-size: 0; }
[data-testid=stFileUploaderDropzone] button [data-testid=stMarkdownContainer]::after { content: "Välj fil"; font-size: 0.875rem; }
[data-testid=stFileUploaderDropzoneInstructions] { display: none; }
/* While a file is dragged over: "Drag and drop file here" -> "Släpp filen här". */
[data-testid=stFileUploaderDropzone] > div:not([data-testid]) * { display: none; }
[data-testid=stFileUploaderDropzone] > div:not([data-testid])::after { content: "Släpp filen här"; }
/* A text field's "Press Enter to apply" / "Press Ctrl+Enter to submit form" (always the first
   span; a character count after it stays): gone, since leaving the field saves. */
[data-testid=InputInstructions] > span:first-child { display: none; }
[data-testid=InputInstructions] > span:nth-child(2)::before { content: none; }
/* The data table's toolbar has only English tooltips. */
[data-testid=stElementToolbar] { display: none; }
/* An empty date field: react-aria's en-US "yyyy" in Swedish. */
[data-testid=stDateInputField] [data-placeholder=true][data-type=year] { font-size: 0; }
[data-testid=stDateInputField] [data-placeholder=true][data-type=year]::after { content: "åååå"; font-size: 1rem; }
</style>"""


def _with_defaults(method, defaults: dict[str, object]):
    @functools.wraps(method)
    def call(self, *args, **kwargs):
        for name, value in defaults.items():
            if kwargs.get(name) is None:
                kwargs[name] = value
        return method(self, *args, **kwargs)

    call.swedish = True
    return call


def use_swedish_defaults() -> None:
    """Give Streamlit's widgets their Swedish defaults (once per process) and add the style
    sheet to this run's page."""
    for name, defaults in DEFAULTS.items():
        method = getattr(DeltaGenerator, name)
        if not getattr(method, "swedish", False):
            setattr(DeltaGenerator, name, _with_defaults(method, defaults))
        # ``st.selectbox`` and its kin were bound to the main area when streamlit was imported.
        setattr(st, name, getattr(st._main, name))
    st.html(STYLE)


def upload_help(kinds: str = "") -> str:
    """The uploader's size line in Swedish, with the limit the intake applies."""
    limit = f"Högst {max_upload_bytes() / 1e6:.0f} MB per fil"
    return f"{limit} · {kinds}" if kinds else limit


def page_missing() -> None:
    """What a path the router does not know shows (instead of Streamlit's English dialog)."""
    st.title("Sidan finns inte")
    st.markdown("Sidan finns inte, eller så är den inte öppen för dig. Välj en sida i menyn.")

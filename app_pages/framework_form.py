"""Widgets bound to a place in a year's framework as data, for *Skriv anvisningar*.

Each widget starts from the draft's value and writes its value back on every run, so the
draft always holds what the screen shows; the core validates it when the office saves.
A list grows or shrinks through ``Form.changed``: the draft is changed, the widgets are
let go and read the draft again. Not a page itself.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from app_pages.common import forget_widgets


class Form:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def key(self, path: str) -> str:
        return f"{self.prefix}{path}"

    def start(self, path: str, value) -> str:
        key = self.key(path)
        if key not in st.session_state:
            st.session_state[key] = value
        return key

    def text(self, obj: dict, field: str, label: str, path: str, *, long: bool = False, height: int = 100,
             help: str | None = None) -> None:
        key = self.start(f"{path}.{field}", obj.get(field) or "")
        obj[field] = (st.text_area(label, key=key, height=height, help=help) if long
                      else st.text_input(label, key=key, help=help))

    def number(self, obj: dict, field: str, label: str, path: str, *, minimum: float = 0, step: float = 1,
               help: str | None = None) -> None:
        value = obj.get(field)
        if isinstance(step, int):
            value = int(value) if value is not None else None
        else:
            value = float(value) if value is not None else None
        key = self.start(f"{path}.{field}", value)
        obj[field] = st.number_input(label, key=key, min_value=minimum, step=step, help=help)

    def check(self, obj: dict, field: str, label: str, path: str, *, help: str | None = None) -> None:
        key = self.start(f"{path}.{field}", bool(obj.get(field)))
        obj[field] = st.checkbox(label, key=key, help=help)

    def select(self, obj: dict, field: str, label: str, path: str, options: dict) -> None:
        key = self.start(f"{path}.{field}", obj.get(field) if obj.get(field) in options else next(iter(options)))
        obj[field] = st.selectbox(label, list(options), format_func=options.get, key=key)

    def lines(self, obj: dict, field: str, label: str, path: str, *, height: int = 100, sep: str = "\n",
              help: str | None = None) -> None:
        """A list of texts, one per line (or separated by ``sep``)."""
        key = self.start(f"{path}.{field}", sep.join(obj.get(field) or []))
        value = st.text_area(label, key=key, height=height, help=help) if sep == "\n" else \
            st.text_input(label, key=key, help=help)
        obj[field] = [line.strip() for line in value.split(sep) if line.strip()]

    def date(self, obj: dict, field: str, label: str, path: str) -> None:
        current = obj.get(field)
        key = self.start(f"{path}.{field}", dt.date.fromisoformat(current) if current else None)
        value = st.date_input(label, key=key, format="YYYY-MM-DD")
        obj[field] = value.isoformat() if isinstance(value, dt.date) else None

    def optional(self, obj: dict, field: str, label: str, path: str, template: dict) -> dict | None:
        """A part the year may have or not (a picture rule): a box to have it, then its fields."""
        key = self.start(f"{path}.{field}.on", obj.get(field) is not None)
        if not st.checkbox(label, key=key):
            obj[field] = None
            return None
        if obj.get(field) is None:
            obj[field] = dict(template)
        return obj[field]

    def changed(self) -> None:
        """After a list grew or shrank: let the widgets go and show the draft again."""
        forget_widgets(self.prefix)
        st.rerun()

    def remove_button(self, items: list, index: int, path: str, label: str = "Ta bort") -> None:
        if st.button(label, key=self.key(f"{path}.remove"), icon=":material/delete:"):
            items.pop(index)
            self.changed()

    def add_button(self, items: list, new: dict | str, path: str, label: str) -> None:
        if st.button(label, key=self.key(f"{path}.add"), icon=":material/add:"):
            items.append(new)
            self.changed()

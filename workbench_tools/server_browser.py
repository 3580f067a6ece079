"""One simulated browser tab speaking Streamlit's own websocket protocol to a running server.

What a browser does, and no more:
- opens ``ws://host:port/_stcore/stream`` with the subprotocol ``streamlit`` (the header's
  second and third entries, an XSRF token and a session to resume, stay empty: a new tab);
- asks for every run with a ``BackMsg.rerun_script`` carrying a ``ClientState``: the query
  string the server last set (``page_info_changed``), the page (``page_script_hash``, from the
  ``navigation`` message), the widget states that changed, and the hashes of the messages it
  keeps in its cache (the server then sends a ``ref_hash`` instead of a large element again);
- reads the ForwardMsgs of the run: ``new_session`` (a run has started), ``delta`` (the
  elements; a widget's id ends with its user key), ``script_finished`` (the run is over; a
  run ended by ``st.rerun`` finishes "early for rerun" and the next one follows).

Only the server's own messages are used, so what is measured is what a person waits for.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

STREAM_PATH = "/_stcore/stream"
RUN_TIMEOUT_SECONDS = 120
ALLOWED_HOST = "127.0.0.1"
WIDGET_KINDS = ("text_input", "text_area", "button", "button_group", "selectbox", "multiselect", "radio")


class LoadClientError(RuntimeError):
    pass


def check_url(url: str) -> str:
    """The websocket address of a server at ``url``; only this machine may be loaded."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "ws") or parts.hostname != ALLOWED_HOST or not parts.port:
        raise LoadClientError(f"Lasttestet körs bara mot {ALLOWED_HOST} med port, inte mot {url!r}.")
    return f"ws://{ALLOWED_HOST}:{parts.port}{STREAM_PATH}"


@dataclass
class Run:
    """One script run as the browser saw it."""

    seconds: float
    status: int
    widgets: dict[str, tuple[str, object]]  # widget id -> (element kind, its proto)
    errors: list[str] = field(default_factory=list)

    def widget(self, key: str) -> tuple[str, object] | None:
        """The widget with this user key (its id ends with the key)."""
        return next((w for wid, w in self.widgets.items() if wid.endswith("-" + key)), None)

    def widget_id(self, key: str) -> str | None:
        return next((wid for wid in self.widgets if wid.endswith("-" + key)), None)

    def labelled(self, label: str) -> str | None:
        return next((wid for wid, (_, e) in self.widgets.items() if getattr(e, "label", None) == label), None)

    def submit_button(self, form_id: str) -> str | None:
        return next((wid for wid, (kind, e) in self.widgets.items()
                     if kind == "button" and e.is_form_submitter and e.form_id == form_id), None)


class Browser:
    """One tab: a websocket, the query string, the pages and the message cache."""

    def __init__(self, url: str) -> None:
        self.ws_url = check_url(url)
        self.url = url
        self.ws = None
        self.query_string = ""
        self.pages: dict[str, str] = {}  # url path -> page_script_hash
        self.page_hash = ""
        self.cache: dict[str, ForwardMsg] = {}

    async def open(self) -> None:
        self.ws = await websockets.connect(self.ws_url, subprotocols=["streamlit"], max_size=None,
                                           open_timeout=60, ping_interval=None)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def rerun(self, states: list[WidgetState] = (), page: str | None = None) -> Run:
        """Ask for a run (with these widget states, or on another page) and wait until it and
        any run it started with ``st.rerun`` are finished."""
        if page is not None:
            self.page_hash = self.pages[page]
            self.query_string = ""  # the browser drops the old page's query on navigation
        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = self.page_hash
        state.widget_states.widgets.extend(states)
        state.cached_message_hashes.extend(self.cache)
        started = time.perf_counter()
        await self.ws.send(message.SerializeToString())
        widgets: dict[str, tuple[str, object]] = {}
        errors: list[str] = []
        ours = False  # a run has started since our message: its end is the end we wait for
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), RUN_TIMEOUT_SECONDS)
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                ours, widgets, errors = True, {}, []
            elif kind == "ref_hash":
                if msg.ref_hash not in self.cache:
                    raise LoadClientError(f"servern hänvisade till ett meddelande som inte finns i cachen: {msg.ref_hash}")
                self._element(self.cache[msg.ref_hash], widgets, errors)
            elif kind == "delta":
                if msg.metadata.cacheable and msg.hash:
                    self.cache[msg.hash] = msg
                self._element(msg, widgets, errors)
            elif kind == "page_info_changed":
                self.query_string = msg.page_info_changed.query_string
            elif kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
                self.page_hash = msg.navigation.page_script_hash
            elif kind == "script_finished" and ours:
                if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # st.rerun(): the next run follows on its own
                if msg.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                    errors.append(f"körningen slutade med status {msg.script_finished}")
                return Run(time.perf_counter() - started, msg.script_finished, widgets, errors)

    @staticmethod
    def _element(msg: ForwardMsg, widgets: dict, errors: list[str]) -> None:
        if msg.delta.WhichOneof("type") != "new_element":
            return
        element = msg.delta.new_element
        kind = element.WhichOneof("type")
        if kind in WIDGET_KINDS:
            widgets[getattr(element, kind).id] = (kind, getattr(element, kind))
        elif kind == "exception":
            errors.append(f"undantag: {element.exception.type}: {element.exception.message}")
        elif kind == "alert" and element.alert.format == Alert.ERROR:
            errors.append(f"fel på sidan: {element.alert.body[:200]}")


def text(widget_id: str, value: str) -> WidgetState:
    return WidgetState(id=widget_id, string_value=value)


def click(widget_id: str) -> WidgetState:
    return WidgetState(id=widget_id, trigger_value=True)


def choose(widget_id: str, *options: str) -> WidgetState:
    """A segmented control, pills or multiselect: the chosen options as the page shows them."""
    state = WidgetState(id=widget_id)
    state.string_array_value.data.extend(options)
    return state

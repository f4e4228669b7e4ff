"""viz.live_figure.LiveFigure, the Python side of the playground's live figures: the comm opens
with the figure's traces and layout, the ESM is routerlab's loader and plotly's bundle comes
once as model state, and the in-place redraw still works on it. (Its front end is checked in
the real JupyterLab by tests/test_browser.py.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("plotly")
pytest.importorskip("anywidget")
pytest.importorskip("ipywidgets")

import comm  # noqa: E402

from routerlab import viz  # noqa: E402
from routerlab.viz.live import restyle_in_place  # noqa: E402
from routerlab.viz.live_figure import LiveFigure, plotly_widget_bundle  # noqa: E402
from routerlab.widgets import figure_widget  # noqa: E402


class RecordingComm:
    """A comm that keeps what the widget opens it with and every message it sends after."""

    def __init__(self, **open_args: Any) -> None:
        self.open_args = open_args
        self.comm_id = f"comm-{id(self)}"
        self.sent: list[dict[str, Any]] = []

    def send(self, data: Any = None, metadata: Any = None, buffers: Any = None) -> None:
        self.sent.append(data)

    def on_msg(self, callback: Any) -> None:
        pass

    def close(self, *args: Any, **kwargs: Any) -> None:
        pass


@pytest.fixture
def comms(monkeypatch: pytest.MonkeyPatch) -> list[RecordingComm]:
    opened: list[RecordingComm] = []

    def create_comm(**kwargs: Any) -> RecordingComm:
        opened.append(RecordingComm(**kwargs))
        return opened[-1]

    monkeypatch.setattr(comm, "create_comm", create_comm)
    return opened


SPEC = {"data": [{"type": "bar", "name": "calls", "x": [1.0, 2.0], "y": ["coder", "orchestrator"]}],
        "layout": {"title": {"text": "two calls"}, "height": 300}}


def test_the_comm_opens_with_the_traces_and_layout(comms: list[RecordingComm]) -> None:
    fig = figure_widget(SPEC)
    assert isinstance(fig, LiveFigure) and len(comms) == 1
    state = comms[0].open_args["data"]["state"]
    # a view created from the opening state alone draws the whole figure
    assert [(t["type"], t["name"], list(t["x"])) for t in state["_widget_data"]] == [("bar", "calls", [1.0, 2.0])]
    assert state["_widget_layout"]["title"] == {"text": "two calls"} and state["_widget_layout"]["height"] == 300
    assert comms[0].sent == []  # nothing left to send: plotly's own sends the traces in a second message


def test_plotlys_own_widget_opens_empty(comms: list[RecordingComm]) -> None:
    """What LiveFigure fixes, so this file notices if plotly changes it."""
    import plotly.graph_objects as go

    go.FigureWidget(SPEC)
    assert comms[0].open_args["data"]["state"]["_widget_data"] == []
    assert any("_widget_data" in m.get("state", {}) for m in comms[0].sent)


def test_the_esm_is_our_loader_and_the_bundle_comes_once(comms: list[RecordingComm]) -> None:
    import plotly

    figure_widget(SPEC)
    state = comms[0].open_args["data"]["state"]
    loader = (Path(viz.__file__).parent / "live_figure.js").read_text(encoding="utf-8")
    assert state["_esm"] == loader and len(loader) < 20_000  # small: it binds within anywidget's 2 s
    bundle = (Path(plotly.__file__).parent / "package_data" / "widgetbundle.js").read_text(encoding="utf-8")
    assert state["_plotly_bundle"] == bundle == plotly_widget_bundle()  # the installed plotly's, read at run time
    assert state["_plotly_version"] == plotly.__version__  # the page evaluates one bundle per version
    # the bundle exactly once in what the comm opens with: not inside the ESM as well
    assert sum(str(v).count(bundle[:2000]) for v in state.values()) == 1
    assert "_plotly_bundle" in loader and "globalThis" in loader


def test_restyle_in_place_still_redraws_a_live_figure(comms: list[RecordingComm]) -> None:
    fig = figure_widget(SPEC)
    restyle_in_place(fig, {"data": [{"type": "bar", "name": "calls", "x": [3.0, 4.0], "y": ["coder", "orchestrator"]}],
                           "layout": {"title": {"text": "moved"}, "height": 300}})
    assert list(fig.data[0].x) == [3.0, 4.0] and fig.layout.title.text == "moved"
    updates = [m["state"]["_py2js_update"] for m in comms[0].sent if (m.get("state") or {}).get("_py2js_update")]
    assert len(updates) == 1 and updates[0]["style_data"]["x"] == [[3.0, 4.0]]
    # and the full state a later view starts from is the new one
    resent = [m["state"] for m in comms[0].sent if "_widget_data" in (m.get("state") or {})]
    assert resent and list(resent[-1]["_widget_data"][0]["x"]) == [3.0, 4.0]

"""viz.live.restyle_in_place: a live figure keeps its traces (no delete/add after display), hides
what a redraw no longer needs, and keeps the state a late view starts from current."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("plotly")
pytest.importorskip("anywidget")
pytest.importorskip("ipywidgets")

from routerlab import viz  # noqa: E402
from routerlab.tiers import TierMap  # noqa: E402
from routerlab.viz.live import restyle_in_place  # noqa: E402
from routerlab.widgets import Playground, figure_widget  # noqa: E402


def _run(n_refused: int) -> pd.DataFrame:
    """Six calls one after another, the last ``n_refused`` refused (hatched in the timeline)."""
    status = ["ok"] * (6 - n_refused) + ["refused"] * n_refused
    return pd.DataFrame({"tier": ["orchestrator", "coder"] * 3, "model": ["anthropic:claude-opus-4-5"] * 6,
                         "start": np.arange(6.0), "end": np.arange(6.0) + 0.8, "cost_usd": np.linspace(0.01, 0.06, 6),
                         "status": status})


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The structural messages a FigureWidget sends (a spy on the real widget's senders)."""
    import plotly.basewidget as bw

    sent: list[str] = []
    for kind in ("addTraces", "deleteTraces", "moveTraces"):
        real = getattr(bw.BaseFigureWidget, f"_send_{kind}_msg")

        def spy(self, *args, _real=real, _kind=kind, **kwargs):  # noqa: ANN001, ANN202
            sent.append(_kind)
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(bw.BaseFigureWidget, f"_send_{kind}_msg", spy)
    return sent


def test_a_redraw_restyles_the_same_traces_and_hides_the_ones_left_over(messages: list[str]) -> None:
    fig = figure_widget(viz.timeline_spec(_run(2)))  # calls + "refused (hatched)" legend entry
    assert [t.name for t in fig.data] == ["calls", "refused (hatched): 2 calls"]
    restyle_in_place(fig, viz.timeline_spec(_run(0)))  # nothing refused: no legend entry wanted
    assert len(fig.data) == 2 and fig.data[1].visible is False
    assert list(fig.data[0].marker.pattern.shape) == [""] * 6
    restyle_in_place(fig, viz.timeline_spec(_run(3)))  # back: the same trace shown again
    assert fig.data[1].visible is not False and fig.data[1].name == "refused (hatched): 3 calls"
    assert list(fig.data[0].marker.pattern.shape) == [""] * 3 + ["x"] * 3
    assert "calls · $" in fig.layout.title.text
    assert messages == []  # never a delete or an add: no empty state for a view to start in
    # the full state a view created now would start from is the current one
    assert fig._widget_data[1]["name"] == "refused (hatched): 3 calls"
    assert fig._widget_layout["title"] == fig._layout["title"]


def test_a_redraw_from_a_plotly_figure_and_one_with_more_traces(messages: list[str]) -> None:
    fig = figure_widget(viz.cost_comparison({"a": _run(0)}))  # a line and bars
    restyle_in_place(fig, viz.cost_comparison({"a": _run(0), "b": _run(1)}))  # two of each: two more
    assert [t.name for t in fig.data] == ["a", "a", "b", "b"]
    assert messages == ["addTraces"]  # only what had no trace of its type left is appended
    restyle_in_place(fig, viz.cost_comparison({"b": _run(1)}))
    assert [t.visible for t in fig.data] == [None, None, False, False] and fig.data[0].name == "b"
    assert messages == ["addTraces"]


def test_the_playground_keeps_every_figures_traces_across_changes(messages: list[str]) -> None:
    def run(state):  # noqa: ANN001, ANN202
        return {"routed": _run(int(state.budget_usd < 1)).assign(model=state.models["coder"]), "top": _run(0)}

    pg = Playground(run, TierMap.default(), budget_usd=5.0)
    counts = {k: len(f.data) for k, f in pg.figures.items()}
    pg.sliders["budget_usd"].value = 0.5
    pg.picker.dropdowns["coder"].value = pg.picker.dropdowns["coder"].options[0][1]
    assert {k: len(f.data) for k, f in pg.figures.items()} == counts and pg.updates == 2
    assert messages == []



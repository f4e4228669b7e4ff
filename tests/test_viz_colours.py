"""Every colour a viz figure hands plotly.js is a colour string, unless a colour scale maps it.

plotly.js warns "Invalid color specifier: number 0.08..." (one per bar, per redraw) wherever a
number reaches a colour property it does not map through a scale: ``textfont.color``,
``marker.line.color``, ``hoverlabel.bgcolor``... and, for bar traces, ``marker.color`` itself
even with a colorscale (the bar drawing reads the colour's opacity before the scale applies).
Error bars without a colour of their own take the marker's, and a per-point array is no colour.
The browser side of the same check is tests/test_viz_console.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

pytest.importorskip("plotly")

from viz_samples import FIGURES, every_figure  # noqa: E402

from routerlab import viz  # noqa: E402

# bar-like traces read marker.color as a colour while drawing, scale or not
_BARS = {"bar", "histogram", "funnel", "waterfall"}
# names in viz.__all__ that are not figure functions
_NOT_FIGURES = {"timeline_spec", "timelines_spec", "cost_comparison_spec", "highlight_chosen", "critical_path",
                "upper_hull", "wilson_interval", "TIER_ORDER", "POLICY_PALETTE", "MODEL_PALETTE", "policy_colours",
                "model_colours", "scale_colours"}


def _colour_values(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any], Any]]:
    """(dotted path, the container holding it, value) for every colour-valued key under ``node``."""
    if isinstance(node, dict):
        for k, v in node.items():
            here = f"{path}.{k}" if path else k
            if k.endswith(("color", "colors")) and (not isinstance(v, dict) or "bdata" in v):
                yield here, node, v
            elif k != "template":  # plotly's own template, not ours
                yield from _colour_values(v, here)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            if isinstance(v, dict):
                yield from _colour_values(v, f"{path}[{i}]")


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float | np.number) and not isinstance(v, bool)


def _numbers_in(v: Any) -> bool:
    if isinstance(v, dict) and "bdata" in v:  # a typed array, as plotly's JSON writes numpy arrays
        return True
    if isinstance(v, list | tuple | np.ndarray):
        return any(_numbers_in(x) for x in v)
    return _is_number(v)


def colour_problems(fig: Any) -> list[str]:
    """Colour properties holding numbers that plotly.js would read as colours (and warn about), in
    a plotly Figure or a ``*_spec`` function's dicts (which plotly.py never validates)."""
    spec = fig if isinstance(fig, dict) else fig.to_plotly_json()
    out = []
    for i, trace in enumerate(spec.get("data", [])):
        for path, holder, value in _colour_values(trace):
            if not _numbers_in(value):
                continue
            scaled = path.rsplit(".", 1)[-1] == "color" and ("colorscale" in holder or "coloraxis" in holder)
            bar_marker = trace.get("type") in _BARS and path == "marker.color"
            if not scaled or bar_marker:
                out.append(f"data[{i}] ({trace.get('type')} {trace.get('name')!r}).{path}")
        # error bars take the marker's colour unless given one: a per-point array is no colour
        per_point = isinstance(trace.get("marker", {}).get("color"), list | tuple | dict | np.ndarray)
        out += [f"data[{i}] ({trace.get('type')} {trace.get('name')!r}).{err}.color (from a per-point marker.color)"
                for err in ("error_x", "error_y") if per_point and trace.get(err, {}).get("visible", True)
                and trace.get(err) and "color" not in trace[err]]
    out += [f"layout.{path}" for path, _, value in _colour_values(spec.get("layout", {})) if _numbers_in(value)]
    return out


def test_the_samples_draw_every_figure_function() -> None:
    figures = {n for n in viz.__all__ if n not in _NOT_FIGURES}
    assert figures <= {name.split(" ")[0] for name in FIGURES}, "add the new figure function to tests/viz_samples.py"


@pytest.mark.parametrize("name", list(FIGURES))
def test_every_colour_property_holds_a_colour_string_or_sits_on_a_scale(name: str) -> None:
    assert colour_problems(FIGURES[name]()) == []


def test_the_check_catches_a_number_where_plotly_wants_a_colour() -> None:
    costs = [0.08, 0.01]
    bar_on_scale = {"data": [{"type": "bar", "marker": {"color": costs, "colorscale": "Viridis"}}]}
    scatter_on_scale = {"data": [{"type": "scatter", "marker": {"color": costs, "colorscale": "Viridis"}}]}
    text_in_numbers = {"data": [{"type": "scatter", "name": "s", "textfont": {"color": costs}}]}
    line_in_numbers = {"data": [{"type": "bar", "marker": {"color": "red", "line": {"color": 0.5}}}]}
    assert colour_problems(bar_on_scale) == ["data[0] (bar None).marker.color"]
    assert colour_problems(scatter_on_scale) == []
    assert colour_problems(text_in_numbers) == ["data[0] (scatter 's').textfont.color"]
    assert colour_problems(line_in_numbers) == ["data[0] (bar None).marker.line.color"]
    error_bars = {"data": [{"type": "scatter", "marker": {"color": ["red", "blue"]}, "error_y": {"array": [1, 2]}}]}
    assert colour_problems(error_bars) == ["data[0] (scatter None).error_y.color (from a per-point marker.color)"]


@pytest.mark.parametrize("spec", ["timeline_spec", "timelines_spec", "cost_comparison_spec"])
def test_the_live_specs_hold_colour_strings_too(spec: str) -> None:
    """What a live widget sends as it is, unvalidated."""
    from viz_samples import simulate_frame, trace_frame

    runs = {"all top": simulate_frame(top=True), "routed": simulate_frame()}
    arg = trace_frame() if spec == "timeline_spec" else runs
    assert colour_problems(getattr(viz, spec)(arg)) == []


def test_timeline_colours_follow_cost_on_the_colour_bar_scale() -> None:
    """The bars' colours are the colour bar's colours at each call's cost: cheap dark, dear bright."""
    figs = every_figure()
    bars = figs["timelines"].data[0]
    assert list(bars.marker.color) == viz.scale_colours([0.03] * 6, 0.0, bars.marker.cmax)
    routed = figs["timelines"].data[next(i for i, t in enumerate(figs["timelines"].data)
                                         if t.name == "calls" and i > 0)]
    assert routed.marker.cmax == bars.marker.cmax  # one scale for both runs
    assert routed.marker.color[0] == bars.marker.color[0]  # the same $0.03 call, the same colour
    assert routed.marker.color[1] != routed.marker.color[0]  # a $0.001 call looks different

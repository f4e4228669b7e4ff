"""Figures as plain dicts (``{"data": [trace dicts], "layout": {...}}``): built without plotly's
per-property validation, which cost most of a playground redraw. ``figure(spec)`` validates once
into a ``plotly.graph_objects.Figure`` for users; a live widget takes the dicts as they are
(:func:`routerlab.viz.live.restyle_in_place`). Values are lists, numpy arrays or scalars only.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from ._frames import _go

Spec = dict[str, Any]

__all__ = ["Spec", "figure", "template", "stacked_rows", "side_by_side", "no_tex"]


@functools.lru_cache(maxsize=4)
def _template(name: str) -> Spec:
    import plotly.io as pio

    return pio.templates[name].to_plotly_json()


def template(name: str = "plotly_white") -> Spec:
    """A named plotly template as a dict, resolved once (resolving it on every figure was a
    large share of a redraw). Shared: never mutate it."""
    return _template(name)


def figure(spec: Spec) -> Any:
    """The spec as a validated ``plotly.graph_objects.Figure``."""
    return _go().Figure(spec)


def no_tex(spec: Any) -> Any:
    """The spec with every text holding two or more "$" written with "&#36;" instead: plotly.js
    reads "$0.18 vs routed $0.06" as a TeX formula (typeset where MathJax is loaded, the dollars
    gone; a console warning where it is not). The entity draws as "$" and is no formula. In place."""
    if isinstance(spec, dict):
        for k, v in spec.items():
            if k != "template":
                spec[k] = no_tex(v)
        return spec
    if isinstance(spec, list):
        return [no_tex(v) for v in spec]
    if isinstance(spec, str) and spec.count("$") > 1:
        return spec.replace("$", "&#36;")
    return spec


def stacked_rows(titles: Sequence[str], spacing: float) -> tuple[list[tuple[str, str]], Spec]:
    """Axes of ``len(titles)`` panels one above the other sharing one x axis (the bottom one's
    tick labels only), each titled above: per panel its ``(xref, yref)``, and the layout keys."""
    n = len(titles)
    h = (1.0 - spacing * (n - 1)) / n
    refs: list[tuple[str, str]] = []
    layout: Spec = {}
    notes: list[Spec] = []
    for r in range(1, n + 1):
        suffix = "" if r == 1 else str(r)
        top = 1.0 - (r - 1) * (h + spacing)
        xaxis: Spec = {"anchor": f"y{suffix}", "domain": [0.0, 1.0]}
        if r < n:
            xaxis.update(matches=f"x{n}", showticklabels=False)
        layout[f"xaxis{suffix}"] = xaxis
        layout[f"yaxis{suffix}"] = {"anchor": f"x{suffix}", "domain": [max(top - h, 0.0), top]}
        refs.append((f"x{suffix}", f"y{suffix}"))
        notes.append(_panel_title(titles[r - 1], 0.5, top))
    layout["annotations"] = notes
    return refs, layout


def side_by_side(widths: Sequence[float], spacing: float) -> tuple[list[tuple[str, str]], Spec]:
    """Axes of panels side by side, ``widths`` relative: per panel its ``(xref, yref)``, and the layout keys."""
    total = float(sum(widths))
    room = 1.0 - spacing * (len(widths) - 1)
    refs: list[tuple[str, str]] = []
    layout: Spec = {}
    left = 0.0
    for c, w in enumerate(widths, start=1):
        suffix = "" if c == 1 else str(c)
        right = left + room * w / total
        layout[f"xaxis{suffix}"] = {"anchor": f"y{suffix}", "domain": [left, min(right, 1.0)]}
        layout[f"yaxis{suffix}"] = {"anchor": f"x{suffix}", "domain": [0.0, 1.0]}
        refs.append((f"x{suffix}", f"y{suffix}"))
        left = right + spacing
    return refs, layout


def _panel_title(text: str, x: float, y: float) -> Spec:
    return {"text": text, "x": x, "y": y, "xref": "paper", "yref": "paper", "xanchor": "center",
            "yanchor": "bottom", "showarrow": False, "font": {"size": 16}}

"""Cost-quality curves: a router's sweep against single models, their hull and the oracle."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DatasetError
from ._frames import _go, _pick, log_range, usd_log_ticks
from .labels import leader_annotations, place_labels, trace_text
from .palette import HULL, ORACLE, SINGLE_MODEL, policy_colours
from .stats import upper_hull

_COST_COLS = ("cost", "cost_usd", "mean_cost", "total_cost", "cost_fraction")
_QUALITY_COLS = ("quality", "accuracy", "mean_quality", "score")


def _oracle_point(oracle: Any) -> tuple[float, float] | None:
    if oracle is None:
        return None
    if isinstance(oracle, pd.DataFrame):
        c, q = _pick(oracle, _COST_COLS, "oracle"), _pick(oracle, _QUALITY_COLS, "oracle")
        return float(oracle[c].iloc[0]), float(oracle[q].iloc[0])
    if isinstance(oracle, Mapping):
        ck = next((k for k in _COST_COLS if k in oracle), None)
        qk = next((k for k in _QUALITY_COLS if k in oracle), None)
        if ck is None or qk is None:
            raise DatasetError(f"oracle needs a cost and a quality key, got {list(oracle)}")
        return float(oracle[ck]), float(oracle[qk])
    c, q = oracle
    return float(c), float(q)


def cost_quality(
    sweeps: Mapping[str, pd.DataFrame] | pd.DataFrame,
    singles: pd.DataFrame | None = None,
    oracle: Any = None,
    *,
    hull: bool = True,
    cost_col: str | None = None,
    quality_col: str | None = None,
    x_title: str = "cost per prompt (USD)",
    title: str | None = None,
    log_x: bool = False,
) -> Any:
    """A router's threshold sweep as a curve (several routers side by side if a mapping), with the
    best single models as labelled points, their convex hull (dashed) and the oracle (star).
    A sweep of one row is a point ("where the slider is now"), drawn large, on top of the rest.

    ``oracle`` is ``(cost, quality)``, a mapping with cost/quality keys, or a one-row frame.
    ``log_x`` puts cost on a log axis with dollar ticks. Single-model labels are placed so they
    neither overlap nor get cut at the edge."""
    go = _go()
    fig = go.Figure()
    runs = {"router": sweeps} if isinstance(sweeps, pd.DataFrame) else dict(sweeps)
    colours = policy_colours(runs)
    xs: list[float] = []
    ys: list[float] = []
    points: list[Any] = []
    curves: list[Any] = []
    for name, s in runs.items():
        tr = _sweep_trace(go, str(name), s, colours[str(name)], cost_col, quality_col)
        (points if len(s) == 1 else curves).append(tr)
        xs += list(tr.x)
        ys += list(tr.y)
    op = _oracle_point(oracle)
    if op is not None:
        xs.append(op[0])
        ys.append(op[1])
    sx, sy, names = _single_points(singles, cost_col, quality_col)
    xs += list(sx)
    ys += list(sy)
    xr, yr = _axis_ranges(xs, ys, log_x)
    if len(sx):
        singles_trace, leaders = _singles_trace(go, sx, sy, names, xr, yr, curves, log_x)
        fig.add_trace(singles_trace)
        for note in leaders:  # labels no textposition could hold clear: a little away, with a line
            fig.add_annotation(**note)
        if hull:
            fig.add_trace(_hull_trace(go, sx, sy))
    for tr in curves + points:  # drawn after the single models: the router and "now" stay on top
        fig.add_trace(tr)
    if op is not None:
        fig.add_trace(_oracle_trace(go, op))
    fig.update_layout(**_cost_quality_layout(title, x_title, xr, yr, log_x))
    return fig


def _sweep_trace(go: Any, name: str, s: pd.DataFrame, colour: str, cost_col: str | None,
                 quality_col: str | None) -> Any:
    """One router's sweep, cheapest first: a curve, or a large diamond when it is one row (the
    setting a slider is at now). Hover names the knob (threshold, cost weight) when the sweep has one."""
    c = _pick(s, _COST_COLS, f"cost_quality[{name!r}]", cost_col)
    q = _pick(s, _QUALITY_COLS, f"cost_quality[{name!r}]", quality_col)
    s = s.sort_values(c)
    knob = next((k for k in ("threshold", "cost_weight") if k in s.columns), None)
    thr = s[knob].to_numpy(dtype=float) if knob else np.full(len(s), np.nan)
    knob_text = f"{knob.replace('_', ' ')} %{{customdata:.4g}}<br>" if knob else ""
    x, y = s[c].to_numpy(dtype=float), s[q].to_numpy(dtype=float)
    hover = f"{name}<br>{knob_text}cost %{{x:.5f}}<br>quality %{{y:.3f}}<extra></extra>"
    if len(s) == 1:
        return go.Scatter(
            name=name, x=x, y=y, customdata=thr, mode="markers", hovertemplate=hover,
            marker=dict(size=18, symbol="diamond", color=colour, line=dict(color="black", width=2)),
        )
    return go.Scatter(
        name=name, x=x, y=y, customdata=thr, mode="lines+markers", hovertemplate=hover,
        marker=dict(size=5), line=dict(color=colour, width=2.5),
    )


def _single_points(singles: pd.DataFrame | None, cost_col: str | None,
                   quality_col: str | None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The single models' costs, qualities and short names (no provider prefix); empty without singles."""
    if singles is None or not len(singles):
        return np.array([]), np.array([]), []
    c = _pick(singles, _COST_COLS, "cost_quality singles", cost_col)
    q = _pick(singles, _QUALITY_COLS, "cost_quality singles", quality_col)
    m = _pick(singles, ("model", "name", "candidate"), "cost_quality singles")
    names = [str(v).split(":")[-1] for v in singles[m]]
    return singles[c].to_numpy(dtype=float), singles[q].to_numpy(dtype=float), names


def _axis_ranges(xs: list[float], ys: list[float], log_x: bool) -> tuple[list[float], list[float]]:
    """Ranges that hold every finite point with a margin (more above, for the labels): set here,
    not by plotly, because the label placement needs them before the figure is drawn."""
    finite = [(a, b) for a, b in zip(xs, ys, strict=True) if np.isfinite(a) and np.isfinite(b) and (a > 0 or not log_x)]
    if log_x:
        xr = log_range([a for a, _ in finite])
    else:
        lo, hi = (min(a for a, _ in finite), max(a for a, _ in finite)) if finite else (0.0, 1.0)
        pad = 0.06 * max(hi - lo, 1e-9)
        xr = [lo - pad, hi + pad]
    ylo, yhi = (min(b for _, b in finite), max(b for _, b in finite)) if finite else (0.0, 1.0)
    ypad = 0.08 * max(yhi - ylo, 1e-3)
    return xr, [ylo - ypad, yhi + 1.6 * ypad]


def _singles_trace(go: Any, sx: np.ndarray, sy: np.ndarray, names: list[str], xr: list[float], yr: list[float],
                   curves: list[Any], log_x: bool) -> tuple[Any, list[dict[str, Any]]]:
    """The single models as labelled points, each label placed clear of the others, the points,
    the routers' curves and the hull (in axis units: log10 of cost on a log axis); with the
    annotations of the labels that sit away from their point on a leader line."""
    def axis_x(v: np.ndarray) -> np.ndarray:
        return np.log10(np.clip(v, 1e-12, None)) if log_x else v

    lines = [(axis_x(hx), hy) for hx, hy in [upper_hull(sx, sy)]]
    for t in curves:
        cx, cy = np.asarray(t.x, dtype=float), np.asarray(t.y, dtype=float)
        keep = np.isfinite(cx) & np.isfinite(cy) & ((cx > 0) if log_x else True)
        lines.append((axis_x(cx[keep]), cy[keep]))
    placed = place_labels(axis_x(sx), sy, names, xr, yr, lines=lines, height_px=330)
    text, positions = trace_text(names, placed)
    return go.Scatter(
        name="single models", x=sx, y=sy, text=text, hovertext=names, mode="markers+text", textposition=positions,
        textfont=dict(size=11, color="#333"), marker=dict(size=9, color=SINGLE_MODEL, symbol="circle"),
        cliponaxis=False, hovertemplate="%{hovertext}<br>cost %{x:.5f}<br>quality %{y:.3f}<extra></extra>",
    ), leader_annotations(axis_x(sx), sy, names, placed, font_px=11, colour="#333", marker_px=9)


def _hull_trace(go: Any, sx: np.ndarray, sy: np.ndarray) -> Any:
    """The single models' upper convex hull (dashed): what mixing them at random could reach."""
    hx, hy = upper_hull(sx, sy)
    return go.Scatter(
        name="convex hull of single models", x=hx, y=hy, mode="lines",
        line=dict(color=HULL, dash="dash", width=1.5), hoverinfo="skip",
    )


def _oracle_trace(go: Any, op: tuple[float, float]) -> Any:
    """The oracle (a star): the best any router could do with these models."""
    return go.Scatter(
        name="oracle", x=[op[0]], y=[op[1]], mode="markers", marker=dict(symbol="star", size=16, color=ORACLE),
        hovertemplate="oracle<br>cost %{x:.5f}<br>quality %{y:.3f}<extra></extra>",
    )


def _cost_quality_layout(title: str | None, x_title: str, xr: list[float], yr: list[float],
                         log_x: bool) -> dict[str, Any]:
    """Axes on the computed ranges; on a log cost axis, ticks in dollars when the axis is in USD."""
    xaxis: dict[str, Any] = dict(title=x_title, range=xr, automargin=True)
    if log_x:
        vals, text = usd_log_ticks(10 ** xr[0], 10 ** xr[1]) if "USD" in x_title else (None, None)
        xaxis.update(type="log", tickvals=vals, ticktext=text, minor=dict(showgrid=False, ticks=""))
    return dict(
        title=title or "cost vs quality: up and to the left is better", xaxis=xaxis,
        yaxis=dict(title="quality (share of prompts answered right)", range=yr, automargin=True),
        template="plotly_white", height=500, legend=dict(orientation="h", y=-0.18, yanchor="top"),
        margin=dict(t=60, r=30),
    )

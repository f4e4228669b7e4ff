"""Cost-quality curves: a router's sweep against single models, their hull and the oracle."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DatasetError
from ._frames import _go, _pick
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
) -> Any:
    """A router's threshold sweep as a curve (several routers side by side if a mapping), with the
    best single models as labelled points, their convex hull (dashed) and the oracle (star).

    ``oracle`` is ``(cost, quality)``, a mapping with cost/quality keys, or a one-row frame."""
    go = _go()
    fig = go.Figure()
    runs = {"router": sweeps} if isinstance(sweeps, pd.DataFrame) else dict(sweeps)
    colours = policy_colours(runs)
    for name, s in runs.items():
        c = _pick(s, _COST_COLS, f"cost_quality[{name!r}]", cost_col)
        q = _pick(s, _QUALITY_COLS, f"cost_quality[{name!r}]", quality_col)
        s = s.sort_values(c)
        knob = next((k for k in ("threshold", "cost_weight") if k in s.columns), None)
        thr = s[knob].to_numpy(dtype=float) if knob else np.full(len(s), np.nan)
        knob_text = f"{knob.replace('_', ' ')} %{{customdata:.4g}}<br>" if knob else ""
        fig.add_trace(go.Scatter(
            name=str(name), x=s[c].to_numpy(dtype=float), y=s[q].to_numpy(dtype=float), customdata=thr,
            mode="lines+markers", marker=dict(size=5), line=dict(color=colours[str(name)], width=2.5),
            hovertemplate=f"{name}<br>{knob_text}cost %{{x:.5f}}<br>quality %{{y:.3f}}<extra></extra>",
        ))
    if singles is not None and len(singles):
        c = _pick(singles, _COST_COLS, "cost_quality singles", cost_col)
        q = _pick(singles, _QUALITY_COLS, "cost_quality singles", quality_col)
        m = _pick(singles, ("model", "name", "candidate"), "cost_quality singles")
        fig.add_trace(go.Scatter(
            name="single models", x=singles[c].to_numpy(dtype=float), y=singles[q].to_numpy(dtype=float),
            text=[str(v).split(":")[-1] for v in singles[m]], mode="markers+text", textposition="top center",
            textfont=dict(size=9), marker=dict(size=9, color=SINGLE_MODEL, symbol="circle"),
            hovertemplate="%{text}<br>cost %{x:.5f}<br>quality %{y:.3f}<extra></extra>",
        ))
        if hull:
            hx, hy = upper_hull(singles[c].to_numpy(dtype=float), singles[q].to_numpy(dtype=float))
            fig.add_trace(go.Scatter(
                name="convex hull of single models", x=hx, y=hy, mode="lines",
                line=dict(color=HULL, dash="dash", width=1.5), hoverinfo="skip",
            ))
    op = _oracle_point(oracle)
    if op is not None:
        fig.add_trace(go.Scatter(
            name="oracle", x=[op[0]], y=[op[1]], mode="markers", marker=dict(symbol="star", size=16, color=ORACLE),
            hovertemplate="oracle<br>cost %{x:.5f}<br>quality %{y:.3f}<extra></extra>",
        ))
    fig.update_layout(
        title=title or "cost vs quality", xaxis_title=x_title, yaxis_title="quality", template="plotly_white",
        height=460, legend=dict(orientation="h", y=-0.2),
    )
    return fig


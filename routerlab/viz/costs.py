"""Cost of policies side by side: cumulative cost over the run and cost per tier or agent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ._frames import _go, _lane_order, _pick, _policies, _require, _usd
from .palette import policy_colours


def _short_usd(v: float) -> str:
    """A bar label that fits over a narrow bar: three significant digits ($0.0833, $0.34, $9.90)."""
    v = float(v)
    return "$0" if v == 0 else f"${v:,.0f}" if v >= 100 else f"${v:.2f}" if v >= 1 else f"${v:.3g}"


def cost_comparison(
    frames: Mapping[str, pd.DataFrame] | pd.DataFrame,
    by: str = "auto",
    *,
    title: str | None = None,
) -> Any:
    """Cumulative cost over the run (left) and cost per tier (right), one colour per policy.

    ``frames`` maps a policy name (``"all top model"``, ``"routed"``) to its trace or simulate
    frame, or is one frame with a ``policy`` column."""
    go = _go()
    from plotly.subplots import make_subplots

    runs = _policies(frames)
    colours = policy_colours(runs)
    fig = make_subplots(rows=1, cols=2, column_widths=[0.6, 0.4], horizontal_spacing=0.12)
    groups_seen: list[str] = []
    group_col = "tier"
    for name, f in runs.items():
        _require(f, ["cost_usd"], f"cost_comparison[{name!r}]")
        xcol = _pick(f, ("end", "start", "call_index"), f"cost_comparison[{name!r}]")
        gcol = _pick(f, ("tier", "agent"), f"cost_comparison[{name!r}] grouping") if by == "auto" else by
        _require(f, [gcol], f"cost_comparison[{name!r}]")
        group_col = gcol
        g = f.sort_values(xcol)
        x = g[xcol].astype(float).to_numpy()
        if xcol != "call_index":
            x = x - float(f["start"].min() if "start" in f.columns else x.min())
        y = g["cost_usd"].astype(float).fillna(0.0).cumsum().to_numpy()
        colour = colours[name]
        fig.add_trace(go.Scatter(
            name=name, legendgroup=name, x=np.concatenate([[0.0], x]), y=np.concatenate([[0.0], y]),
            mode="lines", line=dict(color=colour, shape="hv", width=2.5),
            hovertemplate=f"{name}<br>%{{x:.1f}}<br>cumulative $%{{y:.4f}}<extra></extra>",
        ), row=1, col=1)
        per = f.groupby(f[gcol].fillna("(none)").astype(str), sort=False)["cost_usd"].sum()
        groups_seen += [k for k in per.index if k not in groups_seen]
        fig.add_trace(go.Bar(
            name=name, legendgroup=name, showlegend=False, x=list(per.index), y=per.to_numpy(dtype=float),
            marker_color=colour, text=[_short_usd(v) for v in per.to_numpy()], textposition="outside",
            cliponaxis=False, textfont=dict(size=11),
            hovertemplate=f"{name}<br>%{{x}}: $%{{y:.4f}}<extra></extra>",
        ), row=1, col=2)
    xtitle = "call" if all("end" not in f.columns and "start" not in f.columns for f in runs.values()) else "seconds"
    totals = " vs ".join(f"{k} {_usd(v['cost_usd'].sum())}" for k, v in runs.items())
    fig.update_xaxes(title_text=xtitle + (" from the run's start" if xtitle == "seconds" else ""), row=1, col=1)
    fig.update_xaxes(title_text=group_col, categoryorder="array", categoryarray=_lane_order(groups_seen), row=1, col=2)
    fig.update_yaxes(title_text="cumulative cost (USD)", tickprefix="$", row=1, col=1)
    fig.update_yaxes(title_text="cost (USD)", tickprefix="$", row=1, col=2)
    fig.update_layout(title=title or f"where the money goes: {totals}", barmode="group", template="plotly_white",
                      height=440, uniformtext=dict(minsize=10, mode="show"), bargap=0.25, legend=dict(orientation="h", y=-0.2),
                      margin=dict(t=70))
    return fig


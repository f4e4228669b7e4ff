"""Cost of policies side by side: cumulative cost over the run and cost per tier or agent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ._frames import _go, _lane_order, _pick, _policies, _require, _usd
from ._spec import Spec, figure, no_tex, side_by_side, template
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
    """Cumulative cost over the run (left, each line's total at its end) and cost per tier or agent
    (right, one row each, its value beside it), one colour per policy.

    ``frames`` maps a policy name (``"all top model"``, ``"routed"``) to its trace or simulate
    frame, or is one frame with a ``policy`` column."""
    _go()  # a clear error if plotly is missing
    return figure(cost_comparison_spec(frames, by, title=title))


def cost_comparison_spec(
    frames: Mapping[str, pd.DataFrame] | pd.DataFrame,
    by: str = "auto",
    *,
    title: str | None = None,
) -> Spec:
    """:func:`cost_comparison` as plain dicts (``{"data", "layout"}``), what a live widget restyles."""
    runs = _policies(frames)
    colours = policy_colours(runs)
    ((x1, y1), (x2, y2)), _ = side_by_side([0.6, 0.4], 0.12)  # the panels' axis names; spacing set below
    data: list[Spec] = []
    groups_seen: list[str] = []
    group_col = "tier"
    top = 0.0
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
        data.append(dict(
            type="scatter", name=name, legendgroup=name, x=np.concatenate([[0.0], x]), y=np.concatenate([[0.0], y]),
            # the run's total written where its line ends: which policy ends where, without hovering
            mode="lines+text", text=[""] * len(x) + [_short_usd(y[-1] if len(y) else 0.0)],
            textposition="top left", textfont=dict(color=colour, size=12), cliponaxis=False,
            line=dict(color=colour, shape="hv", width=2.5), xaxis=x1, yaxis=y1,
            hovertemplate=f"{name}<br>%{{x:.1f}}<br>cumulative $%{{y:.4f}}<extra></extra>",
        ))
        per = f.groupby(f[gcol].fillna("(none)").astype(str), sort=False)["cost_usd"].sum()
        groups_seen += [k for k in per.index if k not in groups_seen]
        top = max(top, float(per.max()) if len(per) else 0.0)
        # across, one row per tier: a long agent name has room and the value labels cannot collide
        data.append(dict(
            type="bar", name=name, legendgroup=name, showlegend=False, orientation="h", y=list(per.index),
            x=per.to_numpy(dtype=float), marker=dict(color=colour), text=[_short_usd(v) for v in per.to_numpy()],
            textposition="outside", cliponaxis=False, textfont=dict(size=11), xaxis=x2, yaxis=y2,
            hovertemplate=f"{name}<br>%{{y}}: $%{{x:.4f}}<extra></extra>",
        ))
    # the gap between the panels holds the right panel's tier/agent names (sub:acompact-70d8e7)
    longest = max((len(g) for g in groups_seen), default=0)
    _, layout = side_by_side([0.6, 0.4], min(max(0.04 + 0.0065 * longest, 0.12), 0.25))
    xtitle = "call" if all("end" not in f.columns and "start" not in f.columns for f in runs.values()) else "seconds"
    totals = " vs ".join(f"{k} {_usd(v['cost_usd'].sum())}" for k, v in runs.items())
    layout["xaxis"]["title"] = dict(text=xtitle + (" from the run's start" if xtitle == "seconds" else ""))
    layout["yaxis"].update(title=dict(text="cumulative cost (USD)"), tickprefix="$", rangemode="tozero")
    # lanes top-down in the timeline's order, the policies in the legend's order within each (a
    # reversed axis flips both); room on the right for the value labels
    # no axis title: the names are the tiers, the cost axis says "per tier" (a title sat over the left panel)
    layout["yaxis2"].update(categoryorder="array", automargin=True,
                            categoryarray=_lane_order(groups_seen), autorange="reversed")
    layout["xaxis2"].update(title=dict(text=f"cost per {group_col} (USD)"), tickprefix="$",
                            range=[0.0, max(top, 1e-9) * 1.3])
    rows = len(groups_seen) * len(runs)
    layout.update(title=dict(text=title or f"where the money goes: {totals}"), barmode="group", template=template(),
                  height=max(440, 24 * rows + 200), uniformtext=dict(minsize=10, mode="show"), bargap=0.25,
                  legend=dict(orientation="h", y=-0.2), margin=dict(t=70))
    return no_tex({"data": data, "layout": layout})

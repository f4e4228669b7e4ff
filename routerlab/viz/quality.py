"""Quality beside cost: the orchestrator pattern (planner alone -> planner + editor), the policy
frontier with today's default, and each tier's candidates on cost vs measured quality.

Frames in (what :mod:`routerlab.quality` returns), plotly Figures out; colours from the palette.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._frames import _go, _require, _usd_tick
from .labels import Placement, leader_annotations, place_labels, trace_text
from .live import update_values
from .palette import CRITICAL, GOOD, MUTED, NEUTRAL, SINGLE_MODEL, TIER_ORDER, model_colours, policy_colours

__all__ = ["architect_arrows", "policy_frontier", "tier_quality", "highlight_chosen"]


def architect_arrows(pairs: pd.DataFrame, *, title: str | None = None) -> Any:
    """``architect_pairs()``'s frame: each planner alone (hollow circle) and with each editor
    (filled), cost per exercise (log) against pass rate with its interval; an arrow from "alone"
    to each pair. Arrows pointing up-left reach more for less."""
    go = _go()
    f = _require(pairs, ["planner", "editor", "pass_2", "low", "high", "cost_per_case", "alone_pass_2",
                         "alone_cost_per_case"], "architect_arrows")
    f = f[f["cost_per_case"].notna() & f["alone_cost_per_case"].notna()]
    colours = model_colours(f["planner"])
    fig = go.Figure()
    for planner, g in f.groupby("planner", sort=False):
        col = colours[str(planner)]
        a = g.iloc[0]
        alo, ahi = (a["alone_low"], a["alone_high"]) if "alone_low" in g else (np.nan, np.nan)
        fig.add_trace(go.Scatter(
            x=[a["alone_cost_per_case"]], y=[100 * a["alone_pass_2"]], mode="markers", legendgroup=str(planner),
            name=f"{planner} alone", marker=dict(size=14, color="white", line=dict(color=col, width=3)),
            error_y=dict(type="data", symmetric=False, array=[100 * (ahi - a["alone_pass_2"])],
                         arrayminus=[100 * (a["alone_pass_2"] - alo)], color=col, thickness=1, width=4),
            hovertemplate=f"{planner} alone<br>$%{{x:.3f}} per exercise<br>%{{y:.1f}}% pass<extra></extra>"))
        fig.add_trace(go.Scatter(
            x=g["cost_per_case"], y=100 * g["pass_2"], mode="markers", legendgroup=str(planner),
            name=f"{planner} + editor", marker=dict(size=11, color=col, line=dict(color="#333", width=1)),
            error_y=dict(type="data", symmetric=False, array=100 * (g["high"] - g["pass_2"]),
                         arrayminus=100 * (g["pass_2"] - g["low"]), color=col, thickness=1, width=3),
            text=g["editor"], customdata=np.c_[g["cost_ratio"] if "cost_ratio" in g else np.full(len(g), np.nan),
                                               g["diff_points"] if "diff_points" in g else np.full(len(g), np.nan)],
            hovertemplate=(f"{planner} + %{{text}}<br>$%{{x:.3f}} per exercise (%{{customdata[0]:.2f}}x alone)"
                           "<br>%{y:.1f}% pass (%{customdata[1]:+.1f} points)<extra></extra>")))
        ends = np.c_[g["cost_per_case"], g["pass_2"], g["alone_cost_per_case"], g["alone_pass_2"]].astype(float)
        for cost, rate, alone_cost, alone_rate in ends:
            fig.add_annotation(x=np.log10(cost), y=100 * rate, ax=np.log10(alone_cost),
                               ay=100 * alone_rate, xref="x", yref="y", axref="x", ayref="y", showarrow=True,
                               arrowhead=3, arrowsize=1.2, arrowwidth=2, arrowcolor=col, opacity=0.9, text="")
    fig.update_layout(
        title=title or (f"planner alone (hollow) -> planner + editor (filled): Aider{_exercises(f)}, pass within "
                        "two tries; hover a point for its editor"),
        xaxis=dict(type="log", title="USD per exercise (log)", dtick=1, tickformat="$.3~f"),
        yaxis=dict(title="pass rate, % (95% interval)"),
        template="plotly_white", height=520, legend=dict(orientation="h", y=-0.18), margin=dict(t=60))
    return fig


def _exercises(f: pd.DataFrame) -> str:
    """How many exercises the drawn pairs ran, from the frame (", 133 Python exercises"; a range
    when they differ), or nothing when it does not say."""
    n = f["n"].dropna().astype(int) if "n" in f.columns else pd.Series(dtype=int)
    if n.empty:
        return ""
    return f", {n.min()} Python exercises" if n.min() == n.max() else f", {n.min()}-{n.max()} Python exercises"


def policy_frontier(frame: pd.DataFrame, tiers: list[str], *, within: pd.Series | None = None,
                    within_points: float | None = None, title: str | None = None) -> Any:
    """Policy search's frame: every assignment's cost against its worst tier gap (points behind
    the best evidence), the Pareto set joined by a line, today's default as a star and the
    within-X answer (``within``, found with X = ``within_points``) as a diamond. Assignments with an unmeasured model in a measured tier (an
    unbounded gap) are counted in the title, not drawn."""
    go = _go()
    f = _require(frame, ["cost_usd", "wall_s", "worst_gap", "pareto", "is_default", *tiers], "policy_frontier")
    finite = f[np.isfinite(f["worst_gap"].astype(float))]
    hover = finite[tiers].astype(str).agg("<br>".join, axis=1)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=finite["cost_usd"], y=finite["worst_gap"], mode="markers", name="assignment",
                             marker=dict(size=6, color=MUTED, opacity=0.45), text=hover,
                             customdata=finite["wall_s"],
                             hovertemplate="%{text}<br>$%{x:.3f}, %{customdata:.0f} s<br>worst gap %{y:.1f} pts"
                                           "<extra></extra>"))
    front = finite[finite["pareto"]].sort_values("cost_usd").drop_duplicates(["cost_usd", "worst_gap"])
    stair = front.sort_values("cost_usd")
    stair = stair[stair["worst_gap"] <= stair["worst_gap"].cummin()]  # the cost-vs-gap staircase
    fig.add_trace(go.Scatter(x=stair["cost_usd"], y=stair["worst_gap"], mode="lines+markers", name="Pareto (cost, gap)",
                             # a frontier, not a policy: grey as the hull of single models
                             line=dict(color=SINGLE_MODEL, shape="hv", width=2),
                             marker=dict(size=9, color=SINGLE_MODEL), text=stair[tiers].astype(str).agg("<br>".join, axis=1),
                             hovertemplate="%{text}<br>$%{x:.3f}<br>worst gap %{y:.1f} pts<extra></extra>"))
    d = f[f["is_default"]]
    if len(d):
        gy = float(d["worst_gap"].iloc[0])
        fig.add_trace(go.Scatter(x=d["cost_usd"], y=[gy if np.isfinite(gy) else None], mode="markers+text",
                                 name="today's default", text=["default"], textposition="top center",
                                 # the default tier map is the routed policy elsewhere ("default tiers")
                                 marker=dict(size=18, symbol="star", color=policy_colours(["default tiers"])["default tiers"],
                                             line=dict(color="white", width=1)),
                                 hovertext=d[tiers].astype(str).agg("<br>".join, axis=1), hoverinfo="text+x+y"))
    if within is not None:
        x_text = f"{within_points:g} points" if within_points is not None else "X points"
        fig.add_trace(go.Scatter(x=[within["cost_usd"]], y=[within["worst_gap"]], mode="markers",
                                 name=f"cheapest with every tier within {x_text}",
                                 marker=dict(size=15, symbol="diamond", color=GOOD, line=dict(color="white", width=1)),
                                 hovertext=["<br>".join(str(within[t]) for t in tiers)], hoverinfo="text+x+y"))
    unbounded = len(f) - len(finite)
    fig.update_layout(
        title=title or f"tier assignments: cost vs worst tier gap ({len(finite):,} drawn; {unbounded:,} with an "
                       "unmeasured model in a measured tier left out)",
        xaxis=dict(type="log", title="simulated cost of the workload, USD (log)", dtick="D2", tickformat="$.2f"),
        yaxis=dict(title="worst tier gap, points behind the best evidence"), template="plotly_white", height=500,
        legend=dict(orientation="h", y=-0.2))
    return fig


def _tag(benchmark: str, group: object) -> str:
    """A short name of the benchmark a point comes from: points of two benchmarks share a panel."""
    b = str(benchmark).lower()
    if b.startswith("tau2"):
        return "tau2 " + str(group).split(" / ")[0]
    for key, short in (("swe-bench", "SWE bash-only"), ("polyglot", "polyglot"), ("aider-edit", "aider edit"),
                       ("eval set", "eval set")):
        if key in b:
            return short
    return str(benchmark)[:16]


def tier_quality(table: pd.DataFrame, *, title: str | None = None) -> Any:
    """``tier_table()``'s frame: one panel per tier, each candidate's headline evidence (with its
    interval) against its catalog price; the tier's chosen model is the red star; models without
    evidence are listed at the bottom of their panel as "no evidence". Per panel, one trace of
    candidates (named after the tier; ``customdata[3]`` is each point's catalog id) and a one-point
    star over the chosen one (``meta="chosen"``): :func:`highlight_chosen` moves the star alone."""
    go = _go()
    from plotly.subplots import make_subplots

    f = _require(table, ["tier", "catalog_id", "chosen", "price_in_out", "value", "low", "high", "benchmark"],
                 "tier_quality").copy()
    prices = f["price_in_out"].str.split("/", expand=True).astype(float)
    f["price"] = (3 * prices[0] + prices[1]) / 4  # a 3:1 input:output blend, USD per 1M tokens
    floor = max(float(f.loc[f["price"] > 0, "price"].min()) / 3, 1e-3) if (f["price"] > 0).any() else 1e-3
    f["x"] = f["price"].where(f["price"] > 0, floor)
    tiers = sorted(f["tier"].unique(), key=lambda t: TIER_ORDER.index(t) if t in TIER_ORDER else 99)
    fig = make_subplots(rows=1, cols=len(tiers), subplot_titles=tiers, shared_yaxes=True, horizontal_spacing=0.04)
    measured = f.loc[f["value"].notna(), "x"]
    # one price axis for every panel (prices compare across tiers), whole decades in dollars
    lo, hi = (np.log10(measured.min()) - 0.35, np.log10(measured.max()) + 0.35) if len(measured) else (-1.0, 1.0)
    decades = [10.0 ** e for e in range(int(np.ceil(lo)), int(np.floor(hi)) + 1)]
    # the panel's width in a JupyterLab output (about 960 px, less the side margins and the gaps)
    panel_px = (960 - 160) * (1 - 0.04 * (len(tiers) - 1)) / max(len(tiers), 1)
    for k, tier in enumerate(tiers, start=1):
        g = f[f["tier"] == tier]
        s = g[g["value"].notna()]
        gap = s["gap_points"] if "gap_points" in s else pd.Series(np.nan, index=s.index)
        groups = s["group"] if "group" in s else pd.Series("", index=s.index)
        tags = [_tag(b, g) for b, g in zip(s["benchmark"], groups, strict=True)]
        names = s["catalog_id"].str.split(":", n=1).str[-1]
        placed = _label_positions(s, (lo, hi), panel_px)
        text, positions = trace_text(list(names), placed)
        fig.add_trace(go.Scatter(
            x=s["x"], y=100 * s["value"], mode="markers+text", showlegend=False, name=tier,
            # the model's name on the point, the benchmark in the hover: full labels overlapped
            text=text, hovertext=names, textposition=positions, textfont=dict(size=10),
            marker=dict(color=NEUTRAL, size=9, symbol="circle"),
            error_y=dict(type="data", symmetric=False, array=100 * (s["high"] - s["value"]),
                         arrayminus=100 * (s["value"] - s["low"]), color=NEUTRAL, thickness=1, width=3),
            customdata=np.c_[s["benchmark"].astype(str), gap, tags, s["catalog_id"].astype(str)],
            hovertemplate="%{hovertext} · %{customdata[2]}<br>%{customdata[0]}<br>%{y:.1f}% (gap %{customdata[1]:.1f} pts)"
                          "<br>$%{x:.2f} per 1M tokens<extra></extra>"), row=1, col=k)
        for note in leader_annotations(np.log10(s["x"].to_numpy(dtype=float)), 100 * s["value"].to_numpy(dtype=float),
                                       list(names), placed, xref="x" if k == 1 else f"x{k}", yref="y" if k == 1 else f"y{k}",
                                       font_px=10, colour="#444", marker_px=9):  # labels no textposition held clear
            fig.add_annotation(**note)
        star = s[s["chosen"].fillna(False).astype(bool)].head(1)
        fig.add_trace(go.Scatter(  # drawn over the candidates; moved, never restyled per point
            x=star["x"].tolist(), y=(100 * star["value"]).tolist(), mode="markers", showlegend=False,
            name=f"{tier}: chosen", meta="chosen", hoverinfo="skip",
            marker=dict(color=CRITICAL, size=14, symbol="star", line=dict(color="white", width=1))), row=1, col=k)
        missing = g.loc[g["value"].isna(), "catalog_id"].str.split(":", n=1).str[-1].tolist()
        if missing:
            fig.add_annotation(text=_no_evidence_text(missing), xref="x domain" if k == 1 else f"x{k} domain",
                               showarrow=False, align="center", font=dict(size=10 if len(s) else 12, color=MUTED),
                               **_note_place(100 * s["low"].fillna(s["value"]), 100 * s["high"].fillna(s["value"])))
        fig.update_xaxes(type="log", range=[lo, hi], tickvals=decades, ticktext=[_usd_tick(v) for v in decades],
                         minor=dict(ticks="", showgrid=False), visible=not s.empty, row=1, col=k)
    fig.add_annotation(text="catalog price, USD per 1M tokens (3 input : 1 output), log scale", xref="paper",
                       yref="paper", x=0.5, y=-0.07, showarrow=False, yanchor="top", font=dict(size=12))
    fig.update_yaxes(title_text="headline evidence, % (95% interval)", range=[-5, 105], row=1, col=1)
    fig.update_layout(title=title or "each tier's candidates: price vs measured quality (red star: the tier's model)",
                      template="plotly_white", **_room_below(fig))
    return fig


def _room_below(fig: Any) -> dict[str, Any]:
    """Height and bottom margin: room under the panels only for a "no evidence" list placed there."""
    below = any((a.y or 0) < 0 and "no evidence" in (a.text or "") for a in fig.layout.annotations)
    return dict(height=540 if below else 470, margin=dict(t=80, b=140 if below else 70))


def _note_place(lows: pd.Series, tops: pd.Series) -> dict[str, Any]:
    """Where a panel's "no evidence" list goes: in the middle of an empty panel; else inside the
    panel, in the top or bottom third its points and intervals leave free; else under the panel
    (it sat under the shared axis title there and read as part of it)."""
    if tops.empty:
        return dict(yref="paper", y=0.5, yanchor="middle")
    if float(tops.max()) < 65:
        return dict(yref="paper", y=1.0, yanchor="top")
    if float(lows.min()) > 40:
        return dict(yref="paper", y=0.0, yanchor="bottom")
    return dict(yref="paper", y=-0.14, yanchor="top")


def _label_positions(s: pd.DataFrame, xr: tuple[float, float], width_px: float) -> list[Placement]:
    """Model names clear of each other, of the points and of their interval bars (on the panel's
    log price axis and the 0-100 evidence axis)."""
    x = np.log10(s["x"].to_numpy(dtype=float))
    bars = [(a, 100 * lo_, a, 100 * hi_) for a, lo_, hi_ in zip(x, s["low"], s["high"], strict=True)
            if np.isfinite(lo_) and np.isfinite(hi_)]
    return place_labels(x, 100 * s["value"].to_numpy(dtype=float), list(s["catalog_id"].str.split(":", n=1).str[-1]),
                        xr, (-5, 105), segments=bars, width_px=width_px, height_px=310, font_px=10, marker_px=9)


def _no_evidence_text(names: list[str], shown: int = 3) -> str:
    """'no evidence:' and the first few names, one a line (a panel can be narrow), then how many more."""
    head = names[:shown]
    more = [f"and {len(names) - shown} more"] if len(names) > shown else []
    return "<br>".join(["<b>no evidence:</b>", *head, *more])


def highlight_chosen(fig: Any, table: pd.DataFrame) -> None:
    """Move :func:`tier_quality`'s stars to ``table``'s ``chosen`` models, in place: each star is
    its own one-point trace, put on the chosen model's plotted point (found by catalog id), so only
    two one-element arrays change per tier (restyling the candidates' per-point marker arrays
    garbled colours in plotly.js). A tier whose chosen model has no evidence shows no star."""
    f = _require(table, ["tier", "catalog_id", "chosen"], "highlight_chosen")
    picked = f[f["chosen"].fillna(False).astype(bool)].drop_duplicates("tier").set_index("tier")["catalog_id"]
    traces = fig.data
    points = {t.name: t for t in traces if t.meta != "chosen"}
    stars, xs, ys = [], [], []
    for i, star in enumerate(traces):
        if star.meta != "chosen":
            continue
        tier = str(star.name).removesuffix(": chosen")
        base = points.get(tier)
        ids = [str(row[3]) for row in base.customdata] if base is not None and base.customdata is not None else []
        want = str(picked.get(tier, ""))
        hit = ids.index(want) if want in ids else None
        stars.append(i)
        xs.append([] if hit is None or base is None else [base.x[hit]])
        ys.append([] if hit is None or base is None else [base.y[hit]])
    if stars:  # one message, only the stars' one-element x and y (values the figure already holds)
        if hasattr(fig, "_send_update_msg"):  # a live widget: held while its view is being drawn
            update_values(fig, {"x": xs, "y": ys}, {}, stars)
        else:
            fig.plotly_restyle({"x": xs, "y": ys}, trace_indexes=stars)

"""Timelines of a run: one bar per call on a time axis, one lane per tier or agent, and its critical path."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ..trace import critical_path  # computed at the trace layer, drawn here (viz.critical_path)
from ._frames import _decision_text, _go, _int, _lane_order, _num, _pick, _require, _usd
from .palette import CRITICAL


def timeline(
    frame: pd.DataFrame,
    lane: str = "auto",
    *,
    color: str = "cost_usd",
    highlight_critical_path: bool = True,
    title: str | None = None,
    label: str | None = None,
    spans: bool = False,
) -> Any:
    """One bar per call on a time axis (seconds from the run's start), one lane per tier or agent,
    coloured by cost. Hover shows model, tokens, cost, latency and the routing decision (score
    against threshold, alternatives and their predicted cost). With ``call_id`` and ``parent_id``
    the critical path is outlined in red and listed as its own trace ``"critical path"``.
    The default title sums the run up (calls, cost, wall time); ``label`` prefixes it.

    An orchestrator trace also holds span records (task, plan, delegate, review, decide: no
    model) that wrap the calls; unless ``spans=True`` only the calls are drawn, each labelled with the span
    it ran in, and times count from the run's first record."""
    go = _go()
    f = _require(frame, ["start", "end", "model"], "timeline")
    run_start = float(f["start"].min()) if len(f) else 0.0
    # Span records carry no model; the calls inside them do.
    if not spans and "kind" in f.columns and f["model"].isna().any() and f["model"].notna().any():
        calls = f[f["model"].notna()].copy()
        if {"call_id", "parent_id"} <= set(f.columns):
            span_kind = dict(zip(f["call_id"], f["kind"], strict=True))
            inside = calls["kind"] == "call"
            calls.loc[inside, "kind"] = calls.loc[inside, "parent_id"].map(span_kind).fillna("call")
        f = calls
    lane_col = _pick(f, ("tier", "agent"), "timeline lane") if lane == "auto" else _pick(f, (), "timeline", lane)
    if lane == "auto" and lane_col == "tier" and f["tier"].isna().all() and "agent" in f.columns:
        lane_col = "agent"
    f = f.reset_index(drop=True)
    t0 = run_start
    start = f["start"].astype(float).to_numpy() - t0
    dur = np.maximum(f["end"].astype(float).to_numpy() - t0 - start, 0.0)
    span = float((start + dur).max()) if len(f) else 1.0
    shown = np.maximum(dur, span * 2e-3)  # a zero-length call still gets a sliver
    lanes = f[lane_col].fillna("(none)").astype(str)
    cvals = f[color].astype(float).fillna(0.0).to_numpy() if color in f.columns else np.zeros(len(f))

    def col(name: str) -> list[Any]:
        return list(f[name]) if name in f.columns else [None] * len(f)

    hover = []
    for i, (model, kind, tin, tout, tcached, c, ttft, dec, status) in enumerate(
        zip(col("model"), col("kind"), col("input_tokens"), col("output_tokens"), col("cached_tokens"),
            col("cost_usd"), col("ttft_s"), col("decision"), col("status"), strict=True)
    ):
        lines = [f"<b>{model}</b>" + (f" · {kind}" if kind is not None else "") + f" · {lanes[i]}"]
        toks = f"tokens in {_int(tin)} / out {_int(tout)}"
        if _num(tcached):
            toks += f" (cached {_int(tcached)})"
        lines.append(toks)
        lat = f"cost {_usd(c)} · latency {dur[i]:.2f} s"
        if _num(ttft) is not None:
            lat += f" (ttft {float(ttft):.2f} s)"
        lines.append(lat)
        lines.append(f"t = {start[i]:.2f} s")
        if status is not None and status != "ok":
            lines.append(f"status: {status}")
        dtext = _decision_text(dec)
        if dtext:
            lines.append(dtext)
        hover.append("<br>".join(lines))

    bad = np.array([s not in (None, "ok") and not (isinstance(s, float) and math.isnan(s)) for s in col("status")])
    ids = list(f["call_id"]) if "call_id" in f.columns else (
        list(f["call_index"]) if "call_index" in f.columns else list(range(len(f)))
    )
    fig = go.Figure()
    fig.add_trace(go.Bar(
        name="calls", orientation="h", y=lanes.to_numpy(), x=shown, base=start,
        customdata=np.array(ids, dtype=object), hovertext=hover, hoverinfo="text",
        marker=dict(
            color=cvals, colorscale="Viridis", cmin=0.0, cmax=max(float(cvals.max()) if len(cvals) else 0.0, 1e-9),
            showscale=bool(len(cvals) and cvals.max() > 0), colorbar=dict(title=color.replace("_usd", " (USD)")),
            pattern=dict(shape=["x" if b else "" for b in bad]),
            line=dict(width=0.5, color="white"),
        ),
    ))
    if highlight_critical_path and {"call_id", "parent_id"} <= set(f.columns) and f["parent_id"].notna().any():
        on = set(critical_path(f))
        mask = f["call_id"].isin(on).to_numpy()
        fig.add_trace(go.Bar(
            name="critical path", orientation="h", y=lanes.to_numpy()[mask], x=shown[mask], base=start[mask],
            customdata=np.array(ids, dtype=object)[mask], hoverinfo="skip",
            marker=dict(color="rgba(0,0,0,0)", line=dict(color=CRITICAL, width=2.5)),
        ))
    total = float(f["cost_usd"].sum()) if "cost_usd" in f.columns else float("nan")
    wall = span
    fig.update_layout(
        title=title or (f"{label}: " if label else "") + f"{len(f)} calls · {_usd(total)} · wall {wall:.1f} s",
        barmode="overlay", xaxis_title="seconds from start", yaxis_title=lane_col,
        yaxis=dict(categoryorder="array", categoryarray=list(reversed(_lane_order(lanes)))),
        showlegend="critical path" in [t.name for t in fig.data], template="plotly_white",
        legend=dict(orientation="h", x=0, y=-0.3, yanchor="top"),  # below the axis, clear of the colour bar
        height=max(260, 90 * lanes.nunique() + 120) + (40 if "critical path" in [t.name for t in fig.data] else 0),
    )
    return fig


"""Timelines of a run: one bar per call on a time axis, one lane per tier or agent, and its critical path."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DatasetError
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
    lanes: Sequence[str] | None = None,
    cmax: float | None = None,
    x_range: tuple[float, float] | None = None,
) -> Any:
    """One bar per call on a time axis (seconds from the run's start), one lane per tier or agent,
    coloured by cost. Hover shows model, tokens, cost, latency and the routing decision (score
    against threshold, alternatives and their predicted cost). With ``call_id`` and ``parent_id``
    the critical path is outlined in red and listed as its own trace ``"critical path"``.
    The default title sums the run up (calls, cost, wall time); ``label`` prefixes it.

    An orchestrator trace also holds span records (task, plan, delegate, review, decide: no
    model) that wrap the calls; unless ``spans=True`` only the calls are drawn, each labelled with the span
    it ran in, and times count from the run's first record.

    Each lane's label names the model(s) that served it, and bars wide enough carry the model's
    name, so no hover is needed to see who answered. ``lanes`` lists lanes to draw even when
    empty (a tier with no calls says so); ``cmax`` and ``x_range`` fix the colour scale and the
    time axis, so timelines meant to be compared share them (:func:`timelines` does this).
    Hatched bars (refused, failed) get their own legend entry."""
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
    lane_names = f[lane_col].fillna("(none)").astype(str)
    cvals = f[color].astype(float).fillna(0.0).to_numpy() if color in f.columns else np.zeros(len(f))

    def col(name: str) -> list[Any]:
        return list(f[name]) if name in f.columns else [None] * len(f)

    hover = []
    for i, (model, kind, tin, tout, tcached, c, ttft, dec, status) in enumerate(
        zip(col("model"), col("kind"), col("input_tokens"), col("output_tokens"), col("cached_tokens"),
            col("cost_usd"), col("ttft_s"), col("decision"), col("status"), strict=True)
    ):
        lines = [f"<b>{model}</b>" + (f" · {kind}" if kind is not None else "") + f" · {lane_names[i]}"]
        toks = f"tokens in {_int(tin)} / out {_int(tout)}"
        if "cached_tokens" in f.columns:  # shown even when 0: a lost cache hit is why a call costs more
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

    statuses = col("status")
    bad = np.array([s not in (None, "ok") and not (isinstance(s, float) and math.isnan(s)) for s in statuses])
    ids = list(f["call_id"]) if "call_id" in f.columns else (
        list(f["call_index"]) if "call_index" in f.columns else list(range(len(f)))
    )
    models = np.array(["" if m is None or (isinstance(m, float) and math.isnan(m)) else str(m) for m in f["model"]],
                      dtype=object)
    top = float(cmax) if cmax is not None else (float(cvals.max()) if len(cvals) else 0.0)
    fig = go.Figure()
    fig.add_trace(go.Bar(
        name="calls", orientation="h", y=lane_names.to_numpy(), x=shown, base=start,
        customdata=np.array(ids, dtype=object), hovertext=hover, hoverinfo="text",
        # the model's name on bars wide enough to hold it (uniformtext hides it on the others)
        text=[m.split(":", 1)[-1] for m in models], textposition="inside", insidetextanchor="middle",
        textfont=dict(color="white"),
        marker=dict(
            color=cvals, colorscale="Viridis", cmin=0.0, cmax=max(top, 1e-9),
            showscale=bool(top > 0), colorbar=dict(title=color.replace("_usd", " (USD)"), tickformat="$.3~f"),
            # an explicit hatch colour: by default plotly.js takes it from the numeric colour array
            # and logs "Invalid color specifier" for every bar
            pattern=dict(shape=["x" if b else "" for b in bad], fgcolor="#222", fillmode="overlay", size=6),
            line=dict(width=0.5, color="white"),
        ),
    ))
    if bad.any():
        kinds = sorted({str(s) for s, b in zip(statuses, bad, strict=True) if b})
        fig.add_trace(go.Bar(  # legend only: says what hatching means
            name=f"{' / '.join(kinds)} (hatched): {int(bad.sum())} call{'s' if bad.sum() > 1 else ''}", x=[None], y=[None], orientation="h",
            marker=dict(color="#bbbbbb", pattern=dict(shape="x", fgcolor="#222")), hoverinfo="skip",
        ))
    if highlight_critical_path and {"call_id", "parent_id"} <= set(f.columns) and f["parent_id"].notna().any():
        on = set(critical_path(f))
        mask = f["call_id"].isin(on).to_numpy()
        fig.add_trace(go.Bar(
            name="critical path", orientation="h", y=lane_names.to_numpy()[mask], x=shown[mask], base=start[mask],
            customdata=np.array(ids, dtype=object)[mask], hoverinfo="skip",
            marker=dict(color="rgba(0,0,0,0)", line=dict(color=CRITICAL, width=2.5)),
        ))
    order = _lane_order(list(lane_names) + list(lanes or []))
    served = {ln: sorted({m.split(":", 1)[-1] for m in models[(lane_names == ln).to_numpy()] if m}) for ln in order}
    ticktext = [f"<b>{ln}</b><br>" + (", ".join(served[ln][:2]) + (f" +{len(served[ln]) - 2}" if len(served[ln]) > 2 else "")
                                      if served[ln] else "<i>no calls</i>") for ln in order]
    for ln in order:
        if not served[ln]:  # a lane asked for but empty says so, not just a blank row
            fig.add_annotation(x=0, y=ln, xref="paper", yref="y", xanchor="left", showarrow=False,
                               text=f"no {ln} calls in this run", font=dict(color="#777", size=11))
    total = float(f["cost_usd"].sum()) if "cost_usd" in f.columns else float("nan")
    wall = span
    legend = any(t.name != "calls" for t in fig.data)
    fig.update_layout(
        title=title or (f"{label}: " if label else "") + f"{len(f)} calls · {_usd(total)} · wall {wall:.1f} s",
        barmode="overlay", xaxis_title="seconds from the run's start", yaxis_title=None,
        yaxis=dict(categoryorder="array", categoryarray=list(reversed(order)), tickvals=order, ticktext=ticktext,
                   range=[-0.5, len(order) - 0.5], automargin=True),
        xaxis=dict(range=list(x_range) if x_range else None, rangemode="tozero"),
        uniformtext=dict(minsize=9, mode="hide"),
        showlegend=legend, template="plotly_white",
        legend=dict(orientation="h", x=0, y=-0.3, yanchor="top"),  # below the axis, clear of the colour bar
        height=max(260, 80 * len(order) + 130) + (40 if legend else 0),
        margin=dict(t=60),
    )
    return fig



def timelines(
    frames: Mapping[str, pd.DataFrame],
    lane: str = "auto",
    *,
    lanes: Sequence[str] | None = None,
    title: str | None = None,
    **kwargs: Any,
) -> Any:
    """Several runs to compare (policies), one above the other in one figure: one colour scale,
    one time axis (shared and zoomed together), the same lanes in the same order, one colour bar.
    Each run's panel is titled with its name and sums (calls, cost, wall time)."""
    _go()  # a clear error if plotly is missing
    from plotly.subplots import make_subplots

    if not isinstance(frames, Mapping) or not frames:
        raise DatasetError("timelines needs a non-empty {policy name: frame} mapping")
    runs = {str(k): _require(v, ["start", "end", "model"], f"timelines[{k!r}]") for k, v in frames.items()}
    cost = [float(f[kwargs.get("color", "cost_usd")].max()) for f in runs.values() if kwargs.get("color", "cost_usd") in f]
    cmax = max([c for c in cost if c == c] or [0.0])
    ends = [float(f["end"].max() - f["start"].min()) for f in runs.values() if len(f)]
    x_range = (0.0, max(ends or [1.0]) * 1.02)
    col = kwargs.pop("color", "cost_usd")
    first = next(iter(runs.values()))
    lane_col = _pick(first, ("tier", "agent"), "timelines lane") if lane == "auto" else lane
    all_lanes = _lane_order([str(v) for f in runs.values() if lane_col in f for v in f[lane_col].dropna()]
                            + list(lanes or []))
    figs = {name: timeline(f, lane_col, color=col, label=name, lanes=all_lanes, cmax=cmax, x_range=x_range, **kwargs)
            for name, f in runs.items()}
    fig = make_subplots(rows=len(figs), cols=1, shared_xaxes=True, vertical_spacing=0.12 / max(len(figs) - 1, 1),
                        subplot_titles=[str(f.layout.title.text) for f in figs.values()])
    seen: set[str] = set()
    for row, sub in enumerate(figs.values(), start=1):
        for tr in sub.data:
            tr.showlegend = tr.name != "calls" and tr.name not in seen
            seen.add(str(tr.name))
            if tr.name == "calls" and row > 1:
                tr.marker.showscale = False
            tr.legendgroup = tr.name
            fig.add_trace(tr, row=row, col=1)
        y = sub.layout.yaxis
        fig.update_yaxes(categoryorder="array", categoryarray=y.categoryarray, tickvals=y.tickvals,
                         ticktext=y.ticktext, range=y.range, automargin=True, row=row, col=1)
        for ann in sub.layout.annotations:
            fig.add_annotation(ann.update(yref=f"y{row if row > 1 else ''}"))
    fig.update_xaxes(range=list(x_range), title_text=None)
    fig.update_xaxes(title_text="seconds from the run's start (same axis for every run)", row=len(figs), col=1)
    n_lanes = len(all_lanes)
    fig.update_layout(
        title=title or "timelines on one time axis and one cost colour scale",
        barmode="overlay", template="plotly_white", uniformtext=dict(minsize=9, mode="hide"),
        showlegend=bool(seen - {"calls"}), legend=dict(orientation="h", x=0, y=-0.08, yanchor="top"),
        height=len(figs) * (70 * n_lanes + 90) + 140, margin=dict(t=90),
    )
    return fig

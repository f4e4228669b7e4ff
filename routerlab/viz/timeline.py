"""Timelines of a run: one bar per call on a time axis, one lane per tier or agent, and its critical path."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DatasetError
from ..trace import critical_path  # computed at the trace layer, drawn here (viz.critical_path)
from ._frames import _decision_text, _go, _int, _lane_order, _num, _pick, _require, _usd
from ._spec import Spec, figure, no_tex, stacked_rows, template
from .palette import CRITICAL, cost_colourscale, policy_colours, scale_colours


def timeline(frame: pd.DataFrame, lane: str = "auto", **options: Any) -> Any:
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
    Hatched bars (refused, failed) get their own legend entry.

    Options (keyword only): ``color="cost_usd"``, ``highlight_critical_path=True``, ``title``,
    ``label``, ``spans=False``, ``lanes``, ``cmax``, ``x_range``; :func:`timeline_spec` lists them."""
    _go()  # a clear error if plotly is missing
    return figure(timeline_spec(frame, lane, **options))


def timeline_spec(
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
) -> Spec:
    """:func:`timeline` as plain dicts (``{"data", "layout"}``), what a live widget restyles."""
    f = _require(frame, ["start", "end", "model"], "timeline")
    run_start = float(f["start"].min()) if len(f) else 0.0  # before spans are dropped: the task's start
    f = f if spans else _calls_only(f)
    lane_col = _lane_column(f, lane)
    bars = _bars(f, lane_col, run_start)
    cvals = f[color].astype(float).fillna(0.0).to_numpy() if color in f.columns else np.zeros(len(f))
    # the hatch legend entry is always there (hidden when nothing is hatched): a live figure keeps
    # one set of traces for life (viz.live), and a budget change can hatch calls or clear them
    axis_s = float(x_range[1] - x_range[0]) if x_range else bars.span
    data = [_calls_trace(bars, cvals, color, cmax, axis_s), _hatch_legend_trace(bars)]
    if highlight_critical_path and {"call_id", "parent_id"} <= set(f.columns) and f["parent_id"].notna().any():
        data.append(_critical_path_trace(bars))
    order = _lane_order(list(bars.lanes) + list(lanes or []))
    served = _served_models(bars, order)
    total = float(f["cost_usd"].sum()) if "cost_usd" in f.columns else float("nan")
    layout = _timeline_layout(
        title or (f"{label}: " if label else "") + f"{len(f)} calls · {_usd(total)} · wall {bars.span:.1f} s",
        served, lane_col, x_range, legend=any(t["name"] != "calls" and t.get("visible", True) for t in data),
    )
    layout["annotations"] = _empty_lane_notes(served)
    return no_tex({"data": data, "layout": layout})


@dataclass(frozen=True)
class _Bars:
    """One timeline's calls laid out once (position, labels, status), shared by all its traces."""

    frame: pd.DataFrame
    lanes: pd.Series  # lane name per call
    start: np.ndarray  # seconds from the run's start
    dur: np.ndarray
    shown: np.ndarray  # drawn width: a zero-length call still gets a sliver
    span: float  # wall time
    ids: list[Any]
    models: np.ndarray  # "" where a record has no model
    statuses: list[Any]
    bad: np.ndarray  # refused, failed...: drawn hatched


def _calls_only(f: pd.DataFrame) -> pd.DataFrame:
    """Drop an orchestrator trace's span records (no model), labelling each call with the span
    it ran in: the spans wrap the calls, drawing both would double every bar."""
    if not ("kind" in f.columns and f["model"].isna().any() and f["model"].notna().any()):
        return f
    calls = f[f["model"].notna()].copy()
    if {"call_id", "parent_id"} <= set(f.columns):
        span_kind = dict(zip(f["call_id"], f["kind"], strict=True))
        inside = calls["kind"] == "call"
        calls.loc[inside, "kind"] = calls.loc[inside, "parent_id"].map(span_kind).fillna("call")
    return calls


def _lane_column(f: pd.DataFrame, lane: str) -> str:
    """The column that names each call's lane: tier, or agent when no call has a tier."""
    if lane != "auto":
        return _pick(f, (), "timeline", lane)
    lane_col = _pick(f, ("tier", "agent"), "timeline lane")
    if lane_col == "tier" and f["tier"].isna().all() and "agent" in f.columns:
        return "agent"
    return lane_col


def _column(f: pd.DataFrame, name: str) -> list[Any]:
    """A column as a list, or Nones when the frame lacks it (a simulate frame has no decisions)."""
    return list(f[name]) if name in f.columns else [None] * len(f)


def _bars(f: pd.DataFrame, lane_col: str, t0: float) -> _Bars:
    """Lay the calls out on the time axis (seconds from ``t0``) and in their lanes."""
    f = f.reset_index(drop=True)
    start = f["start"].astype(float).to_numpy() - t0
    dur = np.maximum(f["end"].astype(float).to_numpy() - t0 - start, 0.0)
    span = float((start + dur).max()) if len(f) else 1.0
    statuses = _column(f, "status")
    ids = list(f["call_id"]) if "call_id" in f.columns else (
        list(f["call_index"]) if "call_index" in f.columns else list(range(len(f)))
    )
    return _Bars(
        frame=f, lanes=f[lane_col].fillna("(none)").astype(str), start=start, dur=dur,
        shown=np.maximum(dur, span * 2e-3), span=span, ids=ids,
        models=np.array(["" if m is None or (isinstance(m, float) and math.isnan(m)) else str(m) for m in f["model"]],
                        dtype=object),
        statuses=statuses,
        bad=np.array([s not in (None, "ok") and not (isinstance(s, float) and math.isnan(s)) for s in statuses]),
    )


def _hover_texts(bars: _Bars) -> list[str]:
    """Per call: model, kind and lane; tokens; cost and latency; start; status; routing decision."""
    f = bars.frame
    hover = []
    for i, (model, kind, tin, tout, tcached, c, ttft, dec, status) in enumerate(
        zip(_column(f, "model"), _column(f, "kind"), _column(f, "input_tokens"), _column(f, "output_tokens"),
            _column(f, "cached_tokens"), _column(f, "cost_usd"), _column(f, "ttft_s"), _column(f, "decision"),
            bars.statuses, strict=True)
    ):
        lines = [f"<b>{model}</b>" + (f" · {kind}" if kind is not None else "") + f" · {bars.lanes[i]}"]
        toks = f"tokens in {_int(tin)} / out {_int(tout)}"
        if "cached_tokens" in f.columns:  # shown even when 0: a lost cache hit is why a call costs more
            toks += f" (cached {_int(tcached)})"
        lines.append(toks)
        lat = f"cost {_usd(c)} · latency {bars.dur[i]:.2f} s"
        if _num(ttft) is not None:
            lat += f" (ttft {float(ttft):.2f} s)"
        lines.append(lat)
        lines.append(f"t = {bars.start[i]:.2f} s")
        if status is not None and status != "ok":
            lines.append(f"status: {status}")
        dtext = _decision_text(dec)
        if dtext:
            lines.append(dtext)
        hover.append("<br>".join(lines))
    return hover


def _money_ticks(top: float) -> str:
    """A colour-bar tick format with enough decimals for the scale's top: a run that costs a
    fraction of a cent showed "$0" on every tick at a fixed three decimals."""
    decimals = 3 if top <= 0 else max(3, 1 - math.floor(math.log10(top)))
    return f"$.{decimals}~f"


def _calls_trace(bars: _Bars, cvals: np.ndarray, color: str, cmax: float | None, axis_s: float) -> Spec:
    """The bars themselves: coloured by ``color`` (on a fixed scale when ``cmax`` is given, so
    timelines compare), hatched when a call did not succeed, named by model when wide enough."""
    top = float(cmax) if cmax is not None else (float(cvals.max()) if len(cvals) else 0.0)
    return dict(
        # no legend entry: its colour is each call's cost, which the colour bar reads
        type="bar", name="calls", showlegend=False, orientation="h", y=bars.lanes.tolist(), x=bars.shown,
        base=bars.start,
        customdata=_plain(bars.ids), hovertext=_hover_texts(bars), hoverinfo="text",
        # the model's name on bars wide enough to hold it (uniformtext hides it on the others), in
        # black or white by the bar's colour (plotly picks the contrast: white was lost on yellow)
        text=_bar_names(bars, axis_s), textposition="inside", insidetextanchor="middle",
        textangle=0,  # level or hidden: plotly turned a name on its side to fit a narrow bar
        marker=dict(
            # colour strings, not the numbers: plotly.js reads a bar's marker.color as a colour while
            # drawing and logged "Invalid color specifier: number ..." twice per bar; the scale and
            # its bounds stay on the trace for the colour bar
            color=scale_colours(cvals, 0.0, max(top, 1e-9)), colorscale=cost_colourscale(), cmin=0.0,
            cmax=max(top, 1e-9), showscale=bool(top > 0),
            colorbar=dict(title=dict(text=color.replace("_usd", " (USD)")), tickformat=_money_ticks(top)),
            pattern=dict(shape=["x" if b else "" for b in bars.bad], fgcolor="#222", fillmode="overlay", size=6),
            # a white edge parts neighbouring bars, but on a bar a pixel or two wide it is most of
            # what shows and paled its cost colour: only bars wider than ~4 px of a 1000 px plot get it
            line=dict(width=np.where(bars.shown >= bars.span * 4e-3, 0.5, 0.0), color="white"),
        ),
    )


_PLOT_PX, _CHAR_PX = 800, 6.5  # a narrow notebook plot area; a character at the smallest bar text


def _bar_names(bars: _Bars, axis_s: float) -> list[str]:
    """Per bar, the longest of the model's names that fits it ("claude-haiku-4-5", "haiku-4-5",
    "haiku"), in a plot about 800 px wide with ``axis_s`` seconds across: a short call still says
    who served it. A bar too narrow for any gets the full name, which plotly then hides."""
    px_per_s = _PLOT_PX / max(axis_s, 1e-9)
    out = []
    for model, width in zip(bars.models, bars.shown, strict=True):
        name = model.split(":", 1)[-1]
        parts = name.split("-")
        options = [name, "-".join(parts[1:]), parts[1] if len(parts) > 1 else name]
        room = width * px_per_s - 6  # the bar's inside padding
        out.append(next((o for o in options if o and len(o) * _CHAR_PX <= room), name))
    return out


def _plain(values: Sequence[Any]) -> list[Any]:
    """Python scalars (numpy ints would not serialize in a live widget's message)."""
    return [v.item() if isinstance(v, np.generic) else v for v in values]


def _hatch_legend_trace(bars: _Bars) -> Spec:
    """A legend-only entry that says what the hatching means and how many calls it marks (hidden
    when no call is hatched)."""
    kinds = sorted({str(s) for s, b in zip(bars.statuses, bars.bad, strict=True) if b})
    n = int(bars.bad.sum())
    return dict(
        type="bar", name=f"{' / '.join(kinds)} (hatched): {n} call{'s' if n > 1 else ''}" if n else "hatched: none",
        x=[None], y=[None], visible=bool(n), orientation="h",
        marker=dict(color="#bbbbbb", pattern=dict(shape="x", fgcolor="#222")), hoverinfo="skip",
    )


def _critical_path_trace(bars: _Bars) -> Spec:
    """The calls on the critical path outlined in red, over their bars: what set the wall time."""
    mask = bars.frame["call_id"].isin(set(critical_path(bars.frame))).to_numpy()
    return dict(
        type="bar", name="critical path", orientation="h", y=bars.lanes.to_numpy()[mask].tolist(), x=bars.shown[mask],
        base=bars.start[mask], customdata=_plain([i for i, m in zip(bars.ids, mask, strict=True) if m]),
        hoverinfo="skip", marker=dict(color="rgba(0,0,0,0)", line=dict(color=CRITICAL, width=2.5)),
    )


def _served_models(bars: _Bars, order: list[str]) -> dict[str, list[str]]:
    """Per lane, in drawing order, the models (without provider) that served it: named on its label."""
    return {ln: sorted({m.split(":", 1)[-1] for m in bars.models[(bars.lanes == ln).to_numpy()] if m}) for ln in order}


def _lane_label(lane: str, models: list[str]) -> str:
    """A lane's tick label: its name over the first two models that served it (+ how many more)."""
    if not models:
        return f"<b>{lane}</b><br><i>no calls</i>"
    more = f" +{len(models) - 2}" if len(models) > 2 else ""
    return f"<b>{lane}</b><br>" + ", ".join(models[:2]) + more


def _empty_lane_notes(served: dict[str, list[str]], yref: str = "y") -> list[Spec]:
    """A lane asked for but empty says so, not just a blank row."""
    return [dict(x=0, y=ln, xref="paper", yref=yref, xanchor="left", showarrow=False,
                 text=f"no {ln} calls in this run", font=dict(color="#777", size=11))
            for ln, models in served.items() if not models]


def _lane_axis(served: dict[str, list[str]], lane_col: str) -> Spec:
    """Lanes top-down in ``served``'s order, labelled with the models that served them."""
    order = list(served)
    return dict(categoryorder="array", categoryarray=list(reversed(order)), tickvals=order, title=dict(text=lane_col),
                ticktext=[_lane_label(ln, served[ln]) for ln in order], range=[-0.5, len(order) - 0.5],
                automargin=True)


def _timeline_layout(title: str, served: dict[str, list[str]], lane_col: str,
                     x_range: tuple[float, float] | None, *, legend: bool) -> Spec:
    """Lanes top-down in ``served``'s order, labelled with their models; a height that grows with
    the lanes, and room below the axis for the legend when there is one."""
    return dict(
        title=dict(text=title),
        barmode="overlay", yaxis=_lane_axis(served, lane_col),
        xaxis=dict(title=dict(text="seconds from the run's start"), rangemode="tozero",
                   **({"range": list(x_range)} if x_range else {})),
        uniformtext=dict(minsize=9, mode="hide"),
        showlegend=legend, template=template(),
        legend=dict(orientation="h", x=0, y=-0.3, yanchor="top"),  # below the axis, clear of the colour bar
        height=max(260, 80 * len(served) + 130) + (40 if legend else 0),
        margin=dict(t=60),
    )


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
    return figure(timelines_spec(frames, lane, lanes=lanes, title=title, **kwargs))


def timelines_spec(
    frames: Mapping[str, pd.DataFrame],
    lane: str = "auto",
    *,
    lanes: Sequence[str] | None = None,
    title: str | None = None,
    **kwargs: Any,
) -> Spec:
    """:func:`timelines` as plain dicts (``{"data", "layout"}``), what a live widget restyles."""
    if not isinstance(frames, Mapping) or not frames:
        raise DatasetError("timelines needs a non-empty {policy name: frame} mapping")
    runs = {str(k): _require(v, ["start", "end", "model"], f"timelines[{k!r}]") for k, v in frames.items()}
    col = kwargs.pop("color", "cost_usd")
    cost = [float(f[col].max()) for f in runs.values() if col in f]
    cmax = max([c for c in cost if c == c] or [0.0])
    ends = [float(f["end"].max() - f["start"].min()) for f in runs.values() if len(f)]
    x_range = (0.0, max(ends or [1.0]) * 1.02)
    first = next(iter(runs.values()))
    lane_col = _pick(first, ("tier", "agent"), "timelines lane") if lane == "auto" else lane
    all_lanes = _lane_order([str(v) for f in runs.values() if lane_col in f for v in f[lane_col].dropna()]
                            + list(lanes or []))
    subs = [timeline_spec(f, lane_col, color=col, label=name, lanes=all_lanes, cmax=cmax, x_range=x_range, **kwargs)
            for name, f in runs.items()]
    refs, layout = stacked_rows([s["layout"]["title"]["text"] for s in subs], 0.12 / max(len(subs) - 1, 1))
    # each panel's title in its policy's colour: the same run is the same colour in cost_comparison
    for note, colour in zip(layout["annotations"], policy_colours(runs).values(), strict=True):
        note["font"] = dict(note["font"], color=colour)
    data: list[Spec] = []
    seen: set[str] = set()
    for row, (sub, (xref, yref)) in enumerate(zip(subs, refs, strict=True), start=1):
        for tr in sub["data"]:
            tr.update(xaxis=xref, yaxis=yref, legendgroup=tr["name"],
                      showlegend=tr["name"] != "calls" and tr["name"] not in seen)
            if tr.get("visible", True):
                seen.add(tr["name"])
            if tr["name"] == "calls" and row > 1:
                tr["marker"]["showscale"] = False
            data.append(tr)
        layout[f"yaxis{'' if row == 1 else row}"].update(sub["layout"]["yaxis"])
        layout["annotations"] += [dict(a, yref=yref) for a in sub["layout"]["annotations"]]
    n = len(subs)
    for row in range(1, n + 1):
        layout[f"xaxis{'' if row == 1 else row}"]["range"] = list(x_range)
    layout[f"xaxis{'' if n == 1 else n}"]["title"] = dict(text="seconds from the run's start (same axis for every run)")
    layout.update(
        title=dict(text=title or "timelines on one time axis and one cost colour scale"),
        barmode="overlay", template=template(), uniformtext=dict(minsize=9, mode="hide"),
        showlegend=bool(seen - {"calls"}), legend=dict(orientation="h", x=0, y=-0.08, yanchor="top"),
        height=n * (70 * len(all_lanes) + 90) + 140, margin=dict(t=90),
    )
    return no_tex({"data": data, "layout": layout})

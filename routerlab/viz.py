"""Pictures of routing runs: pure functions, a pandas DataFrame in, a plotly Figure out.

Every function takes the frames the rest of routerlab produces and needs only a few of their
columns; a frame that lacks one raises :class:`~routerlab.errors.DatasetError` naming it.

================  ===========================================================================
function          required columns (optional ones in brackets)
================  ===========================================================================
timeline          start, end, model, and a lane column: tier or agent
                  [cost_usd, input_tokens, output_tokens, cached_tokens, ttft_s, decision,
                  status, kind, call_id + parent_id (critical path), call_index, task_id]
cost_comparison   start or call_index, cost_usd [end, tier/agent]; one frame per policy
cost_quality      cost and quality per point (cost / cost_usd / mean_cost, quality /
                  accuracy / mean_quality) [threshold or cost_weight]; singles add model
calibration       candidate (or model / name), accuracy, and ci_low + ci_high or n
                  [lower_bound, cost / cost_per_1k_usd, chosen]: calibrate()'s table works
confusion_matrix  two label sequences, or a frame with true + predicted label columns
model_map         id, input_price + output_price (or Catalog.to_frame()'s *_per_mtok)
                  [ttft_s, output_tps, vision, provider]
================  ===========================================================================

Both the trace frame (``Trace.to_frame()``: epoch seconds, ``tier``, ``decision`` dicts) and
the simulate frame (``simulate(...)``: ``call_index``, ``agent``, seconds from zero) work.
plotly is imported inside each function, so ``import routerlab`` stays light.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .errors import DatasetError, MissingDependencyError

__all__ = [
    "timeline",
    "cost_comparison",
    "cost_quality",
    "calibration",
    "confusion_matrix",
    "model_map",
    "signal_map",
    "critical_path",
    "upper_hull",
    "wilson_interval",
    "TIER_ORDER",
]

# Lanes are drawn top-down in this order; anything else follows alphabetically.
TIER_ORDER = ("orchestrator", "classifier", "coder", "vision", "local")
_PALETTE = ("#4C78A8", "#F58518", "#54A24B", "#E45756", "#72B7B2", "#B279A2", "#FF9DA6", "#9D755D")
_CRITICAL = "#D62728"


def _go() -> Any:
    try:
        import plotly.graph_objects as go
    except ImportError as exc:  # pragma: no cover - plotly is in the lab extra
        raise MissingDependencyError("plotly", "lab") from exc
    return go


def _require(frame: Any, columns: Iterable[str], what: str) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise DatasetError(f"{what} needs a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DatasetError(
            f"{what}: the frame lacks column(s) {missing}; it has {list(frame.columns)}. "
            "Pass Trace.to_frame() or a simulate() frame, or rename your columns."
        )
    return frame


def _pick(frame: pd.DataFrame, candidates: Sequence[str], what: str, given: str | None = None) -> str:
    """The first of ``candidates`` the frame has (or ``given`` when the caller named one)."""
    if given is not None:
        _require(frame, [given], what)
        return given
    for c in candidates:
        if c in frame.columns:
            return c
    raise DatasetError(
        f"{what}: the frame needs one of the columns {list(candidates)}; it has {list(frame.columns)}"
    )


def _usd(x: Any) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "?"
    if math.isnan(v):
        return "?"
    if v == 0:
        return "$0"
    return f"${v:.4f}" if abs(v) >= 0.01 else f"${v:.6f}"


def _num(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _as_dict(decision: Any) -> dict[str, Any] | None:
    """A decision as a dict, whether stored as a dict, a JSON string or a Decision."""
    if decision is None or (isinstance(decision, float) and math.isnan(decision)):
        return None
    if isinstance(decision, Mapping):
        return dict(decision)
    if isinstance(decision, str):
        try:
            parsed = json.loads(decision)
        except ValueError:
            return {"reason": decision}
        return parsed if isinstance(parsed, dict) else None
    to_dict = getattr(decision, "to_dict", None)
    return to_dict() if callable(to_dict) else None


def _decision_text(decision: Any, max_alternatives: int = 4) -> str:
    d = _as_dict(decision)
    if not d:
        return ""
    parts = []
    head = f"router {d['router']}" if d.get("router") else "decision"
    score, thr = _num(d.get("score")), _num(d.get("threshold"))
    if score is not None and thr is not None:
        head += f": score {score:.3f} {'≥' if score >= thr else '<'} threshold {thr:.3f}"
    elif score is not None:
        head += f": score {score:.3f}"
    if d.get("reason"):
        head += f" ({d['reason']})"
    parts.append(head)
    alts = d.get("alternatives") or []
    if alts:
        shown = []
        for a in list(alts)[:max_alternatives]:
            a = a if isinstance(a, Mapping) else vars(a)
            shown.append(f"{a.get('model')} {_usd(a.get('predicted_cost'))}")
        more = f" +{len(alts) - max_alternatives}" if len(alts) > max_alternatives else ""
        parts.append("alternatives: " + ", ".join(shown) + more)
    return "<br>".join(parts)


def _lane_order(values: Iterable[Any]) -> list[str]:
    seen = {str(v) for v in values}
    known = [t for t in TIER_ORDER if t in seen]
    return known + sorted(seen - set(known))


def critical_path(frame: pd.DataFrame, id_col: str = "call_id", slack_s: float = 0.01) -> list[Any]:
    """Ids of the spans on the critical path of a run: the chain of waits that set its wall time.

    Start from the span that ended last (the innermost one on a tie) and step back, each time to
    the span that ended latest at or before the current one started (within ``slack_s`` of clock
    noise). Parallel branches that finished early are off the path. Parent ids are not needed
    for the walk (the timeline draws the path only for runs that have parent ids)."""
    f = _require(frame, [id_col, "start", "end"], "critical_path")
    if f.empty:
        return []
    ids = list(f[id_col])
    start = f["start"].astype(float).to_numpy()
    end = f["end"].astype(float).to_numpy()
    order = np.lexsort((start, end))  # by end, then latest start last
    cur = int(order[-1])
    path = [cur]
    while True:
        # A parent that contains the current span ends after it starts, so it is never "waited on".
        ok = np.flatnonzero((end <= start[cur] + slack_s) & (start < start[cur]))
        if not len(ok):
            break
        cur = int(ok[np.lexsort((start[ok], end[ok]))[-1]])
        path.append(cur)  # start strictly decreases along the path, so the walk ends
    return [ids[i] for i in reversed(path)]


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
            marker=dict(color="rgba(0,0,0,0)", line=dict(color=_CRITICAL, width=2.5)),
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


def _int(x: Any) -> str:
    v = _num(x)
    return "?" if v is None else f"{int(v):,}"


def _policies(frames: Mapping[str, pd.DataFrame] | pd.DataFrame, policy_col: str = "policy") -> dict[str, pd.DataFrame]:
    if isinstance(frames, pd.DataFrame):
        if policy_col in frames.columns:
            return {str(k): g for k, g in frames.groupby(policy_col, sort=False)}
        return {"run": frames}
    if not isinstance(frames, Mapping) or not frames:
        raise DatasetError("cost_comparison needs a DataFrame or a non-empty {policy name: DataFrame} mapping")
    return {str(k): v for k, v in frames.items()}


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
    fig = make_subplots(rows=1, cols=2, column_widths=[0.6, 0.4], horizontal_spacing=0.12)
    groups_seen: list[str] = []
    group_col = "tier"
    for i, (name, f) in enumerate(runs.items()):
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
        colour = _PALETTE[i % len(_PALETTE)]
        fig.add_trace(go.Scatter(
            name=name, legendgroup=name, x=np.concatenate([[0.0], x]), y=np.concatenate([[0.0], y]),
            mode="lines", line=dict(color=colour, shape="hv", width=2.5),
            hovertemplate=f"{name}<br>%{{x:.1f}}<br>cumulative $%{{y:.4f}}<extra></extra>",
        ), row=1, col=1)
        per = f.groupby(f[gcol].fillna("(none)").astype(str), sort=False)["cost_usd"].sum()
        groups_seen += [k for k in per.index if k not in groups_seen]
        fig.add_trace(go.Bar(
            name=name, legendgroup=name, showlegend=False, x=list(per.index), y=per.to_numpy(dtype=float),
            marker_color=colour, text=[_usd(v) for v in per.to_numpy()], textposition="outside",
            hovertemplate=f"{name}<br>%{{x}}: $%{{y:.4f}}<extra></extra>",
        ), row=1, col=2)
    xtitle = "call" if all("end" not in f.columns and "start" not in f.columns for f in runs.values()) else "seconds"
    totals = " vs ".join(f"{k} {_usd(v['cost_usd'].sum())}" for k, v in runs.items())
    fig.update_xaxes(title_text=xtitle, row=1, col=1)
    fig.update_xaxes(title_text=group_col, categoryorder="array", categoryarray=_lane_order(groups_seen), row=1, col=2)
    fig.update_yaxes(title_text="cumulative cost (USD)", row=1, col=1)
    fig.update_yaxes(title_text="cost (USD)", row=1, col=2)
    fig.update_layout(title=title or f"cost: {totals}", barmode="group", template="plotly_white", height=420)
    return fig


def upper_hull(cost: Sequence[float] | np.ndarray, quality: Sequence[float] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The non-decreasing upper convex hull of cost-quality points (RouterBench's "zero router"
    line): upper hull by cost, cut after its best quality and extended flat to the largest cost."""
    pts = sorted({(float(c), float(q)) for c, q in zip(cost, quality, strict=True)})
    if not pts:
        return np.array([]), np.array([])
    hull: list[tuple[float, float]] = []
    for p in pts:
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = hull[-2], hull[-1]
            if (x2 - x1) * (p[1] - y1) - (y2 - y1) * (p[0] - x1) >= 0:  # not a right turn: drop middle
                hull.pop()
            else:
                break
        hull.append(p)
    best = max(range(len(hull)), key=lambda i: (hull[i][1], -hull[i][0]))
    hull = hull[: best + 1]
    # Start from the cheapest point's quality: paying more must never look worse.
    xs = [h[0] for h in hull]
    ys = list(np.maximum.accumulate([h[1] for h in hull]))
    max_cost = pts[-1][0]
    if max_cost > xs[-1]:
        xs.append(max_cost)
        ys.append(ys[-1])
    return np.array(xs), np.array(ys)


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
    for i, (name, s) in enumerate(runs.items()):
        c = _pick(s, _COST_COLS, f"cost_quality[{name!r}]", cost_col)
        q = _pick(s, _QUALITY_COLS, f"cost_quality[{name!r}]", quality_col)
        s = s.sort_values(c)
        knob = next((k for k in ("threshold", "cost_weight") if k in s.columns), None)
        thr = s[knob].to_numpy(dtype=float) if knob else np.full(len(s), np.nan)
        knob_text = f"{knob.replace('_', ' ')} %{{customdata:.4g}}<br>" if knob else ""
        fig.add_trace(go.Scatter(
            name=str(name), x=s[c].to_numpy(dtype=float), y=s[q].to_numpy(dtype=float), customdata=thr,
            mode="lines+markers", marker=dict(size=5), line=dict(color=_PALETTE[i % len(_PALETTE)], width=2.5),
            hovertemplate=f"{name}<br>{knob_text}cost %{{x:.5f}}<br>quality %{{y:.3f}}<extra></extra>",
        ))
    if singles is not None and len(singles):
        c = _pick(singles, _COST_COLS, "cost_quality singles", cost_col)
        q = _pick(singles, _QUALITY_COLS, "cost_quality singles", quality_col)
        m = _pick(singles, ("model", "name", "candidate"), "cost_quality singles")
        fig.add_trace(go.Scatter(
            name="single models", x=singles[c].to_numpy(dtype=float), y=singles[q].to_numpy(dtype=float),
            text=[str(v).split(":")[-1] for v in singles[m]], mode="markers+text", textposition="top center",
            textfont=dict(size=9), marker=dict(size=9, color="#555", symbol="circle"),
            hovertemplate="%{text}<br>cost %{x:.5f}<br>quality %{y:.3f}<extra></extra>",
        ))
        if hull:
            hx, hy = upper_hull(singles[c].to_numpy(dtype=float), singles[q].to_numpy(dtype=float))
            fig.add_trace(go.Scatter(
                name="convex hull of single models", x=hx, y=hy, mode="lines",
                line=dict(color="#888", dash="dash", width=1.5), hoverinfo="skip",
            ))
    op = _oracle_point(oracle)
    if op is not None:
        fig.add_trace(go.Scatter(
            name="oracle", x=[op[0]], y=[op[1]], mode="markers", marker=dict(symbol="star", size=16, color="#E45756"),
            hovertemplate="oracle<br>cost %{x:.5f}<br>quality %{y:.3f}<extra></extra>",
        ))
    fig.update_layout(
        title=title or "cost vs quality", xaxis_title=x_title, yaxis_title="quality", template="plotly_white",
        height=460, legend=dict(orientation="h", y=-0.2),
    )
    return fig


def wilson_interval(successes: Any, n: Any, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for binomial proportions (vectorised). Returns (low, high)."""
    from statistics import NormalDist

    k = np.asarray(successes, dtype=float)
    m = np.asarray(n, dtype=float)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(m > 0, k / m, 0.0)
        denom = 1 + z * z / m
        centre = (p + z * z / (2 * m)) / denom
        half = z * np.sqrt(p * (1 - p) / m + z * z / (4 * m * m)) / denom
    low = np.where(m > 0, np.clip(centre - half, 0, 1), 0.0)
    high = np.where(m > 0, np.clip(centre + half, 0, 1), 1.0)
    return low, high


def calibration(
    table: pd.DataFrame,
    target: float = 0.95,
    *,
    title: str | None = None,
) -> Any:
    """Accuracy of each candidate on the eval set with its confidence interval, ordered by cost,
    and the ``target`` line. The chosen candidate (a ``chosen`` column, else the cheapest whose
    lower bound clears the target) is drawn in green: "the smallest model that reaches 95%+"."""
    go = _go()
    name = _pick(table, ("candidate", "model", "name"), "calibration")
    acc = _pick(table, ("accuracy", "quality"), "calibration")
    t = table.copy()
    t = t[t[acc].notna()]  # candidates that failed to run have no accuracy to draw
    if {"ci_low", "ci_high"} <= set(t.columns):
        lo, hi = t["ci_low"].to_numpy(dtype=float), t["ci_high"].to_numpy(dtype=float)
    elif {"lower", "upper"} <= set(t.columns):
        lo, hi = t["lower"].to_numpy(dtype=float), t["upper"].to_numpy(dtype=float)
    elif "n" in t.columns:
        lo, hi = wilson_interval(t[acc].to_numpy(dtype=float) * t["n"].to_numpy(dtype=float), t["n"].to_numpy())
        if "lower_bound" in t.columns:  # calibrate()'s own bound is the one held against the target
            lo = t["lower_bound"].to_numpy(dtype=float)
    else:
        raise DatasetError(
            f"calibration needs ci_low and ci_high, or n (eval-set size); the table has {list(t.columns)}")
    t["_lo"], t["_hi"] = lo, hi
    cost = next((c for c in ("cost_usd", "cost", "mean_cost", "cost_per_1k_usd", "price") if c in t.columns), None)
    if cost is not None:
        t = t.sort_values(cost, kind="stable")
    if "chosen" in t.columns:
        chosen = t["chosen"].fillna(False).astype(bool).to_numpy()
    else:
        passing = (t["_lo"] >= target).to_numpy()
        chosen = np.zeros(len(t), dtype=bool)
        if passing.any():
            chosen[int(np.argmax(passing))] = True
    passing = (t["_lo"] >= target).to_numpy()
    colours = ["#2CA02C" if c else ("#4C78A8" if p else "#999") for c, p in zip(chosen, passing, strict=True)]
    names = t[name].astype(str).to_numpy()
    a = t[acc].to_numpy(dtype=float)
    hover = [
        f"{n}<br>accuracy {v:.3f} [{lo_:.3f}, {hi_:.3f}]" + (f"<br>cost {_usd(c)}" if cost else "")
        for n, v, lo_, hi_, c in zip(names, a, t["_lo"], t["_hi"], t[cost] if cost else [None] * len(t), strict=True)
    ]
    fig = go.Figure(go.Scatter(
        name="accuracy", x=names, y=a, mode="markers",
        error_y=dict(type="data", symmetric=False, array=t["_hi"].to_numpy() - a, arrayminus=a - t["_lo"].to_numpy()),
        marker=dict(size=11, color=colours), hovertext=hover, hoverinfo="text",
    ))
    fig.add_hline(y=target, line=dict(color="#E45756", dash="dash"), annotation_text=f"{target:.0%} target")
    pick = names[chosen][0] if chosen.any() else None
    fig.update_layout(
        title=title or (f"smallest reaching {target:.0%}: {pick}" if pick else f"no candidate reaches {target:.0%}"),
        xaxis_title="candidate" + (f" (by {cost})" if cost else ""), yaxis_title="accuracy",
        yaxis=dict(range=[min(0.0, float(np.nanmin(lo))) if len(t) else 0, 1.02]), template="plotly_white",
        height=420, showlegend=False,
    )
    return fig


def confusion_matrix(
    y_true: Sequence[Any] | pd.DataFrame,
    y_pred: Sequence[Any] | None = None,
    *,
    labels: Sequence[Any] | None = None,
    normalize: bool = False,
    title: str | None = None,
) -> Any:
    """A classifier's confusion matrix as an annotated heatmap (rows: true, columns: predicted).

    Pass two label sequences, or one frame with true (``label``/``true``/``y_true``) and
    predicted (``predicted``/``pred``/``y_pred``) columns."""
    go = _go()
    if isinstance(y_true, pd.DataFrame):
        tc = _pick(y_true, ("y_true", "true", "label", "expected"), "confusion_matrix")
        pc = _pick(y_true, ("y_pred", "predicted", "pred", "prediction"), "confusion_matrix")
        t, p = list(y_true[tc]), list(y_true[pc])
    else:
        if y_pred is None:
            raise DatasetError("confusion_matrix needs y_pred, or a frame with true and predicted columns")
        t, p = list(y_true), list(y_pred)
    if len(t) != len(p):
        raise DatasetError(f"confusion_matrix: {len(t)} true labels but {len(p)} predictions")
    labs = [str(v) for v in labels] if labels is not None else sorted({str(v) for v in t} | {str(v) for v in p})
    idx = {v: i for i, v in enumerate(labs)}
    m = np.zeros((len(labs), len(labs)), dtype=float)
    for a, b in zip(t, p, strict=True):
        if str(a) in idx and str(b) in idx:
            m[idx[str(a)], idx[str(b)]] += 1
    counts = m.copy()
    if normalize:
        rows = m.sum(axis=1, keepdims=True)
        m = np.divide(m, rows, out=np.zeros_like(m), where=rows > 0)
    acc = float(np.trace(counts) / counts.sum()) if counts.sum() else float("nan")
    text = [[f"{int(c)}" if not normalize else f"{v:.2f}" for c, v in zip(cr, vr, strict=True)]
            for cr, vr in zip(counts, m, strict=True)]
    fig = go.Figure(go.Heatmap(
        z=m, x=labs, y=labs, text=text, texttemplate="%{text}", colorscale="Blues", showscale=False,
        hovertemplate="true %{y}<br>predicted %{x}<br>%{text}<extra></extra>",
    ))
    fig.update_layout(
        title=title or f"confusion matrix · accuracy {acc:.3f} (n={int(counts.sum())})",
        xaxis_title="predicted", yaxis_title="true", yaxis=dict(autorange="reversed"), template="plotly_white",
        height=max(320, 45 * len(labs) + 160), width=max(420, 60 * len(labs) + 200),
    )
    return fig


def signal_map(auc: pd.DataFrame, *, title: str | None = None) -> Any:
    """Per-prompt signal of a router: a (groups x models) frame of within-group AUCs as a heatmap
    centred on 0.5 (no signal: white; red ranks prompts right, blue the wrong way round)."""
    go = _go()
    if not isinstance(auc, pd.DataFrame) or auc.empty:
        raise DatasetError("signal_map needs a non-empty (groups x models) frame of AUCs")
    z = auc.to_numpy(dtype=float)
    text = [["" if np.isnan(v) else f"{v:.2f}" for v in row] for row in z]
    fig = go.Figure(go.Heatmap(
        z=z, x=[str(c) for c in auc.columns], y=[str(i) for i in auc.index], text=text, texttemplate="%{text}",
        colorscale="RdBu_r", zmin=0.25, zmax=0.75, zmid=0.5, colorbar=dict(title="AUC"),
        hovertemplate="%{y} · %{x}<br>AUC %{z:.3f}<extra></extra>",
    ))
    fig.update_layout(
        title=title or "does the router rank prompts within a task? (AUC, 0.5 = no)",
        template="plotly_white", height=max(300, 50 * len(auc.index) + 200), xaxis=dict(tickangle=-35),
    )
    return fig


def model_map(
    frame: pd.DataFrame,
    *,
    output_tokens: int = 500,
    input_tokens: int = 2000,
    title: str | None = None,
) -> Any:
    """Models as points: price of a typical call (``input_tokens`` in, ``output_tokens`` out) against
    its modelled latency (ttft + output / tokens-per-second). Log price axis; vision models are
    diamonds. Local models (price 0) sit at the left edge."""
    go = _go()
    f = _require(frame, ["id"], "model_map").copy()
    pin = _pick(f, ("input_price", "input_per_mtok"), "model_map")
    pout = _pick(f, ("output_price", "output_per_mtok"), "model_map")
    f["call_cost"] = (f[pin].astype(float) * input_tokens + f[pout].astype(float) * output_tokens) / 1e6
    if {"ttft_s", "output_tps"} <= set(f.columns):
        tps = f["output_tps"].astype(float).where(lambda s: s > 0)
        f["latency"] = f["ttft_s"].astype(float) + output_tokens / tps
    else:
        f["latency"] = np.nan
    positive = f.loc[f["call_cost"] > 0, "call_cost"]
    floor = float(positive.min()) / 3 if len(positive) else 1e-6
    x = f["call_cost"].where(f["call_cost"] > 0, floor)
    provider = f["provider"] if "provider" in f.columns else f["id"].astype(str).str.split(":").str[0]
    fig = go.Figure()
    for i, prov in enumerate(dict.fromkeys(provider)):
        sel = (provider == prov).to_numpy()
        vision = f["vision"].fillna(False).astype(bool).to_numpy()[sel] if "vision" in f.columns else np.zeros(sel.sum(), bool)
        fig.add_trace(go.Scatter(
            name=str(prov), x=x[sel], y=f.loc[sel, "latency"], mode="markers+text",
            text=f.loc[sel, "id"].astype(str).str.split(":", n=1).str[-1], textposition="top center",
            textfont=dict(size=9), marker=dict(size=10, color=_PALETTE[i % len(_PALETTE)],
                                               symbol=["diamond" if v else "circle" for v in vision]),
            customdata=f.loc[sel, "call_cost"],
            hovertemplate="%{text}<br>$%{customdata:.5f} per call<br>%{y:.2f} s<extra></extra>",
        ))
    fig.update_layout(
        title=title or f"price vs latency of one call ({input_tokens:,} in / {output_tokens:,} out)",
        xaxis=dict(type="log", title="USD per call (log; local models at the left edge)"),
        yaxis_title="modelled latency (s)", template="plotly_white", height=460,
    )
    return fig

"""How well a classifier or router separates: calibration against a target, confusion matrix, AUC map."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DatasetError
from ._frames import _go, _pick, _usd
from .palette import GOOD, MUTED, NEUTRAL, ORACLE, SINGLE_MODEL
from .stats import wilson_interval


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
    colours = [GOOD if c else (NEUTRAL if p else MUTED) for c, p in zip(chosen, passing, strict=True)]
    names = t[name].astype(str).to_numpy()
    a = t[acc].to_numpy(dtype=float)
    hover = [
        f"{n}<br>accuracy {v:.3f} [{lo_:.3f}, {hi_:.3f}]" + (f"<br>cost {_usd(c)}" if cost else "")
        for n, v, lo_, hi_, c in zip(names, a, t["_lo"], t["_hi"], t[cost] if cost else [None] * len(t), strict=True)
    ]
    fig = go.Figure(go.Scatter(
        name="accuracy", x=names, y=a, mode="markers",
        # the bars' own colour: by default plotly.js takes the marker's, a per-point array it cannot
        # read as one colour ("Invalid color specifier: Array(3)")
        error_y=dict(type="data", symmetric=False, array=t["_hi"].to_numpy() - a, arrayminus=a - t["_lo"].to_numpy(),
                     color=SINGLE_MODEL),
        marker=dict(size=11, color=colours), hovertext=hover, hoverinfo="text",
    ))
    fig.add_hline(y=target, line=dict(color=ORACLE, dash="dash"), annotation_text=f"{target:.0%} target")
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


def signal_map(auc: pd.DataFrame, *, title: str | None = None, x_title: str = "model",
               y_title: str = "group") -> Any:
    """Per-prompt signal of a router: a (groups x models) frame of within-group AUCs as a heatmap
    centred on 0.5 (no signal: white; red ranks prompts right, blue the wrong way round)."""
    go = _go()
    if not isinstance(auc, pd.DataFrame) or auc.empty:
        raise DatasetError("signal_map needs a non-empty (groups x models) frame of AUCs")
    z = auc.to_numpy(dtype=float)
    text = [["" if np.isnan(v) else f"{v:.2f}" for v in row] for row in z]
    fig = go.Figure(go.Heatmap(
        z=z, x=[str(c) for c in auc.columns], y=[str(i) for i in auc.index], text=text, texttemplate="%{text}",
        colorscale="RdBu_r", zmin=0.25, zmax=0.75, zmid=0.5,
        colorbar=dict(title="AUC", tickvals=[0.25, 0.5, 0.75], ticktext=["0.25 (reversed)", "0.5 (coin)", "0.75"]),
        hovertemplate="%{y} · %{x}<br>AUC %{z:.3f}<extra></extra>",
    ))
    fig.update_layout(
        title=title or "does the router rank prompts within a task? (AUC, 0.5 = no)",
        template="plotly_white", height=max(300, 50 * len(auc.index) + 200),
        xaxis=dict(tickangle=-35, title=x_title), yaxis=dict(title=y_title),
    )
    return fig


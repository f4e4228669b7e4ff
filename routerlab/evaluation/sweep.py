"""Sweeps: turn a router's knob (threshold, cost weight) into a cost-quality curve, vectorised.

- :func:`threshold_sweep`: strong/weak routing by ``score >= threshold`` for many thresholds
  at once (sort + cumulative sums: O(n log n + t log n)).
- :func:`routellm_thresholds`: RouteLLM's thresholds (score quantiles in ``num_results``
  equal bins, the top one strict so the curve reaches 0 strong calls).
- :func:`cost_weight_sweep`: a multi-model router's choice for each cost weight, from its
  predicted quality and cost, scored against the recorded outcomes.
- :func:`curve_summary`: AIQ, max quality, and the cost to reach a share of a reference model's
  quality, as the RouterBench table reports them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ..errors import InvalidRequestError
from .metrics import aiq, cost_to_reach

__all__ = ["threshold_sweep", "routellm_thresholds", "cost_weight_sweep", "default_cost_weights",
           "curve_summary", "choices_for_weights"]


def routellm_thresholds(scores: np.ndarray, num_results: int = 10) -> np.ndarray:
    """RouteLLM's sweep: quantile edges of the scores; the last is made strict (> max)."""
    s = np.asarray(scores, dtype=float)
    edges = np.quantile(s, np.linspace(0, 1, num_results + 1))
    edges[-1] = np.nextafter(edges[-1], np.inf)  # ">" at the top edge == ">=" just above it
    return edges


def threshold_sweep(scores: np.ndarray, quality_strong: np.ndarray, quality_weak: np.ndarray,
                    thresholds: ArrayLike | int = 100,
                    cost_strong: np.ndarray | float | None = None,
                    cost_weak: np.ndarray | float | None = None) -> pd.DataFrame:
    """Route to strong where ``score >= threshold``; one row per threshold.

    Columns: threshold, strong_share (0-1), quality (mean), and when costs are given mean_cost.
    ``thresholds`` may be a count (evenly spaced score quantiles) or explicit values.
    """
    s = np.asarray(scores, dtype=float)
    qs, qw = np.asarray(quality_strong, dtype=float), np.asarray(quality_weak, dtype=float)
    n = s.shape[0]
    if s.ndim != 1 or qs.shape != (n,) or qw.shape != (n,) or n == 0:
        raise InvalidRequestError("scores, quality_strong and quality_weak must be 1-d of the same length")
    if isinstance(thresholds, int):
        thr = np.quantile(s, np.linspace(0, 1, thresholds))
        thr[-1] = np.nextafter(thr[-1], np.inf)
    else:
        thr = np.asarray(thresholds, dtype=float)
    order = np.argsort(-s, kind="stable")
    s_desc = s[order]
    gain = np.concatenate(([0.0], np.cumsum((qs - qw)[order])))
    # number of prompts with score >= t, for each t (s_desc is descending)
    k = n - np.searchsorted(s_desc[::-1], thr, side="left")
    out = {"threshold": thr, "strong_share": k / n, "quality": (qw.sum() + gain[k]) / n}
    if cost_strong is not None and cost_weak is not None:
        cs = np.broadcast_to(np.asarray(cost_strong, dtype=float), (n,))
        cw = np.broadcast_to(np.asarray(cost_weak, dtype=float), (n,))
        cgain = np.concatenate(([0.0], np.cumsum((cs - cw)[order])))
        out["mean_cost"] = (cw.sum() + cgain[k]) / n
    return pd.DataFrame(out)


def default_cost_weights(n: int = 60) -> np.ndarray:
    """0 plus a log grid wide enough to go from 'best quality' to 'cheapest model'."""
    return np.concatenate(([0.0], np.logspace(-4, 3, n - 1)))


def choices_for_weights(pred_quality: np.ndarray, pred_cost: np.ndarray, weights: np.ndarray,
                        cost_scale: float = 1.0) -> np.ndarray:
    """(len(weights), n) model indices: argmax of q - w * c / cost_scale for each weight."""
    w = np.asarray(weights, dtype=float)[:, None, None]
    util = pred_quality[None] - w * (pred_cost[None] / cost_scale)
    out: np.ndarray = util.argmax(axis=2)
    return out


def cost_weight_sweep(pred_quality: np.ndarray, pred_cost: np.ndarray, quality: np.ndarray, cost: np.ndarray,
                      weights: ArrayLike | None = None, cost_scale: float = 1.0) -> pd.DataFrame:
    """Score a multi-model router over cost weights against recorded outcomes.

    Returns one row per weight: cost_weight, quality (mean), mean_cost, total_cost.
    """
    w = default_cost_weights() if weights is None else np.asarray(weights, dtype=float)
    Q, C = np.asarray(quality, dtype=float), np.asarray(cost, dtype=float)
    if pred_quality.shape != Q.shape or pred_cost.shape != Q.shape or C.shape != Q.shape:
        raise InvalidRequestError("predicted and recorded quality / cost must all have the same (n, m) shape")
    ch = choices_for_weights(pred_quality, pred_cost, w, cost_scale)
    rows = np.arange(Q.shape[0])[None, :]
    q, c = Q[rows, ch], C[rows, ch]
    return pd.DataFrame({"cost_weight": w, "quality": q.mean(axis=1), "mean_cost": c.mean(axis=1),
                         "total_cost": c.sum(axis=1)})


def curve_summary(cost: ArrayLike, quality: ArrayLike, ref_cost: float,
                  ref_quality: float, c_min: float, c_max: float,
                  shares: Sequence[float] = (0.95, 1.0)) -> dict[str, float]:
    """AIQ over [c_min, c_max], max quality, and cost (as a fraction of ``ref_cost``) to reach each
    share of ``ref_quality`` on the non-decreasing hull (inf: never)."""
    out = {"AIQ": aiq(cost, quality, c_min, c_max), "max_quality": float(np.max(quality))}
    for s in shares:
        out[f"cost@{round(s * 100)}%"] = cost_to_reach(cost, quality, s * ref_quality) / ref_cost
    return out

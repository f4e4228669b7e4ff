"""The field's routing metrics, as their papers define them.

Per-decision metrics take ``quality`` / ``cost`` matrices (n_prompts x n_models) and a
``choice`` vector of model indices.

RouteLLM (Ong et al., 2024), strong/weak setting, "cost" = share of calls to the strong model:

- ``PGR = (q - q_weak) / (q_strong - q_weak)``;
- ``APGR``: area under the (strong share, quality) curve, normalised the same way:
  ``(AUC - q_weak * w) / ((q_strong - q_weak) * w)`` with ``w`` the width of the share range
  (RouteLLM integrates with the trapezoid rule over its threshold sweep);
- ``CPT(x)``: the smallest strong share whose quality reaches ``q_weak + x (q_strong - q_weak)``,
  interpolated linearly along the curve (RouteLLM uses ``np.interp``, which equals this when the
  curve is monotone; we take the first crossing so a non-monotone curve cannot give nonsense).

RouterBench (Hu et al., 2024):

- the non-decreasing convex hull of a router's (cost, quality) points: the upper concave
  envelope, flat once quality stops rising (mixing two operating points at random achieves any
  point on the segment between them);
- ``AIQ = 1 / (c_max - c_min) * integral_{c_min}^{c_max} hull(c) dc``, the hull extended flat to
  the right of its last point. **Convention left of a curve's cheapest point** (``left=``):
  routerlab scores the hull as 0 there (``left="zero"``, the default: a router that cannot
  operate that cheaply gets no credit for that cost range); RouterBench's own code holds it
  flat at the cheapest point's quality (``left="flat"``). The two differ only for a curve whose
  cheapest point costs more than ``c_min`` (below 1e-4 AIQ on the tables here); pass
  ``left="flat"`` to compare with published RouterBench numbers. Compare routers with the same
  ``c_min`` / ``c_max`` (RouterBench uses the cost range of the single models).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike

from ..errors import InvalidRequestError

__all__ = [
    "accuracy",
    "mean_quality",
    "total_cost",
    "mean_cost",
    "pgr",
    "apgr",
    "cpt",
    "pareto_mask",
    "nondecreasing_hull",
    "upper_hull",
    "hull_value",
    "aiq",
    "cost_to_reach",
    "oracle_choice",
    "bootstrap_ci",
    "wilson_interval",
    "roc_auc",
    "within_group_auc",
]


def _choice(matrix: np.ndarray, choice: np.ndarray | Sequence[int]) -> np.ndarray:
    m = np.asarray(matrix, dtype=float)
    c = np.asarray(choice)
    if m.ndim != 2 or c.shape != (m.shape[0],):
        raise InvalidRequestError(f"choice must have shape ({m.shape[0]},) for a {m.shape} matrix, got {c.shape}")
    if c.size and (c.min() < 0 or c.max() >= m.shape[1]):
        raise InvalidRequestError(f"choice has model indices outside 0..{m.shape[1] - 1}")
    out: np.ndarray = m[np.arange(m.shape[0]), c.astype(int)]
    return out


def mean_quality(quality: np.ndarray, choice: np.ndarray | Sequence[int]) -> float:
    """Mean score of the chosen models (accuracy when scores are 0/1)."""
    return float(_choice(quality, choice).mean())


accuracy = mean_quality


def total_cost(cost: np.ndarray, choice: np.ndarray | Sequence[int]) -> float:
    return float(_choice(cost, choice).sum())


def mean_cost(cost: np.ndarray, choice: np.ndarray | Sequence[int]) -> float:
    return float(_choice(cost, choice).mean())


def pgr(quality: float, q_weak: float, q_strong: float) -> float:
    """Performance gap recovered: 0 at the weak model's quality, 1 at the strong model's."""
    if q_strong == q_weak:
        raise InvalidRequestError("PGR is undefined when the strong and weak models score the same")
    return (quality - q_weak) / (q_strong - q_weak)


def _curve(x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    xa, ya = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if xa.shape != ya.shape or xa.ndim != 1 or xa.size == 0:
        raise InvalidRequestError(f"curve needs two 1-d arrays of equal length, got {xa.shape} and {ya.shape}")
    order = np.lexsort((ya, xa))
    return xa[order], ya[order]


def apgr(strong_share: ArrayLike, quality: ArrayLike,
         q_weak: float, q_strong: float) -> float:
    """Average PGR over a threshold sweep (RouteLLM): trapezoid area, normalised."""
    x, y = _curve(strong_share, quality)
    width = x[-1] - x[0]
    if width <= 0:
        raise InvalidRequestError("APGR needs a sweep spanning more than one strong-call share")
    if q_strong == q_weak:
        raise InvalidRequestError("APGR is undefined when the strong and weak models score the same")
    auc = float(np.trapezoid(y, x))
    return (auc - q_weak * width) / ((q_strong - q_weak) * width)


def _first_crossing(x: np.ndarray, y: np.ndarray, target: float) -> float:
    """Smallest x at which the piecewise-linear curve (sorted by x) reaches ``target``; inf if never."""
    if y[0] >= target:
        return float(x[0])
    for i in range(1, len(x)):
        if y[i] >= target:
            y0, y1 = y[i - 1], y[i]
            if y1 == y0:
                return float(x[i])
            return float(x[i - 1] + (target - y0) / (y1 - y0) * (x[i] - x[i - 1]))
    return float("inf")


def cpt(x_pct: float, strong_share: ArrayLike, quality: ArrayLike,
        q_weak: float, q_strong: float) -> float:
    """Call-performance threshold: strong share needed to recover ``x_pct`` (0-1) of the gap."""
    xs, ys = _curve(strong_share, quality)
    return _first_crossing(xs, ys, q_weak + x_pct * (q_strong - q_weak))


def pareto_mask(cost: ArrayLike, quality: ArrayLike) -> np.ndarray:
    """True for points no other point beats (cost <= and quality >=, one strictly)."""
    c, q = np.asarray(cost, dtype=float), np.asarray(quality, dtype=float)
    le = c[None, :] <= c[:, None]
    ge = q[None, :] >= q[:, None]
    strict = (c[None, :] < c[:, None]) | (q[None, :] > q[:, None])
    dominated: np.ndarray = np.asarray((le & ge & strict).any(axis=1))
    out: np.ndarray = np.logical_not(dominated)
    return out


def nondecreasing_hull(cost: ArrayLike, quality: ArrayLike) -> np.ndarray:
    """Vertices (k, 2) of the non-decreasing upper convex hull of (cost, quality) points, by cost.

    Starts at the cheapest point (the best quality among equally cheap ones) and stops at the
    point of highest quality.
    """
    x, y = _curve(cost, quality)
    # best quality per distinct cost
    pts: list[tuple[float, float]] = []
    for xi, yi in zip(x, y, strict=True):
        if pts and pts[-1][0] == xi:
            pts[-1] = (xi, max(pts[-1][1], yi))
        else:
            pts.append((float(xi), float(yi)))
    hull: list[tuple[float, float]] = []
    for p in pts:
        if hull and p[1] <= hull[-1][1]:
            continue  # costs more, no better: never on a non-decreasing hull
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = hull[-2], hull[-1]
            # drop the middle point if it lies on or below the chord from hull[-2] to p
            if (x2 - x1) * (p[1] - y1) - (y2 - y1) * (p[0] - x1) >= 0:
                hull.pop()
            else:
                break
        hull.append(p)
    return np.array(hull, dtype=float)


def upper_hull(cost: ArrayLike, quality: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """The :func:`nondecreasing_hull` as a line to draw (RouterBench's "zero router" line):
    ``(xs, ys)`` through its vertices, extended flat to the largest cost."""
    c = np.asarray(cost, dtype=float)
    if c.size == 0:
        return np.array([]), np.array([])
    hull = nondecreasing_hull(c, quality)
    xs, ys = hull[:, 0], hull[:, 1]
    top = float(c.max())
    if top > xs[-1]:
        xs, ys = np.append(xs, top), np.append(ys, ys[-1])
    return xs, ys


HULL_LEFT = ("zero", "flat")


def hull_value(hull: np.ndarray, c: float | np.ndarray, left: str = "zero") -> np.ndarray:
    """The hull as a function of cost: linear between vertices, flat after the last; before the
    first, 0 (``left="zero"``, routerlab's convention) or the first vertex's quality
    (``left="flat"``, RouterBench's code). See the module docstring."""
    if left not in HULL_LEFT:
        raise InvalidRequestError(f"left must be 'zero' or 'flat', got {left!r}")
    c = np.asarray(c, dtype=float)
    v = np.interp(c, hull[:, 0], hull[:, 1])
    out: np.ndarray = np.where(c < hull[0, 0], 0.0, v) if left == "zero" else v
    return out


def aiq(cost: ArrayLike, quality: ArrayLike,
        c_min: float | None = None, c_max: float | None = None, left: str = "zero") -> float:
    """RouterBench's Average Improvement in Quality of a router's (cost, quality) points
    (``left``: the convention left of the cheapest point, module docstring)."""
    hull = nondecreasing_hull(cost, quality)
    lo = float(hull[0, 0]) if c_min is None else float(c_min)
    hi = float(np.max(np.asarray(cost, dtype=float))) if c_max is None else float(c_max)
    if hi <= lo:
        raise InvalidRequestError(f"AIQ needs c_max > c_min, got [{lo}, {hi}]")
    # exact integral of a piecewise-linear function: vertices inside the range plus the ends
    xs = np.concatenate(([lo], hull[:, 0][(hull[:, 0] > lo) & (hull[:, 0] < hi)], [hi]))
    if left == "zero" and lo < hull[0, 0] < hi:  # the jump from 0 up to the first vertex
        xs = np.sort(np.concatenate((xs, [np.nextafter(hull[0, 0], -np.inf)])))
    return float(np.trapezoid(hull_value(hull, xs, left), xs) / (hi - lo))


def cost_to_reach(cost: ArrayLike, quality: ArrayLike,
                  target: float) -> float:
    """Least cost at which the non-decreasing hull reaches ``target`` quality (inf if it never does)."""
    hull = nondecreasing_hull(cost, quality)
    return _first_crossing(hull[:, 0], hull[:, 1], target)


def oracle_choice(quality: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Per prompt, the cheapest model with the best score (unknown cost counts as most expensive)."""
    q = np.asarray(quality, dtype=float)
    c = np.nan_to_num(np.asarray(cost, dtype=float), nan=np.inf)
    best = q >= q.max(axis=1, keepdims=True)
    out: np.ndarray = np.where(best, c, np.inf).argmin(axis=1)
    return out


def bootstrap_ci(stat: Callable[[np.ndarray], float], n_items: int, n_boot: int = 1000, alpha: float = 0.05,
                 seed: int = 0) -> tuple[float, float, float]:
    """(estimate, low, high): percentile bootstrap over items.

    ``stat(idx)`` computes the metric on the rows ``idx`` (an index array, with repeats).
    """
    if n_items < 1 or n_boot < 1 or not 0 < alpha < 1:
        raise InvalidRequestError("bootstrap_ci needs n_items >= 1, n_boot >= 1 and 0 < alpha < 1")
    rng = np.random.default_rng(seed)
    point = float(stat(np.arange(n_items)))
    vals = np.array([stat(rng.integers(0, n_items, n_items)) for _ in range(n_boot)], dtype=float)
    lo, hi = np.nanquantile(vals, [alpha / 2, 1 - alpha / 2])
    return point, float(lo), float(hi)


def wilson_interval(successes: ArrayLike, n: ArrayLike, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided Wilson score interval ``(low, high)`` for ``successes / n`` (arrays broadcast;
    fractional successes allowed; ``(0, 1)`` where n is 0). Each end is the one-sided bound
    :func:`routerlab.routers.calibrate.wilson_lower` holds against its target, at
    ``(1 + confidence) / 2``, so a drawn interval and a calibration verdict always agree."""
    from ..routers.calibrate import wilson_lower

    k, m = np.broadcast_arrays(np.asarray(successes, dtype=float), np.asarray(n, dtype=float))
    level = (1 + confidence) / 2
    low, high = np.zeros(k.shape), np.ones(k.shape)
    for idx in zip(*np.nonzero(m > 0), strict=True):
        low[idx] = wilson_lower(k[idx], m[idx], level)  # type: ignore[arg-type]
        high[idx] = 1 - wilson_lower(m[idx] - k[idx], m[idx], level)  # type: ignore[arg-type]
    return low, high


def roc_auc(y_true: ArrayLike, score: ArrayLike) -> float:
    """Area under the ROC curve: the chance a random positive scores above a random negative
    (ties count half), by ranks (Mann-Whitney U). NaN when one class is absent."""
    y = np.asarray(y_true, dtype=bool).ravel()
    s = np.asarray(score, dtype=float).ravel()
    if y.shape != s.shape:
        raise InvalidRequestError(f"y_true and score differ in length: {y.size} vs {s.size}")
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(s.size, dtype=float)
    sorted_s = s[order]
    # average rank of each run of tied scores
    starts = np.flatnonzero(np.r_[True, sorted_s[1:] != sorted_s[:-1]])
    ends = np.r_[starts[1:], s.size]
    for a, b in zip(starts, ends, strict=True):
        ranks[order[a:b]] = (a + b + 1) / 2.0
    u = ranks[y].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))


def within_group_auc(pred_quality: np.ndarray, quality: np.ndarray, groups: ArrayLike) -> np.ndarray:
    """(n_groups, m) AUC of each model's predicted quality against its 0/1 outcome, inside each
    group (e.g. benchmark): how well a router ranks prompts *within* a task, once knowing the
    task is taken away. 0.5 = no per-prompt signal. Rows follow ``np.unique(groups)``."""
    P, Q = np.asarray(pred_quality, dtype=float), np.asarray(quality, dtype=float)
    g = np.asarray(groups)
    if P.shape != Q.shape or g.shape != (Q.shape[0],):
        raise InvalidRequestError("pred_quality and quality must be (n, m) and groups (n,)")
    return np.array([[roc_auc(Q[g == k, j] > 0.5, P[g == k, j]) for j in range(Q.shape[1])]
                     for k in np.unique(g)])

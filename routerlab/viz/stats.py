"""The statistics the figures draw: the single models' upper hull and Wilson intervals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


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


"""Our hull and Wilson interval against scipy's, at the sizes routerlab uses them, in the same run.

    .venv/bin/python benchmarks/bench_stats.py

Why routerlab keeps its own (routerlab.evaluation): the non-decreasing hull is drawn over the
single models of a table (about 10 points) and over a router's sweep (tens to hundreds), and
``scipy.spatial.ConvexHull`` (qhull) costs a fixed setup per call, fails on two points or
collinear points, and still needs the upper non-decreasing part cut out. Wilson intervals are
drawn for tens of candidates, with fractional successes (a mean over trials), which
``scipy.stats.binomtest`` refuses, and it computes a p-value on every call. Ratios are
scipy / ours (above 1: ours is faster). scipy is in the ``ml`` extra, not a core dependency.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from routerlab.evaluation import nondecreasing_hull, wilson_interval


def best_of(fn: Callable[[], object], repeats: int = 20) -> float:
    fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def scipy_nondecreasing_hull(cost: np.ndarray, quality: np.ndarray) -> np.ndarray:
    from scipy.spatial import ConvexHull

    pts = np.column_stack([cost, quality])
    v = pts[ConvexHull(pts).vertices]
    v = v[np.lexsort((-v[:, 1], v[:, 0]))]
    keep = [v[0]]
    for p in v[1:]:
        if p[1] > keep[-1][1]:
            keep.append(p)
    return np.array(keep)


def main() -> None:
    try:
        from scipy.stats import binomtest
    except ImportError:
        print("scipy is not installed (pip install 'routerlab[ml]'): nothing to compare against")
        return
    rng = np.random.default_rng(0)
    for n in (11, 100, 1000):
        cost = rng.random(n)
        quality = np.sqrt(cost) + 0.05 * rng.random(n)
        ours = best_of(lambda: nondecreasing_hull(cost, quality))  # noqa: B023
        theirs = best_of(lambda: scipy_nondecreasing_hull(cost, quality))  # noqa: B023
        same = np.allclose(nondecreasing_hull(cost, quality), scipy_nondecreasing_hull(cost, quality))
        print(f"hull of {n:5d} points: ours {ours * 1e6:8.1f} us, ConvexHull {theirs * 1e6:8.1f} us, "
              f"scipy/ours {theirs / ours:5.2f}, same vertices: {same}")
    k = rng.integers(300, 400, 50)
    m = np.full(50, 400)
    ours = best_of(lambda: wilson_interval(k, m, 0.95))
    theirs = best_of(lambda: [binomtest(int(a), int(b)).proportion_ci(0.95, "wilson") for a, b in zip(k, m, strict=True)],
                     repeats=3)
    print(f"Wilson intervals for 50 candidates: ours {ours * 1e6:.0f} us, binomtest {theirs * 1e6:.0f} us, "
          f"scipy/ours {theirs / ours:.0f}")


if __name__ == "__main__":
    main()

"""Intervals and paired tests on success rates: the statistics the quality evidence reports.

Two-sided intervals come from the one-sided bounds of :mod:`routerlab.routers.calibrate` (the
95% rule's code path), so a bound printed beside a pass rate is the bound calibrate() holds
against its target. Paired comparisons (two models on the same items) use McNemar's exact test
on the discordant items, or a paired bootstrap of the difference: two independent intervals
would ignore that the items are shared.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import InvalidRequestError
from ..routers.calibrate import METHODS, exact_lower
from .metrics import wilson_interval

__all__ = ["proportion_interval", "difference_interval", "mcnemar", "paired_bootstrap"]


def proportion_interval(successes: Any, n: Any, confidence: float = 0.95,
                        method: str = "wilson") -> tuple[np.ndarray, np.ndarray]:
    """(low, high) two-sided interval for ``successes / n`` (arrays broadcast; NaN where n is
    missing or 0: no evidence, not "anything"). ``method``: ``"wilson"``
    (:func:`routerlab.evaluation.metrics.wilson_interval`; fractional successes allowed) or
    ``"exact"`` (Clopper-Pearson, from calibrate's ``exact_lower``)."""
    if method not in METHODS:
        raise InvalidRequestError(f"method must be one of {METHODS}, got {method!r}")
    if not 0.5 <= confidence < 1:
        raise InvalidRequestError(f"confidence must be in [0.5, 1), got {confidence}")
    k, m = np.broadcast_arrays(np.asarray(successes, dtype=float), np.asarray(n, dtype=float))
    ok = np.isfinite(k) & np.isfinite(m) & (m > 0)
    if ((k[ok] < 0) | (k[ok] > m[ok])).any():
        raise InvalidRequestError("successes must be in [0, n] for every entry")
    low, high = np.full(k.shape, np.nan), np.full(k.shape, np.nan)
    if method == "wilson":
        low[ok], high[ok] = wilson_interval(k[ok], m[ok], confidence)
        return low, high
    level = (1 + confidence) / 2  # each side gets half of what the interval leaves out
    for idx in np.ndindex(k.shape):
        if not ok[idx]:
            continue
        ki, mi = int(round(float(k[idx]))), int(m[idx])
        low[idx], high[idx] = exact_lower(ki, mi, level), 1 - exact_lower(mi - ki, mi, level)
    return low, high


def difference_interval(k1: Any, n1: Any, k2: Any, n2: Any, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Interval for p1 - p2 from two independent samples (Newcombe's hybrid of Wilson intervals)."""
    p1 = np.asarray(k1, dtype=float) / np.asarray(n1, dtype=float)
    p2 = np.asarray(k2, dtype=float) / np.asarray(n2, dtype=float)
    l1, u1 = proportion_interval(k1, n1, confidence)
    l2, u2 = proportion_interval(k2, n2, confidence)
    d = p1 - p2
    return d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def mcnemar(a: Any, b: Any) -> dict[str, Any]:
    """McNemar's exact test of 0/1 outcomes on the same items: ``a`` (n,) or (n, m) against ``b``
    (n,). ``only_a`` / ``only_b`` count the discordant items, ``p_value`` is the two-sided exact
    binomial test on them (2 x P(X <= min) for X ~ Bin(discordant, 1/2), capped at 1). Scalars for
    a vector ``a``, arrays (one per column) for a matrix."""
    from scipy.stats import binom

    x, y = np.asarray(a, dtype=bool), np.asarray(b, dtype=bool)
    if y.ndim != 1 or x.shape[0] != y.shape[0] or x.ndim > 2:
        raise InvalidRequestError(f"need outcomes on the same items, got shapes {x.shape} and {y.shape}")
    yy = y if x.ndim == 1 else y[:, None]
    only_a, only_b = (x & ~yy).sum(axis=0), (~x & yy).sum(axis=0)
    p = np.minimum(1.0, 2 * binom.cdf(np.minimum(only_a, only_b), only_a + only_b, 0.5))
    if x.ndim == 1:
        return {"only_a": int(only_a), "only_b": int(only_b), "p_value": float(p)}
    return {"only_a": only_a, "only_b": only_b, "p_value": p}


def paired_bootstrap(stat: Callable[[np.ndarray], np.ndarray], n_items: int, n_boot: int = 2000,
                     seed: int = 0) -> np.ndarray:
    """``stat`` on ``n_boot`` resamples of the items, one resample shared by every model (what
    makes it paired). ``stat`` gets the (n_boot, n_items) resampling weights (how often each item
    was drawn, divided by ``n_items``: a resampled mean of ``x`` is ``weights @ x``) and returns one
    value (or one row) per resample."""
    if n_items <= 0 or n_boot <= 0:
        raise InvalidRequestError(f"need n_items > 0 and n_boot > 0, got {n_items}, {n_boot}")
    counts = np.random.default_rng(seed).multinomial(n_items, np.full(n_items, 1 / n_items), size=n_boot)
    return np.asarray(stat(counts / n_items), dtype=float)

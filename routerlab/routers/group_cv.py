"""How a grouped router weighs its group prior and its embedding: both chosen by inner
cross-validation on the router's own training rows (``group_strength="cv"``,
``residual_weight="cv"``, the defaults).

A router fitted with groups predicts ``q = prior_g + a * r(x)`` (``routerlab.routers.learned``),
``prior_g = (n_g mean_g + s mean) / (n_g + s)``. At fit time ``group_cv`` folds stratified by
group give every training row out-of-fold predictions: its group's prior from the other folds
(for each ``s`` of :data:`STRENGTH_GRID`: no model is fitted) and, with the chosen ``s``, a
residual prediction of a clone of the router trained on the other folds' residuals. Each
candidate then routes those rows with the router's own rule, ``argmax_j q_j - lambda c_j /
cost_scale`` (``c_j``: model j's mean training cost), over :data:`CV_COST_WEIGHTS`, and is scored by its realized utility (the chosen
model's recorded quality minus lambda times its recorded cost, averaged over the weights).

The first candidate of the grid within two standard errors of the best wins (paired over rows):
``s = 0`` (each group's own mean: the task-identity router's quality) unless shrinking small
groups toward the overall mean routes measurably better, and ``a = 0`` (the prior alone)
unless the embedding's residual does. With few rows or no signal within the groups the router
predicts quality exactly as the task-identity router does (its cost model still reads the
embedding: predicted cost per prompt); a larger ``a`` needs evidence. Without recorded costs,
each model's mean training quality stands in as its price (the stronger model is the pricier
one, RouteLLM's strong / weak setting).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["STRENGTH_GRID", "RESIDUAL_GRID", "CV_COST_WEIGHTS", "group_folds", "oof_priors", "oof_residual",
           "routed_utility", "one_se_choice", "least_squares_weight", "prices"]

STRENGTH_GRID = (0.0, 2.0, 5.0, 20.0, 80.0)
RESIDUAL_GRID = (0.0, 0.125, 0.25, 0.5, 1.0)
# how many paired standard errors a candidate may trail the best and still be preferred for
# being simpler: 1 (the usual rule) moved RouteLLM MT-Bench's 57-row training folds away from
# task identity and cost 0.011 APGR on average over 3 fold seeds; 2 kept them there
SE_RULE = 2.0
# cost weights in units of one call of the priciest model: 0 (best quality) to 1 (one quality
# point per such call, beyond which a 0/1 outcome never pays for it)
CV_COST_WEIGHTS = np.concatenate(([0.0], np.geomspace(0.01, 1.0, 12)))


def group_folds(keys: np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    """Fold index per row, every group dealt across the folds in turn (rows shuffled first)."""
    perm = np.random.default_rng(seed).permutation(len(keys))
    order = perm[np.argsort(keys[perm], kind="stable")]
    folds = np.empty(len(keys), dtype=int)
    folds[order] = np.arange(len(keys)) % k
    return folds


def _priors_for(Q: np.ndarray, keys: np.ndarray, rows: np.ndarray, s: float) -> dict[str, np.ndarray]:
    from .learned import group_priors

    return group_priors(Q[rows], keys[rows], s)[0]


def oof_priors(Q: np.ndarray, keys: np.ndarray, folds: np.ndarray, strengths: tuple[float, ...]
               ) -> np.ndarray:
    """(len(strengths), n, m) out-of-fold group priors (the overall mean for a group the other
    folds never saw)."""
    out = np.zeros((len(strengths), *Q.shape))
    for f in np.unique(folds):
        tr, te = folds != f, folds == f
        overall = Q[tr].mean(axis=0)
        for i, s in enumerate(strengths):
            priors = _priors_for(Q, keys, tr, s)
            out[i, te] = np.stack([priors.get(str(g), overall) for g in keys[te]])
    return out


def oof_residual(router: Any, X: np.ndarray, Q: np.ndarray, keys: np.ndarray, folds: np.ndarray, s: float
                 ) -> np.ndarray:
    """(n, m) out-of-fold residual predictions of clones of ``router`` (fitted on the other folds'
    outcomes minus their group prior with strength ``s``)."""
    from ._params import clone

    res = np.zeros_like(Q)
    for f in np.unique(folds):
        tr, te = folds != f, folds == f
        priors = _priors_for(Q, keys, tr, s)
        p_tr = np.stack([priors[str(g)] for g in keys[tr]])
        fold_router = clone(router)
        fold_router.models_ = router.models_
        fold_router._fit_quality(X[tr], (Q[tr] - p_tr + 1.0) / 2.0)
        res[te] = 2.0 * np.clip(fold_router._predict_quality(X[te]), 0.0, 1.0) - 1.0
    return res


def prices(Q: np.ndarray, cost: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Per-model price (m,) the CV routes with and per-row cost (n, m) it charges, both divided by
    the priciest model's price; each model's mean quality when there are no usable costs."""
    C = None if cost is None else np.asarray(cost, dtype=float)
    if C is None or not np.isfinite(C).all() or np.ptp(C.mean(axis=0)) <= 0:
        C = np.broadcast_to(Q.mean(axis=0), Q.shape)
    price = C.mean(axis=0)
    scale = float(price.max()) if price.max() > 0 else 1.0
    return price / scale, C / scale


def routed_utility(q: np.ndarray, Q: np.ndarray, price: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Per row: recorded quality minus lambda x recorded cost of the model ``argmax q - lambda
    price`` picks, averaged over :data:`CV_COST_WEIGHTS`."""
    rows = np.arange(len(q))
    out = np.zeros(len(q))
    for lam in CV_COST_WEIGHTS:
        ch = (q - lam * price[None, :]).argmax(axis=1)
        out += Q[rows, ch] - lam * cost[rows, ch]
    out /= len(CV_COST_WEIGHTS)
    return out


def one_se_choice(u: np.ndarray, z: float | None = None) -> tuple[int, np.ndarray]:
    """Index of the first row of ``u`` (candidates x items) whose mean is within ``z`` paired
    standard errors (:data:`SE_RULE`) of the best row's, and every row's mean."""
    z = SE_RULE if z is None else z
    means = u.mean(axis=1)
    best = int(means.argmax())
    for i in range(len(u)):
        d = u[best] - u[i]
        se = float(d.std(ddof=1) / np.sqrt(len(d))) if len(d) > 1 else 0.0
        if d.mean() <= z * se:
            return i, means
    return best, means  # not reached: the best is within 0 of itself


def least_squares_weight(res: np.ndarray, y: np.ndarray) -> float:
    """The slope through 0 of true residuals ``y`` on predicted ones, over all models, in [0, 1]."""
    den = float((res * res).sum())
    slope = float((res * y).sum()) / den if den > 0 else 0.0
    return min(max(slope, 0.0), 1.0)

"""Step 0 of a learned cascade: from the prompt alone, go straight to one model or start the cascade.

The unified form of routing and cascading (Dekoninck et al., 2024) lets the first decision be
made before any model has answered. :class:`EntryModel` estimates, from prompt-only features
(benchmark-free prompt features, a projection of the embedding, the prompt's group when known):

- each model's quality when called alone (``q_j``), and
- the quality and cost the cascade would reach at each cost weight ``w`` of a fixed grid
  (``Q_w``, ``C_w``), learned from the cascade's out-of-fold replay on the training rows,

and at weight ``w`` goes direct to ``argmax_j q_j - w * c_j`` unless the cascade's
``Q_w - w * C_w`` is larger. Every estimate is one ridge regression with an unpenalised
intercept, all targets solved together (one linear solve), so choosing for every cost weight of
a sweep is two matrix products. Weights between grid points interpolate the coefficients
linearly in log weight.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import InvalidRequestError

__all__ = ["EntryModel", "group_onehot"]


def group_onehot(groups: Sequence[object] | np.ndarray | None, vocabulary: Sequence[object]) -> np.ndarray:
    """(n, len(vocabulary)) indicator of each prompt's group; an unseen group is all zeros (prior only)."""
    if groups is None:
        raise InvalidRequestError("this policy was fitted with groups=: pass each prompt's group")
    g = np.asarray(groups, dtype=object).reshape(-1)
    return (g[:, None] == np.asarray(list(vocabulary), dtype=object)[None, :]).astype(float)


def _grid_position(weights: np.ndarray, grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each weight, the grid index below it and the interpolation share towards the next."""
    lw = np.log10(np.maximum(weights, 1e-12))
    lg = np.log10(np.maximum(grid, 1e-12))
    pos = np.interp(lw, lg, np.arange(len(grid), dtype=float))
    lo = np.minimum(np.floor(pos).astype(int), len(grid) - 2)
    return lo, pos - lo


class EntryModel:
    """Fitted by :meth:`fit`; :meth:`choose` gives -1 (start the cascade) or the column to call alone."""

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha

    def fit(self, F: np.ndarray, quality: np.ndarray, cascade_quality: np.ndarray, cascade_cost: np.ndarray,
            grid: np.ndarray) -> EntryModel:
        """``F`` (n, d) prompt-only features, ``quality`` (n, m), ``cascade_quality`` /
        ``cascade_cost`` (n, G): the cascade's out-of-fold outcome at each weight of ``grid``
        (cost in the policy's cost units)."""
        n, m = quality.shape
        G = len(grid)
        if cascade_quality.shape != (n, G) or cascade_cost.shape != (n, G) or len(F) != n:
            raise InvalidRequestError("entry model: quality (n, m), cascade outcomes (n, G), features n rows")
        Z = np.column_stack([F, np.ones(n)])
        reg = np.full(Z.shape[1], self.alpha)
        reg[-1] = 1e-8
        Y = np.concatenate([quality, cascade_quality, cascade_cost], axis=1)
        B = np.linalg.solve(Z.T @ Z + np.diag(reg), Z.T @ Y)
        self.direct_ = B[:, :m]
        self.cascade_q_ = B[:, m:m + G]
        self.cascade_c_ = B[:, m + G:]
        self.grid_ = np.asarray(grid, dtype=float)
        return self

    def choose(self, F: np.ndarray, model_cost: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """(W, n) int: -1 where the cascade is worth more than every single model at that weight,
        else the column of the model to call alone. ``model_cost`` (n, m) predicted, in cost units."""
        Z = np.column_stack([F, np.ones(len(F))])
        w = np.asarray(weights, dtype=float)
        direct = (Z @ self.direct_)[None] - w[:, None, None] * model_cost[None]  # (W, n, m)
        lo, t = _grid_position(w, self.grid_)
        Qg, Cg = Z @ self.cascade_q_, Z @ self.cascade_c_  # (n, G)
        cq = Qg[:, lo] * (1 - t) + Qg[:, lo + 1] * t  # (n, W)
        cc = Cg[:, lo] * (1 - t) + Cg[:, lo + 1] * t
        cascade = (cq - w[None, :] * cc).T  # (W, n)
        best = direct.argmax(axis=2)
        out: np.ndarray = np.where(cascade >= direct.max(axis=2), -1, best)
        return out

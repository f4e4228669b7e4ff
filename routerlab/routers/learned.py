"""Routers learned from outcome tables: predict each model's quality (and cost) from a prompt
embedding, then choose.

Two decision rules, both vectorised in :meth:`LearnedRouter.route_arrays`:

- ``cost_weight`` (lambda): pick ``argmax_j  q_j - lambda * c_j / cost_scale_`` where
  ``cost_scale_`` is the mean cost of the most expensive model in training, so lambda is
  "quality points given up per one most-expensive-model call": 0 = best predicted quality.
- ``quality_target``: the cheapest model predicted to reach the target (else the best).

Constraints narrow the eligible models first: ``budget_usd`` drops models whose predicted cost
exceeds it, ``latency_target_s`` those whose predicted latency (``latencies`` param) does. When
nothing is eligible the cheapest (or fastest) model is taken and the Decision's reason says so.

Group features (``group_by``): what is known about a call besides its text (the benchmark or
subject of a prompt, an agent step's kind, its tool, the workflow) enters as a per-group prior.
Fitted with ``groups`` (one label per row; several columns are combined into one key), the
router predicts ``q = prior_g + r(x)``: the group's mean outcome, shrunk toward the overall mean
when the group has few rows (empirical Bayes: ``prior_g = (n_g mean_g + s mean) / (n_g + s)``,
``s = group_strength``), plus the embedding model's prediction of the prompt's *residual*
(its outcome minus its group's prior; the model is trained on those residuals), times a
weight ``a``. By default both ``s`` and ``a`` are chosen at fit time by inner cross-validation
on the training rows (``"cv"``, ``routerlab.routers.group_cv``): the first of a small grid
(``s`` in 0, 2, 5, 20, 80; ``a`` in 0, 0.125, 0.25, 0.5, 1) within two standard errors of the
best routed utility, so ``s = 0, a = 0`` (the task-identity router's quality) unless the data
show that shrinking or the embedding routes better. ``residual_weight="auto"`` fits ``a`` by
least squares instead (``a = <r, y> / <r, r>`` over all models, clipped to [0, 1]: right for
predicting quality, too large for choosing among models); numbers fix them.
Where the embedding carries no signal within the groups ``a`` goes to 0 and the router is the
task-identity router; where it does, it adds what it reliably predicts. A group never seen in
training gets the overall mean. Without groups the router is the embedding model alone.

scikit-learn conventions (``sklearn/neighbors/_classification.py`` is the model): the first
parameter may be positional, the rest are keyword-only (passing them by position still works
for one release, with a FutureWarning); ``fit`` returns self; learned state ends in ``_``;
``get_params`` / ``set_params`` / ``clone`` (``routerlab.routers._params``); predicting before
``fit`` raises RoutingError.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InvalidRequestError, RoutingError
from ..types import Alternative, Decision, Request
from ._params import ParamsMixin
from .base import EmbeddingRouterMixin, RouteConstraints, Router

if TYPE_CHECKING:
    from ..datasets.table import OutcomeTable
    from ..embeddings import Embedder

__all__ = ["LearnedRouter", "choose", "group_keys", "group_priors"]

GroupsLike = Any  # 1-d labels, a (n, g) array / DataFrame of several columns, or None


def group_keys(groups: GroupsLike, n: int) -> np.ndarray | None:
    """One string key per row from one or several categorical columns (None: no groups)."""
    if groups is None:
        return None
    if hasattr(groups, "to_numpy"):
        groups = groups.to_numpy()
    g = np.asarray(groups, dtype=object)
    if g.ndim == 1:
        keys = np.array([str(v) for v in g], dtype=object)
    elif g.ndim == 2:
        keys = np.array(["|".join(map(str, row)) for row in g], dtype=object)
    else:
        raise InvalidRequestError(f"groups must be one label per row or (n, columns); got shape {g.shape}")
    if keys.shape[0] != n:
        raise InvalidRequestError(f"groups has {keys.shape[0]} rows, X has {n}")
    return keys


def choose(q: np.ndarray, c: np.ndarray, cost_weight: float = 0.0, quality_target: float | None = None,
           eligible: np.ndarray | None = None, cost_scale: float = 1.0) -> np.ndarray:
    """Model index per row from predicted quality ``q`` and cost ``c`` (both (n, m))."""
    big = np.inf
    cc = np.nan_to_num(c, nan=0.0)
    if quality_target is not None:
        ok = q >= quality_target
        if eligible is not None:
            ok &= eligible
        cheapest_ok = np.where(ok, cc, big).argmin(axis=1)
        fallback = np.where(eligible, q, -big).argmax(axis=1) if eligible is not None else q.argmax(axis=1)
        out: np.ndarray = np.where(ok.any(axis=1), cheapest_ok, fallback)
        return out
    util = q - cost_weight * cc / cost_scale
    if eligible is not None:
        util = np.where(eligible, util, -big)
    out = util.argmax(axis=1)
    return out


def group_priors(Q: np.ndarray, keys: np.ndarray, strength: float) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """Per group of the training rows: its mean outcome shrunk toward the overall mean,
    ``(n_g mean_g + strength mean) / (n_g + strength)``, and its size."""
    overall = Q.mean(axis=0)
    priors: dict[str, np.ndarray] = {}
    sizes: dict[str, int] = {}
    for g in np.unique(keys):
        rows = keys == g
        n = int(rows.sum())
        priors[str(g)] = (Q[rows].sum(axis=0) + strength * overall) / (n + strength)
        sizes[str(g)] = n
    return priors, sizes


class LearnedRouter(ParamsMixin, EmbeddingRouterMixin, Router):
    """Base of the embedding routers. Subclasses implement ``_fit_quality`` / ``_predict_quality``.

    Parameters
    ----------
    cost_weight : float, default=0.0
        Quality points given up per one most-expensive-model call (0: best predicted quality).
    quality_target : float or None, default=None
        If set, route to the cheapest model predicted to reach it (else the best).
    embedder : Embedder or None, default=None
        Embeds request texts when routing (``routerlab.embeddings.default_embedder()`` if None).
    model_costs : mapping of model -> USD or None, default=None
        Fixed per-call prices; they win over the table's costs.
    latencies : mapping of model -> seconds or None, default=None
        Predicted latency per model, for ``RouteConstraints.latency_target_s``.
    tier : str or None, default=None
        Tier name written into each Decision.
    group_by : str, sequence of str or None, default=None
        What groups a request when routing: ``"kind"`` (``Request.kind``) or a ``Request.metadata``
        key, one or several (combined). ``fit_table`` reads the same names as columns of the
        table's prompts frame.
    group_strength : float or "cv", default="cv"
        Empirical-Bayes pseudo-count: the prior of a group of ``n`` rows is its mean outcome
        weighted ``n / (n + group_strength)`` against the overall mean. ``"cv"``: chosen by inner
        CV from 0, 2, 5, 20, 80 (module docstring); 20 when there are too few rows to fold.
    group_cv : int, default=3
        Folds of the inner CV behind ``"cv"`` and ``"auto"`` (stratified by group; each fold
        fits a clone on the other folds, so a fit with groups costs about ``group_cv`` plain
        fits); below 2 no CV (``"cv"`` falls back to strength 20 and weight 0.125, ``"auto"`` to weight 1).
    residual_weight : float in [0, 1], "cv" or "auto", default="cv"
        The weight ``a`` of the embedding's residual: chosen by inner CV from 0, 0.125, 0.25,
        0.5, 1 (``"cv"``), fitted by least squares on out-of-fold predictions (``"auto"``), or
        fixed.

    Attributes
    ----------
    models_ : list of str
        Model names, in the order of the quality columns.
    n_features_in_ : int
        Embedding width seen in ``fit``.
    embedding_model_ : str or None
        Id of the embedder ``fit_table`` used (None when ``X`` was given).
    mean_cost_, cost_floor_, cost_coef_, cost_scale_ : ndarray, ndarray, ndarray or None, float
        The cost model: per-model mean, floor, ridge coefficients on the embedding, and the
        most expensive model's mean cost (the unit of ``cost_weight``).
    group_priors_ : dict of str -> ndarray or None
        Per group: the shrunk mean outcome of each model (None: fitted without groups).
    global_prior_ : ndarray or None
        The overall mean outcome, the prior of a group never seen.
    residual_weight_ : ndarray or None
        The weight ``a`` of the embedding's residual prediction (one value, repeated per model).
    group_strength_ : float or None
        The strength ``s`` the group priors were computed with.
    group_cv_scores_ : dict or None
        With ``"cv"``: per searched parameter (``"group_strength"``, ``"residual_weight"``), the
        mean routed utility of each grid value on the inner folds (None: nothing searched).
    group_sizes_ : dict of str -> int or None
        Training rows per group.
    """

    name = "learned"

    def __init__(self, *, cost_weight: float = 0.0, quality_target: float | None = None,
                 embedder: Embedder | None = None, model_costs: Mapping[str, float] | None = None,
                 latencies: Mapping[str, float] | None = None, tier: str | None = None,
                 group_by: str | Sequence[str] | None = None, group_strength: float | str = "cv",
                 group_cv: int = 3, residual_weight: float | str = "cv") -> None:
        self.cost_weight = cost_weight
        self.quality_target = quality_target
        self.embedder = embedder
        self.model_costs = model_costs
        self.latencies = latencies
        self.tier = tier
        self.group_by = group_by
        self.group_strength = group_strength
        self.group_cv = group_cv
        self.residual_weight = residual_weight

    def _base_params(self) -> dict[str, Any]:
        """The shared parameters, to forward by keyword from a subclass's ``__init__``."""
        return {n: getattr(self, n) for n in ("cost_weight", "quality_target", "embedder", "model_costs",
                                              "latencies", "tier", "group_by", "group_strength", "group_cv",
                                              "residual_weight")}

    # ---- fitting -------------------------------------------------------------------------------
    @abstractmethod
    def _fit_quality(self, X: np.ndarray, Q: np.ndarray) -> None: ...

    @abstractmethod
    def _predict_quality(self, X: np.ndarray) -> np.ndarray: ...

    def fit(self, X: np.ndarray, quality: np.ndarray, cost: np.ndarray | None = None,
            models: Sequence[str] | None = None, groups: GroupsLike = None) -> LearnedRouter:
        """Learn from embeddings ``X`` (n, d) and outcomes ``quality`` / ``cost`` (n, m);
        ``groups``: one label per row (or several columns), the per-group prior (module doc)."""
        try:
            X = np.asarray(X, dtype=np.float32)
            Q = np.asarray(quality, dtype=float)
        except (TypeError, ValueError) as exc:
            raise InvalidRequestError(f"fit needs numbers: X (n, d) embeddings and quality (n, m) scores ({exc}); "
                                      "embed texts first (routerlab.embeddings)") from None
        if X.ndim != 2 or Q.ndim != 2 or X.shape[0] != Q.shape[0] or X.shape[0] < 2:
            raise InvalidRequestError(f"fit needs X (n, d) and quality (n, m) with n >= 2; got {X.shape}, {Q.shape}")
        if np.isnan(Q).any():
            raise InvalidRequestError("quality has NaN: drop prompts with missing outcomes first")
        if not np.isfinite(X).all():
            rows = np.flatnonzero(~np.isfinite(X).all(axis=1))
            raise InvalidRequestError(f"X has NaN or inf in {len(rows)} rows (first {rows[:5].tolist()}): "
                                      "re-embed or drop those prompts")
        self._check_params()
        m = Q.shape[1]
        self.models_ = list(models) if models is not None else [f"model_{j}" for j in range(m)]
        if len(self.models_) != m:
            raise InvalidRequestError(f"{len(self.models_)} model names for {m} quality columns")
        keys = group_keys(groups, X.shape[0])
        self._check_group_params()
        self._fit_cost(X, cost, m)
        self.group_priors_: dict[str, np.ndarray] | None = None
        self.global_prior_: np.ndarray | None = None
        self.group_sizes_: dict[str, int] | None = None
        self.residual_weight_: np.ndarray | None = None
        self.group_strength_: float | None = None
        self.group_cv_scores_: dict[str, dict[float, float]] | None = None
        if keys is not None:
            self._fit_group_prior(X, Q, cost, keys)
            # the embedding learns what the group does not say: residuals, mapped into [0, 1]
            Q = (Q - self._prior_rows(keys) + 1.0) / 2.0
        self._fit_quality(X, Q)
        self.n_features_in_ = X.shape[1]
        self.embedding_model_: str | None = None  # unknown: X came from the caller (fit_table sets it)
        return self

    def _check_params(self) -> None:
        """Settings a typo would turn into silent nonsense (a NaN weight routes every prompt alike)."""
        cw = self.cost_weight
        if isinstance(cw, bool) or not isinstance(cw, (int, float)) or not np.isfinite(cw) or cw < 0:
            raise InvalidRequestError(f"cost_weight must be a finite number >= 0, got {cw!r}")
        C = getattr(self, "C", None)
        if C is not None and (isinstance(C, bool) or not isinstance(C, (int, float)) or not np.isfinite(C) or C <= 0):
            raise InvalidRequestError(f"C (inverse regularisation) must be a finite number > 0, got {C!r}")

    def _check_group_params(self) -> None:
        rw, gs = self.residual_weight, self.group_strength
        if not (rw in ("auto", "cv") or (isinstance(rw, (int, float)) and 0 <= rw <= 1)):
            raise InvalidRequestError(f"residual_weight must be a number in [0, 1], 'cv' or 'auto'; got {rw!r}")
        if not (gs == "cv" or (isinstance(gs, (int, float)) and gs >= 0)):
            raise InvalidRequestError(f"group_strength must be a number >= 0 or 'cv', got {gs!r}")

    def _fit_group_prior(self, X: np.ndarray, Q: np.ndarray, cost: np.ndarray | None, keys: np.ndarray) -> None:
        """The group prior's strength and the residual's weight: given, or chosen on
        ``group_cv``-fold out-of-fold predictions (``routerlab.routers.group_cv``); without
        enough rows to fold, "cv" falls back to strength 20 and weight 0.125, "auto" to weight 1."""
        from . import group_cv as gcv

        m, k = Q.shape[1], int(self.group_cv)
        can_fold = k >= 2 and X.shape[0] >= 2 * k
        s: float = 20.0 if self.group_strength == "cv" else float(self.group_strength)
        a: float | None = None if self.residual_weight in ("auto", "cv") else float(self.residual_weight)
        if not can_fold:
            a = (1.0 if self.residual_weight == "auto" else 0.125) if a is None else a
        else:
            folds = gcv.group_folds(keys, k)
            price, C = gcv.prices(Q, cost)
            scores: dict[str, dict[float, float]] = {}
            if self.group_strength == "cv":
                priors = gcv.oof_priors(Q, keys, folds, gcv.STRENGTH_GRID)
                i, means = gcv.one_se_choice(np.stack([gcv.routed_utility(p, Q, price, C) for p in priors]))
                s = gcv.STRENGTH_GRID[i]
                scores["group_strength"] = dict(zip(gcv.STRENGTH_GRID, means.tolist(), strict=True))
            if a is None:
                prior = gcv.oof_priors(Q, keys, folds, (s,))[0]
                res = gcv.oof_residual(self, X, Q, keys, folds, s)
                if self.residual_weight == "auto":
                    a = gcv.least_squares_weight(res, Q - prior)
                else:
                    u = np.stack([gcv.routed_utility(np.clip(prior + w * res, 0.0, 1.0), Q, price, C)
                                  for w in gcv.RESIDUAL_GRID])
                    i, means = gcv.one_se_choice(u)
                    a = gcv.RESIDUAL_GRID[i]
                    scores["residual_weight"] = dict(zip(gcv.RESIDUAL_GRID, means.tolist(), strict=True))
            self.group_cv_scores_ = scores or None
        self.group_strength_ = s
        self.group_priors_, self.group_sizes_ = group_priors(Q, keys, s)
        self.global_prior_ = Q.mean(axis=0)
        self.residual_weight_ = np.full(m, a)

    def _prior_rows(self, keys: np.ndarray | None) -> np.ndarray:
        """The prior of each row's group (the overall mean for unseen groups or no keys)."""
        assert self.group_priors_ is not None and self.global_prior_ is not None
        if keys is None:
            return self.global_prior_[None, :]
        return np.stack([self.group_priors_.get(str(k), self.global_prior_) for k in keys])

    def _group_columns(self) -> list[str]:
        if self.group_by is None:
            return []
        return [self.group_by] if isinstance(self.group_by, str) else list(self.group_by)

    def fit_table(self, table: OutcomeTable, X: np.ndarray | None = None) -> LearnedRouter:
        """Fit on an OutcomeTable, embedding its ``texts`` unless ``X`` is given; with
        ``group_by``, those columns of ``table.prompts`` are the groups."""
        X, embedding_model = self._embed_table(table, X)
        cols = self._group_columns()
        missing = [c for c in cols if c not in table.prompts.columns]
        if missing:
            raise InvalidRequestError(f"group_by names {missing}, not columns of the table's prompts "
                                      f"{list(table.prompts.columns)}")
        groups = table.prompts[cols] if cols else None
        self.fit(X, table.quality, table.cost, table.models, groups=groups)
        self.embedding_model_ = embedding_model
        return self

    def _fit_cost(self, X: np.ndarray, cost: np.ndarray | None, m: int) -> None:
        given = self.model_costs or {}
        const = np.array([given.get(name, np.nan) for name in self.models_], dtype=float)
        C = None if cost is None else np.asarray(cost, dtype=float)
        self.cost_coef_: np.ndarray | None = None
        if C is not None and C.shape != (X.shape[0], m):
            raise InvalidRequestError(f"cost has shape {C.shape}, expected {(X.shape[0], m)}")
        if C is not None and np.isfinite(C).all():
            # Per-prompt cost varies with length and task; a ridge fit on the embedding tracks it.
            self.mean_cost_ = C.mean(axis=0)
            Xb = np.hstack([X, np.ones((X.shape[0], 1), dtype=np.float32)]).astype(float)
            A = Xb.T @ Xb + 1.0 * np.eye(Xb.shape[1])
            self.cost_coef_ = np.asarray(np.linalg.solve(A, Xb.T @ C))
            self.cost_floor_ = np.maximum(C.min(axis=0), 0.0)
        else:
            self.mean_cost_ = np.where(np.isnan(const), 0.0, const)
            self.cost_floor_ = self.mean_cost_
        if not np.isnan(const).all():  # explicit prices win over what the table says
            self.mean_cost_ = np.where(np.isnan(const), self.mean_cost_, const)
            self.cost_coef_ = None
            self.cost_floor_ = self.mean_cost_
        scale = float(np.max(self.mean_cost_)) if self.mean_cost_.size else 0.0
        self.cost_scale_ = scale if scale > 0 else 1.0

    # ---- predicting ----------------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "models_"):
            raise RoutingError(f"{type(self).__name__} is not fitted: call fit(X, quality, cost) or fit_table(table)")

    def _check_X(self, X: np.ndarray) -> np.ndarray:
        self._check_fitted()
        X = np.asarray(X, dtype=np.float32)
        if X.ndim == 1:
            X = X[None, :]
        if X.shape[1] != self.n_features_in_:
            raise InvalidRequestError(f"X has {X.shape[1]} features, the router was fitted on {self.n_features_in_}")
        return X

    def predict_quality(self, X: np.ndarray, groups: GroupsLike = None) -> np.ndarray:
        """Predicted quality (n, m) of each model on each prompt (with each row's group prior
        when the router was fitted with groups and ``groups`` is given)."""
        X = self._check_X(X)
        raw = self._predict_quality(X)
        if getattr(self, "group_priors_", None) is None:
            return np.clip(raw, 0.0, 1.0)
        residual = (2.0 * np.clip(raw, 0.0, 1.0) - 1.0) * self.residual_weight_
        return np.clip(self._prior_rows(group_keys(groups, X.shape[0])) + residual, 0.0, 1.0)

    def predict_cost(self, X: np.ndarray) -> np.ndarray:
        """Predicted USD (n, m) of each model on each prompt (constant per model without cost data)."""
        X = self._check_X(X)
        if self.cost_coef_ is None:
            return np.broadcast_to(self.mean_cost_, (X.shape[0], len(self.models_))).copy()
        Xb = np.hstack([X, np.ones((X.shape[0], 1), dtype=np.float32)]).astype(float)
        out: np.ndarray = np.maximum(Xb @ self.cost_coef_, self.cost_floor_)
        return out

    def _eligible(self, c: np.ndarray, budget_usd: float | None, latency_target_s: float | None) -> np.ndarray | None:
        if budget_usd is None and latency_target_s is None:
            return None
        ok = np.ones_like(c, dtype=bool)
        if budget_usd is not None:
            ok &= c <= budget_usd
            none = ~ok.any(axis=1)  # nothing fits: the cheapest model is the least bad
            ok[none, c[none].argmin(axis=1)] = True
        if latency_target_s is not None and self.latencies:
            lat = np.array([self.latencies.get(mm, 0.0) for mm in self.models_], dtype=float)
            fast = lat <= latency_target_s
            if not fast.any():
                fast = lat == lat.min()
            both = ok & fast[None, :]
            ok = np.where(both.any(axis=1, keepdims=True), both, ok)
        return ok

    def route_arrays(self, X: np.ndarray, cost_weight: float | None = None, quality_target: float | None = None,
                     budget_usd: float | None = None, latency_target_s: float | None = None,
                     groups: GroupsLike = None) -> np.ndarray:
        """Model index per prompt for embeddings ``X`` (the fast path for sweeps)."""
        q = self.predict_quality(X, groups)
        c = self.predict_cost(X)
        lam = self.cost_weight if cost_weight is None else cost_weight
        target = self.quality_target if quality_target is None and cost_weight is None else quality_target
        return choose(q, c, lam, target, self._eligible(c, budget_usd, latency_target_s), self.cost_scale_)

    # ---- Router interface ----------------------------------------------------------------------
    def route(self, request: Request, constraints: RouteConstraints | None = None) -> Decision:
        return self.route_batch([request], constraints)[0]

    def route_batch(self, requests: Sequence[Request], constraints: RouteConstraints | None = None) -> list[Decision]:
        self._check_fitted()
        if not requests:
            return []
        return self.decide(self._embed_requests(requests), constraints, self._request_groups(requests))

    def _request_groups(self, requests: Sequence[Request]) -> np.ndarray | None:
        """Each request's group key from ``group_by`` (``kind`` or metadata keys)."""
        cols = self._group_columns()
        if not cols:
            return None
        rows = [[r.kind if c == "kind" else (r.metadata or {}).get(c) for c in cols] for r in requests]
        return group_keys(np.array(rows, dtype=object), len(requests))

    def decide(self, X: np.ndarray, constraints: RouteConstraints | None = None,
               groups: GroupsLike = None) -> list[Decision]:
        """Decisions (with alternatives, predicted cost and quality) for embedded prompts."""
        q, c = self.predict_quality(X, groups), self.predict_cost(X)
        budget = constraints.budget_usd if constraints else None
        lat_target = constraints.latency_target_s if constraints else None
        eligible = self._eligible(c, budget, lat_target)
        idx = choose(q, c, self.cost_weight, self.quality_target, eligible, self.cost_scale_)
        util = q - self.cost_weight * c / self.cost_scale_
        out = []
        for i, j in enumerate(idx):
            alts = tuple(
                Alternative(model=self.models_[k], tier=self.tier, predicted_cost=float(c[i, k]),
                            predicted_quality=float(q[i, k]),
                            predicted_latency_s=(self.latencies or {}).get(self.models_[k]))
                for k in np.argsort(-util[i]) if k != j
            )
            out.append(Decision(
                model=self.models_[j], tier=self.tier, score=float(q[i, j] if self.quality_target is not None
                                                                   else util[i, j]),
                threshold=self.quality_target, reason=self._reason(i, j, q, c, eligible),
                alternatives=alts, router=self.name,
            ))
        return out

    def _reason(self, i: int, j: int, q: np.ndarray, c: np.ndarray, eligible: np.ndarray | None) -> str:
        rule = (f"cheapest predicted to reach quality {self.quality_target:g}" if self.quality_target is not None
                else f"best predicted quality - {self.cost_weight:g} x cost")
        why = f"{rule}: q={q[i, j]:.2f}, cost=${c[i, j]:.2g}"
        if eligible is not None:
            n_out = int((~eligible[i]).sum())
            if n_out:
                why += f"; {n_out} model(s) excluded by budget/latency constraints"
        return why

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items() if k not in ("embedder",))
        return f"{type(self).__name__}({params})"

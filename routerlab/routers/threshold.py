"""Strong/weak threshold routing in RouteLLM's setting: ``score = P(strong wins)``; send the
request to the strong model when ``score >= threshold``, so a threshold sweep traces the
cost-quality curve.

``target`` picks what is learned from the outcome table:

- ``"win"``: P(strong scores higher than weak), logistic regression (RouteLLM's label);
- ``"gain"``: the expected quality gain ``q_strong - q_weak`` by ridge regression, mapped to
  [0, 1] as ``(1 + gain) / 2`` (prompts where only the weak model succeeds count against);
- ``"predictor"``: a fitted-with-us :class:`LearnedRouter` (kNN, MF, ensemble...) predicts both
  models' quality and the score is ``(1 + q_s - q_w) / 2``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InvalidRequestError, RoutingError
from ..types import Alternative, Decision, Request
from ._checks import check_unit_threshold
from ._params import ParamsMixin, clone, keyword_only_after
from .base import EmbeddingRouterMixin, RouteConstraints, Router
from .learned import LearnedRouter

if TYPE_CHECKING:
    from ..datasets.table import OutcomeTable
    from ..embeddings import Embedder

__all__ = ["ThresholdRouter"]


class ThresholdRouter(ParamsMixin, EmbeddingRouterMixin, Router):
    """Routes to ``strong`` when the learned P(strong wins) >= the threshold, else to ``weak``.

    Parameters
    ----------
    strong, weak : str
        The two models (names of the outcome table's columns).
    threshold : float, default=0.5
        Score at or above which the strong model is chosen, until :meth:`calibrate_threshold`
        learns one (``threshold_``), which then wins.
    target : {"win", "gain", "predictor"}, default="win"
        What is learned (module docstring).
    C : float, default=1.0
        Inverse regularisation of the logistic / ridge fit.
    predictor : LearnedRouter or None, default=None
        For ``target="predictor"``: cloned and fitted on the two models' columns (the router
        passed in is not fitted).
    embedder : Embedder or None, default=None
        Embeds request texts when routing.
    tier : str or None, default=None
        Tier name written into each Decision.

    Attributes
    ----------
    model_ : LogisticRegression, Ridge, LearnedRouter or float
        The fitted scorer (a float when training had one class only).
    n_features_in_ : int
        Embedding width seen in ``fit``.
    embedding_model_ : str or None
        Id of the embedder ``fit_table`` used.
    threshold_ : float
        The threshold in use: ``threshold`` after ``fit``, the calibrated one after
        :meth:`calibrate_threshold`.
    """

    name = "threshold"

    @keyword_only_after(2)
    def __init__(self, strong: str, weak: str, *, threshold: float = 0.5, target: str = "win", C: float = 1.0,
                 predictor: LearnedRouter | None = None, embedder: Embedder | None = None,
                 tier: str | None = None) -> None:
        self.strong = strong
        self.weak = weak
        self.threshold = threshold
        self._check_threshold()
        self.target = target
        self.C = C
        self.predictor = predictor
        self.embedder = embedder
        self.tier = tier

    def _check_threshold(self) -> None:
        check_unit_threshold(self.threshold, owner="ThresholdRouter", compared_with="P(strong wins), a probability",
                             hint="pass threshold=0.5 (the default), or learn one from a budget with "
                                  "calibrate_threshold(X, strong_share)")

    def fit(self, X: np.ndarray, quality: np.ndarray, models: Sequence[str], cost: np.ndarray | None = None
            ) -> ThresholdRouter:
        self._check_threshold()  # again: set_params(threshold=...) bypasses __init__
        X = np.asarray(X, dtype=np.float32)
        Q = np.asarray(quality, dtype=float)
        models = list(models)
        for m in (self.strong, self.weak):
            if m not in models:
                raise InvalidRequestError(f"{m!r} is not among the table's models {models}")
        if X.ndim != 2 or Q.shape != (X.shape[0], len(models)):
            raise InvalidRequestError(f"fit needs X (n, d) and quality (n, {len(models)}); got {X.shape}, {Q.shape}")
        s, w = models.index(self.strong), models.index(self.weak)
        qs, qw = Q[:, s], Q[:, w]
        if self.target == "win":
            from sklearn.linear_model import LogisticRegression

            y = (qs > qw).astype(int)
            self.model_: Any = (LogisticRegression(C=self.C, max_iter=2000).fit(X, y)
                                if 0 < y.sum() < len(y) else float(y.mean()))
        elif self.target == "gain":
            from sklearn.linear_model import Ridge

            self.model_ = Ridge(alpha=1.0 / self.C).fit(X, qs - qw)
        elif self.target == "predictor":
            if self.predictor is None:
                raise InvalidRequestError("target='predictor' needs a predictor (a LearnedRouter)")
            sub = Q[:, [w, s]]
            sub_cost = None if cost is None else np.asarray(cost, dtype=float)[:, [w, s]]
            self.model_ = clone(self.predictor).fit(X, sub, sub_cost, [self.weak, self.strong])
        else:
            raise InvalidRequestError(f"target must be 'win', 'gain' or 'predictor', got {self.target!r}")
        self.n_features_in_ = X.shape[1]
        self.embedding_model_: str | None = None  # unknown: X came from the caller (fit_table sets it)
        self.threshold_ = float(self.threshold)
        return self

    def fit_table(self, table: OutcomeTable, X: np.ndarray | None = None) -> ThresholdRouter:
        X, embedding_model = self._embed_table(table, X)
        self.fit(X, table.quality, table.models, table.cost)
        self.embedding_model_ = embedding_model
        return self

    def score(self, X: np.ndarray) -> np.ndarray:
        """P(strong wins) per prompt, in [0, 1]."""
        if not hasattr(self, "model_"):
            raise RoutingError("ThresholdRouter is not fitted: call fit(X, quality, models) first")
        X = np.asarray(X, dtype=np.float32)
        if X.ndim == 1:
            X = X[None, :]
        if X.shape[1] != self.n_features_in_:
            raise InvalidRequestError(f"X has {X.shape[1]} features, fitted on {self.n_features_in_}")
        if isinstance(self.model_, float):
            return np.full(X.shape[0], self.model_)
        if isinstance(self.model_, LearnedRouter):
            q = self.model_.predict_quality(X)
            return np.clip((1.0 + q[:, 1] - q[:, 0]) / 2.0, 0.0, 1.0)
        if hasattr(self.model_, "predict_proba"):
            out: np.ndarray = self.model_.predict_proba(X)[:, 1]
            return out
        return np.clip((1.0 + self.model_.predict(X)) / 2.0, 0.0, 1.0)

    def calibrate_threshold(self, X: np.ndarray, strong_share: float) -> float:
        """Learn (``threshold_``) and return the threshold that sends ``strong_share`` of the
        prompts ``X`` to the strong model: RouteLLM's way of turning a budget ("30% of calls to
        GPT-4") into a threshold. ``X``: prompts like the ones to route (e.g. recent traffic);
        tied scores at the cut all go the same way, so the share reached can differ where scores
        repeat. The ``threshold`` parameter is left as given (sklearn: fitting never rewrites a
        parameter)."""
        if not 0.0 <= strong_share <= 1.0:
            raise InvalidRequestError(f"strong_share must be in [0, 1], got {strong_share}")
        scores = self.score(X)
        if strong_share == 0.0:
            self.threshold_ = float(np.nextafter(scores.max(), np.inf))
        else:
            self.threshold_ = float(np.quantile(scores, 1.0 - strong_share, method="higher"))
        return self.threshold_

    def _threshold(self) -> float:
        return float(getattr(self, "threshold_", self.threshold))

    def route_arrays(self, X: np.ndarray, threshold: float | None = None) -> np.ndarray:
        """True where the strong model is chosen. ``threshold`` overrides the fitted one for this
        call (a sweep may pass just above 1 for "never strong"); NaN would silently mean that too."""
        if threshold is not None and math.isnan(threshold):
            raise InvalidRequestError("route_arrays threshold is NaN: pass a number (0 = always strong) or None "
                                      "for the router's own threshold_")
        thr = self._threshold() if threshold is None else threshold
        out: np.ndarray = self.score(X) >= thr
        return out

    def route(self, request: Request, constraints: RouteConstraints | None = None) -> Decision:
        return self.route_batch([request], constraints)[0]

    def route_batch(self, requests: Sequence[Request], constraints: RouteConstraints | None = None) -> list[Decision]:
        if not hasattr(self, "model_"):
            raise RoutingError("ThresholdRouter is not fitted: call fit(X, quality, models) first")
        if not requests:
            return []
        return self.decide(self._embed_requests(requests), constraints)

    def decide(self, X: np.ndarray, constraints: RouteConstraints | None = None) -> list[Decision]:
        scores = self.score(X)
        thr = self._threshold()
        out = []
        for sc in scores:
            strong = bool(sc >= thr)
            chosen, other = (self.strong, self.weak) if strong else (self.weak, self.strong)
            why = f"P(strong wins)={sc:.2f} {'>=' if strong else '<'} threshold {thr:g}"
            if strong and constraints is not None and constraints.budget_usd is not None and constraints.budget_usd <= 0:
                chosen, other, why = self.weak, self.strong, why + "; no budget left: weak model"
            out.append(Decision(model=chosen, tier=self.tier, score=float(sc), threshold=thr, reason=why,
                                alternatives=(Alternative(model=other, tier=self.tier),), router=self.name))
        return out

    def __repr__(self) -> str:
        return f"ThresholdRouter(strong={self.strong!r}, weak={self.weak!r}, threshold={self.threshold}, " \
               f"target={self.target!r})"

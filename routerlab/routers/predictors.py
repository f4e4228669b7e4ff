"""Per-model quality predictors on prompt embeddings: kNN, logistic, MLP, matrix factorisation,
and an ensemble of them. Each is a :class:`~routerlab.routers.learned.LearnedRouter`.

scikit-learn is imported inside ``fit`` (extra ``ml``), so importing this module stays light.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InvalidRequestError, MissingDependencyError
from ._params import clone, keyword_only_after
from .learned import LearnedRouter

if TYPE_CHECKING:
    from ..embeddings import Embedder

__all__ = ["KNNRouter", "LogisticRouter", "MLPRouter", "MFRouter", "EnsembleRouter", "default_members"]


def _sklearn() -> Any:
    try:
        import sklearn
    except ImportError as e:
        raise MissingDependencyError("scikit-learn", "ml") from e
    return sklearn


def _is_binary(Q: np.ndarray) -> bool:
    return bool(np.isin(Q, (0.0, 1.0)).all())


class KNNRouter(LearnedRouter):
    """Mean outcome of the ``k`` most cosine-similar training prompts (embeddings are unit vectors).

    Parameters
    ----------
    k : int, default=50
        Neighbours averaged (all training prompts when fewer).
    weighted : bool, default=False
        Weight neighbours by their (non-negative) cosine similarity.
    cost_weight, quality_target, embedder, model_costs, latencies, tier, group_by, group_strength, group_cv,
    residual_weight
        As in :class:`~routerlab.routers.learned.LearnedRouter` (keyword-only).

    Attributes
    ----------
    X_ : ndarray (n, d)
        The training embeddings, unit-normalised.
    Q_ : ndarray (n, m)
        The training outcomes.
    models_, n_features_in_, embedding_model_, mean_cost_, cost_scale_, group_priors_ : see
        :class:`~routerlab.routers.learned.LearnedRouter`.
    """

    name = "knn"

    @keyword_only_after(1)
    def __init__(self, k: int = 50, *, weighted: bool = False, cost_weight: float = 0.0,
                 quality_target: float | None = None, embedder: Embedder | None = None,
                 model_costs: Mapping[str, float] | None = None, latencies: Mapping[str, float] | None = None,
                 tier: str | None = None, group_by: str | Sequence[str] | None = None,
                 group_strength: float | str = "cv", group_cv: int = 3, residual_weight: float | str = "cv") -> None:
        super().__init__(cost_weight=cost_weight, quality_target=quality_target, embedder=embedder,
                         model_costs=model_costs, latencies=latencies, tier=tier, group_by=group_by,
                         group_strength=group_strength, group_cv=group_cv, residual_weight=residual_weight)
        self.k = k
        self.weighted = weighted

    def _fit_quality(self, X: np.ndarray, Q: np.ndarray) -> None:
        if self.k < 1:
            raise InvalidRequestError(f"k must be >= 1, got {self.k}")
        norms = np.linalg.norm(X, axis=1, keepdims=True)
        self.X_ = X / np.clip(norms, 1e-12, None)
        self.Q_ = Q.astype(np.float32)

    def _predict_quality(self, X: np.ndarray) -> np.ndarray:
        Xn = X / np.clip(np.linalg.norm(X, axis=1, keepdims=True), 1e-12, None)
        k = min(self.k, self.X_.shape[0])
        out = np.empty((X.shape[0], self.Q_.shape[1]), dtype=float)
        for s in range(0, X.shape[0], 2048):  # bound the similarity matrix's memory
            sim = Xn[s:s + 2048] @ self.X_.T
            nn = np.argpartition(-sim, k - 1, axis=1)[:, :k]
            if self.weighted:
                w = np.clip(np.take_along_axis(sim, nn, axis=1), 0.0, None) + 1e-6
                out[s:s + 2048] = np.einsum("nk,nkm->nm", w, self.Q_[nn]) / w.sum(axis=1, keepdims=True)
            else:
                out[s:s + 2048] = self.Q_[nn].mean(axis=1)
        return out


class LogisticRouter(LearnedRouter):
    """One L2-regularised logistic regression per model (ridge regression for graded scores).

    Parameters
    ----------
    C : float, default=1.0
        Inverse regularisation strength (ridge alpha = 1 / C for graded scores).
    cost_weight, quality_target, embedder, model_costs, latencies, tier, group_by, group_strength, group_cv,
    residual_weight
        As in :class:`~routerlab.routers.learned.LearnedRouter` (keyword-only).

    Attributes
    ----------
    estimators_ : list
        Per model: a fitted LogisticRegression / Ridge, or a float for a model that was always
        right (or always wrong) in training.
    models_, n_features_in_, embedding_model_, mean_cost_, cost_scale_, group_priors_ : see
        :class:`~routerlab.routers.learned.LearnedRouter`.
    """

    name = "logistic"

    @keyword_only_after(1)
    def __init__(self, C: float = 1.0, *, cost_weight: float = 0.0,
                 quality_target: float | None = None, embedder: Embedder | None = None,
                 model_costs: Mapping[str, float] | None = None, latencies: Mapping[str, float] | None = None,
                 tier: str | None = None, group_by: str | Sequence[str] | None = None,
                 group_strength: float | str = "cv", group_cv: int = 3, residual_weight: float | str = "cv") -> None:
        super().__init__(cost_weight=cost_weight, quality_target=quality_target, embedder=embedder,
                         model_costs=model_costs, latencies=latencies, tier=tier, group_by=group_by,
                         group_strength=group_strength, group_cv=group_cv, residual_weight=residual_weight)
        self.C = C

    def _fit_quality(self, X: np.ndarray, Q: np.ndarray) -> None:
        _sklearn()
        from sklearn.linear_model import LogisticRegression, Ridge

        self.estimators_: list[Any] = []
        for j in range(Q.shape[1]):
            y = Q[:, j]
            if _is_binary(y) and len(np.unique(y)) == 2:
                est: Any = LogisticRegression(C=self.C, max_iter=2000).fit(X, y.astype(int))
            elif _is_binary(y):  # a model always right (or always wrong) in training
                est = float(y[0])
            else:
                est = Ridge(alpha=1.0 / self.C).fit(X, y)
            self.estimators_.append(est)

    def _predict_quality(self, X: np.ndarray) -> np.ndarray:
        cols = []
        for est in self.estimators_:
            if isinstance(est, float):
                cols.append(np.full(X.shape[0], est))
            elif hasattr(est, "predict_proba"):
                cols.append(est.predict_proba(X)[:, 1])
            else:
                cols.append(est.predict(X))
        return np.column_stack(cols)


class MLPRouter(LearnedRouter):
    """A small multi-output MLP (multi-label classifier for 0/1 outcomes, regressor otherwise).

    Parameters
    ----------
    hidden : tuple of int, default=(128,)
        Hidden layer sizes.
    alpha : float, default=1e-2
        L2 penalty.
    max_iter : int, default=300
        Training epochs at most.
    n_seeds : int, default=1
        Nets averaged (seeds ``random_state``, ``random_state + 1``, ...): a few steady a small net.
    early_stopping : bool, default=True
        Hold out 15% of the rows and stop when their score stops improving.
    random_state : int, default=0
        Seed of the first net.
    cost_weight, quality_target, embedder, model_costs, latencies, tier, group_by, group_strength, group_cv,
    residual_weight
        As in :class:`~routerlab.routers.learned.LearnedRouter` (keyword-only).

    Attributes
    ----------
    estimators_ : list of MLPClassifier or MLPRegressor
        One fitted net per seed.
    binary_ : bool
        Whether the outcomes were 0/1 with both values seen for every model (classifier).
    models_, n_features_in_, embedding_model_, mean_cost_, cost_scale_, group_priors_ : see
        :class:`~routerlab.routers.learned.LearnedRouter`.
    """

    name = "mlp"

    @keyword_only_after(1)
    def __init__(self, hidden: tuple[int, ...] = (128,), *, alpha: float = 1e-2, max_iter: int = 300,
                 n_seeds: int = 1, early_stopping: bool = True, random_state: int = 0, cost_weight: float = 0.0,
                 quality_target: float | None = None, embedder: Embedder | None = None,
                 model_costs: Mapping[str, float] | None = None, latencies: Mapping[str, float] | None = None,
                 tier: str | None = None, group_by: str | Sequence[str] | None = None,
                 group_strength: float | str = "cv", group_cv: int = 3, residual_weight: float | str = "cv") -> None:
        super().__init__(cost_weight=cost_weight, quality_target=quality_target, embedder=embedder,
                         model_costs=model_costs, latencies=latencies, tier=tier, group_by=group_by,
                         group_strength=group_strength, group_cv=group_cv, residual_weight=residual_weight)
        self.hidden = hidden
        self.alpha = alpha
        self.max_iter = max_iter
        self.n_seeds = n_seeds
        self.early_stopping = early_stopping
        self.random_state = random_state

    def _fit_quality(self, X: np.ndarray, Q: np.ndarray) -> None:
        _sklearn()
        import warnings

        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier, MLPRegressor

        self.binary_ = _is_binary(Q) and bool((Q.min(axis=0) != Q.max(axis=0)).all())
        self.estimators_: list[Any] = []
        for s in range(self.n_seeds):  # averaging a few seeds steadies a small net
            kw = dict(hidden_layer_sizes=tuple(self.hidden), alpha=self.alpha, max_iter=self.max_iter,
                      early_stopping=self.early_stopping, validation_fraction=0.15, n_iter_no_change=20,
                      random_state=self.random_state + s)
            est = MLPClassifier(**kw) if self.binary_ else MLPRegressor(**kw)  # type: ignore[arg-type]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                est.fit(X, Q.astype(int) if self.binary_ else Q)
            self.estimators_.append(est)

    def _predict_quality(self, X: np.ndarray) -> np.ndarray:
        preds = [e.predict_proba(X) if self.binary_ else e.predict(X) for e in self.estimators_]
        return np.asarray(np.mean(preds, axis=0), dtype=float).reshape(X.shape[0], -1)


class MFRouter(LearnedRouter):
    """Matrix factorisation (RouteLLM's idea): ``logit q[i, m] = v_m . (W x_i) + b_m``.

    Prompts enter through a learned projection ``W`` of their embedding, so unseen prompts get a
    latent vector; each model has a latent vector ``v_m`` and bias ``b_m``. Trained with
    cross-entropy (0/1 or graded targets) and Adam, in numpy.

    Parameters
    ----------
    dim : int, default=32
        Latent dimension.
    l2 : float, default=1e-3
        L2 penalty on ``W`` and ``V``.
    epochs : int, default=200
        Full-batch Adam steps.
    lr : float, default=0.01
        Adam step size.
    random_state : int, default=0
        Seed of the initial ``W`` and ``V``.
    cost_weight, quality_target, embedder, model_costs, latencies, tier, group_by, group_strength, group_cv,
    residual_weight
        As in :class:`~routerlab.routers.learned.LearnedRouter` (keyword-only).

    Attributes
    ----------
    W_ : ndarray (d, dim)
        Prompt projection.
    V_ : ndarray (m, dim)
        Model latent vectors.
    b_ : ndarray (m,)
        Model biases (logits).
    models_, n_features_in_, embedding_model_, mean_cost_, cost_scale_, group_priors_ : see
        :class:`~routerlab.routers.learned.LearnedRouter`.
    """

    name = "mf"

    @keyword_only_after(1)
    def __init__(self, dim: int = 32, *, l2: float = 1e-3, epochs: int = 200, lr: float = 0.01,
                 random_state: int = 0, cost_weight: float = 0.0,
                 quality_target: float | None = None, embedder: Embedder | None = None,
                 model_costs: Mapping[str, float] | None = None, latencies: Mapping[str, float] | None = None,
                 tier: str | None = None, group_by: str | Sequence[str] | None = None,
                 group_strength: float | str = "cv", group_cv: int = 3, residual_weight: float | str = "cv") -> None:
        super().__init__(cost_weight=cost_weight, quality_target=quality_target, embedder=embedder,
                         model_costs=model_costs, latencies=latencies, tier=tier, group_by=group_by,
                         group_strength=group_strength, group_cv=group_cv, residual_weight=residual_weight)
        self.dim = dim
        self.l2 = l2
        self.epochs = epochs
        self.lr = lr
        self.random_state = random_state

    def _fit_quality(self, X: np.ndarray, Q: np.ndarray) -> None:
        rng = np.random.default_rng(self.random_state)
        n, d = X.shape
        m = Q.shape[1]
        Xf = X.astype(float)
        params = {
            "W": rng.normal(0, 1 / np.sqrt(d), (d, self.dim)),
            "V": rng.normal(0, 1 / np.sqrt(self.dim), (m, self.dim)),
            "b": np.log(np.clip(Q.mean(axis=0), 1e-3, 1 - 1e-3) / np.clip(1 - Q.mean(axis=0), 1e-3, 1)),
        }
        mom = {k: np.zeros_like(v) for k, v in params.items()}
        vel = {k: np.zeros_like(v) for k, v in params.items()}
        b1, b2, eps = 0.9, 0.999, 1e-8
        for t in range(1, self.epochs + 1):  # full-batch Adam: n x m is small
            Z = Xf @ params["W"]
            logits = Z @ params["V"].T + params["b"]
            P = 1 / (1 + np.exp(-logits))
            G = (P - Q) / (n * m)  # d loss / d logits for cross-entropy
            grads = {
                "V": G.T @ Z + self.l2 * params["V"],
                "W": Xf.T @ (G @ params["V"]) + self.l2 * params["W"],
                "b": G.sum(axis=0),
            }
            for k in params:
                mom[k] = b1 * mom[k] + (1 - b1) * grads[k]
                vel[k] = b2 * vel[k] + (1 - b2) * grads[k] ** 2
                params[k] -= self.lr * (mom[k] / (1 - b1 ** t)) / (np.sqrt(vel[k] / (1 - b2 ** t)) + eps)
        self.W_, self.V_, self.b_ = params["W"], params["V"], params["b"]

    def _predict_quality(self, X: np.ndarray) -> np.ndarray:
        logits = (X.astype(float) @ self.W_) @ self.V_.T + self.b_
        out: np.ndarray = 1 / (1 + np.exp(-logits))
        return out


class EnsembleRouter(LearnedRouter):
    """Average of several routers' predicted quality. The members are cloned (unfitted copies
    with the same parameters, ``routerlab.routers._params.clone``) and the clones fitted: the
    routers passed in are never fitted or changed.

    ``EnsembleRouter()`` is routerlab's default router (``default_members()``, chosen by nested
    cross-validation on RouterBench's training split: see ``routerlab.evaluation.selection``).

    Parameters
    ----------
    members : sequence of LearnedRouter or None, default=None
        The routers to average; None: :func:`default_members`.
    weights : sequence of float or None, default=None
        One non-negative weight per member (equal when None).
    cost_weight, quality_target, embedder, model_costs, latencies, tier, group_by, group_strength, group_cv,
    residual_weight
        As in :class:`~routerlab.routers.learned.LearnedRouter` (keyword-only).

    Attributes
    ----------
    members_ : list of LearnedRouter
        The fitted clones of ``members``.
    weights_ : ndarray
        The weights, normalised to sum to 1.
    models_, n_features_in_, embedding_model_, mean_cost_, cost_scale_, group_priors_ : see
        :class:`~routerlab.routers.learned.LearnedRouter`.
    """

    name = "ensemble"

    @keyword_only_after(1)
    def __init__(self, members: Sequence[LearnedRouter] | None = None, *, weights: Sequence[float] | None = None,
                 cost_weight: float = 0.0,
                 quality_target: float | None = None, embedder: Embedder | None = None,
                 model_costs: Mapping[str, float] | None = None, latencies: Mapping[str, float] | None = None,
                 tier: str | None = None, group_by: str | Sequence[str] | None = None,
                 group_strength: float | str = "cv", group_cv: int = 3, residual_weight: float | str = "cv") -> None:
        super().__init__(cost_weight=cost_weight, quality_target=quality_target, embedder=embedder,
                         model_costs=model_costs, latencies=latencies, tier=tier, group_by=group_by,
                         group_strength=group_strength, group_cv=group_cv, residual_weight=residual_weight)
        self.members = members
        self.weights = weights

    def _fit_quality(self, X: np.ndarray, Q: np.ndarray) -> None:
        members = list(self.members) if self.members is not None else default_members()
        if not members:
            raise InvalidRequestError("EnsembleRouter needs at least one member")
        w = np.ones(len(members)) if self.weights is None else np.asarray(self.weights, dtype=float)
        if w.shape != (len(members),) or (w < 0).any() or w.sum() <= 0:
            raise InvalidRequestError("weights must be one non-negative number per member, not all zero")
        # quality only: cost (and the group prior) are the ensemble's own job
        self.members_ = [clone(r).set_params(model_costs=None, group_by=None).fit(X, Q, models=self.models_)
                         for r in members]
        self.weights_ = w / w.sum()

    def _predict_quality(self, X: np.ndarray) -> np.ndarray:
        preds = [r.predict_quality(X) for r in self.members_]
        return np.tensordot(self.weights_, np.stack(preds), axes=1)


def default_members(random_state: int = 0) -> list[LearnedRouter]:
    """The members of the default ensemble (``EnsembleRouter()``): kNN k=200 similarity-weighted,
    logistic C=0.3 and MF dim 32: the inner-CV choice on RouterBench's training split
    (``routerlab.evaluation.selection``, ``benchmarks/select_default.py``: k and C with
    ``--families knn logistic``, then the MLP's hidden size and which members with
    ``--reduced``; an MLP of any size lowered the ensemble's inner-CV AIQ). ``random_state``
    seeds MF: another value gives the same router fitted with another seed (the fit-seed spread
    the benchmarks report). Every router table reports this router."""
    return [KNNRouter(k=200, weighted=True), LogisticRouter(C=0.3), MFRouter(random_state=random_state)]

"""Building blocks of the benchmark runs, so a notebook can redo them step by step.

- :func:`routerbench_table`: the RouterBench-style comparison (best single model, the convex
  hull of single models ("zero router"), learned routers, oracle): AIQ, max quality, and the cost
  to reach 95% / 100% of a reference model's quality as a fraction of its cost.
- :func:`kfold_scores` / :func:`apgr_report`: RouteLLM's strong/weak setting with in-domain
  k-fold: out-of-fold scores for every prompt, then APGR and CPT over RouteLLM's threshold sweep,
  beside a random router.
- :func:`group_mean_predictions`: the router that knows only each prompt's group (e.g. its
  benchmark): what a prompt embedding must beat to show per-prompt signal.
- :func:`stratified_folds` / :func:`out_of_fold` / :func:`kfold_predictions`: k-fold cross-validation
  for tables without a published split: folds balanced within each category, and out-of-fold
  predicted quality and cost of a multi-model router for every prompt.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ..errors import InvalidRequestError
from .metrics import apgr, cpt, mean_cost, mean_quality, oracle_choice
from .sweep import cost_weight_sweep, curve_summary, default_cost_weights, routellm_thresholds, threshold_sweep

if TYPE_CHECKING:
    from ..datasets.table import OutcomeTable
    from ..embeddings import Embedder

__all__ = ["embed_table", "group_mean_predictions", "single_models", "router_curve", "routerbench_table", "kfold_scores", "apgr_report",
           "random_apgr", "stratified_folds", "out_of_fold", "kfold_predictions", "kfold_group_means"]


class _QualityCostPredictor(Protocol):
    cost_scale_: float

    def predict_quality(self, X: np.ndarray) -> np.ndarray: ...

    def predict_cost(self, X: np.ndarray) -> np.ndarray: ...


def embed_table(table: OutcomeTable, embedder: Embedder | None = None, batch_size: int = 32) -> np.ndarray:
    """Embeddings of ``table.texts`` (cached on disk by the embedder)."""
    if embedder is None:
        from ..embeddings import default_embedder

        embedder = default_embedder()
    return embedder.embed(table.texts, batch_size=batch_size)


def single_models(table: OutcomeTable) -> pd.DataFrame:
    """Per model: mean quality and mean cost on ``table``."""
    return pd.DataFrame({"quality": table.quality.mean(axis=0), "mean_cost": table.cost.mean(axis=0)},
                        index=pd.Index(table.models, name="model"))


def router_curve(router: _QualityCostPredictor, X: np.ndarray, table: OutcomeTable,
                 weights: np.ndarray | None = None) -> pd.DataFrame:
    """A fitted learned router's cost-weight sweep on ``table`` (recorded outcomes)."""
    return cost_weight_sweep(router.predict_quality(X), router.predict_cost(X), table.quality, table.cost,
                             default_cost_weights() if weights is None else weights, router.cost_scale_)


def routerbench_table(test: OutcomeTable, curves: Mapping[str, pd.DataFrame],
                      reference: str = "gpt-4-1106-preview") -> pd.DataFrame:
    """One row per router: AIQ, max quality, cost@95% / cost@100% of ``reference``'s quality
    (fraction of its cost; inf = never). AIQ is over the single models' cost range."""
    singles = single_models(test)
    sq = singles["quality"].to_numpy(dtype=float)
    sc = singles["mean_cost"].to_numpy(dtype=float)
    r = test.model_index(reference)
    ref_q, ref_c = float(sq[r]), float(sc[r])
    c_min, c_max = float(sc.min()), float(sc.max())
    rows: dict[str, dict[str, Any]] = {}
    b = int(sq.argmax())
    best = test.models[b]
    rows[f"best single ({best})"] = {
        "AIQ": np.nan, "max_quality": float(sq[b]),
        "cost@95%": sc[b] / ref_c if sq[b] >= 0.95 * ref_q else np.inf,
        "cost@100%": sc[b] / ref_c if sq[b] >= ref_q else np.inf}
    rows["zero router (hull of single models)"] = curve_summary(sc, sq, ref_c, ref_q, c_min, c_max)
    for name, df in curves.items():
        rows[name] = curve_summary(df["mean_cost"], df["quality"], ref_c, ref_q, c_min, c_max)
    o = oracle_choice(test.quality, test.cost)
    oq, oc = mean_quality(test.quality, o), mean_cost(test.cost, o)
    rows["oracle"] = {"AIQ": np.nan, "max_quality": oq,
                      "cost@95%": oc / ref_c, "cost@100%": oc / ref_c}
    return pd.DataFrame.from_dict(rows, orient="index")


def kfold_scores(X: np.ndarray, table: OutcomeTable, make_scorer: Callable[[], Any], k: int = 5, seed: int = 0
                 ) -> np.ndarray:
    """Out-of-fold ``score(X)`` for every prompt: fit ``make_scorer()`` on k-1 folds
    (``fit(X, quality, models, cost)``), score the held-out fold."""
    n = len(table)
    if X.shape[0] != n or k < 2 or n < k:
        raise InvalidRequestError(f"k-fold needs X with {n} rows and 2 <= k <= n")
    folds = np.random.default_rng(seed).permutation(n) % k
    out = np.empty(n, dtype=float)
    for f in range(k):
        tr, te = folds != f, folds == f
        sc = make_scorer().fit(X[tr], table.quality[tr], table.models, table.cost[tr])
        out[te] = sc.score(X[te])
    return out


def apgr_report(scores: np.ndarray, table: OutcomeTable, strong: str, weak: str, num_results: int = 10
                ) -> dict[str, Any]:
    """APGR, CPT(50%), CPT(80%) of strong/weak scores over RouteLLM's quantile thresholds."""
    s, w = table.model_index(strong), table.model_index(weak)
    qs, qw = table.quality[:, s], table.quality[:, w]
    curve = threshold_sweep(scores, qs, qw, routellm_thresholds(scores, num_results))
    q_s, q_w = float(qs.mean()), float(qw.mean())
    return {"APGR": apgr(curve["strong_share"], curve["quality"], q_w, q_s),
            "CPT(50%)": cpt(0.5, curve["strong_share"], curve["quality"], q_w, q_s),
            "CPT(80%)": cpt(0.8, curve["strong_share"], curve["quality"], q_w, q_s),
            "curve": curve}


def random_apgr(table: OutcomeTable, strong: str, weak: str, n_seeds: int = 20, num_results: int = 10) -> float:
    """Mean APGR of RouteLLM's random router (uniform scores) over ``n_seeds`` seeds."""
    rng = np.random.default_rng(0)
    vals = [apgr_report(rng.random(len(table)), table, strong, weak, num_results)["APGR"] for _ in range(n_seeds)]
    return float(np.mean(vals))


def stratified_folds(groups: ArrayLike, k: int = 5, seed: int = 0) -> np.ndarray:
    """Fold index (0..k-1) per row, balanced within each group and overall.

    Rows are shuffled within their group, groups are put in a random order, and the rows are
    then dealt to folds in turn: every fold gets its share of every group (a group with fewer
    than k rows lands in some folds only) and fold sizes differ by at most one.
    """
    g = np.asarray(groups)
    n = g.shape[0] if g.ndim == 1 else -1
    if n < k or k < 2:
        raise InvalidRequestError(f"stratified_folds needs 1-d groups with at least k rows and k >= 2; "
                                  f"got shape {g.shape}, k={k}")
    rng = np.random.default_rng(seed)
    labels, codes = np.unique(g, return_inverse=True)
    order = np.concatenate([rng.permutation(np.flatnonzero(codes == c)) for c in rng.permutation(len(labels))])
    folds = np.empty(n, dtype=int)
    folds[order] = np.arange(n) % k
    return folds


def out_of_fold(folds: ArrayLike, fit_predict: Callable[[np.ndarray, np.ndarray], ArrayLike]) -> np.ndarray:
    """Out-of-fold predictions: for each fold, ``fit_predict(train_rows, test_rows)`` (index arrays)
    fits on the other folds' rows and returns one prediction per test row (any trailing shape)."""
    f = np.asarray(folds)
    ids = np.unique(f)
    if f.ndim != 1 or len(ids) < 2:
        raise InvalidRequestError(f"out_of_fold needs a 1-d fold index with at least 2 folds; got {f.shape}, "
                                  f"{len(ids)} fold(s)")
    out: np.ndarray | None = None
    for fid in ids:
        tr, te = np.flatnonzero(f != fid), np.flatnonzero(f == fid)
        pred = np.asarray(fit_predict(tr, te), dtype=float)
        if pred.ndim == 0 or pred.shape[0] != len(te):
            raise InvalidRequestError(f"fit_predict returned shape {pred.shape} for {len(te)} test rows")
        if out is None:
            out = np.full((len(f), *pred.shape[1:]), np.nan)
        out[te] = pred
    assert out is not None
    return out


def kfold_predictions(X: np.ndarray, table: OutcomeTable, make_router: Callable[[], Any], folds: ArrayLike,
                      groups: ArrayLike | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold ``(predicted quality, predicted cost / cost_scale_)``, both (n, m), of a learned
    router (``make_router()`` -> ``fit(X, quality, cost, models)``, ``predict_quality``,
    ``predict_cost``, ``cost_scale_``).

    Cost comes divided by each fold router's own ``cost_scale_`` so that
    ``cost_weight_sweep(q, c, ..., cost_scale=1)`` applies every fold router's own decision rule.
    ``groups``: one label per row, passed to ``fit`` / ``predict_quality`` (the group prior).
    """
    if X.shape[0] != len(table):
        raise InvalidRequestError(f"X has {X.shape[0]} rows, the table {len(table)}")
    g = None if groups is None else np.asarray(groups)

    def fit_predict(tr: np.ndarray, te: np.ndarray) -> np.ndarray:
        if g is None:
            r = make_router().fit(X[tr], table.quality[tr], table.cost[tr], table.models)
            q = r.predict_quality(X[te])
        else:
            r = make_router().fit(X[tr], table.quality[tr], table.cost[tr], table.models, groups=g[tr])
            q = r.predict_quality(X[te], g[te])
        return np.stack([q, r.predict_cost(X[te]) / r.cost_scale_], axis=-1)

    both = out_of_fold(folds, fit_predict)
    return both[..., 0], both[..., 1]


def group_mean_predictions(train: OutcomeTable, test: OutcomeTable, column: str = "benchmark"
                           ) -> tuple[np.ndarray, np.ndarray, float]:
    """Predicted quality and cost (each (n_test, m)) of a router that knows only ``column`` of
    each prompt: every model's mean quality and cost over the training prompts of that group
    (the overall training mean for a group training never saw), and the cost scale a learned
    router would use (the most expensive model's mean cost), ready for ``cost_weight_sweep``."""
    if train.models != test.models:
        raise InvalidRequestError("train and test must list the same models in the same order")
    for t, label in ((train, "train"), (test, "test")):
        if column not in t.prompts.columns:
            raise InvalidRequestError(f"{label} prompts have no column {column!r}")
    g_tr = train.prompts[column].to_numpy()
    g_te = test.prompts[column].to_numpy()
    q = np.tile(train.quality.mean(axis=0), (len(test), 1))
    c = np.tile(train.cost.mean(axis=0), (len(test), 1))
    for g in np.unique(g_te):
        seen = g_tr == g
        if seen.any():
            q[g_te == g] = train.quality[seen].mean(axis=0)
            c[g_te == g] = train.cost[seen].mean(axis=0)
    scale = float(train.cost.mean(axis=0).max())
    return q, c, scale if scale > 0 else 1.0


def kfold_group_means(table: OutcomeTable, folds: ArrayLike, column: str = "benchmark"
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold ``(predicted quality, predicted cost / cost scale)`` of the task-identity router
    (:func:`group_mean_predictions` fitted on the other folds), shaped like :func:`kfold_predictions`."""

    def fit_predict(tr: np.ndarray, te: np.ndarray) -> np.ndarray:
        q, c, scale = group_mean_predictions(table.select(tr), table.select(te), column)
        return np.stack([q, c / scale], axis=-1)

    both = out_of_fold(folds, fit_predict)
    return both[..., 0], both[..., 1]

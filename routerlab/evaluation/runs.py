"""Building blocks of the benchmark runs, so a notebook can redo them step by step.

- :func:`routerbench_table`: the RouterBench-style comparison (best single model, the convex
  hull of single models ("zero router"), learned routers, oracle): AIQ, max quality, and the cost
  to reach 95% / 100% of a reference model's quality as a fraction of its cost.
- :func:`kfold_scores` / :func:`apgr_report`: RouteLLM's strong/weak setting with in-domain
  k-fold: out-of-fold scores for every prompt, then APGR and CPT over RouteLLM's threshold sweep,
  beside a random router.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from ..errors import InvalidRequestError
from .metrics import apgr, cpt, mean_cost, mean_quality, oracle_choice
from .sweep import cost_weight_sweep, curve_summary, default_cost_weights, routellm_thresholds, threshold_sweep

if TYPE_CHECKING:
    from ..datasets.table import OutcomeTable
    from ..embeddings import Embedder

__all__ = ["embed_table", "single_models", "router_curve", "routerbench_table", "kfold_scores", "apgr_report",
           "random_apgr"]


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

"""The learned cascade on a strong/weak pair with recorded answers (RouteLLM's GSM8K), beside
prompt-only threshold routers, with bootstrap intervals.

RouteLLM's tables record no cost. :func:`priced_pair` gives each call a cost in units of one
strong call (the weak call costs ``weak_cost``, e.g. the two models' price ratio), so the
cascade pays for the weak answer it read even when it then calls the strong model.

- :func:`kfold_cascade`: out-of-fold replay of a :class:`~routerlab.routers.cascade_policy.CascadePolicy`
  (weak -> strong) on every prompt: fitted on k-1 folds, replayed on the held-out fold, at
  every cost weight.
- :func:`threshold_choices`: a prompt-only router's out-of-fold scores as (T, n) strong-call
  choices over RouteLLM's quantile thresholds.
- :func:`pair_summary`: APGR over the strong-call share (RouteLLM's axis), the share of prompts
  on which the weak model was also called, and AIQ over the priced cost, each with a 95%
  bootstrap interval (choices fixed, prompts resampled).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import InvalidRequestError
from ..routers.cascade_policy import CascadePolicy, default_weights
from .metrics import aiq, apgr, bootstrap_ci
from .sweep import routellm_thresholds

if TYPE_CHECKING:
    from ..datasets.table import OutcomeTable

__all__ = ["priced_pair", "kfold_cascade", "threshold_choices", "pair_summary", "summary_frame"]


def priced_pair(table: OutcomeTable, weak_cost: float) -> OutcomeTable:
    """A copy of a strong/weak table whose calls cost 1 (strong) and ``weak_cost`` (weak)."""
    if not 0 < weak_cost < 1:
        raise InvalidRequestError(f"weak_cost is a share of one strong call, in (0, 1); got {weak_cost}")
    cost = np.zeros((len(table), 2))
    cost[:, table.model_index(table.meta["strong"])] = 1.0
    cost[:, table.model_index(table.meta["weak"])] = weak_cost
    return replace(table, cost=cost)


def kfold_cascade(table: OutcomeTable, k: int = 5, seed: int = 0, X: np.ndarray | None = None,
                  weights: np.ndarray | None = None, **policy_kw: Any) -> dict[str, np.ndarray]:
    """(W, n) out-of-fold ``quality``, ``cost``, ``strong`` (strong model called), ``weak``
    (weak model called) of the cascade weak -> strong on a priced pair."""
    if table.responses is None:
        raise InvalidRequestError(f"{table.name} has no recorded answers: the cascade reads them")
    w = default_weights() if weights is None else np.asarray(weights, dtype=float)
    s, wk = table.model_index(table.meta["strong"]), table.model_index(table.meta["weak"])
    n = len(table)
    folds = np.random.default_rng(seed).permutation(n) % k
    out = {key: np.zeros((len(w), n)) for key in ("quality", "cost", "strong", "weak")}
    texts = table.prompts["text"].tolist()
    S = CascadePolicy(steps=[table.models[wk], table.models[s]], **policy_kw).answer_stats(table.responses)
    for f in range(k):
        tr, te = np.flatnonzero(folds != f), np.flatnonzero(folds == f)
        p = CascadePolicy(steps=[table.models[wk], table.models[s]], **policy_kw).fit(
            None if X is None else X[tr], table.quality[tr], table.cost[tr], table.models,
            responses=table.responses[tr], texts=[texts[i] for i in tr], stats=S[tr])
        sim = p.simulate(None if X is None else X[te], table.quality[te], table.cost[te],
                         responses=table.responses[te], texts=[texts[i] for i in te], weights=w, stats=S[te])
        direct = sim["step"] == -1
        out["quality"][:, te], out["cost"][:, te] = sim["quality"], sim["cost"]
        out["strong"][:, te] = np.where(direct, sim["model"] == s, sim["step"] == 1)
        out["weak"][:, te] = np.where(direct, sim["model"] == wk, True)
    return out


def threshold_choices(scores: np.ndarray, table: OutcomeTable, weak_cost: float, num_results: int = 10
                      ) -> dict[str, np.ndarray]:
    """(T, n) ``quality``, ``cost``, ``strong``, ``weak`` of "strong where score >= threshold"."""
    thr = routellm_thresholds(np.asarray(scores, dtype=float), num_results)
    strong = np.asarray(scores)[None, :] >= thr[:, None]
    qs = table.quality[:, table.model_index(table.meta["strong"])]
    qw = table.quality[:, table.model_index(table.meta["weak"])]
    return {"quality": np.where(strong, qs, qw), "cost": np.where(strong, 1.0, weak_cost),
            "strong": strong.astype(float), "weak": (~strong).astype(float)}


def pair_summary(choices: dict[str, np.ndarray], table: OutcomeTable, weak_cost: float, n_boot: int = 300,
                 seed: int = 0) -> dict[str, float]:
    """APGR (strong-call share axis), mean weak-call share over the sweep, AIQ over the priced
    cost range [weak_cost, 1], with 95% bootstrap intervals (``APGR_lo`` / ``APGR_hi``, ...)."""
    qs = table.quality[:, table.model_index(table.meta["strong"])]
    qw = table.quality[:, table.model_index(table.meta["weak"])]
    Q, C, S = choices["quality"], choices["cost"], choices["strong"]

    def apgr_of(idx: np.ndarray) -> float:
        if qs[idx].mean() == qw[idx].mean():
            return float("nan")
        return apgr(S[:, idx].mean(axis=1), Q[:, idx].mean(axis=1), float(qw[idx].mean()), float(qs[idx].mean()))

    def aiq_of(idx: np.ndarray) -> float:
        return aiq(C[:, idx].mean(axis=1), Q[:, idx].mean(axis=1), weak_cost, 1.0)

    stats: dict[str, Callable[[np.ndarray], float]] = {"APGR": apgr_of, "AIQ": aiq_of}
    out: dict[str, float] = {}
    for name, fn in stats.items():
        p, lo, hi = bootstrap_ci(fn, len(table), n_boot=n_boot, seed=seed)
        out.update({name: p, f"{name}_lo": lo, f"{name}_hi": hi})
    out["weak calls"] = float(choices["weak"].mean())
    out["max quality"] = float(Q.mean(axis=1).max())
    return out


def summary_frame(rows: dict[str, dict[str, float]]) -> pd.DataFrame:
    """Rows of :func:`pair_summary` as a table with "estimate [lo, hi]" columns."""
    df = pd.DataFrame(rows).T
    for k in ("APGR", "AIQ"):
        df[f"{k} 95% CI"] = [f"[{lo:.3f}, {hi:.3f}]" for lo, hi in zip(df[f"{k}_lo"], df[f"{k}_hi"], strict=True)]
    return df[["APGR", "APGR 95% CI", "AIQ", "AIQ 95% CI", "max quality", "weak calls"]]

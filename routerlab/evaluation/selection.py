"""Choosing a router by nested cross-validation on training data only.

:func:`select_router` runs the selection that produced routerlab's default router
(``EnsembleRouter()``, ``routerlab.routers.predictors.default_members``) on any outcome table,
so a user's own table gets the same protection against choosing on the test data:

- **inner CV** (on the training rows only): every member configuration (kNN ``k``, logistic
  ``C``, MLP hidden size, MF) is fitted on the inner training folds and predicts the inner
  held-out fold; each family's best configuration is kept, then every non-empty set of those
  members (their predictions averaged, as ``EnsembleRouter`` does), with and without the
  per-group prior when groups are given (group strength 20, members trained on residuals, each
  residual weight of ``RESIDUAL_WEIGHTS`` and the least-squares one; a fitted router chooses
  its own strength and weight by inner CV, ``routerlab.routers.group_cv``), and the
  task-identity router itself, are scored by AIQ of their cost-weight sweep on the pooled
  inner out-of-fold predictions. The best ensemble is the choice.
- **outer CV** (optional, ``outer_k``): the whole inner selection is repeated inside each outer
  training fold and the chosen router scored on the outer held-out fold: an honest estimate of
  what the *procedure* gives on unseen prompts, and how often it chooses the same thing.

It fits many routers: CI never runs it (the default is its result, fixed in code). MLPs are
searched with one seed (the default ensemble averages three); the cost model is the same ridge
for every candidate, so it is fitted once per fold.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import InvalidRequestError
from .metrics import aiq
from .runs import stratified_folds
from .sweep import cost_weight_sweep, default_cost_weights

if TYPE_CHECKING:
    from ..datasets.table import OutcomeTable

__all__ = ["MEMBER_GRID", "RESIDUAL_WEIGHTS", "select_router", "Selection", "oof_aiq"]


def _grid() -> dict[str, dict[str, Callable[[], Any]]]:
    from ..routers.predictors import KNNRouter, LogisticRouter, MFRouter, MLPRouter

    return {
        "knn": {f"kNN k={k} weighted": partial(KNNRouter, k=k, weighted=True) for k in (20, 50, 100, 200)},
        "logistic": {f"logistic C={c}": partial(LogisticRouter, C=c) for c in (0.1, 0.3, 1.0)},
        "mlp": {f"MLP hidden={h}": partial(MLPRouter, hidden=(h,)) for h in (64, 128, 256)},
        "mf": {"MF dim=32": MFRouter},
    }


MEMBER_GRID = _grid  # a function: building routers imports scikit-learn lazily
RESIDUAL_WEIGHTS = (0.0, 0.125, 0.25, 0.5, 1.0)  # and "auto": the least-squares weight


@dataclass
class Selection:
    """What :func:`select_router` chose: ``members`` (member names), ``groups`` (whether the
    group prior is on), the inner-CV AIQ of every candidate (``inner``), and with an outer
    CV the choice and held-out AIQ per (seed, fold) (``outer``)."""

    members: tuple[str, ...]
    groups: bool
    inner: pd.DataFrame
    residual_weight: Any = None
    outer: pd.DataFrame = field(default_factory=pd.DataFrame)

    def summary(self) -> str:
        s = f"chosen: {' + '.join(self.members)}, group prior {'on' if self.groups else 'off'}"
        if self.groups:
            s += f" (residual weight {self.residual_weight})"
        if not self.outer.empty:
            agg = self.outer.groupby("seed")["outer_AIQ"].mean()
            s += (f"; outer-CV AIQ of the procedure {agg.mean():.4f} (sd over {len(agg)} fold seeds "
                  f"{agg.std(ddof=0):.4f})")
        return s


def oof_aiq(q: np.ndarray, c_scaled: np.ndarray, quality: np.ndarray, cost: np.ndarray) -> float:
    """AIQ of the cost-weight sweep of out-of-fold predictions (cost already divided by each
    fold router's cost scale), over the single models' cost range on these rows."""
    curve = cost_weight_sweep(q, c_scaled, quality, cost, default_cost_weights(), 1.0)
    mc = cost.mean(axis=0)
    return aiq(curve["mean_cost"], curve["quality"], float(mc.min()), float(mc.max()))


def _member_oof(X: np.ndarray, Q: np.ndarray, C: np.ndarray, folds: np.ndarray, keys: np.ndarray | None,
                grid: dict[str, dict[str, Callable[[], Any]]], strength: float) -> tuple[dict[str, Any], np.ndarray,
                                                                                      np.ndarray | None]:
    """Per member: out-of-fold predicted quality (``raw``) and, with groups, out-of-fold
    predicted residuals of a member trained on residuals (``residual``); the out-of-fold cost
    predictions / cost scale; and each row's group prior from its training folds."""
    from ..routers.learned import group_priors
    from ..routers.predictors import KNNRouter

    n, m = Q.shape
    preds: dict[str, dict[str, np.ndarray]] = {}
    c_oof = np.zeros((n, m))
    prior = None if keys is None else np.zeros((n, m))
    for f in np.unique(folds):
        tr, te = folds != f, folds == f
        cost_model = KNNRouter(k=1).fit(X[tr], Q[tr], C[tr])  # the ridge cost model every router shares
        c_oof[te] = cost_model.predict_cost(X[te]) / cost_model.cost_scale_
        targets = {"raw": Q[tr]}
        if keys is not None and prior is not None:
            priors, _ = group_priors(Q[tr], keys[tr], strength)
            overall = Q[tr].mean(axis=0)
            prior[te] = np.stack([priors.get(str(k), overall) for k in keys[te]])
            p_tr = np.stack([priors[str(k)] for k in keys[tr]])
            targets["residual"] = (Q[tr] - p_tr + 1.0) / 2.0
        for family in grid.values():
            for name, make in family.items():
                d = preds.setdefault(name, {t: np.zeros((n, m)) for t in targets})
                for target, T in targets.items():
                    out = make().fit(X[tr], T).predict_quality(X[te])
                    d[target][te] = out if target == "raw" else 2.0 * out - 1.0
    return preds, c_oof, prior


def _candidates(preds: dict[str, Any], Q: np.ndarray, C: np.ndarray, c_oof: np.ndarray, prior: np.ndarray | None,
                grid: dict[str, dict[str, Callable[[], Any]]]) -> pd.DataFrame:
    rows = []
    best_of = {}
    for fam, members in grid.items():  # each family's best configuration, alone
        scores = {name: oof_aiq(preds[name]["raw"], c_oof, Q, C) for name in members}
        best_of[fam] = max(scores, key=lambda k: scores[k])
        rows += [{"members": (name,), "groups": False, "AIQ": a, "kind": "member"} for name, a in scores.items()]
    if prior is not None:
        rows.append({"members": (), "groups": True, "AIQ": oof_aiq(prior, c_oof, Q, C), "kind": "task identity"})
    chosen = list(best_of.values())
    for r in range(1, len(chosen) + 1):
        for combo in itertools.combinations(chosen, r):
            q = np.mean([preds[n]["raw"] for n in combo], axis=0)
            rows.append({"members": combo, "groups": False, "AIQ": oof_aiq(q, c_oof, Q, C), "kind": "ensemble"})
            if prior is not None:
                res = np.mean([preds[n]["residual"] for n in combo], axis=0)
                y = Q - prior
                den = float((res * res).sum())
                auto = min(max(float((res * y).sum()) / den, 0.0), 1.0) if den > 0 else 0.0
                for a, label in [*((w, w) for w in RESIDUAL_WEIGHTS), (auto, "auto")]:
                    rows.append({"members": combo, "groups": True, "kind": "ensemble", "residual_weight": label,
                                 "a": a, "AIQ": oof_aiq(np.clip(prior + a * res, 0.0, 1.0), c_oof, Q, C)})
    return pd.DataFrame(rows).sort_values("AIQ", ascending=False, ignore_index=True)


def _inner_select(X: np.ndarray, Q: np.ndarray, C: np.ndarray, keys: np.ndarray | None, inner_k: int, seed: int,
                  grid: dict[str, dict[str, Callable[[], Any]]]) -> pd.DataFrame:
    strat = keys if keys is not None else np.zeros(len(Q))
    folds = stratified_folds(strat, inner_k, seed)
    preds, c_oof, prior = _member_oof(X, Q, C, folds, keys, grid, 20.0)
    return _candidates(preds, Q, C, c_oof, prior, grid)


def _build(members: Sequence[str], grid: dict[str, dict[str, Callable[[], Any]]]) -> Any:
    from ..routers.predictors import EnsembleRouter

    makers = {name: make for fam in grid.values() for name, make in fam.items()}
    return EnsembleRouter([makers[n]() for n in members])


def select_router(X: np.ndarray, table: OutcomeTable, groups: Any = None, inner_k: int = 3, outer_k: int = 0,
                  seeds: Sequence[int] = (0,), grid: dict[str, dict[str, Callable[[], Any]]] | None = None
                  ) -> Selection:
    """Nested-CV choice of a router for ``table`` (training rows only: pass the training split).

    ``groups``: one label per row (e.g. ``table.prompts["benchmark"]``) to also try the group
    prior; ``outer_k`` >= 2 adds the outer CV, repeated for each of ``seeds``. The inner
    selection on all rows (seed ``seeds[0]``) gives the choice."""
    from ..routers.learned import group_keys

    if X.shape[0] != len(table):
        raise InvalidRequestError(f"X has {X.shape[0]} rows, the table {len(table)}")
    g = grid or MEMBER_GRID()
    keys = group_keys(groups, len(table))
    Q, C = table.quality, table.cost
    inner = _inner_select(X, Q, C, keys, inner_k, seeds[0], g)
    best = inner[inner["kind"] == "ensemble"].iloc[0]
    outer_rows = []
    if outer_k >= 2:
        for seed in seeds:
            folds = stratified_folds(keys if keys is not None else np.zeros(len(Q)), outer_k, seed)
            q_oof, c_oof = np.zeros_like(Q), np.zeros_like(Q)
            for f in range(outer_k):
                tr, te = folds != f, folds == f
                kin = None if keys is None else keys[tr]
                cand = _inner_select(X[tr], Q[tr], C[tr], kin, inner_k, seed, g)
                pick = cand[cand["kind"] == "ensemble"].iloc[0]
                r = _build(pick["members"], g)
                if pick["groups"]:
                    r.set_params(residual_weight=pick["residual_weight"])
                r.fit(X[tr], Q[tr], C[tr], table.models, groups=kin if pick["groups"] else None)
                q_oof[te] = r.predict_quality(X[te], keys[te] if pick["groups"] and keys is not None else None)
                c_oof[te] = r.predict_cost(X[te]) / r.cost_scale_
                outer_rows.append({"seed": seed, "fold": f, "members": " + ".join(pick["members"]),
                                   "groups": bool(pick["groups"]), "inner_AIQ": float(pick["AIQ"])})
            a = oof_aiq(q_oof, c_oof, Q, C)
            for row in outer_rows[-outer_k:]:
                row["outer_AIQ"] = a
    return Selection(members=tuple(best["members"]), groups=bool(best["groups"]), inner=inner,
                     outer=pd.DataFrame(outer_rows),
                     residual_weight=best.get("residual_weight") if bool(best["groups"]) else None)

"""Evaluating learned cascades (:class:`~routerlab.routers.cascade_policy.CascadePolicy`) on
outcome tables with recorded answers, the same way the router table does.

- :func:`candidate_steps`: cascades built from a training table alone (no model names): the
  strongest model last, before it the ``k`` best cheap models (mean cost at most ``cheap_share``
  of the strongest's), cheapest first, with and without the cheapest model of all leading.
  Works on any table, so the defaults travel.
- :func:`select_steps`: picks among candidates by inner k-fold AIQ on the training rows.
- :func:`cascade_curve`: a fitted policy's cost-weight sweep as (mean_cost, quality) rows for
  :func:`~routerlab.evaluation.runs.routerbench_table`, plus the per-prompt arrays.
- :func:`curve_bootstrap`: bootstrap CIs of AIQ and of the best quality within a cost budget,
  choices fixed and prompts resampled.
- :func:`escalation_errors`: the policy read as a verifier (accept = answer without the last,
  strongest step), scored against the truth with :func:`~routerlab.routers.cascade.verifier_errors`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import InvalidRequestError
from ..routers.cascade import verifier_errors
from ..routers.cascade_policy import CascadePolicy, default_weights
from .metrics import aiq, bootstrap_ci

if TYPE_CHECKING:
    from ..datasets.table import OutcomeTable

__all__ = ["candidate_steps", "select_steps", "select_policy", "inner_aiq", "cascade_curve", "curve_bootstrap", "escalation_errors",
           "best_within"]


def candidate_steps(train: OutcomeTable, ks: Sequence[int] = (2, 3), cheap_share: float = 0.1
                    ) -> list[list[str]]:
    """Cascades from the training table: the ``k`` best cheap models (cheapest first), then the best model."""
    q, c = train.quality.mean(axis=0), np.nan_to_num(train.cost.mean(axis=0))
    top = int(q.argmax())
    cheap = [j for j in np.argsort(-q) if j != top and c[j] <= cheap_share * c[top]]
    if not cheap:
        raise InvalidRequestError(f"no model costs at most {cheap_share:g} of {train.models[top]}'s mean cost")
    cheapest = int(np.argmin(c))
    out = []
    for k in ks:
        for lead in ([], [cheapest]):  # the cheapest model first: the curve then starts where the singles do
            pick = sorted(set(lead) | set(cheap[:k]), key=lambda j: c[j])
            steps = [train.models[j] for j in pick] + [train.models[top]]
            if steps not in out:
                out.append(steps)
    return out


def _agree_rows(agree: np.ndarray | None, rows: np.ndarray) -> np.ndarray | None:
    return None if agree is None else agree[rows]


def inner_aiq(train: OutcomeTable, k: int = 3, seed: int = 0, agree: np.ndarray | None = None,
              X: np.ndarray | None = None, group_by: str | None = None, **policy_kw: Any) -> tuple[float, float]:
    """Mean and sd over ``k`` inner folds of ``train`` of the AIQ of ``CascadePolicy(**policy_kw)``."""
    folds = np.random.default_rng(seed).permutation(len(train)) % k
    scores = []
    for f in range(k):
        fit_rows, val_rows = np.flatnonzero(folds != f), np.flatnonzero(folds == f)
        p = CascadePolicy(**policy_kw).fit_table(train.select(fit_rows), X=_agree_rows(X, fit_rows),
                                                 agree=_agree_rows(agree, fit_rows), group_by=group_by)
        curve, _ = cascade_curve(p, train.select(val_rows), _agree_rows(agree, val_rows),
                                 X=_agree_rows(X, val_rows), group_by=group_by)
        mc = train.cost[val_rows].mean(axis=0)
        scores.append(aiq(curve["mean_cost"], curve["quality"], float(mc.min()), float(mc.max())))
    return float(np.mean(scores)), float(np.std(scores))


def select_steps(train: OutcomeTable, candidates: Sequence[Sequence[str]], k: int = 3, seed: int = 0,
                 agree: np.ndarray | None = None, **policy_kw: Any) -> tuple[list[str], pd.DataFrame]:
    """The candidate with the best mean inner k-fold AIQ on ``train`` (and the per-candidate scores)."""
    rows = []
    for steps in candidates:
        m, sd = inner_aiq(train, k, seed, agree, steps=list(steps), **policy_kw)
        rows.append({"steps": " -> ".join(steps), "inner AIQ": m, "sd": sd})
    df = pd.DataFrame(rows)
    return list(candidates[int(df["inner AIQ"].to_numpy().argmax())]), df


def select_policy(train: OutcomeTable, options: Sequence[dict[str, Any]], k: int = 3, seed: int = 0,
                  agree: np.ndarray | None = None, X: np.ndarray | None = None, group_by: str | None = None,
                  **fixed: Any) -> tuple[dict[str, Any], pd.DataFrame]:
    """The option (a dict of :class:`CascadePolicy` parameters, e.g. ``{"step0": True}``) with
    the best mean inner k-fold AIQ on ``train``, and every option's score."""
    rows = []
    for opt in options:
        m, sd = inner_aiq(train, k, seed, agree, X, group_by, **{**fixed, **opt})
        rows.append({**{kk: repr(v) for kk, v in opt.items()}, "inner AIQ": m, "sd": sd})
    df = pd.DataFrame(rows)
    return dict(options[int(df["inner AIQ"].to_numpy().argmax())]), df


def cascade_curve(policy: CascadePolicy, table: OutcomeTable, agree: np.ndarray | None = None,
                  weights: np.ndarray | None = None, X: np.ndarray | None = None, group_by: str | None = None
                  ) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """(curve with cost_weight, quality, mean_cost; the (W, n) per-prompt arrays of ``simulate``)."""
    if table.responses is None:
        raise InvalidRequestError(f"{table.name} has no recorded answers (responses)")
    w = default_weights() if weights is None else np.asarray(weights, dtype=float)
    groups = None if group_by is None else table.prompts[group_by].astype(str).to_numpy(dtype=object)
    sim = policy.simulate(X, table.quality, table.cost, responses=table.responses,
                          texts=table.prompts["text"].tolist(), weights=w, agree=agree, groups=groups)
    curve = pd.DataFrame({"cost_weight": w, "quality": sim["quality"].mean(axis=1), "mean_cost": sim["cost"].mean(axis=1)})
    return curve, sim


def best_within(cost: np.ndarray, quality: np.ndarray, budget: float) -> float:
    """Best mean quality among operating points whose mean cost is within ``budget`` (NaN if none)."""
    ok = np.asarray(cost) <= budget
    return float(np.asarray(quality)[ok].max()) if ok.any() else float("nan")


def curve_bootstrap(sim: dict[str, np.ndarray], table: OutcomeTable, reference: str, n_boot: int = 500,
                    budgets: Sequence[float] = (0.15, 0.5), seed: int = 0) -> pd.DataFrame:
    """95% bootstrap CIs (prompts resampled, choices fixed) of the curve's AIQ (over the single
    models' cost range of each resample), and of its best quality within each budget (a share
    of ``reference``'s mean cost on the resample), beside the reference's own quality."""
    Qs, Cs = sim["quality"], sim["cost"]
    r = table.model_index(reference)

    def aiq_of(idx: np.ndarray) -> float:
        mc = table.cost[idx].mean(axis=0)
        return aiq(Cs[:, idx].mean(axis=1), Qs[:, idx].mean(axis=1), float(mc.min()), float(mc.max()))

    def ref_quality(idx: np.ndarray) -> float:
        return float(table.quality[idx, r].mean())

    def within(b: float) -> Callable[[np.ndarray], float]:
        def stat(idx: np.ndarray) -> float:
            return best_within(Cs[:, idx].mean(axis=1), Qs[:, idx].mean(axis=1), b * float(table.cost[idx, r].mean()))
        return stat

    stats: dict[str, Callable[[np.ndarray], float]] = {"AIQ": aiq_of, f"{reference} quality": ref_quality}
    for b in budgets:
        stats[f"best quality at <= {b:.0%} of its cost"] = within(b)
    rows = []
    for name, fn in stats.items():
        p, lo, hi = bootstrap_ci(fn, len(table), n_boot=n_boot, seed=seed)
        rows.append({"statistic": name, "estimate": p, "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows)


def escalation_errors(sim: dict[str, np.ndarray], table: OutcomeTable, weight_index: int) -> dict[str, float]:
    """The policy read as a verifier at one cost weight: it *accepts* when it stops before the
    last (strongest) step; the answer judged is the one it held when it decided (its pick at the
    step it stopped at, or at the step before the last when it escalated)."""
    K = sim["picks"].shape[1]
    step = sim["step"][weight_index]
    entered = step >= 0  # prompts step 0 sent straight to one model were never verified
    held = sim["picks"][np.arange(len(table)), np.clip(step, 0, K - 2)]
    correct = table.quality[np.arange(len(table)), held] >= 0.5
    out = verifier_errors((step < K - 1)[entered], correct[entered])
    out["entered_share"] = float(entered.mean())
    return out

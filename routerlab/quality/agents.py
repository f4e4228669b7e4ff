"""Agent-level routing on a recorded outcome table (SWE-bench bash-only: 500 instances x models,
whole agent runs): the 95% rule with paired comparisons, the oracle's headroom, what a router
that knows only the repository gets of it, and cascades costed with the recorded per-instance
costs.

Every model ran on the same instances, so comparisons are paired: McNemar's exact test on the
instances where exactly one of two models succeeded, and a paired bootstrap (one resample of
instances shared by all models) for the rule's bound on ``rate - share x best rate``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..datasets.table import OutcomeTable
from ..errors import InvalidRequestError
from ..evaluation.intervals import mcnemar, paired_bootstrap, proportion_interval
from ..evaluation.metrics import oracle_choice
from ..evaluation.runs import out_of_fold, stratified_folds
from ..routers.calibrate import CalibrationResult
from .rule import relative_rule

__all__ = ["AgentRule", "agent_rule", "rule_by_group", "oracle_headroom", "group_router", "agent_cascade",
           "cascade_table", "CASCADE_NOTE"]

CASCADE_NOTE = ("The cascade escalates exactly when the cheap agent failed, as judged by SWE-bench's hidden tests: "
                "a real agent needs its own signal of failure (tests it can run, a verifier), and every false "
                "'done' it accepts lowers the rate below this figure.")


@dataclass
class AgentRule:
    """``table``: one row per model (rate, interval, mean cost, paired bound and test vs the best);
    ``chosen``: the rule's pick from independent Wilson bounds (calibrate's path); ``paired_chosen``:
    the pick when the bound is the paired bootstrap's on ``rate - share x best``."""

    best: str
    chosen: str | None
    paired_chosen: str | None
    table: pd.DataFrame
    calibration: CalibrationResult
    share: float
    n: int


def _best_index(q: np.ndarray, c: np.ndarray) -> int:
    rate, cost = q.mean(axis=0), np.nan_to_num(c.mean(axis=0), nan=np.inf)
    return int(np.lexsort((cost, -rate))[0])  # highest rate, then cheaper


def agent_rule(table: OutcomeTable, share: float = 0.95, confidence: float = 0.95, n_boot: int = 2000,
               seed: int = 0) -> AgentRule:
    """The 95% rule on ``table`` (0/1 quality): see :class:`AgentRule`."""
    q, c = table.quality, table.cost
    if len(table) == 0:
        raise InvalidRequestError(f"{table.name}: no rows")
    n = len(table)
    b = _best_index(q, c)
    res = relative_rule(table.models, q.sum(axis=0).tolist(), n, np.nanmean(c, axis=0).tolist(), share, confidence)
    diffs = paired_bootstrap(lambda w: w @ q - share * (w @ q[:, b])[:, None], n, n_boot, seed)
    plow = np.quantile(diffs, 1 - confidence, axis=0)
    lo, hi = proportion_interval(q.sum(axis=0), n, confidence)
    test = mcnemar(q, q[:, b])
    t = pd.DataFrame({
        "model": table.models, "n": n, "resolved": q.sum(axis=0).astype(int), "rate": q.mean(axis=0),
        "low": lo, "high": hi, "lower_bound": res.table["lower_bound"].to_numpy(),
        "cost_per_instance": np.nanmean(c, axis=0), "qualifies": res.table["qualifies"].to_numpy(),
        "paired_lower": plow, "paired_qualifies": plow >= 0,
        "only_model": test["only_a"], "only_best": test["only_b"], "mcnemar_p": test["p_value"],
    })
    info = table.meta.get("models")
    if isinstance(info, pd.DataFrame) and "date" in info:  # every number with its benchmark, date and source
        t["date"] = t["model"].map(dict(zip(info["model"], info["date"], strict=True)))
    t["benchmark"], t["source"] = table.meta.get("benchmark", table.name), table.origin
    ok = t[t["paired_qualifies"]].sort_values("cost_per_instance")
    return AgentRule(best=table.models[b], chosen=res.chosen, paired_chosen=str(ok["model"].iloc[0]) if len(ok) else None,
                     table=t, calibration=res, share=share, n=n)


def rule_by_group(table: OutcomeTable, share: float = 0.95, confidence: float = 0.95, n_boot: int = 1000,
                  seed: int = 0) -> pd.DataFrame:
    """:func:`agent_rule` per ``benchmark`` (the repository, on SWE-bench), largest first, then overall."""
    rows = []
    groups = list(table.prompts["benchmark"].value_counts().index) + [None]
    for g in groups:
        sub = table if g is None else table.benchmark(g)
        r = agent_rule(sub, share, confidence, n_boot, seed)
        t = r.table.set_index("model")
        pick = r.paired_chosen

        def cell(model: str | None, col: str, t: pd.DataFrame = t) -> Any:
            return t.loc[model, col] if model is not None else np.nan
        rows.append({"group": g or "all", "n": r.n, "best": r.best, "best_rate": t.loc[r.best, "rate"],
                     "best_cost": t.loc[r.best, "cost_per_instance"], "chosen": r.chosen,
                     "chosen_rate": cell(r.chosen, "rate"), "chosen_cost": cell(r.chosen, "cost_per_instance"),
                     "paired_chosen": pick, "paired_rate": cell(pick, "rate"),
                     "paired_cost": cell(pick, "cost_per_instance"), "paired_mcnemar_p": cell(pick, "mcnemar_p")})
    return pd.DataFrame(rows)


def oracle_headroom(table: OutcomeTable) -> dict[str, Any]:
    """The best single model vs the oracle (per instance the cheapest model that succeeded; where
    none did, the cheapest model): rates, mean costs, and the headroom in points."""
    q, c = table.quality, table.cost
    b = _best_index(q, c)
    pick = oracle_choice(q, c)
    rows = np.arange(len(table))
    return {"best": table.models[b], "best_rate": float(q[:, b].mean()), "best_cost": float(np.nanmean(c[:, b])),
            "oracle_rate": float(q.max(axis=1).mean()), "oracle_cost": float(np.nanmean(c[rows, pick])),
            "headroom_points": 100 * float(q.max(axis=1).mean() - q[:, b].mean()),
            "unsolved": int((q.max(axis=1) == 0).sum()), "n": len(table),
            "oracle_models": pd.Series(np.array(table.models)[pick]).value_counts().to_dict()}


def _group_pick(q: np.ndarray, c: np.ndarray, groups: np.ndarray, rows: np.ndarray, fallback: int) -> dict[Any, int]:
    out = {}
    for g in np.unique(groups[rows]):
        r = rows[groups[rows] == g]
        out[g] = _best_index(q[r], c[r])
    out[None] = fallback
    return out


def group_router(table: OutcomeTable, k: int = 5, seed: int = 0) -> pd.DataFrame:
    """A router that knows only each prompt's ``benchmark`` (the repository): per repository, the
    model with the best rate on the training rows (ties: cheaper). In-sample and out-of-fold
    (``k`` folds stratified by repository; a repository unseen in training gets the best single
    model), with the share of the oracle's headroom each gets."""
    q, c = table.quality, table.cost
    groups = table.prompts["benchmark"].to_numpy()
    head = oracle_headroom(table)
    best = table.models.index(head["best"])
    every = np.arange(len(table))
    picks = _group_pick(q, c, groups, every, best)
    ins = np.array([picks[g] for g in groups])

    def fit_predict(tr: np.ndarray, te: np.ndarray) -> np.ndarray:
        p = _group_pick(q, c, groups, tr, _best_index(q[tr], c[tr]))
        return np.array([p.get(g, p[None]) for g in groups[te]], dtype=float)

    oof = out_of_fold(stratified_folds(groups, k, seed), fit_predict).astype(int)
    rows = []
    for name, choice in (("repository router (in-sample)", ins), (f"repository router ({k}-fold)", oof)):
        rate, cost = float(q[every, choice].mean()), float(np.nanmean(c[every, choice]))
        share = (rate - head["best_rate"]) / (head["oracle_rate"] - head["best_rate"])
        rows.append({"router": name, "rate": rate, "cost_per_instance": cost, "share_of_headroom": share,
                     "models_used": len(set(choice.tolist()))})
    rows.insert(0, {"router": f"best single ({head['best']})", "rate": head["best_rate"],
                    "cost_per_instance": head["best_cost"], "share_of_headroom": 0.0, "models_used": 1})
    rows.append({"router": "oracle", "rate": head["oracle_rate"], "cost_per_instance": head["oracle_cost"],
                 "share_of_headroom": 1.0, "models_used": len(head["oracle_models"])})
    return pd.DataFrame(rows)


def agent_cascade(table: OutcomeTable, chain: Sequence[str]) -> dict[str, Any]:
    """Run ``chain[0]``'s agent; where it failed, run the next; ... Cost is the sum of the
    recorded costs of every agent run (a failed run is paid for). See :data:`CASCADE_NOTE`."""
    if len(chain) < 1:
        raise InvalidRequestError("a cascade needs at least one model")
    cols = [table.model_index(m) for m in chain]
    q, c = table.quality[:, cols], np.nan_to_num(table.cost[:, cols])
    solved_before = np.cumsum(q, axis=1) - q  # how many earlier stages solved it (0 = still running)
    ran = np.c_[np.ones(len(table), bool), (solved_before[:, 1:] == 0)]
    cost = (c * ran).sum(axis=1)
    rate = float(q.max(axis=1).mean())
    return {"chain": " -> ".join(chain), "rate": rate, "cost_per_instance": float(cost.mean()),
            "escalated": float(ran[:, 1:].any(axis=1).mean()) if len(chain) > 1 else 0.0,
            "last_alone_rate": float(q[:, -1].mean()), "last_alone_cost": float(c[:, -1].mean())}


def cascade_table(table: OutcomeTable, strong: str | None = None, cheap: Sequence[str] | None = None) -> pd.DataFrame:
    """Two-stage cascades ``cheap -> strong`` (default strong: the best single model; default
    cheap: every model cheaper than it), sorted by cost, with the strong model alone first."""
    head = oracle_headroom(table)
    strong = strong or head["best"]
    mean_cost = pd.Series(np.nanmean(table.cost, axis=0), index=table.models)
    cheap = list(cheap) if cheap is not None else [m for m in table.models if mean_cost[m] < mean_cost[strong]]
    rows = [agent_cascade(table, [strong])] + [agent_cascade(table, [m, strong]) for m in cheap]
    df = pd.DataFrame(rows)
    df["rate_gain_points"] = 100 * (df["rate"] - df["last_alone_rate"])
    df["cost_x_strong"] = df["cost_per_instance"] / df["last_alone_cost"]
    return df.sort_values("cost_per_instance").reset_index(drop=True)

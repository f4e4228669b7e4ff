"""The orchestrator pattern, measured: Aider's architect runs, where a planner model hands each
edit to an editor model, set beside the planner working alone on the same exercises.

Per pair: pass rate (``pass_2``, Aider's headline) with its interval, cost per exercise, seconds
per exercise, and the difference to the planner alone with an interval. Aider publishes
aggregates only, so the difference interval treats the two runs as independent samples
(Newcombe); a paired test would need per-exercise results. A pair "reaches the planner alone at
lower cost" when its pass rate is at least the planner's and its recorded cost is lower; whether
the difference is more than noise is in ``diff_low`` / ``diff_high``.
"""

from __future__ import annotations

import pandas as pd

from ..errors import DatasetError
from ..evaluation.intervals import difference_interval, proportion_interval

__all__ = ["architect_pairs", "planner_of"]


def planner_of(row: pd.Series) -> str:
    """The planner's label: ``model`` in architect.yml; the part before `` + `` on polyglot."""
    label = str(row["model"])
    return label.split(" + ")[0].strip() if row["architect"] and " + " in label else label


def architect_pairs(runs: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """One row per architect run with a planner-alone baseline on the same board; ``runs`` is
    :func:`routerlab.datasets.load_aider`'s frame (``"architect"`` or ``"polyglot"``)."""
    if "architect" not in runs.columns:
        raise DatasetError("architect_pairs needs load_aider()'s frame (column 'architect')")
    runs = runs.assign(planner=runs.apply(planner_of, axis=1))
    alone = runs[~runs["architect"]].sort_values("date").groupby("planner").tail(1).set_index("planner")
    pairs = runs[runs["architect"] & runs["planner"].isin(alone.index)].copy()
    if pairs.empty:
        return pd.DataFrame()
    base = alone.loc[pairs["planner"]]
    lo, hi = proportion_interval(pairs["passed_2"].astype(float), pairs["n"], confidence)
    blo, bhi = proportion_interval(base["passed_2"].astype(float), base["n"], confidence)
    dlo, dhi = difference_interval(pairs["passed_2"].astype(float).to_numpy(), pairs["n"].to_numpy(),
                                   base["passed_2"].astype(float).to_numpy(), base["n"].to_numpy(), confidence)
    out = pd.DataFrame({
        "benchmark": pairs["benchmark"].to_numpy(), "run": pairs["run"].to_numpy(), "planner": pairs["planner"].to_numpy(),
        "editor": (pairs["editor_model"].astype(str) + " (" + pairs["editor_edit_format"].fillna("?").astype(str)
                   + ")").to_numpy(),
        "pass_2": pairs["pass_2"].to_numpy(), "low": lo, "high": hi, "n": pairs["n"].to_numpy(),
        "cost_per_case": pairs["cost_per_case"].to_numpy(), "seconds_per_case": pairs["seconds_per_case"].to_numpy(),
        "alone_pass_2": base["pass_2"].to_numpy(), "alone_low": blo, "alone_high": bhi, "alone_n": base["n"].to_numpy(),
        "alone_cost_per_case": base["cost_per_case"].to_numpy(),
        "alone_seconds_per_case": base["seconds_per_case"].to_numpy(),
        "diff_points": 100 * (pairs["pass_2"].to_numpy() - base["pass_2"].to_numpy()),
        "diff_low": 100 * dlo, "diff_high": 100 * dhi,
        "date": pairs["date"].to_numpy(), "alone_date": base["date"].to_numpy(), "source": pairs["source"].to_numpy(),
    })
    out["cost_ratio"] = out["cost_per_case"] / out["alone_cost_per_case"]
    out["reaches_alone_cheaper"] = (out["pass_2"] >= out["alone_pass_2"]) & (out["cost_ratio"] < 1)
    out["small_baseline"] = out["alone_n"] < out["n"]  # o1-mini alone ran 36 of the 133 exercises
    return out.sort_values(["planner", "cost_per_case"]).reset_index(drop=True)

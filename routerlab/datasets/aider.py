"""Aider's code-editing leaderboards: pass rates, cost and time per run, architect/editor pairs.

Three boards (``quality/aider/`` in the mirror), one frame shape:

- ``"architect"``: Sep 2024, 133 Python exercises; a planner ("architect") hands each edit to
  an editor model, plus single-model baselines. Do not set its rates beside polyglot ones.
- ``"polyglot"``: Dec 2024 - Oct 2025, 225 exercises in six languages; current models.
- ``"edit"``: Nov 2023 - Dec 2024, the 133 Python exercises.

Rates are fractions (Aider publishes percent): ``pass_2`` is solved within two tries (the second
sees the failing tests; Aider's headline), ``pass_1`` the first try. ``n`` is ``test_cases``.
``total_cost`` (USD, the whole run) is NaN where Aider recorded 0 or nothing: not free, unknown.
``seconds_per_case`` is wall-clock per exercise including queueing and test runs: rank by it,
do not read it as latency. ``model`` is Aider's free-text label; ``run`` (``dirname``) names a run.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .._numbers import to_float
from ..errors import DatasetError, InvalidRequestError
from ._read import DataDir, read_yaml, source_label
from .aliases import catalog_ids

__all__ = ["load_aider", "AIDER_BOARDS"]

AIDER_BOARDS = {
    "architect": ("quality/aider/architect.yml", "aider-architect (133 Python exercises)"),
    "polyglot": ("quality/aider/polyglot_leaderboard.yml", "aider-polyglot (225 exercises)"),
    "edit": ("quality/aider/edit_leaderboard.yml", "aider-edit (133 Python exercises)"),
}
COLUMNS = ["benchmark", "run", "model", "catalog_id", "variant", "editor_model", "editor_catalog_id", "architect",
           "edit_format", "editor_edit_format", "reasoning_effort", "n", "pass_1", "pass_2", "passed_1", "passed_2",
           "total_cost", "cost_per_case", "seconds_per_case", "date", "command", "source"]


def _num(v: object) -> float:
    return to_float(v, math.nan)


def load_aider(board: str = "polyglot", data_dir: DataDir = None, quiet: bool = False) -> pd.DataFrame:
    """One row per run of ``board`` (``"architect"``, ``"polyglot"`` or ``"edit"``); see the module doc."""
    if board not in AIDER_BOARDS:
        raise InvalidRequestError(f"board must be one of {sorted(AIDER_BOARDS)}, got {board!r}")
    key, benchmark = AIDER_BOARDS[board]
    raw = read_yaml(key, data_dir, quiet=quiet)
    if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
        raise DatasetError(f"{key}: expected a list of runs")
    missing = [i for i, r in enumerate(raw) if not {"dirname", "model", "test_cases", "pass_rate_2"} <= set(r)]
    if missing:
        raise DatasetError(f"{key}: runs {missing[:5]} lack dirname / model / test_cases / pass_rate_2")
    df = pd.DataFrame(raw)
    n = df["test_cases"].map(_num)
    out = pd.DataFrame({
        "benchmark": benchmark, "run": df["dirname"].astype(str), "model": df["model"].astype(str),
        "editor_model": df.get("editor_model", pd.Series(index=df.index, dtype=object)),
        "edit_format": df.get("edit_format"), "editor_edit_format": df.get("editor_edit_format"),
        "reasoning_effort": df.get("reasoning_effort"), "n": n.astype(int),
    })
    out["architect"] = out["editor_model"].notna()
    for k in (1, 2):
        rate = df[f"pass_rate_{k}"].map(_num) / 100 if f"pass_rate_{k}" in df else pd.Series(np.nan, index=df.index)
        counted = df[f"pass_num_{k}"].map(_num) if f"pass_num_{k}" in df else pd.Series(np.nan, index=df.index)
        # Aider's rates are rounded to 0.1 %: the count it printed wins, else rate x n rounded
        out[f"passed_{k}"] = counted.fillna((rate * n).round()).astype("Int64")
        out[f"pass_{k}"] = rate
    cost = df["total_cost"].map(_num) if "total_cost" in df else pd.Series(np.nan, index=df.index)
    out["total_cost"] = cost.where(cost > 0)  # 0 or missing: not recorded
    out["cost_per_case"] = out["total_cost"] / out["n"]
    out["seconds_per_case"] = df["seconds_per_case"].map(_num) if "seconds_per_case" in df else np.nan
    out["date"] = df["date"].astype(str)
    out["command"] = df.get("command")
    out["source"] = source_label(key)
    out["catalog_id"], out["variant"] = catalog_ids("aider", out["model"])
    out["editor_catalog_id"], _ = catalog_ids("aider", out["editor_model"])
    return out[COLUMNS]

"""SWE-bench bash-only board as an OutcomeTable: 500 Verified instances x the models run in one
scaffold (mini-swe-agent), with per-instance resolved, cost and model calls.

The prompt side is what the file has: the instance id and its repository (the id's prefix,
``django__django-11099`` -> ``django/django``); no issue text. ``benchmark`` is the repository,
so ``table.benchmark("django/django")`` and every per-benchmark metric work per repository.
``quality`` is 1 where resolved, ``cost`` the submitter's recorded USD for that instance at the
prices of its day, ``meta["api_calls"]`` the agent's model calls (same shape). Entries without
per-instance details are not in the matrix: ``meta["aggregate_only"]`` lists them with their
board totals. ``meta["models"]`` has one row per column (name, catalog id, date, board totals).
An entry whose per-instance resolved count disagrees with its own board total by more than one
instance (Claude 3.7 Sonnet: 51 resolved instances against a board 52.8 %) is left out of the
matrix unless ``keep_inconsistent=True`` and listed in ``meta["inconsistent"]``: its per-instance
record cannot be what the board scored.
Only compare within this board: the other boards use other scaffolds.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import DatasetError
from ._read import DataDir, read_json, source_label
from .aliases import catalog_ids
from .registry import get
from .table import OutcomeTable

__all__ = ["load_swebench_bash_only", "repository"]

_KEY = "quality/swe-bench-leaderboards/leaderboards.json"
BENCHMARK = "swe-bench-verified bash-only (mini-swe-agent)"


def repository(instance_id: str) -> str:
    """``astropy__astropy-12907`` -> ``astropy/astropy``."""
    owner, _, rest = instance_id.partition("__")
    return f"{owner}/{rest.rsplit('-', 1)[0]}" if rest else instance_id


def _board(raw: object, name: str) -> list[dict[str, Any]]:
    boards = raw.get("leaderboards") if isinstance(raw, dict) else None
    for b in boards or []:
        if isinstance(b, dict) and str(b.get("name", "")).lower() == name:
            return list(b.get("results") or [])
    raise DatasetError(f"{_KEY}: no leaderboard named {name!r}")


def load_swebench_bash_only(data_dir: DataDir = None, quiet: bool = False, *,
                            keep_inconsistent: bool = False) -> OutcomeTable:
    """The bash-only board's per-instance outcomes; see the module doc."""
    entries = _board(read_json(_KEY, data_dir, quiet=quiet), "bash-only")
    info: list[dict[str, Any]] = []
    full: list[tuple[dict[str, Any], dict[str, dict[str, Any]]]] = []
    for e in entries:
        details: dict[str, dict[str, Any]] = e.get("per_instance_details") or {}
        board = float(e["resolved"]) / 100 if e.get("resolved") is not None else np.nan
        row: dict[str, Any] = {"model": str(e["name"]), "date": e.get("date"), "folder": e.get("folder"),
               "board_resolved": board,
               "board_cost_usd": e.get("cost"), "instance_cost_usd": e.get("instance_cost"),
               "instance_calls": e.get("instance_calls"), "instances": len(details)}
        hits = sum(bool(v.get("resolved")) for v in details.values())
        row["instances_resolved"] = hits
        row["consistent"] = not details or abs(hits - board * len(details)) <= 1
        info.append(row)
        if details and (row["consistent"] or keep_inconsistent):
            full.append((row, details))
    if not full:
        raise DatasetError(f"{_KEY}: no bash-only entry has per_instance_details")
    ids = sorted(set.intersection(*(set(d) for _, d in full)))
    if len(ids) < max(len(d) for _, d in full):
        raise DatasetError(f"{_KEY}: bash-only entries cover different instances; expected the same 500")
    models = [str(r["model"]) for r, _ in full]
    shape = (len(ids), len(models))
    resolved, cost, calls = np.zeros(shape), np.full(shape, np.nan), np.full(shape, np.nan)
    for j, (_, d) in enumerate(full):
        for i, iid in enumerate(ids):
            rec = d[iid]
            resolved[i, j] = 1.0 if rec.get("resolved") else 0.0
            c, k = rec.get("cost"), rec.get("api_calls")
            cost[i, j] = float(c) if isinstance(c, int | float) else np.nan
            calls[i, j] = float(k) if isinstance(k, int | float) else np.nan
    repos = [repository(i) for i in ids]
    prompts = pd.DataFrame({"id": ids, "text": repos, "embed_text": repos, "split": "all", "benchmark": repos})
    frame = pd.DataFrame(info)
    frame["catalog_id"], frame["variant"] = catalog_ids("swe-bench", frame["model"])
    frame["benchmark"], frame["source"] = BENCHMARK, source_label(_KEY)
    in_matrix = frame["model"].isin(models)
    src = get(_KEY).source
    return OutcomeTable(
        name="swe_bench_bash_only", prompts=prompts, models=models, quality=resolved, cost=cost,
        origin=source_label(_KEY), licence=src.licence,
        meta={"api_calls": calls, "benchmark": BENCHMARK, "models": frame[in_matrix].reset_index(drop=True),
              "aggregate_only": frame[frame["instances"] == 0].reset_index(drop=True),
              "inconsistent": frame[(frame["instances"] > 0) & ~frame["consistent"]].reset_index(drop=True)},
    )

"""Measured whole combinations for a tier assignment: figures someone measured on a whole task,
set beside the per-tier evidence, never computed from it.

Three kinds, each row with its benchmark, n, interval, date and source:

- **architect + editor pair** (Aider): the orchestrator's model plans each edit and the coder's
  model applies it, the same split of work as the orchestrator and coder tiers. This is the
  only kind that measures the two tiers *together*; the planner-alone run on the same board
  rides along with the difference and its (independent-samples) interval.
- **whole agent on tau2-bench**: the orchestrator's model running a whole tau2 task alone, per
  domain, pass^1 and pass^4 with intervals (the task is the unit: n = the domain's tasks).
- **whole agent on SWE-bench bash-only**: the coder's model running mini-swe-agent alone on
  the 500 Verified instances.

The whole-agent rows are one model doing everything, not the routed mix: their ``scope`` says
so. No row multiplies per-step figures into a task success; an assignment with no row reads
:data:`~routerlab.readouts.NO_COMBINATION`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache

import pandas as pd

from ..catalog import Catalog
from ..datasets import load_aider
from ..datasets.swebench import BENCHMARK as SWE_BENCHMARK
from ..errors import InvalidRequestError
from ..evaluation.intervals import proportion_interval
from ..readouts import COMBINATION_COLUMNS, NO_COMBINATION, combination_readout, with_text
from ..tiers import TierMap
from .architect import architect_pairs
from .evidence import tier_evidence

__all__ = ["COMBINATION_COLUMNS", "NO_COMBINATION", "combination_table", "measured_combination"]

PAIR = "architect + editor pair"
TAU2 = "whole agent on tau2-bench"
SWE = "whole agent on SWE-bench bash-only"


def _pairs(data_dir: str | None) -> pd.DataFrame:
    parts = []
    for board in ("architect", "polyglot"):
        runs = load_aider(board, data_dir, quiet=True)
        mapped = runs[runs["architect"] & runs["catalog_id"].notna() & runs["editor_catalog_id"].notna()]
        if mapped.empty:
            continue
        alone = architect_pairs(runs).set_index("run")  # planner alone on the same board, where Aider ran it
        base = alone.reindex(mapped["run"])
        parts.append(pd.DataFrame({
            "kind": PAIR, "orchestrator": mapped["catalog_id"].to_numpy(), "coder": mapped["editor_catalog_id"].to_numpy(),
            "scope": "this planner + editor pair, as measured", "benchmark": mapped["benchmark"].to_numpy(),
            "group": ("editor edit format " + mapped["editor_edit_format"].fillna("?").astype(str)).to_numpy(),
            "metric": "pass_2 (two tries)",
            "label": (mapped["model"].astype(str) + " + " + mapped["editor_model"].astype(str)).to_numpy(),
            "successes": mapped["passed_2"].astype(float).to_numpy(), "n": mapped["n"].to_numpy(),
            "cost_per_task": mapped["cost_per_case"].to_numpy(),
            "alone_value": base["alone_pass_2"].to_numpy(), "alone_low": base["alone_low"].to_numpy(),
            "alone_high": base["alone_high"].to_numpy(), "diff_low": base["diff_low"].to_numpy(),
            "diff_high": base["diff_high"].to_numpy(), "alone_cost_per_task": base["alone_cost_per_case"].to_numpy(),
            "date": mapped["date"].to_numpy(), "source": mapped["source"].to_numpy(),
        }))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COMBINATION_COLUMNS)


def _whole_agents(data_dir: str | None) -> pd.DataFrame:
    ev = tier_evidence(data_dir=data_dir, calibration_tables=[])
    tau = ev[(ev["tier"] == "orchestrator") & (ev["metric"] == "pass^1")]  # per domain, not the pooled row
    tau = tau.assign(kind=TAU2, orchestrator=tau["catalog_id"], coder=None, benchmark="tau2-bench",
                     domain=tau["benchmark"].str.removeprefix("tau2-bench "),
                     scope="the orchestrator's model alone as the whole agent, not this routed mix")
    swe = ev[(ev["tier"] == "coder") & (ev["benchmark"] == SWE_BENCHMARK)]
    swe = swe.assign(kind=SWE, orchestrator=None, coder=swe["catalog_id"],
                     scope="the coder's model alone as the whole agent, not this routed mix")
    return pd.concat([tau, swe], ignore_index=True)


@lru_cache(maxsize=4)
def _table_cached(data_dir: str | None) -> pd.DataFrame:
    t = pd.concat([_pairs(data_dir), _whole_agents(data_dir)], ignore_index=True).reindex(columns=COMBINATION_COLUMNS)
    n = t["n"].astype(float)
    t["value"] = t["successes"].astype(float) / n
    t["low"], t["high"] = proportion_interval(t["successes"].astype(float), n)
    t["pass_4_low"], t["pass_4_high"] = proportion_interval(t["pass_4"].astype(float) * n, n)
    t["date"] = t["date"].astype(str)
    t = t.sort_values(["kind", "orchestrator", "coder", "group", "domain"], na_position="first").reset_index(drop=True)
    return with_text(t)  # formatted once: readouts only select rows


def combination_table(data_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Every measured combination whose models map to catalog ids (see the module doc and
    :data:`COMBINATION_COLUMNS`, then ``prefix`` / ``detail`` / ``text``, the readout's words);
    ``orchestrator`` / ``coder`` name the tier models a row needs (NA: any model in that tier)."""
    return _table_cached(None if data_dir is None else str(data_dir)).copy()


def measured_combination(assignment: TierMap | Mapping[str, str], data_dir: str | os.PathLike[str] | None = None,
                         table: pd.DataFrame | None = None) -> pd.DataFrame:
    """The measured whole-combination figures for ``assignment`` (a TierMap, or {tier: model}):
    the Aider architect/editor pair of (orchestrator, coder) where one maps, tau2 whole-agent
    runs of the orchestrator's model, SWE-bench bash-only runs of the coder's model; each row
    with ``text`` for a readout. Empty (and :data:`NO_COMBINATION` in every readout) when
    nothing was measured. ``table`` defaults to :func:`combination_table`."""
    if isinstance(assignment, TierMap):
        models = assignment.as_dict()
        catalog = assignment.catalog
    elif isinstance(assignment, Mapping):
        models, catalog = dict(assignment), Catalog.default()
    else:
        raise InvalidRequestError(f"assignment must be a TierMap or a {{tier: model}} mapping, got {type(assignment).__name__}")
    ids = {str(tier): catalog.get(str(model)).id for tier, model in models.items()}
    combos = combination_table(data_dir) if table is None else table
    out = combination_readout(combos, ids)
    return out.reset_index(drop=True)


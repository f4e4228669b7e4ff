"""Proxy evidence for the classifier tier: accuracy on public multiple-choice benchmarks from the
outcome tables the kit has, for the models they ran. A proxy, never the eval-set accuracy.

The classifier tier's rule is "the smallest model that reaches 95% on the project's eval set";
only a run on that set (``python data/evalset/run_calibration.py``, hosted models when their API
keys are set) can show it. What the tables here hold is the next best thing, and each row says so
in ``metric``: RouterBench ARC-Challenge and Winogrande (0/1 per prompt, every prompt carrying the
same five worked examples), RouteLLM's MMLU (14,037 prompts, contaminated ones removed) and
RouterArena's multiple-choice queries (``mcq_accuracy``). The models these tables ran are 2023-24
ones (gpt-3.5 / gpt-4-1106, Claude 1-2, Mixtral, claude-3-haiku, gemini-2.0-flash): none of them
is among today's classifier candidates, so those keep "no evidence". Rows whose model maps to no
catalog id (RouterArena's two) are kept with ``catalog_id`` NA and reported.
"""

from __future__ import annotations

import os
from functools import lru_cache

import numpy as np
import pandas as pd

from ..datasets import OutcomeTable, load_routellm_mmlu, load_routerarena_sub10, load_routerbench_zs
from ..datasets.aliases import catalog_ids
from ..evaluation.intervals import proportion_interval
from ..tiers import TierMap

__all__ = ["PROXY_METRIC", "PROXY_COLUMNS", "classifier_proxies"]

PROXY_METRIC = "accuracy (proxy: a public multiple-choice benchmark, not the routerlab eval set)"
PROXY_COLUMNS = ["tier", "catalog_id", "model", "classifier_choice", "benchmark", "metric", "successes", "n",
                 "value", "low", "high", "date", "source"]
#: RouterBench benchmark key -> the label its proxy rows carry
_ROUTERBENCH = {"arc-challenge": "RouterBench ARC-Challenge (5 worked examples in every prompt)",
                "winogrande": "RouterBench Winogrande (5 worked examples in every prompt)"}


def _rows(table: OutcomeTable, mask: np.ndarray, benchmark: str, alias_source: str, date: str) -> pd.DataFrame:
    q = table.quality[mask]
    names = pd.Series(table.models, dtype=object)
    cid, _ = catalog_ids(alias_source, names)
    return pd.DataFrame({"model": names, "catalog_id": cid, "benchmark": benchmark, "successes": q.sum(axis=0),
                         "n": int(mask.sum()), "date": date, "source": table.origin})


@lru_cache(maxsize=4)
def _proxies_cached(data_dir: str | None) -> pd.DataFrame:
    parts = []
    rb = load_routerbench_zs(data_dir, quiet=True)
    for key, label in _ROUTERBENCH.items():  # both splits: the split matters to routers, not to an accuracy
        parts.append(_rows(rb, (rb.prompts["benchmark"] == key).to_numpy(), label, "routerbench",
                           "not recorded in the table"))
    mmlu = load_routellm_mmlu(data_dir, quiet=True)
    parts.append(_rows(mmlu, np.ones(len(mmlu), bool), "RouteLLM MMLU (57 subjects)", "routellm",
                       "not recorded in the table"))
    arena = load_routerarena_sub10(data_dir, quiet=True)
    mcq = (arena.prompts["metric"] == "mcq_accuracy").to_numpy()
    parts.append(_rows(arena, mcq, "RouterArena sub10, multiple-choice queries", "routerarena",
                       "not recorded in the table"))
    out = pd.concat(parts, ignore_index=True)
    out["tier"], out["metric"] = "classifier", PROXY_METRIC
    out["value"] = out["successes"] / out["n"]
    out["low"], out["high"] = proportion_interval(out["successes"], out["n"])
    tiers = TierMap.default()
    choices = {m.id for m in tiers.choices("classifier")}
    out["classifier_choice"] = out["catalog_id"].isin(choices).astype(bool)
    return out[PROXY_COLUMNS]


def classifier_proxies(data_dir: str | os.PathLike[str] | None = None, only_choices: bool = False) -> pd.DataFrame:
    """One row per (model, benchmark) of the proxy tables (see the module doc), with a Wilson
    interval from its n; ``classifier_choice`` marks the catalog models the classifier tier may
    pick. ``only_choices=True`` keeps those alone."""
    out = _proxies_cached(None if data_dir is None else str(data_dir)).copy()
    return out[out["classifier_choice"]].reset_index(drop=True) if only_choices else out

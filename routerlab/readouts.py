"""Readout text for measured whole combinations (an Aider architect/editor pair, a whole-agent
tau2 or SWE-bench run) beside a tier assignment: what compare(), the demo and the playground
print under the per-tier evidence. Pure formatting and matching on a frame built by
``routerlab.quality.combination_table()``; nothing here derives a task success from per-step
figures."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["COMBINATION", "COMBINATION_COLUMNS", "MeasuredCombinations", "attached", "NO_COMBINATION", "combination_readout", "combination_lines", "with_text"]

NO_COMBINATION = "no measured combination"
#: The readout's index label of a measured-combination line (beside the tier names).
COMBINATION = "measured combination"
#: One row per measured figure; ``orchestrator`` / ``coder``: the catalog ids a row needs in
#: those tiers (NA: that tier does not matter to it).
COMBINATION_COLUMNS = ["kind", "orchestrator", "coder", "scope", "benchmark", "domain", "group", "metric", "label",
                       "value", "successes", "n", "low", "high", "pass_4", "pass_4_low", "pass_4_high",
                       "cost_per_task", "alone_value", "alone_low", "alone_high", "diff_low", "diff_high",
                       "alone_cost_per_task", "date", "source"]


@dataclass(frozen=True, eq=False)
class MeasuredCombinations:
    """A combination table as carried in a tier table's ``attrs["combinations"]``. pandas
    deep-copies ``attrs`` on every operation; a bare frame there made each filter of the tier
    table ~10x slower, so this holder is shared, not copied (treat ``frame`` as read-only)."""

    frame: pd.DataFrame

    def __deepcopy__(self, memo: dict[int, Any]) -> MeasuredCombinations:
        return self


def attached(table: pd.DataFrame) -> pd.DataFrame | None:
    """The combination frame a tier table carries (``tier_table()`` attaches one), else None."""
    held = table.attrs.get("combinations")
    if isinstance(held, MeasuredCombinations):
        return held.frame
    return held if isinstance(held, pd.DataFrame) else None


def _short(model: object) -> str:
    return str(model).split(":", 1)[-1]


def _known(v: object) -> bool:
    return v is not None and not pd.isna(v)  # type: ignore[call-overload]


def _prefix(r: Mapping[Any, Any]) -> str:
    if _known(r["orchestrator"]) and _known(r["coder"]):
        who = f"{_short(r['orchestrator'])} plans + {_short(r['coder'])} edits (this pair, measured)"
    else:
        model = r["orchestrator"] if _known(r["orchestrator"]) else r["coder"]
        who = f"{_short(model)} alone as the whole agent (not this routed mix)"
    return f"{who} on {r['benchmark']} ({r['group']})"


def _detail(r: Mapping[Any, Any]) -> str:
    where = f"{r['domain']} " if _known(r.get("domain")) else ""
    text = f"{where}{r['value']:.1%} [{r['low']:.1%}, {r['high']:.1%}] {r['metric']}"
    if _known(r.get("pass_4")):
        text += f", pass^4 {r['pass_4']:.1%} [{r['pass_4_low']:.1%}, {r['pass_4_high']:.1%}]"
    text += f", n={int(r['n'])}, {r['date']}"
    if _known(r.get("cost_per_task")):
        text += f", ${r['cost_per_task']:.3g} per task"
    if _known(r.get("alone_value")):
        text += (f"; {_short(r['orchestrator'])} alone {r['alone_value']:.1%} [{r['alone_low']:.1%}, "
                 f"{r['alone_high']:.1%}], difference [{r['diff_low']:+.1f}, {r['diff_high']:+.1f}] pts")
        if _known(r.get("alone_cost_per_task")):
            text += f" at ${r['alone_cost_per_task']:.3g} per task"
    return text


def _matches(combos: pd.DataFrame, models: Mapping[str, str]) -> np.ndarray:
    orch = combos["orchestrator"].astype(object).fillna("").to_numpy(dtype=str)
    coder = combos["coder"].astype(object).fillna("").to_numpy(dtype=str)
    need_o, need_c = orch != "", coder != ""
    return ((~need_o | (orch == str(models.get("orchestrator", ""))))
            & (~need_c | (coder == str(models.get("coder", "")))) & (need_o | need_c))


def with_text(combos: pd.DataFrame) -> pd.DataFrame:
    """``combos`` with ``prefix`` (who, on what), ``detail`` (the figure) and ``text`` columns."""
    records = combos.to_dict("records")
    prefix = [_prefix(r) for r in records]
    detail = [_detail(r) for r in records]
    return combos.assign(prefix=prefix, detail=detail, text=[f"{p}: {d}" for p, d in zip(prefix, detail, strict=True)])


def combination_readout(combos: pd.DataFrame, models: Mapping[str, str]) -> pd.DataFrame:
    """The rows of ``combos`` (``COMBINATION_COLUMNS``) that the assignment ``models``
    ({tier: catalog id}) realises: a pair needs both its orchestrator and its coder, a
    whole-agent run its one tier's model; with ``prefix``, ``detail`` and ``text``."""
    hit = combos[_matches(combos, models)]
    return hit if "text" in hit.columns else with_text(hit)


def combination_lines(combos: pd.DataFrame, models: Mapping[str, str]) -> list[str]:
    """One line per (who, benchmark, group): the domains of one tau2 setup share a line;
    ``[NO_COMBINATION]`` when nothing measured matches. Runs on every playground change, so it
    reads the text ``combination_table()`` formatted once."""
    hit = combination_readout(combos, models)
    if hit.empty:
        return [NO_COMBINATION]
    lines: dict[str, list[str]] = {}
    for p, d in zip(hit["prefix"], hit["detail"], strict=True):
        lines.setdefault(p, []).append(d)
    return [f"{p}: " + "; ".join(ds) for p, ds in lines.items()]

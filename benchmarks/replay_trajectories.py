"""The seed's arithmetic from the catalog, then what the real trajectories say.

    .venv/bin/python benchmarks/replay_trajectories.py

Part 1 re-does the seed's back-of-envelope: a 50-call agent task (bootstrapped from the real
trajectories' calls, ``synthetic_agent_task``) priced on the top model and on a small model
from the catalog, and its wall time at 3 s vs 0.5 s per call (and with the catalog's latency
profiles).

Part 2 replays each real workload (``routerlab.workloads``) as recorded, all on the top model,
and under a tier policy:

- orchestrator tier (plan, review, respond) -> claude-opus-4-5: decisions and what the user sees;
- coder tier (edit, test, run) -> claude-sonnet-4-5: changes that must be right, cheaper model;
- classifier tier (read, search, summarize) and vision -> claude-haiku-4-5: look-ups.

For Claude Code (which has sub-agents) also a per-agent policy: the main agent on the top
model, sub-agents on the small one. Tier policies run under simulate's default cache mode
(``cache="per-model"``: each model keeps its own cache of the agent's growing context) and
under both bounds: ``"same-model"`` (a hit lost at every model switch) and ``"recorded"``
(every recorded hit kept). What the modes mean, and how far apart they put a cache-heavy run,
is said once, in ``routerlab.simulate``'s docstring. Nothing here knows whether the cheaper
models would have succeeded: routed calls keep the recorded tokens and course of the run.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import numpy as np
import pandas as pd

from routerlab.catalog import Catalog
from routerlab.latency import LatencyModel
from routerlab.simulate import CACHE_DEFAULT, CANNOT_KNOW, simulate
from routerlab.types import Usage
from routerlab.workloads import load_all, synthetic_agent_task

TOP, MID, SMALL = "anthropic:claude-opus-4-5", "anthropic:claude-sonnet-4-5", "anthropic:claude-haiku-4-5"
TIERS = {"orchestrator": TOP, "coder": MID, "classifier": SMALL, "vision": SMALL}


def seed_arithmetic(cat: Catalog, lat: LatencyModel, workloads: dict) -> None:
    task = synthetic_agent_task(50, seed=0, workloads=workloads)
    f = task.frame
    print("== Seed arithmetic: a 50-call agent task ==")
    print(f"task: {task.notes[0]}")
    print(f"tokens: {f.input_tokens.sum():,} in ({f.cached_tokens.sum():,} cached), {f.output_tokens.sum():,} out; "
          f"median per call {int(f.input_tokens.median()):,} in / {int(f.output_tokens.median())} out")
    rows = []
    for model in (TOP, MID, SMALL, "openai:gpt-4o-mini"):
        info = cat.get(model)
        cost = sum(info.cost(Usage(int(a), int(b), int(c))) for a, b, c in
                   zip(f.input_tokens, f.output_tokens, f.cached_tokens, strict=True))
        fresh = sum(info.cost(Usage(int(a), int(b), 0)) for a, b in zip(f.input_tokens, f.output_tokens, strict=True))
        llm_s = float(lat.predict(np.full(len(f), model, dtype=object), f.output_tokens.to_numpy()).sum())
        rows.append({"model": model, "in $/M": info.input_price, "out $/M": info.output_price,
                     "cost_usd": cost, "cost_no_cache": fresh, "llm_time_s (catalog latency)": llm_s})
    df = pd.DataFrame(rows).set_index("model")
    df["x_cheaper_than_top"] = df.loc[TOP, "cost_usd"] / df["cost_usd"]
    print(df.round(4).to_string())
    print(f"seed's fixed latencies: 50 x 3.0 s = {50 * 3.0:.0f} s = {50 * 3.0 / 60:.1f} min; "
          f"50 x 0.5 s = {50 * 0.5:.0f} s")
    print()


def _by_agent(call: Any) -> str:
    return TOP if call.agent == "main" else SMALL


def replay(cat: Catalog, lat: LatencyModel, workloads: dict) -> pd.DataFrame:
    rows = []
    for name, w in workloads.items():
        runs = [("as recorded", "as recorded", CACHE_DEFAULT), ("all top", f"all:{TOP}", CACHE_DEFAULT),
                ("tiers", TIERS, CACHE_DEFAULT), ("tiers, cache lost at switches", TIERS, "same-model"),
                ("tiers, cache kept", TIERS, "recorded")]
        if w.frame["agent"].str.startswith("sub:").any():
            # route by agent, not by call: each agent stays on one model, so its prompt cache survives
            runs.append(("agents: main top, subs small", _by_agent, CACHE_DEFAULT))
        base = None
        for label, pol, cache in runs:
            t0 = time.perf_counter()
            r = simulate(w, pol, cat, lat, cache=cache)
            ms = (time.perf_counter() - t0) * 1e3
            t = r.totals
            base = base if base is not None else t["cost_usd"]
            rows.append({
                "workload": name, "policy": label, "calls": t["calls"], "tasks": t["tasks"],
                "cost_usd": t["cost_usd"], "cost_x_recorded": t["cost_usd"] / base if base else np.nan,
                "wall_min": t["wall_s"] / 60, "llm_min": t["llm_s"] / 60,
                "outcome_known": f"{t['successes_known']}/{t['tasks_outcome_known']}" if t["tasks_with_outcome"] else "-",
                "tiers o/c/k": "/".join(str(t["calls_per_tier"].get(k, 0)) for k in ("orchestrator", "coder", "classifier")),
                "sim_ms": ms,
            })
    return pd.DataFrame(rows)


def main() -> int:
    cat = Catalog.default()
    lat = LatencyModel.default(cat)
    workloads = load_all()
    seed_arithmetic(cat, lat, workloads)
    print("== Real trajectories: as recorded, all on the top model, and a tier policy ==")
    for name, w in workloads.items():
        print(f"- {name}: {len(w)} calls, {w.frame.task_id.nunique()} tasks; " + "; ".join(w.notes[1:]))
    table = replay(cat, lat, workloads)
    with pd.option_context("display.width", 200):
        print(table.round({"cost_usd": 3, "cost_x_recorded": 2, "wall_min": 1, "llm_min": 1, "sim_ms": 1}).to_string(
            index=False))
    print()
    print("wall_min: sum over tasks of each task's wall time, recorded gaps (tools, users) included; "
          "llm_min: sum of call durations. Recorded durations for 'as recorded', the catalog latency model otherwise.")
    print("outcome_known: successes / tasks whose every call stayed on the recorded model (tau2 rewards).")
    cc = table[table.workload == "claude-code"].set_index("policy")["cost_usd"]
    lo, hi = cc["tiers"] / cc["all top"], cc["tiers, cache lost at switches"] / cc["all top"]
    assert lo < 1 < hi, (lo, hi)  # the cache mode decides whether routing saves money on a cache-heavy run
    print(f"claude-code (cache-heavy): tiers cost {lo:.2f}x all-top under cache={CACHE_DEFAULT!r} and {hi:.2f}x "
          f"under 'same-model' (see routerlab.simulate's docstring)")
    print(CANNOT_KNOW)
    return 0


if __name__ == "__main__":
    sys.exit(main())

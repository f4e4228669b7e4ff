"""How fast ``simulate`` is: vectorized vs a straightforward per-call Python loop, same run.

    .venv/bin/python benchmarks/bench_simulate.py [--calls 1000000] [--loop-sample 50000]

- builds a workload of N calls by tiling the real tau2-bench, OpenHands and mini-swe-agent
  calls into many tasks (real kinds, tokens, gaps and dependencies);
- times ``simulate`` under a tier policy on all N calls (vectorized: NumPy prices, latency
  arrays, pointer-jumping over the recorded dependencies);
- times a plain Python loop doing the same per call (model lookup, price, latency, start =
  end of its predecessor + gap) on the first ``--loop-sample`` calls and scales it linearly
  to N (said so in the output), after checking it gives the same costs and ends;
- times re-simulating a 1,000-call workload (median of 50 runs): what a widget waits for.
Reports figures; asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np
import pandas as pd

from routerlab.catalog import Catalog
from routerlab.latency import LatencyModel
from routerlab.simulate import simulate
from routerlab.workloads import Workload, load_mini_swe, load_openhands, load_tau2
from routerlab.workloads.workload import COLUMNS

TIERS = {"orchestrator": "anthropic:claude-opus-4-5", "coder": "anthropic:claude-sonnet-4-5",
         "classifier": "anthropic:claude-haiku-4-5", "vision": "anthropic:claude-haiku-4-5"}


def tiled(n_calls: int) -> Workload:
    base = pd.concat([w.frame[list(COLUMNS)] for w in (load_tau2(), load_openhands(), load_mini_swe())],
                     ignore_index=True)
    reps = -(-n_calls // len(base))
    big = pd.concat([base] * reps, ignore_index=True).iloc[:n_calls].copy()
    rep = np.repeat(np.arange(reps), len(base))[:n_calls]
    big["task_id"] = big["task_id"] + "#" + rep.astype(str)
    return Workload(big, name=f"tiled-{n_calls}")


def loop_simulate(w: Workload, cat: Catalog, lat: LatencyModel, n: int) -> tuple[list[float], list[float]]:
    """The straightforward version: one Python iteration per call (cache="recorded" semantics)."""
    f = w.frame.iloc[:n]
    costs: list[float] = []
    ends: list[float] = []
    infos: dict[str, object] = {}
    for row in f.itertuples(index=False):
        model = TIERS[row.tier]
        info = infos.get(model) or infos.setdefault(model, cat.get(model))
        fresh = row.input_tokens - row.cached_tokens
        costs.append((fresh * info.input_price + row.cached_tokens * info.cached_input_price  # type: ignore[attr-defined]
                      + row.output_tokens * info.output_price) / 1e6)  # type: ignore[attr-defined]
        p = lat.profile(model)
        dur = p.ttft_s + row.output_tokens / p.output_tps
        prev_end = ends[row.pred] if row.pred >= 0 else 0.0
        ends.append(prev_end + row.gap_s + dur)
    return costs, ends


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=1_000_000)
    ap.add_argument("--loop-sample", type=int, default=50_000)
    args = ap.parse_args()
    cat = Catalog.default()
    lat = LatencyModel.default(cat)

    t0 = time.perf_counter()
    w = tiled(args.calls)
    print(f"built {len(w):,} calls over {w.frame.task_id.nunique():,} tasks in {time.perf_counter() - t0:.1f} s "
          "(workload construction and dependency analysis, done once per recording)")

    simulate(w.task(w.tasks[0]), TIERS, cat, lat, cache="recorded")  # warm imports
    t0 = time.perf_counter()
    r = simulate(w, TIERS, cat, lat, cache="recorded")
    first_s = time.perf_counter() - t0  # includes coding the string columns once (cached on the workload)
    t0 = time.perf_counter()
    r = simulate(w, TIERS, cat, lat, cache="recorded")
    vec_s = time.perf_counter() - t0

    m = min(args.loop_sample, len(w))
    t0 = time.perf_counter()
    costs, ends = loop_simulate(w, cat, lat, m)
    loop_s = time.perf_counter() - t0
    assert np.allclose(costs, r.frame["cost_usd"].to_numpy()[:m])
    assert np.allclose(ends, r.frame["end"].to_numpy()[:m])
    loop_scaled = loop_s * len(w) / m
    print(f"vectorized simulate, {len(w):,} calls: first {first_s:.2f} s (incl. one-time integer coding of the "
          f"workload's string columns), again {vec_s:.2f} s ({len(w) / vec_s / 1e6:.2f} M calls/s)")
    print(f"per-call Python loop: {loop_s:.2f} s on the first {m:,} calls (same costs and ends), "
          f"scaled linearly to {len(w):,}: {loop_scaled:.1f} s")
    print(f"ratio loop / vectorized: {loop_scaled / vec_s:.1f}x (vs the first call: {loop_scaled / first_s:.1f}x)")

    small = tiled(1000)
    times = []
    for _ in range(50):
        t0 = time.perf_counter()
        simulate(small, TIERS, cat, lat)
        times.append(time.perf_counter() - t0)
    print(f"re-simulate a 1,000-call workload ({small.frame.task_id.nunique()} tasks): median "
          f"{statistics.median(times) * 1e3:.1f} ms, max {max(times) * 1e3:.1f} ms over 50 runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())

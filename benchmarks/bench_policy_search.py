"""How fast policy search is: every assignment of 6 candidates x 4 tiers (1,296) on a
1,000-call workload, batched, vs one ``simulate()`` per assignment (the plain loop), same run.

    .venv/bin/python benchmarks/bench_policy_search.py [--calls 1000] [--loop-sample 1296]

- the workload: ``agent_task(N, source="synthetic")``, N calls bootstrapped from the four real
  trajectory formats (real kinds, tokens, gaps and dependencies);
- times the tier-quality evidence once (loading and verifying the leaderboards; cached after);
- times ``policy_search`` given that evidence (median of 5 runs): cost, wall time, LLM time of
  every assignment, gaps, Pareto set;
- times the plain loop: ``simulate(workload, {tier: model})`` for each of the first
  ``--loop-sample`` assignments (scaled to all of them if fewer, and said so), after checking it
  gives the same costs and wall times;
- times a playground change (notebook 07's playground on the demo task: a coder dropdown
  change re-simulates and redraws every figure, median of ``--changes``): in place (the same
  traces restyled) with and without the quality readout and the price-vs-evidence figure, and,
  interleaved in the same run, the full-rebuild baseline (validated figures, traces deleted and
  re-added, the readout recomputed), with the ratio.
Reports figures; asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np

from routerlab.catalog import Catalog
from routerlab.latency import LatencyModel
from routerlab.quality import MAIN_ALTERNATIVES, policy_search, tier_table
from routerlab.simulate import simulate
from routerlab.tiers import TierMap
from routerlab.workloads.demo import agent_task

CANDIDATES = MAIN_ALTERNATIVES


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=1000)
    ap.add_argument("--loop-sample", type=int, default=1296)
    ap.add_argument("--changes", type=int, default=11)
    args = ap.parse_args()
    cat = Catalog.default()
    lat = LatencyModel.default(cat)
    w = agent_task(args.calls, source="synthetic")
    print(f"workload: {len(w):,} calls over {w.frame.task_id.nunique()} tasks, tiers {w.frame.tier.value_counts().to_dict()}")

    t0 = time.perf_counter()
    ev = tier_table(TierMap.default(cat), candidates=CANDIDATES)
    print(f"tier-quality evidence (loading, verifying and joining the leaderboards, once): {time.perf_counter() - t0:.2f} s")

    policy_search(w, CANDIDATES, catalog=cat, latency=lat, evidence=ev)  # warm
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        ps = policy_search(w, CANDIDATES, catalog=cat, latency=lat, evidence=ev)
        times.append(time.perf_counter() - t0)
    k = len(ps.frame)
    search_s = statistics.median(times)

    m = min(args.loop_sample, k)
    t0 = time.perf_counter()
    for i in range(m):
        row = ps.frame.iloc[i]
        r = simulate(w, {t: row[t] for t in ps.tiers}, cat, lat)
        assert np.isclose(r.totals["cost_usd"], row["cost_usd"], rtol=1e-9), (i, r.totals["cost_usd"], row["cost_usd"])
        assert np.isclose(r.totals["wall_s"], row["wall_s"], rtol=1e-9), (i, r.totals["wall_s"], row["wall_s"])
    loop_s = (time.perf_counter() - t0) * k / m
    scaled = "" if m == k else f" (timed on {m}, scaled to {k})"
    print(f"policy search, {k:,} assignments: {search_s * 1000:.0f} ms (median of 5); "
          f"Pareto set {int(ps.frame['pareto'].sum())} assignments")
    print(f"plain loop, simulate() per assignment: {loop_s:.2f} s{scaled}; same costs and wall times")
    print(f"speed-up: {loop_s / search_s:.0f}x")
    times = playground_change_ms(args.changes, cat)
    print(f"playground change (re-simulate + redraw; median of {args.changes} coder dropdown changes, the two paths "
          "interleaved):")
    print(f"  in place (restyle the same traces): {times['plain']:.0f} ms without the quality readout, "
          f"{times['quality']:.0f} ms with it")
    print(f"  full rebuild (baseline: validated figures, traces deleted and added, readout recomputed): "
          f"{times['rebuild']:.0f} ms with the quality readout")
    print(f"  speed-up with the quality readout: {times['rebuild'] / times['quality']:.1f}x")
    return 0


def playground_change_ms(changes: int, cat: Catalog) -> dict[str, float]:
    """Median ms of a coder dropdown change in notebook 07's playground on the demo task: in place
    without and with the quality readout, and the full-rebuild baseline with it."""
    from routerlab.widgets import Playground
    from routerlab.workloads import synthetic_agent_task

    task = synthetic_agent_task(50, seed=0)
    top = simulate(task, "all:" + TierMap.default(cat).model_for("orchestrator").id, cat).frame

    def run(state):  # notebook 07's run(): the routed task beside all-top
        return {"routed": simulate(task, state.tiers, cat).frame, "all on the top model": top}

    choices = {t: [m.id for m in TierMap.default(cat).choices(t)] for t in TierMap.default(cat).names()}
    table = tier_table(TierMap.default(cat), candidates=choices)
    pgs = {"plain": Playground(run, TierMap.default(cat)),
           "quality": Playground(run, TierMap.default(cat), quality=table),
           "rebuild": _full_rebuild_class()(run, TierMap.default(cat), quality=table)}
    times: dict[str, list[float]] = {k: [] for k in pgs}
    for i in range(changes + 1):  # the first change of each is a warm-up
        for name, pg in pgs.items():
            t0 = time.perf_counter()
            pg.picker.dropdowns["coder"].value = "openai:gpt-5-mini" if i % 2 == 0 else "anthropic:claude-sonnet-4-5"
            if i:
                times[name].append(1000 * (time.perf_counter() - t0))
    rebuilt, in_place = pgs["rebuild"].figures["timeline"], pgs["quality"].figures["timeline"]
    assert np.allclose(np.asarray(rebuilt.data[0].marker.color, float), np.asarray(in_place.data[0].marker.color, float))
    return {k: statistics.median(v) for k, v in times.items()}


def _full_rebuild_class():
    import copy

    from routerlab import viz
    from routerlab.simulate import quality_readout
    from routerlab.widgets import Playground

    class FullRebuild(Playground):
        """The redraw before restyle-in-place, as the baseline: each figure built as a validated
        plotly Figure, the widget's traces deleted and the new ones added, the full state
        re-synced with deepcopy, the quality readout looked up in the table on every change."""

        def quality_frame(self):
            return quality_readout(self.quality, self.state.tiers.as_dict())

        def update(self) -> None:
            self._compute()
            new = {"timeline": viz.timelines(self.frames, lane=self.lane, lanes=self.state.tiers.names()),
                   "cost": viz.cost_comparison(self.frames)}
            for name, fig in new.items():
                target = self.figures[name]
                with target.batch_update():
                    target.update_layout(fig.layout.to_plotly_json(), overwrite=True)
                target.data = ()
                target.add_traces(list(fig.data))
                target._widget_layout = copy.deepcopy(target._layout_obj._props)
                target._widget_data = copy.deepcopy(target._data)
            viz.highlight_chosen(self.figures["quality"], self._quality_now())
            self.updates += 1

    return FullRebuild


if __name__ == "__main__":
    sys.exit(main())

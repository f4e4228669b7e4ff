"""Routing overhead per decision, single and batched, and the cost of a full threshold sweep.

Everything is measured in one run beside plain baselines, and reported as ratios to them:

- single decision: ``route(request)`` per router (embedding included, cache off) vs the plain
  embedding of the same prompt;
- batched: ``route_batch`` of ``--batch`` requests -> prompts/s, vs plain batched embedding;
- decision only: ``route_arrays`` on precomputed embeddings (what a sweep pays per prompt);
- sweep: a 100-point threshold sweep over 10,000 prompts (real RouterBench outcomes resampled)
  with the vectorised ``threshold_sweep`` vs a plain loop of one ``np.where`` per threshold, and
  a 100-point cost-weight sweep over 10,000 prompts x 11 models.

    .venv/bin/python benchmarks/bench_routers.py [--repeat 30] [--batch 256]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from routerlab.datasets import load_routerbench_zs
from routerlab.embeddings import Embedder
from routerlab.evaluation import cost_weight_sweep, threshold_sweep
from routerlab.routers.cascade import CascadeRouter
from routerlab.routers.predictors import EnsembleRouter, KNNRouter, LogisticRouter, MFRouter, MLPRouter
from routerlab.routers.threshold import ThresholdRouter
from routerlab.types import Request

GPT4, WEAK = "gpt-4-1106-preview", "mixtral-8x7b-chat"


def timeit(fn: Callable[[], Any], repeat: int) -> float:
    """Median seconds of ``repeat`` calls (after one warm-up)."""
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args()

    t = load_routerbench_zs(quiet=True)
    tr, te = t.split("train"), t.split("test")
    cached = Embedder(threads=args.threads)
    Xtr, Xte = cached.embed(tr.texts), cached.embed(te.texts)
    live = Embedder(threads=args.threads, cache=False)  # overhead numbers include a real embedding
    routers: dict[str, Any] = {
        "kNN": KNNRouter(k=50), "logistic": LogisticRouter(C=1.0), "MLP": MLPRouter(), "MF": MFRouter(),
        "ensemble": EnsembleRouter([KNNRouter(k=100, weighted=True), LogisticRouter(C=0.3),
                                    MLPRouter(n_seeds=3), MFRouter()]),
    }
    for r in routers.values():
        r.fit(Xtr, tr.quality, tr.cost, tr.models)
        r.embedder = live
    thr = ThresholdRouter(GPT4, WEAK, target="win", embedder=live).fit(Xtr, tr.quality, tr.models)
    routers["threshold (P(win))"] = thr
    routers["cascade (no model)"] = CascadeRouter([WEAK, GPT4])
    try:
        from routerlab.routers.rules import RuleRouter

        routers["rules"] = RuleRouter()
    except Exception as e:  # the rules router belongs to another module; bench what is there
        print(f"(rules router unavailable: {e})")

    texts = te.texts
    one = Request.user(texts[0])
    batch = [Request.user(x) for x in texts[: args.batch]]
    base_single = timeit(lambda: live.embed(texts[0]), args.repeat)
    base_batch = timeit(lambda: live.embed(texts[: args.batch]), max(3, args.repeat // 10))
    print(f"baseline: embed 1 prompt {base_single * 1e3:.2f} ms; embed {args.batch} prompts "
          f"{base_batch:.2f} s = {args.batch / base_batch:.0f} prompts/s\n")
    print(f"{'router':22s} {'single ms':>10s} {'x embed':>8s} {'batched/s':>10s} {'x embed':>8s} "
          f"{'decide-only us/prompt':>22s}")
    Xb = Xte[: args.batch]
    for name, r in routers.items():
        single = timeit(lambda r=r: r.route(one), args.repeat)
        if name in ("rules", "cascade (no model)"):
            bt = timeit(lambda r=r: r.route_batch(batch), 3)
            dec = float("nan")
        else:
            bt = timeit(lambda r=r: r.route_batch(batch), max(3, args.repeat // 10))
            fn = (lambda r=r: r.route_arrays(Xb)) if hasattr(r, "route_arrays") else (lambda r=r: r.score(Xb))
            dec = timeit(fn, args.repeat) / len(Xb) * 1e6
        print(f"{name:22s} {single * 1e3:10.3f} {single / base_single:8.2f} {len(batch) / bt:10.0f} "
              f"{(len(batch) / bt) / (args.batch / base_batch):8.2f} {dec:22.2f}")

    # Sweeps over 10,000 prompts: real outcomes resampled, real router scores.
    rng = np.random.default_rng(0)
    idx = rng.integers(0, len(te), 10_000)
    X10 = Xte[idx]
    scores = thr.score(X10)
    qs, qw = te.quality[idx, te.model_index(GPT4)], te.quality[idx, te.model_index(WEAK)]
    cs, cw = te.cost[idx, te.model_index(GPT4)], te.cost[idx, te.model_index(WEAK)]
    grid = np.quantile(scores, np.linspace(0, 1, 100))

    def plain_loop() -> list[float]:
        return [float(np.where(scores >= g, qs, qw).mean()) for g in grid]

    def vectorised() -> Any:
        return threshold_sweep(scores, qs, qw, grid, cs, cw)

    np.testing.assert_allclose(vectorised()["quality"], plain_loop())
    t_loop, t_vec = timeit(plain_loop, args.repeat), timeit(vectorised, args.repeat)
    t_score = timeit(lambda: thr.score(X10), 5)
    print(f"\n100-point threshold sweep over 10,000 prompts: {t_vec * 1e3:.2f} ms vectorised vs "
          f"{t_loop * 1e3:.2f} ms plain loop (x{t_loop / t_vec:.1f}); scoring the 10,000 prompts "
          f"(from embeddings) {t_score * 1e3:.1f} ms")
    ens = routers["ensemble"]
    pq, pc = ens.predict_quality(X10), ens.predict_cost(X10)
    Q10, C10 = te.quality[idx], te.cost[idx]
    weights = np.concatenate(([0.0], np.logspace(-4, 3, 99)))
    t_cw = timeit(lambda: cost_weight_sweep(pq, pc, Q10, C10, weights, ens.cost_scale_), 5)
    t_pred = timeit(lambda: (ens.predict_quality(X10), ens.predict_cost(X10)), 3)
    print(f"100-point cost-weight sweep, 10,000 prompts x {len(te.models)} models: {t_cw * 1e3:.1f} ms "
          f"(+ {t_pred * 1e3:.0f} ms to predict quality and cost once with the ensemble)")


if __name__ == "__main__":
    main()

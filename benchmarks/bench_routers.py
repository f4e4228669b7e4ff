"""Routing overhead per decision, single and batched, and the cost of a full threshold sweep.

Everything is measured in one run beside plain baselines, and reported as ratios to them:

- single decision: ``route(request)`` per router (embedding included, cache off) vs the plain
  embedding of the same prompt;
- batched: ``route_batch`` of ``--batch`` requests -> prompts/s, vs plain batched embedding;
- decision only: ``route_arrays`` on precomputed embeddings (what a sweep pays per prompt);
- sweep: a 100-point threshold sweep over 10,000 prompts (real RouterBench outcomes resampled)
  with the vectorised ``threshold_sweep`` vs a plain loop of one ``np.where`` per threshold, and
  a 100-point cost-weight sweep over 10,000 prompts x 11 models;
- static embeddings: :class:`~routerlab.static_embeddings.StaticEmbedder` vs plain MiniLM on
  short eval-set prompts and on RouterBench prompts (one prompt: median over prompts; batched:
  prompts/s), and a kNN router end to end with it; ``--static-build`` also times a fresh build
  of its table.

    .venv/bin/python benchmarks/bench_routers.py [--repeat 30] [--batch 256]
    .venv/bin/python benchmarks/bench_routers.py --static-only [--static-build]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from routerlab.datasets import load_routerbench_zs
from routerlab.embeddings import Embedder
from routerlab.evalset import load_evalset
from routerlab.evaluation import cost_weight_sweep, threshold_sweep
from routerlab.routers.cascade import CascadeRouter
from routerlab.routers.predictors import EnsembleRouter, KNNRouter, LogisticRouter, MFRouter, MLPRouter
from routerlab.routers.threshold import ThresholdRouter
from routerlab.static_embeddings import StaticEmbedder
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


def per_prompt(fn: Callable[[str], Any], prompts: list[str], repeat: int) -> float:
    """Median seconds of ``fn(prompt)`` over ``repeat`` prompts taken in turn (after one warm-up):
    one fixed prompt would make the result hang on its length."""
    fn(prompts[0])
    times = []
    for i in range(repeat):
        p = prompts[i % len(prompts)]
        t0 = time.perf_counter()
        fn(p)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def static_rows(args: argparse.Namespace, tr: Any, live: Embedder, te_texts: list[str]) -> None:
    """StaticEmbedder vs plain MiniLM (cache off), one prompt and batched, short and RouterBench prompts."""
    if args.static_build:
        import tempfile

        with tempfile.TemporaryDirectory() as d:
            t0 = time.perf_counter()
            StaticEmbedder(Path(d) / "table.npy", threads=args.threads).embed("build")
            print(f"static table built from MiniLM in {time.perf_counter() - t0:.1f} s")
    static = StaticEmbedder(threads=args.threads)
    t0 = time.perf_counter()
    static.embed("load")
    print(f"static table {'built' if static.built_ else 'loaded from ' + str(static.path)} in "
          f"{time.perf_counter() - t0:.2f} s")
    sets = {"eval-set prompts": load_evalset()["text"].tolist(), "RouterBench prompts": te_texts}
    n_single = max(args.repeat, 30)
    print(f"\n{'embedder':30s} {'med tokens':>10s} {'single ms':>10s} {'x MiniLM':>9s} {'batched/s':>10s} {'x MiniLM':>9s}")
    for label, texts in sets.items():
        toks = statistics.median(len(e.ids) for e in static._pieces.encode_batch(texts)) + 2
        batch = texts[: args.batch]
        base1 = per_prompt(live.embed, texts, n_single)
        baseb = len(batch) / timeit(lambda b=batch: live.embed(b), max(3, args.repeat // 10))
        one = per_prompt(static.embed, texts, n_single)
        rate = len(batch) / timeit(lambda b=batch: static.embed(b), max(3, args.repeat // 10))
        print(f"{'MiniLM, ' + label:30s} {toks:10.0f} {base1 * 1e3:10.2f} {1.0:9.2f} {baseb:10.0f} {1.0:9.2f}")
        print(f"{'static, ' + label:30s} {toks:10.0f} {one * 1e3:10.3f} {one / base1:9.3f} {rate:10.0f} "
              f"{rate / baseb:9.1f}")
    # One router end to end: kNN fitted on static vectors, routing raw requests.
    texts = sets["RouterBench prompts"]
    knn = KNNRouter(k=50, embedder=static).fit(static.embed(tr.texts), tr.quality, tr.cost, tr.models)
    reqs = [Request.user(x) for x in texts[: args.batch]]
    base1 = per_prompt(live.embed, texts, n_single)
    baseb = len(reqs) / timeit(lambda: live.embed(texts[: args.batch]), max(3, args.repeat // 10))
    one = per_prompt(lambda x: knn.route(Request.user(x)), texts, n_single)
    rate = len(reqs) / timeit(lambda: knn.route_batch(reqs), max(3, args.repeat // 10))
    print(f"{'kNN(k=50) router + static':30s} {'':10s} {one * 1e3:10.3f} {one / base1:9.3f} {rate:10.0f} "
          f"{rate / baseb:9.1f}   (x MiniLM = vs embedding alone with MiniLM)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--static-only", action="store_true", help="only the StaticEmbedder vs MiniLM rows")
    ap.add_argument("--static-build", action="store_true", help="also time a fresh build of the static table")
    args = ap.parse_args()

    t = load_routerbench_zs(quiet=True)
    tr, te = t.split("train"), t.split("test")
    if args.static_only:
        static_rows(args, tr, Embedder(threads=args.threads, cache=False), te.texts)
        return
    cached = Embedder(threads=args.threads)
    Xtr, Xte = cached.embed(tr.texts), cached.embed(te.texts)
    live = Embedder(threads=args.threads, cache=False)  # overhead numbers include a real embedding
    routers: dict[str, Any] = {
        "kNN": KNNRouter(k=50), "logistic": LogisticRouter(C=1.0), "MLP": MLPRouter(), "MF": MFRouter(),
        "ensemble": EnsembleRouter(),  # the default router
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
    print()
    static_rows(args, tr, live, te.texts)


if __name__ == "__main__":
    main()

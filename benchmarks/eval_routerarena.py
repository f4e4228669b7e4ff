"""Side-by-side evaluation of routers on RouterArena sub10 (809 queries x claude-3-haiku and
gemini-2.0-flash; prints tables, writes nothing).

    .venv/bin/python benchmarks/eval_routerarena.py            # --seeds 5 --bootstrap 500

Protocol. The file has no train/test split (the loader's ``split`` is "all"), so every query is
scored out of fold: 5-fold cross-validation stratified by RouterArena's source dataset (the
table's ``benchmark`` column, 78 sources: each fold gets its share of every source), repeated
for ``--seeds`` fold shuffles; metrics are computed per shuffle and averaged. Routers see MiniLM
embeddings of the question (cached on disk). Compared: each single model, the zero router
(RouterBench's convex hull of the single models), random mixing of the two models, the oracle
(per query the cheapest model with the best score), routerlab's kNN / logistic / MLP / MF /
ensemble routers (cost-weight sweep, lambda = 0 is their default; the ensemble is routerlab's
default ``EnsembleRouter()``, also fitted with each query's source dataset as its group
feature), the task-identity router (each source's mean score and cost on the training folds),
and the strong/weak
ThresholdRouter (strong = higher mean score on the training folds; default threshold 0.5).

Metrics. RouterBench: AIQ over the single models' cost range, max score, cost to reach 95% /
100% of the best single model's score as a fraction of its cost (on the non-decreasing hull;
inf = never); a bootstrap CI (queries resampled, choices fixed) for the best learned router's
AIQ and its gain over the zero router (a sweep that ends at the cheapest model's point can hardly
fall below the zero router's hull, so that gain is >= 0 almost by construction). RouteLLM: APGR
over its 10-bin threshold sweep of P(strong better) (learned routers: predicted q_strong - q_weak). Caveat: here the "strong"
(higher-scoring) model is also the cheaper one, so APGR measures how well a router ranks queries,
not what it saves. RouterArena (github.com/RouteWorks/RouterArena, ``llm_evaluation/run.py``,
``compute_arena_score``; the leaderboard ranks routers by it, paper arXiv:2510.00202): with A the
mean score and c the mean cost per 1,000 queries in USD, clipped to [c_min, c_max] = [0.0044,
200], ``C = (log2 c_max - log2 c) / (log2 c_max - log2 c_min)`` and the Arena score
``S = (1 + b) A C / (b A + C)`` with b = 0.1 (a weighted harmonic mean of accuracy and log-cost
headroom). It is computed at each router's default operating point, and as the best value along
its sweep (that point is picked on the test outcomes: an optimistic bound). RouterArena's
optimality metrics are computed against this 2-model pool as its code defines them: Opt.Sel =
share of queries (among those some model answers with score >= 1) where the router answered
correctly with the cheapest such model; Opt.Cost = that cheapest cost / the router's cost, summed
over queries the router got right; Opt.Acc = the router's score / the optimal score. Not
computable here: RouterArena's robustness (needs perturbed queries) and latency (none recorded),
and its leaderboard numbers themselves (they use the full 8,400-query split and larger pools;
sub10 is, per RouterArena, easier).
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from routerlab.datasets import OutcomeTable, load_routerarena_prices, load_routerarena_sub10
from routerlab.embeddings import Embedder
from routerlab.evaluation import (
    aiq,
    bootstrap_ci,
    choices_for_weights,
    cost_weight_sweep,
    curve_summary,
    default_cost_weights,
    oracle_choice,
    threshold_sweep,
)
from routerlab.evaluation.runs import (
    apgr_report,
    embed_table,
    kfold_group_means,
    kfold_predictions,
    out_of_fold,
    random_apgr,
    stratified_folds,
)
from routerlab.routers.predictors import EnsembleRouter, KNNRouter, LogisticRouter, MFRouter, MLPRouter
from routerlab.routers.threshold import ThresholdRouter

BEST = "default: EnsembleRouter() (kNN200w+logistic+MF)"
GROUPED = "default + group prior (source dataset)"
LEARNED: dict[str, Callable[[], Any]] = {
    "kNN (k=50)": lambda: KNNRouter(k=50),
    "logistic (C=1)": lambda: LogisticRouter(C=1.0),
    "MLP (128, 1 seed)": lambda: MLPRouter(),
    "MF (dim 32)": lambda: MFRouter(),
    BEST: EnsembleRouter,
    GROUPED: EnsembleRouter,  # fitted with groups = each query's source dataset
}
TASK = "task identity (knows the source dataset only)"
LEARNED = {TASK: EnsembleRouter, **LEARNED}
THRESHOLD_TARGETS = {"threshold: logistic P(strong wins)": "win", "threshold: ridge gain": "gain"}
SHOWN_WEIGHTS = (0.0, 0.01, 0.03, 0.1, 0.2, 0.3, 0.5, 1.0)  # cost weights of the operating-point tables


NO_CASCADE = "learned cascade: not run (no answer texts recorded; it reduces to step 0 = the prompt-only rows)"


def arena_score(accuracy: float, cost_per_1k: float, beta: float = 0.1, c_max: float = 200.0,
                c_min: float = 0.0044) -> float:
    """RouterArena's ranking score (``compute_arena_score``, see the module docstring)."""
    c = min(max(cost_per_1k, c_min), c_max)
    norm = (math.log2(c_max) - math.log2(c)) / (math.log2(c_max) - math.log2(c_min))
    return (1 + beta) * accuracy * norm / (beta * accuracy + norm)


def optimality(Q: np.ndarray, C: np.ndarray, choice: np.ndarray) -> dict[str, float]:
    """RouterArena's Opt.Sel / Opt.Cost / Opt.Acc of ``choice`` against the table's model pool."""
    rows = np.arange(len(Q))
    solved = Q >= 1.0
    has = solved.any(axis=1)  # queries some model answers perfectly: the others are skipped
    opt = np.where(solved, C, np.inf).argmin(axis=1)
    qr, cr, qo, co = Q[rows, choice], C[rows, choice], Q[rows, opt], C[rows, opt]
    right = has & (qr >= 1.0)
    return {"Opt.Sel": float((right & (choice == opt))[has].mean()),
            "Opt.Cost": float(co[right].sum() / cr[right].sum()),
            "Opt.Acc": float(qr[has].sum() / qo[has].sum())}


def point(t: OutcomeTable, choice: np.ndarray) -> dict[str, float]:
    """Score, cost per 1K queries, Arena score and optimality of one routing decision per query."""
    rows = np.arange(len(t))
    score, per_1k = float(t.quality[rows, choice].mean()), float(t.cost[rows, choice].mean() * 1000)
    return {"score": score, "$/1K": per_1k, "Arena": arena_score(score, per_1k),
            **optimality(t.quality, t.cost, choice)}


def best_arena(curve: pd.DataFrame) -> float:
    return max(arena_score(q, c * 1000) for q, c in zip(curve["quality"], curve["mean_cost"], strict=True))


def strong_by_fold(t: OutcomeTable, folds: np.ndarray) -> np.ndarray:
    """Per query, the model index with the higher mean score on the folds that did not see it."""
    return out_of_fold(folds, lambda tr, te: np.full(len(te), t.quality[tr].mean(axis=0).argmax())).astype(int)


def threshold_scores(X: np.ndarray, t: OutcomeTable, folds: np.ndarray, target: str) -> np.ndarray:
    """Out-of-fold P(strong better) of a ThresholdRouter whose strong model is picked on each fold's training rows."""

    def fit_predict(tr: np.ndarray, te: np.ndarray) -> np.ndarray:
        s = int(t.quality[tr].mean(axis=0).argmax())
        r = ThresholdRouter(t.models[s], t.models[1 - s], target=target, C=1.0)
        return r.fit(X[tr], t.quality[tr], t.models, t.cost[tr]).score(X[te])

    return out_of_fold(folds, fit_predict)


def random_mixing(t: OutcomeTable, pricey: int, draws: int = 20) -> pd.DataFrame:
    """Each query to the pricier model with probability p, else the cheaper one (mean of ``draws``)."""
    rng = np.random.default_rng(0)
    rows, cheap = np.arange(len(t)), 1 - pricey
    out = []
    for p in np.linspace(0, 1, 11):
        ch = [np.where(rng.random(len(t)) < p, pricey, cheap) for _ in range(draws)]
        out.append({"p": p, "quality": np.mean([t.quality[rows, c].mean() for c in ch]),
                    "mean_cost": np.mean([t.cost[rows, c].mean() for c in ch])})
    return pd.DataFrame(out)


def check_costs(t: OutcomeTable) -> float:
    """Largest relative gap between the recorded cost and tokens x RouterArena's price file."""
    prices = load_routerarena_prices(quiet=True).loc[t.models]
    assert t.input_tokens is not None and t.output_tokens is not None
    est = (t.input_tokens * prices["input_per_m"].to_numpy() + t.output_tokens * prices["output_per_m"].to_numpy()) / 1e6
    return float(np.max(np.abs(est - t.cost) / t.cost))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=5, help="fold shuffles to average over")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--bootstrap", type=int, default=500, help="bootstrap resamples for the CI")
    ap.add_argument("--threads", type=int, default=None, help="onnxruntime threads for embedding")
    args = ap.parse_args()
    t0 = time.time()
    t = load_routerarena_sub10()
    if t.n_models != 2:
        raise SystemExit(f"expected the 2-model RouterArena sub10 table, got {t.models}")
    Q, C, n = t.quality, t.cost, len(t)
    X = embed_table(t, Embedder(threads=args.threads))
    print(f"{n} queries from {len(t.benchmarks)} sources, embedded in {time.time() - t0:.1f}s; recorded cost vs "
          f"tokens x price file: max relative gap {check_costs(t):.1e}")

    sq, sc = Q.mean(axis=0), C.mean(axis=0)
    ref = int(sq.argmax())  # best single model: the reference of cost@95% / cost@100%
    c_min, c_max = float(sc.min()), float(sc.max())
    pricey = int(sc.argmax())
    weights = default_cost_weights()
    shown = [int(np.abs(weights - w).argmin()) for w in SHOWN_WEIGHTS]
    solved = Q >= 1.0
    only = ", ".join(f"only {m}: {(solved[:, k] & ~solved[:, 1 - k]).mean():.3f}" for k, m in enumerate(t.models))
    print(f"share of queries with score 1 from both models: {solved.all(axis=1).mean():.3f}, {only}, "
          f"neither: {(~solved.any(axis=1)).mean():.3f}")

    def summary(cost: Any, quality: Any) -> dict[str, float]:
        # rounded: the same choices summed in another order must still "reach 100%" of the reference
        return curve_summary(cost, np.round(quality, 12), float(sc[ref]), round(float(sq[ref]), 12), c_min, c_max)

    rows: dict[str, dict[str, float]] = {}
    for j, m in enumerate(t.models):
        rows[f"single: {m}"] = {**summary([sc[j]], [sq[j]]), "AIQ": np.nan, **point(t, np.full(n, j))}
    zero = summary(sc, sq)
    zero_pt = max((point(t, np.full(n, j)) for j in range(2)), key=lambda d: d["Arena"])
    rows["zero router (hull of single models)"] = {**zero, **zero_pt, "Arena max": zero_pt["Arena"]}
    mix = random_mixing(t, pricey)
    rng = np.random.default_rng(0)
    rows["random mixing (p=0.5 default)"] = {
        **summary(mix["mean_cost"], mix["quality"]), **point(t, np.where(rng.random(n) < 0.5, pricey, 1 - pricey)),
        "Arena max": best_arena(mix)}
    oc = oracle_choice(Q, C)
    rows["oracle"] = {**summary([C[np.arange(n), oc].mean()], [Q[np.arange(n), oc].mean()]), "AIQ": np.nan,
                      **point(t, oc)}

    fold_sets = [stratified_folds(t.prompts["benchmark"], k=args.folds, seed=seed) for seed in range(args.seeds)]
    strong_seen = {int(j) for folds in fold_sets for j in strong_by_fold(t, folds)}
    if len(strong_seen) != 1:
        raise SystemExit(f"training folds disagree on the strong model ({strong_seen}): APGR is undefined")
    s = strong_seen.pop()
    per_seed: dict[str, list[dict[str, float]]] = {}
    ops: dict[str, list[pd.DataFrame]] = {}
    boot_choices: dict[str, list[np.ndarray]] = {}
    secs: dict[str, float] = {}
    for folds in fold_sets:
        for name, make in LEARNED.items():
            t1 = time.time()
            qh, ch = (kfold_predictions(X, t, make, folds, t.prompts["benchmark"]) if name == GROUPED
                      else kfold_group_means(t, folds) if name == TASK else kfold_predictions(X, t, make, folds))
            curve = cost_weight_sweep(qh, ch, Q, C, weights, 1.0)
            default = choices_for_weights(qh, ch, np.array([0.0]))[0]
            rep = apgr_report(qh[:, s] - qh[:, 1 - s], t, t.models[s], t.models[1 - s])
            per_seed.setdefault(name, []).append({**summary(curve["mean_cost"], curve["quality"]),
                                                  **point(t, default), "Arena max": best_arena(curve),
                                                  "APGR": rep["APGR"]})
            ops.setdefault(name, []).append(curve.iloc[shown])
            boot_choices.setdefault(name, []).append(choices_for_weights(qh, ch, weights))
            secs[name] = secs.get(name, 0.0) + time.time() - t1
        for name, target in THRESHOLD_TARGETS.items():
            t1 = time.time()
            scores = threshold_scores(X, t, folds, target)
            curve = threshold_sweep(scores, Q[:, s], Q[:, 1 - s], 100, C[:, s], C[:, 1 - s])
            default = np.where(scores >= 0.5, s, 1 - s)
            per_seed.setdefault(name, []).append({**summary(curve["mean_cost"], curve["quality"]),
                                                  **point(t, default), "Arena max": best_arena(curve),
                                                  "APGR": apgr_report(scores, t, t.models[s], t.models[1 - s])["APGR"]})
            secs[name] = secs.get(name, 0.0) + time.time() - t1
    rows["random mixing (p=0.5 default)"]["APGR"] = random_apgr(t, t.models[s], t.models[1 - s])
    for name, reps in per_seed.items():
        df = pd.DataFrame(reps)
        rows[name] = {**df.mean().to_dict(), "AIQ sd": float(df["AIQ"].std(ddof=0)),
                      "APGR sd": float(df["APGR"].std(ddof=0)), "secs/seed": secs[name] / args.seeds}
    # RouterArena's cached results hold scores, tokens and cost but no answer texts: a cascade has
    # nothing to read after a call, so it reduces to its step 0, a prompt-only router (the rows above).
    rows[NO_CASCADE] = {}
    table = pd.DataFrame.from_dict(rows, orient="index")

    fmt = {"display.width": 200, "display.max_columns": 30, "display.float_format": "{:.3f}".format}
    with pd.option_context(*[x for kv in fmt.items() for x in kv]):
        print(f"\nRouterArena sub10, {n} queries, {args.folds}-fold CV stratified by source, mean over {args.seeds} "
              f"fold seeds; strong = {t.models[s]} (higher mean score on every training fold), "
              f"reference = {t.models[ref]} (score {sq[ref]:.3f}, ${sc[ref] * 1000:.4f}/1K)")
        print("\n1) cost-quality curves: AIQ over the single models' cost range "
              f"[${c_min * 1000:.4f}, ${c_max * 1000:.4f}] per 1K; cost@x% = cost to reach x% of the reference's "
              "score / its cost; APGR over RouteLLM's threshold sweep")
        print(table[["AIQ", "AIQ sd", "max_quality", "cost@95%", "cost@100%", "APGR", "APGR sd", "secs/seed"]].rename(
            columns={"max_quality": "max score"}).to_string())
        print("\n2) RouterArena view at each router's default operating point (learned: cost weight 0; threshold: "
              "0.5; random: p=0.5); 'Arena max' = best Arena score along the sweep, picked on test (optimistic)")
        cols = ["score", "$/1K", "Arena", "Arena max", "Opt.Sel", "Opt.Cost", "Opt.Acc"]
        print(table[cols].to_string())
        print("\n3) operating points of the cost-weight sweep (weight = score points given up per mean call of "
              "the priciest model), mean over seeds: score | $ per 1K queries")
        opq = pd.DataFrame({k: pd.concat(v).groupby("cost_weight")["quality"].mean() for k, v in ops.items()}).T
        opc = pd.DataFrame({k: pd.concat(v).groupby("cost_weight")["mean_cost"].mean() * 1000 for k, v in ops.items()}).T
        print(pd.DataFrame({f"w={w:.3g}": [f"{a:.3f} | {b:.4f}" for a, b in zip(opq[w], opc[w], strict=True)]
                            for w in opq.columns}, index=opq.index).to_string())

    # Bootstrap over queries: the best learned router's AIQ and its gain over the zero router.
    best = max(LEARNED, key=lambda k: rows[k]["AIQ"])
    chs = boot_choices[best]
    rr = np.arange(n)[None, :]

    def aiq_of(idx: np.ndarray) -> float:
        mc = C[idx].mean(axis=0)
        return float(np.mean([aiq(C[rr, ch][:, idx].mean(axis=1), Q[rr, ch][:, idx].mean(axis=1),
                                  float(mc.min()), float(mc.max())) for ch in chs]))

    def gain_of(idx: np.ndarray) -> float:
        mc, mq = C[idx].mean(axis=0), Q[idx].mean(axis=0)
        return aiq_of(idx) - aiq(mc, mq, float(mc.min()), float(mc.max()))

    print(f"\nbest learned router by AIQ: {best}")
    for label, fn in (("AIQ", aiq_of), ("AIQ - zero router AIQ", gain_of)):
        p, lo, hi = bootstrap_ci(fn, n, n_boot=args.bootstrap)
        print(f"  {label}: {p:.4f}  (95% bootstrap CI {lo:.4f} .. {hi:.4f}, {args.bootstrap} resamples)")
    print(f"\ntotal {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()

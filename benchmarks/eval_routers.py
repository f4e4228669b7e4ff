"""Side-by-side evaluation of routers on real outcome data (prints tables; writes nothing).

1. RouterBench 0-shot, pooled test split (945 prompts; routers trained on the train split):
   AIQ, max accuracy, cost to reach 95% / 100% of GPT-4's accuracy (fraction of GPT-4's cost)
   for the best single model, the zero router, a router that knows only each prompt's benchmark,
   kNN, logistic, MLP, MF, routerlab's default router ``EnsembleRouter()`` without and with the
   benchmark as its group feature, the oracle; bootstrap 95% CIs for the default; how
   well the ensemble ranks prompts *within* a benchmark (AUC); cascades mixtral -> GPT-4 with a
   learned (prompt-only) verifier and with agreement verifiers (other cheap models asked too),
   per benchmark, with the verifiers' error rates. Intervals over seeds for the one default
   (told the benchmark), beside task identity and the zero router: the spread over
   ``--fit-seeds`` fit seeds (the MF seed) on the fixed split, and with ``--pooled-folds K``
   an outer K-fold on the pooled train + test prompts (stratified by benchmark) repeated for
   ``--seeds`` fold seeds.
2. RouteLLM (GPT-4 vs Mixtral, contaminated prompts removed): in-domain 5-fold out-of-fold
   scores -> APGR / CPT over RouteLLM's threshold sweep (mean and sd over ``--seeds`` fold
   seeds), beside a random router; on MMLU (subject) and MT-Bench (category) also the
   task-identity router and the default router with the subject as its group feature. Then the
   learned cascade Mixtral -> GPT-4 where the table records answers (GSM8K), out-of-fold, beside
   prompt-only routers and the zero router with bootstrap CIs; a row says where it cannot run.

    .venv/bin/python benchmarks/eval_routers.py            # everything
    .venv/bin/python benchmarks/eval_routers.py --skip-routellm
    .venv/bin/python benchmarks/eval_routers.py --skip-routerbench --routellm gsm8k mt_bench --seeds 5
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
import pandas as pd

from routerlab.datasets import OutcomeTable, load_routellm, load_routerbench_zs
from routerlab.embeddings import Embedder
from routerlab.evaluation import (
    aiq,
    bootstrap_ci,
    choices_for_weights,
    cost_weight_sweep,
    default_cost_weights,
    within_group_auc,
)
from routerlab.evaluation.cascades import (
    best_within,
    candidate_steps,
    cascade_curve,
    curve_bootstrap,
    escalation_errors,
    select_policy,
    select_steps,
)
from routerlab.evaluation.metrics import cost_to_reach
from routerlab.evaluation.pair_cascades import (
    kfold_cascade,
    pair_summary,
    priced_pair,
    summary_frame,
    threshold_choices,
)
from routerlab.evaluation.runs import (
    apgr_report,
    embed_table,
    group_mean_predictions,
    kfold_group_means,
    kfold_predictions,
    kfold_scores,
    random_apgr,
    routerbench_table,
    stratified_folds,
)
from routerlab.routers.answer_features import agreement_tensor
from routerlab.routers.cascade import (
    LearnedVerifier,
    agreement_confidence,
    noisy_oracle_accepts,
    simulate_cascade,
    verifier_errors,
)
from routerlab.routers.cascade_policy import CascadePolicy
from routerlab.routers.code_checks import code_agreement_tensor
from routerlab.routers.predictors import (
    EnsembleRouter,
    KNNRouter,
    LogisticRouter,
    MFRouter,
    MLPRouter,
    default_members,
)
from routerlab.routers.threshold import ThresholdRouter

GPT4 = "gpt-4-1106-preview"


DEFAULT = "default: EnsembleRouter() (kNN200w+logistic+MF)"
GROUPED = "default + group prior (benchmark)"


def best_router(random_state: int = 0) -> EnsembleRouter:
    """routerlab's one default router, ``EnsembleRouter()`` (its members: ``default_members``,
    chosen by nested CV on the RouterBench train split, ``benchmarks/select_default.py``);
    ``random_state``: the same router with other MLP / MF seeds."""
    return EnsembleRouter(default_members(random_state)) if random_state else EnsembleRouter()


def seed_spread(per_seed: dict[str, list[float]], what: str) -> pd.DataFrame:
    """Mean, sd and range of each router's AIQ over seeds (one row per router)."""
    rows = {name: {"AIQ": np.mean(v), f"sd over {what}": np.std(v), "min": np.min(v), "max": np.max(v),
                   "n": len(v)} for name, v in per_seed.items()}
    return pd.DataFrame.from_dict(rows, orient="index")


def fit_seed_spread(tr: OutcomeTable, te: OutcomeTable, Xtr: np.ndarray, Xte: np.ndarray, seeds: int,
                    fitted: dict[str, EnsembleRouter]) -> pd.DataFrame:
    """RouterBench's fixed split: the default, untold and told the benchmark, refitted with
    ``seeds`` MLP / MF seeds (seed 0: the routers already ``fitted``), beside task identity and the
    zero router (no seed: one value)."""
    gtr, gte = tr.prompts["benchmark"].to_numpy(), te.prompts["benchmark"].to_numpy()
    mc, sq = te.cost.mean(axis=0), te.quality.mean(axis=0)
    lo, hi = float(mc.min()), float(mc.max())
    gq, gc, gscale = group_mean_predictions(tr, te, "benchmark")
    task = cost_weight_sweep(gq, gc, te.quality, te.cost, default_cost_weights(), gscale)
    out: dict[str, list[float]] = {"zero router (hull of single models)": [aiq(mc, sq, lo, hi)],
                                   "task identity": [aiq(task["mean_cost"], task["quality"], lo, hi)]}
    for seed in range(seeds):
        for label in (DEFAULT, GROUPED):
            told = label == GROUPED
            r = fitted[label] if seed == 0 else best_router(seed).fit(Xtr, tr.quality, tr.cost, tr.models,
                                                                     groups=gtr if told else None)
            curve = cost_weight_sweep(r.predict_quality(Xte, gte if told else None), r.predict_cost(Xte),
                                      te.quality, te.cost, default_cost_weights(), r.cost_scale_)
            out.setdefault(label, []).append(aiq(curve["mean_cost"], curve["quality"], lo, hi))
    return seed_spread(out, "fit seeds")


def pooled_fold_seeds(t: OutcomeTable, X: np.ndarray, k: int, seeds: int) -> pd.DataFrame:
    """Outer ``k``-fold on all RouterBench prompts (train + test pooled, stratified by benchmark),
    repeated for ``seeds`` fold seeds: AIQ of the out-of-fold predictions of the default, untold
    and told the benchmark, task identity and the zero router (the same for every seed)."""
    mc, sq = t.cost.mean(axis=0), t.quality.mean(axis=0)
    lo, hi = float(mc.min()), float(mc.max())
    bench = t.prompts["benchmark"].to_numpy()
    out: dict[str, list[float]] = {"zero router (hull of single models)": [aiq(mc, sq, lo, hi)]}
    for seed in range(seeds):
        folds = stratified_folds(bench, k, seed)
        preds = {"task identity": kfold_group_means(t, folds),
                 DEFAULT: kfold_predictions(X, t, best_router, folds),
                 GROUPED: kfold_predictions(X, t, best_router, folds, bench)}
        for name, (q, c) in preds.items():
            curve = cost_weight_sweep(q, c, t.quality, t.cost, default_cost_weights(), 1.0)
            out.setdefault(name, []).append(aiq(curve["mean_cost"], curve["quality"], lo, hi))
    return seed_spread(out, "fold seeds")


def routerbench(emb: Embedder, n_boot: int, fit_seeds: int = 1, pooled_folds: int = 0, seeds: int = 1) -> None:
    t = load_routerbench_zs()
    tr, te = t.split("train"), t.split("test")
    t0 = time.time()
    Xtr, Xte = embed_table(tr, emb), embed_table(te, emb)
    print(f"embedded {len(tr)} train + {len(te)} test prompts in {time.time() - t0:.1f}s")
    routers = {
        "kNN (k=50)": KNNRouter(k=50),
        "logistic (C=1)": LogisticRouter(C=1.0),
        "MLP (128, 1 seed)": MLPRouter(),
        "MF (dim 32)": MFRouter(),
        DEFAULT: best_router(),
        GROUPED: best_router(),
    }
    gtr, gte = tr.prompts["benchmark"].to_numpy(), te.prompts["benchmark"].to_numpy()
    curves = {}
    for name, r in routers.items():
        t0 = time.time()
        grouped = name == GROUPED
        r.fit(Xtr, tr.quality, tr.cost, tr.models, groups=gtr if grouped else None)
        curves[name] = cost_weight_sweep(r.predict_quality(Xte, gte if grouped else None), r.predict_cost(Xte),
                                         te.quality, te.cost, default_cost_weights(), r.cost_scale_)
        print(f"  fitted {name} in {time.time() - t0:.1f}s")
    # The baseline a prompt embedding must beat to show per-prompt signal: knowing the task only.
    gq, gc, gscale = group_mean_predictions(tr, te, "benchmark")
    curves = {"task identity (knows the benchmark only)": cost_weight_sweep(
        gq, gc, te.quality, te.cost, default_cost_weights(), gscale), **curves}
    casc_curves, casc_report = learned_cascades(tr, te, n_boot, Xtr, Xte)
    curves.update(casc_curves)
    table = routerbench_table(te, curves, reference=GPT4)
    with pd.option_context("display.width", 160, "display.float_format", "{:.3f}".format):
        print(f"\nRouterBench 0-shot, pooled test split (n={len(te)}), trained on train (n={len(tr)})")
        print(table.to_string())

    # Bootstrap CIs for our router: choices fixed, prompts resampled.
    w = default_cost_weights()
    for label in (DEFAULT, GROUPED):
        r = routers[label]
        q = r.predict_quality(Xte, gte if label == GROUPED else None)
        bootstrap_rows(te, choices_for_weights(q, r.predict_cost(Xte), w, r.cost_scale_), label, n_boot)
    g = routers[GROUPED]
    print(f"  told the benchmark, inner CV chose group strength {g.group_strength_:g}, residual weight "
          f"{g.residual_weight_[0]:g}")
    report_spreads(t, tr, te, Xtr, Xte, {k: routers[k] for k in (DEFAULT, GROUPED)}, fit_seeds, pooled_folds, seeds)
    best = routers[DEFAULT]
    # Per-prompt signal: inside one benchmark, does the predicted quality rank right above wrong?
    groups = te.prompts["benchmark"].to_numpy()
    auc = within_group_auc(best.predict_quality(Xte), te.quality, groups)
    print("\nDefault router, within-benchmark AUC of predicted quality (0.5 = no per-prompt signal), median / max:")
    for b, row in zip(np.unique(groups), auc, strict=True):
        print(f"  {b:14s} {np.nanmedian(row):.3f} / {np.nanmax(row):.3f}")
    casc_report()
    cascades(te, Xte, routers["logistic (C=1)"])


def report_spreads(t: OutcomeTable, tr: OutcomeTable, te: OutcomeTable, Xtr: np.ndarray, Xte: np.ndarray,
                   fitted: dict[str, EnsembleRouter], fit_seeds: int, pooled_folds: int, seeds: int) -> None:
    """The default told the task beside task identity and the zero router, with seed spreads."""
    fmt = {"display.width": 160, "display.float_format": "{:.4f}".format}
    with pd.option_context(*[x for kv in fmt.items() for x in kv]):
        t0 = time.time()
        print(f"\nRouterBench test split, the default over {fit_seeds} fit seed(s) (the MF seed):")
        print(fit_seed_spread(tr, te, Xtr, Xte, fit_seeds, fitted).to_string())
        print(f"  ({time.time() - t0:.0f}s)")
        if pooled_folds >= 2:
            t0 = time.time()
            print(f"\nRouterBench pooled train + test (n={len(t)}), outer {pooled_folds}-fold stratified by "
                  f"benchmark, {seeds} fold seed(s):")
            print(pooled_fold_seeds(t, embed_table(t), pooled_folds, seeds).to_string())
            print(f"  ({time.time() - t0:.0f}s)")


def bootstrap_rows(te: OutcomeTable, ch: np.ndarray, label: str, n_boot: int) -> None:
    """Bootstrap CIs of a router's AIQ and max accuracy gain over GPT-4: choices fixed, prompts resampled."""
    rows = np.arange(len(te))[None, :]
    Qc, Cc = te.quality[rows, ch], te.cost[rows, ch]

    def aiq_of(idx: np.ndarray) -> float:
        mc = te.cost[idx].mean(axis=0)
        return aiq(Cc[:, idx].mean(axis=1), Qc[:, idx].mean(axis=1), float(mc.min()), float(mc.max()))

    def gain_of(idx: np.ndarray) -> float:  # max accuracy minus GPT-4's, on the same resample
        return float(Qc[:, idx].mean(axis=1).max() - te.quality[idx, te.model_index(GPT4)].mean())

    for name, fn in (("AIQ", aiq_of), ("max acc - GPT-4 acc", gain_of)):
        p, lo, hi = bootstrap_ci(fn, len(te), n_boot=n_boot)
        print(f"  {label} {name}: {p:.3f}  (95% bootstrap CI {lo:.3f} .. {hi:.3f}, {n_boot} resamples)")


CASCADE_FREE = "learned cascade + step 0, benchmark-free (inner-CV choice)"
CASCADE_TOLD = "learned cascade + step 0, told the benchmark (inner-CV choice)"


def learned_cascades(tr: OutcomeTable, te: OutcomeTable, n_boot: int, Xtr: np.ndarray, Xte: np.ndarray
                     ) -> tuple[dict[str, pd.DataFrame], Any]:
    """The learned cascade policy (issue 13): steps chosen by inner 3-fold AIQ on train among
    table-built candidates, code answers compared by the code checks (cached); then, on those
    steps, step 0 (straight to one model from the prompt) and the embedding chosen by inner CV,
    benchmark-free and told the benchmark. Returns the curves for the main table and a function
    printing their intervals, per-benchmark results and speed."""
    t0 = time.time()
    agree_tr = agreement_tensor(tr.responses, code_agreement=code_agreement_tensor(tr.responses))
    agree_te = agreement_tensor(te.responses, code_agreement=code_agreement_tensor(te.responses))
    t_checks = time.time() - t0
    t0 = time.time()
    steps, scores = select_steps(tr, candidate_steps(tr), agree=agree_tr)
    free_opt, free_scores = select_policy(tr, [{}, {"step0": True}, {"step0": True, "embed_dims": 8}],
                                          agree=agree_tr, X=Xtr, steps=steps)
    told_opt, told_scores = select_policy(tr, [{}, {"step0": True}, {"step0": True, "embed_dims": 8}],
                                          agree=agree_tr, X=Xtr, group_by="benchmark", steps=steps)
    t_select = time.time() - t0
    policy = CascadePolicy(steps=steps).fit_table(tr, agree=agree_tr)
    text_only = CascadePolicy(steps=steps).fit_table(tr)
    free = CascadePolicy(steps=steps, **free_opt).fit_table(tr, X=Xtr, agree=agree_tr)
    told = CascadePolicy(steps=steps, **told_opt).fit_table(tr, X=Xtr, agree=agree_tr, group_by="benchmark")
    curve, sim = cascade_curve(policy, te, agree_te)
    curve_free, sim_free = cascade_curve(free, te, agree_te, X=Xte)
    curve_told, sim_told = cascade_curve(told, te, agree_te, X=Xte, group_by="benchmark")
    gte = te.prompts["benchmark"].to_numpy()
    prep = told.prepare(Xte, responses=te.responses, texts=te.prompts["text"].tolist(), agree=agree_te, groups=gte)
    t0 = time.time()
    told.simulate(Xte, te.quality, te.cost, responses=te.responses, texts=te.prompts["text"].tolist(),
                  weights=curve["cost_weight"].to_numpy(), prepared=prep)
    t_sweep = time.time() - t0
    curve_text, _ = cascade_curve(text_only, te)
    curves = {f"learned cascade {' -> '.join(steps)} (code checks)": curve,
              "learned cascade, same steps, text agreement only": curve_text,
              CASCADE_FREE: curve_free, CASCADE_TOLD: curve_told}

    def report() -> None:
        fmt = {"display.width": 200, "display.float_format": "{:.3f}".format}
        with pd.option_context(*[x for kv in fmt.items() for x in kv]):
            print(f"\nLearned cascade: code checks {t_checks:.1f}s (cached), steps and step 0 chosen on train "
                  f"{t_select:.0f}s:")
            print(scores.to_string(index=False))
            print("step 0 and embedding, inner 3-fold AIQ on train, benchmark-free:")
            print(free_scores.to_string(index=False))
            print("told the benchmark:")
            print(told_scores.to_string(index=False))
            print(f"  sweep of {len(curve)} cost weights over {len(te)} test prompts, step 0 on, features prepared: "
                  f"{t_sweep * 1e3:.0f} ms")
            for label, sm in (("cascade alone", sim), (CASCADE_FREE, sim_free), (CASCADE_TOLD, sim_told)):
                print(f"{label}:")
                print(curve_bootstrap(sm, te, GPT4, n_boot=n_boot).to_string(index=False))
            g = te.model_index(GPT4)
            rows = []
            for label, sm in (("cascade alone", sim), ("told the benchmark", sim_told)):
                for b in np.unique(gte):
                    m = gte == b
                    q, c = sm["quality"][:, m].mean(axis=1), sm["cost"][:, m].mean(axis=1) / te.cost[m, g].mean()
                    rows.append({"policy": label, "benchmark": b, "GPT-4": te.quality[m, g].mean(), "max": q.max(),
                                 "best <= 15%": best_within(c, q, 0.15), "best <= 30%": best_within(c, q, 0.3),
                                 "best <= 50%": best_within(c, q, 0.5),
                                 "cost@GPT-4 acc": cost_to_reach(c, q, te.quality[m, g].mean())})
            print("Per benchmark (cost as a share of GPT-4's on that benchmark):")
            print(pd.DataFrame(rows).to_string(index=False))
            for label, sm in (("cascade alone", sim), (CASCADE_TOLD, sim_told)):
                wi = int(np.argmin(np.abs(sm["cost"].mean(axis=1) - 0.3 * te.cost[:, g].mean())))
                print(f"  {label} as a verifier (accept = no {GPT4} call; prompts that entered the cascade) at "
                      f"cost weight {sm['weights'][wi]:.3g}, direct share {(sm['step'][wi] == -1).mean():.3f}:",
                      {k: round(v, 3) for k, v in escalation_errors(sm, te, wi).items()})

    return curves, report


def cascades(te: OutcomeTable, Xte: np.ndarray, predictor: LogisticRouter) -> None:
    """mixtral first, GPT-4 when the verifier rejects: learned, agreement and noisy-oracle verifiers."""
    mx, g4 = te.model_index("mixtral-8x7b-chat"), te.model_index(GPT4)
    chain = [mx, g4]
    correct = te.quality[:, mx] == 1
    groups = te.prompts["benchmark"].to_numpy()
    learned = LearnedVerifier(predictor)
    verifiers: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
    for thr in (0.5, 0.7, 0.9):
        verifiers[f"learned, prompt only, thr {thr}"] = (learned.accepts(Xte, [mx], thr)[:, 0], None)
    for names in (["Yi-34B-Chat"], ["Yi-34B-Chat", "gpt-3.5-turbo-1106"]):
        ck = [te.model_index(n) for n in names]
        assert te.responses is not None
        agree = agreement_confidence(te.responses, mx, ck) >= 1.0
        verifiers[f"agreement with {' + '.join(names)}"] = (agree, te.cost[:, ck].sum(axis=1))
    for err in (0.0, 0.1, 0.2):
        verifiers[f"noisy oracle, error {err:.1f}"] = (noisy_oracle_accepts(correct, err, seed=0), None)
    rows = []
    for name, (acc, vcost) in verifiers.items():
        for b in ["all", *np.unique(groups)]:
            m = np.ones(len(te), bool) if b == "all" else groups == b
            q, c, _ = simulate_cascade(te.quality[m], te.cost[m], chain, acc[m, None],
                                       None if vcost is None else vcost[m, None])
            e = verifier_errors(acc[m], correct[m])
            rows.append({"verifier": name, "benchmark": b, "quality": q.mean(),
                         "GPT-4 quality": te.quality[m, g4].mean(), "cost / GPT-4": c.mean() / te.cost[m, g4].mean(),
                         "error": e["error_rate"], "false accept": e["false_accept_rate"],
                         "false reject": e["false_reject_rate"]})
    df = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.float_format", "{:.3f}".format):
        print("\nCascade mixtral-8x7b -> gpt-4 on the test split (cost includes the checkers' calls)")
        print(df.to_string(index=False))


def routellm(emb: Embedder, benches: list[str], seeds: int, subset: int) -> None:
    print(f"\nRouteLLM benchmarks: in-domain 5-fold out-of-fold scores (mean over {seeds} fold seeds), "
          "RouteLLM's 10-bin threshold sweep")
    scorers = {
        "logistic P(win)": lambda s, w: ThresholdRouter(s, w, target="win", C=1.0),
        "ridge gain": lambda s, w: ThresholdRouter(s, w, target="gain", C=1.0),
        "kNN (k=50) gain": lambda s, w: ThresholdRouter(s, w, target="predictor", predictor=KNNRouter(k=50)),
        "MF gain": lambda s, w: ThresholdRouter(s, w, target="predictor", predictor=MFRouter()),
        "default: EnsembleRouter() gain": lambda s, w: ThresholdRouter(s, w, target="predictor",
                                                                       predictor=best_router()),
    }
    rows = []
    for bench in benches:
        t = load_routellm(bench)
        if bench == "mmlu" and 0 < subset < len(t):  # MMLU is 14k prompts: embedding all takes long on 2 cores
            t = t.select(np.sort(np.random.default_rng(0).choice(len(t), subset, replace=False)))
            print(f"  mmlu: random subset of {subset} prompts (seed 0)")
        s, w = t.meta["strong"], t.meta["weak"]
        t0 = time.time()
        X = embed_table(t, emb)
        print(f"  {bench}: {len(t)} prompts embedded in {time.time() - t0:.1f}s")
        rows.append({"benchmark": bench, "router": "random (mean of 20 seeds)", "APGR": random_apgr(t, s, w)})
        for name, mk in scorers.items():
            t0 = time.time()
            reps = [apgr_report(kfold_scores(X, t, lambda mk=mk, s=s, w=w: mk(s, w), k=5, seed=seed), t, s, w)
                    for seed in range(seeds)]
            rows.append(_apgr_row(bench, name, reps, t0))
        groups = t.prompts["domain"].to_numpy() if "domain" in t.prompts.columns else None
        if groups is not None:  # the subject (MMLU) / category (MT-Bench) as the group feature
            for name, grouped in (("task identity (knows the subject only)", None), (GROUPED_GAIN, groups)):
                t0 = time.time()
                reps = [apgr_report(grouped_gain_scores(X, t, s, w, groups, seed, task_only=grouped is None), t, s, w)
                        for seed in range(seeds)]
                rows.append(_apgr_row(bench, name, reps, t0))
    df = pd.DataFrame(rows)
    with pd.option_context("display.width", 160, "display.float_format", "{:.3f}".format):
        print(df.to_string(index=False))


GROUPED_GAIN = "default + group prior (subject) gain"


def _apgr_row(bench: str, name: str, reps: list[dict], t0: float) -> dict:
    ap = [r["APGR"] for r in reps]
    return {"benchmark": bench, "router": name, "APGR": float(np.mean(ap)),
            "APGR sd (fold seeds)": float(np.std(ap)) if len(ap) > 1 else np.nan,
            "CPT(50%)": float(np.mean([r["CPT(50%)"] for r in reps])),
            "CPT(80%)": float(np.mean([r["CPT(80%)"] for r in reps])), "secs": time.time() - t0}


def grouped_gain_scores(X: np.ndarray, t: OutcomeTable, strong: str, weak: str, groups: np.ndarray, seed: int,
                        k: int = 5, task_only: bool = False) -> np.ndarray:
    """Out-of-fold (1 + q_strong - q_weak) / 2 of the default router fitted with each prompt's group
    (``task_only``: the groups' training means alone), on the same folds as ``kfold_scores``."""
    folds = np.random.default_rng(seed).permutation(len(t)) % k
    cols = [t.model_index(weak), t.model_index(strong)]
    out = np.empty(len(t))
    for f in range(k):
        tr, te = folds != f, folds == f
        Q = t.quality[tr][:, cols]
        if task_only:
            means = {g: Q[groups[tr] == g].mean(axis=0) for g in np.unique(groups[tr])}
            q = np.stack([means.get(g, Q.mean(axis=0)) for g in groups[te]])
        else:
            q = best_router().fit(X[tr], Q, None, [weak, strong], groups=groups[tr]).predict_quality(X[te], groups[te])
        out[te] = (1.0 + q[:, 1] - q[:, 0]) / 2.0
    return out


def routellm_cascades(emb: Embedder, benches: list[str], n_boot: int, subset: int) -> None:
    """The learned cascade weak -> strong on the RouteLLM pairs that recorded answers (GSM8K),
    out-of-fold (5 folds), beside prompt-only routers and the zero router, with bootstrap CIs.
    RouteLLM records no cost: a call is priced in strong calls, the weak one at RouterBench's
    recorded cost ratio of the same two models (mixtral-8x7b-chat / gpt-4-1106-preview)."""
    rb = load_routerbench_zs(quiet=True)
    r = float(rb.cost[:, rb.model_index("mixtral-8x7b-chat")].mean() / rb.cost[:, rb.model_index(GPT4)].mean())
    print(f"\nRouteLLM pairs: learned cascade vs prompt-only routers (5-fold out-of-fold, fold seed 0); "
          f"a weak call costs {r:.4f} strong calls; {n_boot} bootstrap resamples")
    out = []
    for bench in benches:
        t = load_routellm(bench, quiet=True)
        if t.responses is None:
            out.append(pd.DataFrame({"benchmark": [bench], "router": ["learned cascade"],
                                     "APGR": [np.nan], "note": ["not possible: the table records no answer texts"]}))
            continue
        if bench == "mmlu" and 0 < subset < len(t):  # as in routellm(): MMLU's 14k prompts are long to embed
            t = t.select(np.sort(np.random.default_rng(0).choice(len(t), subset, replace=False)))
        t = priced_pair(t, r)
        s, w = t.meta["strong"], t.meta["weak"]
        X = embed_table(t, emb)
        zero = {"quality": t.quality[:, [t.model_index(w), t.model_index(s)]].T, "cost": np.array([[r], [1.0]]) *
                np.ones((2, len(t))), "strong": np.array([[0.0], [1.0]]) * np.ones((2, len(t))),
                "weak": np.array([[1.0], [0.0]]) * np.ones((2, len(t)))}
        rows = {"zero router (weak or strong alone, and mixes)": pair_summary(zero, t, r, n_boot)}
        for name, mk in (("logistic P(win), prompt only", lambda s=s, w=w: ThresholdRouter(s, w, target="win", C=1.0)),
                         ("default: EnsembleRouter() gain, prompt only",
                          lambda s=s, w=w: ThresholdRouter(s, w, target="predictor", predictor=best_router()))):
            rows[name] = pair_summary(threshold_choices(kfold_scores(X, t, mk, k=5, seed=0), t, r), t, r, n_boot)
        for name, kw in (("learned cascade, text agreement", {}),
                         ("learned cascade, numeric checks", {"numeric": True}),
                         ("learned cascade, numeric checks + step 0 (prompt, embedding)",
                          {"numeric": True, "step0": True, "embed_dims": 8})):
            rows[name] = pair_summary(kfold_cascade(t, X=X, **kw), t, r, n_boot)
        df = summary_frame(rows).reset_index(names="router")
        df.insert(0, "benchmark", bench)
        out.append(df)
    with pd.option_context("display.width", 200, "display.float_format", "{:.3f}".format):
        print(pd.concat(out, ignore_index=True).to_string(index=False))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--skip-routerbench", action="store_true")
    ap.add_argument("--skip-routellm", action="store_true")
    ap.add_argument("--routellm", nargs="+", default=["gsm8k", "mmlu", "mt_bench"], help="RouteLLM benchmarks")
    ap.add_argument("--mmlu-subset", type=int, default=0, help="evaluate MMLU on a random subset (0: all)")
    ap.add_argument("--seeds", type=int, default=1, help="k-fold shuffles (fold seeds) to average over")
    ap.add_argument("--fit-seeds", type=int, default=1, help="RouterBench: refit the default with this many seeds")
    ap.add_argument("--pooled-folds", type=int, default=0,
                    help="RouterBench: also an outer K-fold on train + test pooled, --seeds fold seeds (0: off)")
    ap.add_argument("--bootstrap", type=int, default=500, help="bootstrap resamples for the CIs")
    ap.add_argument("--threads", type=int, default=None, help="onnxruntime threads for embedding")
    args = ap.parse_args()
    emb = Embedder(threads=args.threads)
    t0 = time.time()
    if not args.skip_routerbench:
        routerbench(emb, args.bootstrap, args.fit_seeds, args.pooled_folds, args.seeds)
    if not args.skip_routellm:
        routellm(emb, args.routellm, args.seeds, args.mmlu_subset)
        routellm_cascades(emb, args.routellm, args.bootstrap, args.mmlu_subset)
    print(f"\ntotal {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()

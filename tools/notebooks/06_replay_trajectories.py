# %% [markdown]
# # 06 · Replaying real agent trajectories: what if they had been routed?
#
# Four sets of real agent runs that nobody here wrote (see `../shared/data/MANIFEST.md`):
# Claude Code sessions (a main agent on Opus with Haiku / Sonnet sub-agents), mini-swe-agent on
# SWE-bench Lite (DeepSeek), OpenHands on Multi-SWE-bench, and tau2-bench airline simulations
# (Claude Sonnet 4.5, with a reward per task). `routerlab.workloads` turns each into an ordered
# list of LLM calls with the agent, the step kind (from the tool called or command run), tokens
# in / out / cached, the recorded model, cost and timing.
#
# `simulate` replays a workload under a policy: the recorded tokens and the recorded gaps
# between calls stay; the model, price and latency change.

# %%
import pandas as pd

from routerlab import viz
from routerlab.simulate import compare
from routerlab.tiers import TierMap
from routerlab.workloads import load_all

workloads = load_all()
pd.DataFrame({name: {"calls": len(w), "tasks": len(w.tasks), "agents": w.frame["agent"].nunique(),
                     "main model": w.frame["model"].value_counts().index[0]} for name, w in workloads.items()}).T

# %%
assert set(workloads) == {"claude-code", "mini-swe-agent", "openhands", "tau2-bench"}
assert all(len(w) > 50 for w in workloads.values())
# the models the text names: Opus main agent with Haiku / Sonnet sub-agents, DeepSeek, Sonnet 4.5 on tau2
cc_frame = workloads["claude-code"].frame
assert "opus" in cc_frame.loc[cc_frame["agent"] == "main", "model"].mode()[0]
sub_models = " ".join(set(cc_frame.loc[cc_frame["agent"] != "main", "model"]))
assert "haiku" in sub_models and "sonnet" in sub_models
assert workloads["mini-swe-agent"].frame["model"].str.startswith("deepseek:").all()
assert workloads["tau2-bench"].frame["model"].str.contains("claude-sonnet-4-5").all()

# %% [markdown]
# ## Four policies per workload
#
# - **as recorded**: the models the agents really used, at their recorded cost and timing;
# - **all top**: every call on the orchestrator tier's model;
# - **by tier**: each call on its step kind's tier model (plan / respond / review on the
#   orchestrator, search / read on the classifier tier, edit / run / test on the coder tier);
# - **main on top, sub-agents by tier**: the main agent stays on the top model for every step
#   (its long context keeps its prompt cache); only sub-agents' calls move to their tier's model.
#   For single-agent runs this is the same as all top (asserted below).
#
# Columns: `cost_usd` the run's cost; `wall_s` each task's first call's start to its last call's
# end, recorded gaps included, summed over tasks; `llm_s` the calls' own latencies summed (no
# gaps); `tasks_outcome_known` is explained under the table.

# %%
tiers = TierMap.default()
top = tiers.model_for("orchestrator").id


def main_on_top(call):
    """A policy is any function of a call (a row of the workload) that returns a model id."""
    return top if call.agent == "main" else tiers.model_for(call.tier).id


policies = {"as recorded": "as recorded", "all top": f"all:{top}", "by tier": tiers,
            "main on top, sub-agents by tier": main_on_top}
from routerlab.workloads.step_kinds import tier_of

# the kinds -> tiers the list above says
assert {k: tier_of(k) for k in ("plan", "respond", "review", "search", "read", "edit", "run", "test")} == {
    "plan": "orchestrator", "respond": "orchestrator", "review": "orchestrator", "search": "classifier",
    "read": "classifier", "edit": "coder", "run": "coder", "test": "coder"}
tables = {name: compare(w, policies) for name, w in workloads.items()}
# (compare() keeps its SimResults in .attrs; pd.concat would try to compare those, so build the rows)
summary = pd.concat({name: pd.DataFrame(t[["cost_usd", "wall_s", "llm_s", "tasks_outcome_known"]].to_dict())
                     for name, t in tables.items()})
summary.style.format({"cost_usd": "${:.2f}", "wall_s": "{:,.0f} s", "llm_s": "{:,.0f} s"})

# %%
for name, t in tables.items():
    w = workloads[name]
    # as recorded keeps every recorded cost the trajectory has
    known = w.frame["cost_usd"].notna()
    rec = t.attrs["results"]["as recorded"].frame
    assert abs(rec.loc[known.to_numpy(), "cost_usd"].sum() - w.frame.loc[known, "cost_usd"].sum()) < 1e-6
    # cheaper tiers answer sooner: routing by tier never makes the LLM time longer than all-top
    assert t.loc["by tier", "llm_s"] < t.loc["all top", "llm_s"]
    assert t.loc["main on top, sub-agents by tier", "cost_usd"] <= t.loc["all top", "cost_usd"] + 1e-9
    if w.frame["agent"].nunique() == 1:  # "for single-agent runs this is the same as all top"
        assert set(w.frame["agent"]) == {"main"}, name
        assert abs(t.loc["main on top, sub-agents by tier", "cost_usd"] - t.loc["all top", "cost_usd"]) < 1e-9, name
# tau2 has a reward per task: it is known as recorded, and unknown once any call is rerouted
tau = tables["tau2-bench"]
assert tau.loc["as recorded", "tasks_outcome_known"] == len(workloads["tau2-bench"].tasks)
assert tau.loc["by tier", "tasks_outcome_known"] == 0

# %%
from IPython.display import Markdown

assert len(policies) == 4  # the heading says four
claude = [p for p in policies if p != "as recorded"]
cached = {n: [t.attrs["results"][p].frame["cached_tokens"].sum() for p in ("by tier", "all top")]
          for n, t in tables.items()}
loses = [n for n, (bt, at) in cached.items() if bt < at]
cheaper_everywhere = all(t.loc["by tier", "cost_usd"] < t.loc["all top", "cost_usd"] for t in tables.values())
lines = []
for name, t in tables.items():
    ratio = t.loc["by tier", "cost_usd"] / t.loc["all top", "cost_usd"]
    lines.append(f"- **{name}**: by tier costs x{ratio:.2f} all-top ({'cheaper' if ratio < 1 else 'dearer'}), "
                 f"LLM time x{t.loc['by tier', 'llm_s'] / t.loc['all top', 'llm_s']:.2f}")
cheap_recorded = [n for n, t in tables.items() if "claude" not in str(workloads[n].frame["model"].mode()[0])
                  and t.loc["as recorded", "cost_usd"] < t.loc[claude, "cost_usd"].min()]
outcome = {n: int(t.loc["as recorded", "tasks_outcome_known"]) for n, t in tables.items()}
Markdown(
    "Reading the table, per workload:\n\n" + "\n".join(lines) + "\n\n"
    f"Routing by tier is {'cheaper than all-top on every workload' if cheaper_everywhere else 'not cheaper everywhere'}"
    f" here, and on {len(loses)} of {len(tables)} workloads it reads fewer cached tokens than all-top "
    f"({', '.join(f'{n} {bt / at:.0%}' for n, (bt, at) in cached.items() if at)} of all-top's"
    + (f"; {', '.join(n for n, (_, at) in cached.items() if not at)} record no cached tokens" if any(
        not at for _, at in cached.values()) else "")
    + "): the default cache "
    "rule (`cache='per-model'`) lets a call read from cache at most what its own model already saw earlier in the "
    "agent's run, so a model that is called rarely pays for fresh context"
    + ("; the cheaper tiers' prices more than make up for it. " if cheaper_everywhere else ". ")
    + "Keeping the main agent on the top model and moving only sub-agents never costs more than "
    "all-top (asserted above).\n\n"
    f"**tasks_outcome_known** counts the tasks whose recorded outcome still applies under a policy: only "
    f"{', '.join(n for n, k in outcome.items() if k) or 'no workload'} records an outcome per task (a reward), and a task keeps it "
    "only if every one of its calls stayed on the recorded model, so it is known as recorded "
    f"({', '.join(f'{k} tasks' for k in outcome.values() if k)}) and 0 under every rerouting policy: unknown, not failed.\n\n"
    + (f"The recorded runs of {', '.join(cheap_recorded)} (non-Claude models) cost less than any Claude policy: those rows "
       "compare prices, not what those models would have achieved." if cheap_recorded else ""))

# %%
for name, t in tables.items():  # the sentences above, as checks
    assert (t.loc[claude, "tasks_outcome_known"] == 0).all(), name  # every Claude policy reroutes
assert [n for n, k in outcome.items() if k] == ["tau2-bench"]

# %% [markdown]
# ### Quality beside cost
#
# Next to each policy, each tier's model with its measured evidence and gap to the best (see
# notebook 09). The tau2-bench run was recorded on one model: its whole-agent result on the
# leaderboard (same domain; pass^1 the share of single trials that succeed, pass^4 the share of
# tasks that succeed in all of 4 trials) is a measured figure for that run, not a product of
# per-step numbers.

# %%
from routerlab.datasets import load_tau2_leaderboard
from routerlab.quality import tier_table
from routerlab.simulate import resolve_model

evidence = tier_table(tiers)
tau_q = compare(workloads["tau2-bench"], {"all top": f"all:{top}", "by tier": tiers}, quality=evidence)
print(tau_q.filter(like="quality_").T.to_string())
print("measured as a whole:", *tau_q["measured_combination"].str.split(" [|] ").explode().unique(), sep="\n  ")
recorded = resolve_model(tiers.catalog, str(workloads["tau2-bench"].frame["model"].mode()[0])).id  # drops the date
lb = load_tau2_leaderboard(quiet=True)
same = lb[(lb["catalog_id"] == recorded) & (lb["domain"] == "airline")]
print(same[["model", "tau2_bench_version", "user_simulator", "pass_1", "pass_4", "n", "date"]].to_string(index=False))
for _, row in same[same["pass_4"].isna()].iterrows():  # a blank is a figure not reported, not a zero
    print(f"({row['model']}, tau2-bench {row['tau2_bench_version']}: the submission reports no pass^4, hence NaN)")
assert tau_q.loc["by tier", "gap_orchestrator"] == tau_q.loc["all top", "gap_orchestrator"]
assert len(same) >= 1
# the orchestrator's whole-agent tau2 runs are in the readout, airline among them
assert tau_q["measured_combination"].str.contains("alone as the whole agent .* on tau2-bench .*airline", regex=True).all()

# %% [markdown]
# ## One Claude Code session on a timeline
#
# Lanes are agents: the main agent and its sub-agents, each labelled with the model(s) that
# served it. Recorded (above) vs routed by tier (below), on one time axis and one cost colour
# scale. Hover a bar for the step kind, tokens (cached too) and cost.

# %%
cc = workloads["claude-code"]
busiest = cc.summary().sort_values(["agents", "calls"]).index[-1]
session = cc.task(busiest)
recorded = compare(session, {"as recorded": "as recorded", "by tier": tiers}).attrs["results"]
rec_f, tier_f = recorded["as recorded"].frame, recorded["by tier"].frame
rec_end, tier_end = rec_f["end"].max() - rec_f["start"].min(), tier_f["end"].max() - tier_f["start"].min()
viz.timelines({"as recorded": rec_f, "routed by tier": tier_f}, lane="agent",
              title=f"Claude Code session {busiest[:8]}: routed by tier costs ${tier_f['cost_usd'].sum():.2f} "
                    f"(as recorded ${rec_f['cost_usd'].sum():.2f}) and ends {rec_end - tier_end:,.0f} s "
                    f"{'sooner' if tier_end < rec_end else 'later'}")

# %%
viz.cost_comparison({k: r.frame for k, r in recorded.items()}, by="agent")

# %%
assert session.frame["agent"].nunique() >= 3
print(recorded["by tier"].notes[0])

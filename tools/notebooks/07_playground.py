# %% [markdown]
# # 07 · Playground: swap a tier's model and watch cost and time move
#
# The task is a realistic 50-call agent run, bootstrapped from real recorded agent calls
# (Claude Code, mini-swe-agent, OpenHands, tau2-bench; see `routerlab.workloads`). Each call
# keeps its recorded kind, tokens and the recorded time between calls; `routerlab.simulate`
# re-prices it with the catalog and re-times it with each model's latency profile.
#
# Change a tier's model in a dropdown, or move the budget slider: the figures below update in
# place, without re-running any cell. Calls that the budget would refuse are hatched (the legend
# says so), cost nothing, take no time, and the summary line counts them as refused. Both runs
# share one time axis and one cost colour scale. What this cannot tell you: whether the cheaper model would have done the job as well
# (notebooks 03 and 04 measure that on real outcome data).

# %%
import numpy as np

from routerlab.simulate import simulate
from routerlab.tiers import TierMap
from routerlab.widgets import Playground
from routerlab.workloads import synthetic_agent_task

task = synthetic_agent_task(50, seed=0)
top = "all:" + TierMap.default().model_for("orchestrator").id
all_top = simulate(task, top).frame  # the baseline does not depend on the controls


def run(state):
    """Re-simulate the task under the picked tiers; refuse calls once the budget is spent."""
    routed = simulate(task, state.tiers).frame
    over = routed["cost_usd"].cumsum().to_numpy() > state.budget_usd
    routed["status"] = np.where(over, "refused", "ok")
    routed.loc[over, "cost_usd"] = 0.0
    routed.loc[over, "end"] = routed.loc[over, "start"]  # a refused call takes no time
    return {"routed": routed, "all on the top model": all_top}


pg = Playground(run, TierMap.default(), budget_usd=5.0, budget_range=(0.05, 10.0))
pg

# %% [markdown]
# The same controls can be driven from code (this is what the tests do). Send the coder tier
# to the cheapest capable model and the routed run gets cheaper, in place:

# %%
coder = pg.picker.dropdowns["coder"]
before = pg.summary_frame().loc["routed", "cost_usd"]
coder.value = coder.options[0][1]  # options are sorted cheapest first
after = pg.summary_frame().loc["routed", "cost_usd"]
print(f"coder -> {coder.value}: routed cost ${before:.4f} -> ${after:.4f}")
assert after < before
assert set(pg.frames["routed"].query("tier == 'coder'")["model"]) == {coder.value}
# the introduction's task: 50 calls bootstrapped from the four recorded trajectory sets
assert len(task) == 50 and all(s in " ".join(task.notes) for s in ("claude-code", "mini-swe-agent", "openhands", "tau2"))
price = {m.id: m.input_price + m.output_price for m in TierMap.default().choices("coder")}
assert price[coder.value] == min(price.values()), "the first option is not the cheapest capable model"

# %% [markdown]
# A tight budget refuses the tail of the run (hatched bars); the budget is never exceeded.

# %%
pg.sliders["budget_usd"].value = 0.1
routed = pg.frames["routed"]
n_refused = int((routed["status"] == "refused").sum())
print(f"budget $0.10: {n_refused} of {len(routed)} calls refused, spent ${routed['cost_usd'].sum():.4f}")
assert routed["cost_usd"].sum() <= 0.1
assert (routed["status"].iloc[len(routed) - n_refused:] == "refused").all(), "the refused calls are not the tail"
assert n_refused > 0 and pg.summary_frame().loc["routed", "refused"] == n_refused  # counted as refused
assert pg.summary_frame().loc["routed", "calls"] == len(routed) - n_refused  # not as served calls
assert (routed.loc[routed.status == "refused", "end"] == routed.loc[routed.status == "refused", "start"]).all()
pg.sliders["budget_usd"].value = 5.0
coder.value = TierMap.default().model_for("coder").id  # back to the defaults for the reader

# %% [markdown]
# ### Quality beside cost in the playground
#
# The same playground with the tier-quality table: under the summary, each tier's picked
# model with its measured evidence and gap to the best ("no evidence" where nothing was
# measured), and a figure of each tier's candidates on price vs evidence with the picked one
# starred. Change a dropdown: cost, timeline and quality move together.

# %%
from routerlab.quality import tier_table

qtiers = TierMap.default()
choices = {t: [m.id for m in qtiers.choices(t)] for t in qtiers.names()}
pgq = Playground(run, qtiers, budget_usd=5.0, budget_range=(0.05, 10.0), quality=tier_table(qtiers, candidates=choices))
pgq

# %%
import time

dd = pgq.picker.dropdowns["coder"]
before_q, before_cost = pgq.quality_frame().loc["coder", "gap_points"], pgq.summary_frame().loc["routed", "cost_usd"]
t0 = time.perf_counter()
dd.value = "openai:gpt-5-mini"
redraw_ms = 1000 * (time.perf_counter() - t0)
after_q, after_cost = pgq.quality_frame().loc["coder", "gap_points"], pgq.summary_frame().loc["routed", "cost_usd"]
print(f"coder -> gpt-5-mini: cost ${before_cost:.4f} -> ${after_cost:.4f}, coder gap {before_q:.1f} -> {after_q:.1f} "
      f"points; redraw with the quality readout took {redraw_ms:.0f} ms here (benchmarks/bench_policy_search.py "
      "measures it against the playground without it)")
assert after_cost < before_cost and after_q > before_q
assert "gpt-5-mini" in pgq.quality_readout.value
dd.value = TierMap.default().model_for("coder").id

# %% [markdown]
# ## A learned router's cost weight, on real outcome data
#
# A kNN router fitted on RouterBench's train split (real answers of 11 models, scored 0/1, with
# their costs) picks, for each test prompt, the model with the best predicted quality minus
# **cost weight** x predicted cost. Move the slider: the large diamond ("this cost weight")
# walks along the router's cost-quality curve, and the bars show which models now get the
# test prompts.

# %%
import pandas as pd
import plotly.express as px

from routerlab import viz
from routerlab.datasets import load_routerbench_zs
from routerlab.evaluation import choices_for_weights
from routerlab.evaluation.runs import embed_table, router_curve, single_models
from routerlab.routers.predictors import KNNRouter

bench = load_routerbench_zs(quiet=True)
train, test = bench.split("train"), bench.split("test")
knn = KNNRouter(k=50).fit(embed_table(train), train.quality, train.cost, train.models)
X_test = embed_table(test)
pred_q, pred_c = knn.predict_quality(X_test), knn.predict_cost(X_test)
assert len(bench.models) == 11  # "real answers of 11 models"
sweep = router_curve(knn, X_test, test)
singles = single_models(test).reset_index()


def at_weight(state):
    """What the router picks for every test prompt at the slider's cost weight, and how it did."""
    choice = choices_for_weights(pred_q, pred_c, np.array([state.cost_weight]), knn.cost_scale_)[0]
    rows = np.arange(len(test))
    return {"picked": pd.DataFrame({"model": np.array(test.models)[choice], "quality": test.quality[rows, choice],
                                    "cost": test.cost[rows, choice]})}


def curve(frames):
    p = frames["picked"]
    now = pd.DataFrame({"cost": [p["cost"].mean()], "quality": [p["quality"].mean()]})
    return viz.cost_quality({"kNN: every cost weight": sweep, "this cost weight": now}, singles, log_x=True,
                            x_title="mean cost per prompt (USD, log scale)",
                            title="RouterBench test split: where this cost weight sits on the kNN router's curve")


def shares(frames):
    counts = frames["picked"]["model"].value_counts().reindex(test.models, fill_value=0).sort_values(ascending=False)
    fig = px.bar(x=counts.index, y=counts.to_numpy(), text=counts.to_numpy(),
                 labels={"x": "model", "y": "test prompts routed to it"},
                 title=f"where the {len(test)} test prompts go at this cost weight", template="plotly_white")
    fig.update_traces(textposition="outside", textfont_size=13, cliponaxis=False, marker_color="#4C78A8")
    return fig.update_layout(uniformtext=dict(minsize=11, mode="show"), xaxis_tickangle=-30, height=440,
                             yaxis=dict(range=[0, counts.max() * 1.15 + 1]))


def line(frames):
    p = frames["picked"]
    return f"accuracy <b>{p['quality'].mean():.3f}</b> at <b>${p['cost'].mean() * 1000:.3f}</b> per 1,000 prompts"


weights = Playground(at_weight, cost_weight=0.01, cost_weight_range=(1e-4, 1e3), picker_tiers=(),
                     figures={"curve": curve, "shares": shares}, summary=line)
weights

# %%
slider = weights.sliders["cost_weight"]
cheap_before = weights.frames["picked"]["cost"].mean()
slider.value = 100.0
assert weights.frames["picked"]["cost"].mean() < cheap_before  # a higher weight buys cheaper models
slider.value = 0.01

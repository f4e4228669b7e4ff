# %% [markdown]
# # 07 · Playground: swap a tier's model and watch cost and time move
#
# The task is a realistic 50-call agent run, bootstrapped from real recorded agent calls
# (Claude Code, mini-swe-agent, OpenHands, tau2-bench; see `routerlab.workloads`). Each call
# keeps its recorded kind, tokens and the recorded time between calls; `routerlab.simulate`
# re-prices it with the catalog and re-times it with each model's latency profile.
#
# Change a tier's model in a dropdown, or move the budget slider: the figures below update in
# place, without re-running any cell. Calls that the budget would refuse are hatched and cost
# nothing. What this cannot tell you: whether the cheaper model would have done the job as well
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

# %% [markdown]
# A tight budget refuses the tail of the run (hatched bars); the budget is never exceeded.

# %%
pg.sliders["budget_usd"].value = 0.1
routed = pg.frames["routed"]
print(routed["status"].value_counts().to_dict(), f"spent ${routed['cost_usd'].sum():.4f}")
assert routed["cost_usd"].sum() <= 0.1
assert (routed["status"] == "refused").any()
pg.sliders["budget_usd"].value = 5.0
coder.value = TierMap.default().model_for("coder").id  # back to the defaults for the reader

# %% [markdown]
# # 02 · Models and tiers: the catalog, prices, latency, and swapping a tier
#
# Every model routerlab can route to is a row of the **catalog**: a `provider:model` id with
# aliases, input / output / cached-input prices in USD per million tokens, context window,
# capabilities (vision, tools, structured output, code) and a latency profile (time to first
# token and output tokens per second). Every row says where its price and latency came from.

# %%
from routerlab import viz
from routerlab.catalog import Catalog, cost_of
from routerlab.errors import CapabilityError
from routerlab.types import Usage

catalog = Catalog.default()
models = catalog.to_frame()
current = models[~models["id"].str.startswith("routerbench:")]  # the 2023-24 outcome-table models aside
current[["id", "input_per_mtok", "output_per_mtok", "cached_input_per_mtok", "context_window",
         "vision", "code", "ttft_s", "output_tps", "price_source", "price_date", "latency_source"]]

# %%
assert {"anthropic:claude-opus-4-5", "anthropic:claude-haiku-4-5", "openai:gpt-4o-mini"} <= set(models["id"])
assert (models["price_source"].str.len() > 0).all(), "every price says where it came from"
assert (models["latency_source"].str.len() > 0).all(), "every latency says where it came from"
local = current[current["id"].str.startswith(("local:", "ollama:"))]
assert (local[["input_per_mtok", "output_per_mtok"]] == 0).all().all(), "a local model has a per-token price"

# %% [markdown]
# ## What one call costs
#
# `cost_of(model, usage)`: fresh input tokens at the input price, cached ones at the cached
# price, output at the output price. An agent step with a 20,000-token context of which 15,000
# are cached, answering in 500 tokens:

# %%
usage = Usage(input_tokens=20_000, output_tokens=500, cached_tokens=15_000)
step = {m: cost_of(m, usage) for m in ["anthropic:claude-opus-4-5", "anthropic:claude-sonnet-4-5",
                                       "anthropic:claude-haiku-4-5", "openai:gpt-4o-mini", "local:smollm2-135m"]}
for m, c in step.items():
    print(f"{m:<32} ${c:.5f}")

opus = catalog.get("anthropic:claude-opus-4-5")
by_hand = (5_000 * opus.input_price + 15_000 * opus.cached_input_price + 500 * opus.output_price) / 1e6
assert abs(step[opus.id] - by_hand) < 1e-12
assert step["anthropic:claude-haiku-4-5"] < step["anthropic:claude-sonnet-4-5"] < step[opus.id]
assert step["local:smollm2-135m"] == 0

# %% [markdown]
# ## Price against latency
#
# One typical call (2,000 tokens in, 500 out), priced and timed with each model's profile:
# ttft + output tokens / throughput. Local models cost nothing and sit at the left edge.

# %%
viz.model_map(current)

# %% [markdown]
# The arithmetic behind routing, from the catalog: 50 calls of that size on the top model vs a
# small one.

# %%
small = catalog.get("anthropic:claude-haiku-4-5")
call = Usage(2_000, 500)
for m in (opus, small):
    print(f"{m.id:<28} 50 calls: ${50 * m.cost(call):.3f}, {50 * m.predicted_latency(500):.0f} s one after another")
ratio = opus.cost(call) / small.cost(call)
print(f"cost ratio {ratio:.1f}x")
assert ratio > 1 and opus.predicted_latency(500) > small.predicted_latency(500)

# %% [markdown]
# ## Tiers
#
# A tier is a role with required capabilities and an ordered list of models (first preferred,
# the rest fallbacks). `choices(tier)` lists every catalog model that could serve it.

# %%
from routerlab.tiers import TierMap

tiers = TierMap.default()
for spec in tiers:
    print(f"{spec.name:<13} requires {sorted(spec.requires) or '-'}, min context {spec.min_context:,}: "
          f"{' > '.join(spec.models)}")
vision_choices = [m.id for m in tiers.choices("vision")]
print("\nvision tier could use:", ", ".join(vision_choices))
assert all(catalog.get(m).vision for m in vision_choices)

# %% [markdown]
# **Swapping a tier** at run time: the coder tier to a cheaper model (asserted). A model that
# lacks what a tier needs is refused with an error that says why.

# %%
before = tiers.model_for("coder")
tiers.swap("coder", "openai:gpt-4.1-mini")
after = tiers.model_for("coder")
assert after.input_price < before.input_price and after.output_price < before.output_price, "the swap is not cheaper"
print(tiers)
assert tiers.model_for("coder").id == "openai:gpt-4.1-mini"

refused = False
try:
    tiers.swap("vision", "ollama:llama3.2:3b")  # text-only
except CapabilityError as e:
    print("refused:", e)
    refused = True
assert refused and tiers.model_for("vision").id != "ollama:llama3.2:3b"

# %% [markdown]
# What the swap does to the 50-call task of notebook 01 (the columns as in notebook 01:
# `wall_s` first call's start to last call's end, gaps included; `llm_s` time inside the models;
# `cost_x_first` cost as a multiple of the first row's):

# %%
from routerlab.simulate import compare
from routerlab.workloads.demo import agent_task

task = agent_task(50)  # notebook 01's task: the first 50 calls of a recorded Claude Code session
table = compare(task, {"default tiers": TierMap.default(), "coder on gpt-4.1-mini": tiers})
table[["cost_usd", "wall_s", "llm_s", "cost_x_first"]]

# %%
assert table.loc["coder on gpt-4.1-mini", "cost_usd"] < table.loc["default tiers", "cost_usd"]
viz.cost_comparison({k: r.frame for k, r in table.attrs["results"].items()})

# %% [markdown]
# # 10 · Your own agent: its traces in, the tuned policy out to the gateway
#
# Your agent's calls are already in an observability tool (Phoenix, Langfuse, any
# OpenTelemetry backend) as spans that follow the **OpenTelemetry GenAI** or **OpenInference**
# conventions. `routerlab.workloads.load_otel(path)` reads such a span file (OTLP JSON, or JSON
# Lines of spans) into the same `Workload` the research trajectories give, so it replays under
# tier policies like notebook 06; `routerlab.gateway` writes the chosen policy as a LiteLLM proxy
# config, the gateway your agent can call.
#
# By default this notebook makes its own span file: a short coding agent runs on the real local
# model (SmolLM2 on llama.cpp) through the official OpenAI and Anthropic SDKs, traced by the real
# OpenInference and OpenTelemetry GenAI instrumentors, exported by the OpenTelemetry SDK. Point
# `SPAN_FILE` at your own export to replay your agent instead.

# %%
import tempfile
from pathlib import Path

from routerlab import viz
from routerlab.providers.local import shared_server
from routerlab.workloads import load_otel
from routerlab.workloads.otel_agent import record_agent_spans

SPAN_FILE = None  # e.g. "my_agent_spans.jsonl" (SDK JSON Lines) or an OTLP JSON export
work = Path(tempfile.mkdtemp(prefix="routerlab-10-"))
if SPAN_FILE is None:
    run = record_agent_spans(shared_server().base_url, work / "my_agent.jsonl", steps=4, max_tokens=12)
    SPAN_FILE = run.path
mine = load_otel(SPAN_FILE)
mine.frame[["agent", "kind", "tier", "tools", "input_tokens", "cached_tokens", "output_tokens", "model",
            "duration_s", "gap_s"]]

# %%
from routerlab.workloads import kind_of_tool

f = mine.frame
assert (f["input_tokens"] > 0).all() and (f["cached_tokens"] <= f["input_tokens"]).all()
if SPAN_FILE == work / "my_agent.jsonl":  # the agent run above: the trace says what the SDKs said
    assert f["agent"].tolist() == [c["agent"] for c in run.calls] == ["main"] * 4 + ["sub:reviewer"]
    assert f["output_tokens"].tolist() == [c["output_tokens"] for c in run.calls]
    # step kinds come from the tools the agent ran after each call (step_kinds' documented rules)
    assert f["kind"].tolist() == [kind_of_tool(c["tool"], c["args"]) if c["tool"] else "respond" for c in run.calls]
    # the text below: the OpenAI calls were seen by two instrumentors, and the loader merged each pair
    n_openai = int(f["model"].str.startswith("openai:").sum())
    assert any(n.startswith(f"{n_openai} LLM spans nested") for n in mine.notes), mine.notes
for note in mine.notes:
    print(note)

# %% [markdown]
# Each row is one LLM call: the agent from the span tree (the outermost `invoke_agent` span is
# `main`, a nested one a sub-agent), the step kind from the tool spans that followed the call,
# tokens and the model from the GenAI / OpenInference attributes, and the gap before it (the
# tool run) from the span times. The OpenAI calls were seen by two instrumentors at once; the
# loader keeps one call each and says so in the notes.
#
# ## Replay it under tier policies
#
# As in notebook 01: `wall_s` is the first call's start to the last call's end, recorded gaps
# included; `llm_s` the calls' own latencies summed.

# %%
from routerlab.simulate import compare
from routerlab.tiers import TierMap

tiers = TierMap.default()
top = tiers.model_for("orchestrator").id
table = compare(mine, {"all top": f"all:{top}", "by tier": tiers})
results = table.attrs["results"]
table[["cost_usd", "wall_s", "llm_s"]]

# %%
cost, wall = table["cost_usd"], table["wall_s"]
viz.timelines({name: r.frame for name, r in results.items()}, lane="agent",
              title=f"Your agent: each step on its tier costs x{cost['by tier'] / cost['all top']:.2f} the all-top run "
                    f"and takes {wall['by tier']:.1f} s instead of {wall['all top']:.1f} s")

# %%
viz.cost_comparison({name: r.frame for name, r in results.items()}, by="agent")

# %%
from IPython.display import Markdown

ratio = table.loc["by tier", "cost_usd"] / table.loc["all top", "cost_usd"]
by_tier = results["by tier"].frame
moved = int((by_tier["model"] != top).sum())
assert 0 < ratio < 1 and moved == int((f["tier"] != "orchestrator").sum())
Markdown(f"Routing each step to its tier moves {moved} of {len(f)} calls off {top} and costs "
         f"{ratio:.2f}× the all-top run (${table.loc['by tier', 'cost_usd']:.4f} vs "
         f"${table.loc['all top', 'cost_usd']:.4f}), with the recorded tokens and the recorded gaps kept.")

# %% [markdown]
# ## Take the policy to the gateway
#
# `write_litellm_config` writes the chosen policy (here: by tier) as a LiteLLM proxy
# `config.yaml`: one model group per tier, the tier's other models as ordered fallbacks, per-tier
# timeouts and budgets, the retry policy, and an `auto` group where the step kind travels as a
# tag (`tags: ["edit"]` reaches the coder tier). Keys are never written: each deployment names its
# environment variable. `routerlab export litellm --budget coder=5` does the same from the shell;
# the test suite starts the real proxy on such a file and checks which deployment served each tier.

# %%
import yaml

from routerlab.gateway import write_litellm_config

config_path = write_litellm_config(tiers, work / "litellm_config.yaml", budgets_usd={"coder": 5.0},
                                   timeouts_s={"classifier": 20.0, "coder": 120.0, "orchestrator": 300.0})
text = config_path.read_text()
print(text[:1800] + ("\n..." if len(text) > 1800 else ""))

# %%
cfg = yaml.safe_load(text)
groups = [d["model_name"] for d in cfg["model_list"]]
fallbacks = {k: v for fb in cfg["router_settings"]["fallbacks"] for k, v in fb.items()}
assert fallbacks["coder"] == ["coder~2", "coder~3"] and "sk-" not in text
# "keys are never written: each deployment names its environment variable"
assert all(d["litellm_params"]["api_key"].startswith("os.environ/") for d in cfg["model_list"]
           if "api_key" in d["litellm_params"])
# 'tags: ["edit"]' reaches the coder tier through the auto group
assert [d["model_info"]["routerlab_tier"] for d in cfg["model_list"]
        if d["model_name"] == "auto" and "edit" in d["litellm_params"].get("tags", [])] == ["coder"]
assert all(d["litellm_params"]["max_budget"] == 5.0 for d in cfg["model_list"]
           if d["model_info"]["routerlab_tier"] == "coder")
Markdown(f"The config holds {len(cfg['model_list'])} deployments in {len(set(groups))} model groups; "
         f"the coder tier falls back {' → '.join(['coder', *fallbacks['coder']])}, retries "
         f"{cfg['router_settings']['num_retries']} times per model, and each of its deployments stops "
         f"at $5.00 per {cfg['model_list'][groups.index('coder')]['litellm_params']['budget_duration']}.")

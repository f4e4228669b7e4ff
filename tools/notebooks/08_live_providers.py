# %% [markdown]
# # 08 · Live providers: Anthropic, OpenAI and Ollama with your keys
#
# Everything so far ran offline. This notebook makes real calls when it finds credentials in
# the environment, and says plainly what it skips when it does not:
#
# | provider  | set                                   |
# |-----------|---------------------------------------|
# | Anthropic | `ANTHROPIC_API_KEY`                   |
# | OpenAI    | `OPENAI_API_KEY`                      |
# | Ollama    | `OLLAMA_HOST` (e.g. `http://127.0.0.1:11434`) |
#
# Keys are read from the environment by the official SDKs; routerlab never prints, traces or
# logs them. Every hosted call below has a budget: the client refuses a call whose worst-case cost
# exceeds what is left, before sending it. Without any key, the last section runs the same
# official SDK code paths against the local llama.cpp server.

# %%
import os

from routerlab.client import Client
from routerlab.types import Request

AVAILABLE = {name: bool(os.environ.get(var)) for name, var in
             [("anthropic", "ANTHROPIC_API_KEY"), ("openai", "OPENAI_API_KEY"), ("ollama", "OLLAMA_HOST")]}
for name, ok in AVAILABLE.items():
    print(f"{name:<10} {'available' if ok else 'not configured: its cells skip'}")
client = Client(budget_usd=0.05)  # five US cents for the single questions (the orchestrator below has its own)
question = Request.user("In one short sentence: why route easy LLM calls to smaller models?", max_output_tokens=60)

# %% [markdown]
# ## A missing key is a clear error, before any network call

# %%
from routerlab.errors import MissingKeyError

if not AVAILABLE["anthropic"]:
    try:
        client.complete(question, model="anthropic:claude-haiku-4-5")
    except MissingKeyError as e:
        print(f"{type(e).__name__}: {e}")
        assert e.env_var == "ANTHROPIC_API_KEY" and "ANTHROPIC_API_KEY" in str(e)
else:
    print("ANTHROPIC_API_KEY is set: nothing to show here")

# %% [markdown]
# ## One question to each configured hosted model

# %%
hosted = [("anthropic", "anthropic:claude-haiku-4-5"), ("openai", "openai:gpt-4o-mini")]
answers = {}
for provider, model in hosted:
    if not AVAILABLE[provider]:
        print(f"skip {model}: set {provider.upper()}_API_KEY to run it")
        continue
    done = client.complete(question, model=model)
    answers[model] = done
    print(f"{model}: {done.text.strip()!r}\n  {done.usage.input_tokens} in / {done.usage.output_tokens} out, "
          f"${done.cost_usd:.6f}, ttft {done.ttft_s:.2f} s, total {done.latency_s:.2f} s")
    assert done.text.strip() and done.cost_usd > 0 and done.ttft_s <= done.latency_s
assert client.budget.spent <= 0.05

# %% [markdown]
# ## Ollama

# %%
if AVAILABLE["ollama"]:
    model = "ollama:" + os.environ.get("ROUTERLAB_OLLAMA_MODEL", "llama3.2:3b")
    done = client.complete(question, model=model)
    print(f"{model}: {done.text.strip()!r} ({done.usage.output_tokens} tokens, {done.latency_s:.2f} s)")
    assert done.usage.output_tokens > 0
else:
    print("skip Ollama: set OLLAMA_HOST to a running Ollama server (and ROUTERLAB_OLLAMA_MODEL to a pulled model)")

# %% [markdown]
# ## The orchestrator on hosted tiers
#
# With an Anthropic key, the default tiers (Opus plans and reviews, Haiku classifies, Sonnet
# codes) run notebook 05's pattern for real, under a budget and a call limit.

# %%
from routerlab import viz
from routerlab.orchestrator import Limits, Orchestrator
from routerlab.tiers import TierMap

default_models = {t: TierMap.default().model_for(t).id for t in ("orchestrator", "classifier", "coder")}
# the tiers the text names: Opus plans and reviews, Haiku classifies, Sonnet codes
assert all(w in default_models[t] for t, w in (("orchestrator", "opus"), ("classifier", "haiku"), ("coder", "sonnet")))
if AVAILABLE["anthropic"]:
    run = Orchestrator(Client(budget_usd=0.25), limits=Limits(budget_usd=0.25, max_calls=10, wall_s=180),
                       max_retries=0).run("Classify the message 'my card was charged twice' and draft a reply.")
    print(run.status, run.reason, f"{run.calls} calls, ${run.cost_usd:.4f}")
    assert run.cost_usd <= 0.25 and run.calls <= 10
    display(viz.timeline(run.trace.to_frame(), label="hosted orchestrator"))
else:
    print("skip the hosted orchestrator: set ANTHROPIC_API_KEY (notebook 05 runs the same pattern offline)")

# %% [markdown]
# ## Offline: the official SDKs against the local server
#
# The Anthropic and OpenAI SDKs run their real code paths (streaming, usage, time to first
# token) against the local llama.cpp server, which speaks both protocols. This is what runs in
# CI, and what a reader without keys can try.

# %%
from routerlab.providers.anthropic import AnthropicProvider
from routerlab.providers.local import shared_server
from routerlab.providers.openai import OpenAIProvider

server = shared_server()
for label, provider in [("Anthropic SDK", AnthropicProvider(api_key="local", base_url=server.base_url, name="local")),
                        ("OpenAI SDK", OpenAIProvider(api_key="local", base_url=server.openai_base_url, name="local"))]:
    local_client = Client(providers={"local": provider}, trace=client.trace)
    done = local_client.complete(question, model="local:smollm2-135m")
    print(f"{label:<14} {done.usage.input_tokens} in / {done.usage.output_tokens} out, ttft {done.ttft_s:.2f} s, "
          f"{done.latency_s:.2f} s: {done.text.strip()[:80]!r}")
    assert done.usage.output_tokens > 0 and done.ttft_s is not None and done.ttft_s <= done.latency_s

# %%
frame = client.trace.to_frame()
ok = frame[frame["status"] == "ok"]
assert len(ok) >= 2
assert not any(os.environ.get(v, "\0") in frame.to_json() for v in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY"))
viz.timeline(ok, lane="provider", label="every call this notebook made")

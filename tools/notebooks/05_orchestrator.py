# %% [markdown]
# # 05 · The orchestrator: plan, delegate, review, on a timeline
#
# The central pattern: the best model **plans** (a structured list of subtasks with a kind,
# instructions, dependencies and acceptance criteria), **delegates** each subtask through a
# router to a cheaper or faster model, **reviews** each result (accept, retry, or escalate to a
# stronger tier) and **decides** whether the goal is met. Limits on budget, wall time and number
# of calls stop it cleanly.
#
# Offline, every tier here is the **local tier**: a real SmolLM2-135M-Instruct served by
# llama.cpp on this machine, with JSON-schema-constrained output so plans parse. It is a tiny
# model, so judge the *mechanics* here (the plan, the spans, the timeline), not the wisdom of
# the answers. With keys set, the same code runs against Anthropic and OpenAI (notebook 08).

# %%
from routerlab import viz
from routerlab.catalog import Catalog
from routerlab.client import Client, RetryPolicy
from routerlab.orchestrator import Limits, Orchestrator
from routerlab.tiers import TierMap, TierSpec

LOCAL = "local:smollm2-135m"
catalog = Catalog.default()
local_tiers = TierMap([TierSpec(t, (LOCAL,)) for t in ("orchestrator", "classifier", "coder", "vision")], catalog)
client = Client(catalog=catalog, tiers=local_tiers, retry=RetryPolicy(max_attempts=1), timeout_s=120)
settings = dict(limits=Limits(max_calls=8, wall_s=300), max_retries=0, subtask_max_tokens=48,
                max_subtasks=3, text_max_chars=60)
orchestrator = Orchestrator(client, **settings)
goal = "Classify the message 'my card was charged twice' and draft a one-line reply."
report = orchestrator.run(goal, task_id="support-42")
print(f"{report.status}: {report.reason}; {report.calls} calls, ${report.cost_usd:.4f}, {report.wall_s:.1f} s")

# %% [markdown]
# ## The plan and what became of each subtask

# %%
import pandas as pd

pd.DataFrame([{"id": s.id, "kind": s.kind, "depends on": ", ".join(s.depends_on), "instructions": s.instructions,
               "status": report.results[s.id].status, "tier": report.results[s.id].tier,
               "answer": report.results[s.id].text[:80]} for s in report.plan])

# %%
assert report.plan, report.reason  # the schema-constrained plan parsed
assert report.calls <= settings["limits"].max_calls  # the limit held
assert report.status in ("done", "incomplete", "stopped")

# %% [markdown]
# ## The trace: spans and calls, linked by parent ids
#
# `task` > `plan` / `delegate` / `review` / `decide` spans > the model calls, each call with its
# tokens, cost, timing and routing decision.

# %%
frame = report.trace.to_frame()
frame[["kind", "call_id", "parent_id", "tier", "model", "input_tokens", "output_tokens", "latency_s", "status"]]

# %%
calls = frame[frame["kind"] == "call"]
spans = frame.set_index("call_id")
answered = (calls["model"] == LOCAL) & (calls["status"] == "ok") & (calls["output_tokens"] > 0)
assert answered.all(), calls.loc[~answered, ["tier", "status", "error", "output_tokens", "latency_s"]].to_string()
assert calls["parent_id"].isin(spans.index).all()  # every call hangs under a span
assert set(spans.loc[calls["parent_id"], "kind"]) <= {"plan", "delegate", "review", "decide"}

# %% [markdown]
# ## On a timeline, with the critical path
#
# One lane per tier (here every tier is the same local model, but the router still chose a tier
# per subtask). The red outline is the **critical path**: the chain of calls, each waiting for
# the one before it, that set the run's wall time. Hover a bar for its span, tokens, latency and
# the routing decision.

# %%
fig = viz.timeline(frame, label=f"orchestrated run {report.task_id}")
path = next(t for t in fig.data if t.name == "critical path")
last_call = calls.sort_values("end")["call_id"].iloc[-1]
assert list(path.customdata)[-1] == last_call  # the path ends with the call that ended the run
fig

# %% [markdown]
# ## Reproducible from its trace
#
# `replay_client(trace)` answers every call as recorded (text, tokens, cost, latency) with no
# server; the same orchestrator configuration on it reproduces the plan, the delegations, the
# reviews and the decision.

# %%
from routerlab.orchestrator.tracetools import replay_client

again = Orchestrator(replay_client(report.trace, catalog=catalog, tiers=local_tiers, retry=RetryPolicy(max_attempts=1)),
                     **settings).run(goal, task_id=report.task_id)
assert [vars(s) for s in again.plan] == [vars(s) for s in report.plan]
assert {k: (r.status, r.text) for k, r in again.results.items()} == {
    k: (r.status, r.text) for k, r in report.results.items()}
print("replayed:", again.status, {k: r.status for k, r in again.results.items()})

# %% [markdown]
# ## What the same run would cost on hosted tiers
#
# The run's calls become a workload (their kinds, tokens and the gaps between them), replayed
# under the default hosted tiers and under all-top. The local run cost nothing; these prices
# are for the same token counts on real models, which would of course answer differently.

# %%
from routerlab.simulate import compare
from routerlab.workloads import Workload

workload = Workload.from_trace_frame(frame, name=report.task_id)
hosted = TierMap.default()
table = compare(workload, {"as run (local)": "as recorded", "default tiers": hosted,
                           "all top": "all:" + hosted.model_for("orchestrator").id})
assert len(workload) == report.calls, f"{report.calls} calls, {len(workload)} of them ok (a workload keeps the ok ones)"
assert table.loc["as run (local)", "cost_usd"] == 0
table[["cost_usd", "wall_s", "llm_s", "calls"]]

# %%
from IPython.display import Markdown

task_span = frame[frame["kind"] == "task"].iloc[0]
before, after = calls["start"].min() - task_span["start"], task_span["end"] - calls["end"].max()
as_run = table.loc["as run (local)", "wall_s"]
Markdown(f"`wall_s` runs from the first call's start to the last call's end, the gaps between calls included; "
         f"`llm_s` sums the calls' own latencies. Replayed as recorded the run takes **{as_run:.1f} s**, not the "
         f"{report.wall_s:.1f} s it took: a workload keeps the calls and the gaps between them, not the "
         f"{before:.1f} s the orchestrator spent before its first call nor the {after:.1f} s after its last.")

# %%
assert abs(report.wall_s - (as_run + before + after)) < 0.5, "the wall-time difference is not the time outside the calls"

"""The orchestrator: plan -> delegate -> review -> decide, limits, trace tree, critical path, replay.

Unit tests use a scripted in-test provider (a mock: it stands in for a model); the ``local``
test runs the real SmolLM2 llama.cpp server with JSON-schema-constrained plans.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from routerlab.catalog import Catalog
from routerlab.client import Client, RetryPolicy
from routerlab.errors import BadResponseError
from routerlab.orchestrator import Limits, Orchestrator, critical_path, parse_plan, replay_client
from routerlab.providers import FunctionProvider
from routerlab.tiers import TierMap, TierSpec
from routerlab.trace import Trace
from routerlab.types import Request

HAIKU, SONNET, OPUS = "anthropic:claude-haiku-4-5", "anthropic:claude-sonnet-4-5", "anthropic:claude-opus-4-5"
PLAN = {"subtasks": [
    {"id": "s1", "kind": "classify", "instructions": "Label the ticket urgency", "depends_on": [],
     "acceptance": "one of low/high"},
    {"id": "s2", "kind": "extract", "instructions": "Pull the order number", "depends_on": [],
     "acceptance": "an order number"},
    {"id": "s3", "kind": "code", "instructions": "Write the reply template", "depends_on": ["s1", "s2"],
     "acceptance": "mentions the order"},
]}


class Scripted:
    """The function behind a FunctionProvider: answers by the orchestrator's prompt keys."""

    def __init__(self, reviews: dict[str, list[str]] | None = None) -> None:
        self.reviews = {k: list(v) for k, v in (reviews or {}).items()}
        self.seen: list[tuple[str, str]] = []

    def __call__(self, request: Request, model_name: str) -> str:
        key = str(request.metadata.get("prompt_id"))
        self.seen.append((key, model_name))
        if key.startswith("plan:"):
            return json.dumps(PLAN)
        if key.startswith("review:"):
            verdicts = self.reviews.get(key.split(":")[1]) or ["accept"]
            return json.dumps({"verdict": verdicts.pop(0), "reason": "checked"})
        if key.startswith("decide:"):
            return json.dumps({"done": True, "summary": "all subtasks accepted"})
        return f"answer to {key} by {model_name}"


def _client(script: Scripted, delay_s: float = 0.02) -> Client:
    provider = FunctionProvider(script, name="anthropic", delay_s=delay_s)
    return Client(catalog=Catalog.default(), providers={"anthropic": provider}, retry=RetryPolicy(max_attempts=1))


def test_plan_delegate_review_decide_builds_a_trace_tree() -> None:
    fake = Scripted()
    client = _client(fake)
    report = Orchestrator(client).run("Triage ticket 42", task_id="t42")
    assert report.status == "done" and report.accepted() == ["s1", "s2", "s3"]
    # the rule router sent classify/extract to the classifier tier, code to the coder tier
    assert report.results["s1"].model == HAIKU and report.results["s3"].model == SONNET
    f = report.trace.to_frame()
    root = f[f["kind"] == "task"].iloc[0]
    assert pd.isna(root["parent_id"]) and root["task_id"] == "t42"
    spans = f[f["kind"].isin(["plan", "delegate", "review", "decide"])]
    assert (spans["parent_id"] == root["call_id"]).all()
    assert spans["kind"].value_counts().to_dict() == {"delegate": 3, "review": 3, "plan": 1, "decide": 1}
    calls = f[f["kind"] == "call"]
    assert len(calls) == report.calls == 8
    assert set(calls["parent_id"]) <= set(spans["call_id"])  # every call hangs under a span
    assert report.cost_usd == pytest.approx(calls["cost_usd"].sum()) and report.cost_usd > 0
    # s1 and s2 are independent: delegated concurrently; s3 waited for both reviews
    d = f[f["kind"] == "delegate"].set_index(f[f["kind"] == "delegate"]["metadata"].map(lambda m: m["subtask"]))
    assert d.loc["s1", "start"] < d.loc["s2", "end"] and d.loc["s2", "start"] < d.loc["s1", "end"]
    reviews = f[f["kind"] == "review"]
    assert d.loc["s3", "start"] >= reviews["end"].nsmallest(2).max() - 1e-6


def test_review_retry_then_escalate_to_a_stronger_tier() -> None:
    fake = Scripted(reviews={"s1": ["retry", "escalate", "accept"]})
    report = Orchestrator(_client(fake), max_retries=2).run("Triage")
    r = report.results["s1"]
    assert r.status == "accepted" and r.attempts == 3
    assert [v["verdict"] for v in r.verdicts] == ["retry", "escalate", "accept"]
    do_calls = [m for k, m in fake.seen if k.startswith("do:s1:")]
    assert do_calls == ["claude-haiku-4-5", "claude-haiku-4-5", "claude-sonnet-4-5"]  # classifier -> coder


def test_failed_subtask_skips_its_dependents() -> None:
    fake = Scripted(reviews={"s1": ["retry", "retry"]})
    report = Orchestrator(_client(fake), max_retries=1).run("Triage")
    assert report.results["s1"].status == "failed"
    assert report.results["s2"].status == "accepted"
    assert report.results["s3"].status == "skipped"
    assert not any(k.startswith("do:s3") for k, _ in fake.seen)


def test_call_limit_stops_cleanly_and_reports_what_was_done() -> None:
    fake = Scripted()
    report = Orchestrator(_client(fake), limits=Limits(max_calls=4)).run("Triage")
    assert report.status == "stopped" and "call limit" in report.reason
    assert report.calls == 4 and len(fake.seen) == 4
    assert sum(r.status == "accepted" for r in report.results.values()) == 1  # one delegate+review pair fit
    assert report.results["s3"].status == "not_run"
    task = report.trace.to_frame().query("kind == 'task'").iloc[0]
    assert task["metadata"]["status"] == "stopped"


def test_budget_limit_refuses_before_sending() -> None:
    fake = Scripted()
    report = Orchestrator(_client(fake), limits=Limits(budget_usd=1e-6)).run("Triage")
    assert report.status == "stopped" and "budget" in report.reason
    assert fake.seen == [] and report.calls == 0 and report.cost_usd == 0


def test_one_orchestrator_runs_two_goals_at_once_each_with_its_own_limits() -> None:
    script = Scripted()
    client = _client(script)
    one_run = Orchestrator(client).run("Warm-up")  # what one run calls
    budget = 0.1
    # half the budget cannot hold even the first call's worst case, so one shared budget (or one
    # shared call counter) could not hold two runs at once
    assert Orchestrator(client, limits=Limits(budget_usd=budget / 2)).run("Too tight").status == "stopped"
    orch = Orchestrator(client, limits=Limits(max_calls=one_run.calls, budget_usd=budget))

    async def both() -> list[Any]:
        return list(await asyncio.gather(orch.arun("Triage A", task_id="a"), orch.arun("Triage B", task_id="b")))

    a, b = asyncio.run(both())
    assert (a.status, b.status) == ("done", "done") and a.calls == b.calls == one_run.calls
    assert (a.task_id, b.task_id) == ("a", "b")
    calls = client.trace.to_frame().query("kind == 'call'")
    for report in (a, b):
        mine = calls[calls["task_id"] == report.task_id]
        assert len(mine) == report.calls and report.cost_usd == pytest.approx(mine["cost_usd"].sum())
    # they really overlapped: each started before the other ended
    ta, tb = calls[calls["task_id"] == "a"], calls[calls["task_id"] == "b"]
    assert ta["start"].min() < tb["end"].max() and tb["start"].min() < ta["end"].max()


def test_critical_path_follows_the_latest_chain() -> None:
    report = Orchestrator(_client(Scripted())).run("Triage")
    f = report.trace.to_frame()
    path = critical_path(f)
    kinds = path["kind"].tolist()
    assert kinds[0] == "task" and kinds[-1] == "call"
    assert "plan" in kinds and "decide" in kinds
    # s3's delegate (which waited for s1 and s2) is on it, and the path's calls never overlap
    delegates = path[path["kind"] == "delegate"]["metadata"].map(lambda m: m["subtask"]).tolist()
    assert "s3" in delegates
    calls = path[path["kind"] == "call"]
    assert (calls["start"].to_numpy()[1:] >= calls["end"].to_numpy()[:-1] - 1e-6).all()


def test_run_reproduces_from_its_saved_trace(tmp_path: Path) -> None:
    fake = Scripted(reviews={"s2": ["escalate", "accept"]})
    first = Orchestrator(_client(fake), max_retries=1).run("Triage", task_id="r1")
    saved = first.trace.save(tmp_path / "run.jsonl")
    client = replay_client(Trace.load(saved), catalog=Catalog.default(), retry=RetryPolicy(max_attempts=1))
    again = Orchestrator(client, max_retries=1).run("Triage", task_id="r1")
    assert again.status == first.status
    assert [vars(s) for s in again.plan] == [vars(s) for s in first.plan]
    for sid, r in first.results.items():
        assert (again.results[sid].status, again.results[sid].model, again.results[sid].text) == (r.status, r.model, r.text)
    assert again.cost_usd == pytest.approx(first.cost_usd)


def test_parse_plan_repairs_cycles_and_rejects_non_json() -> None:
    text = json.dumps({"subtasks": [
        {"id": "a", "kind": "code", "instructions": "x", "depends_on": ["b"], "acceptance": ""},
        {"id": "b", "kind": "weird", "instructions": "y", "depends_on": ["a", "zz"], "acceptance": ""},
    ]})
    plan, fixes = parse_plan(text)
    assert [(s.id, s.kind, s.depends_on) for s in plan] == [("a", "code", ()), ("b", "classify", ("a",))]
    assert len(fixes) == 3
    with pytest.raises(BadResponseError, match="not JSON"):
        parse_plan("{subtasks: oops")


@pytest.mark.local
def test_local_smollm2_plans_with_a_schema_and_stays_within_limits() -> None:
    pytest.importorskip("xllamacpp")
    local = "local:smollm2-135m"
    cat = Catalog.default()
    tiers = TierMap([TierSpec(t, (local,)) for t in ("orchestrator", "classifier", "coder", "vision")], cat)
    client = Client(catalog=cat, tiers=tiers, retry=RetryPolicy(max_attempts=1), timeout_s=120)
    orch = Orchestrator(client, limits=Limits(max_calls=5, wall_s=300), max_retries=0,
                        subtask_max_tokens=48, max_subtasks=2, text_max_chars=60)
    report = orch.run("Classify the message 'my card was charged twice' and draft a one-line reply.")
    assert report.plan, report.reason  # the schema-constrained plan parsed
    assert report.calls <= 5 and report.status in ("done", "incomplete", "stopped")
    f = report.trace.to_frame()
    calls = f[f["kind"] == "call"]
    assert (calls["model"] == local).all() and (calls["output_tokens"] > 0).all()
    assert f[f["kind"] == "plan"].iloc[0]["metadata"]["subtasks"]
    assert not critical_path(f).empty
    # the same run, replayed from its trace without the server
    again = Orchestrator(replay_client(report.trace, catalog=cat, tiers=tiers, retry=RetryPolicy(max_attempts=1)),
                         limits=Limits(max_calls=5, wall_s=300), max_retries=0, subtask_max_tokens=48, max_subtasks=2,
                         text_max_chars=60).run(report.goal, task_id=report.task_id)
    assert [vars(s) for s in again.plan] == [vars(s) for s in report.plan]
    assert {k: (r.status, r.text) for k, r in again.results.items()} == {
        k: (r.status, r.text) for k, r in report.results.items()}


def test_an_orchestrator_run_becomes_a_workload_to_replay_under_other_policies() -> None:
    from routerlab.latency import LatencyModel
    from routerlab.simulate import simulate
    from routerlab.workloads import Workload

    report = Orchestrator(_client(Scripted())).run("Triage", task_id="w1")
    frame = report.trace.to_frame()
    w = Workload.from_trace_frame(frame, name="w1")
    assert len(w) == report.calls == 8
    assert w.frame["kind"].value_counts().to_dict() == {"review": 3, "plan": 1, "classify": 1, "extract": 1,
                                                        "code": 1, "decide": 1}
    assert set(w.frame["agent"]) == {"plan", "delegate", "review", "decide"}
    cat = Catalog.default()
    as_run = simulate(w, "as recorded", cat)
    assert as_run.totals["cost_usd"] == pytest.approx(report.cost_usd)
    cheap = simulate(w, f"all:{HAIKU}", cat, cache="recorded")
    assert cheap.totals["cost_usd"] < as_run.totals["cost_usd"]
    lm = LatencyModel.from_trace(frame)
    assert OPUS in lm.profiles and "fitted from a trace" in lm.profiles[OPUS].source

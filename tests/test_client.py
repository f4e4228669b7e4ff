"""The client: validation before any network, retries, fallback, budget, trace, replay."""

from __future__ import annotations

import asyncio
import pickle

import pandas as pd
import pytest
from clientkit import client, model, offline_client

from routerlab.errors import (
    BadResponseError,
    BudgetExceededError,
    CapabilityError,
    InvalidRequestError,
    ProviderServerError,
    RateLimitError,
    UnknownModelError,
)
from routerlab.types import Decision, Image, Message, Request


def _finals(trace):
    return [r for r in trace.records if r.metadata.get("final")]


# ---- bad input: clear errors, no network -----------------------------------------------------------
def test_bad_requests_fail_before_any_network():
    c, provider = offline_client([model("fso:ok", max_out=100, context=1_000)])
    with pytest.raises(InvalidRequestError, match="no messages"):
        Request(messages=())
    with pytest.raises(InvalidRequestError, match="Request"):
        c.complete("just a string", model="fso:ok")  # type: ignore[arg-type]
    with pytest.raises(CapabilityError, match="cannot read images"):
        c.complete(Request.user("see", images=(Image(b"\x89PNG"),)), model="fso:ok")
    with pytest.raises(CapabilityError, match="lower max_output_tokens"):
        c.complete(Request.user("hi", max_output_tokens=101), model="fso:ok")
    with pytest.raises(CapabilityError, match="context window"):
        c.complete(Request.user("word " * 2_000, max_output_tokens=10), model="fso:ok")
    with pytest.raises(UnknownModelError):
        c.complete(Request.user("hi"), model="fso:nope")
    with pytest.raises(InvalidRequestError, match="model="):
        c.complete(Request.user("hi"))
    assert provider.calls == []
    # each refused call still left one final record saying why
    refused = _finals(c.trace)
    assert [r.error_type for r in refused] == ["InvalidRequestError"] + ["CapabilityError"] * 3 + [
        "UnknownModelError", "InvalidRequestError"]
    assert all(r.status == "refused" for r in refused) and len(c.trace) == 6


def test_budget_refuses_before_sending():
    c, provider = offline_client([model("fso:ok", price=(1000.0, 1000.0))], budget_usd=0.001)
    req = Request.user("hello", max_output_tokens=200)
    with pytest.raises(BudgetExceededError) as info:
        c.complete(req, model="fso:ok")
    assert info.value.needed == pytest.approx(c.worst_case_cost(req, "fso:ok"))
    assert info.value.needed > info.value.remaining == pytest.approx(0.001)
    assert provider.calls == []
    assert c.budget.spent == 0 and c.budget.reserved == 0


# ---- success path ----------------------------------------------------------------------------------
def test_complete_prices_times_and_records_one_attempt(fault_server):
    c = client(fault_server.url, [model("fsa:ok", price=(3.0, 15.0))], budget_usd=1.0)
    d = Decision(model="fsa:ok", tier=None, score=0.7, threshold=0.5, reason="test", router="unit")
    done = c.complete(Request.user("hello", kind="classify"), decision=d, task_id="t1")
    assert done.model == "fsa:ok" and done.text == "ok from the fault server"
    expected = (done.usage.input_tokens * 3.0 + done.usage.output_tokens * 15.0) / 1e6
    assert done.cost_usd == pytest.approx(expected) and done.cost_usd > 0
    (rec,) = c.trace.records
    assert rec.status == "ok" and rec.attempt == 1 and rec.task_id == "t1"
    assert rec.cost_usd == done.cost_usd and rec.output_tokens == 5
    assert rec.decision["router"] == "unit" and rec.metadata["kind"] == "classify"
    assert c.budget.spent == pytest.approx(done.cost_usd) and c.budget.reserved == 0


# ---- retries ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("prefix", ["fso", "fsa"])
def test_rate_limit_is_retried_after_retry_after(fault_server, prefix):
    mid = f"{prefix}:flaky-429-2"
    c = client(fault_server.url, [model(mid)], max_attempts=3)
    done = asyncio.run(c.acomplete(Request.user("hi"), model=mid))
    assert done.metadata["attempts"] == 3
    recs = c.trace.records
    assert [r.status for r in recs] == ["error", "error", "ok"]
    assert [r.error_type for r in recs[:2]] == ["RateLimitError", "RateLimitError"]
    assert [r.attempt for r in recs] == [1, 2, 3]
    assert [r.metadata["final"] for r in recs] == [False, False, True]
    # the server asked for 0.05 s; the next attempt did not start sooner
    for before, after in zip(recs, recs[1:], strict=False):
        assert after.start - before.end >= 0.045
    assert len(fault_server.requests) == 3


def test_retries_give_up_with_the_typed_error(fault_server):
    c = client(fault_server.url, [model("fso:fault-429")], max_attempts=2)
    with pytest.raises(RateLimitError):
        c.complete(Request.user("hi"), model="fso:fault-429")
    assert len(fault_server.requests) == 2
    assert [r.metadata["final"] for r in c.trace.records] == [False, True]


@pytest.mark.parametrize("prefix", ["fso", "fsa", "fsl"])
def test_an_answer_refused_for_its_schema_is_still_billed(fault_server, prefix):
    # The server answers in prose; the request wants JSON: each attempt arrives, is refused, and
    # was paid for, so its tokens and cost are in the trace and the budget.
    mid = f"{prefix}:ok"
    c = client(fault_server.url, [model(mid, price=(3.0, 15.0))], max_attempts=2, budget_usd=1.0)
    req = Request.user("hi", response_schema={"type": "object", "properties": {"n": {"type": "integer"}}})
    with pytest.raises(BadResponseError, match="not JSON"):
        c.complete(req, model=mid)
    recs = c.trace.records
    assert [r.status for r in recs] == ["error", "error"]
    for r in recs:
        assert r.output_tokens == 5 and r.cost_usd == pytest.approx((r.input_tokens * 3.0 + 5 * 15.0) / 1e6)
    assert c.budget.spent > 0 and c.budget.reserved == 0
    assert c.budget.spent == pytest.approx(sum(r.cost_usd for r in recs))


# ---- fallback --------------------------------------------------------------------------------------
def test_tier_falls_back_when_a_model_keeps_failing(fault_server):
    models = [model("fso:fault-500"), model("fsa:ok")]
    c = client(fault_server.url, models, {"work": ("fso:fault-500", "fsa:ok")}, max_attempts=2)
    done = c.complete(Request.user("hi"), tier="work")
    assert done.model == "fsa:ok"
    assert done.metadata["fallback_from"] == "fso:fault-500"
    assert "ProviderServerError" in done.metadata["fallback_reason"]
    recs = c.trace.records
    assert [(r.model, r.status) for r in recs] == [("fso:fault-500", "error")] * 2 + [("fsa:ok", "ok")]
    assert recs[-1].metadata["fallback_reason"] == done.metadata["fallback_reason"]
    assert all(r.tier == "work" for r in recs)


def test_tier_skips_a_model_that_cannot_see_images(fault_server):
    models = [model("fso:ok"), model("fsl:ok", vision=True)]
    c = client(fault_server.url, models, {"vision": ("fso:ok", "fsl:ok")})
    done = c.complete(Request.user("what is this", images=(Image(b"\x89PNG"),)), tier="vision")
    assert done.model == "fsl:ok"
    skipped, used = c.trace.records
    assert skipped.status == "refused" and skipped.error_type == "CapabilityError" and skipped.model == "fso:ok"
    assert "cannot read images" in skipped.error
    assert used.metadata["fallback_reason"] == "fso:ok: CapabilityError"
    assert [r["path"] for r in fault_server.requests] == ["/api/chat"]


def test_all_models_failing_raises_the_wire_error(fault_server):
    models = [model("fso:fault-503"), model("fsa:fault-500")]
    c = client(fault_server.url, models, {"work": ("fso:fault-503", "fsa:fault-500")}, max_attempts=1)
    with pytest.raises(ProviderServerError):
        c.complete(Request.user("hi"), tier="work")
    assert [r.metadata["final"] for r in c.trace.records] == [False, True]


# ---- budget under concurrency ----------------------------------------------------------------------
def test_budget_holds_with_many_concurrent_calls(fault_server):
    c = client(fault_server.url, [model("fso:ok", price=(50.0, 100.0))], budget_usd=0.02, max_concurrency=16)
    reqs = [Request.user(f"question {i}", max_output_tokens=64) for i in range(60)]
    worst = c.worst_case_cost(reqs[0], "fso:ok")
    outs = c.run_many(reqs, model="fso:ok", progress=False)
    assert len(outs) == 60
    refused = [o for o in outs if isinstance(o.error, BudgetExceededError)]
    assert refused and all(o.ok or isinstance(o.error, BudgetExceededError) for o in outs)
    assert c.budget.spent <= 0.02 and c.budget.peak_committed <= 0.02 + 1e-12
    assert c.budget.reserved == pytest.approx(0.0, abs=1e-12)
    assert c.budget.spent == pytest.approx(sum(o.completion.cost_usd for o in outs if o.ok))
    # a refusal never reached the server
    assert len(fault_server.requests) == sum(o.ok for o in outs)
    assert worst * 16 > 0.02  # the limit really was contended


# ---- batches ---------------------------------------------------------------------------------------
def test_run_many_keeps_order_and_shows_progress(fault_server, capsys):
    c = client(fault_server.url, [model("fso:ok"), model("fsa:ok")], progress_min=5)
    reqs = [Request.user(f"q{i}") for i in range(6)]
    decisions = [Decision(model="fso:ok" if i % 2 else "fsa:ok") for i in range(6)]
    outs = c.run_many(reqs, decisions=decisions)
    assert [o.request.id for o in outs] == [r.id for r in reqs]
    assert [o.model for o in outs] == [d.model for d in decisions]
    assert "subtasks" in capsys.readouterr().err


def test_run_many_records_a_subtask_whose_decision_names_no_known_model(fault_server):
    c = client(fault_server.url, [model("fso:ok")])
    reqs = [Request.user("a"), Request.user("b")]
    outs = c.run_many(reqs, decisions=[Decision(model="fso:ok"), Decision(model="fso:gone")], progress=False)
    assert outs[0].ok and isinstance(outs[1].error, UnknownModelError)
    recs = {r.subtask_id: r for r in c.trace.records}
    assert len(c.trace) == 2 and all(r.metadata["final"] for r in recs.values())
    assert recs[reqs[0].id].status == "ok"
    assert (recs[reqs[1].id].status, recs[reqs[1].id].error_type) == ("refused", "UnknownModelError")


def test_run_many_works_inside_a_running_event_loop(fault_server):
    c = client(fault_server.url, [model("fso:ok")])

    async def notebook_cell():
        return c.run_many([Request.user("a"), Request.user("b")], model="fso:ok", progress=False)

    outs = asyncio.run(notebook_cell())
    assert [o.ok for o in outs] == [True, True]


# ---- replay ----------------------------------------------------------------------------------------
def test_replay_returns_recorded_tokens_cost_and_latency():
    from routerlab.client import Client
    from routerlab.datasets import OutcomeTable
    from routerlab.providers.replay import ReplayProvider

    prompts = pd.DataFrame({"id": ["p1", "p2"], "text": ["What is 2+2?", "Name a prime."],
                            "embed_text": ["", ""], "split": ["test"] * 2, "benchmark": ["toy"] * 2})
    table = OutcomeTable(
        name="toy", prompts=prompts, models=["gpt-4-1106-preview", "mixtral-8x7b-chat"],
        quality=[[1.0, 0.0], [1.0, 1.0]], cost=[[0.003, 0.0001], [0.002, 0.0002]],
        input_tokens=[[100, 100], [90, 90]], output_tokens=[[50, 60], [40, 45]], latency_s=[[2.0, 0.5], [1.5, 0.4]],
    )
    c = Client(providers={"routerbench": ReplayProvider(table)})
    by_id = c.complete(Request.user("anything", metadata={"prompt_id": "p1"}), model="routerbench:mixtral-8x7b-chat")
    assert by_id.cost_usd == 0.0001 and by_id.usage.output_tokens == 60 and by_id.latency_s == 0.5
    assert by_id.metadata["quality"] == 0.0
    by_text = c.complete(Request.user("Name a prime."), model="routerbench:gpt-4-1106-preview")
    assert by_text.cost_usd == 0.002 and by_text.usage.input_tokens == 90
    rec = c.trace.records[-1]
    assert rec.cost_usd == 0.002 and rec.latency_s == pytest.approx(1.5)
    again = c.complete(Request.user("Name a prime."), model="routerbench:gpt-4-1106-preview")
    assert (again.text, again.usage, again.cost_usd) == (by_text.text, by_text.usage, by_text.cost_usd)


def test_replay_from_mapping_and_frame_and_unknown_prompt():
    from routerlab.errors import ProviderError
    from routerlab.providers.replay import Recorded, ReplayProvider

    p = ReplayProvider({"m": {"hi": Recorded("hello!", 3, 2, 0.5, 0.1)}})
    c = p.complete(Request(messages=(Message("user", "hi"),)), "m")
    assert (c.text, c.usage.input_tokens, c.usage.output_tokens, c.cost_usd) == ("hello!", 3, 2, 0.5)
    frame = pd.DataFrame({"model": ["m"], "key": ["k1"], "response": ["yes"], "output_tokens": [1], "cost": [0.01]})
    q = ReplayProvider(frame)
    assert q.complete(Request.user("x", metadata={"prompt_id": "k1"}), "m").text == "yes"
    with pytest.raises(ProviderError, match="prompt_id"):
        q.complete(Request.user("never recorded"), "m")
    with pytest.raises(ProviderError, match="no recordings"):
        q.complete(Request.user("x"), "other")


def test_replay_of_real_routerbench_outcomes_keeps_recorded_cost_and_quality():
    from routerlab.client import Client
    from routerlab.datasets import load_routerbench_zs
    from routerlab.errors import DatasetError
    from routerlab.providers.replay import ReplayProvider

    try:
        table = load_routerbench_zs(benchmarks=["mbpp"], splits=("test",), quiet=True)
    except DatasetError as exc:  # pragma: no cover - CI points ROUTERLAB_DATA_DIR at the mirror
        pytest.skip(f"RouterBench data not available: {exc}")
    replay = ReplayProvider(table)
    c = Client(providers={"routerbench": replay})
    rows = range(5)
    for j, name in enumerate(table.models[:4]):
        for i in rows:
            req = Request.user(table.prompts.loc[i, "text"], metadata={"prompt_id": table.prompts.loc[i, "id"]},
                               max_output_tokens=256)
            assert c.worst_case_cost(req, f"routerbench:{name}") >= table.cost[i, j]
            done = c.complete(req, model=f"routerbench:{name}")
            assert done.cost_usd == pytest.approx(table.cost[i, j])
            assert done.metadata["quality"] == table.quality[i, j]
    assert c.budget.spent == pytest.approx(table.cost[list(rows)][:, :4].sum())
    # a budget smaller than a recorded cost refuses that replay before it happens
    big = int(table.cost[:, 0].argmax())
    req = Request.user("x", metadata={"prompt_id": table.prompts.loc[big, "id"]}, max_output_tokens=1)
    tight = Client(providers={"routerbench": replay}, budget_usd=float(table.cost[big, 0]) / 2)
    with pytest.raises(BudgetExceededError):
        tight.complete(req, model=f"routerbench:{table.models[0]}")


# ---- the error when every candidate fails, and the retry policy ------------------------------------
def test_all_models_failing_groups_every_candidates_error(fault_server):
    from routerlab.client import AllModelsFailedError

    models = [model("fso:fault-503"), model("fsa:fault-500")]
    c = client(fault_server.url, models, {"work": ("fso:fault-503", "fsa:fault-500")}, max_attempts=1)
    with pytest.raises(ExceptionGroup) as info:
        c.complete(Request.user("hi"), tier="work")
    group = info.value
    assert isinstance(group, AllModelsFailedError) and isinstance(group, ProviderServerError)
    assert [(e.provider, e.model) for e in group.exceptions] == [("fso", "fault-503"), ("fsa", "fault-500")]
    assert group.last is group.exceptions[-1] and group.status == group.last.status == 500
    assert type(group).__name__ == "ProviderServerError"  # what outcome frames and traces show
    assert str(group.last) in str(group) and "fso:fault-503: ProviderServerError" in str(group)
    caught = []
    try:
        raise group
    except* ProviderServerError as eg:
        caught = list(eg.exceptions)
    assert caught == list(group.exceptions)
    again = pickle.loads(pickle.dumps(group))  # e.g. an Outcome sent to another process
    assert (type(again).__qualname__, str(again)) == (type(group).__qualname__, str(group))


def test_retry_policy_is_one_checked_value_and_the_old_keywords_still_work():
    import dataclasses

    from routerlab.catalog import Catalog
    from routerlab.client import Client, RetryPolicy

    policy = RetryPolicy(max_attempts=2, backoff_s=0.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.max_attempts = 5  # type: ignore[misc]
    for bad in ({"max_attempts": 0}, {"max_attempts": 1.5}, {"backoff_s": -1.0}, {"max_retry_after_s": float("nan")}):
        with pytest.raises(InvalidRequestError):
            RetryPolicy(**bad)
    limited = RateLimitError("slow", retry_after=100.0)
    assert policy.wait_s(limited, 1) == policy.max_retry_after_s
    assert policy.should_retry(limited, 1) and not policy.should_retry(limited, 2)
    assert not policy.should_retry(InvalidRequestError("bad"), 1)
    cat = Catalog.default()
    assert Client(catalog=cat, retry=policy).retry is policy
    with pytest.warns(DeprecationWarning, match="retry=RetryPolicy"):
        old = Client(catalog=cat, max_attempts=4, backoff_s=0.1)
    assert old.retry == RetryPolicy(max_attempts=4, backoff_s=0.1) and old.max_attempts == 4

"""A batch under injected faults: every subtask ends completed or with a recorded typed failure,
none is lost, none is recorded twice, and the budget is never exceeded."""

from __future__ import annotations

from collections import Counter, defaultdict

from clientkit import client, model
from faultserver import FaultServer

from routerlab.errors import BudgetExceededError, ProviderError, RouterlabError
from routerlab.types import Decision, Request

N = 240
BUDGET = 0.016


def test_many_subtasks_under_faults_none_lost_none_twice_budget_held():
    models = [
        model("fso:primary"), model("fsa:secondary"), model("fsl:tertiary"),
        model("fso:fault-503"), model("fsa:backup"),
    ]
    tiers = {"steady": ("fso:primary", "fsa:secondary", "fsl:tertiary"), "broken": ("fso:fault-503", "fsa:backup")}
    with FaultServer(fault_rate=0.3, seed=11, hang_s=1.5, retry_after_s=0.02) as fs:
        c = client(fs.url, models, tiers, budget_usd=BUDGET, max_concurrency=16, max_attempts=2, timeout_s=1.0)
        reqs = [Request.user(f"subtask {i}: summarise the diff", max_output_tokens=32) for i in range(N)]
        decisions = [Decision(model=tiers["broken" if i % 5 == 0 else "steady"][0],
                              tier="broken" if i % 5 == 0 else "steady") for i in range(N)]
        outs = c.run_many(reqs, decisions=decisions, progress=False)
        served = Counter(fs.modes_served)
        n_requests = len(fs.requests)
        per_subtask_requests = Counter(
            str(r["body"]["messages"][-1]["content"]).split(" summarise")[0] for r in fs.requests
        )

    # one outcome per subtask, in order, each a completion or a typed failure
    assert len(outs) == N and [o.request.id for o in outs] == [r.id for r in reqs]
    for o in outs:
        assert (o.completion is None) != (o.error is None)
        assert o.ok or isinstance(o.error, (ProviderError, BudgetExceededError))

    # the trace: every subtask has exactly one final record, matching its outcome
    records = c.trace.records
    by_subtask: dict[str, list] = defaultdict(list)
    for r in records:
        by_subtask[r.subtask_id].append(r)
    assert set(by_subtask) == {r.id for r in reqs}
    for o in outs:
        recs = by_subtask[o.request.id]
        finals = [r for r in recs if r.metadata["final"]]
        assert len(finals) == 1, recs
        assert sum(r.status == "ok" for r in recs) == (1 if o.ok else 0)
        if o.ok:
            assert finals[0].status == "ok" and finals[0].model == o.completion.model
            assert finals[0].cost_usd == o.completion.cost_usd
        else:
            assert finals[0].status in ("error", "refused")
            assert finals[0].error_type == type(o.error).__name__
        assert finals[0] is recs[-1]
    # attempts sent vs requests the server saw; refusals never reached it
    sent = [r for r in records if r.status in ("ok", "error")]
    assert len(sent) >= n_requests
    for i, req in enumerate(reqs):
        reached = per_subtask_requests[f"subtask {i}:"]
        attempts = sum(r.status in ("ok", "error") for r in by_subtask[req.id])
        # an attempt can time out before the server reads it, never the other way round
        assert reached <= attempts
        if all(r.status == "refused" for r in by_subtask[req.id]):
            assert reached == 0

    # faults really were injected, and handled
    faults = n_requests - served["ok"]
    assert faults / n_requests >= 0.2
    retried = sum(1 for o in outs if o.ok and o.completion.metadata["attempts"] > 1)
    fell_back = sum(1 for o in outs if o.ok and "fallback_from" in o.completion.metadata)
    assert retried > 0 and fell_back > 0

    # the budget was never exceeded, and the trace adds up to what was spent
    assert c.budget.spent <= BUDGET and c.budget.peak_committed <= BUDGET + 1e-12
    assert abs(sum(r.cost_usd for r in records) - c.budget.spent) < 1e-12
    assert c.budget.reserved < 1e-12

    from routerlab.client import outcomes_frame

    df = outcomes_frame(outs)
    assert len(df) == N and df["request_id"].is_unique and int(df["ok"].sum()) == sum(o.ok for o in outs)
    assert abs(df["cost_usd"].sum() - sum(r.cost_usd for r in records if r.status == "ok")) < 1e-12

    failures = Counter(type(o.error).__name__ for o in outs if not o.ok)
    print(
        f"\nfault run: {N} subtasks, {n_requests} requests sent, {faults} faults injected "
        f"({faults / n_requests:.0%}: {dict(sorted((k, v) for k, v in served.items() if k != 'ok'))}); "
        f"completed {sum(o.ok for o in outs)} (after retry {retried}, by fallback {fell_back}), "
        f"typed failures {dict(failures)}; lost 0, recorded twice 0; "
        f"budget ${c.budget.spent:.6f} spent, peak committed ${c.budget.peak_committed:.6f} of ${BUDGET}"
    )
    assert all(isinstance(o.error, RouterlabError) for o in outs if not o.ok)

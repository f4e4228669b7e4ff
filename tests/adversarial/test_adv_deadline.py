"""One wall-clock deadline per attempt, enforced by the client whatever the SDK does: servers
that trickle (SSE comments, header lines, content deltas) end in ProviderTimeoutError on all
three protocols, sync and async; cancellation and kill -9 leave the records they promise."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import pytest
from clientkit import client, model
from hostileserver import HostileServer

from routerlab.errors import ProviderTimeoutError
from routerlab.trace import Trace
from routerlab.types import Request

DEADLINE_S = 0.4


@pytest.fixture(scope="module")
def hostile():
    with HostileServer(trickle_s=0.1, trickle_for_s=15.0) as hs:
        yield hs


@pytest.mark.parametrize("prefix", ["fso", "fsa", "fsl"])
@pytest.mark.parametrize("how", ["comments", "headers", "deltas"])
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_trickling_server_hits_the_deadline(hostile, prefix, how, mode):
    # the SDKs' per-read timeout (2 s) never fires: a byte arrives every 0.1-0.2 s
    mid = f"{prefix}:trickle-{how}"
    req = Request.user("hi", max_output_tokens=8)
    warm = client(hostile.url, [model(f"{prefix}:ok")], timeout_s=2.0)
    warm.complete(req, model=f"{prefix}:ok")  # the SDK imported before the clock starts
    c = client(hostile.url, [model(mid)], timeout_s=2.0, deadline_s=DEADLINE_S, max_attempts=1)
    t0 = time.perf_counter()
    with pytest.raises(ProviderTimeoutError, match="deadline"):
        if mode == "sync":
            c.complete(req, model=mid)
        else:
            asyncio.run(c.acomplete(req, model=mid))
    assert time.perf_counter() - t0 < 10  # the server would trickle for 15 s
    rec = c.trace.records[-1]
    assert rec.error_type == "ProviderTimeoutError" and rec.metadata["final"] is True


def test_cancelling_acomplete_records_the_attempt_as_cancelled(fault_server):
    """asyncio.wait_for around acomplete during retries (the server hangs 0.6 s, then 504):
    every request the server saw has a record, and each call ends in one cancelled record."""
    mid = "fso:fault-hang"
    c = client(fault_server.url, [model(mid), model("fso:ok")], timeout_s=5.0, max_attempts=5)

    async def run() -> None:
        await c.acomplete(Request.user("warm up"), model="fso:ok")  # SDK imported, pool open
        tasks = [asyncio.wait_for(c.acomplete(Request.user(f"q{i}"), model=mid), 1.0) for i in range(10)]
        results = await asyncio.gather(*tasks, return_exceptions=True)
        assert all(isinstance(r, TimeoutError) for r in results)

    asyncio.run(run())
    recs = c.trace.records[1:]
    sent = [r for r in recs if r.attempt >= 1]
    assert len(sent) >= len(fault_server.requests) - 1 > 0  # nothing the server saw is unrecorded
    cancelled = [r for r in recs if r.metadata.get("cancelled")]
    assert len(cancelled) == 10 and all(r.metadata["final"] for r in cancelled)
    # in flight: an attempt with what it could have cost; between attempts: nothing was sent
    assert all((r.attempt >= 1) == (r.metadata["max_cost_usd"] > 0) for r in cancelled)
    assert len({r.subtask_id for r in cancelled}) == 10
    assert c.budget.reserved == pytest.approx(0.0, abs=1e-12)


_KILL_SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
from clientkit import client, model
from routerlab.trace import Trace
from routerlab.types import Request
c = client({url!r}, [model("fso:ok")], trace=Trace({path!r}), max_concurrency={workers}, timeout_s=2.0)
reqs = [Request.user(f"q{{i}}", id=f"s{{i}}") for i in range(3000)]
c.complete(Request.user("q-warm", id="s-warm"), model="fso:ok")  # SDK imported before the clock starts
print("ready", flush=True)
c.run_many(reqs, model="fso:ok", progress=False)
"""
WORKERS = 4


def lost_records(server: HostileServer, trace_path, killed_at: float) -> int:
    """Attempts the server received more than 100 ms before the kill that have no record."""
    sent: dict[str, int] = {}
    for r in server.requests:
        if r["t"] < killed_at - 0.1:
            key = "s" + r["body"]["messages"][-1]["content"][1:]  # prompt q17 is subtask s17
            sent[key] = sent.get(key, 0) + 1
    kept: dict[str, int] = {}
    for rec in Trace.load(trace_path).records:
        kept[rec.subtask_id or ""] = kept.get(rec.subtask_id or "", 0) + 1
    return sum(max(0, n - kept.get(k, 0)) for k, n in sent.items())


def test_kill_9_during_run_many_loses_at_most_the_records_in_flight(tmp_path):
    """A real SIGKILL mid-batch (2 kills at different moments, 50% of attempts failing and
    retried): every attempt the server saw more than 100 ms before the kill has its record."""
    tests = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    losses, seen = [], []
    with HostileServer(fault_rate=0.5, seed=3, modes=("500", "503", "malformed", "empty")) as hs:
        for k in range(2):
            hs.requests.clear()
            path = tmp_path / f"t{k}.jsonl"
            script = _KILL_SCRIPT.format(tests=tests, url=hs.url, path=str(path), workers=WORKERS)
            proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                                    env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
            try:
                assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
                until = time.monotonic() + 60  # under load the batch may start late: wait for it
                while len(hs.requests) < 30 + 40 * k and time.monotonic() < until:
                    time.sleep(0.05)
                killed_at = time.time()
                os.kill(proc.pid, signal.SIGKILL)
            finally:
                proc.wait(timeout=30)
            assert len(hs.requests) > 20, "the batch had not got going before the kill"
            losses.append(lost_records(hs, path, killed_at))
            seen.append(len(hs.requests))
    print("records lost per kill -9:", losses, "of attempts the server saw:", seen)
    assert max(losses) == 0

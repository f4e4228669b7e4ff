"""Reading a run back: its critical path, and a client that replays it call for call."""

from __future__ import annotations

from typing import Any

from ..trace import Trace, critical_path_rows

__all__ = ["critical_path", "replay_client"]


# The records that decided a run's end time, as a DataFrame of trace rows in time order: the
# one critical-path walk lives in routerlab.trace; this name stays for existing callers.
critical_path = critical_path_rows


def replay_client(trace: Trace, catalog: Any = None, tiers: Any = None, **client_kw: Any) -> Any:
    """A Client that answers every call of a recorded orchestrator run as recorded (text, tokens,
    cost, latency), keyed by the prompt keys the spans carry: rerunning the same Orchestrator
    configuration on it reproduces the run's plan, delegations, reviews and decision."""
    from ..client import Client
    from ..providers.replay import Recorded, ReplayProvider

    by_id = {r.call_id: r for r in trace.records}
    table: dict[str, dict[str, Recorded]] = {}
    for call in trace.records:
        if call.kind != "call" or call.status != "ok" or call.parent_id not in by_id:
            continue
        span = by_id[call.parent_id]
        key, response = span.metadata.get("prompt_key"), span.metadata.get("response")
        if key is None or response is None or not call.model:
            continue
        name = call.model.split(":", 1)[1]
        table.setdefault(name, {})[str(key)] = Recorded(
            response=str(response), input_tokens=call.input_tokens, output_tokens=call.output_tokens,
            cost_usd=call.cost_usd, latency_s=call.latency_s, ttft_s=call.ttft_s)
    provider = ReplayProvider(table, name="replay")
    prefixes = {r.model.split(":", 1)[0] for r in trace.records if r.kind == "call" and r.model}
    client = Client(catalog=catalog, tiers=tiers, providers={p: provider for p in prefixes}, **client_kw)
    return client


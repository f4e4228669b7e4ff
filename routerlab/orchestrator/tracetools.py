"""Reading a run back: its critical path, and a client that replays it call for call."""

from __future__ import annotations

from typing import Any

from ..trace import Trace

__all__ = ["critical_path", "replay_client"]


def critical_path(trace_frame: Any) -> Any:
    """The records that decided a run's end time, in time order (a DataFrame of trace rows).

    From the root (the record without a parent, latest-ending if several), repeatedly: take the
    child that ended last; before it, the child that ended last before that one started; and so
    on; then descend into each of them. Leaves are calls; their latencies sum to the time the
    run spent waiting on models along that path."""
    import pandas as pd

    f = trace_frame.reset_index(drop=True)
    if f.empty:
        return f
    ids = set(f["call_id"])
    kids: dict[str, list[int]] = {}
    roots = []
    for i, p in enumerate(f["parent_id"]):
        if p is None or (isinstance(p, float) and pd.isna(p)) or p not in ids:
            roots.append(i)
        else:
            kids.setdefault(str(p), []).append(i)
    start, end = f["start"].to_numpy(), f["end"].to_numpy()

    def walk(i: int) -> list[int]:
        ch = kids.get(str(f.at[i, "call_id"]), [])
        if not ch:
            return [i]
        seq: list[int] = []
        limit = end[i] + 1e-9
        pool = list(ch)
        while pool:
            fit = [c for c in pool if end[c] <= limit]
            if not fit:
                break
            c = max(fit, key=lambda k: (end[k], start[k]))
            seq.append(c)
            pool = [k for k in pool if k != c]
            limit = start[c] + 1e-9
        out = [i]
        for c in reversed(seq):
            out += walk(c)
        return out

    root = max(roots, key=lambda k: end[k])
    path = walk(root)
    return f.iloc[path].sort_values(["start", "end"], kind="stable").reset_index(drop=True)


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


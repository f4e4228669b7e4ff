"""tau2-bench results (``results.json``, gzipped) -> Workload.

- one call per ``assistant`` message that carries ``usage`` (the agent under test). The fixed
  greeting (no usage, cost 0) is not a model call. The **user simulator's** calls (role
  ``user``, another model) are not part of the agent's workload: their time stays in the gaps
  between agent calls, their cost is in the notes.
- tokens: ``raw_data.usage`` when present (Anthropic: input + cache read + cache write; cached
  = cache read), else ``usage.prompt_tokens`` / ``completion_tokens``. Cost: the message's
  ``cost`` (what the harness priced).
- timing: end = the message's timestamp; start = the previous message's timestamp (the user's
  turn or the tool result the agent answered). Same client clock.
- kind: from the tool called (``get_*`` / ``search_*`` -> search, ``book_*`` / ``cancel_*`` /
  ``update_*`` -> edit, ``transfer_to_human_agents`` -> respond); text answers -> respond.
- task id: ``<task_id>#<trial>``; outcome: the simulation's reward (1.0 / 0.0).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import DatasetError
from ._io import load_json, read_gzip_text, trajectory_path
from .step_kinds import kind_of_tool, pick_kind
from .workload import LLMCall, Workload

__all__ = ["load_tau2", "parse_tau2_simulation", "TAU2_FILE"]

TAU2_FILE = "tau2-bench_submission_claude-sonnet-4-5_airline_aide.json.gz"
_ORIGIN = ("sierra-research/tau2-bench @ 1decfa1a : web/leaderboard/public/submissions/"
           "claude-sonnet-4-5_aide-platform_2025-10-31/trajectories/ (MIT)")


def _ts(v: Any, where: str) -> float:
    try:
        return datetime.fromisoformat(str(v)).timestamp()
    except ValueError as exc:
        raise DatasetError(f"{where}: timestamp {v!r} is not ISO 8601") from exc


def parse_tau2_simulation(sim: dict[str, Any], where: str) -> list[LLMCall]:
    msgs = sim.get("messages")
    if not isinstance(msgs, list):
        raise DatasetError(f"{where}: simulation has no 'messages' list")
    task_id = f"{sim.get('task_id')}#{sim.get('trial', 0)}"
    reward = (sim.get("reward_info") or {}).get("reward")
    outcome = float(reward) if isinstance(reward, (int, float)) else float("nan")
    calls = []
    prev: float | None = None
    for i, m in enumerate(msgs):
        ts = _ts(m.get("timestamp"), f"{where}: message {i}") if m.get("timestamp") else None
        if m.get("role") == "assistant" and isinstance(m.get("usage"), dict):
            raw = m.get("raw_data") if isinstance(m.get("raw_data"), dict) else {}
            ru = raw.get("usage") if isinstance(raw.get("usage"), dict) else None
            if ru:
                cr, cw = int(ru.get("cache_read_input_tokens") or 0), int(ru.get("cache_creation_input_tokens") or 0)
                inp, out = int(ru.get("input_tokens") or 0) + cr + cw, int(ru.get("output_tokens") or 0)
            else:
                cr = cw = 0
                inp, out = int(m["usage"].get("prompt_tokens") or 0), int(m["usage"].get("completion_tokens") or 0)
            tcs = m.get("tool_calls") or []
            kinds = [kind_of_tool(str(tc.get("name", "")), tc.get("arguments")) for tc in tcs if isinstance(tc, dict)]
            end = ts if ts is not None else (prev or 0.0)
            start = prev if prev is not None and prev <= end else end
            calls.append(LLMCall(
                task_id=task_id, agent="main", kind=pick_kind(kinds, default="respond"), input_tokens=inp,
                output_tokens=out, cached_tokens=cr, cache_write_tokens=cw,
                model="anthropic:" + str(raw.get("model") or "claude-sonnet-4-5"), start=start,
                duration_s=end - start, cost_usd=float(m.get("cost") or 0.0), outcome=outcome,
                tools=",".join(str(tc.get("name", "")) for tc in tcs if isinstance(tc, dict)),
                source=f"{where}: message {i}",
            ))
        if ts is not None:
            prev = ts
    return calls


def load_tau2(path: str | Path | None = None, strict: bool = False) -> Workload:
    """The 50 tau2-bench airline simulations of claude-sonnet-4-5 (agent calls only)."""
    p = Path(path) if path is not None else trajectory_path(TAU2_FILE)
    text = read_gzip_text(p, strict=strict) if p.suffix == ".gz" else p.read_text("utf-8")
    doc = load_json(text, p.name)
    sims = doc.get("simulations") if isinstance(doc, dict) else None
    if not isinstance(sims, list):
        raise DatasetError(f"{p}: not tau2-bench results (no 'simulations' list)")
    calls: list[LLMCall] = []
    for n, sim in enumerate(sims):
        calls += parse_tau2_simulation(sim, f"{p.name}: simulation {n}")
    user_cost = sum(float(s.get("user_cost") or 0.0) for s in sims)
    return Workload.from_calls(calls, name="tau2-bench", notes=[
        f"origin: {_ORIGIN}",
        f"user-simulator calls excluded (their time stays in the gaps; their cost was ${user_cost:.4f})",
        "outcome = simulation reward (1.0 solved / 0.0 not)",
    ])

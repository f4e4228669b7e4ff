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
- model: the message's ``raw_data.model`` (Anthropic responses carry it), else the run's
  ``info.agent_info.llm`` (where tau2 records the agent's model; OpenAI choice objects have no
  ``model``). LiteLLM's ``provider/name`` becomes ``provider:name``. When neither says, the
  model is None and a ``UserWarning`` says so: a loader never invents the model.
- kind: from the tool called (``get_*`` / ``search_*`` -> search, ``book_*`` / ``cancel_*`` /
  ``update_*`` / ``return_*`` / ``exchange_*`` / ``resume_*`` / ``refuel_*`` / ``enable_*`` ...
  -> edit, ``transfer_to_human_agents`` -> respond; see ``step_kinds``); text answers -> respond.
- cache: the harness's ``cost`` includes the provider's prompt-cache discount. Where a call's
  usage has no cached-token count (OpenAI-style ``usage`` without ``prompt_tokens_details``),
  the workload's notes say so: a re-pricing of those calls cannot reproduce the recorded cost.
- task id: ``<task_id>#<trial>``; outcome: the simulation's reward (1.0 / 0.0).
"""

from __future__ import annotations

import warnings
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import DatasetError
from ._io import load_json, model_id, provenance, read_gzip_text, read_text_file, trajectory_path
from .step_kinds import kind_of_tool, pick_kind
from .workload import LLMCall, Workload

__all__ = ["load_tau2", "parse_tau2_simulation", "agent_model", "TAU2_FILE"]

TAU2_FILE = "tau2-bench_submission_claude-sonnet-4-5_airline_aide.json.gz"
def agent_model(doc: Any) -> str | None:
    """The agent's model as the results file records it (``info.agent_info.llm``), or None."""
    info = doc.get("info") if isinstance(doc, dict) else None
    agent = info.get("agent_info") if isinstance(info, dict) else None
    return model_id(agent.get("llm")) if isinstance(agent, dict) else None


def _ts(v: Any, where: str) -> float:
    try:
        return datetime.fromisoformat(str(v)).timestamp()
    except ValueError as exc:
        raise DatasetError(f"{where}: timestamp {v!r} is not ISO 8601") from exc


def _tokens(m: dict[str, Any], raw: dict[str, Any]) -> tuple[int, int, int, int, bool]:
    """(input incl. cached, output, cache read, cache write, whether cached tokens are counted)."""
    ru = raw.get("usage") if isinstance(raw.get("usage"), dict) else None
    if ru and "input_tokens" in ru:  # Anthropic: input excludes the cache reads and writes
        cr, cw = int(ru.get("cache_read_input_tokens") or 0), int(ru.get("cache_creation_input_tokens") or 0)
        return int(ru.get("input_tokens") or 0) + cr + cw, int(ru.get("output_tokens") or 0), cr, cw, True
    u = ru if ru else m["usage"]
    details = u.get("prompt_tokens_details")
    counted = isinstance(details, dict) and details.get("cached_tokens") is not None
    inp = int(u.get("prompt_tokens") or 0)
    cr = min(int(details.get("cached_tokens") or 0), inp) if counted and isinstance(details, dict) else 0
    return inp, int(u.get("completion_tokens") or 0), cr, 0, counted


def parse_tau2_simulation(sim: dict[str, Any], where: str, model: str | None = None) -> list[LLMCall]:
    """The agent's calls in one simulation. ``model``: the run's agent model (``agent_model``),
    used where a message's ``raw_data`` names none; None when the file does not say."""
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
            inp, out, cr, cw, counted = _tokens(m, raw)
            tcs = m.get("tool_calls") or []
            kinds = [kind_of_tool(str(tc.get("name", "")), tc.get("arguments")) for tc in tcs if isinstance(tc, dict)]
            end = ts if ts is not None else (prev or 0.0)
            start = prev if prev is not None and prev <= end else end
            calls.append(LLMCall(
                task_id=task_id, agent="main", kind=pick_kind(kinds, default="respond"), input_tokens=inp,
                output_tokens=out, cached_tokens=cr, cache_write_tokens=cw,
                model=model_id(raw.get("model")) or model, start=start,
                duration_s=end - start, cost_usd=float(m.get("cost") or 0.0), outcome=outcome,
                tools=",".join(str(tc.get("name", "")) for tc in tcs if isinstance(tc, dict)),
                source=f"{where}: message {i}" + ("" if counted else " (no cached-token count)"),
            ))
        if ts is not None:
            prev = ts
    return calls


def load_tau2(path: str | Path | None = None, strict: bool = False) -> Workload:
    """A tau2-bench results file (agent calls only); by default the mirror's 50 airline
    simulations of claude-sonnet-4-5."""
    p = Path(path) if path is not None else trajectory_path(TAU2_FILE)
    text = read_gzip_text(p, strict=strict) if p.suffix == ".gz" else read_text_file(p)
    doc = load_json(text, p.name)
    sims = doc.get("simulations") if isinstance(doc, dict) else None
    if not isinstance(sims, list):
        raise DatasetError(f"{p}: not tau2-bench results (no 'simulations' list)")
    run_model = agent_model(doc)
    calls: list[LLMCall] = []
    for n, sim in enumerate(sims):
        calls += parse_tau2_simulation(sim, f"{p.name}: simulation {n}", run_model)
    user_cost = sum(float(s.get("user_cost") or 0.0) for s in sims)
    notes = [provenance(p),
             f"user-simulator calls excluded (their time stays in the gaps; their cost was ${user_cost:.4f})",
             "outcome = simulation reward (1.0 solved / 0.0 not)"]
    unknown = sum(c.model is None for c in calls)
    if unknown:
        msg = (f"{p.name}: {unknown} of {len(calls)} agent calls name no model (no raw_data.model, no "
               f"info.agent_info.llm): their model is None; replay them under a policy that names a model")
        warnings.warn(msg, UserWarning, stacklevel=2)
        notes.append(msg)
    uncounted = [c for c in calls if c.source.endswith("(no cached-token count)")]
    if uncounted:
        notes.append(_cache_note(len(uncounted), len(calls), sum(c.cost_usd for c in uncounted)))
    return Workload.from_calls(calls, name="tau2-bench", notes=notes)


def _cache_note(n: int, total: int, cost: float) -> str:
    return (f"cache: {n} of {total} calls record a cost (${cost:.4f}) that includes the provider's prompt-cache "
            f"discount, but no cached-token count: re-priced, these calls count every prompt token as fresh "
            f"input, so a re-pricing 'as recorded' can exceed the recorded cost; compare re-priced policies "
            f"with each other, not with the recorded cost")

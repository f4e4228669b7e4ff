"""mini-swe-agent ``.traj.json`` runs (in a tar.gz) -> Workload.

- one call per assistant message; tokens from ``extra.response.usage`` (prompt tokens include
  the cached ones; ``prompt_tokens_details.cached_tokens`` is the cache hit), cost from
  ``extra.cost`` (what the agent's LiteLLM priced), model from the response (None, never a
  guess, when the response names none).
- timing, client clock only: the response's ``extra.timestamp`` is when the answer arrived
  (end); the request left right after the previous message was recorded (the observation of
  the previous command, client clock), so start = that message's timestamp. The server's
  ``created`` (whole seconds, another clock: some latencies come out negative against it) is
  used only for the first call of a run, clamped to at most its end. So durations are the gaps
  between consecutive messages, which also include the agent's own bookkeeping (milliseconds).
- kind: from the bash command(s) of the step (``step_kinds.kind_of_bash``).
- task id: ``<config>/<instance>`` (e.g. ``deepseek_chat_dev/pvlib__pvlib-python-1606``).
- outcome: NaN. ``exit_status`` says whether the agent submitted, not whether the patch
  resolved the issue; it is kept in the workload notes, not passed off as success.
"""

from __future__ import annotations

import math
from pathlib import Path, PurePosixPath
from typing import Any

from .._numbers import to_float
from ..errors import DatasetError
from ._io import iter_tar_members, load_json, model_id, provenance, trajectory_path
from .step_kinds import kind_of_bash, pick_kind
from .workload import LLMCall, Workload

__all__ = ["load_mini_swe", "parse_mini_swe_traj", "MINI_SWE_FILE"]

MINI_SWE_FILE = "mini-swe-agent_pr816_deepseek_dev-runs.tar.gz"


def _num(x: Any, default: float = 0.0) -> float:
    return to_float(x, default, finite=True)


def parse_mini_swe_traj(text: str, where: str, task_id: str) -> tuple[list[LLMCall], str]:
    """Calls of one ``.traj.json`` and its exit status."""
    doc = load_json(text, where)
    if not isinstance(doc, dict) or not isinstance(doc.get("messages"), list):
        raise DatasetError(f"{where}: not a mini-swe-agent trajectory (no 'messages' list)")
    calls: list[LLMCall] = []
    prev_ts: float | None = None
    for i, m in enumerate(doc["messages"]):
        extra = m.get("extra") if isinstance(m, dict) else None
        ts = _num(extra.get("timestamp"), float("nan")) if isinstance(extra, dict) else float("nan")
        extra = extra if isinstance(extra, dict) else None
        if isinstance(m, dict) and m.get("role") == "assistant":
            if not isinstance(extra, dict) or not isinstance(extra.get("response"), dict):
                raise DatasetError(f"{where}: message {i} (assistant) has no extra.response")
            resp: dict[str, Any] = extra["response"]
            usage = resp.get("usage") or {}
            details = usage.get("prompt_tokens_details") or {}
            inp = int(_num(usage.get("prompt_tokens")))
            cached = min(int(_num(details.get("cached_tokens", usage.get("prompt_cache_hit_tokens")))), inp)
            end = ts if math.isfinite(ts) else _num(resp.get("created"))
            start = prev_ts if prev_ts is not None else min(_num(resp.get("created"), end), end)
            cmds = [str(a.get("command", "")) for a in extra.get("actions") or [] if isinstance(a, dict)]
            calls.append(LLMCall(
                task_id=task_id, agent="main", kind=pick_kind([kind_of_bash(c) for c in cmds], default="respond"),
                input_tokens=inp, output_tokens=int(_num(usage.get("completion_tokens"))), cached_tokens=cached,
                model=model_id(resp.get("model")), start=start, duration_s=max(end - start, 0.0),
                cost_usd=_num(extra.get("cost"), float("nan")), tools="bash" if cmds else "",
                source=f"{where}:message {i}",
            ))
        if math.isfinite(ts):
            prev_ts = ts
    info: dict[str, Any] = doc["info"] if isinstance(doc.get("info"), dict) else {}
    return calls, str(info.get("exit_status", ""))


def load_mini_swe(path: str | Path | None = None, strict: bool = False) -> Workload:
    """All runs in the mini-swe-agent archive (38 runs, deepseek-chat and deepseek-reasoner)."""
    p = Path(path) if path is not None else trajectory_path(MINI_SWE_FILE)
    calls: list[LLMCall] = []
    statuses: dict[str, str] = {}
    for name, text in iter_tar_members(p, ".traj.json", strict=strict):
        member = PurePosixPath(name)
        task_id = f"{member.parent.parent.name}/{member.parent.name}"
        run_calls, status = parse_mini_swe_traj(text, f"{p.name}:{name}", task_id)
        calls += run_calls
        statuses[task_id] = status
    if not calls:
        raise DatasetError(f"{p}: no mini-swe-agent trajectories (*.traj.json) found in the archive")
    submitted = sum(s == "Submitted" for s in statuses.values())
    empty = len(statuses) - len({c.task_id for c in calls})
    return Workload.from_calls(calls, name="mini-swe-agent", notes=[
        provenance(p),
        f"runs from the archive's configurations: {', '.join(sorted({t.split('/')[0] for t in statuses}))}",
        "durations: gaps between consecutive client-clock messages (server 'created' seconds not used)",
        f"exit status: {submitted}/{len(statuses)} runs submitted a patch (submission is not resolution)",
        f"{empty} runs have no completed call (timeout / server error before the first answer)",
    ])

"""Claude Code session transcripts (JSON Lines, one file per session, sub-agents in
``<session>/subagents/agent-*.jsonl``) -> Workload.

How a transcript becomes calls:

- one call per assistant ``message.id``: Claude Code writes one line per streamed content
  block, all with the same id. Output tokens are the **max** over those lines and are a lower
  bound (``output_partial=True``): streaming lines sometimes carry partial counts.
- input tokens = ``input_tokens + cache_creation_input_tokens + cache_read_input_tokens``;
  cached = ``cache_read_input_tokens``; ``cache_write_tokens`` = ``cache_creation_input_tokens``.
- start = timestamp of the line the first block answers (its ``parentUuid``: the user turn or
  tool result that triggered the request), end = timestamp of the last block. Both are client
  clock, so the duration includes network and streaming.
- agent: ``main`` for the session file, ``sub:<agent id>`` for sub-agent files (``acompact``
  files are context compaction: kind ``summarize``). task id: the session id.
- kind: from the tool_use blocks (``step_kinds.kind_of_tool``); text-only answers are ``respond``.
- no cost is recorded (Claude Code transcripts carry tokens, not dollars): cost is NaN and
  ``routerlab.simulate`` prices the recorded model from the catalog.
- ``<synthetic>`` messages (errors Claude Code writes itself, no model call) are skipped.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import DatasetError
from ._io import iter_jsonl, iter_tar_members, provenance, trajectory_path
from .step_kinds import kind_of_tool, pick_kind
from .workload import LLMCall, Workload

__all__ = ["load_claude_code", "parse_claude_code_jsonl", "CLAUDE_CODE_FILE"]

CLAUDE_CODE_FILE = "claude-code_transcripts_marot-spotter.tar.gz"


def _ts(value: Any, where: str) -> float:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError as exc:
        raise DatasetError(f"{where}: timestamp {value!r} is not ISO 8601") from exc


def parse_claude_code_jsonl(text: str, where: str, task_id: str, agent: str, strict: bool = False) -> list[LLMCall]:
    """Calls of one transcript file (``where`` names it in errors)."""
    times: dict[str, float] = {}
    groups: dict[str, dict[str, Any]] = {}
    for lineno, entry in iter_jsonl(text, where, strict=strict):
        ts = entry.get("timestamp")
        uuid = entry.get("uuid")
        if ts is not None and uuid:
            times[str(uuid)] = _ts(ts, f"{where}: line {lineno}")
        if entry.get("type") != "assistant":
            continue
        msg = entry.get("message")
        if not isinstance(msg, dict) or not isinstance(msg.get("usage"), dict):
            raise DatasetError(f"{where}: line {lineno}: assistant entry without message.usage")
        model = str(msg.get("model", ""))
        if model == "<synthetic>":
            continue
        mid = str(msg.get("id") or entry.get("requestId") or f"line{lineno}")
        u = msg["usage"]
        g = groups.get(mid)
        if g is None:
            g = groups[mid] = {"model": model, "line": lineno, "parent": entry.get("parentUuid"),
                               "first": times.get(str(uuid), 0.0), "last": 0.0, "out": 0, "usage": u, "tools": []}
        g["last"] = max(g["last"], times.get(str(uuid), 0.0))
        try:
            g["out"] = max(g["out"], int(u.get("output_tokens") or 0))
        except (TypeError, ValueError) as exc:
            raise DatasetError(f"{where}: line {lineno}: output_tokens {u.get('output_tokens')!r} is not a number") from exc
        g["usage"] = u  # input-side counts repeat on every streamed line; output is the max above
        for block in msg.get("content") or []:
            if isinstance(block, dict) and block.get("type") == "tool_use":
                g["tools"].append((str(block.get("name", "")), block.get("input") or {}))
    calls = []
    compact = agent.startswith("sub:acompact")
    for g in groups.values():
        u = g["usage"]
        cache_read = int(u.get("cache_read_input_tokens") or 0)
        cache_write = int(u.get("cache_creation_input_tokens") or 0)
        inp = int(u.get("input_tokens") or 0) + cache_read + cache_write
        start = times.get(str(g["parent"]), g["first"]) if g["parent"] else g["first"]
        if not start or start > g["first"]:
            start = g["first"]
        kinds = [kind_of_tool(name, args if isinstance(args, dict) else {}) for name, args in g["tools"]]
        kind = "summarize" if compact else pick_kind(kinds, default="respond")
        calls.append(LLMCall(
            task_id=task_id, agent=agent, kind=kind, input_tokens=inp, output_tokens=g["out"],
            cached_tokens=cache_read, cache_write_tokens=cache_write, model=f"anthropic:{g['model']}",
            start=start, duration_s=max(g["last"] - start, 0.0), output_partial=True,
            tools=",".join(n for n, _ in g["tools"]), source=f"{where}:{g['line']}",
        ))
    return calls


def load_claude_code(path: str | Path | None = None, strict: bool = False) -> Workload:
    """All sessions (main agent and sub-agents) in the Claude Code transcripts archive."""
    p = Path(path) if path is not None else trajectory_path(CLAUDE_CODE_FILE)
    calls: list[LLMCall] = []
    for name, text in iter_tar_members(p, ".jsonl", strict=strict):
        member = PurePosixPath(name)
        if member.parent.name == "subagents":
            task_id, agent = member.parent.parent.name, "sub:" + member.stem.removeprefix("agent-")
        else:
            task_id, agent = member.stem, "main"
        calls += parse_claude_code_jsonl(text, f"{p.name}:{name}", task_id, agent, strict=strict)
    if not calls:
        raise DatasetError(f"{p}: no Claude Code assistant messages found in the archive")
    return Workload.from_calls(calls, name="claude-code", notes=[
        provenance(p),
        "output tokens are lower bounds (max over streamed lines per message id)",
        "no recorded cost: priced from the catalog",
    ])

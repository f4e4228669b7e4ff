"""OpenHands evaluation ``output.jsonl`` (gzipped; one run per line) -> Workload.

- one call per entry of ``metrics.token_usages`` (joined to ``metrics.response_latencies`` and
  to the history's actions by ``response_id``): prompt / completion / cache-read tokens.
- end = timestamp of the first history action the response produced; start = end - the
  recorded response latency. History timestamps are naive local time (UTC+8 in this file);
  they are kept as they are, so only differences are meaningful. A call with no action uses
  the server's ``created`` + latency, shifted by the median offset between the two clocks.
- kind: from the action (``run`` -> its bash command; ``read``; ``edit`` (``view`` -> read);
  ``think`` -> plan; ``finish`` -> review; ``message`` -> respond; ``browse`` -> search).
- cost: the file records ``accumulated_cost`` 0.0 with no per-call costs (an OpenRouter
  model run through a local proxy), so recorded cost is NaN, not zero.
- model: the one the response names (``openrouter:meta-llama/llama-4-maverick``; the run's
  config calls it ``openai/openrouter-llama-4-maverick``).
- outcome: NaN; a run that stopped on ``error`` (e.g. maximum iterations) keeps the message in
  the notes.
"""

from __future__ import annotations

import ast
import statistics
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import DatasetError
from ._io import iter_jsonl, provenance, read_gzip_text, read_text_file, trajectory_path
from .step_kinds import kind_of_bash, pick_kind
from .workload import LLMCall, Workload

__all__ = ["load_openhands", "parse_openhands_run", "OPENHANDS_FILE"]

OPENHANDS_FILE = "openhands_multi-swe-bench_example_output.jsonl.gz"


def _as_dict(v: Any) -> dict[str, Any]:
    if isinstance(v, dict):
        return v
    if isinstance(v, str):
        try:
            out = ast.literal_eval(v)
        except (ValueError, SyntaxError):
            return {}
        return out if isinstance(out, dict) else {}
    return {}


def _action_kind(action: str, args: dict[str, Any]) -> str:
    if action == "run":
        return kind_of_bash(str(args.get("command", "")))
    if action == "edit":
        return "read" if args.get("command") == "view" else "edit"
    return {"read": "read", "think": "plan", "finish": "review", "message": "respond", "browse": "search",
            "browse_interactive": "search", "run_ipython": "run", "delegate": "plan"}.get(action, "run")


def parse_openhands_run(run: dict[str, Any], where: str) -> tuple[list[LLMCall], str | None]:
    """Calls of one run (one line of output.jsonl) and its error message, if any."""
    metrics = run.get("metrics")
    if not isinstance(metrics, dict) or not isinstance(metrics.get("token_usages"), list):
        raise DatasetError(f"{where}: run has no metrics.token_usages list")
    task_id = str(run.get("instance_id", where))
    latency = {x.get("response_id"): float(x.get("latency") or 0.0) for x in metrics.get("response_latencies") or []}
    acts: dict[str, list[tuple[str, dict[str, Any], float]]] = {}
    served: dict[str, str] = {}  # the model the response names, e.g. meta-llama/llama-4-maverick
    for ev in run.get("history") or []:
        if not isinstance(ev, dict) or ev.get("source") != "agent" or not ev.get("action"):
            continue
        meta = _as_dict(ev.get("tool_call_metadata"))
        rid = _as_dict(meta.get("model_response")).get("id")
        if rid:
            served[rid] = str(_as_dict(meta.get("model_response")).get("model") or "")
            ts = datetime.fromisoformat(str(ev["timestamp"])).timestamp()
            acts.setdefault(rid, []).append((str(ev["action"]), _as_dict(ev.get("args")), ts))
    created: dict[str, float | None] = {}  # OpenRouter ids are gen-<epoch seconds>-...
    rows = []
    for tu in metrics["token_usages"]:
        rid = str(tu.get("response_id", ""))
        lat = latency.get(rid, 0.0)
        a = acts.get(rid, [])
        end = min(t for _, _, t in a) if a else None
        parts = rid.split("-")
        created[rid] = float(parts[1]) if len(parts) > 2 and parts[1].isdigit() else None
        rows.append((tu, rid, lat, a, end))
    offsets = [end - ((created[rid] or 0.0) + lat) for _, rid, lat, _, end in rows if end is not None and created[rid]]
    offset = statistics.median(offsets) if offsets else 0.0
    calls: list[LLMCall] = []
    for n, (tu, rid, lat, a, end) in enumerate(rows):
        if end is None:
            c = created[rid]
            end = (c + lat + offset) if c else (calls[-1].start + calls[-1].duration_s + lat if calls else lat)
        inp = int(tu.get("prompt_tokens") or 0)
        calls.append(LLMCall(
            task_id=task_id, agent="main", kind=pick_kind([_action_kind(act, args) for act, args, _ in a]),
            input_tokens=inp, output_tokens=int(tu.get("completion_tokens") or 0),
            cached_tokens=min(int(tu.get("cache_read_tokens") or 0), inp),
            cache_write_tokens=int(tu.get("cache_write_tokens") or 0),
            model="openrouter:" + (served.get(rid) or str(tu.get("model", "unknown")).removeprefix("openai/")),
            start=end - lat, duration_s=lat, tools=",".join(act for act, _, _ in a), source=f"{where}:call {n}",
        ))
    return calls, (str(run["error"]) if run.get("error") else None)


def load_openhands(path: str | Path | None = None, strict: bool = False) -> Workload:
    """The 3 OpenHands runs (105 calls) of the multi-swe-bench example output."""
    p = Path(path) if path is not None else trajectory_path(OPENHANDS_FILE)
    text = read_gzip_text(p, strict=strict) if p.suffix == ".gz" else read_text_file(p)
    calls: list[LLMCall] = []
    notes = [provenance(p), "recorded cost is 0.0 in the file with no per-call costs: kept as unknown (NaN)"]
    for lineno, run in iter_jsonl(text, p.name, strict=strict):
        run_calls, error = parse_openhands_run(run, f"{p.name}: line {lineno}")
        calls += run_calls
        if error:
            notes.append(f"{run.get('instance_id')}: stopped with error: {error[:120]}")
    if not calls:
        raise DatasetError(f"{p}: no OpenHands runs with token usage found")
    return Workload.from_calls(calls, name="openhands", notes=notes)

"""routerlab's own calls as OpenTelemetry spans: one per attempt, one per subtask, with the routing decision.

``trace_spans(records)`` turns trace records (``Trace.records``) into OpenTelemetry SDK spans;
``export_trace(trace, exporter)`` hands them to any ``SpanExporter`` (the OTLP/HTTP one sends
them to a collector, Phoenix, Langfuse); ``Client(span_exporter=exporter)`` exports each
subtask's spans as soon as it ends (``SpanHook``). ``routerlab.workloads.load_otel`` reads
them back.

Attributes (OpenTelemetry GenAI names where the convention has one, ``routerlab.*`` for the rest):

==========================================  ============================================================
attribute                                   from the trace record
==========================================  ============================================================
``gen_ai.operation.name``                   ``chat`` (attempt spans)
``gen_ai.provider.name``, ``gen_ai.system``  ``provider``
``gen_ai.request.model``                    the model the subtask asked for (its first candidate)
``gen_ai.response.model``                   the model that served this attempt (ok attempts)
``gen_ai.usage.input_tokens`` /             tokens (input counts cached ones); not set on a failed
``output_tokens`` /                         attempt that reported no usage
``cache_read.input_tokens``
``gen_ai.response.finish_reasons``          ``metadata.stop_reason``
``gen_ai.response.time_to_first_chunk``     ``ttft_s``
``error.type``, span status ERROR            ``error_type``, the (redacted) error
``routerlab.tier`` / ``.kind`` / ``.task_id``  tier, request kind, task
``routerlab.attempt`` / ``.retries`` /       attempt number, retries, ok / error / refused, whether it
``.status`` / ``.final``                    ended the subtask
``routerlab.cost_usd``                      what the attempt cost (USD)
``routerlab.budget.reserved_usd`` /         the worst case the budget held before the attempt, and
``routerlab.budget.settled_usd``            what it kept after
``routerlab.decision.model`` / ``.router`` /  the router's choice and why (``Decision``)
``.score`` / ``.threshold`` / ``.reason``
``routerlab.decision.alternatives.model`` /  the alternatives, as parallel arrays
``.tier`` / ``.predicted_cost_usd`` /
``.predicted_quality``
``routerlab.fallback.from`` / ``.reason``    the model fallen back from, and why
``routerlab.fallback.chain``                models tried for the subtask, in order (subtask span)
==========================================  ============================================================

Subtask spans (``routerlab.subtask <id>``) carry the tier, requested and served model, chain,
attempt count, cost and status; orchestrator records (plan, delegate, review, task) become spans
of their own kind with ``routerlab.span.kind``. Prompts and answers are never exported, and
every string passes ``trace.redact`` (API-key-like text is removed).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from .errors import MissingDependencyError
from .trace import Trace, TraceRecord, redact

__all__ = ["trace_spans", "export_trace", "SpanHook"]


def _sdk() -> Any:
    try:
        from opentelemetry import trace as api
        from opentelemetry.sdk import trace as sdk
        from opentelemetry.sdk.resources import Resource
    except ImportError as exc:
        raise MissingDependencyError("opentelemetry-sdk", "otel") from exc
    return api, sdk, Resource


def _span_id(key: str) -> int:
    try:
        v = int(key, 16)
        if len(key) == 16 and v:
            return v
    except ValueError:
        pass
    return int(hashlib.sha256(key.encode()).hexdigest()[:16], 16) or 1


def _trace_id(task: str | None) -> int:
    return int(hashlib.sha256(f"routerlab-task:{task or 'run'}".encode()).hexdigest()[:32], 16)


def _subtask_key(r: TraceRecord) -> str:
    return f"subtask:{r.task_id}:{r.subtask_id}"


def _clean(attrs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in attrs.items():
        if v is None:
            continue
        if isinstance(v, str):
            v = redact(v) or ""
        elif isinstance(v, (list, tuple)):
            v = [redact(x) or "" if isinstance(x, str) else x for x in v if x is not None]
        out[k] = v
    return out


def _decision_attrs(d: dict[str, Any] | None) -> dict[str, Any]:
    if not d:
        return {}
    alts = d.get("alternatives") or []
    return {
        "routerlab.decision.model": d.get("model"), "routerlab.decision.router": d.get("router") or None,
        "routerlab.decision.tier": d.get("tier"), "routerlab.decision.score": d.get("score"),
        "routerlab.decision.threshold": d.get("threshold"), "routerlab.decision.reason": d.get("reason") or None,
        "routerlab.decision.alternatives.model": [str(a.get("model")) for a in alts] or None,
        "routerlab.decision.alternatives.tier": [str(a.get("tier") or "") for a in alts] or None,
        "routerlab.decision.alternatives.predicted_cost_usd":
            [float(a["predicted_cost"]) if a.get("predicted_cost") is not None else float("nan") for a in alts] or None,
        "routerlab.decision.alternatives.predicted_quality":
            [float(a["predicted_quality"]) if a.get("predicted_quality") is not None else float("nan") for a in alts]
            or None,
    }


def _name(model: str | None) -> str:
    return (model or "").split(":", 1)[-1]


def _attempt_attrs(r: TraceRecord, requested: str | None) -> dict[str, Any]:
    m = r.metadata or {}
    a: dict[str, Any] = {
        "gen_ai.operation.name": "chat", "gen_ai.provider.name": r.provider, "gen_ai.system": r.provider,
        "gen_ai.request.model": _name(requested or r.model),
        "routerlab.model": r.model, "routerlab.requested_model": requested or r.model,
        "routerlab.tier": r.tier, "routerlab.kind": m.get("kind"), "routerlab.task_id": r.task_id,
        "routerlab.subtask_id": r.subtask_id, "routerlab.attempt": r.attempt, "routerlab.retries": r.retries,
        "routerlab.status": r.status, "routerlab.final": bool(m.get("final", False)), "routerlab.cost_usd": r.cost_usd,
        "routerlab.budget.reserved_usd": m.get("budget_reserved_usd"), "routerlab.budget.settled_usd": r.cost_usd,
        "routerlab.fallback.from": m.get("fallback_from"), "routerlab.fallback.reason": m.get("fallback_reason"),
        "gen_ai.response.time_to_first_chunk": r.ttft_s, "error.type": r.error_type,
        **_decision_attrs(r.decision),
    }
    if r.status == "ok" or r.input_tokens or r.output_tokens:  # a failed attempt with no usage reports none
        a |= {"gen_ai.usage.input_tokens": r.input_tokens, "gen_ai.usage.output_tokens": r.output_tokens,
              "gen_ai.usage.cache_read.input_tokens": r.cached_tokens}
    if r.status == "ok":
        a["gen_ai.response.model"] = _name(r.model)
        if m.get("stop_reason"):
            a["gen_ai.response.finish_reasons"] = [str(m["stop_reason"])]
    return _clean(a)


def _make(sdk: Any, api: Any, resource: Any, name: str, trace_id: int, span_id: int, parent: int | None,
          start: float, end: float, attrs: dict[str, Any], error: str | None, kind: Any) -> Any:
    ctx = api.SpanContext(trace_id, span_id, is_remote=False, trace_flags=api.TraceFlags(api.TraceFlags.SAMPLED))
    parent_ctx = api.SpanContext(trace_id, parent, is_remote=False) if parent else None
    status = api.Status(api.StatusCode.ERROR, redact(error) or "") if error is not None else api.Status(api.StatusCode.OK)
    return sdk.ReadableSpan(name=name, context=ctx, parent=parent_ctx, resource=resource, attributes=attrs, kind=kind,
                            status=status, start_time=int(start * 1e9), end_time=int(max(end, start) * 1e9))


def trace_spans(records: Iterable[TraceRecord], service_name: str = "routerlab",
                known_ids: Iterable[str] = ()) -> list[Any]:
    """OpenTelemetry SDK ``ReadableSpan`` objects of ``records`` (see the module doc). A parent
    id is linked when its record is among ``records`` or in ``known_ids`` (exported before)."""
    api, sdk, Resource = _sdk()
    resource = Resource.create({"service.name": service_name})
    records = list(records)
    known = {r.call_id for r in records} | set(known_ids)
    spans: list[Any] = []
    subtasks: dict[str, list[TraceRecord]] = {}
    for r in records:
        if r.kind == "call":
            subtasks.setdefault(_subtask_key(r), []).append(r)
        else:  # an orchestrator span: plan, delegate, review, task
            parent = _span_id(r.parent_id) if r.parent_id in known and r.parent_id else None
            spans.append(_make(sdk, api, resource, f"routerlab.{r.kind}", _trace_id(r.task_id), _span_id(r.call_id),
                               parent, r.start, r.end, _clean({
                                   "routerlab.span.kind": r.kind, "routerlab.task_id": r.task_id,
                                   "routerlab.tier": r.tier, "routerlab.cost_usd": r.cost_usd,
                                   **_decision_attrs(r.decision)}), r.error if r.status != "ok" else None,
                               api.SpanKind.INTERNAL))
    for key, attempts in subtasks.items():
        spans += _subtask_spans(sdk, api, resource, key, attempts, known)
    return spans


def _subtask_spans(sdk: Any, api: Any, resource: Any, key: str, attempts: list[TraceRecord], known: set[str]) -> list[Any]:
    first, last = attempts[0], attempts[-1]
    requested = (first.metadata or {}).get("fallback_from") or first.model
    chain = list(dict.fromkeys(str(r.model) for r in attempts))
    tid, sid = _trace_id(first.task_id), _span_id(key)
    parent = _span_id(first.parent_id) if first.parent_id and first.parent_id in known else None
    served = next((r.model for r in reversed(attempts) if r.status == "ok"), None)
    out = [_make(sdk, api, resource, f"routerlab.subtask {first.subtask_id}", tid, sid, parent,
                 min(r.start for r in attempts), max(r.end for r in attempts), _clean({
                     "routerlab.span.kind": "subtask", "routerlab.subtask_id": first.subtask_id,
                     "routerlab.task_id": first.task_id, "routerlab.tier": first.tier,
                     "routerlab.requested_model": requested, "routerlab.model": served,
                     "routerlab.fallback.chain": chain, "routerlab.attempts": len(attempts),
                     "routerlab.cost_usd": sum(r.cost_usd for r in attempts),
                     "routerlab.status": "ok" if served else last.status, **_decision_attrs(first.decision)}),
                 None if served else (last.error or last.status), api.SpanKind.INTERNAL)]
    for r in attempts:
        name = f"chat {_name(r.model)}"
        out.append(_make(sdk, api, resource, name, tid, _span_id(r.call_id), sid, r.start, r.end,
                         _attempt_attrs(r, requested), r.error if r.status != "ok" else None, api.SpanKind.CLIENT))
    return out


def export_trace(trace: Trace | Sequence[TraceRecord], exporter: Any, service_name: str = "routerlab") -> int:
    """Send every record of ``trace`` to ``exporter`` (an OpenTelemetry ``SpanExporter``); return the span count."""
    spans = trace_spans(trace.records if isinstance(trace, Trace) else trace, service_name)
    exporter.export(spans)
    return len(spans)


class SpanHook:
    """Exports a subtask's spans when its final record arrives (``Client(span_exporter=...)``
    installs it with ``Trace.on_append``); orchestrator records are exported as they come."""

    def __init__(self, exporter: Any, service_name: str = "routerlab") -> None:
        self.exporter = exporter
        self.service_name = service_name
        self._open: dict[str, list[TraceRecord]] = {}
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, record: TraceRecord) -> None:
        with self._lock:
            self._seen.add(record.call_id)
            if record.kind != "call":
                batch = [record]
            else:
                key = _subtask_key(record)
                self._open.setdefault(key, []).append(record)
                if not (record.metadata or {}).get("final"):
                    return
                batch = self._open.pop(key)
            seen = set(self._seen)
        self.exporter.export(trace_spans(batch, self.service_name, known_ids=seen))

"""Your own agent's traces -> Workload: OpenTelemetry GenAI and OpenInference spans.

Two conventions are read, in the same file or mixed:

- **OpenTelemetry GenAI** semantic conventions: an LLM call is a span whose
  ``gen_ai.operation.name`` is ``chat`` / ``text_completion`` / ``generate_content`` (or that
  carries ``gen_ai.request.model`` and usage without an operation name); tokens from
  ``gen_ai.usage.input_tokens`` / ``output_tokens`` (older ``prompt_tokens`` /
  ``completion_tokens``), cached from ``gen_ai.usage.cache_read.input_tokens``, cache writes
  from ``gen_ai.usage.cache_creation.input_tokens``; the model from ``gen_ai.response.model``,
  else ``gen_ai.request.model``; tools run in ``execute_tool`` spans (``gen_ai.tool.name``,
  ``gen_ai.tool.call.arguments``), agents in ``invoke_agent`` spans (``gen_ai.agent.name``).
- **OpenInference** (Phoenix): ``openinference.span.kind`` ``LLM`` / ``TOOL`` / ``AGENT``;
  tokens from ``llm.token_count.prompt`` / ``completion`` / ``prompt_details.cache_read`` /
  ``prompt_details.cache_write``; the model from ``llm.response.model_name``, else
  ``llm.model_name``; tool calls in ``llm.output_messages.*.message.tool_calls.*``, tools in
  ``tool.name`` / ``tool.parameters``, agents in ``agent.name``.

How spans become calls:

- one call per LLM span. An LLM span inside another LLM span is the same call seen by a second
  instrumentor (OpenInference and GenAI both wrapping one SDK): it is merged into the outer one
  (the outer one's attributes win, the inner one fills what it lacks) and counted in the notes. Embedding and other non-generation operations are not agent calls.
- task id: the trace id (one trace, one agent run). Agent: the nearest enclosing agent span;
  the outermost agent of a trace is ``main``, the others ``sub:<name>``; no agent span: ``main``.
- kind: the tools the answer asked for (its tool calls) and the tool spans that ran after it,
  under the same parent, before the next LLM call there, classified by
  ``step_kinds.kind_of_tool``; no tool: ``respond``.
- tokens: ``input_tokens`` counts cached ones (the conventions say input counts all prompt
  tokens); when cache reads + writes exceed it, the instrumentor reported uncached input only
  (Anthropic's own counts) and they are added.
- model: ``<provider>:<model>`` with the provider from ``gen_ai.provider.name`` /
  ``gen_ai.system`` / ``llm.provider`` / ``llm.system``; the requested model is kept in the
  ``requested_model`` column (``routerlab.requested_model`` when routerlab wrote the span). Cost: NaN (spans carry tokens, not dollars) unless
  ``routerlab.cost_usd`` is there.

Bad input: a file with no span of either convention, an ok LLM span without usage, or a
malformed middle line raises ``DatasetError`` naming file and line; a torn last line or a span
whose parent is not in the file is a ``PartialFileWarning`` (``strict=True`` raises) and a note.
An LLM span that failed (status ERROR) and has no usage is skipped with a warning.

Files: OTLP JSON (``{"resourceSpans": [...]}``, one document or one per line as the
Collector's file exporter writes), or JSON Lines of spans (the OpenTelemetry SDK's
``ConsoleSpanExporter`` / ``span.to_json()`` format, or OTLP span objects).
"""

from __future__ import annotations

import base64
import binascii
import json
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DatasetError
from ._io import PartialFileWarning, iter_jsonl, load_json, read_text_file
from .step_kinds import kind_of_tool, pick_kind
from .workload import LLMCall, Workload

__all__ = ["load_otel", "workload_from_spans", "spans_from_otlp", "OtelSpan", "GENERATION_OPERATIONS"]

GENERATION_OPERATIONS = frozenset({"chat", "text_completion", "generate_content", "completion"})
_NOT_CALLS = frozenset({"embeddings", "create_agent", "invoke_agent", "execute_tool", "retrieval"})


@dataclass
class OtelSpan:
    """One span, convention-neutral: ids as hex, times as epoch seconds, attributes flat."""

    trace_id: str
    span_id: str
    parent_id: str | None
    name: str
    start: float
    end: float
    attributes: dict[str, Any]
    status: str = "UNSET"
    where: str = ""

    def get(self, *keys: str) -> Any:
        for k in keys:
            v = self.attributes.get(k)
            if v is not None and v != "":
                return v
        return None


# ---- reading the two file shapes -----------------------------------------------------------------
def _hex_id(value: Any, where: str) -> str | None:
    if value in (None, "", "0x0"):
        return None
    s = str(value).removeprefix("0x")
    try:
        int(s, 16)
        if len(s) in (16, 32):
            return s.lower()
    except ValueError:
        pass
    try:  # protobuf's JSON mapping writes bytes ids as base64
        raw = base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError):
        raise DatasetError(f"{where}: id {value!r} is neither hex nor base64") from None
    return raw.hex() if raw else None


def _any_value(v: Any) -> Any:
    """An OTLP AnyValue ({"stringValue": ...}) as a Python value."""
    if not isinstance(v, dict):
        return v
    for key in ("stringValue", "boolValue", "doubleValue"):
        if key in v:
            return v[key]
    if "intValue" in v:
        return int(v["intValue"])
    if "arrayValue" in v:
        return [_any_value(x) for x in (v["arrayValue"] or {}).get("values", [])]
    if "kvlistValue" in v:
        return {kv["key"]: _any_value(kv.get("value")) for kv in (v["kvlistValue"] or {}).get("values", [])}
    return None


def _attrs(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return dict(raw)
    if isinstance(raw, list):
        return {a["key"]: _any_value(a.get("value")) for a in raw if isinstance(a, dict) and "key" in a}
    return {}


def _ns(value: Any) -> float:
    return int(value) / 1e9 if value not in (None, "") else 0.0


def _iso(value: Any, where: str) -> float:
    if value in (None, ""):
        return 0.0
    text = str(value)
    if "." in text:  # the SDK writes nanosecond fractions; datetime takes microseconds
        head, frac = text.split(".", 1)
        digits = "".join(ch for ch in frac if ch.isdigit())
        text = f"{head}.{digits[:6]}{frac[len(digits):]}"
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise DatasetError(f"{where}: timestamp {value!r} is not ISO 8601") from None


def _otlp_span(s: Mapping[str, Any], where: str) -> OtelSpan:
    status = s.get("status") or {}
    code = status.get("code", "")
    code = {"STATUS_CODE_ERROR": "ERROR", "STATUS_CODE_OK": "OK", 2: "ERROR", 1: "OK"}.get(code, str(code or "UNSET"))
    trace_id = _hex_id(s.get("traceId") or s.get("trace_id"), where)
    span_id = _hex_id(s.get("spanId") or s.get("span_id"), where)
    if trace_id is None or span_id is None:
        raise DatasetError(f"{where}: span without traceId/spanId")
    return OtelSpan(trace_id, span_id, _hex_id(s.get("parentSpanId") or s.get("parent_span_id"), where),
                    str(s.get("name", "")), _ns(s.get("startTimeUnixNano")), _ns(s.get("endTimeUnixNano")),
                    _attrs(s.get("attributes")), code, where)


def _sdk_span(s: Mapping[str, Any], where: str) -> OtelSpan:
    ctx = s.get("context") or {}
    trace_id, span_id = _hex_id(ctx.get("trace_id"), where), _hex_id(ctx.get("span_id"), where)
    if trace_id is None or span_id is None:
        raise DatasetError(f"{where}: span without context.trace_id/span_id")
    return OtelSpan(trace_id, span_id, _hex_id(s.get("parent_id"), where), str(s.get("name", "")),
                    _iso(s.get("start_time"), where), _iso(s.get("end_time"), where), _attrs(s.get("attributes")),
                    str((s.get("status") or {}).get("status_code", "UNSET")), where)


def spans_from_otlp(doc: Mapping[str, Any], where: str = "otlp") -> Iterator[OtelSpan]:
    """The spans of one OTLP ``ExportTraceServiceRequest`` in its JSON form (``resourceSpans``)."""
    rs_list = doc.get("resourceSpans", doc.get("resource_spans"))
    if not isinstance(rs_list, list):
        raise DatasetError(f"{where}: not OTLP JSON (no resourceSpans list)")
    for i, rs in enumerate(rs_list):
        for j, ss in enumerate(rs.get("scopeSpans", rs.get("scope_spans")) or []):
            for k, s in enumerate(ss.get("spans") or []):
                yield _otlp_span(s, f"{where}: resourceSpans[{i}].scopeSpans[{j}].spans[{k}]")


def _spans_of_line(obj: dict[str, Any], where: str) -> Iterator[OtelSpan]:
    if "resourceSpans" in obj or "resource_spans" in obj:
        yield from spans_from_otlp(obj, where)
    elif isinstance(obj.get("context"), dict):
        yield _sdk_span(obj, where)
    elif "spanId" in obj or "span_id" in obj:
        yield _otlp_span(obj, where)
    else:
        raise DatasetError(f"{where}: not a span (expected OTLP resourceSpans, an SDK span with 'context', "
                           f"or an OTLP span with 'spanId'); keys: {sorted(obj)[:8]}")


def read_spans(path: Path, strict: bool = False) -> list[OtelSpan]:
    text = read_text_file(path)
    stripped = text.strip()
    if not stripped:
        raise DatasetError(f"{path}: empty span file")
    if stripped.startswith("{") and "\n{" not in stripped:  # one JSON document (maybe pretty-printed)
        doc = load_json(text, str(path))
        if not isinstance(doc, dict):
            raise DatasetError(f"{path}: expected a JSON object")
        return list(_spans_of_line(doc, str(path)))
    return [sp for lineno, obj in iter_jsonl(text, str(path), strict=strict)
            for sp in _spans_of_line(obj, f"{path}: line {lineno}")]


# ---- what a span is ----------------------------------------------------------------------------
def _role(sp: OtelSpan) -> str | None:
    """"llm", "tool", "agent", "other" (of a known convention) or None (neither convention)."""
    op = sp.get("gen_ai.operation.name")
    oi = str(sp.get("openinference.span.kind") or "").upper()
    if oi == "LLM" or op in GENERATION_OPERATIONS:
        return "llm"
    if oi == "TOOL" or op == "execute_tool":
        return "tool"
    if oi == "AGENT" or op in ("invoke_agent", "create_agent"):
        return "agent"
    if op is None and not oi and sp.get("gen_ai.request.model", "gen_ai.response.model") is not None \
            and any(k.startswith("gen_ai.usage.") for k in sp.attributes):
        return "llm"
    if op is not None or oi or any(k.startswith(("gen_ai.", "llm.")) for k in sp.attributes):
        return "other"
    return None


def _int(sp: OtelSpan, *keys: str) -> int | None:
    v = sp.get(*keys)
    if v is None:
        return None
    try:
        return int(v)
    except (TypeError, ValueError):
        raise DatasetError(f"{sp.where}: span {sp.name!r}: token count {v!r} is not a number") from None


def _usage(sp: OtelSpan) -> tuple[int, int, int, int] | None:
    inp = _int(sp, "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt")
    out = _int(sp, "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.token_count.completion")
    if inp is None and out is None:
        return None
    cached = _int(sp, "gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cached_tokens",
                  "llm.token_count.prompt_details.cache_read") or 0
    write = _int(sp, "gen_ai.usage.cache_creation.input_tokens",
                 "llm.token_count.prompt_details.cache_write") or 0
    inp = inp or 0
    if cached + write > inp:  # uncached input only (Anthropic-style): the cache counts come on top
        inp += cached + write
    return inp, out or 0, cached, write


def _provider(sp: OtelSpan) -> str:
    p = str(sp.get("gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system") or "").lower()
    return {"azure.ai.openai": "openai", "openai": "openai", "anthropic": "anthropic", "aws.bedrock": "bedrock",
            "gcp.gemini": "google", "gcp.vertex_ai": "google", "google": "google"}.get(p, p)


def _json_arg(v: Any) -> dict[str, Any]:
    if isinstance(v, dict):
        return v
    try:
        d = json.loads(v) if isinstance(v, str) else None
    except json.JSONDecodeError:
        return {}
    return d if isinstance(d, dict) else {}


def _answer_tools(sp: OtelSpan) -> list[tuple[str, dict[str, Any]]]:
    """Tool calls the answer asked for: OpenInference flattened output messages, GenAI output messages."""
    found: dict[str, dict[str, Any]] = {}
    for k, v in sp.attributes.items():
        if k.startswith("llm.output_messages.") and k.endswith(".tool_call.function.name"):
            prefix = k.removesuffix(".name")
            found[prefix] = {"name": str(v), "args": _json_arg(sp.attributes.get(prefix + ".arguments"))}
    tools = [(d["name"], d["args"]) for _, d in sorted(found.items())]
    msgs = sp.attributes.get("gen_ai.output.messages")
    if isinstance(msgs, str):
        try:
            msgs = json.loads(msgs)
        except json.JSONDecodeError:
            msgs = None
    for m in msgs if isinstance(msgs, list) else []:
        for part in (m.get("parts") or []) if isinstance(m, dict) else []:
            if isinstance(part, dict) and part.get("type") == "tool_call" and part.get("name"):
                tools.append((str(part["name"]), _json_arg(part.get("arguments"))))
    return tools


def _tool_of_span(sp: OtelSpan) -> tuple[str, dict[str, Any]]:
    name = sp.get("gen_ai.tool.name", "tool.name") or sp.name.removeprefix("execute_tool ").strip()
    args = sp.get("gen_ai.tool.call.arguments", "tool.parameters", "input.value")
    return str(name), _json_arg(args)


# ---- spans -> workload ----------------------------------------------------------------------------
def _warn(msg: str, strict: bool) -> None:
    if strict:
        raise DatasetError(msg)
    warnings.warn(msg, PartialFileWarning, stacklevel=4)


class _SpanTree:
    """The spans of a file with their roles, parents and the agents around them."""

    def __init__(self, spans: list[OtelSpan]) -> None:
        self.spans = spans
        self.by_id = {(s.trace_id, s.span_id): s for s in spans}
        self.roles = {id(s): _role(s) for s in spans}
        self.outer_agent: dict[str, str] = {}
        for s in sorted(spans, key=lambda x: x.start):
            if self.role(s) == "agent" and not any(self.role(a) == "agent" for a in self.ancestors(s)):
                self.outer_agent.setdefault(s.trace_id, s.span_id)

    def role(self, s: OtelSpan) -> str | None:
        return self.roles[id(s)]

    def ancestors(self, s: OtelSpan) -> Iterator[OtelSpan]:
        seen: set[str] = set()
        while s.parent_id and (s.trace_id, s.parent_id) in self.by_id and s.parent_id not in seen:
            seen.add(s.parent_id)
            s = self.by_id[(s.trace_id, s.parent_id)]
            yield s

    def orphans(self) -> list[OtelSpan]:
        return [s for s in self.spans if s.parent_id and (s.trace_id, s.parent_id) not in self.by_id]

    def calls(self) -> tuple[list[OtelSpan], int]:
        """The outermost LLM spans, and how many inner ones (a second instrumentor) were merged into them."""
        llm, merged = [], 0
        for s in self.spans:
            if self.role(s) != "llm":
                continue
            outer = next((a for a in self.ancestors(s) if self.role(a) == "llm"), None)
            if outer is None:
                llm.append(s)
                continue
            for k, v in s.attributes.items():  # what the outer instrumentor left out (cached tokens), the inner says
                outer.attributes.setdefault(k, v)
            merged += 1
        return sorted(llm, key=lambda x: (x.trace_id, x.start)), merged

    def tools_after(self) -> dict[int, list[tuple[str, dict[str, Any]]]]:
        """Per LLM span: the tool spans after it in the same parent, until the next LLM span there."""
        siblings: dict[tuple[str, str | None], list[OtelSpan]] = {}
        for s in self.spans:
            if self.role(s) in ("llm", "tool"):
                siblings.setdefault((s.trace_id, s.parent_id), []).append(s)
        followed: dict[int, list[tuple[str, dict[str, Any]]]] = {}
        for group in siblings.values():
            current: OtelSpan | None = None
            for s in sorted(group, key=lambda x: (x.start, self.role(x) != "llm")):
                if self.role(s) == "llm":
                    current = s
                elif current is not None:
                    followed.setdefault(id(current), []).append(_tool_of_span(s))
        return followed

    def agent_of(self, s: OtelSpan) -> str:
        span = next((a for a in self.ancestors(s) if self.role(a) == "agent"), None)
        if span is None or self.outer_agent.get(s.trace_id) == span.span_id:
            return "main"
        return "sub:" + str(span.get("gen_ai.agent.name", "agent.name") or span.name)


def _prefixed(provider: str, model: str) -> str:
    return f"{provider}:{model}" if provider and ":" not in model else model


def _call(s: OtelSpan, agent: str, tools: list[tuple[str, dict[str, Any]]]) -> dict[str, Any] | None:
    """The workload row of one LLM span (None: a failed span without usage)."""
    usage = _usage(s)
    if usage is None:
        if s.status == "ERROR":
            return None
        raise DatasetError(f"{s.where}: LLM span {s.name!r} ({s.span_id}) has no token usage "
                           "(gen_ai.usage.input_tokens/output_tokens or llm.token_count.*): "
                           "export with an instrumentor that records usage, or drop the span")
    inp, out, cached, write = usage
    model = str(s.get("gen_ai.response.model", "llm.response.model_name", "llm.model_name",
                      "gen_ai.request.model") or "unknown")
    want = str(s.get("gen_ai.request.model", "llm.request.model_name", "llm.model_name") or model)
    prov = _provider(s)
    cost = s.get("routerlab.cost_usd")
    call = LLMCall(
        task_id=s.trace_id, agent=agent, kind=pick_kind((kind_of_tool(n, a) for n, a in tools), "respond"),
        input_tokens=inp, output_tokens=out, cached_tokens=cached, cache_write_tokens=write,
        model=_prefixed(prov, model), start=s.start, duration_s=max(s.end - s.start, 0.0),
        cost_usd=float(cost) if cost is not None else float("nan"),
        tools=",".join(n for n, _ in tools), source=f"{s.where} span {s.span_id}",
    )
    return asdict(call) | {"requested_model": str(s.get("routerlab.requested_model") or _prefixed(prov, want))}


def workload_from_spans(spans: Iterable[OtelSpan], name: str = "otel", where: str = "spans",
                        strict: bool = False) -> Workload:
    """Calls of the LLM spans among ``spans`` (see the module doc for every rule)."""
    tree = _SpanTree(list(spans))
    if not any(r == "llm" for r in tree.roles.values()):
        seen = sorted({k.split(".", 1)[0] for s in tree.spans for k in s.attributes})[:10]
        raise DatasetError(
            f"{where}: no LLM span in {len(tree.spans)} spans: expected OpenTelemetry GenAI attributes "
            f"(gen_ai.operation.name=chat, gen_ai.usage.*) or OpenInference ones (openinference.span.kind=LLM, "
            f"llm.token_count.*); attribute namespaces found: {seen}")
    notes: list[str] = []
    orphans = tree.orphans()
    if orphans:
        o = orphans[0]
        _warn(f"{o.where}: span {o.name!r} has parent {o.parent_id} that is not in the file "
              f"({len(orphans)} such spans: a partial export?); their agent is taken from what is present", strict)
        notes.append(f"{len(orphans)} spans whose parent is not in the file")
    llm, merged = tree.calls()
    followed = tree.tools_after()
    rows = [_call(s, tree.agent_of(s), _answer_tools(s) + followed.get(id(s), [])) for s in llm]
    calls = [r for r in rows if r is not None]
    if merged:
        notes.append(f"{merged} LLM spans nested in another LLM span (a second instrumentor on the same call) "
                     "merged into it")
    failed = len(rows) - len(calls)
    if failed:
        warnings.warn(f"{where}: {failed} failed LLM spans (status ERROR) carry no usage; skipped",
                      PartialFileWarning, stacklevel=2)
        notes.append(f"{failed} failed LLM spans without usage skipped")
    if not calls:
        raise DatasetError(f"{where}: every LLM span failed without usage; nothing to replay")
    frame = pd.DataFrame(calls)
    priced = "recorded cost from routerlab.cost_usd" if frame["cost_usd"].notna().all() else \
        "no recorded cost: priced from the catalog"
    return Workload(frame, name=name, notes=[f"from {len(llm)} LLM spans in {where}", priced, *notes])


def load_otel(path: str | Path, strict: bool = False, name: str | None = None) -> Workload:
    """The LLM calls in an OpenTelemetry span file (OTLP JSON or JSON Lines of spans)."""
    p = Path(path)
    if p.is_dir():
        raise DatasetError(f"{p} is a folder: give the span file in it (OTLP JSON or JSON Lines, e.g. spans.jsonl)")
    if not p.is_file():
        raise DatasetError(f"span file {p} does not exist")
    return workload_from_spans(read_spans(p, strict=strict), name=name or p.stem, where=str(p), strict=strict)

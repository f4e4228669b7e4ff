"""A small real agent, instrumented the way users instrument theirs, whose spans go to a file.

``record_agent_spans(base_url, path)`` runs a coding agent against an OpenAI- and
Anthropic-compatible server (the local llama.cpp server in tests and notebooks): the main
agent asks the model, through the official ``openai`` SDK, which tool to use next (the tool and
file its reply names, else its plan's next step: SmolLM2 emits no native tool calls), runs that tool and feeds the result back as an assistant tool call plus a tool message; then a
reviewer sub-agent answers through the official ``anthropic`` SDK. The SDK calls are traced by
the real instrumentors from PyPI (OpenInference for OpenAI and Anthropic, OpenTelemetry's
GenAI ``openai-v2``); the agent and tool spans are the agent's own, written with both
conventions' attributes (``invoke_agent`` / ``execute_tool`` and ``AGENT`` / ``TOOL``). Spans
are exported by the OpenTelemetry SDK: ``ConsoleSpanExporter`` into JSON Lines, or the OTLP
encoder into OTLP JSON (what the Collector's file exporter writes). Nothing here is recorded
by hand: ``load_otel`` reads it back.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigurationError, MissingDependencyError

__all__ = ["record_agent_spans", "AgentRun", "INSTRUMENTORS", "DEFAULT_INSTRUMENTORS"]

#: name -> (module, class); OpenTelemetry GenAI has no Anthropic instrumentor on PyPI.
INSTRUMENTORS: dict[str, tuple[str, str]] = {
    "genai-openai": ("opentelemetry.instrumentation.openai_v2", "OpenAIInstrumentor"),
    "openinference-openai": ("openinference.instrumentation.openai", "OpenAIInstrumentor"),
    "openinference-anthropic": ("openinference.instrumentation.anthropic", "AnthropicInstrumentor"),
}
_FILES = {"app.py": "def add(a, b):\n    return a - b\n", "test_app.py": "from app import add\n\n"
          "def test_add():\n    assert add(2, 2) == 4\n", "README.md": "# app\nadds numbers\n"}
# Claude Code's tool names, so that step_kinds' documented rules classify them.
_TOOLS = ("Read", "Grep", "Edit", "Bash")


@dataclass
class AgentRun:
    """What the agent did, from the SDKs' own responses: the truth a loaded trace is checked against."""

    path: Path  # the first span file written
    calls: list[dict[str, Any]] = field(default_factory=list)  # agent, sdk, model, input/output/cached tokens, tool


_PLAN = (("Read", "app.py"), ("Grep", "test_app.py"), ("Edit", "app.py"), ("Bash", "test_app.py"))


def _next_step(reply: str, step: int) -> tuple[str, str]:
    """The tool and file the reply names; where it names none, the plan's next step (SmolLM2
    rarely names one: a real model would)."""
    tool, target = _PLAN[step % len(_PLAN)]
    words = reply.replace("`", " ").split()
    named = [t for t in _TOOLS if t in words]
    files = [f for f in _FILES if f in reply]
    return (named[0] if named else tool), (files[0] if files else target)


def _tool_args(tool: str, target: str) -> dict[str, Any]:
    if tool == "Bash":
        return {"command": "python -m pytest -q test_app.py"}
    if tool == "Grep":
        return {"pattern": "def ", "path": target}
    return {"file_path": target}


def _run_tool(tool: str, args: dict[str, Any], files: dict[str, str]) -> str:
    if tool == "Read":
        return files.get(args["file_path"], "no such file")
    if tool == "Grep":
        return "\n".join(ln for ln in files.get(args["path"], "").splitlines() if args["pattern"] in ln) or "no match"
    if tool == "Edit":
        files[args["file_path"]] = files.get(args["file_path"], "").replace("a - b", "a + b")
        return "edited"
    return "1 passed" if "a + b" in files["app.py"] else "1 failed: assert 0 == 4"


@contextmanager
def _instrumented(names: Sequence[str], provider: Any) -> Iterator[None]:
    import importlib

    done = []
    try:
        for name in names:
            if name not in INSTRUMENTORS:
                raise ConfigurationError(f"unknown instrumentor {name!r}: choose from {sorted(INSTRUMENTORS)}")
            module, cls = INSTRUMENTORS[name]
            try:
                inst = getattr(importlib.import_module(module), cls)()
            except ImportError as exc:
                raise MissingDependencyError(module.replace(".", "-"), "otel") from exc
            inst.instrument(tracer_provider=provider)
            done.append(inst)
        yield
    finally:
        for inst in reversed(done):
            inst.uninstrument()


def _exporter(path: Path, fh: Any) -> Any:
    """``*.jsonl``: the SDK's ConsoleSpanExporter, one span per line; ``*.json``: OTLP JSON."""
    from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SpanExporter, SpanExportResult

    if path.suffix == ".jsonl":
        return ConsoleSpanExporter(out=fh, formatter=lambda span: span.to_json(indent=None) + "\n")
    if path.suffix != ".json":
        raise ConfigurationError(f"span file {path}: name it *.jsonl (SDK spans) or *.json (OTLP JSON)")

    class OtlpJsonLines(SpanExporter):  # one ExportTraceServiceRequest per line, as the Collector writes
        def export(self, spans: Sequence[Any]) -> SpanExportResult:
            from google.protobuf.json_format import MessageToJson
            from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans

            fh.write(MessageToJson(encode_spans(spans), indent=None) + "\n")
            fh.flush()
            return SpanExportResult.SUCCESS

    return OtlpJsonLines()


#: OpenInference first, then GenAI: the one instrumented last wraps outermost, so the OpenAI calls'
#: outer spans follow GenAI, the inner ones OpenInference (load_otel keeps the outer one).
DEFAULT_INSTRUMENTORS = ("openinference-openai", "genai-openai", "openinference-anthropic")


def record_agent_spans(base_url: str, path: str | Path | Sequence[str | Path], *, model: str = "smollm2-135m",
                       steps: int = 3, instrumentors: Sequence[str] = DEFAULT_INSTRUMENTORS,
                       api_key: str = "local", max_tokens: int = 16) -> AgentRun:
    """Run the agent once against ``base_url`` (``http://host:port``: OpenAI at ``/v1``, Anthropic
    at the root) and write its spans to ``path`` (several paths: the same spans to each, ``*.jsonl``
    as SDK JSON Lines, ``*.json`` as OTLP JSON). Returns what the SDKs reported per call."""
    try:
        import anthropic
        import openai
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    except ImportError as exc:
        raise MissingDependencyError("opentelemetry-sdk", "otel") from exc
    outs = [Path(p) for p in ([path] if isinstance(path, (str, Path)) else path)]
    run = AgentRun(outs[0])
    files = dict(_FILES)
    with ExitStack() as files_open:
        provider = TracerProvider()
        for out in outs:
            out.parent.mkdir(parents=True, exist_ok=True)
            fh = files_open.enter_context(out.open("w", encoding="utf-8"))
            provider.add_span_processor(SimpleSpanProcessor(_exporter(out, fh)))
        tracer = provider.get_tracer("routerlab.otel_agent")
        oai = openai.OpenAI(base_url=base_url.rstrip("/") + "/v1", api_key=api_key, max_retries=0)
        ant = anthropic.Anthropic(base_url=base_url.rstrip("/"), api_key=api_key, max_retries=0)
        with _instrumented(instrumentors, provider), _agent_span(tracer, "coder"):
            messages: list[dict[str, Any]] = [
                {"role": "system", "content": "You fix app.py so test_app.py passes. Tools: " + ", ".join(_TOOLS)},
                {"role": "user", "content": "The test fails. Pick the next tool and file."}]
            for step in range(steps):
                r = oai.chat.completions.create(model=model, messages=messages, max_tokens=max_tokens,  # type: ignore[arg-type]
                                                temperature=0)
                tool, target = _next_step(r.choices[0].message.content or "", step)
                args = _tool_args(tool, target)
                with _tool_span(tracer, tool, args) as span:
                    result = _run_tool(tool, args, files)
                    span.set_attribute("gen_ai.tool.call.result", result)
                call_id = f"call_{step}"
                messages += [
                    {"role": "assistant", "content": None, "tool_calls": [{"id": call_id, "type": "function",
                     "function": {"name": tool, "arguments": json.dumps(args)}}]},
                    {"role": "tool", "tool_call_id": call_id, "content": result}]
                u = r.usage
                cached = (u.prompt_tokens_details.cached_tokens or 0) if u and u.prompt_tokens_details else 0
                run.calls.append({"agent": "main", "sdk": "openai", "model": r.model, "tool": tool, "args": args,
                                  "input_tokens": u.prompt_tokens if u else 0, "cached_tokens": cached,
                                  "output_tokens": u.completion_tokens if u else 0})
            with _agent_span(tracer, "reviewer"):
                m = ant.messages.create(model=model, max_tokens=max_tokens, messages=[
                    {"role": "user", "content": "Review this change in one sentence:\n" + files["app.py"]}])
                cr = m.usage.cache_read_input_tokens or 0
                cw = m.usage.cache_creation_input_tokens or 0
                run.calls.append({"agent": "sub:reviewer", "sdk": "anthropic", "model": m.model, "tool": None,
                                  "args": {}, "input_tokens": m.usage.input_tokens + cr + cw, "cached_tokens": cr,
                                  "output_tokens": m.usage.output_tokens})
        provider.shutdown()
    return run


@contextmanager
def _agent_span(tracer: Any, name: str) -> Iterator[Any]:
    attrs = {"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": name,
             "openinference.span.kind": "AGENT", "agent.name": name}
    with tracer.start_as_current_span(f"invoke_agent {name}", attributes=attrs) as span:
        yield span


@contextmanager
def _tool_span(tracer: Any, tool: str, args: dict[str, Any]) -> Iterator[Any]:
    attrs = {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": tool,
             "gen_ai.tool.call.arguments": json.dumps(args), "openinference.span.kind": "TOOL",
             "tool.name": tool, "tool.parameters": json.dumps(args)}
    with tracer.start_as_current_span(f"execute_tool {tool}", attributes=attrs) as span:
        yield span

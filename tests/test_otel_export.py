"""routerlab's calls as GenAI spans, over the wire: the OpenTelemetry SDK's OTLP/HTTP exporter
sends to a receiver on 127.0.0.1 that decodes the protobuf with opentelemetry-proto; the spans
read back into a Workload with the same calls, tokens and models, and no key anywhere."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from routerlab.client import Client, RetryPolicy
from routerlab.tiers import TierMap, TierSpec
from routerlab.types import Alternative, Decision, Request
from routerlab.workloads import PartialFileWarning, Workload
from routerlab.workloads.otel import spans_from_otlp, workload_from_spans

pytest.importorskip("opentelemetry.exporter.otlp.proto.http")
pytestmark = pytest.mark.local

FAKE_KEY = "sk-proj-FAKEKEYfortests0123456789abcdef"


class Receiver(ThreadingHTTPServer):
    """A minimal OTLP/HTTP trace receiver: POST /v1/traces, protobuf body."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.raw: list[bytes] = []
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802
        from google.protobuf.json_format import MessageToDict
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
            ExportTraceServiceRequest,
            ExportTraceServiceResponse,
        )

        body = self.rfile.read(int(self.headers["Content-Length"]))
        assert self.path == "/v1/traces" and self.headers["Content-Type"] == "application/x-protobuf"
        req = ExportTraceServiceRequest()
        req.ParseFromString(body)
        self.server.raw.append(body)  # type: ignore[attr-defined]
        self.server.requests.append(MessageToDict(req))  # type: ignore[attr-defined]
        out = ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def receiver():
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _dead_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/v1"


def test_client_spans_round_trip_over_otlp_http(local_server, receiver, monkeypatch):
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    from routerlab.providers.openai import OpenAIProvider

    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    monkeypatch.setenv("ANTHROPIC_API_KEY", FAKE_KEY)
    exporter = OTLPSpanExporter(endpoint=f"http://127.0.0.1:{receiver.server_port}/v1/traces", timeout=10)
    # the tier's first model is unreachable (with a key the spans must never show), the local model serves
    tiers = TierMap([TierSpec("classifier", ("openai:gpt-4.1-nano", "local:smollm2-135m"))])
    providers = {"openai": OpenAIProvider(api_key=FAKE_KEY, base_url=_dead_url(), timeout_s=5),
                 "local": OpenAIProvider(base_url=local_server.openai_base_url, name="local")}
    client = Client(tiers=tiers, providers=providers, budget_usd=1.0, span_exporter=exporter,
                    retry=RetryPolicy(max_attempts=2, backoff_s=0.01, max_backoff_s=0.01))
    decision = Decision(model="openai:gpt-4.1-nano", tier="classifier", score=0.31, threshold=0.5, router="threshold",
                        reason="score below threshold: weak model",
                        alternatives=(Alternative("openai:gpt-4.1", "coder", predicted_cost=0.0021),))
    for i, text in enumerate(["Which workflow fits: refund?", "Say hi."]):
        client.complete(Request.user(text, max_output_tokens=6, id=f"q{i}", kind="classify"), tier="classifier",
                        decision=decision, task_id="t1")
    exporter.shutdown()

    spans = [s for doc in receiver.requests for s in spans_from_otlp(doc, "receiver")]
    assert len(receiver.requests) == 2  # one export per subtask, as each ended
    for raw in receiver.raw:
        assert FAKE_KEY.encode() not in raw
    assert all(FAKE_KEY not in str(v) for s in spans for v in s.attributes.values())
    attempts = [s for s in spans if s.attributes.get("gen_ai.operation.name") == "chat"]
    subtasks = [s for s in spans if s.attributes.get("routerlab.span.kind") == "subtask"]
    assert len(subtasks) == 2 and len(attempts) == len(client.trace.calls()) == 6  # 2 errors + 1 ok, twice
    for st in subtasks:
        assert st.attributes["routerlab.fallback.chain"] == ["openai:gpt-4.1-nano", "local:smollm2-135m"]
        assert st.attributes["routerlab.model"] == "local:smollm2-135m"
    ok = [s for s in attempts if s.attributes["routerlab.status"] == "ok"]
    for s in ok:
        a = s.attributes
        assert a["gen_ai.request.model"] == "gpt-4.1-nano" and a["gen_ai.response.model"] == "smollm2-135m"
        assert a["routerlab.fallback.from"] == "openai:gpt-4.1-nano"
        assert a["routerlab.decision.score"] == 0.31 and a["routerlab.decision.threshold"] == 0.5
        assert a["routerlab.decision.alternatives.model"] == ["openai:gpt-4.1"]
        assert a["routerlab.decision.alternatives.predicted_cost_usd"] == [0.0021]
        assert a["routerlab.budget.reserved_usd"] >= a["routerlab.budget.settled_usd"] == 0.0
    failed = [s for s in attempts if s.status == "ERROR"]
    assert len(failed) == 4 and all(s.attributes["routerlab.budget.reserved_usd"] > 0 for s in failed)
    assert all("gen_ai.usage.input_tokens" not in s.attributes for s in failed)

    with pytest.warns(PartialFileWarning, match="4 failed LLM spans"):
        back = workload_from_spans(spans, name="otlp", where="receiver")
    mine = Workload.from_trace_frame(client.trace.to_frame())
    cols = ["input_tokens", "output_tokens", "cached_tokens", "model"]
    assert back.frame[cols].to_dict("records") == mine.frame[cols].to_dict("records")
    assert list(back.frame["requested_model"]) == ["openai:gpt-4.1-nano"] * 2
    assert back.frame["start"].tolist() == pytest.approx(mine.frame["start"].tolist(), abs=1e-6)

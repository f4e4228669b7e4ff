"""A loopback server that speaks the OpenAI, Anthropic and Ollama chat protocols and injects faults.

Each request gets a *mode*: ``ok``, ``429`` (with Retry-After), ``500``, ``503``, ``hang`` (sleeps
past the client's timeout), ``malformed`` (a stream event that is not JSON), ``drop`` (the
connection is cut mid-stream) or ``empty`` (a well-formed completion with no text).
``cut_reused_after_stream=True`` plays llama.cpp's server: a request sent on a kept-alive
connection that already carried a streamed answer is cut before any response (llama.cpp closes
that connection without a ``Connection: close``; a client that reuses it in that instant fails).

The mode comes from, in order: the model name (``fault-<mode>`` always fails that way;
``flaky-<mode>-<k>`` fails the first k requests for that model), then the random policy
(``fault_rate``, seeded). Every request body and header set is kept in ``requests`` so tests
can check what an SDK actually sent (the capture-server role).
"""

from __future__ import annotations

import json
import random
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["FaultServer", "MODES", "FAULT_MODES"]

FAULT_MODES = ("429", "500", "503", "hang", "malformed", "drop", "empty")
MODES = ("ok", *FAULT_MODES)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    srv: FaultServer

    def log_message(self, format: str, *args: Any) -> None:
        return

    # ---- plumbing ----------------------------------------------------------------------------
    def _send_json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _start_stream(self, content_type: str) -> None:
        self.streamed = True  # this connection carried a streamed answer
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _end_stream(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _drop(self) -> None:
        """Cut the connection mid-chunk, as a crashed proxy would."""
        self.wfile.write(b"40\r\n{\"partial")
        self.wfile.flush()
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.connection.close()
        self.close_connection = True

    # ---- dispatch ------------------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/api/tags":
            self._send_json(200, {"models": []})
        else:
            self._send_json(404, {"error": "not found"})

    def do_POST(self) -> None:  # noqa: N802
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.srv.cut_reused_after_stream and getattr(self, "streamed", False):
            self.srv.cut_reused += 1
            self.connection.close()
            self.close_connection = True
            return
        body = json.loads(raw or b"{}")
        mode = self.srv.mode_for(body.get("model", ""))
        self.srv.record(self.path, {k.lower(): v for k, v in self.headers.items()}, body, mode)
        proto = {"/v1/chat/completions": "openai", "/v1/messages": "anthropic", "/api/chat": "ollama"}.get(self.path)
        if proto is None:
            self._send_json(404, {"error": f"unknown path {self.path}"})
            return
        if mode == "hang":
            time.sleep(self.srv.hang_s)
            try:
                self._send_json(504, {"error": {"message": "hung"}})
            except OSError:
                pass
            return
        if mode in ("429", "500", "503"):
            self._error(proto, int(mode))
            return
        getattr(self, f"_{proto}")(body, mode)

    def _error(self, proto: str, status: int) -> None:
        headers = {"Retry-After": f"{self.srv.retry_after_s}"} if status == 429 else {}
        message = {429: "rate limited", 500: "internal error", 503: "overloaded"}[status]
        if proto == "anthropic":
            kind = {429: "rate_limit_error", 500: "api_error", 503: "overloaded_error"}[status]
            obj: Any = {"type": "error", "error": {"type": kind, "message": message}}
        elif proto == "openai":
            obj = {"error": {"message": message, "type": "server_error", "code": status}}
        else:
            obj = {"error": message}
        self._send_json(status, obj, headers)

    def _answer(self, body: dict[str, Any], mode: str) -> tuple[list[str], int, int]:
        msgs = body.get("messages") or []
        text = json.dumps(msgs) + str(body.get("system", ""))
        prompt_tokens = max(1, len(text) // 8)  # deliberately at or under the client's chars/4 estimate
        if mode == "empty":
            return [], prompt_tokens, 0
        pieces = ["ok", " from", " the", " fault", " server"]
        return pieces, prompt_tokens, len(pieces)

    def _openai(self, body: dict[str, Any], mode: str) -> None:
        pieces, pt, ct = self._answer(body, mode)
        model = body.get("model", "")
        if not body.get("stream"):
            msg = {"role": "assistant", "content": "".join(pieces)}
            self._send_json(200, {"id": "c1", "object": "chat.completion", "created": 0, "model": model,
                                  "choices": [{"index": 0, "message": msg, "finish_reason": "stop"}],
                                  "usage": {"prompt_tokens": pt, "completion_tokens": ct, "total_tokens": pt + ct}})
            return
        self._start_stream("text/event-stream")

        def ev(obj: Any) -> None:
            self._chunk(b"data: " + json.dumps(obj).encode() + b"\n\n")

        base = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": model}
        ev(base | {"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]})
        for i, p in enumerate(pieces):
            if mode == "drop" and i == 2:
                self._drop()
                return
            if mode == "malformed" and i == 1:
                self._chunk(b"data: {\"choices\": [ this is not json\n\n")
                continue
            ev(base | {"choices": [{"index": 0, "delta": {"content": p}, "finish_reason": None}]})
        ev(base | {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        ev(base | {"choices": [], "usage": {"prompt_tokens": pt, "completion_tokens": ct, "total_tokens": pt + ct}})
        self._chunk(b"data: [DONE]\n\n")
        self._end_stream()

    def _anthropic(self, body: dict[str, Any], mode: str) -> None:
        pieces, pt, ct = self._answer(body, mode)
        self._start_stream("text/event-stream")

        def ev(kind: str, obj: Any) -> None:
            self._chunk(f"event: {kind}\ndata: ".encode() + json.dumps({"type": kind, **obj}).encode() + b"\n\n")

        ev("message_start", {"message": {
            "id": "msg_1", "type": "message", "role": "assistant", "content": [], "model": body.get("model", ""),
            "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": pt, "output_tokens": 1}}})
        ev("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}})
        for i, p in enumerate(pieces):
            if mode == "drop" and i == 2:
                self._drop()
                return
            if mode == "malformed" and i == 1:
                self._chunk(b"event: content_block_delta\ndata: {\"type\": \"content_block_delta\", oops\n\n")
                continue
            ev("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": p}})
        ev("content_block_stop", {"index": 0})
        ev("message_delta", {"delta": {"stop_reason": "end_turn", "stop_sequence": None}, "usage": {"output_tokens": ct}})
        ev("message_stop", {})
        self._end_stream()

    def _ollama(self, body: dict[str, Any], mode: str) -> None:
        pieces, pt, ct = self._answer(body, mode)
        model = body.get("model", "")
        self._start_stream("application/x-ndjson")
        for i, p in enumerate(pieces):
            if mode == "drop" and i == 2:
                self._drop()
                return
            if mode == "malformed" and i == 1:
                self._chunk(b"{\"message\": not json\n")
                continue
            line = {"model": model, "created_at": "2026-01-01T00:00:00Z",
                    "message": {"role": "assistant", "content": p}, "done": False}
            self._chunk(json.dumps(line).encode() + b"\n")
        final = {"model": model, "created_at": "2026-01-01T00:00:00Z", "message": {"role": "assistant", "content": ""},
                 "done": True, "done_reason": "stop", "prompt_eval_count": pt, "eval_count": ct}
        self._chunk(json.dumps(final).encode() + b"\n")
        self._end_stream()


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a burst of concurrent clients must queue, not be refused

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # dropped and timed-out connections are the point here


class FaultServer:
    """``with FaultServer(fault_rate=0.3, seed=1) as fs:`` then point an SDK at ``fs.url``."""

    def __init__(self, *, fault_rate: float = 0.0, seed: int = 0, modes: tuple[str, ...] = FAULT_MODES,
                 hang_s: float = 1.0, retry_after_s: float = 0.05, cut_reused_after_stream: bool = False) -> None:
        self.fault_rate = fault_rate
        self.cut_reused_after_stream = cut_reused_after_stream
        self.cut_reused = 0  # requests cut that way
        self.modes = modes
        self.hang_s = hang_s
        self.retry_after_s = retry_after_s
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._seen: Counter[str] = Counter()
        self.requests: list[dict[str, Any]] = []
        self.modes_served: Counter[str] = Counter()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "FaultServer is not running"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def mode_for(self, model: str) -> str:
        with self._lock:
            self._seen[model] += 1
            n = self._seen[model]
            if model.startswith("fault-"):
                return model.removeprefix("fault-")
            if model.startswith("flaky-"):
                _, mode, k = model.split("-", 2)
                return mode if n <= int(k) else "ok"
            if self.fault_rate and self._rng.random() < self.fault_rate:
                return self._rng.choice(self.modes)
            return "ok"

    def record(self, path: str, headers: dict[str, str], body: dict[str, Any], mode: str) -> None:
        with self._lock:
            self.requests.append({"path": path, "headers": headers, "body": body, "mode": mode})
            self.modes_served[mode] += 1

    def start(self) -> FaultServer:
        handler = type("FaultHandler", (_Handler,), {"srv": self})
        self._server = _QuietServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True, name="fault-server").start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

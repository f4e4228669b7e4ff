"""A loopback server that misbehaves on purpose, for the adversarial tests (tests/adversarial/).

It speaks the OpenAI, Anthropic and Ollama chat protocols like ``faultserver.FaultServer`` (and
serves that server's modes too); the model name picks one hostile behaviour:

- ``echo-<status>-<part>``: an error with that status whose body echoes the credential the
  client sent (``part``: ``full``, ``head`` = all but the last 4 chars, ``tail`` = last 8,
  ``first`` = first 21), also in an ``x-echo`` response header;
- ``trickle-comments`` / ``trickle-headers`` / ``trickle-deltas``: an SSE comment every
  ``trickle_s``, a header line every ``2 * trickle_s``, a content delta every ``2 * trickle_s``,
  for ``trickle_for_s`` (then the connection closes, so a test never leaves a thread behind);
- ``midstream``: HTTP 200, a delta, then the protocol's error event (Anthropic
  ``overloaded_error``, an OpenAI error chunk, an Ollama ``{"error": ...}`` line);
- ``html``: HTTP 200 with a ``text/html`` page; ``whole``: HTTP 200 with a non-streamed JSON answer;
- ``huge-<bytes>``: a streamed answer of that many bytes;
- ``lie-input-<n>`` / ``lie-output-<n>``: a normal answer whose usage claims n input / output tokens.
"""

from __future__ import annotations

import json
import time
from typing import Any

from faultserver import FaultServer, _Handler, _QuietServer

__all__ = ["HostileServer"]


def _credential(headers: dict[str, str]) -> str:
    auth = headers.get("authorization", "")
    return headers.get("x-api-key") or auth.removeprefix("Bearer ").strip()


class _Hostile(_Handler):
    def do_POST(self) -> None:  # noqa: N802
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.loads(raw or b"{}")
        model = str(body.get("model", ""))
        proto = {"/v1/chat/completions": "openai", "/v1/messages": "anthropic", "/api/chat": "ollama"}.get(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        kind = model.split("-", 1)[0]
        if proto is None or kind not in ("echo", "trickle", "midstream", "html", "whole", "huge", "lie"):
            self.rfile = _Replay(raw, self.rfile)  # let the fault server's handler read the body again
            super().do_POST()
            return
        self.srv.record(self.path, headers, body, model)
        try:
            getattr(self, f"_h_{kind}")(proto, model, body, _credential(headers))
        except OSError:  # the client hung up: that is how a deadline ends a trickle
            self.close_connection = True

    # ---- behaviours ------------------------------------------------------------------------------
    def _h_echo(self, proto: str, model: str, body: Any, key: str) -> None:
        _, status, part = model.split("-", 2)
        leak = {"full": key, "head": key[:-4], "tail": key[-8:], "first": key[:21]}[part]
        message = f"invalid credential: you sent {leak}"
        if proto == "anthropic":
            obj: Any = {"type": "error", "error": {"type": "authentication_error", "message": message}}
        elif proto == "openai":
            obj = {"error": {"message": message, "type": "invalid_request_error", "code": None}}
        else:
            obj = {"error": message}
        self._send_json(int(status), obj, {"x-echo": leak, "retry-after": "0"})

    def _h_trickle(self, proto: str, model: str, body: Any, key: str) -> None:
        step = self.srv.trickle_s  # type: ignore[attr-defined]
        stop = time.monotonic() + self.srv.trickle_for_s  # type: ignore[attr-defined]
        how = model.split("-", 1)[1]
        if how == "headers":
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            while time.monotonic() < stop:
                self.wfile.write(b"x-trickle: 1\r\n")
                self.wfile.flush()
                time.sleep(2 * step)
        ctype = "application/x-ndjson" if proto == "ollama" else "text/event-stream"
        self._start_stream(ctype)
        while time.monotonic() < stop:
            if how == "comments" and proto != "ollama":
                self._chunk(b": keep-alive\n\n")
                time.sleep(step)
                continue
            self._delta(proto, body, "x")
            time.sleep(2 * step if how == "deltas" else step)

    def _h_midstream(self, proto: str, model: str, body: Any, key: str) -> None:
        ctype = "application/x-ndjson" if proto == "ollama" else "text/event-stream"
        self._start_stream(ctype)
        self._delta(proto, body, "partial ")
        if proto == "anthropic":
            err = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
            self._chunk(b"event: error\ndata: " + json.dumps(err).encode() + b"\n\n")
        elif proto == "openai":
            err = {"error": {"message": "The server had an error while processing your request", "type": "server_error"}}
            self._chunk(b"data: " + json.dumps(err).encode() + b"\n\n")
        else:
            self._chunk(json.dumps({"error": "model runner has unexpectedly stopped"}).encode() + b"\n")
        self._end_stream()

    def _h_html(self, proto: str, model: str, body: Any, key: str) -> None:
        page = b"<!doctype html><html><body><h1>Please sign in to the Wi-Fi</h1></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def _h_whole(self, proto: str, model: str, body: Any, key: str) -> None:
        if proto == "anthropic":
            obj: Any = {"id": "m", "type": "message", "role": "assistant", "model": model, "stop_reason": "end_turn",
                        "content": [{"type": "text", "text": "whole"}], "usage": {"input_tokens": 3, "output_tokens": 1}}
        elif proto == "openai":
            obj = {"id": "c", "object": "chat.completion", "created": 0, "model": model,
                   "choices": [{"index": 0, "message": {"role": "assistant", "content": "whole"}, "finish_reason": "stop"}],
                   "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}}
        else:
            obj = {"model": model, "created_at": "2026-01-01T00:00:00Z", "done": True,
                   "message": {"role": "assistant", "content": "whole"}, "prompt_eval_count": 3, "eval_count": 1}
        self._send_json(200, obj)

    def _h_huge(self, proto: str, model: str, body: Any, key: str) -> None:
        total = int(model.split("-", 1)[1])
        ctype = "application/x-ndjson" if proto == "ollama" else "text/event-stream"
        self._start_stream(ctype)
        piece = "y" * 65536
        sent = 0
        while sent < total:
            self._delta(proto, body, piece)
            sent += len(piece)
        self._finish(proto, body, 3, 2)

    def _h_lie(self, proto: str, model: str, body: Any, key: str) -> None:
        _, what, n = model.split("-", 2)
        ctype = "application/x-ndjson" if proto == "ollama" else "text/event-stream"
        self._start_stream(ctype)
        self._delta(proto, body, "fine")
        self._finish(proto, body, int(n) if what == "input" else 3, int(n) if what == "output" else 1)

    # ---- protocol pieces -------------------------------------------------------------------------
    def _delta(self, proto: str, body: Any, text: str) -> None:
        model = body.get("model", "")
        if proto == "anthropic":
            if not getattr(self, "_started", False):
                self._started = True
                start = {"type": "message_start", "message": {
                    "id": "m", "type": "message", "role": "assistant", "content": [], "model": model,
                    "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 3, "output_tokens": 1}}}
                self._chunk(b"event: message_start\ndata: " + json.dumps(start).encode() + b"\n\n")
                block = {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}
                self._chunk(b"event: content_block_start\ndata: " + json.dumps(block).encode() + b"\n\n")
            ev = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}}
            self._chunk(b"event: content_block_delta\ndata: " + json.dumps(ev).encode() + b"\n\n")
        elif proto == "openai":
            ev = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": model,
                  "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]}
            self._chunk(b"data: " + json.dumps(ev).encode() + b"\n\n")
        else:
            line = {"model": model, "created_at": "2026-01-01T00:00:00Z",
                    "message": {"role": "assistant", "content": text}, "done": False}
            self._chunk(json.dumps(line).encode() + b"\n")

    def _finish(self, proto: str, body: Any, prompt: int, output: int) -> None:
        model = body.get("model", "")
        if proto == "anthropic":
            for kind, obj in (("content_block_stop", {"index": 0}),
                              ("message_delta", {"delta": {"stop_reason": "end_turn", "stop_sequence": None},
                                                 "usage": {"input_tokens": prompt, "output_tokens": output}}),
                              ("message_stop", {})):
                self._chunk(f"event: {kind}\ndata: ".encode() + json.dumps({"type": kind, **obj}).encode() + b"\n\n")
        elif proto == "openai":
            base = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": model}
            for obj in (base | {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
                        base | {"choices": [], "usage": {"prompt_tokens": prompt, "completion_tokens": output,
                                                         "total_tokens": prompt + output}}):
                self._chunk(b"data: " + json.dumps(obj).encode() + b"\n\n")
            self._chunk(b"data: [DONE]\n\n")
        else:
            final = {"model": model, "created_at": "2026-01-01T00:00:00Z", "done": True, "done_reason": "stop",
                     "message": {"role": "assistant", "content": ""}, "prompt_eval_count": prompt, "eval_count": output}
            self._chunk(json.dumps(final).encode() + b"\n")
        self._end_stream()


class _Replay:
    """A file whose first read hands back bytes already consumed, then the socket's."""

    def __init__(self, first: bytes, rest: Any) -> None:
        self._first, self._rest = first, rest

    def read(self, n: int = -1) -> bytes:
        data, self._first = self._first, b""
        return data if data else self._rest.read(n)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._rest, name)


class HostileServer(FaultServer):
    """``with HostileServer() as hs:`` then point a provider at ``hs.url`` with a hostile model name."""

    def __init__(self, *, trickle_s: float = 0.1, trickle_for_s: float = 20.0, **kw: Any) -> None:
        super().__init__(**kw)
        self.trickle_s = trickle_s
        self.trickle_for_s = trickle_for_s

    def record(self, path: str, headers: dict[str, str], body: dict[str, Any], mode: str) -> None:
        super().record(path, headers, body, mode)
        with self._lock:
            self.requests[-1]["t"] = time.time()  # when it arrived (the kill -9 test compares)

    def start(self) -> HostileServer:
        import threading

        handler = type("HostileHandler", (_Hostile,), {"srv": self})
        self._server = _QuietServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True, name="hostile-server").start()
        return self

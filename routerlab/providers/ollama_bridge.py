"""A loopback server that speaks the Ollama REST API and forwards to an OpenAI-compatible server.

No Ollama can be installed on CI, so the ``ollama`` SDK is exercised against this bridge in
front of the local llama.cpp server. Users offline can do the same::

    with LocalServer() as llama, OllamaBridge(llama.openai_base_url) as bridge:
        OllamaProvider(host=bridge.host).complete(Request.user("hi"), "smollm2-135m")

Implements ``/api/chat``, ``/api/generate`` (streaming NDJSON with ``prompt_eval_count`` and
``eval_count`` on the final line, or one JSON object with ``"stream": false``), ``/api/tags``
and ``/api/version``.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ..errors import ServerNotRunningError

__all__ = ["OllamaBridge", "to_openai_request"]


def _now() -> str:
    return datetime.now(UTC).isoformat()


_MAGIC = {"/9j/": "image/jpeg", "iVBOR": "image/png", "R0lG": "image/gif", "UklGR": "image/webp"}


def _media_type(b64: str) -> str:
    """Ollama sends bare base64; the first bytes say what the image is."""
    return next((t for prefix, t in _MAGIC.items() if b64.startswith(prefix)), "image/png")


def to_openai_request(body: dict[str, Any], *, generate: bool) -> dict[str, Any]:
    """An Ollama chat/generate body as an OpenAI chat-completions body."""
    messages: list[dict[str, Any]] = []
    if generate:
        if body.get("system"):
            messages.append({"role": "system", "content": body["system"]})
        src = [{"role": "user", "content": body.get("prompt", ""), "images": body.get("images")}]
    else:
        src = list(body.get("messages") or [])
    for m in src:
        images = m.get("images") or []
        if images:
            parts: list[dict[str, Any]] = [{"type": "text", "text": m.get("content", "")}]
            parts += [{"type": "image_url", "image_url": {"url": f"data:{_media_type(b)};base64,{b}"}} for b in images]
            messages.append({"role": m["role"], "content": parts})
        else:
            messages.append({"role": m["role"], "content": m.get("content", "")})
    options = body.get("options") or {}
    out: dict[str, Any] = {"model": body.get("model", ""), "messages": messages}
    if options.get("num_predict") is not None and int(options["num_predict"]) > 0:
        out["max_tokens"] = int(options["num_predict"])
    for key in ("temperature", "top_p", "seed", "stop"):
        if options.get(key) is not None:
            out[key] = options[key]
    fmt = body.get("format")
    if fmt == "json":
        out["response_format"] = {"type": "json_object"}
    elif isinstance(fmt, dict):
        out["response_format"] = {"type": "json_schema", "json_schema": {"name": "response", "schema": fmt}}
    return out


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    bridge: OllamaBridge  # set on the subclass each bridge makes

    def log_message(self, format: str, *args: Any) -> None:  # keep test and notebook output clean
        return

    def _json(self, status: int, obj: Any) -> None:
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path == "/api/tags":
            models = [
                {"name": m, "model": m, "modified_at": _now(), "size": 0, "digest": "", "details": {"format": "gguf"}}
                for m in self.bridge.models()
            ]
            self._json(200, {"models": models})
        elif self.path == "/api/version":
            self._json(200, {"version": "0.0.0-routerlab-bridge"})
        elif self.path in ("/", ""):
            self._json(200, {"status": "Ollama is running"})
        else:
            self._json(404, {"error": f"unknown path {self.path}"})

    def do_POST(self) -> None:  # noqa: N802
        if self.path not in ("/api/chat", "/api/generate"):
            self._json(404, {"error": f"unknown path {self.path}"})
            return
        try:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        except json.JSONDecodeError:
            self._json(400, {"error": "request body is not JSON"})
            return
        generate = self.path == "/api/generate"
        payload = to_openai_request(body, generate=generate)
        import httpx

        try:
            if body.get("stream", True):
                self._stream(body, payload, generate)
            else:
                self._single(body, payload, generate)
        except httpx.HTTPError as exc:
            # before any bytes went out this is a clean 502; mid-stream the client sees a cut stream
            try:
                self._json(502, {"error": f"upstream {self.bridge.upstream} failed: {type(exc).__name__}"})
            except OSError:
                pass

    def _piece(self, model: str, text: str, generate: bool) -> dict[str, Any]:
        if generate:
            return {"model": model, "created_at": _now(), "response": text, "done": False}
        return {"model": model, "created_at": _now(), "message": {"role": "assistant", "content": text}, "done": False}

    def _final(self, model: str, generate: bool, reason: str, usage: dict[str, Any], t0: float) -> dict[str, Any]:
        out = self._piece(model, "", generate)
        out.update(
            done=True,
            done_reason="length" if reason == "length" else "stop",
            total_duration=int((time.perf_counter() - t0) * 1e9),
            prompt_eval_count=int(usage.get("prompt_tokens", 0)),
            eval_count=int(usage.get("completion_tokens", 0)),
        )
        return out

    def _single(self, body: dict[str, Any], payload: dict[str, Any], generate: bool) -> None:
        import httpx

        t0 = time.perf_counter()
        r = httpx.post(self.bridge.upstream + "/chat/completions", json=payload, timeout=self.bridge.timeout_s)
        if r.status_code != 200:
            self._json(r.status_code, {"error": r.text})
            return
        data = r.json()
        choice = data["choices"][0]
        out = self._final(body.get("model", ""), generate, choice.get("finish_reason") or "stop", data.get("usage", {}), t0)
        text = choice["message"].get("content") or ""
        if generate:
            out["response"] = text
        else:
            out["message"]["content"] = text
        self._json(200, out)

    def _stream(self, body: dict[str, Any], payload: dict[str, Any], generate: bool) -> None:
        import httpx

        t0 = time.perf_counter()
        model = body.get("model", "")
        payload = payload | {"stream": True, "stream_options": {"include_usage": True}}
        with httpx.stream(
            "POST", self.bridge.upstream + "/chat/completions", json=payload, timeout=self.bridge.timeout_s
        ) as r:
            if r.status_code != 200:
                r.read()
                self._json(r.status_code, {"error": r.text})
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ndjson")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            reason, usage = "stop", {}
            for line in r.iter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                chunk = json.loads(data)
                if chunk.get("usage"):
                    usage = chunk["usage"]
                for choice in chunk.get("choices") or ():
                    piece = (choice.get("delta") or {}).get("content")
                    if piece:
                        self._write_chunk(self._piece(model, piece, generate))
                    if choice.get("finish_reason"):
                        reason = choice["finish_reason"]
            self._write_chunk(self._final(model, generate, reason, usage, t0))
            self.wfile.write(b"0\r\n\r\n")

    def _write_chunk(self, obj: dict[str, Any]) -> None:
        data = json.dumps(obj).encode() + b"\n"
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()


class OllamaBridge:
    """Serve the Ollama REST API on 127.0.0.1 (free port) in a thread, forwarding to ``upstream``.

    ``upstream`` is an OpenAI-compatible base URL ending in ``/v1`` (e.g. ``LocalServer().openai_base_url``).
    """

    def __init__(self, upstream: str, *, timeout_s: float = 120.0) -> None:
        self.upstream = upstream.rstrip("/")
        self.timeout_s = timeout_s
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"OllamaBridge(upstream={self.upstream!r}, host={self.host if self._server else 'stopped'!r})"

    @property
    def host(self) -> str:
        if self._server is None:
            raise ServerNotRunningError("OllamaBridge is not running: use `with OllamaBridge(...) as bridge:`")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def models(self) -> list[str]:
        import httpx

        try:
            data = httpx.get(self.upstream + "/models", timeout=5.0).json()
            return [m["id"] for m in data.get("data", [])]
        except (httpx.HTTPError, ValueError, KeyError):
            return []

    def start(self) -> OllamaBridge:
        if self._server is not None:
            return self
        handler = type("BridgeHandler", (_Handler,), {"bridge": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="ollama-bridge", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> OllamaBridge:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

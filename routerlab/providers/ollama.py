"""Ollama through the official ``ollama`` SDK (host from the argument or ``OLLAMA_HOST``).

Streams chat chunks so time to first token is measured; the final chunk carries
``prompt_eval_count`` / ``eval_count``, which become usage. Images go as base64 strings on
the message; structured output uses ``format=<JSON schema>``. Offline, point it at
:class:`routerlab.providers.ollama_bridge.OllamaBridge`, which speaks the same REST API.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from ..errors import ProviderConnectionError, ProviderError
from ..redaction import safe_url
from ..types import Completion, Request, Usage
from ..validation import positive_seconds
from ._sdk import LoopLocal, import_sdk
from .base import AnswerMeter, Secret, Stopwatch, error_for_status, finish, map_transport_error, scrub, scrub_exception

__all__ = ["OllamaProvider", "build_messages", "build_params", "DEFAULT_HOST"]

DEFAULT_HOST = "http://127.0.0.1:11434"


def build_messages(request: Request) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if request.system:
        out.append({"role": "system", "content": request.system})
    last = len(request.messages) - 1
    for i, m in enumerate(request.messages):
        msg: dict[str, Any] = {"role": m.role, "content": m.content}
        if i == last and request.images:
            msg["images"] = [img.b64() for img in request.images]
        out.append(msg)
    return out


def build_params(request: Request, model_name: str) -> dict[str, Any]:
    options: dict[str, Any] = {"num_predict": request.max_output_tokens}
    if request.temperature is not None:
        options["temperature"] = request.temperature
    params: dict[str, Any] = {
        "model": model_name,
        "messages": build_messages(request),
        "stream": True,
        "options": options,
    }
    if request.response_schema is not None:
        params["format"] = dict(request.response_schema)
    return params


class _Acc:
    def __init__(self, watch: Stopwatch, meter: AnswerMeter) -> None:
        self.watch = watch
        self.meter = meter
        self.parts: list[str] = []
        self.done = False
        self.stop: str | None = None
        self.prompt = 0
        self.output = 0

    def add(self, chunk: Any) -> None:
        msg = getattr(chunk, "message", None)
        piece = getattr(msg, "content", None) if msg is not None else None
        if piece:
            self.watch.token()
            self.meter.add(piece)
            self.parts.append(piece)
        if getattr(chunk, "done", False):
            self.done = True
            self.stop = getattr(chunk, "done_reason", None) or "stop"
            self.prompt = int(getattr(chunk, "prompt_eval_count", 0) or 0)
            self.output = int(getattr(chunk, "eval_count", 0) or 0)


class OllamaProvider:
    """``ollama:`` models. No key; the host comes from ``host=`` or ``OLLAMA_HOST``."""

    name = "ollama"

    def __init__(self, host: str | None = None, *, timeout_s: float = 60.0, name: str = "ollama",
                 api_key: str | None = None) -> None:
        self.name = name
        self.host = host or os.environ.get("OLLAMA_HOST") or DEFAULT_HOST
        self.timeout_s = positive_seconds("timeout_s", timeout_s)
        # Ollama's cloud (and proxies in front of a local Ollama) take a bearer key; the SDK would
        # read OLLAMA_API_KEY itself, but holding it here lets every error be scrubbed of it.
        key = api_key or os.environ.get("OLLAMA_API_KEY")
        self._key: Secret | None = Secret(key) if key else None
        self._sync: dict[float, Any] = {}
        self._async_by_timeout: dict[float, LoopLocal] = {}

    def __repr__(self) -> str:
        return f"OllamaProvider(host={safe_url(self.host)!r})"

    async def aclose(self) -> None:
        """Close this event loop's async clients (``Client.run_many`` calls it before its loop ends)."""
        for local in self._async_by_timeout.values():
            await local.aclose()

    def _timeout(self, timeout_s: float | None) -> float:
        return self.timeout_s if timeout_s is None else positive_seconds("timeout_s", timeout_s)

    def _headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self._key.reveal()}"} if self._key is not None else {}

    # The ollama SDK fixes its timeout per client, so keep one client per timeout value.
    def _client(self, timeout: float) -> Any:
        if timeout not in self._sync:
            self._sync[timeout] = import_sdk("ollama").Client(host=self.host, timeout=timeout, headers=self._headers())
        return self._sync[timeout]

    def _aclient(self, timeout: float) -> Any:
        if timeout not in self._async_by_timeout:
            self._async_by_timeout[timeout] = LoopLocal(
                lambda: import_sdk("ollama").AsyncClient(host=self.host, timeout=timeout, headers=self._headers())
            )
        return self._async_by_timeout[timeout].get()

    @contextlib.contextmanager
    def _errors(self, model: str) -> Iterator[None]:
        sdk = import_sdk("ollama")
        try:
            yield
        except ProviderError:
            raise
        except sdk.ResponseError as exc:
            status = exc.status_code if exc.status_code and exc.status_code > 0 else 500
            detail = scrub(str(exc.error), self._key)
            if not (exc.status_code and exc.status_code > 0):  # an {"error": ...} line in a 200 stream
                detail = f"error event mid-stream after HTTP 200: {detail}"
            scrub_exception(exc, self._key)
            raise error_for_status(status, detail, provider=self.name, model=model) from None
        except Exception as exc:
            mapped = map_transport_error(exc, provider=self.name, model=model, secret=self._key)
            scrub_exception(exc, self._key)
            if mapped is None:
                raise
            raise mapped from None

    def _done(self, request: Request, model: str, acc: _Acc) -> Completion:
        if not acc.done:
            raise ProviderConnectionError(
                f"{self.name}:{model} stream ended before done (connection dropped)", provider=self.name, model=model
            )
        return finish(
            request,
            text="".join(acc.parts),
            usage=Usage(acc.prompt, acc.output),
            model=model,
            provider=self.name,
            watch=acc.watch,
            stop_reason=acc.stop,
        )

    def complete(self, request: Request, model_name: str, *, timeout_s: float | None = None) -> Completion:
        params = build_params(request, model_name)
        with self._errors(model_name):
            acc = _Acc(Stopwatch(), AnswerMeter(request, provider=self.name, model=model_name))
            for chunk in self._client(self._timeout(timeout_s)).chat(**params):
                acc.add(chunk)
            return self._done(request, model_name, acc)

    async def acomplete(self, request: Request, model_name: str, *, timeout_s: float | None = None) -> Completion:
        params = build_params(request, model_name)
        with self._errors(model_name):
            acc = _Acc(Stopwatch(), AnswerMeter(request, provider=self.name, model=model_name))
            async for chunk in await self._aclient(self._timeout(timeout_s)).chat(**params):
                acc.add(chunk)
            return self._done(request, model_name, acc)

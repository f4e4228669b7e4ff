"""OpenAI chat completions through the official ``openai`` SDK, or any OpenAI-compatible server.

Streams with ``stream_options={"include_usage": True}`` so time to first token is measured
and usage still arrives; images go as data-URL ``image_url`` parts; structured output uses
``response_format={"type": "json_schema", ...}`` (llama.cpp turns it into a grammar).
"""

from __future__ import annotations

from typing import Any

from ..errors import ProviderConnectionError
from ..types import Completion, Request, Usage
from ._sdk import SDKProvider, import_sdk
from .base import (
    AnswerMeter,
    Stopwatch,
    finish,
)

__all__ = ["OpenAIProvider", "build_messages", "build_params"]


def build_messages(request: Request) -> list[dict[str, Any]]:
    """Chat messages; images ride on the last user message as data-URL parts."""
    out: list[dict[str, Any]] = []
    if request.system:
        out.append({"role": "system", "content": request.system})
    last = len(request.messages) - 1
    for i, m in enumerate(request.messages):
        if i == last and request.images:
            parts: list[dict[str, Any]] = [{"type": "text", "text": m.content}]
            parts += [{"type": "image_url", "image_url": {"url": img.data_url()}} for img in request.images]
            out.append({"role": m.role, "content": parts})
        else:
            out.append({"role": m.role, "content": m.content})
    return out


def build_params(request: Request, model_name: str) -> dict[str, Any]:
    params: dict[str, Any] = {
        "model": model_name,
        "messages": build_messages(request),
        "max_completion_tokens": request.max_output_tokens,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    if request.temperature is not None:
        params["temperature"] = request.temperature
    if request.response_schema is not None:
        schema = dict(request.response_schema)
        params["response_format"] = {
            "type": "json_schema",
            # strict mode rejects schemas that allow extra keys; ask for it only when it applies
            "json_schema": {"name": "response", "schema": schema, "strict": schema.get("additionalProperties") is False},
        }
    return params


class _Acc:
    """Folds stream chunks into text, usage and stop reason."""

    def __init__(self, watch: Stopwatch, meter: AnswerMeter) -> None:
        self.watch = watch
        self.meter = meter
        self.parts: list[str] = []
        self.stop: str | None = None
        self.usage: Any = None

    def add(self, chunk: Any) -> None:
        if getattr(chunk, "usage", None) is not None:
            self.usage = chunk.usage
        for choice in chunk.choices or ():
            piece = getattr(choice.delta, "content", None) if choice.delta is not None else None
            if piece:
                self.watch.token()
                self.meter.add(piece)
                self.parts.append(piece)
            if choice.finish_reason:
                self.stop = choice.finish_reason


class OpenAIProvider(SDKProvider):
    """``openai:`` models, or any OpenAI-compatible server via ``base_url`` (then no key is needed)."""

    env_var = "OPENAI_API_KEY"
    default_name = "openai"
    sdk_module = "openai"

    def _make_sync(self) -> Any:
        sdk = import_sdk("openai")
        kw = self._kwargs()
        if self._http_client is not None:
            kw["http_client"] = self._http_client
        return sdk.OpenAI(**kw)

    def _make_async(self) -> Any:
        return import_sdk("openai").AsyncOpenAI(**self._kwargs())

    def _api_detail(self, exc: Any) -> str:
        return _api_message(exc)

    def _done(self, request: Request, model: str, acc: _Acc) -> Completion:
        if acc.stop is None:
            raise ProviderConnectionError(
                f"{self.name}:{model} stream ended before a finish reason (connection dropped)",
                provider=self.name,
                model=model,
            )
        u = acc.usage
        estimated = u is None
        if u is None:
            usage = Usage(request.estimated_input_tokens(), max(1, len("".join(acc.parts)) // 4))
        else:
            details = getattr(u, "prompt_tokens_details", None)
            cached = int(getattr(details, "cached_tokens", 0) or 0) if details is not None else 0
            prompt = int(u.prompt_tokens or 0)
            usage = Usage(prompt, int(u.completion_tokens or 0), min(cached, prompt))
        return finish(
            request,
            text="".join(acc.parts),
            usage=usage,
            model=model,
            provider=self.name,
            watch=acc.watch,
            stop_reason=acc.stop,
            extra={"usage_estimated": True} if estimated else None,
        )

    def complete(self, request: Request, model_name: str, *, timeout_s: float | None = None) -> Completion:
        params = build_params(request, model_name)
        with self._errors(model_name):
            acc = _Acc(Stopwatch(), AnswerMeter(request, provider=self.name, model=model_name))
            stream = self.sdk_client.chat.completions.create(**params, timeout=self._timeout(timeout_s))
            with stream:
                self._check_event_stream(stream, model_name)
                for chunk in stream:
                    acc.add(chunk)
            return self._done(request, model_name, acc)

    async def acomplete(self, request: Request, model_name: str, *, timeout_s: float | None = None) -> Completion:
        params = build_params(request, model_name)
        with self._errors(model_name):
            acc = _Acc(Stopwatch(), AnswerMeter(request, provider=self.name, model=model_name))
            stream = await self._async.get().chat.completions.create(**params, timeout=self._timeout(timeout_s))
            async with stream:
                self._check_event_stream(stream, model_name)
                async for chunk in stream:
                    acc.add(chunk)
            return self._done(request, model_name, acc)


def _api_message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])
    return str(getattr(exc, "message", "") or exc)

"""Anthropic Messages API through the official ``anthropic`` SDK (also llama.cpp's /v1/messages).

Streams raw events so time to first token is measured; images go as base64 ``image``
content blocks; structured output uses ``output_config.format`` (JSON schema). Servers
that speak the protocol but ignore ``output_config`` (llama.cpp) also get the schema in the
system prompt, and the answer is checked locally either way.

Sampling parameters are never sent: since API version 2026-10-21 (the default of SDK 2.x)
the Messages API answers 400 to ``temperature``, ``top_p`` or ``top_k`` at any value, and the
SDK no longer takes them. ``Request.temperature`` applies to the other providers only.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import ProviderConnectionError
from ..types import Completion, Request, Usage
from ._sdk import SDKProvider, import_sdk
from .base import (
    AnswerMeter,
    Stopwatch,
    finish,
)

__all__ = ["AnthropicProvider", "build_messages", "build_params", "ESTIMATED_INPUT_NOTE"]

ESTIMATED_INPUT_NOTE = ("the stream reported no input usage (no message_start event): "
                        "input tokens are estimated from the prompt's length")


def build_messages(request: Request) -> list[dict[str, Any]]:
    """Messages; images ride on the last user message as base64 blocks, before its text."""
    out: list[dict[str, Any]] = []
    last = len(request.messages) - 1
    for i, m in enumerate(request.messages):
        if i == last and request.images:
            blocks: list[dict[str, Any]] = [
                {"type": "image", "source": {"type": "base64", "media_type": img.media_type, "data": img.b64()}}
                for img in request.images
            ]
            blocks.append({"type": "text", "text": m.content})
            out.append({"role": m.role, "content": blocks})
        else:
            out.append({"role": m.role, "content": m.content})
    return out


def build_params(request: Request, model_name: str, *, schema_in_prompt: bool = False) -> dict[str, Any]:
    params: dict[str, Any] = {
        "model": model_name,
        "max_tokens": request.max_output_tokens,
        "messages": build_messages(request),
        "stream": True,
    }
    system = request.system or ""
    if request.response_schema is not None:
        schema = dict(request.response_schema)
        params["output_config"] = {"format": {"type": "json_schema", "schema": schema}}
        if schema_in_prompt:
            hint = "Answer with a single JSON value, no prose, matching this JSON schema: " + json.dumps(schema)
            system = f"{system}\n\n{hint}" if system else hint
    if system:
        params["system"] = system
    return params


class _Acc:
    def __init__(self, watch: Stopwatch, meter: AnswerMeter) -> None:
        self.watch = watch
        self.meter = meter
        self.parts: list[str] = []
        self.stop: str | None = None
        self.input_tokens = 0
        self.cache_read = 0
        self.cache_write = 0
        self.output_tokens = 0
        self.input_reported = False  # a message_start (or a final usage) said how many input tokens
        self.ended = False

    def add(self, event: Any) -> None:
        kind = getattr(event, "type", None)
        if kind == "message_start":
            u = event.message.usage
            self.input_tokens = int(u.input_tokens or 0)
            self.cache_read = int(getattr(u, "cache_read_input_tokens", 0) or 0)
            self.cache_write = int(getattr(u, "cache_creation_input_tokens", 0) or 0)
            self.output_tokens = int(getattr(u, "output_tokens", 0) or 0)
            self.input_reported = True
        elif kind == "content_block_delta":
            piece = getattr(event.delta, "text", None) or getattr(event.delta, "partial_json", None)
            if piece:
                self.watch.token()
                self.meter.add(piece)
                self.parts.append(piece)
        elif kind == "message_delta":
            self.stop = getattr(event.delta, "stop_reason", None) or self.stop
            u = getattr(event, "usage", None)
            if u is not None and getattr(u, "output_tokens", None) is not None:
                self.output_tokens = int(u.output_tokens)
            # Some servers report input usage (and cache reads) only at the end of the stream.
            if u is not None and getattr(u, "input_tokens", None):
                self.input_tokens = int(u.input_tokens)
                self.input_reported = True
            if u is not None and getattr(u, "cache_read_input_tokens", None):
                self.cache_read = int(u.cache_read_input_tokens)
            if u is not None and getattr(u, "cache_creation_input_tokens", None):
                self.cache_write = int(u.cache_creation_input_tokens)
        elif kind == "message_stop":
            self.ended = True

    def usage(self, request: Request) -> Usage:
        if not self.input_reported:  # see _done: the prompt's estimate, never a free call
            return Usage(request.estimated_input_tokens(), self.output_tokens, 0)
        # Anthropic's input_tokens excludes cache reads and writes; routerlab's includes them.
        total = self.input_tokens + self.cache_read + self.cache_write
        return Usage(total, self.output_tokens, self.cache_read)


class AnthropicProvider(SDKProvider):
    """``anthropic:`` models; with ``base_url``, any server speaking the Messages API (no key needed)."""

    env_var = "ANTHROPIC_API_KEY"
    default_name = "anthropic"
    sdk_module = "anthropic"

    def _make_sync(self) -> Any:
        kw = self._kwargs()
        if self._http_client is not None:
            kw["http_client"] = self._http_client
        return import_sdk("anthropic").Anthropic(**kw)

    def _make_async(self) -> Any:
        return import_sdk("anthropic").AsyncAnthropic(**self._kwargs())

    def _params(self, request: Request, model: str) -> dict[str, Any]:
        return build_params(request, model, schema_in_prompt=self.base_url is not None)

    def _api_detail(self, exc: Any) -> str:
        return str(getattr(exc, "api_message", None) or exc.message or exc)

    def _done(self, request: Request, model: str, acc: _Acc) -> Completion:
        if not acc.ended and acc.stop is None:
            raise ProviderConnectionError(
                f"{self.name}:{model} stream ended before message_stop (connection dropped)",
                provider=self.name,
                model=model,
            )
        # A stream without message_start reports no input usage: llama.cpp's server leaves it out
        # now and then under load (2 of 60 streams here). Counting 0 would make the call look
        # free; the prompt's estimate is used instead, and the completion says so.
        extra = None if acc.input_reported else {"input_tokens_estimated": ESTIMATED_INPUT_NOTE}
        return finish(
            request,
            text="".join(acc.parts),
            usage=acc.usage(request),
            model=model,
            provider=self.name,
            watch=acc.watch,
            stop_reason=acc.stop,
            extra=extra,
        )

    def complete(self, request: Request, model_name: str, *, timeout_s: float | None = None) -> Completion:
        params = self._params(request, model_name)
        with self._errors(model_name):
            acc = _Acc(Stopwatch(), AnswerMeter(request, provider=self.name, model=model_name))
            stream = self.sdk_client.messages.create(**params, timeout=self._timeout(timeout_s))
            with stream:
                self._check_event_stream(stream, model_name)
                for event in stream:
                    acc.add(event)
            return self._done(request, model_name, acc)

    async def acomplete(self, request: Request, model_name: str, *, timeout_s: float | None = None) -> Completion:
        params = self._params(request, model_name)
        with self._errors(model_name):
            acc = _Acc(Stopwatch(), AnswerMeter(request, provider=self.name, model=model_name))
            stream = await self._async.get().messages.create(**params, timeout=self._timeout(timeout_s))
            async with stream:
                self._check_event_stream(stream, model_name)
                async for event in stream:
                    acc.add(event)
            return self._done(request, model_name, acc)

"""What every provider shares: the Provider protocol, keys, timing, and error mapping.

A provider turns a :class:`~routerlab.types.Request` into a :class:`~routerlab.types.Completion`
for one model name (the part after ``provider:``). It measures time to first token by
streaming, reports usage as the provider counted it, and raises only routerlab errors.
Pricing, retries, fallback, budgets and tracing belong to the client, not here.
"""

from __future__ import annotations

import email.utils
import json
import os
import time
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from ..errors import (
    BadResponseError,
    MissingKeyError,
    ProviderConnectionError,
    ProviderError,
    ProviderServerError,
    ProviderTimeoutError,
    RateLimitError,
)
from ..redaction import register_secret
from ..redaction import scrub as _scrub
from ..types import Completion, Request, Usage

__all__ = [
    "Provider",
    "Secret",
    "resolve_key",
    "scrub",
    "retry_after_seconds",
    "error_for_status",
    "Stopwatch",
    "check_structured",
    "finish",
    "PLACEHOLDER_KEY",
    "MAX_BYTES_PER_TOKEN",
    "answer_byte_bound",
    "bounded_usage",
    "check_usage",
    "input_limit",
    "AnswerMeter",
]

# Local and OpenAI-compatible servers need no key, but the SDKs insist on one.
PLACEHOLDER_KEY = "not-needed-local"


@runtime_checkable
class Provider(Protocol):
    """``complete(request, model_name)`` and its async twin, returning an unpriced Completion."""

    name: str

    def complete(self, request: Request, model_name: str, *, timeout_s: float | None = None) -> Completion: ...

    async def acomplete(self, request: Request, model_name: str, *, timeout_s: float | None = None) -> Completion: ...


class Secret:
    """An API key that never prints: repr/str show ``'***'``; ``.reveal()`` hands it to an SDK."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        if value != PLACEHOLDER_KEY:
            register_secret(value)  # every scrub in the process now masks it

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __reduce__(self) -> Any:  # never pickle a key into a notebook or a trace
        raise TypeError("a Secret cannot be pickled")


def resolve_key(explicit: str | None, env_var: str, provider: str, *, base_url: str | None = None) -> Secret:
    """The key from the argument, else the environment; a custom base_url may go without one."""
    if explicit:
        return Secret(explicit)
    env = os.environ.get(env_var)
    if env:
        return Secret(env)
    if base_url:
        return Secret(PLACEHOLDER_KEY)
    raise MissingKeyError(provider, env_var)


def scrub(text: str, secret: Secret | None) -> str:
    """Mask any run of 8+ characters of ``secret`` or of any registered key in text that may be shown."""
    key = secret.reveal() if secret is not None else ""
    extra = [key] if key and key != PLACEHOLDER_KEY else []
    return _scrub(text, extra)


def retry_after_seconds(headers: Mapping[str, str] | None) -> float | None:
    """Seconds to wait from ``retry-after-ms`` / ``retry-after`` (seconds or an HTTP date)."""
    if not headers:
        return None
    lower = {k.lower(): v for k, v in headers.items()}
    ms = lower.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    value = lower.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):  # a header we cannot read means "no advice", not a crash
        return None
    return max(0.0, when.timestamp() - time.time())


def error_for_status(
    status: int, message: str, *, provider: str, model: str, headers: Mapping[str, str] | None = None
) -> ProviderError:
    """The routerlab error for an HTTP status: 429 and 5xx are transient, other 4xx are not."""
    text = f"{provider}:{model} answered HTTP {status}: {message}"
    kw: dict[str, Any] = {"provider": provider, "model": model, "status": status}
    if status == 429:
        return RateLimitError(text, retry_after=retry_after_seconds(headers), **kw)
    if status == 408:
        return ProviderTimeoutError(text, **kw)
    if status >= 500:  # includes Anthropic's 529 overloaded
        return ProviderServerError(text, **kw)
    return ProviderError(text, **kw)


# A token is at most this many UTF-8 bytes in the supported tokenizers' vocabularies (their
# longest entries are runs of spaces or punctuation well under it); a streamed answer longer
# than max_output_tokens x this (plus slack) cannot be what the request asked for.
MAX_BYTES_PER_TOKEN = 128
ANSWER_SLACK_BYTES = 4096


def answer_byte_bound(request: Request) -> int:
    """The most bytes a streamed answer to ``request`` may carry before it is cut."""
    return request.max_output_tokens * MAX_BYTES_PER_TOKEN + ANSWER_SLACK_BYTES


def input_limit(request: Request) -> int:
    """The most input tokens a report may claim: the byte bound, or more when the caller's metadata
    says so (attachments the text does not show); the budget reserves at least this much."""
    return max(request.input_token_bound(), request.estimated_input_tokens())


def bounded_usage(request: Request, usage: Usage) -> Usage:
    """``usage`` clipped to what the request can cost at most (what an impossible report is billed)."""
    inputs = min(usage.input_tokens, input_limit(request))
    return Usage(inputs, min(usage.output_tokens, request.max_output_tokens), min(usage.cached_tokens, inputs))


def check_usage(request: Request, usage: Usage, *, provider: str, model: str) -> None:
    """Refuse a usage report the request cannot have produced (a lying or broken server):
    more output than ``max_output_tokens`` allows, or more input than the prompt's bytes."""
    in_bound = input_limit(request)
    if usage.input_tokens <= in_bound and usage.output_tokens <= request.max_output_tokens:
        return
    raise BadResponseError(
        f"{provider}:{model} reported {_count(usage.input_tokens)} input and {_count(usage.output_tokens)} output "
        f"tokens, impossible for this request (at most {in_bound} input tokens for its "
        f"{len(request.text().encode('utf-8'))} bytes, max_output_tokens={request.max_output_tokens}); "
        "billed at that bound instead",
        provider=provider, model=model, usage=bounded_usage(request, usage))


def _count(n: int) -> str:
    return str(n) if n < 10**15 else f"~1e{len(str(n)) - 1}"


class AnswerMeter:
    """Counts the bytes of a streamed answer and cuts it at :func:`answer_byte_bound`."""

    def __init__(self, request: Request, *, provider: str, model: str) -> None:
        self.request, self.provider, self.model = request, provider, model
        self.limit = answer_byte_bound(request)
        self.size = 0

    def add(self, piece: str) -> None:
        self.size += len(piece.encode("utf-8", errors="replace"))
        if self.size > self.limit:
            raise BadResponseError(
                f"{self.provider}:{self.model} streamed more than {self.limit} bytes for max_output_tokens="
                f"{self.request.max_output_tokens} (at most {MAX_BYTES_PER_TOKEN} bytes a token): cut the answer "
                "there; billed as max_output_tokens",
                provider=self.provider, model=self.model,
                usage=Usage(self.request.input_token_bound(), self.request.max_output_tokens))


class Stopwatch:
    """Start, first-token and end times of one streamed call (monotonic clock)."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.first: float | None = None
        self.end: float | None = None

    def token(self) -> None:
        if self.first is None:
            self.first = time.perf_counter()

    def stop(self) -> None:
        self.end = time.perf_counter()

    @property
    def ttft_s(self) -> float | None:
        return None if self.first is None else self.first - self.start

    @property
    def latency_s(self) -> float:
        return (self.end if self.end is not None else time.perf_counter()) - self.start


def check_structured(text: str, schema: Mapping[str, Any] | None, *, provider: str, model: str) -> Any:
    """Parse a structured answer; malformed JSON or a schema violation is a BadResponseError."""
    if schema is None:
        return None
    body = text.strip()
    if body.startswith("```"):  # some models fence JSON even when asked not to
        body = body.strip("`")
        body = body[4:] if body.startswith("json") else body
    try:
        value = json.loads(body)
    except json.JSONDecodeError as exc:
        raise BadResponseError(
            f"{provider}:{model} returned text that is not JSON for a structured request ({exc.msg})",
            provider=provider,
            model=model,
        ) from None
    try:
        import jsonschema
    except ImportError:  # validation is a bonus; parsing is the contract
        return value
    try:
        jsonschema.validate(value, dict(schema))
    except jsonschema.ValidationError as exc:
        raise BadResponseError(
            f"{provider}:{model} returned JSON that does not match the schema: {exc.message}",
            provider=provider,
            model=model,
        ) from None
    return value


def finish(
    request: Request,
    *,
    text: str,
    usage: Usage,
    model: str,
    provider: str,
    watch: Stopwatch,
    stop_reason: str | None,
    allow_empty: bool = False,
    extra: Mapping[str, Any] | None = None,
) -> Completion:
    """Build the Completion, refusing an empty answer (a real failure mode worth retrying).

    A refused answer was still billed: its BadResponseError carries ``usage``."""
    watch.stop()
    check_usage(request, usage, provider=provider, model=model)
    if not text.strip() and not allow_empty:
        raise BadResponseError(
            f"{provider}:{model} returned an empty completion (stop reason {stop_reason!r})",
            provider=provider,
            model=model,
            usage=usage,
        )
    meta: dict[str, Any] = dict(extra or {})
    try:
        parsed = check_structured(text, request.response_schema, provider=provider, model=model)
    except BadResponseError as exc:
        exc.usage = usage
        raise
    if parsed is not None:
        meta["parsed"] = parsed
    return Completion(
        text=text,
        usage=usage,
        model=model,
        provider=provider,
        ttft_s=watch.ttft_s,
        latency_s=watch.latency_s,
        stop_reason=stop_reason,
        metadata=meta,
    )


def map_transport_error(exc: BaseException, *, provider: str, model: str, secret: Secret | None) -> ProviderError | None:
    """httpx / httpx2 transport failures (timeouts, resets, drops mid-stream) by class name.

    Both httpx generations name their exceptions alike, and the SDKs use either, so matching
    by name keeps this module free of SDK imports.
    """
    names = {cls.__name__ for cls in type(exc).__mro__}
    msg = scrub(f"{provider}:{model}: {type(exc).__name__}: {exc}", secret)
    if "TimeoutException" in names or "APITimeoutError" in names or isinstance(exc, TimeoutError):
        return ProviderTimeoutError(msg, provider=provider, model=model)
    if names & {"TransportError", "APIConnectionError", "RemoteProtocolError", "ConnectionError", "StreamError"}:
        return ProviderConnectionError(msg, provider=provider, model=model)
    if isinstance(exc, (json.JSONDecodeError, UnicodeDecodeError)) or "DecodingError" in names or "SSEError" in names:
        return BadResponseError(msg, provider=provider, model=model)
    return None


def scrub_exception(exc: BaseException, secret: Secret | None) -> None:
    """Blank the key out of an SDK exception that stays reachable as ``__context__``.

    Our errors are raised ``from None`` so tracebacks hide the SDK's, but the object is still
    attached; a gateway that echoes the key in its error body must not leave it there.
    """
    exc.args = tuple(scrub(a, secret) if isinstance(a, str) else a for a in exc.args)
    for attr in ("message", "api_message", "error"):
        value = getattr(exc, attr, None)
        if isinstance(value, str):
            try:
                setattr(exc, attr, scrub(value, secret))
            except AttributeError:
                pass
    if isinstance(getattr(exc, "body", None), (dict, str)):
        try:
            exc.body = None  # type: ignore[attr-defined]
        except AttributeError:
            pass


__all__ += ["map_transport_error", "scrub_exception"]

"""Frozen dataclasses for what flows through routerlab: requests, usage, completions, decisions."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Mapping, Protocol, runtime_checkable

from .errors import InvalidRequestError

__all__ = [
    "Message",
    "Image",
    "Request",
    "Subtask",
    "Usage",
    "Completion",
    "Alternative",
    "Decision",
    "CompletesRequests",
    "ROLES",
]

ROLES = ("user", "assistant")
# A rough, provider-independent token estimate: about 4 characters a token in English
# prose and code. Used only for budgets and routing before the real count is known.
CHARS_PER_TOKEN = 4
# What one image costs in input tokens before a provider reports it (Anthropic's ~1,600
# for a 1,092 x 1,092 image; OpenAI's high-detail 1,024 tiles land near it).
TOKENS_PER_IMAGE = 1600
# Upper bounds for budgets (never beaten, unlike the estimates above). A byte-level BPE
# tokenizer (tiktoken's, Llama's, Claude's) emits at most one token per UTF-8 byte; each
# message adds a few template tokens (role markers); one image costs at most about 2,500
# input tokens on the supported APIs (OpenAI's patch-based models: 1,536 patches x 1.62).
MAX_TOKENS_PER_BYTE = 1
TEMPLATE_TOKENS_PER_MESSAGE = 8
TEMPLATE_TOKENS_PER_REQUEST = 16
MAX_TOKENS_PER_IMAGE = 2600
# Image formats by their first bytes: the declared media type must match what the bytes are.
_IMAGE_MAGIC = {"image/png": (b"\x89PNG",), "image/jpeg": (b"\xff\xd8\xff",),
                "image/gif": (b"GIF87a", b"GIF89a"), "image/webp": (b"RIFF",)}


def _new_id() -> str:
    return uuid.uuid4().hex[:16]


def _check_text(value: str, what: str) -> None:
    """Refuse text that cannot be sent as UTF-8 (a lone surrogate from a bad decode)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidRequestError(
            f"{what} has a lone surrogate {value[exc.start]!r} at character {exc.start}, which UTF-8 cannot "
            "encode: decode the source text with errors='replace' (or fix it) before sending"
        ) from None


def _image_kind(data: bytes) -> str | None:
    for media_type, magics in _IMAGE_MAGIC.items():
        if any(data.startswith(m) for m in magics):
            if media_type == "image/webp" and data[8:12] != b"WEBP":  # RIFF alone is also WAV, AVI
                continue
            return media_type
    return None


@dataclass(frozen=True)
class Message:
    """One chat turn (``role`` in ROLES; system text goes in ``Request.system``); a Request carries them."""

    role: str
    content: str

    def __post_init__(self) -> None:
        if not isinstance(self.role, str) or self.role not in ROLES:
            raise InvalidRequestError(f"message role {self.role!r} is not one of {ROLES}; put system text in Request.system")
        if not isinstance(self.content, str):
            raise InvalidRequestError(f"message content must be a str, got {type(self.content).__name__}")
        _check_text(self.content, f"a {self.role} message")

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Message:
        """An OpenAI-style ``{"role": "user", "content": "..."}`` (content may be a list of text parts)."""
        content = d.get("content")
        if isinstance(content, list) and all(isinstance(p, Mapping) and p.get("type") == "text" for p in content):
            content = "".join(str(p.get("text", "")) for p in content)
        if set(d) - {"role", "content", "name"} or not isinstance(content, str):
            raise InvalidRequestError(
                f"cannot read the message {dict(d)!r}: give Message('user', 'text') or "
                "{'role': 'user', 'content': 'text'} (images go in Request(images=...))"
            )
        return cls(role=d.get("role"), content=content)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Image:
    """An image sent to a vision model, as raw bytes and a media type."""

    data: bytes = field(repr=False)
    media_type: str = "image/png"

    def __post_init__(self) -> None:
        if not isinstance(self.data, (bytes, bytearray, memoryview)):
            raise InvalidRequestError(f"Image.data must be the file's bytes, got {type(self.data).__name__}")
        object.__setattr__(self, "data", bytes(self.data))
        if not self.data:
            raise InvalidRequestError("image has no bytes")
        if self.media_type not in _IMAGE_MAGIC:
            raise InvalidRequestError(f"image media type {self.media_type!r} is not png, jpeg, gif or webp")
        actual = _image_kind(self.data)
        if actual != self.media_type:
            fix = (f"are a {actual} image: pass media_type={actual!r}" if actual else
                   "are not a PNG, JPEG, GIF or WebP image: pass the file's raw bytes (open(path, 'rb').read())")
            raise InvalidRequestError(f"image declared {self.media_type!r} but its bytes (starting "
                                      f"{self.data[:8]!r}) {fix}")

    def b64(self) -> str:
        return base64.b64encode(self.data).decode("ascii")

    def data_url(self) -> str:
        return f"data:{self.media_type};base64,{self.b64()}"


@dataclass(frozen=True)
class Request:
    """A subtask: what one LLM call should do. ``kind`` is what routers key on."""

    messages: tuple[Message, ...]
    kind: str = "general"
    system: str | None = None
    images: tuple[Image, ...] = ()
    max_output_tokens: int = 512
    response_schema: Mapping[str, Any] | None = field(default=None, hash=False, compare=False)
    metadata: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)
    temperature: float | None = None  # OpenAI / Ollama only: Anthropic's API rejects sampling parameters
    id: str = field(default_factory=_new_id)

    def __post_init__(self) -> None:
        msgs, system = _read_messages(self.messages, self.system)
        object.__setattr__(self, "messages", msgs)
        object.__setattr__(self, "system", system)
        _check_fields(self)
        object.__setattr__(self, "images", tuple(self.images))
        object.__setattr__(self, "metadata", MappingProxyType(dict(self.metadata)))
        if not msgs:
            raise InvalidRequestError("request has no messages: give at least one user message")
        if msgs[-1].role != "user":
            raise InvalidRequestError("the last message must be from the user")
        if not any(m.content.strip() for m in msgs) and not self.images:
            raise InvalidRequestError("every message is empty: give the model something to answer")
        if (not isinstance(self.max_output_tokens, int) or isinstance(self.max_output_tokens, bool)
                or self.max_output_tokens < 1):
            raise InvalidRequestError(f"max_output_tokens must be a positive int, got {self.max_output_tokens!r}")

    @classmethod
    def user(cls, text: str, **kw: Any) -> Request:
        """A one-message request: ``Request.user("classify this screen", kind="classify")``."""
        return cls(messages=(Message("user", text),), **kw)

    @property
    def has_images(self) -> bool:
        return bool(self.images)

    def text(self) -> str:
        """All prompt text (system and messages), for classifiers and token estimates."""
        parts = [self.system] if self.system else []
        parts += [m.content for m in self.messages]
        return "\n".join(parts)

    def estimated_input_tokens(self) -> int:
        n = self.metadata.get("input_tokens")
        if isinstance(n, int) and n >= 0:
            return n
        return max(1, len(self.text()) // CHARS_PER_TOKEN) + TOKENS_PER_IMAGE * len(self.images)

    def input_token_bound(self) -> int:
        """The most input tokens this request can be billed for on any supported tokenizer.

        Unlike :meth:`estimated_input_tokens` (chars/4, for routing) this ignores caller
        metadata and counts one token per UTF-8 byte, so no script (CJK, emoji) can beat it."""
        n_bytes = sum(len(m.content.encode("utf-8")) for m in self.messages)
        n_bytes += len(self.system.encode("utf-8")) if self.system else 0
        if self.response_schema is not None:  # some servers put the schema in the prompt
            import json

            n_bytes += len(json.dumps(dict(self.response_schema), default=str).encode("utf-8"))
        return (n_bytes * MAX_TOKENS_PER_BYTE + TEMPLATE_TOKENS_PER_MESSAGE * (len(self.messages) + 1)
                + TEMPLATE_TOKENS_PER_REQUEST + MAX_TOKENS_PER_IMAGE * len(self.images))

    def with_(self, **changes: Any) -> Request:
        return replace(self, **changes)


Subtask = Request


def _read_messages(messages: Any, system: Any) -> tuple[tuple[Message, ...], Any]:
    """Messages as a tuple of Message; OpenAI-style dicts are converted (a leading system one
    becomes ``system``); a bare string or anything else is refused with the right form."""
    form = "messages=(Message('user', 'text'),) or [{'role': 'user', 'content': 'text'}]; for one prompt: Request.user('text')"
    if isinstance(messages, (str, bytes)) or not isinstance(messages, (list, tuple)):
        raise InvalidRequestError(f"messages must be a list of messages, got {type(messages).__name__}: {form}")
    out: list[Message] = []
    for i, m in enumerate(messages):
        if isinstance(m, Message):
            out.append(m)
        elif isinstance(m, Mapping):
            if m.get("role") == "system" and i == 0 and system is None and isinstance(m.get("content"), str):
                system = m["content"]
                continue
            out.append(Message.from_dict(m))
        else:
            raise InvalidRequestError(f"message {i} is a {type(m).__name__}, not a Message: {form}")
    return tuple(out), system


def _check_fields(r: Request) -> None:
    """Wrong types at the public API become errors that name the field and the expected form."""
    if not isinstance(r.kind, str):
        raise InvalidRequestError(f"Request.kind must be a str such as 'classify', got {r.kind!r}")
    if r.system is not None:
        if not isinstance(r.system, str):
            raise InvalidRequestError(f"Request.system must be a str or None, got {type(r.system).__name__}")
        _check_text(r.system, "the system prompt")
    if not isinstance(r.metadata, Mapping):
        raise InvalidRequestError(f"Request.metadata must be a dict (or omitted), got {type(r.metadata).__name__}")
    if r.response_schema is not None and not isinstance(r.response_schema, Mapping):
        raise InvalidRequestError(f"Request.response_schema must be a JSON-schema dict, got {type(r.response_schema).__name__}")
    t = r.temperature
    if t is not None and (isinstance(t, bool) or not isinstance(t, (int, float)) or not 0 <= t <= 2):
        raise InvalidRequestError(f"Request.temperature must be a number from 0 to 2 (or None), got {t!r}")
    if isinstance(r.images, (bytes, Image)) or not all(isinstance(i, Image) for i in r.images):
        raise InvalidRequestError("Request.images must be a tuple of routerlab Image(data, media_type)")
    if not isinstance(r.id, str):
        raise InvalidRequestError(f"Request.id must be a str, got {type(r.id).__name__}")


@dataclass(frozen=True)
class Usage:
    """Tokens of one call. ``input_tokens`` counts every prompt token, cached ones included;
    ``cached_tokens`` is the part read from the provider's prompt cache (billed lower)."""

    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0

    def __post_init__(self) -> None:
        for name in ("input_tokens", "output_tokens", "cached_tokens"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise InvalidRequestError(f"Usage.{name} must be a non-negative int, got {value!r}")
        if self.cached_tokens > self.input_tokens:
            raise InvalidRequestError(
                f"Usage.cached_tokens ({self.cached_tokens}) exceeds input_tokens ({self.input_tokens}): "
                "input_tokens must include the cached ones"
            )

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cached_tokens + other.cached_tokens,
        )


@dataclass(frozen=True)
class Completion:
    """What one call returned: the text, its Usage, and the model, cost and latency the client filled in; ``Client.complete`` returns it."""

    text: str
    usage: Usage
    model: str
    provider: str = ""
    ttft_s: float | None = None
    latency_s: float = 0.0
    cost_usd: float = 0.0
    stop_reason: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Alternative:
    """A model a router considered but did not pick, with its predicted cost; listed in ``Decision.alternatives``."""

    model: str
    tier: str | None = None
    predicted_cost: float | None = None
    predicted_quality: float | None = None
    predicted_latency_s: float | None = None


@dataclass(frozen=True)
class Decision:
    """What a router chose, and why: ``score >= threshold`` picked ``model``."""

    model: str
    tier: str | None = None
    score: float | None = None
    threshold: float | None = None
    reason: str = ""
    alternatives: tuple[Alternative, ...] = ()
    router: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "tier": self.tier,
            "score": self.score,
            "threshold": self.threshold,
            "reason": self.reason,
            "router": self.router,
            "alternatives": [vars(a) | {} for a in self.alternatives],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Decision:
        alts = tuple(Alternative(**a) for a in d.get("alternatives", ()))
        return cls(
            model=d["model"],
            tier=d.get("tier"),
            score=d.get("score"),
            threshold=d.get("threshold"),
            reason=d.get("reason", ""),
            alternatives=alts,
            router=d.get("router", ""),
        )


@runtime_checkable
class CompletesRequests(Protocol):
    """Something that completes a request by model id or tier: a ``routerlab.client.Client``.

    What a router that needs a model (an LLM classifier, a cascade, an agreement verifier) is
    given, so it never calls a provider itself.
    """

    def complete(self, request: Request, model: str | None = None, tier: str | None = None) -> Completion: ...

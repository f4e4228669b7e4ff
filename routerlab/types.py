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


def _new_id() -> str:
    return uuid.uuid4().hex[:16]


@dataclass(frozen=True)
class Message:
    """One chat turn (``role`` in ROLES; system text goes in ``Request.system``); a Request carries them."""

    role: str
    content: str

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise InvalidRequestError(f"message role {self.role!r} is not one of {ROLES}; put system text in Request.system")
        if not isinstance(self.content, str):
            raise InvalidRequestError(f"message content must be a str, got {type(self.content).__name__}")


@dataclass(frozen=True)
class Image:
    """An image sent to a vision model, as raw bytes and a media type."""

    data: bytes = field(repr=False)
    media_type: str = "image/png"

    def __post_init__(self) -> None:
        if not self.data:
            raise InvalidRequestError("image has no bytes")
        if self.media_type not in ("image/png", "image/jpeg", "image/gif", "image/webp"):
            raise InvalidRequestError(f"image media type {self.media_type!r} is not png, jpeg, gif or webp")

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
        msgs = tuple(self.messages)
        object.__setattr__(self, "messages", msgs)
        object.__setattr__(self, "images", tuple(self.images))
        object.__setattr__(self, "metadata", MappingProxyType(dict(self.metadata)))
        if not msgs:
            raise InvalidRequestError("request has no messages: give at least one user message")
        if msgs[-1].role != "user":
            raise InvalidRequestError("the last message must be from the user")
        if not any(m.content.strip() for m in msgs) and not self.images:
            raise InvalidRequestError("every message is empty: give the model something to answer")
        if not isinstance(self.max_output_tokens, int) or self.max_output_tokens < 1:
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

    def with_(self, **changes: Any) -> Request:
        return replace(self, **changes)


Subtask = Request


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

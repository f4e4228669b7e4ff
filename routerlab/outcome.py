"""What a batch returns: one Outcome per subtask, a completion or the typed error that ended it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .errors import RouterlabError
from .trace import redact
from .types import Completion, Request

__all__ = ["Outcome", "outcomes_frame"]


@dataclass(frozen=True)
class Outcome:
    """How one subtask of a batch ended: a completion, or the typed error that stopped it."""

    request: Request
    completion: Completion | None = None
    error: RouterlabError | None = None

    @property
    def ok(self) -> bool:
        return self.completion is not None

    @property
    def model(self) -> str | None:
        return self.completion.model if self.completion else getattr(self.error, "model", None)

    def to_dict(self) -> dict[str, Any]:
        c, e = self.completion, self.error
        return {
            "request_id": self.request.id,
            "kind": self.request.kind,
            "ok": self.ok,
            "model": self.model,
            "text": c.text if c else None,
            "input_tokens": c.usage.input_tokens if c else 0,
            "output_tokens": c.usage.output_tokens if c else 0,
            "cost_usd": c.cost_usd if c else 0.0,
            "latency_s": c.latency_s if c else None,
            "ttft_s": c.ttft_s if c else None,
            "attempts": c.metadata.get("attempts") if c else None,
            "fallback_from": c.metadata.get("fallback_from") if c else None,
            "error_type": type(e).__name__ if e is not None else None,
            "error": redact(str(e)) if e is not None else None,
        }

    def unwrap(self) -> Completion:
        if self.completion is None:
            assert self.error is not None
            raise self.error
        return self.completion


def outcomes_frame(outcomes: Iterable[Outcome]) -> Any:
    """A pandas DataFrame, one row per outcome (what ``run_many`` returned)."""
    import pandas as pd

    return pd.DataFrame([o.to_dict() for o in outcomes])

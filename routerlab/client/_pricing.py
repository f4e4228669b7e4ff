"""What a call may cost before it is sent (the budget's reservation) and what it did cost."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ..catalog import ModelInfo
from ..providers.base import Provider
from ..types import Completion, Request, Usage

__all__ = ["worst_case_cost", "priced", "billed_cost"]


def worst_case_cost(request: Request, info: ModelInfo, provider: Provider | None, input_margin: float) -> float:
    """The input bound (one token per prompt byte, ``Request.input_token_bound``: no tokenizer
    beats it, whatever the script) plus every allowed output token, at ``info``'s prices.
    ``input_margin`` x the chars/4 estimate (or caller metadata) may raise the input, never lower it.

    A provider that knows the price in advance (replay: the recorded cost) may raise it through
    an optional ``quote(request, model_name)`` method.
    """
    worst = max(info.worst_case_cost(request, input_margin),  # the catalog's estimate-based figure
                info.token_cost(request.input_token_bound(), request.max_output_tokens))  # the byte bound
    quote = getattr(provider, "quote", None)
    known = quote(request, info.name) if quote is not None else None
    return max(worst, known) if known is not None else worst


def priced(info: ModelInfo, raw: Completion, attempt: int, call_id: str, meta: Mapping[str, Any],
           elapsed_s: float) -> Completion:
    """The provider's unpriced completion, priced and labelled with the call's id and attempts.

    A recorded cost (replay) is kept as recorded; replay also shows its recorded latency.
    """
    recorded = bool(raw.metadata.get("recorded_cost"))
    return replace(
        raw,
        model=info.id,
        provider=info.provider,
        cost_usd=raw.cost_usd if recorded else info.cost(raw.usage),
        latency_s=elapsed_s if raw.metadata.get("replay") else raw.latency_s or elapsed_s,
        metadata={**raw.metadata, **meta, "attempts": attempt, "call_id": call_id},
    )


def billed_cost(info: ModelInfo, usage: Usage | None) -> float:
    """USD for a failed attempt: its usage when the provider reported one (an answer refused after
    it arrived was billed), else 0 (no final usage event: nothing known to be spent)."""
    return info.cost(usage) if usage is not None else 0.0
